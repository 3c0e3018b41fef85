"""Centered sufficient statistics of row blocks, merged exactly, and the exact solvers that need only them.

For ``n ≫ p`` everything Ridge, least squares, Lasso and ElasticNet need is
``W`` (the sum of the weights ``s``, or ``n``), the means ``x̄``, ``ȳ``, the
centered Gram ``G = X̃ᵀX̃``, ``q = X̃ᵀỹ`` and ``‖ỹ‖²``, where
``X̃ = D(X − x̄)``, ``ỹ = D(y − ȳ)``, ``D = diag(√s)``. They are built from
row blocks:

* each block is centered on its *own* (weighted) means (:func:`center_block`),
  after a shift by one fixed reference row, the first row of ``X`` and ``y``
  (the same for every block), so that the means are small offsets that keep
  their digits; a second pass corrects the means' rounding;
* blocks are merged with the parallel-variance update of Chan, Golub &
  LeVeque (:func:`merge_into`): ``G = G_a + G_b + (W_a W_b / W) δδᵀ``,
  ``δ = x̄_b − x̄_a``, likewise ``q`` and ``‖ỹ‖²``.

No step subtracts ``n·x̄x̄ᵀ`` from a raw ``XᵀX``, so large column means cost
no digits (means 10⁶ ± 1: 3e-16 relative error in ``G``, against 4e-3 for
``XᵀX − n x̄x̄ᵀ``), and an exactly constant column has an exactly zero row
in ``G`` (its shifted values are exact zeros).

Two users. The Dask backend (:mod:`fastreg.backends.dask`): blocks are
tasks (:func:`block_stats`), merged by a tree of tasks (:func:`merge_stats`).
The estimators' streamed route for memory-mapped or large dense ``X``
(:func:`stream_stats`, see :func:`fastreg._policy.stream_route`): blocks are
read in turn and each is added into one Gram in place, so that memory holds
one block's float64 copy and one ``p × p`` Gram. Then, with no further pass
over ``X``, the exact solvers: Ridge and least squares (:func:`ridge_coef`:
Cholesky, the minimum-norm solution when singular, NNLS for
``positive``), Lasso and ElasticNet (:func:`enet_from_stats`: covariance
coordinate descent, :func:`fastreg.solvers.gram_cd.enet_gram_cd`).
"""

import numpy as np
import scipy.linalg as la
from scipy.linalg.blas import dsyr, dsyrk
from scipy.optimize import nnls

from .._preprocess import intercept_of
from .._progress import progress
from ._linalg import bounded_gram_lstsq
from .gram_cd import enet_gram_cd, gram_residual_stats
from .ridge import target_alphas

__all__ = [
    "block_stats",
    "bvls_gram",
    "center_block",
    "center_two_pass",
    "check_weights",
    "coef_and_intercept",
    "enet_from_stats",
    "enet_gap",
    "finish_stats",
    "merge_into",
    "merge_stats",
    "nnls_gram",
    "ridge_coef",
    "ridge_from_stats",
    "stream_stats",
    "uncentered",
]


def check_weights(s):
    """``s`` as a float64 vector; a ``ValueError`` unless finite and non-negative."""
    s = np.asarray(s, dtype=np.float64).ravel()
    if not np.all(np.isfinite(s)) or np.any(s < 0):
        raise ValueError("sample_weight must be finite and non-negative")
    return s


# --------------------------------------------------------------------------- one block


def center_block(X, y, sw, fit_intercept, x_ref, y_ref):
    """``(W, x̄ − x_ref, ȳ − y_ref, X̃, Ỹ)`` of one row block, or None for an empty block or zero weights.

    ``X̃ = D(X − x̄)`` is a new float64 C-ordered array (``X`` itself when
    there is nothing to do: float64 C-ordered ``X`` without intercept or
    weights), ``Ỹ`` (nb, k) likewise; the means are the block's own.
    Without intercept nothing is centered and the means are zero.
    """
    Y = np.asarray(y, dtype=np.float64)
    Y = Y[:, None] if Y.ndim == 1 else Y
    nb, p = X.shape
    s = None if sw is None else check_weights(sw)
    W = float(nb) if s is None else float(s.sum())
    if nb == 0 or W == 0.0:
        return None
    if fit_intercept:
        # Two-pass means: NumPy sums C-ordered columns naively (error ~ nb·eps·|x̄|),
        # and Chan's merge turns mean errors into Gram errors; the correction
        # pass over the shifted copy brings the means to ~eps·|x̄|.
        Xc, x_mean = center_two_pass(X, x_ref, s, W)
        Yc, y_mean = center_two_pass(Y, y_ref, s, W)
    else:
        x_mean, y_mean = np.zeros(p), np.zeros(Y.shape[1])
        # X itself when float64 C-ordered and unweighted; a copy to scale otherwise
        Xc = np.ascontiguousarray(X, dtype=np.float64) if s is None else np.array(X, dtype=np.float64, order="C")
        Yc = Y
    if s is not None:
        d = np.sqrt(s)
        Xc *= d[:, None]
        Yc = Yc * d[:, None]
    return W, x_mean, y_mean, Xc, Yc


