"""Serial kernels for one chunk of rows, run inside Dask tasks.

Dask already runs one task per core; a ``parallel=True`` kernel inside a task
would oversubscribe the cores, and numba's default ``workqueue`` threading
layer aborts the whole process when parallel kernels are entered from several
threads at once (a threaded Dask worker). These kernels have no ``prange``,
never touch numba's threading layer, and release the GIL (``nogil``), so any
number of worker threads can run them side by side.
"""

from numba import njit

from ._config import FASTMATH


@njit(cache=True, nogil=True, fastmath=FASTMATH)
def gradient_chunk(X, y, theta, use_y, grad):
    """One serial pass over C-ordered ``X``: write ``[Σr, Xᵀr]`` into ``grad``, return ``Σr²``.

    ``r = b + Xw − y`` for ``theta = [b, w]`` (``y`` ignored, taken as zero,
    when ``use_y`` is False) — the contract of
    :func:`fastreg.kernels.dense.gradient_dense_c` on one chunk. Rows go four
    at a time, sharing each load of ``w`` and each load and store of ``grad``.

    Parameters
    ----------
    X : (n, p) C-contiguous float32 or float64
    y : (n,) float64
    theta : (p + 1,) float64
    use_y : bool
    grad : (p + 1,) float64 output
    """
    n, p = X.shape
    for j in range(p + 1):
        grad[j] = 0.0
    b = theta[0]
    w = theta[1:]
    gw = grad[1:]
    g0 = 0.0
    s = 0.0
    i = 0
    while i + 4 <= n:
        x0 = X[i]
        x1 = X[i + 1]
        x2 = X[i + 2]
        x3 = X[i + 3]
        a0 = 0.0
        a1 = 0.0
        a2 = 0.0
        a3 = 0.0
        for j in range(p):
            wj = w[j]
            a0 += x0[j] * wj
            a1 += x1[j] * wj
            a2 += x2[j] * wj
            a3 += x3[j] * wj
        r0 = b + a0
        r1 = b + a1
        r2 = b + a2
        r3 = b + a3
        if use_y:
            r0 -= y[i]
            r1 -= y[i + 1]
            r2 -= y[i + 2]
            r3 -= y[i + 3]
        g0 += (r0 + r1) + (r2 + r3)
        s += (r0 * r0 + r1 * r1) + (r2 * r2 + r3 * r3)
        for j in range(p):
            gw[j] += (r0 * x0[j] + r1 * x1[j]) + (r2 * x2[j] + r3 * x3[j])
        i += 4
    while i < n:
        row = X[i]
        acc = 0.0
        for j in range(p):
            acc += row[j] * w[j]
        r = b + acc
        if use_y:
            r -= y[i]
        g0 += r
        s += r * r
        for j in range(p):
            gw[j] += r * row[j]
        i += 1
    grad[0] = g0
    return s
