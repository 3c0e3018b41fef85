"""Sample weights and centering, the way scikit-learn's ``_preprocess_data`` + ``_rescale_data`` do.

With weights ``s`` (and ``d = √s``), the weighted problem with an intercept

    min_{w, b}  Σᵢ sᵢ (yᵢ − xᵢw − b)² + penalty(w)

is the unweighted problem without intercept on

    X̃ = D (X − 1 x̄ᵀ),    ỹ = D (y − ȳ),       D = diag(d),

with the weighted means ``x̄ = Xᵀs / Σs`` and ``ȳ = yᵀs / Σs``, and the
intercept ``b = ȳ − x̄ᵀw``. Without intercept, ``x̄ = 0`` and ``ȳ = 0``. A zero
weight zeroes its row (the sample is absent); an integer weight ``k`` gives
the same ``X̃ᵀX̃`` and ``X̃ᵀỹ`` as ``k`` copies of the row.

Dense ``X``: :func:`center_scale_dense` builds ``X̃`` in one copy (in the
memory order and dtype the solver asks for) — the solver's own centered copy,
so weights cost no extra pass or memory.

Sparse ``X`` is never densified and never centered: :func:`scale_rows_sparse`
returns ``DX`` (a copy with the same sparsity) and the solver applies the
rank-one centering implicitly, ``X̃ v = DXv − d (x̄ᵀv)`` and
``X̃ᵀu = (DX)ᵀu − x̄ (dᵀu)`` (for ``d = 1`` this is the usual implicit centering).

Nothing here imports scikit-learn; the caller's arrays are never modified.
"""

import numpy as np
import scipy.sparse as sp

from .kernels.layout import center_c_to_f, center_f_to_f, row_tiles

__all__ = ["column_sums", "column_means", "weighted_offsets", "center_scale_dense", "scale_rows_sparse", "preprocess"]


def column_sums(X):
    """Column sums of dense or sparse ``X``, accumulated in float64.

    scipy (1.17) sums float32 sparse data in float32 even when asked for
    ``dtype=float64`` (errors of ~1e-8 relative in the means, hence in the
    intercepts); the stored entries are summed here with ``np.bincount``.
    """
    if not sp.issparse(X):
        return X.sum(axis=0, dtype=np.float64)
    if X.dtype == np.float64:
        return np.asarray(X.sum(axis=0)).ravel()
    cols = X.indices if X.format == "csr" else X.tocoo().col
    return np.bincount(cols, weights=X.data, minlength=X.shape[1])


def column_means(X):
    """Column means of dense or sparse ``X`` in float64 (see :func:`column_sums`)."""
    if not sp.issparse(X):
        return X.mean(axis=0, dtype=np.float64)
    return column_sums(X) / X.shape[0]


def weighted_offsets(X, y, sample_weight, fit_intercept):
    """Weighted column means ``x̄`` (p,) and target means ``ȳ`` (scalar or (k,)), float64.

    Zeros without ``fit_intercept``. ``sample_weight`` is ``None`` or (n,) float64.
    ``X=None`` skips the column means (returned as ``None``).
    """
    y = np.asarray(y, dtype=np.float64)
    if not fit_intercept:
        return (None if X is None else np.zeros(X.shape[1])), (0.0 if y.ndim == 1 else np.zeros(y.shape[1]))
    if sample_weight is None:
        if X is None:
            x_mean = None
        else:
            x_mean = column_means(X)
        y_mean = y.mean(axis=0)
    else:
        total = float(sample_weight.sum())
        x_mean = None if X is None else np.asarray(X.T @ sample_weight, dtype=np.float64).ravel() / total
        y_mean = (sample_weight @ y) / total
    return x_mean, (float(y_mean) if y.ndim == 1 else np.asarray(y_mean))


def intercept_of(w, x_mean, y_mean, fit_intercept):
    """The intercept ``b = ȳ − x̄ᵀw`` of centered coefficients (0 without ``fit_intercept``).

    ``w`` (p,) gives a float; ``W`` (p, k) with ``y_mean`` (k,) gives (k,).
    """
    w = np.asarray(w)
    if not fit_intercept:
        return 0.0 if w.ndim == 1 else np.zeros(w.shape[1])
    b = y_mean - x_mean @ w
    return float(b) if w.ndim == 1 else np.asarray(b, dtype=np.float64)


def centered_xty(X, y, fit_intercept, sample_weight=None):
    """``X_cᵀS y_c`` without centering ``X`` (``Xᵀ(s∘y_c) − x̄·Σ(s∘y_c)``), as scikit-learn's grid.

    ``x̄``, ``ȳ`` are the (weighted) means; ``S = diag(s)`` (the identity when
    ``sample_weight`` is ``None``). ``y`` (n,) gives (p,), ``y`` (n, k) gives (p, k).
    """
    y = np.asarray(y, dtype=np.float64)
    x_mean, y_mean = weighted_offsets(X, y, sample_weight, fit_intercept)
    y_c = y - y_mean if fit_intercept else y
    if sample_weight is not None:
        y_c = y_c * (sample_weight if y.ndim == 1 else sample_weight[:, None])
    q = np.asarray(X.T @ y_c, dtype=np.float64)
    if y.ndim == 1:
        q = q.ravel()
    if fit_intercept:
        q -= np.multiply.outer(x_mean, y_c.sum(axis=0))
    return q


