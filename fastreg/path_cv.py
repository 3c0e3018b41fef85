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

glmnet's ``cv.glmnet`` adds the one-standard-error rule (:func:`cv_mean_se`,
:func:`choose_alpha`): ``alpha_rule="1se"``, the attributes ``alpha_min_``,
``alpha_1se_``, ``mse_mean_``, ``mse_se_``; ``standardize`` (the scales of
each fold's training rows, as glmnet, which standardizes inside every fold);
and ``relax=True``, which chooses α and the relaxed lasso's γ together.
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
from ._policy import path_uses_gram
from ._relax import blend, glmnet_max_support, relaxed_path
from .linear_model import ElasticNet, LinearModel, check_relax, checked_scales, relax_fit
from .path import PathEngine, check_alphas, check_grid_params, geometric_grid, run_path_unlimited
from .penalty import make_penalty
from .persistence import register
from .solvers.gram import FoldGrams, gram_enet

__all__ = ["LassoCV", "ElasticNetCV", "cv_mean_se", "choose_alpha"]

_ALPHA_RULES = ("min", "1se")


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


def cv_mean_se(errors, fold_weights=None):
    """The mean CV error and its standard error at each candidate, as ``cv.glmnet`` (``cvm``, ``cvsd``).

    ``cvm = Σₖ Wₖeₖ/ΣW``, the fold errors ``eₖ`` averaged with the folds'
    total weights ``Wₖ`` (their sizes without sample weights), and
    ``cvsd = √(Σₖ Wₖ(eₖ − cvm)²/ΣW / (K − 1))``, their weighted spread over
    ``K − 1`` (``K`` folds; NaN for one fold).

    Parameters
    ----------
    errors : ndarray of shape (..., n_folds)
    fold_weights : ndarray of shape (n_folds,) or None (equal weights)

    Returns
    -------
    mean, se : ndarrays of shape (...)
    """
    errors = np.asarray(errors, dtype=np.float64)
    k = errors.shape[-1]
    w = np.ones(k) if fold_weights is None else np.asarray(fold_weights, dtype=np.float64)
    w = w / w.sum()
    mean = errors @ w
    spread = ((errors - mean[..., None]) ** 2) @ w
    se = np.sqrt(spread / (k - 1)) if k > 1 else np.full_like(mean, np.nan)
    return mean, se


def choose_alpha(alphas, mean, se, gammas=None):
    """glmnet's choices: the smallest mean error, and the one-standard-error rule (``getOptcv``).

    The minimum is the smallest ``mean`` (ties: the largest α, then the
    largest γ); the one-standard-error choice is the largest α (then the
    largest γ) whose ``mean`` is at most ``mean + se`` at the minimum
    (the minimum itself when ``se`` is NaN).

    Parameters
    ----------
    alphas : ndarray of shape (n_alphas,)
    mean, se : ndarrays of shape (n_alphas,), or (n_gammas, n_alphas) with ``gammas``
    gammas : ndarray of shape (n_gammas,) or None

    Returns
    -------
    best, one_se : tuple of int
        ``(i_alpha,)``, or ``(i_gamma, i_alpha)`` with ``gammas``: indices into ``mean``.
    """
    mean = np.asarray(mean, dtype=np.float64)
    se = np.asarray(se, dtype=np.float64)
    shape = mean.shape
    a = np.broadcast_to(np.asarray(alphas, dtype=np.float64), shape).ravel()
    g = np.zeros(mean.size) if gammas is None else np.broadcast_to(np.asarray(gammas, dtype=np.float64)[:, None],
                                                                    shape).ravel()
    flat_mean, flat_se = mean.ravel(), se.ravel()

    def largest(candidates):  # the largest α among the candidates, then the largest γ, then the first
        idx = np.flatnonzero(candidates)
        order = np.lexsort((idx, -g[idx], -a[idx]))
        return int(idx[order[0]])

    finite = np.isfinite(flat_mean)
    best = largest(flat_mean == np.min(flat_mean[finite])) if np.any(finite) else 0
    bound = flat_mean[best] + flat_se[best]
    one_se = largest(flat_mean <= bound) if np.isfinite(bound) else best
    return np.unravel_index(best, shape), np.unravel_index(one_se, shape)


def _check_gammas(gammas):
    """The relaxed lasso's γ values to search: a non-empty sequence of reals in [0, 1], sorted, distinct."""
    if isinstance(gammas, (str, bytes)) or np.ndim(gammas) != 1 or len(gammas) == 0:
        raise ValueError(f"gammas must be a non-empty sequence of floats in [0, 1], got {gammas!r}")
    return np.unique([check_relax(g, "gammas") for g in gammas])


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
        fit_intercept = check_bool(self.fit_intercept, "fit_intercept")
        standardize = check_bool(self.standardize, "standardize")
        relax = check_bool(self.relax, "relax")
        gammas = _check_gammas(self.gammas) if relax else None
        if not isinstance(self.alpha_rule, str) or self.alpha_rule not in _ALPHA_RULES:
            raise ValueError(f"alpha_rule must be 'min' or '1se', got {self.alpha_rule!r}")
        check_bool(self.copy_X, "copy_X")
        selection = check_selection(self.selection)
        seed = -1 if selection == "cyclic" else int(check_random_state(self.random_state).randint(2**31 - 1))
        if not (isinstance(self.alphas, numbers.Integral) and not isinstance(self.alphas, bool)):
            check_alphas(self.alphas)  # before the data: scikit-learn's errors for bad values
        X, y, sw = self._validate_fit_data(X, y, "csr", sample_weight)
        self._warn_if_streamed(X, sw, "cross-validation forms each fold's problem in memory")
        penalty_params = check_penalty_params(X.shape[1], self.penalty_factor, self.lower_bounds, self.upper_bounds)

        def make_fold_penalty(rows_X, rows_sw):  # glmnet standardizes with the scales of the rows it fits
            scale = checked_scales(rows_X, rows_sw, self) if standardize else None
            return make_penalty(rows_X.shape[1], **penalty_params, positive=positive, scale=scale)

        penalty = make_fold_penalty(X, sw)
        if y.ndim == 2 and y.shape[1] == 1:
            y = y[:, 0]  # scikit-learn's LassoCV reads a column as 1-D (coef_ (p,), intercept_ a float)
        n, p = X.shape
        n_targets = 1 if y.ndim == 1 else y.shape[1]

        # ---- α grids, on the full data (scikit-learn's _alpha_grid, weighted)
        n_alphas = self.n_alphas if self.n_alphas is not None else self.alphas
        auto_grid = _is_int(n_alphas)
        cv = check_cv(self.cv)
        folds = list(cv.split(X, y, **(routed.splitter.split if routed is not None else {})))
        check_fold_weights(sw, folds)
        use_gram = self._use_gram(X, fit_intercept, sw, min(len(train) for train, _ in folds))
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
            sw_train = None if sw is None else sw[train]
            X_train = X_rows[train] if (problems is None or standardize or relax) else None
            fold_penalty = make_fold_penalty(X_train, sw_train) if standardize else penalty
            if problems is not None:
                engine = PathEngine.from_grams(problems[k], p)
            else:
                engine = PathEngine(X_train, y[train], fit_intercept, False, sw_train)
            X_test, Y_test = X_rows[test], Y[test]
            sw_test = None if sw is None else sw[test]
            out = np.empty((len(l1_ratios), grids.shape[1]))
            out_relaxed = np.empty((len(l1_ratios), 0 if gammas is None else gammas.shape[0], grids.shape[1]))
            for r, ratio in enumerate(l1_ratios):
                per_target, per_target_relaxed = [], []
                for j in range(n_targets):
                    coefs, intercepts, _, _, unconverged = run_path_unlimited(
                        engine, grids[r], ratio, tol, max_iter, fold_penalty, None, bar, target=j, seed=seed
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
                    if gammas is not None:  # cv.glmnet(relax=TRUE): the relaxed fits of the fold's path
                        relaxed, relaxed_b = relaxed_path(
                            X_train, Y[train, j], coefs, intercepts, fit_intercept=fit_intercept,
                            sample_weight=sw_train, lower=fold_penalty.pen[2], upper=fold_penalty.pen[3],
                            max_support=glmnet_max_support(len(train)),
                            gram=None if problems is None else problems[k][j],
                        )
                        pred_relaxed = np.asarray(X_test @ relaxed) + relaxed_b
                        per_target_relaxed.append([
                            _weighted_mse(blend(g, pred, pred_relaxed) - Y_test[:, j : j + 1], sw_test)
                            for g in gammas
                        ])
                out[r] = np.mean(per_target, axis=0)
                if gammas is not None:
                    out_relaxed[r] = np.mean(per_target_relaxed, axis=0)
            return out, out_relaxed

        total = len(folds) * len(l1_ratios) * grids.shape[1] * n_targets
        with progress(total, type(self).__name__, self.verbose) as bar, blas_threads(1):
            if n_jobs == 1:
                results = [run_fold(k, bar) for k in range(len(folds))]
            else:
                results = Parallel(n_jobs=n_jobs, prefer="threads")(
                    delayed(run_fold)(k, bar) for k in range(len(folds))
                )
        mse = np.stack([m for m, _ in results], axis=-1)  # (n_l1, n_alphas, n_folds)
        fold_weights = np.array([len(test) if sw is None else float(sw[test].sum()) for _, test in folds])
        self._choose(l1_ratios, grids, mse, fold_weights, gammas,
                     None if gammas is None else np.stack([m for _, m in results], axis=-1))
        self.mse_path_ = np.squeeze(mse)
        self.alphas_ = grids[0] if (len(l1_ratios) == 1 or not auto_grid) else grids

        # ---- refit on all rows
        gamma = self.gamma_ if relax else None
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
            coef, intercept = (coef[0], intercept[0]) if y.ndim == 1 else (np.array(coef), np.array(intercept))
            if gamma is not None and gamma < 1.0:
                coef, intercept = relax_fit(X, y, coef, intercept, gamma, penalty, fit_intercept, sw)
            self._set_coef(X, coef, intercept)
            if y.ndim == 1:
                self.dual_gap_, self.n_iter_ = gap[0], n_iter[0]
            else:
                self.dual_gap_, self.n_iter_ = np.array(gap), list(n_iter)
        else:
            model = ElasticNet(
                alpha=self.alpha_, l1_ratio=self.l1_ratio_, fit_intercept=fit_intercept, tol=tol,
                max_iter=max_iter, positive=positive, selection=selection, random_state=seed if seed >= 0 else None,
                precompute=False if self.precompute is False else "auto", penalty_factor=self.penalty_factor,
                lower_bounds=self.lower_bounds, upper_bounds=self.upper_bounds, standardize=standardize,
                relax=gamma,
            ).fit(X, y, sample_weight=sw)
            self.coef_, self.intercept_ = model.coef_, model.intercept_
            self.dual_gap_, self.n_iter_ = model.dual_gap_, model.n_iter_
        return self

    def _choose(self, l1_ratios, grids, mse, fold_weights, gammas, relaxed_mse):
        """``alpha_`` (``l1_ratio_``, ``gamma_``) by ``alpha_rule``; glmnet's ``alpha_min_``, ``alpha_1se_``.

        ``mse``: (n_l1, n_alphas, n_folds); ``relaxed_mse``: (n_l1, n_gammas,
        n_alphas, n_folds) or None. ``"min"``: the smallest mean over the
        folds, counted equally (scikit-learn's rule; with several ``l1_ratio``
        the first of equal ones). glmnet's quantities weigh the folds by
        their total weight (:func:`cv_mean_se`) and are taken on the curve of
        the ``l1_ratio`` with the smallest weighted mean.
        """
        candidates = mse if relaxed_mse is None else relaxed_mse
        mean, se = cv_mean_se(candidates, fold_weights)
        plain_mean = candidates.mean(axis=-1)
        r_glmnet = int(np.argmin([np.min(m) for m in mean]))
        best, one_se = choose_alpha(grids[r_glmnet], mean[r_glmnet], se[r_glmnet], gammas)
        self.alpha_min_ = float(grids[r_glmnet][best[-1]])
        self.alpha_1se_ = float(grids[r_glmnet][one_se[-1]])
        self.mse_mean_, self.mse_se_ = (np.squeeze(v) for v in cv_mean_se(mse, fold_weights))
        relaxed_names = ("gamma_", "gamma_min_", "gamma_1se_", "gammas_", "relaxed_mse_path_", "relaxed_mse_mean_",
                         "relaxed_mse_se_")
        if gammas is not None:
            self.gamma_min_, self.gamma_1se_ = float(gammas[best[0]]), float(gammas[one_se[0]])
            self.gammas_ = gammas
            self.relaxed_mse_path_ = np.squeeze(relaxed_mse, axis=0) if len(l1_ratios) == 1 else relaxed_mse
            self.relaxed_mse_mean_, self.relaxed_mse_se_ = (
                (np.squeeze(v, axis=0) if len(l1_ratios) == 1 else v) for v in (mean, se)
            )
        else:
            for name in relaxed_names:
                self.__dict__.pop(name, None)
        if self.alpha_rule == "1se":
            self.alpha_, self.l1_ratio_ = self.alpha_1se_, l1_ratios[r_glmnet]
            if gammas is not None:
                self.gamma_ = self.gamma_1se_
            return
        top = None
        for r, ratio in enumerate(l1_ratios):
            index = choose_alpha(grids[r], plain_mean[r], np.full_like(plain_mean[r], np.nan), gammas)[0]
            if top is None or plain_mean[r][index] < top[0]:
                top = (plain_mean[r][index], float(grids[r][index[-1]]), ratio, index)
        _, self.alpha_, self.l1_ratio_, index = top
        if gammas is not None:
            self.gamma_ = float(gammas[index[0]])

    def _use_gram(self, X, fit_intercept, sample_weight, n_fit):
        if self.precompute == "auto":
            return path_uses_gram(X, fit_intercept, sample_weight, n_fit=n_fit)
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
    standardize : bool, default=False
        glmnet's ``standardize=TRUE`` (see :class:`fastreg.ElasticNet`): the
        grid and the refit use the scales of all rows, each fold those of its
        training rows, as ``cv.glmnet`` (which standardizes in every fold).
    alpha_rule : {"min", "1se"}, default="min"
        Which α becomes ``alpha_`` (the ``s="lambda.min"`` /
        ``s="lambda.1se"`` of glmnet; named so because scikit-learn's
        ``selection`` is the coordinate order). ``"min"``: the smallest mean
        test MSE, the folds counted equally, as scikit-learn. ``"1se"``:
        ``alpha_1se_``, glmnet's one-standard-error rule.
    relax : bool, default=False
        Cross-validate the relaxed lasso too, as ``cv.glmnet(relax=TRUE)``:
        in every fold, at every α, the least-squares fit on that α's support
        (see :class:`fastreg.LassoPath`), blended at each of ``gammas``;
        ``alpha_`` and ``gamma_`` are chosen together and the refit is
        ``ElasticNet(relax=gamma_)``.
    gammas : sequence of float in [0, 1], default=(0, 0.25, 0.5, 0.75, 1)
        The γ values of ``relax=True`` (glmnet's ``gamma``).

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
    mse_mean_, mse_se_ : ndarray of shape (n_alphas,) or (n_l1_ratio, n_alphas)
        ``cv.glmnet``'s ``cvm`` and ``cvsd``: the mean of the fold MSEs with
        the folds' total weights (their sizes, or sums of ``sample_weight``)
        as weights, and its standard error, ``√(weighted mean of the squared
        deviations / (K − 1))`` over ``K`` folds (:func:`cv_mean_se`).
    alpha_min_ : float
        glmnet's ``lambda.min``: the α of the smallest ``mse_mean_`` (ties:
        the largest α). It is ``alpha_`` (of ``alpha_rule="min"``) whenever
        the folds have equal weights; scikit-learn's mean counts folds
        equally, glmnet's by weight. With several ``l1_ratio``, on the curve
        of the one with the smallest weighted mean (so is ``alpha_1se_``).
    alpha_1se_ : float
        glmnet's ``lambda.1se``: the largest α whose ``mse_mean_`` is within
        ``mse_se_`` (at ``alpha_min_``) of the minimum (:func:`choose_alpha`).
    gamma_, gamma_min_, gamma_1se_ : float
        Only with ``relax=True``: the chosen γ, and glmnet's
        ``relaxed$gamma.min``/``gamma.1se``. ``alpha_min_``/``alpha_1se_``
        are then the relaxed choices (``relaxed$lambda.min``/``lambda.1se``):
        the pair (α, γ) of the smallest mean, ties to the largest α, then the
        largest γ; the one-standard-error pair likewise.
    gammas_ : ndarray of shape (n_gammas,)
        Only with ``relax=True``: the γ values, sorted.
    relaxed_mse_path_ : ndarray of shape (n_gammas, n_alphas, n_folds)
        Only with ``relax=True`` (with several ``l1_ratio`` a leading axis):
        the test MSE of each γ; ``relaxed_mse_mean_``, ``relaxed_mse_se_``
        (shape ``(n_gammas, n_alphas)``) are its glmnet statistics.
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
        standardize=False,
        alpha_rule="min",
        relax=False,
        gammas=(0.0, 0.25, 0.5, 0.75, 1.0),
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
        self.standardize = standardize
        self.alpha_rule = alpha_rule
        self.relax = relax
        self.gammas = gammas

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
        standardize=False,
        alpha_rule="min",
        relax=False,
        gammas=(0.0, 0.25, 0.5, 0.75, 1.0),
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
        self.standardize = standardize
        self.alpha_rule = alpha_rule
        self.relax = relax
        self.gammas = gammas

    def _l1_ratios(self):
        return [1.0]

    def fit(self, X, y, sample_weight=None, **params):
        super().fit(X, y, sample_weight, **params)
        del self.l1_ratio_
        return self

    fit.__doc__ = _PathCV.fit.__doc__
