"""Reading data tables and writing coefficients, for the command line.

:func:`load_table` reads a feature matrix ``X``, a target ``y`` and the feature
names from one file, chosen by its extension:

``.csv``
    A header row of column names, then one row per sample, comma separated.
    ``target`` names the target column; every other column is a feature.
    Every cell must be a finite number.
``.npz``
    A NumPy archive, dense or sparse:

    * dense: written by ``np.savez(path, X=X, y=y)``; ``X`` is the 2-D key
      ``"X"``.
    * sparse: written by ``scipy.sparse.save_npz`` (keys ``format``, ``shape``,
      ``data``, ``indices``, ``indptr``, ...); ``X`` is read with
      ``scipy.sparse.load_npz`` and stays sparse. :func:`save_npz` writes such
      a file with ``y`` (and the feature names) added to the same archive.

    Both may hold ``feature_names`` (1-D strings, one per column of ``X``);
    without it the columns are called ``x0``, ``x1``, ... The target is found
    by the first rule that applies:

    1. ``target`` (default ``"y"``) is the name of a 1-D array in the archive;
    2. ``target`` is an integer, e.g. ``"0"`` or ``"-1"``: that column of
       ``X`` is the target and is removed from ``X``;
    3. ``target`` is omitted and the archive has no ``"y"``: the sibling file
       ``<stem>.target.npy`` (``data.npz`` → ``data.target.npy``) holds ``y``.
``.svm``, ``.svmlight``, ``.libsvm``, ``.txt``
    svmlight / libsvm text, read by :func:`sklearn.datasets.load_svmlight_file`.
    The target is the label of each line (``target`` omitted or ``"label"``);
    ``X`` is sparse (CSR) and its columns are called ``x0``, ``x1``, ... in
    column order.

Sparse ``X`` is never densified. Every problem with a file raises
:class:`DataFileError`, whose one-line message names the file.
"""

import csv
import json
import math
import os
import re
import zipfile
import zlib
from io import BytesIO

import numpy as np
import scipy.sparse as sp

__all__ = ["DataFileError", "load_table", "save_npz", "save_coefficients"]

CSV_EXTENSIONS = (".csv",)
NPZ_EXTENSIONS = (".npz",)
SVMLIGHT_EXTENSIONS = (".svm", ".svmlight", ".libsvm", ".txt")

# Keys that scipy.sparse.save_npz may write; none of them can be a target.
_SPARSE_KEYS = frozenset(
    {"format", "shape", "data", "indices", "indptr", "offsets", "row", "col", "coords", "_is_array"}
)
_INTEGER = re.compile(r"[+-]?\d+")


class DataFileError(ValueError):
    """A data file is missing, unreadable, or not a valid table.

    The message is one line and starts with the file name.
    """

    def __init__(self, path, problem):
        self.path = os.fspath(path)
        self.problem = " ".join(str(problem).split())
        super().__init__(f"{self.path}: {self.problem}")


def load_table(path, target=None):
    """Read features, target and feature names from a data file.

    Parameters
    ----------
    path : str or path-like
        A ``.csv``, ``.npz``, ``.svm``, ``.svmlight``, ``.libsvm`` or ``.txt``
        file; the format rules are in the module docstring.
    target : str or None, default=None
        CSV: the target column name (required). npz: an array name in the
        archive (default ``"y"``) or an integer column index into ``X``.
        svmlight: omitted or ``"label"``.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features) or scipy sparse matrix
        Feature matrix: float64 (float32 kept as float32 for npz); sparse
        input stays sparse.
    y : ndarray of shape (n_samples,)
        Target values.
    feature_names : list of str
        One name per column of ``X``.

    Raises
    ------
    DataFileError
        The file is missing or unreadable, has an unsupported extension, or
        its content is not a valid table (non-numeric or non-finite cell,
        ragged row, no rows, no features, unknown target, ...).
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise DataFileError(path, "file not found")
    if os.path.isdir(path):
        raise DataFileError(path, "is a directory, not a data file")
    ext = os.path.splitext(path)[1].lower()
    try:
        if ext in CSV_EXTENSIONS:
            X, y, names = _load_csv(path, target)
        elif ext in NPZ_EXTENSIONS:
            X, y, names = _load_npz(path, target)
        elif ext in SVMLIGHT_EXTENSIONS:
            X, y, names = _load_svmlight(path, target)
        else:
            known = ", ".join(CSV_EXTENSIONS + NPZ_EXTENSIONS + SVMLIGHT_EXTENSIONS)
            raise DataFileError(path, f"unsupported file extension {ext or '(none)'!r} (use {known})")
    except OSError as exc:
        raise DataFileError(path, f"cannot read file ({exc.strerror or exc})") from exc
    _check_shapes(path, X, y, names)
    return X, y, names


def load_features(path, target=None, *, n_features=None):
    """Read a data file for prediction: the target is optional.

    Like :func:`load_table`, except that without ``target`` a CSV file's
    columns are all features, and an npz archive without a ``"y"`` array (or
    sibling target file) gives ``y = None``. svmlight files always have
    their labels. ``n_features`` fixes the number of columns of svmlight
    files (whose width is otherwise the largest index present).

    Returns
    -------
    X, y, feature_names
        ``y`` is ``None`` when the file has no target.

    Raises
    ------
    DataFileError
    """
    path = os.fspath(path)
    ext = os.path.splitext(path)[1].lower()
    if target is not None or ext not in CSV_EXTENSIONS + NPZ_EXTENSIONS + SVMLIGHT_EXTENSIONS:
        if ext in SVMLIGHT_EXTENSIONS:
            return _read(path, lambda: _load_svmlight(path, target, n_features))
        return load_table(path, target)
    if ext in CSV_EXTENSIONS:
        return _read(path, lambda: _load_csv(path, None, required=False))
    if ext in NPZ_EXTENSIONS:
        return _read(path, lambda: _load_npz(path, None, required=False))
    return _read(path, lambda: _load_svmlight(path, None, n_features))


def _read(path, loader):
    """Run ``loader`` with :func:`load_table`'s checks around it."""
    if not os.path.exists(path):
        raise DataFileError(path, "file not found")
    if os.path.isdir(path):
        raise DataFileError(path, "is a directory, not a data file")
    try:
        X, y, names = loader()
    except OSError as exc:
        raise DataFileError(path, f"cannot read file ({exc.strerror or exc})") from exc
    _check_shapes(path, X, y, names)
    return X, y, names


