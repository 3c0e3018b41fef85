"""Model files: save/load round trips, atomic writes, refusing everything else."""

import json
import os
import pickle
import zipfile

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_array_equal
from sklearn.exceptions import NotFittedError

import fastreg
from fastreg import ElasticNet, Lasso, LinearRegression, ModelFileError, Ridge
from fastreg.descent import GradientDescentRegressor
from fastreg import persistence
from fastreg.cli import main

ESTIMATORS = [
    lambda: Lasso(alpha=0.05, positive=True),
    lambda: ElasticNet(alpha=0.05, l1_ratio=0.3, fit_intercept=False),
    lambda: Ridge(alpha=3.0, solver="lsqr"),
    lambda: LinearRegression(),
    lambda: GradientDescentRegressor("l1", lambda_=2.0, learning_rate="auto", iterations=50),
]


def data(seed=0, n=40, p=6):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    y = X @ rng.standard_normal(p) + 2.0 + 0.1 * rng.standard_normal(n)
    return X, y


def read_meta(path):
    with np.load(path, allow_pickle=False) as f:
        return json.loads(str(f["__fastreg_model__"])), {k: f[k] for k in f.files}


@pytest.mark.parametrize("make", ESTIMATORS, ids=lambda m: type(m()).__name__)
@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "csr"])
def test_round_trip(tmp_path, make, sparse):
    X, y = data()
    Xf = sp.csr_matrix(X) if sparse else X
    model = make().fit(Xf, y)
    path = tmp_path / "model.npz"
    model.save(path)
    loaded = fastreg.load(path)
    assert type(loaded) is type(model)
    assert loaded.get_params() == model.get_params()
    assert_array_equal(loaded.coef_, model.coef_)
    assert loaded.coef_.dtype == model.coef_.dtype
    assert loaded.intercept_ == model.intercept_
    assert loaded.n_features_in_ == model.n_features_in_
    for attr in ("n_iter_", "dual_gap_"):
        assert getattr(loaded, attr, None) == getattr(model, attr, None)
    assert_array_equal(loaded.predict(Xf), model.predict(Xf))
    meta, arrays = read_meta(path)
    assert meta["format"] == "fastreg-model" and meta["format_version"] == 1
    assert meta["fastreg_version"] == fastreg.__version__
    assert meta["estimator"] == type(model).__name__
    assert meta["params"] == json.loads(json.dumps(model.get_params()))
    # Ridge's n_iter_ is an array, one count per target (scikit-learn's type)
    assert set(arrays) == {"__fastreg_model__", "coef_"} | ({"n_iter_"} if isinstance(model, Ridge) else set())
    assert not [f for f in os.listdir(tmp_path) if f != "model.npz"]  # no temporary file left


def test_float32_and_feature_names_round_trip(tmp_path):
    pd = pytest.importorskip("pandas")
    X, y = data()
    frame = pd.DataFrame(X.astype(np.float32), columns=[f"f{j}" for j in range(X.shape[1])])
    model = Lasso(alpha=0.01).fit(frame, y)
    assert model.coef_.dtype == np.float32
    persistence.save(model, tmp_path / "m.npz", feature_names=list(frame.columns))
    loaded, names = persistence.load_with_names(tmp_path / "m.npz")
    assert names == list(frame.columns)
    assert loaded.coef_.dtype == np.float32
    assert list(loaded.feature_names_in_) == list(frame.columns)
    assert loaded.feature_names_in_.dtype == object
    assert_array_equal(loaded.predict(frame), model.predict(frame))


def test_unfitted_and_foreign_estimators_are_refused(tmp_path):
    with pytest.raises(NotFittedError):
        Lasso().save(tmp_path / "m.npz")
    with pytest.raises(NotFittedError):
        GradientDescentRegressor().save(tmp_path / "m.npz")  # lambda_ is a parameter, not fitted state
    from sklearn.linear_model import Lasso as SkLasso

    X, y = data()
    with pytest.raises(ModelFileError, match="only fastreg"):
        persistence.save(SkLasso().fit(X, y), tmp_path / "m.npz")
    assert not os.listdir(tmp_path)


def test_interrupted_save_leaves_the_old_file(tmp_path, monkeypatch):
    X, y = data()
    path = tmp_path / "model.npz"
    Ridge(alpha=1.0).fit(X, y).save(path)
    old = path.read_bytes()

    def boom(f, **arrays):
        f.write(b"PK\x03\x04 half a zip")
        raise KeyboardInterrupt

    monkeypatch.setattr(persistence.np, "savez", boom)
    with pytest.raises(KeyboardInterrupt):
        Ridge(alpha=5.0).fit(X, y).save(path)
    assert path.read_bytes() == old
    assert os.listdir(tmp_path) == ["model.npz"]


