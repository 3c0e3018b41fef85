"""The ElasticNet penalty as data: one coordinate's update, the primal value and the duality gap.

Unscaled by ``n``, the objective every solver minimizes is::

    ½‖R‖² + l1·Σⱼ aⱼ|wⱼ| + ½·l2·Σⱼ bⱼwⱼ²,     lowerⱼ ≤ wⱼ ≤ upperⱼ,

``R = y_c − X_c w``. The penalty reaches the kernels as the tuple
``pen = (a, b, lower, upper, kind)``, four (p,) float64 arrays: L1 weights, L2
weights and bounds (``lower ≤ 0 ≤ upper``; ``±inf`` for none), and its
kind (:data:`UNIFORM`, :data:`UNIFORM_POSITIVE` or :data:`GENERAL`; see
:func:`make_pen`). The uniform penalty is ``a = b = 1`` with infinite
bounds; ``positive=True`` is ``lower = 0``; a feature left out of the model
has ``lower = upper = 0``.
The solvers write these rules nowhere else.
"""

import math

import numpy as np
from numba import njit

from ._config import FASTMATH

# The kind of a penalty, its tuple's last entry: kernels specialize on it outside their loops.
GENERAL = 0
UNIFORM = 1  # a = b = 1, no bounds
UNIFORM_POSITIVE = 2  # a = b = 1, lower = 0, no upper bound


@njit(cache=True, nogil=True)
def coordinate_update(z, norm, l1a, l2b, lower, upper):
    """``argmin_v ½·norm·v² − z·v + l1a·|v| + ½·l2b·v²`` over ``lower ≤ v ≤ upper``.

    The unconstrained minimizer (soft-thresholding) clipped to the box: the
    minimizer of a convex function of one variable over an interval. With
    ``z = X_jᵀR + norm·w_j`` this is coordinate descent's update of ``w_j``;
    with ``norm = 1`` and ``l2b = 0``, the proximal step of FISTA.
    """
    if z > l1a:
        v = (z - l1a) / (norm + l2b)
    elif z < -l1a:
        v = (z + l1a) / (norm + l2b)
    else:
        v = 0.0
    if v < lower:
        return lower
    if v > upper:
        return upper
    return v


@njit(cache=True, nogil=True)
def prox_vector(v, step_l1, pen, out):
    """``out[j] = coordinate_update(v[j], 1, step_l1·a_j, 0, lower_j, upper_j)``: the L1-and-box prox."""
    a, _, lower, upper, _ = pen
    for j in range(v.shape[0]):
        out[j] = coordinate_update(v[j], 1.0, step_l1 * a[j], 0.0, lower[j], upper[j])


@njit(cache=True, nogil=True, fastmath=FASTMATH)
def primal_value(R_norm2, w, idx, l1, l2, pen):
    """``½‖R‖² + l1·Σ aⱼ|wⱼ| + ½·l2·Σ bⱼwⱼ²`` over the features ``idx`` (``w[k]`` is feature ``idx[k]``)."""
    a, b, _, _, _ = pen
    s1 = 0.0
    s2 = 0.0
    for k in range(w.shape[0]):
        j = idx[k]
        s1 += a[j] * abs(w[k])
        s2 += b[j] * w[k] * w[k]
    return 0.5 * R_norm2 + l1 * s1 + 0.5 * l2 * s2


