"""ElasticNet by covariance-form coordinate descent, from sufficient statistics only.

For ``n ≫ p`` the centered statistics ``G = X_cᵀX_c`` (p × p), ``q = X_cᵀy_c``
and ``‖y_c‖²`` carry everything the exact solver needs: the gradient
``X_cᵀR = q − Gw``, and the duality gap through

    R·y_c = ‖y_c‖² − wᵀq,        ‖R‖² = R·y_c − wᵀ(q − Gw) = ‖y_c‖² − wᵀ(q + h),

with ``h = q − Gw`` (the second form never builds ``wᵀGw`` separately; the
cancellation left is that of ``‖R‖²`` against ``‖y_c‖²``, about
``1e-16·‖y_c‖²`` absolute, well below the smallest stopping gap
``1e-13·‖y_c‖²`` of :func:`fastreg.solvers.cd.stopping_gap`).

The solver is the one the paths use, :func:`fastreg.kernels.gram.enet_gram`
(working sets, the subproblem solved until its gap is a fraction of the full
gap, scikit-learn's gap and ``tol``, the whole loop in one serial numba
kernel); this module gives it the estimators' parameters. Nothing here knows
where ``G`` came from: the Dask adapter (:mod:`fastreg.dask`) reduces it over
chunks, and the paths form it with one BLAS call.
"""

import math

import numpy as np

from ..exceptions import DivergenceError
from ..kernels.gram import enet_gram, enet_gram_path
from ..kernels.penalty import dual_gap_gram
from ..penalty import Penalty
from .cd import INNER_FRACTION, WS_PER_VIOLATOR, WS_START, free_support, newton_point, stopping_gap, toward_first_event
from ._linalg import submatrix, unpenalized_block
from ._points import PathPoints
from .homotopy import LassoForm

# A fit the kernel has not finished in this many epochs starts once from
# scikit-learn's LARS on (G, q) (as the homotopy start of solvers.cd): on
# tall, ill-conditioned data at small α, coordinate descent can stop at
# max_iter short of the optimum, where LARS is exact and cheap
# (measurements: docs/design-measurements.md).
_HOMOTOPY_AFTER_EPOCHS = 1000
# Rounds of (bounded unpenalized block, kernel) at most, alternating until
# the gap is a bound below the target (see enet_gram_cd).
_BLOCK_ROUNDS = 1000


def gram_residual_stats(q, h, w, y_norm2):
    """``(‖R‖², R·y_c)`` from the statistics, for ``w`` supported where ``q``, ``h`` are given.

    ``q``, ``h`` and ``w`` may be restricted to any set of coordinates that
    contains the support of ``w``.
    """
    wq = float(w @ q)
    R_dot_yc = y_norm2 - wq
    R_norm2 = R_dot_yc - float(w @ h)
    return max(R_norm2, 0.0), R_dot_yc


