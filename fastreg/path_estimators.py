"""LassoPath and ElasticNetPath: the whole regularization path as one fitted object, glmnet's workflow.

``fit`` computes the path once (:func:`fastreg.path.solve_path`, the engine
of :func:`fastreg.fit_path`); after it, coefficients and predictions at any
α come from the stored path (linear interpolation in α between grid points,
as glmnet's ``coef(fit, s=, exact=FALSE)``) or from one warm-started refit on
the prepared data the object keeps (``exact=True``). ``relax=True`` adds the
relaxed fits (:mod:`fastreg._relax`) of every α, blended at any ``gamma``.
"""

import numbers

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ._relax import blend, relaxed_path, support_lstsq
from ._threads import blas_threads
from ._validation import (
    check_bool,
    check_l1_ratio,
    check_penalty_params,
    check_sample_weight,
    check_scalar,
    check_selection,
    validate_fit_data,
    validate_predict_data,
    validate_xy,
)
from .linear_model import check_relax, checked_scales
from .path import PathEngine, solve_path
from .penalty import make_penalty

__all__ = ["ElasticNetPath", "LassoPath"]

# exact=True refits one α to this duality-gap tolerance (or the path's, if tighter): the single
# estimators' default is 1e-9; a refit from a neighbouring grid point costs a few epochs more.
_EXACT_TOL = 1e-12


