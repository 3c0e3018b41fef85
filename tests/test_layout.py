"""The layout kernels: one-pass column summaries, centered Fortran copies with their norms, CSR -> CSC."""

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal

import fastreg._convert as convert
import fastreg._policy as policy
import fastreg._validation as validation
from fastreg._preprocess import center_scale_dense
from fastreg.solvers._columns import dense_means_and_constants, fortran_stats


def data(order, dtype, n=203, p=70, seed=0):
    rng = np.random.default_rng(seed)
    X = 5.0 + rng.standard_normal((n, p))
    X[:, 3] = 0.1  # constant, with a mean that is not exact in binary
    X[:, 7] = 0.0
    X[:, 11] = -2.5
    X[0, 12] = 1.0  # constant except for one row
    X[:, 12] = np.where(np.arange(n) == 0, 1.0, 0.0)
    return np.asarray(X.astype(dtype), order=order)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("order", ["C", "F"])
def test_means_and_constants_match_numpy(order, dtype):
    X = data(order, dtype)
    mean, constant = dense_means_and_constants(X)
    assert mean.dtype == np.float64
    assert_allclose(mean, X.mean(axis=0, dtype=np.float64), rtol=1e-13, atol=1e-15)
    assert_array_equal(constant, np.ptp(X, axis=0) == 0)
    assert set(np.flatnonzero(constant)) == {3, 7, 11}


def test_means_and_constants_odd_layouts():
    X = data("C", np.float64)
    strided = X[::2, ::3]
    mean, constant = dense_means_and_constants(strided)
    assert_allclose(mean, strided.mean(axis=0), rtol=1e-13)
    assert_array_equal(constant, np.ptp(strided, axis=0) == 0)
    one_row = X[:1]
    mean, constant = dense_means_and_constants(one_row)
    assert_array_equal(mean, one_row[0])
    assert constant.all()


@pytest.mark.parametrize("scaled", [False, True])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("order", ["C", "F"])
def test_centered_copy_and_its_norms(order, dtype, scaled):
    X = data(order, dtype)
    before = X.copy()
    mean = X.mean(axis=0, dtype=np.float64)
    d = np.linspace(0.5, 2.0, X.shape[0]) if scaled else None
    norms = np.empty(X.shape[1])
    out = center_scale_dense(X, mean, d, order="F", norms=norms)
    expected = (X - mean.astype(dtype)) * (1.0 if d is None else d.astype(dtype)[:, None])
    assert out.flags.f_contiguous and out.dtype == dtype
    assert_allclose(out, expected, rtol=1e-6 if dtype == np.float32 else 1e-14, atol=1e-6 if dtype == np.float32 else 1e-13)
    assert_allclose(norms, np.einsum("ij,ij->j", out, out, dtype=np.float64), rtol=1e-12)
    assert_array_equal(X, before)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("order", ["C", "F", "strided"])
@pytest.mark.parametrize("n", [203, 1100])  # a short last row tile; several F blocks
def test_fortran_stats_one_pass(order, dtype, n):
    X = data("C" if order == "strided" else order, dtype, n=n)
    if order == "strided":
        X = np.repeat(X, 2, axis=1)[:, ::2]
    saved = X.copy()
    XF, mean, m2, constant = fortran_stats(X)
    assert XF.flags.f_contiguous and XF.dtype == dtype
    assert_array_equal(XF, X)
    assert_array_equal(X, saved)
    if order == "F":
        assert XF is X  # used as it is, no copy
    X64 = X.astype(np.float64)
    assert_allclose(mean, X64.mean(axis=0), rtol=1e-13, atol=1e-15)
    assert_allclose(m2, ((X64 - X64.mean(axis=0)) ** 2).sum(axis=0), rtol=1e-12, atol=1e-12)
    assert_array_equal(constant, np.ptp(X, axis=0) == 0)


@pytest.mark.parametrize("order", ["C", "F"])
def test_fortran_stats_norms_keep_their_digits_under_large_means(order):
    """m2 is summed as deviations, never as ΣX² − n·x̄², which loses everything at mean 1e8 ± 1."""
    rng = np.random.default_rng(1)
    X = np.asarray(1e8 + rng.standard_normal((3000, 5)), order=order)
    _, mean, m2, _ = fortran_stats(X)
    exact = ((X - X.mean(axis=0)) ** 2).sum(axis=0)
    assert_allclose(m2, exact, rtol=1e-9)


# ------------------------------------------------------------ CSR -> CSC


