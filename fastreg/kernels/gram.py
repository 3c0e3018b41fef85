"""Coordinate descent on a (sub-)Gram matrix: ElasticNet without touching ``X``.

Objective, unscaled by ``n`` (as in :mod:`fastreg.kernels.cd`, the penalty
``pen`` as in :mod:`fastreg.kernels.penalty`)::

    ½‖R‖² + l1·Σaⱼ|wⱼ| + ½·l2·Σbⱼwⱼ²,     lowerⱼ ≤ wⱼ ≤ upperⱼ,     R = y_c − X_c w

is written through ``G = X_cᵀX_c``, ``q = X_cᵀy_c`` and ``yy = ‖y_c‖²``:
``X_cᵀR = q − Gw``, ``‖R‖² = yy − 2wᵀq + wᵀGw`` and ``Rᵀy_c = yy − wᵀq``.
An update of coordinate ``j`` costs one column of ``G`` (the size of the
working set), not a column of ``X``.

The kernel works on the working-set block ``G[ws][:, ws]`` (a small C-ordered
copy), keeps ``H = G_ws w_ws`` up to date, and evaluates the subproblem's
duality gap (:func:`fastreg.kernels.penalty.dual_gap`) every ``gap_every`` epochs, all without
returning to Python. ``nogil`` so that cross-validation folds can run in
threads.
"""

import math

import numpy as np
from numba import njit, prange

from ._config import FASTMATH
from .cd import top_indices, working_set_size
from .penalty import GENERAL, UNIFORM_POSITIVE, coordinate_update, dual_gap_gram, primal_value, uniform_gap_gram

# Tile edge of the mirrored reduction in gram_csr (32 KB of float64).
_TILE = 64


@njit(cache=True, nogil=True, fastmath=FASTMATH)
def cd_gram(G, q, w, H, yy, l1, l2, pen, norms, max_epochs, tol_abs, gap_every, shuffle=False):
    """Coordinate descent on ``(G, q)`` until the gap is at most ``tol_abs``: cyclic, or in random order.

    Parameters
    ----------
    G : (k, k) C-ordered float64, the Gram block of the working set
    q : (k,) float64
    w : (k,) float64, updated in place
    H : (k,) float64, ``G @ w``, updated in place
    yy : float, ``‖y_c‖²``
    l1, l2 : float, unscaled penalties
    pen : the penalty's ``(a, b, lower, upper, kind)`` of these coordinates
    norms : (k,) ``diag(G)``
    max_epochs : int
    tol_abs : float, gap target (unscaled)
    gap_every : int, epochs between two gap evaluations
    shuffle : bool, default=False
        Visit the coordinates in a new random order each epoch (numba's
        generator, seeded by the caller: scikit-learn's ``selection="random"``).

    Returns
    -------
    epochs : int
        Epochs run.
    gap : float
        The last gap evaluated (``inf`` if none was).
    """
    pa, pb, lower, upper, kind = pen
    uniform = kind != GENERAL
    floor = 0.0 if kind == UNIFORM_POSITIVE else -math.inf
    k = w.shape[0]
    idx = np.arange(k)
    scratch = np.empty(k)
    gap = math.inf
    epoch = 0
    if shuffle:
        order = np.arange(k)
    while epoch < max_epochs:
        if shuffle:
            np.random.shuffle(order)
            for jj in range(k):
                j = order[jj]
                gjj = G[j, j]
                if gjj == 0.0:
                    continue
                wj = w[j]
                new = coordinate_update(q[j] - H[j] + gjj * wj, gjj, l1 * pa[j], l2 * pb[j], lower[j], upper[j])
                if new != wj:
                    d = new - wj
                    col = G[j]
                    for i in range(k):
                        H[i] += d * col[i]
                    w[j] = new
        else:
            for j in range(k):
                gjj = G[j, j]
                if gjj == 0.0:
                    continue
                wj = w[j]
                if uniform:  # the same update, the per-feature reads left out
                    new = coordinate_update(q[j] - H[j] + gjj * wj, gjj, l1, l2, floor, math.inf)
                else:
                    new = coordinate_update(q[j] - H[j] + gjj * wj, gjj, l1 * pa[j], l2 * pb[j], lower[j], upper[j])
                if new != wj:
                    d = new - wj
                    col = G[j]  # symmetric: row j is column j, contiguous
                    for i in range(k):
                        H[i] += d * col[i]
                    w[j] = new
        epoch += 1
        if epoch % gap_every == 0 or epoch == max_epochs:
            if uniform and l1 > 0.0:
                gap = uniform_gap_gram(yy, q, H, w, l1, l2, floor == 0.0)
            else:
                gap = dual_gap_gram(yy, q, H, w, idx, l1, l2, pen, norms, scratch)
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
def _gram_rows_upper(data, indices, indptr, r0, r1, out):
    """``out += (XᵀX)`` upper triangle over CSR rows ``r0:r1`` (sorted indices, no duplicates)."""
    for i in range(r0, r1):
        hi = np.uintp(indptr[i + 1])
        for a in range(np.uintp(indptr[i]), hi):
            va = np.float64(data[a])
            row = out[indices[a]]
            for b in range(a, hi):
                row[indices[b]] += va * np.float64(data[b])


