"""scikit-learn's parameters of Lasso, ElasticNet, their CV estimators and path functions, with their meaning.

Each parameter is checked against scikit-learn (same optimum, same grid, same
folds) or an exact reference (least squares, Ridge), never only "it ran".
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn import linear_model as sk
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GroupKFold

import fastreg
from fastreg.exceptions import DivergenceError
from fastreg.solvers import cd as cd_module
from fastreg.solvers import gram as gram_module


def make_data(n=80, p=30, seed=0, density=None, offset=1.0, k=None):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    if density is not None:
        X *= rng.random((n, p)) < density
    X += offset
    w = np.zeros(p)
    w[:5] = rng.standard_normal(min(5, p)) * 2
    if k is None:
        y = X @ w + 1.5 + 0.3 * rng.standard_normal(n)
    else:
        W = np.outer(w, rng.standard_normal(k))
        y = X @ W + 0.3 * rng.standard_normal((n, k))
    return X, y


def enet_objective(X, y, coef, intercept, alpha, l1_ratio, sw=None):
    X = X.toarray() if sp.issparse(X) else X
    s = np.ones(len(y)) if sw is None else sw / sw.mean()
    r = y - X @ coef - intercept
    return (s * r) @ r / (2 * len(y)) + alpha * l1_ratio * np.abs(coef).sum() + alpha * (1 - l1_ratio) / 2 * coef @ coef


def tight(X, y, alpha, l1_ratio=1.0, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return sk.ElasticNet(alpha=alpha, l1_ratio=l1_ratio, tol=1e-14, max_iter=500_000, **kwargs).fit(X, y)


# ------------------------------------------------------------------ precompute


@pytest.mark.parametrize("precompute", [True, False, "auto"])
@pytest.mark.parametrize("storage", ["dense", "csr"])
def test_precompute_names_an_algorithm_same_optimum(precompute, storage):
    X, y = make_data(seed=1, density=0.5 if storage == "csr" else None)
    A = sp.csr_matrix(X) if storage == "csr" else X
    ours = fastreg.ElasticNet(alpha=0.05, l1_ratio=0.7, precompute=precompute).fit(A, y)
    ref = tight(X, y, 0.05, 0.7)
    f_ours = enet_objective(X, y, ours.coef_, ours.intercept_, 0.05, 0.7)
    f_ref = enet_objective(X, y, ref.coef_, ref.intercept_, 0.05, 0.7)
    assert f_ours <= f_ref * (1 + 1e-10)


@pytest.mark.parametrize("weighted", [False, True])
def test_given_gram_is_used_not_recomputed(monkeypatch, weighted):
    X, y = make_data(n=120, p=12, seed=2, offset=0.0)
    sw = np.random.default_rng(2).random(120) * 3 if weighted else None
    s = np.ones(120) if sw is None else sw * (120 / sw.sum())
    Xc = X - np.average(X, axis=0, weights=s)
    G = (Xc * s[:, None]).T @ Xc
    G_before = G.copy()

    def forbidden(*args, **kwargs):
        raise AssertionError("the Gram was recomputed")

    monkeypatch.setattr(gram_module.GramProblem, "__init__", forbidden)
    monkeypatch.setattr(gram_module.FoldGrams, "__init__", forbidden)
    ours = fastreg.Lasso(alpha=0.02, precompute=G).fit(Xc, y, sample_weight=sw)
    assert_array_equal(G, G_before)  # not written
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ref = sk.Lasso(alpha=0.02, tol=1e-14, max_iter=500_000).fit(Xc, y, sample_weight=sw)
    assert_allclose(ours.coef_, ref.coef_, rtol=1e-7, atol=1e-9)
    assert ours.intercept_ == pytest.approx(ref.intercept_, rel=1e-8, abs=1e-10)


def test_given_gram_checks_one_entry_and_recomputes_when_x_is_not_centered():
    X, y = make_data(n=60, p=8, seed=3)
    Xc = X - X.mean(axis=0)
    garbage = np.random.default_rng(3).standard_normal(X.shape)
    with pytest.raises(ValueError, match="Gram matrix.*did not pass validation"):
        fastreg.ElasticNet(alpha=0.01, precompute=garbage.T @ garbage).fit(Xc, y)
    with pytest.raises(ValueError, match="shape"):
        fastreg.ElasticNet(alpha=0.01, precompute=np.eye(3)).fit(Xc, y)
    with pytest.raises(ValueError, match="precompute"):
        fastreg.ElasticNet(alpha=0.01, precompute="sometimes").fit(Xc, y)
    # X not centered while fitting an intercept: scikit-learn's warning, and the Gram formed here
    with pytest.warns(UserWarning, match="Gram matrix was provided but X was centered"):
        recomputed = fastreg.ElasticNet(alpha=0.01, precompute=X.T @ X).fit(X, y)
    plain = fastreg.ElasticNet(alpha=0.01).fit(X, y)
    assert_allclose(recomputed.coef_, plain.coef_, rtol=1e-8, atol=1e-10)
    with pytest.raises(ValueError, match="solver 'auto' or 'gram'"):
        fastreg.ElasticNet(alpha=0.01, precompute=Xc.T @ Xc, solver="cd").fit(Xc, y)


# ------------------------------------------------------------------ selection="random"


def test_random_selection_really_randomizes_the_order(monkeypatch):
    X, y = make_data(n=100, p=40, seed=4)
    orders = []
    real = cd_module._Dense.epoch

    def spy(self, w, state, l1, l2, ws, positive):
        orders.append(ws.copy())
        return real(self, w, state, l1, l2, ws, positive)

    monkeypatch.setattr(cd_module._Dense, "epoch", spy)
    model = fastreg.Lasso(alpha=0.01, selection="random", random_state=0, solver="cd").fit(X, y)
    assert len(orders) > 3
    assert all(np.array_equal(np.sort(o), np.sort(orders[0])) or len(o) != len(orders[0]) for o in orders)
    assert any(not np.all(np.diff(o) > 0) for o in orders)  # not the cyclic (sorted) order
    assert len({o.tobytes() for o in orders if len(o) == len(orders[0])}) > 1  # a new order per epoch
    first = [o.copy() for o in orders]
    orders.clear()
    again = fastreg.Lasso(alpha=0.01, selection="random", random_state=0, solver="cd").fit(X, y)
    assert all(np.array_equal(a, b) for a, b in zip(first, orders))  # reproducible from random_state
    assert_array_equal(again.coef_, model.coef_)
    cyclic = fastreg.Lasso(alpha=0.01, solver="cd").fit(X, y)
    assert_allclose(model.coef_, cyclic.coef_, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("solver", ["gram", "cd"])
def test_random_selection_changes_the_iterates_not_the_optimum(solver):
    X, y = make_data(n=150, p=25, seed=5)
    kwargs = dict(alpha=0.01, l1_ratio=0.8, solver=solver, tol=0.0, max_iter=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        a = fastreg.ElasticNet(selection="random", random_state=1, **kwargs).fit(X, y).coef_
        b = fastreg.ElasticNet(selection="random", random_state=1, **kwargs).fit(X, y).coef_
        c = fastreg.ElasticNet(selection="random", random_state=2, **kwargs).fit(X, y).coef_
        d = fastreg.ElasticNet(selection="cyclic", **kwargs).fit(X, y).coef_
    assert_array_equal(a, b)
    assert not np.array_equal(a, c) and not np.array_equal(a, d)
    done = fastreg.ElasticNet(alpha=0.01, l1_ratio=0.8, solver=solver, selection="random", random_state=3).fit(X, y)
    ref = tight(X, y, 0.01, 0.8)
    assert_allclose(done.coef_, ref.coef_, rtol=1e-6, atol=1e-8)
    with pytest.raises(ValueError, match="selection"):
        fastreg.Lasso(selection="shuffled").fit(X, y)
    with pytest.raises(ValueError, match="selection='random'"):
        fastreg.Lasso(selection="random", solver="fista").fit(X, y)


# ------------------------------------------------------------------ check_input, tol=0


def test_check_input_false_skips_the_scan_same_answer():
    X, y = make_data(seed=6)
    F = np.asfortranarray(X)
    a = fastreg.ElasticNet(alpha=0.02).fit(F, y, check_input=False)
    b = fastreg.ElasticNet(alpha=0.02).fit(F, y)
    assert_array_equal(a.coef_, b.coef_)
    c = fastreg.ElasticNet(alpha=0.02).fit(X, y, check_input=False)  # C order: converted, same answer
    assert_allclose(c.coef_, b.coef_, rtol=1e-12, atol=1e-14)
    bad = F.copy()
    bad[3, 3] = np.nan
    with pytest.raises(ValueError, match="NaN"):  # coordinate descent's own pass still finds it
        fastreg.ElasticNet(alpha=0.02, solver="cd").fit(bad, y, check_input=False)


def test_tol_zero_runs_max_iter_and_warns_with_sklearns_words():
    X, y = make_data(seed=7)
    with pytest.warns(ConvergenceWarning, match="Objective did not converge. You might want to increase"):
        model = fastreg.Lasso(alpha=0.01, tol=0, max_iter=7, solver="cd").fit(sp.csr_matrix(X), y)
    assert model.n_iter_ == 7


# ------------------------------------------------------------------ no L1 term: exact


@pytest.mark.parametrize("storage", ["dense", "csr"])
@pytest.mark.parametrize("weighted", [False, True])
def test_alpha_zero_is_least_squares_exactly(storage, weighted):
    """Rank-deficient (effective rank 8 of 40): coordinate descent's gap used to stop 8e-5 away."""
    from sklearn.datasets import make_regression

    X, y = make_regression(n_samples=120, n_features=40, effective_rank=8, n_informative=20, random_state=11)
    sw = np.random.default_rng(11).uniform(0.01, 10, 120) if weighted else None
    A = sp.csr_matrix(X) if storage == "csr" else X
    ours = fastreg.ElasticNet(alpha=0, tol=1e-15).fit(A, y, sample_weight=sw)
    d = np.ones(120) if sw is None else np.sqrt(sw)
    xm, ym = np.average(X, axis=0, weights=d**2), np.average(y, weights=d**2)
    coef = np.linalg.lstsq(d[:, None] * (X - xm), d * (y - ym), rcond=None)[0]  # minimum norm
    assert_allclose(ours.coef_, coef, rtol=1e-7, atol=1e-9 * np.abs(coef).max())
    assert ours.intercept_ == pytest.approx(ym - xm @ coef, rel=1e-8, abs=1e-9)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("ridge_alpha", [1e-6, 1.0])
