"""The Lasso's homotopy (LARS with the Lasso modification) written straight onto an α grid.

The Lasso path ``w(λ)`` of ``½‖y_c − Z v‖² + λ‖v‖₁`` is piecewise linear in
``λ``: between two kinks the active set ``A`` and its signs ``s`` are fixed
and ``v_A`` moves along ``d = (Z_AᵀZ_A)⁻¹s`` as ``λ`` falls. At a kink a
feature joins (its correlation reaches ``λ``) or leaves (its coefficient
reaches zero). :func:`lars_grid` follows the kinks from ``λmax`` down and,
whenever a step passes grid levels, writes the solution at each of them
(exact on a linear piece), so a whole regularization path costs one
homotopy, not one fit per α.

Columns are ``Z_j = σⱼ·(Xⱼ − x̄ⱼ)``: centered on the fly from the
uncentered ``X`` as the CD kernels read it (dense through its C-ordered
transpose, or CSC arrays, whose centering touches only sums), and scaled by ``σⱼ`` (a weighted
L1 penalty ``aⱼ|wⱼ|`` is the uniform one on ``vⱼ = aⱼwⱼ``, so ``σⱼ =
1/aⱼ``; a negative ``σⱼ`` flips a column for sign constraints; ``σⱼ = 0``
keeps a feature out). The caller gets ``w = σ∘v``.

``Z_AᵀZ_A`` is kept as its Cholesky factor, updated when a feature joins
and downdated by Givens rotations when one leaves, so a step costs one pass
over ``X`` (the correlations' change ``Zᵀu``, ``u = Z_A d``) plus ``O(|A|²)``.
A feature that would join numerically inside the span of the active ones
(near interpolation, ``|A|`` at the rank of ``Z``) ends the homotopy there:
the caller's solver takes the remaining α from the last solution.
"""

import math

import numpy as np
from numba import njit, prange

from ._config import FASTMATH

# A joining column whose part outside the active columns' span has a squared
# norm below this fraction of its own is numerically inside it: LARS stops.
_DEGENERATE = 1e-10


def _column_kernels(sparse):
    """``(Xⱼ − x̄ⱼ)·t`` and ``u += coef·Xⱼ`` for dense columns or CSC arrays.

    ``sparse`` is a closure constant: numba prunes the other branch, so the
    dense passes vectorize as if the CSC code were not there (a run-time flag
    inside these loops ran the dense homotopy 2-3 times slower).
    """

    @njit(cache=True, nogil=True, fastmath=FASTMATH)
    def centered_dot(XT, data, indices, indptr, mean, j, t, t_sum):
        """``(Xⱼ − x̄ⱼ)·t`` (``t_sum = Σt``)."""
        s = 0.0
        if sparse:
            for k in range(indptr[j], indptr[j + 1]):
                s += data[k] * t[indices[k]]
        else:
            row = XT[j]
            for i in range(t.shape[0]):
                s += row[i] * t[i]
        return s - mean[j] * t_sum

    @njit(cache=True, nogil=True, fastmath=FASTMATH)
    def add_column(XT, data, indices, indptr, mean, j, coef, u):
        """``u += coef·Xⱼ``; returns ``coef·x̄ⱼ``, the centering the caller subtracts from every entry once."""
        if sparse:
            for k in range(indptr[j], indptr[j + 1]):
                u[indices[k]] += coef * data[k]
        else:
            row = XT[j]
            for i in range(u.shape[0]):
                u[i] += coef * row[i]
        return coef * mean[j]

    return centered_dot, add_column


_centered_dot_dense, _add_column_dense = _column_kernels(False)
_centered_dot_csc, _add_column_csc = _column_kernels(True)

# The kernels below call these by their global names, choosing by a flag
# outside the loops: a closure that held them (numba dispatchers) would
# pickle differently in every process, and numba's cache, whose key hashes
# a closure's contents, would compile the homotopy again in each one.


