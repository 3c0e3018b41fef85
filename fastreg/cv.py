"""Cross-validated estimators: LassoCV, ElasticNetCV (paths over folds) and RidgeCV.

``LassoCV`` and ``ElasticNetCV`` follow scikit-learn's ``LinearModelCV``: the
α grid is computed on the full data (``_alpha_grid``, weighted when
``sample_weight`` is given), the folds come from ``check_cv(cv)`` (5-fold
``KFold`` without shuffling by default), each fold fits the whole path on its
training rows (with their weights) and scores the (weighted) mean squared
error on its test rows, ``alpha_`` minimizes the mean over folds, and the
model is refitted on all rows at ``alpha_``. For ``n ≥ p`` the Gram of every
fold is derived from the full-data Gram
(:class:`fastreg.solvers.gram.FoldGrams`). A 2-D ``y`` (which scikit-learn
refuses here, pointing to ``MultiTaskLassoCV``) is fitted as independent
targets sharing one α: the one of the smallest test MSE averaged over folds
and targets.

``RidgeCV`` computes leave-one-out errors for every α and every target at
once from one eigendecomposition (scikit-learn's ``_RidgeGCV``, "efficient
LOO", with its sample weights and ``alpha_per_target``).
"""

import inspect
import math
import numbers
import os
import warnings

import numba
import numpy as np
import scipy.sparse as sp
from joblib import Parallel, delayed, effective_n_jobs
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.metrics import check_scoring, get_scorer_names
from sklearn.model_selection import check_cv
from sklearn import get_config
from sklearn.utils import check_random_state
from sklearn.utils.metadata_routing import MetadataRouter, MethodMapping, process_routing
from sklearn.utils import check_scalar as sklearn_check_scalar

from ._threads import blas_threads
from ._progress import progress
from ._preprocess import scale_rows_sparse, weighted_offsets
from ._validation import check_bool, check_finite_result, check_penalty_params, check_scalar, check_selection
from .penalty import make_penalty
from .persistence import register
from .linear_model import ElasticNet, Ridge, _LinearModel
from .path import (
    _auto_gram,
    _check_alphas,
    _check_grid_params,
    _check_l1_ratio,
    _Engine,
    _grid,
    _run_path_unlimited,
    centered_xty,
)
from .kernels.gram import csr_dense_product
from .solvers.gram import FoldGrams, gram_enet, means_within_spread, sparse_gram

__all__ = ["LassoCV", "ElasticNetCV", "RidgeCV"]


