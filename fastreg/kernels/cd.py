"""Coordinate-descent epochs for the ElasticNet objective, unscaled by ``n``::

    ½‖R‖² + l1·‖w‖₁ + ½·l2·‖w‖²,     R = y − Xw (centered when fitting an intercept)

with ``l1 = n·α·ρ`` and ``l2 = n·α·(1 − ρ)``. One epoch updates each coordinate
of ``ws`` (a working set of column indices) once, keeping the residual up to
date, and returns the largest coefficient change and the largest coefficient.
On dense ``X`` the solver runs the epochs between two gap checks, with
Anderson's extrapolation and the gap, in one call (:func:`cd_run_dense`); the
working sets themselves are chosen here too (:func:`working_set`).

Dense ``X`` is read column by column through its C-ordered transpose (so pass
Fortran-ordered ``X``) and centered on the fly: each value is used as
``Xᵢⱼ − x̄ⱼ``, the very number a centered copy would hold, so ``X`` needs no
centered copy (and a Fortran-ordered caller's array no copy at all). Sparse
``X`` comes as CSC arrays and is centered implicitly: the kernels keep the
uncentered residual ``r = y_c − Xw`` and its sum. The centered residual is ``R = r − r̄`` (``Σ R = 0``), so
``X_cⱼ·R = Σₖ Xₖⱼ·(rₖ − r̄)``: an update touches only the column's stored
entries, and the products are formed from ``r − r̄`` (of the size of ``R``)
rather than from ``r`` (of the size of ``x̄·w``, large when the column means
are), which would lose digits to cancellation.

The CSC kernels that gather from the residual (``xtr_csc``, the epochs) are
compiled without ``fastmath``: the vectorized gathers it allows ran slower
than scalar loads (as in :mod:`fastreg.kernels.csr`; measurements:
docs/design-measurements.md).
"""

import math

import numpy as np
from numba import njit, prange

from ._config import FASTMATH
from .intrinsics import claim, column_block, prefetch_ahead
from .penalty import coordinate_update, dual_gap, primal_value, safe_keep_mask, violations

# Rows per chunk of the dense epoch's fused loop (one prefetch request per 64-byte line
# of each), on columns of at least _PREFETCH_MIN_ROWS rows.
_CHUNK = 128
_PREFETCH_MIN_ROWS = 4096