@njit(cache=True, nogil=True)
def _centered_dot(sparse, XT, data, indices, indptr, mean, j, t, t_sum):
    if sparse:
        return _centered_dot_csc(XT, data, indices, indptr, mean, j, t, t_sum)
    return _centered_dot_dense(XT, data, indices, indptr, mean, j, t, t_sum)


@njit(cache=True, nogil=True)
def _add_column(sparse, XT, data, indices, indptr, mean, j, coef, u):
    if sparse:
        return _add_column_csc(XT, data, indices, indptr, mean, j, coef, u)
    return _add_column_dense(XT, data, indices, indptr, mean, j, coef, u)


@njit(cache=True, nogil=True)
def _combination(sparse, XT, data, indices, indptr, mean, scale, active, coefs, m, base, sign, u):
    """``u = base + sign·Σᵣ coefsᵣ·Z_{active[r]}`` (``base`` may be None: zero); returns ``Σu``."""
    for i in range(u.shape[0]):
        u[i] = 0.0 if base is None else base[i]
    shift = 0.0
    for r in range(m):
        j = active[r]
        shift += _add_column(sparse, XT, data, indices, indptr, mean, j, sign * coefs[r] * scale[j], u)
    total = 0.0
    for i in range(u.shape[0]):
        u[i] -= shift
        total += u[i]
    return total


@njit(cache=True, nogil=True, parallel=True)
def _inactive_products(sparse, XT, data, indices, indptr, mean, scale, in_active, u, u_sum, a):
    """``a[j] = Z_jᵀu`` for every feature not in the active set, on numba's threads (one pass over ``X``).

    A kernel of its own, so that only this loop goes through numba's parallel compilation.
    """
    for j in prange(scale.shape[0]):
        if not in_active[j] and scale[j] != 0.0:
            a[j] = scale[j] * _centered_dot(sparse, XT, data, indices, indptr, mean, j, u, u_sum)


