"""``fastreg fit --model ...`` and ``fastreg predict`` on CSV files with text columns.

Every fitted value is checked against the estimator fitted in memory on the
same encoded matrix, built here independently with scikit-learn's
OneHotEncoder.
"""

import json

import numpy as np
import pytest
from sklearn import linear_model as sk
from sklearn.preprocessing import OneHotEncoder

import fastreg
from fastreg.cli import GD_GRADIENT_RTOL, RIDGE_CV_GRID, gd_gradient_norms, main
from fastreg.persistence import load_with_metadata

CITIES = ["lyon", "nice", "paris"]
CITY_EFFECT = {"lyon": -20.0, "nice": 5.0, "paris": 40.0}
NUMERIC = ["area", "rooms", "noise_a", "noise_b", "noise_c"]  # the last three are useless
HEADER = ["area", "city", "rooms", "noise_a", "noise_b", "noise_c", "price"]
ENCODED = ["area", "city=lyon", "city=nice", "city=paris", "rooms", "noise_a", "noise_b", "noise_c"]
USELESS = [5, 6, 7]


def house_table(n=300, seed=0):
    """Rows of the CSV (strings) and the matrix the encoding must give."""
    rng = np.random.default_rng(seed)
    area = np.round(rng.normal(100, 25, n), 1)
    rooms = rng.integers(1, 7, n).astype(float)
    city = rng.choice(CITIES, n)
    noise = np.round(rng.normal(0, 1, (n, 3)), 3)
    price = np.round(2.0 * area + 10.0 * rooms + np.array([CITY_EFFECT[c] for c in city])
                     + rng.normal(0, 5, n), 2)
    onehot = OneHotEncoder(sparse_output=False).fit_transform(city[:, None])
    X = np.column_stack([area, onehot, rooms, noise])
    rows = [[repr(a), str(c), repr(r), *map(repr, z), repr(p)]  # Python floats: repr is the shortest exact text
            for a, c, r, z, p in zip(area.tolist(), city.tolist(), rooms.tolist(), noise.tolist(), price.tolist())]
    return rows, X, price


def write_csv(path, header, rows):
    path.write_text(",".join(header) + "\n" + "".join(",".join(map(str, row)) + "\n" for row in rows))
    return path


@pytest.fixture
def houses(tmp_path):
    rows, X, y = house_table()
    return write_csv(tmp_path / "houses.csv", HEADER, rows), X, y


def fit_json(capsys, tmp_path, *argv):
    out = tmp_path / "fit.json"
    assert main(["fit", *map(str, argv), "--output", str(out)]) == 0, capsys.readouterr().err
    captured = capsys.readouterr()
    return json.loads(out.read_text()), captured


def coef_of(doc):
    assert list(doc["coef"]) == doc["feature_names"]
    return np.array(list(doc["coef"].values()))


# ------------------------------------------------------------------ fit


def test_lasso_on_encoded_csv_equals_in_memory_lasso(tmp_path, capsys, houses):
    path, X, y = houses
    before = path.read_bytes()
    doc, captured = fit_json(capsys, tmp_path, path, "--target", "price", "--model", "lasso", "--alpha", "0.5")
    expected = fastreg.Lasso(alpha=0.5).fit(X, y)
    assert doc["model"] == "lasso" and doc["alpha"] == 0.5 and doc["cv"] is None
    assert doc["feature_names"] == ENCODED
    np.testing.assert_allclose(coef_of(doc), expected.coef_, rtol=1e-12, atol=1e-12)
    assert doc["intercept"] == pytest.approx(expected.intercept_, rel=1e-12)
    assert doc["r2"] == pytest.approx(expected.score(X, y), rel=1e-12)
    # the useless columns are deleted exactly, the city's categories kept by name
    assert all(doc["coef"][ENCODED[j]] == 0.0 for j in USELESS)
    assert doc["coef"]["city=paris"] > doc["coef"]["city=nice"] > doc["coef"]["city=lyon"]
    reference = sk.Lasso(alpha=0.5, tol=1e-12, max_iter=100_000).fit(X, y)
    np.testing.assert_allclose(coef_of(doc), reference.coef_, rtol=1e-6, atol=1e-8)
    out = captured.out
    assert "one-hot encoded: city (3 categories)" in out
    assert f"exact zeros: {np.sum(expected.coef_ == 0)} of 8 coefficients" in out
    assert "city=paris" in out and captured.err == ""
    assert path.read_bytes() == before  # the caller's file is never modified


