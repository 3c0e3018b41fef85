"""The fused CSR passes: scalar and masked-vector kernels against NumPy, across chunks and threads."""

import numba
import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal

import fastreg
from fastreg import reference
from fastreg._threads import numba_threads
from fastreg.kernels import csr as csr_kernels
from fastreg.kernels.csr import (
    FAST_GATHERS,
    GATHERS_COMPILE,
    gradient_csr,
    gradient_csr_gather,
    nnz_bounds,
    rows_sorted_distinct,
)
from fastreg.solvers import gd as gd_solver
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
    settings = {"penalty": penalty, "lambda_": 3.0, "learning_rate": 0.002, "iterations": 300}
    theta = fastreg.gradient_descent(X, y, **settings)
    want = reference.gradient_descent(X.astype(np.float64), y, **settings)
    assert_allclose(theta, want, rtol=1e-10 if dtype == np.float64 else 1e-4)
    with numba_threads(1):
        single = fastreg.gradient_descent(X, y, **settings)
    assert_allclose(theta, single, rtol=1e-11 if dtype == np.float64 else 1e-5)


# --- the public loop on either kernel, forced, over valid but odd CSR --------------------------------


def _split_and_reverse(A):
    """``A`` with every entry stored as two (a quarter and three quarters) and each row reversed."""
    rows = np.repeat(np.arange(A.shape[0]), np.diff(A.indptr))
    data = np.concatenate([0.25 * A.data, 0.75 * A.data])[::-1]
    cols = np.concatenate([A.indices, A.indices])[::-1]
    rr = np.concatenate([rows, rows])[::-1]
    order = np.argsort(rr, kind="stable")
    indptr = np.concatenate([[0], np.cumsum(np.bincount(rr, minlength=A.shape[0]))])
    return sp.csr_matrix((data[order], cols[order], indptr), shape=A.shape)


def _odd_csr(kind, A):
    """A CSR storage of the same matrix as canonical ``A``; whether its rows are sorted and distinct."""
    if kind == "canonical":
        return A.copy(), True
    if kind == "csr_array":
        return sp.csr_array(A), True
    if kind == "int64_indices":
        B = A.copy()
        B.indices, B.indptr = A.indices.astype(np.int64), A.indptr.astype(np.int64)  # scipy would downcast
        return B, True
    if kind == "explicit_zeros":  # a stored 0 in every row that has room for one
        dense = A.toarray()
        mask = dense != 0
        for i in range(dense.shape[0]):
            free = np.flatnonzero(~mask[i])
            if free.size:
                mask[i, free[0]] = True
        rows, cols = np.nonzero(mask)
        B = sp.csr_matrix((dense[rows, cols], (rows, cols)), shape=A.shape)  # COO -> CSR keeps the zeros
        assert B.nnz > A.nnz
        return B, True
    if kind == "unsorted":
        B = A.copy()
        for i in range(B.shape[0]):
            lo, hi = B.indptr[i], B.indptr[i + 1]
            B.indices[lo:hi], B.data[lo:hi] = B.indices[lo:hi][::-1].copy(), B.data[lo:hi][::-1].copy()
        B.has_sorted_indices = False
        return B, False
    if kind == "duplicates":
        return _split_and_reverse(A), False
    if kind == "sorted_duplicates":
        B = _split_and_reverse(A)
        B.has_sorted_indices = False
        B.sort_indices()  # sorted, each column twice
        return B, False
    if kind == "stale_canonical_flag":  # duplicates, but scipy's cached flag says canonical
        B = _split_and_reverse(A)
        B.has_canonical_format = True
        return B, False
    raise ValueError(kind)


ODD_KINDS = [
    "canonical", "csr_array", "int64_indices", "explicit_zeros",
    "unsorted", "duplicates", "sorted_duplicates", "stale_canonical_flag",
]


@pytest.fixture(params=["scalar", "vector"])
def forced_kernel(request, monkeypatch):
    """Switch :data:`fastreg.kernels.csr.FAST_GATHERS` (the vector kernel gives the same result on any CPU)."""
    if request.param == "vector" and not GATHERS_COMPILE:
        pytest.skip("the vector kernel needs LLVM 17 (llvmlite 0.45)")
    monkeypatch.setattr(csr_kernels, "FAST_GATHERS", request.param == "vector")
    used = []

    class Recording(FusedGradient):
        def __init__(self, X, n_chunks=None):
            super().__init__(X, n_chunks)
            used.append(self._kernel)

    monkeypatch.setattr(gd_solver, "FusedGradient", Recording)
    return request.param, used


