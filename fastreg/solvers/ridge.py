"""Closed-form and Krylov solvers for Ridge and least squares.

Ridge minimizes ``‖y − Xw − b‖² + α‖w‖²`` (``b`` never penalized); least
squares is ``α = 0`` with the minimum-norm ``w`` when ``X`` is rank-deficient.
With an intercept, ``b`` is eliminated by centering: ``w`` solves the problem
on ``X_c = X − 1x̄ᵀ``, ``y_c = y − ȳ``, and ``b = ȳ − x̄ᵀw``.

Dense ``X`` is centered explicitly (one float64 copy). Sparse ``X`` is never
densified and never centered: ``X_c v = Xv − 1(x̄ᵀv)`` and
``X_cᵀu = Xᵀu − x̄(1ᵀu)`` are applied implicitly.

Direct solvers factor one Gram matrix for all targets (Cholesky): the primal
``X_cᵀX_c + αI`` (p × p) when ``n ≥ p``, the dual ``X_cX_cᵀ + αI`` (n × n) when
``n < p``. Forming that Gram (BLAS syrk, ``min(n, p)²·max(n, p)``
multiply-adds) is most of a dense fit; on wide dense ``X`` the dual system is
often well conditioned (rows are usually independent samples), and conjugate
gradients there read ``X`` twice per iteration at memory speed, so "auto"
tries them first and factors only when they are predicted to cost more.
For sparse ``X`` the centered Gram is formed as ``XᵀX − n x̄x̄ᵀ``, which loses about ``2·log10(|x̄|/σ)`` digits when the
column means ``x̄`` are large against the spreads ``σ``; the solution is
therefore iteratively refined with the exact implicit operator until the
normal-equation residual meets ``tol``; if refinement stalls (the Gram has
lost too many digits to serve even as a preconditioner, e.g. means 10⁷ ± 1)
or the Gram is not numerically positive definite, the solver falls back to
LSQR on the implicit operator (cold start: a warm start would change the
damped problem LSQR solves). The implicit operator itself loses only about
``log10(|x̄|/σ)`` digits (the cancellation is in vectors, not squared), so
CG/LSQR stay accurate to about 1e-12 relative objective at means 1000 ± 1.

Nothing here imports scikit-learn, and the caller's arrays are never modified
(but by :func:`lstsq_solve` when asked to ``overwrite_X``).
"""

import inspect
import math
import warnings
from typing import NamedTuple

import numpy as np
import scipy.linalg as la
import scipy.sparse as sp
from scipy.sparse.linalg import LinearOperator, cg, lsqr
from scipy.optimize import minimize, nnls

from .._preprocess import center_scale_dense, column_means, preprocess, weighted_offsets
from .._threads import blas_threads, threads_for
from .._convert import to_csc
from ..kernels.cd import centered_norms_compressed
from ..exceptions import ConvergenceWarning
from ._columns import constant_columns
from ._linalg import cho_factor
from .fista import _CenteredPass
from .fused import FusedGradient
from .gram import means_within_spread, sparse_gram

SOLVERS = ("auto", "cholesky", "cg", "lsqr")

