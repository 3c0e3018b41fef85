"""Generalized Ridge, ``Ridge(penalty_factor=f)``: ``‖y − Xw − b‖² + α·Σⱼ fⱼwⱼ²`` in every solver.

The reference is exact and independent of fastreg's solvers: least squares
(:func:`numpy.linalg.lstsq`, minimum norm) on the augmented system
``[D·X_c; diag(√(αf))] w ≈ [D·y_c; 0]`` over the features with finite ``f``
(``D = diag(√s)``, weighted centering), the excluded features zero.
``positive=True`` is checked by its optimality conditions.
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone

import fastreg
from fastreg.solvers.ridge import policy, ridge_fit

INF = np.inf
STORAGES = {"C": np.ascontiguousarray, "F": np.asfortranarray, "csr": sp.csr_matrix, "csc": sp.csc_array}
SHAPES = {"tall": (50, 12), "wide": (14, 40)}
# scikit-learn's names and fastreg's (all but "gd" and "lbfgs", which need other settings)
SOLVERS = ["auto", "svd", "cholesky", "lsqr", "sparse_cg", "sag", "saga", "cg"]


def make_data(shape, k=None, seed=0, density=None, offset=1.5):
    n, p = SHAPES[shape] if isinstance(shape, str) else shape
    rng = np.random.default_rng(seed)
    X = offset + rng.standard_normal((n, p))
    X[:, 1:] = 0.7 * X[:, 1:] + 0.3 * X[:, :-1]
    if density is not None:
        X *= rng.random((n, p)) < density
    w = rng.standard_normal(p)
    y = X @ w + 2.0 + 0.3 * rng.standard_normal(n)
    if k is not None:
        y = np.c_[y, -2.0 * y + 1.0 + rng.standard_normal(n)]
    return X, y


def factors(p, seed=0, zeros=(1, 5), infs=(2, 7)):
    """Factors over two decades, with unpenalized (0) and excluded (inf) features."""
    f = np.random.default_rng(seed).uniform(0.1, 10.0, p)
    f[list(zeros)] = 0.0
    f[list(infs)] = INF
    return f


def exact(X, y, alpha, f, sample_weight=None, fit_intercept=True):
    """The generalized Ridge by lstsq on the augmented system; ``alpha`` a float or one per target."""
    Y = y[:, None] if y.ndim == 1 else y
    n, p = X.shape
    s = np.ones(n) if sample_weight is None else sample_weight
    keep = np.isfinite(f)
    x_mean = np.average(X, axis=0, weights=s) if fit_intercept else np.zeros(p)
    y_mean = np.average(Y, axis=0, weights=s) if fit_intercept else np.zeros(Y.shape[1])
    Xc = (X - x_mean)[:, keep] * np.sqrt(s)[:, None]
    Yc = (Y - y_mean) * np.sqrt(s)[:, None]
    alphas = np.broadcast_to(alpha, (Y.shape[1],))
    W = np.zeros((p, Y.shape[1]))
    for t, a in enumerate(alphas):
        A = np.vstack([Xc, np.diag(np.sqrt(a * f[keep]))])
        b = np.concatenate([Yc[:, t], np.zeros(keep.sum())])
        W[keep, t] = np.linalg.lstsq(A, b, rcond=None)[0]
    intercept = y_mean - x_mean @ W
    if y.ndim == 1:
        return W[:, 0], float(intercept[0])
    return W.T, intercept


def objective(X, y, coef, intercept, alpha, f, sample_weight=None):
    """Per target: ``Σ sᵢrᵢ² + α·Σ fⱼwⱼ²`` over the finite ``f`` (the excluded coefficients must be 0)."""
    keep = np.isfinite(f)
    W = np.atleast_2d(coef)
    assert np.all(W[:, ~keep] == 0.0)
    s = np.ones(X.shape[0]) if sample_weight is None else sample_weight
    R = (y[:, None] if y.ndim == 1 else y) - X @ W.T - intercept
    alphas = np.broadcast_to(alpha, (W.shape[0],))
    return np.array([s @ R[:, t] ** 2 + alphas[t] * f[keep] @ W[t, keep] ** 2 for t in range(W.shape[0])])


def assert_optimal(X, y, model_or_fit, alpha, f, sample_weight=None, fit_intercept=True, rtol=1e-9):
    """Objective within ``rtol`` of the exact optimum (relative to it, or to ``‖y_c‖²`` when it is ~0) and close coefficients."""
    coef, intercept = (model_or_fit.coef_, model_or_fit.intercept_) if hasattr(model_or_fit, "coef_") else (
        model_or_fit.coef, model_or_fit.intercept)
    w, b = exact(X, y, alpha, f, sample_weight, fit_intercept)
    got = objective(X, y, coef, intercept, alpha, f, sample_weight)
    best = objective(X, y, w, b, alpha, f, sample_weight)
    scale = np.sum((y - y.mean(axis=0)) ** 2, axis=0)
    assert np.all(got - best <= rtol * np.maximum(best, 1e-6 * scale)), (got, best)
    assert_allclose(coef, w, rtol=1e-6, atol=1e-6 * np.abs(w).max())
    assert_allclose(intercept, b, rtol=1e-6, atol=1e-6 * max(np.abs(b).max(), 1.0))


def fit(Xs, y, sample_weight=None, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no ConvergenceWarning, no other surprise
        return fastreg.Ridge(**kwargs).fit(Xs, y, sample_weight=sample_weight)


# ------------------------------------------------------------ every solver reaches the optimum


@pytest.mark.parametrize("k", [None, 2], ids=["1-target", "2-targets"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("fit_intercept", [True, False], ids=["intercept", "no_intercept"])
@pytest.mark.parametrize("storage", list(STORAGES))
@pytest.mark.parametrize("shape", list(SHAPES))
@pytest.mark.parametrize("solver", SOLVERS)
def test_every_solver_reaches_the_generalized_optimum(solver, shape, storage, fit_intercept, weighted, k):
    sparse = storage in ("csr", "csc")
    if sparse and (solver == "svd" or (solver == "saga" and fit_intercept)):
        pytest.skip("scikit-learn's solver refuses this sparse input (tested in test_dropin_ridge)")
    # column means within their spreads (offset 0.2) take the implicitly centered paths of dense X (dual CG
    # on wide X), large ones (1.5) the centered copy
    X, y = make_data(shape, k=k, seed=10 * list(SHAPES).index(shape) + list(STORAGES).index(storage),
                     density=0.6 if sparse else None, offset=0.2 if k is None else 1.5)
    f = factors(X.shape[1], seed=1)
    sw = np.random.default_rng(2).uniform(0.3, 3.0, X.shape[0]) if weighted else None
    alpha = 0.8 if k is None else np.array([0.8, 30.0])  # one α per target
    Xs = STORAGES[storage](X)
    model = fastreg.Ridge(alpha=alpha, solver=solver, fit_intercept=fit_intercept, penalty_factor=f)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.fit(Xs, y, sample_weight=sw)
    assert_optimal(X, y, model, alpha, f, sw, fit_intercept)
    assert np.all(np.atleast_2d(model.coef_)[:, np.isinf(f)] == 0.0)


@pytest.mark.parametrize("storage", list(STORAGES))
@pytest.mark.parametrize("solver", ["auto", "cholesky", "cg", "lsqr"])
@pytest.mark.parametrize("kind", ["positive only", "with zeros", "with inf", "all zero", "all inf", "zero and inf"])
def test_factor_kinds_in_the_solvers(kind, solver, storage):
    """Each kind of factor vector alone, tall and wide, at the solver level (``ridge_fit``)."""
    for shape in SHAPES:
        X, y = make_data(shape, seed=3, density=0.5 if storage in ("csr", "csc") else None)
        p = X.shape[1]
        f = {
            "positive only": np.random.default_rng(4).uniform(0.01, 100.0, p),
            "with zeros": factors(p, infs=()),
            "with inf": factors(p, zeros=()),
            "all zero": np.zeros(p),
            "all inf": np.full(p, INF),
            "zero and inf": np.where(np.arange(p) % 2, 0.0, INF),
        }[kind]
        if kind == "all zero" and shape == "wide":
            f[3:] = 1.0  # least squares on 14 rows needs fewer than 14 unpenalized features to be unique
        result = ridge_fit(STORAGES[storage](X), y, 0.5, solver=solver, penalty_factor=f)
        assert_optimal(X, y, result, 0.5, f)
        if solver == "cholesky" and kind not in ("all zero", "all inf", "zero and inf"):
            assert result.solver == "cholesky"  # the (refined) Gram is right: no fallback


def test_excluded_coefficients_are_exactly_zero_and_the_rest_is_ridge_on_the_kept_columns():
    X, y = make_data("tall", seed=5)
    f = np.ones(12)
    f[[0, 4, 11]] = INF
    keep = np.isfinite(f)
    for solver in ["auto", "cholesky", "lsqr", "cg"]:
        for Xs in (X, sp.csr_matrix(X)):
            model = fastreg.Ridge(alpha=2.0, solver=solver, penalty_factor=f).fit(Xs, y)
            assert_array_equal(model.coef_[~keep], 0.0)
            sub = fastreg.Ridge(alpha=2.0, solver=solver).fit(Xs[:, np.flatnonzero(keep)], y)
            assert_allclose(model.coef_[keep], sub.coef_, rtol=1e-7, atol=1e-9)
            assert_allclose(model.intercept_, sub.intercept_, rtol=1e-7)


@pytest.mark.parametrize("storage", ["C", "csr"])
def test_unpenalized_features_are_free_and_rank_deficient_ones_get_the_minimum_norm(storage):
    X, y = make_data("tall", seed=6)
    X[:, 4] = X[:, 3]  # two identical unpenalized columns: only their sum is determined
    X[:, 6] = 5.0  # a constant unpenalized column: with the intercept, its coefficient is free too
    f = np.ones(12)
    f[[3, 4, 6]] = 0.0
    for solver in ["auto", "cholesky", "lsqr", "cg"]:
        model = fastreg.Ridge(alpha=50.0, solver=solver, penalty_factor=f).fit(STORAGES[storage](X), y)
        assert_optimal(X, y, model, 50.0, f)
        assert model.coef_[3] == pytest.approx(model.coef_[4], rel=1e-9)  # the minimum norm splits the sum evenly
        assert abs(model.coef_[6]) <= 1e-12
    # a huge α pins the penalized coefficients at 0: the unpenalized ones are then least squares on their own
    model = fastreg.Ridge(alpha=1e12, penalty_factor=f).fit(STORAGES[storage](X), y)
    ols = fastreg.LinearRegression().fit(X[:, [3, 4]], y)
    assert_allclose(model.coef_[[3, 4]], ols.coef_, rtol=1e-5)


def test_wide_dense_auto_runs_dual_cg_with_factors_and_hands_over_to_cholesky(monkeypatch):
    """The projected, rescaled dual takes CG while its budget lasts, the dual Cholesky after it."""
    X, y = make_data((60, 500), seed=7, offset=0.2)
    f = factors(500, seed=8)
    monkeypatch.setattr(policy, "DUAL_CG_ITERS_PER_ROW", 1.0)  # a budget of n iterations
    model = fit(X, y, alpha=1.0, penalty_factor=f)
    assert model.solver_ == "cg" and model.n_iter_[0] > 1
    assert_optimal(X, y, model, 1.0, f)
    monkeypatch.setattr(policy, "DUAL_CG_ITERS_PER_ROW", 8.0 / 60)  # 8 iterations: hands over
    model = fit(X, y, alpha=1e-4, penalty_factor=f)
    assert model.solver_ == "cholesky"
    assert_optimal(X, y, model, 1e-4, f)


@pytest.mark.parametrize("storage", ["C", "csr"])
@pytest.mark.parametrize("shape", list(SHAPES))
def test_cholesky_failure_falls_back_with_factors(monkeypatch, shape, storage):
    from fastreg.solvers.ridge import direct
    import scipy.linalg

    def failing(*args, **kwargs):
        raise scipy.linalg.LinAlgError("not positive definite")

    monkeypatch.setattr(direct.la, "cho_factor", failing)  # sparse: SciPy's
    monkeypatch.setattr(direct, "cho_factor", failing)  # dense: NumPy's
    X, y = make_data(shape, seed=9)
    f = factors(X.shape[1], seed=10)
    result = ridge_fit(STORAGES[storage](X), y, 0.3, solver="cholesky", penalty_factor=f)
    assert result.solver == ("svd" if storage == "C" else "lsqr")
    assert_optimal(X, y, result, 0.3, f)


@pytest.mark.parametrize("shape", [(80, 10), (30, 60)], ids=["tall", "wide"])
def test_large_column_means_and_widely_scaled_columns(shape):
    """Means 1e4 ± 1 (the dense centered copy; the sparse Gram's refinement; X_cᵀQ by a pass) and factors over
    eight decades."""
    n, p = shape
    rng = np.random.default_rng(11)
    X = 1e4 + rng.standard_normal((n, p))
    y = (X - 1e4) @ rng.standard_normal(p) + 3.0 + 0.1 * rng.standard_normal(n)
    f = np.logspace(-4, 4, p)
    f[[2, 5]] = 0.0
    for Xs in (X, sp.csr_matrix(X)):
        for solver in ["auto", "cholesky", "lsqr", "cg"]:
            if solver == "cg" and sp.issparse(Xs) and n < p:
                # CG on the dual, unpreconditioned, stalls on columns spread over eight decades as it does on
                # badly scaled columns without factors (test_ridge_solvers); "auto" hands over to the Gram
                continue
            assert_optimal(X, y, fit(Xs, y, alpha=1.0, solver=solver, penalty_factor=f, max_iter=5000), 1.0, f)


# ------------------------------------------------------------ the uniform case: no hidden rescaling, same path


@pytest.mark.parametrize("storage", ["C", "csr"])
@pytest.mark.parametrize("solver", ["auto", "cholesky", "lsqr", "cg"])
def test_a_constant_factor_is_alpha_times_it_and_all_ones_is_the_plain_ridge(solver, storage):
    X, y = make_data("tall", seed=12, density=0.6 if storage == "csr" else None)
    Xs = STORAGES[storage](X)
    plain = fastreg.Ridge(alpha=0.7, solver=solver).fit(Xs, y)
    ones = fastreg.Ridge(alpha=0.7, solver=solver, penalty_factor=np.ones(12)).fit(Xs, y)
    assert_array_equal(ones.coef_, plain.coef_)  # all ones is the uniform path itself
    assert ones.intercept_ == plain.intercept_
    three = fastreg.Ridge(alpha=0.7, solver=solver, penalty_factor=np.full(12, 3.0)).fit(Xs, y)
    scaled = fastreg.Ridge(alpha=2.1, solver=solver).fit(Xs, y)
    assert_allclose(three.coef_, scaled.coef_, rtol=1e-7, atol=1e-10)
    assert_allclose(three.intercept_, scaled.intercept_, rtol=1e-8)


def test_gd_takes_all_ones_but_no_other_factors():
    X, y = make_data("tall", seed=13)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (max_iter: the loop itself is not under test)
        fastreg.Ridge(alpha=1.0, solver="gd", max_iter=50, penalty_factor=np.ones(12)).fit(X, y)
    with pytest.raises(ValueError, match="solver='gd'.*penalty_factor"):
        fastreg.Ridge(alpha=1.0, solver="gd", penalty_factor=np.full(12, 2.0)).fit(X, y)


# ------------------------------------------------------------ positive, α = 0


@pytest.mark.parametrize("solver", ["auto", "lbfgs"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("storage", ["C", "F", "csr"])
@pytest.mark.parametrize("shape", list(SHAPES))
def test_positive_with_factors_meets_the_optimality_conditions(shape, storage, weighted, solver):
    X, y = make_data(shape, seed=14, density=0.6 if storage == "csr" else None)
    n, p = X.shape
    f = factors(p, seed=15)
    sw = np.random.default_rng(16).uniform(0.3, 3.0, n) if weighted else None
    alpha = 0.5
    model = fit(STORAGES[storage](X), y, alpha=alpha, positive=True, penalty_factor=f, sample_weight=sw,
                solver=solver)
    assert model.solver_ == ("lbfgs" if storage == "csr" else "nnls")
    w, b = model.coef_, model.intercept_
    assert np.all(w >= 0.0) and np.all(w[np.isinf(f)] == 0.0)
    s = np.ones(n) if sw is None else sw
    r = y - X @ w - b
    grad = -2.0 * X.T @ (s * r) + 2.0 * alpha * np.where(np.isinf(f), 0.0, f) * w
    scale = 2.0 * np.abs(X.T @ (s * (y - np.average(y, weights=s)))).max()
    tol = 1e-9 if storage != "csr" else 1e-6
    assert abs((s * r).sum()) <= tol * scale
    free = np.isfinite(f)
    assert np.all(np.abs(grad[free & (w > 0)]) <= tol * scale)
    assert np.all(grad[free & (w == 0)] >= -tol * scale)


@pytest.mark.parametrize("storage", ["C", "csr"])
def test_alpha_zero_ignores_the_factors_but_the_excluded_features(storage):
    X, y = make_data("tall", seed=17)
    f = factors(12, seed=18)
    keep = np.flatnonzero(np.isfinite(f))
    model = fastreg.Ridge(alpha=0.0, penalty_factor=f).fit(STORAGES[storage](X), y)
    ols = fastreg.LinearRegression().fit(X[:, keep], y)
    assert_array_equal(model.coef_[np.isinf(f)], 0.0)
    assert_allclose(model.coef_[keep], ols.coef_, rtol=1e-8, atol=1e-10)
    # one target at α = 0, the other at α > 0
    Y = np.c_[y, 2.0 * y]
    both = fastreg.Ridge(alpha=[0.0, 3.0], penalty_factor=f).fit(STORAGES[storage](X), Y)
    assert_allclose(both.coef_[0, keep], ols.coef_, rtol=1e-8, atol=1e-10)
    assert_optimal(X, Y[:, 1], type("Fit", (), {"coef_": both.coef_[1], "intercept_": both.intercept_[1]}), 3.0, f)


# ------------------------------------------------------------ bad input, model files, estimator plumbing


@pytest.mark.parametrize(
    "value, error, match",
    [
        (np.ones(11), ValueError, r"penalty_factor must have shape \(12,\)"),
        (np.r_[-1.0, np.ones(11)], ValueError, "penalty_factor"),
        (np.r_[np.nan, np.ones(11)], ValueError, "penalty_factor"),
        (np.r_[-INF, np.ones(11)], ValueError, "penalty_factor"),
        ("ones", TypeError, "penalty_factor"),
        (np.ones((1, 12)), ValueError, "penalty_factor must be 1-D"),
        ([1.0] * 11 + ["a"], TypeError, "penalty_factor"),
    ],
)
def test_bad_penalty_factor(value, error, match):
    X, y = make_data("tall", seed=19)
    with pytest.raises(error, match=match):
        fastreg.Ridge(penalty_factor=value).fit(X, y)
    with pytest.raises(error, match=match):
        ridge_fit(X, y, 1.0, penalty_factor=value)


def test_model_file_round_trip_keeps_zero_and_infinite_factors(tmp_path):
    X, y = make_data("tall", seed=20)
    f = factors(12, seed=21)
    model = fastreg.Ridge(alpha=0.4, penalty_factor=f).fit(X, y)
    model.save(tmp_path / "ridge.npz")
    back = fastreg.load(tmp_path / "ridge.npz")
    assert_array_equal(back.penalty_factor, f)
    assert_array_equal(back.predict(X), model.predict(X))
    assert_array_equal(back.fit(X, y).coef_, model.coef_)  # the loaded parameters refit the same model


def test_the_callers_arrays_are_left_alone_and_clone_keeps_the_factors():
    X, y = make_data("wide", seed=22)
    f = factors(40, seed=23)
    X0, y0, f0 = X.copy(), y.copy(), f.copy()
    for solver in ["auto", "cholesky", "cg", "lsqr"]:
        fastreg.Ridge(alpha=1.0, solver=solver, penalty_factor=f).fit(X, y)
        fastreg.Ridge(alpha=1.0, solver=solver, penalty_factor=f).fit(sp.csc_matrix(X), y)
    assert_array_equal(X, X0)
    assert_array_equal(y, y0)
    assert_array_equal(f, f0)
    copy = clone(fastreg.Ridge(penalty_factor=f))
    assert_array_equal(copy.penalty_factor, f)


def test_float32_input_keeps_its_dtype():
    X, y = make_data("tall", seed=24)
    f = factors(12, seed=25)
    model = fastreg.Ridge(alpha=1.0, penalty_factor=f).fit(X.astype(np.float32), y)
    assert model.coef_.dtype == np.float32
    assert_optimal(X.astype(np.float32).astype(np.float64), y, model, 1.0, f, rtol=1e-5)


# ------------------------------------------------------------ RidgeCV


def loo_alpha(X, y, alphas, f):
    """The α of least mean squared leave-one-out error, by n refits per α (no shortcut)."""
    n = X.shape[0]
    errors = []
    for a in alphas:
        e = 0.0
        for i in range(n):
            rows = np.arange(n) != i
            w, b = exact(X[rows], y[rows], a, f)
            e += (y[i] - X[i] @ w - b) ** 2
        errors.append(e / n)
    return alphas[int(np.argmin(errors))], min(errors)


@pytest.mark.parametrize("storage", ["C", "csr"])
@pytest.mark.parametrize("shape", [(30, 8), (12, 25)], ids=["tall", "wide"])
def test_ridgecv_leave_one_out_with_factors_is_the_brute_force_one(shape, storage):
    X, y = make_data(shape, seed=26)
    f = np.random.default_rng(27).uniform(0.05, 20.0, shape[1])
    f[3] = INF
    alphas = np.array([0.01, 0.3, 3.0, 30.0])
    model = fastreg.RidgeCV(alphas=alphas, penalty_factor=f).fit(STORAGES[storage](X), y)
    best, mse = loo_alpha(X, y, alphas, f)
    assert model.alpha_ == best
    assert model.best_score_ == pytest.approx(-mse, rel=1e-8)
    assert_optimal(X, y, model, best, f, rtol=1e-8)
    assert model.coef_[3] == 0.0 and model.coef_.shape == (shape[1],)


def test_ridgecv_folds_with_factors_refit_the_generalized_ridge():
    X, y = make_data((40, 10), k=2, seed=28)
    f = np.random.default_rng(29).uniform(0.1, 10.0, 10)
    f[0] = INF
    model = fastreg.RidgeCV(alphas=[0.1, 1.0, 10.0], cv=4, penalty_factor=f).fit(X.astype(np.float32), y)
    assert model.coef_.dtype == np.float32 and model.coef_.shape == (2, 10)
    assert_optimal(X, y, model, model.alpha_, f, rtol=1e-5)


@pytest.mark.parametrize("cv", [None, 3])
def test_ridgecv_with_every_feature_left_out_fits_the_intercept(cv):
    X, y = make_data((30, 5), seed=33)
    model = fastreg.RidgeCV(penalty_factor=np.full(5, INF), cv=cv).fit(sp.csr_matrix(X), y)
    assert_array_equal(model.coef_, 0.0)
    assert model.intercept_ == pytest.approx(y.mean(), rel=1e-12)


def test_ridgecv_refuses_unpenalized_features():
    X, y = make_data("tall", seed=30)
    f = np.ones(12)
    f[0] = 0.0
    with pytest.raises(ValueError, match="RidgeCV.*penalty_factor 0"):
        fastreg.RidgeCV(penalty_factor=f).fit(X, y)
    with pytest.raises(ValueError, match="penalty_factor must have shape"):
        fastreg.RidgeCV(penalty_factor=np.ones(3)).fit(X, y)


# ------------------------------------------------------------ Dask


@pytest.mark.parametrize("engine", ["gram", "fista"])
def test_dask_ridge_takes_the_factors(monkeypatch, engine):
    da = pytest.importorskip("dask.array")
    import fastreg._policy

    X, y = make_data((120, 10), seed=31)
    f = factors(10, seed=32)
    if engine == "fista":
        monkeypatch.setattr(fastreg._policy, "DASK_GRAM_MAX_FEATURES", 5)
    model = fastreg.Ridge(alpha=2.0, penalty_factor=f, tol=1e-12, max_iter=100_000).fit(da.from_array(X, chunks=40), y)
    assert model.solver_ == ("cholesky" if engine == "gram" else "fista")
    w, b = exact(X, y, 2.0, f)
    assert_array_equal(model.coef_[np.isinf(f)], 0.0)
    best = objective(X, y, w, b, 2.0, f)
    assert objective(X, y, model.coef_, model.intercept_, 2.0, f) <= best * (1 + 1e-9)
    if engine == "gram":
        positive = fastreg.Ridge(alpha=2.0, penalty_factor=f, positive=True).fit(da.from_array(X, chunks=40), y)
        memory = fastreg.Ridge(alpha=2.0, penalty_factor=f, positive=True).fit(X, y)
        assert_allclose(positive.coef_, memory.coef_, rtol=1e-6, atol=1e-9)
