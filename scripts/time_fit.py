"""Time one fastreg fit on a ``compare.py`` task: a before/after probe across commits.

Run it alternately against two trees (each with its own numba cache) and
compare the medians; the objective is printed so that both trees can be seen
to reach the same optimum::

    git worktree add /tmp/before <commit>
    for r in 1 2; do for tree in /tmp/before .; do
        PYTHONPATH=$tree NUMBA_CACHE_DIR=/tmp/nbcache_$(basename $(realpath $tree)) \\
            python scripts/time_fit.py dense-tall 100 --order F
    done; done
"""

import argparse
import os
import sys
import time
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import compare  # noqa: E402  (the tasks' data and objectives)

import fastreg  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("task", choices=sorted(compare.DATA))
    parser.add_argument("divisor", type=float, help="alpha = alpha_max / divisor")
    parser.add_argument("--order", choices=["C", "F"], default="C", help="memory order of dense X")
    parser.add_argument("--fits", type=int, default=5)
    args = parser.parse_args()
    X, y = compare.DATA[args.task]()
    if args.order == "F" and not hasattr(X, "tocsc"):
        X = np.asfortranarray(X)
    alpha = compare.alpha_max(X, y) / args.divisor
    warnings.simplefilter("ignore")
    fastreg.Lasso(alpha=alpha, tol=compare.TOL).fit(X[:300], y[:300])  # compile outside the timing
    times = []
    for _ in range(args.fits):
        t0 = time.perf_counter()
        model = fastreg.Lasso(alpha=alpha, tol=compare.TOL).fit(X, y)
        times.append(time.perf_counter() - t0)
    objective = compare.lasso_objective(X, y, model.coef_, model.intercept_, alpha)
    print(f"{os.path.dirname(fastreg.__file__)}  {args.task} a/{args.divisor:g} {args.order}: "
          f"median {np.median(times):.4f} s, min {min(times):.4f} s, {model.n_iter_} epochs, objective {objective:.15g}")


if __name__ == "__main__":
    main()