def center_two_pass(A, ref, s, W):
    """``(A − ref − m, m)``: ``m`` the (weighted) column means of ``A − ref``, refined by a second pass.

    The first array is a new float64 C-ordered one (``A`` may be float32,
    in any memory order).
    """
    Ac = np.subtract(A, ref, dtype=np.float64, order="C")
    m = Ac.mean(axis=0) if s is None else (s @ Ac) / W
    Ac -= m
    fix = Ac.mean(axis=0) if s is None else (s @ Ac) / W
    Ac -= fix
    return Ac, m + fix


def _cross(Xc, Yc):
    """``(X̃ᵀỸ, ‖Ỹ‖²)`` of a centered block."""
    return Xc.T @ Yc, np.einsum("ij,ij->j", Yc, Yc)


def block_stats(X, y, sw, fit_intercept, x_ref, y_ref):
    """Centered statistics of one row block, ``(W, x̄ − x_ref, ȳ − y_ref, G, q, ‖ỹ‖²)``, or None.

    ``G`` (Fortran-ordered) holds the upper triangle only (BLAS ``syrk``);
    None for an empty block or zero weights. See :func:`center_block`.
    """
    block = center_block(X, y, sw, fit_intercept, x_ref, y_ref)
    if block is None:
        return None
    W, x_mean, y_mean, Xc, Yc = block
    G = dsyrk(1.0, Xc.T, trans=0, lower=0)  # X̃ᵀX̃, upper triangle
    return (W, x_mean, y_mean, G, *_cross(Xc, Yc))


# --------------------------------------------------------------------------- merging


def merge_into(acc, part):
    """Chan's parallel update of the statistics ``acc`` by ``part``, in place.

    ``acc`` is a list ``[W, x̄, ȳ, G, q, ‖ỹ‖²]`` whose arrays it owns
    (``G`` Fortran-ordered, upper triangle); ``part`` a tuple of the same
    kind, whose ``G`` may be None when it was added into ``acc``'s already
    (a ``syrk`` with ``beta = 1``).
    """
    W, x_mean, y_mean, G, q, yy = acc
    Wb, xb, yb, Gb, qb, yyb = part
    total = W + Wb
    dx = xb - x_mean
    dy = yb - y_mean
    f = W * Wb / total
    if Gb is not None:
        G += Gb
    if f != 0.0 and np.any(dx):
        G = dsyr(f, dx, lower=0, a=G, overwrite_a=1)
    q += qb + f * np.outer(dx, dy)
    yy += yyb + f * dy * dy
    x_mean += dx * (Wb / total)
    y_mean += dy * (Wb / total)
    acc[:] = [total, x_mean, y_mean, G, q, yy]


def merge_stats(*parts):
    """Chan's merge of block statistics (None for blocks without weight); the inputs are never modified."""
    parts = [part for part in parts if part is not None]
    if not parts:
        return None
    W, x_mean, y_mean, G, q, yy = parts[0]
    # copies: a Dask task may be re-run on the same inputs
    acc = [W, x_mean.copy(), y_mean.copy(), np.array(G, order="F", copy=True), q.copy(), yy.copy()]
    for part in parts[1:]:
        merge_into(acc, part)
    return tuple(acc)


def finish_stats(merged, x_ref, y_ref):
    """The statistics as a dict (``W``, ``x_mean``, ``y_mean``, ``G`` symmetric, ``q`` (p, k), ``yy`` (k,)).

    ``merged`` is what :func:`merge_stats` returns (None: every weight was
    zero, a ``ValueError``); the means are shifted back by the reference
    row. A ``ValueError`` if any statistic is not finite (NaN or infinity in
    ``X`` or ``y``, or float64 overflow).
    """
    if merged is None:
        raise ValueError("sample_weight sums to zero: no sample has a positive weight")
    W, x_mean, y_mean, G, q, yy = merged
    G = _symmetrize_upper(G)
    # the diagonal Σx̃ᵢⱼ² is non-finite as soon as a value of column j is (and bounds the rest of G)
    stats = {"W": W, "x_mean": x_ref + x_mean, "y_mean": y_ref + y_mean, "G": G.T if G.flags.f_contiguous else G,
             "q": q, "yy": yy}
    checked = (W, stats["x_mean"], stats["y_mean"], np.diagonal(G), q, yy)
    if not all(np.all(np.isfinite(v)) for v in checked):
        raise ValueError("Input X or y contains NaN or infinity (or overflows float64)")
    return stats


