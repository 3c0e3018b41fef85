"""Layout kernels: centered (and row-scaled) Fortran-ordered copies of dense ``X`` (parallel), CSR -> CSC.

The copies also return the squared norms of their columns, and
:func:`column_summary` gives the sums, minima and maxima of the columns in
one pass. Coordinate descent (which centers on the fly) reads ``X`` once:
:func:`copy_c_to_f_stats` makes the uncentered Fortran copy of C-ordered
``X`` and the column statistics together, and Fortran-ordered ``X`` is used
as it is, after one pass of :func:`column_summary_f`.

Coordinate descent reads ``X`` column by column, in Fortran order; the
centered (row-scaled) copies serve weighted fits and the other solvers.
From C-ordered input a Fortran copy is a transpose: NumPy does it on one
core with strided writes, which is slow; these kernels do it in cache-sized
tiles on every core (measurements: docs/design-measurements.md).

:func:`csr_to_csc` is the sparse counterpart: the CSC arrays of CSR ``X``
(coordinate descent's columns) in cache-sized column blocks, on one thread.
"""

import math

import numpy as np

from numba import njit, prange

from ._config import FASTMATH
from .intrinsics import claim, column_block

# Tile edge of the transpose: a 64 x 64 float64 tile is 32 KB, read and written in cache.
_TILE = 64
# Column strip of column_summary (3 x 512 float64 accumulators, 12 KB) and
# block of column_summary_f (512 values summed twice from L1).
_STRIP = 512


def row_tiles(n):
    """Number of row tiles :func:`center_c_to_f` cuts ``n`` rows into."""
    return (n + _TILE - 1) // _TILE


def tile_rows(n):
    """Rows in each of the :func:`row_tiles` tiles (the last one may be short)."""
    counts = np.full(row_tiles(n), _TILE)
    if n % _TILE:
        counts[-1] = n % _TILE
    return counts


@njit(parallel=True, cache=True)
def center_c_to_f(X, mean, scale, outT, partial_norms):
    """``outT[j, i] = (X[i, j] − mean[j])·scale[i]`` for C-ordered ``X`` (``outT`` C-ordered ``(p, n)``).

    ``scale`` of length 0 means no scaling. ``outT`` is the transpose of the
    Fortran-ordered result. ``partial_norms`` (``(n_tiles, p)`` float64) gets
    each row tile's ``Σ outT[j, i]²``: summed over tiles, the column norms.
    """
    n, p = X.shape
    scaled = scale.shape[0] > 0
    n_tiles = (n + _TILE - 1) // _TILE
    counter = np.zeros(1, np.int64)
    for _ in prange(n_tiles):  # row tiles claimed (see .intrinsics)
        while True:
            t = claim(counter)
            if t >= n_tiles:
                break
            i0 = t * _TILE
            i1 = min(n, i0 + _TILE)
            norms = partial_norms[t]
            for j0 in range(0, p, _TILE):
                j1 = min(p, j0 + _TILE)
                for j in range(j0, j1):
                    m = mean[j]
                    row = outT[j]
                    acc = 0.0
                    for i in range(i0, i1):
                        v = X[i, j] - m
                        if scaled:
                            v *= scale[i]
                        row[i] = v
                        acc += np.float64(v) * np.float64(v)
                    norms[j] = acc