# Sparse "auto" picks between the Gram (Cholesky, refined) and CG by a cost
# estimate, CG on the dual for wide X (see _sparse_auto). An explicit sparse "cholesky" forms the Gram up
# to _SPARSE_GRAM_MAX (a dense 5000 × 5000 float64 Gram is 200 MB); beyond, it
# uses the iterative default too.
_SPARSE_GRAM_MAX = 5000
# LSQR and CG on the normal equations produce the same iterates in exact
# arithmetic at the same cost per iteration (one product with X, one with
# Xᵀ); LSQR works with X_c rather than X_cᵀX_c, so it is the more stable of
# the two at tight tolerances.
_ITERATIVE_DEFAULT = "lsqr"
# Iterative refinement of the sparse Gram solution, and of the dense one when
# the Gram's estimated condition number exceeds _REFINE_CONDITION (its
# formation errors then cost about six of the solution's sixteen digits).
_MAX_REFINE = 10
_REFINE_CONDITION = 1e6
# "auto" on sparse X (see _sparse_auto), measured side by side (median of 3,
# alpha = 1 and 1e-3, seconds): 100,000 x 1,000 CSR at 1%: Gram + Cholesky
# 0.038-0.060, LSQR 0.037-0.040, CG with two products 0.037, CG on the fused
# pass ~0.02; 100,000 x 300 at 1%: Gram 0.008, LSQR 0.027, CG 0.021;
# 20,000 x 2,000 at 0.5%: Gram 0.113, LSQR 0.015, CG 0.014.
_SPARSE_AUTO_GRAM_MAX = 2000
_SCATTER_S = 5e-9
_FLOP_S = 1e-10
_DENSE_ENTRY_S = 2e-9
_CG_TYPICAL_ITERS = 20
# Below this estimated Gram cost (seconds) "auto" factors whatever CG would
# cost: CG stops on the normal equations' residual, which on an
# ill-conditioned X (columns 100 ± 0.01 without intercept) left 1e-6..5e-4
# relative objective at tol=1e-10, where the refined Cholesky lands at 1e-12.
_SPARSE_AUTO_EXACT_S = 2e-3
# Wide sparse "auto": CG on the dual gives up for the refined dual Cholesky
# once its rate predicts more iterations than the Gram costs (and at least
# this many): columns scaled 1e-3..1e3 (150 x 200) left dual CG at max_iter
# 1e5-1e7 times above the optimum.
_SPARSE_DUAL_MIN_BUDGET = 100
_FUSED_NNZ_S = 1.5e-9
_LSTSQ_LSQR_TOL = 1e-14
# Jacobi scaling of the iterative solvers once the diagonal of X_cᵀX_c + αI
# spreads over more than this factor (column scales over 10x): columns scaled
# 1e-3..1e3 left CG/LSQR 20-100% above the optimum at max_iter without it.
_JACOBI_SPREAD = 100.0
# Dense wide "auto": conjugate gradients on the dual (two BLAS gemv passes over
# X per iteration) while they are predicted cheaper than the Cholesky route's
# syrk (n²p multiply-adds). Measured here on 1,000 × 20,000 float64: syrk
# 0.24-0.31 s, one CG iteration 7.3 ms (40 GB/s per pass), i.e. the syrk costs
# 0.033-0.042·n iterations; below 8 iterations' budget CG cannot win.
_DUAL_CG_ITERS_PER_ROW = 0.035
_DUAL_CG_MIN_BUDGET = 8
# "auto" is a direct solver's stand-in: its CG stops at a dual residual of at
# most 1e-12·‖y_c‖ whatever ``tol`` (only a tighter tol is taken).
_AUTO_CG_TOL = 1e-12

# scipy >= 1.12 names cg's relative tolerance ``rtol``; older versions ``tol``.
_CG_RTOL = "rtol" if "rtol" in inspect.signature(cg).parameters else "tol"


