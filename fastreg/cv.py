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

import numbers
import os
import warnings

import numba
import numpy as np
import scipy.sparse as sp
from joblib import Parallel, delayed, effective_n_jobs
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import check_cv
from sklearn import get_config
from sklearn.utils import check_random_state
from sklearn.utils.metadata_routing import MetadataRouter, MethodMapping, process_routing

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
    """One eigendecomposition serving every α and every target: of ``X̃ᵀX̃`` or of ``X̃X̃ᵀ``.

    ``X̃ = D(X − 1x̄ᵀ)`` and ``Ỹ = D(Y − 1ȳᵀ)``, with ``D = diag(√s)`` and
    the weighted means (no centering without ``fit_intercept``; ``D = I``
    unweighted): the weighted problem rescaled to an unweighted one without
    intercept, as scikit-learn's ``_RidgeGCV``. ``"cov"`` eigendecomposes the
    p × p ``X̃ᵀX̃ = VΛVᵀ`` (for ``n > p``), ``"gram"`` the n × n ``X̃X̃ᵀ``
    (for ``n ≤ p``). Dense ``X`` is centered and scaled block by block
    (unweighted float64 ``X`` with its column means within their spreads is
    read as it is in ``"cov"`` mode: ``XᵀX − n·x̄x̄ᵀ``, ``XV − 1x̄ᵀV``),
    sparse ``X`` implicitly (``XᵀSX − Σs·x̄x̄ᵀ``); never densified.

    Leave-one-out errors are scikit-learn's, in the rescaled problem:
    ``√sᵢ`` times the error of the model fitted without row ``i``. With
    ``A = X̃V`` (formed block by block, never stored), ``b = AᵀỸ`` and
    ``d_k = 1/(λ_k + α)``: ``W = V(d∘b)``, fitted values ``A(d∘b)``,
    leverages ``h = s/Σs + (A∘A)d`` (the first term is the unpenalized
    intercept's), LOO errors ``(Ỹ − A(d∘b))/(1 − h)``.

    In ``"gram"`` mode with an intercept, ``X̃X̃ᵀ`` has ``√s`` in its null
    space (``X̃ᵀ√s = 0``): a Householder reflection splits that direction
    off exactly before the eigendecomposition, so the intercept's leverage
    ``s/Σs`` is removed without cancellation, whatever the weights (zero
    weights add null directions of their own).
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
        self.mode = ("gram" if n <= p else "cov") if mode == "auto" else mode
        # Dense, unweighted, float64 X whose column means are within their
        # spreads is read as it is: X̃ᵀX̃ = XᵀX − n x̄x̄ᵀ and X̃V = XV − 1(x̄ᵀV)
        # lose no digits there (as for Ridge), and no centered block is copied.
        self.uncentered = (
            self.mode == "cov" and not self.sparse and not self.weighted and X.dtype == np.float64
            and (not fit_intercept or means_within_spread(X, x_mean))
        )
        if self.mode == "cov":
            self.lam, self.V = _eigh(self._cov())
            self.b = self.V.T @ centered_xty(X, Y, fit_intercept, sample_weight)  # VᵀX̃ᵀỸ, (p, k)
        else:
            self.lam, self.U, self.house = self._gram_eigen()
            self.b = self._basis_t_dot(self.Yt)
        np.maximum(self.lam, 0.0, out=self.lam)  # rounding can leave tiny negatives

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
        # Householder H = I − βvvᵀ maps u = √s/‖√s‖ to ∓e₀; HKH's first row and
        # column are K's action on u, zero (X̃ᵀ√s = 0) up to rounding, and dropped.
        n = self.n
        u = self.d / np.sqrt(self.d @ self.d)
        v = u.copy()
        v[0] += 1.0 if u[0] >= 0 else -1.0
        beta = 2.0 / float(v @ v)
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

    # -- results for many α
    def loo_mse(self, alphas):
        """Mean over rows of the squared (rescaled) LOO errors, shape (n_targets, n_alphas)."""
        alphas = np.asarray(alphas, dtype=np.float64)
        k, K = self.Yt.shape[1], alphas.shape[0]
        total = np.zeros((k, K))
        if self.mode == "cov":
            D = 1.0 / (self.lam[:, None] + alphas[None, :])  # (p, K)
            Db = (self.b[:, :, None] * D[:, None, :]).reshape(self.p, k * K)
            if self.sparse or self.uncentered:
                shift = self.mean @ self.V if self.fit_intercept else np.zeros(self.p)
                V = np.ascontiguousarray(self.V)
            buf = None  # one block of A, reused (fresh 32 MB arrays cost page faults on every block)
            for rows in self._rows(max(self.p, k * K)):  # A = X̃V one block of rows at a time, never stored
                size = rows.stop - rows.start
                if buf is None:
                    buf = np.empty((size, self.p))
                A = buf[:size]
                if self.sparse:
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
                looe = (self.Yt[rows, :, None] - fitted) / (1.0 - h)[:, None, :]
                total += np.einsum("ijk,ijk->jk", looe, looe)
            return total / self.n
        # gram: with S = α/(λ + α), α·c = U(S∘b) and α·diag(G⁻¹) minus the
        # intercept's s/Σs is (U∘U)S (U spans the complement of √s).
        m = self.lam.shape[0]
        S = alphas[None, :] / (self.lam[:, None] + alphas[None, :])  # (m, K)
        Sb = (self.b[:, :, None] * S[:, None, :]).reshape(m, k * K)
        for rows in self._rows(max(m, k * K)):
            Ub = self._basis_rows(rows)
            looe = (Ub @ Sb).reshape(-1, k, K) / (np.square(Ub) @ S)[:, None, :]
            total += np.einsum("ijk,ijk->jk", looe, looe)
        return total / self.n

    def coefs(self, alphas):
        """Coefficients (p, n_targets) and intercepts (n_targets,), target ``j`` at ``alphas[j]``."""
        alphas = np.asarray(alphas, dtype=np.float64)
        D = 1.0 / (self.lam[:, None] + alphas[None, :])  # (m, k)
        if self.mode == "cov":
            W = self.V @ (D * self.b)
        else:
            C = self._basis_dot(D * self.b)  # c = (X̃X̃ᵀ + αI)⁻¹Ỹ, and W = X̃ᵀc
            DC = C * self.d[:, None]
            W = np.asarray(self.X.T @ DC, dtype=np.float64)
            if self.fit_intercept:
                W -= np.outer(self.mean, DC.sum(axis=0))
        intercepts = self.y_mean - self.mean @ W if self.fit_intercept else np.zeros(W.shape[1])
        return W, intercepts


def _r2(Y, pred, weights):
    """scikit-learn's ``r2_score`` (weighted; the mean over targets; 1 or 0 for a constant target)."""
    if weights is None:
        ss_res = np.sum((Y - pred) ** 2, axis=0)
        ss_tot = np.sum((Y - Y.mean(axis=0)) ** 2, axis=0)
    else:
        w = weights[:, None]
        ss_res = np.sum(w * (Y - pred) ** 2, axis=0)
        ss_tot = np.sum(w * (Y - np.average(Y, axis=0, weights=weights)) ** 2, axis=0)
    ok = ss_tot != 0
    scores = np.where(ss_res == 0, 1.0, 0.0)
    scores[ok] = 1.0 - ss_res[ok] / ss_tot[ok]
    return float(np.mean(scores))


