"""``standardize=True`` (glmnet's default): the penalty of the columns scaled to unit spread.

The reference is the definition itself: scale the columns by their (weighted, 1/n) standard
deviations, fit without ``standardize`` (scikit-learn, tight), divide the coefficients by the
scales. Bounds stay on the original scale (glmnet's ``lower.limits`` do), so the scaled
problem's bounds are ``σ·bound``.
"""

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn import linear_model as sk

import fastreg
from fastreg._standardize import feature_scales


def make_data(n=60, p=9, seed=0, density=None):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) * rng.uniform(0.05, 20.0, p) + rng.uniform(-5.0, 5.0, p)
    if density is not None:
        X *= rng.random((n, p)) < density
    X[:, 4] = 2.5  # a constant column
    y = X[:, 0] * 0.3 - X[:, 1] * 0.1 + 2.0 * X[:, 2] / X[:, 2].std() + rng.standard_normal(n)
    return X, y


def reference_scales(X, w=None):
    X = X.toarray() if sp.issparse(X) else np.asarray(X, dtype=np.float64)
    w = np.ones(X.shape[0]) if w is None else w
    mean = w @ X / w.sum()
    sigma = np.sqrt(w @ (X - mean) ** 2 / w.sum())
    sigma[np.ptp(X, axis=0) == 0] = 0.0
    return sigma


def rescaled_fit(X, y, alpha, l1_ratio, w=None, fit_intercept=True):
    """scikit-learn's ElasticNet on X/σ (constant columns dropped), coefficients divided by σ."""
    sigma = reference_scales(X, w)
    keep = sigma > 0
    Xd = X.toarray() if sp.issparse(X) else X
    model = sk.ElasticNet(alpha=alpha, l1_ratio=l1_ratio, fit_intercept=fit_intercept, tol=1e-14,
                          max_iter=1_000_000).fit(Xd[:, keep] / sigma[keep], y, sample_weight=w)
    coef = np.zeros(X.shape[1])
    coef[keep] = model.coef_ / sigma[keep]
    return coef, model.intercept_


@pytest.mark.parametrize("kind", ["C", "F", "csr", "csc", "float32"])
@pytest.mark.parametrize("weighted", [False, True])
def test_feature_scales_are_the_weighted_standard_deviations(kind, weighted):
    X, _ = make_data(density=0.4 if kind in ("csr", "csc") else None)
    X[:, 5] = 0.1  # constant, with rounding noise once centered
    w = np.random.default_rng(1).uniform(0.0, 3.0, X.shape[0]) if weighted else None
    A = {"C": np.ascontiguousarray, "F": np.asfortranarray, "csr": sp.csr_matrix, "csc": sp.csc_array,
         "float32": lambda a: a.astype(np.float32)}[kind](X)
    before = A.copy()
    sigma = feature_scales(A, w)
    ref = reference_scales(A, w)
    assert_allclose(sigma, ref, rtol=1e-5 if kind == "float32" else 1e-12)
    assert sigma[4] == 0.0 and sigma[5] == 0.0  # exactly, not rounding noise
    assert_array_equal(A.toarray() if sp.issparse(A) else A, before.toarray() if sp.issparse(before) else before)


@pytest.mark.parametrize("storage", ["dense", "csr"])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.6])
@pytest.mark.parametrize("weighted", [False, True])
def test_standardized_fit_is_the_rescaled_columns_fit(storage, l1_ratio, weighted):
    X, y = make_data(seed=2, density=0.6 if storage == "csr" else None)
    w = np.random.default_rng(3).uniform(0.2, 3.0, X.shape[0]) if weighted else None
    A = sp.csr_matrix(X) if storage == "csr" else X
    alpha = 0.05
    model = fastreg.ElasticNet(alpha=alpha, l1_ratio=l1_ratio, standardize=True, tol=1e-13,
                               max_iter=100_000).fit(A, y, sample_weight=w)
    coef, intercept = rescaled_fit(X, y, alpha, l1_ratio, w)
    assert np.count_nonzero(coef) >= 3  # a real test: several features in, some out
    assert_allclose(model.coef_, coef, rtol=1e-7, atol=1e-9 * np.abs(coef).max())
    assert model.intercept_ == pytest.approx(intercept, rel=1e-8)
    assert model.coef_[4] == 0.0  # the constant column: exactly zero


def test_standardize_without_intercept_and_lasso_class():
    X, y = make_data(seed=4)
    model = fastreg.Lasso(alpha=0.1, standardize=True, fit_intercept=False, tol=1e-13).fit(X, y)
    coef, _ = rescaled_fit(X, y, 0.1, 1.0, fit_intercept=False)  # glmnet's scales are centered here too
    assert_allclose(model.coef_, coef, rtol=1e-7, atol=1e-10)
    assert model.coef_[4] == 0.0