class _Centered:
    """``X_c = X − 1 meanᵀ`` applied implicitly; ``mean=None`` means no centering.

    ``X`` is a float64 ndarray or scipy CSR/CSC matrix or array. ``dot`` and
    ``tdot`` accept vectors or blocks of columns. With sample weights, ``X``
    holds ``DX`` (rows scaled by ``d = √s``) and ``d`` is given: the centering
    is along ``d``, ``X_c = DX − d meanᵀ`` (see :mod:`fastreg._preprocess`).
    """

    def __init__(self, X, mean, d=None):
        self.X = X
        self.XT = X.T
        self.mean = mean
        self.d = d
        self.dd = float(X.shape[0]) if d is None else float(d @ d)
        self.shape = X.shape

    def dot(self, V):
        out = np.asarray(self.X @ V)
        if self.mean is not None:
            if self.d is None:
                out = out - self.mean @ V
            else:
                out = out - np.multiply.outer(self.d, self.mean @ V)
        return out

    def tdot(self, U):
        out = np.asarray(self.XT @ U)
        if self.mean is not None:
            out = out - np.multiply.outer(self.mean, U.sum(axis=0) if self.d is None else self.d @ U)
        return out

    def column_norms(self):
        """``‖X_c[:, j]‖²`` for every column, summed from the centered values (no ``ΣX² − n·x̄²`` cancellation).

        Sparse ``X``: stored entries contribute ``(xᵢⱼ − dᵢx̄ⱼ)²``, the others
        ``(dᵢx̄ⱼ)²`` (``d = 1`` without weights). The Jacobi scaling of the
        iterative solvers.
        """
        X, mean = self.X, self.mean
        n, p = X.shape
        if not sp.issparse(X):
            norms = np.zeros(p)
            for i in range(0, n, 4096):  # row blocks: no full centered copy
                A = np.asarray(X[i : i + 4096], dtype=np.float64)
                if mean is not None:
                    A = A - (mean if self.d is None else np.multiply.outer(self.d[i : i + 4096], mean))
                norms += np.einsum("ij,ij->j", A, A)
            return norms
        norms, stored_dd = np.zeros(p), np.zeros(p)
        d = np.empty(0) if self.d is None else self.d
        centered_norms_compressed(
            X.data, X.indices, X.indptr, X.format == "csr", np.zeros(p) if mean is None else mean, d, norms, stored_dd
        )
        if mean is not None:
            norms += mean * mean * np.maximum(self.dd - stored_dd, 0.0)
        return norms

    def scaled_operator(self, scale, alpha=0.0):
        """``X_c·diag(scale)`` as a LinearOperator, stacked on ``√α·diag(scale)`` when ``alpha > 0``.

        LSQR on it solves the Ridge problem in ``v = w/scale``: with ``scale``
        the inverse column norms, all columns have norm one (Jacobi
        equilibration), so widely scaled columns no longer slow it down.
        """
        n, p = self.shape
        root = math.sqrt(alpha)

        def matvec(v):
            v = np.ravel(v) * scale
            out = np.ravel(self.dot(v))
            return np.concatenate([out, root * v]) if alpha > 0.0 else out

        def rmatvec(u):
            u = np.ravel(u)
            out = np.ravel(self.tdot(u[:n]))
            if alpha > 0.0:
                out = out + root * u[n:]
            return out * scale

        rows = n + p if alpha > 0.0 else n
        return LinearOperator((rows, p), matvec=matvec, rmatvec=rmatvec, dtype=np.float64)

    def normal(self, V, alpha):
        """``(X_cᵀX_c + αI) V``."""
        return self.tdot(self.dot(V)) + alpha * V

    def dual(self, C, alpha):
        """``(X_cX_cᵀ + αI) C``."""
        return self.dot(self.tdot(C)) + alpha * C

    def linear_operator(self):
        return LinearOperator(
            self.shape,
            matvec=self.dot,
            rmatvec=self.tdot,
            matmat=self.dot,
            rmatmat=self.tdot,
            dtype=np.float64,
        )

    def normal_operator(self, alpha):
        """``X_cᵀX_c + αI`` as a LinearOperator: one fused pass over ``X`` per product
        (FISTA's centered pass, :class:`fastreg.solvers.fista._CenteredPass`) for CSR or contiguous dense
        ``X`` without weights, else the two products :meth:`normal` makes."""
        p = self.shape[1]
        matvec = self._fused_normal(alpha)
        if matvec is None:
            matvec = lambda v: self.normal(v, alpha)  # noqa: E731
        return LinearOperator(
            (p, p),
            matvec=matvec,
            matmat=lambda V: self.normal(V, alpha),
            dtype=np.float64,
        )

    def _fused_normal(self, alpha):
        X = self.X
        fusable = X.format == "csr" if sp.issparse(X) else (X.flags.c_contiguous or X.flags.f_contiguous)
        if self.d is not None or not fusable:
            return None
        centered = _CenteredPass(X, np.zeros(X.shape[0]), self.mean is not None, x_mean=self.mean)

        def matvec(v):
            v = np.ravel(v)
            return centered.gram_times(v) + alpha * v

        return matvec


class _SparseDual(_Centered):
    """:class:`_Centered` for sparse ``X`` whose dual products ``(X_cX_cᵀ + αI)u`` take one pass over ``X``.

    The pass runs over ``X`` column by column (a CSC copy by
    :func:`fastreg._convert.to_csc` when ``X`` is CSR; a CSC ``X`` is
    used as stored), as rows of ``Xᵀ`` through the fused CSR
    kernel of :class:`fastreg.solvers.fused.FusedGradient`: for each column
    ``xⱼ`` it forms ``tⱼ = xⱼ·u − x̄ⱼ·(dᵀu)`` (``X_cᵀu``, ``d = 1`` without
    weights) and adds ``tⱼxⱼ`` to the output, on numba's threads. The
    centering of that output, ``d·(x̄ᵀt)``, comes from ``x̄ᵀt = (Xx̄)·u −
    ‖x̄‖²(dᵀu)``. (The base class's :meth:`dual`, two SciPy products, reads
    ``X`` twice on one thread.)
    """

    def __init__(self, X, mean, d=None):
        super().__init__(X, mean, d)
        n, p = X.shape
        by_column = to_csc(X)  # no copy when X is CSC
        self._pass = FusedGradient(sp.csr_matrix((by_column.data, by_column.indices, by_column.indptr), shape=(p, n)))
        self._theta = np.zeros(n + 1)  # [0, u]: no offset
        self._out = np.empty(n + 1)
        self._d = np.ones(n) if d is None else d
        if mean is None:
            self._shift = np.zeros(p)
        else:
            self._xm = np.asarray(X @ mean)
            self._mm = float(mean @ mean)

    def dual(self, C, alpha):
        """``(X_cX_cᵀ + αI) C``, one pass over ``X`` per column of ``C``."""
        out = np.empty_like(C)
        for j in range(C.shape[1]):
            u = C[:, j]
            self._theta[1:] = u
            if self.mean is None:
                self._pass(self._theta, self._shift, self._out)
                out[:, j] = self._out[1:]
            else:
                s = float(self._d @ u)
                self._pass(self._theta, self.mean * s, self._out)
                out[:, j] = self._out[1:] - (float(self._xm @ u) - self._mm * s) * self._d
        return out + alpha * C


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


