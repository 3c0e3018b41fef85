"""The LARS start and the Newton steps on the support for per-feature penalties and bounds.

LARS (scikit-learn's) solves the uniform Lasso; ``solvers.homotopy.LassoForm``
writes a weighted, partly unpenalized, sign-constrained problem as one. The
Newton steps hold coefficients at a finite bound and stop at the first
coordinate that reaches zero or its bound. Checked against the L-BFGS-B
oracle of tests/test_penalty.py and against LARS on rescaled columns.
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose
from sklearn.exceptions import ConvergenceWarning

import fastreg
from fastreg.penalty import make_penalty
from fastreg.solvers import cd, gram_cd, homotopy
from fastreg.solvers.cd import toward_first_event
from fastreg.solvers.homotopy import LassoForm

from test_penalty import oracle

INF = np.inf


def wide_data(n=30, p=60, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) + 0.5
    y = X[:, :6] @ rng.standard_normal(6) + 0.3 * rng.standard_normal(n)
    X_c, y_c = X - X.mean(0), y - y.mean()
    return X_c, y_c


def unscaled_objective(X_c, y_c, w, l1, l2, penalty):
    r = y_c - X_c @ w
    return penalty.objective(float(r @ r), w, l1, l2)


SIGNS = {
    "free": {},
    "signs": {"lower_bounds": np.r_[np.zeros(30), np.full(30, -INF)], "upper_bounds": np.r_[np.full(30, INF), np.zeros(30)]},
    "mixed": {"lower_bounds": np.r_[np.zeros(20), np.full(40, -INF)]},
}


@pytest.mark.parametrize("signs", sorted(SIGNS))
@pytest.mark.parametrize("unpenalized", [False, True])
@pytest.mark.parametrize("l2", [0.0, 3.0])
def test_lars_form_solves_the_weighted_problem(signs, unpenalized, l2):
    """LARS through LassoForm lands on the optimum of the weighted problem (within the sign constraints).

    Sign constraints on every penalized feature go through LARS's ``positive``
    (non-positive columns flipped); mixed ones are clipped afterwards, which
    the oracle then beats or matches. Unpenalized features are projected out
    (from the columns for the Lasso, from the Gram for ElasticNet).
    """
    X_c, y_c = wide_data()
    n, p = X_c.shape
    rng = np.random.default_rng(1)
    f = rng.uniform(0.3, 3.0, p)
    f[5] = INF  # left out
    if unpenalized:
        f[[0, 7, 40]] = 0.0
    kwargs = SIGNS[signs]
    penalty = make_penalty(p, penalty_factor=f, **kwargs)
    l1 = 0.05 * np.abs(X_c.T @ y_c).max()
    form = LassoForm(penalty, np.arange(p))
    assert 5 not in form.features
    assert form.positive == (signs == "signs")
    if l2 > 0.0:
        idx = form.features
        coef = form.gram(X_c[:, idx].T @ X_c[:, idx], X_c[:, idx].T @ y_c, n, l1, l2)
    else:
        coef = form.lasso(lambda idx: X_c[:, idx].copy(), y_c, l1 / n)
    w = np.zeros(p)
    w[form.features] = penalty.clip(coef, form.features)
    lower, upper = penalty.pen[2], penalty.pen[3]
    assert np.all(w >= lower) and np.all(w <= upper)
    alpha, l1_ratio = (l1 + l2) / n, l1 / (l1 + l2)
    w_ref, _ = oracle(X_c, y_c, alpha, l1_ratio, f, lower, upper, fit_intercept=False)
    ours = unscaled_objective(X_c, y_c, w, l1, l2, penalty)
    theirs = unscaled_objective(X_c, y_c, w_ref, l1, l2, penalty)
    if signs == "mixed":  # clipped: a start, not the optimum
        assert ours >= theirs * (1 - 1e-9)
    else:
        assert ours <= theirs * (1 + 1e-9), (ours, theirs)
        assert_allclose(w, w_ref, atol=1e-5 * np.abs(w_ref).max())


@pytest.mark.parametrize("storage", ["dense", "csr"])
def test_path_homotopy_serves_factors_and_unreached_bounds(monkeypatch, storage):
    """n ≪ p: one LARS path for a weighted, bounded path, on the path of LARS over the columns scaled by 1/f."""
    from sklearn.linear_model import lars_path

    calls = []

    def counted(*args, **kwargs):
        calls.append(kwargs.get("alpha_min"))
        return lars_path(*args, **kwargs)

    monkeypatch.setattr(homotopy, "lars_path", counted)
    monkeypatch.setattr(fastreg.path, "path_uses_homotopy", lambda n, p, values: False)  # CD's own homotopy start
    monkeypatch.setattr(cd, "_HOMOTOPY_AFTER", 0.01)
    monkeypatch.setattr(cd, "_STALL_MIN_EPOCHS", 5)
    rng = np.random.default_rng(7)
    n, p = 60, 600
    X = rng.standard_normal((n, p)) + 1.0
    if storage == "csr":
        X *= rng.random((n, p)) < 0.3
    y = X[:, :10] @ rng.standard_normal(10) + 0.5 * rng.standard_normal(n)
    f = rng.uniform(0.5, 2.0, p)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        alphas, coefs, *_ = fastreg.fit_path(
            sp.csr_matrix(X) if storage == "csr" else X, y, alphas=30, eps=1e-4, precompute=False,
            penalty_factor=f, lower_bounds=-1e6, upper_bounds=1e6,
        )
    assert len(calls) == 1
    X_c, y_c = X - X.mean(0), y - y.mean()
    lars_alphas, _, lars_v = lars_path(X_c / f, y_c, method="lasso", alpha_min=alphas[-1], max_iter=20 * n)
    for i, alpha in enumerate(alphas):
        j = int(np.searchsorted(-lars_alphas, -alpha))
        if j == 0 or lars_alphas[j] == alpha:
            v = lars_v[:, j]
        else:
            t = (lars_alphas[j - 1] - alpha) / (lars_alphas[j - 1] - lars_alphas[j])
            v = (1 - t) * lars_v[:, j - 1] + t * lars_v[:, j]
        w_lars = v / f

        def obj(w, alpha=alpha):
            r = y_c - X_c @ w
            return r @ r / (2 * n) + alpha * (f * np.abs(w)).sum()

        assert obj(coefs[:, i]) <= obj(w_lars) * (1 + 1e-9) + 1e-15, i


def test_gap_with_bounds_no_coefficient_sits_at_is_the_unbounded_gap():
    """Finite bounds the iterate is not at scale the dual point as infinite ones do; at a bound they are charged."""
    from fastreg.kernels.penalty import dual_gap

    X_c, y_c = wide_data(n=40, p=25, seed=3)
    p = X_c.shape[1]
    rng = np.random.default_rng(3)
    w = rng.standard_normal(p) * (rng.random(p) < 0.4)
    R = y_c - X_c @ w
    XtR, norms, idx = X_c.T @ R, (X_c**2).sum(0), np.arange(p)
    l1, l2 = 0.3 * np.abs(XtR).max(), 0.5
    args = (float(R @ R), float(R @ y_c), XtR, w, idx, l1, l2)
    far = make_penalty(p, penalty_factor=np.ones(p), lower_bounds=-1e6, upper_bounds=1e6)
    plain = make_penalty(p)
    assert not far.uniform
    assert dual_gap(*args, far.pen, norms) == pytest.approx(dual_gap(*args, plain.pen, norms), rel=1e-12)
    # A coefficient at its bound is charged upper·(s·v − l1)₊ instead of limiting s: still a bound on
    # the distance to the optimum, and zero there.
    f, lower, upper = np.ones(p), np.full(p, -INF), np.full(p, 0.4)
    boxed = make_penalty(p, upper_bounds=upper)
    w_opt, _ = oracle(X_c, y_c, (l1 + l2) / 40, l1 / (l1 + l2), f, lower, upper, fit_intercept=False)
    w_opt = np.clip(w_opt, lower, upper)
    w_opt[np.abs(w_opt - 0.4) < 1e-7] = 0.4
    assert np.any(w_opt == 0.4)

    def gap_and_excess(w):
        R = y_c - X_c @ w
        gap = dual_gap(float(R @ R), float(R @ y_c), X_c.T @ R, w, idx, l1, l2, boxed.pen, norms)
        excess = boxed.objective(float(R @ R), w, l1, l2) - boxed.objective(float((y_c - X_c @ w_opt) @ (y_c - X_c @ w_opt)), w_opt, l1, l2)
        return gap, excess

    gap, excess = gap_and_excess(w_opt)
    assert gap <= 1e-7 * np.abs(y_c @ y_c)
    for t in range(20):
        w_t = np.clip(w_opt + 0.1 * rng.standard_normal(p) * (rng.random(p) < 0.5), lower, upper)
        w_t[rng.random(p) < 0.2] = 0.4
        gap, excess = gap_and_excess(w_t)
        assert gap >= excess - 1e-9 * abs(excess), t


def test_toward_first_event():
    signs = np.array([1.0, -1.0, 1.0])
    a = np.array([1.0, 1.0, 0.0])
    lower, upper = np.array([-INF, -2.0, -INF]), np.array([1.0, INF, INF])
    cur = np.array([0.5, -1.0, 0.2])
    # the first coordinate reaches its upper bound 1 a quarter of the way (the second would reach -2 half way)
    point, cut = toward_first_event(cur, np.array([2.5, -3.0, 0.2]), signs, a, lower, upper)
    assert cut and point[0] == 1.0
    assert_allclose(point[1:], [-1.5, 0.2])
    # the second reaches zero first; the third has no L1 weight: crossing zero does not stop it
    point, cut = toward_first_event(cur, np.array([0.6, 1.0, -0.8]), signs, a, lower, upper)
    assert cut and point[1] == 0.0
    assert_allclose(point[[0, 2]], [0.55, -0.3])
    point, cut = toward_first_event(cur, np.array([0.6, -1.5, -0.8]), signs, a, lower, upper)
    assert not cut
    assert_allclose(point, [0.6, -1.5, -0.8])


@pytest.mark.parametrize("l2", [0.0, 2.0])
def test_gram_newton_holds_coefficients_at_their_bounds_and_lands_on_the_optimum(l2):
    """With the support, signs and the coefficients at a bound right, one Newton step is the optimum."""
    X_c, y_c = wide_data(n=80, p=20, seed=5)
    n, p = X_c.shape
    upper = np.full(p, 0.3)
    lower = np.full(p, -INF)
    penalty = make_penalty(p, lower_bounds=lower, upper_bounds=upper)
    G, q = X_c.T @ X_c, X_c.T @ y_c
    l1 = 0.02 * np.abs(q).max()
    w_opt = fastreg.ElasticNet(alpha=(l1 + l2) / n, l1_ratio=l1 / (l1 + l2), fit_intercept=False,
                               upper_bounds=upper, tol=1e-14, max_iter=100_000).fit(X_c, y_c).coef_
    at = w_opt == 0.3
    assert at.any() and np.count_nonzero(w_opt) > at.sum() + 2
    w = w_opt.copy()
    rng = np.random.default_rng(0)
    inside = (w != 0.0) & ~at
    w[inside] += 0.01 * rng.standard_normal(inside.sum()) * np.abs(w[inside])  # signs kept
    step = gram_cd._support_newton(G, q, float(y_c @ y_c), w, l1, l2, penalty)
    assert step is not None
    assert np.all(step[at] == 0.3)
    assert_allclose(step, w_opt, rtol=1e-9, atol=1e-12)


# --------------------------------------------------------------- the path by one homotopy (kernels.lars)


def lars_at(X_c, y_c, alphas, positive=False):
    """scikit-learn's LARS path interpolated at ``alphas`` (it is linear in α between kinks)."""
    from sklearn.linear_model import lars_path

    kinks, _, coefs = lars_path(X_c, y_c, method="lasso", alpha_min=alphas[-1], positive=positive,
                                max_iter=50 * X_c.shape[0])
    out = np.empty((X_c.shape[1], alphas.shape[0]))
    for i, alpha in enumerate(alphas):
        j = int(np.searchsorted(-kinks, -alpha))
        if j == 0 or kinks[j] == alpha:
            out[:, i] = coefs[:, j]
        else:
            t = (kinks[j - 1] - alpha) / (kinks[j - 1] - kinks[j])
            out[:, i] = (1 - t) * coefs[:, j - 1] + t * coefs[:, j]
    return out, kinks, coefs


