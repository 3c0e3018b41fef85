"""Direct solvers: one Cholesky factorization of the primal or dual Gram for all targets, refined where needed.

The primal ``X_cᵀX_c + αI`` (p × p) when ``n ≥ p``, the dual ``X_cX_cᵀ + αI``
(n × n) when ``n < p``. Forming that Gram (BLAS syrk, ``min(n, p)²·max(n,
p)`` multiply-adds) is most of a dense fit.

For sparse ``X`` the centered Gram is formed as ``XᵀX − n x̄x̄ᵀ``, which
loses about ``2·log10(|x̄|/σ)`` digits when the column means ``x̄`` are large
against the spreads ``σ``; the solution is therefore iteratively refined
with the exact implicit operator until the normal-equation residual meets
``tol``; if refinement stalls (the Gram has lost too many digits to serve
even as a preconditioner, e.g. means 10⁷ ± 1) or the Gram is not numerically
positive definite, the solver falls back to LSQR on the implicit operator
(cold start: a warm start would change the damped problem LSQR solves).
"""

import numpy as np
import scipy.linalg as la
import scipy.sparse as sp

from .._linalg import cho_factor
from ..gram import sparse_gram
from . import policy
from .iterative import iterative_solve
from .operators import Centered

__all__ = ["dense_cholesky", "sparse_cholesky"]

# Iterative refinement of the sparse Gram solution, and of the dense one when
# the Gram's estimated condition number exceeds _REFINE_CONDITION (its
# formation errors then cost about six of the solution's sixteen digits).
_MAX_REFINE = 10
_REFINE_CONDITION = 1e6


def dense_cholesky(X, mean, Y_c, alpha, implicit, penalty_scale=None, basis=None):
    """Cholesky on the centered Gram (primal or dual); SVD if it fails. Returns ``(W, "cholesky" or "svd")``.

    With ``implicit`` (float64 ``X`` whose column means are within their
    spreads, or no centering) ``X`` is not copied: ``X_cᵀX_c = XᵀX − n x̄x̄ᵀ``
    (or ``X_cX_cᵀ = XXᵀ − m1ᵀ − 1mᵀ + (x̄ᵀx̄)11ᵀ``, ``m = Xx̄``) loses no
    digits there, and BLAS reads ``X`` as it is. Otherwise ``X`` is centered
    into one float64 copy. ``penalty_scale`` and ``basis``: the operator
    ``(I − QQᵀ)X_cS`` of :class:`.operators.Centered` in place of ``X_c``.
    """
    if mean is None or implicit:
        X_c, shift = np.asarray(X, dtype=np.float64), mean  # X itself, corrected (read only)
    else:
        X_c, shift = np.subtract(X, mean, dtype=np.float64), None
    try:
        return _cholesky_uncentered(X_c, shift, Y_c, alpha, penalty_scale, basis), "cholesky"
    except la.LinAlgError:
        if shift is not None:
            X_c = np.subtract(X, mean, dtype=np.float64)
        if penalty_scale is not None:
            X_c = X_c * penalty_scale
        if basis is not None:
            X_c = basis.project(X_c)
        U, s, Vt = la.svd(X_c, full_matrices=False, check_finite=False)
        d = s / (s * s + alpha)
        return Vt.T @ (d[:, None] * (U.T @ Y_c)), "svd"


def _cholesky_uncentered(X, mean, Y_c, alpha, penalty_scale=None, basis=None):
    """Ridge on ``X − 1 meanᵀ`` (``mean=None``: ``X`` as it is) by one Cholesky; ``X`` is read only.

    Where LAPACK's estimate of the Gram's condition number exceeds
    ``_REFINE_CONDITION``, the rounding errors made in forming the Gram may
    have cost the solve digits: it is refined with the exact operator (two
    passes over ``X`` per step, see :func:`_refine`). With ``penalty_scale``
    ``S`` and ``basis`` ``Q`` the primal Gram is ``S(X_cᵀX_c − CCᵀ)S``
    (``C = X_cᵀQ``, from the Gram), the dual one ``(I − QQᵀ)X_cS²X_cᵀ(I − QQᵀ)``, formed
    from a scaled copy of ``X``; ``Y_c`` must be orthogonal to ``Q``.
    """
    n, p = X.shape
    op = Centered(X, mean, None, penalty_scale, basis)
    if n >= p:
        G = X.T @ X
        B = X.T @ Y_c
        if mean is not None:
            G -= n * np.outer(mean, mean)
            B -= np.outer(mean, Y_c.sum(axis=0))
        if basis is not None:
            C = op.cross(G)  # from the Gram itself: no pass over X
            G -= C @ C.T
        if penalty_scale is not None:
            G *= np.outer(penalty_scale, penalty_scale)
            B *= penalty_scale[:, None]
        G.flat[:: p + 1] += alpha
        factor = cho_factor(G)
        return _refine(factor, _norm1(G), B, lambda V: op.normal(V, alpha))
    if penalty_scale is not None:  # X_cS²X_cᵀ is the Gram of the scaled copy
        X = X * penalty_scale
        mean = None if mean is None else mean * penalty_scale
    K = X @ X.T
    if mean is not None:
        m = X @ mean
        K -= m[:, None]
        K -= m[None, :]
        K += mean @ mean
    if basis is not None:
        _project_gram(K, basis.Q)
    K.flat[:: n + 1] += alpha
    factor = cho_factor(K)
    return op.tdot(_refine(factor, _norm1(K), Y_c, lambda C: op.dual(C, alpha)))


