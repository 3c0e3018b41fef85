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

import math
import numbers
import warnings
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state

from ._threads import blas_threads
from ._progress import progress
from ._validation import (
    check_bool,
    check_l1_ratio,
    check_penalty_params,
    check_precompute,
    check_sample_weight,
    check_scalar,
    check_selection,
    validate_xy,
)
from ._convert import to_csc
from ._policy import path_uses_gram, path_uses_homotopy
from .solvers.cd import CDProblem
from .solvers.homotopy import LarsPath
from ._preprocess import centered_xty, weighted_offsets
from ._standardize import feature_scales
from .penalty import Penalty, make_penalty
from .solvers.multitask import MultiTaskProblem
from .solvers.gram import FoldGrams, GramProblem, given_gram_problems, gram_enet, gram_path
from ._policy import stream_route
from .solvers.stream import statistics, warn_copy

__all__ = ["lasso_path", "enet_path", "fit_path", "PathResult", "alpha_grid"]

def _check_data(X, y):
    """Validate ``(X, y)``: float32/float64 dense, or canonical CSR sparse; ``y`` float64."""
    return validate_xy(X, y, "csr")


def check_alphas(alphas):
    """User-given α values, sorted decreasing as scikit-learn does (and its messages for bad ones)."""
    values = np.ravel(np.asarray(alphas, dtype=object)) if not isinstance(alphas, np.ndarray) else alphas.ravel()
    if values.size == 0:
        raise ValueError("alphas must contain at least one value")
    for k, a in enumerate(values):
        if isinstance(a, (bool, np.bool_)) or not isinstance(a, (numbers.Real, np.floating, np.integer)):
            raise TypeError(f"alphas[{k}] must be an instance of float, not {type(a).__name__}")
        if not math.isfinite(a):
            raise ValueError(f"alphas[{k}] == {a}, must be finite")
        if a < 0:
            raise ValueError(f"alphas[{k}] == {a}, must be >= 0.0.")
    return np.sort(np.asarray(values, dtype=np.float64))[::-1]


