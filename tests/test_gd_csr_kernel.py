"""The fused CSR passes: scalar and masked-vector kernels against NumPy, across chunks and threads."""

import numba
import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal

import fastreg
from fastreg import reference
from fastreg._threads import numba_threads
from fastreg.kernels.csr import FAST_GATHERS, GATHERS_COMPILE, gradient_csr, gradient_csr_gather, nnz_bounds
from fastreg.solvers.fused import FusedGradient

KERNELS = [gradient_csr] + ([gradient_csr_gather] if GATHERS_COMPILE else [])
needs_gathers = pytest.mark.skipif(not GATHERS_COMPILE, reason="the vector kernel needs LLVM 17 (llvmlite 0.45)")


def rows_of_lengths(lengths, p, dtype=np.float64, index_dtype=np.int32, seed=0):
    """CSR with the given row lengths, distinct sorted columns per row, values around 1."""
    rng = np.random.default_rng(seed)
    indptr = np.concatenate([[0], np.cumsum(lengths)]).astype(index_dtype)
    indices = np.concatenate([np.sort(rng.choice(p, size=k, replace=False)) for k in lengths] or [[]])
    data = 1.0 + rng.standard_normal(indptr[-1])
    return sp.csr_matrix((data.astype(dtype), indices.astype(index_dtype), indptr), shape=(len(lengths), p))


# Every length from 0 to 26 (one, part of and several vector steps), then a few long rows.
LENGTHS = list(range(27)) * 3 + [40, 63, 64, 65, 100]


def expected(X, y, theta):
    r = theta[0] + X.astype(np.float64) @ theta[1:] - y
    return np.concatenate([[r.sum()], X.T.astype(np.float64) @ r]), r @ r


def run(kernel, X, y, theta, n_chunks):
    bounds = nnz_bounds(X.indptr, n_chunks)
    buf = np.empty((n_chunks, X.shape[1] + 1))
    grad = np.empty(X.shape[1] + 1)
    sse = kernel(X.data, X.indices, X.indptr, y, theta, bounds, buf, grad)
    return grad, sse


@pytest.mark.parametrize("index_dtype", [np.int32, np.int64])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("kernel", KERNELS, ids=lambda k: k.__name__)
def test_csr_kernels_match_numpy(kernel, dtype, index_dtype):
    rng = np.random.default_rng(1)
    order = rng.permutation(len(LENGTHS))  # lengths mixed, as in real data
    X = rows_of_lengths([LENGTHS[i] for i in order], 120, dtype, index_dtype)
    y = rng.standard_normal(X.shape[0])
    theta = rng.standard_normal(X.shape[1] + 1)
    want_grad, want_sse = expected(X, y, theta)
    for n_chunks in (1, 3, 8):
        grad, sse = run(kernel, X, y, theta, n_chunks)
        assert_allclose(grad, want_grad, rtol=0, atol=1e-12 * np.abs(want_grad).max())
        assert_allclose(sse, want_sse, rtol=1e-12)


@needs_gathers
def test_gather_kernel_matches_scalar_and_empty_edges():
    rng = np.random.default_rng(2)
    for lengths in ([0, 0, 9, 0], [17], [0], [8, 8, 8, 1]):  # empty rows and chunks, a last step of one lane
        X = rows_of_lengths(lengths, 30, seed=3)
        y = rng.standard_normal(X.shape[0])
        theta = rng.standard_normal(31)
        for n_chunks in (1, 4):
            g_scalar, s_scalar = run(gradient_csr, X, y, theta, n_chunks)
            g_gather, s_gather = run(gradient_csr_gather, X, y, theta, n_chunks)
            assert_allclose(g_gather, g_scalar, rtol=0, atol=1e-13 * max(np.abs(g_scalar).max(), 1.0))
            assert_allclose(s_gather, s_scalar, rtol=1e-13)


@pytest.mark.parametrize("kernel", KERNELS, ids=lambda k: k.__name__)
def test_result_depends_on_the_chunks_not_the_threads(kernel):
    X = rows_of_lengths(list(np.random.default_rng(4).integers(0, 30, 2000)), 300)
    y = np.random.default_rng(5).standard_normal(X.shape[0])
    theta = np.random.default_rng(6).standard_normal(301)
    with numba_threads(1):
        one = run(kernel, X, y, theta, 6)
    for threads in {2, numba.config.NUMBA_NUM_THREADS}:
        with numba_threads(threads):
            many = run(kernel, X, y, theta, 6)
        assert_array_equal(many[0], one[0])
        assert many[1] == one[1]


@pytest.mark.parametrize("indices", [[2, 0, 2, 1], [0, 2, 2, 1], [2, 0, 1, 1]], ids=["unsorted-repeat", "sorted-repeat", "unsorted"])
def test_fused_gradient_on_non_canonical_csr(indices):
    # a column stored twice in row 0, or rows out of order: the scalar kernel, which sums duplicates
    X = sp.csr_matrix((np.array([1.0, 2.0, 3.0, 4.0]), np.array(indices), np.array([0, 3, 4])), shape=(2, 3))
    assert not X.has_canonical_format
    y = np.array([0.5, -1.0])
    theta = np.array([0.1, 1.0, -2.0, 3.0])
    op = FusedGradient(X)
    grad = np.empty(4)
    sse = op(theta, y, grad)
    want_grad, want_sse = expected(sp.csr_matrix(X.toarray()), y, theta)
    assert_allclose(grad, want_grad, rtol=1e-14)
    assert_allclose(sse, want_sse, rtol=1e-14)
    assert op._kernel is gradient_csr


def test_fused_gradient_takes_the_gather_kernel_where_it_is_fast():
    X = rows_of_lengths([10] * 50, 40)
    assert FusedGradient(X)._kernel is (gradient_csr_gather if FAST_GATHERS else gradient_csr)
    strided = sp.csr_matrix((np.repeat(X.data, 2)[::2], X.indices, X.indptr), shape=X.shape)
    assert not strided.data.flags.c_contiguous  # scipy keeps the view: the vector loads need contiguous data
    assert FusedGradient(strided)._kernel is gradient_csr
    theta = np.linspace(-1.0, 1.0, 41)
    got, want = np.empty(41), np.empty(41)
    sse = FusedGradient(strided)(theta, np.ones(50), got)
    assert_allclose(sse, FusedGradient(X)(theta, np.ones(50), want), rtol=1e-13)
    assert_allclose(got, want, rtol=1e-13)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("penalty", ["l2", "l1"])
def test_gradient_descent_on_long_rows_matches_the_reference(penalty, dtype):
    # rows of 0..40 entries: every kind of vector step, against the seed's loop with scipy products
    rng = np.random.default_rng(7)
    X = rows_of_lengths(list(rng.integers(0, 41, 300)), 60, dtype)
    y = X.astype(np.float64) @ rng.standard_normal(60) + 2.0 + rng.standard_normal(300)
    settings = dict(penalty=penalty, lambda_=3.0, learning_rate=0.002, iterations=300)
    theta = fastreg.gradient_descent(X, y, **settings)
    want = reference.gradient_descent(X.astype(np.float64), y, **settings)
    assert_allclose(theta, want, rtol=1e-10 if dtype == np.float64 else 1e-4)
    with numba_threads(1):
        single = fastreg.gradient_descent(X, y, **settings)
    assert_allclose(theta, single, rtol=1e-11 if dtype == np.float64 else 1e-5)