def _lars_kernel(sparse):
    """The homotopy kernel for dense columns or CSC arrays (``sparse``, its closure's only content)."""

    @njit(cache=True, nogil=True, fastmath=FASTMATH)
    def lars_grid(XT, data, indices, indptr, mean, scale, y, levels, positive, max_steps, W):
        """The Lasso solution at each level of ``levels`` (λ, decreasing), into ``W`` (p, k), by the homotopy.

        Parameters
        ----------
        XT : (p, n) C-ordered array (float32 or float64), the transpose of uncentered dense ``X``
        data, indices, indptr : CSC arrays of uncentered sparse ``X`` (the CSC kernel; else ignored)
        mean : (p,) the column means to center with (zeros: none)
        scale : (p,) σ (0: the feature never enters)
        y : (n,) float64, centered when the columns are
        levels : (k,) float64, decreasing, the λ (``n·α``) to write the solution at
        positive : bool, only positive coefficients (``v ≥ 0``)
        max_steps : int, kinks at most
        W : (p, k) float64, zeros on entry; column ``i`` receives ``σ∘v(levels[i])``

        Returns
        -------
        covered : int
            ``W[:, :covered]`` hold the homotopy's solution; the rest were not
            reached (a degenerate join, or ``max_steps``).
        steps : int
            Kinks followed.
        """
        n = y.shape[0]
        p = scale.shape[0]
        k = levels.shape[0]
        y_sum = 0.0
        for i in range(n):
            y_sum += y[i]
        in_active = np.zeros(p, dtype=np.bool_)
        c = np.zeros(p)  # Zᵀr
        _inactive_products(sparse, XT, data, indices, indptr, mean, scale, in_active, y, y_sum, c)
        lam = 0.0
        first = -1
        for j in range(p):
            if scale[j] == 0.0:
                continue
            cj = c[j] if positive else abs(c[j])
            if cj > lam:
                lam, first = cj, j
        covered = 0
        while covered < k and levels[covered] >= lam:
            covered += 1  # the solution is zero from λmax up
        if covered == k or first < 0:
            return k, 0

        m_max = min(n, p)
        R = np.zeros((m_max, m_max))  # upper-triangular, RᵀR = Z_AᵀZ_A (active order)
        active = np.empty(m_max, dtype=np.int64)
        sign = np.empty(m_max)
        v = np.zeros(m_max)  # v of the active features (active order)
        t = np.empty(n)
        u = np.empty(n)
        g = np.empty(m_max)
        d = np.empty(m_max)
        forward = np.empty(m_max)  # R⁻ᵀ·sign, kept across joins and drops
        a = np.empty(p)
        m = 0
        joining = first
        dropped = -1
        steps = 0
        while True:
            if joining >= 0:
                # Z_j and its products with the active columns; R grows by one column.
                if m == m_max:
                    return covered, steps
                for i in range(n):
                    t[i] = 0.0
                shift = _add_column(sparse, XT, data, indices, indptr, mean, joining, scale[joining], t)
                t_sum = 0.0
                tt = 0.0
                for i in range(n):
                    t[i] -= shift
                    t_sum += t[i]
                    tt += t[i] * t[i]
                for r in range(m):
                    jr = active[r]
                    g[r] = scale[jr] * _centered_dot(sparse, XT, data, indices, indptr, mean, jr, t, t_sum)
                _solve_transposed(R, m, g)
                qq = 0.0
                for r in range(m):
                    qq += g[r] * g[r]
                rest = tt - qq
                if not rest > _DEGENERATE * tt:
                    return covered, steps
                for r in range(m):
                    R[r, m] = g[r]
                R[m, m] = math.sqrt(rest)
                active[m] = joining
                sign[m] = 1.0 if (positive or c[joining] > 0.0) else -1.0
                v[m] = 0.0
                in_active[joining] = True
                # R⁻ᵀ·sign grows by one entry (R's new column is g, its new diagonal √rest)
                s_ = sign[m]
                for r in range(m):
                    s_ -= g[r] * forward[r]
                forward[m] = s_ / R[m, m]
                m += 1
            # d = (RᵀR)⁻¹·sign: back substitution from R⁻ᵀ·sign (along R's rows).
            for r in range(m):
                d[r] = forward[r]
            _solve(R, m, d)
            # u = Z_A·d, then a = Zᵀu (one pass over X, on numba's threads).
            u_sum = _combination(sparse, XT, data, indices, indptr, mean, scale, active, d, m, None, 1.0, u)
            _inactive_products(sparse, XT, data, indices, indptr, mean, scale, in_active, u, u_sum, a)
            # The step: to the next join, drop, or the last level.
            gamma = lam - levels[k - 1]
            joining = -1
            leaving = -1
            for j in range(p):
                if in_active[j] or scale[j] == 0.0:
                    continue
                aj = a[j]
                if j == dropped:
                    continue  # it just left at this λ
                if 1.0 - aj > 0.0:
                    step = (lam - c[j]) / (1.0 - aj)
                    if 0.0 < step < gamma:
                        gamma, joining = step, j
                if not positive and 1.0 + aj > 0.0:
                    step = (lam + c[j]) / (1.0 + aj)
                    if 0.0 < step < gamma:
                        gamma, joining = step, j
            for r in range(m):
                if d[r] != 0.0:
                    step = -v[r] / d[r]
                    if 0.0 < step < gamma:
                        gamma, leaving = step, r
            if leaving >= 0:
                joining = -1
            # The levels this step passes, on its linear piece.
            while covered < k and levels[covered] >= lam - gamma:
                shift = lam - levels[covered]
                for r in range(m):
                    W[active[r], covered] = scale[active[r]] * (v[r] + shift * d[r])
                covered += 1
            for r in range(m):
                v[r] += gamma * d[r]
            for j in range(p):
                if not in_active[j] and scale[j] != 0.0:
                    c[j] -= gamma * a[j]
            lam -= gamma
            for r in range(m):
                c[active[r]] = sign[r] * lam
            steps += 1
            if covered == k:
                return k, steps
            if steps >= max_steps:
                return covered, steps
            dropped = -1
            if leaving >= 0:
                dropped = active[leaving]
                in_active[dropped] = False
                _remove(R, m, leaving, forward)
                for r in range(leaving, m - 1):
                    active[r] = active[r + 1]
                    sign[r] = sign[r + 1]
                    v[r] = v[r + 1]
                m -= 1
                # its running correlation drifted: recomputed from the residual y − Z_A·v_A
                t_sum = _combination(sparse, XT, data, indices, indptr, mean, scale, active, v, m, y, -1.0, t)
                c[dropped] = scale[dropped] * _centered_dot(sparse, XT, data, indices, indptr, mean, dropped, t, t_sum)
            if m == 0 and joining < 0:
                return covered, steps

    return lars_grid