def _symmetrize_upper(G, block=512):
    """``G`` (square, owned) made symmetric from its upper triangle, in place, by blocks of columns.

    No ``p × p`` temporary: the Gram of 20,000 features is 3.2 GB.
    """
    p = G.shape[0]
    for j in range(0, p, block):
        G[j : j + block, :j] = G[:j, j : j + block].T
        diag = G[j : j + block, j : j + block]
        lower = np.tril_indices(diag.shape[0], -1)
        diag[lower] = diag.T[lower]
    return G


def stream_stats(X, y, sample_weight=None, fit_intercept=True, *, block_rows, show_progress=False):
    """The statistics of :func:`finish_stats` from one pass over the row blocks of ``X``, read in turn.

    Parameters
    ----------
    X : (n, p) float32 or float64 ndarray, any memory order (a memory map: read, never copied whole)
    y : (n,) or (n, k) array
    sample_weight : None or (n,) float64
    fit_intercept : bool
    block_rows : int
        Rows per block; memory holds one block's float64 copy and the Gram.
    show_progress : bool
        A progress bar over the blocks (:mod:`fastreg._progress`).
    """
    n, p = X.shape
    Y = np.asarray(y, dtype=np.float64)
    k = 1 if Y.ndim == 1 else Y.shape[1]
    x_ref, y_ref = np.zeros(p), np.zeros(k)
    if fit_intercept:
        x_ref, y_ref = np.array(X[0], dtype=np.float64), np.array(Y[0], dtype=np.float64).reshape(k)
    acc = None
    starts = range(0, n, block_rows)
    gigabytes = X.nbytes / 1e9
    with progress(len(starts), f"fastreg: Gram of X ({gigabytes:.3g} GB)", show_progress) as bar:
        for i in starts:
            rows = slice(i, i + block_rows)
            sw = None if sample_weight is None else sample_weight[rows]
            block = center_block(X[rows], Y[rows], sw, fit_intercept, x_ref, y_ref)
            if block is not None:
                W, x_mean, y_mean, Xc, Yc = block
                if acc is None:
                    acc = [W, x_mean, y_mean, dsyrk(1.0, Xc.T, trans=0, lower=0), *_cross(Xc, Yc)]
                else:  # the block's Gram goes straight into the total (one p × p array in memory)
                    acc[3] = dsyrk(1.0, Xc.T, beta=1.0, c=acc[3], trans=0, lower=0, overwrite_c=1)
                    merge_into(acc, (W, x_mean, y_mean, None, *_cross(Xc, Yc)))
            bar.update()
    return finish_stats(acc, x_ref, y_ref)


def uncentered(stats):
    """The statistics without intercept (``XᵀSX``, ``XᵀSy``, ``yᵀSy``, zero means) from centered ones.

    ``G + W·x̄x̄ᵀ``: exact up to rounding relative to the result, as a
    direct ``XᵀX`` would be.
    """
    W, x_mean, y_mean = stats["W"], stats["x_mean"], stats["y_mean"]
    return {"W": W, "x_mean": np.zeros_like(x_mean), "y_mean": np.zeros_like(y_mean),
            "G": stats["G"] + W * np.outer(x_mean, x_mean), "q": stats["q"] + W * np.outer(x_mean, y_mean),
            "yy": stats["yy"] + W * y_mean * y_mean}


# --------------------------------------------------------------------------- solvers on the statistics


def ridge_from_stats(G, Q, alpha, positive, penalty_factor=None):
    """``(G + αI)W = Q`` (all targets): Cholesky, or the minimum-norm solution when singular.

    ``penalty_factor`` ``f``: ``(G + α·diag(f))W = Q`` over the features with
    finite ``f``, the others (``f = inf``) exactly 0. ``positive``: NNLS
    (:func:`nnls_gram`).
    """
    if penalty_factor is not None:
        keep = np.flatnonzero(np.isfinite(penalty_factor))
        W = np.zeros((G.shape[0], Q.shape[1]))
        if keep.size:
            A = G[np.ix_(keep, keep)]
            A.flat[:: keep.size + 1] += alpha * penalty_factor[keep]
            W[keep] = ridge_from_stats(A, Q[keep], 0.0, positive)
        return W
    p = G.shape[0]

    def shifted():  # a new G + αI, Fortran-ordered: LAPACK then overwrites it instead of copying it again
        A = np.array(G, order="F")
        A.flat[:: p + 1] += alpha
        return A

    if positive:
        A = shifted()
        return np.column_stack([nnls_gram(A, Q[:, k]) for k in range(Q.shape[1])])
    try:
        c, lower = la.cho_factor(shifted(), check_finite=False, overwrite_a=True)
        diag = np.abs(np.diagonal(c))
        # A singular (rank-deficient least squares) can still factor, with
        # tiny pivots: then take the minimum-norm solution instead.
        if diag.min() ** 2 > 1e3 * p * np.finfo(float).eps * diag.max() ** 2:
            return la.cho_solve((c, lower), Q, check_finite=False)
        del c
    except la.LinAlgError:
        pass
    lam, V = la.eigh(shifted(), check_finite=False, overwrite_a=True)
    keep = lam > p * np.finfo(float).eps * max(lam.max(), 0.0)
    V = V[:, keep]
    return V @ ((V.T @ Q) / lam[keep][:, None])


