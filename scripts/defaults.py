"""fastreg against scikit-learn, default against default: what a user who changes one import line sees.

Each task fits fastreg's estimator and scikit-learn's with only ``alpha`` given (everything else
at its default), in interleaved rounds (the order alternates), and prints the medians, the ratio
(scikit-learn's time over fastreg's: above 1 fastreg is faster) and each objective's excess over
the better of the two, relative (fastreg's promise: at most 1e-7). The tasks are issue 33's table,
the ``scripts/compare.py`` tasks, and cross-validation (``LassoCV``, ``ElasticNetCV`` at
``l1_ratio=0.5``) on wide, tall and tiny data; ``--tasks`` takes parts of their names.

    pip install '.[bench]'
    python scripts/defaults.py                         # every task, 5 rounds
    python scripts/defaults.py --tasks small gene --rounds 9

The "gene" tasks are synthetic stand-ins for gene-expression data (72 × 5,147 and 102 × 12,533:
few samples, many correlated features of unequal scales, a sparse signal); no data is downloaded.
"""

import argparse
import math
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from compare import (
    alpha_max,
    dense_toeplitz,
    lasso_objective,
    ridge_objective,
    sparse_random,
)
from sklearn import linear_model as sk
from sklearn.exceptions import ConvergenceWarning

import fastreg


def gene_like(n, p, seed=0):
    """Expression-like data: correlated blocks of features with unequal scales and offsets, 10 true effects."""
    rng = np.random.default_rng(seed)
    factors = rng.standard_normal((n, 30))
    load = rng.standard_normal((30, p)) * (rng.random((30, p)) < 0.1)
    X = factors @ load + rng.standard_normal((n, p))
    X = X * rng.uniform(0.3, 3.0, p) + rng.uniform(2.0, 12.0, p)
    w = np.zeros(p)
    w[rng.choice(p, 10, replace=False)] = rng.standard_normal(10)
    return X, X @ w + 0.5 * rng.standard_normal(n)