# The triangular loops below run over slices from index 0: LLVM vectorizes
# those, but not a loop over R[r, q] from an offset q = r + 1, several times slower
# (docs/design-measurements.md).


@njit(cache=True, nogil=True, fastmath=FASTMATH)
def _solve_transposed(R, m, b):
    """``b ← R⁻ᵀb`` for the upper-triangular ``R`` (m × m), by rows of ``R`` (contiguous)."""
    for q in range(m):
        b[q] /= R[q, q]
        bq = b[q]
        row = R[q, q + 1 : m]
        rest = b[q + 1 : m]
        for r in range(row.shape[0]):
            rest[r] -= row[r] * bq


@njit(cache=True, nogil=True, fastmath=FASTMATH)
def _solve(R, m, b):
    """``b ← R⁻¹b`` for the upper-triangular ``R`` (m × m): back substitution along ``R``'s rows."""
    for r in range(m - 1, -1, -1):
        row = R[r, r + 1 : m]
        tail = b[r + 1 : m]
        s = 0.0
        for q in range(row.shape[0]):
            s += row[q] * tail[q]
        b[r] = (b[r] - s) / R[r, r]


@njit(cache=True, nogil=True)
def _remove(R, m, q, z):
    """Delete column ``q`` of the upper-triangular ``R`` (m × m) and restore its shape by Givens rotations.

    ``z = R⁻ᵀs`` follows: with ``R'`` the rotations ``G`` applied to ``R`` without
    its column, ``R'ᵀ(Gz)`` is ``s`` without its entry ``q``, so ``z ← (Gz)`` (its
    first ``m − 1`` entries; ``R'``'s last row is zero), ``O(m)`` instead of a solve.
    Each row below ``q`` is shifted just before its rotation, while in cache.
    """
    for r in range(min(q + 1, m)):  # rows above the removed diagonal: column c ≥ q takes column c + 1
        dst = R[r, q : m - 1]
        src = R[r, q + 1 : m]
        for col in range(dst.shape[0]):
            dst[col] = src[col]
        R[r, m - 1] = 0.0
    for col in range(q, m - 1):
        below = R[col + 1, col : m - 1]  # row col + 1 from its diagonal, shifted by one
        src = R[col + 1, col + 1 : m]
        for l in range(below.shape[0]):
            below[l] = src[l]
        R[col + 1, m - 1] = 0.0
        x, y = R[col, col], R[col + 1, col]
        h = math.hypot(x, y)
        if h == 0.0:
            continue
        cs, sn = x / h, y / h
        top = R[col, col : m - 1]
        for l in range(top.shape[0]):
            a, b = top[l], below[l]
            top[l] = cs * a + sn * b
            below[l] = cs * b - sn * a
        a, b = z[col], z[col + 1]
        z[col] = cs * a + sn * b
        z[col + 1] = cs * b - sn * a
    for l in range(m):
        R[m - 1, l] = 0.0


lars_grid_dense = _lars_kernel(False)
lars_grid_csc = _lars_kernel(True)