def _dense_epoch_kernel(long_columns):
    """The dense epoch, compiled for long columns (prefetched chunks) or short ones (plain loops).

    ``long_columns`` is a closure constant: numba prunes the other branch.
    """

    @njit(cache=True, nogil=True, fastmath=FASTMATH)
    def cd_epoch_dense(XT, mean, w, R, norms, l1, l2, ws, pen):
        """One pass of coordinate descent over ``ws`` on dense columns, centered on the fly.

        A coordinate's update of ``R`` and the next coordinate's product with
        the updated ``R`` run in one loop: each column streams from memory once
        and ``R`` is read once per coordinate instead of twice. Compiled twice
        (see :func:`dense_epoch_kernel`): on long columns the loop goes in
        prefetched chunks and reads ``X`` at the speed of a plain read pass
        (measurements: docs/design-measurements.md).

        Parameters
        ----------
        XT : (p, n) C-ordered array, the transpose of Fortran-ordered ``X``
        mean : (p,) float64, subtracted from each column as it is read (zeros: none)
        w : (p,) float64 coefficients, updated in place
        R : (n,) float64 residual ``y − (X − mean)w``, updated in place
        norms : (p,) float64 squared norms of the centered columns
        l1, l2 : float, unscaled penalties
        ws : int64 array of the coordinates to update
        pen : tuple ``(a, b, lower, upper, kind)``, the penalty's per-feature
            weights and bounds (:mod:`fastreg.kernels.penalty`)
        """
        a, b, lower, upper, _ = pen
        n = R.shape[0]
        size = ws.shape[0]
        max_dw = 0.0
        max_w = 0.0
        jj = _next_live(ws, norms, 0)
        if jj == size:
            return max_dw, max_w
        j = ws[jj]
        col = XT[j]
        m = mean[j]
        acc = 0.0
        for i in range(n):
            acc += (col[i] - m) * R[i]
        while True:  # acc = X_cⱼ·R for the current j
            wj = w[j]
            new = coordinate_update(acc + wj * norms[j], norms[j], l1 * a[j], l2 * b[j], lower[j], upper[j])
            max_w = max(max_w, abs(new))
            d = new - wj
            if new != wj:
                w[j] = new
                max_dw = max(max_dw, abs(d))
            jj = _next_live(ws, norms, jj + 1)
            if jj == size:
                if new != wj:
                    for i in range(n):
                        R[i] -= d * (col[i] - m)
                return max_dw, max_w
            j = ws[jj]
            nxt = XT[j]
            mn = mean[j]
            acc = 0.0
            start = 0  # of the plain loop below
            if long_columns:
                # Long columns in chunks of _CHUNK rows, the lines a page ahead of
                # nxt requested before each (see .intrinsics), fixed-length inner
                # loops; the last rows, and short columns (in cache more often
                # than not), in the plain loop.
                start = n - n % _CHUNK
                for i0 in range(0, start, _CHUNK):
                    prefetch_ahead(nxt, i0, _CHUNK)
                    part = 0.0
                    if new != wj:
                        for i in range(i0, i0 + _CHUNK):
                            r = R[i] - d * (col[i] - m)
                            R[i] = r
                            part += (nxt[i] - mn) * r
                    else:
                        for i in range(i0, i0 + _CHUNK):
                            part += (nxt[i] - mn) * R[i]
                    acc += part
            if new != wj:
                for i in range(start, n):
                    r = R[i] - d * (col[i] - m)
                    R[i] = r
                    acc += (nxt[i] - mn) * r
            else:
                for i in range(start, n):
                    acc += (nxt[i] - mn) * R[i]
            col = nxt
            m = mn

    return cd_epoch_dense


cd_epoch_dense = _dense_epoch_kernel(False)
cd_epoch_dense_long = _dense_epoch_kernel(True)


def dense_epoch_kernel(n):
    """The dense epoch for columns of ``n`` rows: prefetched chunks from ``_PREFETCH_MIN_ROWS`` rows.

    Long columns stream from memory, and the prefetched chunks make each
    epoch faster from this length on; on short columns (in cache more often
    than not) the chunks cost more than they bring, so these keep the plain
    loop (measurements: docs/design-measurements.md).
    """
    return cd_epoch_dense_long if n >= _PREFETCH_MIN_ROWS else cd_epoch_dense