def enet_gram_cd(
    G, q, y_norm2, n, alpha, l1_ratio=1.0, *, tol=1e-9, max_iter=10_000, penalty=None, coef_init=None, alpha_prev=None,
    seed=-1,
):
    """Solve ElasticNet from ``G = X_cᵀX_c``, ``q = X_cᵀy_c``, ``‖y_c‖²`` and ``n``.

    The objective is scikit-learn's (the intercept eliminated by centering),
    with the per-feature weights and bounds of ``penalty``::

        (1/2n)‖y_c − X_c w‖² + α·ρ·Σaⱼ|wⱼ| + (α(1 − ρ)/2)·Σbⱼwⱼ²,   lower ≤ w ≤ upper

    With sample weights ``s``, pass the weighted statistics ``X̃ᵀX̃``, ``X̃ᵀỹ``
    (``X̃ = D(X − x̄)``, ``D = diag(√s)``) and ``n = Σs``: that is
    scikit-learn's ``(1/(2Σs)) Σ sᵢ rᵢ²``.

    Parameters
    ----------
    G : (p, p) float64, symmetric positive semi-definite
    q : (p,) float64
    y_norm2 : float, ``‖y_c‖²``
    n : float > 0, number of samples (or sum of the weights)
    alpha : float >= 0
    l1_ratio : float in [0, 1]
    tol : float
        Stop when the duality gap ``≤ tol·‖y_c‖²`` (scikit-learn's rule), or
        earlier relative to the objective (:func:`~fastreg.solvers.cd.stopping_gap`).
    max_iter : int
        Maximum number of epochs over working sets.
    penalty : fastreg.penalty.Penalty or None
        Per-feature weights and bounds (None: the uniform penalty).
    coef_init : (p,) array or None
    alpha_prev : float or None
        The α ``coef_init`` solved (along a path): its gradient gives the
        sequential strong set, which joins the first working set.
    seed : int, default=-1
        ``≥ 0``: visit the coordinates in random order (scikit-learn's
        ``selection="random"``), reproducibly from this seed; ``-1``: cyclic.

    Returns
    -------
    coef : (p,) float64
    gap : float, the final duality gap divided by ``n`` (scikit-learn's ``dual_gap_``)
    n_iter : int, epochs run
    converged : bool
    """
    G, q, y_norm2, penalty, w = _prepared(G, q, y_norm2, penalty, coef_init)
    p = q.shape[0]
    l1 = alpha * l1_ratio * n
    l2 = alpha * (1.0 - l1_ratio) * n
    tol_abs = tol * y_norm2
    strong_l1 = _strong_l1(alpha, alpha_prev, l1_ratio, n)
    max_iter = int(max_iter)

    free = penalty.free_unpenalized
    free_inv = penalty.block_inverse(G[np.ix_(free, free)], l2, free) if free.size else np.empty((0, 0))

    def run(epochs, strong):
        return enet_gram(
            G, q, y_norm2, w, l1, l2, penalty.pen, *_targets(tol, y_norm2), epochs, strong,
            WS_START, INNER_FRACTION, WS_PER_VIOLATOR, seed, free, free_inv,
        )

    if not _finite(G, q, y_norm2):
        raise _overflow()  # the statistics overflowed: no epoch could give a finite gap
    first = _first_round(max_iter, l1 > 0.0)
    gap, n_iter = run(first, strong_l1)
    if n_iter >= first and first < max_iter:  # not finished: the homotopy start, then the rest
        start = _homotopy_start(G, q, n, l1, l2, penalty)
        if start is not None and _gram_primal(G, q, y_norm2, start, l1, l2, penalty) < _gram_primal(
                G, q, y_norm2, w, l1, l2, penalty):
            w[:] = start
        while True:  # Newton on the support between rounds of CD, until CD finishes
            step = _support_newton(G, q, y_norm2, w, l1, l2, penalty)
            if step is not None:
                w[:] = step
            budget = min(max_iter - n_iter, _HOMOTOPY_AFTER_EPOCHS)
            gap, more = run(budget, -1.0)
            n_iter += more
            if more < budget or n_iter >= max_iter:
                break
    half = penalty.open_unpenalized
    if half.size > free.size:
        # Unpenalized features with one finite bound: the kernel's gap is an
        # estimate for them (it minimizes exactly over the free ones only).
        # Their bounded block exactly, then the gap, until the gap is a bound
        # below the target; the kernel's rounds in between.
        block = unpenalized_block(penalty, G[np.ix_(half, half)], l2, half)
        norms = np.ascontiguousarray(np.diagonal(G))
        every = np.arange(p, dtype=np.int64)
        def certified():
            step = block(q[half] - G[half] @ w, w[half])
            w[half] += step
            gap = dual_gap_gram(y_norm2, q, G @ w, w, every, l1, l2, penalty.pen, norms, np.empty(p))
            return gap, gap <= stopping_gap(tol, tol_abs, y_norm2, _gram_primal(G, q, y_norm2, w, l1, l2, penalty)), step

        for _ in range(_BLOCK_ROUNDS):
            gap, done, step = certified()
            if done or n_iter >= max_iter:
                break
            _, more = run(max_iter - n_iter, -1.0)
            n_iter += more
            if more == 0 and not np.any(step):
                break  # neither moves: the kernel's gap and this one agree
        else:
            gap = certified()[0]  # at the point returned
    if not math.isfinite(gap):
        raise _overflow()
    return w, gap / n, n_iter, gap <= tol_abs


