"""Ridge and least squares with non-negative coefficients (``positive=True``)."""

import math
import warnings

import numpy as np
import scipy.sparse as sp
from scipy.optimize import minimize, nnls

from ...exceptions import ConvergenceWarning
from .operators import Centered, as_2d, center_y, dense_weighted, finish, sparse_float64, sparse_operator

__all__ = ["positive_fit"]

def positive_fit(X, y, alpha, fit_intercept, sample_weight, tol, max_iter):
    """Ridge (``α > 0``) or least squares (``α = 0``) with ``w ≥ 0``; ``(coef, intercept, n_iter, solver)``.

    Dense: NNLS on ``[X_c; √α I] w ≈ [y_c; 0]``, exact (active set), one
    target at a time (``"nnls"``, ``n_iter`` None); a target whose NNLS
    needs more than ``max_iter`` active-set iterations gets ``max_iter``
    iterations of L-BFGS-B instead, whose iterate is returned with a
    ``ConvergenceWarning`` if it has not converged either. Sparse: L-BFGS-B
    with bounds on the implicitly centered operator (``"lbfgs"``).
    L-BFGS-B stops when the projected gradient is at most
    ``tol·max(‖X_cᵀy_c‖∞, 1)``.
    """
    Y, single = as_2d(y)
    n, p = X.shape
    k = Y.shape[1]
    W = np.empty((p, k))
    if sp.issparse(X):
        X = sparse_float64(X)
        op, Y_c, mean, y_mean = sparse_operator(X, Y, fit_intercept, sample_weight)
        maxiter = max_iter if max_iter is not None else max(1000, 10 * p)
        n_iter = np.zeros(k, dtype=np.int32)
        for j in range(k):
            W[:, j], n_iter[j] = _bounded_lbfgs(op, Y_c[:, j], alpha, tol, maxiter)
        ran = "lbfgs"
    else:
        if sample_weight is not None:
            X_c, Y_c, mean, y_mean = dense_weighted(X, Y, fit_intercept, sample_weight)
        else:
            mean = X.mean(axis=0, dtype=np.float64) if fit_intercept else None
            X_c = np.asarray(X, dtype=np.float64) if mean is None else np.subtract(X, mean, dtype=np.float64)
            Y_c, y_mean = center_y(Y, fit_intercept)
        if alpha > 0:
            A = np.vstack([X_c, math.sqrt(alpha) * np.eye(p)])
            B = np.vstack([Y_c, np.zeros((p, k))])
        else:
            A, B = X_c, Y_c
        n_iter = np.zeros(k, dtype=np.int32)
        names = []
        for j in range(k):
            try:
                W[:, j] = nnls(A, B[:, j], maxiter=max(3 * p, 50) if max_iter is None else max_iter)[0]
                names.append("nnls")
            except RuntimeError:  # scipy: "Maximum number of iterations reached" (only with a small max_iter)
                maxiter = max_iter if max_iter is not None else max(1000, 10 * p)
                W[:, j], n_iter[j] = _bounded_lbfgs(Centered(X_c, None), Y_c[:, j], alpha, tol, maxiter)
                names.append("lbfgs")
        ran = "+".join(dict.fromkeys(names))
        if ran == "nnls":
            n_iter = None
    coef, intercept = finish(W, mean, y_mean, single)
    return coef, intercept, n_iter, ran


def _bounded_lbfgs(op, b, alpha, tol, maxiter):
    """``min ‖X_c w − b‖² + α‖w‖²`` over ``w ≥ 0`` by L-BFGS-B from zero; ``(w, iterations)``, warns at ``maxiter``."""
    p = op.shape[1]
    scale = max(float(np.max(np.abs(op.tdot(b)), initial=0.0)), 1.0)

    def fun(w):
        r = op.dot(w) - b
        return float(r @ r + alpha * (w @ w)), 2.0 * (op.tdot(r) + alpha * w)

    res = minimize(
        fun, np.zeros(p), jac=True, method="L-BFGS-B", bounds=[(0.0, None)] * p,
        options={"maxiter": maxiter, "gtol": 2.0 * tol * scale, "ftol": 1e3 * np.finfo(float).eps, "maxcor": 20},
    )
    if res.status == 1:
        warnings.warn(
            f"positive Ridge / least squares: the lbfgs solver did not converge in max_iter={maxiter} iterations "
            f"(L-BFGS-B, projected gradient above tol={tol:g} relative); increase max_iter or tol.",
            ConvergenceWarning,
            stacklevel=4,
        )
    return np.maximum(res.x, 0.0), max(int(res.nit), 1)
