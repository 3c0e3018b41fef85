"""Large and memory-mapped dense X: the streamed route gives the in-memory fit, without copying X.

``fastreg.config_context(memory_budget=0)`` streams every dense ``X``; the
fits on ``.npy`` memory maps are compared with in-memory fits of the same
data (whose routes copy or read ``X`` as they please).
"""

import tracemalloc
import warnings

import numpy as np
import pytest

import fastreg
from fastreg import _policy
from fastreg.exceptions import MemoryCopyWarning
from fastreg.solvers import stream

ATOL = 1e-10


def _memmap(tmp_path, X, name="X"):
    path = tmp_path / f"{name}.npy"
    np.save(path, X)
    return np.load(path, mmap_mode="r")


def _data(n, p, seed=0, dtype=np.float64, order="C", k=None):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) * rng.uniform(0.5, 3.0, p) + rng.uniform(-5, 5, p)
    w = np.zeros(p)
    w[: min(p, 6)] = rng.standard_normal(min(p, 6)) * 2
    noise = rng.standard_normal((n, k) if k else n)
    y = (X @ w)[:, None] + noise if k else X @ w + noise
    X = np.asarray(X, dtype=dtype, order=order)
    return X, y + 3.0, rng.uniform(0.2, 2.0, n)


def _close(a, b, atol=ATOL):
    scale = max(1.0, float(np.max(np.abs(a.coef_))))
    np.testing.assert_allclose(b.coef_, a.coef_, rtol=0, atol=atol * scale)
    np.testing.assert_allclose(b.intercept_, a.intercept_, rtol=0, atol=atol * max(1.0, np.max(np.abs(a.intercept_))))


def _streamed_fit(model, Xm, y, **fit):
    """``model.fit`` on the memory map with the streamed route forced; fails on a copy warning."""
    with fastreg.config_context(memory_budget=0), warnings.catch_warnings():
        warnings.simplefilter("error", MemoryCopyWarning)
        return model.fit(Xm, y, **fit)


TALL = [
    ("lasso", lambda: fastreg.Lasso(alpha=0.05, tol=1e-13)),
    ("enet", lambda: fastreg.ElasticNet(alpha=0.05, l1_ratio=0.4, tol=1e-13)),
    ("enet-l2-only", lambda: fastreg.ElasticNet(alpha=0.05, l1_ratio=0.0)),
    ("ridge", lambda: fastreg.Ridge(alpha=3.0)),
    ("ridge-positive", lambda: fastreg.Ridge(alpha=3.0, positive=True)),
    ("lstsq", lambda: fastreg.LinearRegression()),
    ("lstsq-positive", lambda: fastreg.LinearRegression(positive=True)),
]


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize(("name", "make"), TALL, ids=[t[0] for t in TALL])
def test_tall_streamed_equals_in_memory(tmp_path, monkeypatch, name, make, weighted, fit_intercept):
    X, y, sw = _data(300, 9)
    Xm = _memmap(tmp_path, X)
    fit = {"sample_weight": sw} if weighted else {}
    expected = make().set_params(fit_intercept=fit_intercept).fit(X, y, **fit)
    calls = []
    original = stream.stream_stats
    monkeypatch.setattr(stream, "stream_stats", lambda *a, **k: calls.append(1) or original(*a, **k))
    got = _streamed_fit(make().set_params(fit_intercept=fit_intercept), Xm, y, **fit)
    assert calls == [1]  # one pass over the blocks: the streamed route ran
    _close(expected, got)
    if hasattr(expected, "dual_gap_"):
        assert got.dual_gap_ == pytest.approx(expected.dual_gap_, abs=1e-10 * np.var(y))


@pytest.mark.parametrize(
    "params",
    [
        {"penalty_factor": [0.0, 2.0, 1.0, np.inf, 1.0, 0.5, 1.0, 1.0, 3.0]},
        {"lower_bounds": -0.2, "upper_bounds": [1.0] * 8 + [0.1]},
        {"positive": True},
        {"standardize": True},
        {"relax": 0.3, "upper_bounds": 0.5},
        {"selection": "random", "random_state": 0},
    ],
)
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_tall_streamed_penalties(tmp_path, params, fit_intercept):
    X, y, sw = _data(250, 9, seed=1)
    X[:, 4] = 7.0  # a constant column
    Xm = _memmap(tmp_path, X)
    make = lambda: fastreg.ElasticNet(alpha=0.03, l1_ratio=0.7, tol=1e-13, fit_intercept=fit_intercept, **params)
    # bounds and the relaxed fit's BVLS: the gap certifies the objective to 1e-13, the coefficients to ~1e-10
    _close(make().fit(X, y, sample_weight=sw), _streamed_fit(make(), Xm, y, sample_weight=sw), atol=1e-9)


