"""LassoPath and ElasticNetPath: the path object of glmnet's workflow.

References: fit_path (the same engine), single tight fits for ``coef(exact=True)``, a plain
implementation of glmnet's ``lambda.interp`` for ``coef(exact=False)``, the deviance from the
residuals, ``np.linalg.lstsq`` for the relaxed fits.
"""

import pickle

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal

import fastreg


def make_data(n=70, p=12, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) * rng.uniform(0.3, 4.0, p) + 0.5
    y = 1.5 * X[:, 0] - X[:, 2] + 0.3 * X[:, 5] + rng.standard_normal(n) + 2.0
    return X, y


def glmnet_interp(grid, values, s):
    """glmnet's lambda.interp + the linear combination, written plainly: one α at a time."""
    s = min(max(s, grid[-1]), grid[0])
    for i in range(len(grid) - 1):
        if grid[i] >= s >= grid[i + 1]:
            frac = 1.0 if grid[i] == grid[i + 1] else (s - grid[i + 1]) / (grid[i] - grid[i + 1])
            return frac * values[..., i] + (1 - frac) * values[..., i + 1]
    return values[..., 0]


@pytest.mark.parametrize("precompute", [True, False])
def test_path_object_is_fit_path_with_its_attributes(precompute):
    X, y = make_data()
    w = np.random.default_rng(1).uniform(0.2, 2.0, len(y))
    path = fastreg.ElasticNetPath(l1_ratio=0.8, alphas=20, precompute=precompute).fit(X, y, sample_weight=w)
    ref = fastreg.fit_path(X, y, l1_ratio=0.8, alphas=20, precompute=precompute, sample_weight=w)
    assert_array_equal(path.alphas_, ref.alphas)
    assert_array_equal(path.coef_path_, ref.coefs)
    assert_array_equal(path.intercept_path_, ref.intercepts)
    assert_array_equal(path.dual_gaps_, ref.dual_gaps)
    assert_array_equal(path.n_iter_, ref.n_iters)
    assert_array_equal(path.df_, np.count_nonzero(ref.coefs, axis=0))
    assert path.df_[0] == 0 and path.df_[-1] > 3
    # dev_ratio_: 1 − weighted RSS / weighted null RSS
    resid = y[:, None] - X @ ref.coefs - ref.intercepts
    null = w @ (y - np.average(y, weights=w)) ** 2
    assert_allclose(path.dev_ratio_, 1 - (w @ resid**2) / null, rtol=1e-9, atol=1e-12)
    assert path.n_features_in_ == X.shape[1]


def test_interpolation_is_glmnets():
    X, y = make_data(seed=2)
    path = fastreg.LassoPath(alphas=15).fit(X, y)
    grid = path.alphas_
    values = np.vstack([path.coef_path_, path.intercept_path_])
    queries = [grid[0] * 2, grid[0], grid[3], np.sqrt(grid[3] * grid[4]), 0.3 * grid[7] + 0.7 * grid[8],
               grid[-1], grid[-1] / 5]
    coef, intercept = path.coef(queries)
    assert coef.shape == (X.shape[1], len(queries)) and intercept.shape == (len(queries),)
    for k, s in enumerate(queries):
        expected = glmnet_interp(grid, values, s)
        assert_allclose(coef[:, k], expected[:-1], rtol=1e-14, atol=1e-15)
        assert intercept[k] == pytest.approx(expected[-1], rel=1e-14)
    one, b = path.coef(queries[3])  # a float: (p,) and a float
    assert one.shape == (X.shape[1],) and isinstance(b, float)
    assert_array_equal(one, coef[:, 3])


@pytest.mark.parametrize("storage", ["dense", "csr"])
@pytest.mark.parametrize("precompute", [True, False])
def test_exact_is_a_single_tight_fit(storage, precompute):
    X, y = make_data(seed=3)
    w = np.random.default_rng(4).uniform(0.2, 2.0, len(y))
    A = sp.csr_matrix(X) if storage == "csr" else X
    f = np.ones(X.shape[1])
    f[1], f[4] = 0.5, 2.0
    kw = dict(standardize=True, penalty_factor=f, lower_bounds=-1.0, upper_bounds=1.2)
    path = fastreg.ElasticNetPath(l1_ratio=0.7, alphas=12, precompute=precompute, **kw).fit(A, y, sample_weight=w)
    s = [np.sqrt(path.alphas_[2] * path.alphas_[3]), 0.8 * path.alphas_[-1]]  # between points, below the grid
    coef, intercept = path.coef(s, exact=True)
    for k, a in enumerate(s):
        single = fastreg.ElasticNet(alpha=a, l1_ratio=0.7, tol=1e-14, max_iter=1_000_000, **kw).fit(
            X, y, sample_weight=w)
        assert_allclose(coef[:, k], single.coef_, rtol=1e-7, atol=1e-9 * np.abs(single.coef_).max())
        assert intercept[k] == pytest.approx(single.intercept_, rel=1e-8)
    # exact=False below the grid stays at the last point; exact=True does not
    assert_allclose(path.coef(s[1])[0], path.coef_path_[:, -1])
    assert not np.allclose(coef[:, 1], path.coef_path_[:, -1])


