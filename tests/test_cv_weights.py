"""sample_weight in RidgeCV, LassoCV and ElasticNetCV against scikit-learn, and its properties."""

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

RIDGE_ALPHAS = np.logspace(-2, 3, 11)


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


def assert_ridge_cv_equal(ours, ref, rtol=1e-8):
    assert_allclose(ours.alpha_, ref.alpha_, rtol=1e-15)
    assert np.shape(ours.alpha_) == np.shape(ref.alpha_)
    assert np.shape(ours.best_score_) == np.shape(ref.best_score_)
    assert_allclose(ours.best_score_, ref.best_score_, rtol=rtol)
    assert ours.coef_.shape == ref.coef_.shape
    assert_allclose(ours.coef_, ref.coef_, rtol=rtol, atol=rtol * np.abs(ref.coef_).max())
    assert_allclose(ours.intercept_, ref.intercept_, rtol=rtol, atol=rtol)


# ------------------------------------------------------------------------ RidgeCV


@pytest.mark.parametrize("storage", ["C", "F", "csr_matrix"])
@pytest.mark.parametrize("shape", [(50, 12), (18, 40)], ids=["n>p", "n<p"])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_ridge_cv_loo_weighted_matches_sklearn(storage, shape, fit_intercept):
    X, y, sw = weighted_data(*shape, seed=1, density=0.5 if storage == "csr_matrix" else None)
    ref = sk.RidgeCV(alphas=RIDGE_ALPHAS, fit_intercept=fit_intercept).fit(STORAGES[storage](X), y, sample_weight=sw)
    ours = fastreg.RidgeCV(alphas=RIDGE_ALPHAS, fit_intercept=fit_intercept).fit(
        STORAGES[storage](X), y, sample_weight=sw
    )
    assert_ridge_cv_equal(ours, ref)
    assert isinstance(ours.alpha_, float) and isinstance(ours.intercept_, float)


@pytest.mark.parametrize("mode", ["cov", "gram"])
@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "csr"])
def test_ridge_cv_weighted_loo_is_leave_one_out(mode, sparse):
    """The score is the mean of sᵢ·eᵢ² over all n rows, eᵢ the error of Ridge refitted without row i."""
    X, y, sw = weighted_data(16, 6, seed=2, density=0.6 if sparse else None)
    Xs = sp.csr_matrix(X) if sparse else X
    alpha = 0.7
    errors = np.zeros(len(y))
    for i in range(len(y)):
        keep = np.arange(len(y)) != i
        model = fastreg.Ridge(alpha=alpha).fit(X[keep], y[keep], sample_weight=sw[keep])
        errors[i] = y[i] - model.predict(X[i : i + 1])[0]
    ours = fastreg.RidgeCV(alphas=[alpha], gcv_mode=mode).fit(Xs, y, sample_weight=sw)
    assert ours.best_score_ == pytest.approx(-np.mean(sw * errors**2), rel=1e-10)


def test_ridge_cv_weight_properties():
    X, y, sw = weighted_data(40, 8, seed=3)
    base = fastreg.RidgeCV(alphas=RIDGE_ALPHAS).fit(X, y, sample_weight=sw)
    # zero weight ≡ row absent (the score is a mean over all n rows, the absent ones adding 0)
    keep = sw > 0
    absent = fastreg.RidgeCV(alphas=RIDGE_ALPHAS).fit(X[keep], y[keep], sample_weight=sw[keep])
    assert absent.alpha_ == base.alpha_
    assert_allclose(absent.coef_, base.coef_, rtol=1e-10)
    assert base.best_score_ == pytest.approx(absent.best_score_ * keep.sum() / len(y), rel=1e-10)
    # weights c·s select as s with α/c (Ridge's loss is Σ sᵢrᵢ² + α‖w‖²); the score scales by c
    scaled = fastreg.RidgeCV(alphas=RIDGE_ALPHAS * 4.0).fit(X, y, sample_weight=4.0 * sw)
    assert scaled.alpha_ == pytest.approx(4.0 * base.alpha_, rel=1e-15)
    assert_allclose(scaled.coef_, base.coef_, rtol=1e-10)
    assert scaled.best_score_ == pytest.approx(4.0 * base.best_score_, rel=1e-10)
    # weights all equal to 1 ≡ unweighted; a scalar is that weight for every row, as in scikit-learn
    unweighted = fastreg.RidgeCV(alphas=RIDGE_ALPHAS).fit(X, y)
    ones = fastreg.RidgeCV(alphas=RIDGE_ALPHAS).fit(X, y, sample_weight=np.ones(len(y)))
    assert ones.alpha_ == unweighted.alpha_ and ones.best_score_ == pytest.approx(unweighted.best_score_, rel=1e-12)
    scalar = fastreg.RidgeCV(alphas=RIDGE_ALPHAS).fit(X, y, sample_weight=2.5)
    full = fastreg.RidgeCV(alphas=RIDGE_ALPHAS).fit(X, y, sample_weight=np.full(len(y), 2.5))
    ref = sk.RidgeCV(alphas=RIDGE_ALPHAS).fit(X, y, sample_weight=2.5)
    assert scalar.alpha_ == full.alpha_ == ref.alpha_
    assert scalar.best_score_ == pytest.approx(ref.best_score_, rel=1e-10)