def correlated_wide(n=40, p=150, seed=3, offset=2.0):
    """Wide data whose features come in correlated groups: its Lasso path drops features on the way."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) + 0.8 * rng.standard_normal((n, 1)) + offset
    X[:, 1::2] += 0.9 * X[:, ::2]
    y = X[:, :8] @ rng.standard_normal(8) + 0.3 * rng.standard_normal(n)
    return X, y


@pytest.mark.parametrize("positive", [False, True])
@pytest.mark.parametrize("factors", [False, True])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_homotopy_grid_is_lars_on_the_grid(positive, factors, dtype):
    """The kernel's solutions at the grid's α are LARS's, through joins and drops, with scaled columns."""
    from fastreg.path import geometric_grid

    X, y = correlated_wide()
    X = X.astype(dtype)
    n, p = X.shape
    f = np.random.default_rng(1).uniform(0.5, 2.0, p) if factors else np.ones(p)
    mean = X.astype(np.float64).mean(0)
    X_c, y_c = X.astype(np.float64) - mean, y - y.mean()
    penalty = make_penalty(p, penalty_factor=f if factors else None, positive=positive)
    lam_max = np.max((X_c.T @ y_c) / f if positive else np.abs(X_c.T @ y_c) / f)
    alphas = geometric_grid(lam_max / n, 1e-2, 40)
    XF = np.asfortranarray(X)
    W, covered = homotopy.homotopy_grid(XF.T, mean, (X_c**2).sum(0), y_c, n, alphas, penalty)
    assert covered == alphas.shape[0]
    for i, alpha in enumerate(alphas):  # a duality gap written here: every column is the optimum
        assert relative_gap(X_c, y_c, W[:, i], alpha * n, f, positive) <= 1e-11
    if positive:
        return  # scikit-learn's positive LARS is not at the optimum on these data (relative gaps up to 0.5)
    V, _, path = lars_at(X_c / f, y_c, alphas)
    if not factors:  # the data exercise the Lasso modification
        assert np.any((path[:, :-1] != 0) & (path[:, 1:] == 0))
    assert_allclose(W, V / f[:, None], rtol=0, atol=1e-9 * np.abs(V).max())


