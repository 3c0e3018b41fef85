""":func:`ridge_fit`: check the arguments, split the targets by α, and send each group to its solver.

Which solver "auto" runs is decided in :mod:`.policy`; this module only routes.
"""

from typing import NamedTuple

import numpy as np
import scipy.sparse as sp

from ..._threads import blas_threads, threads_for
from ..gram import means_within_spread
from . import policy
from .direct import dense_cholesky, sparse_cholesky
from .factors import make_factors
from .iterative import dual_cg, iterative_solve
from .lstsq import lstsq_fit
from .operators import Centered, SparseDual, as_2d, center_y, dense_weighted, finish, sparse_float64, sparse_operator
from .positive import positive_fit

__all__ = ["SOLVERS", "RidgeFit", "ridge_fit", "ridge_solve", "target_alphas"]

SOLVERS = ("auto", "cholesky", "cg", "lsqr")


class RidgeFit(NamedTuple):
    """What :func:`ridge_fit` returns.

    Attributes
    ----------
    coef : ndarray of shape (p,) for 1-D ``y``, else (k, p), float64
    intercept : float for 1-D ``y``, else ndarray of shape (k,); zero without ``fit_intercept``
    n_iter : None or int32 ndarray of shape (k,) (k = 1 for 1-D ``y``)
        ``None`` when a direct solver produced the answer, else the
        iterations of the iterative solver for each target (0 for targets of
        another α that were solved directly).
    solver : str
        The algorithm that produced the answer: ``"cholesky"``, ``"svd"``
        (the dense Cholesky's fallback), ``"cg"``, ``"lsqr"``, ``"lstsq"``
        (LAPACK gelsd, α = 0 on dense ``X``), ``"nnls"`` or ``"lbfgs"``
        (``positive``); several joined by ``"+"`` when targets of different
        α took different ones.
    """

    coef: np.ndarray
    intercept: object
    n_iter: object
    solver: str


def target_alphas(alpha, k):
    """``alpha`` as a 1-D float64 array of one value, or one per target of ``k``; a ``ValueError`` otherwise."""
    alphas = np.atleast_1d(np.asarray(alpha, dtype=np.float64))
    if alphas.ndim != 1 or alphas.shape[0] not in (1, k):
        raise ValueError(
            f"Number of targets and number of penalties do not correspond: {alphas.shape[0]} != {k} "
            "(alpha must be a float or hold one value per target)"
        )
    return alphas


def ridge_solve(
    X, y, alpha, *, fit_intercept=True, solver="auto", tol=policy.DEFAULT_TOL, max_iter=None, sample_weight=None,
    positive=False, penalty_factor=None,
):
    """:func:`ridge_fit` returning ``(coef, intercept, n_iter)``, ``n_iter`` the largest count over targets or ``None``."""
    fit = ridge_fit(
        X, y, alpha, fit_intercept=fit_intercept, solver=solver, tol=tol, max_iter=max_iter,
        sample_weight=sample_weight, positive=positive, penalty_factor=penalty_factor,
    )
    return fit.coef, fit.intercept, None if fit.n_iter is None else int(fit.n_iter.max())