def test_tall_ridge_penalty_factor_and_alpha_per_target(tmp_path):
    X, Y, _ = _data(200, 7, seed=2, k=3)
    Xm = _memmap(tmp_path, X)
    f = [1.0, 0.0, 2.0, np.inf, 1.0, 1.0, 0.5]
    make = lambda: fastreg.Ridge(alpha=[0.5, 2.0, 0.5], penalty_factor=f)
    expected = make().fit(X, Y)
    got = _streamed_fit(make(), Xm, Y)
    _close(expected, got)
    assert got.solver_ == "cholesky" and got.n_iter_.shape == (3,)
    with pytest.raises(ValueError, match="Number of targets and number of penalties"):
        _streamed_fit(fastreg.Ridge(alpha=[1.0, 2.0]), Xm, Y)


@pytest.mark.parametrize("make", [
    lambda: fastreg.Lasso(alpha=0.05, tol=1e-13), lambda: fastreg.Ridge(alpha=1.0), lambda: fastreg.LinearRegression(),
])
def test_tall_streamed_multi_target(tmp_path, make):
    X, Y, sw = _data(240, 8, seed=3, k=2)
    Xm = _memmap(tmp_path, X)
    expected = make().fit(X, Y, sample_weight=sw)
    got = _streamed_fit(make(), Xm, Y, sample_weight=sw)
    _close(expected, got)
    assert np.shape(got.coef_) == np.shape(expected.coef_)


def test_tall_float32_fortran_and_warm_start(tmp_path):
    X, y, _ = _data(300, 10, seed=4, dtype=np.float32, order="F")
    Xm = _memmap(tmp_path, X)
    assert Xm.flags.f_contiguous and Xm.dtype == np.float32
    expected = fastreg.Lasso(alpha=0.02, tol=1e-13).fit(X, y)
    got = _streamed_fit(fastreg.Lasso(alpha=0.02, tol=1e-13), Xm, y)
    _close(expected, got, atol=1e-8)
    assert got.coef_.dtype == np.float32
    model = fastreg.Lasso(alpha=0.05, tol=1e-13, warm_start=True)
    _streamed_fit(model, Xm, y)
    model.set_params(alpha=0.02)
    _close(expected, _streamed_fit(model, Xm, y), atol=1e-8)