@njit(parallel=True, cache=True, fastmath=FASTMATH)
def copy_c_to_f_stats(X, shift, outT, sums, m2, lows, highs):
    """``outT[j, i] = X[i, j]`` (the uncentered Fortran copy) and, per row tile, each column's statistics.

    Row ``t`` of ``sums``, ``m2``, ``lows``, ``highs`` (each ``(n_tiles, p)``
    float64) gets the sum of ``X[i, j] − shift[j]`` (``shift``: ``(p,)``
    float64, e.g. the first row, so that sums of large, close values keep
    their digits), the squared deviation from the tile's own mean, the
    minimum and the maximum of column ``j`` over row tile ``t``: merged by
    :func:`fastreg.solvers._columns.merge_tile_stats` into the means and the
    centered squared norms without a second pass over ``X`` and without the
    cancellation of ``ΣX² − n·x̄²``.

    ``FASTMATH`` lets the squared deviations, summed from cache along the
    contiguous copy, vectorize, which makes the pass faster (less so into
    fresh memory, as in a fit, where the kernel also zeroes the new pages).
    The sums, read down the strided tile column, came out bit-identical
    (measurements: docs/design-measurements.md).
    """
    n, p = X.shape
    n_tiles = (n + _TILE - 1) // _TILE
    counter = np.zeros(1, np.int64)
    for _ in prange(n_tiles):  # row tiles claimed (see .intrinsics)
        while True:
            t = claim(counter)
            if t >= n_tiles:
                break
            i0 = t * _TILE
            i1 = min(n, i0 + _TILE)
            for j0 in range(0, p, _TILE):
                j1 = min(p, j0 + _TILE)
                for j in range(j0, j1):
                    row = outT[j]
                    c = shift[j]
                    s = 0.0
                    lo = math.inf
                    hi = -math.inf
                    for i in range(i0, i1):
                        v = X[i, j]
                        row[i] = v
                        f = np.float64(v)
                        s += f - c
                        lo = min(lo, f)
                        hi = max(hi, f)
                    m = s / (i1 - i0)
                    q = 0.0
                    for i in range(i0, i1):  # the tile's column, just written, is in cache
                        f = (np.float64(row[i]) - c) - m
                        q += f * f
                    sums[t, j] = s
                    m2[t, j] = q
                    lows[t, j] = lo
                    highs[t, j] = hi


@njit(parallel=True, cache=True)
def center_f_to_f(XT, mean, scale, outT, norms):
    """As :func:`center_c_to_f` for Fortran-ordered ``X`` given as its C-ordered transpose ``XT``.

    ``norms`` (``(p,)`` float64) gets the squared column norms of the result.
    """
    p, n = XT.shape
    scaled = scale.shape[0] > 0
    width = column_block(n)
    n_blocks = (p + width - 1) // width
    counter = np.zeros(1, np.int64)
    for _ in prange(n_blocks):  # column blocks claimed (see .intrinsics)
        while True:
            b = claim(counter)
            if b >= n_blocks:
                break
            for j in range(b * width, min(p, (b + 1) * width)):
                m = mean[j]
                src = XT[j]
                row = outT[j]
                acc = 0.0
                for i in range(n):
                    v = src[i] - m
                    if scaled:
                        v *= scale[i]
                    row[i] = v
                    acc += np.float64(v) * np.float64(v)
                norms[j] = acc


@njit(cache=True, nogil=True)
def column_summary(X, sums, lows, highs):
    """Column sums (float64), minima and maxima of C-ordered ``X`` in one pass.

    Serial: a ``parallel=True`` version was faster per fit, but its
    compilation cost the first fit in a fresh process far more than that
    (measurements: docs/design-measurements.md). Four rows per update of the
    accumulators (``(p,)`` float64 each), columns in strips of ``_STRIP`` so
    that they stay in L1.
    """
    n, p = X.shape
    for j in range(p):
        sums[j] = 0.0
        lows[j] = math.inf
        highs[j] = -math.inf
    for j0 in range(0, p, _STRIP):
        j1 = min(p, j0 + _STRIP)
        i = 0
        while i + 4 <= n:
            x0 = X[i]
            x1 = X[i + 1]
            x2 = X[i + 2]
            x3 = X[i + 3]
            for j in range(j0, j1):
                a0 = np.float64(x0[j])
                a1 = np.float64(x1[j])
                a2 = np.float64(x2[j])
                a3 = np.float64(x3[j])
                sums[j] += (a0 + a1) + (a2 + a3)
                lows[j] = min(lows[j], min(min(a0, a1), min(a2, a3)))
                highs[j] = max(highs[j], max(max(a0, a1), max(a2, a3)))
            i += 4
        while i < n:
            row = X[i]
            for j in range(j0, j1):
                v = np.float64(row[j])
                sums[j] += v
                lows[j] = min(lows[j], v)
                highs[j] = max(highs[j], v)
            i += 1


