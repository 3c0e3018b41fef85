"""The estimators against tight scikit-learn fits: same objective, same attributes."""

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn import linear_model as sk
from sklearn.exceptions import ConvergenceWarning

import fastreg

from helpers import STORAGES


def enet_objective(X, y, coef, intercept, alpha, l1_ratio):
    X = X.toarray() if sp.issparse(X) else np.asarray(X, dtype=float)
    R = y - X @ coef - intercept
    n = X.shape[0]
    return R @ R / (2 * n) + alpha * l1_ratio * np.abs(coef).sum() + alpha * (1 - l1_ratio) / 2 * coef @ coef


def make_data(shape, seed=0, correlated=True, density=None):
    n, p = shape
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    if correlated:  # neighbouring columns correlated, as in a Toeplitz design
        X[:, 1:] = 0.6 * X[:, 1:] + 0.4 * X[:, :-1]
    if density is not None:
        X *= rng.random((n, p)) < density
    X += 1.5  # non-zero column means: the intercept matters
    w = np.zeros(p)
    w[: max(3, p // 10)] = rng.standard_normal(max(3, p // 10)) * 2
    y = X @ w + 4.0 + 0.3 * rng.standard_normal(n)
    return X, y


def alpha_max(X, y, l1_ratio=1.0):
    Xc, yc = X - X.mean(0), y - y.mean()
    return np.max(np.abs(Xc.T @ yc)) / (len(y) * l1_ratio)


@pytest.mark.parametrize("shape", [(120, 30), (40, 150)], ids=["tall", "wide"])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5, 0.1])
@pytest.mark.parametrize("frac", [0.5, 0.05, 0.005])
def test_enet_objective_matches_sklearn(storage, dtype, shape, l1_ratio, frac):
    X, y = make_data(shape, density=0.5)
    alpha = frac * alpha_max(X, y, l1_ratio)
    Xs = STORAGES[storage](X.astype(dtype))
    Xd = X.astype(dtype).astype(np.float64)  # the values fastreg sees
    model = fastreg.ElasticNet(alpha=alpha, l1_ratio=l1_ratio).fit(Xs, y)
    ref = sk.ElasticNet(alpha=alpha, l1_ratio=l1_ratio, tol=1e-15, max_iter=200_000).fit(Xd, y)
    ours = enet_objective(Xd, y, model.coef_.astype(float), model.intercept_, alpha, l1_ratio)
    theirs = enet_objective(Xd, y, ref.coef_, ref.intercept_, alpha, l1_ratio)
    assert ours <= theirs * (1 + 1e-9)
    assert model.coef_.dtype == dtype
    assert model.dual_gap_ <= 1e-9 * np.var(y)
    assert model.n_iter_ >= 1
    scale = np.abs(y).max()
    tol = 1e-12 if dtype == np.float64 else 1e-5
    assert_allclose(model.predict(Xs), Xd @ model.coef_.astype(float) + model.intercept_, atol=tol * scale)


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_lasso_exact_zeros_and_sklearn_support(fit_intercept):
    X, y = make_data((200, 60), seed=1)
    alpha = 0.05 * alpha_max(X, y)
    model = fastreg.Lasso(alpha=alpha, fit_intercept=fit_intercept).fit(X, y)
    ref = sk.Lasso(alpha=alpha, fit_intercept=fit_intercept, tol=1e-15, max_iter=200_000).fit(X, y)
    assert np.count_nonzero(model.coef_ == 0.0) > 20
    assert_array_equal(model.coef_ != 0, ref.coef_ != 0)
    assert_allclose(model.coef_, ref.coef_, rtol=1e-6, atol=1e-9)
    assert_allclose(model.intercept_, ref.intercept_, rtol=1e-6, atol=1e-9)
    if not fit_intercept:
        assert model.intercept_ == 0.0


def test_dense_and_sparse_agree_with_large_column_means():
    X, y = make_data((150, 40), seed=2, density=0.3)
    X[X != 0] += 100.0  # large means: implicit centering must not lose digits
    alpha = 0.01 * alpha_max(X, y)
    dense = fastreg.Lasso(alpha=alpha).fit(X, y)
    sparse = fastreg.Lasso(alpha=alpha).fit(sp.csr_matrix(X), y)
    assert_allclose(sparse.coef_, dense.coef_, rtol=1e-7, atol=1e-10)
    # solved tightly, the two agree to the last digits: the implicitly centered
    # residual keeps its precision however large the column means
    tight = [fastreg.Lasso(alpha=alpha, tol=1e-14).fit(A, y) for A in (X, sp.csr_matrix(X))]
    assert all(m.dual_gap_ <= 1e-14 * np.var(y) for m in tight)
    assert_allclose(tight[1].coef_, tight[0].coef_, rtol=1e-11, atol=1e-12)
    assert_allclose(sparse.intercept_, dense.intercept_, rtol=1e-7)
    objective = [enet_objective(X, y, m.coef_, m.intercept_, alpha, 1.0) for m in (sparse, dense)]
    assert_allclose(objective[0], objective[1], rtol=1e-11)


def test_alpha_above_alpha_max_gives_zero_coef():
    X, y = make_data((50, 10), seed=3)
    model = fastreg.Lasso(alpha=1.01 * alpha_max(X, y)).fit(X, y)
    assert_array_equal(model.coef_, 0.0)
    assert_allclose(model.intercept_, y.mean())