def _model_file(tmp_path, **changes):
    """A valid model file, then ``changes`` applied to its metadata/arrays."""
    X, y = data()
    path = tmp_path / "m.npz"
    Lasso(alpha=0.05).fit(X, y).save(path)
    meta, arrays = read_meta(path)
    for key, value in changes.items():
        if key in ("coef_",):
            arrays[key] = value
        elif key.startswith("attr:"):
            meta["attributes"][key[5:]] = value
        else:
            meta[key] = value
    arrays["__fastreg_model__"] = np.array(json.dumps(meta))
    bad = tmp_path / "bad.npz"
    np.savez(bad, **arrays)
    return bad


@pytest.mark.parametrize(
    "changes, pattern",
    [
        (dict(format="sklearn-model"), "not a fastreg model file"),
        (dict(format_version=99), "newer"),
        (dict(format_version="1"), "format_version"),
        (dict(estimator="os.system"), "unknown estimator"),
        (dict(estimator="Pipeline"), "unknown estimator"),
        (dict(params={"alpha": 0.1, "evil": 1}), "unknown to Lasso"),
        (dict(params="alpha=1"), "params"),
        (dict(arrays=["coef_", "missing_"]), "does not hold"),
        (dict(coef_=np.ones(3)), "inconsistent"),
        (dict(coef_=np.array([np.nan] * 6)), "non-finite"),
        (dict(coef_=np.arange(6)), "floating-point coef_"),
        ({"attr:n_features_in_": 0}, "n_features_in_"),
        ({"attr:intercept_": "1.0"}, "intercept_"),
        ({"attr:__class__": 1}, "attribute name"),
        (dict(feature_names=[1, 2]), "feature_names"),
    ],
)
def test_inconsistent_model_files_are_refused(tmp_path, changes, pattern):
    with pytest.raises(ModelFileError, match=pattern):
        fastreg.load(_model_file(tmp_path, **changes))


