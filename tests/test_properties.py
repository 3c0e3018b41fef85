"""Property-based tests (hypothesis): random shapes, dtypes, sparsity, scales and alphas.

- the optimality (KKT) conditions hold at every returned Lasso/ElasticNet solution;
- dense and sparse input (duplicates and all) give the same fit;
- permuting the samples does not change the fit.

Example counts are modest so that the suite stays quick; raise them with
``FASTREG_HYPOTHESIS_EXAMPLES=500`` for a thorough run.
"""

import os
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

import fastreg
from fastreg import ElasticNet, Lasso, LinearRegression, Ridge
from fastreg.exceptions import ConvergenceWarning

EXAMPLES = int(os.environ.get("FASTREG_HYPOTHESIS_EXAMPLES", "25"))
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@st.composite
def problems(draw, min_n=2):
    """``(X_dense_float64, X_as_given, y)``: random shape, storage, dtype, scale and sparsity."""
    n = draw(st.integers(min_n, 30))
    p = draw(st.integers(1, 10))
    seed = draw(st.integers(0, 2**32 - 1))
    density = draw(st.sampled_from([1.0, 0.5, 0.15]))
    scale = 10.0 ** draw(st.integers(-2, 2))
    storage = draw(st.sampled_from(["C", "F", "int", "csr", "csc", "csr duplicates", "coo"]))
    rng = np.random.default_rng(seed)
    X = np.round(4 * rng.standard_normal((n, p)))
    X[rng.random((n, p)) > density] = 0.0
    if draw(st.booleans()):
        X[:, rng.integers(p)] = 3.0  # a constant column
    w = rng.standard_normal(p) * (rng.random(p) < 0.5)
    y = scale * (X @ w + 2.0 + rng.standard_normal(n))
    X = scale * X if storage != "int" else X
    return X, _store(X, storage, rng), y


def _store(X, storage, rng):
    if storage == "C":
        return np.ascontiguousarray(X)
    if storage == "F":
        return np.asfortranarray(X)
    if storage == "int":
        return X.astype(np.int64)
    if storage == "csr":
        return sp.csr_matrix(X)
    if storage == "csc":
        return sp.csc_array(X)
    if storage == "coo":
        return sp.coo_matrix(X)
    # CSR with every entry split into two halves, rows reversed: not canonical. Halves sum
    # back exactly; random parts would not (p·v + (1 − p)·v ≠ v in floating point), and a
    # constant column would become one that varies in its last bit, a different problem.
    A = sp.csr_matrix(X)
    rows = np.repeat(np.arange(X.shape[0]), np.diff(A.indptr))
    data = np.concatenate([0.5 * A.data, 0.5 * A.data])
    cols = np.concatenate([A.indices, A.indices])
    owner = np.concatenate([rows, rows])
    order = np.lexsort((-cols, owner))
    indptr = np.concatenate([[0], np.cumsum(np.bincount(owner, minlength=X.shape[0]))])
    return sp.csr_matrix((data[order], cols[order], indptr), shape=X.shape)


def enet_kkt_violation(X, y, coef, intercept, alpha, l1_ratio):
    """Largest violation of the ElasticNet optimality conditions, and a scale for it.

    With ``R = y − Xw − b`` and ``g = XᵀR/n − α(1 − ρ)w``: ``g_j = αρ·sign(w_j)``
    where ``w_j ≠ 0``, ``|g_j| ≤ αρ`` where ``w_j = 0``, and ``Σ R = 0``.
    """
    n = X.shape[0]
    R = y - X @ coef - intercept
    g = X.T @ R / n - alpha * (1 - l1_ratio) * coef
    l1 = alpha * l1_ratio
    nonzero = coef != 0
    violation = np.where(nonzero, np.abs(g - l1 * np.sign(coef)), np.maximum(np.abs(g) - l1, 0.0))
    Xc = X - X.mean(axis=0)
    scale = np.linalg.norm(Xc) * np.linalg.norm(y - y.mean()) / n
    return max(violation.max(initial=0.0), abs(R.mean())), scale


@SETTINGS
@given(problem=problems(), alpha_frac=st.floats(0.02, 1.5), l1_ratio=st.sampled_from([1.0, 0.8, 0.5, 0.1]))
def test_kkt_conditions_hold_at_every_solution(problem, alpha_frac, l1_ratio):
    X, Xs, y = problem
    Xc = X - X.mean(axis=0)
    alpha_max = np.abs(Xc.T @ (y - y.mean())).max() / (X.shape[0] * l1_ratio)
    alpha = alpha_frac * alpha_max + 1e-3
    model = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, tol=1e-12, max_iter=100_000)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        model.fit(Xs, y)
    assert np.all(np.isfinite(model.coef_))
    violation, scale = enet_kkt_violation(X, y, model.coef_.astype(np.float64), model.intercept_, alpha, l1_ratio)
    assert violation <= 1e-5 * scale + 1e-10 * abs(y).max()
    if alpha_frac > 1.0 and l1_ratio == 1.0:
        assert np.all(model.coef_ == 0.0)  # above alpha_max: exactly zero