def ridge_solve(
    X, y, alpha, *, fit_intercept=True, solver="auto", tol=1e-10, max_iter=None, sample_weight=None, positive=False
):
    """:func:`ridge_fit` returning ``(coef, intercept, n_iter)``, ``n_iter`` the largest count over targets or ``None``."""
    fit = ridge_fit(
        X, y, alpha, fit_intercept=fit_intercept, solver=solver, tol=tol, max_iter=max_iter,
        sample_weight=sample_weight, positive=positive,
    )
    return fit.coef, fit.intercept, None if fit.n_iter is None else int(fit.n_iter.max())


def ridge_fit(
    X, y, alpha, *, fit_intercept=True, solver="auto", tol=1e-10, max_iter=None, sample_weight=None, positive=False
):
    """Minimize ``‖y − Xw − b‖² + α‖w‖²``, ``b`` unpenalized and fitted only if asked.

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
        is too inaccurate (see the module notes).
        ``"cg"``: conjugate gradients on the normal equations; for wide
        (``n < p``) sparse ``X``, and for wide contiguous float64 dense ``X``
        without weights whose column means are within their spreads, on the
        dual ``(X_cX_cᵀ + αI) c = y_c`` instead (see ``_dual_cg``: two BLAS
        passes over dense ``X`` per iteration, one fused pass over a CSC copy
        of sparse ``X``).
        ``"lsqr"``: LSQR with ``damp = √α``. Where the column norms spread
        over more than 100x, ``"cg"`` on the normal equations and ``"lsqr"``
        scale the columns to unit norm (Jacobi; LSQR then on
        ``[X_cD; √α·D] v ≈ [y_c; 0]``): columns of very different scales
        (1e-3 to 1e3) otherwise stall them far from the optimum.
        ``"auto"``: ``"cholesky"`` for dense ``X``, except where ``"cg"`` runs on
        the dual: there CG runs first (to a dual residual of at most
        ``min(tol, 1e-12)·‖y_c‖``) and hands over to ``"cholesky"`` as soon as
        its rate predicts more iterations than the syrk of ``X`` costs
        (about ``0.035·n`` iterations here); for sparse ``X``, ``"cholesky"``
        when ``n ≥ p``, ``p ≤ 2000`` and forming the Gram is estimated cheaper
        than conjugate gradients or under 2 ms, else ``"cg"`` (one fused pass over ``X`` per
        iteration when unweighted, see ``_Centered.normal_operator``), on
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
    alphas = np.atleast_1d(np.asarray(alpha, dtype=np.float64))
    if alphas.ndim != 1 or alphas.shape[0] not in (1, k):
        raise ValueError(
            f"Number of targets and number of penalties do not correspond: {alphas.shape[0]} != {k} "
            "(alpha must be a float or hold one value per target)"
        )
    if not (np.all(alphas >= 0.0) and np.all(np.isfinite(alphas))):
        raise ValueError(f"alpha must be finite and >= 0, got {alpha!r}")
    distinct = np.unique(alphas)
    if distinct.shape[0] == 1:
        return RidgeFit(*_ridge_single(X, y, float(distinct[0]), fit_intercept, solver, tol, max_iter, sample_weight, positive))
    # one solve per distinct α, over the targets that have it (one factorization each)
    Y = np.asarray(y, dtype=np.float64)
    coef = np.empty((k, X.shape[1]))
    intercept = np.zeros(k)
    n_iter = np.zeros(k, dtype=np.int32)
    iterated = False
    names = {}
    for value in distinct:
        cols = np.flatnonzero(alphas == value)
        c, b, it, name = _ridge_single(X, Y[:, cols], float(value), fit_intercept, solver, tol, max_iter, sample_weight, positive)
        coef[cols], intercept[cols] = c, b
        if it is not None:
            n_iter[cols], iterated = it, True
        names.setdefault(name, cols[0])
    return RidgeFit(coef, intercept, n_iter if iterated else None, "+".join(sorted(names, key=names.get)))


def _ridge_single(X, y, alpha, fit_intercept, solver, tol, max_iter, sample_weight, positive):
    """:func:`ridge_fit` at one ``alpha`` (a float) for all targets: ``(coef, intercept, n_iter, solver)``."""
    if positive:
        return _positive(X, y, alpha, fit_intercept, sample_weight, tol, max_iter)
    if alpha == 0.0:
        return _lstsq(X, y, fit_intercept, sample_weight)

    Y, single = _as_2d(y)
    n, p = X.shape
    if max_iter is None:
        max_iter = max(100, 10 * min(n, p))

    if sp.issparse(X):
        X = _sparse_float64(X)
        chosen = solver == "auto"
        if chosen:
            solver = _sparse_auto(X)
        if solver == "cholesky" and min(n, p) > _SPARSE_GRAM_MAX:
            solver = _ITERATIVE_DEFAULT
        op, Y_c, mean, y_mean = _sparse_operator(X, Y, fit_intercept, sample_weight)
        # The Gram and the fused products run on numba's threads (one for small
        # X, see fastreg._threads.threads_for); BLAS threads woken by the
        # vector operations in between, or by a threaded Cholesky, would spin
        # on the same cores. One BLAS thread factors p ≤ 2000 about as fast.
        with blas_threads(1 if solver != "cholesky" or min(n, p) <= _SPARSE_AUTO_GRAM_MAX else None), threads_for(X):
            if solver == "cholesky":
                W, n_iter, ran = _sparse_cholesky(op, Y_c, alpha, tol, max_iter)
            elif solver == "cg" and n < p:
                budget = _sparse_dual_budget(X) if chosen else None
                W, n_iter = _dual_cg(_SparseDual(op.X, op.mean, op.d), Y_c, alpha, tol, max_iter, budget)
                ran = "cg"
                if W is None:  # gave up on its budget: factor the dual instead
                    W, n_iter, ran = _sparse_cholesky(op, Y_c, alpha, tol, max_iter)
            else:
                W, n_iter = _iterative(solver, op, Y_c, alpha, tol, max_iter)
                ran = solver
            # inside the limit too: a threaded x̄ᵀW would leave BLAS threads
            # spinning into whatever the caller runs next (the next fit's passes)
            coef, intercept = _finish(W, mean, y_mean, single)
        return coef, intercept, n_iter, ran
    elif sample_weight is not None:
        X_w, Y_c, mean, y_mean = _dense_weighted(X, Y, fit_intercept, sample_weight)
        if solver in ("auto", "cholesky"):
            (W, ran), n_iter = _dense_cholesky(X_w, None, Y_c, alpha, True), None
        else:
            W, n_iter = _iterative(solver, _Centered(X_w, None), Y_c, alpha, tol, max_iter)
            ran = solver
    else:
        mean = X.mean(axis=0, dtype=np.float64) if fit_intercept else None
        Y_c, y_mean = _center_y(Y, fit_intercept)
        # X itself, centered implicitly, where the means lose no digits (float64 only)
        implicit = X.dtype == np.float64 and (mean is None or means_within_spread(X, mean))
        contiguous = X.flags.c_contiguous or X.flags.f_contiguous  # else BLAS would copy X every pass
        W = n_iter = None
        ran = solver
        if n < p and implicit and contiguous and solver in ("auto", "cg"):
            op, budget = _Centered(X, mean), _DUAL_CG_ITERS_PER_ROW * n
            if solver == "cg":
                W, n_iter = _dual_cg(op, Y_c, alpha, tol, max_iter)
            elif budget >= _DUAL_CG_MIN_BUDGET:
                W, n_iter = _dual_cg(op, Y_c, alpha, min(tol, _AUTO_CG_TOL), max_iter, budget)
            ran = "cg"
        if W is None and solver in ("auto", "cholesky"):
            (W, ran), n_iter = _dense_cholesky(X, mean, Y_c, alpha, implicit), None
        elif W is None:
            op = _Centered(np.asarray(X, dtype=np.float64), mean)
            W, n_iter = _iterative(solver, op, Y_c, alpha, tol, max_iter)

    coef, intercept = _finish(W, mean, y_mean, single)
    return coef, intercept, n_iter, ran


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
        coef, intercept, _, _ = _positive(X, y, 0.0, fit_intercept, sample_weight, 1e-10, None)
        return coef, intercept
    coef, intercept, _, _ = _lstsq(
        X, y, fit_intercept, sample_weight, _LSTSQ_LSQR_TOL if tol is None else tol, overwrite_X
    )
    return coef, intercept


# --------------------------------------------------------------------------- helpers


def _as_2d(y):
    y = np.asarray(y, dtype=np.float64)
    if y.ndim == 1:
        return y[:, None], True
    return y, False


def _center_y(Y, fit_intercept):
    if not fit_intercept:
        return Y, None
    y_mean = Y.mean(axis=0)
    return Y - y_mean, y_mean


def _sparse_operator(X, Y, fit_intercept, sample_weight):
    """Implicitly centered (and weighted) operator for float64 CSR/CSC ``X``.

    Returns ``(op, Y_c, mean, y_mean)``; ``mean``/``y_mean`` are ``None``
    without intercept, as :func:`_finish` expects.
    """
    if sample_weight is None:
        mean = column_means(X) if fit_intercept else None
        Y_c, y_mean = _center_y(Y, fit_intercept)
        return _Centered(X, mean), Y_c, mean, y_mean
    X_w, Y_c, mean, y_mean, d = preprocess(X, Y, sample_weight, fit_intercept=fit_intercept)
    if not fit_intercept:
        return _Centered(X_w, None), Y_c, None, None
    return _Centered(X_w, mean, d), Y_c, mean, y_mean


def _dense_weighted(X, Y, fit_intercept, sample_weight):
    """``D(X − x̄)`` (float64 copy), ``D(Y − ȳ)``, and the means (``None`` without intercept)."""
    X_w, Y_c, mean, y_mean, _ = preprocess(
        X, Y, sample_weight, fit_intercept=fit_intercept, dtype=np.float64, order="C"
    )
    if not fit_intercept:
        return X_w, Y_c, None, None
    return X_w, Y_c, mean, y_mean


def _sparse_auto(X):
    """``"cholesky"`` or ``"cg"`` for tall sparse ``X`` (whichever is estimated faster), ``"cg"`` (on the dual) for wide.

    Estimated seconds (constants measured on 2 cores, cold caches): the
    Gram's (:func:`_gram_seconds`) against ``_CG_TYPICAL_ITERS`` fused
    passes over the stored entries. A Gram
    estimated under ``_SPARSE_AUTO_EXACT_S`` is always taken: the refined
    direct solve does not depend on the conditioning of ``X``.
    """
    n, p = X.shape
    if n < p:
        return "cg"  # on the n × n dual, one fused pass per iteration
    if p > _SPARSE_AUTO_GRAM_MAX:
        return "cg"
    gram = _gram_seconds(X, dual=False)
    if gram <= _SPARSE_AUTO_EXACT_S:
        return "cholesky"  # cheap either way: take the refined direct solve
    iterative = _CG_TYPICAL_ITERS * X.nnz * _FUSED_NNZ_S
    return "cholesky" if gram < iterative else "cg"


def _sparse_dual_budget(X):
    """"auto"'s budget for CG on the sparse dual, in iterations: the cost of factoring ``XXᵀ`` instead (``None`` past ``_SPARSE_AUTO_GRAM_MAX`` rows).

    At least ``_SPARSE_DUAL_MIN_BUDGET``: CG, exact and cheap on the usual
    well-conditioned wide data, is given a fair run before the factorization
    (which, refined, does not depend on the conditioning) takes over.
    """
    if X.shape[0] > _SPARSE_AUTO_GRAM_MAX:
        return None
    return max(_gram_seconds(X, dual=True) / max(X.nnz * _FUSED_NNZ_S, 1e-12), _SPARSE_DUAL_MIN_BUDGET)


def _gram_seconds(X, dual):
    """Estimated seconds to form and factor the primal ``XᵀX`` (or, ``dual``, the ``XXᵀ``) of sparse ``X``.

    ``Σ c²/2`` scattered updates over the stored entries per row (dual: per
    column), ``m³/3`` flops of the Cholesky on one thread and ``m²`` for the
    dense ``m × m`` matrices (``m = p``, dual ``n``).
    """
    n, p = X.shape
    by_row = X.format == "csr"
    if dual:  # entries per column
        counts = np.bincount(X.indices, minlength=p) if by_row else np.diff(X.indptr)
    else:  # entries per row
        counts = np.diff(X.indptr) if by_row else np.bincount(X.indices, minlength=n)
    counts = counts.astype(np.float64)
    m = n if dual else p
    return 0.5 * float(counts @ counts) * _SCATTER_S + m**3 / 3.0 * _FLOP_S + m * m * _DENSE_ENTRY_S


def _sparse_float64(X):
    if X.format not in ("csr", "csc"):
        X = X.tocsr()
    if X.dtype != np.float64:
        X = X.astype(np.float64)
    return X


def _finish(W, mean, y_mean, single):
    """``W`` (p, k) → ``coef`` (p,) / (k, p) and the intercept."""
    if y_mean is None:
        intercept = np.zeros(W.shape[1])
    else:
        intercept = y_mean - mean @ W
    if single:
        return W[:, 0].copy(), float(intercept[0])
    return np.ascontiguousarray(W.T), intercept


def _dense_cholesky(X, mean, Y_c, alpha, implicit):
    """Cholesky on the centered Gram (primal or dual); SVD if it fails. Returns ``(W, "cholesky" or "svd")``.

    With ``implicit`` (float64 ``X`` whose column means are within their
    spreads, or no centering) ``X`` is not copied: ``X_cᵀX_c = XᵀX − n x̄x̄ᵀ``
    (or ``X_cX_cᵀ = XXᵀ − m1ᵀ − 1mᵀ + (x̄ᵀx̄)11ᵀ``, ``m = Xx̄``) loses no
    digits there, and BLAS reads ``X`` as it is. Otherwise ``X`` is centered
    into one float64 copy.
    """
    if mean is None or implicit:
        X_c, shift = np.asarray(X, dtype=np.float64), mean  # X itself, corrected (read only)
    else:
        X_c, shift = np.subtract(X, mean, dtype=np.float64), None
    try:
        return _cholesky_uncentered(X_c, shift, Y_c, alpha), "cholesky"
    except la.LinAlgError:
        if shift is not None:
            X_c = np.subtract(X, mean, dtype=np.float64)
        U, s, Vt = la.svd(X_c, full_matrices=False, check_finite=False)
        d = s / (s * s + alpha)
        return Vt.T @ (d[:, None] * (U.T @ Y_c)), "svd"


def _cholesky_uncentered(X, mean, Y_c, alpha):
    """Ridge on ``X − 1 meanᵀ`` (``mean=None``: ``X`` as it is) by one Cholesky; ``X`` is read only.

    Where LAPACK's estimate of the Gram's condition number exceeds
    ``_REFINE_CONDITION``, the rounding errors made in forming the Gram may
    have cost the solve digits: it is refined with the exact operator (two
    passes over ``X`` per step, see :func:`_refine`).
    """
    n, p = X.shape
    op = _Centered(X, mean)
    if n >= p:
        G = X.T @ X
        B = X.T @ Y_c
        if mean is not None:
            G -= n * np.outer(mean, mean)
            B -= np.outer(mean, Y_c.sum(axis=0))
        G.flat[:: p + 1] += alpha
        factor = cho_factor(G)
        return _refine(factor, _norm1(G), B, lambda V: op.normal(V, alpha))
    K = X @ X.T
    if mean is not None:
        m = X @ mean
        K -= m[:, None]
        K -= m[None, :]
        K += mean @ mean
    K.flat[:: n + 1] += alpha
    factor = cho_factor(K)
    return op.tdot(_refine(factor, _norm1(K), Y_c, lambda C: op.dual(C, alpha)))


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


def _dual_cg(op, Y_c, alpha, tol, max_iter, budget=None):
    """Conjugate gradients on the dual ``(X_cX_cᵀ + αI) C = Y_c``, ``W = X_cᵀC``; ``X`` read only.

    ``op`` is the :class:`_Centered` dense ``X``, each iteration two BLAS
    passes over ``X`` (``T = X_cᵀD``, ``X_cT``), centered implicitly (the
    caller checks the means are within their spreads, so no digits are lost),
    or the :class:`_SparseDual` sparse ``X``, one fused pass per target. All
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


