"""Multi-target y (n_samples, n_targets) against scikit-learn, dense and sparse."""

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose
from sklearn import linear_model as sk

import fastreg

from helpers import STORAGES


def make_multi(n=50, p=10, k=3, seed=0, density=0.6):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n + 15, p)) * (rng.random((n + 15, p)) < density) + 0.5
    W = rng.standard_normal((p, k)) * (rng.random((p, k)) < 0.5)
    Y = X @ W + np.arange(1.0, k + 1) + 0.2 * rng.standard_normal((n + 15, k))
    return X[:n], Y[:n], X[n:]


PAIRS = {
    "LinearRegression": lambda **kw: (fastreg.LinearRegression(**kw), sk.LinearRegression(**kw)),
    "Ridge": lambda **kw: (fastreg.Ridge(alpha=1.5, **kw), sk.Ridge(alpha=1.5, solver="svd", **kw)),
    "Lasso": lambda **kw: (fastreg.Lasso(alpha=0.03, tol=1e-12, **kw),
                           sk.Lasso(alpha=0.03, tol=1e-14, max_iter=200_000, **kw)),
    "ElasticNet": lambda **kw: (fastreg.ElasticNet(alpha=0.05, l1_ratio=0.3, tol=1e-12, **kw),
                                sk.ElasticNet(alpha=0.05, l1_ratio=0.3, tol=1e-14, max_iter=200_000, **kw)),
}


@pytest.mark.parametrize("name", sorted(PAIRS))
@pytest.mark.parametrize("storage", ["C", "F", "csr_matrix", "csc_matrix"])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_multitarget_matches_sklearn(name, storage, fit_intercept):
    X, Y, X_new = make_multi(seed=1)
    ours, ref = PAIRS[name](fit_intercept=fit_intercept)
    ours.fit(STORAGES[storage](X), Y)
    ref.fit(X, Y)
    assert ours.coef_.shape == (3, X.shape[1])
    assert np.shape(ours.intercept_) == np.shape(ref.intercept_)  # (3,), or scikit-learn's scalar 0.0
    if not fit_intercept:
        assert ours.intercept_ == 0.0 and isinstance(ours.intercept_, float)
    assert_allclose(ours.coef_, ref.coef_, rtol=1e-6, atol=1e-8)
    assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-6, atol=1e-8)
    pred = ours.predict(STORAGES[storage](X_new))
    assert pred.shape == (len(X_new), 3)
    assert_allclose(pred, ref.predict(X_new), rtol=1e-6, atol=1e-7)
    assert ours.score(X_new, ref.predict(X_new)) == pytest.approx(1.0, abs=1e-8)


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_each_target_equals_its_single_target_fit(name):
    X, Y, _ = make_multi(seed=2)
    multi, _ = PAIRS[name]()
    multi.fit(X, Y)
    for j in range(Y.shape[1]):
        single, _ = PAIRS[name]()
        single.fit(X, Y[:, j])
        assert single.coef_.ndim == 1 and isinstance(single.intercept_, float)
        assert_allclose(multi.coef_[j], single.coef_, rtol=1e-9, atol=1e-12)
        assert_allclose(multi.intercept_[j], single.intercept_, rtol=1e-9, atol=1e-12)


def test_enet_multitarget_attributes():
    X, Y, _ = make_multi(seed=3)
    model = fastreg.Lasso(alpha=0.03).fit(X, Y)
    ref = sk.Lasso(alpha=0.03, tol=1e-12, max_iter=100_000).fit(X, Y)
    assert model.dual_gap_.shape == ref.dual_gap_.shape == (3,)
    assert isinstance(model.n_iter_, list) and len(model.n_iter_) == 3
    assert all(it >= 1 for it in model.n_iter_)
    # one-column y: scikit-learn's shapes (Ridge, Lasso, ElasticNet ravel coef_; LinearRegression does not)
    for name in sorted(PAIRS):
        ours, ref = PAIRS[name]()
        ours.fit(X, Y[:, :1])
        ref.fit(X, Y[:, :1])
        assert ours.coef_.shape == ref.coef_.shape
        assert np.shape(ours.intercept_) == np.shape(ref.intercept_) == (1,)
        assert ours.predict(X).shape == ref.predict(X).shape
        assert_allclose(ours.predict(X), ref.predict(X), rtol=1e-6)
        if hasattr(ref, "dual_gap_"):
            assert np.shape(ours.dual_gap_) == np.shape(ref.dual_gap_) == ()
            assert isinstance(ours.n_iter_, int)
            ours.set_params(warm_start=True).fit(X, Y[:, :1])  # warm start from the ravelled coef_
            assert_allclose(ours.coef_, ref.coef_, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("storage", ["C", "csr_matrix"])
def test_multitarget_with_weights_matches_sklearn(storage):
    X, Y, X_new = make_multi(seed=4)
    sw = np.random.default_rng(4).random(len(Y)) * 2
    for name in ("Ridge", "Lasso", "LinearRegression"):
        ours, ref = PAIRS[name]()
        ours.fit(STORAGES[storage](X), Y, sample_weight=sw)
        ref.fit(X, Y, sample_weight=sw)
        assert_allclose(ours.predict(X_new), ref.predict(X_new), rtol=1e-6, atol=1e-7)


def test_multitarget_float32_and_ridge_solvers():
    X, Y, X_new = make_multi(seed=5)
    model = fastreg.Ridge(alpha=1.0).fit(X.astype(np.float32), Y)
    assert model.coef_.dtype == np.float32 and model.coef_.shape == (3, X.shape[1])
    ref = sk.Ridge(alpha=1.0, solver="svd").fit(X, Y)
    for solver in ("cholesky", "cg", "lsqr"):
        for A in (X, sp.csr_matrix(X)):
            fit = fastreg.Ridge(alpha=1.0, solver=solver, tol=1e-12).fit(A, Y)
            assert_allclose(fit.coef_, ref.coef_, rtol=1e-7, atol=1e-9)


def test_multitarget_warm_start_and_positive():
    X, Y, X_new = make_multi(seed=6)
    warm = fastreg.ElasticNet(alpha=0.05, warm_start=True).fit(X, Y)
    first = list(warm.n_iter_)
    warm.fit(X, Y)
    assert sum(warm.n_iter_) < sum(first)
    for name in ("Lasso", "Ridge", "LinearRegression"):
        ours, ref = PAIRS[name](positive=True)
        if name == "Ridge":
            ref.set_params(solver="lbfgs", tol=1e-12, max_iter=100_000)
        ours.fit(X, Y)
        ref.fit(X, Y)
        assert np.all(ours.coef_ >= 0)
        assert_allclose(ours.predict(X_new), ref.predict(X_new), rtol=1e-5, atol=1e-5)