@njit(cache=True, nogil=True, fastmath=FASTMATH)
def dual_gap(R_norm2, R_dot_y, XtR, w, idx, l1, l2, pen, norms):
    """The duality gap (unscaled by ``n``) at ``w``, restricted to the features ``idx``.

    ``XtR[k] = X_cⱼᵀR`` and ``w[k]`` for feature ``j = idx[k]`` (the other
    coefficients zero: the gap of the subproblem on ``idx``); ``R_dot_y =
    Rᵀy_c``; ``norms`` the squared norms of the centered columns, by feature.

    The dual point is ``θ = s·R̃`` of the Lasso on ``[X_c; diag(√(l2·b))]``
    (ElasticNet's augmented form), so ``X̃ⱼᵀR̃ = X_cⱼᵀR − l2·bⱼwⱼ =: vⱼ``,
    and the gap is scikit-learn's formulation A generalized::

        ½‖R‖²(1 + s²) + l1Σaⱼ|wⱼ| + ½(1 + s²)·l2Σbⱼwⱼ² − s·Rᵀy_c + Σ hⱼ*(s·vⱼ)

    ``hⱼ*(v) = upperⱼ·(v − l1aⱼ)₊ + (−lowerⱼ)·(−v − l1aⱼ)₊`` is the conjugate
    of feature ``j``'s penalty and box: zero inside ``[−l1aⱼ, l1aⱼ]``, finite
    outside for a finite bound, infinite for an infinite one — which ``s ≤ 1``
    avoids (the largest such scaling); a finite bound the coefficient does
    not sit at limits ``s`` too (:func:`_scaled`). A feature without L1 weight and with an
    infinite bound on the side its ``vⱼ`` points to would force ``s = 0``; it
    is left out of ``s`` and adds ``vⱼ²/(2(‖X_cⱼ‖² + l2bⱼ))``, the decrease one
    exact update of it would bring (zero at the optimum), instead.

    Without L1 term (least squares, Ridge) the dual point is ``R`` itself
    (scikit-learn's formulation B), with the conjugate of each feature's L2
    term on its box; a feature without L2 weight and with an infinite bound
    adds ``(X_cⱼᵀR)²`` (least squares' first-order condition, as
    scikit-learn does for ``l1 = l2 = 0``).
    """
    a, b, lower, upper, kind = pen
    k_all = w.shape[0]
    inf = math.inf
    if l1 > 0.0 and kind != GENERAL:  # the uniform penalty: no per-feature reads
        positive = kind == UNIFORM_POSITIVE
        dual_norm = 0.0
        w1 = 0.0
        w2 = 0.0
        for k in range(k_all):
            xta = XtR[k] - l2 * w[k]
            v = xta if positive else abs(xta)
            if v > dual_norm:
                dual_norm = v
            w1 += abs(w[k])
            w2 += w[k] * w[k]
        s = l1 / dual_norm if dual_norm > l1 else 1.0
        return _formula_a(R_norm2, R_dot_y, s, l1, l2, w1, w2, 0.0)
    if l1 == 0.0:
        # The dual point R itself (formulation B): the conjugate of ½·μⱼw² on
        # [lowerⱼ, upperⱼ] is v·w* − ½μⱼw*², w* = clip(v/μⱼ, box); a feature
        # without L2 weight and with an infinite bound adds (X_cⱼᵀR)² instead
        # (the first-order condition, as scikit-learn does for l1 = l2 = 0).
        w2 = 0.0
        rest = 0.0
        for k in range(k_all):
            j = idx[k]
            mu = l2 * b[j]
            w2 += mu * w[k] * w[k]
            v = XtR[k]
            lo = lower[j]
            hi = upper[j]
            if mu > 0.0:
                ws = min(max(v / mu, lo), hi)
                rest += v * ws - 0.5 * mu * ws * ws
            elif v > 0.0:
                rest += v * v if hi == inf else v * hi
            elif v < 0.0:
                rest += v * v if lo == -inf else v * lo
        if l2 == 0.0 and unbounded(lower, upper, idx):
            return rest
        return _non_negative(R_norm2 + 0.5 * w2 - R_dot_y + rest)
    s = 1.0
    w1 = 0.0
    w2 = 0.0
    special = False  # some feature without L1 weight, or with a finite bound: the second loop
    for k in range(k_all):
        j = idx[k]
        v = XtR[k] - l2 * b[j] * w[k]
        lam = l1 * a[j]
        w1 += a[j] * abs(w[k])
        w2 += b[j] * w[k] * w[k]
        hi = upper[j]
        lo = lower[j]
        if lam > 0.0:
            if v > lam:
                if _scaled(w[k], hi):
                    s = min(s, lam / v)
                else:
                    special = True
            elif -v > lam:
                if _scaled(w[k], lo):
                    s = min(s, lam / -v)
                else:
                    special = True
        else:
            special = True
    extra = 0.0
    for k in range(k_all if special else 0):
        j = idx[k]
        v = XtR[k] - l2 * b[j] * w[k]
        lam = l1 * a[j]
        if lam == 0.0 and ((v > 0.0 and upper[j] == inf) or (v < 0.0 and lower[j] == -inf)):
            denom = norms[j] + l2 * b[j]
            if denom > 0.0:
                extra += v * v / (2.0 * denom)
            continue
        sv = s * v
        if sv > lam and upper[j] != inf:
            extra += upper[j] * (sv - lam)
        elif -sv > lam and lower[j] != -inf:
            extra += -lower[j] * (-sv - lam)
    return _formula_a(R_norm2, R_dot_y, s, l1, l2, w1, w2, extra)