def _is_int(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _concurrent_parallel_ok():
    """Whether numba's threading layer accepts parallel kernels launched from several threads.

    ``workqueue`` (numba's fallback when neither OpenMP nor TBB is available)
    does not; the Gram solver's kernels are serial and always can.
    """
    try:
        layer = numba.threading_layer()
    except ValueError:  # no parallel kernel has run yet: run a tiny one
        from .kernels.cd import xtr_dense

        xtr_dense(np.zeros((1, 1)), np.zeros(1), np.zeros(1), np.zeros(1, dtype=np.int64), np.zeros(1))
        layer = numba.threading_layer()
    return layer != "workqueue"


def _cores():
    return max(1, numba.config.NUMBA_NUM_THREADS or os.cpu_count() or 1)


def _check_fold_weights(sample_weight, folds):
    """Every fold needs training and test rows of positive total weight (a clear error, not NaN)."""
    if sample_weight is None:
        return
    for k, (train, test) in enumerate(folds):
        for rows, what in ((train, "training"), (test, "test")):
            if not np.sum(sample_weight[rows]) > 0:
                raise ValueError(
                    f"sample_weight: the {what} rows of fold {k} all have weight zero; the fold "
                    "cannot be fitted or scored (shuffle the folds or give those rows weight)"
                )


def _weighted_mse(residuals, weights):
    """Mean of ``residuals**2`` over rows (axis 0), weighted as ``np.average`` when ``weights`` is given."""
    squares = residuals**2
    if weights is None:
        return squares.mean(axis=0)
    return np.average(squares, axis=0, weights=weights)


class _PathCV(_LinearModel):
    """Shared ``fit`` of :class:`LassoCV` and :class:`ElasticNetCV`."""

    def _l1_ratios(self):
        raise NotImplementedError

    def get_metadata_routing(self):
        """scikit-learn's metadata routing: ``fit``'s extra parameters go to the splitter's ``split``."""
        return (
            MetadataRouter(owner=self)
            .add_self_request(self)
            .add(splitter=check_cv(self.cv), method_mapping=MethodMapping().add(caller="fit", callee="split"))
        )

    def fit(self, X, y, sample_weight=None, **params):
        """Fit the path on every fold, choose α (and ρ) by mean test MSE, refit.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Several targets are fitted independently at one shared α (and
            ρ), the one with the smallest test MSE averaged over folds and
            targets. A one-column ``y`` is read as 1-D, as scikit-learn does.
        sample_weight : array-like of shape (n_samples,), float or None
            scikit-learn's semantics: each fold fits its training rows with
            their weights (the loss ``(1/(2Σs)) Σ sᵢrᵢ²``) and scores the
            weighted mean squared error of its test rows; the α grid and the
            refit use the weights of all rows. A float means equal weights.
        **params
            Metadata for the splitter (``groups`` for ``GroupKFold``, ...),
            routed as scikit-learn does: only with
            ``sklearn.set_config(enable_metadata_routing=True)`` (a
            ``ValueError`` otherwise, as scikit-learn's).

        Returns
        -------
        self
        """
        routed = None
        if get_config().get("enable_metadata_routing", False):
            routed = process_routing(self, "fit", **params)
        elif params:
            raise ValueError(
                f"Passing extra keyword arguments to {type(self).__name__}.fit ({', '.join(sorted(params))}) "
                "is only supported if enable_metadata_routing=True, which you can set with "
                "sklearn.set_config(enable_metadata_routing=True); they are then routed to the splitter"
            )
        l1_ratios = self._l1_ratios()
        tol = float(check_scalar(self.tol, "tol"))
        max_iter = check_scalar(self.max_iter, "max_iter", low=1, integer=True)
        positive = check_bool(self.positive, "positive")
        penalty_params = (self.penalty_factor, self.lower_bounds, self.upper_bounds)
        fit_intercept = check_bool(self.fit_intercept, "fit_intercept")
        check_bool(self.copy_X, "copy_X")
        selection = check_selection(self.selection)
        seed = -1 if selection == "cyclic" else int(check_random_state(self.random_state).randint(2**31 - 1))
        if not (isinstance(self.alphas, numbers.Integral) and not isinstance(self.alphas, bool)):
            _check_alphas(self.alphas)  # before the data: scikit-learn's errors for bad values
        X, y, sw = self._validate_fit_data(X, y, "csr", sample_weight)
        penalty = make_penalty(X.shape[1], **check_penalty_params(X.shape[1], *penalty_params), positive=positive)
        if y.ndim == 2 and y.shape[1] == 1:
            y = y[:, 0]  # scikit-learn's LassoCV reads a column as 1-D (coef_ (p,), intercept_ a float)
        n, p = X.shape
        n_targets = 1 if y.ndim == 1 else y.shape[1]

        # ---- α grids, on the full data (scikit-learn's _alpha_grid, weighted)
        n_alphas = self.n_alphas if self.n_alphas is not None else self.alphas
        auto_grid = _is_int(n_alphas)
        use_gram = self._use_gram(X, fit_intercept, sw)
        cv = check_cv(self.cv)
        folds = list(cv.split(X, y, **(routed.splitter.split if routed is not None else {})))
        _check_fold_weights(sw, folds)
        # KFold's test blocks partition the rows: their Grams then sum to the full one
        full = FoldGrams(X, y, fit_intercept, sw, blocks=[test for _, test in folds]) if use_gram else None
        if auto_grid:
            if full is not None:  # its statistics are scaled to weights summing to n
                problems_all = full.full()
                q, total = np.stack([g.q for g in problems_all], axis=-1), n

                def cross_gram(cols):
                    return problems_all[0].G[:, cols]
            else:
                q, total = centered_xty(X, y, fit_intercept, sw), (n if sw is None else float(sw.sum()))

                def cross_gram(cols):
                    X_cols = X[:, cols].toarray() if sp.issparse(X) else np.asarray(X[:, cols], dtype=np.float64)
                    return centered_xty(X, X_cols, fit_intercept, sw)
            grids = []
            for ratio in l1_ratios:
                ratio, eps, k = _check_grid_params(ratio, self.eps, n_alphas)
                grids.append(_grid(penalty.alpha_max(q, total, ratio, cross_gram), eps, k))
            grids = np.array(grids)
        else:
            grids = np.tile(_check_alphas(self.alphas), (len(l1_ratios), 1))

        # ---- folds
        n_jobs = max(1, min(effective_n_jobs(self.n_jobs), len(folds)))
        if n_jobs > 1 and full is None and not _concurrent_parallel_ok():
            n_jobs = 1  # the residual solver's parallel kernels cannot run from two threads
        threads_each = max(1, _cores() // n_jobs)
        X_rows = X  # CSR or dense: rows are cheap to take
        Y = y[:, None] if y.ndim == 1 else y

        problems = None
        if full is not None:  # fold Grams from the full one, BLAS at full width
            problems = [full.fold(test, block=k) for k, (_, test) in enumerate(folds)]

        def run_fold(k, bar):
            before = numba.get_num_threads()  # per thread in numba: restore the caller's
            numba.set_num_threads(min(threads_each, numba.config.NUMBA_NUM_THREADS))
            try:
                return _fold_mse(k, bar)
            finally:
                numba.set_num_threads(before)

        def _fold_mse(k, bar):
            train, test = folds[k]
            if problems is not None:
                engine = _Engine.from_grams(problems[k], p)
            else:
                engine = _Engine(X_rows[train], y[train], fit_intercept, False, None if sw is None else sw[train])
            X_test, Y_test = X_rows[test], Y[test]
            sw_test = None if sw is None else sw[test]
            out = np.empty((len(l1_ratios), grids.shape[1]))
            for r, ratio in enumerate(l1_ratios):
                per_target = []
                for j in range(n_targets):
                    coefs, intercepts, _, _, unconverged = _run_path_unlimited(
                        engine, grids[r], ratio, tol, max_iter, penalty, None, bar, target=j, seed=seed
                    )
                    check_finite_result(type(self).__name__, coefs, intercepts)
                    if unconverged:
                        which = f" (target {j})" if n_targets > 1 else ""
                        warnings.warn(
                            "Objective did not converge. You might want to increase the number of iterations. "
                            f"{type(self).__name__}: fold {k}{which} stopped at max_iter={max_iter} epochs at "
                            f"{unconverged} alphas; increase max_iter or tol",
                            ConvergenceWarning,
                        )
                    pred = np.asarray(X_test @ coefs) + intercepts
                    per_target.append(_weighted_mse(pred - Y_test[:, j : j + 1], sw_test))
                out[r] = per_target[0] if n_targets == 1 else np.mean(per_target, axis=0)
            return out

        total = len(folds) * len(l1_ratios) * grids.shape[1] * n_targets
        with progress(total, type(self).__name__, self.verbose) as bar, blas_threads(1):
            if n_jobs == 1:
                mse = [run_fold(k, bar) for k in range(len(folds))]
            else:
                mse = Parallel(n_jobs=n_jobs, prefer="threads")(
                    delayed(run_fold)(k, bar) for k in range(len(folds))
                )
        mse = np.stack(mse, axis=2)  # (n_l1, n_alphas, n_folds)
        mean_mse = mse.mean(axis=2)
        best = (np.inf, None, None)
        for r, ratio in enumerate(l1_ratios):
            i = int(np.argmin(mean_mse[r]))
            if mean_mse[r, i] < best[0]:
                best = (mean_mse[r, i], grids[r, i], ratio)
        _, self.alpha_, self.l1_ratio_ = best
        self.alpha_ = float(self.alpha_)
        self.mse_path_ = np.squeeze(mse)
        self.alphas_ = grids[0] if (len(l1_ratios) == 1 or not auto_grid) else grids

        # ---- refit on all rows
        if full is not None:
            fits = []
            with blas_threads(1):
                for problem in full.full():
                    w, gap, n_iter, conv = gram_enet(
                        problem, self.alpha_, self.l1_ratio_, tol=tol, max_iter=max_iter, penalty=penalty, seed=seed
                    )
                    fits.append((w, problem.intercept(w), gap, n_iter, conv))
            coef, intercept, gap, n_iter, conv = zip(*fits)
            if not all(conv):
                warnings.warn(
                    "Objective did not converge. You might want to increase the number of iterations. "
                    f"{type(self).__name__}: the refit stopped at max_iter={max_iter} epochs",
                    ConvergenceWarning,
                )
            if y.ndim == 1:
                self._set_coef(X, coef[0], intercept[0])
                self.dual_gap_, self.n_iter_ = gap[0], n_iter[0]
            else:
                self._set_coef(X, np.array(coef), np.array(intercept))
                self.dual_gap_, self.n_iter_ = np.array(gap), list(n_iter)
        else:
            model = ElasticNet(
                alpha=self.alpha_, l1_ratio=self.l1_ratio_, fit_intercept=fit_intercept, tol=tol,
                max_iter=max_iter, positive=positive, selection=selection, random_state=seed if seed >= 0 else None,
                precompute=False if self.precompute is False else "auto", penalty_factor=self.penalty_factor,
                lower_bounds=self.lower_bounds, upper_bounds=self.upper_bounds,
            ).fit(X, y, sample_weight=sw)
            self.coef_, self.intercept_ = model.coef_, model.intercept_
            self.dual_gap_, self.n_iter_ = model.dual_gap_, model.n_iter_
        return self

    def _use_gram(self, X, fit_intercept, sample_weight=None):
        if self.precompute == "auto":
            return _auto_gram(X, fit_intercept, sample_weight)
        if isinstance(self.precompute, (bool, np.bool_)):
            return bool(self.precompute)
        raise ValueError(f"precompute must be 'auto', True or False, got {self.precompute!r}")


_CV_PARAMS_DOC = """
    eps : float > 0, default=1e-3
        ``α_min / α_max`` of the automatic grid.
    alphas : int or array-like, default=100
        Number of α values of the automatic grid (scikit-learn ≥ 1.7 style),
        or the α values themselves.
    n_alphas : int or None, default=None
        Older scikit-learn spelling of an integer ``alphas``; overrides it.
    fit_intercept : bool, default=True
    precompute : {"auto", True, False}, default="auto"
        Solve on Gram matrices (``"auto"``: as :func:`fastreg.fit_path`).
    max_iter : int, default=10000
        Maximum epochs per α.
    tol : float >= 0, default=1e-6
        Duality-gap tolerance per α, scikit-learn's meaning (its default
        is 1e-4), also bounding the gap by ``10⁻³·tol`` of the objective.
    cv : int, cross-validation generator or iterable, default=None
        As in scikit-learn (``None``: 5-fold ``KFold`` without shuffling).
    copy_X : bool, default=True
        Accepted for scikit-learn compatibility; ``X`` is never overwritten.
    n_jobs : int or None, default=None
        Folds run in this many threads (joblib); numba and BLAS threads are
        divided among them so the cores are not oversubscribed.
    positive : bool, default=False
    verbose : bool or int, default=False
        Progress bar over folds × α on stderr.
    random_state : int, RandomState instance or None, default=None
        Seeds the coordinate order of ``selection="random"``.
    selection : {"cyclic", "random"}, default="cyclic"
        ``"random"``: every epoch visits its coordinates in a new random
        order (same optimum, as :class:`fastreg.ElasticNet`).
    penalty_factor, lower_bounds, upper_bounds :
        Per-feature penalty factors and box constraints, as
        :class:`fastreg.ElasticNet`'s, in every fold and the refit; the
        grid's ``αmax`` follows them (with unpenalized features fitted first).

    Attributes
    ----------
    alpha_ : float
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
    intercept_ : float or ndarray of shape (n_targets,)
    mse_path_ : ndarray of shape (n_alphas, n_folds)
        ``(n_l1_ratio, n_alphas, n_folds)`` for several ``l1_ratio``. The
        (weighted) test MSE of each fold; with several targets, its mean
        over the targets.
    alphas_ : ndarray of shape (n_alphas,) or (n_l1_ratio, n_alphas)
        The automatic grid starts at the largest ``αmax`` of the targets.
    dual_gap_ : float or ndarray of shape (n_targets,)
    n_iter_ : int or list of int (one per target)
    n_features_in_ : int
"""


@register
class ElasticNetCV(_PathCV):
    __doc__ = (
        """ElasticNet with α (and ρ) chosen by cross-validation, scikit-learn's ``ElasticNetCV``.

    ``fit`` takes ``sample_weight`` with scikit-learn's semantics, and a 2-D
    ``y`` (which scikit-learn refuses): independent fits of the targets at one
    shared α (and ρ), chosen on the test MSE averaged over folds and targets.

    Parameters
    ----------
    l1_ratio : float or list of float in [0, 1], default=0.5
        Several values: the best (α, ρ) pair over all of them.
"""
        + _CV_PARAMS_DOC
        + """    l1_ratio_ : float
        The chosen ``l1_ratio``.
"""
    )

    def __init__(
        self,
        *,
        l1_ratio=0.5,
        eps=1e-3,
        alphas=100,
        n_alphas=None,
        fit_intercept=True,
        precompute="auto",
        max_iter=10_000,
        tol=1e-6,
        copy_X=True,
        cv=None,
        verbose=False,
        n_jobs=None,
        positive=False,
        random_state=None,
        selection="cyclic",
        penalty_factor=None,
        lower_bounds=None,
        upper_bounds=None,
    ):
        self.l1_ratio = l1_ratio
        self.eps = eps
        self.alphas = alphas
        self.n_alphas = n_alphas
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.max_iter = max_iter
        self.tol = tol
        self.copy_X = copy_X
        self.cv = cv
        self.verbose = verbose
        self.n_jobs = n_jobs
        self.positive = positive
        self.random_state = random_state
        self.selection = selection
        self.penalty_factor = penalty_factor
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds

    def _l1_ratios(self):
        ratios = np.atleast_1d(np.asarray(self.l1_ratio, dtype=object))
        if ratios.size == 0:
            raise ValueError("l1_ratio must not be empty")
        return [_check_l1_ratio(r) for r in ratios]


@register
class LassoCV(_PathCV):
    __doc__ = (
        """Lasso with α chosen by cross-validation, scikit-learn's ``LassoCV``.

    ``fit`` takes ``sample_weight`` with scikit-learn's semantics, and a 2-D
    ``y`` (which scikit-learn refuses, pointing to ``MultiTaskLassoCV``):
    independent Lasso fits of the targets at one shared α, chosen on the test
    MSE averaged over folds and targets (not the multi-task group penalty).

    Parameters
    ----------
"""
        + _CV_PARAMS_DOC
    )

    def __init__(
        self,
        *,
        eps=1e-3,
        alphas=100,
        n_alphas=None,
        fit_intercept=True,
        precompute="auto",
        max_iter=10_000,
        tol=1e-6,
        copy_X=True,
        cv=None,
        verbose=False,
        n_jobs=None,
        positive=False,
        random_state=None,
        selection="cyclic",
        penalty_factor=None,
        lower_bounds=None,
        upper_bounds=None,
    ):
        self.eps = eps
        self.alphas = alphas
        self.n_alphas = n_alphas
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.max_iter = max_iter
        self.tol = tol
        self.copy_X = copy_X
        self.cv = cv
        self.verbose = verbose
        self.n_jobs = n_jobs
        self.positive = positive
        self.random_state = random_state
        self.selection = selection
        self.penalty_factor = penalty_factor
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds

    def _l1_ratios(self):
        return [1.0]

    def fit(self, X, y, sample_weight=None, **params):
        super().fit(X, y, sample_weight, **params)
        del self.l1_ratio_
        return self

    fit.__doc__ = _PathCV.fit.__doc__


# ----------------------------------------------------------------------- RidgeCV

# Rows per block when forming X_c·V (about 32 MB of float64 per block).
_BLOCK_ELEMENTS = 1 << 22


def _eigh(M):
    """Symmetric eigendecomposition by LAPACK's divide and conquer (``syevd``), in NumPy's LAPACK.

    SciPy's LAPACK, threaded, ran 2-30x slower than on one thread here
    (measured on 400 × 400), most likely the fight between its OpenBLAS pool
    and NumPy's threads still spinning after the Gram that the Cholesky
    factor shows (see :mod:`fastreg.solvers._linalg`). NumPy's own, on its two threads,
    beats SciPy's on one: 0.148 s against 0.208 s on 1,000 × 1,000 right
    after the Gram, 0.39 s against 0.62 s on 1,500 × 1,500; ``RidgeCV``
    (20 α) on 20,000 × 1,000 dense 1.098 → 1.033 s, on 100,000 × 1,000 CSR
    1.273 → 1.107 s, same ``alpha_``.
    """
    check_finite_result("RidgeCV", M)  # overflow of X̃ᵀX̃: a clear error, not LAPACK's
    return np.linalg.eigh(M)


class _RidgeEigen:
    """One decomposition serving every α and every target: of ``X̃ᵀX̃``, of ``X̃X̃ᵀ``, or of ``X̃`` itself.

    ``X̃ = D(X − 1x̄ᵀ)`` and ``Ỹ = D(Y − 1ȳᵀ)``, with ``D = diag(√s)`` and
    the weighted means (no centering without ``fit_intercept``; ``D = I``
    unweighted): the weighted problem rescaled to an unweighted one without
    intercept, as scikit-learn's ``_RidgeGCV``. ``"cov"`` eigendecomposes the
    p × p ``X̃ᵀX̃ = VΛVᵀ`` (for ``n > p``), ``"gram"`` the n × n ``X̃X̃ᵀ``
    (for ``n ≤ p``), ``"svd"`` (dense ``X`` only) takes the thin SVD
    ``X̃ = USVᵀ``, ``Λ = S²``: it keeps the digits the Gram loses on
    ill-conditioned ``X`` (the Gram squares the condition number), at the cost
    of a decomposition of the n × p ``X̃`` and of n × min(n, p) floats more. Dense ``X`` is centered and scaled
    block by block (unweighted float64 ``X`` with its column means within
    their spreads is read as it is in ``"cov"`` mode: ``XᵀX − n·x̄x̄ᵀ``,
    ``XV − 1x̄ᵀV``), sparse ``X`` implicitly (``XᵀSX − Σs·x̄x̄ᵀ``); never
    densified.

    Leave-one-out errors are scikit-learn's, in the rescaled problem:
    ``√sᵢ`` times the error of the model fitted without row ``i``. The
    primal form (``"cov"``, and ``"svd"`` for ``n > p``): with ``A = X̃V``
    (formed block by block, never stored; ``"svd"`` keeps ``US``), ``b = AᵀỸ``
    and ``d_k = 1/(λ_k + α)``: ``W = V(d∘b)``, fitted values ``A(d∘b)``,
    leverages ``h = s/Σs + (A∘A)d`` (the first term is the unpenalized
    intercept's), LOO errors ``(Ỹ − A(d∘b))/(1 − h)``. The dual form
    (``"gram"``, and ``"svd"`` for ``n ≤ p``) works with the eigenvectors of
    ``X̃X̃ᵀ`` (the left singular vectors): see :meth:`_loo_blocks`.

    In the dual form with an intercept, ``X̃X̃ᵀ`` has ``√s`` in its null
    space (``X̃ᵀ√s = 0``): a Householder reflection splits that direction
    off exactly before the decomposition, so the intercept's leverage
    ``s/Σs`` is removed without cancellation, whatever the weights (zero
    weights add null directions of their own).

    Null directions. ``X̃`` has rank at most ``min(m − 1, p)`` (``m`` rows of
    positive weight; ``m`` without intercept), so a decomposition larger than
    that — ``"cov"`` on wide ``X``, ``"gram"`` on tall ``X`` — has null
    directions by its shape, and duplicated or collinear columns add more.
    Their computed eigenvalues are rounding (about ``eps·λ_max``), and so are
    the components of ``X̃ᵀỸ`` along them, which ``1/(λ_k + α)`` would blow up
    as ``α → 0``. The structurally null ones and every eigenvalue at most
    ``eps·max(n, p)·λ_max`` (singular value at most ``eps·max(n, p)·s_max``
    in ``"svd"`` mode, NumPy's least-squares cutoff) are taken as exactly
    zero: they add nothing to ``W`` (the minimum-norm solution's convention),
    nothing to the fitted values and leverages of the primal form, and their
    exact ``α/(0 + α) = 1`` to the dual form's.
    """

    def __init__(self, X, Y, fit_intercept, mode, sample_weight=None):
        n, p = X.shape
        self.n, self.p = n, p
        self.fit_intercept = fit_intercept
        self.sparse = sp.issparse(X)
        if self.sparse:
            X = X.tocsr().astype(np.float64, copy=False)
        self.X = X
        self.d = np.ones(n) if sample_weight is None else np.sqrt(sample_weight)
        self.weighted = sample_weight is not None
        x_mean, y_mean = weighted_offsets(X, Y, sample_weight, fit_intercept)
        self.mean, self.y_mean = x_mean, np.atleast_1d(y_mean)
        self.Yt = (Y - self.y_mean) * self.d[:, None]  # Ỹ
        # the intercept's leverage s_i/Σs (scikit-learn: the correction of diag(G⁻¹))
        self.lev0 = (self.d**2) / float(self.d @ self.d) if fit_intercept else None
        self.mode = mode
        self.primal = mode == "cov" or (mode == "svd" and n > p)
        # Dense, unweighted, float64 X whose column means are within their
        # spreads is read as it is: X̃ᵀX̃ = XᵀX − n x̄x̄ᵀ and X̃V = XV − 1(x̄ᵀV)
        # lose no digits there (as for Ridge), and no centered block is copied.
        self.uncentered = (
            self.mode == "cov" and not self.sparse and not self.weighted and X.dtype == np.float64
            and (not fit_intercept or means_within_spread(X, x_mean))
        )
        self.V = self.A = self.U = self.house = None
        if mode == "svd":
            self._svd()
        elif mode == "cov":
            self.lam, self.V = _eigh(self._cov())
            self.b = self.V.T @ centered_xty(X, Y, fit_intercept, sample_weight)  # VᵀX̃ᵀỸ, (p, k)
        else:
            self.lam, self.U, self.house = self._gram_eigen()
            self.b = self._basis_t_dot(self.Yt)
        self._mark_null(sample_weight)

    def _mark_null(self, sample_weight):
        """Set the null directions' eigenvalues to exactly 0 and record them in ``self.null`` (see the class notes)."""
        lam = self.lam
        m = self.n if sample_weight is None else int(np.count_nonzero(sample_weight))
        rank_bound = max(min(m - int(self.fit_intercept), self.p), 0)
        null = ~(lam > 0.0)  # rounding can leave tiny negatives
        if lam.size:
            if self.mode == "svd":  # singular values, descending
                null |= self.s <= np.finfo(np.float64).eps * max(self.n, self.p) * self.s[0]
                null[rank_bound:] = True
            else:  # eigenvalues, ascending
                null |= lam <= np.finfo(np.float64).eps * max(self.n, self.p) * max(lam[-1], 0.0)
                null[: max(lam.size - rank_bound, 0)] = True
        lam[null] = 0.0
        self.null = null

    # -- helpers
    def _rows(self, width):
        step = max(1, _BLOCK_ELEMENTS // max(width, 1))
        for lo in range(0, self.n, step):
            yield slice(lo, min(lo + step, self.n))

    def _scaled(self):
        """``DX`` for sparse ``X`` (a copy with the same sparsity when weighted)."""
        return scale_rows_sparse(self.X, self.d, "csr") if self.weighted else self.X

    def _block(self, rows):
        """Dense ``X̃[rows]``."""
        B = np.subtract(self.X[rows], self.mean, dtype=np.float64)
        if self.weighted:
            B *= self.d[rows, None]
        return B

    def _cov(self):
        if self.sparse:
            C = sparse_gram(self._scaled())
            if self.fit_intercept:
                C -= float(self.d @ self.d) * np.outer(self.mean, self.mean)
            return C
        if self.uncentered:
            C = self.X.T @ self.X  # one BLAS syrk on X itself
            if self.fit_intercept:
                C -= self.n * np.outer(self.mean, self.mean)
            return C
        C = np.zeros((self.p, self.p))
        for rows in self._rows(self.p):
            B = self._block(rows)
            C += B.T @ B
        return C

    def _gram(self):
        if self.sparse:
            DX = self._scaled()
            K = sparse_gram(DX.T)  # (DX)(DX)ᵀ
            if self.fit_intercept:  # X̃X̃ᵀ with X̃ = DX − d x̄ᵀ, in blocks of rows
                m = np.asarray(DX @ self.mean).ravel()
                m -= (0.5 * float(self.mean @ self.mean)) * self.d
                d = self.d
                for rows in self._rows(self.n):
                    K[rows] -= m[rows, None] * d[None, :] + d[rows, None] * m[None, :]
            return K
        Xt = self._block(slice(None))
        return Xt @ Xt.T

    def _householder(self):
        """``(v, β)`` of the reflection ``H = I − βvvᵀ`` mapping ``√s/‖√s‖`` to ``∓e₀``."""
        u = self.d / np.sqrt(self.d @ self.d)
        v = u.copy()
        v[0] += 1.0 if u[0] >= 0 else -1.0
        return v, 2.0 / float(v @ v)

    def _gram_eigen(self):
        """Eigenpairs of ``X̃X̃ᵀ``; with an intercept, only those orthogonal to ``√s``.

        Returns ``(λ, U, house)``: without intercept ``U`` holds the eigenvectors
        and ``house`` is ``None``; with one, the eigenvectors are ``H[0; U]``
        for the reflection ``house = (v, β)``, applied on the fly
        (:meth:`_basis_rows`) so that no second n × n array is formed.
        """
        K = self._gram()
        if not self.fit_intercept:
            return (*_eigh(K), None)
        # HKH's first row and column are K's action on √s/‖√s‖, zero
        # (X̃ᵀ√s = 0) up to rounding, and dropped.
        n = self.n
        v, beta = self._householder()
        g = K @ v
        g -= (0.5 * beta * float(v @ g)) * v  # HKH = K − β(v gᵀ + g vᵀ) with this g
        for rows in self._rows(n):  # the rank-2 update in blocks of rows: no n × n temporaries
            K[rows] -= beta * (v[rows, None] * g[None, :] + g[rows, None] * v[None, :])
        # HKH[1:, 1:] compacted to the front of K's own buffer (row i + 1 is read before it is overwritten)
        flat = K.reshape(-1)
        for i in range(n - 1):
            flat[i * (n - 1) : (i + 1) * (n - 1)] = flat[(i + 1) * n + 1 : (i + 2) * n]
        lam, W = _eigh(flat[: (n - 1) ** 2].reshape(n - 1, n - 1))
        del K, flat
        return lam, W, (v, beta, beta * (v[1:] @ W))

    def _svd(self):
        """The thin SVD of dense ``X̃`` (of ``HX̃`` without its first row, in the dual form with an intercept)."""
        Xt = self._block(slice(None))  # X̃, a float64 copy
        check_finite_result("RidgeCV", Xt)
        if self.primal:
            U, s, Vt = np.linalg.svd(Xt, full_matrices=False)
            self.A = U * s  # X̃V = US, (n, p)
            self.b = self.A.T @ self.Yt  # VᵀX̃ᵀỸ = SUᵀỸ
        elif self.fit_intercept:
            v, beta = self._householder()
            Xt -= beta * np.outer(v, v @ Xt)  # HX̃: its first row is X̃ᵀ√s = 0 up to rounding, dropped
            U, s, Vt = np.linalg.svd(Xt[1:], full_matrices=False)
            self.U, self.house = U, (v, beta, beta * (v[1:] @ U))
            self.b = self._basis_t_dot(self.Yt)
        else:
            U, s, Vt = np.linalg.svd(Xt, full_matrices=False)
            self.U = U
            self.b = self._basis_t_dot(self.Yt)
        self.s, self.V, self.lam = s, Vt.T, s * s

    def _basis_rows(self, rows):
        """Rows ``rows`` (a slice) of the eigenvector matrix."""
        if self.house is None:
            return self.U[rows]
        v, _, t = self.house
        lo, hi = rows.start, rows.stop
        B = np.empty((hi - lo, self.U.shape[1]))
        if lo == 0:  # row 0 of [0; U] is zero
            B[0] = 0.0
            B[1:] = self.U[: hi - 1]
        else:
            B[:] = self.U[lo - 1 : hi - 1]
        B -= v[rows, None] * t[None, :]
        return B

    def _basis_dot(self, Z):
        """The eigenvector matrix times ``Z`` (m, k)."""
        if self.house is None:
            return self.U @ Z
        v, beta, _ = self.house
        out = np.zeros((self.n, Z.shape[1]))
        out[1:] = self.U @ Z
        out -= beta * np.outer(v, v @ out)
        return out

    def _basis_t_dot(self, Y):
        """The eigenvector matrix transposed times ``Y`` (n, k)."""
        if self.house is None:
            return self.U.T @ Y
        v, beta, _ = self.house
        HY = Y - beta * np.outer(v, v @ Y)
        return self.U.T @ HY[1:]

    def _inverse(self, alphas):
        """``1/(λ + α)`` per direction and α (m, K), zero along the null directions (α = 0 included)."""
        with np.errstate(divide="ignore"):
            D = 1.0 / (self.lam[:, None] + alphas[None, :])
        D[self.null] = 0.0
        return D

    # -- results for many α
    def _loo_blocks(self, alphas):
        """Yield ``(rows, looe)``: the (rescaled) LOO errors of a block of rows, shape (rows, n_targets, n_alphas).

        Dual form: with ``S = α/(λ + α)`` (1 along null directions),
        ``α·c = U(S∘b)`` and ``α·diag(G⁻¹)`` minus the intercept's ``s/Σs``
        is ``(U∘U)S`` (``U`` spans the complement of ``√s``); the LOO error
        is their ratio.
        """
        k, K = self.Yt.shape[1], alphas.shape[0]
        if self.primal:
            D = self._inverse(alphas)  # (p, K)
            m = D.shape[0]
            Db = (self.b[:, :, None] * D[:, None, :]).reshape(m, k * K)
            if self.A is None and (self.sparse or self.uncentered):
                shift = self.mean @ self.V if self.fit_intercept else np.zeros(self.p)
                V = np.ascontiguousarray(self.V)
            buf = None  # one block of A, reused (fresh 32 MB arrays cost page faults on every block)
            for rows in self._rows(max(m, k * K)):  # A = X̃V one block of rows at a time, never stored
                size = rows.stop - rows.start
                if buf is None:
                    buf = np.empty((size, m))
                A = buf[:size]
                if self.A is not None:
                    A[:] = self.A[rows]
                elif self.sparse:
                    Xb = self.X[rows]
                    csr_dense_product(Xb.data, Xb.indices, Xb.indptr, V, shift, A)
                    if self.weighted:
                        A *= self.d[rows, None]
                elif self.uncentered:
                    np.matmul(self.X[rows], V, out=A)
                    A -= shift
                else:
                    np.matmul(self._block(rows), self.V, out=A)
                fitted = (A @ Db).reshape(-1, k, K)
                h = np.square(A, out=A) @ D  # A is not needed past here
                if self.fit_intercept:
                    h += self.lev0[rows, None]
                with np.errstate(divide="ignore", invalid="ignore"):  # h = 1: the LOO error is undefined (inf/NaN)
                    yield rows, (self.Yt[rows, :, None] - fitted) / (1.0 - h)[:, None, :]
            return
        m = self.lam.shape[0]
        S = alphas[None, :] / (self.lam[:, None] + alphas[None, :])  # (m, K); 1 along null directions
        Sb = (self.b[:, :, None] * S[:, None, :]).reshape(m, k * K)
        for rows in self._rows(max(m, k * K)):
            Ub = self._basis_rows(rows)
            with np.errstate(divide="ignore", invalid="ignore"):
                yield rows, (Ub @ Sb).reshape(-1, k, K) / (np.square(Ub) @ S)[:, None, :]

    def loo_mse(self, alphas):
        """Mean over rows of the squared (rescaled) LOO errors, shape (n_targets, n_alphas)."""
        alphas = np.asarray(alphas, dtype=np.float64)
        total = np.zeros((self.Yt.shape[1], alphas.shape[0]))
        for _, looe in self._loo_blocks(alphas):
            total += np.einsum("ijk,ijk->jk", looe, looe)
        return total / self.n

    def loo_errors(self, alphas):
        """The (rescaled) LOO errors ``√sᵢ·eᵢ`` of every row, target and α: shape (n, n_targets, n_alphas)."""
        alphas = np.asarray(alphas, dtype=np.float64)
        out = np.empty((self.n, self.Yt.shape[1], alphas.shape[0]))
        for rows, looe in self._loo_blocks(alphas):
            out[rows] = looe
        return out

    def loo_predictions(self, Y, looe, alphas):
        """The LOO predictions on ``Y``'s scale, ``yᵢ − eᵢ``, from :meth:`loo_errors`' ``looe`` (n, k, K).

        A row of weight zero takes no part in the fit: its LOO model is the
        model fitted on all rows, whose prediction it gets (scikit-learn
        divides ``0/√0`` there and scores NaN).
        """
        positive = self.d > 0
        with np.errstate(divide="ignore", invalid="ignore"):
            pred = Y[:, :, None] - looe / self.d[:, None, None]
        if not positive.all():
            zero = np.flatnonzero(~positive)
            Xz = self.X[zero]
            k = Y.shape[1]
            for a, alpha in enumerate(alphas):
                W, b = self.coefs(np.full(k, alpha))
                pred[zero, :, a] = np.asarray(Xz @ W) + b
        return pred

    def coefs(self, alphas):
        """Coefficients (p, n_targets) and intercepts (n_targets,), target ``j`` at ``alphas[j]``."""
        alphas = np.asarray(alphas, dtype=np.float64)
        D = self._inverse(alphas)  # (m, k)
        if self.primal:
            W = self.V @ (D * self.b)
        elif self.mode == "svd":  # X̃ᵀ times the eigenvector k is s_k v_k
            W = self.V @ ((self.s[:, None] * D) * self.b)
        else:
            C = self._basis_dot(D * self.b)  # c = (X̃X̃ᵀ + αI)⁻¹Ỹ, and W = X̃ᵀc
            DC = C * self.d[:, None]
            W = np.asarray(self.X.T @ DC, dtype=np.float64)
            if self.fit_intercept:
                W -= np.outer(self.mean, DC.sum(axis=0))
        intercepts = self.y_mean - self.mean @ W if self.fit_intercept else np.zeros(W.shape[1])
        return W, intercepts


def _r2(Y, pred, weights):
    """scikit-learn's ``r2_score`` (weighted; the mean over targets), its rules included.

    NaN for fewer than two rows (the caller warns). A target with a zero total
    sum of squares scores 1 if predicted exactly, else 0 (``force_finite``);
    the sums are formed as scikit-learn forms them (with ``np.average`` for
    the weighted mean), so that the rounding is the same too.
    """
    if Y.shape[0] < 2:
        return float("nan")
    if weights is None:
        ss_res = np.sum((Y - pred) ** 2, axis=0)
        ss_tot = np.sum((Y - np.average(Y, axis=0)) ** 2, axis=0)
    else:
        w = weights[:, None]
        ss_res = np.sum(w * (Y - pred) ** 2, axis=0)
        ss_tot = np.sum(w * (Y - np.average(Y, axis=0, weights=weights)) ** 2, axis=0)
    scores = np.ones(Y.shape[1])
    valid = (ss_res != 0) & (ss_tot != 0)
    scores[valid] = 1.0 - ss_res[valid] / ss_tot[valid]
    scores[(ss_res != 0) & (ss_tot == 0)] = 0.0
    return float(np.mean(scores))


def _first_best(scores):
    """Index of the best score as scikit-learn's ``_RidgeGCV`` keeps it: the first α, replaced only by a strictly
    greater score (so a NaN first score stays, and a later NaN never wins)."""
    best = 0
    for i in range(1, len(scores)):
        if scores[i] > scores[best]:
            best = i
    return best


def _grid_best(mean_scores):
    """Index of the best mean score as ``GridSearchCV`` ranks it: NaN below every number (the first if all are
    NaN), ties to the first."""
    mean_scores = np.asarray(mean_scores, dtype=np.float64)
    if np.isnan(mean_scores).all():
        return 0
    return int(np.argmax(np.where(np.isnan(mean_scores), -np.inf, mean_scores)))


class _Predictions(RegressorMixin, BaseEstimator):
    """A regressor whose ``predict`` returns its input: scores precomputed predictions with any scorer."""

    def predict(self, X):
        return X


def _scorer_takes_weights(scorer):
    """Whether ``GridSearchCV`` (without metadata routing) passes ``sample_weight`` to ``scorer``."""
    accepts = getattr(scorer, "_accept_sample_weight", None)  # scikit-learn's scorers say it themselves
    if accepts is not None:
        return bool(accepts())
    return "sample_weight" in inspect.signature(scorer).parameters


def _check_cv_alphas(alphas, loo):
    """``alphas`` as a float64 array, checked as scikit-learn's ``RidgeCV`` does (its messages).

    Every value real (``TypeError``) and ``> 0`` for leave-one-out,
    ``>= 0`` with ``cv``; also finite and not empty. A scalar is one α.
    """
    bound = "neither" if loo else "left"
    if isinstance(alphas, (np.ndarray, list, tuple)):
        if np.ndim(alphas) > 1:
            raise ValueError(f"alphas must be a float or a 1-D array-like of floats, got shape {np.shape(alphas)}")
        values = list(np.ravel(alphas)) if isinstance(alphas, np.ndarray) else list(alphas)
        if not values:
            raise ValueError("alphas must contain at least one value")
        names = ["alphas"] if len(values) == 1 else [f"alphas[{k}]" for k in range(len(values))]
    else:
        values, names, bound = [alphas], ["alphas"], "neither"
    for value, name in zip(values, names):
        sklearn_check_scalar(value, name, target_type=numbers.Real, min_val=0.0, include_boundaries=bound)
        if not math.isfinite(value):
            raise ValueError(f"{name} must be finite, got {value!r}")
    return np.asarray(values, dtype=np.float64)


def _check_ridge_scoring(estimator, scoring):
    """The scorer of ``scoring`` (a scorer name or a callable; ``None`` stays ``None``), as scikit-learn's RidgeCV."""
    if scoring is None:
        return None
    if isinstance(scoring, str):
        if scoring not in get_scorer_names():
            raise ValueError(
                f"scoring={scoring!r} is not a valid scoring value: use a name of "
                "sklearn.metrics.get_scorer_names(), a callable scorer(estimator, X, y), or None"
            )
    elif not callable(scoring):
        raise ValueError(
            f"scoring must be a scorer name, a callable scorer(estimator, X, y) or None, got {scoring!r}"
        )
    return check_scoring(estimator, scoring=scoring)


_GCV_MODES = (None, "auto", "svd", "eigen", "cov", "gram")


@register
class RidgeCV(_LinearModel):
    """Ridge with α chosen by efficient leave-one-out or k-fold CV, scikit-learn's ``RidgeCV``.

    ``cv=None`` (the default): leave-one-out errors for all α and all targets
    from one decomposition (see ``gcv_mode``) with the intercept's leverage;
    without ``scoring``, ``best_score_`` is minus the mean squared LOO error,
    as scikit-learn's (with ``sample_weight``, the errors are scaled by
    ``√s``, as scikit-learn's: the mean of ``sᵢ·eᵢ²`` over all ``n`` rows).
    With ``scoring``, the LOO predictions (on ``y``'s scale) are scored as
    scikit-learn does: all rows at once (``sample_weight`` passed to the
    scorer), or each target alone with ``alpha_per_target``.

    ``cv=k`` (or a splitter, or an iterable of splits): each training fold
    is decomposed once for all α; each (fold, α) scored on the fold's test
    rows by R² (weighted by the test rows' ``sample_weight``, as
    scikit-learn's ``GridSearchCV`` does; NaN for a fold of one row, as
    ``r2_score``) or by ``scoring`` (given the test rows' weights if it
    accepts ``sample_weight``, as ``GridSearchCV`` does); ``best_score_`` is
    the mean score over folds, NaN ranked below every number. Then
    :class:`fastreg.Ridge` is refitted on all rows at ``alpha_``. Ties go to
    the first α in the order given.

    Parameters
    ----------
    alphas : array-like of float, or float, default=(0.1, 1.0, 10.0)
        Each ``> 0`` with leave-one-out, ``>= 0`` with ``cv`` (scikit-learn's
        rules and messages; also finite).
    fit_intercept : bool, default=True
    scoring : str, callable or None, default=None
        Any scikit-learn scorer name or scorer callable
        ``scorer(estimator, X, y)``, multi-output scorers included. ``None``:
        minus the mean squared error for leave-one-out, R² for ``cv``.
    cv : None, int, cross-validation generator or iterable, default=None
    gcv_mode : {None, "auto", "eigen", "svd", "cov", "gram"}, default=None
        The decomposition of leave-one-out. ``None``, ``"auto"`` and
        ``"eigen"`` (scikit-learn's names): the eigendecomposition of the
        smaller Gram, ``X̃X̃ᵀ`` if ``n ≤ p`` else ``X̃ᵀX̃``. ``"svd"``: the thin
        SVD of ``X̃`` (dense ``X``; sparse ``X`` warns and uses ``"eigen"``,
        as scikit-learn 1.9 does), accurate on ill-conditioned ``X`` where the
        Gram squares the condition number. ``"cov"`` / ``"gram"`` (fastreg's
        own, kept) force ``X̃ᵀX̃`` / ``X̃X̃ᵀ``; on the shape they do not suit,
        the structurally null directions are dropped exactly.
    store_cv_results : bool, default=False
        Leave-one-out only: keep ``cv_results_``.
    alpha_per_target : bool, default=False
        With 2-D ``y`` and ``cv=None``: choose α for each target separately
        (``alpha_`` and ``best_score_`` then have one value per target),
        still from the one decomposition. Incompatible with ``cv``.
    verbose : bool, default=False
        Progress bar over the folds (``cv`` given) on stderr.
    penalty_factor : array of shape (n_features,) or None, default=None
        :class:`fastreg.Ridge`'s generalized Ridge ``α·Σⱼ fⱼwⱼ²``, ``fⱼ > 0``
        or ``inf`` (left out, coefficient exactly 0): α is chosen for the
        columns ``Xⱼ/√fⱼ`` (a float64 copy of dense ``X``; sparse ``X``: of
        its stored values), on which leave-one-out is exact. Unpenalized
        features (``fⱼ = 0``) are refused (``ValueError``): they would need
        their own leverage term; use :class:`fastreg.Ridge` with a grid.

    Attributes
    ----------
    alpha_ : float or ndarray of shape (n_targets,)
        An array with ``alpha_per_target`` and several targets.
    best_score_ : float or ndarray of shape (n_targets,)
        As ``alpha_`` (and, as scikit-learn's, an array of one value for a
        one-column ``y`` with ``alpha_per_target``).
    cv_results_ : ndarray of shape (n_samples, n_alphas) or (n_samples, n_targets, n_alphas)
        With ``store_cv_results``: the squared (rescaled) LOO errors
        ``sᵢ·eᵢ²`` without ``scoring``, the LOO predictions with it; in
        ``X``'s float dtype.
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
    intercept_ : float or ndarray of shape (n_targets,)
    n_features_in_ : int
    """

    def __init__(
        self, alphas=(0.1, 1.0, 10.0), *, fit_intercept=True, scoring=None, cv=None, gcv_mode=None,
        store_cv_results=False, alpha_per_target=False, verbose=False, penalty_factor=None,
    ):
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.scoring = scoring
        self.store_cv_results = store_cv_results
        self.cv = cv
        self.gcv_mode = gcv_mode
        self.alpha_per_target = alpha_per_target
        self.verbose = verbose
        self.penalty_factor = penalty_factor

    def fit(self, X, y, sample_weight=None):
        """Choose α, then fit Ridge on all rows.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
        sample_weight : array-like of shape (n_samples,), float or None
            Ridge's weighted loss ``Σ sᵢ(yᵢ − xᵢw − b)² + α‖w‖²``; the scale
            matters (weights ``c·s`` select as ``s`` with ``α/c``). A float
            means that weight for every sample, as in scikit-learn.

        Returns
        -------
        self
        """
        alphas = _check_cv_alphas(self.alphas, loo=self.cv is None)
        if not any(self.gcv_mode is mode or self.gcv_mode == mode for mode in _GCV_MODES):
            raise ValueError(
                f"gcv_mode must be None, 'auto', 'eigen', 'svd', 'cov' or 'gram', got {self.gcv_mode!r}"
            )
        per_target = check_bool(self.alpha_per_target, "alpha_per_target")
        fit_intercept = check_bool(self.fit_intercept, "fit_intercept")
        store = check_bool(self.store_cv_results, "store_cv_results")
        scorer = _check_ridge_scoring(self, self.scoring)
        if self.cv is not None and store:
            raise ValueError("cv!=None and store_cv_results=True are incompatible")
        if per_target and self.cv is not None:
            raise ValueError("cv!=None and alpha_per_target=True are incompatible")
        X, y, sw = self._validate_fit_data(X, y, "csr", sample_weight, expand_scalar=True)
        factor = check_penalty_params(X.shape[1], self.penalty_factor)["penalty_factor"]
        if factor is not None and not np.all(factor == 1.0):
            return self._fit_factors(X, y, sw, alphas, fit_intercept, per_target, store, scorer, factor)
        if self.cv is None:
            return self._fit_loo(X, y, sw, alphas, fit_intercept, per_target, store, scorer)
        return self._fit_folds(X, y, sw, alphas, fit_intercept, scorer)

    def _fit_factors(self, X, y, sw, alphas, fit_intercept, per_target, store, scorer, factor):
        """The fit on the columns ``Xⱼ/√fⱼ`` (``fⱼ`` finite), ``coef_`` mapped back (``wⱼ = vⱼ/√fⱼ``, 0 where ``inf``)."""
        if np.any(factor == 0.0):
            raise ValueError(
                "RidgeCV does not take unpenalized features (penalty_factor 0); use factors > 0 (or inf to leave "
                "a feature out), or fastreg.Ridge(penalty_factor=...) over a grid of alpha"
            )
        keep = np.flatnonzero(np.isfinite(factor))
        scale = 1.0 / np.sqrt(factor[keep])
        if keep.size == 0:  # every feature left out: one zero column stands in (the intercept alone)
            scaled = np.zeros((X.shape[0], 1))
        elif sp.issparse(X):
            scaled = X[:, keep] @ sp.diags(scale)
            scaled = scaled.tocsr() if scaled.format != "csr" else scaled
        else:
            scaled = np.multiply(X[:, keep], scale, dtype=np.float64)
        if self.cv is None:
            self._fit_loo(scaled, y, sw, alphas, fit_intercept, per_target, store, scorer)
        else:
            self._fit_folds(scaled, y, sw, alphas, fit_intercept, scorer)
        coef = np.zeros(np.shape(self.coef_)[:-1] + (X.shape[1],), dtype=X.dtype)
        if keep.size:
            coef[..., keep] = self.coef_ * scale
        self.coef_ = coef
        if getattr(self, "intercept_", None) is not None and np.ndim(self.intercept_):
            self.intercept_ = np.asarray(self.intercept_, dtype=X.dtype)
        if hasattr(self, "cv_results_"):
            self.cv_results_ = self.cv_results_.astype(X.dtype, copy=False)
        return self

    def _mode(self, X):
        n, p = X.shape
        if self.gcv_mode in ("cov", "gram"):
            return self.gcv_mode
        if self.gcv_mode == "svd":
            if not sp.issparse(X):
                return "svd"
            warnings.warn(
                "The 'svd' mode is not supported for sparse X, we fallback to gcv_mode='eigen' (as scikit-learn "
                "1.9 does, which will raise an error from 1.11); pass gcv_mode='eigen' to silence this warning",
                FutureWarning,
            )
        return "gram" if n <= p else "cov"

    def _fit_loo(self, X, y, sw, alphas, fit_intercept, per_target, store, scorer):
        Y = y[:, None] if y.ndim == 1 else y
        k = Y.shape[1]
        eig = _RidgeEigen(X, Y, fit_intercept, self._mode(X), sw)
        several = per_target and k > 1
        results = None
        if scorer is None:
            if store:
                looe = eig.loo_errors(alphas)
                results = looe**2
                mean_sq = results.mean(axis=0)  # (k, K)
            else:
                mean_sq = eig.loo_mse(alphas)
            # scikit-learn: per target with alpha_per_target, else over all rows and targets
            scores = -mean_sq if per_target else -mean_sq.mean(axis=0)
        else:
            pred = eig.loo_predictions(Y, eig.loo_errors(alphas), alphas)
            results = pred
            params = {} if sw is None else {"sample_weight": sw}
            judge = _Predictions()
            if per_target:
                scores = np.array([[scorer(judge, pred[:, j, a], Y[:, j], **params) for a in range(len(alphas))]
                                   for j in range(k)])
            else:
                scores = np.array([scorer(judge, pred[:, 0, a] if y.ndim == 1 else pred[:, :, a], y, **params)
                                   for a in range(len(alphas))])
        if several:  # (k, K): one α per target
            best = np.array([_first_best(row) for row in scores])
            self.alpha_ = alphas[best]
            self.best_score_ = scores[np.arange(k), best]
        else:
            mean = scores.mean(axis=0) if scores.ndim == 2 else scores
            best = _first_best(mean)
            self.alpha_ = float(alphas[best])
            # scikit-learn: per-target scores of a one-column y stay an array
            self.best_score_ = scores[:, best] if per_target and y.ndim == 2 else float(mean[best])
        W, b = eig.coefs(np.broadcast_to(self.alpha_, (k,)))
        self._set_coef(X, W.T if y.ndim == 2 else W[:, 0], b if y.ndim == 2 else b[0])
        if store:
            self.cv_results_ = (results[:, 0, :] if y.ndim == 1 else results).astype(X.dtype, copy=False)
        elif hasattr(self, "cv_results_"):
            del self.cv_results_  # from an earlier fit with store_cv_results=True
        return self

    def _fit_folds(self, X, y, sw, alphas, fit_intercept, scorer):
        Y = y[:, None] if y.ndim == 1 else y
        folds = list(check_cv(self.cv).split(X, y))
        _check_fold_weights(sw, folds)
        weighted_scorer = sw is not None and scorer is not None and _scorer_takes_weights(scorer)
        if sw is not None and scorer is not None and not weighted_scorer:
            warnings.warn(
                f"The scoring {scorer} does not support sample_weight: the test folds are scored unweighted "
                "(as GridSearchCV does), which may lead to statistically incorrect results"
            )
        if any(len(test) < 2 for _, test in folds) and scorer is None:
            warnings.warn(
                "R^2 score is not well-defined with less than two samples: the folds with one test row score "
                "NaN (as scikit-learn's r2_score), and so does their α's mean",
                UndefinedMetricWarning,
            )
        mode = "gram" if self.gcv_mode == "gram" else ("cov" if self.gcv_mode == "cov" else None)
        scores = np.empty((len(folds), alphas.shape[0]))
        with progress(len(folds), "RidgeCV", self.verbose) as bar:
            for f, (train, test) in enumerate(folds):
                n_train = len(train)
                fold_mode = mode or ("gram" if n_train <= X.shape[1] else "cov")
                eig = _RidgeEigen(X[train], Y[train], fit_intercept, fold_mode, None if sw is None else sw[train])
                X_test, Y_test = X[test], Y[test]
                sw_test = None if sw is None else sw[test]
                for a, alpha in enumerate(alphas):
                    W, b = eig.coefs(np.full(Y.shape[1], alpha))
                    if scorer is None:
                        scores[f, a] = _r2(Y_test, np.asarray(X_test @ W) + b, sw_test)
                        continue
                    model = Ridge(alpha=alpha, fit_intercept=fit_intercept)
                    model._set_coef(X, W.T if y.ndim == 2 else W[:, 0], b if y.ndim == 2 else b[0])
                    model.n_features_in_ = X.shape[1]
                    params = {"sample_weight": sw_test} if weighted_scorer else {}
                    scores[f, a] = scorer(model, X_test, y[test], **params)
                bar.update()
        mean = scores.mean(axis=0)
        best = _grid_best(mean)
        self.alpha_ = float(alphas[best])
        self.best_score_ = float(mean[best])
        model = Ridge(alpha=self.alpha_, fit_intercept=fit_intercept).fit(X, y, sample_weight=sw)
        self.coef_, self.intercept_ = model.coef_, model.intercept_
        if hasattr(self, "cv_results_"):
            del self.cv_results_
        return self
