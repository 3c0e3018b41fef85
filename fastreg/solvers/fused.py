"""The fused gradient pass over ``[1, X]`` for any storage of ``X``.

:class:`FusedGradient` picks the kernel for the storage it is given (dense
C-order, dense F-order or CSR), allocates the per-thread buffers once, and
is then called once per iteration. Gradient descent and power iteration
share it, and so will every first-order solver.
"""

import numba
import numpy as np
import scipy.sparse as sp

from ..kernels import csr as csr_kernels
from ..kernels.csr import (
    gradient_csr,
    gradient_csr_gather,
    nnz_bounds,
    rows_sorted_distinct,
)
from ..kernels.dense import gradient_dense_c, gradient_dense_f, row_bounds

# Rows per block in the F-order kernel: a block of X (block × p values) should
# stay in the per-core L2 cache between its two uses.
_BLOCK_BYTES = 1024 * 1024
# Chunks per thread of the CSR kernel, whose threads claim chunks (see
# fastreg.kernels.intrinsics): with several, a thread slowed by a busy core
# leaves its chunks to the others.
_CSR_CHUNKS_PER_THREAD = 2


def _gathers_fit(X):
    """Whether :func:`~fastreg.kernels.csr.gradient_csr_gather` serves CSR ``X``.

    It needs a CPU with fast gathers (:data:`fastreg.kernels.csr.FAST_GATHERS`,
    read at each call so that tests can switch it), contiguous arrays of its
    types, and no row holding a column twice: strictly increasing indices in
    every row, checked on the arrays (one read of ``indices``). Other
    matrices take the scalar kernel, which sums duplicates.
    """
    return (
        csr_kernels.FAST_GATHERS
        and X.data.dtype in (np.float32, np.float64)
        and X.indices.dtype in (np.int32, np.int64)
        and X.data.flags.c_contiguous
        and X.indices.flags.c_contiguous
        and rows_sorted_distinct(X.indices, X.indptr)
    )


class FusedGradient:
    """``grad = [Σr, Xᵀr]`` and ``Σr²`` for ``r = b + Xw − y`` in one pass over ``X``.

    Parameters
    ----------
    X : ndarray (C- or F-contiguous) or scipy CSR matrix/array
        Validated design matrix, float32 or float64. Never copied or modified.
    n_chunks : int, optional
        Number of row chunks (one buffer each); defaults to numba's current
        thread count, times ``_CSR_CHUNKS_PER_THREAD`` for CSR on several
        threads.
    """

    def __init__(self, X, n_chunks=None):
        if n_chunks is None:
            n_chunks = numba.get_num_threads()
            if sp.issparse(X) and n_chunks > 1:
                n_chunks *= _CSR_CHUNKS_PER_THREAD
        self.n_samples, self.n_features = X.shape
        q = self.n_features + 1
        self._buf = np.empty((n_chunks, q))
        if sp.issparse(X):
            if X.format != "csr":
                raise TypeError("FusedGradient needs CSR input")
            self._bounds = nnz_bounds(X.indptr, n_chunks)
            self._args = (X.data, X.indices, X.indptr)
            self._kernel = gradient_csr_gather if _gathers_fit(X) else gradient_csr
            self._tail = (self._bounds, self._buf)
        elif X.flags.c_contiguous:
            self._bounds = row_bounds(self.n_samples, n_chunks)
            self._args = (X,)
            self._kernel = gradient_dense_c
            self._tail = (self._bounds, self._buf)
        elif X.flags.f_contiguous:
            self._bounds = row_bounds(self.n_samples, n_chunks)
            block = int(np.clip(_BLOCK_BYTES // (X.itemsize * max(self.n_features, 1)), 8, 512))
            self._args = (X,)
            self._kernel = gradient_dense_f
            self._tail = (self._bounds, block, self._buf, np.empty((n_chunks, block)))
        else:
            raise TypeError("FusedGradient needs a contiguous array")

    def __call__(self, theta, y, out):
        """Write ``[Σr, Xᵀr]`` into ``out`` and return ``Σr²``.

        ``theta`` is ``[b, w]`` (float64, length p + 1), ``y`` float64.
        """
        return self._kernel(*self._args, y, theta, *self._tail, out)