def center_scale_dense(X, x_mean, sqrt_sw=None, *, dtype=None, order="F", out=None, norms=None):
    """``D (X − 1 x̄ᵀ)`` as one new array (``D = I`` when ``sqrt_sw`` is ``None``).

    ``dtype`` defaults to ``X.dtype``; ``order`` is the memory order of the
    result. ``out`` (an array of the right shape, dtype and order, possibly
    ``X`` itself) is written instead of allocating: that is ``copy_X=False``.
    ``norms`` (a ``(p,)`` float64 array), if given, receives the squared
    column norms of the result.
    """
    dtype = X.dtype if dtype is None else np.dtype(dtype)
    if out is None:
        out = np.empty(X.shape, dtype=dtype, order=order)
    if out.flags.f_contiguous and X.dtype == dtype and (X.flags.c_contiguous or X.flags.f_contiguous):
        # the Fortran copy of coordinate descent: tiled and parallel (see fastreg.kernels.layout)
        mean = np.ascontiguousarray(x_mean, dtype=dtype)
        scale = np.empty(0, dtype=dtype) if sqrt_sw is None else np.ascontiguousarray(sqrt_sw, dtype=dtype)
        p = X.shape[1]
        if X.flags.f_contiguous:
            col_norms = np.empty(p) if norms is None else norms
            center_f_to_f(X.T, mean, scale, out.T, col_norms)
        else:
            partial = np.empty((row_tiles(X.shape[0]), p))
            center_c_to_f(X, mean, scale, out.T, partial)
            if norms is not None:
                partial.sum(axis=0, out=norms)
        return out
    np.subtract(X, x_mean.astype(dtype, copy=False), out=out)
    if sqrt_sw is not None:
        out *= sqrt_sw.astype(dtype, copy=False)[:, None]
    if norms is not None:
        norms[:] = np.einsum("ij,ij->j", out, out, dtype=np.float64)
    return out


def scale_rows_sparse(X, sqrt_sw, fmt=None):
    """``DX`` for sparse ``X``: a copy with the same sparsity pattern, never densified.

    The result is in ``fmt`` (``"csr"``/``"csc"``; default: ``X``'s format if
    compressed, else CSR) and keeps ``X``'s float dtype.
    """
    fmt = fmt or (X.format if X.format in ("csr", "csc") else "csr")
    X = X.asformat(fmt)
    data = X.data
    if fmt == "csr":
        rows = np.repeat(np.arange(X.shape[0]), np.diff(X.indptr))
    else:
        rows = X.indices
    scaled = (data * sqrt_sw[rows]).astype(data.dtype, copy=False)
    cls = type(X)
    return cls((scaled, X.indices.copy(), X.indptr.copy()), shape=X.shape)


def preprocess(X, y, sample_weight=None, *, fit_intercept=True, sparse_format=None, dtype=None, order="F"):
    """scikit-learn's ``_preprocess_data`` + ``_rescale_data`` in one step.

    Parameters
    ----------
    X : dense ndarray or scipy sparse matrix/array (validated, finite)
    y : (n,) or (n, k) array
    sample_weight : None or (n,) float64, non-negative with a positive sum
        The weights multiply the squared loss as given (no normalization:
        scale them first if the objective wants ``Σs = n``, as Lasso does).
    fit_intercept : bool
    sparse_format, dtype, order : layout of the returned ``X`` (see
        :func:`scale_rows_sparse` and :func:`center_scale_dense`)

    Returns
    -------
    X_out : dense ``D (X − 1x̄ᵀ)`` (a copy), or sparse ``DX`` (a copy when
        weighted, else ``X`` itself: uncentered, center implicitly with
        ``x_offset`` and ``sqrt_sw``)
    y_out : ``D (y − ȳ)``, float64, a copy
    x_offset : (p,) float64 weighted column means (zeros without intercept)
    y_offset : float or (k,) weighted target means (zero without intercept)
    sqrt_sw : (n,) float64 or None
        ``√s``; the vector to center sparse ``X_out`` with (``None`` means ones).
    """
    y = np.asarray(y, dtype=np.float64)
    x_offset, y_offset = weighted_offsets(X, y, sample_weight, fit_intercept)
    sqrt_sw = None if sample_weight is None else np.sqrt(sample_weight)
    y_out = y - y_offset
    if sqrt_sw is not None:
        y_out *= sqrt_sw if y.ndim == 1 else sqrt_sw[:, None]
    if sp.issparse(X):
        X_out = X if sqrt_sw is None else scale_rows_sparse(X, sqrt_sw, sparse_format)
        if sparse_format is not None and X_out.format != sparse_format:
            X_out = X_out.asformat(sparse_format)
    else:
        X_out = center_scale_dense(X, x_offset, sqrt_sw, dtype=dtype, order=order)
    return X_out, y_out, x_offset, y_offset, sqrt_sw
