"""Tests for fastreg.io: the data files the command line reads and writes."""

import json

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import dump_svmlight_file

from fastreg.io import DataFileError, load_table, save_coefficients, save_npz


def small_data(n=30, p=3, seed=0):
    """Values with 3 decimals: every format stores them exactly."""
    rng = np.random.default_rng(seed)
    X = np.round(rng.normal(size=(n, p)), 3)
    X[rng.random((n, p)) < 0.4] = 0.0
    y = np.round(X @ np.arange(1.0, p + 1) + 0.5 + rng.normal(scale=0.1, size=n), 3)
    return X, y


def write_csv(path, header, rows):
    path.write_text(",".join(header) + "\n" + "".join(",".join(map(str, r)) + "\n" for r in rows))
    return path


# ---------------------------------------------------------------------- CSV


def test_csv_target_in_the_middle(tmp_path):
    X, y = small_data()
    rows = [[repr(float(v)) for v in (X[i, 0], y[i], X[i, 1], X[i, 2])] for i in range(len(y))]
    path = write_csv(tmp_path / "d.csv", ["a", "price", "b", "c"], rows)
    X2, y2, names = load_table(path, "price")
    assert names == ["a", "b", "c"]
    np.testing.assert_array_equal(X2, X)
    np.testing.assert_array_equal(y2, y)
    assert X2.dtype == np.float64 and X2.flags.c_contiguous


def test_csv_tolerates_bom_spaces_and_blank_lines(tmp_path):
    path = tmp_path / "d.csv"
    path.write_bytes("\ufeff x , y \n1, 2\n\n3 ,4\n\n".encode("utf-8"))
    X, y, names = load_table(path, "y")
    assert names == ["x"]
    np.testing.assert_array_equal(X, [[1.0], [3.0]])
    np.testing.assert_array_equal(y, [2.0, 4.0])


@pytest.mark.parametrize(
    "content, target, words",
    [
        ("", "y", ["empty"]),
        ("x,y\n", "y", ["no data rows"]),
        ("x,y\n1,2\n", "price", ["'price'", "x, y"]),
        ("x,y\n1,2\n3\n", "y", ["line 3", "1 fields", "expected 2"]),
        ("x,y\n1,2\nabc,4\n", "y", ["row 2", "line 3", "'x'", "'abc'", "not numeric"]),
        ("x,y\n1,\n", "y", ["row 1", "'y'", "missing value (empty cell)"]),
        ("x,y\n1,nan\n", "y", ["row 1", "'y'", "missing value ('nan')"]),
        ("x,y\n1,inf\n", "y", ["'y'", "not a finite number"]),
        ("x,y\n1,2\n3,abc\n", "y", ["row 2", "'y'", "'abc'", "not numeric", "target"]),
        ("x,y\nparis,2\n", "x", ["'x'", "not numeric", "target"]),
        ("y\n1\n2\n", "y", ["no feature columns"]),
        ("x,x,y\n1,2,3\n", "y", ["duplicate", "x"]),
        ("x,y\n1,2\nNA,3\n", "y", ["row 2", "line 3", "'x'", "missing value ('NA')"]),
        ("x,y\n1,2\n", None, ["--target"]),
    ],
)
def test_csv_errors(tmp_path, content, target, words):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    with pytest.raises(DataFileError) as info:
        load_table(path, target)
    message = str(info.value)
    assert message.startswith(str(path) + ": ")
    assert "\n" not in message
    for word in words:
        assert word in message


# ---------------------------------------------------------------------- npz


def test_dense_npz_default_target_and_names(tmp_path):
    X, y = small_data()
    path = tmp_path / "d.npz"
    np.savez(path, X=X, y=y, feature_names=np.array(["a", "b", "c"]))
    X2, y2, names = load_table(path)
    np.testing.assert_array_equal(X2, X)
    np.testing.assert_array_equal(y2, y)
    assert names == ["a", "b", "c"]


def test_dense_npz_named_and_integer_targets(tmp_path):
    X, y = small_data()
    path = tmp_path / "d.npz"
    np.savez(path, X=X.astype(np.float32), price=y)
    X2, y2, names = load_table(path, "price")
    assert X2.dtype == np.float32 and names == ["x0", "x1", "x2"]
    X3, y3, names3 = load_table(path, "1")
    assert names3 == ["x0", "x2"]
    np.testing.assert_array_equal(y3, X[:, 1].astype(np.float32))
    np.testing.assert_array_equal(X3, X[:, [0, 2]].astype(np.float32))