def test_ridge_cv_integer_weights_refit_is_repeated_rows():
    """LOO with weights is not LOO on repeated rows (scikit-learn's semantics), but the fit at α is."""
    X, y, _ = weighted_data(30, 6, seed=4)
    counts = np.random.default_rng(4).integers(0, 4, size=len(y))
    ours = fastreg.RidgeCV(alphas=[2.0]).fit(X, y, sample_weight=counts)
    repeated = fastreg.Ridge(alpha=2.0).fit(np.repeat(X, counts, axis=0), np.repeat(y, counts))
    assert_allclose(ours.coef_, repeated.coef_, rtol=1e-10)
    assert ours.intercept_ == pytest.approx(repeated.intercept_, rel=1e-10)


@pytest.mark.parametrize("shape", [(48, 10), (24, 40)], ids=["n>p", "n<p"])
def test_ridge_cv_kfold_weighted_matches_sklearn(shape):
    """cv=k: weighted fits on the training rows, weighted R² on the test rows (scikit-learn 1.9)."""
    X, y, sw = weighted_data(*shape, seed=5)
    ref = sk.RidgeCV(alphas=RIDGE_ALPHAS, cv=4).fit(X, y, sample_weight=sw)
    ours = fastreg.RidgeCV(alphas=RIDGE_ALPHAS, cv=4).fit(X, y, sample_weight=sw)
    assert ours.alpha_ == ref.alpha_
    assert ours.best_score_ == pytest.approx(ref.best_score_, rel=1e-8)
    assert_allclose(ours.coef_, ref.coef_, rtol=1e-7, atol=1e-9 * np.abs(ref.coef_).max())
    sparse = fastreg.RidgeCV(alphas=RIDGE_ALPHAS, cv=4).fit(sp.csr_matrix(X), y, sample_weight=sw)
    assert sparse.alpha_ == ours.alpha_
    assert sparse.best_score_ == pytest.approx(ours.best_score_, rel=1e-8)


def test_ridge_cv_kfold_zero_weights_are_absent_rows():
    X, y, sw = weighted_data(36, 6, seed=6)
    keep = np.flatnonzero(sw > 0)
    splits = list(KFold(3).split(keep))  # folds of the kept rows, as indices into all rows and into the kept
    ours = fastreg.RidgeCV(alphas=RIDGE_ALPHAS, cv=[(keep[tr], np.r_[keep[te], 1, 5, 8]) for tr, te in splits])
    absent = fastreg.RidgeCV(alphas=RIDGE_ALPHAS, cv=splits)
    ours.fit(X, y, sample_weight=sw)
    absent.fit(X[keep], y[keep], sample_weight=sw[keep])
    assert ours.alpha_ == absent.alpha_
    assert ours.best_score_ == pytest.approx(absent.best_score_, rel=1e-10)
    assert_allclose(ours.coef_, absent.coef_, rtol=1e-9)


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
    "RidgeCV": lambda: fastreg.RidgeCV(),
    "RidgeCV-cv3": lambda: fastreg.RidgeCV(cv=3),
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


@pytest.mark.parametrize("name", sorted(set(CV_ESTIMATORS) - {"RidgeCV"}))
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
