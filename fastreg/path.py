"""Regularization paths of Lasso and ElasticNet: one fit per α, warm-started.

The α grid is scikit-learn's (``_alpha_grid``): ``αmax = max|X_cᵀy_c|/(n·ρ)``,
the smallest α at which every coefficient is zero, then ``n_alphas`` values
spaced geometrically down to ``eps·αmax``. Each α starts from the previous
solution.

Two engines, chosen by ``precompute``:

- **Gram** (``n ≥ p``, the default there): ``G = X_cᵀX_c`` and ``q = X_cᵀy_c``
  once for the whole path, then coordinate descent on working sets of ``G``
  (:mod:`fastreg.solvers.gram`): no pass over ``X`` after the first.
  Sparse ``X`` gets ``XᵀX − n x̄x̄ᵀ`` (never densified), unless its column
  means are so large against their spreads that this loses digits.
- **Residual** (``n < p``): the working-set solver of
  :mod:`fastreg.solvers.cd` on one centered Fortran-ordered copy of dense
  ``X`` (made once for the path) or on CSC ``X`` centered implicitly.

Both stop each α on scikit-learn's duality gap, ``gap ≤ tol·‖y − ȳ‖²/n``.
"""

import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning

from ._threads import blas_threads
from ._progress import progress
from ._validation import check_scalar, to_csc, validate_xy
from .solvers.cd import CDProblem, LarsPath
from ._preprocess import weighted_offsets
from .solvers.gram import FoldGrams, GramProblem, gram_enet, sparse_gram_is_accurate

__all__ = ["lasso_path", "enet_path", "alpha_grid"]

# The Gram engine forms a p × p float64 matrix: up to 5000 features (200 MB)
# when n ≥ p; for n < p up to 2000 features (beyond, forming XᵀX costs more
# than the passes over X of the residual solver).
_GRAM_MAX_FEATURES = 5000
_GRAM_MAX_FEATURES_WIDE = 2000


def _auto_gram(X, fit_intercept, sample_weight=None):
    """``precompute="auto"``: whether to solve on the Gram matrix."""
    n, p = X.shape
    if not (p <= _GRAM_MAX_FEATURES_WIDE or (n >= p and p <= _GRAM_MAX_FEATURES)):
        return False
    return not sp.issparse(X) or sparse_gram_is_accurate(X, fit_intercept, sample_weight)


def _check_data(X, y):
    """Validate ``(X, y)``: float32/float64 dense, or canonical CSR sparse; ``y`` float64."""
    return validate_xy(X, y, "csr")


def _check_l1_ratio(l1_ratio):
    l1_ratio = check_scalar(l1_ratio, "l1_ratio")
    if l1_ratio > 1:
        raise ValueError(f"l1_ratio must be in [0, 1], got {l1_ratio!r}")
    return float(l1_ratio)


def _check_alphas(alphas):
    """User-given α values, sorted decreasing as scikit-learn does."""
    alphas = np.asarray(alphas, dtype=np.float64).ravel()
    if alphas.size == 0:
        raise ValueError("alphas must contain at least one value")
    for k, a in enumerate(alphas):
        check_scalar(float(a), f"alphas[{k}]")
    return np.sort(alphas)[::-1]


