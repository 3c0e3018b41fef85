"""Coordinate descent for Lasso and ElasticNet, stopped on the duality gap.

Objective (scikit-learn's)::

    (1/2n)‖y − Xw − b‖² + α·ρ‖w‖₁ + (α(1 − ρ)/2)‖w‖²

Dense ``X`` is read in Fortran order (copied once if it is not) and
centered on the fly, as sparse ``X`` is; sparse ``X``
(CSC) is centered implicitly through its column means (see
:mod:`fastreg.kernels.cd`). The gap is scikit-learn's, so ``tol`` has its
meaning: stop when ``gap ≤ tol·‖y − ȳ‖²`` (both unscaled by ``n``).
"""

import math

import numba
import numpy as np
import scipy.sparse as sp
import scipy.linalg as la

from .._threads import blas_threads, threads_for
from .._validation import check_finite
from ..exceptions import DivergenceError
from .._preprocess import center_scale_dense, intercept_of, scale_rows_sparse, weighted_offsets
from ..kernels.penalty import gap_and_objective
from ..penalty import Penalty
from ..kernels.cd import (
    anderson_point,
    cd_epoch_csc,
    cd_epoch_csc_weighted,
    column_stats_csc,
    column_stats_csc_weighted,
    dense_epoch_kernel,
    dense_run_kernel,
    residual_step_csc,
    residual_step_dense,
    screen_and_select,
    xtr_csc,
    xtr_dense,
)
from ._columns import constant_columns, dense_means_and_constants, fortran_stats
from ._linalg import cho_factor, cho_solve, solve_subset, submatrix, unpenalized_block
from ._points import PathPoints
from .homotopy import LassoForm, homotopy_grid

# The homotopy path's certificates go in blocks of α whose correlations (α × p)
# hold about this many values (32 MB), whatever the grid's length.
_CERTIFY_VALUES = 4_000_000
# Inner epochs between two gap evaluations (a gap on the working set costs
# about one epoch on it).
_GAP_EVERY = 5
# Working sets (skglm / celer): start with this many features, then twice the
# support; each subproblem is solved until its gap is this fraction of the
# full problem's gap.
WS_START = 100
INNER_FRACTION = 0.3
# ... but at most the support plus this many features per violator of
# optimality outside it: where few violate, the features that do not are not
# worth an epoch each (once the support is found, a working set twice its size
# costs more column updates for the same outer iterations). The size follows
# the support, not the previous working set: growing it faster, as a multiple
# of the previous working set per outer iteration, costs more epochs than the
# full passes it saves (measurements: docs/design-measurements.md). The rule:
# fastreg.kernels.cd.working_set_size, the selection: working_set.
WS_PER_VIOLATOR = 2
# A subproblem is left as stalled when, after this many epochs, its gap's
# recent rate of decrease would need more than _STALL_FACTOR times the epochs
# spent so far to reach its target; the next working set is then at least
# twice as large (see _enet_cd).
_STALL_MIN_EPOCHS = 100
_STALL_FACTOR = 100

# Anderson extrapolation from this many iterate differences (skglm uses 5).
_ANDERSON_K = 5
# The homotopy start (see _homotopy_start): once the epochs have read about as
# many columns as a LARS path over the active features would — a step per
# feature entering or leaving, up to about twice as many steps as rows where
# n < p (_HOMOTOPY_AFTER times the support, at most the rank), each a pass
# over the active columns — and only when LARS's input (the dense centered
# copy of those columns; for ElasticNet also their Gram) holds at most
# _HOMOTOPY_MAX_VALUES values.
# Counted in columns, not values: a sparse column's CD update costs about
# what a dense column costs LARS; counted in stored values, the start came
# too late on sparse data and small-α fits hit max_iter.
# (measurements: docs/design-measurements.md)
_HOMOTOPY_AFTER = 2
_HOMOTOPY_MAX_VALUES = 20_000_000
# Newton steps on the support (see _SupportNewton), in the same ski-rental
# terms: tried once the epochs since the last one have read as many columns
# as the step costs, and only when the subproblem would read as many again.
# Costs in columns of CD: the measured rates of single-thread BLAS (forming
# the Gram's new entries, factoring) over the measured time of a CD column
# of n values (measurements: docs/design-measurements.md). Its centered
# copy and Gram are capped like LARS's input. The factorization's rate grows
# with its size s, about as s/(s + _NEWTON_FACTOR_HALF_RATE) of its peak, so
# its price is s²·(s + _NEWTON_FACTOR_HALF_RATE)/n columns times a constant.
_NEWTON_GRAM_PER_COLUMN = 1.0 / 12.0   # x (new columns) x (all columns)
_NEWTON_FACTOR_PER_COLUMN = 1.0 / 75.0  # x s²·(s + _NEWTON_FACTOR_HALF_RATE) / n
_NEWTON_FACTOR_HALF_RATE = 300