def _sparse_cholesky(op, Y_c, alpha, tol, max_iter):
    """Gram Cholesky with implicit centering, refined with the exact operator.

    Returns ``(W, None, "cholesky")``, or ``(W, n_iter, "lsqr")`` after an LSQR fallback.
    """
    X, mean = op.X, op.mean
    n, p = X.shape
    primal = n >= p
    if primal:
        G = sparse_gram(X)
        if mean is not None:
            G -= op.dd * np.outer(mean, mean)  # loses digits when |mean| >> spread
        size = p
        B = op.tdot(Y_c)
    else:
        G = np.asarray((X @ op.XT).toarray())
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
        size = n
        B = Y_c
    G.flat[:: size + 1] += alpha
    try:
        factor = la.cho_factor(G, overwrite_a=True, check_finite=False)
    except la.LinAlgError:
        # Only cancellation in the Gram makes XᵀX + αI (α > 0) indefinite.
        return (*_iterative(_ITERATIVE_DEFAULT, op, Y_c, alpha, tol, max_iter), _ITERATIVE_DEFAULT)
    del G

    def apply(V):
        return op.normal(V, alpha) if primal else op.dual(V, alpha)

    V, converged = _refine_steps(factor, B, apply, tol)
    if converged:
        return (V if primal else op.tdot(V)), None, "cholesky"
    # stalled: the Gram is too inaccurate to refine with
    return (*_iterative(_ITERATIVE_DEFAULT, op, Y_c, alpha, tol, max_iter), _ITERATIVE_DEFAULT)