def test_l1_ratio_zero_is_ridge_exactly(weighted, ridge_alpha):
    from sklearn.datasets import make_regression

    X, y = make_regression(n_samples=200, n_features=60, effective_rank=10, n_informative=30, random_state=12)
    sw = np.random.default_rng(12).uniform(0.01, 10, 200) if weighted else None
    total = 200 if sw is None else sw.sum()
    ours = fastreg.ElasticNet(alpha=ridge_alpha / total, l1_ratio=0, tol=1e-16).fit(X, y, sample_weight=sw)
    ref = sk.Ridge(alpha=ridge_alpha, solver="svd").fit(X, y, sample_weight=sw)
    assert_allclose(ours.coef_, ref.coef_, rtol=1e-8, atol=1e-10 * np.abs(ref.coef_).max())
    assert ours.intercept_ == pytest.approx(ref.intercept_, rel=1e-9, abs=1e-9)
    assert 0.0 <= ours.dual_gap_ <= 1e-10 * np.var(y)


def test_values_near_float64_max_get_a_clear_error():
    rng = np.random.default_rng(13)
    X = np.finfo(np.float64).max * rng.uniform(size=(12, 3))
    y = rng.integers(0, 2, size=12).astype(float)
    for solver in ("auto", "cd", "gram", "fista"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            with pytest.raises(ValueError, match="non-finite") as info:
                fastreg.ElasticNet(alpha=0.1, solver=solver).fit(X, y)
        assert isinstance(info.value, DivergenceError), solver


# ------------------------------------------------------------------ path functions: scikit-learn's meaning


@pytest.mark.parametrize("storage", ["dense", "csr"])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.6])
def test_paths_have_sklearns_meaning(storage, l1_ratio):
    X, y = make_data(n=70, p=20, seed=14, density=0.6 if storage == "csr" else None, offset=0.5)
    A = sp.csr_matrix(X) if storage == "csr" else X
    alphas, coefs, gaps, n_iters = fastreg.enet_path(A, y, l1_ratio=l1_ratio, alphas=6, eps=1e-2, return_n_iter=True)
    ref_alphas, ref_coefs, _ = sk.enet_path(X, y, l1_ratio=l1_ratio, alphas=6, eps=1e-2, tol=1e-13, max_iter=10**6)
    assert_allclose(alphas, ref_alphas, rtol=1e-12)  # no intercept: the grid of the uncentered data
    assert_allclose(coefs, ref_coefs, rtol=1e-6, atol=1e-8)
    assert gaps.shape == (6,) and np.all(gaps >= 0) and np.all(gaps <= 1e-6 * (y @ y) / 70)
    assert isinstance(n_iters, list) and len(n_iters) == 6
    three = fastreg.lasso_path(A, y, alphas=[0.005, 0.5, 0.05])
    assert len(three) == 3
    assert_array_equal(three[0], [0.5, 0.05, 0.005])  # sorted decreasing, as scikit-learn