class _Dense:
    """Fortran-ordered dense ``X``, centered on the fly, and its CD operations.

    Without weights ``X`` is used as it is when Fortran-ordered (never
    written), else copied once, uncentered; the column means, centered norms
    and constant columns come out of the same pass (:func:`fortran_stats`).
    With weights (:meth:`scaled`) the kernels read a centered, row-scaled
    copy and ``mean`` is zero.
    """

    def __init__(self, X, fit_intercept):
        with np.errstate(invalid="ignore", over="ignore"):  # non-finite X: the error below, not a warning
            XF, mean, m2, constant = fortran_stats(X)
        if not (np.all(np.isfinite(mean)) and np.all(np.isfinite(m2))):
            # NaN or ±inf anywhere in a column makes its sums non-finite, so a
            # finite X is certified here without another pass (the estimators
            # defer their check to this; a non-finite sum of finite values,
            # overflow, passes on to the divergence checks)
            check_finite(X)
        self.XT = XF.T
        if fit_intercept:
            self.mean, self.norms, self.constant = mean, m2, constant
        else:  # ‖Xⱼ‖² = Σ(Xᵢⱼ − x̄ⱼ)² + n·x̄ⱼ²: non-negative terms
            self.mean, self.norms, self.constant = np.zeros_like(mean), m2 + X.shape[0] * mean * mean, None

    @classmethod
    def scaled(cls, X, x_mean, sqrt_sw, copy_X=True):
        """``D(X − x̄)`` as one Fortran-ordered copy (``copy_X=False``: in place when ``X`` is F-ordered float)."""
        self = cls.__new__(cls)
        out = None
        if not copy_X and X.flags.f_contiguous and X.flags.writeable and X.dtype in (np.float32, np.float64):
            out = X
        self.norms = np.empty(X.shape[1])
        self.XT = center_scale_dense(X, x_mean, sqrt_sw, order="F", out=out, norms=self.norms).T
        self.mean = np.zeros(X.shape[1])
        self.constant = None
        return self

    def state(self, y_c, w):
        """The centered residual ``R = y_c − X_c w`` (and an unused sum)."""
        R = y_c.copy()
        support = np.flatnonzero(w)
        if support.size:
            residual_step_dense(self.XT, self.mean, R, support, w[support])
        return R, np.zeros(1)

    def epoch(self, w, state, l1, l2, ws, pen):
        kernel = dense_epoch_kernel(self.XT.shape[1])
        return kernel(self.XT, self.mean, w, state[0], self.norms, l1, l2, ws, pen)

    def run(self, w, state, l1, l2, ws, penalty, anderson, count, y_c, check, rng):
        """:func:`_run_stepwise` in one compiled call (cyclic order): ``(state, gap)``, ``R`` updated in place.

        The kernel computes the gap too where the passes run on one thread;
        with more, the gap's pass over ``X`` goes to the parallel
        :meth:`correlations`.
        """
        if rng is not None:
            return _run_stepwise(self, w, state, l1, l2, ws, penalty, anderson, count, y_c, check, rng)
        serial = numba.get_num_threads() == 1
        kernel = dense_run_kernel(self.XT.shape[1])
        anderson.count, gap = kernel(self.XT, self.mean, w, state[0], self.norms, l1, l2, ws, penalty.pen, count,
                                     anderson.buf, anderson.count, y_c, check and serial)
        if not check:
            return state, None
        return state, gap if serial else _subproblem_gap(self, state, w, ws, l1, l2, penalty, y_c)

    def step(self, state, ws, dw):
        """A copy of the state for ``w[ws] + dw``."""
        R = state[0].copy()
        residual_step_dense(self.XT, self.mean, R, ws, dw)
        return R, state[1]

    def residual_norm2(self, state):
        R = state[0]
        return float(R @ R)

    def correlations(self, state, w, ws):
        """Centered residual ``R`` and ``X_c[:, ws]ᵀR``."""
        out = np.empty(ws.shape[0])
        xtr_dense(self.XT, self.mean, state[0], ws, out)
        return state[0], out

    def centered(self, cols):
        """``X_c[:, cols]``, a dense float64 copy."""
        return np.subtract(self.XT[cols], self.mean[cols, None], dtype=np.float64).T


class _CSC:
    """CSC ``X`` centered implicitly by its column means.

    Weighted (``sqrt_sw = d`` given): ``X`` holds ``DX`` (rows already scaled,
    see :func:`fastreg._preprocess.scale_rows_sparse`) and is centered along
    ``d`` instead of along ``1``.
    """

    def __init__(self, X, fit_intercept, sqrt_sw=None):
        n, p = X.shape
        self.X = X
        self.center = fit_intercept
        self.d = None
        self.constant = None  # unweighted: the mask of constant columns, from the same pass
        sums, self.norms = np.empty(p), np.empty(p)
        if sqrt_sw is not None and fit_intercept:
            self.d = np.ascontiguousarray(sqrt_sw, dtype=np.float64)
            self.dd = float(self.d @ self.d)
            column_stats_csc_weighted(X.data, X.indices, X.indptr, self.d, self.dd, sums, self.norms)
            self.col_dsum = sums
            self.x_mean = sums / self.dd
        else:
            self.constant = np.empty(p, dtype=np.bool_)
            column_stats_csc(X.data, X.indptr, n, fit_intercept, sums, self.norms, self.constant)
            self.x_mean = sums / n if fit_intercept else np.zeros(p)

    def state(self, y_c, w):
        """The uncentered residual ``r = y_c − Xw`` and ``[Σr]`` (``[dᵀr]``), kept by the kernels."""
        r = y_c - self.X @ w if np.any(w) else y_c.copy()
        return r, np.array([r.sum() if self.d is None else self.d @ r])

    def epoch(self, w, state, l1, l2, ws, pen):
        r, r_sum = state
        X = self.X
        if self.d is not None:
            return cd_epoch_csc_weighted(
                X.data, X.indices, X.indptr, self.d, self.dd, self.col_dsum, w, r, r_sum, self.norms, l1, l2, ws, pen
            )
        return cd_epoch_csc(X.data, X.indices, X.indptr, self.center, w, r, r_sum, self.norms, l1, l2, ws, pen)

    def run(self, w, state, l1, l2, ws, penalty, anderson, count, y_c, check, rng):
        return _run_stepwise(self, w, state, l1, l2, ws, penalty, anderson, count, y_c, check, rng)

    def step(self, state, ws, dw):
        """A copy of the state for ``w[ws] + dw``."""
        r, r_sum = state[0].copy(), state[1].copy()
        X = self.X
        residual_step_csc(X.data, X.indices, X.indptr, r, r_sum, ws, dw)
        if self.d is not None:
            r_sum[0] = self.d @ r  # the weighted running sum is dᵀr
        return r, r_sum

    def residual_norm2(self, state):
        """``‖R‖²``, ``R = r − r̄`` when centering (``r − d·dᵀr/dd`` when weighted)."""
        r, r_sum = state
        if self.d is not None:
            R = r - self.d * ((self.d @ r) / self.dd)
            return float(R @ R)
        if self.center:
            R = r - r_sum[0] / r.shape[0]
            return float(R @ R)
        return float(r @ r)

    def correlations(self, state, w, ws):
        """Centered residual ``R = r − r̄`` and ``X_c[:, ws]ᵀR = X[:, ws]ᵀR``."""
        r, r_sum = state
        X = self.X
        out = np.empty(ws.shape[0])
        if self.d is not None:
            # Weighted: R = r − d·(dᵀr)/dd; re-centre r in place as below.
            r -= self.d * ((self.d @ r) / self.dd)
            r_sum[0] = self.d @ r
            R = r - self.d * (r_sum[0] / self.dd)
            xtr_csc(X.data, X.indices, X.indptr, R, 0.0, ws, out)
            return R, out
        if self.center:
            # Only r − r̄ matters: re-centre r in place so that it stays of the
            # size of R, and the kernels' updates keep R's digits.
            r -= r.sum() / r.shape[0]
        r_sum[0] = r.sum()  # refresh the kernels' running sum
        shift = r_sum[0] / r.shape[0] if self.center else 0.0
        xtr_csc(X.data, X.indices, X.indptr, r, shift, ws, out)
        return r - shift, out

    def centered(self, cols):
        """``X_c[:, cols]``, a dense float64 copy: ``X − d·x̄ᵀ`` (``d = 1`` unweighted)."""
        X_c = np.asarray(self.X[:, cols].toarray(), dtype=np.float64)
        if self.center:
            X_c -= (1.0 if self.d is None else self.d[:, None]) * self.x_mean[cols]
        return X_c