class ElasticNetPath(BaseEstimator):
    """The ElasticNet regularization path as a fitted object, glmnet's ``glmnet()`` fit.

    For each α of a decreasing grid, the minimizer of
    ``(1/(2Σs)) Σ sᵢ(yᵢ − xᵢw − b)² + αρΣⱼfⱼ|wⱼ| + (α(1 − ρ)/2)Σⱼfⱼwⱼ²``
    (ρ = ``l1_ratio``; :class:`fastreg.ElasticNet`'s objective, with its
    penalty factors ``f``, bounds and ``standardize``), each warm-started from
    the previous one, as :func:`fastreg.fit_path`, at the same cost. Then
    :meth:`coef` and :meth:`predict` give the model at any α (and, with
    ``relax=True``, any ``gamma``) and :meth:`plot` draws the path.

    Parameters
    ----------
    l1_ratio : float in [0, 1], default=0.5
        ``l1_ratio=0`` needs explicit ``alphas``.
    alphas : int or array-like, default=100
        An int: that many α from ``αmax`` (the smallest α with every penalized
        coefficient zero) down to ``eps·αmax``, geometrically (glmnet's
        ``nlambda``). An array: those α (glmnet's ``lambda``), sorted
        decreasing.
    eps : float > 0, default=1e-3
        ``α_min/αmax`` of the automatic grid (glmnet's ``lambda.min.ratio``,
        whose default is 1e-4 for ``n > p`` and 0.01 otherwise).
    fit_intercept : bool, default=True
    standardize : bool, default=False
        glmnet's ``standardize=TRUE`` (its default): the penalty of the
        columns scaled to unit (weighted, ``1/n``) standard deviation;
        coefficients and bounds on the original scale; constant columns get
        coefficient 0. See :class:`fastreg.ElasticNet`.
    precompute : {"auto", True, False}, default="auto"
        The path's engine: the Gram matrix (True) or the residual (False);
        ``"auto"`` as :func:`fastreg.fit_path`.
    max_iter : int >= 1, default=10000
        Maximum epochs per α.
    tol : float >= 0, default=1e-6
        Duality-gap tolerance per α, as :func:`fastreg.fit_path` (within
        about 1e-9 relative objective of each optimum).
    positive : bool, default=False
        Non-negative coefficients (``lower_bounds=0``).
    penalty_factor : array of shape (n_features,) or None, default=None
        glmnet's ``penalty.factor``, as :class:`fastreg.ElasticNet`'s (not
        rescaled: glmnet rescales it to sum to ``n_features``).
    lower_bounds, upper_bounds : float, array of shape (n_features,) or None, default=None
        glmnet's ``lower.limits``/``upper.limits``.
    relax : bool, default=False
        Also fit the relaxed path (glmnet's ``relax=TRUE``): at each α the
        unpenalized least-squares fit on that α's support (within the
        bounds), so that :meth:`coef`, :meth:`predict` and :meth:`plot`
        take ``gamma``. As glmnet, a support of more than ``n_samples − 3``
        features gets no least-squares fit of its own: those α take the one
        of the last α with a smaller support.
    selection : {"cyclic", "random"}, default="cyclic"
        Coordinate order within an epoch (same optimum).
    random_state : int, RandomState instance or None, default=None
        Seeds ``selection="random"``.
    verbose : bool, default=False
        A progress bar over the α grid on stderr.

    Attributes
    ----------
    alphas_ : ndarray of shape (n_alphas,)
        The grid, decreasing (glmnet's ``lambda``).
    coef_path_ : ndarray of shape (n_features, n_alphas)
        Coefficients, on the original scale (glmnet's ``beta``).
    intercept_path_ : ndarray of shape (n_alphas,)
        Intercepts (glmnet's ``a0``), zeros without ``fit_intercept``.
    df_ : ndarray of shape (n_alphas,), int
        Non-zero coefficients at each α (glmnet's ``df``).
    dev_ratio_ : ndarray of shape (n_alphas,)
        Fraction of the (weighted) deviance explained, ``1 − RSS/RSS₀``
        (glmnet's ``dev.ratio``, its printed ``%Dev`` over 100); ``RSS₀``
        is the intercept-only model's (``Σsᵢyᵢ²`` without an intercept).
    n_iter_ : ndarray of shape (n_alphas,), int
        Epochs at each α.
    dual_gaps_ : ndarray of shape (n_alphas,)
        Duality gaps divided by ``n_samples`` (scikit-learn's ``dual_gap_``).
    relaxed_coef_path_ : ndarray of shape (n_features, n_alphas)
        Only with ``relax=True``: the relaxed fits (``gamma=0``).
    relaxed_intercept_path_ : ndarray of shape (n_alphas,)
        Only with ``relax=True``.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when fitted on a DataFrame with string column names.

    Notes
    -----
    The fitted object keeps the prepared data of its engine (the Gram
    matrix, or a reference to ``X`` or its centered copy) and ``y`` for
    ``coef(..., exact=True)``; they are not pickled (an unpickled path
    refits exactly only when given ``X`` and ``y`` again).

    Examples
    --------
    >>> import numpy as np, fastreg
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((100, 20)); y = X[:, 0] - 2 * X[:, 1] + 0.1 * rng.standard_normal(100)
    >>> path = fastreg.ElasticNetPath(l1_ratio=0.5, alphas=50).fit(X, y)
    >>> path.coef_path_.shape, int(path.df_[0])
    ((20, 50), 0)
    >>> coef, intercept = path.coef(0.05)            # interpolated between grid points
    >>> coef, intercept = path.coef(0.05, exact=True)  # one refit, to full accuracy
    """

    def __init__(
        self,
        *,
        l1_ratio=0.5,
        alphas=100,
        eps=1e-3,
        fit_intercept=True,
        standardize=False,
        precompute="auto",
        max_iter=10_000,
        tol=1e-6,
        positive=False,
        penalty_factor=None,
        lower_bounds=None,
        upper_bounds=None,
        relax=False,
        selection="cyclic",
        random_state=None,
        verbose=False,
    ):
        self.l1_ratio = l1_ratio
        self.alphas = alphas
        self.eps = eps
        self.fit_intercept = fit_intercept
        self.standardize = standardize
        self.precompute = precompute
        self.max_iter = max_iter
        self.tol = tol
        self.positive = positive
        self.penalty_factor = penalty_factor
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds
        self.relax = relax
        self.selection = selection
        self.random_state = random_state
        self.verbose = verbose

    def _l1_ratio(self):
        return check_l1_ratio(self.l1_ratio)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_prepared", None)  # data, not model: not pickled
        return state

    # ------------------------------------------------------------------ fit

    def fit(self, X, y, sample_weight=None):
        """Fit the whole path, warm-started from α to α.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
            Dense (any memory order) or sparse (never densified).
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), float or None
            The loss ``(1/(2Σs)) Σ sᵢrᵢ²`` (glmnet's ``weights``, which it
            also normalizes); with ``standardize`` the scales are weighted.

        Returns
        -------
        self
        """
        self._settings = self._check_params()
        X, y, sample_weight = self._prepare(X, y, sample_weight, reset=True)
        s = self._settings
        result, engine = solve_path(
            X, y, l1_ratio=s["l1_ratio"], alphas=self.alphas, eps=self.eps, fit_intercept=s["fit_intercept"],
            sample_weight=sample_weight, tol=s["tol"], max_iter=s["max_iter"], penalty=self._penalty,
            precompute=self.precompute, verbose=bool(self.verbose), seed=s["seed"],
        )
        self._prepared = (engine, X, y, sample_weight)
        self.alphas_ = result.alphas
        self.coef_path_ = result.coefs
        self.intercept_path_ = result.intercepts
        self.dual_gaps_ = result.dual_gaps
        self.n_iter_ = result.n_iters
        self.df_ = np.count_nonzero(result.coefs, axis=0)
        coefs = np.asarray(result.coefs, dtype=np.float64)
        with blas_threads(1):
            rss, null = engine.deviance(coefs)
        self.dev_ratio_ = 1.0 - rss / null if null > 0.0 else np.zeros_like(rss)  # glmnet refuses a constant y
        if s["relax"]:
            lower, upper = self._penalty.pen[2], self._penalty.pen[3]
            with blas_threads(1):  # LAPACK right after numba's parallel kernels: one thread, no contention
                relaxed, relaxed_b = relaxed_path(
                    X, y, coefs, result.intercepts, fit_intercept=s["fit_intercept"], sample_weight=sample_weight,
                    lower=lower, upper=upper, gram=None if engine.grams is None else engine.grams[0],
                )
            self.relaxed_coef_path_ = relaxed.astype(X.dtype, copy=False)
            self.relaxed_intercept_path_ = relaxed_b
        else:
            for name in ("relaxed_coef_path_", "relaxed_intercept_path_"):
                self.__dict__.pop(name, None)
        return self

    def _check_params(self):
        selection = check_selection(self.selection)
        return {
            "l1_ratio": self._l1_ratio(),
            "tol": float(check_scalar(self.tol, "tol")),
            "max_iter": int(check_scalar(self.max_iter, "max_iter", low=1, integer=True)),
            "fit_intercept": check_bool(self.fit_intercept, "fit_intercept"),
            "standardize": check_bool(self.standardize, "standardize"),
            "positive": check_bool(self.positive, "positive"),
            "relax": check_bool(self.relax, "relax"),
            "seed": -1 if selection == "cyclic" else int(check_random_state(self.random_state).randint(2**31 - 1)),
        }

    def _prepare(self, X, y, sample_weight, reset):
        """Validate the data (``reset``: for ``fit``, setting the penalty; else against the fitted model)."""
        if reset:
            X, y = validate_fit_data(self, X, y, "csr")
        else:
            X, y = validate_xy(X, y, "csr")
            if X.shape[1] != self.n_features_in_:
                raise ValueError(f"X has {X.shape[1]} features, but the path was fitted with {self.n_features_in_}")
        sample_weight = check_sample_weight(sample_weight, X)
        if reset:
            s = self._settings
            params = check_penalty_params(X.shape[1], self.penalty_factor, self.lower_bounds, self.upper_bounds)
            scale = checked_scales(X, sample_weight, self) if s["standardize"] else None
            self._penalty = make_penalty(X.shape[1], **params, positive=s["positive"], scale=scale)
        return X, y, sample_weight

    # ------------------------------------------------------------------ the model at any α

    def coef(self, alpha, *, exact=False, gamma=1.0, X=None, y=None, sample_weight=None):
        """Coefficients and intercept at ``alpha`` (glmnet's ``coef(fit, s=alpha, exact=, gamma=)``).

        Parameters
        ----------
        alpha : float or array-like of float >= 0
        exact : bool, default=False
            ``False``: linear interpolation in α between the two neighbouring
            grid points, as glmnet's ``exact=FALSE`` (an α outside the grid
            takes the nearest end: above ``αmax`` that is the right answer, all
            zeros; below the grid's last α it is not). ``True``: one fit at
            exactly ``alpha``, warm-started from the interpolated coefficients,
            to a duality gap of ``min(tol, 1e-12)``: the single
            :class:`fastreg.ElasticNet` fit with the same parameters.
        gamma : float in [0, 1], default=1.0
            The relaxed model ``γ·w + (1 − γ)·w_OLS`` (needs ``relax=True``
            for ``gamma < 1``; ``exact=True`` fits ``w_OLS`` on the support
            of the exact ``w``). As glmnet, γ below ``1e-5`` counts as
            ``1e-5``; ``relaxed_coef_path_`` holds ``w_OLS`` itself.
        X, y, sample_weight : optional
            The training data again, for ``exact=True`` on an unpickled path
            (otherwise the data kept from ``fit`` is used).

        Returns
        -------
        coef : ndarray of shape (n_features,) or (n_features, n_given)
        intercept : float or ndarray of shape (n_given,)
        """
        check_is_fitted(self, "coef_path_")
        alpha, scalar = _check_alpha_values(alpha)
        gamma = self._check_gamma(gamma)
        exact = check_bool(exact, "exact")
        if exact:
            coef, intercept = self._exact(alpha, gamma, X, y, sample_weight)
        else:
            coef, intercept = self._interpolate(alpha, gamma)
        coef = coef.astype(self.coef_path_.dtype, copy=False)
        if scalar:
            return coef[:, 0], float(intercept[0])
        return coef, intercept

    def predict(self, X, alpha=None, *, gamma=1.0, exact=False):
        """Predictions at every α of the path, or at the given ones (glmnet's ``predict(fit, newx, s=)``).

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
        alpha : None, float or array-like of float >= 0, default=None
            ``None``: every α of ``alphas_``; otherwise as :meth:`coef`.
        gamma : float in [0, 1], default=1.0
            The relaxed model (needs ``relax=True`` below 1).
        exact : bool, default=False
            As :meth:`coef` (with ``alpha`` given).

        Returns
        -------
        ndarray of shape (n_samples, n_alphas), or (n_samples,) for one float ``alpha``
        """
        check_is_fitted(self, "coef_path_")
        X = validate_predict_data(self, X)
        if alpha is None:
            gamma = self._check_gamma(gamma)
            coef, intercept = self._blend(gamma, np.arange(self.alphas_.shape[0]))
        else:
            coef, intercept = self.coef(alpha, exact=exact, gamma=gamma)
        out = np.asarray(X @ coef) + intercept
        return out

    def _check_gamma(self, gamma):
        gamma = check_relax(gamma, "gamma")
        if gamma < 1.0 and not hasattr(self, "relaxed_coef_path_"):
            raise ValueError(f"gamma={gamma!r} < 1 needs the relaxed fits: fit the path with relax=True")
        return gamma

    def _blend(self, gamma, columns, weights=None):
        """The (relaxed) path's columns, or ``weights·left + (1 − weights)·right`` of column pairs."""
        coefs = np.asarray(self.coef_path_, dtype=np.float64)
        intercepts = self.intercept_path_
        if gamma < 1.0:
            coefs = blend(gamma, coefs, self.relaxed_coef_path_)
            intercepts = blend(gamma, intercepts, self.relaxed_intercept_path_)
        if weights is None:
            return coefs[:, columns], intercepts[columns]
        left, right = columns
        return (coefs[:, left] * weights + coefs[:, right] * (1.0 - weights),
                intercepts[left] * weights + intercepts[right] * (1.0 - weights))

    def _interpolate(self, alpha, gamma):
        left, right, frac = interpolation_weights(self.alphas_, alpha)
        return self._blend(gamma, (left, right), frac)

    def _exact(self, alpha, gamma, X, y, sample_weight):
        prepared = getattr(self, "_prepared", None)
        if X is not None or y is not None:
            if X is None or y is None:
                raise ValueError("exact=True with data needs both X and y")
            X, y, sample_weight = self._prepare(X, y, sample_weight, reset=False)
            s = self._settings
            prepared = (PathEngine(X, y, s["fit_intercept"], self.precompute, sample_weight), X, y, sample_weight)
        elif prepared is None:
            raise ValueError(
                "exact=True refits on the training data, which an unpickled path does not keep: pass X and y "
                "(and sample_weight) again, or use exact=False"
            )
        engine, X, y, sample_weight = prepared
        s = self._settings
        start, _ = self._interpolate(alpha, 1.0)
        left, _, _ = interpolation_weights(self.alphas_, alpha)
        tol = min(s["tol"], _EXACT_TOL)
        coefs = np.empty((self.coef_path_.shape[0], alpha.shape[0]))
        intercepts = np.empty(alpha.shape[0])
        with blas_threads(1):
            for k, a in enumerate(alpha):
                above = self.alphas_[left[k]]
                w, b, _, _, _ = engine.solve(
                    float(a), s["l1_ratio"], start[:, k].copy(), above if above >= a else None, tol, s["max_iter"],
                    self._penalty, seed=s["seed"],
                )
                coefs[:, k], intercepts[k] = w, b
        if gamma < 1.0:
            lower, upper = self._penalty.pen[2], self._penalty.pen[3]
            for k in range(alpha.shape[0]):
                w, b = support_lstsq(X, y, np.flatnonzero(coefs[:, k]), fit_intercept=s["fit_intercept"],
                                     sample_weight=sample_weight, lower=lower, upper=upper)
                coefs[:, k] = blend(gamma, coefs[:, k], w)
                intercepts[k] = blend(gamma, intercepts[k], b)
        return coefs, intercepts

    # ------------------------------------------------------------------ plot

    def plot(self, xvar="lambda", *, gamma=1.0, ax=None, label=False):
        """Draw the coefficient paths (glmnet's ``plot(fit, xvar=)``); needs matplotlib (``fastreg[plot]``).

        Parameters
        ----------
        xvar : {"lambda", "norm", "dev"}, default="lambda"
            The horizontal axis: ``log10(α)`` (decreasing to the right),
            the L1 norm of the coefficients, or the fraction of deviance
            explained (``dev_ratio_``). The top axis counts the non-zero
            coefficients.
        gamma : float in [0, 1], default=1.0
            The relaxed path (``relax=True``).
        ax : matplotlib Axes or None
            Where to draw (a new figure when None).
        label : bool, default=False
            Name the curves at their ends (``feature_names_in_`` or indices).

        Returns
        -------
        matplotlib.axes.Axes
        """
        check_is_fitted(self, "coef_path_")
        if xvar not in ("lambda", "norm", "dev"):
            raise ValueError(f"xvar must be 'lambda', 'norm' or 'dev', got {xvar!r}")
        gamma = self._check_gamma(gamma)
        try:
            import matplotlib.pyplot as plt
        except ImportError:
            raise ImportError("plot needs matplotlib: pip install 'fastreg[plot]' (or pip install matplotlib)") \
                from None
        coefs, intercepts = self._blend(gamma, np.arange(self.alphas_.shape[0]))
        if ax is None:
            _, ax = plt.subplots(figsize=(7, 4.5))
        x = {"lambda": np.log10(np.maximum(self.alphas_, np.finfo(float).tiny)),
             "norm": np.abs(coefs).sum(axis=0), "dev": self.dev_ratio_}[xvar]
        ax.plot(x, coefs.T, linewidth=1)
        ax.axhline(0.0, color="0.6", linewidth=0.5)
        ax.set_xlabel({"lambda": "log10(alpha)", "norm": "L1 norm", "dev": "fraction of deviance explained"}[xvar])
        ax.set_ylabel("coefficient")
        if xvar == "lambda":
            ax.invert_xaxis()
        top = ax.secondary_xaxis("top")
        ticks = np.unique(np.linspace(0, x.shape[0] - 1, min(6, x.shape[0])).astype(int))
        top.set_ticks(x[ticks])
        top.set_xticklabels([str(int(d)) for d in np.count_nonzero(coefs[:, ticks], axis=0)])
        top.set_xlabel("non-zero coefficients")
        if label:
            names = getattr(self, "feature_names_in_", None)
            names = [str(j) for j in range(coefs.shape[0])] if names is None else [str(v) for v in names]
            for j in np.flatnonzero(coefs[:, -1]):
                ax.annotate(names[j], (x[-1], coefs[j, -1]), fontsize=7, va="center", ha="left")
        return ax


