"""Ridge, RidgeCV and LinearRegression as drop-ins: scikit-learn's parameters, against exact references.

The references are closed forms computed here (least squares on the augmented
system ``[D X_c; √α I] w ≈ [D y_c; 0]``, ``np.linalg.lstsq`` for the
minimum-norm solution) or scikit-learn itself where its answer is exact.
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn import linear_model as sk
from sklearn.exceptions import ConvergenceWarning

import fastreg
from helpers import assert_ridge_certified


def make_data(n, p, k=None, seed=0, density=None, offset=0.5):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) + offset
    if density is not None:
        X *= rng.random((n, p)) < density
    w = rng.standard_normal((p,) if k is None else (p, k))
    y = X @ w + 2.0 + 0.3 * rng.standard_normal((n,) if k is None else (n, k))
    return X, y


def exact_ridge(X, y, alpha, sample_weight=None, fit_intercept=True):
    """``argmin Σ sᵢ(yᵢ − xᵢw − b)² + α‖w‖²`` by least squares on the augmented system (one target)."""
    X = np.asarray(X.toarray() if sp.issparse(X) else X, dtype=np.float64)
    s = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    if fit_intercept:
        x_mean, y_mean = s @ X / s.sum(), s @ y / s.sum()
    else:
        x_mean, y_mean = np.zeros(X.shape[1]), 0.0
    d = np.sqrt(s)
    A = np.vstack([d[:, None] * (X - x_mean), np.sqrt(alpha) * np.eye(X.shape[1])])
    b = np.r_[d * (y - y_mean), np.zeros(X.shape[1])]
    w = np.linalg.lstsq(A, b, rcond=None)[0]
    return w, (y_mean - x_mean @ w) if fit_intercept else 0.0


def ridge_objective(X, y, coef, intercept, alpha, sample_weight=None):
    r = y - X @ coef - intercept
    s = np.ones(len(y)) if sample_weight is None else sample_weight
    return s @ (r * r) + alpha * coef @ coef


def snapshot(*arrays):
    return [a.copy() if isinstance(a, np.ndarray) else (a.copy() if sp.issparse(a) else a) for a in arrays]


def assert_unchanged(before, after):
    for b, a in zip(before, after):
        if sp.issparse(a):
            assert_array_equal(a.toarray(), b.toarray())
        elif isinstance(a, np.ndarray):
            assert_array_equal(a, b)


# ---------------------------------------------------------------------------- Ridge: solver names

SKLEARN_SOLVERS = ["auto", "svd", "cholesky", "lsqr", "sparse_cg", "sag", "saga"]
# what runs for each name on these small problems (the table of Ridge's docstring)
RUNS = {
    ("dense", "tall"): {"auto": "cholesky", "svd": "cholesky", "cholesky": "cholesky", "lsqr": "lsqr",
                        "sparse_cg": "cg", "sag": "cholesky", "saga": "cholesky"},
    ("dense", "wide"): {"auto": "cholesky", "svd": "cholesky", "cholesky": "cholesky", "lsqr": "lsqr",
                        "sparse_cg": "cg", "sag": "cholesky", "saga": "cholesky"},
    ("csr", "tall"): {"auto": "cholesky", "cholesky": "cholesky", "lsqr": "lsqr", "sparse_cg": "cg",
                      "sag": "cholesky", "saga": "cholesky"},
    ("csr", "wide"): {"auto": "cg", "cholesky": "cholesky", "lsqr": "lsqr", "sparse_cg": "cg", "sag": "cg",
                      "saga": "cg"},
}


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("fit_intercept", [True, False], ids=["intercept", "no_intercept"])
@pytest.mark.parametrize("shape", ["tall", "wide"])
@pytest.mark.parametrize("storage", ["dense", "csr"])
@pytest.mark.parametrize("solver", SKLEARN_SOLVERS)
def test_every_sklearn_solver_name_reaches_the_exact_optimum(solver, storage, shape, fit_intercept, weighted):
    n, p = (40, 8) if shape == "tall" else (12, 30)
    X, y = make_data(n, p, seed=1, density=0.7)
    sw = np.random.default_rng(2).uniform(0.2, 2.0, n) if weighted else None
    Xs = sp.csr_matrix(X) if storage == "csr" else X
    model = fastreg.Ridge(alpha=0.7, solver=solver, fit_intercept=fit_intercept, random_state=0)
    if storage == "csr" and (solver == "svd" or (solver == "saga" and fit_intercept)):
        error = TypeError if solver == "svd" and not fit_intercept else ValueError
        with pytest.raises(error, match=f"solver='{solver}' does not support"):
            model.fit(Xs, y, sample_weight=sw)
        return
    before = snapshot(Xs, y, sw)
    model.fit(Xs, y, sample_weight=sw)
    assert_unchanged(before, (Xs, y, sw))
    w, b = exact_ridge(X, y, 0.7, sw, fit_intercept)
    assert_allclose(model.coef_, w, rtol=1e-7, atol=1e-9 * np.abs(w).max())
    assert model.intercept_ == pytest.approx(b, rel=1e-7, abs=1e-9)
    f, f_ref = ridge_objective(X, y, model.coef_, model.intercept_, 0.7, sw), ridge_objective(X, y, w, b, 0.7, sw)
    assert abs(f - f_ref) <= 1e-9 * f_ref
    assert model.solver_ == RUNS[storage, shape][solver]
    assert model.n_iter_.shape == (1,) and model.n_iter_.dtype == np.int32 and model.n_iter_[0] >= 1


def test_sag_ignores_its_own_tol_and_max_iter_and_random_state():
    """SAG's tol bounds a change of coef_: the exact stand-in runs at fastreg's precision, whatever is passed."""
    X, y = make_data(30, 6, seed=3)
    ref = fastreg.Ridge(alpha=2.0).fit(X, y)
    for params in (dict(tol=1e-1, max_iter=1), dict(tol=1e-15, max_iter=100_000, random_state=np.random.RandomState(5))):
        for solver in ("sag", "saga", "svd"):
            model = fastreg.Ridge(alpha=2.0, solver=solver, **params).fit(X, y)
            assert_array_equal(model.coef_, ref.coef_)


def test_lsqr_and_sparse_cg_keep_their_tol_and_max_iter():
    X, y = make_data(60, 10, k=2, seed=4)
    for solver, name in (("lsqr", "lsqr"), ("sparse_cg", "cg")):
        with pytest.warns(ConvergenceWarning, match="did not reach tol"):
            model = fastreg.Ridge(alpha=1.0, solver=solver, max_iter=2).fit(X, y)
        assert model.solver_ == name
        assert_array_equal(model.n_iter_, [2, 2])  # one count per target, as scikit-learn's
        tight = fastreg.Ridge(alpha=1.0, solver=solver, tol=1e-12).fit(X, y)
        assert np.all((tight.n_iter_ > 2) & (tight.n_iter_ <= 10 + 1))
        for j in range(2):
            w, b = exact_ridge(X, y[:, j], 1.0)
            assert_allclose(tight.coef_[j], w, rtol=1e-9, atol=1e-11)


def test_solver_names_of_the_other_paths(monkeypatch):
    X, y = make_data(30, 6, seed=5)
    S = sp.csr_matrix(X)
    sw = np.linspace(0.5, 2.0, 30)
    assert fastreg.Ridge(alpha=0.0).fit(X, y).solver_ == "lstsq"
    assert fastreg.Ridge(alpha=0.0).fit(S, y).solver_ == "lsqr"
    assert fastreg.Ridge(alpha=1.0).fit(X, y, sample_weight=sw).solver_ == "cholesky"
    assert fastreg.Ridge(alpha=1.0, positive=True).fit(X, y).solver_ == "nnls"
    assert fastreg.Ridge(alpha=1.0, positive=True, solver="lbfgs").fit(S, y).solver_ == "lbfgs"
    gd = fastreg.Ridge(alpha=1.0, solver="gd", tol=1e-6).fit(X, y)
    assert gd.solver_ == "gd" and gd.n_iter_.shape == (1,) and gd.n_iter_[0] > 1
    # "auto" on wide dense float64 X runs CG on the dual while it is predicted cheaper than the Cholesky route
    from fastreg.solvers.ridge import policy

    monkeypatch.setattr(policy, "DUAL_CG_ITERS_PER_ROW", 1.0)  # a budget of n iterations
    Xw, yw = make_data(100, 600, seed=6)
    wide = fastreg.Ridge(alpha=1.0).fit(Xw, yw)
    assert wide.solver_ == "cg" and wide.n_iter_[0] > 1
    w, b = exact_ridge(Xw, yw, 1.0)
    assert_ridge_certified(Xw, yw, 1.0, wide.coef_, wide.intercept_, w, b)  # its stop: policy.AUTO_GAP_TOL
    monkeypatch.setattr(policy, "DUAL_CG_ITERS_PER_ROW", 0.05)  # 5 iterations: CG hands over to Cholesky
    handed = fastreg.Ridge(alpha=1.0).fit(Xw, yw)
    assert handed.solver_ == "cholesky" and handed.n_iter_[0] == 1
    assert_allclose(handed.coef_, w, rtol=1e-9, atol=1e-11 * np.abs(w).max())


# ---------------------------------------------------------------------------- Ridge: alpha per target


@pytest.mark.parametrize("storage", ["dense", "csr"])
@pytest.mark.parametrize("solver", ["auto", "cholesky", "lsqr", "sparse_cg", "svd", "sag"])
def test_alpha_per_target_is_each_target_at_its_alpha(solver, storage):
    X, Y = make_data(25, 40, k=4, seed=7, density=0.8)
    Xs = sp.csr_matrix(X) if storage == "csr" else X
    if storage == "csr" and solver == "svd":
        pytest.skip("solver='svd' refuses sparse X")
    alphas = np.array([0.3, 3.0, 0.3, 30.0])
    before = snapshot(alphas, X, Y)
    model = fastreg.Ridge(alpha=alphas, solver=solver, tol=1e-12).fit(Xs, Y)
    assert_unchanged(before, (alphas, X, Y))
    assert model.coef_.shape == (4, 40) and model.intercept_.shape == (4,)
    for j, a in enumerate(alphas):
        w, b = exact_ridge(X, Y[:, j], a)
        if solver == "sag" and storage == "csr":  # "auto" at the default tol (sag's own tol means else)
            assert_ridge_certified(X, Y[:, j], a, model.coef_[j], model.intercept_[j], w, b)
            continue
        assert_allclose(model.coef_[j], w, rtol=1e-8, atol=1e-10 * np.abs(w).max())
        assert model.intercept_[j] == pytest.approx(b, rel=1e-8, abs=1e-10)
    assert model.n_iter_.shape == (4,)
    # a list, and one alpha for every target, mean the same as the float / the array
    assert_allclose(fastreg.Ridge(alpha=list(alphas), solver=solver, tol=1e-12).fit(Xs, Y).coef_, model.coef_,
                    rtol=1e-12, atol=1e-14)
    single = fastreg.Ridge(alpha=[3.0], solver=solver, tol=1e-12).fit(Xs, Y)
    assert_allclose(single.coef_, fastreg.Ridge(alpha=3.0, solver=solver, tol=1e-12).fit(Xs, Y).coef_,
                    rtol=1e-12, atol=1e-14)


def test_alpha_per_target_with_zero_weights_positive_and_sklearn():
    X, Y = make_data(30, 6, k=3, seed=8)
    sw = np.random.default_rng(8).uniform(0.0, 2.0, 30)
    sw[:4] = 0.0
    alphas = [0.0, 1.0, 10.0]
    model = fastreg.Ridge(alpha=alphas).fit(X, Y, sample_weight=sw)
    assert model.solver_ == "lstsq+cholesky"
    ref = sk.Ridge(alpha=alphas, solver="svd").fit(X, Y, sample_weight=sw)
    assert_allclose(model.coef_, ref.coef_, rtol=1e-9)
    assert_allclose(model.intercept_, ref.intercept_, rtol=1e-9)
    positive = fastreg.Ridge(alpha=alphas, positive=True).fit(X, Y)
    for j, a in enumerate(alphas):
        assert_allclose(positive.coef_[j], fastreg.Ridge(alpha=a, positive=True).fit(X, Y[:, j]).coef_, rtol=1e-12)
    assert np.all(positive.coef_ >= 0)


@pytest.mark.parametrize(
    "alpha, error, pattern",
    [
        ([1.0, 2.0], ValueError, "Number of targets and number of penalties do not correspond: 2 != 3"),
        ([1.0, -2.0, 1.0], ValueError, r"alpha must be >= 0, got alpha\[1\] = -2.0"),
        ([1.0, np.nan, 1.0], ValueError, r"alpha must be finite, got alpha\[1\]"),
        ([[1.0, 2.0, 3.0]], ValueError, "1-D array-like"),
        ([], ValueError, "non-empty 1-D"),
        (["1", "2", "3"], TypeError, "alpha must be a real number or a 1-D array-like"),
        (np.array([True, False, True]), TypeError, "alpha must be a real number or a 1-D array-like"),
    ],
)
def test_bad_alpha_arrays_get_clear_errors(alpha, error, pattern):
    X, Y = make_data(20, 4, k=3, seed=9)
    with pytest.raises(error, match=pattern):
        fastreg.Ridge(alpha=alpha).fit(X, Y)


def test_alpha_array_for_one_dimensional_y():
    X, y = make_data(20, 4, seed=10)
    assert_array_equal(fastreg.Ridge(alpha=np.array([2.0])).fit(X, y).coef_, fastreg.Ridge(alpha=2.0).fit(X, y).coef_)
    with pytest.raises(ValueError, match="2 != 1"):
        fastreg.Ridge(alpha=[1.0, 2.0]).fit(X, y)
    with pytest.raises(ValueError, match="takes one alpha"):
        fastreg.Ridge(alpha=[1.0, 2.0], solver="gd").fit(X, y)


# ---------------------------------------------------------------------------- Ridge: positive, refusals


def test_positive_lbfgs_is_positive_auto_and_reaches_the_constrained_optimum():
    X, y = make_data(50, 12, seed=11)
    sw = np.random.default_rng(11).uniform(0.5, 2.0, 50)
    for Xs in (X, sp.csr_matrix(X)):
        auto = fastreg.Ridge(alpha=2.0, positive=True).fit(Xs, y, sample_weight=sw)
        lbfgs = fastreg.Ridge(alpha=2.0, positive=True, solver="lbfgs").fit(Xs, y, sample_weight=sw)
        assert_array_equal(auto.coef_, lbfgs.coef_)
        assert np.all(auto.coef_ >= 0) and np.any(auto.coef_ == 0)
    dense = fastreg.Ridge(alpha=2.0, positive=True, solver="lbfgs").fit(X, y, sample_weight=sw)
    ref = sk.Ridge(alpha=2.0, positive=True, solver="lbfgs", tol=1e-14, max_iter=100_000).fit(X, y, sample_weight=sw)
    f = ridge_objective(X, y, dense.coef_, dense.intercept_, 2.0, sw)
    assert f <= ridge_objective(X, y, ref.coef_, ref.intercept_, 2.0, sw) * (1 + 1e-12)
    assert_allclose(dense.coef_, ref.coef_, atol=1e-6)


@pytest.mark.parametrize("storage", ["dense", "csr"])
def test_positive_max_iter_one_warns_instead_of_raising(storage):
    """NNLS past max_iter raised scipy's RuntimeError; now L-BFGS-B takes over and warns if it stops short too."""
    X, y = make_data(60, 20, seed=12)
    Xs = sp.csr_matrix(X) if storage == "csr" else X
    with pytest.warns(ConvergenceWarning, match="lbfgs solver did not converge in max_iter=1"):
        model = fastreg.Ridge(alpha=1.0, positive=True, max_iter=1).fit(Xs, y)
    assert model.solver_ == "lbfgs" and np.all(model.coef_ >= 0) and np.all(np.isfinite(model.coef_))
    exact = fastreg.Ridge(alpha=1.0, positive=True).fit(X, y)
    assert ridge_objective(X, y, model.coef_, model.intercept_, 1.0) > ridge_objective(
        X, y, exact.coef_, exact.intercept_, 1.0
    )
    # enough NNLS iterations: the exact answer, no warning
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        enough = fastreg.Ridge(alpha=1.0, positive=True, max_iter=200).fit(X, y)
    assert enough.solver_ == "nnls"
    assert_allclose(enough.coef_, exact.coef_, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize(
    "params, sparse, error, pattern",
    [
        (dict(solver="lbfgs"), False, ValueError, "solver='lbfgs' can be used only when positive=True"),
        (dict(solver="svd", positive=True), False, ValueError, "solver='svd' does not support positive fitting"),
        (dict(solver="sag", positive=True), False, ValueError, "solver='sag' does not support positive fitting"),
        (dict(solver="cholesky", positive=True), True, ValueError, "does not support positive fitting"),
        (dict(solver="svd"), True, ValueError, "solver='svd' does not support fitting the intercept on sparse"),
        (dict(solver="svd", fit_intercept=False), True, TypeError, "solver='svd' does not support sparse X"),
        (dict(solver="saga"), True, ValueError, "solver='saga' does not support fitting the intercept on sparse"),
        (dict(solver="newton"), False, ValueError, "solver must be one of 'auto', 'svd'"),
        (dict(random_state="seed"), False, ValueError, "cannot be used to seed"),
    ],
)
def test_refused_combinations_get_clear_errors(params, sparse, error, pattern):
    X, y = make_data(20, 5, seed=13)
    with pytest.raises(error, match=pattern):
        fastreg.Ridge(**params).fit(sp.csr_matrix(X) if sparse else X, y)


def test_what_scikit_learn_refuses_but_fastreg_keeps():
    """Sparse X with an intercept by "cholesky" (fastreg's own solver: implicit centering), and saga without one."""
    X, y = make_data(40, 8, seed=14, density=0.5)
    S = sp.csr_matrix(X)
    w, b = exact_ridge(X, y, 1.0)
    model = fastreg.Ridge(alpha=1.0, solver="cholesky").fit(S, y)
    assert_allclose(model.coef_, w, rtol=1e-9)
    assert model.intercept_ == pytest.approx(b, rel=1e-9)
    w0, _ = exact_ridge(X, y, 1.0, fit_intercept=False)
    assert_allclose(fastreg.Ridge(alpha=1.0, solver="saga", fit_intercept=False).fit(S, y).coef_, w0, rtol=1e-9)


def test_random_state_is_accepted_and_changes_nothing():
    X, y = make_data(30, 6, seed=15)
    coefs = [fastreg.Ridge(solver="sag", random_state=rs).fit(X, y).coef_
             for rs in (None, 0, 123, np.random.RandomState(7))]
    for coef in coefs[1:]:
        assert_array_equal(coef, coefs[0])


def test_n_iter_counts_one_for_direct_solves_and_persists(tmp_path):
    X, Y = make_data(30, 6, k=2, seed=16)
    model = fastreg.Ridge(alpha=1.0, solver="cholesky").fit(X, Y)
    assert_array_equal(model.n_iter_, [1, 1])
    model.save(tmp_path / "m.npz")
    loaded = fastreg.load(tmp_path / "m.npz")
    assert_array_equal(loaded.n_iter_, model.n_iter_)
    assert loaded.solver_ == "cholesky"
    array_alpha = fastreg.Ridge(alpha=np.array([1.0, 2.0])).fit(X, Y)
    array_alpha.save(tmp_path / "a.npz")
    assert_array_equal(fastreg.load(tmp_path / "a.npz").predict(X), array_alpha.predict(X))


def test_dask_alpha_per_target():
    da = pytest.importorskip("dask.array")
    X, Y = make_data(60, 5, k=3, seed=17)
    alphas = [0.5, 5.0, 0.5]
    lazy = fastreg.Ridge(alpha=alphas).fit(da.from_array(X, chunks=20), da.from_array(Y, chunks=20))
    local = fastreg.Ridge(alpha=alphas).fit(X, Y)
    assert_allclose(lazy.coef_, local.coef_, rtol=1e-10)
    assert lazy.solver_ == "cholesky" and lazy.n_iter_.shape == (3,)


# ---------------------------------------------------------------------------- LinearRegression


def test_linear_regression_tol_is_the_sparse_lsqr_tolerance():
    X, y = make_data(200, 30, seed=18, density=0.3)
    S = sp.csr_matrix(X)
    exact = np.linalg.lstsq(np.c_[X, np.ones(200)], y, rcond=None)[0]
    tight = fastreg.LinearRegression().fit(S, y)
    assert_allclose(tight.coef_, exact[:-1], rtol=1e-10)
    loose = fastreg.LinearRegression(tol=1e-2).fit(S, y)
    err_loose = np.abs(loose.coef_ - exact[:-1]).max()
    assert 1e-9 < err_loose < 1.0  # stopped early, near the answer
    zero = fastreg.LinearRegression(tol=0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # tol=0 runs LSQR to its iteration limit
        zero.fit(S, y)
    assert_allclose(zero.coef_, exact[:-1], rtol=1e-9)
    # dense X: gelsd, no tolerance (scikit-learn's cond=tol would truncate singular values)
    assert_array_equal(fastreg.LinearRegression(tol=1e-2).fit(X, y).coef_, fastreg.LinearRegression().fit(X, y).coef_)


def test_linear_regression_tol_does_not_truncate_dense_ill_conditioned_x():
    rng = np.random.default_rng(19)
    U, _ = np.linalg.qr(rng.standard_normal((50, 5)))
    V, _ = np.linalg.qr(rng.standard_normal((5, 5)))
    X = U @ np.diag([1.0, 1e-2, 1e-4, 1e-7, 1e-9]) @ V.T
    y = rng.standard_normal(50)
    ours = fastreg.LinearRegression(fit_intercept=False).fit(X, y)  # default tol
    exact = np.linalg.lstsq(X, y, rcond=None)[0]
    assert_allclose(ours.coef_, exact, rtol=1e-5)


def test_linear_regression_n_jobs_is_accepted():
    X, y = make_data(30, 4, seed=20)
    ref = fastreg.LinearRegression().fit(X, y).coef_
    for n_jobs in (None, 1, -1, 4):
        assert_array_equal(fastreg.LinearRegression(n_jobs=n_jobs).fit(X, y).coef_, ref)
    for bad in ("2", 1.5, True):
        with pytest.raises(TypeError, match="n_jobs must be None or an integer"):
            fastreg.LinearRegression(n_jobs=bad).fit(X, y)
    for bad, error in ((-1e-3, ValueError), ("small", TypeError), (np.inf, ValueError)):
        with pytest.raises(error, match="tol"):
            fastreg.LinearRegression(tol=bad).fit(X, y)


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("order", ["C", "F"])
def test_linear_regression_copy_x_false_centers_in_place(order, weighted):
    rng = np.random.default_rng(22)
    X0 = rng.standard_normal((30, 6)) + 2.0
    y = rng.standard_normal((30, 2))
    sw = rng.uniform(0.2, 2.0, 30) if weighted else None
    ref = fastreg.LinearRegression().fit(X0, y, sample_weight=sw)
    X = np.array(X0, order=order)
    model = fastreg.LinearRegression(copy_X=False).fit(X, y, sample_weight=sw)
    assert_allclose(model.coef_, ref.coef_, rtol=1e-12, atol=1e-14)
    assert_allclose(model.intercept_, ref.intercept_, rtol=1e-12)
    assert np.linalg.norm(X - X0) > 1.0  # centered in place: the copy saved
    # copy_X=True, float32, read-only and sparse X are never written
    for Xk, copy_X in ((np.array(X0, order=order), True), (X0.astype(np.float32), False),
                       (sp.csr_matrix(X0), False)):
        before = snapshot(Xk)
        fastreg.LinearRegression(copy_X=copy_X).fit(Xk, y, sample_weight=sw)
        assert_unchanged(before, (Xk,))
    frozen = np.array(X0, order=order)
    frozen.flags.writeable = False
    assert_allclose(fastreg.LinearRegression(copy_X=False).fit(frozen, y, sample_weight=sw).coef_, ref.coef_,
                    rtol=1e-12, atol=1e-14)
    assert_array_equal(frozen, X0)


def test_linear_regression_sample_weights_closed_form():
    """scikit-learn's check: weighted least squares equals (XᵀWX)⁻¹XᵀWy, with and without intercept, sparse too."""
    rng = np.random.default_rng(21)
    X, y = rng.normal(size=(6, 5)), rng.normal(size=6)
    sw = 1.0 + rng.uniform(size=6)
    for fit_intercept in (True, False):
        A = np.c_[np.ones(6), X] if fit_intercept else X
        ref = np.linalg.solve(A.T @ (sw[:, None] * A), A.T @ (sw * y))
        for Xs in (X, sp.csr_matrix(X)):
            model = fastreg.LinearRegression(fit_intercept=fit_intercept, tol=1e-16).fit(Xs, y, sample_weight=sw)
            assert_allclose(model.coef_, ref[1:] if fit_intercept else ref, rtol=1e-8)
            if fit_intercept:
                assert model.intercept_ == pytest.approx(ref[0], rel=1e-8)


# ---------------------------------------------------------------------------- RidgeCV: gcv_mode, rank deficiency

GCV_MODES = [None, "auto", "eigen", "svd", "cov", "gram"]


def min_norm_lstsq(X, y, fit_intercept, sample_weight=None):
    """The minimum-norm weighted least-squares solution, by ``np.linalg.lstsq`` on the centered data."""
    s = np.ones(len(y)) if sample_weight is None else sample_weight
    x_mean = s @ X / s.sum() if fit_intercept else np.zeros(X.shape[1])
    y_mean = s @ y / s.sum() if fit_intercept else 0.0
    d = np.sqrt(s)
    w = np.linalg.lstsq(d[:, None] * (X - x_mean), d * (y - y_mean), rcond=None)[0]
    return w, y_mean - x_mean @ w


def rank_deficient(case, seed=30):
    rng = np.random.default_rng(seed)
    if case == "tall-duplicated":  # 60 x 40, rank 20: [X, X]
        X = rng.standard_normal((60, 20)) + 1.0
        X = np.c_[X, X]
    elif case == "wide":  # n < p: X̃ᵀX̃ has p − n + 1 null directions
        X = rng.standard_normal((25, 60)) + 1.0
    elif case == "tall-collinear":  # a column that is a combination of two others
        X = rng.standard_normal((50, 12)) + 1.0
        X[:, 5] = 2.0 * X[:, 1] - 0.5 * X[:, 3]
    else:  # square
        X = rng.standard_normal((30, 30)) + 1.0
    y = X @ rng.standard_normal(X.shape[1]) + 3.0 + 0.5 * rng.standard_normal(X.shape[0])
    return X, y


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("fit_intercept", [True, False], ids=["intercept", "no_intercept"])
@pytest.mark.parametrize("case", ["tall-duplicated", "wide", "tall-collinear", "square"])
@pytest.mark.parametrize("storage", ["dense", "csr"])
@pytest.mark.parametrize("mode", GCV_MODES)
def test_every_gcv_mode_reaches_the_minimum_norm_solution_as_alpha_vanishes(mode, storage, case, fit_intercept,
                                                                           weighted):
    """α = 1e-16 on rank-deficient data: the minimum-norm least-squares solution, whatever the decomposition."""
    X, y = rank_deficient(case)
    sw = None
    if weighted:
        sw = np.random.default_rng(31).uniform(0.2, 2.0, X.shape[0])
        sw[:3] = 0.0  # zero weights add null directions of their own
    Xs = sp.csr_matrix(X) if storage == "csr" else X
    model = fastreg.RidgeCV(alphas=[1e-16], gcv_mode=mode, fit_intercept=fit_intercept)
    if mode == "svd" and storage == "csr":
        with pytest.warns(FutureWarning, match="The 'svd' mode is not supported for sparse X"):
            model.fit(Xs, y, sample_weight=sw)
    else:
        model.fit(Xs, y, sample_weight=sw)
    w, b = min_norm_lstsq(X, y, fit_intercept, sw)
    scale = np.abs(w).max()
    assert_allclose(model.coef_, w, rtol=1e-7, atol=1e-8 * scale)
    assert model.intercept_ == pytest.approx(b, rel=1e-7, abs=1e-8 * max(scale, 1.0))


def test_svd_mode_keeps_the_digits_the_gram_loses():
    """Singular values down to 1e-6 of the largest: "svd" matches lstsq where the Gram (condition 1e12) cannot."""
    rng = np.random.default_rng(32)
    U, _ = np.linalg.qr(rng.standard_normal((80, 6)))
    V, _ = np.linalg.qr(rng.standard_normal((6, 6)))
    X = U @ np.diag(np.logspace(0, -6, 6)) @ V.T
    y = rng.standard_normal(80)
    w, _ = min_norm_lstsq(X, y, False)
    svd = fastreg.RidgeCV(alphas=[1e-20], gcv_mode="svd", fit_intercept=False).fit(X, y)
    assert_allclose(svd.coef_, w, rtol=1e-6)
    eigen = fastreg.RidgeCV(alphas=[1e-20], gcv_mode="eigen", fit_intercept=False).fit(X, y)
    assert np.abs(eigen.coef_ - w).max() > 1e3 * np.abs(svd.coef_ - w).max()


@pytest.mark.parametrize("shape", [(40, 10), (15, 40)], ids=["tall", "wide"])
@pytest.mark.parametrize("mode", ["svd", "eigen", "cov", "gram"])
def test_gcv_modes_agree_with_brute_force_leave_one_out(mode, shape):
    X, y = make_data(*shape, seed=33)
    sw = np.random.default_rng(33).uniform(0.5, 2.0, shape[0])
    alphas = [0.01, 0.3, 10.0]
    model = fastreg.RidgeCV(alphas=alphas, gcv_mode=mode, store_cv_results=True).fit(X, y, sample_weight=sw)
    errors = np.empty((shape[0], 3))
    for i in range(shape[0]):
        keep = np.arange(shape[0]) != i
        for a, alpha in enumerate(alphas):
            w, b = exact_ridge(X[keep], y[keep], alpha, sw[keep])
            errors[i, a] = y[i] - X[i] @ w - b
    expected = sw[:, None] * errors**2  # scikit-learn's rescaled squared errors
    assert_allclose(model.cv_results_, expected, rtol=1e-8)
    best = int(np.argmax(-expected.mean(axis=0)))
    assert model.alpha_ == alphas[best]
    assert model.best_score_ == pytest.approx(-expected.mean(axis=0)[best], rel=1e-9)
    w, b = exact_ridge(X, y, alphas[best], sw)
    assert_allclose(model.coef_, w, rtol=1e-9, atol=1e-11)


def test_bad_gcv_mode_and_incompatible_options():
    X, y = make_data(20, 4, seed=34)
    with pytest.raises(ValueError, match="gcv_mode must be None, 'auto', 'eigen', 'svd', 'cov' or 'gram'"):
        fastreg.RidgeCV(gcv_mode="qr").fit(X, y)
    with pytest.raises(ValueError, match="cv!=None and store_cv_results=True are incompatible"):
        fastreg.RidgeCV(cv=3, store_cv_results=True).fit(X, y)
    with pytest.raises(ValueError, match="scoring='accuracy_of_nothing' is not a valid scoring value"):
        fastreg.RidgeCV(scoring="accuracy_of_nothing").fit(X, y)
    with pytest.raises(ValueError, match="scoring must be a scorer name, a callable"):
        fastreg.RidgeCV(scoring=["r2", "max_error"]).fit(X, y)
    with pytest.raises(TypeError, match="store_cv_results must be True or False"):
        fastreg.RidgeCV(store_cv_results="yes").fit(X, y)


# ---------------------------------------------------------------------------- RidgeCV: scoring, cv_results_


def brute_loo_predictions(X, y, alphas, sw=None):
    """(n, [k,] n_alphas): each row predicted by Ridge fitted without it (at each α)."""
    n = X.shape[0]
    out = np.empty((n,) + y.shape[1:] + (len(alphas),))
    for i in range(n):
        keep = np.arange(n) != i
        for a, alpha in enumerate(alphas):
            model = fastreg.Ridge(alpha=alpha, solver="cholesky")
            model.fit(X[keep], y[keep], sample_weight=None if sw is None else sw[keep])
            out[i, ..., a] = model.predict(X[i : i + 1])[0]
    return out


@pytest.mark.parametrize("k", [None, 2], ids=["1-target", "2-targets"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("scoring", ["neg_mean_squared_error", "r2", "explained_variance", "neg_mean_absolute_error"])
def test_loo_scoring_scores_the_leave_one_out_predictions(scoring, weighted, k):
    from sklearn.metrics import get_scorer

    X, y = make_data(18, 5, k=k, seed=35)
    sw = np.random.default_rng(35).uniform(0.5, 2.0, 18) if weighted else None
    alphas = [0.01, 1.0, 30.0]
    before = snapshot(X, y, sw)
    model = fastreg.RidgeCV(alphas=alphas, scoring=scoring, store_cv_results=True).fit(X, y, sample_weight=sw)
    assert_unchanged(before, (X, y, sw))
    pred = brute_loo_predictions(X, y, alphas, sw)
    assert_allclose(model.cv_results_, pred, rtol=1e-9, atol=1e-9)
    metric = get_scorer(scoring)._score_func
    sign = get_scorer(scoring)._sign
    scores = [sign * metric(y, pred[..., a], **({} if sw is None else {"sample_weight": sw})) for a in range(3)]
    assert model.alpha_ == alphas[int(np.argmax(scores))]
    assert model.best_score_ == pytest.approx(max(scores), rel=1e-9)
    ref = sk.RidgeCV(alphas=alphas, scoring=scoring, store_cv_results=True).fit(X, y, sample_weight=sw)
    assert model.alpha_ == ref.alpha_
    assert model.best_score_ == pytest.approx(ref.best_score_, rel=1e-8)
    assert_allclose(model.cv_results_, ref.cv_results_, rtol=1e-8, atol=1e-8)


def test_loo_scoring_with_a_custom_multioutput_scorer_and_alpha_per_target():
    X, Y = make_data(20, 30, k=3, seed=36)
    alphas = [0.1, 3.0, 100.0]
    weights = np.array([3.0, 1.0, 0.2])

    def weighted_targets(estimator, X_, y_):
        errors = np.mean((y_ - estimator.predict(X_)) ** 2, axis=0)
        return -float(np.average(errors, weights=weights))

    model = fastreg.RidgeCV(alphas=alphas, scoring=weighted_targets).fit(X, Y)
    pred = brute_loo_predictions(X, Y, alphas)
    scores = [-np.average(np.mean((Y - pred[..., a]) ** 2, axis=0), weights=weights) for a in range(3)]
    assert model.alpha_ == alphas[int(np.argmax(scores))]
    assert model.best_score_ == pytest.approx(max(scores), rel=1e-9)
    per = fastreg.RidgeCV(alphas=alphas, scoring="r2", alpha_per_target=True).fit(X, Y)
    ref = sk.RidgeCV(alphas=alphas, scoring="r2", alpha_per_target=True).fit(X, Y)
    assert_array_equal(per.alpha_, ref.alpha_)
    assert_allclose(per.best_score_, ref.best_score_, rtol=1e-9)
    assert_allclose(per.coef_, ref.coef_, rtol=1e-8, atol=1e-10)


def test_loo_predictions_of_zero_weight_rows_are_the_full_models():
    """A row of weight zero is not in the fit: its LOO prediction is the full model's (scikit-learn: NaN)."""
    X, y = make_data(20, 4, seed=37)
    sw = np.random.default_rng(37).uniform(0.5, 2.0, 20)
    sw[[2, 11]] = 0.0
    alphas = [0.1, 10.0]
    model = fastreg.RidgeCV(alphas=alphas, scoring="neg_mean_squared_error", store_cv_results=True)
    model.fit(X, y, sample_weight=sw)
    assert np.all(np.isfinite(model.cv_results_))
    for a, alpha in enumerate(alphas):
        w, b = exact_ridge(X, y, alpha, sw)
        assert_allclose(model.cv_results_[[2, 11], a], X[[2, 11]] @ w + b, rtol=1e-9)
    keep = sw > 0
    absent = fastreg.RidgeCV(alphas=alphas, scoring="neg_mean_squared_error", store_cv_results=True)
    absent.fit(X[keep], y[keep], sample_weight=sw[keep])
    assert_allclose(model.cv_results_[keep], absent.cv_results_, rtol=1e-9)
    assert model.best_score_ == pytest.approx(absent.best_score_, rel=1e-9)  # weight 0: no part in the score


def test_cv_results_shapes_dtypes_and_refits():
    X, Y = make_data(12, 5, k=3, seed=38)
    alphas = [0.1, 1.0, 10.0, 100.0]
    one = fastreg.RidgeCV(alphas=alphas, store_cv_results=True).fit(X, Y[:, 0])
    assert one.cv_results_.shape == (12, 4) and one.cv_results_.dtype == np.float64
    many = fastreg.RidgeCV(alphas=alphas, store_cv_results=True).fit(X.astype(np.float32), Y)
    assert many.cv_results_.shape == (12, 3, 4) and many.cv_results_.dtype == np.float32
    assert many.coef_.dtype == np.float32
    per = fastreg.RidgeCV(alphas=alphas, store_cv_results=True, alpha_per_target=True).fit(X, Y)
    assert per.cv_results_.shape == (12, 3, 4) and per.alpha_.shape == (3,) and per.best_score_.shape == (3,)
    ints = fastreg.RidgeCV(alphas=alphas, store_cv_results=True).fit(np.round(X * 3).astype(int), Y[:, 0])
    assert ints.cv_results_.dtype == np.float64
    one.set_params(store_cv_results=False).fit(X, Y[:, 0])
    assert not hasattr(one, "cv_results_")


# ---------------------------------------------------------------------------- RidgeCV: k-fold


def test_r2_follows_sklearn_r2_score_on_its_edge_cases():
    from sklearn.metrics import r2_score

    from fastreg.ridge_cv import _r2

    rng = np.random.default_rng(39)
    cases = [
        (rng.standard_normal((6, 2)), rng.standard_normal((6, 2)), None),
        (rng.standard_normal((6, 2)), rng.standard_normal((6, 2)), rng.uniform(0.1, 2.0, 6)),
        (np.full((4, 1), 0.1), np.full((4, 1), 0.1), None),  # constant target, exact: 1
        (np.full((4, 1), 0.1), np.full((4, 1), 0.3), None),  # constant target, missed: 0
        (np.full((3, 1), 0.1), np.full((3, 1), 0.3), np.array([0.3, 1.7, 0.9])),  # as scikit-learn rounds
        (np.c_[np.full(4, 2.0), rng.standard_normal(4)], rng.standard_normal((4, 2)), None),
    ]
    for Y, pred, w in cases:
        assert _r2(Y, pred, w) == pytest.approx(r2_score(Y, pred, sample_weight=w), rel=1e-12, abs=1e-300)
    assert np.isnan(_r2(np.array([[1.0]]), np.array([[0.5]]), np.array([2.0])))  # one row: undefined


@pytest.mark.parametrize("shape", [(7, 5), (5, 10), (11, 3)], ids=["folds-of-1-and-2", "folds-of-1", "folds-of-2-3"])
def test_kfold_with_weights_picks_what_gridsearchcv_picks(shape):
    """A one-row test fold's R² is undefined (NaN), not a division by a rounding residue of ~1e-32."""
    from sklearn.model_selection import GridSearchCV, KFold

    rng = np.random.default_rng(40)
    X = rng.standard_normal(shape)
    y = rng.standard_normal(shape[0])
    sw = 1.0 + rng.random(shape[0])
    alphas = (0.1, 1.0, 10.0)
    single_rows = shape[0] < 10
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ours = fastreg.RidgeCV(alphas=alphas, cv=KFold(5)).fit(X, y, sample_weight=sw)
    assert any(issubclass(w.category, UserWarning) and "R^2" in str(w.message) for w in caught) == single_rows
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = GridSearchCV(sk.Ridge(), {"alpha": alphas}, cv=KFold(5)).fit(X, y, sample_weight=sw)
    assert ours.alpha_ == ref.best_estimator_.alpha
    if np.isnan(ref.best_score_):
        assert np.isnan(ours.best_score_)
    else:
        assert ours.best_score_ == pytest.approx(ref.best_score_, rel=1e-9)
    assert_allclose(ours.coef_, ref.best_estimator_.coef_, rtol=1e-8, atol=1e-12)


@pytest.mark.parametrize("scoring", ["neg_mean_squared_error", "r2", "neg_max_error"])
def test_kfold_scoring_as_gridsearchcv(scoring):
    from sklearn.model_selection import GridSearchCV

    X, Y = make_data(40, 6, k=2, seed=41)
    sw = np.random.default_rng(41).uniform(0.5, 2.0, 40)
    alphas = (0.01, 1.0, 100.0)
    y = Y[:, 0] if scoring == "neg_max_error" else Y  # max_error takes one target
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # max_error takes no sample_weight: both say so
        ours = fastreg.RidgeCV(alphas=alphas, cv=4, scoring=scoring).fit(X, y, sample_weight=sw)
        ref = GridSearchCV(sk.Ridge(), {"alpha": alphas}, cv=4, scoring=scoring).fit(X, y, sample_weight=sw)
    assert ours.alpha_ == ref.best_estimator_.alpha
    assert ours.best_score_ == pytest.approx(ref.best_score_, rel=1e-9)


def test_kfold_alpha_zero_is_least_squares_and_nan_folds_rank_last():
    from fastreg.ridge_cv import _first_best, _grid_best

    X, y = rank_deficient("tall-duplicated")
    model = fastreg.RidgeCV(alphas=[0.0], cv=3).fit(X, y)
    w, b = min_norm_lstsq(X, y, True)
    assert_allclose(model.coef_, w, rtol=1e-8, atol=1e-10)
    assert _grid_best([np.nan, 0.2, 0.5, 0.5]) == 2 and _grid_best([np.nan, np.nan]) == 0
    assert _first_best([np.nan, 0.2, 0.5]) == 0 and _first_best([0.1, np.nan, 0.5, 0.5]) == 2


# ---------------------------------------------------------------------------- RidgeCV: alphas


@pytest.mark.parametrize(
    "alphas, cv, error, pattern",
    [
        ((1, -1, -100), None, ValueError, r"alphas\[1\] == -1, must be > 0.0"),
        ((-0.1, -1.0, -10.0), None, ValueError, r"alphas\[0\] == -0.1, must be > 0.0"),
        ((1, 1.0, "1"), None, TypeError, r"alphas\[2\] must be an instance of float, not str"),
        ((0.0, 1.0, 10.0), None, ValueError, r"alphas\[0\] == 0.0, must be > 0.0."),
        ((0.0, -1.0), 3, ValueError, r"alphas\[1\] == -1.0, must be >= 0.0."),
        ([np.nan, 1.0], None, ValueError, r"alphas\[0\] must be finite"),
        ([np.inf], 3, ValueError, "alphas must be finite"),
        (0.0, None, ValueError, "alphas == 0.0, must be > 0.0"),
        ([], None, ValueError, "at least one value"),
        (np.ones((2, 2)), None, ValueError, "1-D array-like"),
    ],
)
def test_alphas_are_validated_as_sklearn_does(alphas, cv, error, pattern):
    X, y = make_data(12, 4, seed=42)
    with pytest.raises(error, match=pattern):
        fastreg.RidgeCV(alphas=alphas, cv=cv).fit(X, y)


def test_alphas_accepted_forms_are_not_modified():
    X, y = make_data(12, 4, seed=43)
    alphas = [0.5]
    model = fastreg.RidgeCV(alphas=alphas).fit(X, y)
    assert alphas == [0.5] and model.alphas is alphas and model.alpha_ == 0.5
    assert fastreg.RidgeCV(alphas=2).fit(X, y).alpha_ == 2.0
    assert fastreg.RidgeCV(alphas=np.array(3.0)).fit(X, y).alpha_ == 3.0
    assert fastreg.RidgeCV(alphas=(0.0, 1.0), cv=3).fit(X, y).alpha_ in (0.0, 1.0)
    assert isinstance(fastreg.RidgeCV(alphas=(1, 10)).fit(X, y).alpha_, float)
