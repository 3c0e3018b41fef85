"""Least squares ``‖y − Xw − b‖²`` (Ridge at ``α = 0``): the minimum-norm solution when ``X`` is rank-deficient."""

import warnings

import numpy as np
import scipy.linalg as la
import scipy.sparse as sp
from scipy.sparse.linalg import lsqr

from ..._preprocess import center_scale_dense, column_means, weighted_offsets
from ...exceptions import ConvergenceWarning
from .._columns import constant_columns
from .operators import as_2d, center_y, dense_weighted, finish, sparse_float64, sparse_operator
from .positive import positive_fit

__all__ = ["lstsq_solve", "lstsq_fit"]

_LSTSQ_LSQR_TOL = 1e-14


def lstsq_solve(X, y, *, fit_intercept=True, sample_weight=None, positive=False, tol=None, overwrite_X=False):
    """Least squares ``‖y − Xw − b‖²``, the minimum-norm ``w`` when rank-deficient.

    Dense ``X``: LAPACK ``gelsd`` (:func:`scipy.linalg.lstsq`) on the centered
    data. Sparse ``X``: :func:`scipy.sparse.linalg.lsqr` from zero on the
    implicitly centered operator with ``atol = btol = tol`` (1e-14 by
    default); its iterates stay in the row space of ``X_c``, so it converges
    to the minimum-norm solution.

    Parameters
    ----------
    X : ndarray of shape (n, p), float32 or float64, or scipy sparse CSR/CSC
        Never densified, never modified.
    y : ndarray of shape (n,) or (n, k), float64
    fit_intercept : bool
    sample_weight : None or ndarray of shape (n,), float64, non-negative
        Weighted least squares ``Σ sᵢ(yᵢ − xᵢw − b)²``.
    positive : bool
        Constrain ``w ≥ 0``: dense ``X`` by NNLS (:func:`scipy.optimize.nnls`,
        as scikit-learn), sparse ``X`` by L-BFGS-B with bounds.
    tol : float >= 0 or None
        ``atol = btol`` of the sparse LSQR (``None``: 1e-14; 0 runs to its
        iteration limit). Dense ``X`` and ``positive`` do not use it.
    overwrite_X : bool
        Let a writable float64 dense ``X`` (C or F order) be centered and
        row-scaled in place and overwritten by gelsd, instead of copied
        (scikit-learn's ``copy_X=False``; not with ``positive``).

    Returns
    -------
    coef : ndarray of shape (p,) or (k, p), float64
    intercept : float or ndarray of shape (k,)
    """
    if positive:
        coef, intercept, _, _ = positive_fit(X, y, 0.0, fit_intercept, sample_weight, 1e-10, None)
        return coef, intercept
    coef, intercept, _, _ = lstsq_fit(
        X, y, fit_intercept, sample_weight, _LSTSQ_LSQR_TOL if tol is None else tol, overwrite_X
    )
    return coef, intercept


def lstsq_fit(X, y, fit_intercept, sample_weight=None, tol=_LSTSQ_LSQR_TOL, overwrite_X=False):
    """Least squares; returns ``(coef, intercept, n_iter, solver)`` (``"lstsq"``: gelsd, or ``"lsqr"``).

    With an intercept, exactly constant columns get coefficient 0 (the
    minimum-norm solution's) and are left out of the solve: their centered
    values are rounding noise, which least squares would amplify.
    """
    if fit_intercept:
        constant = constant_columns(X)
        if constant.any():
            keep = ~constant
            p = X.shape[1]
            if not keep.any():
                Y, single = as_2d(y)
                mean = column_means(X)
                y_mean = np.average(Y, axis=0, weights=sample_weight)
                coef, intercept = finish(np.zeros((p, Y.shape[1])), mean, y_mean, single)
                return coef, intercept, None, "lstsq"
            sub = X[:, np.flatnonzero(keep)] if sp.issparse(X) else X[:, keep]
            coef_sub, intercept, n_iter, ran = _lstsq_all(sub, y, fit_intercept, sample_weight, tol)  # sub: a copy
            coef = np.zeros(coef_sub.shape[:-1] + (p,))
            coef[..., keep] = coef_sub
            return coef, intercept, n_iter, ran
    return _lstsq_all(X, y, fit_intercept, sample_weight, tol, overwrite_X)


