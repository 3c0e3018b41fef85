"""Krylov solvers: conjugate gradients on the dual, CG on the normal equations, damped LSQR; Jacobi scaling.

On wide dense ``X`` the dual system is often well conditioned (rows are
usually independent samples), and conjugate gradients there read ``X`` twice
per iteration at memory speed. The implicit operator loses only about
``log10(|x̄|/σ)`` digits to the centering (the cancellation is in vectors,
not squared), so CG/LSQR stay accurate to about 1e-12 relative objective at
means 1000 ± 1.
"""

import math
import warnings

import numpy as np
from scipy.sparse.linalg import lsqr

from ...exceptions import ConvergenceWarning

__all__ = ["dual_cg", "iterative_solve"]

# Jacobi scaling of the iterative solvers once the diagonal of X_cᵀX_c + αI
# spreads over more than this factor (column scales over 10x): columns scaled
# 1e-3..1e3 left CG/LSQR 20-100% above the optimum at max_iter without it.
_JACOBI_SPREAD = 100.0


def dual_cg(op, Y_c, alpha, tol, max_iter, budget=None, gap_tol=None):
    """Conjugate gradients on the dual ``(X_cX_cᵀ + αI) C = Y_c``, ``W = X_cᵀC``; ``X`` read only.

    ``op`` is the :class:`Centered` dense ``X``, each iteration two BLAS
    passes over ``X`` (``T = X_cᵀD``, ``X_cT``), centered implicitly (the
    caller checks the means are within their spreads, so no digits are lost),
    or the :class:`SparseDual` sparse ``X``, one fused pass per target. All
    targets iterate together, each with its own step lengths. Stops when every
    target's dual residual is at most ``tol·‖y_c‖`` or, with ``gap_tol``, when
    its duality gap certifies the objective within ``gap_tol`` relative of the
    optimum (:func:`_dual_goal`), checked against the true residual
    (recomputed from ``C``) before returning.

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
    C = np.zeros_like(Y_c)
    R = Y_c.copy()
    rr = np.einsum("ij,ij->j", R, R)
    D = R.copy()
    n_iter = 0
    goal = _dual_goal(Y_c, b_norm, C, R, alpha, tol, gap_tol)
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
        goal = _dual_goal(Y_c, b_norm, C, R, alpha, tol, gap_tol)
        converged = np.sqrt(rr_new) <= goal
        if converged.all():  # confirm on the true residual (the recurrence drifts)
            W = op.tdot(C)
            R = Y_c - op.dot(W) - alpha * C
            rr = np.einsum("ij,ij->j", R, R)
            converged = np.sqrt(rr) <= _dual_goal(Y_c, b_norm, C, R, alpha, tol, gap_tol)
            if converged.all():
                return W, counts
            D = R.copy()  # restart from the true residual
            continue
        if budget is not None and n_iter >= 3:
            ratio = np.sqrt(rr_new[~converged]) / b_norm[~converged]
            rate = ratio ** (1.0 / n_iter)
            target = goal[~converged] / b_norm[~converged]
            needed = np.log(target / ratio) / np.log(np.minimum(rate, 1.0 - 1e-12))
            if needed.max() > budget:
                return None, np.full(k, n_iter, dtype=np.int32)
        D = R + (rr_new / np.where(rr > 0.0, rr, 1.0)) * D
        rr = rr_new
    return op.tdot(C), counts


def _dual_goal(Y_c, b_norm, C, R, alpha, tol, gap_tol):
    """The dual residual norm at which each target of :func:`dual_cg` stops: ``tol·‖y_c‖`` (``b_norm``
    the targets' norms), or larger where the duality gap already certifies the objective within
    ``gap_tol`` relative.

    For ``(K + αI)c = y`` (``K = X_cX_cᵀ``, ``w = X_cᵀc``, residual ``R``) the dual value
    ``D(c) = (α/2)(yᵀc + cᵀR)`` is at most the optimal objective and the primal objective at
    ``w`` exceeds it by exactly ``‖R‖²/2``: ``‖R‖² ≤ 2·gap_tol·D(c)`` certifies ``w``. The
    rounding of ``yᵀc`` (about ``ε·‖y‖‖c‖``) is taken off ``D(c)`` first.
    """
    residual_goal = tol * b_norm
    if gap_tol is None:
        return residual_goal
    yc = np.einsum("ij,ij->j", Y_c, C)
    cr = np.einsum("ij,ij->j", C, R)
    slack = 1e-15 * b_norm * np.linalg.norm(C, axis=0)
    lower = 0.5 * alpha * (yc + cr - slack)
    return np.maximum(residual_goal, np.sqrt(np.maximum(2.0 * gap_tol * lower, 0.0)))


def normal_cg(matvec, b, y, tol, max_iter, inverse=None, gap_tol=None, ridge=0.0):
    """Conjugate gradients on the normal equations ``Hw = b`` (``H = X_cᵀX_c + Λ``, ``b = X_cᵀy``) from ``w = 0``.

    Stops when the residual ``r = b − Hw`` has ``‖r‖ ≤ tol·‖b‖`` or, with ``gap_tol``, when the
    objective ``P(w) = ½‖y − X_cw‖² + ½wᵀΛw`` is certified within ``gap_tol`` relative of its
    optimum: ``P(w) − P* = ½rᵀH⁻¹r ≤ ‖r‖²/(2·ridge)`` (``ridge`` the smallest entry of ``Λ``, a
    lower bound of ``H``'s eigenvalues) and ``P(w) = ½‖y‖² − ½wᵀ(b + r)`` comes from the
    vectors at hand (its rounding, about ``ε·(‖y‖² + ‖w‖‖b‖)``, counted against it). ``inverse``:
    the Jacobi preconditioner's diagonal, or ``None``.

    Returns ``(w, n_iter, converged)``.
    """
    w = np.zeros_like(b)
    r = b.copy()
    z = r if inverse is None else r * inverse
    d = z.copy()
    rz = float(r @ z)
    b_norm = float(np.linalg.norm(b))
    if not math.isfinite(b_norm):  # overflowed: no residual test can pass, the caller reports the NaN
        return np.full_like(b, np.nan), 0, False
    yy = float(y @ y)

    def met(r):
        rr = float(r @ r)
        if math.sqrt(rr) <= tol * b_norm:
            return True
        if gap_tol is None or not w.any():
            return False
        gap = rr / (2.0 * ridge)
        slack = 1e-15 * (yy + float(np.linalg.norm(w)) * b_norm)
        return gap <= gap_tol * (0.5 * (yy - float(w @ (b + r))) - gap - slack)

    for n_iter in range(max_iter + 1):
        if met(r):
            # confirmed on the true residual: the recurrence drifts from it over many iterations
            # (near-square X at condition 1e6: 1e-11 objective where 1e-12 was certified)
            true_r = b - np.ravel(matvec(w))
            if met(true_r):
                return w, n_iter, True
            r = true_r  # restart from it
            z = r if inverse is None else r * inverse
            d = z.copy()
            rz = float(r @ z)
        if n_iter == max_iter:
            break
        q = np.ravel(matvec(d))
        curvature = float(d @ q)
        if not curvature > 0.0:  # H is positive definite: only a zero direction, i.e. r = 0, gets here
            return w, n_iter, True
        step = rz / curvature
        w += step * d
        r -= step * q
        z = r if inverse is None else r * inverse
        rz_new = float(r @ z)
        d = z + (rz_new / rz) * d
        rz = rz_new
    return w, max_iter, False


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


def iterative_solve(solver, op, Y_c, alpha, tol, max_iter, gap_tol=None):
    """CG on the normal equations or damped LSQR, one target at a time; ``(W, n_iter)``, n_iter (k,) per target.

    ``gap_tol`` (``"cg"`` only): also stop once the objective is certified within ``gap_tol`` relative of
    the optimum (:func:`normal_cg`).
    """
    p = op.shape[1]
    k = Y_c.shape[1]
    W = np.empty((p, k))
    n_iter = np.zeros(k, dtype=np.int32)
    unconverged = 0
    diagonal = _jacobi(op, alpha)
    if solver == "cg":
        A = op.normal_operator(alpha)
        B = op.tdot(Y_c)
        inverse = None if diagonal is None else 1.0 / diagonal
        # the Ridge term's smallest entry bounds the normal matrix's smallest eigenvalue from below
        ridge = np.min(op.ridge_diagonal(alpha)) if gap_tol is not None else 0.0
        for j in range(k):
            W[:, j], n_iter[j], converged = normal_cg(
                A.matvec, B[:, j], Y_c[:, j], tol, max_iter, inverse, gap_tol if ridge > 0.0 else None, ridge
            )
            unconverged += not converged
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
