"""Fused one-pass gradient kernels over dense ``X``.

Both kernels compute, for ``θ = [b, w]`` over the seed's ``[1, X]``::

    r     = b + X w − y
    grad  = [Σ r_i,  Xᵀ r]          (unscaled: the caller divides by m)
    return Σ r_i²

reading ``X`` from memory once: each row (or block of rows) contributes its
residual and its share of the gradient while it is in cache. Rows are split
into chunks by ``bounds``; each chunk accumulates into its own row of ``buf``
(one buffer per thread), summed after the parallel loop. ``X`` may be float32
or float64; residuals and gradients are accumulated in float64.
"""

import numpy as np
from numba import njit, prange

from ._config import FASTMATH


@njit(parallel=True, cache=True, fastmath=FASTMATH)
def gradient_dense_c(X, y, theta, bounds, buf, grad):
    """One pass over C-ordered ``X``: write ``[Σr, Xᵀr]`` to ``grad``, return ``Σr²``.

    Rows go four at a time: their four dot products share each load of ``w``
    and their four gradient contributions share each load and store of the
    buffer, which keeps the loop fed at memory speed.

    Parameters
    ----------
    X : (n, p) C-contiguous float32 or float64 array
    y : (n,) float64 array
    theta : (p + 1,) float64 array, ``theta[0]`` the intercept
    bounds : (n_chunks + 1,) int64 array of row boundaries
    buf : (n_chunks, p + 1) float64 scratch array, one row per chunk
    grad : (p + 1,) float64 output array
    """
    n, p = X.shape
    n_chunks = bounds.shape[0] - 1
    sse = 0.0
    for c in prange(n_chunks):
        g = buf[c]
        for j in range(p + 1):
            g[j] = 0.0
        b = theta[0]
        w = theta[1:]
        gw = g[1:]
        g0 = 0.0
        s = 0.0
        i = bounds[c]
        hi = bounds[c + 1]
        while i + 4 <= hi:
            x0 = X[i]
            x1 = X[i + 1]
            x2 = X[i + 2]
            x3 = X[i + 3]
            a0 = 0.0
            a1 = 0.0
            a2 = 0.0
            a3 = 0.0
            for j in range(p):
                wj = w[j]
                a0 += x0[j] * wj
                a1 += x1[j] * wj
                a2 += x2[j] * wj
                a3 += x3[j] * wj
            r0 = (b + a0) - y[i]
            r1 = (b + a1) - y[i + 1]
            r2 = (b + a2) - y[i + 2]
            r3 = (b + a3) - y[i + 3]
            g0 += (r0 + r1) + (r2 + r3)
            s += (r0 * r0 + r1 * r1) + (r2 * r2 + r3 * r3)
            for j in range(p):
                gw[j] += (r0 * x0[j] + r1 * x1[j]) + (r2 * x2[j] + r3 * x3[j])
            i += 4
        while i < hi:
            row = X[i]
            acc = 0.0
            for j in range(p):
                acc += row[j] * w[j]
            r = (b + acc) - y[i]
            g0 += r
            s += r * r
            for j in range(p):
                gw[j] += r * row[j]
            i += 1
        g[0] = g0
        sse += s
    sum_buffers(buf, grad)
    return sse


@njit(parallel=True, cache=True, fastmath=FASTMATH)
def gradient_dense_f(X, y, theta, bounds, block, buf, rbuf, grad):
    """One pass over Fortran-ordered ``X`` in row blocks that stay in cache.

    Same contract as :func:`gradient_dense_c`. Each chunk walks its rows in
    blocks of ``block`` rows: the block's residuals are built column by column
    into ``rbuf[c]``, then the same column segments (now in cache) give the
    block's share of ``Xᵀr``. Strided over the columns, this runs at about the
    speed of NumPy's two passes, not of the C kernel: C order is the fast
    layout for gradient passes.

    Parameters
    ----------
    X : (n, p) F-contiguous float32 or float64 array
    y, theta, bounds, buf, grad : as in :func:`gradient_dense_c`
    block : int, rows per block
    rbuf : (n_chunks, block) float64 scratch array
    """
    n, p = X.shape
    XT = X.T  # C-ordered (p, n) view: each column is a contiguous row of XT
    n_chunks = bounds.shape[0] - 1
    sse = 0.0
    for c in prange(n_chunks):
        g = buf[c]
        for j in range(p + 1):
            g[j] = 0.0
        r = rbuf[c]
        b = theta[0]
        g0 = 0.0
        s = 0.0
        for start in range(bounds[c], bounds[c + 1], block):
            stop = min(start + block, bounds[c + 1])
            nb = stop - start
            for k in range(nb):
                r[k] = b - y[start + k]
            for j in range(p):
                col = XT[j, start:stop]
                wj = theta[j + 1]
                for k in range(nb):
                    r[k] += col[k] * wj
            for k in range(nb):
                g0 += r[k]
                s += r[k] * r[k]
            for j in range(p):
                col = XT[j, start:stop]
                acc = 0.0
                for k in range(nb):
                    acc += col[k] * r[k]
                g[j + 1] += acc
        g[0] = g0
        sse += s
    sum_buffers(buf, grad)
    return sse


@njit(cache=True)
def sum_buffers(buf, out):
    """``out[j] = Σ_c buf[c, j]``: fold the per-thread buffers into one vector."""
    n_chunks, q = buf.shape
    for j in range(q):
        out[j] = 0.0
    for c in range(n_chunks):
        for j in range(q):
            out[j] += buf[c, j]


def row_bounds(n_rows, n_chunks):
    """Split ``n_rows`` rows into ``n_chunks`` contiguous, near-equal chunks."""
    return np.linspace(0, n_rows, n_chunks + 1).round().astype(np.int64)