def ridge_fit(
    X, y, alpha, *, fit_intercept=True, solver="auto", tol=policy.DEFAULT_TOL, max_iter=None, sample_weight=None,
    positive=False, penalty_factor=None,
):
    """Minimize ``‖y − Xw − b‖² + α‖w‖²``, ``b`` unpenalized and fitted only if asked.

    With ``penalty_factor`` ``f``, the generalized Ridge ``‖y − Xw − b‖² +
    α·Σⱼ fⱼwⱼ²``.

    Parameters
    ----------
    X : ndarray of shape (n, p), float32 or float64, any memory order, or scipy sparse
        CSR/CSC matrix or array (other sparse formats are converted to CSR).
        Sparse ``X`` is never densified; ``X`` is never modified.
    y : ndarray of shape (n,) or (n, k), float64
        Several targets share one factorization (direct solvers).
    alpha : float or ndarray of shape (k,)
        ``α ≥ 0``, or one value per target. ``α = 0`` gives least squares
        (:func:`lstsq_solve`), the minimum-norm solution when ``X`` is
        rank-deficient. Targets of different α are solved separately, one
        solve per distinct value.
    fit_intercept : bool
        Fit ``b`` (by centering ``X`` and ``y``, implicitly for sparse ``X``).
    solver : {"auto", "cholesky", "cg", "lsqr"}
        ``"cholesky"``: one Cholesky factorization of the primal (``n ≥ p``)
        or dual (``n < p``) Gram matrix; dense ``X`` falls back to an SVD if
        the factorization fails, and refines the solve with the exact
        operator where the Gram's estimated condition number exceeds 1e6.
        Sparse ``X`` refines the solution with the exact operator and uses
        ``"lsqr"`` instead when ``min(n, p) > 5000`` or when the Gram matrix
        is too inaccurate (see :mod:`fastreg.solvers.ridge.direct`).
        ``"cg"``: conjugate gradients on the normal equations; for wide
        (``n < p``) sparse ``X``, and for wide contiguous float64 dense ``X``
        without weights whose column means are within their spreads, on the
        dual ``(X_cX_cᵀ + αI) c = y_c`` instead (see :func:`.iterative.dual_cg`: two BLAS
        passes over dense ``X`` per iteration, one fused pass over a CSC copy
        of sparse ``X``).
        ``"lsqr"``: LSQR with ``damp = √α``. Where the column norms spread
        over more than 100x, ``"cg"`` on the normal equations and ``"lsqr"``
        scale the columns to unit norm (Jacobi; LSQR then on
        ``[X_cD; √α·D] v ≈ [y_c; 0]``): columns of very different scales
        (1e-3 to 1e3) otherwise stall them far from the optimum.
        ``"auto"``: ``"cholesky"`` for dense ``X``, except where ``"cg"`` runs on
        the dual: there CG runs first (to a dual residual of at most
        ``min(tol, 1e-12)·‖y_c‖``, or until its duality gap certifies the
        objective within ``policy.AUTO_GAP_TOL`` = 1e-12 relative, unless a
        ``tol`` below the default asks for the residual alone; the same stop
        for sparse ``X``'s "auto" CG) and hands over to ``"cholesky"`` as soon as
        its rate predicts more iterations than the syrk of ``X`` costs
        (``policy.DUAL_CG_ITERS_PER_ROW·n`` = ``0.035·n`` iterations); for sparse ``X``, ``"cholesky"``
        when ``n ≥ p``, ``p ≤ 2000`` and forming the Gram is estimated cheaper
        than conjugate gradients or under 2 ms, else ``"cg"`` (one fused pass over ``X`` per
        iteration when unweighted, see :meth:`.operators.Centered.normal_operator`), on
        the dual when ``n < p``.
    tol : float
        ``"cg"`` stops at ``‖X_cᵀy_c − (X_cᵀX_c + αI)w‖ ≤ tol·‖X_cᵀy_c‖``
        (on the dual: ``‖y_c − (X_cX_cᵀ + αI)c‖ ≤ tol·‖y_c‖``);
        ``"lsqr"`` uses ``atol = btol = tol``; sparse ``"cholesky"`` refines
        until the normal (or dual) equations meet the same relative residual.
    max_iter : int or None
        Iteration cap per target for ``"cg"``/``"lsqr"``; default
        ``max(100, 10·min(n, p))``.
    sample_weight : None or ndarray of shape (n,), float64, non-negative
        Minimize ``Σ sᵢ(yᵢ − xᵢw − b)² + α‖w‖²`` (scikit-learn's Ridge: the
        weights are used as given). Weighted means center; rows are scaled by
        ``√s`` (sparse: a row-scaled copy, centered implicitly).
    positive : bool
        Constrain ``w ≥ 0`` (``solver`` is then ignored): dense ``X`` is solved
        exactly by NNLS (:func:`scipy.optimize.nnls`) on the augmented system
        ``[X_c; √α I] w ≈ [y_c; 0]``; sparse ``X`` by L-BFGS-B with bounds on
        the implicit operator (scikit-learn's method), to ``tol``.
    penalty_factor : None or array of shape (p,), finite ``≥ 0`` or ``inf``
        Multiplies feature ``j``'s penalty: ``0`` leaves it unpenalized,
        ``inf`` leaves it out (coefficient exactly 0); all ones is the plain
        Ridge. Every solver takes it (see :mod:`.factors`): penalized
        features as the columns ``X_cⱼ/√fⱼ``, unpenalized ones projected out
        as the intercept is, excluded ones as zero columns; ``positive`` as
        ``[X_c; diag(√(αf))]`` (NNLS) or ``α·Σfⱼwⱼ²`` (L-BFGS-B); at ``α = 0``
        only the excluded features matter (least squares on the others).

    Returns
    -------
    RidgeFit
        ``coef``, ``intercept``, ``n_iter`` (``None`` when a direct solver
        produced the answer; else the iterations per target, including
        sparse least squares at ``α = 0``, the sparse Cholesky's LSQR
        fallback and ``"auto"``'s dual CG) and ``solver``, the algorithm
        that ran. When ``"auto"``'s dual CG hands over to the Cholesky
        factorization, the answer is the factorization's: ``n_iter`` is
        ``None``.

    Warns
    -----
    ConvergenceWarning
        If an iterative solver reaches ``max_iter`` before ``tol``.
    """
    if solver not in SOLVERS:
        raise ValueError(f"solver must be one of {SOLVERS}, got {solver!r}")
    k = 1 if np.ndim(y) == 1 else np.shape(y)[1]
    alphas = target_alphas(alpha, k)
    if not (np.all(alphas >= 0.0) and np.all(np.isfinite(alphas))):
        raise ValueError(f"alpha must be finite and >= 0, got {alpha!r}")
    factors = make_factors(penalty_factor, X.shape[1])
    distinct = np.unique(alphas)
    if distinct.shape[0] == 1:
        return RidgeFit(
            *_ridge_single(X, y, float(distinct[0]), fit_intercept, solver, tol, max_iter, sample_weight, positive, factors)
        )
    # one solve per distinct α, over the targets that have it (one factorization each)
    Y = np.asarray(y, dtype=np.float64)
    coef = np.empty((k, X.shape[1]))
    intercept = np.zeros(k)
    n_iter = np.zeros(k, dtype=np.int32)
    iterated = False
    names = {}
    for value in distinct:
        cols = np.flatnonzero(alphas == value)
        c, b, it, name = _ridge_single(
            X, Y[:, cols], float(value), fit_intercept, solver, tol, max_iter, sample_weight, positive, factors
        )
        coef[cols], intercept[cols] = c, b
        if it is not None:
            n_iter[cols], iterated = it, True
        names.setdefault(name, cols[0])
    return RidgeFit(coef, intercept, n_iter if iterated else None, "+".join(sorted(names, key=names.get)))