def enet_gram_path_cd(G, q, y_norm2, n, alphas, l1_ratio, *, tol, max_iter, penalty=None, coef_init=None,
                      alpha_prev=None, seed=-1):
    """The α of a path (decreasing) by :func:`enet_gram_cd`'s kernel, the α loop in numba.

    Solves, warm-started from ``coef_init`` then from each α's solution, the
    α that the kernel finishes within :func:`enet_gram_cd`'s first round
    (``_HOMOTOPY_AFTER_EPOCHS``); it stops at the first that does not, which
    the caller fits by :func:`enet_gram_cd` (its homotopy start and Newton
    steps). Returns :class:`~fastreg.solvers._points.PathPoints` (the solved
    α are a prefix), or None where the problem needs :func:`enet_gram_cd`'s
    Python steps at every α (unpenalized features with one finite bound, or
    free unpenalized features under an ElasticNet penalty).
    """
    G, q, y_norm2, penalty, w = _prepared(G, q, y_norm2, penalty, coef_init)
    p, k = q.shape[0], alphas.shape[0]
    free = penalty.free_unpenalized
    if penalty.open_unpenalized.size > free.size or (free.size and l1_ratio != 1.0):
        return None
    if not _finite(G, q, y_norm2):
        return None  # enet_gram_cd raises the overflow error
    free_inv = penalty.block_inverse(G[np.ix_(free, free)], 0.0, free) if free.size else np.empty((0, 0))
    alphas = np.asarray(alphas, dtype=np.float64)
    l1s, l2s = alphas * (l1_ratio * n), alphas * ((1.0 - l1_ratio) * n)
    W, gaps, n_iters = np.zeros((p, k)), np.full(k, np.inf), np.zeros(k, dtype=np.int64)
    targets = _targets(tol, y_norm2)
    done = enet_gram_path(
        G, q, y_norm2, w, l1s, l2s, penalty.pen, *targets, _first_round(max_iter, l1_ratio > 0.0),
        _strong_l1(alphas[0], alpha_prev, l1_ratio, n), WS_START, INNER_FRACTION, WS_PER_VIOLATOR, seed, free,
        free_inv, W, gaps, n_iters,
    )
    solved = np.arange(k) < done
    return PathPoints(W, gaps / n, n_iters, gaps <= targets[0], solved, np.zeros(k, dtype=bool))


def _prepared(G, q, y_norm2, penalty, coef_init):
    """The statistics as the kernels take them, the penalty (uniform for None), and the start clipped into its box."""
    G = np.ascontiguousarray(G, dtype=np.float64)
    q = np.ascontiguousarray(q, dtype=np.float64)
    p = q.shape[0]
    penalty = Penalty.uniform_of(p) if penalty is None else penalty
    w = np.zeros(p) if coef_init is None else penalty.clip(
        np.array(coef_init, dtype=np.float64).reshape(p), np.arange(p))
    return G, q, float(y_norm2), penalty, w


def _finite(G, q, y_norm2):
    """Whether the statistics are finite (else they overflowed: no epoch could give a finite gap)."""
    return math.isfinite(y_norm2) and bool(np.all(np.isfinite(q))) and bool(np.all(np.isfinite(np.diagonal(G))))


def _targets(tol, y_norm2):
    """The kernel's stopping rule: scikit-learn's ``tol·‖y_c‖²``, and ``10⁻³·tol`` of the objective no lower
    than ``10⁻¹³·‖y_c‖²`` (see :func:`fastreg.solvers.cd.stopping_gap`)."""
    return tol * y_norm2, 1e-3 * tol, 1e-13 * y_norm2


