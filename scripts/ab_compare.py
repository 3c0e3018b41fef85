"""One side of an A/B between two trees: every ``compare.py`` task, fastreg alone, medians as JSON.

Run it alternately against the two trees (each with its own numba cache) and compare the
medians; the objectives show that both reach the same optimum::

    git worktree add /tmp/before <commit>
    for r in 1 2; do for tree in /tmp/before .; do
        PYTHONPATH=$tree NUMBA_CACHE_DIR=/tmp/nbcache_$(basename $(realpath $tree)) \\
            python scripts/ab_compare.py > ab_$(basename $(realpath $tree)).$r.json
    done; done

``--tasks`` takes parts of task names as ``compare.py`` does; each task is fitted ``--fits``
times after a warm-up at ``compare.py``'s ``tol``.
"""

import argparse
import json
import os
import statistics
import sys
import time
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import compare

import fastreg


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", nargs="*", default=[])
    parser.add_argument("--fits", type=int, default=3)
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    out = {}
    for data, kind, divisor in compare.tasks(args.tasks):
        X, y = compare.DATA[data]()
        if kind == "lasso":
            alpha = compare.alpha_max(X, y) / divisor
            make, objective = (lambda a: fastreg.Lasso(alpha=a, tol=compare.TOL)), compare.lasso_objective
            warm = compare.alpha_max(X[:200], y[:200]) / 10
        else:
            alpha = warm = 1.0
            make, objective = (lambda a: fastreg.Ridge(alpha=a, tol=compare.TOL)), compare.ridge_objective
        make(warm).fit(X[:200], y[:200])  # compile outside the timing
        compare._prime_memory(X)
        times = []
        for _ in range(args.fits):
            model = make(alpha)
            t = time.perf_counter()
            model.fit(X, y)
            times.append(time.perf_counter() - t)
        value = objective(X, y, np.ravel(model.coef_), float(model.intercept_), alpha)
        out[compare.task_name(data, kind, divisor)] = {"seconds": statistics.median(times), "objective": float(value)}
    print(json.dumps({"tree": os.path.dirname(fastreg.__file__), "tasks": out}))


if __name__ == "__main__":
    main()
