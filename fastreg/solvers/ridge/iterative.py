"""Krylov solvers: conjugate gradients on the dual, CG on the normal equations, damped LSQR; Jacobi scaling.

On wide dense ``X`` the dual system is often well conditioned (rows are
usually independent samples), and conjugate gradients there read ``X`` twice
per iteration at memory speed. The implicit operator loses only about
``log10(|x̄|/σ)`` digits to the centering (the cancellation is in vectors,
not squared), so CG/LSQR stay accurate to about 1e-12 relative objective at
means 1000 ± 1.
"""

import inspect
import math
import warnings

import numpy as np
from scipy.sparse.linalg import LinearOperator, cg, lsqr

from ...exceptions import ConvergenceWarning

__all__ = ["dual_cg", "iterative_solve"]

# Jacobi scaling of the iterative solvers once the diagonal of X_cᵀX_c + αI
# spreads over more than this factor (column scales over 10x): columns scaled
# 1e-3..1e3 left CG/LSQR 20-100% above the optimum at max_iter without it.
_JACOBI_SPREAD = 100.0
# scipy >= 1.12 names cg's relative tolerance ``rtol``; older versions ``tol``.
_CG_RTOL = "rtol" if "rtol" in inspect.signature(cg).parameters else "tol"


def dual_cg(op, Y_c, alpha, tol, max_iter, budget=None):
    """Conjugate gradients on the dual ``(X_cX_cᵀ + αI) C = Y_c``, ``W = X_cᵀC``; ``X`` read only.

    ``op`` is the :class:`Centered` dense ``X``, each iteration two BLAS
    passes over ``X`` (``T = X_cᵀD``, ``X_cT``), centered implicitly (the
    caller checks the means are within their spreads, so no digits are lost),
    or the :class:`SparseDual` sparse ``X``, one fused pass per target. All
    targets iterate together, each with its own step lengths. Stops when every
    target's dual residual is at most ``tol·‖y_c‖``, checked against the true
    residual (recomputed from ``C``) before returning.

    With ``budget`` (the cost of the Cholesky route, in iterations), CG is a
    ski-rental bet: from the third iteration on, the linear rate so far
    predicts the iterations still needed; once they exceed ``budget`` (or
    twice ``budget`` have run), returns ``W = None`` so that the caller
    factors instead. Without ``budget`` (``solver="cg"``) it runs to ``tol``
    or ``max_iter`` (then warns).

    Returns
    -------
    W : (p, k) ndarray, or None when CG gave up on the budget
    n_iter : (k,) int32 ndarray, the iterations each target took (all run, when ``W`` is None)
    """
    assert getattr(op, "ridge_weight", None) is None, "the dual assumes the Ridge term αI"
    k = Y_c.shape[1]
    b_norm = np.linalg.norm(Y_c, axis=0)
    goal = tol * b_norm
    C = np.zeros_like(Y_c)
    R = Y_c.copy()
    rr = np.einsum("ij,ij->j", R, R)
    D = R.copy()
    n_iter = 0
    converged = np.sqrt(rr) <= goal
    counts = np.zeros(k, dtype=np.int32)  # iterations until each target's recurrence residual met its goal
    while not converged.all():  # (an all-zero Y_c never enters: C = 0)
        if budget is not None and n_iter >= min(2 * budget, max_iter):
            return None, np.full(k, n_iter, dtype=np.int32)
        if n_iter >= max_iter:
            warnings.warn(
                f"ridge solver 'cg' did not reach tol={tol:g} within max_iter={max_iter} iterations "
                f"for {int(np.count_nonzero(~converged))} of {k} target(s); increase max_iter or tol.",
                ConvergenceWarning,
                stacklevel=3,
            )
            break
        Q = op.dual(D, alpha)
        curvature = np.einsum("ij,ij->j", D, Q)
        step = np.where(converged, 0.0, rr / np.where(curvature > 0.0, curvature, 1.0))
        C += step * D
        R -= step * Q
        rr_new = np.einsum("ij,ij->j", R, R)
        n_iter += 1
        counts[~converged] = n_iter
        converged = np.sqrt(rr_new) <= goal
        if converged.all():  # confirm on the true residual (the recurrence drifts)
            W = op.tdot(C)
            R = Y_c - op.dot(W) - alpha * C
            rr = np.einsum("ij,ij->j", R, R)
            converged = np.sqrt(rr) <= goal
            if converged.all():
                return W, counts
            D = R.copy()  # restart from the true residual
            continue
        if budget is not None and n_iter >= 3:
            ratio = np.sqrt(rr_new[~converged]) / b_norm[~converged]
            rate = ratio ** (1.0 / n_iter)
            needed = np.log(tol / ratio) / np.log(np.minimum(rate, 1.0 - 1e-12))
            if needed.max() > budget:
                return None, np.full(k, n_iter, dtype=np.int32)
        D = R + (rr_new / np.where(rr > 0.0, rr, 1.0)) * D
        rr = rr_new
    return op.tdot(C), counts


