"""Model files: fitted estimators as ``.npz`` archives of arrays plus JSON, no pickle.

Format ``fastreg-model``, version 1. A model file is an uncompressed NumPy
``.npz`` archive (a zip of ``.npy`` files) holding:

``__fastreg_model__``
    A 0-d unicode array: one JSON document ::

        {"format": "fastreg-model", "format_version": 1,
         "fastreg_version": "0.1.0",
         "estimator": "Lasso",                    # class name, from an allow-list
         "params": {"alpha": 0.1, ...},           # estimator.get_params()
         "attributes": {"intercept_": 1.5,        # fitted scalars (float, int, bool, str, null, lists)
                        "n_features_in_": 4, ...},
         "arrays": ["coef_", ...],                # fitted arrays stored beside it
         "feature_names": ["area", ...] or null,  # optional, e.g. the CSV header
         "extra": {...}}                          # optional: a caller's JSON document (the CSV encoding)

``coef_``, and every other fitted array attribute (``feature_names_in_`` as unicode)
    One ``.npy`` member each, named after the attribute. Only numeric,
    boolean and unicode arrays are stored: nothing that needs pickle.

``param.<name>`` (format version 2)
    A parameter JSON cannot hold — an array such as ``penalty_factor``, or a
    non-finite number such as ``upper_bounds=inf`` — as a numeric ``.npy``
    member, listed in the metadata's ``"param_arrays"``. Files without such
    parameters are written as version 1, which older fastreg reads.

Writing is atomic: the archive is written to a temporary file in the target's
directory, flushed to disk, then moved over the target with
:func:`os.replace`, so an interrupted save leaves either the old file or the
new one, never half a file. Reading uses ``np.load(allow_pickle=False)``,
checks the format name and version, that the class is one of the
registered estimators (:func:`register`; this module imports none), that
the parameters are that class's, and that the shapes agree
(``coef_`` has ``n_features_in_`` columns, the intercept one value per
target, all values finite). Anything else raises :class:`ModelFileError`.
"""

import io
import json
import math
import numbers
import os
import zipfile
import zlib

import numpy as np

__all__ = ["save", "load", "register", "ModelFileError", "FORMAT", "FORMAT_VERSION"]

FORMAT = "fastreg-model"
FORMAT_VERSION = 2
_META_KEY = "__fastreg_model__"
_PARAM_PREFIX = "param."
_REGISTRY = {}


class ModelFileError(ValueError):
    """A file is not a readable fastreg model file (or a model cannot be saved)."""


def register(cls):
    """Class decorator: allow model files of ``cls`` (the allow-list, filled by the estimators' modules)."""
    _REGISTRY[cls.__name__] = cls
    return cls


def _estimators():
    return dict(_REGISTRY)


def _param_array(value):
    """A parameter JSON cannot hold, as a numeric array to store beside it (else ``None``)."""
    if isinstance(value, (list, tuple)):
        try:
            value = np.asarray(value)
        except ValueError:  # ragged: left to _json_value
            return None
    if isinstance(value, np.ndarray) and value.dtype.kind in "biuf" and value.ndim >= 1:
        return value
    if isinstance(value, (float, np.floating)) and not math.isfinite(value):
        return np.asarray(value, dtype=np.float64)
    return None


def _json_value(value, what):
    """``value`` as a JSON-safe Python scalar; raise if it has no such form."""
    if value is None or isinstance(value, (bool, np.bool_)):
        return None if value is None else bool(value)
    if isinstance(value, str):
        return value
    if isinstance(value, np.ndarray) and value.ndim == 1 and value.dtype.kind in "biuf":
        value = value.tolist()  # a parameter given as an array, e.g. RidgeCV's alphas
    if isinstance(value, (list, tuple)):  # e.g. n_iter_, one count per target
        return [_json_value(v, what) for v in value]
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        value = float(value)
        if not math.isfinite(value):
            raise ModelFileError(f"cannot save {what}={value!r}: not a finite number")
        return value
    raise ModelFileError(f"cannot save {what} of type {type(value).__name__} without pickle")