class PathEngine:
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
            use_gram = path_uses_gram(X, fit_intercept, sample_weight)
        elif isinstance(precompute, (bool, np.bool_)):
            use_gram = bool(precompute)
        else:
            raise ValueError(f"precompute must be 'auto', True or False, got {precompute!r}")
        self.fit_intercept = fit_intercept
        self.n, self.p = n, p
        self.grams = self.cd = None
        self._data = (X, sample_weight)  # for cross_gram
        route = None if sp.issparse(X) or precompute is False else stream_route(X, sample_weight is not None)
        if route == "gram":  # large or memory-mapped tall X: its statistics from one pass over row blocks
            stats = statistics(X, y, sample_weight, fit_intercept)
            self.grams = [
                GramProblem.from_parts(stats["G"], np.ascontiguousarray(stats["q"][:, k]), stats["yy"][k],
                                       stats["x_mean"], stats["y_mean"][k], stats["W"], fit_intercept)
                for k in range(stats["q"].shape[1])
            ]
            return
        if route is not None:
            warn_copy("the path", X, "paths on wide X (or X too wide for a Gram) run on a centered copy",
                      stacklevel=4)
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
    def given_gram(cls, G, Xy, X, y, fit_intercept, sample_weight=None):
        """An engine on the caller's Gram (scikit-learn's ``precompute=array``) and, if given, ``Xy``."""
        grams = given_gram_problems(G, X, y, fit_intercept, sample_weight)
        if Xy is not None:
            Xy = np.asarray(Xy, dtype=np.float64).reshape(X.shape[1], -1)
            if Xy.shape[1] != len(grams):
                raise ValueError(f"Xy must have shape ({X.shape[1]},) for 1-D y, got {Xy.shape}")
            for k, problem in enumerate(grams):
                problem.q = np.ascontiguousarray(Xy[:, k])
        return cls.from_grams(grams, X.shape[1])

    @classmethod
    def from_grams(cls, grams, p):
        """An engine on ready :class:`GramProblem` s (one per target), e.g. a CV fold's."""
        self = cls.__new__(cls)
        self.grams, self.cd = grams, None
        self.fit_intercept = grams[0].fit_intercept
        self.n, self.p = grams[0].n, p
        self._data = None
        return self

    def alpha_max(self, l1_ratio, penalty):
        """The path's first α (:meth:`fastreg.penalty.Penalty.alpha_max`), over the targets."""
        q = np.stack([g.q for g in self.grams], axis=-1) if self.grams is not None else self.q
        return penalty.alpha_max(q, self.n, l1_ratio, self.cross_gram)

    def cross_gram(self, cols):
        """``X_cᵀX_c[:, cols]`` (weighted as the engine's ``q``), for the unpenalized features' fit."""
        if self.grams is not None:
            return self.grams[0].G[:, cols]
        X, sample_weight = self._data
        X_cols = X[:, cols].toarray() if sp.issparse(X) else np.asarray(X[:, cols], dtype=np.float64)
        return centered_xty(X, X_cols, self.fit_intercept, sample_weight)

    def solve(self, alpha, l1_ratio, w, alpha_prev, tol, max_iter, penalty, target=0, lars=None, seed=-1):
        """Fit ``target`` at ``alpha``; returns ``(w, intercept, gap, n_iter, converged)``.

        ``penalty``: the :class:`~fastreg.penalty.Penalty`.
        ``lars``: the path's :class:`~fastreg.solvers.cd.LarsPath` (residual solver only).
        ``seed ≥ 0``: random coordinate order (``selection="random"``).
        """
        if self.grams is not None:
            problem = self.grams[target]
            w, gap, n_iter, conv = gram_enet(
                problem, alpha, l1_ratio, tol=tol, max_iter=max_iter, penalty=penalty,
                w=w, alpha_prev=alpha_prev, seed=seed,
            )
            return w, problem.intercept(w), gap, n_iter, conv
        return self.cd.solve(
            target, alpha, l1_ratio, tol=tol, max_iter=max_iter, penalty=penalty, coef_init=w, lars=lars, seed=seed
        )

    def ahead(self, alphas, l1_ratio, tol, max_iter, penalty, w, target=0, seed=-1):
        """The α of a path solved in one go, before the α-by-α loop: :class:`~fastreg.solvers._points.PathPoints`.

        The Gram engine runs its α loop in numba (:func:`~fastreg.solvers.gram.gram_path`);
        the residual engine follows one homotopy for a Lasso path where that
        is cheaper than a fit per α (:func:`path_uses_homotopy`). None where
        neither applies.
        """
        if self.grams is not None:
            return gram_path(self.grams[target], alphas, l1_ratio, tol=tol, max_iter=max_iter, penalty=penalty,
                             w=w, seed=seed)
        if l1_ratio != 1.0 or alphas.shape[0] < 2 or not path_uses_homotopy(self.n, self.p, self.cd.values):
            return None
        return self.cd.homotopy_path(target, alphas, tol, penalty)

    def intercept(self, w, target=0):
        """The intercept of target ``target`` for centered coefficients ``w``."""
        if self.grams is not None:
            return self.grams[target].intercept(w)
        return self.cd.intercept(target, w)

    def deviance(self, W, target=0):
        """``‖R‖²`` at each column of ``W`` (p, k), and the null model's ``‖y_c‖²``: ``R = y_c − X_c w``.

        Weighted as the objective (weights summing to ``n``); without an
        intercept ``y_c = y``. The Gram engine forms ``GW`` in one product
        (``‖R‖² = ‖y_c‖² − 2qᵀw + wᵀGw``); the residual engine forms
        ``X_c w`` from each column's support.
        """
        W = np.asarray(W, dtype=np.float64)
        if self.grams is not None:
            problem = self.grams[target]
            rss = problem.yy - 2.0 * (problem.q @ W) + np.einsum("ij,ij->j", W, problem.G @ W)
            return np.maximum(rss, 0.0), problem.yy
        op, y_c = self.cd.op, self.cd.Y[:, target]
        rss = np.array([op.residual_norm2(op.state(y_c, np.ascontiguousarray(W[:, i]))) for i in range(W.shape[1])])
        return rss, float(y_c @ y_c)


