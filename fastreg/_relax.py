"""The relaxed lasso, glmnet's ``relax=TRUE``: least squares on the lasso's support, blended with the lasso.

At a penalized solution ``(w, b)`` with support ``S = {j : wⱼ ≠ 0}`` the
relaxed fit is the unpenalized (weighted) least-squares fit ``(w_S^OLS, b^OLS)``
on the columns ``S`` alone, within the bounds, other coefficients zero; the
relaxed model at ``γ ∈ [0, 1]`` is ``γ·(w, b) + (1 − γ)·(w^OLS, b^OLS)``
(``γ = 1``: the lasso; ``γ = 0``: least squares on its support), with γ
floored at ``1e-5`` as glmnet's ``blend.relaxed`` does (:func:`blend`).
"""

import numpy as np
import scipy.sparse as sp
from scipy.linalg import lapack
from scipy.optimize import lsq_linear

from ._preprocess import weighted_offsets
from .solvers.ridge import lstsq_solve
from .solvers.stats import bvls_gram

__all__ = ["support_lstsq", "relaxed_path", "glmnet_max_support", "blend", "GAMMA_FLOOR"]

# The Gram's Cholesky serves a support when its reciprocal condition number is above this
# (the solution then keeps about 8 digits); else least squares on the columns themselves.
_GRAM_RCOND = 1e-8

# glmnet's blend.relaxed takes γ = max(γ, 1e-5): neighbouring α with one support, whose
# least-squares fits coincide, then still differ by their lasso part (and cv.glmnet's choice
# among them is the one that part favours, which fastreg reproduces exactly so).
GAMMA_FLOOR = 1e-5


def blend(gamma, penalized, relaxed):
    """``γ·penalized + (1 − γ)·relaxed``, γ at least ``GAMMA_FLOOR`` (glmnet's ``blend.relaxed``); γ = 1 exactly."""
    gamma = max(float(gamma), GAMMA_FLOOR)
    if gamma == 1.0:
        return penalized
    return gamma * penalized + (1.0 - gamma) * relaxed


def glmnet_max_support(n):
    """glmnet's ``maxp = n − 3``: larger supports get no relaxed fit of their own along a path."""
    return n - 3


def support_lstsq(X, y, support, *, fit_intercept, sample_weight=None, lower=None, upper=None):
    """Least squares on the columns ``support``: ``min Σ sᵢ(yᵢ − X_S v − b)²``, ``lower_S ≤ v ≤ upper_S``.

    Dense ``X``: LAPACK ``gelsd`` on the centered, row-weighted columns (the
    minimum-norm ``v`` when they are rank-deficient); with bounds that this
    solution violates, BVLS (:func:`scipy.optimize.lsq_linear`), exact.
    Sparse ``X`` (never densified): LSQR on the implicitly centered columns;
    with violated bounds, BVLS on a square root of their ``k × k`` Gram.

    Parameters
    ----------
    X : ndarray or scipy sparse matrix of shape (n, p), validated
    y : ndarray of shape (n,), float64
    support : ndarray of int, the columns to fit
    fit_intercept : bool
    sample_weight : None or ndarray of shape (n,)
    lower, upper : None or ndarray of shape (p,), the bounds (``±inf`` for none)

    Returns
    -------
    coef : ndarray of shape (p,), float64, zero off ``support``
    intercept : float
    """
    p = X.shape[1]
    coef = np.zeros(p)
    support = np.asarray(support, dtype=np.intp)
    if support.size == 0:
        return coef, float(weighted_offsets(None, y, sample_weight, fit_intercept)[1])
    X_S = X[:, support]
    v, intercept = lstsq_solve(X_S, y, fit_intercept=fit_intercept, sample_weight=sample_weight)
    if lower is not None and upper is not None:
        lo, hi = lower[support], upper[support]
        if np.any(v < lo) or np.any(v > hi):
            v, intercept = _bounded(X_S, y, fit_intercept, sample_weight, lo, hi)
    coef[support] = v
    return coef, float(intercept)


