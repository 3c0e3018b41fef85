"""FISTA (accelerated proximal gradient) for Lasso and ElasticNet on the fused kernels.

Objective (scikit-learn's, as in :mod:`fastreg.solvers.cd`)::

    (1/2n)‖y − Xw − b‖² + α·ρ‖w‖₁ + (α(1 − ρ)/2)‖w‖²

The intercept is eliminated, ``b(w) = ȳ − x̄ᵀw``, so the smooth part is the
centered least squares ``(1/2n)‖y_c − X_c w‖²`` whatever the column means —
yet ``X`` is never centered: one fused pass at ``θ = [b(w), w]`` gives the
residual ``r = −R`` with ``Σr²`` and ``[Σr, Xᵀr]``, and
``X_cᵀR = −(Xᵀr − x̄·Σr)``. Each iteration is one pass over ``X`` (dense C
or F order, or CSR) plus a soft-thresholding step, which gives exact zeros.
The step is ``1/L``, ``L`` the largest eigenvalue of ``X_cᵀX_c/n + α(1 − ρ)``
by power iteration on the same pass. Momentum restarts when it stops helping
(O'Donoghue & Candès' gradient test). It stops on scikit-learn's duality gap,
checked every few iterations at the cost of one more pass.
"""

import functools
import math

import numpy as np
import scipy.sparse as sp

from .._preprocess import column_means, intercept_of
from .._threads import blas_threads
from ..exceptions import DivergenceError
from ..kernels.penalty import prox_vector
from ..penalty import Penalty
from ._linalg import unpenalized_block
from .cd import stopping_gap
from .fused import FusedGradient
from .._policy import c_copy_pays
from .gd import power_iteration

# Iterations between two duality-gap checks (a check costs one pass).
_GAP_EVERY = 10
# Safety margin on the power-iteration estimate of L (a lower bound).
_L_MARGIN = 1.02


def enet_fista(
    X, y, alpha, l1_ratio=1.0, *, fit_intercept=True, tol=1e-9, max_iter=10_000, penalty=None, coef_init=None
):
    """Solve ElasticNet (Lasso for ``l1_ratio=1``) by FISTA with adaptive restart.

    Parameters
    ----------
    X : float32/float64 ndarray (C or F order) or scipy CSR matrix/array (validated)
    y : (n,) float64 ndarray
    alpha : float >= 0
    l1_ratio : float in [0, 1]
    fit_intercept : bool
    tol : float
        Stop when the duality gap ``≤ tol·‖y − ȳ‖²`` (scikit-learn's rule).
    max_iter : int
        Maximum number of iterations (passes over ``X``, gap checks aside).
    penalty : fastreg.penalty.Penalty or None
        Per-feature weights and bounds (None: the uniform penalty); the
        proximal step is :func:`fastreg.kernels.penalty.prox_vector`.
    coef_init : (p,) array or None
        Warm start.

    Returns
    -------
    coef : (p,) float64
    intercept : float
    gap : float
        Final duality gap divided by ``n`` (scikit-learn's ``dual_gap_``).
    n_iter : int
    converged : bool
    """
    if c_copy_pays(X, max_iter):
        X = np.ascontiguousarray(X)  # the C kernel runs at memory speed, the F one at NumPy's
    op = CenteredPass(X, y, fit_intercept)
    # One BLAS thread: the p-long dot products between the fused passes (the
    # intercept, the restart test) would otherwise wake OpenBLAS threads that
    # spin on the cores the next pass runs on, slowing every pass
    # (measurements: docs/design-measurements.md).
    with blas_threads(1):
        return fista_loop(op, alpha, l1_ratio, tol=tol, max_iter=max_iter, penalty=penalty, coef_init=coef_init)