@pytest.mark.parametrize("penalty", ["l2", "l1"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("kind", ODD_KINDS)
def test_gradient_descent_on_odd_csr_matches_the_reference(forced_kernel, kind, dtype, penalty):
    which, used = forced_kernel
    rng = np.random.default_rng(11)
    # rows of 0 to 40 entries (empty rows, one and several vector steps) over 50 columns
    A = rows_of_lengths(list(rng.integers(0, 41, 150)) + [0, 0, 50], 50, dtype=dtype)
    A.data[::7] *= -3.0
    X, sorted_distinct = _odd_csr(kind, A)
    assert X.data.dtype == dtype
    y = A.astype(np.float64) @ rng.standard_normal(50) + 2.0 + rng.standard_normal(A.shape[0])
    settings = {"penalty": penalty, "lambda_": 3.0, "learning_rate": 0.002, "iterations": 200}
    before = (X.data.copy(), X.indices.copy(), X.indptr.copy())
    theta = fastreg.gradient_descent(X, y, **settings)
    # the seed's loop on the matrix X stores, in float64
    want = reference.gradient_descent(A.toarray().astype(np.float64), y, **settings)
    assert_allclose(theta, want, rtol=1e-10 if dtype == np.float64 else 1e-4)
    assert used == [gradient_csr_gather if which == "vector" and sorted_distinct else gradient_csr]
    for a, b in zip(before, (X.data, X.indices, X.indptr)):  # the caller's arrays untouched
        assert_array_equal(a, b)


def test_both_kernels_give_the_same_loop():
    # the scalar and vector loops agree to rounding on canonical data (the vector sums 8 products as a tree)
    if not GATHERS_COMPILE:
        pytest.skip("the vector kernel needs LLVM 17 (llvmlite 0.45)")
    rng = np.random.default_rng(12)
    X = rows_of_lengths(list(rng.integers(0, 30, 400)), 80)
    y = rng.standard_normal(400)
    theta = rng.standard_normal(81)
    for n_chunks in (1, 5):
        g_scalar, s_scalar = run(gradient_csr, X, y, theta, n_chunks)
        g_vector, s_vector = run(gradient_csr_gather, X, y, theta, n_chunks)
        assert_allclose(g_vector, g_scalar, rtol=0, atol=1e-13 * np.abs(g_scalar).max())
        assert_allclose(s_vector, s_scalar, rtol=1e-13)


@pytest.mark.parametrize(
    ("name", "features", "fast"),
    [
        ("skylake-avx512", "+avx512f,+avx512cd,+avx2,+sse4.2", True),
        ("haswell", "-avx512f,+avx2,+sse4.2", False),  # no AVX-512: the scalar kernel
        ("znver4", "+avx512f,+avx512cd,+avx2", False),  # AMD's gathers are microcoded
        ("generic", "", False),
    ],
)
def test_fast_gathers_only_on_cpus_with_fast_avx512_gathers(monkeypatch, name, features, fast):
    monkeypatch.setattr(numba.config, "CPU_NAME", name)
    monkeypatch.setattr(numba.config, "CPU_FEATURES", features)
    monkeypatch.setattr(csr_kernels, "_gathers_slowed_by_microcode", lambda: False)
    assert csr_kernels._fast_gathers() is (fast and GATHERS_COMPILE)
    monkeypatch.setattr(csr_kernels, "_gathers_slowed_by_microcode", lambda: True)
    assert csr_kernels._fast_gathers() is False


@pytest.mark.parametrize(
    ("status", "slowed"),
    [
        ("Mitigation: Microcode\n", True),
        ("Not affected\n", False),
        ("Vulnerable\n", False),
        ("Mitigation: AVX disabled, no microcode\n", False),  # no AVX-512 features then anyway
        (None, False),  # no such file
    ],
)
def test_gather_data_sampling_mitigation_is_read_from_linux(tmp_path, status, slowed):
    status_file = tmp_path / "gather_data_sampling"
    if status is not None:
        status_file.write_text(status)
    assert csr_kernels._gathers_slowed_by_microcode(str(status_file)) is slowed


def test_fast_gathers_off_where_llvmlite_cannot_read_the_cpu(monkeypatch):
    def fail():
        raise RuntimeError("cannot read host features")

    monkeypatch.setattr(numba.config, "CPU_NAME", None)
    monkeypatch.setattr(numba.config, "CPU_FEATURES", None)
    monkeypatch.setattr(csr_kernels.ll, "get_host_cpu_features", fail)
    assert csr_kernels._fast_gathers() is False


def test_rows_sorted_distinct_matches_a_row_by_row_check():
    rng = np.random.default_rng(13)
    for _ in range(2000):
        lengths = rng.integers(0, 4, rng.integers(1, 7))  # empty rows at the start, middle and end
        indptr = np.concatenate([[0], np.cumsum(lengths)]).astype(rng.choice([np.int32, np.int64]))
        indices = rng.integers(0, 5, indptr[-1]).astype(rng.choice([np.int32, np.int64]))
        want = all(np.all(np.diff(indices[indptr[i]:indptr[i + 1]]) > 0) for i in range(len(lengths)))
        assert rows_sorted_distinct(indices, indptr) is want
