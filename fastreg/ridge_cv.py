"""RidgeCV: α chosen by efficient leave-one-out (one decomposition for every α) or by K-fold CV."""

import inspect
import math
import numbers
import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.metrics import check_scoring, get_scorer_names
from sklearn.model_selection import check_cv
from sklearn.utils import check_scalar as sklearn_check_scalar

from ._progress import progress
from ._validation import check_bool, check_fold_weights, check_penalty_params
from .linear_model import LinearModel, Ridge
from .persistence import register
from .solvers.loo import RidgeEigen

__all__ = ["RidgeCV"]


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
class RidgeCV(LinearModel):
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
        self._warn_if_streamed(X, sw, "cross-validation forms each fold's problem in memory")
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
        eig = RidgeEigen(X, Y, fit_intercept, self._mode(X), sw)
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
        check_fold_weights(sw, folds)
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
                eig = RidgeEigen(X[train], Y[train], fit_intercept, fold_mode, None if sw is None else sw[train])
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