def fista_loop(op, alpha, l1_ratio, *, tol, max_iter, penalty, coef_init):
    """The FISTA iterations of :func:`enet_fista` on any centered pass ``op``.

    ``op`` provides ``n``, ``n_features``, ``y_norm2`` (``‖y_c‖²``),
    ``lipschitz()``, ``gradient(w)``, ``gap(w, l1, l2, penalty)`` and
    ``intercept(w)`` as :class:`CenteredPass` does (the Dask adapter passes
    one whose passes are sums over chunks). Returns what :func:`enet_fista` does.
    """
    n, p = op.n, op.n_features
    penalty = Penalty.uniform_of(p) if penalty is None else penalty
    l1 = alpha * l1_ratio
    l2 = alpha * (1.0 - l1_ratio)
    # the smooth part's curvature: the data term's L plus the largest L2 weight
    step = 1.0 / (_L_MARGIN * op.lipschitz() + l2 * float(np.max(penalty.pen[1], initial=0.0))) if n else 0.0
    y_norm2 = op.y_norm2
    tol_abs = tol * y_norm2

    w = np.zeros(p) if coef_init is None else penalty.clip(np.array(coef_init, dtype=np.float64), np.arange(p))
    z = w.copy()
    t = 1.0
    certify = _BlockCertificate(op, penalty, l2 * n)
    w_out, gap, primal = certify(w, l1 * n)
    _check_finite(gap, step, n)
    n_iter = 0
    while gap > stopping_gap(tol, tol_abs, y_norm2, primal) and n_iter < max_iter and step > 0.0:
        for _ in range(min(_GAP_EVERY, max_iter - n_iter)):
            _, grad = op.gradient(z)
            grad += l2 * penalty.pen[1] * z
            w_new = np.empty(p)
            prox_vector(z - step * grad, step * l1, penalty.pen, w_new)
            dw = w_new - w
            if float((z - w_new) @ dw) > 0.0:  # momentum points uphill: restart
                t = 1.0
            t_new = 0.5 * (1.0 + math.sqrt(1.0 + 4.0 * t * t))
            z = w_new + ((t - 1.0) / t_new) * dw
            w, t = w_new, t_new
            n_iter += 1
        w_out, gap, primal = certify(w, l1 * n)
        _check_finite(gap, step, n)
    intercept = op.intercept(w_out)
    return w_out, intercept, gap / max(n, 1), n_iter, gap <= tol_abs


class _BlockCertificate:
    """The duality gap at ``w``, or with open unpenalized features at ``w`` moved to their exact block optimum.

    Features without L1 weight and with an infinite bound make the gap at
    ``w`` an estimate (see :func:`fastreg.kernels.penalty.dual_gap`).
    Minimizing over them exactly (:func:`fastreg.solvers._linalg.unpenalized_block`,
    ``G_UU`` formed once by ``|U|`` passes) gives a point of lower objective
    whose gap is a bound; that point is what the solver returns. Returns
    ``(w', gap, primal)``.
    """

    def __init__(self, op, penalty, l2):
        self.op, self.penalty, self.l2 = op, penalty, l2
        self.free = penalty.open_unpenalized
        self.block = None
        if self.free.size:
            p = op.n_features
            G_UU = np.empty((self.free.size, self.free.size))
            for a, j in enumerate(self.free):
                e = np.zeros(p)
                e[j] = 1.0
                G_UU[:, a] = op.gram_times(e)[self.free]
            self.block = unpenalized_block(penalty, 0.5 * (G_UU + G_UU.T), l2, self.free)

    def __call__(self, w, l1):
        if self.block is not None:
            XtR = -self.op.gradient(w)[1] * self.op.n  # X_cᵀR
            free = self.free
            step = self.block(XtR[free], w[free])
            w = w.copy()
            w[free] += step
        gap, primal = self.op.gap(w, l1, self.l2, self.penalty)
        return w, gap, primal


