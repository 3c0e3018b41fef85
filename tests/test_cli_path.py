"""``fastreg path``: the printed grid and CV choice against scikit-learn; the plot; errors."""

import re
import sys

import numpy as np
import pytest
from sklearn import linear_model as sk
from sklearn.linear_model._coordinate_descent import _alpha_grid

import fastreg
from fastreg.cli import main
from fastreg.demo import house_prices
from fastreg.path_report import one_standard_error_alpha


def write_csv(path, X, y, names):
    lines = [",".join([*names, "target"])]
    lines += [",".join(repr(float(v)) for v in (*row, t)) for row, t in zip(X, y)]
    path.write_text("\n".join(lines) + "\n")
    return path


def small_data(n=80, p=6, seed=0):
    rng = np.random.default_rng(seed)
    X = np.round(rng.normal(size=(n, p)), 3)
    y = np.round(1.0 + X @ np.array([3.0, -2.0, 1.0] + [0.0] * (p - 3)) + rng.normal(scale=0.5, size=n), 3)
    return X, y


def number_after(text, label):
    match = re.search(re.escape(label) + r"\s*([-+0-9.eE]+)", text)
    assert match, f"{label!r} not in output:\n{text}"
    return float(match.group(1))


def test_path_on_csv_prints_sklearns_grid(tmp_path, capsys):
    X, y = small_data()
    names = [f"x{j}" for j in range(X.shape[1])]
    csv = write_csv(tmp_path / "data.csv", X, y, names)
    assert main(["path", str(csv), "--target", "target", "--n-alphas", "20", "--eps", "0.01"]) == 0
    out = capsys.readouterr().out
    grid = _alpha_grid(X, y, eps=0.01, n_alphas=20)
    assert "20 alphas" in out
    assert number_after(out, "from") == pytest.approx(grid[0], rel=1e-5)
    assert number_after(out, "down to") == pytest.approx(grid[-1], rel=1e-5)


def test_path_demo_with_cv_and_plot(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    png = tmp_path / "path.png"
    assert main(["path", "--cv", "3", "--n-alphas", "30", "--plot", str(png)]) == 0
    out = capsys.readouterr().out
    assert png.exists() and png.stat().st_size > 10_000
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    X, _, y, _, _ = house_prices(2000)
    ref = sk.LassoCV(alphas=30, cv=3, tol=1e-10, max_iter=100_000).fit(X, y)
    assert number_after(out, "at alpha") == pytest.approx(ref.alpha_, rel=1e-5)
    _, alpha_1se = one_standard_error_alpha(ref.alphas_, ref.mse_path_)
    assert number_after(out, "one-standard-error alpha") == pytest.approx(alpha_1se, rel=1e-5)


def test_one_standard_error_rule():
    alphas = np.array([4.0, 2.0, 1.0, 0.5])
    mse = np.array([[9.0, 11.0], [5.0, 6.0], [4.0, 6.0], [5.5, 6.5]])  # min 5 at α=1, SE = 1/√2
    a_min, a_1se = one_standard_error_alpha(alphas, mse)
    assert a_min == 1.0 and a_1se == 2.0  # mean 5.5 ≤ 5 + 0.707; α=4: 10 is not


def test_plot_without_matplotlib_says_what_to_install(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib now fails
    assert main(["path", "--plot", str(tmp_path / "p.png")]) == 2
    err = capsys.readouterr().err
    assert "fastreg[plot]" in err and "matplotlib" in err
    assert not (tmp_path / "p.png").exists()


@pytest.mark.parametrize("args", [["--cv", "1"], ["--eps", "0"], ["--l1-ratio", "1.5"], ["--n-alphas", "0"]])
def test_bad_arguments_exit_2(args, capsys):
    assert main(["path", *args]) == 2


def test_missing_file_exits_2(tmp_path, capsys):
    assert main(["path", str(tmp_path / "nope.csv"), "--target", "y"]) == 2
    assert "error" in capsys.readouterr().err


def test_elasticnet_path_from_cli_matches_enet_path(tmp_path, capsys):
    X, y = small_data(seed=1)
    names = [f"x{j}" for j in range(X.shape[1])]
    csv = write_csv(tmp_path / "d.csv", X, y, names)
    assert main(["path", str(csv), "--target", "target", "--l1-ratio", "0.5", "--n-alphas", "10"]) == 0
    out = capsys.readouterr().out
    alphas = fastreg.fit_path(X, y, l1_ratio=0.5, alphas=10).alphas
    assert "ElasticNet (l1_ratio=0.5)" in out
    assert number_after(out, "from") == pytest.approx(alphas[0], rel=1e-5)


def test_standardize_and_cv_glmnet_choices(tmp_path, capsys):
    X, y = small_data(seed=2)
    X[:, 1] *= 100.0  # scales that standardize evens out
    names = [f"x{j}" for j in range(X.shape[1])]
    csv = write_csv(tmp_path / "d.csv", X, y, names)
    assert main(["path", str(csv), "--target", "target", "--n-alphas", "20", "--cv", "3", "--standardize"]) == 0
    out = capsys.readouterr().out
    ref = fastreg.LassoCV(alphas=20, cv=3, standardize=True).fit(X, y)
    assert number_after(out, "from") == pytest.approx(ref.alphas_[0], rel=1e-5)
    assert number_after(out, "at alpha") == pytest.approx(ref.alpha_min_, rel=1e-5)
    assert number_after(out, "one-standard-error alpha") == pytest.approx(ref.alpha_1se_, rel=1e-5)