class _Engine:
    """One data set prepared once for many α (Gram or residual solver), for each target.

    ``y`` is (n,) or (n, k): the targets are fitted independently, on one
    Gram matrix or one centered copy of ``X``. ``sample_weight`` gives the
    weighted objective ``(1/(2Σs)) Σ sᵢ rᵢ² + penalty`` (weights normalized to
    sum to ``n``, scikit-learn's convention).
    """

    def __init__(self, X, y, fit_intercept, precompute, sample_weight=None):
        n, p = X.shape
        if sample_weight is not None:
            sample_weight = sample_weight * (n / float(np.sum(sample_weight)))
        if precompute == "auto":
            use_gram = _auto_gram(X, fit_intercept, sample_weight)
        elif isinstance(precompute, (bool, np.bool_)):
            use_gram = bool(precompute)
        else:
            raise ValueError(f"precompute must be 'auto', True or False, got {precompute!r}")
        self.fit_intercept = fit_intercept
        self.n, self.p = n, p
        self.grams = self.cd = None
        if use_gram:
            if sample_weight is None:  # one Gram, shared by the targets
                gram = GramProblem(X, y, fit_intercept)
                self.grams = [gram] if y.ndim == 1 else [gram.target(k) for k in range(y.shape[1])]
            else:
                self.grams = FoldGrams(X, y, fit_intercept, sample_weight).full()
        else:
            if sp.issparse(X):
                X = to_csc(X)  # the residual solver reads columns
            # one centered (row-scaled) copy for all α and targets
            self.cd = CDProblem(X, y, fit_intercept=fit_intercept, sample_weight=sample_weight)
            self.q = centered_xty(X, y, fit_intercept, sample_weight)

    @classmethod
    def from_grams(cls, grams, p):
        """An engine on ready :class:`GramProblem` s (one per target), e.g. a CV fold's."""
        self = cls.__new__(cls)
        self.grams, self.cd = grams, None
        self.fit_intercept = grams[0].fit_intercept
        self.n, self.p = grams[0].n, p
        return self

    def alpha_max(self, l1_ratio, positive):
        q = np.stack([g.q for g in self.grams], axis=-1) if self.grams is not None else self.q
        top = max(0.0, float(np.max(q))) if positive else float(np.max(np.abs(q)))
        return top / (self.n * l1_ratio)

    def solve(self, alpha, l1_ratio, w, alpha_prev, tol, max_iter, positive, target=0, lars=None):
        """Fit ``target`` at ``alpha``; returns ``(w, intercept, gap, n_iter, converged)``.

        ``lars``: the path's :class:`~fastreg.solvers.cd.LarsPath` (residual solver only).
        """
        if self.grams is not None:
            problem = self.grams[target]
            w, gap, n_iter, conv = gram_enet(
                problem, alpha, l1_ratio, tol=tol, max_iter=max_iter, positive=positive,
                w=w, alpha_prev=alpha_prev,
            )
            return w, problem.intercept(w), gap, n_iter, conv
        return self.cd.solve(
            target, alpha, l1_ratio, tol=tol, max_iter=max_iter, positive=positive, coef_init=w, lars=lars
        )


def _grid(alpha_max, eps, n_alphas):
    resolution = np.finfo(np.float64).resolution
    if alpha_max <= resolution:
        return np.full(n_alphas, resolution)
    return np.geomspace(alpha_max, alpha_max * eps, num=n_alphas)


def alpha_grid(X, y, *, l1_ratio=1.0, eps=1e-3, n_alphas=100, fit_intercept=True, positive=False):
    """scikit-learn's α grid: ``αmax`` down to ``eps·αmax``, geometrically.

    Parameters
    ----------
    X : array-like or sparse matrix of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
    l1_ratio : float in (0, 1], default=1.0
    eps : float > 0, default=1e-3
    n_alphas : int >= 1, default=100
    fit_intercept : bool, default=True
    positive : bool, default=False

    Returns
    -------
    alphas : ndarray of shape (n_alphas,), decreasing
        ``alphas[0] = max|X_cᵀy_c|/(n·l1_ratio)`` (with ``positive``,
        ``max(0, max X_cᵀy_c)/(n·l1_ratio)``).
    """
    X, y = _check_data(X, y)
    l1_ratio, eps, n_alphas = _check_grid_params(l1_ratio, eps, n_alphas)
    q = centered_xty(X, y, fit_intercept)
    top = max(0.0, float(np.max(q))) if positive else float(np.max(np.abs(q)))
    return _grid(top / (X.shape[0] * l1_ratio), eps, n_alphas)


def centered_xty(X, y, fit_intercept, sample_weight=None):
    """``X_cᵀS y_c`` without centering ``X`` (``Xᵀ(s∘y_c) − x̄·Σ(s∘y_c)``), as scikit-learn's grid.

    ``x̄``, ``ȳ`` are the (weighted) means; ``S = diag(s)`` (the identity when
    ``sample_weight`` is ``None``). ``y`` (n,) gives (p,), ``y`` (n, k) gives (p, k).
    """
    y = np.asarray(y, dtype=np.float64)
    x_mean, y_mean = weighted_offsets(X, y, sample_weight, fit_intercept)
    y_c = y - y_mean if fit_intercept else y
    if sample_weight is not None:
        y_c = y_c * (sample_weight if y.ndim == 1 else sample_weight[:, None])
    q = np.asarray(X.T @ y_c, dtype=np.float64)
    if y.ndim == 1:
        q = q.ravel()
    if fit_intercept:
        q -= np.multiply.outer(x_mean, y_c.sum(axis=0))
    return q


