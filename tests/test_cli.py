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
    assert set(doc) == {"intercept", "coef", "model", "penalty", "lambda", "learning_rate", "iterations",
                        "feature_names", "r2", "n_samples", "gradient_norm", "converged", "encoding",
                        "fastreg_version"}
    assert doc["model"] == "gd" and doc["feature_names"] == NAMES
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
    rc = main(["fit", str(path), "--target", "price", "--model", "ols", "--output", str(tmp_path)])
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


def test_demo(capsys):
    """The demo's figures are the real ones: parity, exact zeros, the CV alpha, the speed table."""
    from sklearn import linear_model as sk

    from fastreg.demo import LASSO_ALPHA, house_prices

    argv = ["demo", "--samples", "400", "--iterations", "200", "--speed-samples", "300",
            "--speed-features", "40", "--rounds", "1"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    X, X_test, y, y_test, names = house_prices(400)
    useless = slice(6, None)

    # 1. parity of the reference loop with the NumPy loop, each penalty
    differences = re.findall(r"^   (?:none|l2|l1) .*?\s(\d\.\de[-+]\d+)\s+\d\.\d{4}$", out, re.MULTILINE)
    assert len(differences) == 3 and all(float(d) < 1e-10 for d in differences)

    # 2. exact zeros: counted in the table as the Lasso gives them; none from the sign steps
    lasso = sk.Lasso(alpha=LASSO_ALPHA, tol=1e-12, max_iter=100_000).fit(X, y)
    n_zero = int(np.sum(lasso.coef_[useless] == 0))
    assert n_zero >= 15
    assert re.search(rf"^   fastreg.Lasso \(coordinate descent\)\s+{n_zero}/20\s", out, re.MULTILINE)
    assert re.search(r"^   reference L1 loop \(sign steps\)\s+0/20\s", out, re.MULTILINE)

    # 3. the alpha that 5-fold cross-validation picks is scikit-learn's
    ref = sk.LassoCV(cv=5, tol=1e-10, max_iter=100_000).fit(X, y)
    alpha = float(re.search(r"picks alpha = (\S+) among 100 values", out).group(1))
    assert alpha == pytest.approx(ref.alpha_, rel=1e-3)

    # 4. the speed table: three tasks, each timed beside its peer, same answers
    rows = re.findall(r"^   (reference loop|Lasso|Ridge).*?(\d+\.\dx)\s+(.*)$", out, re.MULTILINE)
    assert [r[0] for r in rows] == ["reference loop", "Lasso", "Ridge"]
    assert float(re.search(r"max \|θ difference\| (\S+)", rows[0][2]).group(1)) < 1e-10
    for row in rows[1:]:
        assert abs(float(re.search(r"objective (\S+) rel\.", row[2]).group(1))) < 1e-6
    assert "side by side, 1 round" in out and "untimed first round" in out


def test_demo_without_speed_table(capsys):
    assert main(["demo", "--samples", "200", "--iterations", "50", "--no-speed"]) == 0
    out = capsys.readouterr().out
    assert "picks alpha" in out and "Speed" not in out


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