@pytest.mark.parametrize("order", ["F", "C"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_wide_read_as_it_is(tmp_path, monkeypatch, order, dtype):
    """Wide X: coordinate descent on Fortran order, FISTA on C order, never the Gram."""
    X, y, _ = _data(40, 120, seed=5, dtype=dtype, order=order)
    Xm = _memmap(tmp_path, X)
    assert _policy.stream_route(Xm) is None
    with fastreg.config_context(memory_budget=0):
        assert _policy.stream_route(Xm) == ("cd" if order == "F" else "fista")
    monkeypatch.setattr(stream, "stream_stats", None)  # the Gram route would fail
    expected = fastreg.Lasso(alpha=0.1, tol=1e-13).fit(np.array(X), y)
    got = _streamed_fit(fastreg.Lasso(alpha=0.1, tol=1e-13, max_iter=100_000), Xm, y)
    _close(expected, got, atol=1e-10 if dtype == np.float64 else 1e-5)


def test_wide_c_order_multi_target(tmp_path):
    X, Y, _ = _data(30, 80, seed=6, k=2)
    Xm = _memmap(tmp_path, X)
    expected = fastreg.Lasso(alpha=0.1, tol=1e-13).fit(X, Y)
    got = _streamed_fit(fastreg.Lasso(alpha=0.1, tol=1e-13, max_iter=100_000), Xm, Y)
    _close(expected, got)


def test_wide_weighted(tmp_path, monkeypatch):
    """Weights on wide X take the Gram while p allows it; beyond, the in-memory route copies, with a warning."""
    X, y, sw = _data(30, 60, seed=7, order="F")
    Xm = _memmap(tmp_path, X)
    expected = fastreg.Lasso(alpha=0.1, tol=1e-13).fit(X, y, sample_weight=sw)
    _close(expected, _streamed_fit(fastreg.Lasso(alpha=0.1, tol=1e-13), Xm, y, sample_weight=sw))
    monkeypatch.setattr(_policy, "STREAM_GRAM_MAX_FEATURES", 50)
    with fastreg.config_context(memory_budget=0), pytest.warns(MemoryCopyWarning, match="memory-mapped X"):
        got = fastreg.Lasso(alpha=0.1, tol=1e-13).fit(Xm, y, sample_weight=sw)
    _close(expected, got)


def test_wide_copy_warns(tmp_path):
    X, y, _ = _data(30, 60, seed=7, dtype=np.float32, order="F")
    Xm = _memmap(tmp_path, X)
    with fastreg.config_context(memory_budget=0):
        with pytest.warns(MemoryCopyWarning, match="memory-mapped X"):
            fastreg.Ridge(alpha=1.0).fit(Xm, y)
        with pytest.warns(MemoryCopyWarning):
            fastreg.LinearRegression().fit(Xm, y)
        with pytest.warns(MemoryCopyWarning):
            fastreg.ElasticNet(alpha=0.1, l1_ratio=0.0).fit(Xm, y)
        with pytest.warns(MemoryCopyWarning, match="solver='fista'"):
            fastreg.Lasso(alpha=0.1, solver="fista").fit(Xm, y)
        with pytest.warns(MemoryCopyWarning, match="solver='lsqr'"):
            fastreg.Ridge(solver="lsqr").fit(Xm, y)
        with warnings.catch_warnings():
            warnings.simplefilter("error", MemoryCopyWarning)
            fastreg.Lasso(alpha=0.1, solver="cd").fit(Xm, y)  # reads F-ordered X as it is


def test_not_streamed_by_default(tmp_path, monkeypatch):
    X, y, _ = _data(100, 5)
    Xm = _memmap(tmp_path, X)
    assert _policy.is_memory_mapped(Xm) and _policy.is_memory_mapped(Xm[10:20]) and not _policy.is_memory_mapped(X)
    assert not _policy.streams(Xm)  # a small memory map is copied as any array
    monkeypatch.setattr(stream, "stream_stats", None)
    fastreg.Lasso(alpha=0.1).fit(Xm, y)
    with fastreg.config_context(memory_budget=X.nbytes + 1):
        assert not _policy.streams(X)
    with fastreg.config_context(memory_budget=X.nbytes - 1):
        assert _policy.streams(X)


def test_streamed_route_does_not_copy_x(tmp_path, monkeypatch):
    """The peak of NumPy's allocations stays far below the size of X's float64 copy (4 MB here)."""
    monkeypatch.setattr(_policy, "STREAM_BLOCK_BYTES", 2**16)  # blocks of 327 rows
    rng = np.random.default_rng(8)
    n, p = 20_000, 25
    X = np.asarray(rng.standard_normal((n, p)) + 2.0, dtype=np.float32)  # float32: any fit would want a float64 copy
    y = X[:, :3].sum(axis=1, dtype=np.float64) + rng.standard_normal(n)
    Xm = _memmap(tmp_path, X)
    del X
    for model in (fastreg.Lasso(alpha=0.01), fastreg.Ridge(alpha=1.0), fastreg.LinearRegression()):
        _streamed_fit(model, Xm, y)  # compiled and cached before measuring
        with fastreg.config_context(memory_budget=0):
            tracemalloc.start()
            model.fit(Xm, y)
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        assert peak < 0.5 * n * p * 8, (type(model).__name__, peak)


@pytest.mark.parametrize(("order", "p"), [("F", 10_000), ("C", 2_000)])
def test_wide_route_does_not_copy_x(tmp_path, order, p):
    """Wide X read as it is: coordinate descent (F) or FISTA (C) allocate a fraction of X (vectors of p)."""
    X, y, _ = _data(200, p, seed=12, dtype=np.float32, order=order)
    Xm = _memmap(tmp_path, X)
    del X
    model = fastreg.Lasso(alpha=0.2, tol=1e-5, max_iter=100_000)
    _streamed_fit(model, Xm, y)  # compiled and cached before measuring
    with fastreg.config_context(memory_budget=0):
        tracemalloc.start()
        model.fit(Xm, y)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert peak < 0.5 * Xm.nbytes, peak  # a float32 copy would be 1x, a float64 one 2x


def test_config():
    before = fastreg.get_config()
    with fastreg.config_context(memory_budget="2GiB", progress=True):
        assert fastreg.get_config() == {"memory_budget": "2GiB", "progress": True}
        assert _policy.memory_budget() == 2 * 2**30
    assert fastreg.get_config() == before
    with fastreg.config_context(memory_budget="50%"):
        assert 0 < _policy.memory_budget() < float("inf")
    for bad in (-1, "lots", "200%", float("nan")):
        with pytest.raises(ValueError, match="memory_budget"):
            fastreg.set_config(memory_budget=bad)
    with pytest.raises(TypeError, match="progress"):
        fastreg.set_config(progress="yes")
    assert fastreg.get_config() == before


def test_environment_budget(monkeypatch):
    monkeypatch.setenv("FASTREG_MEMORY_BUDGET", "1MB")
    assert _policy.memory_budget() == 1e6
    monkeypatch.setenv("FASTREG_MEMORY_BUDGET", "nonsense")
    with pytest.raises(ValueError, match="FASTREG_MEMORY_BUDGET"):
        _policy.memory_budget()


def test_progress_bar(tmp_path, capsys):
    X, y, _ = _data(2000, 4)
    Xm = _memmap(tmp_path, X)
    with fastreg.config_context(memory_budget=0, progress=True):
        fastreg.Ridge().fit(Xm, y)
    err = capsys.readouterr().err
    assert "Gram of X" in err


def test_nan_in_streamed_x(tmp_path):
    X, y, _ = _data(300, 5)
    X[123, 2] = np.nan
    Xm = _memmap(tmp_path, X)
    for model in (fastreg.Lasso(alpha=0.1), fastreg.Ridge(), fastreg.LinearRegression()):
        with fastreg.config_context(memory_budget=0), pytest.raises(ValueError, match="NaN"):
            model.fit(Xm, y)


def test_cli_fits_npy_memory_mapped(tmp_path, capsys, monkeypatch):
    """``fastreg fit X.npy`` opens X memory-mapped (the target beside it, or --target y.npy) and streams it."""
    import json

    from fastreg import io
    from fastreg.cli import main

    X, y, _ = _data(400, 6, seed=9, dtype=np.float32)
    np.save(tmp_path / "data.npy", X)
    np.save(tmp_path / "data.target.npy", y)
    np.save(tmp_path / "other.npy", 2 * y)
    loaded = []
    original = io._load_npy
    monkeypatch.setattr(io, "_load_npy", lambda *a, **k: loaded.append(original(*a, **k)[0]) or original(*a, **k))
    monkeypatch.setenv("FASTREG_MEMORY_BUDGET", "0")
    out = tmp_path / "fit.json"
    assert main(["fit", str(tmp_path / "data.npy"), "--model", "lasso", "--alpha", "0.05", "--output", str(out),
                 "--verbose"]) == 0
    assert _policy.is_memory_mapped(loaded[0]) and loaded[0].dtype == np.float32
    captured = capsys.readouterr()
    assert "Gram of X" in captured.err and "warning" not in captured.err
    fitted = json.loads(out.read_text())
    expected = fastreg.Lasso(alpha=0.05).fit(X, y)
    theta = [fitted["intercept"], *fitted["coef"].values()]
    np.testing.assert_allclose(theta, [expected.intercept_, *expected.coef_], rtol=1e-5, atol=1e-6)
    assert main(["fit", str(tmp_path / "data.npy"), "--target", str(tmp_path / "other.npy"), "--model", "ols",
                 "--output", str(out)]) == 0
    ols = fastreg.LinearRegression().fit(X, 2 * y)
    np.testing.assert_allclose(list(json.loads(out.read_text())["coef"].values()), ols.coef_, rtol=1e-5)
    capsys.readouterr()
    assert main(["fit", str(tmp_path / "data.npy"), "--target", "0"]) == 2
    assert "the target of a .npy X is a .npy file" in capsys.readouterr().err
    assert main(["fit", str(tmp_path / "other.npy")]) == 2
    assert "X must be 2-D" in capsys.readouterr().err


def test_path_streamed_equals_in_memory(tmp_path):
    X, y, sw = _data(300, 8, seed=10)
    Xm = _memmap(tmp_path, X)
    alphas = np.geomspace(1.0, 0.01, 8)
    for weights in (None, sw):
        expected = fastreg.lasso_path(X, y, alphas=alphas, tol=1e-13, sample_weight=weights)
        with fastreg.config_context(memory_budget=0), warnings.catch_warnings():
            warnings.simplefilter("error", MemoryCopyWarning)
            got = fastreg.lasso_path(Xm, y, alphas=alphas, tol=1e-13, sample_weight=weights)
        np.testing.assert_allclose(got[1], expected[1], rtol=0, atol=1e-10)


def test_cross_validation_warns_of_its_copy(tmp_path):
    X, y, _ = _data(120, 5, seed=11)
    Xm = _memmap(tmp_path, X)
    with fastreg.config_context(memory_budget=0):
        with pytest.warns(MemoryCopyWarning, match="LassoCV: memory-mapped X"):
            fastreg.LassoCV(cv=3, n_alphas=5).fit(Xm, y)
        with pytest.warns(MemoryCopyWarning, match="RidgeCV"):
            fastreg.RidgeCV(cv=3).fit(Xm, y)
