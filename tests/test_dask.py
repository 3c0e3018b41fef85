"""Dask input on a 2-worker distributed cluster: the same fits as in memory (fastreg.dask)."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")
import dask  # noqa: E402
import sklearn.linear_model as sk  # noqa: E402

import fastreg._policy  # noqa: E402
import fastreg.backends.dask  # noqa: E402
import fastreg.dask as fdask  # noqa: E402
from fastreg import ElasticNet, Lasso, LinearRegression, Ridge  # noqa: E402

N, P, N_TEST = 1200, 12, 300
ROOT = str(Path(__file__).resolve().parents[1])


@pytest.fixture(scope="module")
def client():
    # Threads in one process (quick to start; measured about 1 s against 15+ s
    # for worker processes on this shared machine). The task kernels are
    # serial, so several worker threads running them at once is safe.
    # Generous timeouts: a loaded CI machine once timed out a shutdown at the defaults.
    with dask.config.set({"distributed.comm.timeouts.connect": "60s", "distributed.comm.timeouts.tcp": "60s"}):
        with distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster, distributed.Client(cluster, timeout="60s") as c:
            yield c


def make_data(n=N + N_TEST, p=P, k=None, seed=0, mean=100.0):
    """Correlated features with large column means, sparse true coefficients; train and unseen rows."""
    rng = np.random.default_rng(seed)
    Z = rng.standard_normal((n, p))
    X = Z + 0.4 * np.roll(Z, 1, axis=1) + mean * rng.uniform(0.5, 1.5, p)
    w = rng.standard_normal((p,) if k is None else (p, k))
    w[p // 2 :] = 0.0
    y = X @ w + 7.0 + 0.5 * rng.standard_normal(n if k is None else (n, k))
    return X[:N], y[:N], X[N:], y[N:]


def to_dask(X, y, sample_weight=None, rows=300):
    """Row blocks of 300 and column blocks of 5: the adapter must rechunk to full rows."""
    out = [da.from_array(X, chunks=(rows, 5)), da.from_array(y, chunks=(rows,) + y.shape[1:])]
    if sample_weight is not None:
        out.append(da.from_array(sample_weight, chunks=rows))
    return out


def objective(est, X, y, sample_weight=None):
    """The estimator's own objective at its fitted coefficients (scikit-learn's conventions)."""
    s = np.ones(len(y)) if sample_weight is None else sample_weight
    r = y - X @ est.coef_ - est.intercept_
    loss = float(s @ r**2)
    if isinstance(est, ElasticNet):
        rho = est._l1_ratio()
        penalty = est.alpha * rho * np.abs(est.coef_).sum() + 0.5 * est.alpha * (1 - rho) * est.coef_ @ est.coef_
        return loss / (2 * s.sum()) + penalty
    alpha = getattr(est, "alpha", 0.0)
    return loss + alpha * est.coef_ @ est.coef_


GRAM_CASES = [
    (LinearRegression(), sk.LinearRegression()),
    (Ridge(alpha=30.0), sk.Ridge(alpha=30.0)),
    (Lasso(alpha=0.05), sk.Lasso(alpha=0.05, tol=1e-12, max_iter=100_000)),
    (ElasticNet(alpha=0.05, l1_ratio=0.4), sk.ElasticNet(alpha=0.05, l1_ratio=0.4, tol=1e-12, max_iter=100_000)),
]


@pytest.mark.parametrize("est, peer", GRAM_CASES, ids=lambda e: type(e).__name__)
def test_gram_engine_matches_in_memory(client, est, peer):
    X, y, X_test, y_test = make_data()
    Xd, yd = to_dask(X, y)
    mem = _clone(est).fit(X, y)
    dsk = _clone(est).fit(Xd, yd)
    assert isinstance(dsk.coef_, np.ndarray) and dsk.coef_.shape == (P,)
    assert isinstance(dsk.intercept_, float)
    assert dsk.n_features_in_ == P
    np.testing.assert_allclose(dsk.coef_, mem.coef_, rtol=1e-9, atol=1e-11 * np.abs(mem.coef_).max())
    assert dsk.intercept_ == pytest.approx(mem.intercept_, rel=1e-9)
    assert objective(dsk, X, y) == pytest.approx(objective(mem, X, y), rel=1e-12)
    # predictions on unseen rows: lazy, and equal to the in-memory model's and to scikit-learn's
    pred = dsk.predict(da.from_array(X_test, chunks=(100, P)))
    assert isinstance(pred, da.Array)
    pred = pred.compute()
    np.testing.assert_allclose(pred, mem.predict(X_test), rtol=1e-10)
    np.testing.assert_allclose(pred, peer.fit(X, y).predict(X_test), rtol=1e-6)
    if isinstance(est, ElasticNet):
        assert dsk.dual_gap_ >= 0 and dsk.n_iter_ > 0
        np.testing.assert_array_equal(dsk.coef_ == 0, mem.coef_ == 0)


def _clone(est):
    from sklearn.base import clone

    return clone(est)


FISTA_CASES = [Lasso(alpha=0.05, solver="fista"), ElasticNet(alpha=0.05, l1_ratio=0.4, solver="fista")]


@pytest.mark.parametrize("est", FISTA_CASES, ids=lambda e: type(e).__name__)
def test_fista_engine_matches_in_memory(client, est):
    X, y, X_test, _ = make_data(seed=1, mean=3.0)
    Xd, yd = dask.persist(*to_dask(X, y, rows=600))  # few blocks: each FISTA step is a round trip
    dsk = _clone(est).fit(Xd, yd)
    mem = _clone(est).set_params(solver="cd", tol=1e-12).fit(X, y)
    f, f_mem = objective(dsk, X, y), objective(mem, X, y)
    assert f == pytest.approx(f_mem, rel=1e-9)
    np.testing.assert_allclose(dsk.coef_, mem.coef_, rtol=1e-4, atol=1e-6)
    np.testing.assert_array_equal(dsk.coef_ == 0, mem.coef_ == 0)
    np.testing.assert_allclose(dsk.predict(da.from_array(X_test)).compute(), mem.predict(X_test), rtol=1e-6)


def test_wide_ridge_uses_fista(client, monkeypatch):
    """Beyond GRAM_MAX_FEATURES no Gram is formed: Ridge is solved by FISTA to the same optimum."""
    monkeypatch.setattr(fastreg._policy, "DASK_GRAM_MAX_FEATURES", 5)
    monkeypatch.setattr(fastreg.backends.dask, "_stats", None)  # would fail if the Gram engine were used
    X, y, _, _ = make_data(seed=2, mean=3.0)
    Xd, yd = dask.persist(*to_dask(X, y, rows=600))
    dsk = Ridge(alpha=30.0, tol=1e-12).fit(Xd, yd)
    mem = Ridge(alpha=30.0).fit(X, y)
    assert objective(dsk, X, y) == pytest.approx(objective(mem, X, y), rel=1e-9)
    np.testing.assert_allclose(dsk.coef_, mem.coef_, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("est", [LinearRegression(), Ridge(alpha=30.0), Lasso(alpha=0.05)], ids=lambda e: type(e).__name__)
def test_sample_weight(client, est):
    X, y, _, _ = make_data(seed=3)
    rng = np.random.default_rng(3)
    s = rng.uniform(0.0, 3.0, N)
    s[:50] = 0.0  # a whole zero-weight prefix: part of the first block
    Xd, yd, sd = to_dask(X, y, s)
    dsk = _clone(est).fit(Xd, yd, sample_weight=sd)
    mem = _clone(est).fit(X, y, sample_weight=s)
    np.testing.assert_allclose(dsk.coef_, mem.coef_, rtol=1e-8, atol=1e-10)
    assert dsk.intercept_ == pytest.approx(mem.intercept_, rel=1e-8)
    # NumPy weights with dask X work too
    np.testing.assert_allclose(_clone(est).fit(Xd, yd, sample_weight=s).coef_, dsk.coef_, rtol=1e-12)


@pytest.mark.parametrize("est", [LinearRegression(), Ridge(alpha=30.0), Lasso(alpha=0.05)], ids=lambda e: type(e).__name__)
def test_multi_target(client, est):
    X, Y, X_test, _ = make_data(seed=4, k=3)
    Xd, Yd = to_dask(X, Y)
    dsk = _clone(est).fit(Xd, Yd)
    mem = _clone(est).fit(X, Y)
    assert dsk.coef_.shape == mem.coef_.shape == (3, P)
    np.testing.assert_allclose(dsk.coef_, mem.coef_, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(dsk.intercept_, mem.intercept_, rtol=1e-8)
    pred = dsk.predict(da.from_array(X_test, chunks=(100, P)))
    assert pred.shape == (N_TEST, 3)
    np.testing.assert_allclose(pred.compute(), mem.predict(X_test), rtol=1e-8)


def test_ridge_alpha_per_target(client):
    X, Y, _, _ = make_data(seed=4, k=3)
    Xd, Yd = to_dask(X, Y)
    alphas = [1.0, 30.0, 300.0]
    np.testing.assert_allclose(Ridge(alpha=alphas).fit(Xd, Yd).coef_, Ridge(alpha=alphas).fit(X, Y).coef_,
                               rtol=1e-8, atol=1e-10)
    # the number of alphas checked as in memory (not NumPy's broadcasting error)
    with pytest.raises(ValueError, match="Number of targets and number of penalties do not correspond: 2 != 3"):
        Ridge(alpha=[1.0, 2.0]).fit(Xd, Yd)


@pytest.mark.parametrize(
    "est", [LinearRegression(positive=True), Ridge(alpha=30.0, positive=True), Lasso(alpha=0.02, positive=True)],
    ids=lambda e: type(e).__name__,
)
def test_positive(client, est):
    X, y, _, _ = make_data(seed=5)
    dsk = _clone(est).fit(*to_dask(X, y))
    mem = _clone(est).fit(X, y)
    assert np.all(dsk.coef_ >= 0) and np.any(dsk.coef_ == 0)
    assert objective(dsk, X, y) == pytest.approx(objective(mem, X, y), rel=1e-9)
    np.testing.assert_allclose(dsk.coef_, mem.coef_, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("est", [Ridge(alpha=30.0, fit_intercept=False), Lasso(alpha=0.05, fit_intercept=False)], ids=lambda e: type(e).__name__)
def test_no_intercept(client, est):
    X, y, _, _ = make_data(seed=6, mean=1.0)
    dsk = _clone(est).fit(*to_dask(X, y))
    mem = _clone(est).fit(X, y)
    assert dsk.intercept_ == 0.0
    np.testing.assert_allclose(dsk.coef_, mem.coef_, rtol=1e-8, atol=1e-10)


def test_centering_keeps_digits_with_large_means():
    """Shifted, per-block centered statistics merged by Chan's update, against XᵀX − n x̄x̄ᵀ.

    Runs on the threaded scheduler (no client): the adapter uses whatever scheduler is active.
    """
    rng = np.random.default_rng(7)
    X = rng.standard_normal((4000, 6)) + 1e6
    y = X @ np.arange(1.0, 7.0) + rng.standard_normal(4000)
    with dask.config.set(scheduler="threads"):
        stats = fdask.sufficient_stats(da.from_array(X, chunks=(333, 6)), da.from_array(y, chunks=333))
    Xc = X - X.mean(axis=0)
    exact = Xc.T @ Xc
    error = np.abs(stats["G"] - exact).max() / np.abs(exact).max()
    naive = X.T @ X - 4000 * np.outer(X.mean(axis=0), X.mean(axis=0))
    assert error < 1e-14  # measured 3e-16
    naive_error = np.abs(naive - exact).max() / np.abs(exact).max()
    assert naive_error > 1e-4  # what the shift and merge avoid (4e-3)
    np.testing.assert_allclose(stats["q"][:, 0], Xc.T @ (y - y.mean()), rtol=1e-11)
    assert stats["W"] == 4000
    # and the fit on it equals the in-memory fit
    with dask.config.set(scheduler="threads"):
        dsk = Ridge(alpha=1.0).fit(da.from_array(X, chunks=(333, 6)), da.from_array(y, chunks=333))
    np.testing.assert_allclose(dsk.coef_, Ridge(alpha=1.0).fit(X, y).coef_, rtol=1e-9)


def test_rank_deficient_least_squares_is_minimum_norm(client):
    X, y, _, _ = make_data(seed=8, mean=1.0)
    X = np.column_stack([X, X[:, 0]])  # a duplicated column
    dsk = LinearRegression().fit(*to_dask(X, y))
    mem = LinearRegression().fit(X, y)
    np.testing.assert_allclose(dsk.coef_, mem.coef_, rtol=1e-7, atol=1e-9)
    assert dsk.coef_[0] == pytest.approx(dsk.coef_[-1], rel=1e-7)


def test_float32_and_integer_input(client):
    X, y, _, _ = make_data(seed=9, mean=1.0)
    dsk = Ridge(alpha=3.0).fit(*to_dask(X.astype(np.float32), y))
    assert dsk.coef_.dtype == np.float32
    np.testing.assert_allclose(dsk.coef_, Ridge(alpha=3.0).fit(X.astype(np.float32), y).coef_, rtol=1e-5)
    Xi = np.round(X * 10).astype(np.int64)
    dsk = Lasso(alpha=0.05).fit(*to_dask(Xi, y))
    assert dsk.coef_.dtype == np.float64
    np.testing.assert_allclose(dsk.coef_, Lasso(alpha=0.05).fit(Xi, y).coef_, rtol=1e-8, atol=1e-10)


def test_lazy_random_data(client):
    """Data that never exists in memory as a whole: dask.array.random, generated inside the tasks."""
    rs = da.random.RandomState(0)
    X = rs.standard_normal((2000, 8), chunks=(250, 8)) + 5.0
    y = X @ np.arange(8.0) + rs.standard_normal(2000, chunks=250)
    dsk = Lasso(alpha=0.1).fit(X, y)
    Xm, ym = dask.compute(X, y)
    np.testing.assert_allclose(dsk.coef_, Lasso(alpha=0.1).fit(Xm, ym).coef_, rtol=1e-9, atol=1e-12)


def test_bad_input(client):
    X, y, _, _ = make_data(seed=10)
    Xd, yd = to_dask(X, y)
    Xn = X.copy()
    Xn[5, 3] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        Ridge().fit(da.from_array(Xn, chunks=(300, P)), yd)
    with pytest.raises(ValueError, match="rows"):
        Ridge().fit(Xd, y[:-1])
    with pytest.raises(ValueError, match="non-negative"):
        Ridge().fit(Xd, yd, sample_weight=-np.ones(N))
    with pytest.raises(NotImplementedError, match="gd"):
        Lasso(alpha=0.1, solver="gd").fit(Xd, yd)
    with pytest.raises(NotImplementedError, match="sample_weight"):
        Lasso(alpha=0.1, solver="fista").fit(Xd, yd, sample_weight=np.ones(N))
    with pytest.raises(NotImplementedError, match="lsqr"):
        Ridge(solver="lsqr").fit(Xd, yd)
    with pytest.raises(ValueError, match="features"):
        Ridge().fit(Xd, yd).predict(da.from_array(X[:, :3]))
    with pytest.raises(ValueError, match="alpha"):
        Lasso(alpha=-1.0).fit(Xd, yd)  # the estimators' own parameter checks still run first


def test_fastreg_imports_without_dask():
    code = (
        "import sys; sys.modules['dask'] = None\n"
        "import numpy as np, fastreg\n"
        "m = fastreg.Lasso(alpha=0.1).fit(np.random.rand(30, 3), np.random.rand(30))\n"
        "print(m.predict(np.random.rand(2, 3)).shape)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert "(2,)" in out.stdout
