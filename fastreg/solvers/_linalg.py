"""Small dense factorizations the solvers share.

Cholesky (:func:`cho_factor`), solves on a
subset of the unknowns from the whole system's factor (:func:`solve_subset`), blocks of a
matrix (:func:`submatrix`), and bounded
least squares on the square root of a Gram, factored once for any number of
right-hand sides (:func:`bounded_gram_lstsq`, :func:`unpenalized_block`).

NumPy and SciPy wheels each bundle their own OpenBLAS, with its own thread
pool. After a NumPy product (a Gram ``XᵀX``, say) NumPy's BLAS threads keep
spinning for a while; a factorization in SciPy's LAPACK right then runs its own
threads on the same cores and fights them, and takes several times as long as
``numpy.linalg.cholesky``. So the factorization is NumPy's, except where the
caller holds BLAS to one thread (``serial``): no thread spins there, and
SciPy's ``potrf`` was 1.3–1.5× faster than NumPy 1.26's Cholesky on one
thread (measurements: docs/design-measurements.md). Either way the factor is
handed on as Fortran-ordered ``U`` with ``A = UᵀU``: the layout LAPACK's
triangular solves (``potrs``, :func:`cho_solve`) read without a copy.
"""

import numpy as np
from scipy.linalg import lapack
from scipy.optimize import lsq_linear


def cho_factor(A, serial=False, overwrite=False):
    """Cholesky factor of symmetric positive definite ``A``, as :func:`scipy.linalg.cho_factor` returns it.

    Parameters
    ----------
    A : (m, m) float64 ndarray, not modified unless ``overwrite``
    serial : bool
        The caller holds BLAS to one thread: factor with SciPy's LAPACK
        (faster there), else with NumPy's (see the module's docstring).
    overwrite : bool
        With ``serial``, a contiguous ``A`` may hold the factor (no copy).

    Returns
    -------
    (U, False) : the upper factor, Fortran-ordered (``A = UᵀU``), and ``lower=False``,
        for :func:`scipy.linalg.cho_solve`

    Raises
    ------
    numpy.linalg.LinAlgError
        If ``A`` is not numerically positive definite (the class
        ``scipy.linalg.LinAlgError`` names too).
    """
    if not serial:
        return np.linalg.cholesky(A).T, False  # L C-ordered: Lᵀ is U, Fortran-ordered
    # A is symmetric, so its C-ordered buffer read in Fortran order is A again
    U, info = lapack.dpotrf(A.T if A.flags.c_contiguous else A, lower=0, clean=0, overwrite_a=overwrite)
    if info > 0:
        raise np.linalg.LinAlgError("Matrix is not positive definite")
    if info < 0:
        raise ValueError(f"illegal value in argument {-info} of LAPACK's dpotrf")
    return U, False


def cho_solve(factor, B):
    """``A⁻¹B`` from :func:`cho_factor`'s factor: LAPACK's ``potrs`` called directly.

    :func:`scipy.linalg.cho_solve` does the same behind checks and wrappers that cost
    more than the solve on the Newton steps' few hundred unknowns.
    """
    U, lower = factor
    X, info = lapack.dpotrs(U, B, lower=lower)
    if info != 0:
        raise ValueError(f"illegal value in argument {-info} of LAPACK's dpotrs")
    return X


def submatrix(A, rows, cols):
    """``A[np.ix_(rows, cols)]`` for integer index arrays, by two ``take``s: faster than NumPy's 2-D fancy indexing."""
    return A.take(rows, axis=0).take(cols, axis=1)


def solve_subset(factor, r, keep):
    """``v_F`` solving ``A_FF v_F = r_F`` from the Cholesky ``factor`` of the whole ``A``, without factoring ``A_FF``.

    ``keep`` is a boolean mask of the unknowns ``F``; the others, ``E``, are held at zero by
    multipliers ``λ``: ``A v = r + P_Eλ`` with ``v_E = 0`` gives ``(A⁻¹)_EE λ = −(A⁻¹r)_E``. That
    costs ``|E| + 1`` triangular solve pairs (``O(m²)`` each) and an ``|E| × |E|`` system, where a
    new factorization costs ``O(m³)``. ``None`` when that small system is singular.
    """
    x = cho_solve(factor, r)
    E = np.flatnonzero(~keep)
    if E.size:
        unit = np.zeros((r.shape[0], E.size))
        unit[E, np.arange(E.size)] = 1.0
        Z = cho_solve(factor, unit)  # the columns E of A⁻¹
        try:
            x = x + Z @ np.linalg.solve(Z[E], -x[E])
        except np.linalg.LinAlgError:
            return None
    return x[keep]


def bounded_gram_lstsq(G, lower, upper):
    """A function ``q ↦ argmin ½vᵀGv − qᵀv`` within ``[lower, upper]`` (``G`` small, positive semi-definite).

    ``G`` is factored once: ``AᵀA = G`` and ``Aᵀr = q`` on the range of ``G``
    (eigenvalues above ``10⁻¹³`` of the largest), so that ``min ‖Av − r‖`` is
    the problem; :func:`scipy.optimize.lsq_linear`'s BVLS solves it exactly
    for each ``q``, and the result is clipped to the box against rounding.
    """
    lam, V = np.linalg.eigh(G)
    keep = lam > lam.max(initial=0.0) * 1e-13
    root, V = np.sqrt(lam[keep]), V[:, keep]
    A = root[:, None] * V.T

    def solve(q):
        r = (V.T @ q) / root
        return np.clip(lsq_linear(A, r, bounds=(lower, upper), method="bvls", tol=1e-14).x, lower, upper)

    return solve


def unpenalized_block(penalty, G_UU, l2, U):
    """The exact step of the block ``U`` (the others fixed), as a function of ``(X_cᵀR)_U`` and ``w_U``.

    The minimizer of ``½zᵀMz − (X_UᵀR + G_UU·w_U)ᵀz`` over ``U``'s box,
    ``M = G_UU + l2·diag(b_U)``, minus ``w_U``: without bounds
    ``M⁺(X_UᵀR − l2·b_U∘w_U)`` (minimum norm if singular); with a finite
    bound, bounded least squares (:func:`bounded_gram_lstsq`). At that point
    each feature's gradient is zero, or points out of its box at a bound: its
    part of the dual constraint holds and the duality gap is a bound again
    (``U`` is :attr:`fastreg.penalty.Penalty.open_unpenalized`).
    """
    lower, upper = penalty.pen[2][U], penalty.pen[3][U]
    b_U = penalty.pen[1][U]
    if np.all(np.isinf(lower)) and np.all(np.isinf(upper)):
        inv = penalty.block_inverse(G_UU, l2, U)
        return lambda XtR_U, w_U: inv @ (XtR_U - l2 * b_U * w_U)
    solve = bounded_gram_lstsq(G_UU + np.diag(l2 * b_U), lower, upper)
    return lambda XtR_U, w_U: solve(XtR_U + G_UU @ w_U) - w_U
