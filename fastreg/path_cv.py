"""LassoCV and ElasticNetCV: the path on every fold, α (and ρ) by mean test error, refit.

They follow scikit-learn's ``LinearModelCV``: the α grid is computed on the
full data (``_alpha_grid``, weighted when ``sample_weight`` is given), the
folds come from ``check_cv(cv)`` (5-fold ``KFold`` without shuffling by
default), each fold fits the whole path on its training rows (with their
weights) and scores the (weighted) mean squared error on its test rows,
``alpha_`` minimizes the mean over folds, and the model is refitted on all
rows at ``alpha_``. For ``n ≥ p`` the Gram of every fold is derived from the
full-data Gram (:class:`fastreg.solvers.gram.FoldGrams`). A 2-D ``y`` (which
scikit-learn refuses here, pointing to ``MultiTaskLassoCV``) is fitted as
independent targets sharing one α: the one of the smallest test MSE averaged
over folds and targets.
"""

import numbers
import os
import warnings

import numba
import numpy as np
import scipy.sparse as sp
from joblib import Parallel, delayed, effective_n_jobs
from sklearn import get_config
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import check_cv
from sklearn.utils import check_random_state
from sklearn.utils.metadata_routing import MetadataRouter, MethodMapping, process_routing

from ._preprocess import centered_xty
from ._progress import progress
from ._threads import blas_threads
from ._validation import (
    check_bool,
    check_finite_result,
    check_fold_weights,
    check_l1_ratio,
    check_penalty_params,
    check_scalar,
    check_selection,
)
from .linear_model import ElasticNet, LinearModel
from ._policy import path_uses_gram
from .path import PathEngine, check_alphas, check_grid_params, geometric_grid, run_path_unlimited
from .penalty import make_penalty
from .persistence import register
from .solvers.gram import FoldGrams, gram_enet

__all__ = ["LassoCV", "ElasticNetCV"]


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


def _weighted_mse(residuals, weights):
    """Mean of ``residuals**2`` over rows (axis 0), weighted as ``np.average`` when ``weights`` is given."""
    squares = residuals**2
    if weights is None:
        return squares.mean(axis=0)
    return np.average(squares, axis=0, weights=weights)


class _PathCV(LinearModel):
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
            check_alphas(self.alphas)  # before the data: scikit-learn's errors for bad values
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
        check_fold_weights(sw, folds)
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
                ratio, eps, k = check_grid_params(ratio, self.eps, n_alphas)
                grids.append(geometric_grid(penalty.alpha_max(q, total, ratio, cross_gram), eps, k))
            grids = np.array(grids)
        else:
            grids = np.tile(check_alphas(self.alphas), (len(l1_ratios), 1))

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
                engine = PathEngine.from_grams(problems[k], p)
            else:
                engine = PathEngine(X_rows[train], y[train], fit_intercept, False, None if sw is None else sw[train])
            X_test, Y_test = X_rows[test], Y[test]
            sw_test = None if sw is None else sw[test]
            out = np.empty((len(l1_ratios), grids.shape[1]))
            for r, ratio in enumerate(l1_ratios):
                per_target = []
                for j in range(n_targets):
                    coefs, intercepts, _, _, unconverged = run_path_unlimited(
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
            return path_uses_gram(X, fit_intercept, sample_weight)
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
        return [check_l1_ratio(r) for r in ratios]


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