@pytest.mark.parametrize("kind", [sp.csr_matrix, sp.csc_matrix, sp.csr_array, sp.coo_matrix])
def test_save_npz_sparse_is_scipy_compatible(tmp_path, kind):
    X, y = small_data()
    path = tmp_path / "s.npz"
    save_npz(path, kind(X), y, feature_names=["a", "b", "c"])
    direct = sp.load_npz(path)
    np.testing.assert_array_equal(direct.toarray(), X)
    X2, y2, names = load_table(path)
    assert sp.issparse(X2) and X2.format == kind(X).format
    np.testing.assert_array_equal(X2.toarray(), X)
    np.testing.assert_array_equal(y2, y)
    assert names == ["a", "b", "c"]


def test_save_npz_dense_round_trip(tmp_path):
    X, y = small_data()
    path = tmp_path / "d.npz"
    save_npz(path, X, y)
    X2, y2, names = load_table(path)
    assert isinstance(X2, np.ndarray)
    np.testing.assert_array_equal(X2, X)
    np.testing.assert_array_equal(y2, y)


def test_sparse_npz_sibling_target_file(tmp_path):
    X, y = small_data()
    sp.save_npz(tmp_path / "s.npz", sp.csr_matrix(X))
    np.save(tmp_path / "s.target.npy", y)
    X2, y2, _ = load_table(tmp_path / "s.npz")
    assert sp.issparse(X2)
    np.testing.assert_array_equal(y2, y)


def test_sparse_npz_integer_target_column_is_removed(tmp_path):
    X, y = small_data()
    sp.save_npz(tmp_path / "s.npz", sp.csr_matrix(np.column_stack([X, y])))
    X2, y2, names = load_table(tmp_path / "s.npz", "-1")
    assert sp.issparse(X2) and X2.format == "csr"
    np.testing.assert_array_equal(X2.toarray(), X)
    np.testing.assert_array_equal(y2, y)
    assert names == ["x0", "x1", "x2"]


@pytest.mark.parametrize(
    "arrays, target, words",
    [
        ({"X": np.ones((3, 2))}, None, ["no target array 'y'", "s.target.npy"]),
        ({"X": np.ones((3, 2)), "y": np.ones(3)}, "price", ["'price'"]),
        ({"X": np.ones((3, 2)), "y": np.ones(3)}, "5", ["index 5", "2 columns"]),
        ({"A": np.ones((3, 2))}, None, ["no 'X' array"]),
        ({"X": np.ones(3), "y": np.ones(3)}, None, ["2-D"]),
        ({"X": np.ones((3, 2)), "y": np.ones(4)}, None, ["shape"]),
        ({"X": np.array([["a", "b"]]), "y": np.ones(1)}, None, ["not numeric"]),
        ({"X": np.ones((3, 2)), "y": np.array([None, 1, 2], dtype=object)}, None, ["cannot read"]),
        ({"X": np.ones((2, 2)), "y": np.ones(2), "feature_names": np.array(["a"])}, None, ["feature_names"]),
    ],
)
def test_npz_errors(tmp_path, arrays, target, words):
    path = tmp_path / "s.npz"
    np.savez(path, **arrays)
    with pytest.raises(DataFileError) as info:
        load_table(path, target)
    message = str(info.value)
    assert message.startswith(str(path)) and "\n" not in message
    for word in words:
        assert word in message


def test_npz_not_an_archive(tmp_path):
    path = tmp_path / "junk.npz"
    path.write_text("hello")
    with pytest.raises(DataFileError, match="not a valid .npz"):
        load_table(path)


# ----------------------------------------------------------------- svmlight


@pytest.mark.parametrize("ext", [".svm", ".svmlight", ".libsvm", ".txt"])
def test_svmlight(tmp_path, ext):
    X, y = small_data()
    path = tmp_path / f"d{ext}"
    dump_svmlight_file(X, y, str(path))
    X2, y2, names = load_table(path)
    assert sp.issparse(X2)
    np.testing.assert_array_equal(X2.toarray(), X)
    np.testing.assert_array_equal(y2, y)
    assert names == ["x0", "x1", "x2"]
    assert load_table(path, "label")[1].shape == y.shape


