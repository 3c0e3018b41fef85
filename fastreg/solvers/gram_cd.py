"""ElasticNet by covariance-form coordinate descent, from sufficient statistics only.

For ``n ≫ p`` the centered statistics ``G = X_cᵀX_c`` (p × p), ``q = X_cᵀy_c``
and ``‖y_c‖²`` carry everything the exact solver needs: the gradient
``X_cᵀR = q − Gw``, and the duality gap through

    R·y_c = ‖y_c‖² − wᵀq,        ‖R‖² = R·y_c − wᵀ(q − Gw) = ‖y_c‖² − wᵀ(q + h),

with ``h = q − Gw`` (the second form never builds ``wᵀGw`` separately; the
cancellation left is that of ``‖R‖²`` against ``‖y_c‖²``, about
``1e-16·‖y_c‖²`` absolute, well below the smallest stopping gap
``1e-13·‖y_c‖²`` of :func:`fastreg.solvers.cd.stopping_gap`).

The loop is that of :mod:`fastreg.solvers.cd` — working sets (the support
plus the worst violators), the subproblem solved until its gap is a fraction
of the full gap, scikit-learn's gap and ``tol`` — with the epochs run by
:func:`fastreg.kernels.cd_gram.cd_epochs_gram` on a copied block
``G[ws][:, ws]``. Nothing here knows where ``G`` came from: the Dask adapter
(:mod:`fastreg.dask`) reduces it over chunks, and an in-memory ``n ≫ p``
solver can form it with one BLAS call.
"""

import math

import numpy as np

from ..kernels.cd_gram import cd_epochs_gram
from .cd import _INNER_FRACTION, _working_set, duality_gap_from_stats, stopping_gap

# Epochs between two subproblem gap checks (a check costs about one epoch).
_GAP_EVERY = 10


def gram_residual_stats(q, h, w, y_norm2):
    """``(‖R‖², R·y_c)`` from the statistics, for ``w`` supported where ``q``, ``h`` are given.

    ``q``, ``h`` and ``w`` may be restricted to any set of coordinates that
    contains the support of ``w``.
    """
    wq = float(w @ q)
    R_dot_yc = y_norm2 - wq
    R_norm2 = R_dot_yc - float(w @ h)
    return max(R_norm2, 0.0), R_dot_yc


def gram_gradient(G, q, w):
    """``h = q − Gw``, reading only the support's rows of ``G`` when it is small."""
    support = np.flatnonzero(w)
    if support.shape[0] == 0:
        return np.array(q, dtype=np.float64)
    if 4 * support.shape[0] > w.shape[0]:
        return q - G @ w
    return q - G[support].T @ w[support]


def enet_gram_cd(G, q, y_norm2, n, alpha, l1_ratio=1.0, *, tol=1e-9, max_iter=10_000, positive=False, coef_init=None):
    """Solve ElasticNet from ``G = X_cᵀX_c``, ``q = X_cᵀy_c``, ``‖y_c‖²`` and ``n``.

    The objective is scikit-learn's (the intercept eliminated by centering)::

        (1/2n)‖y_c − X_c w‖² + α·ρ‖w‖₁ + (α(1 − ρ)/2)‖w‖²

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
    positive : bool
    coef_init : (p,) array or None

    Returns
    -------
    coef : (p,) float64
    gap : float, the final duality gap divided by ``n`` (scikit-learn's ``dual_gap_``)
    n_iter : int, epochs run
    converged : bool
    """
    G = np.asarray(G, dtype=np.float64)
    q = np.asarray(q, dtype=np.float64)
    p = q.shape[0]
    y_norm2 = float(y_norm2)
    w = np.zeros(p) if coef_init is None else np.array(coef_init, dtype=np.float64).reshape(p)
    norms = np.ascontiguousarray(np.diagonal(G))
    l1 = alpha * l1_ratio * n
    l2 = alpha * (1.0 - l1_ratio) * n
    tol_abs = tol * y_norm2
    gap = math.inf
    n_iter = 0
    while True:
        h = gram_gradient(G, q, w)
        R_norm2, R_dot_yc = gram_residual_stats(q, h, w, y_norm2)
        gap = duality_gap_from_stats(R_norm2, R_dot_yc, h, w, l1, l2, positive)
        primal = 0.5 * R_norm2 + l1 * float(np.abs(w).sum()) + 0.5 * l2 * float(w @ w)
        target = stopping_gap(tol, tol_abs, y_norm2, primal)
        if gap <= target or n_iter >= max_iter:
            break
        ws = _working_set(h, w, norms, l1, l2, positive)
        inner_tol = target if ws.shape[0] == p else max(_INNER_FRACTION * gap, target)
        G_ws = np.ascontiguousarray(G[np.ix_(ws, ws)])
        q_ws, w_ws, h_ws = q[ws], w[ws], h[ws]  # fancy indexing: copies
        while n_iter < max_iter:
            epochs = min(_GAP_EVERY, max_iter - n_iter)
            cd_epochs_gram(G_ws, w_ws, h_ws, l1, l2, positive, epochs)
            n_iter += epochs
            R_norm2, R_dot_yc = gram_residual_stats(q_ws, h_ws, w_ws, y_norm2)
            if duality_gap_from_stats(R_norm2, R_dot_yc, h_ws, w_ws, l1, l2, positive) <= inner_tol:
                break
        w[ws] = w_ws
    return w, gap / n, n_iter, gap <= tol_abs
