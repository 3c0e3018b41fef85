"""LARS (scikit-learn's ``lars_path``) as a start for coordinate descent, for any per-feature penalty.

Near interpolation coordinate descent crawls while the homotopy follows the
path's kinks exactly (see :func:`fastreg.solvers.cd._homotopy_start`). LARS
solves the uniform Lasso; :class:`LassoForm` writes the problem of a
:class:`~fastreg.penalty.Penalty` as one:

- a penalized feature's column is scaled by ``1/aⱼ``: with ``vⱼ = aⱼwⱼ`` the
  weighted L1 term ``l1·Σaⱼ|wⱼ|`` is ``l1·Σ|vⱼ|``, and the L2 term
  ``½·l2·Σbⱼwⱼ²`` is ``½·l2·Σ(bⱼ/aⱼ²)vⱼ²`` (ElasticNet goes through the Gram,
  where that is a diagonal added to it);
- unpenalized features (``aⱼ = 0``) are minimized over exactly: projected
  out of the columns and of ``y`` (from the Gram, its Schur complement), and
  recovered from the others' coefficients afterwards;
- sign constraints (``lower = 0`` or ``upper = 0``) are LARS's ``positive``
  when every penalized feature has one (a non-positive feature's column is
  flipped).

Other bounds are not LARS's: its answer is clipped into the box by the
caller and kept only if it lowers the objective. Where it lies inside the
box it is the bounded problem's optimum too (the problem is convex), which
covers the common case of bounds the optimum does not reach.
"""

import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import lars_path, lars_path_gram

from .._threads import threads_for
from ..kernels.lars import lars_grid_csc, lars_grid_dense

__all__ = ["LarsPath", "LassoForm", "homotopy_grid"]


def homotopy_grid(columns, mean, norms, y_c, n, alphas, penalty):
    """The Lasso at every α of ``alphas`` (decreasing) by one homotopy (:func:`fastreg.kernels.lars.lars_grid_dense`).

    ``columns`` is uncentered ``X``: the C-ordered transpose (p, n) of dense
    ``X``, or a scipy CSC matrix; centered on the fly with ``mean``;
    ``norms`` its centered column norms (a zero norm keeps the feature out).
    Penalty factors and sign constraints are the homotopy's column scales
    (:class:`LassoForm`). Returns ``(W, covered)``: the solutions (p, k),
    exact for the first ``covered`` α up to rounding where the problem is a
    scaled Lasso; other bounds are not the homotopy's and its answer is
    clipped into the box (exact where the box does not bind: the caller
    certifies each α). None with unpenalized features.
    """
    p = norms.shape[0]
    form = LassoForm(penalty, np.arange(p, dtype=np.int64))
    if form.U.size:
        return None
    scale = np.zeros(p)
    scale[form.F] = form.scale
    scale[norms == 0.0] = 0.0
    W = np.zeros((p, alphas.shape[0]))
    levels = np.ascontiguousarray(alphas, dtype=np.float64) * n
    y = np.ascontiguousarray(y_c, dtype=np.float64)
    max_steps = 8 * min(n, p) + 100
    # one pass over X per kink, as a Krylov iteration makes: threads on the same terms
    with threads_for(columns, krylov=True):
        if sp.issparse(columns):
            data, indices, indptr = columns.data, columns.indices, columns.indptr
            covered, _ = lars_grid_csc(np.empty((0, 0)), data, indices, indptr, mean, scale, y, levels,
                                       form.positive, max_steps, W)
        else:
            none = np.empty(0, dtype=np.int32)
            covered, _ = lars_grid_dense(columns, np.empty(0), none, none, mean, scale, y, levels, form.positive,
                                         max_steps, W)
    if penalty.bounded:
        np.clip(W, penalty.pen[2][:, None], penalty.pen[3][:, None], out=W)
    return W, covered