def _jacobi(op, alpha):
    """The diagonal of ``X_cᵀX_c + αI`` when its entries spread over more than ``_JACOBI_SPREAD``, else ``None``.

    Scaling by a constant leaves CG and LSQR unchanged, so columns of like
    norms keep the plain iteration; widely scaled columns get the Jacobi
    (column-equilibrated) one. Zero entries (empty columns at ``α = 0``) count as one.
    """
    diagonal = op.column_norms() + alpha
    live = diagonal[diagonal > 0.0]
    if live.size == 0 or live.max() <= _JACOBI_SPREAD * live.min():
        return None
    diagonal[~(diagonal > 0.0)] = 1.0
    return diagonal


def _iterative(solver, op, Y_c, alpha, tol, max_iter):
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
        if diagonal is None:  # LSQR's own damping: the same iterates as the stacked system
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


def _lstsq(X, y, fit_intercept, sample_weight=None, tol=_LSTSQ_LSQR_TOL, overwrite_X=False):
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
                Y, single = _as_2d(y)
                mean = column_means(X)
                y_mean = np.average(Y, axis=0, weights=sample_weight)
                coef, intercept = _finish(np.zeros((p, Y.shape[1])), mean, y_mean, single)
                return coef, intercept, None, "lstsq"
            sub = X[:, np.flatnonzero(keep)] if sp.issparse(X) else X[:, keep]
            coef_sub, intercept, n_iter, ran = _lstsq_all(sub, y, fit_intercept, sample_weight, tol)  # sub: a copy
            coef = np.zeros(coef_sub.shape[:-1] + (p,))
            coef[..., keep] = coef_sub
            return coef, intercept, n_iter, ran
    return _lstsq_all(X, y, fit_intercept, sample_weight, tol, overwrite_X)