def relative_gap(X_c, y_c, w, lam, f, positive):
    """``(P − D)/P`` for ``½‖y − Xw‖² + λΣfⱼ|wⱼ|`` (w ≥ 0 with ``positive``) at the rescaled residual."""
    r = y_c - X_c @ w
    primal = 0.5 * r @ r + lam * np.sum(f * np.abs(w))
    corr = (X_c.T @ r) / f
    worst = np.max(np.maximum(corr, 0.0)) if positive else np.max(np.abs(corr))
    theta = r * min(1.0, lam / worst) if worst > 0 else r
    dual = theta @ y_c - 0.5 * theta @ theta
    return (primal - dual) / primal


def path_objective(X, y, coef, intercept, alpha, f=None):
    r = y - X @ coef - intercept
    return r @ r / (2 * len(y)) + alpha * np.sum((1.0 if f is None else f) * np.abs(coef))


@pytest.mark.parametrize("storage", ["dense", "csr"])
@pytest.mark.parametrize("positive", [False, True])
def test_wide_path_is_certified_homotopy(positive, storage):
    """n < p: every α of the path is the homotopy's solution (no epochs), at LARS's objective and a certified gap.

    With ``positive`` ours is lower than scikit-learn's LARS on some α (both
    are certified by the gap; theirs is not exact there): only "at most" is asserted.
    """
    X, y = correlated_wide()
    if storage == "csr":
        X *= np.random.default_rng(5).random(X.shape) < 0.4
    n = X.shape[0]
    tol = 1e-6
    Xs = sp.csr_matrix(X) if storage == "csr" else X
    alphas, coefs, intercepts, gaps, n_iters = fastreg.fit_path(Xs, y, alphas=50, positive=positive, tol=tol)
    assert np.all(n_iters == 0)
    x_mean, y_mean = X.mean(0), y.mean()
    exact = lars_at(X - x_mean, y - y_mean, alphas, positive)[0]
    y_norm2 = np.sum((y - y_mean) ** 2)
    for i, alpha in enumerate(alphas):
        theirs = path_objective(X, y, exact[:, i], y_mean - x_mean @ exact[:, i], alpha)
        ours = path_objective(X, y, coefs[:, i], intercepts[i], alpha)
        assert ours - theirs <= 1e-12 * theirs
        if not positive:
            assert abs(ours - theirs) <= 1e-12 * theirs
        assert gaps[i] * n <= tol * y_norm2