def test_svmlight_errors(tmp_path):
    path = tmp_path / "d.svm"
    path.write_text("1 1:0.5\n")
    with pytest.raises(DataFileError, match="label"):
        load_table(path, "price")
    path.write_text("1 1:abc\n")
    with pytest.raises(DataFileError, match="not a valid svmlight"):
        load_table(path)
    path.write_text("")
    with pytest.raises(DataFileError, match="no data rows"):
        load_table(path)


# -------------------------------------------------------------------- misc


def test_missing_directory_and_extension(tmp_path):
    with pytest.raises(DataFileError, match="file not found"):
        load_table(tmp_path / "nope.csv", "y")
    with pytest.raises(DataFileError, match="directory"):
        load_table(tmp_path, "y")
    (tmp_path / "d.xlsx").write_text("x")
    with pytest.raises(DataFileError, match="unsupported file extension '.xlsx'"):
        load_table(tmp_path / "d.xlsx", "y")


def test_data_file_error_is_a_value_error():
    assert issubclass(DataFileError, ValueError)


def test_save_coefficients_round_trip(tmp_path):
    theta = np.array([0.1, 1 / 3, -2e-17, np.float32(1.5)])
    path = tmp_path / "c.json"
    save_coefficients(path, theta, ["a", "b", "c"], penalty="l2", r2=float("nan"), iterations=3)
    doc = json.loads(path.read_text())
    assert list(doc) == ["intercept", "coef", "penalty", "r2", "iterations"]
    assert doc["intercept"] == 0.1
    assert list(doc["coef"]) == ["a", "b", "c"]
    assert np.array_equal(list(doc["coef"].values()), theta[1:])
    assert doc["r2"] is None and doc["iterations"] == 3
    with pytest.raises(ValueError):
        save_coefficients(path, theta, ["a"])


# ------------------------------------------------------- CSV text columns


from sklearn.preprocessing import OneHotEncoder  # noqa: E402

from fastreg.io import TableEncoding, load_features, read_table  # noqa: E402

CITY_ROWS = [["120", "paris", "3", "410"], ["80", "lyon", "2", "250"], ["95", "nice", "1", "300"],
             ["60", "paris", "5", "330"]]


def test_text_column_one_hot_encoded_by_name(tmp_path):
    path = write_csv(tmp_path / "h.csv", ["area", "city", "zone", "price"], CITY_ROWS)
    X, y, names, encoding = read_table(path, "price")
    assert names == ["area", "city=lyon", "city=nice", "city=paris", "zone"]
    cities = np.array([[r[1]] for r in CITY_ROWS], dtype=object)
    expected = OneHotEncoder(sparse_output=False).fit_transform(cities)
    np.testing.assert_array_equal(X[:, 1:4], expected)
    np.testing.assert_array_equal(X[:, [0, 4]], [[120, 3], [80, 2], [95, 1], [60, 5]])
    np.testing.assert_array_equal(y, [410, 250, 300, 330])
    assert X.dtype == np.float64 and X.flags.c_contiguous
    assert encoding.to_dict() == {
        "columns": [{"name": "area", "categories": None}, {"name": "city", "categories": ["lyon", "nice", "paris"]},
                    {"name": "zone", "categories": None}],
        "target": "price",
    }


def test_categorical_option_encodes_numbers_as_categories(tmp_path):
    path = write_csv(tmp_path / "h.csv", ["area", "city", "zone", "price"], CITY_ROWS)
    X, _, names, _ = read_table(path, "price", categorical=["zone"])
    assert names == ["area", "city=lyon", "city=nice", "city=paris", "zone=1", "zone=2", "zone=3", "zone=5"]
    np.testing.assert_array_equal(X[:, 4:].argmax(axis=1), [2, 1, 0, 3])
    with pytest.raises(DataFileError, match="no column 'town'"):
        read_table(path, "price", categorical=["town"])
    with pytest.raises(DataFileError, match="target 'price' cannot be categorical"):
        read_table(path, "price", categorical=["price"])


def test_column_mixing_numbers_and_text_is_an_error(tmp_path):
    rows = [["1", "2"], ["ground", "3"], ["2", "4"]]
    path = write_csv(tmp_path / "f.csv", ["floor", "price"], rows)
    with pytest.raises(DataFileError) as info:
        load_table(path, "price")
    for word in ["row 2", "line 3", "'floor'", "'ground'", "not numeric", "--categorical floor"]:
        assert word in str(info.value)
    X, _, names = load_table(path, "price", categorical=["floor"])
    assert names == ["floor=1", "floor=2", "floor=ground"]


