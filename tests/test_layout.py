"""The layout kernels: one-pass column summaries and centered Fortran copies with their norms."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

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