def test_uncertified_alpha_is_fitted_from_its_homotopy_start(monkeypatch):
    """An α whose homotopy solution fails its gap (corrupted here) is fitted by CD; the others keep theirs."""
    X, y = correlated_wide()
    real = homotopy.homotopy_grid

    def corrupted(*args):
        W, covered = real(*args)
        W[:, 7] *= 1.01
        return W, covered

    monkeypatch.setattr(cd, "homotopy_grid", corrupted)
    alphas, coefs, intercepts, _, n_iters = fastreg.fit_path(X, y, alphas=20, tol=1e-8)
    assert n_iters[7] > 0 and np.count_nonzero(n_iters) == 1
    x_mean, y_mean = X.mean(0), y.mean()
    exact = lars_at(X - x_mean, y - y_mean, alphas)[0][:, 7]
    theirs = path_objective(X, y, exact, y_mean - x_mean @ exact, alphas[7])
    assert path_objective(X, y, coefs[:, 7], intercepts[7], alphas[7]) <= theirs * (1 + 1e-10)


def test_homotopy_stops_at_a_degenerate_join_and_cd_takes_the_rest(monkeypatch):
    """A column joining (numerically) inside the active ones' span ends the homotopy; CD fits the α below."""
    from fastreg.path import geometric_grid

    X, y = correlated_wide(n=25, p=60, seed=2)
    rng = np.random.default_rng(2)
    X[:, 5] = X[:, 0] + X[:, 2] + 1e-7 * rng.standard_normal(25)  # near-dependent columns
    X[:, 7] = X[:, 0] + 1e-7 * rng.standard_normal(25)
    n, p = X.shape
    mean = X.mean(0)
    X_c, y_c = X - mean, y - y.mean()
    alphas = geometric_grid(np.abs(X_c.T @ y_c).max() / n, 1e-6, 30)
    _, covered = homotopy.homotopy_grid(np.asfortranarray(X).T, mean, (X_c**2).sum(0), y_c, n, alphas,
                                        make_penalty(p))
    assert 0 < covered < alphas.shape[0]
    kwargs = {"alphas": alphas, "tol": 1e-10, "max_iter": 200_000}
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        ours = fastreg.fit_path(X, y, **kwargs)
        monkeypatch.setattr(fastreg.path, "path_uses_homotopy", lambda n, p, values: False)
        alone = fastreg.fit_path(X, y, **kwargs)
    assert np.all(ours.n_iters[covered:] > 0)
    assert np.all(ours.dual_gaps * n <= 1e-10 * (y_c @ y_c))
    for i, alpha in enumerate(alphas):
        a = path_objective(X, y, ours.coefs[:, i], ours.intercepts[i], alpha)
        b = path_objective(X, y, alone.coefs[:, i], alone.intercepts[i], alpha)
        assert abs(a - b) <= 1e-9 * b, i


