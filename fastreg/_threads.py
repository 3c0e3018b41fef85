"""Thread limits: BLAS's without re-scanning the process's libraries on every fit, and numba's.

``threadpoolctl.threadpool_limits`` inspects every loaded shared library each
time it is entered (7 ms here, a fifth of a small sparse Lasso fit); one
``ThreadpoolController`` made on first use does that scan once.
"""

import contextlib
import functools

import numba

from threadpoolctl import ThreadpoolController


@functools.lru_cache(maxsize=None)
def _controller():
    return ThreadpoolController()


def blas_threads(limit):
    """Context manager limiting BLAS to ``limit`` threads (``None``: no limit)."""
    return _controller().limit(limits=limit, user_api="blas")


@contextlib.contextmanager
def numba_threads(limit):
    """Context manager limiting numba's parallel regions to ``limit`` threads (``None``: no limit).

    numba's count is per calling thread; the previous one is restored on exit.
    """
    if limit is None:
        yield
        return
    before = numba.get_num_threads()
    numba.set_num_threads(max(1, min(int(limit), before)))
    try:
        yield
    finally:
        numba.set_num_threads(before)


# Below this many stored values of X, one pass takes a few milliseconds: numba's
# threads gain little there and lose a lot whenever another thread is busy (a
# static split waits for a descheduled worker). Measured on 100,000 x 1,000 CSR
# at 1% (1M values): Ridge 0.028 s on one thread every time against 0.026-0.09 s
# on two; Lasso at αmax/10 0.016 s against 0.021 s.
# Since the passes claim their blocks (fastreg.kernels.intrinsics) a busy core no
# longer makes two threads slower than one, but they still gain little here:
# 1M values (tall CSR) Ridge 16 ms either way; 2M (20,000 x 100,000 CSR) Ridge
# 70 -> 47 ms alone but 71-78 ms on two against 72 on one right after a
# scikit-learn fit (its OpenBLAS threads then hold the second core), Lasso
# amax/10 71 ms either way; dense Lasso 2,000 x 1,000 12 ms either way, 19 ms
# on two against 14 after scikit-learn. Kept.
SERIAL_MAX_VALUES = 4_000_000


def threads_for(X):
    """numba's thread limit for passes over ``X``: 1 when it holds fewer than ``SERIAL_MAX_VALUES`` values."""
    values = X.nnz if hasattr(X, "nnz") else X.size
    return numba_threads(1 if values < SERIAL_MAX_VALUES else None)
