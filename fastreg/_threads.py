"""BLAS thread limits without re-scanning the process's libraries on every fit.

``threadpoolctl.threadpool_limits`` inspects every loaded shared library each
time it is entered (7 ms here, a fifth of a small sparse Lasso fit); one
``ThreadpoolController`` made on first use does that scan once.
"""

import functools

from threadpoolctl import ThreadpoolController


@functools.lru_cache(maxsize=None)
def _controller():
    return ThreadpoolController()


def blas_threads(limit):
    """Context manager limiting BLAS to ``limit`` threads (``None``: no limit)."""
    return _controller().limit(limits=limit, user_api="blas")