@pytest.mark.parametrize("case", ["box", "weights", "no-intercept", "float32", "factors-signs", "csr",
                                  "csr-no-intercept", "csr-weights"])
def test_wide_path_with_and_without_the_homotopy_agree(monkeypatch, case):
    """Binding boxes, sample weights, no intercept, float32, mixed signs, CSR: the same path as CD alone."""
    X, y = correlated_wide()
    n, p = X.shape
    if case.startswith("csr"):
        X *= np.random.default_rng(5).random(X.shape) < 0.4
    kwargs = {"alphas": 25, "tol": 1e-10, "max_iter": 100_000}
    if case == "box":
        kwargs.update(lower_bounds=-0.3, upper_bounds=0.5)
    elif case in ("weights", "csr-weights"):
        kwargs.update(sample_weight=np.random.default_rng(2).uniform(0.2, 3.0, n))
    elif case in ("no-intercept", "csr-no-intercept"):
        kwargs.update(fit_intercept=False)
    elif case == "float32":
        X = X.astype(np.float32)
    elif case != "csr":
        kwargs.update(penalty_factor=np.random.default_rng(3).uniform(0.5, 2.0, p),
                      lower_bounds=np.r_[np.zeros(p // 2), np.full(p - p // 2, -INF)])
    Xs = sp.csr_matrix(X) if case.startswith("csr") else X
    ours = fastreg.fit_path(Xs, y, **kwargs)
    monkeypatch.setattr(fastreg.path, "path_uses_homotopy", lambda n, p, values: False)
    alone = fastreg.fit_path(Xs, y, **kwargs)
    penalty = make_penalty(p, **{k: kwargs[k] for k in ("penalty_factor", "lower_bounds", "upper_bounds")
                                 if k in kwargs})
    sw = kwargs.get("sample_weight", np.ones(n))
    sw = sw * n / sw.sum()
    Xd = X.astype(np.float64)
    for i, alpha in enumerate(ours.alphas):
        def obj(w, b, alpha=alpha):
            r = y - Xd @ w - b
            return (sw * r * r).sum() / (2 * n) + alpha * penalty.value(w, 1.0, 0.0)
        a, b = obj(ours.coefs[:, i], ours.intercepts[i]), obj(alone.coefs[:, i], alone.intercepts[i])
        assert a <= b * (1 + 1e-9) + 1e-14, i


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_homotopy_grid_on_csc_columns_is_the_dense_one(fit_intercept):
    """CSC columns centered through their sums give the dense kernel's solutions."""
    from fastreg.path import geometric_grid

    X, y = correlated_wide()
    X *= np.random.default_rng(5).random(X.shape) < 0.4
    n, p = X.shape
    mean = X.mean(0) if fit_intercept else np.zeros(p)
    X_c, y_c = X - mean, (y - y.mean() if fit_intercept else y)
    alphas = geometric_grid(np.abs(X_c.T @ y_c).max() / n, 1e-3, 40)
    norms, penalty = (X_c**2).sum(0), make_penalty(p)
    W_dense, covered_dense = homotopy.homotopy_grid(np.asfortranarray(X).T, mean, norms, y_c, n, alphas, penalty)
    W_csc, covered_csc = homotopy.homotopy_grid(sp.csc_matrix(X), mean, norms, y_c, n, alphas, penalty)
    assert covered_csc == covered_dense > 0
    assert_allclose(W_csc, W_dense, rtol=0, atol=1e-10 * np.abs(W_dense).max())


def test_lars_triangular_steps_against_numpy():
    """The kernel's solves with R and Rᵀ, and its column removal (with R⁻ᵀs), on R inside a larger buffer."""
    from scipy.linalg import solve_triangular

    from fastreg.kernels.lars import _remove, _solve, _solve_transposed

    rng = np.random.default_rng(3)
    m, size = 37, 45
    A = rng.standard_normal((60, m))
    R = np.zeros((size, size))
    R[:m, :m] = np.linalg.qr(A, mode="r")
    b = rng.standard_normal(m)
    for solve, trans in ((_solve, "N"), (_solve_transposed, "T")):
        x = np.r_[b, rng.standard_normal(size - m)]  # entries past m are not R's and stay
        tail = x[m:].copy()
        solve(R, m, x)
        assert_allclose(x[:m], solve_triangular(R[:m, :m], b, trans=trans), rtol=1e-12)
        assert_allclose(x[m:], tail, rtol=0, atol=0)
    signs = np.sign(rng.standard_normal(m))
    for q in (0, 17, m - 2, m - 1):
        R_q = R.copy()
        z = np.r_[solve_triangular(R[:m, :m], signs, trans="T"), np.zeros(size - m)]  # R⁻ᵀs, as the kernel keeps
        _remove(R_q, m, q, z)
        keep = np.delete(np.arange(m), q)
        kept = R_q[: m - 1, : m - 1]
        assert_allclose(kept.T @ kept, A[:, keep].T @ A[:, keep], rtol=0, atol=1e-12 * np.abs(A).max() ** 2 * 60)
        assert np.abs(np.tril(kept, -1)).max() <= 1e-15 * np.abs(kept).max()  # rotations' rounding, never read
        assert not R_q[m - 1].any() and not R_q[:, m - 1].any()
        assert_allclose(z[: m - 1], solve_triangular(kept, signs[keep], trans="T"), rtol=1e-12)


def test_homotopy_grid_on_threads_is_the_serial_one(monkeypatch):
    """The kink's pass over X (Zᵀu) split across numba's threads: the same path as on one thread."""
    from fastreg import _policy
    from fastreg._threads import numba_threads
    from fastreg.path import geometric_grid

    X, y = correlated_wide()
    n, p = X.shape
    mean = X.mean(0)
    X_c, y_c = X - mean, y - y.mean()
    alphas = geometric_grid(np.abs(X_c.T @ y_c).max() / n, 1e-3, 40)
    norms, penalty = (X_c**2).sum(0), make_penalty(p)
    runs = []
    for limit, threshold in ((1, 10**12), (None, 10)):
        monkeypatch.setattr(_policy, "KRYLOV_SERIAL_MAX_VALUES", threshold)
        with numba_threads(limit):
            runs.append(homotopy.homotopy_grid(np.asfortranarray(X).T, mean, norms, y_c, n, alphas, penalty))
    (W_one, covered_one), (W_all, covered_all) = runs
    assert covered_one == covered_all == alphas.shape[0]
    assert_allclose(W_all, W_one, rtol=0, atol=0)  # each a[j] is one thread's own sum


@pytest.mark.parametrize("storage", ["dense", "csr"])
def test_lasso_cv_on_wide_data_is_scikit_learns_at_tight_tol(storage):
    """LassoCV's fold paths by the certified homotopy: scikit-learn's α, MSE path and refit at a tight tol."""
    from sklearn import linear_model as sk

    X, y = correlated_wide(n=60, p=200)
    if storage == "csr":
        X = sp.csr_matrix(X * (np.random.default_rng(5).random(X.shape) < 0.4))
    ours = fastreg.LassoCV(cv=4, alphas=30).fit(X, y)
    ref = sk.LassoCV(cv=4, alphas=30, tol=1e-12, max_iter=1_000_000).fit(X, y)
    assert ours.alpha_ == pytest.approx(ref.alpha_, rel=1e-12)
    assert_allclose(ours.mse_path_, ref.mse_path_, rtol=1e-6)
    assert_allclose(ours.coef_, ref.coef_, rtol=0, atol=1e-6 * np.abs(ref.coef_).max())


def test_homotopy_certificates_in_blocks_of_alphas(monkeypatch):
    """Certifying the α one at a time (a long grid on wide X) gives the whole-grid certificates, to rounding."""
    X, y = correlated_wide()
    whole = fastreg.fit_path(X, y, alphas=30)
    monkeypatch.setattr(cd, "_CERTIFY_VALUES", 1)
    single = fastreg.fit_path(X, y, alphas=30)
    assert np.array_equal(whole.coefs, single.coefs) and np.all(single.n_iters == 0)
    floor = 1e-12 * np.sum((y - y.mean()) ** 2) / len(y)  # both at the gap's rounding floor
    assert np.all(whole.dual_gaps <= floor) and np.all(single.dual_gaps <= floor)


def test_path_uses_homotopy_rule():
    """Wide only, and within the work cap in stored values (dense n²p, sparse n·nnz, plus the factor's n³)."""
    from fastreg._policy import PATH_HOMOTOPY_MAX_WORK, path_uses_homotopy

    assert path_uses_homotopy(200, 2_000, 200 * 2_000)
    assert not path_uses_homotopy(2_000, 2_000, 2_000 * 2_000)  # not wide
    assert not path_uses_homotopy(5_000, 200, 10**6)
    assert path_uses_homotopy(2_000, 10_000, 2_000 * 10_000)  # 4.8e10, the largest size measured
    assert not path_uses_homotopy(3_000, 20_000, 3_000 * 20_000)  # 1.8e11
    n = 1_600  # a CSR fold: the values are the stored ones
    assert path_uses_homotopy(n, 20_000, 320_000) and n * (320_000 + n * n) <= PATH_HOMOTOPY_MAX_WORK
