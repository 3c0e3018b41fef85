"""Thread limits: numba's count is limited for small X and always restored."""

import numba
import numpy as np
import pytest
import scipy.sparse as sp

from fastreg import _threads


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
    monkeypatch.setattr(_threads, "SERIAL_MAX_VALUES", 10)
    with _threads.threads_for(small):
        assert numba.get_num_threads() == before
    assert numba.get_num_threads() == before