def _csr(n, p, density, seed, *, index_dtype=np.int32, dtype=np.float64, array=False):
    """Random CSR with row 5 and column 9 empty."""
    rng = np.random.default_rng(seed)
    X = sp.random(n, p, density=density, format="csr", random_state=rng, dtype=dtype)
    rows, cols = np.ones(n), np.ones(p)
    rows[5], cols[9] = 0.0, 0.0
    X = sp.csr_matrix(sp.diags(rows.astype(dtype)) @ X @ sp.diags(cols.astype(dtype)))
    X.eliminate_zeros()
    X = sp.csr_matrix((X.data, X.indices.astype(index_dtype), X.indptr.astype(index_dtype)), shape=X.shape)
    return sp.csr_array(X) if array else X


def _assert_same_csc(C, X, R=None):
    R = X.tocsc() if R is None else R  # scipy's
    assert C.format == "csc" and C.shape == X.shape
    assert_array_equal(C.indptr, R.indptr)
    assert_array_equal(C.indices, R.indices)
    assert_array_equal(C.data, R.data)
    assert C.data.dtype == X.data.dtype


@pytest.mark.parametrize("shift", [1, 3, 16])
@pytest.mark.parametrize("index_dtype", [np.int32, np.int64])
def test_to_csc_matches_scipy(monkeypatch, shift, index_dtype):
    """Every block width (2, 8, wider than X) gives scipy's arrays, marked canonical, without scipy's tocsc."""
    monkeypatch.setattr(policy, "CSC_BLOCKED_MIN_VALUES", 0)
    monkeypatch.setattr(convert, "csc_block_shift", lambda p, nnz: shift)
    X = _csr(301, 77, 0.2, seed=shift, index_dtype=index_dtype)
    before = (X.data.copy(), X.indices.copy(), X.indptr.copy())
    R = X.tocsc()
    monkeypatch.setattr(sp.csr_matrix, "tocsc", lambda self, copy=False: pytest.fail("scipy's tocsc ran"))
    C = convert.to_csc(X)
    _assert_same_csc(C, X, R)
    assert C.has_canonical_format and C.indices.dtype == X.indices.dtype
    for a, b in zip(before, (X.data, X.indices, X.indptr)):
        assert_array_equal(a, b)  # the caller's CSR is untouched


def test_to_csc_few_columns_or_values_go_through_scipy():
    X = _csr(300, 50, 0.2, seed=4)
    _assert_same_csc(convert.to_csc(X), X)  # small: scipy's
    assert convert.to_csc(X.tocsc()).format == "csc"


@pytest.mark.parametrize("array", [False, True])
def test_to_csc_keeps_the_container_and_dtype(monkeypatch, array):
    monkeypatch.setattr(policy, "CSC_BLOCKED_MIN_VALUES", 0)
    monkeypatch.setattr(policy, "CSC_DIRECT_MAX_COLUMNS", 8)
    X = _csr(200, 120, 0.1, seed=1, dtype=np.float32, array=array)
    C = convert.to_csc(X)
    _assert_same_csc(C, X)
    assert isinstance(C, sp.sparray) == array
    assert C.data.dtype == np.float32


def test_to_csc_block_shift():
    assert convert.csc_block_shift(1_000, 10**6) == 0  # few columns: no blocks
    shift = convert.csc_block_shift(100_000, 2 * 10**6)
    assert 64 <= -(-100_000 >> shift) <= 1_024  # 196 blocks of 512 columns
    assert convert.csc_block_shift(10**9, 10**9) == 16  # the uint16 slot's limit


def test_to_csc_of_a_non_canonical_csr(monkeypatch):
    """Unsorted indices and a duplicate: rows still come out sorted, the duplicate stays for canonical_sparse."""
    monkeypatch.setattr(policy, "CSC_BLOCKED_MIN_VALUES", 0)
    monkeypatch.setattr(policy, "CSC_DIRECT_MAX_COLUMNS", 4)
    X = _csr(150, 40, 0.3, seed=2)
    rng = np.random.default_rng(0)
    data, indices = X.data.copy(), X.indices.copy()
    for i in range(X.shape[0]):  # shuffle each row's entries
        lo, hi = X.indptr[i], X.indptr[i + 1]
        order = lo + rng.permutation(hi - lo)
        data[lo:hi], indices[lo:hi] = data[order], indices[order]
    indptr = X.indptr + 1
    indptr[0] = 0  # row 0 gets a duplicate of its first entry
    X = sp.csr_matrix((np.r_[data[:1], data], np.r_[indices[:1], indices], indptr), shape=X.shape)
    assert not X.has_canonical_format
    C = convert.to_csc(X)
    assert not C.has_canonical_format
    assert all(np.all(np.diff(C.indices[C.indptr[j] : C.indptr[j + 1]]) >= 0) for j in range(X.shape[1]))
    assert_array_equal(C.toarray(), X.toarray())
    canonical = validation.canonical_sparse(C)
    assert canonical.has_canonical_format and canonical.nnz == X.nnz - 1
    assert_array_equal(canonical.toarray(), X.toarray())