def _strong_l1(alpha, alpha_prev, l1_ratio, n):
    """The sequential strong rule's threshold ``(2α − α_prev)·ρ·n`` (−1: no previous α, no strong set)."""
    return (2.0 * alpha - alpha_prev) * l1_ratio * n if alpha_prev is not None else -1.0


def _first_round(max_iter, penalized):
    """Epochs before the homotopy start and the Newton steps take over (all of them without an L1 term)."""
    return min(int(max_iter), _HOMOTOPY_AFTER_EPOCHS) if penalized else int(max_iter)


def _overflow():
    return DivergenceError(
        "Coordinate descent iterations resulted in non-finite parameter values (overflow: the values of X or y "
        "are too large for float64); rescale X and y"
    )


def _homotopy_start(G, q, n, l1, l2, penalty):
    """LARS's solution from the statistics (:class:`~fastreg.solvers.homotopy.LassoForm`), clipped into the box, or None."""
    form = LassoForm(penalty, np.flatnonzero(np.diagonal(G) > 0.0))
    if form.F.size == 0:
        return None
    idx = form.features
    coef = form.gram(G[np.ix_(idx, idx)], q[idx], n, l1, l2)
    if coef is None:
        return None
    w = np.zeros(q.shape[0])
    w[idx] = penalty.clip(coef, idx)
    return w


def _support_newton(G, q, y_norm2, w, l1, l2, penalty):
    """Active-set Newton on the support of ``w``: a point of lower objective, or ``None``.

    On the support ``S`` with the signs ``σ`` of ``w`` fixed, and the
    coefficients at a finite bound held there (``B``, the rest ``S'``), the
    objective is the quadratic minimized by ``(G_S'S' + l2·diag(b_S')) z =
    q_S' − G_S'B·w_B − l1·a_S'∘σ`` (least squares, minimum-norm where
    ``G_S'S'`` is singular: duplicated columns at ``l2 = 0``). Moving from
    ``w`` toward ``z`` lowers it until a coordinate reaches zero or its
    bound; there that coordinate leaves ``S'`` and the step is repeated,
    until ``z`` keeps its signs and box. Coordinate descent then checks the
    result (and adds back what it needs). CD's slow modes are there: with
    duplicated columns and a small ``l2`` it contracts their difference by
    ``1 − l2/‖xⱼ‖²`` per epoch, so that ``max_iter`` epochs can end well short
    of the optimum (measurements: docs/design-measurements.md).
    """
    a, b, lower, upper, _ = penalty.pen
    x = w.copy()
    support = np.flatnonzero(x)
    for _ in range(2 * support.size):  # each cut zeroes a coefficient or holds one at a bound
        support = np.flatnonzero(x)
        held = support[~free_support(x[support], lower[support], upper[support])]
        free = np.setdiff1d(support, held, assume_unique=True)
        if free.size == 0:
            break
        signs = np.sign(x[free])
        rhs = q[free] - submatrix(G, free, held) @ x[held] if held.size else q[free]
        z = newton_point(submatrix(G, free, free), rhs, l1 * a[free], l2 * b[free], signs, min_norm=True)
        if z is None:
            return None
        moved, cut = toward_first_event(x[free], z, signs, a[free], lower[free], upper[free])
        x[free] = moved
        if not cut:
            break
    if _gram_primal(G, q, y_norm2, x, l1, l2, penalty) < _gram_primal(G, q, y_norm2, w, l1, l2, penalty):
        return x
    return None


def _gram_primal(G, q, y_norm2, w, l1, l2, penalty):
    """The objective (unscaled, :meth:`fastreg.penalty.Penalty.objective`) from the statistics."""
    return penalty.objective(gram_residual_stats(q, q - G @ w, w, y_norm2)[0], w, l1, l2)