@njit(parallel=True, cache=True)
def gram_csr(data, indices, indptr, acc, out):
    """``out = XᵀX`` (dense (p, p) float64) for canonical CSR ``X``.

    Each of the ``T = acc.shape[0]`` threads zeroes its own ``acc[t]`` and
    accumulates into it the outer products of a contiguous block of rows
    (upper triangle only: ``Σ nnz_row²/2`` updates, no sparse
    intermediate); then the blocks are summed and mirrored in 64 × 64 tiles.
    """
    T, p = acc.shape[0], acc.shape[1]
    n = indptr.shape[0] - 1
    for t in prange(T):
        mine = acc[t]
        for j in range(p):  # zeroed (first touched) by the thread that fills it
            mine[j, j:] = 0.0
        _gram_rows_upper(data, indices, indptr, t * n // T, (t + 1) * n // T, mine)
    n_blocks = (p + _TILE - 1) // _TILE
    for bi in prange(n_blocks):
        for bj in range(bi, n_blocks):
            for j in range(bi * _TILE, min(p, (bi + 1) * _TILE)):
                for k in range(max(j, bj * _TILE), min(p, (bj + 1) * _TILE)):
                    s = 0.0
                    for t in range(T):
                        s += acc[t, j, k]
                    out[j, k] = s
                    out[k, j] = s


@njit(cache=True, nogil=True)
def _gram_times_w(G, w, out):
    """``out = G @ w`` over the non-zero coordinates of ``w`` (rows of symmetric ``G``)."""
    p = w.shape[0]
    for i in range(p):
        out[i] = 0.0
    for j in range(p):
        wj = w[j]
        if wj != 0.0:
            row = G[j]
            for i in range(p):
                out[i] += wj * row[i]


@njit(cache=True, nogil=True)
def _primal_gram(q, Gw, w, yy, l1, l2, pen, idx):
    """Primal objective (unscaled) from the Gram quantities (``w`` over all features, ``idx = arange(p)``)."""
    wq = 0.0
    wGw = 0.0
    for j in range(w.shape[0]):
        wq += w[j] * q[j]
        wGw += w[j] * Gw[j]
    return primal_value(max(yy - 2.0 * wq + wGw, 0.0), w, idx, l1, l2, pen)


@njit(cache=True, nogil=True)
def enet_gram(
    G, q, yy, w, l1, l2, pen, tol_abs, rel_tol, floor, max_iter, strong_l1, ws_start, inner_fraction, ws_per_violator,
    seed, free, free_inv,
):
    """ElasticNet on ``(G, q)`` by coordinate descent on working sets; the whole loop in numba.

    Each outer iteration: ``Gw`` over the support, the full gap, then a
    working set (:func:`fastreg.kernels.cd.working_set_size`) — the support plus the worst violators (score
    ``(push_j − l1·a_j)/√G_jj``, ``push_j`` how far ``q_j − (Gw)_j − l2·b_j·w_j``
    points out of zero in a direction the bounds allow), and on the first iteration every feature of the
    sequential strong set ``push_j ≥ strong_l1·a_j`` (``strong_l1 < 0``: none) — solved by
    :func:`cd_gram` down to ``max(inner_fraction·gap, tol_abs)``.

    Parameters
    ----------
    G : (p, p) C-ordered float64, q : (p,) float64, yy : float
    w : (p,) float64, warm start, updated in place
    l1, l2 : unscaled penalties; pen : the penalty's ``(a, b, lower, upper, kind)``
    tol_abs : gap target (unscaled); max_iter : epochs
    rel_tol, floor : also stop no earlier than a gap of ``max(rel_tol·primal, floor)``
        (see :func:`fastreg.solvers.cd.stopping_gap`)
    strong_l1 : float; ws_start, ws_per_violator : int; inner_fraction : float
    seed : int
        ``≥ 0``: coordinates in random order (see :func:`cd_gram`), numba's
        generator seeded with it; ``-1``: cyclic.
    free, free_inv : (u,) int64 and (u, u) float64
        The unpenalized features without bounds and
        ``(G_UU + l2·diag(b_U))⁺`` (:meth:`fastreg.penalty.Penalty.block_inverse`):
        before each full gap they are minimized over exactly, so that the gap
        is a bound (``u = 0``: none).

    Returns
    -------
    gap : float (unscaled), n_iter : int
    """
    p = w.shape[0]
    if seed >= 0:
        np.random.seed(seed)
    pa, pb, lower, upper, kind = pen
    Gw = np.empty(p)
    score = np.empty(p)
    norms = np.empty(p)
    for j in range(p):
        norms[j] = G[j, j]
    every = np.arange(p)
    scratch = np.empty(p)
    n_iter = 0
    first = True
    u = free.shape[0]
    grad_free = np.empty(u)
    while True:
        _gram_times_w(G, w, Gw)
        if u > 0:  # the free unpenalized block, exactly: its gradient is then zero
            for a in range(u):
                j = free[a]
                grad_free[a] = q[j] - Gw[j] - l2 * pb[j] * w[j]
            for a in range(u):
                step = 0.0
                for c in range(u):
                    step += free_inv[a, c] * grad_free[c]
                w[free[a]] += step
            _gram_times_w(G, w, Gw)
        gap = dual_gap_gram(yy, q, Gw, w, every, l1, l2, pen, norms, scratch)
        target = min(tol_abs, max(rel_tol * _primal_gram(q, Gw, w, yy, l1, l2, pen, every), floor))
        if gap <= target or n_iter >= max_iter:
            return gap, n_iter
        n_support = 0
        n_strong = 0
        n_violators = 0
        for j in range(p):
            v = q[j] - Gw[j] - l2 * pb[j] * w[j]
            push = -np.inf  # how far v points out of zero, in a direction the box allows
            if upper[j] > 0.0:
                push = v
            if lower[j] < 0.0 and -v > push:
                push = -v
            if G[j, j] == 0.0 or push == -np.inf:
                score[j] = -np.inf
            elif w[j] != 0.0:
                score[j] = np.inf
                n_support += 1
            else:
                score[j] = (push - l1 * pa[j]) / np.sqrt(G[j, j])
                if first and strong_l1 >= 0.0 and push >= strong_l1 * pa[j]:
                    score[j] = np.inf  # the strong set joins the working set
                    n_strong += 1
                elif score[j] > 0.0:
                    n_violators += 1
        size = working_set_size(n_support, n_violators, n_strong, p, ws_start, 0, ws_per_violator)
        if 4 * size > p:
            # past a quarter of the features, gathering the block costs more than
            # the shorter updates save: solve on the whole Gram
            size = p
        if size == p:
            ws = np.arange(p)
        else:
            ws = top_indices(score, size)
        first = False
        k = ws.shape[0]
        if k == p:
            Gs = G  # the whole Gram: no block to gather
        else:
            Gs = np.empty((k, k))
            gather_block(G, ws, Gs)
        qs = np.empty(k)
        ws_w = np.empty(k)
        H = np.empty(k)
        pen_ws = (np.empty(k), np.empty(k), np.empty(k), np.empty(k), kind)
        norms_ws = np.empty(k)
        for a in range(k):
            j = ws[a]
            qs[a] = q[j]
            ws_w[a] = w[j]
            H[a] = Gw[j]
            norms_ws[a] = norms[j]
            pen_ws[0][a] = pa[j]
            pen_ws[1][a] = pb[j]
            pen_ws[2][a] = lower[j]
            pen_ws[3][a] = upper[j]
        inner_tol = target if k == p else max(inner_fraction * gap, target)
        epochs, _ = cd_gram(Gs, qs, ws_w, H, yy, l1, l2, pen_ws, norms_ws, max_iter - n_iter, inner_tol, 1, seed >= 0)
        n_iter += epochs
        for a in range(k):
            w[ws[a]] = ws_w[a]


@njit(parallel=True, cache=True, nogil=True, fastmath=FASTMATH)
def csr_dense_product(data, indices, indptr, V, shift, out):
    """``out = X @ V − shift`` (broadcast over rows) for CSR ``X`` and C-ordered ``V``.

    Each row of ``out`` is its own output (``prange`` over rows): a sum of
    rows of ``V`` scaled by the row's stored entries.
    """
    m = indptr.shape[0] - 1
    k = V.shape[1]
    for i in prange(m):
        row = out[i]
        for c in range(k):
            row[c] = -shift[c]
        for a in range(np.uintp(indptr[i]), np.uintp(indptr[i + 1])):
            v = float(data[a])
            src = V[indices[a]]
            for c in range(k):
                row[c] += v * src[c]


@njit(cache=True, nogil=True)
def enet_gram_path(
    G, q, yy, w, l1s, l2s, pen, tol_abs, rel_tol, floor, max_iter, strong_first, ws_start, inner_fraction,
    ws_per_violator, seed, free, free_inv, W, gaps, n_iters,
):
    """:func:`enet_gram` at each ``(l1s[i], l2s[i])`` of a path in turn, warm-started: the α loop in numba.

    The first α's strong set uses ``strong_first`` (as :func:`enet_gram`'s
    ``strong_l1``), each later one ``2·l1ᵢ − l1ᵢ₋₁`` (the sequential strong
    rule). Column ``i`` of ``W``, ``gaps[i]`` (unscaled) and ``n_iters[i]``
    receive each finished α. Stops before the first α that runs out of
    ``max_iter`` epochs or whose gap is not finite (``w`` is then that
    unfinished fit: the caller starts it again from ``W[:, i − 1]``).

    Returns
    -------
    done : int, the α finished
    """
    k = l1s.shape[0]
    for i in range(k):
        strong = strong_first if i == 0 else 2.0 * l1s[i] - l1s[i - 1]
        gap, n_iter = enet_gram(
            G, q, yy, w, l1s[i], l2s[i], pen, tol_abs, rel_tol, floor, max_iter, strong, ws_start,
            inner_fraction, ws_per_violator, seed, free, free_inv,
        )
        if n_iter >= max_iter or not np.isfinite(gap):
            return i
        W[:, i] = w
        gaps[i] = gap
        n_iters[i] = n_iter
    return k
