"""Exact solvers beside scikit-learn, skglm and celer: the tasks of ``scripts/compare.py``.

Run (not part of the test suite; the peers come with ``pip install '.[bench]'``)::

    python -m pytest benchmarks/test_solvers.py --benchmark-group-by=param:task
    python -m pytest benchmarks/test_solvers.py -k "dense-tall" --benchmark-autosave

Every solver runs at ``tol=1e-6``; each benchmark records the objective
reached, relative to the best of the group, in ``extra_info`` (a result
counts only within 1e-8 of it). ``scripts/compare.py`` runs the same tasks
interleaved and prints the speed-up table and chart.
"""

import functools
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "scripts"))

from compare import DATA, alpha_max, lasso_objective, lasso_solvers, ridge_objective, ridge_solvers  # noqa: E402

TASKS = [(data, kind, divisor) for data in DATA for kind, divisor in (("lasso", 10), ("lasso", 100), ("ridge", None))]
_BEST = {}


@functools.lru_cache(maxsize=1)
def _data(name):
    return DATA[name]()


def _solvers(kind):
    return lasso_solvers() if kind == "lasso" else ridge_solvers()


@pytest.mark.parametrize("solver", ["fastreg", "scikit-learn", "skglm", "celer"])
@pytest.mark.parametrize("task", TASKS, ids=[f"{k}-{d}" + (f"-a/{v}" if v else "") for d, k, v in TASKS])
def test_solver(benchmark, task, solver):
    data, kind, divisor = task
    solvers = _solvers(kind)
    if solver not in solvers:
        pytest.skip(f"{solver} has no {kind} solver here (or is not installed)")
    X, y = _data(data)
    alpha = alpha_max(X, y) / divisor if kind == "lasso" else 1.0
    objective = lasso_objective if kind == "lasso" else ridge_objective
    make = solvers[solver]
    benchmark.group = f"{kind}-{data}" + (f" a/{divisor}" if divisor else "")

    def fit():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return make(alpha).fit(X, y)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        make(alpha).fit(X[:200], y[:200])  # compile / import outside the timing
    model = benchmark.pedantic(fit, rounds=3, warmup_rounds=0)
    value = objective(X, y, np.asarray(model.coef_, dtype=float).ravel(), float(model.intercept_), alpha)
    best = _BEST.setdefault(benchmark.group, value)
    _BEST[benchmark.group] = min(best, value)
    benchmark.extra_info["objective"] = value
    benchmark.extra_info["objective_above_best_so_far"] = (value - min(best, value)) / abs(min(best, value))
    assert np.isfinite(value)
