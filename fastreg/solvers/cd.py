"""Coordinate descent for Lasso and ElasticNet, stopped on the duality gap.

Objective (scikit-learn's)::

    (1/2n)‖y − Xw − b‖² + α·ρ‖w‖₁ + (α(1 − ρ)/2)‖w‖²

Dense ``X`` is centered into one Fortran-ordered copy per fit; sparse ``X``
(CSC) is centered implicitly through its column means (see
:mod:`fastreg.kernels.cd`). The gap is scikit-learn's, so ``tol`` has its
meaning: stop when ``gap ≤ tol·‖y − ȳ‖²`` (both unscaled by ``n``).
"""

import math

import numpy as np
import scipy.sparse as sp
from threadpoolctl import threadpool_limits

from ..kernels.cd import cd_epoch_csc, cd_epoch_dense, column_stats_csc, xtr_csc, xtr_dense

# Inner epochs between two gap evaluations (a gap on the working set costs
# about one epoch on it).
_GAP_EVERY = 10
# Working sets (skglm / celer): start with this many features, then twice the
# support; each subproblem is solved until its gap is this fraction of the
# full problem's gap.
_WS_START = 10
_INNER_FRACTION = 0.3


class _Dense:
    """Centered Fortran-ordered copy of dense ``X`` and its CD operations."""

    def __init__(self, X, x_mean):
        Xc = np.empty(X.shape, dtype=X.dtype, order="F")
        np.subtract(X, x_mean.astype(X.dtype), out=Xc)
        self.XT = Xc.T
        self.norms = np.einsum("ij,ij->j", Xc, Xc, dtype=np.float64)

    def state(self, y_c, w):
        """The centered residual ``R = y_c − X_c w`` (and an unused sum)."""
        R = y_c - self.XT.T @ w if np.any(w) else y_c.copy()
        return R, np.zeros(1)

    def epoch(self, w, state, l1, l2, ws, positive):
        return cd_epoch_dense(self.XT, w, state[0], self.norms, l1, l2, ws, positive)

    def correlations(self, state, w, ws):
        """Centered residual ``R`` and ``X_c[:, ws]ᵀR``."""
        out = np.empty(ws.shape[0])
        xtr_dense(self.XT, state[0], ws, out)
        return state[0], out


class _CSC:
    """CSC ``X`` centered implicitly by its column means."""

    def __init__(self, X, fit_intercept):
        n, p = X.shape
        self.X = X
        self.center = fit_intercept
        sums, self.norms = np.empty(p), np.empty(p)
        column_stats_csc(X.data, X.indptr, n, fit_intercept, sums, self.norms)
        self.x_mean = sums / n if fit_intercept else np.zeros(p)

    def state(self, y_c, w):
        """The uncentered residual ``r = y_c − Xw`` and ``[Σr]``, kept by the kernels."""
        r = y_c - self.X @ w if np.any(w) else y_c.copy()
        return r, np.array([r.sum()])

    def epoch(self, w, state, l1, l2, ws, positive):
        r, r_sum = state
        X = self.X
        return cd_epoch_csc(X.data, X.indices, X.indptr, self.center, w, r, r_sum, self.norms, l1, l2, ws, positive)

    def correlations(self, state, w, ws):
        """Centered residual ``R = r − r̄`` and ``X_c[:, ws]ᵀR = X[:, ws]ᵀR``."""
        r, r_sum = state
        X = self.X
        if self.center:
            # Only r − r̄ matters: re-centre r in place so that it stays of the
            # size of R, and the kernels' updates keep R's digits.
            r -= r.sum() / r.shape[0]
        r_sum[0] = r.sum()  # refresh the kernels' running sum
        shift = r_sum[0] / r.shape[0] if self.center else 0.0
        out = np.empty(ws.shape[0])
        xtr_csc(X.data, X.indices, X.indptr, r, shift, ws, out)
        return r - shift, out


class CDProblem:
    """One centered copy of ``X`` (dense) or its column statistics (CSC), ready for many fits.

    Build it once and call :meth:`solve` for each ``alpha`` or ``l1_ratio``:
    a regularization path reuses the same copy.

    Parameters
    ----------
    X : float32/float64 ndarray or scipy CSC matrix/array (validated)
    y : (n,) float64
    fit_intercept : bool

    Attributes
    ----------
    Y : (n, 1) float64, the centered target
    x_mean : (p,) column means (zeros without intercept)
    y_mean : (1,) target mean (zero without intercept)
    n : number of samples
    """

    def __init__(self, X, y, *, fit_intercept=True):
        n, p = X.shape
        self.n = n
        self.fit_intercept = fit_intercept
        Y = np.asarray(y, dtype=np.float64)
        Y = Y[:, None] if Y.ndim == 1 else Y
        if sp.issparse(X):
            self.op = _CSC(X, fit_intercept)
            x_mean = self.op.x_mean
        else:
            x_mean = X.mean(axis=0, dtype=np.float64) if fit_intercept else np.zeros(p)
            self.op = _Dense(X, x_mean)
        y_mean = Y.mean(axis=0) if fit_intercept else np.zeros(Y.shape[1])
        self.Y = Y - y_mean
        self.x_mean = x_mean
        self.y_mean = y_mean

    def solve(self, k, alpha, l1_ratio=1.0, *, tol=1e-9, max_iter=10_000, positive=False, coef_init=None):
        """Fit target ``k``; returns ``(coef, intercept, gap/n, n_iter, converged)``."""
        # The loop alternates numba's parallel passes with small NumPy reductions:
        # BLAS threads spinning after those reductions would fight numba's pool
        # for the cores (measured: 1.7x slower on 2 cores).
        with threadpool_limits(limits=1, user_api="blas"):
            w, gap, n_iter, converged = _enet_cd(
                self.op, self.Y[:, k], self.n, alpha, l1_ratio, tol, max_iter, positive, coef_init
            )
        intercept = float(self.y_mean[k] - self.x_mean @ w) if self.fit_intercept else 0.0
        return w, intercept, gap, n_iter, converged


