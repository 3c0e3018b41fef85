"""Tests for the ``fastreg`` command line, run in-process through ``main``."""

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import dump_svmlight_file

import fastreg
from fastreg import reference
from fastreg.cli import main
from fastreg.io import save_npz

NAMES = ["area", "rooms", "age", "shoe"]
SETTINGS = ["--lambda", "3.0", "--learning-rate", "0.1", "--iterations", "150"]


def small_data(n=60, seed=0):
    """Values with 3 decimals, so CSV, npz and svmlight all store them exactly."""
    rng = np.random.default_rng(seed)
    X = np.round(rng.normal(size=(n, len(NAMES))), 3)
    X[rng.random(X.shape) < 0.3] = 0.0
    y = np.round(2.0 + X @ np.array([3.0, 1.5, -2.0, 0.0]) + rng.normal(scale=0.3, size=n), 3)
    return X, y


def write_csv(path, X, y, names=NAMES, target="price"):
    lines = [",".join([*names, target])]
    lines += [",".join(repr(float(v)) for v in (*row, t)) for row, t in zip(X, y)]
    path.write_text("\n".join(lines) + "\n")
    return path


def fit_json(tmp_path, capsys, file, *extra):
    out = tmp_path / f"coef_{Path(file).name}.json"
    assert main(["fit", str(file), *extra, "--output", str(out)]) == 0
    capsys.readouterr()
    return json.loads(out.read_text())


def theta_of(doc):
    return np.array([doc["intercept"], *doc["coef"].values()])


def assert_one_line_error(capsys, rc, *words):
    captured = capsys.readouterr()
    assert rc == 2
    err = captured.err
    assert err.startswith("fastreg: error: ")
    assert err.count("\n") == 1 and err.endswith("\n")
    assert "Traceback" not in err + captured.out
    for word in words:
        assert word in err
    return err


# ---------------------------------------------------------------------- fit


@pytest.mark.parametrize("penalty, ref_penalty", [("l2", "l2"), ("l1", "l1"), ("none", None)])
def test_fit_csv_matches_reference(tmp_path, capsys, penalty, ref_penalty):
    X, y = small_data()
    path = write_csv(tmp_path / "houses.csv", X, y)
    out = tmp_path / "coef.json"
    rc = main(["fit", str(path), "--target", "price", "--penalty", penalty, *SETTINGS, "--output", str(out)])
    assert rc == 0
    stdout = capsys.readouterr().out

    expected = reference.gradient_descent(X, y, penalty=ref_penalty, lambda_=3.0, learning_rate=0.1, iterations=150)
    doc = json.loads(out.read_text())
    np.testing.assert_allclose(theta_of(doc), expected, rtol=1e-10, atol=1e-13)
    assert list(doc["coef"]) == NAMES
    assert doc["penalty"] == penalty and doc["lambda"] == 3.0
    assert doc["learning_rate"] == 0.1 and doc["iterations"] == 150
    assert doc["fastreg_version"] == fastreg.__version__

    prediction = X @ expected[1:] + expected[0]
    r2 = 1 - np.sum((y - prediction) ** 2) / np.sum((y - y.mean()) ** 2)
    assert doc["r2"] == pytest.approx(r2, rel=1e-10)
    assert f"training R²: {r2:.4f}" in stdout
    for name in ["(intercept)", *NAMES]:
        assert re.search(rf"^{re.escape(name)}\s+-?\d", stdout, re.MULTILINE)


def test_fit_output_json_round_trips(tmp_path, capsys):
    X, y = small_data()
    path = write_csv(tmp_path / "houses.csv", X, y)
    doc = fit_json(tmp_path, capsys, path, "--target", "price", *SETTINGS)
    assert set(doc) == {"intercept", "coef", "penalty", "lambda", "learning_rate", "iterations", "r2",
                        "fastreg_version"}
    again = tmp_path / "again.json"
    again.write_text(json.dumps(doc))
    assert json.loads(again.read_text()) == doc
    # the printed values are the saved ones, to 6 significant digits
    assert main(["fit", str(path), "--target", "price", *SETTINGS]) == 0
    stdout = capsys.readouterr().out
    for name, value in doc["coef"].items():
        printed = re.search(rf"^{name}\s+(\S+)$", stdout, re.MULTILINE).group(1)
        assert float(printed) == pytest.approx(value, rel=1e-5)