def test_path_deprecations_and_unknown_parameters():
    X, y = make_data(n=30, p=5, seed=15)
    with pytest.warns(FutureWarning, match="'n_alphas' was deprecated in 1.9"):
        alphas, _, _ = fastreg.lasso_path(X, y, n_alphas=5)
    assert alphas.shape == (5,)
    with pytest.warns(FutureWarning, match="'alphas=None' is deprecated"):
        alphas, _, _ = fastreg.lasso_path(X, y, alphas=None)
    assert alphas.shape == (100,)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fastreg.enet_path(X, y, alphas=5)
    with pytest.raises(ValueError, match="Unexpected parameters in params"):
        fastreg.enet_path(X, y, fit_intercept=True)
    with pytest.raises(ValueError, match="multi-output"):
        fastreg.enet_path(X, np.c_[y, y], positive=True)


def test_path_sparse_offsets_are_sklearns_implicit_centering():
    X, y = make_data(n=90, p=15, seed=16, density=0.4, offset=0.0)
    sw = np.random.default_rng(16).random(90) + 0.5
    sw *= 90 / sw.sum()
    A = sp.csc_matrix(X)
    x_mean = np.average(X, axis=0, weights=sw)
    y_c = y - np.average(y, weights=sw)
    kwargs = dict(alphas=5, eps=1e-2, X_offset=x_mean, X_scale=np.ones(15), sample_weight=sw)
    alphas, coefs, _ = fastreg.lasso_path(A, y_c, **kwargs)
    ref_alphas, ref_coefs, _ = sk.lasso_path(A, y_c, tol=1e-13, max_iter=10**6, **kwargs)
    assert_allclose(coefs, ref_coefs, rtol=1e-6, atol=1e-8)
    with pytest.raises(ValueError, match="X_offset must be the column means"):
        fastreg.lasso_path(A, y_c, alphas=3, X_offset=x_mean + 1.0)


