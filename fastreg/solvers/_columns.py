"""Column statistics of ``X`` for the solvers: means, centered norms, exactly constant columns.

:func:`fortran_stats` gives coordinate descent its Fortran-ordered ``X`` and
all three in one pass.

Centering a constant column in floating point leaves rounding noise
(``0.1 − mean(0.1, 0.1, 0.1) = −1.4e-17``), and the implicit centering of
sparse ``X`` leaves noise in every product with it. Solvers without a penalty
to tame them (least squares) turn that noise into huge coefficients; so
with an intercept, constant columns are recognized exactly (all values
equal, ``min == max``) and get the coefficient 0 that the exact arithmetic
gives them.
"""

import numpy as np
import scipy.sparse as sp

from ..kernels.layout import column_summary, column_summary_f, copy_c_to_f_stats, row_tiles, tile_rows


def constant_columns(X):
    """Boolean mask of the columns of ``X`` whose values are all equal.

    ``X`` is a dense array or a scipy sparse matrix/array (any format,
    duplicates allowed); it is not modified (sparse input is summed on a copy).
    """
    if not sp.issparse(X):
        return dense_means_and_constants(X)[1]  # one pass, where np.ptp makes two
    n, p = X.shape
    if X.format == "csc" and X.has_canonical_format:
        C = X  # read only
    else:
        C = sp.csc_matrix(X, copy=True)
        C.sum_duplicates()
    counts = np.diff(C.indptr)
    hi = np.full(p, -np.inf)
    lo = np.full(p, np.inf)
    stored = counts > 0  # reduceat over the non-empty columns' segments: far faster than ufunc.at
    if stored.any():
        starts = C.indptr[:-1][stored]
        hi[stored] = np.maximum.reduceat(C.data, starts)
        lo[stored] = np.minimum.reduceat(C.data, starts)
    implicit_zeros = counts < n
    hi = np.where(implicit_zeros, np.maximum(hi, 0.0), hi)
    lo = np.where(implicit_zeros, np.minimum(lo, 0.0), lo)
    return hi == lo


def dense_means_and_constants(X):
    """Column means (float64) and the mask of constant columns of dense ``X``, in one pass.

    ``X`` is C- or F-contiguous float32/float64 (anything else goes through
    NumPy: ``mean`` and ``ptp``, three passes).
    """
    n, p = X.shape
    if X.dtype not in (np.float32, np.float64) or not (X.flags.c_contiguous or X.flags.f_contiguous) or n == 0:
        return X.mean(axis=0, dtype=np.float64), np.ptp(X, axis=0) == 0
    sums, lows, highs = (np.empty(p) for _ in range(3))
    if X.flags.c_contiguous:
        column_summary(X, sums, lows, highs)
        return sums / n, lows == highs
    column_summary_f(X.T, sums, lows, highs, np.empty(p))  # means
    return sums, lows == highs


def fortran_stats(X):
    """Fortran-ordered ``X`` (itself if it already is) and its column statistics, in one pass over ``X``.

    Returns ``(XF, mean, m2, constant)``: ``mean`` and ``m2 = Σᵢ (Xᵢⱼ − x̄ⱼ)²``
    in float64, ``constant`` the mask of columns whose values are all equal.
    ``XF`` keeps ``X``'s float dtype; the caller's ``X`` is never written.
    """
    n, p = X.shape
    if X.dtype not in (np.float32, np.float64):
        X = X.astype(np.float64)
    if not X.flags.f_contiguous and not X.flags.c_contiguous:
        X = np.asfortranarray(X)
    if X.flags.f_contiguous:
        means, lows, highs, m2 = (np.empty(p) for _ in range(4))
        column_summary_f(X.T, means, lows, highs, m2)
        return X, means, m2, lows == highs
    XF = np.empty((n, p), dtype=X.dtype, order="F")
    tiles = row_tiles(n)
    sums, m2, lows, highs = (np.empty((tiles, p)) for _ in range(4))
    shift = X[0].astype(np.float64)
    copy_c_to_f_stats(X, shift, XF.T, sums, m2, lows, highs)
    mean, total_m2 = merge_tile_stats(sums, m2, tile_rows(n), shift)
    return XF, mean, total_m2, lows.min(axis=0) == highs.max(axis=0)


def merge_tile_stats(sums, m2, counts, shift):
    """Means and squared deviations of columns from per-tile shifted sums and squared deviations.

    ``sums`` (of ``X − shift``), ``m2``: ``(n_tiles, p)``; ``counts``:
    ``(n_tiles,)`` rows per tile; ``shift``: ``(p,)``. The deviations of the
    tile means from the overall mean are added (Chan, Golub & LeVeque):
    every term is non-negative, nothing cancels.
    """
    counts = np.asarray(counts, dtype=np.float64)[:, None]
    shifted_mean = sums.sum(axis=0) / counts.sum()
    dev = sums / counts - shifted_mean
    return shift + shifted_mean, m2.sum(axis=0) + (counts * dev * dev).sum(axis=0)
