"""Generalized Ridge, ``‖y_c − X_c w‖² + α·Σⱼ fⱼwⱼ²``, reduced to the standard one that every solver runs.

``f`` is ``penalty_factor``, finite ``≥ 0`` or ``inf``; the features split
into penalized (``0 < fⱼ < ∞``), unpenalized (``fⱼ = 0``) and excluded
(``fⱼ = ∞``: ``wⱼ = 0``).

- Penalized: ``vⱼ = √fⱼ·wⱼ`` turns the penalty into ``α‖v‖²`` on the
  columns ``X_cⱼ/√fⱼ``. The solvers run the standard Ridge on ``X_c·S``,
  ``S = diag(1/√f)``, and ``w = Sv``. ``S`` is folded into the operators
  (:class:`.operators.Centered`'s ``penalty_scale``) and into the primal Gram
  (``S·X_cᵀX_c·S``); only the dual Gram ``X_cS²X_cᵀ`` is formed from a scaled
  copy of ``X`` (sparse: of its stored values).
- Excluded: ``Sⱼ = 0``, so that the column drops out of the problem and
  ``wⱼ = Sⱼvⱼ = 0`` exactly, without a copy of ``X``.
- Unpenalized: they cannot be rescaled, and the dual ``X_cS²X_cᵀ + αI``
  (all that wide ``X`` can afford) has no room for them. They are projected
  out as the intercept is (Frisch–Waugh–Lovell): with ``Q`` an orthonormal
  basis of their centered columns ``X_U`` (the dense n × |U| ``X_U``, its
  small Gram's eigenvectors or its thin SVD), the other coefficients solve
  the standard Ridge on ``(I − QQᵀ)X_cS`` and ``(I − QQᵀ)y_c`` (``Sⱼ = 0`` on
  ``U``), and ``w_U = X_U⁺(y_c − X_c w)``: the minimum-norm choice when
  ``X_U`` is rank-deficient, where ``w_U`` is not unique. Cost: the basis,
  ``X_cᵀQ`` (read off the primal Gram, or the stored entries of ``X_U``, or
  one pass), and two products with ``Q`` in every product of the operator.
- CG on the normal equations and LSQR on tall ``X`` need none of this: they
  take ``X_c`` with the Ridge term ``α·diag(f)`` and Jacobi scaling
  (``Reduced(krylov=True)``).
"""

import numpy as np

from ..._validation import check_penalty_params
from .operators import Basis

__all__ = ["Factors", "make_factors"]


def make_factors(penalty_factor, p):
    """The :class:`Factors` of ``penalty_factor`` (p,), or ``None`` for the uniform penalty (``None`` or all ones).

    Checked by :func:`fastreg._validation.check_penalty_params` (a
    ``ValueError`` or ``TypeError`` naming ``penalty_factor``).
    """
    f = check_penalty_params(p, penalty_factor)["penalty_factor"]
    if f is None or np.all(f == 1.0):
        return None
    return Factors(f)


class Factors:
    """Per-feature penalty factors ``f`` split into the column scale and the unpenalized and excluded features.

    Attributes
    ----------
    f : (p,) float64
    penalty_scale : (p,) float64
        ``1/√fⱼ`` for the penalized features, 0 for the others.
    unpenalized : (u,) int64 indices, ``fⱼ = 0``
    excluded : (p,) bool, ``fⱼ = inf``
    penalized : (p,) bool
    """

    def __init__(self, f):
        self.f = f
        self.excluded = np.isinf(f)
        self.unpenalized = np.flatnonzero(f == 0.0)
        self.penalized = (f > 0.0) & ~self.excluded
        self.penalty_scale = np.zeros(f.shape[0])
        self.penalty_scale[self.penalized] = 1.0 / np.sqrt(f[self.penalized])

    def reduce(self, base, Y_c, krylov=False):
        """The standard problem of ``base`` (a :class:`.operators.Centered`) and ``Y_c``: a :class:`Reduced`.

        ``krylov``: for the primal Krylov solvers (CG on the normal equations,
        LSQR) on tall ``X``, which take the Ridge term ``α·diag(f)`` as it is.
        (Unpenalized features whose columns are linearly dependent then get
        the minimum-norm coefficients in the Jacobi-scaled variables, not in
        ``w``; the projection, kept for wide ``X`` where that is the rule
        rather than an accident, gives the minimum norm in ``w``.)
        """
        return Reduced(self, base, Y_c, krylov)