class LassoPath(ElasticNetPath):
    """The Lasso regularization path as a fitted object, glmnet's ``glmnet()`` fit (``alpha=1``).

    :class:`ElasticNetPath` with ``l1_ratio`` fixed at 1: for each α,
    ``(1/(2Σs)) Σ sᵢ(yᵢ − xᵢw − b)² + αΣⱼfⱼ|wⱼ|`` within the bounds, glmnet's
    gaussian lasso at ``λ = α`` (with ``standardize=True`` and
    ``penalty_factor`` summing to ``n_features``, glmnet's conventions, its
    coefficients exactly). Parameters, attributes and methods are those of
    :class:`ElasticNetPath` without ``l1_ratio``.

    Examples
    --------
    >>> import numpy as np, fastreg
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((100, 20)); y = X[:, 0] - 2 * X[:, 1] + 0.1 * rng.standard_normal(100)
    >>> path = fastreg.LassoPath(alphas=50, standardize=True, relax=True).fit(X, y)
    >>> coef, intercept = path.coef(0.1, gamma=0.5)    # the relaxed lasso, half-way
    >>> path.predict(X[:3]).shape                        # every alpha of the path
    (3, 50)
    """

    def __init__(
        self,
        *,
        alphas=100,
        eps=1e-3,
        fit_intercept=True,
        standardize=False,
        precompute="auto",
        max_iter=10_000,
        tol=1e-6,
        positive=False,
        penalty_factor=None,
        lower_bounds=None,
        upper_bounds=None,
        relax=False,
        selection="cyclic",
        random_state=None,
        verbose=False,
    ):
        super().__init__(
            l1_ratio=1.0, alphas=alphas, eps=eps, fit_intercept=fit_intercept, standardize=standardize,
            precompute=precompute, max_iter=max_iter, tol=tol, positive=positive, penalty_factor=penalty_factor,
            lower_bounds=lower_bounds, upper_bounds=upper_bounds, relax=relax, selection=selection,
            random_state=random_state, verbose=verbose,
        )

    def _l1_ratio(self):
        return 1.0