@pytest.mark.parametrize("storage", ["dense", "csr"])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_two_d_y_is_sklearns_multitask_path(storage, l1_ratio):
    X, Y = make_data(n=60, p=12, seed=17, k=3, density=0.7 if storage == "csr" else None, offset=0.0)
    A = sp.csr_matrix(X) if storage == "csr" else X
    alphas, coefs, gaps = fastreg.enet_path(A, Y, l1_ratio=l1_ratio, alphas=5, eps=1e-2)
    assert coefs.shape == (3, 12, 5)
    for i, alpha in enumerate(alphas):
        ref = sk.MultiTaskElasticNet(alpha=alpha, l1_ratio=l1_ratio, fit_intercept=False, tol=1e-14,
                                     max_iter=10**6).fit(X, Y)

        def objective(W):  # W (k, p)
            R = Y - X @ W.T
            return (R * R).sum() / 120 + alpha * l1_ratio * np.sqrt((W * W).sum(axis=0)).sum() \
                + alpha * (1 - l1_ratio) / 2 * (W * W).sum()

        assert objective(coefs[:, :, i]) <= objective(ref.coef_) * (1 + 1e-9) + 1e-15
        assert_allclose(coefs[:, :, i], ref.coef_, rtol=1e-5, atol=1e-7)
        zero_rows = np.all(ref.coef_ == 0, axis=0)
        assert np.all(coefs[:, zero_rows, i] == 0)  # whole rows exactly zero, as the group penalty makes them