def _ridge_single(X, y, alpha, fit_intercept, solver, tol, max_iter, sample_weight, positive, factors=None):
    """:func:`ridge_fit` at one ``alpha`` (a float) for all targets: ``(coef, intercept, n_iter, solver)``.

    ``factors``: a :class:`.factors.Factors`, or ``None`` for the uniform penalty.
    """
    if positive:
        return positive_fit(X, y, alpha, fit_intercept, sample_weight, tol, max_iter, factors)
    if alpha == 0.0:
        if factors is not None and factors.excluded.any():
            return _without_excluded(X, y, factors.excluded, lambda sub: lstsq_fit(sub, y, fit_intercept, sample_weight))
        return lstsq_fit(X, y, fit_intercept, sample_weight)

    Y, single = as_2d(y)
    n, p = X.shape
    if max_iter is None:
        max_iter = max(100, 10 * min(n, p))

    if sp.issparse(X):
        X = sparse_float64(X)
        chosen = solver == "auto"
        if chosen:
            solver = policy.sparse_auto(X)
        if solver == "cholesky" and min(n, p) > policy.SPARSE_GRAM_MAX:
            solver = policy.ITERATIVE_DEFAULT
        op, Y_c, mean, y_mean = sparse_operator(X, Y, fit_intercept, sample_weight)
        # the primal Krylov solvers take the factors as α·diag(f) on tall X (see Factors.reduce)
        krylov = n >= p and solver in ("cg", "lsqr")
        reduced = None if factors is None else factors.reduce(op, Y_c, krylov)
        if reduced is not None:
            op, Y_c = reduced.op, reduced.Y
        # The Gram and the fused products run on numba's threads (one for small
        # X, see fastreg._threads.threads_for; CG's passes from fewer values); BLAS
        # threads woken by the vector operations in between, or by a threaded
        # Cholesky, would spin on the same cores. One BLAS thread factors p ≤ 2000 about as fast.
        blas = 1 if solver != "cholesky" or min(n, p) <= policy.SPARSE_AUTO_GRAM_MAX else None
        # "auto"'s CG (dual or normal equations) takes its certified stop; an explicit solver, tol as given
        cg_tol, gap_tol = _auto_tols(tol) if chosen and solver == "cg" else (tol, None)
        with blas_threads(blas), threads_for(X, krylov=solver == "cg"):
            if reduced is not None and reduced.trivial:
                W, n_iter, ran = np.zeros((p, Y.shape[1])), None, "lstsq"
            elif solver == "cholesky":
                W, n_iter, ran = sparse_cholesky(op, Y_c, alpha, tol, max_iter)
            elif solver == "cg" and n < p:
                dual = SparseDual(op.X, op.mean, op.d, op.penalty_scale, op.basis)
                budget = policy.sparse_dual_budget(X) if chosen else None
                W, n_iter = dual_cg(dual, Y_c, alpha, cg_tol, max_iter, budget, gap_tol)
                ran = "cg"
                if W is None:  # gave up on its budget: factor the dual instead
                    W, n_iter, ran = sparse_cholesky(op, Y_c, alpha, tol, max_iter)
            else:
                W, n_iter = iterative_solve(solver, op, Y_c, alpha, cg_tol, max_iter, gap_tol)
                ran = solver
            if reduced is not None:
                W = reduced.coef(W)
            # inside the limit too: a threaded x̄ᵀW would leave BLAS threads
            # spinning into whatever the caller runs next (the next fit's passes)
            coef, intercept = finish(W, mean, y_mean, single)
        return coef, intercept, n_iter, ran
    elif sample_weight is not None:
        X_w, Y_c, mean, y_mean = dense_weighted(X, Y, fit_intercept, sample_weight)
        reduced, pen = _reduce(factors, X_w, None, Y_c, n >= p and solver in ("cg", "lsqr"))
        if reduced is not None:
            Y_c = reduced.Y
        if reduced is not None and reduced.trivial:
            W, n_iter, ran = np.zeros((p, Y.shape[1])), None, "lstsq"
        elif solver in ("auto", "cholesky"):
            (W, ran), n_iter = dense_cholesky(X_w, None, Y_c, alpha, True, **pen), None
        else:
            W, n_iter = iterative_solve(solver, Centered(X_w, None, **pen), Y_c, alpha, tol, max_iter)
            ran = solver
    else:
        mean = X.mean(axis=0, dtype=np.float64) if fit_intercept else None
        Y_c, y_mean = center_y(Y, fit_intercept)
        # X itself, centered implicitly, where the means lose no digits (float64 only)
        implicit = X.dtype == np.float64 and (mean is None or means_within_spread(X, mean))
        contiguous = X.flags.c_contiguous or X.flags.f_contiguous  # else BLAS would copy X every pass
        dual_cg_runs = n < p and implicit and contiguous and solver in ("auto", "cg")
        reduced, pen = _reduce(factors, X, mean, Y_c, n >= p and solver in ("cg", "lsqr"))
        if reduced is not None:
            Y_c = reduced.Y
        W = n_iter = None
        ran = solver
        if reduced is not None and reduced.trivial:
            W, ran = np.zeros((p, Y.shape[1])), "lstsq"
        elif dual_cg_runs:
            op, budget = Centered(X, mean, **pen), policy.DUAL_CG_ITERS_PER_ROW * n
            if solver == "cg":
                W, n_iter = dual_cg(op, Y_c, alpha, tol, max_iter)
            elif budget >= policy.DUAL_CG_MIN_BUDGET:
                residual_tol, gap_tol = _auto_tols(tol)
                W, n_iter = dual_cg(op, Y_c, alpha, residual_tol, max_iter, budget, gap_tol)
            ran = "cg"
        if W is None and solver in ("auto", "cholesky"):
            (W, ran), n_iter = dense_cholesky(X, mean, Y_c, alpha, implicit, **pen), None
        elif W is None:
            op = Centered(np.asarray(X, dtype=np.float64), mean, **pen)
            W, n_iter = iterative_solve(solver, op, Y_c, alpha, tol, max_iter)

    if reduced is not None:
        W = reduced.coef(W)
    coef, intercept = finish(W, mean, y_mean, single)
    return coef, intercept, n_iter, ran


