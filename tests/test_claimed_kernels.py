"""Kernels whose threads claim blocks from an atomic counter (and the fused CSR pass), and the prefetched dense epoch.

Every block is done exactly once whichever thread takes it, so the results
equal the one-thread results bit for bit, also while another thread keeps a
core busy (as OpenBLAS's spinning workers do after a BLAS call); the epoch
for long columns (prefetched chunks) agrees with the plain one to rounding.
"""

import threading

import numpy as np
import pytest
import scipy.sparse as sp
from numba import njit
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.linear_model import Lasso as SkLasso

from fastreg.kernels.penalty import uniform_penalty
import fastreg
from fastreg._threads import numba_threads
from fastreg.kernels import cd as kcd
from fastreg.solvers import cd as cd_solver
from fastreg.kernels.layout import center_c_to_f, center_f_to_f, copy_c_to_f_stats, row_tiles
from fastreg.solvers.fused import FusedGradient


def _copy_stats(X):
    n, p = X.shape
    outT = np.empty((p, n), dtype=X.dtype)
    stats = [np.empty((row_tiles(n), p)) for _ in range(4)]
    copy_c_to_f_stats(X, X[0].astype(np.float64), outT, *stats)
    return [outT] + stats


def _center_c(X, scale):
    n, p = X.shape
    outT = np.empty((p, n), dtype=X.dtype)
    norms = np.empty((row_tiles(n), p))
    center_c_to_f(X, X.mean(axis=0), scale, outT, norms)
    return [outT, norms]


def _center_f(X, scale):
    XF = np.asfortranarray(X)
    outT = np.empty_like(XF.T)
    norms = np.empty(X.shape[1])
    center_f_to_f(XF.T, X.mean(axis=0), scale, outT, norms)
    return [outT, norms]


def _xtr(X, R, ws):
    XF = np.asfortranarray(X)
    out = np.empty(ws.shape[0])
    kcd.xtr_dense(XF.T, XF.mean(axis=0), R, ws, out)
    return [out]


def _xtr_csc(Xs, R, ws):
    out = np.empty(ws.shape[0])
    kcd.xtr_csc(Xs.data, Xs.indices, Xs.indptr, R, 0.25, ws, out)
    return [out]


def _fused_csr(Xr, y, theta):
    out = np.empty(Xr.shape[1] + 1)
    sse = FusedGradient(Xr, n_chunks=5)(theta, y, out)  # chunks fixed, so results are too
    return [out, np.array([sse])]