def _check_shapes(path, X, y, names):
    n_samples, n_features = X.shape
    if n_samples == 0:
        raise DataFileError(path, "no data rows")
    if n_features == 0:
        raise DataFileError(path, "no feature columns (only the target)")
    if y is not None and y.shape != (n_samples,):
        raise DataFileError(path, f"target has shape {y.shape}, expected ({n_samples},) to match X")
    if y is not None and not np.all(np.isfinite(y)):
        raise DataFileError(path, "the target contains NaN or infinity")
    if not np.all(np.isfinite(X.data if sp.issparse(X) else X)):
        raise DataFileError(path, "X contains NaN or infinity")
    if len(names) != n_features:
        raise DataFileError(path, f"{len(names)} feature names for {n_features} columns of X")
    if len(set(names)) != len(names):
        dup = sorted({n for n in names if names.count(n) > 1})
        raise DataFileError(path, f"duplicate feature names: {', '.join(dup)}")


# --------------------------------------------------------------------- CSV


def _load_csv(path, target, required=True):
    if target is None and required:
        raise DataFileError(path, "a target column is required for CSV files (--target NAME)")
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            reader = csv.reader(f)
            header = next(reader, None)
            if header is None:
                raise DataFileError(path, "file is empty (a header row is required)")
            header = [name.strip() for name in header]
            if target is not None and target not in header:
                raise DataFileError(
                    path, f"no column {target!r} (columns: {', '.join(header)})"
                )
            if target is not None and header.count(target) > 1:
                raise DataFileError(path, f"column {target!r} appears more than once")
            rows = []
            for row in reader:
                if not row or (len(row) == 1 and not row[0].strip()):
                    continue  # blank line
                if len(row) != len(header):
                    raise DataFileError(
                        path,
                        f"line {reader.line_num} has {len(row)} fields, "
                        f"expected {len(header)} as in the header",
                    )
                rows.append((reader.line_num, row))
    except UnicodeDecodeError as exc:
        raise DataFileError(path, "not a UTF-8 text file") from exc
    except csv.Error as exc:
        raise DataFileError(path, f"malformed CSV ({exc})") from exc
    if not rows:
        raise DataFileError(path, "no data rows after the header")

    table = np.empty((len(rows), len(header)), dtype=np.float64)
    for i, (line, row) in enumerate(rows):
        for j, cell in enumerate(row):
            try:
                value = float(cell)
            except ValueError:
                raise DataFileError(
                    path,
                    f"row {i + 1} (line {line}), column {header[j]!r}: "
                    f"{cell.strip()!r} is not numeric",
                ) from None
            if not math.isfinite(value):
                raise DataFileError(
                    path,
                    f"row {i + 1} (line {line}), column {header[j]!r}: "
                    f"{cell.strip()!r} is not a finite number",
                )
            table[i, j] = value
    if target is None:
        return table, None, header
    t = header.index(target)
    keep = [j for j in range(len(header)) if j != t]
    return np.ascontiguousarray(table[:, keep]), table[:, t].copy(), [header[j] for j in keep]