@pytest.mark.parametrize("cell", ["", "NA", "null", "NaN"])
def test_missing_value_in_text_column_names_column_and_row(tmp_path, cell):
    rows = [r[:] for r in CITY_ROWS]
    rows[2][1] = cell
    path = write_csv(tmp_path / "h.csv", ["area", "city", "zone", "price"], rows)
    with pytest.raises(DataFileError) as info:
        load_table(path, "price")
    message = str(info.value)
    assert "row 3 (line 4), column 'city': missing value" in message and "\n" not in message


def test_encoding_applied_to_new_rows_by_column_name(tmp_path):
    path = write_csv(tmp_path / "h.csv", ["area", "city", "zone", "price"], CITY_ROWS)
    X, _, names, encoding = read_table(path, "price")
    encoding = TableEncoding.from_dict(json.loads(json.dumps(encoding.to_dict())))
    # other column order, an extra column, no target
    new = write_csv(tmp_path / "new.csv", ["zone", "note", "city", "area"],
                    [[r[2], "x", r[1], r[0]] for r in CITY_ROWS])
    X2, y2, names2 = load_features(new, encoding=encoding)
    np.testing.assert_array_equal(X2, X)
    assert y2 is None and names2 == names


def test_unseen_category_error_or_zero(tmp_path):
    path = write_csv(tmp_path / "h.csv", ["area", "city", "zone", "price"], CITY_ROWS)
    _, _, _, encoding = read_table(path, "price")
    new = write_csv(tmp_path / "new.csv", ["area", "city", "zone"], [["70", "lyon", "2"], ["50", "rome", "1"]])
    with pytest.raises(DataFileError) as info:
        load_features(new, encoding=encoding)
    for word in ["new.csv", "row 2 (line 3)", "'city'", "'rome'", "not seen in training", "lyon, nice, paris"]:
        assert word in str(info.value)
    X, _, _ = load_features(new, encoding=encoding, unseen="zero")
    np.testing.assert_array_equal(X, [[70, 1, 0, 0, 2], [50, 0, 0, 0, 1]])


def test_encoded_prediction_file_errors(tmp_path):
    path = write_csv(tmp_path / "h.csv", ["area", "city", "zone", "price"], CITY_ROWS)
    _, _, _, encoding = read_table(path, "price")
    new = write_csv(tmp_path / "new.csv", ["area", "zone"], [["70", "2"]])
    with pytest.raises(DataFileError, match="missing the model's feature columns: city"):
        load_features(new, encoding=encoding)
    new = write_csv(tmp_path / "new.csv", ["area", "city", "zone"], [["70", "lyon", "two"]])
    with pytest.raises(DataFileError, match="row 1 .*'zone'.*'two' is not numeric"):
        load_features(new, encoding=encoding)
    new = write_csv(tmp_path / "new.csv", ["area", "city", "zone"], [["70", "", "2"]])
    with pytest.raises(DataFileError, match="column 'city': missing value"):
        load_features(new, encoding=encoding)


def test_prediction_without_encoding_refuses_text(tmp_path):
    path = write_csv(tmp_path / "h.csv", ["area", "city"], [["1", "paris"], ["2", "lyon"]])
    with pytest.raises(DataFileError, match="'paris' is not numeric"):
        load_features(path)


def test_categorical_only_for_csv(tmp_path):
    X, y = small_data()
    np.savez(tmp_path / "d.npz", X=X, y=y)
    with pytest.raises(DataFileError, match="CSV"):
        read_table(tmp_path / "d.npz", categorical=["x0"])
    assert read_table(tmp_path / "d.npz")[3] is None


@pytest.mark.parametrize("doc", [
    None, {}, {"columns": []}, {"columns": [{"name": 3, "categories": None}]},
    {"columns": [{"name": "a", "categories": []}]}, {"columns": [{"name": "a", "categories": [1]}]},
    {"columns": [{"name": "a"}]},
])
def test_malformed_encoding_document(doc):
    with pytest.raises(ValueError, match="malformed input encoding"):
        TableEncoding.from_dict(doc)