def test_positive_and_warm_start():
    X, y = make_data((100, 20), seed=4)
    alpha = 0.01 * alpha_max(X, y)
    model = fastreg.Lasso(alpha=alpha, positive=True).fit(X, y)
    ref = sk.Lasso(alpha=alpha, positive=True, tol=1e-15, max_iter=200_000).fit(X, y)
    assert np.all(model.coef_ >= 0)
    assert_allclose(model.coef_, ref.coef_, rtol=1e-6, atol=1e-9)
    warm = fastreg.Lasso(alpha=alpha, warm_start=True).fit(X, y)
    first = warm.n_iter_
    warm.fit(X, y)
    assert warm.n_iter_ < first


def test_max_iter_warns_with_convergence_warning():
    X, y = make_data((40, 150), seed=5)
    with pytest.warns(ConvergenceWarning, match="did not converge"):
        model = fastreg.Lasso(alpha=1e-4 * alpha_max(X, y), max_iter=3).fit(X, y)
    assert model.n_iter_ == 3
    assert model.dual_gap_ > 0


def test_inputs_are_not_modified():
    X, y = make_data((60, 12), seed=6, density=0.5)
    A = sp.csr_matrix(X)
    copies = (A.data.copy(), A.indices.copy(), A.indptr.copy(), y.copy())
    fastreg.ElasticNet(alpha=0.01).fit(A, y)
    for a, b in zip(copies, (A.data, A.indices, A.indptr, y)):
        assert_array_equal(a, b)
    Xc = X.copy()
    fastreg.Lasso(alpha=0.01).fit(X, y)
    assert_array_equal(X, Xc)


@pytest.mark.parametrize(
    "params, pattern",
    [
        (dict(alpha=-1.0), "alpha must be >= 0"),
        (dict(l1_ratio=1.5), r"l1_ratio must be in \[0, 1\]"),
        (dict(l1_ratio=-0.1), "l1_ratio must be >= 0"),
        (dict(tol=-1e-3), "tol must be >= 0"),
        (dict(max_iter=0), "max_iter must be >= 1"),
        (dict(solver="magic"), "solver must be"),
    ],
)
def test_bad_parameters(params, pattern):
    X, y = make_data((20, 5))
    with pytest.raises(ValueError, match=pattern):
        fastreg.ElasticNet(**params).fit(X, y)


def test_predict_checks():
    from sklearn.exceptions import NotFittedError

    X, y = make_data((20, 5))
    with pytest.raises(NotFittedError):
        fastreg.Lasso().predict(X)
    model = fastreg.Lasso(alpha=0.1).fit(X, y)
    with pytest.raises(ValueError, match="features"):
        model.predict(X[:, :3])
    assert model.score(X, y) == pytest.approx(sk.Lasso(alpha=0.1, tol=1e-12).fit(X, y).score(X, y), rel=1e-8)


def ridge_objective(X, y, coef, intercept, alpha):
    X = X.toarray() if sp.issparse(X) else np.asarray(X, dtype=float)
    R = y - X @ coef - intercept
    return R @ R + alpha * coef @ coef


@pytest.mark.parametrize("shape", [(80, 20), (20, 70)], ids=["tall", "wide"])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_ridge_estimator_matches_sklearn(storage, dtype, shape, fit_intercept):
    X, y = make_data(shape, seed=7, density=0.6)
    Xs = STORAGES[storage](X.astype(dtype))
    Xd = X.astype(dtype).astype(np.float64)
    model = fastreg.Ridge(alpha=1.0, fit_intercept=fit_intercept).fit(Xs, y)
    ref = sk.Ridge(alpha=1.0, fit_intercept=fit_intercept, solver="svd").fit(Xd, y)
    ours = ridge_objective(Xd, y, model.coef_.astype(float), model.intercept_, 1.0)
    theirs = ridge_objective(Xd, y, ref.coef_, ref.intercept_, 1.0)
    assert ours <= theirs * (1 + 1e-9)
    assert model.coef_.dtype == dtype
    assert_allclose(model.coef_, ref.coef_, rtol=1e-4 if dtype == np.float32 else 1e-7, atol=1e-6)


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_linear_regression_matches_sklearn_and_min_norm(storage, fit_intercept):
    X, y = make_data((50, 8), seed=8, density=0.7)
    X = np.c_[X, X[:, :2]]  # rank-deficient: duplicated columns
    Xs = STORAGES[storage](X)
    model = fastreg.LinearRegression(fit_intercept=fit_intercept).fit(Xs, y)
    if fit_intercept:
        Xc, yc = X - X.mean(0), y - y.mean()
    else:
        Xc, yc = X, y
    w = np.linalg.pinv(Xc) @ yc
    assert_allclose(model.coef_, w, rtol=1e-7, atol=1e-9)
    ref = sk.LinearRegression(fit_intercept=fit_intercept).fit(X, y)
    assert_allclose(model.predict(Xs), ref.predict(X), rtol=1e-9)
    assert model.score(Xs, y) == pytest.approx(ref.score(X, y), rel=1e-12)


def test_ridge_bad_parameters():
    X, y = make_data((20, 5))
    with pytest.raises(ValueError, match="alpha must be >= 0"):
        fastreg.Ridge(alpha=-1).fit(X, y)
    with pytest.raises(ValueError, match="solver must be"):
        fastreg.Ridge(solver="newton").fit(X, y)  # ("sag" is accepted since the drop-in: an exact solver runs)
    with pytest.raises(TypeError, match="alpha must be a real number"):
        fastreg.Ridge(alpha="big").fit(X, y)
