"""The streamed route of large or memory-mapped dense ``X``: one pass over row blocks, then exact solves.

:func:`fastreg._policy.stream_route` decides when ``X`` is streamed rather
than copied; for tall ``X`` (``"gram"``) this module reads it once, in row
blocks, into the centered statistics of :mod:`fastreg.solvers.stats`
(:func:`statistics`: memory holds one block's float64 copy and the
``p × p`` Gram, whatever ``n``), and solves from them alone:

* least squares and Ridge (:func:`lstsq_from_stats`, :func:`ridge_from_stats_fit`):
  Cholesky of ``G + α·diag(f)``, the minimum-norm solution when singular,
  NNLS on a square root of the Gram for ``positive``;
* Lasso and ElasticNet (:func:`enet_from_stats_fit`): covariance coordinate
  descent (:func:`fastreg.solvers.gram_cd.enet_gram_cd`), the problem
  without L1 term by the Ridge solve, glmnet's ``standardize`` from the
  Gram's diagonal (:func:`scales_from_stats`) and the relaxed fit from
  sub-Gram least squares (:func:`support_lstsq_from_stats`, which the
  estimators blend).

Every function returns the plain results of the in-memory solver it stands
for, so the estimators store both with the same code.
"""

import warnings

import numpy as np

from .._config import get_config
from .._policy import is_memory_mapped, stream_block_rows
from ..exceptions import MemoryCopyWarning
from .cd import stack_targets
from .stats import (
    bvls_gram,
    coef_and_intercept,
    enet_from_stats,
    enet_gap,
    ridge_coef,
    ridge_from_stats,
    stream_stats,
    uncentered,
)

__all__ = [
    "enet_from_stats_fit",
    "lstsq_from_stats",
    "ridge_from_stats_fit",
    "scales_from_stats",
    "statistics",
    "support_lstsq_from_stats",
    "warn_copy",
]


def warn_copy(name, X, why, stacklevel=3):
    """A :class:`~fastreg.exceptions.MemoryCopyWarning`: ``X``, which the policy would stream, is copied.

    ``name`` is the caller's (an estimator's class name, ``"enet_path"``),
    ``why`` says which part of the fit copies it.
    """
    kind = "memory-mapped " if is_memory_mapped(X) else ""
    warnings.warn(
        f"{name}: {kind}X of {X.nbytes / 1e9:.3g} GB ({X.shape[0]} × {X.shape[1]}, {X.dtype}) would be streamed, "
        f"but {why}: this fit copies it into memory. See fastreg.set_config(memory_budget=...) and the user "
        "guide's 'Large and memory-mapped data'",
        MemoryCopyWarning,
        stacklevel=stacklevel + 1,
    )


def statistics(X, y, sample_weight, fit_intercept, *, centered=False):
    """The statistics of ``X``, ``y`` from one pass over its row blocks (:func:`fastreg.solvers.stats.stream_stats`).

    ``centered=True`` centers them even without ``fit_intercept``, then
    returns them uncentered (:func:`fastreg.solvers.stats.uncentered`) under
    the key ``"centered"`` of the result too: glmnet's scales need the
    column spreads whatever the intercept. A progress bar on stderr when
    ``fastreg.set_config(progress=True)``.
    """
    stats = stream_stats(X, y, sample_weight, fit_intercept or centered, block_rows=stream_block_rows(X),
                         show_progress=get_config()["progress"])
    if centered and not fit_intercept:
        return {**uncentered(stats), "centered": stats}
    if centered:
        stats["centered"] = stats
    return stats


def scales_from_stats(stats):
    """glmnet's column spreads ``σⱼ = √(G̃ⱼⱼ/W)`` (:func:`fastreg._standardize.feature_scales`) from centered statistics.

    An exactly constant column has an exactly zero Gram row (its shifted
    values are exact zeros), hence ``σⱼ = 0``.
    """
    centered = stats.get("centered", stats)
    return np.sqrt(np.maximum(np.diagonal(centered["G"]) / centered["W"], 0.0))


