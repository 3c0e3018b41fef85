"""Reading data tables and writing coefficients, for the command line.

:func:`load_table` reads a feature matrix ``X``, a target ``y`` and the feature
names from one file, chosen by its extension:

``.csv``
    A header row of column names, then one row per sample, comma separated.
    ``target`` names the target column (numeric); every other column is a
    feature. A column of numbers is one feature as it is; a column of text
    is one-hot encoded (:class:`TableEncoding`: one 0/1 feature per
    category, named ``column=category``); a column mixing numbers and text
    is an error unless it is named in ``categorical``. A missing cell (empty,
    or one of pandas' markers such as ``NA``, ``NaN``, ``null``) is an error
    naming its column and row, as is an infinite number.
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
``.npy``
    One dense 2-D array ``X`` (``np.save``), opened memory-mapped
    (``np.load(path, mmap_mode="r")``): float32 and float64 files are read
    where they lie, never loaded whole, so a fit of a large file streams it
    (see the user guide, "Large and memory-mapped data"); other numeric
    dtypes are converted to float64 in memory. The target is the 1-D array
    of the sibling file ``<stem>.target.npy`` (``data.npy`` →
    ``data.target.npy``), or of the ``.npy`` file ``target`` names (a
    path). The columns are called ``x0``, ``x1``, ...
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

__all__ = [
    "DataFileError",
    "TableEncoding",
    "read_table",
    "load_table",
    "load_features",
    "save_npz",
    "save_coefficients",
]

CSV_EXTENSIONS = (".csv",)
NPZ_EXTENSIONS = (".npz",)
NPY_EXTENSIONS = (".npy",)
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


def read_table(path, target=None, *, categorical=()):
    """Read a data file for fitting: features, target, feature names and the CSV encoding.

    Parameters
    ----------
    path : str or path-like
        A ``.csv``, ``.npz``, ``.svm``, ``.svmlight``, ``.libsvm`` or ``.txt``
        file; the format rules are in the module docstring.
    target : str or None, default=None
        CSV: the target column name (required). npz: an array name in the
        archive (default ``"y"``) or an integer column index into ``X``.
        svmlight: omitted or ``"label"``.
    categorical : collection of str, default=()
        CSV columns to one-hot encode even though their values look like
        numbers (e.g. postal codes). Text columns are encoded anyway.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features) or scipy sparse matrix
        Feature matrix: float64 (float32 kept as float32 for npz); sparse
        input stays sparse.
    y : ndarray of shape (n_samples,)
        Target values.
    feature_names : list of str
        One name per column of ``X`` (``column=category`` for the one-hot
        columns of a CSV text column).
    encoding : TableEncoding or None
        How a CSV file's columns became ``X``; ``None`` for other formats.

    Raises
    ------
    DataFileError
        The file is missing or unreadable, has an unsupported extension, or
        its content is not a valid table (missing, non-numeric or non-finite
        cell, ragged row, no rows, no features, unknown target, ...).
    """
    path = os.fspath(path)
    ext = _extension(path)
    if categorical and ext not in CSV_EXTENSIONS:
        raise DataFileError(path, "categorical columns can only be named in CSV files")
    if ext in CSV_EXTENSIONS:
        return _read(path, lambda: _load_csv(path, target, categorical=categorical))
    if ext in NPZ_EXTENSIONS:
        return _read(path, lambda: (*_load_npz(path, target), None))
    if ext in NPY_EXTENSIONS:
        return _read(path, lambda: (*_load_npy(path, target), None))
    return _read(path, lambda: (*_load_svmlight(path, target), None))


def load_table(path, target=None, *, categorical=()):
    """:func:`read_table` without the encoding: ``(X, y, feature_names)``."""
    return read_table(path, target, categorical=categorical)[:3]


def load_features(path, target=None, *, n_features=None, encoding=None, unseen="error"):
    """Read a data file for prediction: the target is optional.

    Like :func:`load_table`, except that without ``target`` a CSV file's
    columns are all features, and an npz archive without a ``"y"`` array (or
    sibling target file) gives ``y = None``. svmlight files always have
    their labels. ``n_features`` fixes the number of columns of svmlight
    files (whose width is otherwise the largest index present).

    With ``encoding`` (a :class:`TableEncoding`), a CSV file's columns are
    picked by name and encoded as in training (other columns are ignored);
    ``unseen`` is passed to :meth:`TableEncoding.encode`. Without it, every
    CSV column must be numeric.

    Returns
    -------
    X, y, feature_names
        ``y`` is ``None`` when the file has no target.

    Raises
    ------
    DataFileError
    """
    path = os.fspath(path)
    ext = _extension(path)
    if ext in CSV_EXTENSIONS and encoding is not None:
        loader = lambda: _encode_csv(path, target, encoding, unseen)  # noqa: E731
    elif ext in CSV_EXTENSIONS:
        loader = lambda: _load_csv(path, target, required=False, text=False)  # noqa: E731
    elif ext in NPZ_EXTENSIONS:
        loader = lambda: (*_load_npz(path, target, required=False), None)  # noqa: E731
    elif ext in NPY_EXTENSIONS:
        loader = lambda: (*_load_npy(path, target, required=False), None)
    else:
        loader = lambda: (*_load_svmlight(path, target, n_features), None)  # noqa: E731
    return _read(path, loader)[:3]


def _extension(path):
    """The lower-case extension of an existing file ``path``; :class:`DataFileError` otherwise."""
    if not os.path.exists(path):
        raise DataFileError(path, "file not found")
    if os.path.isdir(path):
        raise DataFileError(path, "is a directory, not a data file")
    ext = os.path.splitext(path)[1].lower()
    known = CSV_EXTENSIONS + NPZ_EXTENSIONS + NPY_EXTENSIONS + SVMLIGHT_EXTENSIONS
    if ext not in known:
        known = ", ".join(known)
        raise DataFileError(path, f"unsupported file extension {ext or '(none)'!r} (use {known})")
    return ext


def _read(path, loader):
    """Run ``loader`` (returning ``X, y, names, encoding``) with the shape checks after it."""
    try:
        X, y, names, encoding = loader()
    except OSError as exc:
        raise DataFileError(path, f"cannot read file ({exc.strerror or exc})") from exc
    _check_shapes(path, X, y, names)
    return X, y, names, encoding


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
    if not _all_finite(X):
        raise DataFileError(path, "X contains NaN or infinity")
    if len(names) != n_features:
        raise DataFileError(path, f"{len(names)} feature names for {n_features} columns of X")
    if len(set(names)) != len(names):
        dup = sorted({n for n in names if names.count(n) > 1})
        raise DataFileError(path, f"duplicate feature names: {', '.join(dup)}")


def _all_finite(X):
    """Whether every value of ``X`` is finite; dense ``X`` (perhaps a large memory map) is read in row blocks."""
    if sp.issparse(X):
        return bool(np.all(np.isfinite(X.data)))
    rows = max(1, _CHECK_BLOCK_VALUES // max(X.shape[1], 1))
    return all(np.isfinite(X[i : i + rows]).all() for i in range(0, X.shape[0], rows))


# Values per block of the finiteness check of dense X (a boolean block of this many bytes).
_CHECK_BLOCK_VALUES = 1 << 24


# --------------------------------------------------------------------- CSV

# Cells read as missing values: pandas.read_csv's default markers.
MISSING_MARKERS = frozenset({
    "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
    "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null",
})


class TableEncoding:
    """How the columns of a CSV file become the columns of ``X``.

    A numeric column is one feature, taken as it is. A text column is one-hot
    encoded by scikit-learn's :class:`~sklearn.preprocessing.OneHotEncoder`:
    one 0/1 feature per category seen in training, named ``column=category``,
    categories sorted, none dropped. The command line stores
    :meth:`to_dict` in model files, so that ``fastreg predict`` encodes new
    rows the same way, selecting the columns by name.

    Parameters
    ----------
    columns : list of (str, list of str or None)
        The input columns in the order of ``X``: the name, and the categories
        of a text column (``None`` for a numeric column).
    target : str or None, default=None
        The name of the target column, recorded for reference.
    """

    def __init__(self, columns, target=None):
        self.columns = [(str(name), None if cats is None else [str(c) for c in cats]) for name, cats in columns]
        self.target = target

    @property
    def feature_names(self):
        """Names of the columns of ``X``: a numeric column's name, ``column=category`` for text."""
        names = []
        for name, categories in self.columns:
            names += [name] if categories is None else [f"{name}={c}" for c in categories]
        return names

    def to_dict(self):
        """The JSON form: ``{"columns": [{"name": ..., "categories": [...] or null}, ...], "target": ...}``."""
        return {
            "columns": [{"name": name, "categories": cats} for name, cats in self.columns],
            "target": self.target,
        }

    @classmethod
    def from_dict(cls, document):
        """Rebuild an encoding from :meth:`to_dict`'s form; ``ValueError`` if it is malformed."""
        try:
            columns = [(c["name"], c["categories"]) for c in document["columns"]]
            target = document.get("target")
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"malformed input encoding ({type(exc).__name__}: {exc})") from None
        for name, cats in columns:
            if not isinstance(name, str) or not (
                cats is None or (isinstance(cats, list) and cats and all(isinstance(c, str) for c in cats))
            ):
                raise ValueError(f"malformed input encoding (column {name!r})")
        if not columns or (target is not None and not isinstance(target, str)):
            raise ValueError("malformed input encoding (no columns, or a target that is not a name)")
        return cls(columns, target)

    def encode(self, path, header, rows, *, unseen="error"):
        """``X`` (float64, C order) for CSV ``rows``, their columns picked from ``header`` by name.

        ``unseen="error"`` raises :class:`DataFileError` for a category not
        seen in training, naming the row and column; ``"zero"`` encodes it as
        all zeros (no category's feature is set).
        """
        if unseen not in ("error", "zero"):
            raise ValueError(f"unseen must be 'error' or 'zero', got {unseen!r}")
        missing = [name for name, _ in self.columns if name not in header]
        if missing:
            raise DataFileError(path, f"missing the model's feature columns: {', '.join(missing)}")
        index = [_column_index(path, header, name) for name, _ in self.columns]
        _raise_first_missing(path, header, rows, index)
        from sklearn.preprocessing import OneHotEncoder

        blocks = []
        for (name, categories), j in zip(self.columns, index):
            if categories is None:
                blocks.append(_parse_numbers(path, header, rows, j)[:, None])
                continue
            values = np.array([[row[j]] for _, row in rows], dtype=object)
            if unseen == "error":
                known = set(categories)
                for i, (line, row) in enumerate(rows):
                    if row[j] not in known:
                        shown = ", ".join(categories[:10]) + (", ..." if len(categories) > 10 else "")
                        raise _cell_error(path, i, line, name, f"category {row[j]!r} was not seen in training "
                                          f"(known: {shown})")
            encoder = OneHotEncoder(categories=[categories], handle_unknown="ignore", sparse_output=False,
                                    dtype=np.float64)
            encoder.fit(np.array([[categories[0]]], dtype=object))  # categories given: fit sets up, learns nothing
            blocks.append(encoder.transform(values))
        return np.ascontiguousarray(np.hstack(blocks))


