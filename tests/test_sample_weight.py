"""sample_weight against scikit-learn: same fits, same predictions on unseen data, dense and sparse."""

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose
from sklearn import linear_model as sk

import fastreg
from fastreg._preprocess import preprocess, scale_rows_sparse, weighted_offsets

from helpers import STORAGES

SW_STORAGES = ["C", "F", "csr_matrix", "csc_matrix"]


def make_weighted(n=50, p=10, seed=0, density=0.5, offset=1.0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n + 20, p)) * (rng.random((n + 20, p)) < density) + offset
    w = rng.standard_normal(p)
    w[p // 2 :] = 0.0
    y = X @ w + 3.0 + 0.3 * rng.standard_normal(n + 20)
    sw = rng.random(n) * 3
    sw[:4] = 0.0  # zero weights: samples absent
    return X[:n], y[:n], sw, X[n:]  # the last rows are unseen data


def fit_pair(name, fit_intercept, **params):
    if name == "Lasso":
        return (fastreg.Lasso(alpha=0.02, fit_intercept=fit_intercept, tol=1e-12, **params),
                sk.Lasso(alpha=0.02, fit_intercept=fit_intercept, tol=1e-14, max_iter=200_000, **params))
    if name == "ElasticNet":
        return (fastreg.ElasticNet(alpha=0.05, l1_ratio=0.4, fit_intercept=fit_intercept, tol=1e-12, **params),
                sk.ElasticNet(alpha=0.05, l1_ratio=0.4, fit_intercept=fit_intercept, tol=1e-14, max_iter=200_000,
                              **params))
    if name == "Ridge":
        return (fastreg.Ridge(alpha=2.0, fit_intercept=fit_intercept, **params),
                sk.Ridge(alpha=2.0, fit_intercept=fit_intercept, solver="svd", **params))
    return fastreg.LinearRegression(fit_intercept=fit_intercept), sk.LinearRegression(fit_intercept=fit_intercept)


@pytest.mark.parametrize("name", ["LinearRegression", "Ridge", "Lasso", "ElasticNet"])
@pytest.mark.parametrize("storage", SW_STORAGES)
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_weighted_fit_matches_sklearn(name, storage, fit_intercept):
    X, y, sw, X_new = make_weighted(seed=1)
    ours, ref = fit_pair(name, fit_intercept)
    ours.fit(STORAGES[storage](X), y, sample_weight=sw)
    ref.fit(X, y, sample_weight=sw)
    assert_allclose(ours.coef_, ref.coef_, rtol=1e-6, atol=1e-8)
    assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-6, atol=1e-8)
    assert_allclose(ours.predict(X_new), ref.predict(X_new), rtol=1e-6, atol=1e-7)
    assert isinstance(ours.intercept_, float)


@pytest.mark.parametrize("solver", ["cholesky", "cg", "lsqr"])
@pytest.mark.parametrize("storage", ["C", "csr_matrix"])
@pytest.mark.parametrize("shape", [(40, 8), (12, 30)], ids=["tall", "wide"])
def test_weighted_ridge_solvers(solver, storage, shape):
    X, y, sw, X_new = make_weighted(*shape, seed=2, density=0.6, offset=2.0)
    ours = fastreg.Ridge(alpha=0.5, solver=solver, tol=1e-12).fit(STORAGES[storage](X), y, sample_weight=sw)
    ref = sk.Ridge(alpha=0.5, solver="svd").fit(X, y, sample_weight=sw)
    assert_allclose(ours.coef_, ref.coef_, rtol=1e-6, atol=1e-9)
    assert_allclose(ours.predict(X_new), ref.predict(X_new), rtol=1e-7)


@pytest.mark.parametrize("name", ["LinearRegression", "Ridge", "Lasso", "ElasticNet"])
@pytest.mark.parametrize("storage", ["C", "csc_matrix"])
def test_integer_weights_are_repeated_rows_and_zero_weights_absent(name, storage):
    X, y, _, X_new = make_weighted(seed=3)
    counts = np.random.default_rng(3).integers(0, 4, size=len(y))
    counts[:3] = [0, 1, 3]
    repeated = np.repeat(np.arange(len(y)), counts)
    weighted, _ = fit_pair(name, True)
    plain, _ = fit_pair(name, True)
    weighted.fit(STORAGES[storage](X), y, sample_weight=counts)
    plain.fit(STORAGES[storage](X[repeated]), y[repeated])
    assert_allclose(weighted.coef_, plain.coef_, rtol=1e-7, atol=1e-9)
    assert_allclose(weighted.intercept_, plain.intercept_, rtol=1e-8)
    assert_allclose(weighted.predict(X_new), plain.predict(X_new), rtol=1e-8)


@pytest.mark.parametrize("name", ["Lasso", "ElasticNet"])
def test_enet_weights_are_scale_invariant(name):
    X, y, sw, _ = make_weighted(seed=4)
    a, _ = fit_pair(name, True)
    b, _ = fit_pair(name, True)
    a.fit(X, y, sample_weight=sw)
    b.fit(X, y, sample_weight=10.0 * sw)
    assert_allclose(a.coef_, b.coef_, rtol=1e-8, atol=1e-10)


