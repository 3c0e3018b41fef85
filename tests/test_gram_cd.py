"""Covariance-form coordinate descent (fastreg.solvers.gram_cd), no Dask needed."""

import numpy as np
import pytest

from fastreg.kernels.gram import enet_gram
from fastreg.penalty import Penalty
from fastreg.kernels.chunk import gradient_chunk
from fastreg.solvers.cd import enet_coordinate_descent
from fastreg.solvers.gram_cd import enet_gram_cd, gram_residual_stats


def _centered(X, y):
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    return Xc, yc, Xc.T @ Xc, Xc.T @ yc, float(yc @ yc)


def _objective(Xc, yc, w, alpha, l1_ratio):
    r = yc - Xc @ w
    n = len(yc)
    return r @ r / (2 * n) + alpha * l1_ratio * np.abs(w).sum() + 0.5 * alpha * (1 - l1_ratio) * w @ w


@pytest.mark.parametrize(
    "alpha, l1_ratio, positive", [(0.05, 1.0, False), (0.02, 0.5, False), (0.01, 1.0, True), (0.1, 0.0, False)]
)
def test_same_optimum_as_residual_cd(alpha, l1_ratio, positive):
    rng = np.random.default_rng(0)
    n, p = 400, 30
    Z = rng.standard_normal((n, p))
    X = Z + 0.5 * np.roll(Z, 1, axis=1) + 50.0  # correlated columns, large means
    w0 = rng.standard_normal(p)
    w0[10:] = 0
    y = X @ w0 + 0.3 * rng.standard_normal(n)
    Xc, yc, G, q, yy = _centered(X, y)
    penalty = Penalty.uniform_of(p, positive)
    w, gap, n_iter, converged = enet_gram_cd(G, q, yy, n, alpha, l1_ratio, tol=1e-12, penalty=penalty)
    ref, _, _, _, _ = enet_coordinate_descent(X, y, alpha, l1_ratio, tol=1e-12, penalty=penalty)
    assert converged and n_iter > 0 and gap >= 0
    f, f_ref = _objective(Xc, yc, w, alpha, l1_ratio), _objective(Xc, yc, ref, alpha, l1_ratio)
    assert abs(f - f_ref) <= 1e-9 * f_ref
    np.testing.assert_allclose(w, ref, rtol=1e-6, atol=1e-6)  # coefficients: about √(objective gap)
    if positive:
        assert np.all(w >= 0)
    if l1_ratio == 1.0:
        assert np.all((w == 0) == (ref == 0))


def test_residual_norm_from_statistics_is_precise():
    """‖R‖² = ‖y_c‖² − wᵀ(q + h) against a direct residual: large column means, near-perfect fit."""
    rng = np.random.default_rng(1)
    n, p = 3000, 20
    X = rng.standard_normal((n, p)) + 1e4
    w0 = rng.standard_normal(p)
    y = X @ w0 + 1e-7 * rng.standard_normal(n)
    Xc, yc, G, q, yy = _centered(X, y)
    w, _, _, converged = enet_gram_cd(G, q, yy, n, 1e-10, 1.0)
    assert converged
    h = q - G @ w
    R_norm2, R_dot_yc = gram_residual_stats(q, h, w, yy)
    R = yc - Xc @ w
    assert R @ R < 1e-12 * yy  # a near-perfect fit: ‖R‖² is 12 digits below ‖y_c‖²
    assert abs(R_norm2 - R @ R) <= 1e-14 * yy
    assert abs(R_dot_yc - R @ yc) <= 1e-14 * yy
    np.testing.assert_allclose(w, w0, rtol=1e-6)


def test_warm_start_and_max_iter():
    rng = np.random.default_rng(2)
    X = rng.standard_normal((200, 15))
    y = X[:, :3].sum(axis=1) + rng.standard_normal(200)
    Xc, yc, G, q, yy = _centered(X, y)
    w, _, n_iter, _ = enet_gram_cd(G, q, yy, 200, 0.05)
    w2, _, n_iter2, converged = enet_gram_cd(G, q, yy, 200, 0.05, coef_init=w)
    assert converged and n_iter2 <= n_iter
    _, _, n_iter3, converged3 = enet_gram_cd(G, q, yy, 200, 1e-4, max_iter=1, tol=1e-15)
    assert n_iter3 == 1 and not converged3


def test_chunk_kernels_are_serial():
    """Kernels run inside Dask tasks must not enter numba's threading layer."""
    for kernel in (gradient_chunk, enet_gram):
        assert not kernel.targetoptions.get("parallel", False)
        assert kernel.targetoptions.get("nogil", False)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_gradient_chunk_matches_numpy(dtype):
    rng = np.random.default_rng(3)
    X = rng.standard_normal((37, 9)).astype(dtype)
    y = rng.standard_normal(37)
    theta = rng.standard_normal(10)
    grad = np.empty(10)
    r = theta[0] + X.astype(np.float64) @ theta[1:] - y
    sse = gradient_chunk(X, y, theta, True, grad)
    rtol = 1e-12 if dtype == np.float64 else 1e-5
    np.testing.assert_allclose(sse, r @ r, rtol=rtol)
    np.testing.assert_allclose(grad, np.r_[r.sum(), X.astype(np.float64).T @ r], rtol=rtol, atol=rtol)
    r0 = theta[0] + X.astype(np.float64) @ theta[1:]
    np.testing.assert_allclose(gradient_chunk(X, np.empty(0), theta, False, grad), r0 @ r0, rtol=rtol)