def geometric_grid(alpha_max, eps, n_alphas):
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
    l1_ratio, eps, n_alphas = check_grid_params(l1_ratio, eps, n_alphas)
    q = centered_xty(X, y, fit_intercept)
    return geometric_grid(Penalty.uniform_of(X.shape[1], positive).alpha_max(q, X.shape[0], l1_ratio), eps, n_alphas)


def check_grid_params(l1_ratio, eps, n_alphas):
    l1_ratio = check_l1_ratio(l1_ratio)
    if l1_ratio == 0:
        raise ValueError(  # scikit-learn's words; αmax is infinite for a pure L2 penalty
            "Automatic alpha grid generation is not supported for l1_ratio=0. Please supply a grid by "
            "providing your estimator with the appropriate `alphas=` argument."
        )
    eps = float(check_scalar(eps, "eps", include_low=False))
    n_alphas = check_scalar(n_alphas, "n_alphas", low=1, integer=True)
    return l1_ratio, eps, int(n_alphas)


def run_path(engine, alphas, l1_ratio, tol, max_iter, penalty, coef_init, bar=None, seed=-1):
    """Fit every α of ``alphas`` (decreasing) in turn, warm-started.

    The solvers alternate numba kernels with small NumPy reductions: BLAS
    threads spinning after those would fight numba's pool for the cores, so
    BLAS is limited to one thread (set once here: threadpoolctl scans the
    loaded libraries on every call).
    """
    with blas_threads(1):
        return run_path_unlimited(engine, alphas, l1_ratio, tol, max_iter, penalty, coef_init, bar, seed=seed)