class CDProblem:
    """One centered (weighted) copy of ``X`` and the targets, ready for any number of fits.

    Build it once and call :meth:`solve` for each target column, ``alpha`` or
    ``l1_ratio`` (a regularization path reuses the same copy). The objective is
    scikit-learn's, with the weights normalized to sum to ``n``::

        (1/(2Σs)) Σᵢ sᵢ (yᵢ − xᵢw − b)² + α·ρ‖w‖₁ + (α(1 − ρ)/2)‖w‖²

    Parameters
    ----------
    X : float32/float64 ndarray or scipy CSC matrix/array (validated)
    y : (n,) or (n, k) float64
    fit_intercept : bool
    sample_weight : None or (n,) float64, non-negative, positive sum
        Any scale (normalized here to sum to ``n``).
    copy_X : bool
        With ``sample_weight``, ``False`` lets an F-ordered float dense ``X``
        be centered and scaled in place. Without weights dense ``X`` is never
        written (it is centered on the fly) and copied only when not
        F-ordered.

    Attributes
    ----------
    Y : (n, k) float64, the centered, row-scaled targets
    x_mean : (p,) weighted column means (zeros without intercept)
    y_mean : (k,) weighted target means (zeros without intercept)
    n : number of samples (weights sum to it)
    """

    def __init__(self, X, y, *, fit_intercept=True, sample_weight=None, copy_X=True):
        # the pass that copies X and its statistics runs on as many threads as the epochs will
        with threads_for(X):
            self._prepare(X, y, fit_intercept, sample_weight, copy_X)
        self._gram_target, self._gram = None, None  # see solve

    def _prepare(self, X, y, fit_intercept, sample_weight, copy_X):
        n, p = X.shape
        self.n = n
        self.fit_intercept = fit_intercept
        Y = np.asarray(y, dtype=np.float64)
        Y = Y[:, None] if Y.ndim == 1 else Y
        sqrt_sw = None
        if sample_weight is not None:
            sample_weight = sample_weight * (n / float(np.sum(sample_weight)))
            sqrt_sw = np.sqrt(sample_weight)
        # A constant column's centered values are rounding noise: its norm is
        # set to exactly 0 below, so it keeps coefficient 0. Found on the
        # caller's values (min == max), before any centering or row scaling.
        constant = None
        if sp.issparse(X):
            x_mean, y_mean = weighted_offsets(None, Y, sample_weight, fit_intercept)
            if fit_intercept and (sqrt_sw is not None or not X.has_canonical_format):
                constant = constant_columns(X)  # on the caller's values, summing duplicates
            if sqrt_sw is not None:
                X = scale_rows_sparse(X, sqrt_sw, "csc")
            self.op = _CSC(X, fit_intercept, sqrt_sw)
            x_mean = self.op.x_mean
            if fit_intercept and constant is None:
                constant = self.op.constant  # found by the pass of the column statistics
        elif sample_weight is None:
            self.op = _Dense(X, fit_intercept)  # one pass over X: copy (if C-ordered), means, norms
            x_mean, constant = self.op.mean, self.op.constant
            y_mean = Y.mean(axis=0) if fit_intercept else np.zeros(Y.shape[1])
        else:
            if fit_intercept:
                constant = dense_means_and_constants(X)[1]
            x_mean, y_mean = weighted_offsets(X, Y, sample_weight, fit_intercept)
            self.op = _Dense.scaled(X, x_mean, sqrt_sw, copy_X)
        if not np.all(np.isfinite(self.op.norms)):  # finite X (checked) whose squares overflow
            raise DivergenceError(
                "Coordinate descent iterations resulted in non-finite parameter values (overflow: the column "
                "norms of X exceed float64); rescale X"
            )
        if constant is not None:
            self.op.norms[constant] = 0.0
        Y = Y - y_mean
        if sqrt_sw is not None:
            Y *= sqrt_sw[:, None]
        self.Y = Y
        self.x_mean = x_mean
        self.y_mean = np.atleast_1d(y_mean)
        self.values = X.nnz if sp.issparse(X) else X.size

    def threads(self):
        """numba's thread limit for this problem's passes (one thread for small ``X``)."""
        return threads_for(self.values)

    def solve(
        self, k, alpha, l1_ratio=1.0, *, tol=1e-9, max_iter=10_000, penalty=None, coef_init=None, lars=None, seed=-1
    ):
        """Fit target ``k``; returns ``(coef, intercept, gap/n, n_iter, converged)``.

        ``penalty``: the per-feature weights and bounds (:class:`fastreg.penalty.Penalty`;
        None: the uniform penalty).
        ``lars``: a :class:`~fastreg.solvers.homotopy.LarsPath` shared by the α of one path (Lasso), so
        that a homotopy start computes LARS's path once, down to its last α.
        ``seed ≥ 0``: each epoch visits its coordinates in a random order
        (scikit-learn's ``selection="random"``), reproducibly from ``seed``.
        """
        rng = np.random.default_rng(seed) if seed >= 0 else None
        # the support's Gram of the Newton steps, kept for the next fit of this target (a path's next α)
        if self._gram_target != k:
            self._gram_target, self._gram = k, _SupportGram(self.op, self.Y[:, k])
        with blas_threads(1), self.threads():
            w, gap, n_iter, converged = _enet_cd(
                self.op, self.Y[:, k], self.n, alpha, l1_ratio, tol, max_iter, penalty, coef_init, lars, rng,
                self._gram,
            )
            # inside the limit: a threaded x̄ᵀw (wide X) leaves BLAS threads spinning into the next fit
            intercept = self.intercept(k, w)
        return w, intercept, gap, n_iter, converged

    def intercept(self, k, w):
        """The intercept of target ``k`` for centered coefficients ``w``."""
        return intercept_of(w, self.x_mean, self.y_mean[k], self.fit_intercept)

    def homotopy_path(self, k, alphas, tol, penalty=None):
        """The Lasso path of target ``k`` by one homotopy, each α certified by its duality gap.

        Returns :class:`~fastreg.solvers._points.PathPoints`: the α whose
        homotopy solution meets the stopping rule of :func:`_enet_cd` at
        ``tol`` are done (0 epochs); the others the homotopy reached start
        from its solution. None where the homotopy does not apply (weighted
        sparse ``X``, unpenalized features).
        """
        op = self.op
        if isinstance(op, _Dense):
            columns, X, mean = op.XT, op.XT.T, op.mean
        elif op.d is None:  # unweighted CSC
            columns, X, mean = op.X, op.X, op.x_mean
        else:
            return None
        p = op.norms.shape[0]
        penalty = Penalty.uniform_of(p) if penalty is None else penalty
        y_c = self.Y[:, k]
        result = homotopy_grid(columns, mean, op.norms, y_c, self.n, alphas, penalty)
        if result is None:
            return None
        W, covered = result
        count = alphas.shape[0]
        gaps = np.full(count, np.inf)
        certified = np.zeros(count, dtype=bool)
        every = np.arange(p, dtype=np.int64)
        y_norm2 = float(y_c @ y_c)
        block = max(1, min(covered, _CERTIFY_VALUES // max(p, y_c.shape[0])))
        for start in range(0, covered, block):
            # the residuals and correlations of a block of α in two products over X
            W_c = W[:, start : min(covered, start + block)]
            R = y_c[:, None] - np.asarray(X @ W_c) + mean @ W_c
            # X_cᵀR = Xᵀ(R − R̄) when X_c = X − x̄ (its rows' means): no (p, k) correction
            R_dual = R - R.mean(axis=0) if mean.any() else R
            XtR = np.ascontiguousarray((X.T @ R_dual).T) if sp.issparse(X) else R_dual.T @ X  # (k, p)
            for b in range(W_c.shape[1]):
                i = start + b
                l1 = alphas[i] * self.n
                w, r = np.ascontiguousarray(W[:, i]), R[:, b]
                R_norm2 = float(r @ r)
                gaps[i] = penalty.gap(R_norm2, float(r @ y_c), XtR[b], w, l1, 0.0, op.norms, every)
                primal = penalty.objective(R_norm2, w, l1, 0.0, every)
                certified[i] = gaps[i] <= stopping_gap(tol, tol * y_norm2, y_norm2, primal)
        reached = np.arange(count) < covered
        return PathPoints(W, gaps / self.n, np.zeros(count, dtype=np.int64), certified, certified,
                          reached & ~certified)


def enet_coordinate_descent(
    X,
    y,
    alpha,
    l1_ratio=1.0,
    *,
    fit_intercept=True,
    tol=1e-9,
    max_iter=10_000,
    penalty=None,
    coef_init=None,
    sample_weight=None,
    copy_X=True,
    seed=-1,
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
    y : (n,) or (n, k) float64 ndarray
        Several targets are fitted independently on one centered copy of ``X``.
    alpha : float >= 0
    l1_ratio : float in [0, 1]
    fit_intercept : bool
    tol : float
        Stop when the duality gap ``≤ tol·‖y − ȳ‖²`` (scikit-learn's rule;
        weighted: ``‖D(y − ȳ)‖²`` with the weights normalized to sum to n).
    max_iter : int
        Maximum number of epochs (passes over the working set).
    penalty : fastreg.penalty.Penalty or None
        Per-feature L1/L2 weights and bounds (None: the uniform penalty).
    coef_init : (p,) or (k, p) array or None
        Warm start.
    sample_weight : None or (n,) float64
        scikit-learn's semantics: the loss is ``(1/(2Σs)) Σ sᵢ rᵢ²``.
    copy_X : bool
        With ``sample_weight``, ``False`` lets an F-ordered float dense ``X``
        be centered and scaled in place.
    seed : int, default=-1
        ``≥ 0``: random coordinate order in every epoch (``selection="random"``).

    Returns
    -------
    coef : (p,) float64, or (k, p) for 2-D ``y``
    intercept : float, or (k,)
    gap : float, or (k,)
        Final duality gap divided by ``n`` (scikit-learn's ``dual_gap_``).
    n_iter : int, or list of k ints
        Epochs run.
    converged : bool, or (k,) bool
    """
    problem = CDProblem(X, y, fit_intercept=fit_intercept, sample_weight=sample_weight, copy_X=copy_X)
    k = problem.Y.shape[1]
    single = np.ndim(y) == 1
    if coef_init is not None:
        coef_init = np.atleast_2d(np.asarray(coef_init, dtype=np.float64))
    results = [
        problem.solve(
            j, alpha, l1_ratio, tol=tol, max_iter=max_iter, penalty=penalty,
            coef_init=None if coef_init is None else coef_init[j], seed=seed,
        )
        for j in range(k)
    ]
    return results[0] if single else stack_targets(results)


def stack_targets(results):
    """Per-target ``(coef, intercept, gap, n_iter, converged)`` tuples as the return values for 2-D ``y``."""
    coef, intercept, gap, n_iter, converged = zip(*results)
    return np.array(coef), np.array(intercept), np.array(gap), list(n_iter), np.array(converged)


def _enet_cd(op, y_c, n, alpha, l1_ratio, tol, max_iter, penalty, coef_init, lars=None, rng=None, gram=None):
    p = op.norms.shape[0]
    penalty = Penalty.uniform_of(p) if penalty is None else penalty
    pen = penalty.pen
    every = np.arange(p, dtype=np.int64)
    w = np.zeros(p) if coef_init is None else penalty.clip(np.array(coef_init, dtype=np.float64), every)
    w[op.norms == 0.0] = 0.0  # constant columns (see CDProblem); all-zero columns
    state = op.state(y_c, w)
    l1 = alpha * l1_ratio * n
    l2 = alpha * (1.0 - l1_ratio) * n
    if lars is not None and l2 == 0.0:
        start = lars.at(alpha)
        if start is not None:  # LARS's exact solution over the features it saw: kept if lower
            w_new = w.copy()
            w_new[lars.features] = penalty.clip(start, lars.features)
            changed = np.flatnonzero(w_new != w)
            state = _keep_if_lower(op, state, w, changed, w_new[changed], l1, l2, penalty)[0]
    active = every  # features not screened out
    y_norm2 = float(y_c @ y_c)
    tol_abs = tol * y_norm2
    gap = math.inf
    n_iter = 0
    min_size = 0
    work = 0  # columns read by the epochs
    prev_ws = None
    outside_before = -1
    in_prev = np.zeros(p, dtype=np.bool_)  # prev_ws as a mask
    homotopy = l1 > 0.0  # the homotopy start is still to be tried
    newton = _SupportNewton(op, y_c, l2, penalty, gram) if l1 > 0.0 else None
    free = penalty.open_unpenalized
    block = None
    if free.size:
        X_free = op.centered(free)
        block = unpenalized_block(penalty, X_free.T @ X_free, l2, free)
    while True:
        if block is not None:  # the unpenalized block, exactly, so that the gap below is a bound
            _, XtR_free = op.correlations(state, w, free)
            step = block(XtR_free, w[free])
            if np.any(step):
                state = op.step(state, free, step)
                w[free] += step
        R, XtR = op.correlations(state, w, active)
        R_norm2 = float(R @ R)
        gap, primal, w_active = gap_and_objective(R_norm2, float(R @ y_c), XtR, w, active, l1, l2, pen, op.norms)
        if not math.isfinite(gap):
            # CD never increases the objective, so only overflow gets here.
            raise DivergenceError(
                f"Coordinate descent iterations resulted in non-finite parameter values after {n_iter} epochs "
                "(overflow: the values of X or y are too large for float64); rescale X and y"
            )
        target = stopping_gap(tol, tol_abs, y_norm2, primal)
        if gap <= target or n_iter >= max_iter:
            break
        # gap-safe screening (Penalty.safe_keep), then the working set, in one call
        active, ws, n_support, outside = screen_and_select(
            XtR, w_active, active, op.norms, l1, l2, gap, pen, penalty.unpenalized_free, WS_START, min_size,
            WS_PER_VIOLATOR, in_prev,
        )
        whole = ws.shape[0] == active.shape[0]
        # The same working set as last time, or twice in a row nothing outside the
        # last one violating optimality: nothing outside it is worth adding yet, so
        # its subproblem goes to the target at once instead of another fraction.
        # The first time, it goes there tentatively, where a Newton step on the
        # support costs less than the full pass an outer iteration makes: near
        # interpolation (s ≈ n) the subproblem's solution can move far enough to
        # make outside features violate again, which shows as a Newton step that
        # does not finish it; then it is back to the fraction (measurements:
        # docs/design-measurements.md).
        settled = prev_ws is not None and ((outside == 0 and outside_before == 0) or np.array_equal(ws, prev_ws))
        tentative = (
            prev_ws is not None and outside == 0 and not settled
            and (newton is None or newton.floor(n_support) < active.shape[0])
        )
        outside_before = outside
        if prev_ws is not None:
            in_prev[prev_ws] = False
        in_prev[ws] = True
        prev_ws = ws
        inner_tol = target if whole or settled or tentative else max(INNER_FRACTION * gap, target)
        stepped = False  # a Newton step was taken on this subproblem
        anderson = _Anderson(ws.shape[0])
        stall = _Stall(inner_tol)
        homotopy_cost = _homotopy_cost(y_c.shape[0], active.shape[0], l2, n_support)  # in columns
        epoch = 0
        while n_iter < max_iter:  # blocks of epochs up to the next gap check
            count = min(_GAP_EVERY - epoch % _GAP_EVERY, max_iter - n_iter)
            epoch += count
            n_iter += count
            work += count * ws.shape[0]
            if newton is not None:
                newton.work += count * ws.shape[0]
            state, inner_gap = op.run(w, state, l1, l2, ws, penalty, anderson, count, y_c,
                                      epoch % _GAP_EVERY == 0, rng)
            if inner_gap is None:  # max_iter reached between checks
                break
            if inner_gap <= inner_tol:
                break
            if tentative and stepped:  # a Newton step did not finish it: the fraction after all
                tentative = False
                inner_tol = stall.target = max(INNER_FRACTION * gap, target)
                if inner_gap <= inner_tol:
                    break
            stalled = stall.push(epoch, inner_gap)
            # The homotopy once CD has read as much as it costs and, at the
            # subproblem's recent rate, would read as much again (ski rental).
            if (
                homotopy and work >= homotopy_cost and epoch >= _STALL_MIN_EPOCHS
                and stall.remaining(epoch) * ws.shape[0] >= homotopy_cost
            ):
                homotopy = False  # once per fit
                state, moved = _homotopy_start(op, state, w, y_c, active, l1, l2, penalty, lars)
                if moved:
                    break  # the outer loop takes it from there
            if newton is not None and newton.due(w, stall.remaining(epoch) * ws.shape[0]):
                state = newton.step(state, w, l1)
                anderson.count = 0  # its iterates no longer lead here
                stepped = True
            if stalled and not whole:
                min_size = 2 * ws.shape[0]  # from now on
                break
    return w, gap / n, n_iter, gap <= tol_abs


def stopping_gap(tol, tol_abs, y_norm2, primal):
    """The gap at which to stop: scikit-learn's ``tol·‖y_c‖²``, and ``10⁻³·tol`` of the objective.

    scikit-learn's rule alone measures the gap against ``‖y_c‖²``: where the
    objective is much smaller (small α, a good fit) it stops far from the
    optimum in relative terms (measurements: docs/design-measurements.md).
    The second bound makes every ``tol`` land at least
    as close as scikit-learn's fits do, and within ``10⁻³·tol`` relative
    objective of the optimum. It is never tightened below ``10⁻¹³·‖y_c‖²``,
    near the rounding floor of the gap itself (a smaller ``tol`` still
    applies as given).
    """
    return min(tol_abs, max(1e-3 * tol * primal, 1e-13 * y_norm2))


class _Stall:
    """Tells a subproblem that will not reach its gap target in reasonable time.

    A working set can make a far harder problem than the whole one: with
    ``n < p`` near interpolation, a subproblem can crawl for many times the
    epochs the whole problem needs. The rate is measured on the best gap so
    far, between half the epochs spent and now, so that a long but steadily
    converging subproblem is not a stall (measurements:
    docs/design-measurements.md).
    """

    def __init__(self, target):
        self.target = target
        self.best = []  # (epoch, best gap so far) at each check

    def push(self, epoch, gap):
        """Record the gap at ``epoch``; True when the subproblem has stalled."""
        best = min(gap, self.best[-1][1]) if self.best else gap
        self.best.append((epoch, best))
        if epoch < _STALL_MIN_EPOCHS:
            return False
        return self.remaining(epoch) > _STALL_FACTOR * epoch

    def remaining(self, epoch):
        """Epochs still needed to reach the target at the recent rate (``inf`` without progress)."""
        half_epoch, half_best = self.best[len(self.best) // 2]
        best = self.best[-1][1]
        if best <= self.target:
            return 0.0
        if epoch <= half_epoch or half_best <= best:
            return math.inf
        rate = math.log(half_best / best) / (epoch - half_epoch)
        return math.log(best / self.target) / rate


class _Anderson:
    """Anderson extrapolation of the CD iterates on a working set (as in skglm).

    Keeps the last ``_ANDERSON_K + 1`` iterates; from their differences ``U``
    solves ``(UᵀU)z = 1`` and proposes ``Σ cₖ wₖ`` with ``c = z/Σz``.
    """

    def __init__(self, size):
        self.buf = np.empty((_ANDERSON_K + 1, size))
        self.count = 0

    def push(self, w_ws):
        """Store an iterate; True when enough are stored to extrapolate."""
        self.buf[self.count] = w_ws
        self.count += 1
        return self.count == _ANDERSON_K + 1

    def extrapolate(self):
        """The extrapolated iterate (or None if the system is singular); resets the buffer."""
        self.count = 0
        out = np.empty(self.buf.shape[1])
        return out if anderson_point(self.buf, out) else None


def _run_stepwise(op, w, state, l1, l2, ws, penalty, anderson, count, y_c, check, rng):
    """``count`` epochs over ``ws`` with Anderson's extrapolation, then with ``check`` the subproblem's gap.

    Returns ``(state, gap)``, ``gap`` None without ``check``. Each epoch one
    kernel call (``rng``: over ``ws`` in a random order); the dense solver's
    cyclic epochs take one call for the whole block instead (:meth:`_Dense.run`).
    """
    for _ in range(count):
        op.epoch(w, state, l1, l2, ws if rng is None else rng.permutation(ws), penalty.pen)
        if anderson.push(w[ws]):
            state = _extrapolate(op, state, w, ws, anderson.extrapolate(), l1, l2, penalty)
    return state, _subproblem_gap(op, state, w, ws, l1, l2, penalty, y_c) if check else None


def _subproblem_gap(op, state, w, ws, l1, l2, penalty, y_c):
    """The duality gap of the subproblem on ``ws`` (unscaled)."""
    R, XtR_ws = op.correlations(state, w, ws)
    return penalty.gap(float(R @ R), float(R @ y_c), XtR_ws, w[ws], l1, l2, op.norms, ws)


def _extrapolate(op, state, w, ws, w_acc, l1, l2, penalty):
    """Take the extrapolated point, projected onto the bounds, if it lowers the objective; return the state to keep."""
    if w_acc is None:
        return state
    return _keep_if_lower(op, state, w, ws, penalty.clip(w_acc, ws), l1, l2, penalty)[0]


# Newton steps taken in a row while each is cut short by a coefficient reaching zero.
_NEWTON_CUTS = 8


class _SupportGram:
    """The centered columns of every feature that has been in a support, their Gram ``G`` and ``q = X_cᵀy_c``.

    Kept for one problem and target across its fits (the α of a path), so that a
    Newton step only adds the columns new to it; started again from the current
    support once it would hold more than ``_HOMOTOPY_MAX_VALUES`` values.
    """

    def __init__(self, op, y_c):
        self.op, self.y_c, self.n = op, y_c, y_c.shape[0]
        self.pos = None  # each feature's column in G, -1 if not kept
        self.k = 0

    @property
    def G(self):
        return self._G[: self.k, : self.k]

    @property
    def q(self):
        return self._q[: self.k]

    def new_count(self, support):
        """How many features of ``support`` are not kept yet."""
        return support.shape[0] if self.pos is None else int(np.count_nonzero(self.pos[support] < 0))

    def positions(self, support):
        """Positions of ``support`` in ``G``, after adding its new columns."""
        is_new = None if self.pos is None else self.pos[support] < 0
        if is_new is not None:
            k = self.k + int(np.count_nonzero(is_new))
            if max(self.n, k) * k > _HOMOTOPY_MAX_VALUES:
                self.pos = None  # start again from this support
        if self.pos is None:
            self.k = 0
            self.pos = np.full(self.op.norms.shape[0], -1, dtype=np.int64)
            self._XT = np.empty((0, self.n))  # rows: the kept centered columns, in room for more
            self._G = np.empty((0, 0))
            self._q = np.empty(0)
            is_new = np.ones(support.shape[0], dtype=bool)
        new = support[is_new]
        if new.size:
            k, m = self.k, new.shape[0]
            if k + m > self._q.shape[0]:  # room for twice as many (within the cap): copies amortized
                room = 2 * (k + m)
                if max(self.n, room) * room > _HOMOTOPY_MAX_VALUES:
                    room = k + m
                XT, G, q = np.empty((room, self.n)), np.empty((room, room)), np.empty(room)
                XT[:k], G[:k, :k], q[:k] = self._XT[:k], self._G[:k, :k], self._q[:k]
                self._XT, self._G, self._q = XT, G, q
            X_new = self.op.centered(new)
            self._XT[k : k + m] = X_new.T
            cross = X_new.T @ self._XT[:k].T  # (m, k)
            self._G[k : k + m, :k] = cross
            self._G[:k, k : k + m] = cross.T
            self._G[k : k + m, k : k + m] = X_new.T @ X_new
            self._q[k : k + m] = X_new.T @ self.y_c
            self.pos[new] = np.arange(k, k + m)
            self.k = k + m
        return self.pos[support]


class _SupportNewton:
    """Newton steps on a subproblem's support, with its signs fixed: the slow modes CD leaves.

    Near interpolation the columns of the support are nearly dependent (nearly
    as many non-zeros as rows) and CD converges slowly on them, even once the
    support is right. On the support
    ``S`` with signs ``s`` the objective is the quadratic
    ``½‖y_c − X_S v‖² + l1·(a_S∘s)ᵀv + ½·l2·Σb_S v²``, minimized by
    ``(X_SᵀX_S + l2·diag(b_S)) v = X_Sᵀy_c − l1·a_S∘s``. The step goes from ``w`` towards
    ``v`` up to the first coefficient that reaches zero (which is set to
    zero there): along that segment the objective is this quadratic, so it
    only decreases. Once the support and signs are right the step is the
    whole way, to the subproblem's optimum. Even cut short, the steps help CD
    find the support, and cut the epochs such fits need (measurements:
    docs/design-measurements.md).
    The centered columns and their Gram are kept (:class:`_SupportGram`) for
    every feature that has been in a support, across the fits of a path, so
    that later steps only add the new ones and factor.
    """

    def __init__(self, op, y_c, l2, penalty, gram=None):
        self.op, self.n, self.l2, self.penalty = op, y_c.shape[0], l2, penalty
        self.gram = _SupportGram(op, y_c) if gram is None else gram
        self.work = 0  # columns read by CD since the last step (or since the start)
        self.backoff = 1.0

    def _cost(self, s, new=0):
        """The step's cost in CD columns on ``s`` non-zeros, ``new`` of them not in the kept Gram.

        New Gram entries, copies, factorization, residual; with ``new = 0`` the
        last two alone, a floor for any support of that size.
        """
        k = self.gram.k
        kept = k + new if new else 0  # the kept columns are copied when new ones join
        return (_NEWTON_GRAM_PER_COLUMN * new * (k + new) + kept
                + _NEWTON_FACTOR_PER_COLUMN * s * s * (s + _NEWTON_FACTOR_HALF_RATE) / self.n + s) * self.backoff

    def floor(self, s):
        """The least a step on ``s`` non-zeros costs, in CD columns (factorization and residual)."""
        return self._cost(s)

    def due(self, w, remaining_work):
        """Whether to step now (``remaining_work``: CD's columns to go at its recent rate)."""
        if self.work == 0 or not remaining_work < math.inf:  # no rate yet: most checks stop here
            return False
        s = int(np.count_nonzero(w))
        floor = self.floor(s)  # many others here, without building the support
        if not (self.work >= floor and remaining_work >= floor):
            return False
        support = np.flatnonzero(w)
        free = s
        if self.penalty.boxed:
            lower, upper = self.penalty.pen[2][support], self.penalty.pen[3][support]
            free = int(np.count_nonzero(free_support(w[support], lower, upper)))
        # Without an L2 term the system is singular with as many free non-zeros as
        # rows (at n − 1 with an intercept too, if the columns are dependent: then
        # the factorization fails and the next step's price doubles); coefficients
        # held at a bound are not unknowns.
        if free == 0 or (self.l2 == 0.0 and free >= self.n) or max(self.n, s) * s > _HOMOTOPY_MAX_VALUES:
            return False
        cost = self._cost(s, self.gram.new_count(support))
        return self.work >= cost and remaining_work >= cost  # remaining_work is finite (checked above)

    def step(self, state, w, l1):
        """Step ``w`` towards the Newton point of its support (in place); return the state to keep.

        Coefficients at a finite bound stay there (:func:`free_support`). A
        step cut short, where a coefficient reached zero or a bound, is
        followed at once by the step on the smaller free support, up to
        ``_NEWTON_CUTS`` times: otherwise the epochs in between bring that
        coefficient back (at the cut point its gradient still favours it) and
        the next step cuts it again, a few hundred epochs of zigzag near
        interpolation.
        """
        self.work = 0
        a, b, lower, upper, _ = self.penalty.pen
        first = None  # (support, signs, factor, right-hand side) of this step's first solve
        for _ in range(_NEWTON_CUTS):
            support = np.flatnonzero(w)
            if support.size == 0:
                return state
            if first is not None and not self.penalty.boxed:  # a cut: the survivors keep their signs
                signs = np.sign(w[support])
                v = self._cut_point(first, support, signs)
                if v is not None:
                    state, moved, cut = self._move(state, w, support, v, signs, a, (), l1)
                    if not (moved and cut):
                        return state
                    continue
            at = self.gram.positions(support)
            G, q_all = self.gram.G, self.gram.q
            box = ()  # bounds other than 0 and ±inf: toward_first_event stops at them too
            if self.penalty.boxed:
                free = free_support(w[support], lower[support], upper[support])
                if not free.any():
                    return state
                f, at_f, at_x = support[free], at[free], at[~free]
                q = q_all[at_f] - submatrix(G, at_f, at_x) @ w[support[~free]] if at_x.size else q_all[at_f]
                box = (lower[f], upper[f])
            else:  # nothing held at a bound
                f, at_f, q = support, at, q_all[at]
            signs = np.sign(w[f])
            v, system = newton_point(submatrix(G, at_f, at_f), q, l1 * a[f], self.l2 * b[f], signs, factored=True,
                                     serial=True)  # under CDProblem.solve's one BLAS thread
            if v is None:  # singular: wait longer before the next
                self.backoff *= 2.0
                return state
            first = (f, signs, *system)
            state, moved, cut = self._move(state, w, f, v, signs, a, box, l1)
            if not (moved and cut):
                return state
        return state

    def _move(self, state, w, f, v, signs, a, box, l1):
        """``w[f]`` toward ``v`` up to the first event, kept if lower: ``(state, moved, cut)``."""
        new, cut = toward_first_event(w[f], v, signs, None if self.penalty.uniform else a[f], *box)
        state, moved = _keep_if_lower(self.op, state, w, f, new, l1, self.l2, self.penalty)
        if not moved:
            self.backoff *= 2.0  # a failed step: wait longer before the next
        return state, moved, cut

    @staticmethod
    def _cut_point(first, support, signs):
        """The Newton point on ``support`` after a cut, from the first solve's factor (:func:`solve_subset`);
        ``None`` where that does not apply (not a subset with the same signs) or would cost more than a
        new factorization (over an eighth of the first support removed)."""
        f0, signs0, factor, rhs = first
        at = np.minimum(np.searchsorted(support, f0), support.shape[0] - 1)  # both sorted: np.isin by searchsorted
        keep = support[at] == f0
        if 8 * np.count_nonzero(~keep) > f0.shape[0] or not (
            np.array_equal(f0[keep], support) and np.array_equal(signs0[keep], signs)
        ):
            return None
        v = solve_subset(factor, rhs, keep)
        return v if v is not None and np.all(np.isfinite(v)) else None


def newton_point(G, q, l1a, l2b, signs, *, min_norm=False, factored=False, serial=False):
    """The minimizer of the signs-fixed quadratic on a support: ``(G + diag(l2b)) v = q − l1a∘signs``.

    ``G`` the support's Gram block, a fresh array of the caller's (both pass a
    :func:`~fastreg.solvers._linalg.submatrix`): it becomes the system, and
    the factor, in place. ``l1a``/``l2b`` the
    support's penalties ``l1·aⱼ``, ``l2·bⱼ``. By Cholesky, ``None`` when the
    system is singular; with ``min_norm``, the minimum-norm least-squares
    solution (LAPACK's ``gelsd``), which singular systems (duplicated columns
    at ``l2 = 0``) still have. ``None`` also when the values overflow. Both
    Newton steps on the support (coordinate descent's and the Gram solver's)
    take this point, then stop where the first coefficient reaches zero
    (:func:`toward_first_event`). With ``factored`` (Cholesky only), returns
    ``(v, (factor, rhs))``, ``(None, None)`` on failure, for later solves on
    subsets of the support (:func:`fastreg.solvers._linalg.solve_subset`).
    ``serial``: the caller holds BLAS to one thread (:func:`fastreg.solvers._linalg.cho_factor`).
    """
    A = np.ascontiguousarray(G, dtype=np.float64)  # G itself (a fresh block), for the diagonal's view below
    A.reshape(-1)[:: A.shape[0] + 1] += l2b  # the diagonal
    rhs = q - l1a * signs
    v = factor = None
    # Else overflow, left to the caller's divergence check. A sum is finite when
    # every value is (an overflowing sum of finite values counts as overflow).
    if math.isfinite(float(A.sum())) and math.isfinite(float(rhs.sum())):
        try:
            if min_norm:
                v = la.lstsq(A, rhs, lapack_driver="gelsd", check_finite=False)[0]
            else:
                factor = cho_factor(A, serial=serial, overwrite=True)
                v = cho_solve(factor, rhs)
        except (np.linalg.LinAlgError, ValueError):
            v = None
    if v is not None and not np.all(np.isfinite(v)):
        v = None
    if not factored:
        return v
    return (v, (factor, rhs)) if v is not None else (None, None)


def free_support(w, lower, upper):
    """Which non-zero coefficients ``w`` are strictly inside their bounds (the others stay at theirs)."""
    return (w > lower) & (w < upper)


def toward_first_event(current, target, signs, a=None, lower=None, upper=None):
    """From ``current`` toward ``target``: where the first coordinate leaves its orthant or its box.

    ``current`` is non-zero, strictly inside ``[lower, upper]``, with signs
    ``signs``; a coordinate leaves its orthant where ``target`` does not keep
    its sign (zero counts as left), unless its L1 weight ``a`` is zero (its
    objective has no kink at zero). Returns ``(point, cut)``: ``target``
    itself and ``False`` when no coordinate leaves; else the point on the
    segment where the first one reaches zero or its bound (set exactly
    there; ties within rounding too) and ``True``. Along that segment a
    signs-fixed quadratic is the objective, so both Newton steps on a
    support stop there. ``a=None``: every weight positive; ``lower`` and
    ``upper`` None: no bound but 0 and ±inf, which the orthant already
    covers (the common case, kept to a few array operations).
    """
    cross = target * signs <= 0.0
    if a is not None:
        cross &= a > 0.0
    boxed = lower is not None
    if boxed:
        over, under = target > upper, target < lower
        if not (cross.any() or over.any() or under.any()):
            return target, False
    elif not cross.any():
        return target, False
    to_zero = np.full(current.shape[0], np.inf)
    to_zero[cross] = current[cross] / (current[cross] - target[cross])  # in [0, 1)
    ratio = to_zero
    if boxed:
        to_bound = np.full(current.shape[0], np.inf)
        to_bound[over] = (upper[over] - current[over]) / (target[over] - current[over])
        to_bound[under] = (lower[under] - current[under]) / (target[under] - current[under])
        ratio = np.minimum(to_zero, to_bound)
    first = int(np.argmin(ratio))
    point = current + ratio[first] * (target - current)
    tie = point * signs < 0.0  # ties within rounding
    if a is not None:
        tie &= a > 0.0
    point[tie] = 0.0
    if boxed:
        point = np.clip(point, lower, upper)
        if to_zero[first] > to_bound[first]:
            point[first] = upper[first] if over[first] else lower[first]
            return point, True
    point[first] = 0.0
    return point, True


def _homotopy_cost(n, k, l2, support):
    """What a LARS path over ``k`` features reads, in columns of ``n`` values.

    A step per feature entering or leaving: ``_HOMOTOPY_AFTER`` times the
    current support, at most the rank (``k`` for ElasticNet), each about a
    pass over the ``k`` columns.
    """
    rank = k if l2 > 0.0 else min(n, k)
    return _HOMOTOPY_AFTER * max(1, min(rank, support)) * k


def _homotopy_start(op, state, w, y_c, active, l1, l2, penalty, lars=None):
    """Move to LARS's solution (scikit-learn's ``lars_path``) if it lowers the objective; return ``(state, moved)``.

    Near interpolation — small α on wide data, where the support nears the
    rank of ``X`` — coordinate descent needs 10⁴ to 10⁵ epochs, while the
    homotopy follows the path's kinks exactly, in about as many steps as
    features enter or leave (measurements: docs/design-measurements.md).
    ElasticNet goes through the Gram (:meth:`LassoForm.gram`), per-feature
    penalties through :class:`LassoForm`; the answer is clipped into the box.
    It is only a start: the duality gap still decides when to stop.
    Features screened out are zero at the optimum and stay out of it.
    """
    n = y_c.shape[0]
    if lars is not None and l2 == 0.0 and lars.alpha_min < l1 / n:
        result = _homotopy_path(op, state, w, y_c, l1, penalty, lars)
        if result is not None:
            return result
    form = LassoForm(penalty, active[op.norms[active] > 0.0])
    k = form.features.shape[0]
    if form.F.size == 0 or max(n, k if l2 > 0.0 else 0) * k > _HOMOTOPY_MAX_VALUES:
        return state, False
    if l2 > 0.0:
        X_c = op.centered(form.features)
        coef = form.gram(X_c.T @ X_c, X_c.T @ y_c, n, l1, l2)
    else:
        coef = form.lasso(op.centered, y_c, l1 / n)
    if coef is None:
        return state, False
    return _keep_if_lower(op, state, w, form.features, penalty.clip(coef, form.features), l1, l2, penalty)


def _homotopy_path(op, state, w, y_c, l1, penalty, lars):
    """The homotopy start within a path: LARS over every feature, once, down to the path's last α.

    Every feature, not only those screened in at this α: features screened
    out here may enter at the smaller α that LARS's path also serves. Once it
    is computed, each fit below starts from it (see :func:`_enet_cd`), so it
    is not computed again. Returns ``(state, moved)``, or None where it does
    not serve this α (too large for the cap, failed, or stopped above it):
    the fit then runs LARS of its own.
    """
    n = y_c.shape[0]
    if lars.alphas is None:
        lars.alphas = np.empty(0)  # tried: not again
        form = LassoForm(penalty, np.flatnonzero(op.norms > 0.0))
        k = form.features.shape[0]
        if form.F.size == 0 or n * k > _HOMOTOPY_MAX_VALUES:
            return None
        kinks = form.lasso(op.centered, y_c, lars.alpha_min, path=True)
        if kinks is None or kinks[0].shape[0] == 0 or kinks[1].shape != (k, kinks[0].shape[0]):
            return None
        lars.alphas, lars.coefs, lars.features = kinks[0], kinks[1], form.features
        coef = lars.at(l1 / n)
        if coef is None:
            return None
        return _keep_if_lower(op, state, w, lars.features, penalty.clip(coef, lars.features), l1, 0.0, penalty)
    if not lars.covers(l1 / n):
        return None
    return state, False  # this fit started from it already


def _keep_if_lower(op, state, w, ws, w_new, l1, l2, penalty):
    """Move ``w[ws]`` to ``w_new`` if that lowers the objective; return ``(state, moved)``."""
    w_ws = w[ws]
    trial = op.step(state, ws, w_new - w_ws)
    lower = penalty.objective(op.residual_norm2(trial), w_new, l1, l2, ws)
    if lower < penalty.objective(op.residual_norm2(state), w_ws, l1, l2, ws):
        w[ws] = w_new
        return trial, True
    return state, False