def enet_coordinate_descent(
    X, y, alpha, l1_ratio=1.0, *, fit_intercept=True, tol=1e-9, max_iter=10_000, positive=False, coef_init=None
):
    """Solve ElasticNet (Lasso for ``l1_ratio=1``) by coordinate descent on working sets.

    Each outer iteration computes all correlations ``X_cᵀR`` (one pass over
    ``X``), stops if the duality gap is small enough, else picks a working
    set — the current support plus the features that violate optimality
    most — and runs cyclic coordinate descent on it until the subproblem's
    gap is a fraction of the full gap.

    Parameters
    ----------
    X : float32/float64 ndarray or scipy CSC matrix/array (validated)
    y : (n,) float64 ndarray
    alpha : float >= 0
    l1_ratio : float in [0, 1]
    fit_intercept : bool
    tol : float
        Stop when the duality gap ``≤ tol·‖y − ȳ‖²`` (scikit-learn's rule).
    max_iter : int
        Maximum number of epochs (passes over the working set).
    positive : bool
    coef_init : (p,) array or None
        Warm start.

    Returns
    -------
    coef : (p,) float64
    intercept : float
    gap : float
        Final duality gap divided by ``n`` (scikit-learn's ``dual_gap_``).
    n_iter : int
        Epochs run.
    converged : bool
    """
    problem = CDProblem(X, y, fit_intercept=fit_intercept)
    return problem.solve(
        0, alpha, l1_ratio, tol=tol, max_iter=max_iter, positive=positive, coef_init=coef_init
    )


def _enet_cd(op, y_c, n, alpha, l1_ratio, tol, max_iter, positive, coef_init):
    p = op.norms.shape[0]
    w = np.zeros(p) if coef_init is None else np.array(coef_init, dtype=np.float64)
    state = op.state(y_c, w)
    l1 = alpha * l1_ratio * n
    l2 = alpha * (1.0 - l1_ratio) * n
    everything = np.arange(p, dtype=np.int64)
    tol_abs = tol * float(y_c @ y_c)
    gap = math.inf
    n_iter = 0
    while True:
        R, XtR = op.correlations(state, w, everything)
        gap = _duality_gap(R, XtR, w, y_c, l1, l2, positive)
        if gap <= tol_abs or n_iter >= max_iter:
            break
        ws = _working_set(XtR, w, op.norms, l1, l2, positive)
        inner_tol = tol_abs if ws.shape[0] == p else max(_INNER_FRACTION * gap, tol_abs)
        for epoch in range(1, max_iter - n_iter + 1):
            op.epoch(w, state, l1, l2, ws, positive)
            n_iter += 1
            if epoch % _GAP_EVERY == 0:
                R, XtR_ws = op.correlations(state, w, ws)
                if _duality_gap(R, XtR_ws, w[ws], y_c, l1, l2, positive) <= inner_tol:
                    break
    return w, gap / n, n_iter, gap <= tol_abs


def _working_set(XtR, w, norms, l1, l2, positive):
    """The support plus the worst violators of optimality, twice the support in size.

    A zero coefficient violates optimality by ``|X_jᵀR| − l1`` (its distance
    to the subdifferential), scaled by the column norm as in skglm.
    """
    p = w.shape[0]
    support = w != 0
    grad = XtR - l2 * w
    violation = (grad if positive else np.abs(grad)) - l1
    score = np.where(support, np.inf, violation / np.sqrt(np.maximum(norms, 1e-300)))
    score[norms == 0] = -np.inf
    size = min(p, max(_WS_START, 2 * int(support.sum())))
    if size == p:
        return np.arange(p, dtype=np.int64)
    ws = np.argpartition(-score, size - 1)[:size]
    return np.sort(ws).astype(np.int64)


def _duality_gap(R, XtR, w, y_c, l1, l2, positive):
    """scikit-learn's ElasticNet duality gap (unscaled by n).

    ``XtR`` and ``w`` may be restricted to a working set (coefficients outside
    it being zero): that is the gap of the subproblem on the working set.
    """
    XtA = XtR - l2 * w
    dual_norm = np.max(XtA, initial=0.0) if positive else np.max(np.abs(XtA), initial=0.0)
    R_norm2 = float(R @ R)
    w_norm2 = float(w @ w)
    if dual_norm > l1:
        const = l1 / dual_norm
        gap = 0.5 * (R_norm2 + R_norm2 * const**2)
    else:
        const = 1.0
        gap = R_norm2
    gap += l1 * float(np.abs(w).sum()) - const * float(R @ y_c) + 0.5 * l2 * (1.0 + const**2) * w_norm2
    return gap