def _dense_run_kernel(long_columns):
    """Epochs with Anderson extrapolation and the subproblem's gap in one call (see :func:`dense_run_kernel`).

    ``long_columns`` is a closure constant, and the epoch is called by its
    global name: a closure holding a dispatcher would miss numba's disk cache.
    """

    @njit(cache=True, nogil=True, fastmath=FASTMATH)
    def cd_run_dense(XT, mean, w, R, norms, l1, l2, ws, pen, epochs, buf, count, y, check):
        """``epochs`` epochs over ``ws``, each iterate pushed to Anderson's buffer; then, with ``check``, the gap.

        What the solver's loop did in Python between two gap checks, in one
        call: after each epoch ``w[ws]`` goes to row ``count`` of ``buf``
        (``(K + 1, |ws|)``); when the buffer is full the extrapolated point
        (:func:`anderson_point`), clipped into the box, replaces ``w[ws]`` and
        ``R`` if it lowers the objective, and the buffer starts again. With
        ``check`` the duality gap of the subproblem on ``ws``
        (:func:`fastreg.kernels.penalty.dual_gap`) is computed at the end, by a
        serial pass (callers check on one thread only); else it is NaN.

        Returns ``(count, gap)``: the buffer's new fill and the gap.
        """
        _, _, lower, upper, _ = pen
        size = ws.shape[0]
        rows = buf.shape[0]
        n = R.shape[0]
        for _ in range(epochs):
            if long_columns:
                cd_epoch_dense_long(XT, mean, w, R, norms, l1, l2, ws, pen)
            else:
                cd_epoch_dense(XT, mean, w, R, norms, l1, l2, ws, pen)
            for k in range(size):
                buf[count, k] = w[ws[k]]
            count += 1
            if count < rows:
                continue
            count = 0
            point = np.empty(size)
            if not anderson_point(buf, point):
                continue
            w_ws = np.empty(size)
            dw = np.empty(size)
            for k in range(size):
                j = ws[k]
                point[k] = min(max(point[k], lower[j]), upper[j])
                w_ws[k] = w[j]
                dw[k] = point[k] - w_ws[k]
            trial = R.copy()
            residual_step_dense(XT, mean, trial, ws, dw)
            if primal_value(_dot(trial, trial), point, ws, l1, l2, pen) < primal_value(
                _dot(R, R), w_ws, ws, l1, l2, pen
            ):
                for k in range(size):
                    w[ws[k]] = point[k]
                for i in range(n):
                    R[i] = trial[i]
        if not check:
            return count, math.nan
        XtR = np.empty(size)
        w_ws = np.empty(size)
        for k in range(size):
            j = ws[k]
            XtR[k] = _centered_dot(XT[j], mean[j], R)
            w_ws[k] = w[j]
        return count, dual_gap(_dot(R, R), _dot(R, y), XtR, w_ws, ws, l1, l2, pen, norms)

    return cd_run_dense


@njit(cache=True, nogil=True, fastmath=FASTMATH)
def _centered_dot(col, m, R):
    """``Σᵢ (colᵢ − m)·Rᵢ``: a column centered on the fly, times the residual."""
    acc = 0.0
    for i in range(R.shape[0]):
        acc += (col[i] - m) * R[i]
    return acc


@njit(cache=True, nogil=True, fastmath=FASTMATH)
def _dot(u, v):
    acc = 0.0
    for i in range(u.shape[0]):
        acc += u[i] * v[i]
    return acc


@njit(cache=True, nogil=True)
def working_set_size(n_support, n_violators, n_extra, p, ws_start, min_size, per_violator):
    """How many features the next working set holds: the one rule of both coordinate-descent solvers.

    Twice the support, but no more than the support plus ``per_violator``
    features per zero coefficient that violates optimality (where few
    violate, the others are not worth an epoch each), at least ``ws_start``
    and ``min_size``; then ``n_extra`` more (the Gram solver's sequential
    strong set on its first iteration); at most ``p``.
    """
    size = max(ws_start, min_size, min(2 * n_support, n_support + per_violator * n_violators)) + n_extra
    return min(size, p)