@pytest.mark.parametrize("model, options, make", [
    ("ols", [], lambda: fastreg.LinearRegression()),
    ("ridge", ["--alpha", "3"], lambda: fastreg.Ridge(alpha=3.0)),
    ("ridge", [], lambda: fastreg.Ridge(alpha=1.0)),
    ("enet", ["--alpha", "0.2", "--l1-ratio", "0.3"], lambda: fastreg.ElasticNet(alpha=0.2, l1_ratio=0.3)),
    ("lasso", [], lambda: fastreg.Lasso(alpha=1.0)),
])
def test_each_model_equals_its_estimator(tmp_path, capsys, houses, model, options, make):
    path, X, y = houses
    doc, _ = fit_json(capsys, tmp_path, path, "--target", "price", "--model", model, *options)
    expected = make().fit(X, y)
    np.testing.assert_allclose(coef_of(doc), expected.coef_, rtol=1e-10, atol=1e-10)
    assert doc["intercept"] == pytest.approx(expected.intercept_, rel=1e-10, abs=1e-10)
    assert doc["model"] == model
    assert doc["alpha"] == (None if model == "ols" else getattr(expected, "alpha"))
    if model == "enet":
        assert doc["l1_ratio"] == 0.3


def test_lasso_cv_picks_scikit_learns_alpha(tmp_path, capsys, houses):
    path, X, y = houses
    doc, captured = fit_json(capsys, tmp_path, path, "--target", "price", "--model", "lasso", "--cv", "5")
    reference = sk.LassoCV(cv=5, tol=1e-10, max_iter=100_000).fit(X, y)
    assert doc["alpha"] == pytest.approx(reference.alpha_, rel=1e-12)
    assert doc["cv"] == 5
    expected = fastreg.Lasso(alpha=doc["alpha"]).fit(X, y)
    np.testing.assert_allclose(coef_of(doc), expected.coef_, rtol=1e-7, atol=1e-7)
    assert "chosen by 5-fold cross-validation among 100 values" in captured.out


def test_ridge_and_enet_cv(tmp_path, capsys, houses):
    path, X, y = houses
    doc, captured = fit_json(capsys, tmp_path, path, "--target", "price", "--model", "ridge", "--cv", "4")
    grid = RIDGE_CV_GRID * len(y) * np.var(X, axis=0).mean()
    expected = fastreg.RidgeCV(alphas=grid, cv=4).fit(X, y)
    assert doc["alpha"] == pytest.approx(expected.alpha_, rel=1e-12)
    np.testing.assert_allclose(coef_of(doc), expected.coef_, rtol=1e-10, atol=1e-10)
    assert f"among {grid.size} values" in captured.out
    doc, _ = fit_json(capsys, tmp_path, path, "--target", "price", "--model", "enet", "--l1-ratio", "0.7",
                      "--cv", "3")
    expected = fastreg.ElasticNetCV(l1_ratio=0.7, cv=3).fit(X, y)
    assert doc["alpha"] == pytest.approx(expected.alpha_, rel=1e-12) and doc["l1_ratio"] == 0.7


def test_cv_one_standard_error_rule(tmp_path, capsys, houses):
    path, X, y = houses
    doc, captured = fit_json(capsys, tmp_path, path, "--target", "price", "--model", "lasso", "--cv", "5",
                             "--rule", "1se")
    cv = fastreg.LassoCV(cv=5).fit(X, y)
    # glmnet's lambda.1se: the largest alpha whose mean CV error is within one standard error of the least
    best = np.argmin(cv.mse_mean_)
    within = cv.alphas_[cv.mse_mean_ <= cv.mse_mean_[best] + cv.mse_se_[best]]
    assert doc["alpha"] == pytest.approx(within.max(), rel=1e-12) and doc["alpha"] > cv.alpha_
    assert doc["rule"] == "1se" and "(the one-standard-error rule)" in captured.out
    expected = fastreg.Lasso(alpha=doc["alpha"]).fit(X, y)
    np.testing.assert_allclose(coef_of(doc), expected.coef_, rtol=1e-7, atol=1e-7)
    assert np.count_nonzero(expected.coef_) <= np.count_nonzero(cv.coef_)


def test_missing_value_is_one_line_naming_column_and_row(tmp_path, capsys):
    rows, _, _ = house_table(n=20)
    rows[6][1] = ""
    path = write_csv(tmp_path / "gaps.csv", HEADER, rows)
    assert main(["fit", str(path), "--target", "price", "--model", "lasso"]) == 2
    err = capsys.readouterr().err
    assert err == f"fastreg: error: {path}: row 7 (line 8), column 'city': missing value (empty cell)\n"


def test_categorical_option(tmp_path, capsys, houses):
    path, X, y = houses
    doc, captured = fit_json(capsys, tmp_path, path, "--target", "price", "--model", "ridge",
                             "--categorical", "rooms")
    assert [n for n in doc["feature_names"] if n.startswith("rooms=")] == [f"rooms={k}.0" for k in range(1, 7)]
    assert "rooms (6 categories)" in captured.out