class Reduced:
    """One generalized problem as the standard Ridge of :attr:`op` and :attr:`Y`, and the way back to ``w``.

    With ``krylov`` (the primal Krylov solvers, which take a Ridge term
    ``α·diag(r)`` and always scale by Jacobi) nothing is rescaled or
    projected: ``op`` is ``X_c`` with ``ridge_weight`` ``f`` (the excluded
    columns zeroed by a ``penalty_scale`` of 0 and 1), and ``w = v``; CG's
    and LSQR's iterates are those of the rescaled problem, scaled by the
    same Jacobi diagonal, without the projection's n × |U| basis.

    Attributes
    ----------
    op : Centered
        ``(I − QQᵀ)X_cS``; with ``krylov``, ``X_c`` and the Ridge term ``α·diag(f)``.
    Y : (n, k) ndarray
        ``(I − QQᵀ)Y_c`` (``Y_c`` itself without unpenalized features).
    basis : Basis or None
        ``Q``; ``None`` without unpenalized features (or when their columns are zero).
    trivial : bool
        No penalized feature (and not ``krylov``): the standard problem's solution is zero.
    """

    def __init__(self, factors, base, Y_c, krylov=False):
        self.factors = factors
        self.base = base
        self.Y_c = Y_c
        self.basis = None
        if krylov:
            excluded = factors.excluded
            self.scale = (~excluded).astype(np.float64) if excluded.any() else None
            self.op = base.penalized(self.scale, None, np.where(excluded, 1.0, factors.f))
            self.Y = Y_c
            self.trivial = False
            return
        self.scale = factors.penalty_scale
        U = factors.unpenalized
        if U.size:
            A, block = base.columns(U)
            Q, M = _range_basis(A)
            if Q is not None:
                self.basis = Basis(Q, U, M, block)
            self._coef_map = M
        self.op = base.penalized(factors.penalty_scale, self.basis)
        self.Y = Y_c if self.basis is None else self.basis.project(Y_c)
        self.trivial = not np.any(factors.penalized)

    def coef(self, V):
        """``w`` (p, k) of the standard solution ``V`` (p, k): ``Sv``, and ``w_U = X_U⁺(y_c − X_c w)``.

        ``X_U⁺ = MQᵀ``, and ``Qᵀ(y_c − X_c w) = Qᵀy_c − (X_cᵀQ)ᵀw``: no pass
        over ``X`` where a solver has formed ``X_cᵀQ`` (:meth:`.operators.Basis.cross`),
        else one.
        """
        if self.scale is None:
            return V
        W = self.scale[:, None] * V  # zero on the excluded features (and the unpenalized, projected out)
        if self.basis is None:
            return W
        if self.basis.has_cross:  # X_cᵀQ formed by the solver
            QtR = self.basis.Q.T @ self.Y_c - self.basis.cross(self.base).T @ W
        else:  # one product with X (k columns) rather than X_cᵀQ (r columns)
            QtR = self.basis.Q.T @ (self.Y_c - self.base.centered_dot(W))
        W[self.factors.unpenalized] = self._coef_map @ QtR
        return W


# Below this condition number of X_U its basis comes from the eigenvectors of the small Gram X_UᵀX_U
# (orthonormal to about eps·κ², and w_U as accurate; the other coefficients only see the projection
# error squared), above it from the SVD of X_U, several passes over the n × |U| block.
_GRAM_BASIS_CONDITION = 1e3


def _range_basis(A):
    """``(Q, M)``: an orthonormal basis ``Q`` (n, r) of the range of ``A`` (n, u), ``None`` if ``A = 0``, and
    ``M`` (u, r) with ``A⁺ = MQᵀ``; singular values below NumPy's least-squares cutoff count as zero."""
    lam, V = np.linalg.eigh(A.T @ A)
    if lam[0] > 0.0 and lam[-1] <= _GRAM_BASIS_CONDITION**2 * lam[0]:
        sigma = np.sqrt(lam)
        return (A @ V) / sigma, V / sigma
    left, sigma, right = np.linalg.svd(A, full_matrices=False)
    keep = sigma > np.finfo(np.float64).eps * max(A.shape) * sigma[0]
    basis = np.ascontiguousarray(left[:, keep]) if np.any(keep) else None
    return basis, right[keep].T / sigma[keep]