def _read_csv(path):
    """The header and the data rows ``(line number, cells)`` of a CSV file; cells stripped."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            reader = csv.reader(f)
            header = next(reader, None)
            if header is None:
                raise DataFileError(path, "file is empty (a header row is required)")
            header = [name.strip() for name in header]
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
                if any("\x00" in cell for cell in row):
                    raise DataFileError(path, f"line {reader.line_num} contains a NUL byte (not a text file?)")
                rows.append((reader.line_num, [cell.strip() for cell in row]))
    except UnicodeDecodeError as exc:
        raise DataFileError(path, "not a UTF-8 text file") from exc
    except csv.Error as exc:
        raise DataFileError(path, f"malformed CSV ({exc})") from exc
    if not rows:
        raise DataFileError(path, "no data rows after the header")
    return header, rows


def _column_index(path, header, name):
    if name not in header:
        raise DataFileError(path, f"no column {name!r} (columns: {', '.join(header)})")
    if header.count(name) > 1:
        raise DataFileError(path, f"column {name!r} appears more than once")
    return header.index(name)


def _cell_error(path, i, line, column, problem):
    return DataFileError(path, f"row {i + 1} (line {line}), column {column!r}: {problem}")


def _raise_first_missing(path, header, rows, columns):
    """Raise for the first missing cell, in file order, of the columns ``columns``."""
    for i, (line, row) in enumerate(rows):
        for j in columns:
            if row[j] in MISSING_MARKERS:
                what = f"missing value ({row[j]!r})" if row[j] else "missing value (empty cell)"
                raise _cell_error(path, i, line, header[j], what)


def _parse_numbers(path, header, rows, j, hint=""):
    """Column ``j`` as float64; raise for its first non-numeric or non-finite cell."""
    values = np.empty(len(rows))
    for i, (line, row) in enumerate(rows):
        try:
            values[i] = float(row[j])
        except ValueError:
            raise _cell_error(path, i, line, header[j], f"{row[j]!r} is not numeric{hint}") from None
        if not math.isfinite(values[i]):
            raise _cell_error(path, i, line, header[j], f"{row[j]!r} is not a finite number")
    return values


def _is_number(cell):
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _column_categories(path, header, rows, j, categorical):
    """``None`` if column ``j`` is numeric, else its sorted categories (OneHotEncoder's)."""
    name = header[j]
    if name not in categorical:
        text = [i for i, (_, row) in enumerate(rows) if not _is_number(row[j])]
        if not text:
            return None
        if len(text) < len(rows):  # numbers and text: a typo, or categories that look like numbers
            i = text[0]
            raise _cell_error(
                path, i, rows[i][0], name,
                f"{rows[i][1][j]!r} is not numeric, while other rows of this column are numbers "
                f"(to encode the column as categories, give --categorical {name})",
            )
    from sklearn.preprocessing import OneHotEncoder

    encoder = OneHotEncoder().fit(np.array([[row[j]] for _, row in rows], dtype=object))
    return [str(c) for c in encoder.categories_[0]]


def _load_csv(path, target, required=True, categorical=(), text=True):
    """``(X, y, names, encoding)`` of a CSV file; ``text=False`` refuses text columns."""
    if target is None and required:
        raise DataFileError(path, "a target column is required for CSV files (--target NAME)")
    header, rows = _read_csv(path)
    t = None if target is None else _column_index(path, header, target)
    categorical = set(categorical)
    for name in sorted(categorical):
        _column_index(path, header, name)
        if name == target:
            raise DataFileError(path, f"the target {name!r} cannot be categorical (it must be numeric)")
    duplicates = sorted({name for name in header if header.count(name) > 1})
    if duplicates:
        raise DataFileError(path, f"duplicate column names: {', '.join(duplicates)}")
    _raise_first_missing(path, header, rows, range(len(header)))
    y = None if t is None else _parse_numbers(path, header, rows, t, " (the target must be numeric)")
    features = [j for j in range(len(header)) if j != t]
    if not features:
        return np.empty((len(rows), 0)), y, [], None
    if text:
        columns = [(header[j], _column_categories(path, header, rows, j, categorical)) for j in features]
    else:
        columns = [(header[j], None) for j in features]
    encoding = TableEncoding(columns, target)
    return encoding.encode(path, header, rows), y, encoding.feature_names, encoding


def _encode_csv(path, target, encoding, unseen):
    """``(X, y, names, encoding)`` of a CSV file encoded by a stored ``encoding``."""
    header, rows = _read_csv(path)
    y = None
    if target is not None:
        t = _column_index(path, header, target)
        _raise_first_missing(path, header, rows, [t])
        y = _parse_numbers(path, header, rows, t, " (the target must be numeric)")
    return encoding.encode(path, header, rows, unseen=unseen), y, encoding.feature_names, encoding


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


def _load_npy(path, target, required=True):
    """A ``.npy`` ``X`` memory-mapped, and its target (see the module docstring); ``y`` None if optional and absent."""
    try:
        X = np.load(path, mmap_mode="r", allow_pickle=False)
    except (ValueError, EOFError) as exc:
        raise DataFileError(path, f"not a valid .npy file ({exc})") from exc
    X = _as_float_matrix(path, X)
    names = [f"x{j}" for j in range(X.shape[1])]
    if target is None:
        target_path = os.path.splitext(path)[0] + ".target.npy"
        if not os.path.exists(target_path):
            if not required:
                return X, None, names
            raise DataFileError(
                path, f"no target: write it to {os.path.basename(target_path)!r} beside X, or name a .npy file "
                "with --target",
            )
    else:
        target_path = os.fspath(target)
        if os.path.splitext(target_path)[1].lower() != ".npy":
            raise DataFileError(path, f"the target of a .npy X is a .npy file (e.g. --target y.npy), got {target!r}")
        if not os.path.exists(target_path):
            raise DataFileError(target_path, "target file not found")
    try:
        y = np.load(target_path, allow_pickle=False)
    except (ValueError, EOFError) as exc:
        raise DataFileError(target_path, f"not a valid .npy file ({exc})") from exc
    return X, _as_float_vector(target_path, y), names


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


def save_coefficients(path, theta, names, **metadata):
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
    names : sequence of str
        One name per coefficient.
    **metadata
        JSON-serializable values to record (model, alpha, ...).
    """
    theta = np.asarray(theta, dtype=np.float64).ravel()
    names = list(names)
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