def test_unit_weights_equal_no_weights():
    X, y, _, _ = make_weighted(seed=5)
    for est in (fastreg.Lasso(alpha=0.02), fastreg.Ridge(), fastreg.LinearRegression()):
        a = est.fit(X, y).coef_.copy()
        b = est.fit(X, y, sample_weight=np.ones(len(y))).coef_
        assert_allclose(a, b, rtol=1e-9, atol=1e-12)
        c = est.fit(X, y, sample_weight=2.5).coef_  # a scalar is uniform weights
        if isinstance(est, fastreg.Ridge):  # Σ 2.5·rᵢ² + α‖w‖²: the same as α/2.5, as scikit-learn
            ref = sk.Ridge().fit(X, y, sample_weight=2.5).coef_
            assert_allclose(c, ref, rtol=1e-9, atol=1e-12)
            assert_allclose(c, fastreg.Ridge(alpha=1.0 / 2.5).fit(X, y).coef_, rtol=1e-9, atol=1e-12)
            assert not np.allclose(a, c, rtol=1e-6)
        else:  # the normalized losses do not see the scale
            assert_allclose(a, c, rtol=1e-9, atol=1e-12)


def test_weighted_sparse_large_means_keeps_digits():
    X, y, sw, _ = make_weighted(80, 12, seed=6, density=0.3, offset=0.0)
    X[X != 0] += 100.0
    dense = fastreg.Lasso(alpha=0.01, tol=1e-14).fit(X, y, sample_weight=sw)
    sparse = fastreg.Lasso(alpha=0.01, tol=1e-14).fit(sp.csc_matrix(X), y, sample_weight=sw)
    assert_allclose(sparse.coef_, dense.coef_, rtol=1e-9, atol=1e-11)
    assert_allclose(sparse.intercept_, dense.intercept_, rtol=1e-10)


def test_weighted_float32_stays_float32():
    X, y, sw, _ = make_weighted(seed=7)
    X32 = X.astype(np.float32)
    for est in (fastreg.Lasso(alpha=0.02), fastreg.Ridge(), fastreg.LinearRegression()):
        for A in (X32, sp.csr_matrix(X32)):
            model = est.fit(A, y, sample_weight=sw)
            assert model.coef_.dtype == np.float32
            ref = sk.Ridge(alpha=1.0, solver="svd") if isinstance(est, fastreg.Ridge) else None
            if ref is not None:
                ref.fit(X32.astype(np.float64), y, sample_weight=sw)
                assert_allclose(model.coef_, ref.coef_, rtol=1e-4, atol=1e-5)


def test_inputs_not_modified_by_weighted_fits():
    X, y, sw, _ = make_weighted(seed=8)
    A = sp.csr_matrix(X)
    saved = (X.copy(), A.data.copy(), y.copy(), sw.copy())
    for est in (fastreg.Lasso(alpha=0.02), fastreg.Ridge(), fastreg.LinearRegression(), fastreg.RidgeCV(),
                fastreg.RidgeCV(cv=3), fastreg.LassoCV(alphas=5, cv=3), fastreg.ElasticNetCV(alphas=5, cv=3)):
        est.fit(X, y, sample_weight=sw)
        est.fit(A, y, sample_weight=sw)
    for a, b in zip(saved, (X, A.data, y, sw)):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("bad, pattern", [
    (-np.ones(50), "(?i)negative"),
    (np.zeros(50), "(?i)zero|positive"),
    (np.ones(49), "(?i)shape|samples"),
])
def test_bad_sample_weight(bad, pattern):
    X, y, _, _ = make_weighted(seed=9)
    for est in (fastreg.Lasso(), fastreg.Ridge(), fastreg.LinearRegression(), fastreg.RidgeCV(),
                fastreg.LassoCV(alphas=5, cv=3), fastreg.ElasticNetCV(alphas=5, cv=3)):
        with pytest.raises(ValueError, match=pattern):
            est.fit(X, y, sample_weight=bad)


def test_preprocess_matches_explicit_weighting():
    """The helper the CV estimators reuse: dense centered+scaled copy, sparse DX centered implicitly."""
    X, y, sw, _ = make_weighted(30, 6, seed=10)
    Xd, yd, x_off, y_off, d = preprocess(X, y, sw, fit_intercept=True)
    assert_allclose(x_off, np.average(X, axis=0, weights=sw))
    assert_allclose(y_off, np.average(y, weights=sw))
    assert_allclose(Xd, np.sqrt(sw)[:, None] * (X - x_off))
    assert_allclose(yd, np.sqrt(sw) * (y - y_off))
    assert Xd.flags.f_contiguous
    Xs, ys, x_off_s, _, d_s = preprocess(sp.csr_matrix(X), y, sw, fit_intercept=True)
    assert sp.issparse(Xs)
    assert_allclose(x_off_s, x_off)
    # implicit centering along d reproduces the dense copy
    assert_allclose(Xs.toarray() - np.outer(d_s, x_off_s), Xd, atol=1e-12)
    assert_allclose(scale_rows_sparse(sp.csc_matrix(X), d, "csc").toarray(), d[:, None] * X)
    x0, y0 = weighted_offsets(X, y, sw, False)
    assert not np.any(x0) and y0 == 0.0
