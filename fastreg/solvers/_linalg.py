"""Dense Cholesky factorizations in NumPy's BLAS, not SciPy's.

NumPy and SciPy wheels each bundle their own OpenBLAS, with its own thread
pool. After a NumPy product (a Gram ``XᵀX``, say) NumPy's BLAS threads keep
spinning for a while; a factorization in SciPy's LAPACK right then runs its own
threads on the same cores and fights them, and takes several times as long as
``numpy.linalg.cholesky`` (measurements: docs/design-measurements.md). The
triangular solves that follow are ``O(size²)`` and stay with
:func:`scipy.linalg.cho_solve`.
"""

import numpy as np


def cho_factor(A):
    """Lower Cholesky factor of symmetric positive definite ``A``, as :func:`scipy.linalg.cho_factor` returns it.

    Parameters
    ----------
    A : (m, m) float64 ndarray, not modified

    Returns
    -------
    (L, True) : the factor and ``lower=True``, for :func:`scipy.linalg.cho_solve`

    Raises
    ------
    numpy.linalg.LinAlgError
        If ``A`` is not numerically positive definite (the class
        ``scipy.linalg.LinAlgError`` names too).
    """
    return np.linalg.cholesky(A), True
