"""Fused one-pass gradient kernel over CSR ``X`` (``data, indices, indptr``).

Same contract as :mod:`fastreg.kernels.dense`: one read of each stored entry
per call gives the residual of its row and that row's share of ``Xᵀr``.
Duplicate entries are summed and unsorted indices are fine (both passes over a
row see the same entries), so the caller's matrix is used exactly as stored.

The entry counter ``k`` and the column indices are ``uintp`` (they are
validated non-negative) so numba drops its negative-index wrap-around from
the two inner loops: with a signed ``range`` counter the loops ran 2x slower
than scipy's own matvec on an AMD EPYC, with ``uintp`` slightly faster than
it. No ``fastmath`` here: vectorizing the gathers makes this kernel slower.
"""

import numpy as np
from numba import njit, prange

from .dense import sum_buffers
from .intrinsics import claim


@njit(parallel=True, cache=True)
def gradient_csr(data, indices, indptr, y, theta, bounds, buf, grad):
    """One pass over CSR ``X``: write ``[Σr, Xᵀr]`` to ``grad``, return ``Σr²``.

    Parameters
    ----------
    data : (nnz,) float32 or float64 array
    indices : (nnz,) int32 or int64 array of column indices
    indptr : (n + 1,) int32 or int64 array of row pointers
    y : (n,) float64 array
    theta : (p + 1,) float64 array, ``theta[0]`` the intercept
    bounds : (n_chunks + 1,) int64 row boundaries (see :func:`nnz_bounds`); the
        threads claim chunks (:mod:`fastreg.kernels.intrinsics`), so the result
        depends on the chunks, not on the threads
    buf : (n_chunks, p + 1) float64 scratch array, one row per chunk
    grad : (p + 1,) float64 output array
    """
    n_chunks = bounds.shape[0] - 1
    q = theta.shape[0]
    one = np.uintp(1)
    sses = np.empty(n_chunks)
    counter = np.zeros(1, np.int64)
    for _ in prange(n_chunks):  # chunks claimed (see .intrinsics), each with its own buffer
        while True:
            c = claim(counter)
            if c >= n_chunks:
                break
            g = buf[c]
            for j in range(q):
                g[j] = 0.0
            b = theta[0]
            g0 = 0.0
            s = 0.0
            for i in range(bounds[c], bounds[c + 1]):
                lo = np.uintp(indptr[i])
                hi = np.uintp(indptr[i + 1])
                acc = 0.0
                k = lo
                while k < hi:
                    acc += data[k] * theta[np.uintp(indices[k]) + one]
                    k += one
                r = (b + acc) - y[i]
                g0 += r
                s += r * r
                k = lo
                while k < hi:
                    g[np.uintp(indices[k]) + one] += r * data[k]
                    k += one
            g[0] = g0
            sses[c] = s
    sum_buffers(buf, grad)
    sse = 0.0
    for c in range(n_chunks):
        sse += sses[c]
    return sse


def nnz_bounds(indptr, n_chunks):
    """Row boundaries splitting a CSR matrix into chunks of near-equal work.

    A row costs its stored entries plus one (its residual), so empty rows
    still count.
    """
    n = indptr.shape[0] - 1
    work = np.asarray(indptr, dtype=np.int64) + np.arange(n + 1, dtype=np.int64)
    targets = np.linspace(0, work[-1], n_chunks + 1)
    bounds = np.searchsorted(work, targets).astype(np.int64)
    bounds[0], bounds[-1] = 0, n
    return np.maximum.accumulate(bounds)