@njit(cache=True, nogil=True)
def _formula_a(R_norm2, R_dot_y, s, l1, l2, w1, w2, extra):
    """The gap of :func:`dual_gap` from its sums (``w1 = Σaⱼ|wⱼ|``, ``w2 = Σbⱼwⱼ²``) and the scaling ``s``."""
    return _non_negative(0.5 * R_norm2 * (1.0 + s * s) + l1 * w1 + 0.5 * (1.0 + s * s) * l2 * w2 - s * R_dot_y + extra)


@njit(cache=True, nogil=True, fastmath=FASTMATH)
def uniform_gap_gram(yy, q, H, w, l1, l2, positive):
    """:func:`dual_gap_gram` of the uniform penalty (``l1 > 0``) in one pass, for the epoch loops to inline.

    Scalars and plain arrays only: a call with the penalty's tuple is not
    inlined, and its reference counting costs a noticeable share of a small
    epoch (measurements: docs/design-measurements.md).
    """
    wq = 0.0
    wH = 0.0
    dual_norm = 0.0
    w1 = 0.0
    w2 = 0.0
    for k in range(w.shape[0]):
        wk = w[k]
        wq += wk * q[k]
        wH += wk * H[k]
        xta = q[k] - H[k] - l2 * wk
        v = xta if positive else abs(xta)
        if v > dual_norm:
            dual_norm = v
        w1 += abs(wk)
        w2 += wk * wk
    s = l1 / dual_norm if dual_norm > l1 else 1.0
    return _formula_a(max(yy - 2.0 * wq + wH, 0.0), yy - wq, s, l1, l2, w1, w2, 0.0)


@njit(cache=True, nogil=True, fastmath=FASTMATH)
def dual_gap_gram(yy, q, H, w, idx, l1, l2, pen, norms, scratch):
    """:func:`dual_gap` from Gram quantities: ``X_cᵀR = q − H`` (``H = Gw``), ``‖R‖² = yy − 2wᵀq + wᵀH``.

    The uniform penalty in one pass over the coordinates (the Gram solver
    evaluates a gap every epoch); otherwise ``scratch`` (k,) receives ``q − H``.
    """
    kind = pen[4]
    if l1 > 0.0 and kind != GENERAL:
        return uniform_gap_gram(yy, q, H, w, l1, l2, kind == UNIFORM_POSITIVE)
    k_all = w.shape[0]
    wq = 0.0
    wH = 0.0
    for k in range(k_all):
        wq += w[k] * q[k]
        wH += w[k] * H[k]
        scratch[k] = q[k] - H[k]
    return dual_gap(max(yy - 2.0 * wq + wH, 0.0), yy - wq, scratch[:k_all], w, idx, l1, l2, pen, norms)


@njit(cache=True, nogil=True)
def unbounded(lower, upper, idx):
    """Whether no feature of ``idx`` has a finite bound (least squares' gap is then its first-order condition)."""
    for k in range(idx.shape[0]):
        j = idx[k]
        if lower[j] != -math.inf or upper[j] != math.inf:
            return False
    return True


@njit(cache=True, nogil=True)
def _non_negative(gap):
    """A gap is ≥ 0: below is rounding (NaN, overflow's sign, passes through)."""
    if gap < 0.0:
        return 0.0
    return gap


@njit(cache=True, nogil=True, fastmath=FASTMATH)
def dual_scale(XtR, w, idx, l1, l2, pen):
    """The ``s`` of :func:`dual_gap`: the dual point ``s·R̃`` (1 without an L1 term)."""
    a, b, lower, upper, _ = pen
    s = 1.0
    if l1 == 0.0:
        return s
    for k in range(w.shape[0]):
        j = idx[k]
        v = XtR[k] - l2 * b[j] * w[k]
        lam = l1 * a[j]
        if lam > 0.0:
            if v > lam and _scaled(w[k], upper[j]):
                s = min(s, lam / v)
            elif -v > lam and _scaled(w[k], lower[j]):
                s = min(s, lam / -v)
    return s


@njit(cache=True, nogil=True)
def _scaled(w_k, bound):
    """Whether a feature whose gradient pushes toward ``bound`` limits the dual scaling ``s`` of :func:`dual_gap`.

    An infinite bound must (else the conjugate is infinite). A finite one
    need not, and is charged in the gap instead (``hⱼ*``) — but only where the
    coefficient sits at it, as at the optimum it may: elsewhere the push is
    the iterate's distance from optimality, which scaling removes at a far
    smaller price than a bound of, say, 10⁶ times the excess (with bounds no
    coefficient reaches, the gap is then the unbounded problem's).
    """
    return bound == math.inf or bound == -math.inf or w_k != bound