@pytest.mark.parametrize("argv, words", [
    (["--model", "lasso", "--penalty", "l1"], ["--penalty", "--model gd"]),
    (["--model", "ridge", "--learning-rate", "auto", "--iterations", "5"], ["--learning-rate, --iterations"]),
    (["--model", "gd", "--alpha", "1"], ["--alpha", "--lambda"]),
    (["--model", "ols", "--cv", "5"], ["--cv", "least squares"]),
    (["--model", "lasso", "--l1-ratio", "0.5"], ["--l1-ratio", "enet"]),
    (["--model", "lasso", "--alpha", "1", "--cv", "5"], ["--alpha or --cv"]),
    (["--penalty", "l1", "--cv", "5"], ["--cv", "--model gd"]),
    (["--model", "lasso", "--rule", "1se"], ["--rule", "--cv"]),
    (["--model", "ridge", "--cv", "5", "--rule", "1se"], ["--rule", "lasso or enet"]),
])
def test_options_that_do_not_apply(tmp_path, capsys, houses, argv, words):
    path, _, _ = houses
    assert main(["fit", str(path), "--target", "price", *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("fastreg: error: ") and err.count("\n") == 1
    for word in words:
        assert word in err


# ---------------------------------------------------------- gradient descent


def test_gd_defaults_to_the_safe_step_and_warns_with_the_gradient_norm(tmp_path, capsys, houses):
    path, X, y = houses
    doc, captured = fit_json(capsys, tmp_path, path, "--target", "price", "--model", "gd", "--penalty", "none",
                             "--iterations", "300")
    assert doc["learning_rate"] == "auto" and doc["converged"] is False
    theta = fastreg.gradient_descent(X, y, penalty=None, learning_rate="auto", iterations=300)
    np.testing.assert_allclose([doc["intercept"], *coef_of(doc)], theta, rtol=1e-10)
    # the reported norm is the gradient of the loop's objective, computed independently
    m = len(y)
    A = np.column_stack([np.ones(m), X])
    gradient = A.T @ (A @ theta - y) / m
    assert doc["gradient_norm"] == pytest.approx(np.linalg.norm(gradient), rel=1e-8)
    err = captured.err
    assert err.startswith("fastreg: warning: gradient descent stopped after 300 iterations before converging")
    assert f"gradient norm {np.linalg.norm(gradient):.3g}" in err and "--model ols" in err
    assert err.count("\n") == 1


def test_gd_converged_is_quiet(tmp_path, capsys):
    rng = np.random.default_rng(1)
    X = np.round(rng.normal(size=(80, 3)), 3)
    y = np.round(X @ [1.0, -2.0, 0.5] + 1.0, 3)
    path = write_csv(tmp_path / "d.csv", ["a", "b", "c", "y"], [[*r, t] for r, t in zip(X, y)])
    doc, captured = fit_json(capsys, tmp_path, path, "--target", "y", "--penalty", "l2", "--lambda", "2",
                             "--iterations", "3000")
    assert doc["model"] == "gd" and doc["converged"] is True and captured.err == ""
    expected = sk.Ridge(alpha=2.0).fit(X, y)
    np.testing.assert_allclose(coef_of(doc), expected.coef_, rtol=1e-6)


def test_gd_l1_warning_points_to_the_exact_lasso(tmp_path, capsys, houses):
    path, X, y = houses
    _, captured = fit_json(capsys, tmp_path, path, "--target", "price", "--penalty", "l1", "--lambda", "300",
                           "--iterations", "200")
    assert "sign steps" in captured.err and "--model lasso --alpha 1" in captured.err


def test_gradient_norm_is_zero_at_the_lasso_optimum():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(60, 5))
    y = X[:, 0] * 3 + rng.normal(size=60)
    lasso = sk.Lasso(alpha=0.3, tol=1e-14, max_iter=100_000).fit(X, y)
    theta = np.r_[lasso.intercept_, lasso.coef_]
    norm, initial = gd_gradient_norms(X, y, theta, "l1", 0.3 * 60)
    assert np.sum(lasso.coef_ == 0) >= 2 and norm <= GD_GRADIENT_RTOL * initial


# ------------------------------------------------------------------ predict


def test_predict_round_trip_equals_in_memory_prediction(tmp_path, capsys, houses):
    path, X, y = houses
    model_path = tmp_path / "m.npz"
    assert main(["fit", str(path), "--target", "price", "--model", "lasso", "--cv", "5",
                 "--output", str(model_path)]) == 0
    capsys.readouterr()
    model, names, extra = load_with_metadata(model_path)
    assert isinstance(model, fastreg.LassoCV) and names == ENCODED
    assert extra["encoding"]["columns"][1] == {"name": "city", "categories": CITIES}
    with np.load(model_path, allow_pickle=False) as archive:  # plain arrays and JSON, no pickle
        assert all(archive[key].dtype != object for key in archive.files)

    # new rows: other column order, an extra column, no target
    rows, X_new, y_new = house_table(n=50, seed=7)
    order = [6, 5, 1, 0, 2, 3, 4]
    new = write_csv(tmp_path / "new.csv", [HEADER[j] for j in order] + ["extra"],
                    [[row[j] for j in order] + ["x"] for row in rows])
    out = tmp_path / "pred.csv"
    assert main(["predict", "--model", str(model_path), str(new), "--output", str(out)]) == 0
    assert "missing" not in capsys.readouterr().err
    lines = out.read_text().splitlines()
    assert lines[0] == "prediction"
    expected = fastreg.LassoCV(cv=5).fit(X, y).predict(X_new)
    np.testing.assert_allclose([float(v) for v in lines[1:]], expected, rtol=1e-10)


def test_predict_reaches_the_r2_the_data_allows(tmp_path, capsys, houses):
    path, X, y = houses
    model_path = tmp_path / "m.npz"
    assert main(["fit", str(path), "--target", "price", "--model", "lasso", "--cv", "5",
                 "--output", str(model_path)]) == 0
    rows, X_new, y_new = house_table(n=400, seed=3)
    new = write_csv(tmp_path / "new.csv", HEADER, rows)
    capsys.readouterr()
    assert main(["predict", "--model", str(model_path), str(new), "--target", "price"]) == 0
    r2 = float(capsys.readouterr().err.split("R²: ")[1])
    best = 1 - 25.0 / np.var(y_new)  # the noise's variance is 5², all the model cannot explain
    assert r2 > best - 0.01


def test_predict_unseen_category_error_or_zero(tmp_path, capsys, houses):
    path, X, y = houses
    model_path = tmp_path / "m.npz"
    assert main(["fit", str(path), "--target", "price", "--model", "ridge", "--output", str(model_path)]) == 0
    rows, _, _ = house_table(n=4, seed=5)
    rows[2][1] = "rome"
    new = write_csv(tmp_path / "new.csv", HEADER, rows)
    capsys.readouterr()
    assert main(["predict", "--model", str(model_path), str(new)]) == 2
    err = capsys.readouterr().err
    assert err == (f"fastreg: error: {new}: row 3 (line 4), column 'city': category 'rome' was not seen in "
                   "training (known: lyon, nice, paris)\n")
    assert main(["predict", "--model", str(model_path), str(new), "--unseen", "zero"]) == 0
    values = [float(v) for v in capsys.readouterr().out.splitlines()[1:]]
    model = fastreg.load(model_path)
    numeric = [float(rows[2][j]) for j in (0, 2, 3, 4, 5)]
    expected = model.intercept_ + model.coef_[[0, 4, 5, 6, 7]] @ numeric  # no city coefficient
    assert values[2] == pytest.approx(expected, rel=1e-12)


def test_predict_with_a_corrupt_encoding(tmp_path, capsys, houses):
    path, X, y = houses
    model = fastreg.Ridge().fit(X, y)
    from fastreg.persistence import save

    save(model, tmp_path / "bad.npz", feature_names=ENCODED, extra={"encoding": {"columns": "no"}})
    assert main(["predict", "--model", str(tmp_path / "bad.npz"), str(path)]) == 2
    assert "corrupt model file (malformed input encoding" in capsys.readouterr().err
    save(model, tmp_path / "bad.npz", feature_names=ENCODED,
         extra={"encoding": {"columns": [{"name": "area", "categories": None}]}})
    assert main(["predict", "--model", str(tmp_path / "bad.npz"), str(path)]) == 2
    assert "does not give its feature names" in capsys.readouterr().err


def test_model_file_extra_document(tmp_path):
    """persistence's ``extra``: a JSON object stored as it is; anything else refused."""
    from fastreg.persistence import ModelFileError, save

    model = fastreg.Lasso(alpha=0.1).fit(*house_table(n=30)[1:])
    save(model, tmp_path / "m.npz", extra={"encoding": None, "note": [1, "a"]})
    assert load_with_metadata(tmp_path / "m.npz")[2] == {"encoding": None, "note": [1, "a"]}
    model.save(tmp_path / "plain.npz")
    assert load_with_metadata(tmp_path / "plain.npz")[2] is None
    with pytest.raises(ModelFileError, match="extra must be a dict"):
        save(model, tmp_path / "m.npz", extra=[1])
    with np.load(tmp_path / "m.npz", allow_pickle=False) as archive:
        members = {key: archive[key] for key in archive.files}
    meta = json.loads(str(members["__fastreg_model__"]))
    meta["extra"] = "text"
    members["__fastreg_model__"] = np.array(json.dumps(meta))
    np.savez(tmp_path / "bad.npz", **members)
    with pytest.raises(ModelFileError, match="'extra' is not a JSON object"):
        load_with_metadata(tmp_path / "bad.npz")