def _lstsq_all(X, y, fit_intercept, sample_weight=None, tol=_LSTSQ_LSQR_TOL, overwrite_X=False):
    Y, single = as_2d(y)
    if sp.issparse(X):
        X = sparse_float64(X)
        op, Y_c, mean, y_mean = sparse_operator(X, Y, fit_intercept, sample_weight)
        A = op.linear_operator()
        n, p = X.shape
        iter_lim = max(100, 10 * min(n, p))
        W = np.empty((p, Y.shape[1]))
        n_iter = np.zeros(Y.shape[1], dtype=np.int32)
        scaled = None
        for j in range(Y.shape[1]):
            result = lsqr(A, Y_c[:, j], atol=tol, btol=tol, iter_lim=iter_lim)
            spent = int(result[2])
            if result[1] == 7:
                # Ill-conditioned: equilibrate the columns and start again. The
                # answer is a least-squares solution; where X is also
                # rank-deficient it is minimum-norm in the scaled variables
                # only (the unscaled LSQR above is the minimum-norm one).
                if scaled is None:
                    norms = op.column_norms()
                    norms[~(norms > 0.0)] = 1.0
                    scale = 1.0 / np.sqrt(norms)
                    scaled = op.scaled_operator(scale)
                result = lsqr(scaled, Y_c[:, j], atol=tol, btol=tol, iter_lim=iter_lim)
                spent += int(result[2])
                result = (result[0] * scale,) + tuple(result[1:])
            W[:, j] = result[0]
            n_iter[j] = spent
            if result[1] == 7:
                warnings.warn(
                    f"least-squares LSQR reached its iteration limit ({iter_lim}); "
                    "the solution may be inaccurate (ill-conditioned X?).",
                    ConvergenceWarning,
                    stacklevel=3,
                )
        ran = "lsqr"
    else:
        # overwrite_X: float64 X that can be written is centered (and row-scaled) in place, and gelsd
        # may overwrite it, saving the n × p copy (scikit-learn's copy_X=False)
        inplace = overwrite_X and X.dtype == np.float64 and X.flags.writeable and (
            X.flags.c_contiguous or X.flags.f_contiguous
        )
        if sample_weight is not None and inplace:
            mean, y_mean = weighted_offsets(X, Y, sample_weight, fit_intercept)
            d = np.sqrt(sample_weight)
            X_c, own = center_scale_dense(X, mean, d, out=X), True
            Y_c = (Y - y_mean) * d[:, None]
            if not fit_intercept:
                mean = y_mean = None
        elif sample_weight is not None:
            X_c, Y_c, mean, y_mean = dense_weighted(X, Y, fit_intercept, sample_weight)
            own = True
        elif fit_intercept:
            mean = X.mean(axis=0, dtype=np.float64)
            X_c = np.subtract(X, mean, out=X) if inplace else np.subtract(X, mean, dtype=np.float64)
            own = True
        else:
            mean = None
            X_c = np.asarray(X, dtype=np.float64)
            own = inplace or (X_c is not X and not np.shares_memory(X_c, X))
        if sample_weight is None:
            Y_c, y_mean = center_y(Y, fit_intercept)
        # NumPy's cutoff. scipy's default (eps) keeps the ~eps·s_max singular
        # value that centering leaves in the direction of 1 (rank n − 1 when
        # n ≤ p) and turns rounding into O(1) coefficients.
        cond = np.finfo(np.float64).eps * max(X_c.shape)
        W = la.lstsq(
            X_c, Y_c, cond=cond, lapack_driver="gelsd", overwrite_a=own, check_finite=False
        )[0]
        n_iter, ran = None, "lstsq"
    coef, intercept = finish(W, mean, y_mean, single)
    return coef, intercept, n_iter, ran