def test_all_formats_give_the_same_coefficients(tmp_path, capsys):
    X, y = small_data()
    csv_path = write_csv(tmp_path / "d.csv", X, y)
    np.savez(tmp_path / "dense.npz", X=X, y=y, feature_names=np.array(NAMES))
    save_npz(tmp_path / "sparse.npz", sp.csr_matrix(X), y, feature_names=NAMES)
    sp.save_npz(tmp_path / "sibling.npz", sp.csr_matrix(X))
    np.save(tmp_path / "sibling.target.npy", y)
    sp.save_npz(tmp_path / "column.npz", sp.csr_matrix(np.column_stack([y, X])))
    dump_svmlight_file(X, y, str(tmp_path / "d.svm"))

    runs = {
        "csv": (csv_path, "--target", "price"),
        "dense npz": (tmp_path / "dense.npz",),
        "sparse npz": (tmp_path / "sparse.npz", "--target", "y"),
        "sibling npz": (tmp_path / "sibling.npz",),
        "column npz": (tmp_path / "column.npz", "--target", "0"),
        "svmlight": (tmp_path / "d.svm",),
        "svmlight label": (tmp_path / "d.svm", "--target", "label"),
    }
    expected = reference.gradient_descent(X, y, penalty="l2", lambda_=3.0, learning_rate=0.1, iterations=150)
    for label, (file, *extra) in runs.items():
        doc = fit_json(tmp_path, capsys, file, *extra, *SETTINGS)
        np.testing.assert_allclose(theta_of(doc), expected, rtol=1e-10, atol=1e-13, err_msg=label)
        if label in ("csv", "dense npz", "sparse npz"):
            assert list(doc["coef"]) == NAMES


def test_fit_learning_rate_auto(tmp_path, capsys):
    X, y = small_data()
    path = write_csv(tmp_path / "d.csv", X, y)
    doc = fit_json(tmp_path, capsys, path, "--target", "price", "--learning-rate", "auto",
                   "--penalty", "none", "--iterations", "300")
    assert doc["learning_rate"] == "auto"
    exact = np.linalg.lstsq(np.column_stack([np.ones(len(y)), X]), y, rcond=None)[0]
    np.testing.assert_allclose(theta_of(doc), exact, atol=1e-3)


def test_fit_sparse_output_mentions_sparse(tmp_path, capsys):
    X, y = small_data()
    save_npz(tmp_path / "s.npz", sp.csr_matrix(X), y)
    assert main(["fit", str(tmp_path / "s.npz"), *SETTINGS]) == 0
    assert "sparse CSR" in capsys.readouterr().out


# ------------------------------------------------------------------- errors


def test_error_missing_file(tmp_path, capsys):
    rc = main(["fit", str(tmp_path / "nope.csv"), "--target", "price"])
    assert_one_line_error(capsys, rc, "nope.csv", "not found")


def test_error_unknown_column(tmp_path, capsys):
    path = write_csv(tmp_path / "d.csv", *small_data())
    rc = main(["fit", str(path), "--target", "prize"])
    assert_one_line_error(capsys, rc, "d.csv", "'prize'")


def test_error_non_numeric(tmp_path, capsys):
    path = tmp_path / "d.csv"
    path.write_text("area,price\n1.0,2.0\n3.0,lots\n")
    rc = main(["fit", str(path), "--target", "price"])
    assert_one_line_error(capsys, rc, "d.csv", "numeric", "row 2", "'price'")


@pytest.mark.parametrize(
    "name, content, words",
    [
        ("ragged.csv", "area,price\n1,2\n3,4,5\n", ["ragged.csv", "line 3", "3 fields"]),
        ("empty.csv", "", ["empty.csv", "empty"]),
        ("table.xlsx", "whatever", ["table.xlsx", "unsupported"]),
        ("junk.npz", "not a zip", ["junk.npz", ".npz"]),
    ],
)
def test_error_bad_files(tmp_path, capsys, name, content, words):
    path = tmp_path / name
    path.write_text(content)
    rc = main(["fit", str(path), "--target", "price"])
    assert_one_line_error(capsys, rc, *words)


def test_error_svmlight_target(tmp_path, capsys):
    X, y = small_data()
    dump_svmlight_file(X, y, str(tmp_path / "d.svm"))
    rc = main(["fit", str(tmp_path / "d.svm"), "--target", "price"])
    assert_one_line_error(capsys, rc, "d.svm", "label")


