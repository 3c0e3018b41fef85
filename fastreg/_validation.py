"""The one door for input: arrays, sparse formats, dtypes, shapes and parameters.

Every public entry point passes through here: the estimators
(:func:`validate_fit_data`, :func:`validate_predict_data`), the parameter
checks (:func:`check_scalar`, :func:`check_alpha`, :func:`check_l1_ratio`,
:func:`check_tol`, :func:`check_max_iter`, :func:`check_bool`),
:func:`fastreg.gradient_descent` (:func:`check_design`) and the command line
(through those). Built on scikit-learn's ``check_X_y``/``validate_data`` so
errors read the way scikit-learn users expect, with the messages that would
not name the problem (non-numeric data, ``None``, complex numbers, a ragged
list, a 1-D ``X``) rewritten so that they do.

Nothing here modifies the caller's arrays or sparse matrices: conversions,
including summing duplicate sparse entries, happen on copies.
"""

import math
import numbers

import numpy as np
import scipy.sparse as sp
from sklearn.utils import assert_all_finite, check_X_y
from sklearn.utils.validation import validate_data

from ._convert import to_csc

PENALTIES = ("l2", "l1", None)
FLOAT_DTYPES = (np.float64, np.float32)
SPARSE_FORMATS = ("csr", "csc", "coo")


# ----------------------------------------------------------------- arrays


def _precheck(A, name, ndim=None):
    """Name the problems that scikit-learn's checks would report obscurely.

    Cheap: looks at ``dtype``/``ndim`` of arrays and sparse matrices, and
    converts only other array-likes (lists, ...) to find their shape.
    """
    if A is None:
        if name == "y":  # scikit-learn's wording, which its estimator checks expect
            raise ValueError("y is None: this estimator requires y to be passed, but the target y is None")
        raise TypeError(f"{name} is None; expected an array-like of numbers")
    if isinstance(A, (str, bytes)):
        raise TypeError(f"{name} is a string ({A[:20]!r}); expected an array-like of numbers")
    if isinstance(A, (numbers.Number, np.generic)) and not isinstance(A, np.ndarray):
        raise ValueError(f"{name} is a scalar ({A!r}); expected an array-like of shape {_SHAPES[name]}")
    if sp.issparse(A):
        kind = A.dtype.kind
        dims = A.ndim
        if A.format in ("csr", "csc") and dims == 2:
            # before scipy or scikit-learn convert it: their C++ trusts the indices
            check_compressed_structure(A)
        elif A.format == "coo" and dims == 2:
            for axis, idx in enumerate((A.row, A.col)):
                if idx.shape != A.data.shape or (idx.size and (idx.min() < 0 or idx.max() >= A.shape[axis])):
                    raise ValueError(f"{name} is an invalid COO matrix: {('row', 'column')[axis]} indices "
                                     f"outside [0, {A.shape[axis]}) or not one per entry")
    else:
        dtype = getattr(A, "dtype", None)
        kind = dtype.kind if isinstance(dtype, np.dtype) else None
        dims = getattr(A, "ndim", None)
        if dims is None and not hasattr(A, "dtypes"):  # lists, tuples; not pandas frames
            try:
                arr = np.asarray(A)
            except ValueError as exc:
                raise ValueError(
                    f"{name} is a ragged nested sequence (rows of different lengths): {exc}"
                ) from None
            dims, kind = arr.ndim, arr.dtype.kind
    if kind == "c":
        raise ValueError(f"Complex data not supported: {name} contains complex numbers; fastreg fits real data only")
    if kind in ("U", "S"):
        raise ValueError(f"{name} contains non-numeric data (strings, dtype {A.dtype if hasattr(A, 'dtype') else 'str'})")
    if ndim is not None and dims is not None and dims != ndim and not (name == "y" and dims == 2):
        shape = getattr(A, "shape", None) or np.shape(A)
        hint = (
            ". Reshape your data either using X.reshape(-1, 1) if it has a single feature "
            "or X.reshape(1, -1) if it contains a single sample"
            if name == "X" and dims == 1
            else ""
        )
        raise ValueError(f"{name} must be a {ndim}D array of shape {_SHAPES[name]}, got shape {tuple(shape)}{hint}")


_SHAPES = {"X": "(n_samples, n_features)", "y": "(n_samples,)"}


def _rewrite(exc, X, y):
    """A clearer error for ``exc`` raised by scikit-learn's checks, or ``exc`` itself."""
    text = str(exc)
    if "could not convert" in text or "Unable to convert" in text or "argument must be" in text:
        culprit = "X"
        try:
            np.asarray(y, dtype=np.float64)
        except (TypeError, ValueError):
            culprit = "y"
        first = text.splitlines()[0] if text else type(exc).__name__
        # keep the type: scikit-learn raises TypeError for objects like dicts
        return type(exc)(f"{culprit} contains non-numeric data ({first})")
    if "Complex data not supported" in text:
        return ValueError("Complex data not supported: X or y contains complex numbers; fastreg fits real data only")
    return None