# --------------------------------------------------------------------- npz


def _load_npz(path, target, required=True):
    try:
        archive = np.load(path, allow_pickle=False)
    except (ValueError, EOFError, OSError, zipfile.BadZipFile, NotImplementedError, RuntimeError) as exc:
        if isinstance(exc, (FileNotFoundError, PermissionError)):
            raise
        raise DataFileError(path, "not a valid .npz archive") from exc
    if not hasattr(archive, "files"):  # a plain .npy saved under a .npz name
        raise DataFileError(path, "not an .npz archive (a single array; use np.savez)")
    try:
        with archive:
            keys = list(archive.files)
            is_sparse = {"format", "shape", "data"} <= set(keys)
            if is_sparse:
                try:
                    X = sp.load_npz(path)
                except Exception as exc:  # scipy raises several types here
                    raise DataFileError(path, f"cannot read the sparse matrix ({exc})") from exc
            elif "X" in keys:
                X = archive["X"]
            else:
                raise DataFileError(
                    path,
                    f"no 'X' array and no scipy sparse matrix (arrays: {', '.join(keys) or 'none'})",
                )
            X = _as_float_matrix(path, X)
            if "feature_names" in keys:
                names = [str(n) for n in np.asarray(archive["feature_names"]).ravel()]
                if len(names) != X.shape[1]:
                    raise DataFileError(
                        path, f"'feature_names' has {len(names)} entries, X has {X.shape[1]} columns"
                    )
            else:
                names = [f"x{j}" for j in range(X.shape[1])]
            reserved = {"X", "feature_names"} | (_SPARSE_KEYS if is_sparse else set())
            if not required and target is None and "y" not in keys and not os.path.exists(
                os.path.splitext(path)[0] + ".target.npy"
            ):
                return X, None, names
            X, y, names = _npz_target(path, archive, keys, reserved, X, names, target)
    except (ValueError, zipfile.BadZipFile, zlib.error, EOFError, OSError, KeyError, TypeError,
            NotImplementedError, RuntimeError, MemoryError) as exc:
        # RuntimeError: zipfile on "encrypted" members; NotImplementedError:
        # unsupported zip features; KeyError: a member listed but missing
        if isinstance(exc, DataFileError):
            raise
        # object arrays refused by allow_pickle=False, corrupt members, ...
        raise DataFileError(path, f"cannot read the archive ({exc})") from exc
    return X, _as_float_vector(path, y), names


def _npz_target(path, archive, keys, reserved, X, names, target):
    """Apply the three target rules of the module docstring."""
    key = "y" if target is None else str(target)
    if key in keys and key not in reserved:
        return X, archive[key], names
    if target is not None and _INTEGER.fullmatch(key.strip()):
        j = int(key)
        p = X.shape[1]
        if not -p <= j < p:
            raise DataFileError(path, f"target column index {j} out of range for X with {p} columns")
        j %= p
        keep = [k for k in range(p) if k != j]
        if sp.issparse(X):
            Xc = X.tocsc()
            y = Xc[:, [j]].toarray().ravel()
            X = Xc[:, keep].asformat(X.format)
        else:
            y = X[:, j].copy()
            X = np.ascontiguousarray(X[:, keep])
        return X, y, [names[k] for k in keep]
    sibling = os.path.splitext(path)[0] + ".target.npy"
    if target is None and os.path.exists(sibling):
        try:
            return X, np.load(sibling, allow_pickle=False), names
        except (ValueError, EOFError) as exc:
            raise DataFileError(sibling, f"not a valid .npy file ({exc})") from exc
    arrays = ", ".join(k for k in keys if k not in reserved) or "none"
    hint = "" if target is not None else f" and no sibling file {os.path.basename(sibling)!r}"
    raise DataFileError(
        path,
        f"no target array {key!r} in the archive{hint} "
        f"(target arrays: {arrays}; or give an integer column index of X)",
    )


def _as_float_matrix(path, X):
    if sp.issparse(X):
        if X.ndim != 2:
            raise DataFileError(path, f"X must be 2-D, got {X.ndim}-D")
        if X.dtype not in (np.float32, np.float64):
            if not (np.issubdtype(X.dtype, np.number) or X.dtype == bool) or np.issubdtype(
                X.dtype, np.complexfloating
            ):
                raise DataFileError(path, f"X is not numeric (dtype {X.dtype})")
            X = X.astype(np.float64)
        return X
    X = np.asarray(X)
    if X.ndim != 2:
        raise DataFileError(path, f"X must be 2-D, got shape {X.shape}")
    if X.dtype in (np.float32, np.float64):
        return X
    if X.dtype == bool or np.issubdtype(X.dtype, np.integer):
        return X.astype(np.float64)
    raise DataFileError(path, f"X is not numeric (dtype {X.dtype})")


