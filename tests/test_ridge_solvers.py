"""The closed-form / Krylov Ridge and least-squares solvers against scikit-learn and NumPy."""

import functools
import warnings

import numpy as np
import pytest
import scipy.linalg
import scipy.sparse as sp
from sklearn.linear_model import Ridge
from sklearn.exceptions import ConvergenceWarning

import fastreg.solvers.ridge as ridge_mod
from helpers import assert_ridge_certified
from fastreg.solvers.ridge import direct, operators, policy, solve
from fastreg.solvers.ridge import lstsq_solve, ridge_solve

STORAGES = {
    "C": np.ascontiguousarray,
    "F": np.asfortranarray,
    "csr_matrix": sp.csr_matrix,
    "csr_array": sp.csr_array,
    "csc_matrix": sp.csc_matrix,
    "csc_array": sp.csc_array,
}
SHAPES = {"tall": (30, 6), "wide": (8, 20)}
SOLVERS = ["auto", "cholesky", "cg", "lsqr"]
ALPHAS = [1e-3, 1.0, 100.0]


def make_data(shape, dtype=np.float64, k=None, seed=0, density=0.6):
    """Sparse-ish data (zeros present) with a non-zero intercept; X rounded to ``dtype``."""
    n, p = shape
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) * (rng.random((n, p)) < density)
    X = X.astype(dtype).astype(np.float64)
    w = rng.standard_normal((p,) if k is None else (p, k))
    y = X @ w + 3.0 + 0.1 * rng.standard_normal((n,) if k is None else (n, k))
    return X, y


def objective(X, y, coef, intercept, alpha):
    r = y - X @ coef - intercept
    return r @ r + alpha * coef @ coef


@functools.lru_cache(maxsize=None)
def sklearn_ridge(shape_name, dtype, alpha, fit_intercept):
    X, y = make_data(SHAPES[shape_name], dtype)
    ref = Ridge(alpha=alpha, fit_intercept=fit_intercept, solver="svd").fit(X, y)
    return ref.coef_, float(ref.intercept_)


def assert_optimal(X, y, alpha, coef, intercept, ref_coef, ref_intercept, *, rtol_obj=1e-9, rtol_coef=1e-7):
    f = objective(X, y, coef, intercept, alpha)
    f_ref = objective(X, y, ref_coef, ref_intercept, alpha)
    assert abs(f - f_ref) <= rtol_obj * f_ref, (f, f_ref)
    scale = np.abs(ref_coef).max()
    np.testing.assert_allclose(coef, ref_coef, rtol=rtol_coef, atol=rtol_coef * scale)
    np.testing.assert_allclose(intercept, ref_intercept, rtol=rtol_coef, atol=rtol_coef * max(scale, 1.0))


def frozen(X):
    """A read-only version of ``X`` (any write raises) plus a snapshot to compare after."""
    if sp.issparse(X):
        snapshot = (X.data.copy(), X.indices.copy(), X.indptr.copy())
        for a in (X.data, X.indices, X.indptr):
            a.flags.writeable = False
    else:
        snapshot = X.copy(order="K")
        X.flags.writeable = False
    return X, snapshot


def assert_unchanged(X, snapshot):
    if sp.issparse(X):
        for a, b in zip((X.data, X.indices, X.indptr), snapshot):
            np.testing.assert_array_equal(a, b)
    else:
        np.testing.assert_array_equal(X, snapshot)


