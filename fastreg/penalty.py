"""Per-feature penalty weights and bounds: the penalty every Lasso/ElasticNet solver receives.

Objective (unscaled by ``n``; ``l1 = nαρ``, ``l2 = nα(1 − ρ)``)::

    ½‖y_c − X_c w‖² + l1·Σⱼ aⱼ|wⱼ| + ½·l2·Σⱼ bⱼwⱼ²,     lowerⱼ ≤ wⱼ ≤ upperⱼ

The public parameters map onto it once, here (:func:`make_penalty`):

- ``penalty_factor`` ``f`` multiplies feature ``j``'s whole penalty, as
  glmnet's ``penalty.factor`` (``aⱼ = bⱼ = fⱼ``): ``0`` leaves it
  unpenalized, ``inf`` leaves it out (``wⱼ = 0`` exactly, ``lowerⱼ = upperⱼ =
  0``). No rescaling (glmnet rescales the factors to sum to ``p``).
- ``lower_bounds``/``upper_bounds`` are the box; ``positive=True`` is ``lower = 0``.
- ``standardize=True`` scales the weights by the column spreads ``σⱼ``:
  ``aⱼ = fⱼσⱼ``, ``bⱼ = fⱼσⱼ²`` (constant columns left out), as glmnet.

The kernels take ``Penalty.pen``, the tuple ``(a, b, lower, upper)``, and
its rules in :mod:`fastreg.kernels.penalty`; the Python parts of the solvers
(working sets, screening, αmax, extrapolation) use the methods here.
"""

import numbers

import numpy as np

from .kernels.penalty import GENERAL, dual_gap, make_pen, primal_value, safe_keep_mask, uniform_penalty, violations

__all__ = ["Penalty", "make_penalty"]