@njit(cache=True, nogil=True, fastmath=FASTMATH)
def column_summary_f(XT, means, lows, highs, m2):
    """Column means, minima, maxima and ``m2[j] = Σᵢ (Xᵢⱼ − x̄ⱼ)²`` of Fortran-ordered ``X`` given as ``XT``.

    One pass over ``X``: each block of ``_STRIP`` values of a column is
    summed, then its squared deviations from its own mean are summed from
    cache, and the blocks are merged (Chan, Golub & LeVeque), never as
    ``ΣX² − n·x̄²``. Values are shifted by the column's first one, so that
    the sums of large, close values keep their digits.
    """
    p, n = XT.shape
    for j in range(p):
        col = XT[j]
        shift = np.float64(col[0])
        s = 0.0
        q = 0.0
        lo = math.inf
        hi = -math.inf
        for i0 in range(0, n, _STRIP):
            i1 = min(n, i0 + _STRIP)
            sb = 0.0
            for i in range(i0, i1):
                v = np.float64(col[i])
                sb += v - shift
                lo = min(lo, v)
                hi = max(hi, v)
            nb = i1 - i0
            mb = sb / nb
            qb = 0.0
            for i in range(i0, i1):
                v = (np.float64(col[i]) - shift) - mb
                qb += v * v
            if i0 == 0:
                q = qb
            else:
                delta = mb - s / i0
                q += qb + delta * delta * (i0 * nb / i1)
            s += sb
        means[j] = shift + s / n
        lows[j] = lo
        highs[j] = hi
        m2[j] = q


@njit(cache=True)
def csr_to_csc(indptr, indices, data, shift, out_indptr, out_indices, out_data, block_cursors, slots):
    """The CSC arrays of a CSR matrix with many columns, through cache-sized column blocks.

    Columns are grouped in blocks of ``2**shift`` (``shift ≥ 1``). The entries
    are counted per column in ``out_indptr``, whose running sums then give
    every column its place in the output and every block its part of it
    (``block_cursors``, ``(n_blocks,)`` scratch). Pass 1
    writes each entry, in row order, into its block's part of
    ``out_indices``/``out_data`` and its column within the block into
    ``slots`` (``(nnz,)`` uint16); pass 2 sorts each block's part by column
    in cache, keeping the order within a column. Writing straight to 100,000
    columns, as scipy's ``tocsc`` does, misses cache on every entry; these
    passes stream instead. The rows of a column come out increasing, as from
    scipy: a canonical CSR gives a canonical CSC.

    One thread: a ``parallel=True`` version was faster on two free cores,
    but lost that edge right after a peer's fit, and its numba compilation
    made a fresh process's first sparse fit far slower (measurements:
    docs/design-measurements.md).
    """
    p = out_indptr.shape[0] - 1
    n = indptr.shape[0] - 1
    n_blocks = block_cursors.shape[0]
    out_indptr[:] = 0
    for k in range(np.uintp(indptr[n])):
        out_indptr[np.uintp(indices[k]) + np.uintp(1)] += 1
    for j in range(p):
        out_indptr[j + 1] += out_indptr[j]
    for b in range(n_blocks):
        block_cursors[b] = out_indptr[b << shift]
    low = np.uintp((1 << shift) - 1)
    one = np.uintp(1)
    for i in range(n):
        for k in range(np.uintp(indptr[i]), np.uintp(indptr[i + 1])):
            j = np.uintp(indices[k])
            b = j >> shift
            pos = np.uintp(block_cursors[b])
            out_indices[pos] = i
            out_data[pos] = data[k]
            slots[pos] = j & low
            block_cursors[b] = pos + one
    for b in range(n_blocks):
        j0 = b << shift
        j1 = min(p, j0 + (1 << shift))
        lo = np.uintp(out_indptr[j0])
        size = np.uintp(out_indptr[j1]) - lo
        rows = out_indices[lo : lo + size].copy()
        values = out_data[lo : lo + size].copy()
        cols = slots[lo : lo + size]
        place = out_indptr[j0:j1].copy()
        for e in range(size):
            c = np.uintp(cols[e])
            pos = np.uintp(place[c])
            out_indices[pos] = rows[e]
            out_data[pos] = values[e]
            place[c] = pos + one
