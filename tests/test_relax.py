"""The relaxed lasso (glmnet's ``relax=TRUE``): ``γ·lasso + (1 − γ)·least squares on its support``.

References: ``np.linalg.lstsq`` on ``[1, X_S]`` (rows scaled by ``√w`` when weighted) for the
least-squares part, ``scipy.optimize.lsq_linear`` with bounds when the bounds bind. As glmnet's
``blend.relaxed``, γ = 0 is taken as 1e-5 (``G`` below).
"""

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose
from scipy.optimize import lsq_linear

import fastreg
from fastreg._relax import relaxed_path


def G(gamma):
    return max(gamma, 1e-5)


def make_data(n=50, p=15, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) * rng.uniform(0.5, 3.0, p) + 1.0
    X[:, 1:] += 0.4 * X[:, :-1]
    y = 2.0 * X[:, 0] - X[:, 3] + 0.5 * X[:, 7] + rng.standard_normal(n) + 4.0
    return X, y


def ols_on(X, y, support, w=None, lower=None, upper=None):
    """Least squares of y on [1, X_S] (weighted), optionally within bounds on X_S's coefficients."""
    X = X.toarray() if sp.issparse(X) else X
    w = np.ones(len(y)) if w is None else w
    A = np.c_[np.ones(len(y)), X[:, support]] * np.sqrt(w)[:, None]
    b = y * np.sqrt(w)
    if lower is None:
        sol = np.linalg.lstsq(A, b, rcond=None)[0]
    else:
        lo = np.r_[-np.inf, lower[support]]
        hi = np.r_[np.inf, upper[support]]
        sol = lsq_linear(A, b, bounds=(lo, hi), method="bvls", tol=1e-15).x
    coef = np.zeros(X.shape[1])
    coef[support] = sol[1:]
    return coef, sol[0]


@pytest.mark.parametrize("storage", ["dense", "csr"])
@pytest.mark.parametrize("gamma", [0.0, 0.5])
@pytest.mark.parametrize("weighted", [False, True])
def test_relaxed_lasso_blends_with_least_squares_on_the_support(storage, gamma, weighted):
    X, y = make_data()
    w = np.random.default_rng(1).uniform(0.2, 3.0, len(y)) if weighted else None
    A = sp.csr_matrix(X) if storage == "csr" else X
    lasso = fastreg.Lasso(alpha=0.3, tol=1e-13).fit(A, y, sample_weight=w)
    support = np.flatnonzero(lasso.coef_)
    assert 2 <= support.size < X.shape[1]
    relaxed = fastreg.Lasso(alpha=0.3, relax=gamma, tol=1e-13).fit(A, y, sample_weight=w)
    ols, ols_b = ols_on(X, y, support, w)
    g = G(gamma)
    assert_allclose(relaxed.coef_, g * lasso.coef_ + (1 - g) * ols, rtol=1e-9, atol=1e-11)
    assert relaxed.intercept_ == pytest.approx(g * lasso.intercept_ + (1 - g) * ols_b, rel=1e-9)
    assert relaxed.dual_gap_ == lasso.dual_gap_  # the penalized fit's