class Penalty:
    """Per-feature L1 weights ``a``, L2 weights ``b`` and bounds, as float64 arrays of length p.

    Attributes
    ----------
    pen : tuple
        ``(a, b, lower, upper, kind)``, what the kernels read (see
        :mod:`fastreg.kernels.penalty`).
    uniform : bool
        ``a = b = 1`` and no bounds but possibly ``lower = 0`` (``positive``).
    positive : bool
        ``lower = 0`` everywhere, ``upper = inf``.
    excluded : (p,) bool
        Features fixed at zero (``lower = upper = 0``).
    open_unpenalized : (u,) int64
        The features without L1 weight with some infinite bound
        (:attr:`free_unpenalized` among them). Their dual constraint has no
        slack on the infinite side, so the duality gap is a bound only where
        they are at their exact block optimum
        (:func:`fastreg.solvers._linalg.unpenalized_block`).
    unpenalized_free : bool
        Some such feature exists: gap-safe screening is then off.
    bounded : bool
        Some feature that is not left out has a finite bound.
    boxed : bool
        Some bound is finite and not 0: a non-zero coefficient can sit at it
        (the Newton steps on the support then hold it there).
    """

    def __init__(self, a, b, lower, upper):
        self.pen = make_pen(a, b, lower, upper)
        a, b, lower, upper, _ = self.pen
        self.p = a.shape[0]
        self.excluded = (lower == 0.0) & (upper == 0.0)
        self.positive = bool(np.all(lower == 0.0) and np.all(upper == np.inf))
        self.uniform = self.pen[4] != GENERAL
        self.open_unpenalized = np.flatnonzero((a == 0.0) & ((lower == -np.inf) | (upper == np.inf)) & ~self.excluded)
        self.unpenalized_free = bool(self.open_unpenalized.size)
        live = ~self.excluded
        self.bounded = bool(np.any(np.isfinite(lower[live])) or np.any(np.isfinite(upper[live])))
        self.boxed = bool(np.any(np.isfinite(lower) & (lower != 0.0)) or np.any(np.isfinite(upper) & (upper != 0.0)))

    @classmethod
    def uniform_of(cls, p, positive=False):
        """The uniform penalty (``positive``: non-negative coefficients)."""
        return cls(*uniform_penalty(p, positive)[:4])

    # --------------------------------------------------------------- values

    def value(self, w, l1, l2, idx=None):
        """``l1·Σaⱼ|wⱼ| + ½·l2·Σbⱼwⱼ²`` (over ``idx`` when given, ``w`` restricted to it)."""
        return primal_value(0.0, w, self._idx(idx, w), l1, l2, self.pen)

    def objective(self, R_norm2, w, l1, l2, idx=None):
        """``½‖R‖²`` plus :meth:`value`."""
        return primal_value(R_norm2, w, self._idx(idx, w), l1, l2, self.pen)

    def gap(self, R_norm2, R_dot_y, XtR, w, l1, l2, norms, idx=None):
        """The duality gap (unscaled) of the (sub)problem on ``idx``: :func:`fastreg.kernels.penalty.dual_gap`."""
        return dual_gap(R_norm2, R_dot_y, XtR, w, self._idx(idx, w), l1, l2, self.pen, norms)

    def _idx(self, idx, w):
        if idx is None:
            if w.shape[0] != self.p:
                raise ValueError("idx is needed for a restricted w")
            return np.arange(self.p, dtype=np.int64)
        return idx

    # --------------------------------------------------------------- the solvers' choices

    def clip(self, w, idx):
        """``w`` (restricted to ``idx``) projected onto the box, a new array."""
        return np.clip(w, self.pen[2][idx], self.pen[3][idx])

    def directional(self, v, idx=None):
        """How far the gradient ``v = X_cᵀR − l2·b∘w`` pushes each zero coefficient out of zero.

        ``max(v if upper > 0, −v if lower < 0)`` (``−inf`` where the box is
        ``[0, 0]``): the quantity compared with ``l1·aⱼ`` by αmax, the working
        sets and screening: :func:`fastreg.kernels.penalty.violations` at
        ``w = 0`` without penalty, where the rule is written.
        """
        v = np.ascontiguousarray(v, dtype=np.float64)
        return violations(v, np.zeros(v.shape[0]), self._idx(idx, v), 0.0, 0.0, self.pen)

    @property
    def free_unpenalized(self):
        """Indices of the features without L1 weight and without any finite bound.

        The solvers minimize over them exactly (a small least-squares block)
        before each full duality gap: their part of the dual constraint,
        ``X_cⱼᵀθ = 0``, then holds and the gap is a bound again.
        """
        a, _, lower, upper, _ = self.pen
        return np.flatnonzero((a == 0.0) & (lower == -np.inf) & (upper == np.inf))

    def block_inverse(self, G_UU, l2, U):
        """``(G_UU + l2·diag(b_U))⁺``: the exact step of the free unpenalized block (minimum norm if singular)."""
        return np.linalg.pinv(G_UU + np.diag(l2 * self.pen[1][U]))

    def l2_factors(self):
        """The L2 weights as a generalized Ridge's ``penalty_factor`` (``inf`` for features left out)."""
        return np.where(self.excluded, np.inf, self.pen[1])

    @property
    def unpenalized(self):
        """Indices of the features without L1 weight (and not left out)."""
        return np.flatnonzero((self.pen[0] == 0.0) & ~self.excluded)

    def alpha_max(self, q, n, l1_ratio, cross_gram=None):
        """The smallest α at which every penalized coefficient is zero, from ``q = X_cᵀy_c`` (p,) or (p, k).

        ``max over penalized j of directional(qⱼ)/(n·ρ·aⱼ)`` (scikit-learn's
        ``max|X_cᵀy_c|/(nρ)`` for the uniform penalty; ``0`` when no feature
        can move). With unpenalized features (``aⱼ = 0``) the model at αmax
        is their least-squares fit (within their bounds), as glmnet's null
        model: ``q`` is then taken at its residual, ``q − X_cᵀX_cU·v``, which
        needs ``cross_gram(U)``, the (p, |U|) ``X_cᵀX_cU`` (weighted as ``q``).
        """
        q = np.asarray(q, dtype=np.float64)
        q = q[:, None] if q.ndim == 1 else q
        U = self.unpenalized
        if U.size and cross_gram is not None:
            C = np.asarray(cross_gram(U), dtype=np.float64).reshape(self.p, U.size)
            q = q - C @ _bounded_lstsq(C[U], q[U], self.pen[2][U], self.pen[3][U])
        a = self.pen[0]
        penalized = (a > 0.0) & ~self.excluded
        if not np.any(penalized):
            return 0.0
        push = np.max(np.stack([self.directional(q[:, t]) for t in range(q.shape[1])]), axis=0)[penalized]
        top = float(np.max(push / a[penalized], initial=0.0))
        return max(top, 0.0) / (n * l1_ratio)

    def violation(self, XtR, w, l1, l2, idx):
        """Each zero coefficient's distance to optimality, ``directional(X_cᵀR − l2·b∘w) − l1·a`` (working-set scores)."""
        return violations(XtR, w, idx, l1, l2, self.pen)

    def safe_keep(self, XtR, w, norms, l1, l2, gap, idx):
        """Gap-safe screening (Fercoq, Gramfort & Salmon 2015): which of ``idx`` may be non-zero.

        The dual optimum lies within ``√(2·gap)`` of the dual point ``s·R̃``,
        so feature ``j`` is zero at the optimum when ``s·directional(vⱼ) +
        ‖x̃ⱼ‖√(2·gap) < l1·aⱼ`` (``‖x̃ⱼ‖² = ‖X_cⱼ‖² + l2·bⱼ``). Features
        currently non-zero are kept; nothing is screened without L1 term or
        when the gap is an estimate (:attr:`unpenalized_free`).
        """
        return safe_keep_mask(XtR, w, idx, norms, l1, l2, gap, self.pen, self.unpenalized_free)


