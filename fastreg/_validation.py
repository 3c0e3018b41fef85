"""The one door for input: arrays, sparse formats, dtypes, shapes and parameters.

Built on scikit-learn's ``check_X_y`` so errors read the way scikit-learn
users expect. Nothing here modifies the caller's arrays: conversions copy.
"""

import math
import numbers

import numpy as np
import scipy.sparse as sp
from sklearn.utils import check_X_y

PENALTIES = ("l2", "l1", None)


def check_design(X, y):
    """Validate ``X`` and ``y`` for the fused kernels.

    Returns
    -------
    X : ndarray, C- or F-contiguous, or scipy CSR matrix/array
        float32 if ``X`` was float32, float64 otherwise. Dense arrays keep
        their memory order when contiguous; other layouts are copied to C
        order. Sparse input of any format becomes CSR (converted once; CSR is
        used as given, unsorted or duplicate entries included).
    y : (n,) float64 ndarray
    """
    X, y = check_X_y(
        X,
        y,
        accept_sparse="csr",
        accept_large_sparse=True,
        dtype=[np.float64, np.float32],
        y_numeric=True,
        ensure_all_finite=True,
    )
    if sp.issparse(X):
        check_compressed_structure(X)
    elif not (X.flags.c_contiguous or X.flags.f_contiguous):
        X = np.ascontiguousarray(X)
    return X, np.asarray(y, dtype=np.float64)


def check_compressed_structure(X):
    """Reject a CSR/CSC matrix whose index arrays would make a kernel read out of bounds.

    scipy does not check index ranges on construction; the kernels trust them.
    Read-only: the matrix is not sorted, pruned or otherwise touched.
    """
    n_major, n_minor = X.shape if X.format == "csr" else X.shape[::-1]
    fmt = X.format.upper()
    indices, indptr = X.indices, X.indptr
    if indptr.shape != (n_major + 1,) or indptr[0] != 0 or indptr[-1] > indices.shape[0]:
        raise ValueError(f"X is an invalid {fmt} matrix: indptr does not match its shape and indices")
    if X.data.shape[0] < indptr[-1]:
        raise ValueError(f"X is an invalid {fmt} matrix: data is shorter than indptr says")
    if n_major and np.any(np.diff(indptr) < 0):
        raise ValueError(f"X is an invalid {fmt} matrix: indptr is not non-decreasing")
    used = indices[: indptr[-1]]
    if used.size and (used.min() < 0 or used.max() >= n_minor):
        axis = "column" if fmt == "CSR" else "row"
        raise ValueError(f"X is an invalid {fmt} matrix: {axis} indices outside [0, {n_minor})")


def check_penalty(penalty):
    """Return ``penalty`` if it is ``"l2"``, ``"l1"`` or ``None``."""
    if isinstance(penalty, str) and penalty in PENALTIES or penalty is None:
        return penalty
    raise ValueError(f"penalty must be 'l2', 'l1' or None, got {penalty!r}")


def check_scalar(value, name, *, low=0.0, include_low=True, integer=False):
    """Check a real (or integer) parameter is finite and ``>= low`` (``> low``)."""
    kind = numbers.Integral if integer else numbers.Real
    if isinstance(value, bool) or not isinstance(value, kind):
        expected = "an integer" if integer else "a real number"
        raise TypeError(f"{name} must be {expected}, got {value!r} ({type(value).__name__})")
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}")
    if value < low or (value == low and not include_low):
        bound = ">=" if include_low else ">"
        raise ValueError(f"{name} must be {bound} {low:g}, got {value!r}")
    return value


def check_learning_rate(learning_rate):
    """Return ``"auto"`` or a finite positive float."""
    if isinstance(learning_rate, str):
        if learning_rate == "auto":
            return learning_rate
        raise ValueError(f"learning_rate must be a positive number or 'auto', got {learning_rate!r}")
    return float(check_scalar(learning_rate, "learning_rate", include_low=False))


def check_sample_weight(sample_weight, X):
    """``None`` (unweighted), or ``sample_weight`` as a (n,) float64 array.

    A scalar means equal weights (``None``). Weights must be finite and
    non-negative with a positive sum: a zero weight removes its sample.
    """
    if sample_weight is None or isinstance(sample_weight, numbers.Number):
        return None
    from sklearn.utils.validation import _check_sample_weight

    sw = _check_sample_weight(sample_weight, X, dtype=np.float64, ensure_non_negative=True)
    if not np.all(np.isfinite(sw)):
        raise ValueError("sample_weight must be finite")
    if not sw.sum() > 0:
        raise ValueError("sample_weight must have a positive sum (at least one sample with weight > 0)")
    return sw