def run_path_unlimited(engine, alphas, l1_ratio, tol, max_iter, penalty, coef_init, bar, target=0, seed=-1):
    p = engine.p
    k = alphas.shape[0]
    coefs = np.empty((p, k))
    intercepts = np.empty(k)
    gaps = np.empty(k)
    n_iters = np.empty(k, dtype=np.int64)
    unconverged = 0
    w = np.zeros(p) if coef_init is None else np.array(coef_init, dtype=np.float64)
    alpha_prev = None
    ahead = engine.ahead(alphas, l1_ratio, tol, max_iter, penalty, w, target, seed)
    # one LARS path for the whole α grid, should a homotopy start be needed (Lasso, residual solver)
    lars = (
        LarsPath(float(alphas[-1]))
        if engine.cd is not None and l1_ratio == 1.0 and k > 1 and ahead is None else None
    )
    for i, alpha in enumerate(alphas):
        if ahead is not None and ahead.done[i]:
            w = ahead.W[:, i]
            intercept, gap = engine.intercept(w, target), ahead.gaps[i]
            n_iter, conv = ahead.n_iters[i], ahead.converged[i]
        else:
            if ahead is not None and ahead.start[i]:
                w = ahead.W[:, i]
            w, intercept, gap, n_iter, conv = engine.solve(
                alpha, l1_ratio, w, alpha_prev, tol, max_iter, penalty, target, lars, seed
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



class PathResult(NamedTuple):
    """What :func:`fit_path` returns: a tuple, also read by name."""

    alphas: np.ndarray  #: (n_alphas,), decreasing
    coefs: np.ndarray  #: (n_features, n_alphas)
    intercepts: np.ndarray  #: (n_alphas,), zeros without an intercept
    dual_gaps: np.ndarray  #: (n_alphas,), duality gaps divided by n (scikit-learn's ``dual_gap_``)
    n_iters: np.ndarray  #: (n_alphas,), epochs per α (0 where the homotopy's solution was certified)


def fit_path(
    X,
    y,
    *,
    l1_ratio=1.0,
    alphas=100,
    eps=1e-3,
    fit_intercept=True,
    sample_weight=None,
    tol=1e-6,
    max_iter=10_000,
    positive=False,
    penalty_factor=None,
    lower_bounds=None,
    upper_bounds=None,
    standardize=False,
    precompute="auto",
    coef_init=None,
    verbose=False,
):
    """The ElasticNet path with an intercept: one warm-started fit per α (Lasso for ``l1_ratio=1``).

    Solves, for each α,
    ``(1/(2Σs)) Σ sᵢ(yᵢ − xᵢw − b)² + αρ‖w‖₁ + (α(1 − ρ)/2)‖w‖²`` (ρ =
    ``l1_ratio``; ``b`` unpenalized, fitted when ``fit_intercept``; ``s`` the
    sample weights, all 1 by default), the objective of
    :class:`fastreg.ElasticNet`. This is the path :class:`fastreg.LassoCV`
    and ``fastreg path`` compute; :func:`enet_path` and :func:`lasso_path`
    are scikit-learn's functions of the same names (no intercept).

    Parameters
    ----------
    X : array-like or sparse matrix of shape (n_samples, n_features)
        Dense (any memory order) or sparse (CSR/CSC/COO; never densified,
        centered implicitly). float32 stays float32 in the coefficients.
    y : array-like of shape (n_samples,)
    l1_ratio : float in [0, 1], default=1.0
        ``l1_ratio = 0`` needs explicit ``alphas``.
    alphas : int or array-like, default=100
        An int: that many α from ``αmax`` (the smallest α with every
        coefficient zero, scikit-learn's formula) down to ``eps·αmax``,
        spaced geometrically. An array: those α, sorted decreasing.
    eps : float > 0, default=1e-3
    fit_intercept : bool, default=True
    sample_weight : array-like of shape (n_samples,) or None
    tol : float >= 0, default=1e-6
        Stop each α when its duality gap is at most ``tol·‖y − ȳ‖²/n``
        (scikit-learn's rule; its default is 1e-4) and at most ``10⁻³·tol``
        of its objective, so the default puts every α within 1e-9 relative
        objective of its optimum (or ``10⁻¹³·‖y − ȳ‖²/n``, if larger).
    max_iter : int >= 1, default=10000
        Maximum number of epochs per α.
    positive : bool, default=False
    penalty_factor, lower_bounds, upper_bounds :
        Per-feature penalty factors and bounds, as :class:`fastreg.ElasticNet`'s;
        the grid's ``αmax`` follows them.
    standardize : bool, default=False
        glmnet's ``standardize=TRUE``, as :class:`fastreg.ElasticNet`'s:
        the penalty of the columns scaled to unit (weighted) standard
        deviation, coefficients on the original scale; ``αmax`` is then
        glmnet's ``λmax``.
    precompute : {"auto", True, False}, default="auto"
        Solve on the Gram matrix ``X_cᵀX_c`` (True) or on the residual
        (False). ``"auto"``: :func:`fastreg._policy.path_uses_gram` (the Gram
        when ``n ≥ p`` and ``p ≤ 5000``; sparse ``X`` unless
        its column means are over 1000 times their spreads, where the
        implicitly centered Gram loses digits).
    coef_init : array-like of shape (n_features,) or None
        Warm start of the first α.
    verbose : bool, default=False
        A progress bar over the α grid on stderr.

    Returns
    -------
    PathResult
        ``(alphas, coefs, intercepts, dual_gaps, n_iters)``.

    Warns
    -----
    ConvergenceWarning
        If some α stopped at ``max_iter`` before reaching ``tol``.

    Examples
    --------
    >>> import numpy as np, fastreg
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((100, 20)); y = X[:, 0] + 3 + 0.1 * rng.standard_normal(100)
    >>> path = fastreg.fit_path(X, y, alphas=10)
    >>> path.coefs.shape, round(float(path.intercepts[-1]), 1)
    ((20, 10), 3.0)
    """
    X, y = _check_data(X, y)
    l1_ratio = check_l1_ratio(l1_ratio)
    tol = float(check_scalar(tol, "tol"))
    max_iter = check_scalar(max_iter, "max_iter", low=1, integer=True)
    fit_intercept = check_bool(fit_intercept, "fit_intercept")
    positive = check_bool(positive, "positive")
    standardize = check_bool(standardize, "standardize")
    sample_weight = check_sample_weight(sample_weight, X)
    penalty = make_penalty(X.shape[1], **check_penalty_params(X.shape[1], penalty_factor, lower_bounds, upper_bounds),
                           positive=positive, scale=feature_scales(X, sample_weight) if standardize else None)
    coef_init = _check_coef_init(coef_init, X.shape[1])
    return solve_path(X, y, l1_ratio=l1_ratio, alphas=alphas, eps=eps, fit_intercept=fit_intercept,
                      sample_weight=sample_weight, tol=tol, max_iter=max_iter, penalty=penalty, precompute=precompute,
                      coef_init=coef_init, verbose=verbose)[0]


def solve_path(X, y, *, l1_ratio, alphas, eps, fit_intercept, sample_weight, tol, max_iter, penalty, precompute,
               coef_init=None, verbose=False, seed=-1):
    """:func:`fit_path` on validated input and a ready :class:`~fastreg.penalty.Penalty`.

    Returns the :class:`PathResult` and the :class:`PathEngine` it ran on
    (which can fit more α of the same data).
    """
    engine = PathEngine(X, y, fit_intercept, precompute, sample_weight)
    alphas = _path_alphas(alphas, engine, l1_ratio, eps, penalty)
    with progress(alphas.shape[0], "path", verbose) as bar:
        coefs, intercepts, gaps, n_iters, unconverged = run_path(
            engine, alphas, l1_ratio, tol, max_iter, penalty, coef_init, bar, seed=seed
        )
    _warn_unconverged(unconverged, alphas.shape[0], max_iter, stacklevel=4)
    return PathResult(alphas, coefs.astype(X.dtype, copy=False), intercepts, gaps, n_iters), engine


def _check_coef_init(coef_init, p, k=None):
    if coef_init is None:
        return None
    coef_init = np.asarray(coef_init, dtype=np.float64)
    shape = (p,) if k is None else (k, p)
    if coef_init.size != np.prod(shape):
        raise ValueError(f"coef_init must have shape {shape}, got {coef_init.shape}")
    return coef_init.reshape(shape)


def _path_alphas(alphas, engine, l1_ratio, eps, penalty):
    """An int: that many α of scikit-learn's grid from the engine's ``αmax``; else the values, decreasing."""
    if _is_count(alphas):
        l1_ratio, eps, n_alphas = check_grid_params(l1_ratio, eps, alphas)
        return geometric_grid(engine.alpha_max(l1_ratio, penalty), eps, n_alphas)
    if isinstance(alphas, (str, bytes, bool, np.bool_)) or alphas is None:
        raise TypeError(f"alphas must be an int (how many) or an array-like of floats, got {alphas!r}")
    return check_alphas(alphas)


def _is_count(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def _warn_unconverged(unconverged, n_alphas, max_iter, stacklevel=3):
    if unconverged:
        warnings.warn(
            # scikit-learn's first sentence, which code filtering its warnings looks for
            "Objective did not converge. You might want to increase the number of iterations. "
            f"The path stopped at max_iter={max_iter} epochs at {unconverged} of {n_alphas} alphas; "
            "increase max_iter or tol",
            ConvergenceWarning,
            stacklevel=stacklevel,
        )


# enet_path's keyword arguments of the solver (scikit-learn's ``**params``), with fastreg's defaults
_SOLVER_PARAMS = {
    "X_offset": None, "X_scale": None, "sample_weight": None, "tol": 1e-6, "max_iter": 10_000,
    "random_state": None, "selection": "cyclic", "do_screening": True,
}


def enet_path(
    X,
    y,
    *,
    l1_ratio=0.5,
    eps=1e-3,
    n_alphas="deprecated",
    alphas="warn",
    precompute="auto",
    Xy=None,
    copy_X=True,
    coef_init=None,
    verbose=False,
    return_n_iter=False,
    positive=False,
    check_input=True,
    penalty_factor=None,
    lower_bounds=None,
    upper_bounds=None,
    standardize=False,
    **params,
):
    """scikit-learn's ``enet_path``: the ElasticNet path without intercept, by coordinate descent.

    The same signature, returns and meaning as
    ``sklearn.linear_model.enet_path``: for each α,
    ``(1/2n)‖y − Xw‖² + αρ‖w‖₁ + (α(1 − ρ)/2)‖w‖²`` (1-D ``y``), or with
    2-D ``y`` scikit-learn's multi-task objective
    ``(1/2n)‖Y − XW‖²_F + αρ‖W‖₂₁ + (α(1 − ρ)/2)‖W‖²_F`` (the rows of ``W``
    penalized as groups). No intercept is fitted: center ``X`` and ``y``
    first, or use :func:`fit_path`, the same path with an intercept.

    Parameters
    ----------
    X : array-like or sparse matrix of shape (n_samples, n_features)
    y : array-like of shape (n_samples,) or (n_samples, n_targets)
    l1_ratio : float in [0, 1], default=0.5
    eps : float > 0, default=1e-3
        ``α_min / α_max`` of an automatic grid.
    n_alphas : int, deprecated
        As in scikit-learn 1.9 (a ``FutureWarning``): pass ``alphas=`` an int.
    alphas : int or array-like, default=100
        An int: that many α from ``αmax`` down to ``eps·αmax``, geometrically
        (scikit-learn's grid). An array: those α, sorted decreasing.
        ``None`` is scikit-learn's deprecated spelling of 100 (a ``FutureWarning``).
    precompute : "auto", bool or array of shape (n_features, n_features), default="auto"
        Solve on the Gram ``XᵀX`` (``True``, or that Gram given as an array,
        used as it is) or on the residual (``False``); ``"auto"`` as
        :func:`fit_path`.
    Xy : array-like of shape (n_features,) or (n_features, n_targets) or None
        ``Xᵀy``, used with a given Gram (computed when ``None``).
    copy_X : bool, default=True
        Accepted; ``X`` is never overwritten.
    coef_init : array-like of shape (n_features,) or (n_targets, n_features) or None
        Warm start of the first α.
    verbose : bool or int, default=False
        A progress bar over the α grid on stderr.
    return_n_iter : bool, default=False
        Also return the epochs of each α.
    positive : bool, default=False
        Non-negative coefficients (1-D ``y`` only, as scikit-learn).
    check_input : bool, default=True
        ``False`` skips the scan of ``X`` for NaN and infinity.
    penalty_factor, lower_bounds, upper_bounds :
        fastreg's per-feature penalty factors and bounds (1-D ``y``), as
        :class:`fastreg.ElasticNet`'s; the grid's ``αmax`` follows them.
    standardize : bool, default=False
        fastreg's addition (1-D ``y``): glmnet's ``standardize=TRUE``, the
        penalty of the columns scaled to unit (weighted) standard deviation,
        coefficients on the original scale (see :class:`fastreg.ElasticNet`).
    **params
        scikit-learn's solver parameters: ``tol`` (default 1e-6, stopping
        as :func:`fit_path`; scikit-learn's default is 1e-4), ``max_iter``
        (default 10000; scikit-learn's 1000), ``selection`` (``"cyclic"`` or
        ``"random"``) and ``random_state``, ``sample_weight`` (normalized to
        sum to ``n_samples``, as scikit-learn's estimators pass it),
        ``do_screening`` (accepted: fastreg's screening is safe and always
        on), and for sparse ``X`` ``X_offset``/``X_scale``: ``X`` is then
        centered implicitly by ``X_offset`` (which must be its column means,
        weighted by ``sample_weight``, as scikit-learn's callers pass them)
        and ``X_scale`` must be ones. Any other name is a ``ValueError``.

    Returns
    -------
    alphas : ndarray of shape (n_alphas,)
    coefs : ndarray of shape (n_features, n_alphas) or (n_targets, n_features, n_alphas)
    dual_gaps : ndarray of shape (n_alphas,)
        Duality gaps divided by ``n_samples``.
    n_iters : list of int
        Only with ``return_n_iter``.

    Examples
    --------
    >>> import numpy as np, fastreg
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((100, 20)); y = X[:, 0] + 0.1 * rng.standard_normal(100)
    >>> alphas, coefs, gaps = fastreg.lasso_path(X, y, alphas=10)
    >>> coefs.shape
    (20, 10)
    """
    unknown = set(params) - set(_SOLVER_PARAMS)
    if unknown:
        raise ValueError("Unexpected parameters in params", sorted(unknown))
    opts = {**_SOLVER_PARAMS, **params}
    count = 100
    if not (isinstance(n_alphas, str) and n_alphas == "deprecated"):
        warnings.warn(  # scikit-learn's deprecation, with its versions
            "'n_alphas' was deprecated in 1.9 and will be removed in 1.11 (scikit-learn's versions): 'alphas' "
            "accepts an integer, the number of alphas; pass alphas=n_alphas instead.",
            FutureWarning,
            stacklevel=2,
        )
        count = n_alphas
    if isinstance(alphas, str) and alphas == "warn":
        alphas = count
    elif alphas is None:
        warnings.warn(
            "'alphas=None' is deprecated and will be removed in 1.11 (scikit-learn's versions); it means "
            "alphas=100. Set 'alphas=100' to silence this warning.",
            FutureWarning,
            stacklevel=2,
        )
        alphas = count
    l1_ratio = check_l1_ratio(l1_ratio)
    check_bool(copy_X, "copy_X")
    check_input = check_bool(check_input, "check_input")
    positive = check_bool(positive, "positive")
    standardize = check_bool(standardize, "standardize")
    return_n_iter = check_bool(return_n_iter, "return_n_iter")
    tol = float(check_scalar(opts["tol"], "tol"))
    max_iter = check_scalar(opts["max_iter"], "max_iter", low=1, integer=True)
    selection = check_selection(opts["selection"])
    seed = -1 if selection == "cyclic" else int(check_random_state(opts["random_state"]).randint(2**31 - 1))
    gram = None if isinstance(precompute, str) and precompute == "auto" else check_precompute(precompute)
    if isinstance(gram, bool):
        precompute, gram = gram, None

    X, y = validate_xy(X, y, "csr", multi_output=True, check_finite=check_input)
    n, p = X.shape
    if y.ndim == 2 and positive:
        raise ValueError("positive=True is not allowed for multi-output (y.ndim != 1)")
    bounds = check_penalty_params(p, penalty_factor, lower_bounds, upper_bounds)
    if y.ndim == 2 and (standardize or any(v is not None for v in bounds.values())):
        raise ValueError("penalty_factor, lower_bounds, upper_bounds and standardize need 1-D y (the multi-task "
                         "path has none)")
    sample_weight = check_sample_weight(opts["sample_weight"], X)
    scale = feature_scales(X, sample_weight) if standardize else None
    penalty = make_penalty(p, **bounds, positive=positive, scale=scale)
    fit_intercept = _centering_offsets(X, opts["X_offset"], opts["X_scale"], sample_weight)
    if _is_count(alphas):  # scikit-learn's grid here: of X and y as given (no centering, no weights)
        alphas = geometric_grid(_raw_alpha_max(X, y, Xy, l1_ratio, penalty, eps, alphas), eps, alphas)
    if y.ndim == 2:
        problem = MultiTaskProblem(X, y, fit_intercept, sample_weight)
        alphas = _path_alphas(alphas, problem, l1_ratio, eps, penalty)
        with progress(alphas.shape[0], "path", bool(verbose)) as bar:
            coefs, gaps, n_iters, unconverged = problem.path(
                alphas, l1_ratio, tol=tol, max_iter=max_iter, coef_init=_check_coef_init(coef_init, p, y.shape[1]),
                bar=bar, seed=seed,
            )
        _warn_unconverged(unconverged, alphas.shape[0], max_iter)
        return (alphas, coefs, gaps, n_iters) if return_n_iter else (alphas, coefs, gaps)
    coef_init = _check_coef_init(coef_init, p)
    if gram is not None:
        engine = PathEngine.given_gram(gram, Xy, X, y, fit_intercept, sample_weight)
    else:
        engine = PathEngine(X, y, fit_intercept, precompute, sample_weight)
    alphas = _path_alphas(alphas, engine, l1_ratio, eps, penalty)
    with progress(alphas.shape[0], "path", bool(verbose)) as bar:
        coefs, _, gaps, n_iters, unconverged = run_path(
            engine, alphas, l1_ratio, tol, max_iter, penalty, coef_init, bar, seed
        )
    _warn_unconverged(unconverged, alphas.shape[0], max_iter)
    coefs = coefs.astype(X.dtype, copy=False)
    if return_n_iter:
        return alphas, coefs, gaps, [int(k) for k in n_iters]
    return alphas, coefs, gaps


def _raw_alpha_max(X, y, Xy, l1_ratio, penalty, eps, n_alphas):
    """``αmax`` of ``X`` and ``y`` as given (rows of ``XᵀY`` by their norms for 2-D ``y``).

    scikit-learn's ``enet_path`` grid: even with ``X_offset`` or
    ``sample_weight`` it is formed from the uncentered, unweighted data (its
    estimators pass their own grids).
    """
    l1_ratio, eps, n_alphas = check_grid_params(l1_ratio, eps, n_alphas)
    q = np.asarray(X.T @ y, dtype=np.float64) if Xy is None else np.asarray(Xy, dtype=np.float64)
    if y.ndim == 2:  # the group penalty: each row of XᵀY by its norm
        return float(np.sqrt(np.max(np.einsum("ij,ij->i", q, q), initial=0.0))) / (X.shape[0] * l1_ratio)

    def raw_cross_gram(cols):
        cols_X = X[:, cols].toarray() if sp.issparse(X) else X[:, cols]
        return np.asarray(X.T @ cols_X, dtype=np.float64)

    return penalty.alpha_max(q.ravel(), X.shape[0], l1_ratio, raw_cross_gram)


def _centering_offsets(X, X_offset, X_scale, sample_weight):
    """Whether scikit-learn's ``X_offset`` asks to center sparse ``X`` implicitly (by its own column means).

    Dense ``X`` ignores ``X_offset`` (as scikit-learn: the caller centered it).
    """
    if X_offset is None or not sp.issparse(X):
        return False
    p = X.shape[1]
    offset = np.asarray(X_offset, dtype=np.float64).ravel()
    scale = np.ones(p) if X_scale is None else np.asarray(X_scale, dtype=np.float64).ravel()
    if offset.shape != (p,) or scale.shape != (p,):
        raise ValueError(f"X_offset and X_scale must have shape ({p},), got {offset.shape} and {scale.shape}")
    if not np.allclose(scale, 1.0):
        raise ValueError("X_scale must be ones (scikit-learn passes ones since normalize was removed)")
    means, _ = weighted_offsets(X, np.zeros(X.shape[0]), sample_weight, True)
    if not np.allclose(offset, means, rtol=1e-7, atol=1e-12 * max(1.0, float(np.max(np.abs(means), initial=0.0)))):
        raise ValueError(
            "X_offset must be the column means of X (weighted by sample_weight), as scikit-learn's callers "
            "pass them: fastreg centers sparse X implicitly by its own means"
        )
    return True


def lasso_path(
    X,
    y,
    *,
    eps=1e-3,
    n_alphas="deprecated",
    alphas="warn",
    precompute="auto",
    Xy=None,
    copy_X=True,
    coef_init=None,
    verbose=False,
    return_n_iter=False,
    positive=False,
    standardize=False,
    **params,
):
    """scikit-learn's ``lasso_path``: :func:`enet_path` with ``l1_ratio=1``.

    For each α, ``(1/2n)‖y − Xw‖² + α‖w‖₁`` (no intercept; 2-D ``y``:
    scikit-learn's multi-task Lasso). Parameters and returns are those of
    :func:`enet_path`.

    Returns
    -------
    alphas : ndarray of shape (n_alphas,)
    coefs : ndarray of shape (n_features, n_alphas) or (n_targets, n_features, n_alphas)
    dual_gaps : ndarray of shape (n_alphas,)
    n_iters : list of int
        Only with ``return_n_iter``.
    """
    return enet_path(
        X, y, l1_ratio=1.0, eps=eps, n_alphas=n_alphas, alphas=alphas, precompute=precompute, Xy=Xy,
        copy_X=copy_X, coef_init=coef_init, verbose=verbose, return_n_iter=return_n_iter, positive=positive,
        standardize=standardize, **params,
    )