def _auto_tols(tol):
    """``(residual tol, gap tol or None)`` of "auto"'s conjugate gradients: a ``tol`` below the default asks
    for the residual alone (coefficients to about ``tol``); neither is ever loosened."""
    return min(tol, policy.AUTO_CG_TOL), policy.AUTO_GAP_TOL if tol >= policy.DEFAULT_TOL else None


def _reduce(factors, X, mean, Y_c, krylov):
    """``(reduced, pen)``: the :class:`.factors.Reduced` problem of dense ``X − 1 meanᵀ`` and ``Y_c``, and
    the keyword arguments that build its operator; ``(None, {})`` for the uniform penalty. ``krylov``:
    for the primal Krylov solvers (see :meth:`.factors.Factors.reduce`)."""
    if factors is None:
        return None, {}
    reduced = factors.reduce(Centered(X, mean), Y_c, krylov)
    op = reduced.op
    pen = {"penalty_scale": op.penalty_scale, "basis": op.basis}
    if op.ridge_weight is not None:
        pen["ridge_weight"] = op.ridge_weight
    return reduced, pen


def _without_excluded(X, y, excluded, fit):
    """``fit`` (returning ``(coef, intercept, n_iter, solver)``) on the columns not ``excluded``; their coefficients 0."""
    keep = np.flatnonzero(~excluded)
    coef_kept, intercept, n_iter, ran = fit(X[:, keep])
    coef = np.zeros(coef_kept.shape[:-1] + (X.shape[1],))
    coef[..., keep] = coef_kept
    return coef, intercept, n_iter, ran