def test_bounds_stay_on_the_original_scale():
    """glmnet's lower.limits/upper.limits bound the returned (original-scale) coefficients."""
    X, y = make_data(seed=5)
    plain = fastreg.Lasso(alpha=0.02, standardize=True, tol=1e-13).fit(X, y).coef_
    upper = np.where(plain > 0, 0.5 * plain, np.inf)
    lower = np.where(plain < 0, 0.5 * plain, -np.inf)
    model = fastreg.Lasso(alpha=0.02, standardize=True, lower_bounds=lower, upper_bounds=upper, tol=1e-13,
                          max_iter=100_000).fit(X, y)
    assert np.all(model.coef_ <= upper) and np.all(model.coef_ >= lower)
    assert np.any(model.coef_ == upper) and np.any(model.coef_ == lower)  # they bind
    # the same problem written on the scaled columns: bounds σ·bound, no standardize
    sigma = reference_scales(X)
    keep = sigma > 0
    scaled = fastreg.Lasso(alpha=0.02, lower_bounds=lower[keep] * sigma[keep], upper_bounds=upper[keep] * sigma[keep],
                           tol=1e-13, max_iter=100_000).fit(X[:, keep] / sigma[keep], y)
    assert_allclose(model.coef_[keep], scaled.coef_ / sigma[keep], rtol=1e-7, atol=1e-10)


def test_factors_multiply_the_scales():
    X, y = make_data(seed=6)
    f = np.array([0.0, 2.0, 1.0, 0.5, 1.0, 1.0, np.inf, 3.0, 1.0])
    model = fastreg.Lasso(alpha=0.05, standardize=True, penalty_factor=f, tol=1e-13, max_iter=100_000).fit(X, y)
    sigma = reference_scales(X)
    # a factor fⱼ on the scaled column is a factor fⱼσⱼ on the original one: no standardize, factors f·σ
    manual = fastreg.Lasso(alpha=0.05, penalty_factor=np.where(sigma > 0, f * sigma, np.inf), tol=1e-13,
                           max_iter=100_000, solver="cd").fit(X, y)
    assert_allclose(model.coef_, manual.coef_, rtol=1e-7, atol=1e-10)
    assert model.coef_[6] == 0.0


@pytest.mark.parametrize("storage", ["dense", "csr"])
def test_paths_standardize(storage):
    X, y = make_data(seed=7, density=0.7 if storage == "csr" else None)
    A = sp.csr_matrix(X) if storage == "csr" else X
    path = fastreg.fit_path(A, y, alphas=8, eps=1e-2, standardize=True, tol=1e-12)
    sigma = reference_scales(X)
    keep = sigma > 0
    Xs = X[:, keep] / sigma[keep]
    # the grid's αmax is glmnet's λmax: max|x̃ⱼᵀ(y − ȳ)|/n on the scaled columns
    assert path.alphas[0] == pytest.approx(np.abs((Xs - Xs.mean(0)).T @ (y - y.mean())).max() / len(y), rel=1e-12)
    for k in (2, 5, 7):
        coef, intercept = rescaled_fit(X, y, path.alphas[k], 1.0)
        assert_allclose(path.coefs[:, k], coef, rtol=1e-6, atol=1e-9)
        assert path.intercepts[k] == pytest.approx(intercept, rel=1e-8)
    # scikit-learn's lasso_path (no intercept): centered data, the scales are the same
    Xc, yc = X - X.mean(0), y - y.mean()
    alphas, coefs, _ = fastreg.lasso_path(Xc, yc, alphas=path.alphas, standardize=True, tol=1e-12)
    assert_allclose(coefs, path.coefs, rtol=1e-6, atol=1e-9)
    _, coefs_enet, _ = fastreg.enet_path(Xc, yc, l1_ratio=0.5, alphas=path.alphas[2:4], standardize=True, tol=1e-12)
    for j, a in enumerate(path.alphas[2:4]):
        assert_allclose(coefs_enet[:, j], rescaled_fit(Xc, yc, a, 0.5, fit_intercept=False)[0], rtol=1e-6,
                        atol=1e-9)


def test_standardize_bad_values_and_multitask():
    X, y = make_data()
    with pytest.raises(TypeError, match="standardize"):
        fastreg.Lasso(standardize="yes").fit(X, y)
    with pytest.raises(TypeError, match="standardize"):
        fastreg.fit_path(X, y, standardize=1)
    with pytest.raises(ValueError, match="standardize"):
        fastreg.lasso_path(X, np.c_[y, y], standardize=True)
    X_bad = X.copy()
    X_bad[3, 2] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        fastreg.Lasso(standardize=True).fit(X_bad, y)


def test_standardize_changes_nothing_without_penalty():
    X, y = make_data(seed=8)
    assert_allclose(fastreg.ElasticNet(alpha=0.0, standardize=True).fit(X, y).coef_,
                    fastreg.ElasticNet(alpha=0.0).fit(X, y).coef_)