# ------------------------------------------------------------------------------- Ridge


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("alpha", ALPHAS)
@pytest.mark.parametrize("fit_intercept", [True, False], ids=["intercept", "no_intercept"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("storage", list(STORAGES))
@pytest.mark.parametrize("shape_name", list(SHAPES))
def test_ridge_matches_sklearn(shape_name, storage, dtype, fit_intercept, alpha, solver):
    X, y = make_data(SHAPES[shape_name], dtype)
    Xs, snapshot = frozen(STORAGES[storage](X.astype(dtype)))
    y_in, y_snapshot = frozen(y.copy())
    coef, intercept, n_iter = ridge_solve(Xs, y_in, alpha, fit_intercept=fit_intercept, solver=solver)
    ref_coef, ref_intercept = sklearn_ridge(shape_name, dtype, alpha, fit_intercept)
    assert coef.shape == (X.shape[1],) and coef.dtype == np.float64
    assert isinstance(intercept, float)
    if not fit_intercept:
        assert intercept == 0.0
    auto_cg = solver == "auto" and sp.issparse(Xs) and policy.sparse_auto(Xs) != "cholesky"
    if auto_cg:  # stops once the objective is certified (policy.AUTO_GAP_TOL)
        assert_ridge_certified(X, y, alpha, coef, intercept, ref_coef, ref_intercept)
    else:
        assert_optimal(X, y, alpha, coef, intercept, ref_coef, ref_intercept)
    if solver in ("cg", "lsqr") or auto_cg:
        assert isinstance(n_iter, int) and n_iter > 0
    else:
        assert n_iter is None
    assert_unchanged(Xs, snapshot)
    assert_unchanged(y_in, y_snapshot)


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("storage", ["C", "csr_matrix", "csc_array"])
@pytest.mark.parametrize("shape_name", list(SHAPES))
def test_ridge_multi_target(shape_name, storage, solver):
    X, Y = make_data(SHAPES[shape_name], k=3)
    Y[:, 1] *= 100.0  # targets of different scales
    alpha = 1.0
    coef, intercept, n_iter = ridge_solve(STORAGES[storage](X), Y, alpha, solver=solver)
    assert coef.shape == (3, X.shape[1]) and intercept.shape == (3,)
    ref = Ridge(alpha=alpha, solver="svd").fit(X, Y)
    for j in range(3):
        assert_optimal(X, Y[:, j], alpha, coef[j], intercept[j], ref.coef_[j], ref.intercept_[j])
        single = ridge_solve(STORAGES[storage](X), Y[:, j], alpha, solver=solver)
        np.testing.assert_allclose(coef[j], single[0], rtol=1e-8, atol=1e-10)
    if solver in ("cg", "lsqr"):
        assert isinstance(n_iter, int)


def test_ridge_column_target_keeps_2d():
    X, y = make_data(SHAPES["tall"])
    coef, intercept, _ = ridge_solve(X, y[:, None], 1.0)
    assert coef.shape == (1, X.shape[1]) and intercept.shape == (1,)
    coef1, intercept1, _ = ridge_solve(X, y, 1.0)
    np.testing.assert_allclose(coef[0], coef1, rtol=1e-12)


def test_ridge_constant_target():
    X, _ = make_data(SHAPES["tall"])
    y = np.full(X.shape[0], 2.5)
    for storage in ("C", "csr_matrix"):
        for solver in SOLVERS:
            coef, intercept, _ = ridge_solve(STORAGES[storage](X), y, 1.0, solver=solver)
            np.testing.assert_allclose(coef, 0.0, atol=1e-14)
            assert intercept == pytest.approx(2.5, rel=1e-14)


def test_ridge_duplicate_and_unsorted_csr_entries():
    X, y = make_data(SHAPES["tall"])
    A = sp.csr_matrix(X)
    # Split every stored value into two duplicate entries, in reversed column order.
    data, indices, indptr = [], [], [0]
    for i in range(A.shape[0]):
        lo, hi = A.indptr[i], A.indptr[i + 1]
        cols, vals = A.indices[lo:hi][::-1], A.data[lo:hi][::-1]
        data += list(0.25 * vals) + list(0.75 * vals)
        indices += list(cols) + list(cols)
        indptr.append(len(data))
    B = sp.csr_matrix((np.array(data), np.array(indices, dtype=np.int64), np.array(indptr)), shape=A.shape)
    assert not B.has_canonical_format
    ref = sklearn_ridge("tall", np.float64, 1.0, True)
    for solver in SOLVERS:
        coef, intercept, _ = ridge_solve(B, y, 1.0, solver=solver)
        assert_optimal(X, y, 1.0, coef, intercept, *ref)


def test_ridge_coo_input_is_accepted():
    X, y = make_data(SHAPES["wide"])
    coef, intercept, _ = ridge_solve(sp.coo_array(X), y, 1.0)
    assert_optimal(X, y, 1.0, coef, intercept, *sklearn_ridge("wide", np.float64, 1.0, True))


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("density", [1.0, 0.9])
@pytest.mark.parametrize("shape", [(40, 8), (8, 25)], ids=["tall", "wide"])
def test_ridge_sparse_large_column_means(shape, density, solver):
    """Nonzeros 1000 ± 1: the implicit centering and the refined Gram stay accurate."""
    rng = np.random.default_rng(3)
    S = sp.random(*shape, density=density, format="csr", random_state=4)
    S.data = 1000.0 + rng.uniform(-1.0, 1.0, S.nnz)
    X = S.toarray()
    y = (X - 1000.0 * (X != 0)) @ rng.standard_normal(shape[1]) + 0.1 * rng.standard_normal(shape[0])
    for alpha in ALPHAS:
        coef, intercept, _ = ridge_solve(S, y, alpha, solver=solver)
        ref = Ridge(alpha=alpha, solver="svd").fit(X, y)
        f = objective(X, y, coef, intercept, alpha)
        f_ref = objective(X, y, ref.coef_, ref.intercept_, alpha)
        assert abs(f - f_ref) <= 1e-7 * f_ref


@pytest.mark.parametrize("offset", [0.0, 1000.0], ids=["small_means", "large_means"])
@pytest.mark.parametrize("shape", [(60, 8), (8, 40)], ids=["tall", "wide"])
def test_ridge_dense_cholesky_with_and_without_centered_copy(shape, offset):
    """Means within the spreads: Gram of X itself, corrected; means 1000 ± 1: the centered copy."""
    rng = np.random.default_rng(7)
    X = offset + rng.standard_normal(shape)
    y = (X - offset) @ rng.standard_normal(shape[1]) + 0.1 * rng.standard_normal(shape[0])
    for alpha in ALPHAS:
        for Xs in (np.ascontiguousarray(X), np.asfortranarray(X)):
            coef, intercept, _ = ridge_solve(Xs, y, alpha)
            ref = Ridge(alpha=alpha, solver="svd").fit(X, y)
            f = objective(X, y, coef, intercept, alpha)
            f_ref = objective(X, y, ref.coef_, ref.intercept_, alpha)
            assert abs(f - f_ref) <= 1e-10 * f_ref
            np.testing.assert_allclose(coef, ref.coef_, rtol=1e-6, atol=1e-9)


def test_ridge_sparse_gram_too_inaccurate_falls_back():
    """Means 10⁷ ± 1 leave the Gram XᵀX − n x̄x̄ᵀ no correct digits: cholesky hands over to LSQR."""
    rng = np.random.default_rng(5)
    S = sp.random(40, 8, density=1.0, format="csr", random_state=6)
    S.data = 1e7 + rng.uniform(-1.0, 1.0, S.nnz)
    X = S.toarray()
    y = (X - 1e7) @ rng.standard_normal(8) + 0.1 * rng.standard_normal(40)
    coef, intercept, n_iter = ridge_solve(S, y, 1.0, solver="cholesky")
    assert isinstance(n_iter, int)
    ref = Ridge(alpha=1.0, solver="svd").fit(X, y)
    f, f_ref = objective(X, y, coef, intercept, 1.0), objective(X, y, ref.coef_, ref.intercept_, 1.0)
    assert abs(f - f_ref) <= 1e-6 * f_ref


def test_ridge_auto_sparse_chooses_by_cost_and_cholesky_has_a_gram_limit(monkeypatch):
    X, y = make_data(SHAPES["tall"])
    S = sp.csr_matrix(X)
    assert policy.sparse_auto(S) == "cholesky"  # tall, few features: the Gram is cheap
    coef, intercept, n_iter = ridge_solve(S, y, 1.0)
    assert n_iter is None
    assert_optimal(X, y, 1.0, coef, intercept, *sklearn_ridge("tall", np.float64, 1.0, True))
    assert policy.sparse_auto(sp.csr_matrix(make_data(SHAPES["wide"])[0])) == "cg"  # n < p: on the dual
    tall_dense_rows = sp.random(50, 1500, density=0.5, format="csr", random_state=0)
    assert policy.sparse_auto(tall_dense_rows) == "cg"  # n < p
    heavy = sp.random(3000, 1000, density=0.9, format="csc", random_state=0)
    assert policy.sparse_auto(heavy) == "cg"  # Σ nnz_row² ≫ CG's passes
    assert policy.sparse_auto(sp.random(100_000, 1000, density=0.01, format="csr", random_state=0)) == "cg"
    assert policy.sparse_auto(sp.random(100_000, 300, density=0.01, format="csr", random_state=0)) == "cholesky"
    monkeypatch.setattr(policy, "SPARSE_GRAM_MAX", 5)
    assert isinstance(ridge_solve(S, y, 1.0, solver="cholesky")[2], int)


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_ridge_auto_sparse_ill_conditioned(fit_intercept):
    """Nearly collinear columns (condition number ~1e7) at a tiny α: the Gram path refines to the optimum."""
    rng = np.random.default_rng(11)
    n, p = 400, 30
    S = sp.random(n, p, density=0.2, format="csr", random_state=12)
    base = S[:, :1].toarray().ravel()
    X = S.toarray()
    X[:, 1] = base + 1e-7 * rng.standard_normal(n) * (base != 0)
    S = sp.csr_matrix(X)
    y = X @ rng.standard_normal(p) + 2.0 + 0.01 * rng.standard_normal(n)
    assert policy.sparse_auto(S) == "cholesky"
    for alpha in (1e-8, 1e-3):
        coef, intercept, _ = ridge_solve(S, y, alpha, fit_intercept=fit_intercept)
        ref = Ridge(alpha=alpha, solver="svd", fit_intercept=fit_intercept).fit(X, y)
        f = objective(X, y, coef, intercept, alpha)
        f_ref = objective(X, y, ref.coef_, ref.intercept_, alpha)
        assert f <= f_ref * (1 + 1e-9) + 1e-12


@pytest.mark.parametrize("storage", ["C", "csr_matrix"])
@pytest.mark.parametrize("shape_name", list(SHAPES))
def test_ridge_cholesky_failure_fallback(monkeypatch, shape_name, storage):
    def failing(*args, **kwargs):
        raise scipy.linalg.LinAlgError("not positive definite")

    monkeypatch.setattr(direct.la, "cho_factor", failing)  # sparse: SciPy's
    monkeypatch.setattr(direct, "cho_factor", failing)  # dense: NumPy's (fastreg.solvers._linalg)
    X, y = make_data(SHAPES[shape_name])
    coef, intercept, n_iter = ridge_solve(STORAGES[storage](X), y, 1e-3, solver="cholesky")
    assert (n_iter is None) == (storage == "C")  # dense: SVD; sparse: LSQR
    assert_optimal(X, y, 1e-3, coef, intercept, *sklearn_ridge(shape_name, np.float64, 1e-3, True))


@pytest.mark.parametrize("solver", ["cg", "lsqr"])
def test_ridge_iteration_limit_warns(solver):
    X, y = make_data(SHAPES["tall"])
    with pytest.warns(ConvergenceWarning, match="did not reach tol"):
        _, _, n_iter = ridge_solve(sp.csr_matrix(X), y, 1e-3, solver=solver, max_iter=2)
    assert n_iter <= 2


def test_ridge_bad_parameters():
    X, y = make_data(SHAPES["tall"])
    with pytest.raises(ValueError, match="solver"):
        ridge_solve(X, y, 1.0, solver="svd")
    with pytest.raises(ValueError, match="alpha"):
        ridge_solve(X, y, -1.0)
    with pytest.raises(ValueError, match="alpha"):
        ridge_solve(X, y, np.nan)


# ---------------------------------------------------------------------- least squares


def pinv_solution(X, y, fit_intercept):
    if fit_intercept:
        x_mean, y_mean = X.mean(axis=0), y.mean(axis=0)
        w = np.linalg.pinv(X - x_mean) @ (y - y_mean)
        return w, y_mean - x_mean @ w
    return np.linalg.pinv(X) @ y, 0.0 * y.mean(axis=0)


@pytest.mark.parametrize("fit_intercept", [True, False], ids=["intercept", "no_intercept"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("storage", list(STORAGES))
@pytest.mark.parametrize("shape_name", list(SHAPES))
def test_lstsq_matches_numpy(shape_name, storage, dtype, fit_intercept):
    X, y = make_data(SHAPES[shape_name], dtype)
    Xs, snapshot = frozen(STORAGES[storage](X.astype(dtype)))
    coef, intercept = lstsq_solve(Xs, y, fit_intercept=fit_intercept)
    if fit_intercept:
        x_mean = X.mean(axis=0)
        ref = np.linalg.lstsq(X - x_mean, y - y.mean(), rcond=None)[0]
        ref_intercept = y.mean() - x_mean @ ref
    else:
        ref, ref_intercept = np.linalg.lstsq(X, y, rcond=None)[0], 0.0
    np.testing.assert_allclose(coef, ref, rtol=1e-9, atol=1e-9 * np.abs(ref).max())
    assert intercept == pytest.approx(ref_intercept, rel=1e-9, abs=1e-9)
    assert isinstance(intercept, float)
    assert_unchanged(Xs, snapshot)
    # Ridge with alpha = 0 is least squares.
    coef0, intercept0, _ = ridge_solve(Xs, y, 0.0, fit_intercept=fit_intercept, solver="cg")
    np.testing.assert_allclose(coef0, coef, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("fit_intercept", [True, False], ids=["intercept", "no_intercept"])
@pytest.mark.parametrize("storage", ["C", "F", "csr_array", "csc_matrix"])
def test_lstsq_rank_deficient_is_minimum_norm(storage, fit_intercept):
    """Duplicate (and scaled-duplicate) columns: the pinv solution, weights shared."""
    X, y = make_data((30, 5))
    X = np.column_stack([X, X[:, 0], 2.0 * X[:, 1]])
    coef, intercept = lstsq_solve(STORAGES[storage](X), y, fit_intercept=fit_intercept)
    ref, ref_intercept = pinv_solution(X, y, fit_intercept)
    np.testing.assert_allclose(coef, ref, rtol=1e-9, atol=1e-10)
    assert intercept == pytest.approx(ref_intercept, rel=1e-9, abs=1e-10)
    assert coef[0] == pytest.approx(coef[5], rel=1e-9)  # equal split between duplicates
    assert coef[6] == pytest.approx(2.0 * coef[1], rel=1e-9)


@pytest.mark.parametrize("storage", ["C", "csr_matrix"])
def test_lstsq_multi_target(storage):
    X, Y = make_data((30, 6), k=2)
    coef, intercept = lstsq_solve(STORAGES[storage](X), Y)
    assert coef.shape == (2, 6) and intercept.shape == (2,)
    ref, ref_intercept = pinv_solution(X, Y, True)
    np.testing.assert_allclose(coef, ref.T, rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(intercept, ref_intercept, rtol=1e-9)


def test_solvers_do_not_import_sklearn():
    import ast
    import importlib
    import inspect
    import pkgutil

    for info in pkgutil.iter_modules(ridge_mod.__path__):
        module = importlib.import_module(f"{ridge_mod.__name__}.{info.name}")
        tree = ast.parse(inspect.getsource(module))
        names = [
            alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
        ] + [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
        assert not any(name.startswith("sklearn") for name in names), info.name


def test_ridge_auto_sparse_cg_ill_conditioned():
    """Tall sparse data where "auto" takes CG (one fused pass per iteration): near-collinear columns."""
    rng = np.random.default_rng(21)
    S = sp.random(3000, 400, density=0.5, format="csr", random_state=22)
    X = S.toarray()
    X[:, 1] = X[:, 0] + 1e-4 * rng.standard_normal(3000) * (X[:, 0] != 0)
    S = sp.csr_matrix(X)
    y = X @ rng.standard_normal(400) + 1.0 + 0.01 * rng.standard_normal(3000)
    assert policy.sparse_auto(S) == "cg"
    for alpha in (1e-3, 1.0):
        coef, intercept, n_iter = ridge_solve(S, y, alpha)
        assert isinstance(n_iter, int) and n_iter > 0
        ref = Ridge(alpha=alpha, solver="svd").fit(X, y)
        f = objective(X, y, coef, intercept, alpha)
        f_ref = objective(X, y, ref.coef_, ref.intercept_, alpha)
        assert f <= f_ref * (1 + 1e-9) + 1e-12


# ------------------------------------------------------------ dense wide: CG on the dual


def wide_data(n=120, p=900, k=None, offset=0.3, seed=31):
    """Wide Gaussian data with column means ``offset`` (within the unit spreads unless large)."""
    rng = np.random.default_rng(seed)
    X = offset + rng.standard_normal((n, p))
    y = (X - offset)[:, :20] @ rng.standard_normal(20) + 2.0 + 0.1 * rng.standard_normal(n)
    if k is not None:
        y = np.c_[y, -3.0 * y + 5.0, 100.0 * rng.standard_normal(n)]
    return X, y


class Spy:
    """Wraps a module function, recording its return values."""

    def __init__(self, monkeypatch, name):
        self.returns = []
        original = getattr(solve, name)

        def wrapper(*args, **kwargs):
            out = original(*args, **kwargs)
            self.returns.append(out)
            return out

        monkeypatch.setattr(solve, name, wrapper)


@pytest.mark.parametrize("k", [None, 3], ids=["1-target", "3-targets"])
@pytest.mark.parametrize("fit_intercept", [True, False], ids=["intercept", "no_intercept"])
@pytest.mark.parametrize("order", ["C", "F"])
def test_ridge_auto_dense_wide_runs_dual_cg_to_the_direct_solution(monkeypatch, order, fit_intercept, k):
    """With its budget open, "auto" solves wide float64 X by CG on the dual, to the Cholesky solution."""
    monkeypatch.setattr(policy, "DUAL_CG_ITERS_PER_ROW", 1.0)  # budget: n iterations
    cg_spy, chol_spy = Spy(monkeypatch, "dual_cg"), Spy(monkeypatch, "dense_cholesky")
    X, y = wide_data(k=k)
    Xs, snapshot = frozen(np.asarray(X, order=order))
    y_in, y_snapshot = frozen(y.copy())
    coef, intercept, n_iter = ridge_solve(Xs, y_in, 1.0, fit_intercept=fit_intercept)
    assert len(cg_spy.returns) == 1 and cg_spy.returns[0][0] is not None and not chol_spy.returns
    assert isinstance(n_iter, int) and 5 < n_iter < X.shape[0]
    ref = Ridge(alpha=1.0, fit_intercept=fit_intercept, solver="svd").fit(X, y)
    assert_ridge_certified(X, y, 1.0, coef, intercept, ref.coef_, ref.intercept_)
    assert_unchanged(Xs, snapshot)
    assert_unchanged(y_in, y_snapshot)


def test_ridge_auto_dense_wide_hands_over_to_cholesky_when_cg_would_cost_more(monkeypatch):
    """Singular values over three decades at a small α: the predicted CG iterations exceed the budget."""
    n, p = 100, 600
    rng = np.random.default_rng(41)
    U, _ = np.linalg.qr(rng.standard_normal((n, n)))
    V, _ = np.linalg.qr(rng.standard_normal((p, n)))
    X = (U * np.logspace(0, 3, n)) @ V.T
    y = X @ rng.standard_normal(p) + rng.standard_normal(n)
    monkeypatch.setattr(policy, "DUAL_CG_ITERS_PER_ROW", 20.0 / n)  # budget: 20 iterations
    cg_spy, chol_spy = Spy(monkeypatch, "dual_cg"), Spy(monkeypatch, "dense_cholesky")
    for tol in (1e-10, 1e-30):  # the second can never be reached: after 2 x budget at most
        coef, intercept, n_iter = ridge_solve(X, y, 1e-3, tol=tol)
        assert n_iter is None
        ref = Ridge(alpha=1e-3, solver="svd").fit(X, y)
        f, f_ref = objective(X, y, coef, intercept, 1e-3), objective(X, y, ref.coef_, ref.intercept_, 1e-3)
        assert abs(f - f_ref) <= 1e-9 * f_ref
    # both gave up on the rate after three iterations, long before the cap of 2 x budget
    assert [(W, spent) for W, spent in cg_spy.returns] == [(None, 3)] * 2 and len(chol_spy.returns) == 2


def sparse_wide_data(n=60, p=400, k=None, density=0.1, offset=0.0, seed=37):
    """Wide sparse data: stored values ``offset + N(0, 1)`` (``offset`` large at density 1: means ≫ spreads)."""
    rng = np.random.default_rng(seed)
    X = sp.random(n, p, density=density, format="csr", random_state=seed, data_rvs=lambda m: offset + rng.standard_normal(m))
    w = np.zeros(p)
    w[:20] = rng.standard_normal(20)
    y = X @ w + 2.0 + 0.1 * rng.standard_normal(n)
    if k is not None:
        y = np.c_[y, -3.0 * y + 5.0, 100.0 * rng.standard_normal(n)]
    return X, y


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("fit_intercept", [True, False], ids=["intercept", "no_intercept"])
@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_sparse_dual_product_matches_the_two_pass_operator(fmt, fit_intercept, weighted):
    """One fused pass over the CSC copy gives the base operator's ``(X_cX_cᵀ + αI)C`` (two scipy products)."""
    X, y = sparse_wide_data(offset=0.5, k=3)
    sample_weight = np.linspace(0.5, 2.0, X.shape[0]) if weighted else None
    op, Y_c, _, _ = operators.sparse_operator(X.asformat(fmt), y, fit_intercept, sample_weight)
    fused = operators.SparseDual(op.X, op.mean, op.d)
    C = np.random.default_rng(3).standard_normal((X.shape[0], 3))
    expected = operators.Centered.dual(op, C, 0.7)
    np.testing.assert_allclose(fused.dual(C, 0.7), expected, rtol=0, atol=1e-13 * np.abs(expected).max())


@pytest.mark.parametrize("k", [None, 3], ids=["1-target", "3-targets"])
@pytest.mark.parametrize("fit_intercept", [True, False], ids=["intercept", "no_intercept"])
@pytest.mark.parametrize("fmt", ["csr", "csc"])
@pytest.mark.parametrize("solver", ["auto", "cg"])
def test_ridge_sparse_wide_runs_dual_cg_to_the_svd_solution(monkeypatch, solver, fmt, fit_intercept, k):
    """Wide sparse X: "auto" and "cg" solve the dual by CG on the fused pass, to scikit-learn's SVD solution."""
    cg_spy = Spy(monkeypatch, "dual_cg")
    X, y = sparse_wide_data(k=k)
    Xs, snapshot = frozen(X.asformat(fmt))
    y_in, y_snapshot = frozen(y.copy())
    coef, intercept, n_iter = ridge_solve(Xs, y_in, 1.0, fit_intercept=fit_intercept, solver=solver)
    assert len(cg_spy.returns) == 1 and isinstance(n_iter, int) and 3 < n_iter < X.shape[0]
    ref = Ridge(alpha=1.0, fit_intercept=fit_intercept, solver="svd").fit(X.toarray(), y)
    if solver == "auto":  # stops once the objective is certified (policy.AUTO_GAP_TOL)
        assert_ridge_certified(X, y, 1.0, coef, intercept, ref.coef_, ref.intercept_)
    else:
        scale = np.abs(ref.coef_).max()
        np.testing.assert_allclose(coef, ref.coef_, rtol=1e-9, atol=1e-10 * scale)
        np.testing.assert_allclose(intercept, ref.intercept_, rtol=1e-9, atol=1e-10 * max(scale, 1.0))
    assert_unchanged(Xs, snapshot)
    assert_unchanged(y_in, y_snapshot)


@pytest.mark.parametrize("case", ["large_means", "weighted", "small_alpha"])
def test_ridge_sparse_wide_dual_cg_reaches_the_optimum_on_harder_data(monkeypatch, case):
    """Means 1000 ± 1 (implicit centering), sample weights, and α = 1e-3: objective within 1e-9 of SVD's."""
    cg_spy = Spy(monkeypatch, "dual_cg")
    dense = case == "large_means"
    X, y = sparse_wide_data(density=1.0 if dense else 0.1, offset=1000.0 if dense else 0.0)
    alpha = 1e-3 if case == "small_alpha" else 1.0
    sample_weight = np.linspace(0.5, 2.0, X.shape[0]) if case == "weighted" else None
    coef, intercept, n_iter = ridge_solve(X, y, alpha, sample_weight=sample_weight)
    assert len(cg_spy.returns) == 1 and n_iter == cg_spy.returns[0][1]
    ref = Ridge(alpha=alpha, solver="svd").fit(X.toarray(), y, sample_weight=sample_weight)
    sw = np.ones(X.shape[0]) if sample_weight is None else sample_weight
    r, r_ref = y - X @ coef - intercept, y - X @ ref.coef_ - ref.intercept_
    f, f_ref = sw @ r**2 + alpha * coef @ coef, sw @ r_ref**2 + alpha * ref.coef_ @ ref.coef_
    assert abs(f - f_ref) <= 1e-9 * f_ref, (f, f_ref)


def test_ridge_sparse_wide_cg_warns_at_max_iter():
    X, y = sparse_wide_data()
    with pytest.warns(ConvergenceWarning, match="'cg' did not reach tol"):
        _, _, n_iter = ridge_solve(X, y, 1e-3, solver="cg", max_iter=2)
    assert n_iter == 2


@pytest.mark.parametrize("case", ["few_rows", "large_means", "float32", "strided", "tall", "weighted"])
def test_ridge_auto_dense_takes_cholesky_where_dual_cg_does_not_apply(monkeypatch, case):
    """Too few rows to pay for CG, means far above their spreads (the implicit centering would lose digits),
    float32 or strided X (BLAS would convert or copy it on every pass), tall X and sample weights: no CG,
    the direct solution."""
    if case != "few_rows":
        monkeypatch.setattr(policy, "DUAL_CG_ITERS_PER_ROW", 1.0)
    X, y = wide_data(n=200 if case == "few_rows" else 60, p=400, offset=1000.0 if case == "large_means" else 0.3)
    if case == "float32":
        X = X.astype(np.float32).astype(np.float64)
    if case == "tall":
        X, y = np.ascontiguousarray(X[:, :40]), y
    sample_weight = np.linspace(0.5, 2.0, X.shape[0]) if case == "weighted" else None
    cg_spy = Spy(monkeypatch, "dual_cg")
    X_in = X.astype(np.float32) if case == "float32" else X
    if case == "strided":
        X_in = np.repeat(X, 2, axis=1)[:, ::2]
        assert not (X_in.flags.c_contiguous or X_in.flags.f_contiguous)
    coef, intercept, n_iter = ridge_solve(X_in, y, 1.0, sample_weight=sample_weight)
    assert not cg_spy.returns and n_iter is None
    ref = Ridge(alpha=1.0, solver="svd").fit(X, y, sample_weight=sample_weight)
    f, f_ref = objective(X, y, coef, intercept, 1.0), objective(X, y, ref.coef_, ref.intercept_, 1.0)
    if sample_weight is None:
        assert abs(f - f_ref) <= 1e-10 * f_ref
    np.testing.assert_allclose(coef, ref.coef_, rtol=1e-6, atol=1e-9)


def test_ridge_cg_dense_wide_is_the_dual_and_warns_at_max_iter():
    X, y = wide_data()
    coef, intercept, n_iter = ridge_solve(X, y, 1.0, solver="cg", tol=1e-10)
    ref = Ridge(alpha=1.0, solver="svd").fit(X, y)
    assert isinstance(n_iter, int) and n_iter > 5
    np.testing.assert_allclose(coef, ref.coef_, rtol=1e-8, atol=1e-9 * np.abs(ref.coef_).max())
    with pytest.warns(ConvergenceWarning, match="did not reach tol"):
        _, _, n_iter = ridge_solve(X, y, 1.0, solver="cg", max_iter=2)
    assert n_iter == 2


# ------------------------------------------------------- dense Cholesky: refinement


def _spd(n, kappa, seed):
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    return (Q * np.logspace(0, np.log10(kappa), n)) @ Q.T, rng.standard_normal((n, 2))


def test_refine_recovers_the_digits_a_perturbed_gram_lost():
    """The factor is of a Gram formed with errors (here 1e-9 relative); the exact operator refines the solve."""
    A, B = _spd(40, 1e6, 3)
    E = 1e-9 * np.linalg.norm(A) * _spd(40, 1.0, 4)[0] / 40
    factor = scipy.linalg.cho_factor(A + E)
    plain = scipy.linalg.cho_solve(factor, B)
    exact = np.linalg.solve(A, B)
    assert np.abs(plain - exact).max() > 1e-6 * np.abs(exact).max()  # the perturbation costs digits
    refined = direct._refine(factor, direct._norm1(A + E), B, lambda V: A @ V)
    np.testing.assert_allclose(refined, exact, rtol=0, atol=1e-9 * np.abs(exact).max())


def test_refine_skips_well_conditioned_factors_and_never_returns_worse():
    A, B = _spd(30, 1e3, 5)
    factor = scipy.linalg.cho_factor(A)
    calls = []
    out = direct._refine(factor, direct._norm1(A), B, lambda V: calls.append(1) or A @ V)
    assert not calls  # condition number 1e3: the solve as it is
    np.testing.assert_array_equal(out, scipy.linalg.cho_solve(factor, B))
    A, B = _spd(30, 1e9, 6)
    factor = scipy.linalg.cho_factor(A)
    plain = scipy.linalg.cho_solve(factor, B)
    out = direct._refine(factor, direct._norm1(A), B, lambda V: -A @ V)  # a wrong operator: refinement diverges
    np.testing.assert_array_equal(out, plain)


def test_ridge_dense_wide_near_duplicate_rows_refined_towards_svd():
    """Near-duplicate rows at a tiny α: the dual Gram's formation errors are refined away (8x closer here)."""
    rng = np.random.default_rng(0)
    Z = rng.standard_normal((60, 300))
    X = Z.copy()
    X[30:] = X[:30] + 1e-6 * Z[30:]
    y = X[:, :5] @ rng.standard_normal(5) + rng.standard_normal(60)
    ref = Ridge(alpha=1e-8, solver="svd").fit(X, y)
    f_ref = objective(X, y, ref.coef_, ref.intercept_, 1e-8)
    coef, intercept, _ = ridge_solve(X, y, 1e-8)
    assert objective(X, y, coef, intercept, 1e-8) <= f_ref * (1 + 3e-11)


def test_cho_factor_in_numpy_is_scipys_factor_and_raises_the_same_error():
    from fastreg.solvers._linalg import cho_factor

    A, B = _spd(25, 1e4, 7)
    np.testing.assert_allclose(
        scipy.linalg.cho_solve(cho_factor(A), B), scipy.linalg.cho_solve(scipy.linalg.cho_factor(A), B), rtol=1e-10
    )
    A_in = A.copy()
    cho_factor(A_in)
    np.testing.assert_array_equal(A_in, A)  # not overwritten
    with pytest.raises(scipy.linalg.LinAlgError):
        cho_factor(-A)


def _scaled_columns(n, p, seed=5):
    """Columns scaled 1e-3 .. 1e3: the normal equations' condition number ~1e12 without equilibration."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) * np.logspace(-3, 3, p)
    w = np.zeros(p)
    w[rng.choice(p, p // 10, replace=False)] = 3.0 * rng.standard_normal(p // 10)
    return X, X @ w + 5.0 * rng.standard_normal(n) + 2.0


@pytest.mark.parametrize("fit_intercept", [True, False], ids=["intercept", "no_intercept"])
@pytest.mark.parametrize("solver", ["auto", "cg", "lsqr"])
@pytest.mark.parametrize("storage", ["csr_matrix", "csc_matrix"])
@pytest.mark.parametrize("alpha", [1e-5, 1e-2])
def test_sparse_ridge_widely_scaled_columns_reach_the_optimum(alpha, storage, solver, fit_intercept):
    """Jacobi scaling: without it CG/LSQR stopped at max_iter 20-100% above the optimum (and warned)."""
    X, y = _scaled_columns(200, 150)
    ref = Ridge(alpha=alpha, fit_intercept=fit_intercept, solver="svd").fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        coef, intercept, _ = ridge_solve(STORAGES[storage](X), y, alpha, fit_intercept=fit_intercept, solver=solver)
    f = objective(X, y, coef, intercept, alpha)
    f_ref = objective(X, y, ref.coef_, float(ref.intercept_), alpha)
    assert f <= f_ref * (1 + 1e-9)


@pytest.mark.parametrize("fit_intercept", [True, False], ids=["intercept", "no_intercept"])
@pytest.mark.parametrize("storage", ["csr_matrix", "csc_matrix"])
def test_sparse_lstsq_widely_scaled_columns(storage, fit_intercept):
    """LSQR that hits its limit on ill-scaled columns starts again on equilibrated ones (full rank: the unique solution)."""
    X, y = _scaled_columns(200, 150)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        coef, intercept = lstsq_solve(STORAGES[storage](X), y, fit_intercept=fit_intercept)
    Xc = X - X.mean(0) if fit_intercept else X
    yc = y - y.mean() if fit_intercept else y
    ref = scipy.linalg.lstsq(Xc, yc, lapack_driver="gelsd")[0]
    f = objective(X, y, coef, intercept, 0.0)
    f_ref = objective(X, y, ref, (y.mean() - X.mean(0) @ ref) if fit_intercept else 0.0, 0.0)
    assert f <= f_ref * (1 + 1e-9)


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("fit_intercept", [True, False], ids=["intercept", "no_intercept"])
@pytest.mark.parametrize("storage", ["C", "csr_matrix", "csc_matrix"])
def test_column_norms_are_the_centered_ones(storage, fit_intercept, weighted):
    rng = np.random.default_rng(2)
    X = (rng.standard_normal((40, 7)) + 1e3) * (rng.random((40, 7)) < 0.5)
    X[:, 3] = 0.0  # an empty column
    y = rng.standard_normal(40)
    sw = rng.random(40) + 0.5 if weighted else None
    Xs = STORAGES[storage](X)
    if sp.issparse(Xs):
        op = operators.sparse_operator(Xs.tocsr() if storage == "csr_matrix" else Xs.tocsc(), y[:, None], fit_intercept, sw)[0]
    d = np.ones(40) if sw is None else np.sqrt(sw)
    mean = np.average(X, axis=0, weights=sw) if fit_intercept else np.zeros(7)
    if not sp.issparse(Xs):  # the operator's convention: X holds DX, centered along d
        op = operators.Centered(X * d[:, None], mean if fit_intercept else None, None if sw is None else d)
    expected = (((X - mean) * d[:, None]) ** 2).sum(0)
    np.testing.assert_allclose(op.column_norms(), expected, rtol=1e-12, atol=1e-9)


def test_sparse_auto_takes_the_direct_solve_when_it_is_cheap():
    """Columns 100 ± 0.01 without intercept: CG met its residual tol 5e-4 above the optimum; the refined Cholesky 1e-12."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((30, 20)) * 0.01 + 100.0
    y = X[:, :2] @ np.array([3.0, -2.0]) + 0.5 * rng.standard_normal(30) + 2.0
    assert policy.sparse_auto(sp.csc_matrix(X)) == "cholesky"
    coef, intercept, _ = ridge_solve(sp.csc_matrix(X), y, 4e-5, fit_intercept=False)
    ref = Ridge(alpha=4e-5, fit_intercept=False, solver="svd").fit(X, y)
    assert objective(X, y, coef, 0.0, 4e-5) <= objective(X, y, ref.coef_, 0.0, 4e-5) * (1 + 1e-9)


@pytest.mark.parametrize("alpha", [1e-3, 1.0])
def test_sparse_wide_auto_hands_a_slow_dual_cg_to_the_factorization(monkeypatch, alpha):
    """150 x 200, columns scaled 1e-3..1e3: dual CG stopped at max_iter 1e5-1e7x above the optimum; "auto" now gives up on it for the refined dual Gram."""
    cholesky_spy = Spy(monkeypatch, "sparse_cholesky")
    X, y = _scaled_columns(150, 200, seed=3)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        coef, intercept, _ = ridge_solve(sp.csr_matrix(X), y, alpha)
    ref = Ridge(alpha=alpha, solver="svd").fit(X, y)
    assert objective(X, y, coef, intercept, alpha) <= objective(X, y, ref.coef_, float(ref.intercept_), alpha) * (1 + 1e-9)
    assert len(cholesky_spy.returns) == 1


# ------------------------------------------------------------------ "auto"'s certified stop


def test_dual_gap_is_half_the_squared_dual_residual():
    """For any dual point c, P(X_cᵀc) − D(c) = ½‖R‖² with D(c) = (α/2)(yᵀc + cᵀR): the gap the
    dual stop (iterative._dual_goal) certifies, checked against both objectives computed outright."""
    from fastreg.solvers.ridge import iterative

    rng = np.random.default_rng(3)
    X, y = wide_data(n=40, p=90)
    Xc, yc, alpha = X - X.mean(axis=0), y - y.mean(), 0.7
    c = np.linalg.solve(Xc @ Xc.T + alpha * np.eye(40), yc) + 1e-3 * rng.standard_normal(40)  # off the optimum
    R = yc - (Xc @ Xc.T + alpha * np.eye(40)) @ c
    w = Xc.T @ c
    primal = 0.5 * np.sum((yc - Xc @ w) ** 2) + 0.5 * alpha * w @ w
    dual = 0.5 * alpha * (yc @ c + c @ R)
    assert primal - dual == pytest.approx(0.5 * R @ R, rel=1e-9)
    w_star = np.linalg.solve(Xc.T @ Xc + alpha * np.eye(90), Xc.T @ yc)
    optimum = 0.5 * np.sum((yc - Xc @ w_star) ** 2) + 0.5 * alpha * w_star @ w_star
    assert dual <= optimum <= primal
    # the goal: the residual norm at which the gap is gap_tol of the dual value (no slack at c = 0)
    goal = iterative._dual_goal(yc[:, None], np.linalg.norm(yc)[None], c[:, None], R[:, None], alpha, 0.0, 1e-6)
    assert goal[0] == pytest.approx(np.sqrt(2e-6 * dual), rel=1e-6)


@pytest.mark.parametrize("shape", ["tall", "wide"])
def test_auto_cg_stops_on_its_certificate_before_the_residual_rule(monkeypatch, shape):
    """At the default tol, "auto"'s CG on sparse X (normal equations when tall, dual when wide) stops
    once the objective is certified within 1e-12, iterations before its residual rule (which a
    smaller tol asks for); the certified fit is within the promise of the exact optimum."""
    rng = np.random.default_rng(5)
    n, p = (3000, 120) if shape == "tall" else (150, 3000)
    X = sp.random(n, p, density=0.05, format="csr", random_state=5, data_rvs=lambda m: rng.standard_normal(m))
    y = X @ rng.standard_normal(p) + 1.0 + rng.standard_normal(n)
    if shape == "tall":  # CG where "auto" would factor this small Gram
        monkeypatch.setattr(policy, "sparse_auto", lambda X: "cg")
    assert policy.sparse_auto(X) == "cg"
    coef, intercept, n_iter = ridge_solve(X, y, 1.0)
    coef_r, intercept_r, n_iter_r = ridge_solve(X, y, 1.0, tol=1e-13)
    assert n_iter < n_iter_r
    ref = Ridge(alpha=1.0, solver="svd").fit(X.toarray(), y)
    assert_ridge_certified(X, y, 1.0, coef, intercept, ref.coef_, ref.intercept_)
    assert_optimal(X.toarray(), y, 1.0, coef_r, intercept_r, ref.coef_, ref.intercept_, rtol_obj=1e-13, rtol_coef=1e-9)


def test_normal_cg_objective_from_its_vectors():
    """normal_cg's P(w) = ½‖y‖² − ½wᵀ(b + r) (no pass over X) is the objective computed outright."""
    rng = np.random.default_rng(9)
    X, y = rng.standard_normal((50, 8)), rng.standard_normal(50)
    alpha = 0.3
    H, b = X.T @ X + alpha * np.eye(8), X.T @ y
    w = np.linalg.solve(H, b) + 1e-2 * rng.standard_normal(8)
    r = b - H @ w
    direct_value = 0.5 * np.sum((y - X @ w) ** 2) + 0.5 * alpha * w @ w
    assert 0.5 * (y @ y - w @ (b + r)) == pytest.approx(direct_value, rel=1e-12)
    # and its bound on the excess, ‖r‖²/(2α), holds
    w_star = np.linalg.solve(H, b)
    optimum = 0.5 * np.sum((y - X @ w_star) ** 2) + 0.5 * alpha * w_star @ w_star
    assert 0.0 <= direct_value - optimum <= r @ r / (2 * alpha)


def test_auto_cg_on_near_square_sparse_x_keeps_its_promise(monkeypatch):
    """Near-square ill-conditioned sparse X (800 x 790, ~1,500 iterations): the normal equations'
    residual at tol = 1e-10 alone left 1.1e-12 here; "auto" stops on its certificate or at a
    residual of 1e-12, within the promise."""
    monkeypatch.setattr(policy, "sparse_auto", lambda X: "cg")  # where "auto" would factor this Gram
    rng = np.random.default_rng(8)
    X = sp.random(800, 790, density=0.03, format="csr", random_state=8, data_rvs=lambda k: 100.0 * rng.standard_normal(k))
    y = X @ rng.standard_normal(790) + 0.01 * rng.standard_normal(800) + 3.0
    coef, intercept, _ = ridge_solve(X, y, 0.1)
    ref = Ridge(alpha=0.1, solver="svd").fit(X.toarray(), y)
    assert_ridge_certified(X, y, 0.1, coef, intercept, ref.coef_, ref.intercept_)