def _bounded(X_S, y, fit_intercept, sample_weight, lo, hi):
    """:func:`support_lstsq` within ``[lo, hi]``, by BVLS on the centered weighted columns (or a Gram root)."""
    x_mean, y_mean = weighted_offsets(X_S, y, sample_weight, fit_intercept)
    d = np.ones(X_S.shape[0]) if sample_weight is None else np.sqrt(sample_weight)
    b = d * (y - y_mean)
    if sp.issparse(X_S):
        # Gram of the centered weighted columns, k × k: Σsᵢ(xᵢ − x̄)(xᵢ − x̄)ᵀ
        Xd = sp.diags(d) @ X_S
        s_total = float(d @ d)
        G = np.asarray((Xd.T @ Xd).toarray(), dtype=np.float64) - s_total * np.outer(x_mean, x_mean)
        v = bvls_gram(G, np.asarray(Xd.T @ b, dtype=np.float64).ravel(), lo, hi)
    else:
        A = (np.asarray(X_S, dtype=np.float64) - x_mean) * d[:, None]
        v = np.clip(lsq_linear(A, b, bounds=(lo, hi), method="bvls", tol=1e-14).x, lo, hi)
    return v, (y_mean - float(x_mean @ v) if fit_intercept else 0.0)


def gram_lstsq(gram, support, lower=None, upper=None):
    """:func:`support_lstsq` from a prepared Gram (a :class:`fastreg.solvers.gram.GramProblem`), or ``None``.

    Solves ``G_SS v = q_S`` by Cholesky: ``k³/3`` operations and no pass
    over ``X``. ``None`` when that is not accurate or not the answer: ``G_SS``
    singular or with a reciprocal condition number below ``_GRAM_RCOND``,
    or ``v`` outside the bounds; the caller then fits the columns.
    """
    p = gram.q.shape[0]
    coef = np.zeros(p)
    if support.size == 0:
        return coef, gram.intercept(coef)
    G = gram.G[np.ix_(support, support)]
    factor, info = lapack.dpotrf(G, lower=False, clean=True)
    if info != 0:
        return None
    rcond, info = lapack.dpocon(factor, np.abs(G).sum(axis=0).max())  # the upper factor
    if info != 0 or not rcond > _GRAM_RCOND:
        return None
    v, info = lapack.dpotrs(factor, gram.q[support], lower=False)
    if info != 0 or (lower is not None and (np.any(v < lower[support]) or np.any(v > upper[support]))):
        return None
    coef[support] = v
    return coef, gram.intercept(coef)


def relaxed_path(X, y, coefs, intercepts, *, fit_intercept, sample_weight=None, lower=None, upper=None,
                 max_support=None, gram=None):
    """The relaxed fits of every point of a path: :func:`support_lstsq` on each distinct support, once.

    As glmnet's ``relax.glmnet``: a support of more than ``max_support``
    features (``n − 3`` by default) gets no fit of its own (least squares
    would nearly interpolate the data); those α take the relaxed fit of the
    last α whose support is small enough (glmnet's ``blend.relaxed``,
    ``extend=TRUE``), or the penalized fit itself when there is none.

    Parameters
    ----------
    X, y, fit_intercept, sample_weight, lower, upper :
        As :func:`support_lstsq` (the data the path was fitted on).
    coefs, intercepts : ndarrays of shape (p, n_alphas) and (n_alphas,), the penalized path
    max_support : int or None
    gram : GramProblem or None
        The path's prepared Gram of the same data: the supports are then
        solved on it (:func:`gram_lstsq`) when that is accurate.

    Returns
    -------
    coefs : ndarray of shape (p, n_alphas)
    intercepts : ndarray of shape (n_alphas,)
        The relaxed fits (``γ = 0``); at ``γ`` the model is
        ``γ·path + (1 − γ)·these``.
    """
    if max_support is None:
        max_support = glmnet_max_support(X.shape[0])
    if sp.issparse(X) and X.format != "csc":
        X = X.tocsc()  # columns are taken
    p, k = coefs.shape
    out = np.zeros((p, k))
    out_intercepts = np.zeros(k)
    fitted = {}
    last = -1
    for i in range(k):
        mask = coefs[:, i] != 0.0
        if np.count_nonzero(mask) > max_support:
            continue
        key = mask.tobytes()
        if key not in fitted:
            support = np.flatnonzero(mask)
            fit = None if gram is None else gram_lstsq(gram, support, lower, upper)
            if fit is None:
                fit = support_lstsq(X, y, support, fit_intercept=fit_intercept, sample_weight=sample_weight,
                                    lower=lower, upper=upper)
            fitted[key] = fit
        out[:, i], out_intercepts[i] = fitted[key]
        last = i
    for i in range(k):
        if np.count_nonzero(coefs[:, i]) > max_support:
            if last < 0:  # no relaxed fit at all: the penalized one
                out[:, i], out_intercepts[i] = coefs[:, i], intercepts[i]
            else:
                out[:, i], out_intercepts[i] = out[:, last], out_intercepts[last]
    return out, out_intercepts