def save(estimator, path, *, feature_names=None, extra=None):
    """Write a fitted fastreg estimator to ``path`` as a model file.

    Parameters
    ----------
    estimator : LinearRegression, Ridge, Lasso, ElasticNet or GradientDescentRegressor
        Fitted.
    path : str or path-like
        Written as given (no extension added), atomically.
    feature_names : sequence of str, optional
        Column names to record (the command line stores the data file's).
    extra : dict, optional
        A JSON document stored as it is and returned by
        :func:`load_with_metadata` (the command line stores how it encoded
        the CSV columns).

    Raises
    ------
    sklearn.exceptions.NotFittedError
        If ``estimator`` is not fitted.
    ModelFileError
        If ``estimator`` is not a fastreg estimator or holds something that
        cannot be stored without pickle.
    """
    from sklearn.utils.validation import check_is_fitted

    name = type(estimator).__name__
    if _estimators().get(name) is not type(estimator):
        raise ModelFileError(f"cannot save a {name}: only fastreg's estimators ({', '.join(_estimators())})")
    check_is_fitted(estimator)
    params, param_arrays = {}, {}
    for key, value in estimator.get_params(deep=False).items():
        stored = _param_array(value)
        if stored is not None and (stored.ndim != 1 or not np.all(np.isfinite(stored))):
            param_arrays[key] = stored  # ±inf, or more than 1-D: beside the JSON
        else:
            params[key] = _json_value(value, key)
    attributes, arrays = {}, {}
    for key, value in vars(estimator).items():
        if not key.endswith("_") or key.startswith("_") or key in params:
            continue
        if isinstance(value, np.ndarray):
            if key == "feature_names_in_" or value.dtype.kind in "OUS":
                value = np.asarray(value, dtype=str)
            elif value.dtype.kind not in "biuf":
                raise ModelFileError(f"cannot save {key} of dtype {value.dtype} without pickle")
            arrays[key] = value
        else:
            attributes[key] = _json_value(value, key)
    if feature_names is not None:
        feature_names = [str(n) for n in feature_names]
        if len(feature_names) != estimator.n_features_in_:
            raise ModelFileError(
                f"{len(feature_names)} feature names for a model of {estimator.n_features_in_} features"
            )
    from ._version import __version__

    meta = {
        "format": FORMAT,
        "format_version": 2 if param_arrays else 1,
        "fastreg_version": __version__,
        "estimator": name,
        "params": params,
        "attributes": attributes,
        "arrays": sorted(arrays),
        "feature_names": feature_names,
    }
    if param_arrays:
        meta["param_arrays"] = sorted(param_arrays)
    if extra is not None:
        if not isinstance(extra, dict):
            raise ModelFileError(f"extra must be a dict, got {type(extra).__name__}")
        meta["extra"] = extra
    members = {_META_KEY: np.array(json.dumps(meta, allow_nan=False))}
    members.update(arrays)
    members.update({_PARAM_PREFIX + key: value for key, value in param_arrays.items()})
    _write_atomic(os.fspath(path), members)


def _write_atomic(path, members):
    directory = os.path.dirname(os.path.abspath(path))
    base = os.path.basename(path)
    for attempt in range(100):
        tmp = os.path.join(directory, f".{base}.{os.getpid()}.{attempt}.tmp")
        try:
            # 0o666 filtered by the umask, like an ordinary open(path, "w")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            break
        except FileExistsError:
            continue
    else:  # pragma: no cover
        raise ModelFileError(f"{path}: cannot create a temporary file in {directory}")
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **members)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def load(path):
    """Read a model file written by :func:`save` (or ``estimator.save``).

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    estimator
        A fitted fastreg estimator of the saved class, with the saved
        parameters and fitted attributes. :func:`load_with_names` also
        returns the recorded feature names.

    Raises
    ------
    ModelFileError
        If the file is not a fastreg model file or is inconsistent.
    FileNotFoundError, PermissionError
        If the file cannot be opened.
    """
    return load_with_names(path)[0]


def load_with_names(path):
    """:func:`load`, also returning the recorded feature names (or ``None``)."""
    return load_with_metadata(path)[:2]


def load_with_metadata(path):
    """:func:`load`, also returning the recorded feature names and ``extra`` document (or ``None``)."""
    path = os.fspath(path)
    with open(path, "rb") as f:
        content = f.read()
    if content.startswith(b"\x93NUMPY"):
        raise ModelFileError(f"{path}: not a fastreg model file (a single .npy array, not an archive)")
    if not content.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        what = "empty" if not content else "not an .npz (zip) archive"
        raise ModelFileError(f"{path}: not a fastreg model file ({what})")
    try:
        archive = np.load(io.BytesIO(content), allow_pickle=False)
    except (ValueError, TypeError, EOFError, OSError, MemoryError, zipfile.BadZipFile, zlib.error) as exc:
        raise ModelFileError(f"{path}: not a fastreg model file (not an .npz archive: {_short(exc)})") from None
    if not hasattr(archive, "files"):
        raise ModelFileError(f"{path}: not a fastreg model file (a single .npy array, not an archive)")
    try:
        with archive:
            if _META_KEY not in archive.files:
                raise ModelFileError(f"{path}: not a fastreg model file (no {_META_KEY!r} record; a data file?)")
            meta = _read_meta(path, archive[_META_KEY])
            arrays = {}
            for key in meta["arrays"]:
                if not isinstance(key, str) or key not in archive.files:
                    raise ModelFileError(f"{path}: model file lists array {key!r} but does not hold it")
                arrays[key] = archive[key]
            listed = meta.get("param_arrays", [])
            if not isinstance(listed, list):
                raise ModelFileError(f"{path}: corrupt model file ('param_arrays' is not a list)")
            for key in listed:
                member = _PARAM_PREFIX + str(key)
                if not isinstance(key, str) or member not in archive.files or key in meta["params"]:
                    raise ModelFileError(f"{path}: model file lists parameter array {key!r} but does not hold it")
                value = archive[member]
                if value.dtype.kind not in "biuf":
                    raise ModelFileError(f"{path}: corrupt model file (parameter {key} has dtype {value.dtype})")
                meta["params"][key] = float(value) if value.ndim == 0 else value
    except ModelFileError:
        raise
    except (ValueError, TypeError, KeyError, EOFError, OSError, MemoryError, zipfile.BadZipFile, zlib.error,
            RuntimeError) as exc:
        raise ModelFileError(f"{path}: corrupt model file ({_short(exc)})") from None
    return (*_build(path, meta, arrays), meta.get("extra"))