def _cases(dtype):
    rng = np.random.default_rng(0)
    out = []
    for n, p in [(1000, 130), (37, 9), (64, 1), (130, 2000)]:  # tiles: partial, one, exact; long and wide
        X = (3.0 + rng.standard_normal((n, p))).astype(dtype)
        R = rng.standard_normal(n)
        ws = np.sort(rng.choice(p, size=max(1, p // 2), replace=False)).astype(np.int64)
        scale = rng.uniform(0.5, 2.0, n)
        Xs = sp.random(n, p, density=0.1, format="csc", random_state=1, dtype=dtype)
        out += [
            (f"copy {n}x{p}", lambda X=X: _copy_stats(X)),
            (f"center_c {n}x{p}", lambda X=X: _center_c(X, np.empty(0))),
            (f"center_c scaled {n}x{p}", lambda X=X, s=scale: _center_c(X, s)),
            (f"center_f {n}x{p}", lambda X=X, s=scale: _center_f(X, s)),
            (f"xtr {n}x{p}", lambda X=X, R=R, ws=ws: _xtr(X, R, ws)),
            (f"xtr_csc {n}x{p}", lambda Xs=Xs, R=R, ws=ws: _xtr_csc(Xs, R, ws)),
            (f"fused csr {n}x{p}", lambda Xr=Xs.tocsr(), R=R, t=rng.standard_normal(p + 1): _fused_csr(Xr, R, t)),
        ]
    return out


@njit(nogil=True)
def _spin(count):
    """Keep a core busy for ``count`` additions (without the GIL)."""
    x = 0.0
    for i in range(count):
        x += 1e-9 * i
    return x


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_claimed_kernels_give_the_one_thread_results_on_every_thread_count(dtype):
    cases = _cases(dtype)
    with numba_threads(1):
        expected = {name: run() for name, run in cases}
    for name, run in cases:
        for got, want in zip(run(), expected[name]):
            assert_array_equal(got, want, err_msg=name)
    # and while another thread keeps a core busy: a slowed thread must not lose or repeat blocks
    _spin(1)  # compiled before the thread starts
    busy = threading.Thread(target=_spin, args=(300_000_000,))  # ~0.3 s
    busy.start()
    for _ in range(5):
        for name, run in cases:
            for got, want in zip(run(), expected[name]):
                assert_array_equal(got, want, err_msg=name)
    busy.join()

def test_claimed_kernels_match_numpy():
    rng = np.random.default_rng(1)
    X = 3.0 + rng.standard_normal((1000, 130))
    outT, sums, m2, lows, highs = _copy_stats(X)
    assert_array_equal(outT, X.T)
    assert_allclose(sums.sum(axis=0), (X - X[0]).sum(axis=0), rtol=1e-12, atol=1e-10)
    assert_array_equal(lows.min(axis=0), X.min(axis=0))
    assert_array_equal(highs.max(axis=0), X.max(axis=0))
    scale = rng.uniform(0.5, 2.0, X.shape[0])
    want = (X - X.mean(axis=0)) * scale[:, None]
    for outT, norms in (_center_c(X, scale), _center_f(X, scale)):
        assert_allclose(outT.T, want, rtol=1e-13, atol=1e-13)
        assert_allclose(norms.reshape(-1, X.shape[1]).sum(axis=0), (want**2).sum(axis=0), rtol=1e-12)
    R = rng.standard_normal(X.shape[0])
    ws = np.array([5, 0, 129, 64], dtype=np.int64)
    assert_allclose(_xtr(X, R, ws)[0], (X[:, ws] - X[:, ws].mean(axis=0)).T @ R, rtol=1e-12, atol=1e-10)
    Xs = sp.random(1000, 130, density=0.1, format="csc", random_state=1)
    assert_allclose(_xtr_csc(Xs, R, ws)[0], Xs[:, ws].T @ (R - 0.25), rtol=1e-12, atol=1e-12)
    theta = rng.standard_normal(131)
    r = theta[0] + Xs @ theta[1:] - R
    out, sse = _fused_csr(Xs.tocsr(), R, theta)
    assert_allclose(out, np.concatenate([[r.sum()], Xs.T @ r]), rtol=1e-12, atol=1e-10)
    assert_allclose(sse[0], r @ r, rtol=1e-12)


def _epoch(kernel, XT, mean, R, w, norms, l1, l2, ws, positive, epochs=4):
    pen = uniform_penalty(w.shape[0], positive)
    w, R = w.copy(), R.copy()
    for _ in range(epochs):
        kernel(XT, mean, w, R, norms, l1, l2, ws, pen)
    return w, R


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("positive", [False, True])
def test_prefetched_epoch_agrees_with_the_plain_one(dtype, positive):
    rng = np.random.default_rng(2)
    n, p = 4_500, 30  # long columns, not a whole number of chunks
    X = (1.0 + rng.standard_normal((n, p))).astype(dtype)
    X[:, 4] = 1.0  # centered norm zero: skipped
    XT = np.asfortranarray(X).T
    mean = X.mean(axis=0, dtype=np.float64)
    norms = ((X - mean) ** 2).sum(axis=0, dtype=np.float64)
    norms[4] = 0.0
    y = X[:, :3].astype(np.float64) @ [1.0, -2.0, 0.5] + rng.standard_normal(n)
    R = y - y.mean()
    l1 = 0.05 * np.max(np.abs((X - mean).T @ R))
    ws = np.array([0, 1, 2, 4, 7, 8, 20, 29], dtype=np.int64)
    w0 = np.zeros(p)
    w_plain, R_plain = _epoch(kcd.cd_epoch_dense, XT, mean, R, w0, norms, l1, 0.3, ws, positive)
    w_long, R_long = _epoch(kcd.cd_epoch_dense_long, XT, mean, R, w0, norms, l1, 0.3, ws, positive)
    assert np.count_nonzero(w_plain) >= 2
    assert_allclose(w_long, w_plain, rtol=1e-12, atol=1e-14)
    assert_allclose(R_long, R_plain, rtol=1e-10, atol=1e-12)
    assert kcd.dense_epoch_kernel(n) is kcd.cd_epoch_dense_long
    assert kcd.dense_epoch_kernel(1_000) is kcd.cd_epoch_dense
    assert kcd.dense_run_kernel(n) is kcd.cd_run_dense_long
    assert kcd.dense_run_kernel(1_000) is kcd.cd_run_dense


@pytest.mark.parametrize("order", ["C", "F"])
def test_lasso_on_long_dense_columns_reaches_scikit_learns_optimum(order, monkeypatch):
    rng = np.random.default_rng(3)
    n, p = 5_000, 40
    X = np.asarray(rng.standard_normal((n, p)) + 0.3 * rng.standard_normal((n, 1)), order=order)
    y = X[:, :5] @ rng.standard_normal(5) + rng.standard_normal(n)
    alpha = 0.01 * np.max(np.abs((X - X.mean(0)).T @ (y - y.mean()))) / n

    def objective(m):
        r = y - X @ m.coef_ - m.intercept_
        return r @ r / (2 * n) + alpha * np.abs(m.coef_).sum()

    seen = []
    kernel = kcd.dense_run_kernel
    monkeypatch.setattr(cd_solver, "dense_run_kernel", lambda n: seen.append(n) or kernel(n))
    ours = fastreg.Lasso(alpha=alpha, tol=1e-10, solver="cd").fit(X, y)
    assert seen and set(seen) == {n}  # the prefetched epochs ran
    ref = SkLasso(alpha=alpha, tol=1e-14, max_iter=100_000).fit(X, y)
    assert objective(ours) <= objective(ref) * (1 + 1e-9)
