"""Malformed data files on the command line: one-line errors, exit status 2, no traceback.

Fixed malformed files first (truncated, ragged, text in numeric columns,
empty), then a fuzz test feeding ``fastreg fit`` and ``fastreg predict``
deterministically mutated CSV, svmlight and npz files.
"""

import io
import os

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import dump_svmlight_file

from fastreg.cli import main
from fastreg.io import DataFileError, load_table, save_npz

N_MUTANTS = int(os.environ.get("FASTREG_FUZZ_MUTANTS", "40"))
FIT = ["--model", "ols"]


def small(n=12, p=3, seed=0):
    rng = np.random.default_rng(seed)
    X = np.round(rng.normal(size=(n, p)), 2)
    X[rng.random(X.shape) < 0.3] = 0.0
    y = np.round(X.sum(axis=1) + 1.0, 2)
    return X, y


def csv_bytes():
    X, y = small()
    lines = ["a,b,c,price"] + [",".join(f"{v:g}" for v in (*r, t)) for r, t in zip(X, y)]
    return ("\n".join(lines) + "\n").encode()


def svm_bytes():
    X, y = small()
    buf = io.BytesIO()
    dump_svmlight_file(X, y, buf)
    return buf.getvalue()


def npz_bytes(tmp_path, sparse):
    X, y = small()
    path = tmp_path / ("base_sparse.npz" if sparse else "base_dense.npz")
    if sparse:
        save_npz(path, sp.csr_matrix(X), y, ["a", "b", "c"])
    else:
        np.savez(path, X=X, y=y)
    return path.read_bytes()


def run(capsys, argv):
    """Run the CLI; check the exit status and that any error is one clean line."""
    rc = main(argv)
    captured = capsys.readouterr()
    assert rc in (0, 2), (argv, rc, captured.err)
    assert "Traceback" not in captured.err + captured.out
    if rc == 2:
        assert captured.err.startswith("fastreg: error: "), captured.err
        assert "internal error" not in captured.err, captured.err  # every failure is anticipated
        assert captured.err.count("\n") == 1, captured.err
    return rc, captured.err


@pytest.mark.parametrize(
    "name, content, words",
    [
        ("empty.csv", b"", ["empty"]),
        ("header_only.csv", b"a,b,price\n", ["no data rows"]),
        ("truncated.csv", b"a,b,price\n1,2,3\n4,5", ["line 3", "2 fields"]),
        ("ragged.csv", b"a,b,price\n1,2,3\n4,5,6,7\n", ["line 3", "4 fields"]),
        ("text.csv", b"a,b,price\n1,2,3\n4,5,six\n", ["'six'", "not numeric", "'price'"]),
        ("nan.csv", b"a,b,price\n1,2,3\n4,nan,6\n", ["row 2", "'b'", "missing value"]),
        ("inf.csv", b"a,b,price\n1,2,3\n4,inf,6\n", ["'b'", "not a finite number"]),
        ("mixed.csv", b"a,b,price\n1,2,3\n4,five,6\n", ["'five'", "--categorical b"]),
        ("binary.csv", b"\xff\xfe\x00\x01garbage", ["UTF-8"]),
        ("nul.csv", b"a,b,price\n1,\x002,3\n", ["nul.csv"]),
        ("empty.svm", b"", ["no data rows"]),
        ("text.svm", b"1.0 1:abc 2:3\n", ["svmlight"]),
        ("badindex.svm", b"1.0 0:1 x:3\n", ["svmlight"]),
        ("truncated.svm", b"1.0 1:2 2:", ["svmlight"]),
        ("empty.npz", b"", [".npz"]),
        ("truncated.npz", None, ["truncated.npz"]),
    ],
)
def test_malformed_files(tmp_path, capsys, name, content, words):
    if content is None:
        content = npz_bytes(tmp_path, sparse=False)[:200]
    path = tmp_path / name
    path.write_bytes(content)
    target = ["--target", "price"] if name.endswith(".csv") else []
    rc, err = run(capsys, ["fit", str(path), *target, *FIT])
    assert rc == 2
    assert name in err
    for word in words:
        assert word in err


def mutate(content, rng):
    """One random structural or byte-level mutation of ``content``."""
    data = bytearray(content)
    kind = rng.integers(8)
    if not data:
        return bytes(rng.integers(0, 256, size=8, dtype=np.uint8))
    i = int(rng.integers(len(data)))
    if kind == 0:  # truncate
        return bytes(data[:i])
    if kind == 1:  # flip bytes
        for _ in range(int(rng.integers(1, 6))):
            data[int(rng.integers(len(data)))] = int(rng.integers(256))
        return bytes(data)
    if kind == 2:  # insert text
        word = [b"abc", b"nan", b"inf", b",", b"\n", b":", b"1e999", b"-", b"\x00", b"\"", b" "][int(rng.integers(11))]
        return bytes(data[:i] + word + data[i:])
    if kind == 3:  # delete a slice
        return bytes(data[:i] + data[i + int(rng.integers(1, 20)):])
    if kind == 4:  # duplicate a slice
        j = min(len(data), i + int(rng.integers(1, 30)))
        return bytes(data[:j] + data[i:j] + data[j:])
    if kind == 5:  # drop a line
        lines = bytes(data).split(b"\n")
        del lines[int(rng.integers(len(lines)))]
        return b"\n".join(lines)
    if kind == 6:  # swap two bytes
        j = int(rng.integers(len(data)))
        data[i], data[j] = data[j], data[i]
        return bytes(data)
    return bytes(data[: len(data) // 2]) * 2  # repeated half


@pytest.mark.parametrize("fmt", ["csv", "svm", "dense npz", "sparse npz"])
def test_fuzz_fit_and_predict(tmp_path, capsys, fmt):
    rng = np.random.default_rng(["csv", "svm", "dense npz", "sparse npz"].index(fmt))
    if fmt == "csv":
        base, ext, target = csv_bytes(), ".csv", ["--target", "price"]
    elif fmt == "svm":
        base, ext, target = svm_bytes(), ".svm", []
    else:
        base, ext, target = npz_bytes(tmp_path, sparse=fmt == "sparse npz"), ".npz", []

    good = tmp_path / f"good{ext}"
    good.write_bytes(base)
    model = tmp_path / "model.npz"
    rc, _ = run(capsys, ["fit", str(good), *target, *FIT, "--output", str(model)])
    assert rc == 0

    outcomes = {0: 0, 2: 0}
    for k in range(N_MUTANTS):
        path = tmp_path / f"mutant{k}{ext}"
        path.write_bytes(mutate(base, rng))
        # the loader raises only DataFileError (a ValueError with a one-line message)
        try:
            load_table(path, "price" if fmt == "csv" else None)
        except DataFileError as exc:
            assert "\n" not in str(exc)
        rc, _ = run(capsys, ["fit", str(path), *target, *FIT])
        outcomes[rc] += 1
        run(capsys, ["predict", "--model", str(model), str(path), *target])
    assert outcomes[2] > 0  # the mutations do produce malformed files


def test_fuzz_model_files_for_predict(tmp_path, capsys):
    good = tmp_path / "d.csv"
    good.write_bytes(csv_bytes())
    model = tmp_path / "model.npz"
    assert run(capsys, ["fit", str(good), "--target", "price", *FIT, "--output", str(model)])[0] == 0
    base = model.read_bytes()
    rng = np.random.default_rng(11)
    for k in range(N_MUTANTS):
        path = tmp_path / f"model{k}.npz"
        path.write_bytes(mutate(base, rng))
        run(capsys, ["predict", "--model", str(path), str(good), "--target", "price"])