def _short(exc):
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:200]


def _read_meta(path, record):
    if record.shape != () or record.dtype.kind != "U":
        raise ModelFileError(f"{path}: corrupt model file (the {_META_KEY!r} record is not a JSON string)")
    try:
        meta = json.loads(str(record))
    except json.JSONDecodeError as exc:
        raise ModelFileError(f"{path}: corrupt model file (metadata is not valid JSON: {exc})") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ModelFileError(f"{path}: not a fastreg model file (format is not {FORMAT!r})")
    version = meta.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ModelFileError(f"{path}: corrupt model file (format_version {version!r})")
    if version > FORMAT_VERSION:
        raise ModelFileError(
            f"{path}: model file format version {version} is newer than this fastreg reads "
            f"({FORMAT_VERSION}); written by fastreg {meta.get('fastreg_version')!r}: upgrade fastreg"
        )
    for key, kind in (("params", dict), ("attributes", dict), ("arrays", list), ("estimator", str)):
        if not isinstance(meta.get(key), kind):
            raise ModelFileError(f"{path}: corrupt model file ({key!r} missing or of the wrong type)")
    names = meta.get("feature_names")
    if names is not None and not (isinstance(names, list) and all(isinstance(n, str) for n in names)):
        raise ModelFileError(f"{path}: corrupt model file ('feature_names' is not a list of strings)")
    if not isinstance(meta.get("extra", {}), dict):
        raise ModelFileError(f"{path}: corrupt model file ('extra' is not a JSON object)")
    return meta


def _build(path, meta, arrays):
    classes = _estimators()
    name = meta["estimator"]
    if name not in classes:
        raise ModelFileError(f"{path}: unknown estimator {name!r} (fastreg loads {', '.join(classes)})")
    cls = classes[name]
    known = set(cls().get_params(deep=False))
    unknown = set(meta["params"]) - known
    if unknown:
        raise ModelFileError(
            f"{path}: parameters {', '.join(sorted(unknown))} unknown to {name} in this fastreg "
            f"(file written by fastreg {meta.get('fastreg_version')!r})"
        )
    estimator = cls(**meta["params"])
    for key, value in meta["attributes"].items():
        if not (isinstance(key, str) and key.endswith("_") and not key.startswith("_")):
            raise ModelFileError(f"{path}: corrupt model file (attribute name {key!r})")
        setattr(estimator, key, value)
    for key, value in arrays.items():
        if not (key.endswith("_") and not key.startswith("_")):
            raise ModelFileError(f"{path}: corrupt model file (array name {key!r})")
        if key == "feature_names_in_":
            value = np.asarray(value, dtype=object)
        elif value.dtype.kind not in "biuf":
            raise ModelFileError(f"{path}: corrupt model file ({key} has dtype {value.dtype})")
        setattr(estimator, key, value)
    _check_consistent(path, estimator)
    return estimator, meta.get("feature_names")


def _check_consistent(path, est):
    coef = getattr(est, "coef_", None)
    p = getattr(est, "n_features_in_", None)
    intercept = getattr(est, "intercept_", None)
    if not isinstance(coef, np.ndarray) or coef.dtype.kind != "f":
        raise ModelFileError(f"{path}: corrupt model file (no floating-point coef_ array)")
    if not isinstance(p, int) or isinstance(p, bool) or p < 1:
        raise ModelFileError(f"{path}: corrupt model file (n_features_in_ = {p!r})")
    if coef.ndim not in (1, 2) or coef.shape[-1] != p:
        raise ModelFileError(
            f"{path}: inconsistent model file (coef_ has shape {coef.shape}, n_features_in_ is {p})"
        )
    n_targets = () if coef.ndim == 1 else (coef.shape[0],)
    if isinstance(intercept, (int, float)) and not isinstance(intercept, bool):
        intercept_shape = ()
    elif isinstance(intercept, np.ndarray) and intercept.dtype.kind == "f":
        intercept_shape = intercept.shape
    else:
        raise ModelFileError(f"{path}: corrupt model file (intercept_ = {intercept!r})")
    if intercept_shape != n_targets:
        raise ModelFileError(
            f"{path}: inconsistent model file (intercept_ shape {intercept_shape} for coef_ shape {coef.shape})"
        )
    if not (np.all(np.isfinite(coef)) and np.all(np.isfinite(intercept))):
        raise ModelFileError(f"{path}: corrupt model file (non-finite coefficients)")
    names = getattr(est, "feature_names_in_", None)
    if names is not None and (names.ndim != 1 or names.shape[0] != p):
        raise ModelFileError(f"{path}: inconsistent model file (feature_names_in_ for {p} features)")
