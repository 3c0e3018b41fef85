"""Gradient-descent throughput on 1,000-feature data, beside the seed's NumPy loop.

Run (not part of the test suite)::

    python -m pytest benchmarks/ --benchmark-autosave
    python -m pytest benchmarks/ --benchmark-compare          # against the last saved run
    python -m pytest benchmarks/ -k csr --benchmark-group-by=param:data

Each benchmark runs ``ITERATIONS`` iterations of the seed's Ridge loop; extra
info records iterations/s and GB/s of ``X`` read. Ratios are only meaningful
within one run: compare the rows of one group.
"""

import numpy as np
import pytest

import fastreg
from fastreg import reference

from datasets import csr, dense, numpy_loop_same_dtype, x_bytes

ITERATIONS = 20
SETTINGS = dict(lambda_=1.0, learning_rate=0.01, iterations=ITERATIONS)

DATA = {
    "dense-float64": lambda: dense(dtype="float64"),
    "dense-float32": lambda: dense(dtype="float32"),
    "csr-1%": lambda: csr(),
}

SOLVERS = {
    "fastreg": lambda X, y: fastreg.gradient_descent(X, y, penalty="l2", **SETTINGS),
    "numpy-seed-loop": lambda X, y: reference.gradient_descent(X, y, penalty="l2", **SETTINGS),
    "numpy-same-dtype": lambda X, y: numpy_loop_same_dtype(X, y, **SETTINGS),
}


def _record(benchmark, X, passes):
    seconds = benchmark.stats.stats.median
    benchmark.extra_info["iterations_per_s"] = passes / seconds
    benchmark.extra_info["GB_per_s_of_X"] = passes * x_bytes(X) / seconds / 1e9


@pytest.mark.parametrize("data", list(DATA))
@pytest.mark.parametrize("solver", list(SOLVERS))
def test_gradient_descent(benchmark, data, solver):
    X, y = DATA[data]()
    if solver == "numpy-same-dtype" and (data != "dense-float32"):
        pytest.skip("same as numpy-seed-loop for float64 and sparse data")
    benchmark.group = data
    fastreg.gradient_descent(X[:100], y[:100], iterations=1)  # compile outside the timing
    theta = benchmark.pedantic(SOLVERS[solver], args=(X, y), rounds=5, warmup_rounds=1)
    assert np.all(np.isfinite(theta))
    _record(benchmark, X, ITERATIONS)


@pytest.mark.parametrize("data", list(DATA))
def test_plain_pass_over_x(benchmark, data):
    """``X.sum()``: one plain pass over memory, the yardstick for GB/s."""
    X, _ = DATA[data]()
    benchmark.group = data
    arr = X.data if hasattr(X, "indices") else X
    benchmark.pedantic(arr.sum, rounds=5, warmup_rounds=1)
    _record(benchmark, X, 1)