def test_other_files_are_refused(tmp_path):
    X, y = data()
    cases = {}
    cases["empty.npz"] = b""
    cases["text.npz"] = b"hello\n"
    cases["pickle.npz"] = pickle.dumps(Lasso().fit(X, y))
    np.save(tmp_path / "single.npy", X)
    cases["single.npz"] = (tmp_path / "single.npy").read_bytes()
    np.savez(tmp_path / "data.npz", X=X, y=y)
    cases["data.npz"] = (tmp_path / "data.npz").read_bytes()
    np.savez(tmp_path / "obj.npz", __fastreg_model__=np.array([{"a": 1}], dtype=object))
    cases["obj.npz"] = (tmp_path / "obj.npz").read_bytes()
    Lasso(alpha=0.1).fit(X, y).save(tmp_path / "good.npz")
    good = (tmp_path / "good.npz").read_bytes()
    cases["truncated.npz"] = good[: len(good) // 2]
    cases["json.npz"] = json.dumps({"format": "fastreg-model"}).encode()
    for name, content in cases.items():
        path = tmp_path / f"case-{name}"
        path.write_bytes(content)
        with pytest.raises(ModelFileError, match="model file") as info:
            fastreg.load(path)
        assert "\n" not in str(info.value), name
    with zipfile.ZipFile(tmp_path / "zip.npz", "w") as z:
        z.writestr("__fastreg_model__.npy", b"\x93NUMPY garbage")
    with pytest.raises(ModelFileError):
        fastreg.load(tmp_path / "zip.npz")
    with pytest.raises(FileNotFoundError):
        fastreg.load(tmp_path / "missing.npz")


def test_mutated_model_files_never_load_garbage(tmp_path):
    """Byte-level fuzz: every mutant either loads to a consistent model or raises ModelFileError."""
    X, y = data()
    model = Ridge(alpha=1.0).fit(X, y)
    model.save(tmp_path / "good.npz")
    good = bytearray((tmp_path / "good.npz").read_bytes())
    rng = np.random.default_rng(7)
    path = tmp_path / "mutant.npz"
    loaded_ok = 0
    for _ in range(150):
        mutant = bytearray(good)
        for _ in range(rng.integers(1, 4)):
            i = int(rng.integers(len(mutant)))
            mutant[i] = int(rng.integers(256))
        path.write_bytes(bytes(mutant))
        try:
            loaded = fastreg.load(path)
        except ModelFileError:
            continue
        loaded_ok += 1
        assert loaded.coef_.shape == (X.shape[1],) and np.all(np.isfinite(loaded.coef_))
        assert np.all(np.isfinite(loaded.predict(X)))
    assert loaded_ok < 150


# ------------------------------------------------------------------ command line


def write_csv(path, X, y, names):
    rows = [",".join([*names, "price"])] + [",".join(repr(float(v)) for v in (*r, t)) for r, t in zip(X, y)]
    path.write_text("\n".join(rows) + "\n")
    return path


def test_cli_fit_model_file_then_predict(tmp_path, capsys):
    X, y = data(n=30, p=3)
    names = ["area", "rooms", "age"]
    csv_path = write_csv(tmp_path / "d.csv", X, y, names)
    model_path = tmp_path / "model.npz"
    settings = ["--penalty", "l2", "--lambda", "2", "--learning-rate", "0.05", "--iterations", "200"]
    assert main(["fit", str(csv_path), "--target", "price", *settings, "--output", str(model_path)]) == 0
    assert "model written to" in capsys.readouterr().out
    model, saved_names = persistence.load_with_names(model_path)
    assert saved_names == names
    assert isinstance(model, GradientDescentRegressor)
    assert model.get_params() == dict(penalty="l2", lambda_=2.0, learning_rate=0.05, iterations=200)
    theta = fastreg.gradient_descent(X, y, penalty="l2", lambda_=2.0, learning_rate=0.05, iterations=200)
    assert_array_equal(model.coef_, theta[1:])
    assert model.intercept_ == theta[0]
    expected = X @ theta[1:] + theta[0]

    # predictions to a file, with the target present: R² printed
    out = tmp_path / "pred.csv"
    assert main(["predict", "--model", str(model_path), str(csv_path), "--target", "price",
                 "--output", str(out)]) == 0
    stdout = capsys.readouterr().out
    lines = out.read_text().splitlines()
    assert lines[0] == "prediction"
    np.testing.assert_allclose([float(v) for v in lines[1:]], expected, rtol=1e-12)
    r2 = 1 - np.sum((y - expected) ** 2) / np.sum((y - y.mean()) ** 2)
    assert f"R²: {r2:.4f}" in stdout

    # to stdout; columns matched by name, in another order, extra column ignored
    shuffled = tmp_path / "shuffled.csv"
    rows = ["age,price,area,rooms"] + [f"{r[2]!r},0,{r[0]!r},{r[1]!r}" for r in X.tolist()]
    shuffled.write_text("\n".join(rows) + "\n")
    assert main(["predict", "--model", str(model_path), str(shuffled)]) == 0
    captured = capsys.readouterr()
    values = [float(v) for v in captured.out.splitlines()[1:]]
    np.testing.assert_allclose(values, expected, rtol=1e-12)
    assert "R²" not in captured.out


def test_cli_predict_with_python_saved_model_and_npz_data(tmp_path, capsys):
    X, y = data(n=25, p=4)
    model = Lasso(alpha=0.01).fit(X, y)
    model.save(tmp_path / "lasso.npz")
    np.savez(tmp_path / "data.npz", X=X, y=y)
    np.savez(tmp_path / "features.npz", X=X)
    for file, has_target in (("data.npz", True), ("features.npz", False)):
        assert main(["predict", "--model", str(tmp_path / "lasso.npz"), str(tmp_path / file)]) == 0
        captured = capsys.readouterr()
        values = [float(v) for v in captured.out.splitlines()[1:]]
        np.testing.assert_allclose(values, model.predict(X), rtol=1e-12)
        assert ("R²" in captured.err) == has_target


@pytest.mark.parametrize(
    "model_content, data_columns, words",
    [
        (b"junk", 4, ["model.npz", "not a fastreg model file"]),
        (None, 3, ["d.npz", "3 feature columns", "expects 4"]),
    ],
)
def test_cli_predict_errors(tmp_path, capsys, model_content, data_columns, words):
    X, y = data(n=20, p=4)
    model_path = tmp_path / "model.npz"
    if model_content is None:
        Ridge().fit(X, y).save(model_path)
    else:
        model_path.write_bytes(model_content)
    np.savez(tmp_path / "d.npz", X=X[:, :data_columns], y=y)
    rc = main(["predict", "--model", str(model_path), str(tmp_path / "d.npz")])
    err = capsys.readouterr().err
    assert rc == 2 and err.startswith("fastreg: error: ") and err.count("\n") == 1
    for word in words:
        assert word in err


def test_cli_predict_missing_columns_and_model(tmp_path, capsys):
    X, y = data(n=20, p=2)
    csv_path = write_csv(tmp_path / "d.csv", X, y, ["a", "b"])
    model_path = tmp_path / "m.npz"
    assert main(["fit", str(csv_path), "--target", "price", "--iterations", "5", "--output", str(model_path)]) == 0
    other = tmp_path / "other.csv"
    other.write_text("a,c\n1,2\n")
    capsys.readouterr()
    assert main(["predict", "--model", str(model_path), str(other)]) == 2
    assert "missing the model's feature columns: b" in capsys.readouterr().err
    assert main(["predict", "--model", str(tmp_path / "nope.npz"), str(other)]) == 2
    assert "nope.npz" in capsys.readouterr().err
    assert main(["predict", str(other)]) == 2  # --model is required
    assert "--model" in capsys.readouterr().err


def test_cli_json_output_still_json(tmp_path, capsys):
    X, y = data(n=20, p=2)
    csv_path = write_csv(tmp_path / "d.csv", X, y, ["a", "b"])
    assert main(["fit", str(csv_path), "--target", "price", "--iterations", "5",
                 "--output", str(tmp_path / "c.json")]) == 0
    assert set(json.loads((tmp_path / "c.json").read_text())["coef"]) == {"a", "b"}


@pytest.mark.parametrize("cls", [Lasso, Ridge, LinearRegression])
def test_multi_target_round_trip(tmp_path, cls):
    X, y = data()
    Y = np.c_[y, 3 * y - 1]
    model = cls().fit(X, Y)
    model.save(tmp_path / "m.npz")
    loaded = fastreg.load(tmp_path / "m.npz")
    assert_array_equal(loaded.coef_, model.coef_)
    assert_array_equal(loaded.intercept_, model.intercept_)
    assert_array_equal(loaded.predict(X), model.predict(X))
    for attr in ("n_iter_", "dual_gap_"):
        assert_array_equal(np.asarray(getattr(loaded, attr, 0)), np.asarray(getattr(model, attr, 0)))
    _, arrays = read_meta(tmp_path / "m.npz")
    assert "intercept_" in arrays  # an array for several targets


def test_cli_predict_multi_target_model(tmp_path, capsys):
    X, y = data(n=15, p=3)
    model = Ridge(alpha=1.0).fit(X, np.c_[y, -y])
    model.save(tmp_path / "m.npz")
    np.savez(tmp_path / "d.npz", X=X)
    assert main(["predict", "--model", str(tmp_path / "m.npz"), str(tmp_path / "d.npz")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "prediction_0,prediction_1"
    got = np.array([[float(v) for v in line.split(",")] for line in lines[1:]])
    np.testing.assert_allclose(got, model.predict(X), rtol=1e-12)


@pytest.mark.parametrize(
    "make",
    [
        lambda: fastreg.RidgeCV(alphas=np.logspace(-2, 2, 7)),
        lambda: fastreg.RidgeCV(cv=4),
        lambda: fastreg.LassoCV(cv=3),
        lambda: fastreg.ElasticNetCV(cv=3, l1_ratio=[0.5, 0.9]),
    ],
    ids=["RidgeCV-loo", "RidgeCV-cv4", "LassoCV", "ElasticNetCV"],
)
def test_cv_estimators_round_trip(tmp_path, make):
    rng = np.random.default_rng(3)
    X = rng.standard_normal((120, 15))
    y = X[:, :3] @ np.array([1.0, 2.0, 3.0]) + rng.standard_normal(120)
    model = make().fit(X, y)
    path = tmp_path / "cv.npz"
    model.save(path)
    loaded = fastreg.load(path)
    assert type(loaded) is type(model)
    assert loaded.alpha_ == model.alpha_
    np.testing.assert_array_equal(loaded.coef_, model.coef_)
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    if hasattr(model, "mse_path_"):
        np.testing.assert_array_equal(loaded.mse_path_, model.mse_path_)


def test_cv_splitter_objects_are_refused_clearly(tmp_path):
    from sklearn.model_selection import KFold

    X, y = np.random.default_rng(4).standard_normal((60, 4)), np.arange(60.0)
    model = fastreg.LassoCV(cv=KFold(3)).fit(X, y)
    with pytest.raises(fastreg.ModelFileError, match="cannot save cv of type KFold without pickle"):
        model.save(tmp_path / "x.npz")
    assert not (tmp_path / "x.npz").exists()