def test_path_given_gram_and_xy():
    X, y = make_data(n=50, p=10, seed=18, offset=0.0)
    G, Xy = X.T @ X, X.T @ y
    a1, c1, _ = fastreg.lasso_path(X, y, alphas=5, precompute=G, Xy=Xy)
    a2, c2, _ = fastreg.lasso_path(X, y, alphas=5, precompute=False)
    assert_allclose(a1, a2, rtol=1e-12)
    assert_allclose(c1, c2, rtol=1e-7, atol=1e-9)


# ------------------------------------------------------------------ CV estimators


def test_cv_takes_sklearns_parameters_and_routes_groups():
    import sklearn

    X, y = make_data(n=120, p=15, seed=19)
    groups = np.repeat(np.arange(6), 20)
    params = dict(cv=GroupKFold(3), alphas=12, copy_X=True, verbose=0, n_jobs=1, random_state=0)
    with pytest.raises(ValueError, match="is only supported if enable_metadata_routing=True"):
        fastreg.LassoCV(**params).fit(X, y, groups=groups)
    with sklearn.config_context(enable_metadata_routing=True):
        ours = fastreg.LassoCV(selection="random", **params).fit(X, y, groups=groups)
        ref = sk.LassoCV(tol=1e-12, max_iter=10**6, **params).fit(X, y, groups=groups)
    assert ours.alpha_ == pytest.approx(ref.alpha_, rel=1e-12)
    assert_allclose(ours.mse_path_, ref.mse_path_, rtol=1e-6)
    assert_allclose(ours.coef_, ref.coef_, rtol=1e-6, atol=1e-8)
    enet = fastreg.ElasticNetCV(l1_ratio=[0.5, 1.0], precompute=False, selection="cyclic", cv=3).fit(X, y)
    ref = sk.ElasticNetCV(l1_ratio=[0.5, 1.0], cv=3, tol=1e-12, max_iter=10**6).fit(X, y)
    assert (enet.alpha_, enet.l1_ratio_) == (pytest.approx(ref.alpha_, rel=1e-12), ref.l1_ratio_)


@pytest.mark.parametrize(
    "alphas, error, match",
    [
        ((1, -1, -100), ValueError, r"alphas\[1\] == -1, must be >= 0.0."),
        ((1, 1.0, "1"), TypeError, r"alphas\[2\] must be an instance of float, not str"),
        ((1.0, np.nan), ValueError, r"alphas\[1\] == nan, must be finite"),
    ],
)
def test_cv_alphas_validated_as_sklearn(alphas, error, match):
    X, y = make_data(n=20, p=4, seed=20)
    with pytest.raises(error, match=match):
        fastreg.LassoCV(alphas=alphas).fit(X, y)