def test_relaxed_path_and_gamma():
    X, y = make_data(seed=5)
    path = fastreg.LassoPath(alphas=10, relax=True, tol=1e-12).fit(X, y)
    for i in (0, 3, 9):
        support = np.flatnonzero(path.coef_path_[:, i])
        A = np.c_[np.ones(len(y)), X[:, support]]
        sol = np.linalg.lstsq(A, y, rcond=None)[0]
        assert_allclose(path.relaxed_coef_path_[support, i], sol[1:], rtol=1e-9)
        assert path.relaxed_intercept_path_[i] == pytest.approx(sol[0], rel=1e-9)
        assert np.all(path.relaxed_coef_path_[np.setdiff1d(np.arange(X.shape[1]), support), i] == 0)
    # coef at γ on the grid: the blend; between grid points: the blend interpolated
    c, b = path.coef(path.alphas_[4], gamma=0.25)
    assert_allclose(c, 0.25 * path.coef_path_[:, 4] + 0.75 * path.relaxed_coef_path_[:, 4], rtol=1e-14)
    s = np.sqrt(path.alphas_[4] * path.alphas_[5])
    c, b = path.coef(s, gamma=0.5)
    blend = 0.5 * np.vstack([path.coef_path_, path.intercept_path_]) + 0.5 * np.vstack(
        [path.relaxed_coef_path_, path.relaxed_intercept_path_])
    expected = glmnet_interp(path.alphas_, blend, s)
    assert_allclose(c, expected[:-1], rtol=1e-13, atol=1e-15)
    # exact with γ: the single relaxed fit
    ce, be = path.coef(s, exact=True, gamma=0.5)
    single = fastreg.Lasso(alpha=s, relax=0.5, tol=1e-14).fit(X, y)
    assert_allclose(ce, single.coef_, rtol=1e-8, atol=1e-11)
    assert be == pytest.approx(single.intercept_, rel=1e-9)
    assert_allclose(path.predict(X, s, gamma=0.5), X @ c + b, rtol=1e-12)
    with pytest.raises(ValueError, match="relax=True"):
        fastreg.LassoPath(alphas=5).fit(X, y).coef(0.1, gamma=0.5)


def test_predict_shapes_and_values():
    X, y = make_data(seed=6)
    path = fastreg.LassoPath(alphas=8).fit(X, y)
    X_new = X[:5] + 0.1
    every = path.predict(X_new)
    assert every.shape == (5, 8)
    assert_allclose(every, X_new @ path.coef_path_ + path.intercept_path_, rtol=1e-12)
    assert_allclose(path.predict(sp.csr_matrix(X_new)), every, rtol=1e-12)
    c, b = path.coef(path.alphas_[3])
    assert_allclose(path.predict(X_new, alpha=path.alphas_[3]), X_new @ c + b, rtol=1e-12)
    assert path.predict(X_new, alpha=[0.1, 0.2]).shape == (5, 2)
    with pytest.raises(ValueError, match="features"):
        path.predict(X_new[:, :3])


def test_pickle_keeps_the_model_not_the_data():
    X, y = make_data(seed=7)
    path = fastreg.LassoPath(alphas=10).fit(X, y)
    s = np.sqrt(path.alphas_[2] * path.alphas_[3])
    exact = path.coef(s, exact=True)[0]
    clone = pickle.loads(pickle.dumps(path))
    assert not hasattr(clone, "_prepared")
    assert_array_equal(clone.coef(s)[0], path.coef(s)[0])
    with pytest.raises(ValueError, match="pass X and y"):
        clone.coef(s, exact=True)
    assert_allclose(clone.coef(s, exact=True, X=X, y=y)[0], exact, rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("xvar", ["lambda", "norm", "dev"])
def test_plot(xvar):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    X, y = make_data(seed=8)
    path = fastreg.LassoPath(alphas=10, relax=True).fit(X, y)
    ax = path.plot(xvar, gamma=0.5, label=True)
    assert len(ax.get_lines()) >= X.shape[1]
    plt.close(ax.figure)
    with pytest.raises(ValueError, match="xvar"):
        path.plot("alpha")


def test_bad_input_is_named_and_arrays_untouched():
    X, y = make_data(seed=9)
    X0, y0 = X.copy(), y.copy()
    path = fastreg.LassoPath(alphas=5, standardize=True, relax=True).fit(X, y)
    path.coef(0.1, exact=True)
    assert_array_equal(X, X0)
    assert_array_equal(y, y0)
    for bad, error in ((-1.0, ValueError), (np.nan, ValueError), ("0.1", TypeError), ([], ValueError)):
        with pytest.raises(error, match="alpha"):
            path.coef(bad)
    for bad, error in ((1.5, ValueError), (True, TypeError)):
        with pytest.raises(error, match="gamma"):
            path.coef(0.1, gamma=bad)
    with pytest.raises(TypeError, match="relax"):
        fastreg.LassoPath(relax=0.5).fit(X, y)
    with pytest.raises(TypeError, match="exact"):
        path.coef(0.1, exact="yes")
    with pytest.raises(ValueError, match="1d array"):  # one target: a path per target is a loop away
        fastreg.LassoPath().fit(X, np.c_[y, y])