def canonical_sparse(X):
    """``X`` itself if its entries are canonical, else a canonical copy.

    Canonical: sorted indices and no duplicate entries (duplicates summed,
    as scipy defines them). The caller's matrix is never sorted or summed in
    place. COO and other formats are returned unchanged.
    """
    if X.format in ("csr", "csc") and not X.has_canonical_format:
        X = X.copy()
        X.sum_duplicates()  # also sorts the indices
    return X


def validate_fit_data(estimator, X, y, sparse_format="csr", *, canonical=True, multi_output=False, defer_finite=False):
    """Validate ``X``, ``y`` for an estimator's ``fit`` (sets ``n_features_in_``).

    Parameters
    ----------
    estimator : BaseEstimator
    X : array-like or scipy sparse matrix/array of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
    sparse_format : {"csr", "csc"}
        Sparse ``X`` of any format comes back in this one (a copy when
        converting).
    canonical : bool, default=True
        Sum duplicate entries and sort indices of sparse ``X`` (on a copy,
        only when needed).
    multi_output : bool, default=False
        Accept 2-D ``y`` (n_samples, n_targets).
    defer_finite : bool, default=False
        Leave dense ``X``'s check for NaN and infinity to the caller, who
        must make it (:func:`check_finite`), or read ``X`` in a pass whose
        column statistics are non-finite exactly when ``X`` is and call
        :func:`check_finite` then (coordinate descent's copy does). Sparse
        ``X`` is checked here either way.

    Returns
    -------
    X : float32 or float64 ndarray or sparse matrix/array in ``sparse_format``
    y : float64 ndarray
    """
    _precheck(X, "X", ndim=2)
    _precheck(y, "y", ndim=1)
    X, y = _with_clear_errors(
        lambda: validate_data(
            estimator,
            X,
            y,
            accept_sparse=SPARSE_FORMATS,
            accept_large_sparse=True,
            dtype=list(FLOAT_DTYPES),
            y_numeric=True,
            multi_output=multi_output,
            ensure_all_finite=not defer_finite,
        ),
        X,
        y,
    )
    if defer_finite and sp.issparse(X):
        check_finite(X, estimator)
    return sparse_as(X, sparse_format, canonical=canonical), np.asarray(y, dtype=np.float64)


def check_finite(X, estimator=None):
    """Raise scikit-learn's ``ValueError`` ("Input X contains NaN." / "... infinity ...") if ``X`` is not finite.

    One read of ``X`` (NumPy's sum first); the check :func:`validate_fit_data`
    makes unless ``defer_finite``.
    """
    name = None if estimator is None else (estimator if isinstance(estimator, str) else type(estimator).__name__)
    assert_all_finite(X, input_name="X", estimator_name=name)


def validate_xy(X, y, sparse_format="csr", *, canonical=True, multi_output=False, check_finite=True):
    """:func:`validate_fit_data` for functions (paths): no estimator; 1-D ``y`` unless ``multi_output``.

    ``check_finite=False`` skips the scan of dense ``X`` for NaN and infinity
    (scikit-learn's ``check_input=False``); ``y`` is always checked.
    """
    _precheck(X, "X", ndim=2)
    _precheck(y, "y", ndim=1)
    X, y = _with_clear_errors(
        lambda: check_X_y(
            X, y, accept_sparse=SPARSE_FORMATS, accept_large_sparse=True, dtype=list(FLOAT_DTYPES), y_numeric=True,
            multi_output=multi_output, ensure_all_finite=check_finite,
        ),
        X,
        y,
    )
    if not check_finite:
        assert_all_finite(y, input_name="y")
        if sp.issparse(X):
            assert_all_finite(X.data, input_name="X")
    return sparse_as(X, sparse_format, canonical=canonical), np.asarray(y, dtype=np.float64)


def sparse_as(X, sparse_format, *, canonical=True):
    """Validated sparse ``X`` in ``sparse_format`` with safe index arrays (dense ``X`` unchanged).

    CSR/CSC input was checked by :func:`_precheck`, before scipy could convert
    it (its C++ trusts the indices); other formats are checked once converted.
    ``canonical`` sums duplicates and sorts indices on a copy when needed.
    """
    if not sp.issparse(X):
        return X
    checked = X.format in ("csr", "csc")
    if X.format == "csr" and sparse_format == "csc":
        X = to_csc(X)
    else:
        X = X.asformat(sparse_format)  # a copy when converting; the caller's matrix is untouched
    if not checked:
        check_compressed_structure(X)
    if canonical:
        X = canonical_sparse(X)
    return X


