"""sample_weight in LassoCV and ElasticNetCV against scikit-learn, and its properties."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose
from sklearn import linear_model as sk
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import KFold

import fastreg

from helpers import STORAGES

def weighted_data(n, p, seed, density=None, k=None, offset=1.5):
    """Regression data with a sparse truth, an intercept, and weights in [0, 3) with three zeros."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) + offset
    if density is not None:
        X *= rng.random((n, p)) < density
    shape = (p,) if k is None else (p, k)
    W = rng.standard_normal(shape) * (rng.random(shape) < 0.4)
    y = X @ W + 3.0 + rng.standard_normal((n,) if k is None else (n, k))
    sw = rng.random(n) * 3
    sw[[1, 5, 8]] = 0.0
    return X, y, sw


def quiet_fit(est, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(*args, **kwargs)


# ----------------------------------------------------------- LassoCV, ElasticNetCV


@pytest.mark.parametrize("storage", ["C", "F", "csr_matrix"])
@pytest.mark.parametrize("precompute", ["auto", False], ids=["gram", "residual"])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_lasso_cv_weighted_matches_sklearn(storage, precompute, fit_intercept):
    X, y, sw = weighted_data(60, 10, seed=7, density=0.5 if storage == "csr_matrix" else None)
    Xs = STORAGES[storage](X)
    ours = fastreg.LassoCV(alphas=12, cv=4, tol=1e-10, precompute=precompute, fit_intercept=fit_intercept)
    ours.fit(Xs, y, sample_weight=sw)
    ref = quiet_fit(sk.LassoCV(alphas=12, cv=4, tol=1e-12, max_iter=100_000, fit_intercept=fit_intercept),
                    Xs, y, sample_weight=sw)
    assert_allclose(ours.alphas_, ref.alphas_, rtol=1e-12)  # αmax with weights
    assert ours.alpha_ == pytest.approx(ref.alpha_, rel=1e-12)
    assert_allclose(ours.mse_path_, ref.mse_path_, rtol=1e-8)
    assert_allclose(ours.coef_, ref.coef_, atol=1e-8 * np.abs(ref.coef_).max())
    assert ours.intercept_ == pytest.approx(ref.intercept_, abs=1e-8 * max(1.0, abs(ref.intercept_)))


def test_lasso_cv_weighted_wide_matches_sklearn():
    X, y, sw = weighted_data(30, 45, seed=8)
    ours = fastreg.LassoCV(alphas=10, cv=3, tol=1e-12, max_iter=100_000).fit(X, y, sample_weight=sw)
    ref = quiet_fit(sk.LassoCV(alphas=10, cv=3, tol=1e-12, max_iter=100_000), X, y, sample_weight=sw)
    assert_allclose(ours.alphas_, ref.alphas_, rtol=1e-12)
    assert ours.alpha_ == pytest.approx(ref.alpha_, rel=1e-12)
    assert_allclose(ours.mse_path_, ref.mse_path_, rtol=1e-6)
    assert_allclose(ours.coef_, ref.coef_, atol=1e-7 * np.abs(ref.coef_).max())


def test_elasticnet_cv_weighted_matches_sklearn():
    X, y, sw = weighted_data(70, 12, seed=9)
    ratios = [0.3, 0.8]
    ours = fastreg.ElasticNetCV(l1_ratio=ratios, alphas=10, cv=3, tol=1e-10).fit(X, y, sample_weight=sw)
    ref = quiet_fit(sk.ElasticNetCV(l1_ratio=ratios, alphas=10, cv=3, tol=1e-12, max_iter=100_000),
                    X, y, sample_weight=sw)
    assert_allclose(ours.alphas_, ref.alphas_, rtol=1e-12)
    assert ours.l1_ratio_ == ref.l1_ratio_
    assert ours.alpha_ == pytest.approx(ref.alpha_, rel=1e-12)
    assert_allclose(ours.mse_path_, ref.mse_path_, rtol=1e-8)
    assert_allclose(ours.coef_, ref.coef_, atol=1e-8 * np.abs(ref.coef_).max())
    assert ours.dual_gap_ >= 0 and ours.n_iter_ >= 1


@pytest.mark.parametrize("precompute", ["auto", False], ids=["gram", "residual"])
def test_lasso_cv_weight_properties(precompute):
    X, y, sw = weighted_data(45, 8, seed=10)
    cv = KFold(3, shuffle=True, random_state=0)
    fit = lambda *a, **kw: fastreg.LassoCV(alphas=8, cv=cv, tol=1e-12, precompute=precompute).fit(*a, **kw)  # noqa: E731
    base = fit(X, y, sample_weight=sw)
    # invariant to the scale of the weights; equal weights (or a scalar) ≡ unweighted
    scaled = fit(X, y, sample_weight=7.0 * sw)
    assert_allclose(scaled.alphas_, base.alphas_, rtol=1e-13)
    assert_allclose(scaled.mse_path_, base.mse_path_, rtol=1e-9)
    assert_allclose(scaled.coef_, base.coef_, rtol=1e-8, atol=1e-10)
    plain = fit(X, y)
    for same in (fit(X, y, sample_weight=np.full(len(y), 3.0)), fit(X, y, sample_weight=3.0)):
        assert_allclose(same.mse_path_, plain.mse_path_, rtol=1e-9)
        assert same.alpha_ == pytest.approx(plain.alpha_, rel=1e-13)
        assert_allclose(same.coef_, plain.coef_, rtol=1e-8, atol=1e-10)


def test_lasso_cv_integer_and_zero_weights_are_repeated_and_absent_rows():
    """With folds that hold the same rows (scikit-learn's check does the same), weights ≡ repetitions."""
    X, y, _ = weighted_data(30, 6, seed=11)
    counts = np.random.default_rng(11).integers(0, 4, size=len(y))
    counts[:3] = [0, 2, 3]
    repeated = np.repeat(np.arange(len(y)), counts)
    groups = np.arange(len(y)) % 3
    folds_w = [(np.flatnonzero(groups != g), np.flatnonzero(groups == g)) for g in range(3)]
    folds_r = [(np.flatnonzero(groups[repeated] != g), np.flatnonzero(groups[repeated] == g)) for g in range(3)]
    weighted = fastreg.ElasticNetCV(l1_ratio=0.7, alphas=8, cv=folds_w, tol=1e-12).fit(X, y, sample_weight=counts)
    copies = fastreg.ElasticNetCV(l1_ratio=0.7, alphas=8, cv=folds_r, tol=1e-12).fit(X[repeated], y[repeated])
    assert_allclose(weighted.alphas_, copies.alphas_, rtol=1e-12)
    assert_allclose(weighted.mse_path_, copies.mse_path_, rtol=1e-8)
    assert weighted.alpha_ == pytest.approx(copies.alpha_, rel=1e-12)
    assert_allclose(weighted.coef_, copies.coef_, rtol=1e-7, atol=1e-9)
    assert weighted.intercept_ == pytest.approx(copies.intercept_, rel=1e-8)


# ------------------------------------------------------------------ bad weights


CV_ESTIMATORS = {
    "LassoCV": lambda: fastreg.LassoCV(alphas=5, cv=3),
    "ElasticNetCV": lambda: fastreg.ElasticNetCV(alphas=5, cv=3),
}


@pytest.mark.parametrize("name", sorted(CV_ESTIMATORS))
@pytest.mark.parametrize("bad, pattern", [
    (-np.ones(30), "(?i)negative"),
    (np.zeros(30), "(?i)zero|positive"),
    (np.ones(29), "(?i)shape|samples"),
    (np.r_[np.ones(29), np.nan], "(?i)nan|finite"),
    (np.ones((30, 2)), "(?i)1D|shape"),
    (np.nan, "(?i)finite"),
    (-2.0, "(?i)positive"),
])
def test_cv_bad_sample_weight(name, bad, pattern):
    X, y, _ = weighted_data(30, 5, seed=12)
    with pytest.raises(ValueError, match=pattern):
        CV_ESTIMATORS[name]().fit(X, y, sample_weight=bad)


@pytest.mark.parametrize("name", sorted(CV_ESTIMATORS))
def test_cv_fold_without_weight_is_a_clear_error(name):
    X, y, _ = weighted_data(30, 5, seed=13)
    sw = np.ones(30)
    sw[:10] = 0.0  # KFold(3): the first fold's test rows
    with pytest.raises(ValueError, match="test rows of fold 0 all have weight zero"):
        CV_ESTIMATORS[name]().fit(X, y, sample_weight=sw)


def test_cv_weighted_fits_leave_inputs_untouched():
    X, y, sw = weighted_data(30, 5, seed=14, density=0.6)
    A = sp.csr_matrix(X)
    F = np.asfortranarray(X)
    saved = (X.copy(), F.copy(), A.data.copy(), A.indices.copy(), y.copy(), sw.copy())
    for make in CV_ESTIMATORS.values():
        for data in (X, F, A):
            make().fit(data, y, sample_weight=sw)
            make().fit(data, np.c_[y, 2 * y], sample_weight=sw)
    for before, after in zip(saved, (X, F, A.data, A.indices, y, sw)):
        np.testing.assert_array_equal(before, after)