def _project_gram(K, Q):
    """``K ← (I − QQᵀ)K(I − QQᵀ)`` in place, for symmetric ``K`` (n, n) and orthonormal ``Q`` (n, r)."""
    T = K @ Q
    M = Q.T @ T
    K -= T @ Q.T
    K -= Q @ T.T
    K += Q @ (M @ Q.T)


def _norm1(A):
    """The 1-norm of a symmetric matrix (its largest absolute column sum)."""
    return float(np.abs(A).sum(axis=0).max())


def _refine(factor, norm, B, apply):
    """``cho_solve(factor, B)``, refined with ``apply`` (the exact matrix) where it may be inaccurate.

    ``norm`` is the factored matrix's 1-norm: with the factor it gives
    LAPACK's estimate of the condition number (``dpocon``, ``O(size²)``);
    above ``_REFINE_CONDITION`` the solve is refined (:func:`_refine_steps`)
    to a relative residual of 1e-14 per target, or as far as the residual's
    own rounding lets it.
    """
    c, lower = factor
    rcond, info = la.lapack.dpocon(c, norm, uplo="L" if lower else "U")
    if info == 0 and rcond * _REFINE_CONDITION >= 1.0:
        return la.cho_solve(factor, B, check_finite=False)
    return _refine_steps(factor, B, apply, 1e-14)[0]


def _refine_steps(factor, B, apply, tol):
    """``cho_solve(factor, B)`` refined with ``apply`` (the exact matrix); returns ``(V, converged)``.

    Steps until every target's residual is at most ``tol`` times its
    right-hand side's norm (``converged``), or until a step fails to halve
    the largest relative residual (the factor too inaccurate to refine with,
    or the residual at its rounding floor); ``V`` is then the best solution
    seen.
    """
    V = la.cho_solve(factor, B, check_finite=False)
    b_norm = np.linalg.norm(B, axis=0)
    scale = np.where(b_norm > 0, b_norm, 1.0)
    best, best_r = V, np.inf
    for _ in range(_MAX_REFINE):
        R = B - apply(V)
        r_norm = np.linalg.norm(R, axis=0)
        if np.all(r_norm <= tol * b_norm):
            return V, True
        r = float(np.max(r_norm / scale))
        if not r <= 0.5 * best_r:  # (NaN included)
            break
        best, best_r = V, r
        V = V + la.cho_solve(factor, R, check_finite=False)
    return best, False


def sparse_cholesky(op, Y_c, alpha, tol, max_iter):
    """Gram Cholesky with implicit centering, refined with the exact operator.

    Returns ``(W, None, "cholesky")``, or ``(W, n_iter, "lsqr")`` after an LSQR fallback.
    ``op``'s ``penalty_scale`` and ``basis`` enter the Gram as in
    :func:`_cholesky_uncentered`; ``Y_c`` must be orthogonal to the basis.
    """
    assert op.ridge_weight is None, "the Grams assume the Ridge term αI"
    X, mean = op.X, op.mean
    n, p = X.shape
    S = op.penalty_scale
    primal = n >= p
    if primal:
        G = sparse_gram(X)
        if mean is not None:
            G -= op.dd * np.outer(mean, mean)  # loses digits when |mean| >> spread
        if op.basis is not None:
            C = op.cross()  # not from this Gram: it may have lost digits, C serves the coefficients too
            G -= C @ C.T
        if S is not None:
            G *= np.outer(S, S)
        size = p
        B = op.tdot(Y_c)
    else:
        if S is not None:  # X_cS²X_cᵀ is the Gram of the scaled copy (new stored values)
            X = X @ sp.diags(S)
            mean = None if mean is None else mean * S
        G = np.asarray((X @ X.T).toarray())
        if mean is not None and op.d is not None:
            m = np.asarray(X @ mean)
            G -= np.outer(m, op.d)
            G -= np.outer(op.d, m)
            G += (mean @ mean) * np.outer(op.d, op.d)
        elif mean is not None:
            m = np.asarray(X @ mean)
            G -= m[:, None]
            G -= m[None, :]
            G += mean @ mean
        if op.basis is not None:
            _project_gram(G, op.basis.Q)
        size = n
        B = Y_c
    G.flat[:: size + 1] += alpha
    try:
        factor = la.cho_factor(G, overwrite_a=True, check_finite=False)
    except la.LinAlgError:
        # Only cancellation in the Gram makes XᵀX + αI (α > 0) indefinite.
        return (*iterative_solve(policy.ITERATIVE_DEFAULT, op, Y_c, alpha, tol, max_iter), policy.ITERATIVE_DEFAULT)
    del G

    def apply(V):
        return op.normal(V, alpha) if primal else op.dual(V, alpha)

    V, converged = _refine_steps(factor, B, apply, tol)
    if converged:
        return (V if primal else op.tdot(V)), None, "cholesky"
    # stalled: the Gram is too inaccurate to refine with
    return (*iterative_solve(policy.ITERATIVE_DEFAULT, op, Y_c, alpha, tol, max_iter), policy.ITERATIVE_DEFAULT)