class LassoForm:
    """A penalty's problem over ``features`` as the uniform Lasso/ElasticNet LARS solves.

    Attributes
    ----------
    features : (k,) int64
        The features LARS sees, penalized first (``F``), then the
        unpenalized ones (``U``); features left out (``lower = upper = 0``)
        are not among them.
    positive : bool
        LARS's ``positive`` (every penalized feature sign-constrained).
    """

    def __init__(self, penalty, features):
        a, b, lower, upper, _ = penalty.pen
        features = np.asarray(features, dtype=np.int64)
        features = features[~penalty.excluded[features]]
        self.F = features[a[features] > 0.0]
        self.U = features[a[features] == 0.0]
        self.features = np.concatenate([self.F, self.U])
        nonneg, nonpos = lower[self.F] >= 0.0, upper[self.F] <= 0.0
        self.positive = bool(self.F.size) and bool(np.all(nonneg | nonpos))
        sign = np.where(nonneg, 1.0, -1.0) if self.positive else np.ones(self.F.size)
        self.scale = sign / a[self.F]  # w_F = scale∘v
        self.plain = bool(np.all(self.scale == 1.0)) and self.U.size == 0
        self.ridge_F = b[self.F] * self.scale**2  # the L2 weights of v
        self.b_U = b[self.U]
        self._back = None  # w_U as an affine function of v: (offset, matrix)

    def lasso(self, centered, y_c, alpha_min, path=False):
        """LARS's Lasso (no L2 term) at ``alpha_min`` from the centered columns (``centered(idx)``).

        Returns the coefficients of :attr:`features` (``path=True``:
        ``(alphas, coefs)`` at every kink, coefs (k, kinks)), or None if LARS
        fails. ``centered`` may return a scratch copy: it is scaled in place.
        """
        X = centered(self.F)
        if not self.plain:
            X *= self.scale
        y = y_c
        if self.U.size:
            # The unpenalized columns' range, by SVD (rank-revealing: they may be dependent).
            Q, s, Vt = np.linalg.svd(centered(self.U), full_matrices=False)
            keep = s > s[:1] * max(Q.shape) * np.finfo(np.float64).eps
            Q, s, Vt = Q[:, keep], s[keep], Vt[keep]
            C, c = Q.T @ X, Q.T @ y_c
            X -= Q @ C
            y = y_c - Q @ c
            pinv = Vt.T / s  # X_U⁺ = V·S⁻¹·Qᵀ
            self._back = (pinv @ c, -(pinv @ C))  # w_U = X_U⁺(y_c − X_F·w_F)
        n, k = X.shape
        result = _lars(lambda: lars_path(
            X, y, alpha_min=alpha_min, method="lasso", max_iter=4 * min(n, k) + 100, copy_X=False,
            return_path=path, positive=self.positive,
        ), path=path)
        if result is None:
            return None
        return (result[0], self.back(result[1])) if path else self.back(result)

    def gram(self, G, q, n, l1, l2):
        """LARS's Lasso/ElasticNet solution from ``G = X_cᵀX_c`` and ``q = X_cᵀy_c`` over :attr:`features`.

        The ElasticNet is the Lasso on ``[X_c; √l2·D]``, whose Gram is
        ``G + l2·D²`` (``lars_path_gram``); LARS on the stacked rows themselves
        stopped short of α, from the Gram it reached α (measurements:
        docs/design-measurements.md). ``G`` is not modified. Returns the
        coefficients of :attr:`features`, or None if LARS fails.
        """
        f = self.F.size
        G_FF, q_F = G[:f, :f], q[:f]
        if not self.plain:
            G_FF = G_FF * np.outer(self.scale, self.scale)
            q_F = q_F * self.scale
        gram = G_FF + np.diag(l2 * self.ridge_F) if l2 > 0.0 else G_FF
        if self.U.size:
            # Minimized over w_U exactly: w_U = M⁺(q_U − G_UF·w_F), M = G_UU + l2·diag(b_U).
            G_UF = G[f:, :f] * self.scale
            M_inv = np.linalg.pinv(G[f:, f:] + np.diag(l2 * self.b_U))
            self._back = (M_inv @ q[f:], -(M_inv @ G_UF))
            gram = gram - G_UF.T @ (M_inv @ G_UF)
            q_F = q_F - G_UF.T @ self._back[0]
        result = _lars(lambda: lars_path_gram(
            q_F, gram, n_samples=n, alpha_min=l1 / n, method="lasso", max_iter=8 * f + 100,
            copy_Gram=np.may_share_memory(gram, G), return_path=False, positive=self.positive,
        ))
        return None if result is None else self.back(result)

    def back(self, v):
        """The coefficients of :attr:`features` from LARS's ``v`` (``(F,)`` or ``(F, kinks)``), unclipped."""
        w_F = v * (self.scale if v.ndim == 1 else self.scale[:, None])
        if not self.U.size:
            return w_F
        offset, matrix = self._back
        w_U = matrix @ v + (offset if v.ndim == 1 else offset[:, None])
        return np.concatenate([w_F, w_U])


class LarsPath:
    """LARS's path, computed once for all the α of a regularization path (Lasso).

    Near interpolation every α at the small end of a path would start LARS
    again from αmax, each paying for a whole LARS run (measurements:
    docs/design-measurements.md). The first homotopy start
    instead runs LARS over every feature down to the path's last α and keeps
    its kinks; the Lasso path is linear in α between kinks (and the
    coefficients of :class:`LassoForm` are linear in LARS's), so LARS's
    solution at any α below is exact, and starts those fits (clipped into
    the box, kept if it lowers the objective; the duality gap still decides
    when to stop).
    """

    def __init__(self, alpha_min):
        self.alpha_min = alpha_min
        self.alphas = None  # LARS's kinks, decreasing (empty once tried and failed)
        self.coefs = None  # (features, kinks)
        self.features = None

    def covers(self, alpha):
        """Whether LARS's path was computed and reaches ``alpha``."""
        return self.coefs is not None and self.alphas[-1] <= alpha <= self.alphas[0]

    def at(self, alpha):
        """LARS's coefficients of ``features`` at ``alpha`` (None if its path does not reach it)."""
        if not self.covers(alpha):
            return None
        i = int(np.searchsorted(-self.alphas, -alpha))  # the first kink at or below alpha
        if i == 0 or self.alphas[i] == alpha:
            return self.coefs[:, i].copy()
        hi, lo = self.alphas[i - 1], self.alphas[i]
        t = (hi - alpha) / (hi - lo)
        return (1.0 - t) * self.coefs[:, i - 1] + t * self.coefs[:, i]


def _lars(solve, path=False):
    """The coefficients of ``solve()``, a scikit-learn LARS call, or None if it fails.

    ``path=True``: ``(alphas, coefs)`` at every kink instead (``return_path=True``).
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # LARS's notes on degenerate regressors and small residues
        try:
            result = solve()
        except (ValueError, np.linalg.LinAlgError, OverflowError, FloatingPointError):
            return None  # e.g. LARS's regularization overflowing on values near the float64 maximum
    if path:
        alphas, coefs = np.asarray(result[0], dtype=np.float64), np.asarray(result[2], dtype=np.float64)
        return (alphas, coefs) if np.all(np.isfinite(alphas)) and np.all(np.isfinite(coefs)) else None
    coef = np.asarray(result[2], dtype=np.float64).ravel()
    return coef if np.all(np.isfinite(coef)) else None