def _as_float_vector(path, y):
    y = np.asarray(y)
    if y.ndim == 2 and 1 in y.shape:
        y = y.ravel()
    if y.ndim != 1:
        raise DataFileError(path, f"target must be 1-D, got shape {y.shape}")
    if y.dtype in (np.float32, np.float64):
        return y
    if y.dtype == bool or np.issubdtype(y.dtype, np.integer):
        return y.astype(np.float64)
    raise DataFileError(path, f"target is not numeric (dtype {y.dtype})")


# ---------------------------------------------------------------- svmlight


def _load_svmlight(path, target, n_features=None):
    if target is not None and target != "label":
        raise DataFileError(
            path, f"svmlight files have no column {target!r}; the target is the label (--target label)"
        )
    from sklearn.datasets import load_svmlight_file

    try:
        X, y = load_svmlight_file(path, dtype=np.float64, n_features=n_features)
    except ValueError as exc:
        raise DataFileError(path, f"not a valid svmlight/libsvm file ({exc})") from exc
    if X.shape[0] == 0:
        raise DataFileError(path, "no data rows")
    return X, np.asarray(y, dtype=np.float64), [f"x{j}" for j in range(X.shape[1])]


# ------------------------------------------------------------------ writing


def save_npz(path, X, y, feature_names=None):
    """Write ``X``, ``y`` and feature names to one ``.npz`` file.

    Dense ``X`` is stored under the key ``"X"``. Sparse ``X`` is stored as
    ``scipy.sparse.save_npz`` stores it (so ``scipy.sparse.load_npz(path)``
    returns it), converted to CSR first unless it is CSR, CSC, COO, BSR or DIA.
    ``y`` is stored as ``"y"`` and the names as ``"feature_names"``.
    :func:`load_table` reads the file back with ``target`` omitted.

    Parameters
    ----------
    path : str or path-like
        Output file; NumPy appends ``.npz`` if the name lacks it.
    X : array-like of shape (n_samples, n_features) or scipy sparse matrix
        Features.
    y : array-like of shape (n_samples,)
        Target.
    feature_names : sequence of str, optional
        One name per column of ``X``.

    Raises
    ------
    ValueError
        If the shapes of ``X``, ``y`` and ``feature_names`` disagree.
    """
    y = np.asarray(y)
    if sp.issparse(X):
        if X.format not in ("csr", "csc", "coo", "bsr", "dia"):
            X = X.tocsr()
        buffer = BytesIO()
        sp.save_npz(buffer, X)
        buffer.seek(0)
        with np.load(buffer, allow_pickle=False) as stored:
            arrays = {key: stored[key] for key in stored.files}
    else:
        X = np.asarray(X)
        arrays = {"X": X}
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D, got shape {X.shape}")
    if y.shape != (X.shape[0],):
        raise ValueError(f"y has shape {y.shape}, expected ({X.shape[0]},) to match X")
    arrays["y"] = y
    if feature_names is not None:
        names = np.asarray([str(n) for n in feature_names])
        if names.shape != (X.shape[1],):
            raise ValueError(f"{names.size} feature names for {X.shape[1]} columns of X")
        arrays["feature_names"] = names
    np.savez_compressed(path, **arrays)


def save_coefficients(path, theta, feature_names, **metadata):
    """Write fitted coefficients as JSON.

    The file holds ``{"intercept": theta[0], "coef": {name: value, ...}}``
    followed by the ``metadata`` items in the order given. Floats are written
    with full precision (``json`` round-trips them exactly); non-finite floats
    in ``metadata`` are written as ``null``.

    Parameters
    ----------
    path : str or path-like
        Output file, overwritten.
    theta : array-like of shape (n_features + 1,)
        Intercept followed by one coefficient per feature.
    feature_names : sequence of str
        One name per coefficient.
    **metadata
        JSON-serializable values to record (penalty, lambda, ...).
    """
    theta = np.asarray(theta, dtype=np.float64).ravel()
    names = list(feature_names)
    if theta.shape != (len(names) + 1,):
        raise ValueError(f"theta has {theta.size} values, expected {len(names) + 1} (intercept + features)")
    document = {
        "intercept": float(theta[0]),
        "coef": {name: float(value) for name, value in zip(names, theta[1:])},
    }
    for key, value in metadata.items():
        if isinstance(value, (float, np.floating)):
            value = float(value) if math.isfinite(value) else None
        document[key] = value
    with open(path, "w", encoding="utf-8") as f:
        json.dump(document, f, indent=2, allow_nan=False)
        f.write("\n")
