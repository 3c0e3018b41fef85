"""What per-feature penalties cost: the same Lasso fit plain and through the general penalty code.

For each ``scripts/compare.py`` Lasso task, three fits in interleaved rounds (medians):

* ``plain``: ``fastreg.Lasso(alpha)``, the uniform penalty's specialized kernels;
* ``general``: the same problem given as data, ``penalty_factor`` all ones and bounds of ±1e6
  that no coefficient reaches: the same optimum, computed by the general kernels (per-feature
  weights and box projections in the inner loops). Its ratio to ``plain`` is the price of the
  general code alone;
* ``weighted``: a different problem — factors drawn in [0.5, 2] (as an adaptive Lasso's),
  ten unpenalized covariates (every tenth of the first hundred features), coefficients bounded
  to [-1, 1] — for a sense of a realistic use (its optimum differs, so its time is not a
  like-for-like comparison).

    python scripts/bench_penalty.py                      # every Lasso task, 5 rounds
    python scripts/bench_penalty.py --tasks dense-tall --rounds 9
"""

import argparse
import os
import statistics
import sys
import time
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import compare

import fastreg


def variants(p, seed=0):
    rng = np.random.default_rng(seed)
    factors = rng.uniform(0.5, 2.0, p)
    factors[:100:10] = 0.0
    return {
        "plain": {},
        "general": {"penalty_factor": np.ones(p), "lower_bounds": -1e6, "upper_bounds": 1e6},
        "weighted": {"penalty_factor": factors, "lower_bounds": -1.0, "upper_bounds": 1.0},
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", nargs="*", default=[], help="substrings of compare.py task names")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    for data, kind, divisor in compare.tasks(args.tasks):
        if kind != "lasso":
            continue
        X, y = compare.DATA[data]()
        alpha = compare.alpha_max(X, y) / divisor
        specs = variants(X.shape[1])
        for spec in specs.values():  # compile outside the timing
            fastreg.Lasso(alpha=compare.alpha_max(X[:200], y[:200]) / 10, tol=compare.TOL, **spec).fit(X[:200], y[:200])
        times = {name: [] for name in specs}
        models = {}
        names = list(specs)
        for r in range(args.rounds):
            for name in names[r % 3:] + names[: r % 3]:
                model = fastreg.Lasso(alpha=alpha, tol=compare.TOL, **specs[name])
                t = time.perf_counter()
                model.fit(X, y)
                times[name].append(time.perf_counter() - t)
                models[name] = model
        med = {name: statistics.median(v) for name, v in times.items()}
        same = np.max(np.abs(models["general"].coef_ - models["plain"].coef_)) / max(np.max(np.abs(models["plain"].coef_)), 1e-300)
        print(f"{compare.task_name(data, kind, divisor):24s} plain {med['plain']:.4f} s  "
              f"general {med['general']:.4f} s ({med['general'] / med['plain']:.2f}x, coefficients within {same:.0e})  "
              f"weighted {med['weighted']:.4f} s ({med['weighted'] / med['plain']:.2f}x)", flush=True)


if __name__ == "__main__":
    main()