def _bounded_lstsq(G, q, lower, upper):
    """``argmin ½vᵀGv − qᵀv`` over the box, for each column of ``q`` (``G`` small, positive semi-definite)."""
    from scipy.optimize import lsq_linear

    lam, V = np.linalg.eigh(G)
    keep = lam > lam.max(initial=0.0) * 1e-12
    if not np.any(keep):
        return np.zeros((G.shape[0], q.shape[1]))
    A = np.sqrt(lam[keep])[:, None] * V[:, keep].T  # AᵀA = G on its range
    out = np.empty((G.shape[0], q.shape[1]))
    for t in range(q.shape[1]):
        b = (V[:, keep].T @ q[:, t]) / np.sqrt(lam[keep])  # Aᵀb = q on the range of G
        if np.all(np.isinf(lower)) and np.all(np.isinf(upper)):
            out[:, t] = np.linalg.lstsq(A, b, rcond=None)[0]
        else:
            out[:, t] = lsq_linear(A, b, bounds=(lower, upper)).x
    return out


def make_penalty(p, *, penalty_factor=None, lower_bounds=None, upper_bounds=None, positive=False, scale=None):
    """The :class:`Penalty` of the public parameters (validated by :func:`fastreg._validation.check_penalty_params`).

    ``scale``: ``None`` or the (p,) column spreads ``σ ≥ 0`` of
    ``standardize=True`` (:func:`fastreg._standardize.feature_scales`):
    penalizing the coefficients of the columns scaled to unit spread,
    ``σⱼwⱼ``, is the L1 weight ``aⱼ = fⱼσⱼ`` and the L2 weight
    ``bⱼ = fⱼσⱼ²`` on ``wⱼ`` itself, whose bounds stay on the original scale
    (glmnet's ``lower.limits`` are too). A column with ``σⱼ = 0`` (constant)
    is left out, coefficient exactly 0, as glmnet does.
    """
    if penalty_factor is None and lower_bounds is None and upper_bounds is None and scale is None:
        return Penalty.uniform_of(p, positive)
    f = np.ones(p) if penalty_factor is None else np.asarray(penalty_factor, dtype=np.float64)
    lower = _bound(lower_bounds, p, -np.inf)
    upper = _bound(upper_bounds, p, np.inf)
    if positive:
        lower = np.maximum(lower, 0.0)
    excluded = np.isinf(f)
    a = np.where(excluded, 0.0, f)
    b = a
    if scale is not None:
        scale = np.asarray(scale, dtype=np.float64)
        excluded = excluded | (scale == 0.0)
        a = np.where(excluded, 0.0, a * scale)
        b = np.where(excluded, 0.0, a * scale)
    lower = np.where(excluded, 0.0, lower)
    upper = np.where(excluded, 0.0, upper)
    return Penalty(a, b, lower, upper)


def _bound(value, p, default):
    if value is None:
        return np.full(p, default)
    if isinstance(value, numbers.Real):
        return np.full(p, float(value))
    return np.asarray(value, dtype=np.float64)