def _check_grid_params(l1_ratio, eps, n_alphas):
    l1_ratio = _check_l1_ratio(l1_ratio)
    if l1_ratio == 0:
        raise ValueError(
            "an automatic alpha grid needs l1_ratio > 0 (αmax is infinite for a pure L2 "
            "penalty); pass alphas= explicitly"
        )
    eps = float(check_scalar(eps, "eps", include_low=False))
    n_alphas = check_scalar(n_alphas, "n_alphas", low=1, integer=True)
    return l1_ratio, eps, int(n_alphas)


def _run_path(engine, alphas, l1_ratio, tol, max_iter, positive, coef_init, bar=None):
    """Fit every α of ``alphas`` (decreasing) in turn, warm-started.

    The solvers alternate numba kernels with small NumPy reductions: BLAS
    threads spinning after those would fight numba's pool for the cores, so
    BLAS is limited to one thread (set once here: threadpoolctl scans the
    loaded libraries on every call).
    """
    with blas_threads(1):
        return _run_path_unlimited(engine, alphas, l1_ratio, tol, max_iter, positive, coef_init, bar)


def _run_path_unlimited(engine, alphas, l1_ratio, tol, max_iter, positive, coef_init, bar, target=0):
    p = engine.p
    k = alphas.shape[0]
    coefs = np.empty((p, k))
    intercepts = np.empty(k)
    gaps = np.empty(k)
    n_iters = np.empty(k, dtype=np.int64)
    unconverged = 0
    w = np.zeros(p) if coef_init is None else np.array(coef_init, dtype=np.float64)
    alpha_prev = None
    # one LARS path for the whole α grid, should a homotopy start be needed (Lasso, residual solver)
    lars = LarsPath(float(alphas[-1])) if engine.cd is not None and l1_ratio == 1.0 and k > 1 else None
    for i, alpha in enumerate(alphas):
        w, intercept, gap, n_iter, conv = engine.solve(
            alpha, l1_ratio, w, alpha_prev, tol, max_iter, positive, target, lars
        )
        w = np.array(w, dtype=np.float64)  # the next α must not overwrite this one
        coefs[:, i] = w
        intercepts[i] = intercept
        gaps[i] = gap
        n_iters[i] = n_iter
        unconverged += not conv
        alpha_prev = alpha
        if bar is not None:
            bar.update()
    return coefs, intercepts, gaps, n_iters, unconverged