def _check_alpha_values(alpha):
    """``alpha`` as a 1-D float64 array of finite values ``≥ 0``, and whether it was a scalar."""
    if isinstance(alpha, (bool, np.bool_, str, bytes)) or alpha is None:
        raise TypeError(f"alpha must be a float or an array-like of floats, got {alpha!r}")
    scalar = isinstance(alpha, (numbers.Real, np.floating, np.integer)) or np.ndim(alpha) == 0
    try:
        values = np.asarray(alpha, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        raise TypeError(f"alpha must be a float or an array-like of floats, got {alpha!r}") from None
    if values.size == 0:
        raise ValueError("alpha must hold at least one value")
    if not np.all(np.isfinite(values)) or np.any(values < 0):
        raise ValueError(f"alpha must hold finite values >= 0, got {alpha!r}")
    return values, scalar


def interpolation_weights(grid, alpha):
    """glmnet's ``lambda.interp``: for each α, the grid points around it and the weight of the left one.

    ``grid`` is decreasing; ``α`` is clamped into ``[grid[-1], grid[0]]``.
    The model at α is ``frac·model[left] + (1 − frac)·model[right]``, linear
    in α between ``grid[left] ≥ α ≥ grid[right]``.

    Returns
    -------
    left, right : ndarray of int
    frac : ndarray of float
    """
    grid = np.asarray(grid, dtype=np.float64)
    k = grid.shape[0]
    alpha = np.clip(alpha, grid[-1], grid[0])
    if k == 1:
        zeros = np.zeros(alpha.shape[0], dtype=np.intp)
        return zeros, zeros, np.ones(alpha.shape[0])
    # the first index whose grid value is ≤ α (grid decreasing), as the right neighbour
    right = np.minimum(np.searchsorted(-grid, -alpha, side="left"), k - 1)
    left = np.maximum(right - 1, 0)
    exact_hit = grid[right] == alpha
    left = np.where(exact_hit, right, left)
    span = grid[left] - grid[right]
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = np.where(span > 0.0, (alpha - grid[right]) / np.where(span > 0.0, span, 1.0), 1.0)
    return left, right, frac