@njit(cache=True, nogil=True, fastmath=FASTMATH)
def _push(v, lower_j, upper_j):
    """How far the gradient ``v`` pushes a zero coefficient out of zero inside its box (``-inf``: it cannot move)."""
    up = v if upper_j > 0.0 else -math.inf
    down = -v if lower_j < 0.0 else -math.inf
    return max(up, down)


@njit(cache=True, nogil=True, fastmath=FASTMATH)
def violations(XtR, w, idx, l1, l2, pen):
    """Each coordinate's ``push(X_cⱼᵀR − l2·bⱼwⱼ) − l1·aⱼ``: a zero coefficient's distance to optimality.

    One pass over ``idx`` with no temporaries (:meth:`fastreg.penalty.Penalty.violation`).
    """
    a, b, lower, upper, _ = pen
    out = np.empty(w.shape[0])
    for k in range(w.shape[0]):
        j = idx[k]
        out[k] = _push(XtR[k] - l2 * b[j] * w[k], lower[j], upper[j]) - l1 * a[j]
    return out


@njit(cache=True, nogil=True, fastmath=FASTMATH)
def screen(XtR, w, idx, norms, l1, l2, s, radius, pen):
    """Gap-safe screening's mask: ``s·push(vⱼ) + radius·√(‖X_cⱼ‖² + l2·bⱼ) ≥ l1·aⱼ``, or ``wⱼ ≠ 0``.

    ``norms`` restricted to ``idx`` as ``XtR`` and ``w`` are
    (:meth:`fastreg.penalty.Penalty.safe_keep`).
    """
    a, b, lower, upper, _ = pen
    keep = np.empty(w.shape[0], dtype=np.bool_)
    for k in range(w.shape[0]):
        j = idx[k]
        reach = s * _push(XtR[k] - l2 * b[j] * w[k], lower[j], upper[j]) + radius * math.sqrt(norms[k] + l2 * b[j])
        keep[k] = reach >= l1 * a[j] or w[k] != 0.0
    return keep


@njit(cache=True, nogil=True)
def safe_keep_mask(XtR, w, idx, norms, l1, l2, gap, pen, estimate):
    """Gap-safe screening's mask over ``idx`` (:meth:`fastreg.penalty.Penalty.safe_keep`).

    All kept without L1 term or when the gap is an ``estimate``; else
    :func:`screen` at the dual scaling :func:`dual_scale` and the radius ``√(2·gap)``.
    """
    if l1 <= 0.0 or estimate:
        return np.ones(w.shape[0], dtype=np.bool_)
    s = dual_scale(XtR, w, idx, l1, l2, pen)
    return screen(XtR, w, idx, norms, l1, l2, s, math.sqrt(2.0 * max(gap, 0.0)), pen)


@njit(cache=True, nogil=True)
def gap_and_objective(R_norm2, R_dot_y, XtR, w, idx, l1, l2, pen, norms):
    """``(gap, objective, w[idx])``: :func:`dual_gap` and :func:`primal_value` of the (sub)problem on ``idx``.

    ``w`` is the whole coefficient vector; its entries on ``idx`` are gathered here.
    """
    w_idx = np.empty(idx.shape[0])
    for k in range(idx.shape[0]):
        w_idx[k] = w[idx[k]]
    return (dual_gap(R_norm2, R_dot_y, XtR, w_idx, idx, l1, l2, pen, norms),
            primal_value(R_norm2, w_idx, idx, l1, l2, pen), w_idx)


def uniform_penalty(p, positive=False):
    """``pen`` of the uniform penalty: ``a = b = 1``, no bounds (``lower = 0`` when ``positive``)."""
    ones = np.ones(p)
    lower = np.zeros(p) if positive else np.full(p, -np.inf)
    return ones, ones, lower, np.full(p, np.inf), UNIFORM_POSITIVE if positive else UNIFORM


def make_pen(a, b, lower, upper):
    """``pen`` of these arrays (float64, length p), its kind found here, once."""
    a, b, lower, upper = (np.ascontiguousarray(v, dtype=np.float64) for v in (a, b, lower, upper))
    kind = GENERAL
    if np.all(a == 1.0) and np.all(b == 1.0) and np.all(upper == np.inf):
        if np.all(lower == -np.inf):
            kind = UNIFORM
        elif np.all(lower == 0.0):
            kind = UNIFORM_POSITIVE
    return a, b, lower, upper, kind