def nnls_gram(A, b):
    """``min ‖Mw − c‖`` s.t. ``w ≥ 0`` with ``MᵀM = A``, ``Mᵀc = b``: NNLS on a square root of the Gram."""
    lam, V = la.eigh(A, check_finite=False)
    keep = lam > A.shape[0] * np.finfo(float).eps * max(lam.max(), 0.0)
    root = np.sqrt(lam[keep])
    M = root[:, None] * V[:, keep].T
    c = (V[:, keep].T @ b) / root
    w, _ = nnls(M, c, maxiter=50 * A.shape[0])
    return w


def bvls_gram(G, q, lower, upper):
    """``argmin ½vᵀGv − qᵀv`` within ``[lower, upper]``: BVLS on a square root of the Gram ``G`` (small, PSD).

    One right-hand side of :func:`fastreg.solvers._linalg.bounded_gram_lstsq`.
    """
    return bounded_gram_lstsq(G, lower, upper)(q)


def ridge_coef(stats, alphas, positive, penalty_factor=None):
    """Ridge ``Σsᵢrᵢ² + α·Σfⱼwⱼ²`` of every target: ``W`` (p, k); ``alphas`` a float or one per target.

    One factorization per distinct α (:func:`ridge_from_stats`); ``α = 0``
    is least squares (minimum norm when singular). Another number of α is a
    ``ValueError`` (:func:`fastreg.solvers.ridge.target_alphas`).
    """
    G, Q = stats["G"], stats["q"]
    k = Q.shape[1]
    alphas = np.broadcast_to(target_alphas(alphas, k), (k,))
    W = np.empty((G.shape[0], k))
    for value in np.unique(alphas):
        cols = alphas == value
        W[:, cols] = ridge_from_stats(G, Q[:, cols], float(value), positive, penalty_factor)
    return W


def coef_and_intercept(W, stats, fit_intercept):
    """``W`` (p, k) → ``coef`` (k, p) and ``intercept`` (k,)."""
    intercept = intercept_of(W, stats["x_mean"], stats["y_mean"], fit_intercept)
    return np.ascontiguousarray(W.T), intercept


def enet_from_stats(stats, alpha, l1_ratio, *, fit_intercept, tol, max_iter, penalty, coef_init=None, seed=-1):
    """Lasso/ElasticNet of every target by covariance coordinate descent on the statistics.

    The objective is scikit-learn's, ``(1/(2W)) Σ sᵢrᵢ² + penalty``
    (:func:`fastreg.solvers.gram_cd.enet_gram_cd` with ``n = W``).
    ``coef_init``: None, (p,) or (k, p). Returns one
    ``(w, intercept, gap, n_iter, converged)`` per target.
    """
    inits = None if coef_init is None else np.atleast_2d(coef_init)
    results = []
    for j in range(stats["q"].shape[1]):
        w, gap, n_iter, converged = enet_gram_cd(
            stats["G"], stats["q"][:, j], stats["yy"][j], stats["W"], alpha, l1_ratio,
            tol=tol, max_iter=max_iter, penalty=penalty, coef_init=None if inits is None else inits[j], seed=seed,
        )
        results.append((w, intercept_of(w, stats["x_mean"], stats["y_mean"][j], fit_intercept), gap, n_iter,
                        converged))
    return results


def enet_gap(stats, j, w, alpha, l1_ratio, penalty):
    """ElasticNet's duality gap over ``W`` (scikit-learn's ``dual_gap_``) at ``w`` for target ``j``."""
    G, q, W = stats["G"], stats["q"][:, j], stats["W"]
    h = q - G @ w  # X̃ᵀR
    R_norm2, R_dot_y = gram_residual_stats(q, h, w, stats["yy"][j])
    l1, l2 = alpha * l1_ratio * W, alpha * (1.0 - l1_ratio) * W
    return penalty.gap(R_norm2, R_dot_y, h, w, l1, l2, np.diagonal(G).copy()) / W