def _check_finite(gap, step, n):
    """Overflow in X or y shows as a non-finite gap, or an infinite Lipschitz constant (step 0)."""
    if not (math.isfinite(gap) and math.isfinite(step)) or (n and step == 0.0):
        raise DivergenceError(
            "FISTA produced non-finite values: the values of X or y are too large for float64 (overflow); "
            "rescale X and y"
        )


class CenteredPass:
    """Centered least-squares quantities of ``w`` from one fused pass over uncentered ``X``."""

    def __init__(self, X, y, fit_intercept, *, x_mean=None):
        n, p = X.shape
        self.n = n
        self.fit_intercept = fit_intercept
        if fit_intercept and n:
            self.x_mean = column_means(X) if x_mean is None else x_mean  # x_mean: the caller's, already computed
            self.y_mean = float(y.mean())
        else:
            self.x_mean = np.zeros(p)
            self.y_mean = 0.0
        self.y = y
        self.y_c = y - self.y_mean
        self.n_features = p
        self.y_norm2 = float(self.y_c @ self.y_c)
        self._pass = FusedGradient(X)
        self._X = X
        self._norms = None
        self._theta = np.empty(p + 1)
        self._grad = np.empty(p + 1)

    def intercept(self, w):
        """``b(w) = ȳ − x̄ᵀw`` (0 without intercept)."""
        return intercept_of(w, self.x_mean, self.y_mean, self.fit_intercept)

    def _residual_pass(self, w, y, offset):
        theta = self._theta
        theta[0] = offset
        theta[1:] = w
        sse = self._pass(theta, y, self._grad)
        # X_cᵀr for r = offset + Xw − y, with offset making Σr ≈ 0
        xtr = self._grad[1:] - self.x_mean * self._grad[0]
        return sse, xtr

    def gradient(self, w):
        """``‖R‖²`` and the gradient ``−X_cᵀR/n`` of ``(1/2n)‖R‖²``, ``R = y_c − X_c w``."""
        sse, xtr = self._residual_pass(w, self.y, self.intercept(w))
        return sse, xtr / self.n

    def gap(self, w, l1, l2, penalty):
        """The duality gap at ``w`` and the primal objective (unscaled by ``n``, as ``l1``, ``l2``)."""
        sse, xtr = self._residual_pass(w, self.y, self.intercept(w))
        XtR = -xtr  # X_cᵀR, R = −r
        R_dot_yc = sse + float(w @ XtR)  # R·y_c = R·(R + X_c w)
        primal = penalty.objective(sse, w, l1, l2)
        norms = self.column_norms() if penalty.unpenalized_free else self._no_norms
        return penalty.gap(sse, R_dot_yc, XtR, w, l1, l2, norms), primal

    @functools.cached_property
    def _no_norms(self):
        return np.zeros(self.n_features)  # read only for features without L1 weight

    def column_norms(self):
        """``‖X_cⱼ‖²`` (once, by one more read of ``X``): the gap needs them for features without L1 weight."""
        if self._norms is None:
            X = self._X
            sq = np.asarray(X.multiply(X).sum(axis=0)).ravel() if sp.issparse(X) else np.einsum("ij,ij->j", X, X)
            self._norms = np.maximum(np.asarray(sq, dtype=np.float64) - self.n * self.x_mean**2, 0.0)
        return self._norms

    @functools.cached_property
    def _zero_target(self):
        return np.zeros(self.n)

    def gram_times(self, v):
        """``X_cᵀX_c v`` (unscaled) from one fused pass: the residual ``X_c v`` against a zero target."""
        offset = -float(self.x_mean @ v) if self.fit_intercept else 0.0
        return self._residual_pass(v, self._zero_target, offset)[1]

    def lipschitz(self, *, tol=1e-6, max_iter=300, seed=0):
        """Largest eigenvalue of ``X_cᵀX_c/n`` by power iteration (a Rayleigh quotient)."""
        return power_iteration(
            lambda v: self.gram_times(v) / self.n, self.x_mean.shape[0], tol=tol, max_iter=max_iter, seed=seed
        )