def _lstsq_all(X, y, fit_intercept, sample_weight=None, tol=_LSTSQ_LSQR_TOL, overwrite_X=False):
    Y, single = _as_2d(y)
    if sp.issparse(X):
        X = _sparse_float64(X)
        op, Y_c, mean, y_mean = _sparse_operator(X, Y, fit_intercept, sample_weight)
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
            X_c, Y_c, mean, y_mean = _dense_weighted(X, Y, fit_intercept, sample_weight)
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
            Y_c, y_mean = _center_y(Y, fit_intercept)
        # NumPy's cutoff. scipy's default (eps) keeps the ~eps·s_max singular
        # value that centering leaves in the direction of 1 (rank n − 1 when
        # n ≤ p) and turns rounding into O(1) coefficients.
        cond = np.finfo(np.float64).eps * max(X_c.shape)
        W = la.lstsq(
            X_c, Y_c, cond=cond, lapack_driver="gelsd", overwrite_a=own, check_finite=False
        )[0]
        n_iter, ran = None, "lstsq"
    coef, intercept = _finish(W, mean, y_mean, single)
    return coef, intercept, n_iter, ran


def _positive(X, y, alpha, fit_intercept, sample_weight, tol, max_iter):
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
    Y, single = _as_2d(y)
    n, p = X.shape
    k = Y.shape[1]
    W = np.empty((p, k))
    if sp.issparse(X):
        X = _sparse_float64(X)
        op, Y_c, mean, y_mean = _sparse_operator(X, Y, fit_intercept, sample_weight)
        maxiter = max_iter if max_iter is not None else max(1000, 10 * p)
        n_iter = np.zeros(k, dtype=np.int32)
        for j in range(k):
            W[:, j], n_iter[j] = _bounded_lbfgs(op, Y_c[:, j], alpha, tol, maxiter)
        ran = "lbfgs"
    else:
        if sample_weight is not None:
            X_c, Y_c, mean, y_mean = _dense_weighted(X, Y, fit_intercept, sample_weight)
        else:
            mean = X.mean(axis=0, dtype=np.float64) if fit_intercept else None
            X_c = np.asarray(X, dtype=np.float64) if mean is None else np.subtract(X, mean, dtype=np.float64)
            Y_c, y_mean = _center_y(Y, fit_intercept)
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
                W[:, j], n_iter[j] = _bounded_lbfgs(_Centered(X_c, None), Y_c[:, j], alpha, tol, maxiter)
                names.append("lbfgs")
        ran = "+".join(dict.fromkeys(names))
        if ran == "nnls":
            n_iter = None
    coef, intercept = _finish(W, mean, y_mean, single)
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