@register
class RidgeCV(_LinearModel):
    """Ridge with α chosen by efficient leave-one-out or k-fold CV, scikit-learn's ``RidgeCV``.

    ``cv=None`` (the default): leave-one-out errors for all α and all targets
    from one eigendecomposition — of ``X̃ᵀX̃`` (p × p) when ``n > p``, of
    ``X̃X̃ᵀ`` (n × n) otherwise, ``X̃`` the centered (weighted: rows scaled by
    ``√s``) data — with the intercept's leverage; ``best_score_`` is minus the
    mean squared LOO error, as scikit-learn's (with ``sample_weight``, the
    errors are scaled by ``√s``, as scikit-learn's: the mean of
    ``sᵢ·eᵢ²`` over all ``n`` rows). ``cv=k`` (or a splitter): each training
    fold is eigendecomposed once for all α and scored by R² on its test rows
    (weighted by the test rows' ``sample_weight``, as scikit-learn's
    ``GridSearchCV`` does); ``best_score_`` is the mean R² over folds. Then
    :class:`fastreg.Ridge` is refitted on all rows at ``alpha_``. Ties go
    to the first α in the order given.

    Parameters
    ----------
    alphas : array-like of float > 0, default=(0.1, 1.0, 10.0)
    fit_intercept : bool, default=True
    cv : None, int, cross-validation generator or iterable, default=None
    gcv_mode : {"auto", "cov", "gram"}, default="auto"
        Which matrix to eigendecompose (``"auto"``: ``"gram"`` if ``n ≤ p``).
    alpha_per_target : bool, default=False
        With 2-D ``y`` and ``cv=None``: choose α for each target separately
        (``alpha_`` and ``best_score_`` then have one value per target),
        still from the one eigendecomposition. Incompatible with ``cv``.
    verbose : bool, default=False
        Progress bar over the folds (``cv`` given) on stderr.

    Attributes
    ----------
    alpha_ : float or ndarray of shape (n_targets,)
        An array with ``alpha_per_target`` and several targets.
    best_score_ : float or ndarray of shape (n_targets,)
        As ``alpha_`` (and, as scikit-learn's, an array of one value for a
        one-column ``y`` with ``alpha_per_target``).
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
    intercept_ : float or ndarray of shape (n_targets,)
    n_features_in_ : int
    """

    def __init__(
        self, alphas=(0.1, 1.0, 10.0), *, fit_intercept=True, scoring=None, cv=None, gcv_mode=None,
        store_cv_results=False, alpha_per_target=False, verbose=False,
    ):
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.scoring = scoring
        self.store_cv_results = store_cv_results
        self.cv = cv
        self.gcv_mode = gcv_mode
        self.alpha_per_target = alpha_per_target
        self.verbose = verbose

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
        alphas = np.atleast_1d(np.asarray(self.alphas, dtype=np.float64)).ravel()
        if alphas.size == 0:
            raise ValueError("alphas must contain at least one value")
        for k, a in enumerate(alphas):
            check_scalar(float(a), f"alphas[{k}]", include_low=self.cv is not None)
        if self.gcv_mode not in (None, "auto", "cov", "gram"):
            raise ValueError(f"gcv_mode must be 'auto', 'cov' or 'gram', got {self.gcv_mode!r}")
        per_target = check_bool(self.alpha_per_target, "alpha_per_target")
        fit_intercept = check_bool(self.fit_intercept, "fit_intercept")
        if per_target and self.cv is not None:
            raise ValueError("cv!=None and alpha_per_target=True are incompatible")
        X, y, sw = self._validate_fit_data(X, y, "csr", sample_weight, expand_scalar=True)
        Y = y[:, None] if y.ndim == 1 else y
        if self.cv is None:
            eig = _RidgeEigen(X, Y, fit_intercept, self.gcv_mode or "auto", sw)
            scores = -eig.loo_mse(alphas)  # (n_targets, n_alphas)
            if per_target and y.ndim == 2 and Y.shape[1] > 1:
                best = np.argmax(scores, axis=1)  # first of ties, as scikit-learn
                self.alpha_ = alphas[best]
                self.best_score_ = scores[np.arange(Y.shape[1]), best]
            else:
                mean = scores.mean(axis=0)
                best = int(np.argmax(mean))
                self.alpha_ = float(alphas[best])
                # scikit-learn: per-target scores of a one-column y stay an array
                self.best_score_ = scores[:, best] if per_target and y.ndim == 2 else float(mean[best])
            W, b = eig.coefs(np.broadcast_to(self.alpha_, (Y.shape[1],)))
            self._set_coef(X, W.T if y.ndim == 2 else W[:, 0], b if y.ndim == 2 else b[0])
            return self
        folds = list(check_cv(self.cv).split(X, y))
        _check_fold_weights(sw, folds)
        scores = np.empty((len(folds), alphas.shape[0]))
        with progress(len(folds), "RidgeCV", self.verbose) as bar:
            for k, (train, test) in enumerate(folds):
                eig = _RidgeEigen(X[train], Y[train], fit_intercept, self.gcv_mode or "auto", None if sw is None else sw[train])
                X_test, Y_test = X[test], Y[test]
                sw_test = None if sw is None else sw[test]
                for a, alpha in enumerate(alphas):
                    W, b = eig.coefs(np.full(Y.shape[1], alpha))
                    scores[k, a] = _r2(Y_test, np.asarray(X_test @ W) + b, sw_test)
                bar.update()
        mean = scores.mean(axis=0)
        best = int(np.argmax(mean))
        self.alpha_ = float(alphas[best])
        self.best_score_ = float(mean[best])
        model = Ridge(alpha=self.alpha_, fit_intercept=fit_intercept).fit(X, y, sample_weight=sw)
        self.coef_, self.intercept_ = model.coef_, model.intercept_
        return self