@njit(cache=True, nogil=True)
def top_indices(score, k):
    """Indices of the ``k`` largest entries of ``score``, in increasing order (ties: lowest indices).

    Quickselect on a copy for the ``k``-th largest value, then one scan: a
    few loops, where ``np.sort(np.argsort(-score)[:k])`` would make numba's
    compilation, paid by a fresh process's first fit, far longer
    (measurements: docs/design-measurements.md).
    """
    p = score.shape[0]
    out = np.empty(k, dtype=np.int64)
    if k <= 0:
        return out
    v = score.copy()
    lo, hi, target = 0, p - 1, k - 1  # the k-th largest sits at index k − 1 of v sorted decreasing
    while lo < hi:
        pivot = v[(lo + hi) // 2]
        i, j = lo, hi
        while i <= j:
            while v[i] > pivot:
                i += 1
            while v[j] < pivot:
                j -= 1
            if i <= j:
                v[i], v[j] = v[j], v[i]
                i += 1
                j -= 1
        if target <= j:
            hi = j
        elif target >= i:
            lo = i
        else:
            break
    threshold = v[target]
    above = 0
    for a in range(p):
        if score[a] > threshold:
            above += 1
    ties = k - above  # entries equal to the threshold to take, lowest indices first
    m = 0
    for a in range(p):
        x = score[a]
        if x > threshold or (x == threshold and ties > 0):
            if x == threshold:
                ties -= 1
            out[m] = a
            m += 1
    return out


@njit(cache=True, nogil=True)
def working_set(violation, w, norms, ws_start, min_size, per_violator):
    """The working set's positions in ``w``, increasing: the support, then the worst violators of optimality.

    Scores: ``+inf`` on the support, ``−inf`` for all-zero (or constant)
    columns, else ``violation / ‖X_cⱼ‖`` (``violation``: the distance to the
    subdifferential, :func:`fastreg.kernels.penalty.violations`; scaled by
    the column norm as in skglm). Its size is :func:`working_set_size`'s,
    the entries the largest scores (:func:`top_indices`).
    """
    k_all = w.shape[0]
    score = np.empty(k_all)
    n_support = 0
    violators = 0
    for k in range(k_all):
        if norms[k] == 0.0:
            score[k] = -math.inf
        elif w[k] != 0.0:
            score[k] = math.inf
            n_support += 1
        else:
            score[k] = violation[k] / math.sqrt(max(norms[k], 1e-300))
            if score[k] > 0.0:
                violators += 1
    size = working_set_size(n_support, violators, 0, k_all, ws_start, min_size, per_violator)
    if size >= k_all:
        return np.arange(k_all)
    return top_indices(score, size)


@njit(cache=True, nogil=True)
def screen_and_select(XtR, w, active, norms, l1, l2, gap, pen, estimate, ws_start, min_size, per_violator, prev):
    """Gap-safe screening of ``active``, then the working set among the survivors: one call per outer iteration.

    ``XtR`` and ``w`` are restricted to ``active``; ``norms`` is by feature.
    Screening is :func:`fastreg.kernels.penalty.safe_keep_mask` (``estimate``:
    the gap is not a bound, nothing is screened), the working set
    :func:`working_set` on :func:`fastreg.kernels.penalty.violations`.
    ``prev`` (bool, by feature) marks the previous working set.
    Returns ``(active, ws, n_support, outside)``: the features kept, the
    working set (feature indices, increasing), the number of non-zeros among
    them, and how many zero coefficients outside ``prev`` violate optimality.
    """
    keep = safe_keep_mask(XtR, w, active, norms[active], l1, l2, gap, pen, estimate)
    if not keep.all():
        active, XtR, w = active[keep], XtR[keep], w[keep]
    n_support = np.count_nonzero(w)
    violation = violations(XtR, w, active, l1, l2, pen)
    outside = 0
    for i in range(active.shape[0]):
        if violation[i] > 0.0 and w[i] == 0.0 and norms[active[i]] > 0.0 and not prev[active[i]]:
            outside += 1
    at = working_set(violation, w, norms[active], ws_start, min_size, per_violator)
    return active, active[at], n_support, outside


@njit(cache=True, nogil=True)
def _next_live(ws, norms, jj):
    """The first position ``≥ jj`` in ``ws`` of a column with a nonzero norm (``ws.shape[0]``: none)."""
    while jj < ws.shape[0] and norms[ws[jj]] == 0.0:
        jj += 1
    return jj


@njit(cache=True, nogil=True)
def cd_epoch_csc(data, indices, indptr, center, w, r, r_sum, norms, l1, l2, ws, pen):
    """One pass of coordinate descent over ``ws`` on CSC columns, implicitly centered.

    Parameters
    ----------
    data, indices, indptr : CSC arrays of ``X``
    center : bool, centre ``X`` and ``y`` implicitly (fit an intercept)
    w : (p,) float64 coefficients, updated in place
    r : (n,) float64 uncentered residual ``y_c − Xw``, updated in place
    r_sum : (1,) float64, ``Σr``, updated in place
    norms : (p,) float64 squared norms of the centered columns
    l1, l2, ws, pen : as in :func:`cd_epoch_dense`
    """
    a, b, lower, upper, _ = pen
    max_dw = 0.0
    max_w = 0.0
    s = r_sum[0]
    n = r.shape[0]
    for jj in range(ws.shape[0]):
        j = ws[jj]
        if norms[j] == 0.0:
            continue
        lo = indptr[j]
        hi = indptr[j + 1]
        wj = w[j]
        shift = s / n if center else 0.0
        acc = 0.0
        col_sum = 0.0
        for k in range(np.uintp(lo), np.uintp(hi)):
            acc += data[k] * (r[indices[k]] - shift)
            col_sum += data[k]
        new = coordinate_update(acc + wj * norms[j], norms[j], l1 * a[j], l2 * b[j], lower[j], upper[j])
        if new != wj:
            d = new - wj
            for k in range(np.uintp(lo), np.uintp(hi)):
                r[indices[k]] -= d * data[k]
            s -= d * col_sum
            w[j] = new
            max_dw = max(max_dw, abs(d))
        max_w = max(max_w, abs(new))
    r_sum[0] = s
    return max_dw, max_w


@njit(parallel=True, cache=True, fastmath=FASTMATH)
def xtr_dense(XT, mean, R, ws, out):
    """``out[k] = (X[:, j] − mean[j])·R``, ``j = ws[k]``, given ``XT``, the (p, n) C-ordered transpose of ``X``."""
    n = R.shape[0]
    K = ws.shape[0]
    width = column_block(n)
    n_blocks = (K + width - 1) // width
    counter = np.zeros(1, np.int64)
    for _ in prange(n_blocks):  # blocks of columns claimed (see .intrinsics)
        while True:
            b = claim(counter)
            if b >= n_blocks:
                break
            for k in range(b * width, min(K, (b + 1) * width)):
                j = ws[k]
                out[k] = _centered_dot(XT[j], mean[j], R)


@njit(parallel=True, cache=True)
def xtr_csc(data, indices, indptr, R, shift, ws, out):
    """``out[k] = X[:, ws[k]]·(R − shift)`` for CSC ``X``."""
    K = ws.shape[0]
    width = column_block(indptr[-1] // max(1, indptr.shape[0] - 1))  # by the mean stored values per column
    n_blocks = (K + width - 1) // width
    counter = np.zeros(1, np.int64)
    for _ in prange(n_blocks):  # blocks of columns claimed (see .intrinsics)
        while True:
            b = claim(counter)
            if b >= n_blocks:
                break
            for k in range(b * width, min(K, (b + 1) * width)):
                j = ws[k]
                acc = 0.0
                for i in range(np.uintp(indptr[j]), np.uintp(indptr[j + 1])):
                    acc += data[i] * (R[indices[i]] - shift)
                out[k] = acc


@njit(cache=True)
def column_stats_csc(data, indptr, n, center, sums, norms, constant):
    """Column sums, squared norms of the (implicitly centered) columns of CSC ``X``, and its constant columns.

    The norm ``Σᵢ (Xᵢⱼ − x̄ⱼ)²`` is summed in two passes, over the stored
    entries plus ``(n − nnzⱼ)·x̄ⱼ²`` for the implicit zeros, never as
    ``ΣX² − n·x̄²``, which cancels catastrophically when the mean is large.
    ``constant[j]`` (bool) says whether all ``n`` values of column ``j``,
    implicit zeros included, are equal (``X`` canonical: no duplicates),
    from the first pass's minimum and maximum.
    """
    for j in range(indptr.shape[0] - 1):
        lo = indptr[j]
        hi = indptr[j + 1]
        s = 0.0
        low = math.inf
        high = -math.inf
        for k in range(np.uintp(lo), np.uintp(hi)):
            v = float(data[k])
            s += v
            low = min(low, v)
            high = max(high, v)
        if hi - lo < n:  # implicit zeros
            low = min(low, 0.0)
            high = max(high, 0.0)
        m = s / n if center else 0.0
        q = (n - (hi - lo)) * m * m
        for k in range(np.uintp(lo), np.uintp(hi)):
            v = float(data[k]) - m
            q += v * v
        sums[j] = s
        norms[j] = q
        constant[j] = low == high


@njit(cache=True, fastmath=FASTMATH)
def residual_step_dense(XT, mean, R, ws, dw):
    """``R −= (X[:, ws] − mean[ws])·dw`` in place (dense, ``XT`` the C-ordered transpose)."""
    n = R.shape[0]
    for k in range(ws.shape[0]):
        d = dw[k]
        if d != 0.0:
            j = ws[k]
            col = XT[j]
            m = mean[j]
            for i in range(n):
                R[i] -= d * (col[i] - m)


@njit(cache=True, fastmath=FASTMATH)
def residual_step_csc(data, indices, indptr, r, r_sum, ws, dw):
    """``r −= X[:, ws]·dw`` and ``Σr`` with it, in place (CSC)."""
    s = r_sum[0]
    for k in range(ws.shape[0]):
        d = dw[k]
        if d != 0.0:
            j = ws[k]
            col_sum = 0.0
            for i in range(np.uintp(indptr[j]), np.uintp(indptr[j + 1])):
                r[indices[i]] -= d * data[i]
                col_sum += data[i]
            s -= d * col_sum
    r_sum[0] = s


@njit(cache=True)
def cd_epoch_csc_weighted(data, indices, indptr, d, dd, col_dsum, w, r, r_sum, norms, l1, l2, ws, pen):
    """:func:`cd_epoch_csc` for weighted samples, centered along ``d = √s``.

    The CSC arrays hold ``DX`` (rows scaled by ``d``); the centered columns are
    ``DXⱼ − d·x̄ⱼ``, orthogonal to ``d``. The kernel keeps ``r = ỹ − DXw`` and
    ``s = dᵀr``; the centered residual is ``R = r − d·s/dd`` (``dd = dᵀd``), so
    ``(DXⱼ − d·x̄ⱼ)ᵀR = Σₖ dataₖ·(r[iₖ] − d[iₖ]·s/dd)`` reads the stored entries
    only. ``col_dsum[j] = dᵀDXⱼ`` updates ``s``. With ``d = 1`` this is
    :func:`cd_epoch_csc` with ``center=True``.
    """
    a, b, lower, upper, _ = pen
    max_dw = 0.0
    max_w = 0.0
    s = r_sum[0]
    for jj in range(ws.shape[0]):
        j = ws[jj]
        if norms[j] == 0.0:
            continue
        lo = indptr[j]
        hi = indptr[j + 1]
        wj = w[j]
        shift = s / dd
        acc = 0.0
        for k in range(np.uintp(lo), np.uintp(hi)):
            i = indices[k]
            acc += data[k] * (r[i] - d[i] * shift)
        new = coordinate_update(acc + wj * norms[j], norms[j], l1 * a[j], l2 * b[j], lower[j], upper[j])
        if new != wj:
            delta = new - wj
            for k in range(np.uintp(lo), np.uintp(hi)):
                r[indices[k]] -= delta * data[k]
            s -= delta * col_dsum[j]
            w[j] = new
            max_dw = max(max_dw, abs(delta))
        max_w = max(max_w, abs(new))
    r_sum[0] = s
    return max_dw, max_w


@njit(cache=True)
def column_stats_csc_weighted(data, indices, indptr, d, dd, col_dsum, norms):
    """``col_dsum[j] = dᵀDXⱼ`` and ``norms[j] = ‖DXⱼ − d·x̄ⱼ‖²`` (``x̄ⱼ = col_dsum[j]/dd``).

    ``data`` holds ``DX``. The norm is summed over the stored entries plus
    ``x̄ⱼ²·(dd − Σ_stored d²)`` for the implicit zeros, never as a difference
    of large sums.
    """
    for j in range(indptr.shape[0] - 1):
        lo = indptr[j]
        hi = indptr[j + 1]
        s = 0.0
        d2 = 0.0
        for k in range(np.uintp(lo), np.uintp(hi)):
            i = indices[k]
            s += float(data[k]) * d[i]
            d2 += d[i] * d[i]
        m = s / dd
        q = max(dd - d2, 0.0) * m * m
        for k in range(np.uintp(lo), np.uintp(hi)):
            v = float(data[k]) - d[indices[k]] * m
            q += v * v
        col_dsum[j] = s
        norms[j] = q


@njit(cache=True, nogil=True)
def centered_norms_compressed(data, indices, indptr, by_row, mean, d, norms, stored_dd):
    """``norms[j] += Σ_stored (Xᵢⱼ − dᵢ·meanⱼ)²`` and ``stored_dd[j] += Σ_stored dᵢ²`` over CSR or CSC arrays.

    ``by_row``: ``indptr`` runs over rows (CSR), else over columns (CSC).
    ``d`` of length 0 means ``d = 1`` (no weights).
    The implicit zeros' share, ``meanⱼ²·(Σd² − stored_dd[j])``, is the
    caller's; no large sums are subtracted.
    """
    weighted = d.shape[0] > 0
    for a in range(indptr.shape[0] - 1):
        for k in range(np.uintp(indptr[a]), np.uintp(indptr[a + 1])):
            b = indices[k]
            j = b if by_row else a
            if weighted:
                di = d[a if by_row else b]
                v = float(data[k]) - di * mean[j]
                stored_dd[j] += di * di
            else:
                v = float(data[k]) - mean[j]
                stored_dd[j] += 1.0
            norms[j] += v * v


@njit(cache=True, nogil=True)
def anderson_point(buf, out):
    """Anderson extrapolation of the iterates in the rows of ``buf`` (K + 1, size), into ``out``.

    With ``U`` the differences of consecutive rows, solves ``(UUᵀ)z = 1`` by
    Gaussian elimination with partial pivoting (what LAPACK's ``gesv`` does on
    so small a system) and writes ``Σₖ cₖ·buf[k + 1]``, ``c = z/Σz``. Returns
    False, ``out`` undefined, when the system is singular (an exact zero
    pivot), ``z`` is not finite or sums to zero. One call, where the NumPy
    calls it replaces each had a fixed cost larger than the arithmetic.
    """
    K = buf.shape[0] - 1
    size = buf.shape[1]
    U = np.empty((K, size))
    for a in range(K):
        for i in range(size):
            U[a, i] = buf[a + 1, i] - buf[a, i]
    A = np.empty((K, K))
    for a in range(K):
        for b in range(a, K):
            s = 0.0
            for i in range(size):
                s += U[a, i] * U[b, i]
            A[a, b] = s
            A[b, a] = s
    z = np.ones(K)
    for c in range(K):
        pivot = c
        best = abs(A[c, c])
        for r in range(c + 1, K):
            if abs(A[r, c]) > best:
                best = abs(A[r, c])
                pivot = r
        if best == 0.0:
            return False
        if pivot != c:
            for q in range(K):
                A[c, q], A[pivot, q] = A[pivot, q], A[c, q]
            z[c], z[pivot] = z[pivot], z[c]
        for r in range(c + 1, K):
            f = A[r, c] / A[c, c]
            for q in range(c, K):
                A[r, q] -= f * A[c, q]
            z[r] -= f * z[c]
    total = 0.0
    for r in range(K - 1, -1, -1):
        s = z[r]
        for q in range(r + 1, K):
            s -= A[r, q] * z[q]
        z[r] = s / A[r, r]
        if not math.isfinite(z[r]):
            return False
        total += z[r]
    if total == 0.0 or not math.isfinite(total):
        return False
    for i in range(size):
        out[i] = 0.0
    for k in range(K):
        c = z[k] / total
        for i in range(size):
            out[i] += c * buf[k + 1, i]
    return True


cd_run_dense = _dense_run_kernel(False)
cd_run_dense_long = _dense_run_kernel(True)


def dense_run_kernel(n):
    """:func:`cd_run_dense` for columns of ``n`` rows, on the epoch :func:`dense_epoch_kernel` picks."""
    return cd_run_dense_long if n >= _PREFETCH_MIN_ROWS else cd_run_dense