def enet_path(
    X,
    y,
    *,
    l1_ratio=0.5,
    eps=1e-3,
    n_alphas=100,
    alphas=None,
    fit_intercept=True,
    tol=1e-6,
    max_iter=10_000,
    positive=False,
    precompute="auto",
    coef_init=None,
    verbose=False,
    return_dual_gaps=False,
):
    """ElasticNet regularization path by warm-started coordinate descent.

    Solves, for each α of the grid,
    ``(1/2n)‖y − Xw − b‖² + αρ‖w‖₁ + (α(1 − ρ)/2)‖w‖²`` (ρ = ``l1_ratio``;
    ``b`` unpenalized, fitted when ``fit_intercept``), the objective of
    :class:`fastreg.ElasticNet` and scikit-learn's.

    Parameters
    ----------
    X : array-like or sparse matrix of shape (n_samples, n_features)
        Dense (any memory order) or sparse (CSR/CSC/COO; never densified,
        centered implicitly; the residual solver converts it to CSC once). float32 stays float32 in
        the returned coefficients.
    y : array-like of shape (n_samples,)
    l1_ratio : float in [0, 1], default=0.5
        ``l1_ratio = 0`` needs explicit ``alphas``.
    eps : float > 0, default=1e-3
        ``α_min / α_max`` of the automatic grid.
    n_alphas : int >= 1, default=100
        Length of the automatic grid.
    alphas : array-like or None, default=None
        α values to use instead of the automatic grid (sorted decreasing).
    fit_intercept : bool, default=True
    tol : float > 0, default=1e-6
        Stop each α when its duality gap is at most ``tol·‖y − ȳ‖²/n``
        (scikit-learn's rule; its default is 1e-4) and at most ``10⁻³·tol``
        of its objective, so the default puts every α within 1e-9 relative
        objective of its optimum (or ``10⁻¹³·‖y − ȳ‖²/n``, if larger).
    max_iter : int >= 1, default=10000
        Maximum number of epochs per α.
    positive : bool, default=False
        Constrain the coefficients to be non-negative.
    precompute : {"auto", True, False}, default="auto"
        Solve on the Gram matrix ``X_cᵀX_c`` (True) or on the residual
        (False). ``"auto"``: the Gram when ``p ≤ 2000``, or ``n ≥ p`` and
        ``p ≤ 5000`` (sparse ``X``: unless its column means are over 1000
        times their spreads, where the implicitly centered Gram loses digits).
    coef_init : array-like of shape (n_features,) or None
        Warm start of the first α.
    verbose : bool, default=False
        Show a progress bar over the α grid on stderr.
    return_dual_gaps : bool, default=False
        Also return the duality gaps and epoch counts.

    Returns
    -------
    alphas : ndarray of shape (n_alphas,)
        Decreasing.
    coefs : ndarray of shape (n_features, n_alphas)
    intercepts : ndarray of shape (n_alphas,)
        Zeros without ``fit_intercept``.
    dual_gaps : ndarray of shape (n_alphas,)
        Only with ``return_dual_gaps``: gaps divided by ``n`` (scikit-learn's
        ``dual_gap_``).
    n_iters : ndarray of shape (n_alphas,)
        Only with ``return_dual_gaps``.

    Warns
    -----
    ConvergenceWarning
        If some α stopped at ``max_iter`` before reaching ``tol``.

    Examples
    --------
    >>> import numpy as np, fastreg
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((100, 20)); y = X[:, 0] + 0.1 * rng.standard_normal(100)
    >>> alphas, coefs, intercepts = fastreg.lasso_path(X, y, n_alphas=10)
    >>> coefs.shape
    (20, 10)
    """
    X, y = _check_data(X, y)
    l1_ratio = _check_l1_ratio(l1_ratio)
    tol = float(check_scalar(tol, "tol", include_low=False))
    max_iter = check_scalar(max_iter, "max_iter", low=1, integer=True)
    n, p = X.shape
    if coef_init is not None:
        coef_init = np.asarray(coef_init, dtype=np.float64).ravel()
        if coef_init.shape != (p,):
            raise ValueError(f"coef_init must have shape ({p},), got {coef_init.shape}")
    engine = _Engine(X, y, bool(fit_intercept), precompute)
    if alphas is None:
        l1_ratio_grid, eps, n_alphas = _check_grid_params(l1_ratio, eps, n_alphas)
        alphas = _grid(engine.alpha_max(l1_ratio_grid, positive), eps, n_alphas)
    else:
        alphas = _check_alphas(alphas)
    with progress(alphas.shape[0], "path", verbose) as bar:
        coefs, intercepts, gaps, n_iters, unconverged = _run_path(
            engine, alphas, l1_ratio, tol, max_iter, bool(positive), coef_init, bar
        )
    if unconverged:
        warnings.warn(
            f"the path did not converge at {unconverged} of {alphas.shape[0]} alphas within "
            f"max_iter={max_iter} epochs; increase max_iter or tol",
            ConvergenceWarning,
            stacklevel=2,
        )
    coefs = coefs.astype(X.dtype, copy=False)
    if return_dual_gaps:
        return alphas, coefs, intercepts, gaps, n_iters
    return alphas, coefs, intercepts


def lasso_path(
    X,
    y,
    *,
    eps=1e-3,
    n_alphas=100,
    alphas=None,
    fit_intercept=True,
    tol=1e-6,
    max_iter=10_000,
    positive=False,
    precompute="auto",
    coef_init=None,
    verbose=False,
    return_dual_gaps=False,
):
    """Lasso regularization path: :func:`enet_path` with ``l1_ratio=1``.

    Solves ``(1/2n)‖y − Xw − b‖² + α‖w‖₁`` for each α of the grid
    (scikit-learn's ``Lasso`` objective). Parameters and returns are those of
    :func:`enet_path`.

    Returns
    -------
    alphas : ndarray of shape (n_alphas,)
    coefs : ndarray of shape (n_features, n_alphas)
    intercepts : ndarray of shape (n_alphas,)
    """
    return enet_path(
        X, y, l1_ratio=1.0, eps=eps, n_alphas=n_alphas, alphas=alphas, fit_intercept=fit_intercept,
        tol=tol, max_iter=max_iter, positive=positive, precompute=precompute, coef_init=coef_init,
        verbose=verbose, return_dual_gaps=return_dual_gaps,
    )
