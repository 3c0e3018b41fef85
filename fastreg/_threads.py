"""Thread limits: BLAS's without re-scanning the process's libraries on every fit, and numba's.

``threadpoolctl.threadpool_limits`` inspects every loaded shared library each
time it is entered, a sizeable share of a small sparse fit; one
``ThreadpoolController`` made on first use does that scan once
(measurements: docs/design-measurements.md).
"""

import contextlib
import functools
import threading

import numba
import numpy as np
from threadpoolctl import ThreadpoolController

from ._policy import serial

_held = threading.local()  # .blas: the limit of the innermost blas_threads on this thread


@functools.lru_cache(maxsize=None)
def _controller():
    return ThreadpoolController()


@contextlib.contextmanager
def blas_threads(limit):
    """Context manager limiting BLAS to ``limit`` threads (``None``: no limit).

    Inside an enclosing ``blas_threads`` of the same limit on this thread it
    does nothing: a path's fits each enter the limit their path already holds,
    and setting it costs ~20 µs, a share of a small fit.
    """
    held = getattr(_held, "blas", None)
    if limit is not None and held == limit:
        yield
        return
    with _controller().limit(limits=limit, user_api="blas"):
        _held.blas = limit
        try:
            yield
        finally:
            _held.blas = held


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


def threads_for(values, krylov=False):
    """numba's thread limit for passes over ``X`` (or its number of stored values): one thread when small.

    The threshold is :func:`fastreg._policy.serial`'s (``krylov``: for a pass per iteration of a long
    sequence, Ridge's conjugate gradients or the homotopy's kinks).
    """
    if not isinstance(values, (int, np.integer)):
        values = values.nnz if hasattr(values, "nnz") else values.size
    return numba_threads(1 if serial(values, krylov) else None)