def test_relaxed_elasticnet_bounds_and_targets():
    X, y = make_data(seed=2)
    upper = np.full(X.shape[1], np.inf)
    upper[0] = 0.5  # binds for the least-squares fit (its coefficient is about 2)
    lower = np.full(X.shape[1], -np.inf)
    model = fastreg.ElasticNet(alpha=0.2, l1_ratio=0.7, relax=0.0, upper_bounds=upper, tol=1e-13).fit(X, y)
    pen = fastreg.ElasticNet(alpha=0.2, l1_ratio=0.7, upper_bounds=upper, tol=1e-13).fit(X, y)
    support = np.flatnonzero(pen.coef_)
    ols, ols_b = ols_on(X, y, support, lower=lower, upper=upper)
    assert ols[0] == 0.5
    g = G(0.0)
    assert_allclose(model.coef_, g * pen.coef_ + (1 - g) * ols, rtol=1e-8, atol=1e-10)
    assert model.intercept_ == pytest.approx(g * pen.intercept_ + (1 - g) * ols_b, rel=1e-8)
    # 2-D y: each target relaxed on its own support
    Y = np.c_[y, X[:, 5] - X[:, 2] + 0.1 * y]
    both = fastreg.Lasso(alpha=0.3, relax=0.25, tol=1e-13).fit(X, Y)
    for k in range(2):
        single = fastreg.Lasso(alpha=0.3, relax=0.25, tol=1e-13).fit(X, Y[:, k])
        assert_allclose(both.coef_[k], single.coef_, rtol=1e-9, atol=1e-12)
        assert both.intercept_[k] == pytest.approx(single.intercept_, rel=1e-9)


def test_relax_one_is_the_lasso_and_bad_values():
    X, y = make_data()
    assert_allclose(fastreg.Lasso(alpha=0.3, relax=1.0).fit(X, y).coef_, fastreg.Lasso(alpha=0.3).fit(X, y).coef_)
    with pytest.raises(TypeError, match="relax"):
        fastreg.Lasso(relax=True).fit(X, y)
    with pytest.raises(ValueError, match="relax"):
        fastreg.Lasso(relax=1.5).fit(X, y)
    with pytest.raises(ValueError, match="relax"):
        fastreg.Lasso(relax=-0.1).fit(X, y)
    with pytest.raises(ValueError, match="relax"):
        fastreg.Lasso(relax=0.5, solver="gd").fit(X, y)


def test_relaxed_path_follows_glmnets_maxp():
    """Supports larger than n − 3 get the relaxed fit of the last α with a small enough support."""
    X, y = make_data(n=12, p=30, seed=3)
    path = fastreg.fit_path(X, y, alphas=30, eps=1e-3, tol=1e-12)
    sizes = np.count_nonzero(path.coefs, axis=0)
    assert sizes.max() > X.shape[0] - 3  # the data were made so
    relaxed, relaxed_b = relaxed_path(X, y, path.coefs, path.intercepts, fit_intercept=True)
    last = np.flatnonzero(sizes <= X.shape[0] - 3).max()
    for i in range(path.alphas.shape[0]):
        if sizes[i] > X.shape[0] - 3:
            assert_allclose(relaxed[:, i], relaxed[:, last])
            assert relaxed_b[i] == relaxed_b[last]
        else:
            ols, ols_b = ols_on(X, y, np.flatnonzero(path.coefs[:, i]))
            assert_allclose(relaxed[:, i], ols, rtol=1e-8, atol=1e-9)
            assert relaxed_b[i] == pytest.approx(ols_b, rel=1e-8, abs=1e-9)


def test_relaxed_sparse_bounds_never_densify():
    X, y = make_data(seed=4)
    Xs = sp.csr_matrix(X * (np.random.default_rng(0).random(X.shape) < 0.7))
    upper = np.full(X.shape[1], np.inf)
    upper[0] = 0.3
    lower = np.full(X.shape[1], -np.inf)
    model = fastreg.Lasso(alpha=0.2, relax=0.5, upper_bounds=upper, tol=1e-13).fit(Xs, y)
    lasso = fastreg.Lasso(alpha=0.2, upper_bounds=upper, tol=1e-13).fit(Xs, y)
    ols, ols_b = ols_on(Xs, y, np.flatnonzero(lasso.coef_), lower=lower, upper=upper)
    assert ols[0] == 0.3  # the bound binds
    assert_allclose(model.coef_, 0.5 * lasso.coef_ + 0.5 * ols, rtol=1e-7, atol=1e-9)
    assert model.intercept_ == pytest.approx(0.5 * lasso.intercept_ + 0.5 * ols_b, rel=1e-7)