def test_error_nan_in_npz_from_fastreg(tmp_path, capsys):
    X, y = small_data()
    X[3, 1] = np.nan
    np.savez(tmp_path / "nan.npz", X=X, y=y)
    rc = main(["fit", str(tmp_path / "nan.npz")])
    err = assert_one_line_error(capsys, rc, "nan.npz")
    assert "nan" in err.lower().replace("nan.npz", "")


def test_error_divergence(tmp_path, capsys):
    X, y = small_data()
    path = write_csv(tmp_path / "d.csv", 1000 * X, y)
    rc = main(["fit", str(path), "--target", "price", "--learning-rate", "1.0", "--iterations", "100"])
    assert_one_line_error(capsys, rc, "d.csv", "learning", "auto")


def test_error_unwritable_output(tmp_path, capsys):
    path = write_csv(tmp_path / "d.csv", *small_data())
    rc = main(["fit", str(path), "--target", "price", "--iterations", "5", "--output", str(tmp_path)])
    assert_one_line_error(capsys, rc, str(tmp_path))


@pytest.mark.parametrize(
    "argv, word",
    [
        (["fit", "d.csv", "--penalty", "l3"], "invalid choice"),
        (["fit", "d.csv", "--learning-rate", "fast"], "'auto'"),
        (["fit", "d.csv", "--learning-rate", "-1"], "positive"),
        (["fit", "d.csv", "--iterations", "0"], "positive integer"),
        (["fit", "d.csv", "--lambda", "-2"], "non-negative"),
        (["fit"], "FILE"),
        (["demo", "--samples", "5"], "at least 20"),
        ([], "COMMAND"),
    ],
)
def test_usage_errors_exit_2(capsys, argv, word):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "usage: fastreg" in err and word in err and "Traceback" not in err


def test_help_and_version(capsys):
    assert main(["--help"]) == 0
    assert "demo" in capsys.readouterr().out
    assert main(["--version"]) == 0
    assert fastreg.__version__ in capsys.readouterr().out


# --------------------------------------------------------------------- demo


def _table_rows(stdout):
    """Rows ``name  v1  v2  v3`` of the demo's coefficient table."""
    rows = {}
    for line in stdout.splitlines():
        match = re.fullmatch(r"(\S.*?)\s+(-?\d+\.\d+)\s+(-?\d+\.\d+)\s+(-?\d+\.\d+)", line)
        if match:
            rows[match.group(1)] = np.array([float(v) for v in match.groups()[1:]])
    return rows


def test_demo(capsys):
    assert main(["demo", "--samples", "200", "--iterations", "200"]) == 0
    stdout = capsys.readouterr().out
    assert "owner_shoe_size" in stdout
    assert re.search(r"^feature\s+OLS\s+Ridge\s+Lasso$", stdout, re.MULTILINE)
    rows = _table_rows(stdout)

    from fastreg.datasets import INFORMATIVE_FEATURES, make_house_prices

    names = make_house_prices(n_samples=20)[2]
    useless = np.array([rows[name] for name in names[len(INFORMATIVE_FEATURES):]])
    informative = np.array([rows[name] for name in INFORMATIVE_FEATURES])
    ols, ridge, lasso = np.abs(useless).mean(axis=0)
    assert lasso < 0.5 * ols                     # Lasso pulls the useless features towards 0
    assert rows["norm of coef (L2)"][1] < rows["norm of coef (L2)"][0]   # Ridge shrinks the whole vector
    assert np.abs(informative[:, 2]).mean() > 0.5 * np.abs(informative[:, 0]).mean()

    r2_train, r2_test = rows["train"], rows["test"]
    assert np.all((r2_train > 0.5) & (r2_train <= 1)) and np.all((r2_test > 0.5) & (r2_test <= 1))
    assert "R²" in stdout and "exactly 0" in stdout
    assert stdout.count("per iteration") == 2 and "numba" in stdout
    deviation = float(re.search(r"max \|theta difference\|\s+(\S+)", stdout).group(1))
    assert deviation < 1e-8


def test_python_dash_m(tmp_path):
    X, y = small_data(n=20)
    path = write_csv(tmp_path / "d.csv", X, y)
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        [sys.executable, "-m", "fastreg", "fit", str(path), "--target", "nope"],
        cwd=root, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr.strip().startswith("fastreg: error:") and "'nope'" in done.stderr
    assert "Traceback" not in done.stderr
