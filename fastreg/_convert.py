"""Sparse layout conversions made once per fit: CSR → CSC for the column-reading solvers."""

import math

import numpy as np
import scipy.sparse as sp

from ._policy import csc_blocked
from .kernels.layout import csr_to_csc

__all__ = ["to_csc", "csc_block_shift"]


def csc_block_shift(p, nnz):
    """log2 of the column blocks of :func:`fastreg.kernels.layout.csr_to_csc` (0: scipy's direct pass).

    Blocks of about 8,000 values (their ~200 KB sorted in L2) and 64 to 1,024
    of them (pass 1's output streams stay in cache); at most 2**16 columns
    each (the within-block slot is uint16).
    """
    if not csc_blocked(nnz, p):
        return 0
    blocks = max(64, min(1024, nnz // 8192))
    return int(min(16, max(1, math.ceil(math.log2(p / blocks)))))


def to_csc(X):
    """A CSC copy of CSR ``X`` (any other format: ``X.tocsc()``, no copy when already CSC).

    Large CSR with many columns goes through
    :func:`fastreg.kernels.layout.csr_to_csc`, in column blocks sorted in
    cache. Few columns or few values go through scipy
    (:func:`fastreg._policy.csc_blocked`). Within a column the rows come out sorted, as from
    scipy, and a canonical ``X`` gives a CSC marked canonical, so no later
    check re-reads it. Matrices stay matrices and arrays stay arrays; the
    index dtypes are kept. The caller's ``X`` is only read.
    """
    if X.format != "csr":
        return X.tocsc()
    n, p = X.shape
    shift = csc_block_shift(p, X.nnz)
    if (
        not shift
        or p > X.nnz  # the column pointers would outweigh the values
        or n > np.iinfo(X.indices.dtype).max  # rows that only scipy's wider indices hold
    ):
        return X.tocsc()
    indptr = np.empty(p + 1, dtype=X.indptr.dtype)
    indices = np.empty(X.nnz, dtype=X.indices.dtype)
    data = np.empty(X.nnz, dtype=X.data.dtype)
    block_cursors = np.empty(-(-p >> shift), dtype=X.indptr.dtype)  # ceil(p / 2**shift)
    slots = np.empty(X.nnz, dtype=np.uint16)
    csr_to_csc(X.indptr, X.indices, X.data, shift, indptr, indices, data, block_cursors, slots)
    cls = sp.csc_array if isinstance(X, sp.sparray) else sp.csc_matrix
    out = cls((data, indices, indptr), shape=X.shape, copy=False)
    out.has_sorted_indices = True
    if X.has_canonical_format:
        out.has_canonical_format = True
    return out