def test_top_indices_matches_a_stable_argsort():
    """The working-set selection of the Gram kernel: k largest scores, increasing indices, ties lowest first."""
    from fastreg.kernels.cd import top_indices

    rng = np.random.default_rng(0)
    for trial in range(600):
        p = int(rng.integers(1, 60))
        k = int(rng.integers(1, p + 1))
        if trial % 3 == 0:
            s = rng.standard_normal(p)
        elif trial % 3 == 1:
            s = rng.integers(0, 4, p).astype(float)  # many ties
        else:
            s = rng.standard_normal(p)
            s[rng.random(p) < 0.3] = np.inf  # the support and the strong set
            s[rng.random(p) < 0.2] = -np.inf  # zero columns
        expected = np.sort(np.argsort(-s, kind="stable")[:k])
        np.testing.assert_array_equal(top_indices(s, k), expected)


@pytest.mark.parametrize("positive", [False, True])
def test_ill_conditioned_fit_is_finished_by_the_homotopy_start(positive):
    """AR(1) ρ = 0.999 columns at αmax/10⁴: the kernel alone stopped at 10,000 epochs, not converged.

    After ``_HOMOTOPY_AFTER_EPOCHS`` it starts once from LARS on ``(G, q)``
    and converges, at LARS's objective.
    """
    import warnings

    from sklearn.linear_model import lars_path

    rng = np.random.default_rng(5)
    n, p = 1000, 100
    X = np.empty((n, p))
    X[:, 0] = rng.standard_normal(n)
    for j in range(1, p):
        X[:, j] = 0.999 * X[:, j - 1] + np.sqrt(1 - 0.999**2) * rng.standard_normal(n)
    y = X[:, ::10] @ rng.uniform(0.5, 1.5, 10) + 0.5 * rng.standard_normal(n)
    X_c, y_c = X - X.mean(0), y - y.mean()
    alpha = np.max(np.abs(X_c.T @ y_c)) / n / 1e4
    w, gap, n_iter, converged = enet_gram_cd(
        X_c.T @ X_c, X_c.T @ y_c, y_c @ y_c, n, alpha, penalty=Penalty.uniform_of(p, positive))
    assert converged and n_iter < 10_000  # stopped by its gap, not by max_iter
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = lars_path(X_c, y_c, alpha_min=alpha, method="lasso", max_iter=50 * p, return_path=False, positive=positive)[2]

    def objective(v):
        R = y_c - X_c @ v
        return R @ R / (2 * n) + alpha * np.abs(v).sum()

    assert objective(w) <= objective(ref) * (1 + 1e-12)


@pytest.mark.parametrize("seed", [0, 6, 9])
@pytest.mark.parametrize("l1_ratio", [0.1, 0.5])
def test_duplicated_columns_are_finished_by_support_newton(seed, l1_ratio):
    """Ten duplicated column pairs at αmax/10⁴: CD contracts their difference by 1 − l2/‖x‖² per epoch.

    10,000 epochs left 1e-8..1e-5 relative objective and a ConvergenceWarning;
    active-set Newton steps on the support between rounds of CD finish it.
    """
    import warnings

    import fastreg
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import ElasticNet

    rng = np.random.default_rng(seed)
    n, p = 200, 20
    X = rng.standard_normal((n, p))
    X[:, p // 2:] = X[:, : p // 2]
    w = np.zeros(p)
    w[rng.choice(p, 2, replace=False)] = 3.0 * rng.standard_normal(2)
    y = X @ w + 0.5 * rng.standard_normal(n) + 2.0
    alpha = 1e-4 * np.abs((X - X.mean(0)).T @ (y - y.mean())).max() / n

    def objective(coef, intercept):
        r = y - X @ coef - intercept
        return r @ r / (2 * n) + alpha * (l1_ratio * np.abs(coef).sum() + 0.5 * (1 - l1_ratio) * coef @ coef)

    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        model = fastreg.ElasticNet(alpha=alpha, l1_ratio=l1_ratio, solver="gram").fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ref = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, tol=1e-15, max_iter=500_000).fit(X, y)
    assert objective(model.coef_, model.intercept_) <= objective(ref.coef_, ref.intercept_) * (1 + 1e-9)
    # the optimum splits a duplicated pair's weight equally (l2 > 0: strictly convex)
    np.testing.assert_allclose(model.coef_[: p // 2], model.coef_[p // 2:], rtol=1e-6, atol=1e-9 * np.abs(model.coef_).max())