def gaussian(n, p, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    w = np.zeros(p)
    w[:10] = rng.standard_normal(10)
    return X, X @ w + rng.standard_normal(n)


# name: (data, estimator pair, alpha): an int d is alpha_max / d, a float the alpha itself
TASKS = {
    "ridge csr-tall": (lambda: sparse_random(100_000, 1_000, 0.01), "ridge", 1.0),
    "ridge csr-wide": (lambda: sparse_random(20_000, 100_000, 0.001), "ridge", 1.0),
    "ridge dense-tall": (lambda: dense_toeplitz(20_000, 1_000), "ridge", 1.0),
    "ridge dense-wide": (lambda: dense_toeplitz(1_000, 20_000), "ridge", 1.0),
    "lasso dense-tall a/10": (lambda: dense_toeplitz(20_000, 1_000), "lasso", 10),
    "lasso dense-tall a/100": (lambda: dense_toeplitz(20_000, 1_000), "lasso", 100),
    "lasso dense-2000x10000 a/100": (lambda: dense_toeplitz(2_000, 10_000), "lasso", 100),
    "lasso dense-wide a/10": (lambda: dense_toeplitz(1_000, 20_000), "lasso", 10),
    "lasso csr-tall a/10": (lambda: sparse_random(100_000, 1_000, 0.01), "lasso", 10),
    "lasso csr-tall a/100": (lambda: sparse_random(100_000, 1_000, 0.01), "lasso", 100),
    "lasso csr-wide a/10": (lambda: sparse_random(20_000, 100_000, 0.001), "lasso", 10),
    "lasso gene-72x5147 a/10": (lambda: gene_like(72, 5_147), "lasso", 10),
    "lasso gene-102x12533 a/10": (lambda: gene_like(102, 12_533, seed=1), "lasso", 10),
    "lassocv gene-72x5147": (lambda: gene_like(72, 5_147), "lassocv", None),
    "lassocv small-200x2000": (lambda: gaussian(200, 2_000), "lassocv", None),
    "lasso small-200x2000 a=0.05": (lambda: gaussian(200, 2_000), "lasso", 0.05),
    "lassocv dense-wide-500x5000": (lambda: dense_toeplitz(500, 5_000), "lassocv", None),
    "lassocv dense-tall-5000x200": (lambda: dense_toeplitz(5_000, 200), "lassocv", None),
    "lassocv csr-tall-20000x500": (lambda: sparse_random(20_000, 500, 0.01), "lassocv", None),
    "lassocv csr-wide-2000x20000": (lambda: sparse_random(2_000, 20_000, 0.01), "lassocv", None),
    "lasso tiny-50x10 a/10": (lambda: gaussian(50, 10), "lasso", 10),
    "ridge tiny-50x10": (lambda: gaussian(50, 10), "ridge", 1.0),
    "lassocv tiny-50x10": (lambda: gaussian(50, 10), "lassocv", None),
    "enetcv small-200x2000": (lambda: gaussian(200, 2_000), "enetcv", None),
    "enetcv gene-72x5147": (lambda: gene_like(72, 5_147), "enetcv", None),
    "enetcv dense-tall-5000x200": (lambda: dense_toeplitz(5_000, 200), "enetcv", None),
}


def pair(kind, alpha):
    if kind == "ridge":
        return (lambda: fastreg.Ridge(alpha=alpha)), (lambda: sk.Ridge(alpha=alpha))
    if kind == "lasso":
        return (lambda: fastreg.Lasso(alpha=alpha)), (lambda: sk.Lasso(alpha=alpha))
    if kind == "enetcv":  # ElasticNetCV at l1_ratio 0.5
        return (lambda: fastreg.ElasticNetCV(l1_ratio=0.5)), (lambda: sk.ElasticNetCV(l1_ratio=0.5))
    return (lambda: fastreg.LassoCV()), (lambda: sk.LassoCV())


def enet_objective(X, y, coef, intercept, alpha, l1_ratio):
    r = y - X @ coef - intercept
    return r @ r / (2 * len(y)) + alpha * (l1_ratio * np.abs(coef).sum() + 0.5 * (1 - l1_ratio) * coef @ coef)


def objective(kind, X, y, model, alpha):
    if kind == "ridge":
        return ridge_objective(X, y, model.coef_, model.intercept_, alpha)
    a = model.alpha_ if kind == "lassocv" else alpha
    return lasso_objective(X, y, model.coef_, model.intercept_, a)


def run(name, rounds):
    make, kind, rule = TASKS[name]
    X, y = make()
    alpha = alpha_max(X, y) / rule if kind == "lasso" and isinstance(rule, int) else rule
    ours_make, theirs_make = pair(kind, alpha)
    times = {"fastreg": [], "scikit-learn": []}
    models = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours_make().fit(X, y)  # compile outside the timing
        for r in range(rounds):
            order = [("fastreg", ours_make), ("scikit-learn", theirs_make)]
            for label, make_model in order if r % 2 == 0 else order[::-1]:
                model = make_model()
                t = time.perf_counter()
                model.fit(X, y)
                times[label].append(time.perf_counter() - t)
                models[label] = model
    t_ours, t_theirs = statistics.median(times["fastreg"]), statistics.median(times["scikit-learn"])
    if kind in ("lassocv", "enetcv"):
        same = math.isclose(models["fastreg"].alpha_, models["scikit-learn"].alpha_, rel_tol=1e-12)
        note = f"alpha_ {'equal' if same else 'DIFFERENT'}"
        ratio = 1.0 if kind == "lassocv" else 0.5
        objs = {k: enet_objective(X, y, m.coef_, m.intercept_, models["fastreg"].alpha_, ratio)
                for k, m in models.items()}
    else:
        objs = {k: objective(kind, X, y, m, alpha) for k, m in models.items()}
        note = ""
    best = min(objs.values())
    excess = {k: (v - best) / abs(best) for k, v in objs.items()}
    print(f"{name:30s} fastreg {t_ours:8.4f} s  scikit-learn {t_theirs:8.4f} s  ratio {t_theirs / t_ours:6.2f}x  "
          f"excess fastreg {excess['fastreg']:.1e}, scikit-learn {excess['scikit-learn']:.1e}  {note}", flush=True)
    return t_theirs / t_ours, excess["fastreg"]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", nargs="*", default=[], help="parts of task names to run")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    names = [n for n in TASKS if not args.tasks or any(t in n for t in args.tasks)]
    ratios, excesses = [], []
    for name in names:
        ratio, excess = run(name, args.rounds)
        ratios.append(ratio)
        excesses.append(excess)
    if ratios:
        gm = math.exp(sum(map(math.log, ratios)) / len(ratios))
        print(f"geometric mean {gm:.2f}x, minimum {min(ratios):.2f}x over {len(ratios)} tasks; "
              f"fastreg's largest excess {max(excesses):.1e}")


if __name__ == "__main__":
    main()
