"""Thread limits: numba's count is limited for small X and always restored."""

import numba
import numpy as np
import pytest
import scipy.sparse as sp

from fastreg import _policy, _threads


def test_numba_threads_limits_and_restores():
    before = numba.get_num_threads()
    with _threads.numba_threads(1):
        assert numba.get_num_threads() == 1
    assert numba.get_num_threads() == before
    with _threads.numba_threads(None):
        assert numba.get_num_threads() == before
    with pytest.raises(RuntimeError):
        with _threads.numba_threads(1):
            raise RuntimeError("inside")
    assert numba.get_num_threads() == before


def test_threads_for_small_and_large_x(monkeypatch):
    before = numba.get_num_threads()
    small = sp.random(100, 50, density=0.1, format="csr", random_state=0)
    with _threads.threads_for(small):
        assert numba.get_num_threads() == 1
    with _threads.threads_for(np.zeros((10, 10))):
        assert numba.get_num_threads() == 1
    monkeypatch.setattr(_policy, "SERIAL_MAX_VALUES", 10)
    with _threads.threads_for(small):
        assert numba.get_num_threads() == before
    assert numba.get_num_threads() == before


def _blas_threads_now():
    return [lib["num_threads"] for lib in _threads._controller().select(user_api="blas").info()]


def test_nested_blas_limits_skip_the_inner_one_and_restore_the_outer(monkeypatch):
    """blas_threads inside one of the same limit does not set it again; any other limit nests; all restored."""
    calls = []
    controller = _threads._controller()
    limit = controller.limit
    monkeypatch.setattr(controller, "limit", lambda **kw: calls.append(kw["limits"]) or limit(**kw))
    before = _blas_threads_now()
    with _threads.blas_threads(1):
        with _threads.blas_threads(1):
            assert all(n == 1 for n in _blas_threads_now())
        assert all(n == 1 for n in _blas_threads_now())  # the inner exit left the outer limit
        with _threads.blas_threads(None):
            pass
        with _threads.blas_threads(1):
            pass
    assert calls == [1, None]
    assert _blas_threads_now() == before
    with _threads.blas_threads(1):  # held no more: set again
        pass
    assert calls == [1, None, 1] and _blas_threads_now() == before


def test_fista_iterates_with_one_blas_thread(monkeypatch):
    """FISTA's dot products between its numba passes must not wake BLAS threads (they would spin on
    the passes' cores), so its loop runs under a one-thread BLAS limit, lifted afterwards."""
    from fastreg.solvers import fista

    seen = []
    loop = fista.fista_loop

    def spy(*args, **kwargs):
        seen.append(_blas_threads_now())
        return loop(*args, **kwargs)

    monkeypatch.setattr(fista, "fista_loop", spy)
    before = _blas_threads_now()
    rng = np.random.default_rng(0)
    X = rng.standard_normal((30, 50))
    y = X[:, :3].sum(axis=1) + rng.standard_normal(30)
    fista.enet_fista(X, y, 0.1, tol=1e-8)
    assert seen and seen[0] and all(n == 1 for n in seen[0])
    assert _blas_threads_now() == before


def test_krylov_passes_take_threads_from_fewer_values(monkeypatch):
    """Ridge's CG passes (chunks claimed by threads) go parallel above their own, lower threshold."""
    before = numba.get_num_threads()
    monkeypatch.setattr(_policy, "KRYLOV_SERIAL_MAX_VALUES", 10)
    X = sp.random(100, 50, density=0.1, format="csr", random_state=0)  # 500 values
    with _threads.threads_for(X, krylov=True):
        assert numba.get_num_threads() == before
    with _threads.threads_for(X):
        assert numba.get_num_threads() == 1
    assert _policy.KRYLOV_SERIAL_MAX_VALUES < _policy.SERIAL_MAX_VALUES