def _jacobi(op, alpha):
    """The diagonal of ``X_cᵀX_c + αI`` when its entries spread over more than ``_JACOBI_SPREAD``, else ``None``.

    Scaling by a constant leaves CG and LSQR unchanged, so columns of like
    norms keep the plain iteration; widely scaled columns get the Jacobi
    (column-equilibrated) one. Zero entries (empty columns at ``α = 0``) count as one.

    With penalty factors (``op.penalty_scale`` or ``op.ridge_weight``) always:
    the factors spread the diagonal ``‖X_cⱼ‖² + αfⱼ`` (or, rescaled, the
    columns ``X_cⱼ/√fⱼ``), a change of variables that Jacobi undoes.
    """
    diagonal = op.column_norms() + op.ridge_diagonal(alpha)
    live = diagonal[diagonal > 0.0]
    uniform = op.penalty_scale is None and op.ridge_weight is None
    if live.size == 0 or (uniform and live.max() <= _JACOBI_SPREAD * live.min()):
        return None
    diagonal[~(diagonal > 0.0)] = 1.0
    return diagonal


def iterative_solve(solver, op, Y_c, alpha, tol, max_iter):
    """CG on the normal equations or damped LSQR, one target at a time; ``(W, n_iter)``, n_iter (k,) per target."""
    p = op.shape[1]
    k = Y_c.shape[1]
    W = np.empty((p, k))
    n_iter = np.zeros(k, dtype=np.int32)
    unconverged = 0
    diagonal = _jacobi(op, alpha)
    if solver == "cg":
        A = op.normal_operator(alpha)
        B = op.tdot(Y_c)
        M = None
        if diagonal is not None:
            inverse = 1.0 / diagonal
            M = LinearOperator((p, p), matvec=lambda v: np.ravel(v) * inverse, dtype=np.float64)
        for j in range(k):
            count = [0]

            def callback(_, count=count):
                count[0] += 1

            w, info = cg(
                A, B[:, j], atol=0.0, maxiter=max_iter, callback=callback, M=M,
                **{_CG_RTOL: tol},
            )
            W[:, j] = w
            n_iter[j] = count[0]
            unconverged += info > 0
    elif solver == "lsqr":
        if diagonal is None:  # LSQR's own damping: the same iterates as the stacked system (uniform α only)
            A, scale, damp, zeros = op.linear_operator(), 1.0, math.sqrt(alpha), np.zeros(0)
        else:  # Jacobi: LSQR on [X_c D; √α D] v ≈ [y_c; 0], w = Dv
            scale = 1.0 / np.sqrt(diagonal)
            A, damp = op.scaled_operator(scale, alpha), 0.0
            zeros = np.zeros(A.shape[0] - Y_c.shape[0])
        for j in range(k):
            result = lsqr(
                A, np.concatenate([Y_c[:, j], zeros]), damp=damp, atol=tol, btol=tol, conlim=1e12, iter_lim=max_iter
            )
            W[:, j] = result[0] * scale
            n_iter[j] = int(result[2])
            unconverged += result[1] == 7
    else:  # pragma: no cover - guarded by ridge_solve
        raise ValueError(f"unknown iterative solver {solver!r}")
    if unconverged:
        warnings.warn(
            f"ridge solver {solver!r} did not reach tol={tol:g} within max_iter={max_iter} "
            f"iterations for {unconverged} of {k} target(s); increase max_iter or tol.",
            ConvergenceWarning,
            stacklevel=3,
        )
    return W, n_iter