def _shaped(W, stats, fit_intercept, single):
    """``W`` (p, k) → ``(coef, intercept)`` shaped as the in-memory solvers': (p,) and a float for 1-D ``y``."""
    coef, intercept = coef_and_intercept(W, stats, fit_intercept)
    if single:
        return coef[0], float(intercept[0])
    return coef, intercept


def lstsq_from_stats(stats, *, fit_intercept, positive, single):
    """Least squares ``min Σ sᵢ(yᵢ − xᵢw − b)²`` (``w ≥ 0`` with ``positive``): ``(coef, intercept)``.

    Minimum-norm ``w`` when ``G`` is singular (:func:`fastreg.solvers.stats.ridge_from_stats`).
    """
    return _shaped(ridge_coef(stats, 0.0, positive), stats, fit_intercept, single)


def ridge_from_stats_fit(stats, alpha, *, fit_intercept, positive, penalty_factor, single):
    """Ridge ``Σ sᵢrᵢ² + α·Σⱼ fⱼwⱼ²`` of every target (``alpha`` a float or one per target).

    Returns ``(coef, intercept, n_iter, solver)`` as :func:`fastreg.solvers.ridge.ridge_fit`'s
    ``RidgeFit`` (``n_iter`` None: a direct solve).
    """
    W = ridge_coef(stats, alpha, positive, penalty_factor)  # checks the number of α
    coef, intercept = _shaped(W, stats, fit_intercept, single)
    return coef, intercept, None, "nnls" if positive else "cholesky"


def support_lstsq_from_stats(stats, j, support, lower, upper):
    """:func:`fastreg._relax.support_lstsq` of target ``j`` from the statistics: ``(coef, intercept)``.

    ``G_SS v = q_S`` (minimum-norm when singular); with bounds it violates,
    bounded least squares (BVLS) on a square root of ``G_SS``.
    """
    p = stats["G"].shape[0]
    coef = np.zeros(p)
    support = np.asarray(support, dtype=np.intp)
    if support.size:
        G = stats["G"][np.ix_(support, support)]
        q = stats["q"][support, j]
        v = ridge_from_stats(G, q[:, None], 0.0, False)[:, 0]
        lo, hi = lower[support], upper[support]
        if np.any(v < lo) or np.any(v > hi):
            v = bvls_gram(G, q, lo, hi)
        coef[support] = v
    return coef, float(stats["y_mean"][j] - stats["x_mean"] @ coef)  # 0 without intercept: zero means


def enet_from_stats_fit(stats, alpha, l1_ratio, *, fit_intercept, tol, max_iter, penalty, coef_init, seed, single):
    """ElasticNet of every target from the statistics: ``(coef, intercept, gap, n_iter, converged)``.

    As the in-memory solvers return them (one target for ``single``, else
    stacked). Without L1 term (``α·ρ = 0``, no finite bound) the problem is
    the generalized Ridge ``Σ sᵢrᵢ² + α·W·Σbⱼwⱼ²``, solved directly (its gap
    measured at the solution), as the estimators' ``"auto"`` does in memory.
    """
    k = stats["q"].shape[1]
    if alpha * l1_ratio == 0.0 and not penalty.bounded:
        factors = None if penalty.uniform else penalty.l2_factors()
        W = ridge_coef(stats, alpha * stats["W"], False, factors)
        results = []
        for j in range(k):
            w = W[:, j]
            b = float(stats["y_mean"][j] - stats["x_mean"] @ w) if fit_intercept else 0.0
            results.append((w, b, enet_gap(stats, j, w, alpha, l1_ratio, penalty), 1, True))
    else:
        results = enet_from_stats(stats, alpha, l1_ratio, fit_intercept=fit_intercept, tol=tol, max_iter=max_iter,
                                  penalty=penalty, coef_init=coef_init, seed=seed)
    if single:
        w, b, gap, n_iter, converged = results[0]
        return w, float(b), gap, n_iter, converged
    return stack_targets(results)
