"""Block coordinate descent epochs for scikit-learn's multi-task ElasticNet, unscaled by ``n``::

    ½‖R‖²_F + l1·Σⱼ‖Wⱼ‖₂ + ½·l2·‖W‖²_F,     R = Y − X̃W

with ``W`` of shape (p, k): row ``Wⱼ`` holds feature ``j``'s coefficients for
the ``k`` targets and is penalized as a group. One epoch updates each row of
``order`` once by the group soft-threshold
``Wⱼ ← max(0, 1 − l1/‖zⱼ‖)·zⱼ/(‖X̃ⱼ‖² + l2)``, ``zⱼ = X̃ⱼᵀR + ‖X̃ⱼ‖²Wⱼ``,
keeping the residual up to date.

Dense ``X̃`` comes as the C-ordered (p, n) transpose of a Fortran-ordered
array. Sparse ``X̃ = Z − d·cᵀ`` (``Z = DX`` in CSC, ``d`` the square roots of
the weights, ones unweighted; ``c`` the centering offsets, zeros without)
is never formed: the kernel keeps ``r = Ỹ − ZW`` and ``u = cᵀW``, so that
``R = r + d·uᵀ`` and ``X̃ⱼᵀR = Zⱼᵀr + u·(Zⱼᵀd) − cⱼ·(dᵀr + (dᵀd)·u)``; an
update touches only the column's stored entries.
"""

import math

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def _group_step(z, nrm2, l1, l2, out):
    """``out = max(0, 1 − l1/‖z‖)·z/(nrm2 + l2)``; returns whether ``out`` is non-zero."""
    k = z.shape[0]
    norm = 0.0
    for t in range(k):
        norm += z[t] * z[t]
    norm = math.sqrt(norm)
    if norm <= l1 or norm == 0.0:
        for t in range(k):
            out[t] = 0.0
        return False
    scale = (1.0 - l1 / norm) / (nrm2 + l2)
    for t in range(k):
        out[t] = scale * z[t]
    return True


@njit(cache=True, nogil=True)
def mt_epoch_dense(XT, W, R, norms, l1, l2, order):
    """One epoch over the rows ``order`` of ``W`` on dense ``X̃`` (``XT``: its (p, n) C-ordered transpose).

    ``W`` (p, k) and ``R`` (n, k), C-ordered float64, are updated in place.
    """
    n = R.shape[0]
    k = R.shape[1]
    z = np.empty(k)
    new = np.empty(k)
    for jj in range(order.shape[0]):
        j = order[jj]
        nj = norms[j]
        if nj == 0.0:
            continue
        col = XT[j]
        for t in range(k):
            z[t] = nj * W[j, t]
        for i in range(n):
            x = col[i]
            for t in range(k):
                z[t] += x * R[i, t]
        _group_step(z, nj, l1, l2, new)
        changed = False
        for t in range(k):
            new[t] -= W[j, t]  # the change
            if new[t] != 0.0:
                changed = True
        if changed:
            for i in range(n):
                x = col[i]
                for t in range(k):
                    R[i, t] -= x * new[t]
            for t in range(k):
                W[j, t] += new[t]


@njit(cache=True, nogil=True)
def mt_epoch_csc(data, indices, indptr, d, zd, c, dd, W, r, dtr, u, norms, l1, l2, order):
    """One epoch over the rows ``order`` of ``W`` on sparse ``X̃ = Z − d·cᵀ`` (``Z`` in CSC).

    Parameters
    ----------
    data, indices, indptr : CSC arrays of ``Z``
    d : (n,) float64, ``zd`` : (p,) ``Zᵀd``, ``c`` : (p,) offsets, ``dd`` : float ``dᵀd``
    W : (p, k), r : (n, k) the residual ``Ỹ − ZW``, C-ordered, updated in place
    dtr : (k,) ``dᵀr`` and u : (k,) ``cᵀW``, updated in place
    norms : (p,) ``‖X̃ⱼ‖²``; l1, l2 : unscaled penalties; order : rows to update
    """
    k = r.shape[1]
    z = np.empty(k)
    new = np.empty(k)
    for jj in range(order.shape[0]):
        j = order[jj]
        nj = norms[j]
        if nj == 0.0:
            continue
        lo = indptr[j]
        hi = indptr[j + 1]
        cj = c[j]
        for t in range(k):
            z[t] = nj * W[j, t] + u[t] * zd[j] - cj * (dtr[t] + dd * u[t])
        for a in range(lo, hi):
            v = data[a]
            i = indices[a]
            for t in range(k):
                z[t] += v * r[i, t]
        _group_step(z, nj, l1, l2, new)
        changed = False
        for t in range(k):
            new[t] -= W[j, t]
            if new[t] != 0.0:
                changed = True
        if changed:
            for a in range(lo, hi):
                v = data[a]
                i = indices[a]
                for t in range(k):
                    r[i, t] -= v * new[t]
            for t in range(k):
                dtr[t] -= zd[j] * new[t]
                u[t] += cj * new[t]
                W[j, t] += new[t]