def _objective(X, y, coef, intercept, alpha, l1_ratio=1.0):
    R = y - X @ coef - intercept
    return (R @ R) / (2 * len(y)) + alpha * l1_ratio * np.abs(coef).sum() + 0.5 * alpha * (1 - l1_ratio) * coef @ coef


@SETTINGS
@given(problem=problems(), alpha_frac=st.floats(0.05, 0.9))
def test_dense_and_sparse_agree(problem, alpha_frac):
    X, Xs, y = problem
    Xc = X - X.mean(axis=0)
    alpha = alpha_frac * np.abs(Xc.T @ (y - y.mean())).max() / X.shape[0] + 1e-3
    dense = Lasso(alpha=alpha, tol=1e-12, max_iter=100_000).fit(X, y)
    other = Lasso(alpha=alpha, tol=1e-12, max_iter=100_000).fit(Xs, y)
    f_dense = _objective(X, y, dense.coef_, dense.intercept_, alpha)
    f_other = _objective(X, y, other.coef_, other.intercept_, alpha)
    assert abs(f_dense - f_other) <= 1e-9 * f_dense + 1e-12
    for cls in (lambda: Ridge(alpha=alpha), LinearRegression):
        a, b = cls().fit(X, y), cls().fit(Xs, y)
        assert_allclose(
            np.r_[a.predict(X), a.intercept_], np.r_[b.predict(X), b.intercept_],
            rtol=1e-6, atol=1e-7 * (1 + abs(y).max()),
        )
    theta_dense = fastreg.gradient_descent(X, y, lambda_=1.0, learning_rate="auto", iterations=20)
    theta_other = fastreg.gradient_descent(Xs, y, lambda_=1.0, learning_rate="auto", iterations=20)
    assert_allclose(theta_other, theta_dense, rtol=1e-7, atol=1e-9 * (1 + abs(y).max()))


@SETTINGS
@given(problem=problems(min_n=3), alpha_frac=st.floats(0.05, 0.9), data=st.data())
def test_permuting_samples_does_not_change_the_fit(problem, alpha_frac, data):
    X, Xs, y = problem
    perm = np.array(data.draw(st.permutations(range(X.shape[0]))))
    Xp = (Xs.tocsr() if sp.issparse(Xs) else Xs)[perm]
    yp = y[perm]
    Xc = X - X.mean(axis=0)
    alpha = alpha_frac * np.abs(Xc.T @ (y - y.mean())).max() / X.shape[0] + 1e-3
    a = Lasso(alpha=alpha, tol=1e-12, max_iter=100_000).fit(Xs, y)
    b = Lasso(alpha=alpha, tol=1e-12, max_iter=100_000).fit(Xp, yp)
    f_a = _objective(X, y, a.coef_, a.intercept_, alpha)
    f_b = _objective(X, y, b.coef_, b.intercept_, alpha)
    assert abs(f_a - f_b) <= 1e-9 * f_a + 1e-12
    for cls in (lambda: Ridge(alpha=alpha), LinearRegression):
        r, s = cls().fit(Xs, y), cls().fit(Xp, yp)
        assert_allclose(
            np.r_[r.predict(X), r.intercept_], np.r_[s.predict(X), s.intercept_],
            rtol=1e-6, atol=1e-7 * (1 + abs(y).max()),
        )
    t = fastreg.gradient_descent(Xs, y, lambda_=1.0, learning_rate="auto", iterations=20)
    u = fastreg.gradient_descent(Xp, yp, lambda_=1.0, learning_rate="auto", iterations=20)
    assert_allclose(u, t, rtol=1e-7, atol=1e-9 * (1 + abs(y).max()))


@pytest.mark.parametrize("seed", range(3))
def test_kkt_helper_detects_a_wrong_solution(seed):
    """The KKT check is not vacuous: a perturbed solution violates it."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((20, 4))
    y = X @ [1.0, 0.0, -2.0, 0.0] + rng.standard_normal(20)
    model = Lasso(alpha=0.1, tol=1e-12).fit(X, y)
    ok, scale = enet_kkt_violation(X, y, model.coef_, model.intercept_, 0.1, 1.0)
    bad, _ = enet_kkt_violation(X, y, model.coef_ * 1.01, model.intercept_, 0.1, 1.0)
    assert ok <= 1e-5 * scale < bad
