"""glmnet's ``standardize=True``: the spread ``σⱼ`` of each column, which becomes a penalty weight.

Penalizing the coefficients ``w̃ⱼ = σⱼwⱼ`` of the columns scaled to unit
spread is penalizing ``wⱼ`` with L1 weight ``σⱼ`` and L2 weight ``σⱼ²``
(:func:`fastreg.penalty.make_penalty`'s ``scale``): no scaled copy of ``X``,
the coefficients come out on the original scale, sparse ``X`` stays sparse.
"""

import numpy as np
import scipy.sparse as sp

from .solvers._columns import constant_columns

__all__ = ["feature_scales"]

# Dense X is read in blocks of columns holding about this many values (a float64 copy of one block).
_BLOCK_VALUES = 1 << 22


def feature_scales(X, sample_weight=None):
    """Each column's weighted standard deviation, glmnet's ``xs``: ``σⱼ = √(Σᵢ sᵢ(xᵢⱼ − x̄ⱼ)²/Σs)``.

    The ``1/n`` variance (weights normalized to sum to one), around the
    weighted mean ``x̄ⱼ = Σsᵢxᵢⱼ/Σs`` whether or not an intercept is fitted
    (glmnet centers for its scale in both cases). Exactly constant columns
    (all values equal, weights aside) get ``σⱼ = 0``, not rounding noise.

    Parameters
    ----------
    X : ndarray or scipy sparse matrix/array of shape (n, p), validated (finite)
        Never modified, never densified; dense ``X`` is read in blocks of columns.
    sample_weight : None or ndarray of shape (n,), non-negative, positive sum

    Returns
    -------
    ndarray of shape (p,), float64, ``≥ 0``
    """
    n, p = X.shape
    s = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    total = float(n) if s is None else float(s.sum())
    if sp.issparse(X):
        var = _sparse_variance(X, s, total)
    else:
        var = np.empty(p)
        step = max(1, _BLOCK_VALUES // max(n, 1))
        for j in range(0, p, step):
            block = np.asarray(X[:, j : j + step], dtype=np.float64)
            mean = block.mean(axis=0) if s is None else (s @ block) / total
            dev = block - mean
            dev *= dev
            var[j : j + step] = (dev.sum(axis=0) if s is None else s @ dev) / total
    sigma = np.sqrt(np.maximum(var, 0.0))
    sigma[constant_columns(X)] = 0.0
    return sigma


def _sparse_variance(X, s, total):
    """``Σᵢ sᵢ(xᵢⱼ − x̄ⱼ)²/Σs``: the stored values' terms, plus ``x̄ⱼ²`` times the implicit zeros' weight."""
    if X.format not in ("csr", "csc") or not X.has_canonical_format:
        X = sp.csr_matrix(X, copy=True)
        X.sum_duplicates()
    n, p = X.shape
    counts = np.diff(X.indptr)
    if X.format == "csr":
        rows, cols = np.repeat(np.arange(n), counts), X.indices
    else:
        rows, cols = X.indices, np.repeat(np.arange(p), counts)
    values = X.data.astype(np.float64)
    w = np.ones(values.shape[0]) if s is None else s[rows]
    stored_weight = np.bincount(cols, weights=w, minlength=p)
    mean = np.bincount(cols, weights=w * values, minlength=p) / total
    dev = values - mean[cols]
    m2 = np.bincount(cols, weights=w * dev * dev, minlength=p) + mean * mean * np.maximum(total - stored_weight, 0.0)
    return m2 / total
