"""Ridge and least squares with non-negative coefficients (``positive=True``)."""

import math
import warnings

import numpy as np
import scipy.sparse as sp
from scipy.optimize import minimize, nnls

from ...exceptions import ConvergenceWarning
from .operators import Centered, as_2d, center_y, dense_weighted, finish, sparse_float64, sparse_operator

__all__ = ["positive_fit"]

def positive_fit(X, y, alpha, fit_intercept, sample_weight, tol, max_iter, factors=None):
    """Ridge (``α > 0``) or least squares (``α = 0``) with ``w ≥ 0``; ``(coef, intercept, n_iter, solver)``.

    Dense: NNLS on ``[X_c; √α I] w ≈ [y_c; 0]``, exact (active set), one
    target at a time (``"nnls"``, ``n_iter`` None); a target whose NNLS
    needs more than ``max_iter`` active-set iterations gets ``max_iter``
    iterations of L-BFGS-B instead, whose iterate is returned with a
    ``ConvergenceWarning`` if it has not converged either. Sparse: L-BFGS-B
    with bounds on the implicitly centered operator (``"lbfgs"``).
    L-BFGS-B stops when the projected gradient is at most
    ``tol·max(‖X_cᵀy_c‖∞, 1)``.

    ``factors`` (a :class:`.factors.Factors`): the penalty ``α·Σfⱼwⱼ²``,
    ``√(αfⱼ)`` on the diagonal of NNLS's lower block (no row for ``fⱼ = 0``);
    excluded features are left out of NNLS and held at ``[0, 0]`` by L-BFGS-B.
    """
    Y, single = as_2d(y)
    n, p = X.shape
    k = Y.shape[1]
    W = np.empty((p, k))
    l2 = excluded = None
    if factors is not None:
        excluded = factors.excluded
        l2 = np.where(excluded, 0.0, factors.f)
    if sp.issparse(X):
        X = sparse_float64(X)
        op, Y_c, mean, y_mean = sparse_operator(X, Y, fit_intercept, sample_weight)
        maxiter = max_iter if max_iter is not None else max(1000, 10 * p)
        n_iter = np.zeros(k, dtype=np.int32)
        for j in range(k):
            W[:, j], n_iter[j] = _bounded_lbfgs(op, Y_c[:, j], alpha, tol, maxiter, l2, excluded)
        ran = "lbfgs"
    else:
        if sample_weight is not None:
            X_c, Y_c, mean, y_mean = dense_weighted(X, Y, fit_intercept, sample_weight)
        else:
            mean = X.mean(axis=0, dtype=np.float64) if fit_intercept else None
            X_c = np.asarray(X, dtype=np.float64) if mean is None else np.subtract(X, mean, dtype=np.float64)
            Y_c, y_mean = center_y(Y, fit_intercept)
        keep = slice(None)
        if factors is not None and excluded.any():
            keep = np.flatnonzero(~excluded)
            W[excluded] = 0.0
            X_c, l2 = X_c[:, keep], l2[keep]
        m = X_c.shape[1]
        if alpha > 0 and factors is None:
            A = np.vstack([X_c, math.sqrt(alpha) * np.eye(p)])
            B = np.vstack([Y_c, np.zeros((p, k))])
        elif alpha > 0:
            rows = np.sqrt(alpha * l2)[:, None] * np.eye(m)
            rows = rows[l2 > 0.0]
            A = np.vstack([X_c, rows])
            B = np.vstack([Y_c, np.zeros((rows.shape[0], k))])
        else:
            A, B = X_c, Y_c
        n_iter = np.zeros(k, dtype=np.int32)
        names = []
        for j in range(k):
            if m == 0:  # every feature excluded
                W[keep, j] = 0.0
                names.append("nnls")
                continue
            try:
                W[keep, j] = nnls(A, B[:, j], maxiter=max(3 * p, 50) if max_iter is None else max_iter)[0]
                names.append("nnls")
            except RuntimeError:  # scipy: "Maximum number of iterations reached" (only with a small max_iter)
                maxiter = max_iter if max_iter is not None else max(1000, 10 * p)
                W[keep, j], n_iter[j] = _bounded_lbfgs(Centered(X_c, None), Y_c[:, j], alpha, tol, maxiter, l2)
                names.append("lbfgs")
        ran = "+".join(dict.fromkeys(names))
        if ran == "nnls":
            n_iter = None
    coef, intercept = finish(W, mean, y_mean, single)
    return coef, intercept, n_iter, ran


def _bounded_lbfgs(op, b, alpha, tol, maxiter, l2=None, fixed=None):
    """``min ‖X_c w − b‖² + α‖w‖²`` over ``w ≥ 0`` by L-BFGS-B from zero; ``(w, iterations)``, warns at ``maxiter``.

    ``l2`` (p,): the penalty ``α·Σ l2ⱼwⱼ²`` instead; ``fixed`` (p,) bool: those ``wⱼ`` held at 0.
    """
    p = op.shape[1]
    if fixed is not None and fixed.all():  # (scipy returns no status when every variable is fixed)
        return np.zeros(p), 1
    scale = max(float(np.max(np.abs(op.tdot(b)), initial=0.0)), 1.0)
    weight = alpha if l2 is None else alpha * l2

    def fun(w):
        r = op.dot(w) - b
        if l2 is None:
            return float(r @ r + alpha * (w @ w)), 2.0 * (op.tdot(r) + alpha * w)
        return float(r @ r + (weight * w) @ w), 2.0 * (op.tdot(r) + weight * w)

    bounds = [(0.0, None)] * p if fixed is None else [(0.0, 0.0 if out else None) for out in fixed]
    res = minimize(
        fun, np.zeros(p), jac=True, method="L-BFGS-B", bounds=bounds,
        options={"maxiter": maxiter, "gtol": 2.0 * tol * scale, "ftol": 1e3 * np.finfo(float).eps, "maxcor": 20},
    )
    if res.status == 1:
        warnings.warn(
            f"positive Ridge / least squares: the lbfgs solver did not converge in max_iter={maxiter} iterations "
            f"(L-BFGS-B, projected gradient above tol={tol:g} relative); increase max_iter or tol.",
            ConvergenceWarning,
            stacklevel=4,
        )
    w = np.maximum(res.x, 0.0)
    if fixed is not None:
        w[fixed] = 0.0
    return w, max(int(res.nit), 1)