def validate_predict_data(estimator, X):
    """Validate ``X`` for ``predict`` against the fitted ``n_features_in_``."""
    _precheck(X, "X", ndim=2)
    X = _with_clear_errors(
        lambda: validate_data(
            estimator, X, accept_sparse=SPARSE_FORMATS, accept_large_sparse=True,
            dtype=list(FLOAT_DTYPES), reset=False,
        ),
        X,
        None,
    )
    return sparse_as(X, "csr", canonical=False)  # a product reads duplicates as summed


def _with_clear_errors(check, X, y):
    """Run scikit-learn's ``check()``; re-raise its error as :func:`_rewrite` words it, if it can."""
    try:
        return check()
    except (ValueError, TypeError) as exc:
        better = _rewrite(exc, X, y)
        if better is None:
            raise
        raise better from None


def check_finite_result(name, *arrays):
    """Raise a clear error instead of returning non-finite coefficients.

    The inputs were finite (validated), so non-finite output means float64
    overflow: values of ``X`` or ``y`` so large that products of them exceed
    about 1e308.
    """
    from .exceptions import DivergenceError

    for a in arrays:
        if not np.all(np.isfinite(a)):
            raise DivergenceError(
                f"{name} produced non-finite coefficients: the values of X or y are too large "
                "for float64 arithmetic (overflow); rescale them (e.g. divide by their scale)"
            )


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
    _precheck(X, "X", ndim=2)
    _precheck(y, "y", ndim=1)
    X, y = _with_clear_errors(
        lambda: check_X_y(
            X,
            y,
            accept_sparse="csr",
            accept_large_sparse=True,
            dtype=[np.float64, np.float32],
            y_numeric=True,
            ensure_all_finite=True,
        ),
        X,
        y,
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


def check_alpha_per_target(value, name="alpha"):
    """A finite ``alpha >= 0`` (a float), or a 1-D array of them, one per target (a float64 copy).

    A 0-d array or a NumPy scalar is a float. The length of an array is
    checked against the targets by the solver, which knows them.
    """
    if isinstance(value, (numbers.Number, np.generic)) or value is None or isinstance(value, str):
        return check_alpha(value, name)
    values = np.asarray(value)
    if values.ndim == 0:
        return check_alpha(values.item(), name)
    if values.dtype.kind not in "iuf":
        raise TypeError(
            f"{name} must be a real number or a 1-D array-like of real numbers (one per target), "
            f"got an array of dtype {values.dtype}"
        )
    if values.ndim != 1 or values.size == 0:
        raise ValueError(
            f"{name} must be a real number or a non-empty 1-D array-like (one value per target), "
            f"got shape {values.shape}"
        )
    values = values.astype(np.float64)  # a copy: the caller's array is never kept or changed
    for k, a in enumerate(values.tolist()):
        if not math.isfinite(a):
            raise ValueError(f"{name} must be finite, got {name}[{k}] = {a!r}")
        if a < 0:
            raise ValueError(f"{name} must be >= 0, got {name}[{k}] = {a!r}")
    return values


def check_sample_weight(sample_weight, X, *, expand_scalar=False):
    """``None`` (unweighted), or ``sample_weight`` as a (n,) float64 array.

    Weights must be finite and non-negative with a positive sum: a zero
    weight removes its sample. A scalar must be finite and positive; it
    means equal weights, returned as ``None`` where the scale of the weights
    does not matter (Lasso, ElasticNet, LinearRegression), or with
    ``expand_scalar`` as ``n`` copies of it (``Ridge`` and ``RidgeCV``, whose
    objective ``Σ sᵢrᵢ² + α‖w‖²`` and score scale with the weights, as
    scikit-learn's).
    """
    if sample_weight is None:
        return None
    if isinstance(sample_weight, numbers.Number) and not isinstance(sample_weight, (bool, np.bool_)):
        if not (math.isfinite(sample_weight) and sample_weight > 0):
            raise ValueError(f"a scalar sample_weight must be finite and positive, got {sample_weight!r}")
        return np.full(X.shape[0], float(sample_weight)) if expand_scalar else None
    from sklearn.utils.validation import _check_sample_weight

    sw = _check_sample_weight(sample_weight, X, dtype=np.float64, ensure_non_negative=True)
    if not np.all(np.isfinite(sw)):
        raise ValueError("sample_weight must be finite")
    if not sw.sum() > 0:
        raise ValueError("sample_weight must have a positive sum (at least one sample with weight > 0)")
    return sw


def check_bool(value, name):
    """Return ``value`` as a bool if it is a Python or NumPy bool."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise TypeError(f"{name} must be True or False, got {value!r} ({type(value).__name__})")


def check_alpha(value, name="alpha"):
    """A finite ``alpha >= 0``."""
    return float(check_scalar(value, name))


def check_l1_ratio(value):
    """A finite ``l1_ratio`` in [0, 1]."""
    ratio = check_scalar(value, "l1_ratio")
    if ratio > 1:
        raise ValueError(f"l1_ratio must be in [0, 1], got {ratio!r}")
    return float(ratio)


def check_tol(value):
    """A finite ``tol >= 0`` (0: run to ``max_iter``)."""
    return float(check_scalar(value, "tol"))


def check_selection(value):
    """Coordinate descent's ``selection``: ``"cyclic"`` or ``"random"``."""
    if isinstance(value, str) and value in ("cyclic", "random"):
        return value
    raise ValueError(f"selection must be 'cyclic' or 'random', got {value!r}")


def check_precompute(value):
    """scikit-learn's ``precompute``: ``"auto"``, a bool, or a Gram matrix (a finite square float array)."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, str):
        if value == "auto":
            return value
        raise ValueError(f"precompute must be 'auto', True, False or a Gram matrix, got {value!r}")
    if value is None or isinstance(value, numbers.Number):
        raise TypeError(f"precompute must be 'auto', True, False or a Gram matrix, got {value!r}")
    G = np.asarray(value)
    if G.dtype.kind not in "fiu":
        raise TypeError(f"precompute: a Gram matrix must hold real numbers, got dtype {G.dtype}")
    if G.ndim != 2 or G.shape[0] != G.shape[1]:
        raise ValueError(f"precompute: a Gram matrix must be a square 2-D array, got shape {G.shape}")
    if not np.all(np.isfinite(G)):
        raise ValueError("precompute: the Gram matrix contains NaN or infinity")
    return G


def check_max_iter(value, *, allow_none=False):
    """An integer ``max_iter >= 1`` (or ``None`` when allowed)."""
    if value is None and allow_none:
        return None
    return int(check_scalar(value, "max_iter", low=1, integer=True))


def check_penalty_params(p, penalty_factor=None, lower_bounds=None, upper_bounds=None):
    """Validate the per-feature penalty parameters for ``p`` features; returns them as a dict.

    ``penalty_factor``: (p,) finite ``≥ 0`` or ``+inf``. ``lower_bounds``,
    ``upper_bounds``: a scalar or (p,), ``±inf`` allowed, ``lower ≤ 0 ≤
    upper`` (as glmnet: zero must be feasible). Returned as float64 arrays
    (scalars kept), ``None`` where not given; a ``ValueError`` or
    ``TypeError`` naming the parameter otherwise.
    """
    out = {"penalty_factor": None, "lower_bounds": None, "upper_bounds": None}
    if penalty_factor is not None:
        f = _real_array(penalty_factor, "penalty_factor")
        if f.shape != (p,):
            raise ValueError(f"penalty_factor must have shape ({p},) for X with {p} features, got shape {f.shape}")
        if np.any(np.isnan(f)) or np.any(f < 0) or np.any(f == -np.inf):
            raise ValueError("penalty_factor must hold finite values >= 0 or +inf (NaN and negative values are not "
                             "penalty factors)")
        out["penalty_factor"] = f
    for name, side in (("lower_bounds", -1.0), ("upper_bounds", 1.0)):
        value = lower_bounds if side < 0 else upper_bounds
        if value is None:
            continue
        if isinstance(value, (numbers.Real, np.floating, np.integer)) and not isinstance(value, (bool, np.bool_)):
            b = np.float64(value)
        else:
            b = _real_array(value, name)
            if b.shape != (p,):
                raise ValueError(f"{name} must be a scalar or have shape ({p},), got shape {b.shape}")
        if np.any(np.isnan(b)):
            raise ValueError(f"{name} contains NaN")
        if np.any(side * b < 0):
            which = "<= 0" if side < 0 else ">= 0"
            raise ValueError(f"{name} must be {which} (zero must be feasible, as in glmnet), got {value!r}"
                             if np.ndim(b) == 0 else f"{name} must be {which} (zero must be feasible, as in glmnet)")
        out[name] = b
    return out


def _real_array(value, name):
    if isinstance(value, (str, bytes, bool, np.bool_)) or value is None:
        raise TypeError(f"{name} must be an array of real numbers, got {value!r}")
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be an array of real numbers, got {value!r}") from None
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got shape {arr.shape}")
    return arr


def check_fold_weights(sample_weight, folds):
    """Every fold needs training and test rows of positive total weight (a clear error, not NaN)."""
    if sample_weight is None:
        return
    for k, (train, test) in enumerate(folds):
        for rows, what in ((train, "training"), (test, "test")):
            if not np.sum(sample_weight[rows]) > 0:
                raise ValueError(
                    f"sample_weight: the {what} rows of fold {k} all have weight zero; the fold "
                    "cannot be fitted or scored (shuffle the folds or give those rows weight)"
                )
