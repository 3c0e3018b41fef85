"""Covariance-form coordinate descent: ElasticNet epochs on a Gram block, never reading ``X``.

Objective, unscaled by ``n`` (as in :mod:`fastreg.kernels.cd`)::

    ½‖R‖² + l1·‖w‖₁ + ½·l2·‖w‖²,     R = y_c − X_c w

through ``G = X_cᵀX_c`` and ``q = X_cᵀy_c`` only. The kernel keeps the
gradient ``h = X_cᵀR = q − Gw`` up to date: an update of ``w_j`` by ``d`` does
``h −= d·G[j, :]`` (``G`` symmetric, so the row is the column and is
contiguous). It works on a working-set block ``G[ws][:, ws]`` copied by the
caller (:mod:`fastreg.solvers.gram_cd`), so an epoch costs ``|ws|²``.

Serial (no ``prange``): safe to call from any number of threads at once.
"""

from numba import njit

from ._config import FASTMATH


@njit(cache=True, nogil=True, fastmath=FASTMATH)
def cd_epochs_gram(G, w, h, l1, l2, positive, n_epochs):
    """Run ``n_epochs`` cyclic CD epochs on the block ``G``; update ``w`` and ``h = q − Gw`` in place.

    Parameters
    ----------
    G : (m, m) C-contiguous float64, the working set's Gram block
    w : (m,) float64 coefficients on the working set
    h : (m,) float64, ``q − Gw`` on the working set (kept up to date)
    l1, l2 : float, unscaled penalties (``nαρ``, ``nα(1 − ρ)``)
    positive : bool
    n_epochs : int

    Returns
    -------
    float : the largest ``|d|·√G_jj`` of the last epoch (how much ``X_c w`` moved)
    """
    m = w.shape[0]
    moved = 0.0
    for _ in range(n_epochs):
        moved = 0.0
        for j in range(m):
            gjj = G[j, j]
            denom = gjj + l2
            if denom <= 0.0:
                continue
            old = w[j]
            z = h[j] + gjj * old
            if positive and z < 0.0:
                new = 0.0
            elif z > l1:
                new = (z - l1) / denom
            elif z < -l1:
                new = (z + l1) / denom
            else:
                new = 0.0
            d = new - old
            if d != 0.0:
                w[j] = new
                row = G[j]
                for i in range(m):
                    h[i] -= d * row[i]
                step = abs(d) * gjj**0.5
                if step > moved:
                    moved = step
    return moved
