"""Coordinate descent on a (sub-)Gram matrix: ElasticNet without touching ``X``.

Objective, unscaled by ``n`` (as in :mod:`fastreg.kernels.cd`)::

    ½‖R‖² + l1·‖w‖₁ + ½·l2·‖w‖²,     R = y_c − X_c w

is written through ``G = X_cᵀX_c``, ``q = X_cᵀy_c`` and ``yy = ‖y_c‖²``:
``X_cᵀR = q − Gw``, ``‖R‖² = yy − 2wᵀq + wᵀGw`` and ``Rᵀy_c = yy − wᵀq``.
An update of coordinate ``j`` costs one column of ``G`` (the size of the
working set), not a column of ``X``.

The kernel works on the working-set block ``G[ws][:, ws]`` (a small C-ordered
copy), keeps ``H = G_ws w_ws`` up to date, and evaluates the subproblem's
duality gap (scikit-learn's formula) every ``gap_every`` epochs, all without
returning to Python. ``nogil`` so that cross-validation folds can run in
threads.
"""

import math

from numba import njit

from ._config import FASTMATH


@njit(cache=True, nogil=True)
def _soft(z, l1, positive):
    if positive and z < 0.0:
        return 0.0
    if z > l1:
        return z - l1
    if z < -l1:
        return z + l1
    return 0.0


@njit(cache=True, nogil=True, fastmath=FASTMATH)
def gap_gram(q, H, w, yy, l1, l2, positive):
    """Duality gap (unscaled by ``n``) of the problem restricted to these coordinates.

    Parameters
    ----------
    q : (k,) ``X_cᵀy_c`` on the coordinates
    H : (k,) ``(Gw)`` on the coordinates (``w`` zero elsewhere)
    w : (k,) coefficients
    yy : float, ``‖y_c‖²``
    l1, l2 : unscaled penalties
    positive : bool
    """
    k = w.shape[0]
    wq = 0.0
    wH = 0.0
    w1 = 0.0
    w2 = 0.0
    dual_norm = 0.0
    for j in range(k):
        wq += w[j] * q[j]
        wH += w[j] * H[j]
        w1 += abs(w[j])
        w2 += w[j] * w[j]
        xta = q[j] - H[j] - l2 * w[j]
        v = xta if positive else abs(xta)
        if v > dual_norm:
            dual_norm = v
    R2 = yy - 2.0 * wq + wH
    if R2 < 0.0:
        R2 = 0.0
    Ry = yy - wq
    if dual_norm > l1:
        const = l1 / dual_norm
        gap = 0.5 * (R2 + R2 * const * const)
    else:
        const = 1.0
        gap = R2
    gap += l1 * w1 - const * Ry + 0.5 * l2 * (1.0 + const * const) * w2
    return gap


@njit(cache=True, nogil=True, fastmath=FASTMATH)
def cd_gram(G, q, w, H, yy, l1, l2, positive, max_epochs, tol_abs, gap_every):
    """Cyclic coordinate descent on ``(G, q)`` until the gap is at most ``tol_abs``.

    Parameters
    ----------
    G : (k, k) C-ordered float64, the Gram block of the working set
    q : (k,) float64
    w : (k,) float64, updated in place
    H : (k,) float64, ``G @ w``, updated in place
    yy : float, ``‖y_c‖²``
    l1, l2 : float, unscaled penalties
    positive : bool
    max_epochs : int
    tol_abs : float, gap target (unscaled)
    gap_every : int, epochs between two gap evaluations

    Returns
    -------
    epochs : int
        Epochs run.
    gap : float
        The last gap evaluated (``inf`` if none was).
    """
    k = w.shape[0]
    gap = math.inf
    epoch = 0
    while epoch < max_epochs:
        for j in range(k):
            gjj = G[j, j]
            if gjj == 0.0:
                continue
            wj = w[j]
            z = q[j] - H[j] + gjj * wj
            new = _soft(z, l1, positive) / (gjj + l2)
            if new != wj:
                d = new - wj
                col = G[j]  # symmetric: row j is column j, contiguous
                for i in range(k):
                    H[i] += d * col[i]
                w[j] = new
        epoch += 1
        if epoch % gap_every == 0 or epoch == max_epochs:
            gap = gap_gram(q, H, w, yy, l1, l2, positive)
            if gap <= tol_abs:
                break
    return epoch, gap


@njit(cache=True, nogil=True)
def gather_block(G, ws, out):
    """``out[a, b] = G[ws[a], ws[b]]`` (the working set's Gram block)."""
    k = ws.shape[0]
    for a in range(k):
        row = G[ws[a]]
        for b in range(k):
            out[a, b] = row[ws[b]]


@njit(cache=True, nogil=True)
def gram_csr(data, indices, indptr, out):
    """``out += XᵀX`` for CSR ``X`` (``out`` dense (p, p) float64, upper and lower).

    Row by row, the outer product of the row's stored entries: ``Σ nnz_row²``
    updates, no sparse intermediate. Duplicate entries are fine (they add).
    """
    for i in range(indptr.shape[0] - 1):
        lo = indptr[i]
        hi = indptr[i + 1]
        for a in range(lo, hi):
            va = float(data[a])
            row = out[indices[a]]
            for b in range(lo, hi):
                row[indices[b]] += va * float(data[b])
