"""The Dask adapter: fit dask arrays exactly, on any Dask scheduler, in memory bounded by chunks.

A backend: the estimators of :mod:`fastreg.linear_model` call
:func:`check_input`, then :func:`fit_lstsq`, :func:`fit_ridge` or
:func:`fit_enet`, and :func:`predict` here when ``X`` is a
:class:`dask.array.Array`, and store the plain results they return with the
same code as an in-memory fit; this module knows no estimator. It is
imported only for dask input, so fastreg imports without Dask installed
(``pip install 'fastreg[dask]'`` adds it).

Two exact engines, both on Dask's own scheduler (``dask.compute``: a
``distributed.Client`` when one is active, else the threaded scheduler):

* **Sufficient statistics** (``p ≤`` :data:`fastreg._policy.DASK_GRAM_MAX_FEATURES`): one pass over the
  row blocks. Each task reduces its block to its centered statistics — the
  (weighted) count ``W``, means ``x̄``, ``ȳ``, ``G = X_cᵀX_c`` (BLAS ``syrk``),
  ``q = X_cᵀy_c`` and ``‖y_c‖²`` — centered on the block's *own* means
  (after shifting every block by one fixed reference row, the first row of
  ``X`` and ``y``, so the means are small offsets that keep their digits), and
  a tree of tasks merges them with the parallel-variance (Chan et al.) update
  ``G = G_a + G_b + (W_a W_b / W) δδᵀ``, ``δ = x̄_b − x̄_a``. No step subtracts
  ``n·x̄x̄ᵀ`` from a raw ``XᵀX``, so large column means cost no digits
  (means 10⁶ ± 1: 3e-16 relative error in ``G``, against 4e-3 for
  ``XᵀX − n x̄x̄ᵀ``). Then
  the exact solver runs on the client: Ridge by Cholesky on ``G + αI``,
  LinearRegression by Cholesky (or an eigendecomposition when ``G`` is
  singular: the minimum-norm solution), Lasso and ElasticNet by
  covariance-form coordinate descent (:func:`fastreg.solvers.gram_cd.enet_gram_cd`),
  ``positive=True`` by NNLS on a factor of the Gram.
* **Proximal gradient** (more features, or ``solver="fista"``):
  the FISTA loop of :mod:`fastreg.solvers.fista`, each gradient one fused
  pass per block (:func:`fastreg.kernels.chunk.gradient_chunk`, ``[Σr, Xᵀr]``
  and ``Σr²``) summed by a tree of tasks. The intercept is eliminated as in
  memory, so it reaches the same optimum. Lasso, ElasticNet and Ridge.

Memory: a task holds one row block of ``X`` (all columns; ``X`` is rechunked
to full rows), a float64 centered copy of it, and one ``p × p`` Gram. The
client holds the Gram (engine 1) or a few vectors of length ``p`` (engine 2).

Threads: the kernels run inside tasks are serial numba functions with
``nogil`` and no ``prange`` — Dask parallelizes across blocks — so no task
enters numba's threading layer (whose default ``workqueue`` layer aborts the
process when parallel kernels are entered from several threads at once) and
nothing is oversubscribed. BLAS (the ``syrk`` of each block) is limited to one
thread per worker process by Dask's nanny; with a threaded in-process cluster
(``processes=False``) set ``OMP_NUM_THREADS=1`` yourself if the cores are
busy. The client-side solves run serially too.
"""

import math
import warnings

import dask
import dask.array as da
import numpy as np
import scipy.linalg as la
from scipy.linalg.blas import dsyr, dsyrk
from scipy.optimize import nnls
from scipy.sparse.linalg import LinearOperator, eigsh
from sklearn.exceptions import ConvergenceWarning

from .. import _policy
from .._preprocess import intercept_of
from ..kernels.chunk import gradient_chunk
from ..penalty import make_penalty
from ..solvers.fista import CenteredPass, fista_loop
from ..solvers.gram_cd import enet_gram_cd

__all__ = ["check_input", "fit_lstsq", "fit_ridge", "fit_enet", "predict", "sufficient_stats", "is_dask_array"]
# Statistics merged per reduction task; fewer when Grams are large, so that a
# merge task holds at most about this many bytes of Grams.
_FAN_IN = 8
_MERGE_BYTES = 512 * 2**20


def is_dask_array(X):
    """Whether ``X`` is a dask array (without importing Dask if it is not loaded)."""
    return isinstance(X, da.Array)


# --------------------------------------------------------------------------- input


def check_input(X, y, sample_weight):
    """Validate shapes and dtypes lazily; return ``X`` in full-row blocks and ``y``, weights aligned.

    ``y`` and ``sample_weight`` may be NumPy or dask arrays. Values (NaN, inf,
    negative weights) are checked inside the tasks and on the reduced
    statistics, since they cannot be seen without computing.
    """
    if X.ndim != 2:
        raise ValueError(f"Expected a 2-D dask array for X, got {X.ndim} dimension(s)")
    if any(math.isnan(c) for c in X.shape):
        raise ValueError("X has unknown chunk sizes; call X.compute_chunk_sizes() first")
    n, p = X.shape
    if n < 1 or p < 1:
        raise ValueError(f"X has shape {X.shape}: at least one sample and one feature are needed")
    if not (np.issubdtype(X.dtype, np.number) or X.dtype == bool) or np.issubdtype(X.dtype, np.complexfloating):
        raise TypeError(f"X must hold real numbers, got dtype {X.dtype}")
    X = X.rechunk({1: -1})  # every task sees whole rows
    row_chunks = X.chunks[0]
    y = _align(y, "y", n, row_chunks)
    if y.ndim not in (1, 2):
        raise ValueError(f"y must be 1-D or 2-D, got {y.ndim} dimensions")
    if sample_weight is not None:
        if np.ndim(sample_weight) == 0:
            sample_weight = da.full(n, float(sample_weight), chunks=(row_chunks,))
        sample_weight = _align(sample_weight, "sample_weight", n, row_chunks)
        if sample_weight.ndim != 1:
            raise ValueError("sample_weight must be 1-D")
    return X, y, sample_weight


def _align(v, name, n, row_chunks):
    if not isinstance(v, da.Array):
        v = np.asarray(v)
        if v.shape[:1] != (n,):
            raise ValueError(f"{name} has {v.shape[0] if v.ndim else 0} rows, X has {n}")
        return da.from_array(v, chunks=(row_chunks,) + tuple((s,) for s in v.shape[1:]))
    if any(math.isnan(c) for c in v.shape):
        raise ValueError(f"{name} has unknown chunk sizes; call .compute_chunk_sizes() first")
    if v.shape[:1] != (n,):
        raise ValueError(f"{name} has {v.shape[0] if v.ndim else 0} rows, X has {n}")
    if not np.issubdtype(v.dtype, np.number):
        raise TypeError(f"{name} must be numeric, got dtype {v.dtype}")
    return v.rechunk((row_chunks,) + tuple((s,) for s in v.shape[1:]))


def _blocks(X, *others):
    """Row blocks of ``X`` and of each other array (or None), as lists of delayed objects."""
    xs = list(X.to_delayed().ravel())
    out = [xs]
    for v in others:
        if v is None:
            out.append([None] * len(xs))
        else:
            out.append(list(v.to_delayed().ravel()))
    return out


def _tree_reduce(parts, combine, fan_in):
    while len(parts) > 1:
        parts = [dask.delayed(combine, pure=True)(*parts[i : i + fan_in]) for i in range(0, len(parts), fan_in)]
    return parts[0]


def _as_float(X):
    X = np.asarray(X)
    if X.dtype not in (np.float32, np.float64):
        X = X.astype(np.float64)
    return X


def _check_weights(s):
    s = np.asarray(s, dtype=np.float64).ravel()
    if not np.all(np.isfinite(s)) or np.any(s < 0):
        raise ValueError("sample_weight must be finite and non-negative")
    return s


# --------------------------------------------------------------------------- engine 1: statistics


def _block_stats(X, y, sw, fit_intercept, x_ref, y_ref):
    """Centered statistics of one row block, ``(W, x̄ − x_ref, ȳ − y_ref, G, q, ‖y_c‖²)``, or None.

    ``G`` is the upper triangle only (BLAS ``syrk``); None for an empty block or zero weights.

    With an intercept the block is first shifted by the fixed reference row
    ``(x_ref, y_ref)`` (the same for every block): the shifted values are
    exact when the data sit near it, and the means Chan's merge subtracts are
    then small offsets that keep all their digits.
    """
    X = np.asarray(X, dtype=np.float64)
    Y = np.asarray(y, dtype=np.float64)
    Y = Y[:, None] if Y.ndim == 1 else Y
    nb, p = X.shape
    s = None if sw is None else _check_weights(sw)
    W = float(nb) if s is None else float(s.sum())
    if nb == 0 or W == 0.0:
        return None
    if fit_intercept:
        # Two-pass means: NumPy sums C-ordered columns naively (error ~ nb·eps·|x̄|),
        # and Chan's merge turns mean errors into Gram errors; the correction
        # pass over the shifted copy brings the means to ~eps·|x̄|.
        Xc, x_mean = _center_two_pass(X, x_ref, s, W)
        Yc, y_mean = _center_two_pass(Y, y_ref, s, W)
    else:
        x_mean, y_mean = np.zeros(p), np.zeros(Y.shape[1])
        Xc = X if s is None else X.copy()
        Yc = Y
    if s is not None:
        d = np.sqrt(s)
        Xc *= d[:, None]
        Yc = Yc * d[:, None]
    Xc = np.ascontiguousarray(Xc)
    G = dsyrk(1.0, Xc.T, trans=0, lower=0)  # Xcᵀ Xc, upper triangle, Fortran order
    q = Xc.T @ Yc
    yy = np.einsum("ij,ij->j", Yc, Yc)
    return W, x_mean, y_mean, G, q, yy


def _center_two_pass(A, ref, s, W):
    """``(A − ref − m, m)``: ``m`` the (weighted) column means of ``A − ref``, refined by a second pass."""
    Ac = A - ref  # a float64 copy
    m = Ac.mean(axis=0) if s is None else (s @ Ac) / W
    Ac -= m
    fix = Ac.mean(axis=0) if s is None else (s @ Ac) / W
    Ac -= fix
    return Ac, m + fix


def _merge_stats(*parts):
    """Chan's parallel update of centered statistics (upper triangles of ``G``)."""
    parts = [part for part in parts if part is not None]
    if not parts:
        return None
    W, x_mean, y_mean, G, q, yy = parts[0]
    x_mean, y_mean, q, yy = x_mean.copy(), y_mean.copy(), q.copy(), yy.copy()
    G = np.array(G, order="F", copy=True)  # inputs are never modified (a task may be re-run)
    for Wb, xb, yb, Gb, qb, yyb in parts[1:]:
        total = W + Wb
        dx = xb - x_mean
        dy = yb - y_mean
        f = W * Wb / total
        G += Gb
        if f != 0.0 and np.any(dx):
            G = dsyr(f, dx, lower=0, a=G, overwrite_a=1)
        q += qb + f * np.outer(dx, dy)
        yy += yyb + f * dy * dy
        x_mean += dx * (Wb / total)
        y_mean += dy * (Wb / total)
        W = total
    return W, x_mean, y_mean, G, q, yy


def sufficient_stats(X, y, *, sample_weight=None, fit_intercept=True):
    """Reduce dask arrays to centered sufficient statistics in one pass over ``X``.

    Parameters
    ----------
    X : dask array (n, p)
    y : dask or NumPy array (n,) or (n, k)
    sample_weight : None or array (n,)
    fit_intercept : bool
        Without it nothing is centered (means are zero).

    Returns
    -------
    dict with ``W`` (sum of weights, or n), ``x_mean`` (p,), ``y_mean`` (k,),
    ``G`` (p, p) = X̃ᵀX̃, ``q`` (p, k) = X̃ᵀỹ, ``yy`` (k,) = ‖ỹ‖², where
    ``X̃ = D(X − x̄)``, ``ỹ = D(y − ȳ)``, ``D = diag(√s)``.
    """
    X, y, sample_weight = check_input(X, y, sample_weight)
    return _stats(X, y, sample_weight, fit_intercept)


def _stats(X, y, sample_weight, fit_intercept):
    p = X.shape[1]
    x_ref, y_ref = np.zeros(p), np.zeros(1 if y.ndim == 1 else y.shape[1])
    if fit_intercept:  # the first row (computes only the first block)
        x_ref, y_ref = (np.asarray(v, dtype=np.float64).ravel() for v in dask.compute(X[0], y[0]))
    xs, ys, ss = _blocks(X, y, sample_weight)
    parts = [
        dask.delayed(_block_stats, pure=True)(xb, yb, sb, fit_intercept, x_ref, y_ref) for xb, yb, sb in zip(xs, ys, ss)
    ]
    fan_in = int(np.clip(_MERGE_BYTES // (8 * p * p), 2, _FAN_IN))
    (result,) = dask.compute(_tree_reduce(parts, _merge_stats, fan_in))
    if result is None:
        raise ValueError("sample_weight sums to zero: no sample has a positive weight")
    W, x_mean, y_mean, G, q, yy = result
    x_mean, y_mean = x_ref + x_mean, y_ref + y_mean
    G = np.triu(G)
    G += np.triu(G, 1).T
    stats = {"W": W, "x_mean": x_mean, "y_mean": y_mean, "G": np.ascontiguousarray(G), "q": q, "yy": yy}
    if not all(np.all(np.isfinite(v)) for v in stats.values()):
        raise ValueError("Input X or y contains NaN or infinity (or overflows float64)")
    return stats


def _ridge_from_stats(G, Q, alpha, positive, penalty_factor=None):
    """``(G + αI)W = Q`` (all targets): Cholesky, or the minimum-norm solution when singular.

    ``penalty_factor`` ``f``: ``(G + α·diag(f))W = Q`` over the features with
    finite ``f``, the others (``f = inf``) exactly 0.
    """
    if penalty_factor is not None:
        keep = np.flatnonzero(np.isfinite(penalty_factor))
        W = np.zeros((G.shape[0], Q.shape[1]))
        if keep.size:
            A = G[np.ix_(keep, keep)]
            A.flat[:: keep.size + 1] += alpha * penalty_factor[keep]
            W[keep] = _ridge_from_stats(A, Q[keep], 0.0, positive)
        return W
    p = G.shape[0]
    A = G.copy()
    A.flat[:: p + 1] += alpha
    if positive:
        return np.column_stack([_nnls_gram(A, Q[:, k]) for k in range(Q.shape[1])])
    try:
        c, lower = la.cho_factor(A, check_finite=False)
        diag = np.abs(np.diagonal(c))
        # A singular (rank-deficient least squares) can still factor, with
        # tiny pivots: then take the minimum-norm solution instead.
        if diag.min() ** 2 > 1e3 * p * np.finfo(float).eps * diag.max() ** 2:
            return la.cho_solve((c, lower), Q, check_finite=False)
    except la.LinAlgError:
        pass
    lam, V = la.eigh(A, check_finite=False)
    keep = lam > p * np.finfo(float).eps * max(lam.max(), 0.0)
    V = V[:, keep]
    return V @ ((V.T @ Q) / lam[keep][:, None])


def _nnls_gram(A, b):
    """``min ‖Mw − c‖`` s.t. ``w ≥ 0`` with ``MᵀM = A``, ``Mᵀc = b``: NNLS on a square root of the Gram."""
    lam, V = la.eigh(A, check_finite=False)
    keep = lam > A.shape[0] * np.finfo(float).eps * max(lam.max(), 0.0)
    root = np.sqrt(lam[keep])
    M = root[:, None] * V[:, keep].T
    c = (V[:, keep].T @ b) / root
    w, _ = nnls(M, c, maxiter=50 * A.shape[0])
    return w


# --------------------------------------------------------------------------- engine 2: FISTA


def _block_pass(X, y, theta, use_y):
    X = np.ascontiguousarray(_as_float(X))
    yv = np.ascontiguousarray(np.asarray(y, dtype=np.float64).ravel()) if use_y else np.empty(0)
    grad = np.empty(X.shape[1] + 1)
    sse = gradient_chunk(X, yv, theta, use_y, grad)
    return sse, grad


def _sum_pass(*parts):
    sse = sum(part[0] for part in parts)
    grad = parts[0][1].copy()
    for part in parts[1:]:
        grad += part[1]
    return sse, grad


def _block_moments(X, y):
    X = _as_float(X)
    yv = np.asarray(y, dtype=np.float64).ravel()
    n = X.shape[0]
    ym = float(yv.mean()) if n else 0.0
    return n, X.sum(axis=0, dtype=np.float64), ym, float(((yv - ym) ** 2).sum())


def _merge_moments(*parts):
    n, xs, ym, yy = parts[0]
    xs = xs.copy()
    for nb, xsb, ymb, yyb in parts[1:]:
        if nb == 0:
            continue
        total = n + nb
        dy = ymb - ym
        yy += yyb + (n * nb / total) * dy * dy
        ym += dy * (nb / total)
        xs += xsb
        n = total
    return n, xs, ym, yy


class _DaskCenteredPass(CenteredPass):
    """:class:`fastreg.solvers.fista.CenteredPass` whose fused pass is a sum of per-block passes."""

    def __init__(self, X, y, fit_intercept):
        n, p = X.shape
        self.n, self.n_features, self.fit_intercept = n, p, fit_intercept
        self._x_blocks, self._y_blocks = _blocks(X, y)
        moments = [dask.delayed(_block_moments, pure=True)(xb, yb) for xb, yb in zip(self._x_blocks, self._y_blocks)]
        (moments,) = dask.compute(_tree_reduce(moments, _merge_moments, _FAN_IN))
        _, x_sum, y_mean, yy = moments
        if not (np.all(np.isfinite(x_sum)) and math.isfinite(yy)):
            raise ValueError("Input X or y contains NaN or infinity (or overflows float64)")
        if fit_intercept:
            self.x_mean, self.y_mean = x_sum / n, y_mean
            self.y_norm2 = yy
        else:
            self.x_mean, self.y_mean = np.zeros(p), 0.0
            self.y_norm2 = yy + n * y_mean * y_mean
        self.y = self  # a marker: ``_residual_pass(w, self.y, b)`` uses y, anything else means y = 0
        self._theta = np.empty(p + 1)
        self._grad = np.empty(p + 1)
        self.n_passes = 0
        self._norms = None
        self._X = X

    def column_norms(self):
        """``‖X_cⱼ‖²``, one distributed reduction (the gap needs them for features without L1 weight)."""
        if self._norms is None:
            sq = np.asarray(dask.compute((self._X.astype(np.float64) ** 2).sum(axis=0))[0], dtype=np.float64)
            self._norms = np.maximum(sq - self.n * self.x_mean**2, 0.0)
        return self._norms

    def _residual_pass(self, w, y, offset):
        theta = np.empty(self.n_features + 1)
        theta[0] = offset
        theta[1:] = w
        theta_d = dask.delayed(theta)  # one key, shared by every block's task
        use_y = y is self.y
        parts = [
            dask.delayed(_block_pass, pure=True)(xb, yb, theta_d, use_y) for xb, yb in zip(self._x_blocks, self._y_blocks)
        ]
        (result,) = dask.compute(_tree_reduce(parts, _sum_pass, _FAN_IN))
        self.n_passes += 1
        sse, grad = result
        return sse, grad[1:] - self.x_mean * grad[0]

    def _normal_matvec(self, v):
        """``X_cᵀX_c v / n``: one distributed pass with ``y = 0``."""
        v = np.asarray(v, dtype=np.float64).ravel()
        offset = -float(self.x_mean @ v) if self.fit_intercept else 0.0
        _, hv = self._residual_pass(v, None, offset)
        return hv / self.n

    def lipschitz(self, *, tol=1e-6, seed=0):
        """Largest eigenvalue of ``X_cᵀX_c/n`` by Lanczos (one distributed pass per step).

        Each pass costs a scheduler round trip, so Lanczos (about 20–40
        passes) replaces the in-memory power iteration (often 100+).
        """
        p = self.n_features
        v0 = np.random.default_rng(seed).standard_normal(p)
        if p < 3:  # eigsh needs k < p: form the tiny matrix instead
            H = np.column_stack([self._normal_matvec(e) for e in np.eye(p)])
            return float(np.linalg.eigvalsh(0.5 * (H + H.T)).max())
        op = LinearOperator((p, p), matvec=self._normal_matvec, dtype=np.float64)
        lam = eigsh(op, k=1, which="LA", tol=tol, v0=v0, ncv=min(p, 20), return_eigenvectors=False)
        return max(float(lam[0]), 0.0)


# --------------------------------------------------------------------------- estimators


def _targets(y):
    return 1 if y.ndim == 1 else y.shape[1]


def fit_lstsq(X, y, sample_weight, *, fit_intercept, positive):
    """Least squares from the sufficient statistics: ``(coef, intercept)`` (minimum norm when singular)."""
    p = X.shape[1]
    if p > _policy.DASK_GRAM_MAX_FEATURES:
        raise NotImplementedError(
            f"LinearRegression on a dask array needs p <= fastreg._policy.DASK_GRAM_MAX_FEATURES "
            f"({_policy.DASK_GRAM_MAX_FEATURES}), got p = {p}; use Ridge with a small alpha"
        )
    stats = _stats(X, y, sample_weight, fit_intercept)
    W = _ridge_from_stats(stats["G"], stats["q"], 0.0, positive)
    return _squeeze(*_finish(W, stats, fit_intercept), y)


def _finish(W, stats, fit_intercept):
    """``W`` (p, k) → coef (k, p) and intercept (k,)."""
    intercept = intercept_of(W, stats["x_mean"], stats["y_mean"], fit_intercept)
    return np.ascontiguousarray(W.T), intercept


def _squeeze(coef, intercept, y):
    if y.ndim == 1:
        return coef[0], float(intercept[0])
    return coef, intercept


def fit_ridge(X, y, sample_weight, *, fit_intercept, positive, alpha, solver, tol, max_iter, penalty_factor=None):
    """Ridge: ``(coef, intercept, n_iter, solver)``; ``alpha`` a float or one value per target.

    ``solver`` is the fastreg solver the estimator maps its name to (scikit-learn's "svd", "sag", "saga" and
    "lbfgs" are "auto"). ``penalty_factor`` (checked, ``None`` for the uniform penalty): ``G + α·diag(f)``
    on the Gram engine, the per-feature L2 weights of the FISTA engine.
    """
    if solver not in ("auto", "cholesky"):
        raise NotImplementedError(f"Ridge on a dask array supports solver='auto' or 'cholesky', not {solver!r}")
    p = X.shape[1]
    k = _targets(y)
    alphas = np.broadcast_to(np.asarray(alpha, dtype=np.float64), (k,))
    if np.ndim(alpha) and np.shape(alpha)[0] not in (1, k):
        raise ValueError(f"Number of targets and number of penalties do not correspond: {np.shape(alpha)[0]} != {k}")
    if p <= _policy.DASK_GRAM_MAX_FEATURES or solver == "cholesky":
        stats = _stats(X, y, sample_weight, fit_intercept)
        W = np.empty((p, k))
        for value in np.unique(alphas):  # one factorization per distinct α
            cols = alphas == value
            W[:, cols] = _ridge_from_stats(stats["G"], stats["q"][:, cols], float(value), positive, penalty_factor)
        ran = "nnls" if positive else "cholesky"
        return (*_squeeze(*_finish(W, stats, fit_intercept), y), np.ones(k, dtype=np.int32), ran)
    # Too wide for a Gram: ‖r‖² + α‖w‖² = 2n·[(1/2n)‖r‖² + (α/2n)‖w‖²], ElasticNet with ρ = 0.
    if sample_weight is not None or positive:
        raise NotImplementedError(
            "Ridge on a dask array wider than fastreg._policy.DASK_GRAM_MAX_FEATURES (the FISTA engine) "
            "supports neither sample_weight nor positive=True"
        )
    n = X.shape[0]
    penalty, top, keep = None, 1.0, None
    if penalty_factor is not None:
        # Excluded features leave the (lazy) X: the penalty is then free of bounds, whose
        # duality gap at l1 = 0 the FISTA stopping rule cannot use. FISTA's step 1/(L + l2)
        # assumes L2 weights <= 1: the factors are divided by their largest, α multiplied by it.
        keep = np.flatnonzero(np.isfinite(penalty_factor))
        if keep.size == 0:  # every feature excluded: the intercept alone
            mean = np.atleast_1d(np.asarray(y.mean(axis=0).compute(), dtype=np.float64)) if fit_intercept else np.zeros(k)
            return (*_squeeze(np.zeros((k, p)), mean, y), np.ones(k, dtype=np.int32), "fista")
        X, factor = X[:, keep], penalty_factor[keep]
        top = float(factor.max()) if factor.max() > 0.0 else 1.0
        penalty = make_penalty(keep.size, penalty_factor=factor / top)
    coefs, intercepts, counts = [], [], []
    for j in range(k):
        op = _DaskCenteredPass(X, y if y.ndim == 1 else y[:, j], fit_intercept)
        w, b, _, n_iter, converged = fista_loop(
            op, alphas[j] * top / n, 0.0, tol=tol, max_iter=max_iter or 10_000, penalty=penalty, coef_init=None
        )
        if not converged:
            warnings.warn("Ridge (FISTA on dask) did not converge: increase max_iter or tol", ConvergenceWarning)
        if keep is not None:
            w_all = np.zeros(p)
            w_all[keep] = w
            w = w_all
        coefs.append(w)
        intercepts.append(b)
        counts.append(max(n_iter, 1))
    return (*_squeeze(np.array(coefs), np.array(intercepts), y), np.array(counts, dtype=np.int32), "fista")


def fit_enet(X, y, sample_weight, *, fit_intercept, alpha, l1_ratio, tol, max_iter, solver, penalty, coef_init=None):
    """Lasso/ElasticNet: ``(coef, intercept, gap, n_iter, converged, engine)``, per target for 2-D ``y``.

    ``engine`` is ``"gram"`` (the sufficient statistics, then covariance
    coordinate descent) or ``"fista"``; ``coef_init`` (k, p) or None.
    """
    if solver == "gd":
        raise NotImplementedError("solver='gd' (the seed's loop) does not support dask arrays; use 'auto', 'cd' or 'fista'")
    p = X.shape[1]
    k = _targets(y)
    results = []
    if _policy.dask_uses_gram(p, solver):
        stats = _stats(X, y, sample_weight, fit_intercept)
        for j in range(k):
            w, gap, n_iter, converged = enet_gram_cd(
                stats["G"], stats["q"][:, j], stats["yy"][j], stats["W"], alpha, l1_ratio,
                tol=tol, max_iter=max_iter, penalty=penalty,
                coef_init=None if coef_init is None else coef_init[j],
            )
            b = intercept_of(w, stats["x_mean"], stats["y_mean"][j], fit_intercept)
            results.append((w, b, gap, n_iter, converged))
        used = "gram"
    else:
        if sample_weight is not None:
            raise NotImplementedError(
                "sample_weight with the FISTA engine on dask arrays (solver='fista' or "
                "p > fastreg._policy.DASK_GRAM_MAX_FEATURES) is not supported; use solver='cd' for p small enough"
            )
        for j in range(k):
            op = _DaskCenteredPass(X, y if y.ndim == 1 else y[:, j], fit_intercept)
            results.append(
                fista_loop(op, alpha, l1_ratio, tol=tol, max_iter=max_iter, penalty=penalty,
                           coef_init=None if coef_init is None else coef_init[j])
            )
        used = "fista"
    coef, intercept, gap, n_iter, converged = (list(t) for t in zip(*results))
    if y.ndim == 1:
        return coef[0], intercept[0], gap[0], n_iter[0], converged[0], used
    return np.array(coef), np.array(intercept), np.array(gap), n_iter, np.array(converged), used


def predict(X, coef, intercept, *, name="the model"):
    """``X @ coefᵀ + intercept`` as a lazy dask array (one task per block of rows); ``coef`` (p,) or (k, p)."""
    if X.ndim != 2:
        raise ValueError(f"Expected a 2-D dask array for X, got {X.ndim} dimension(s)")
    coef = np.asarray(coef)
    p = coef.shape[-1]
    if X.shape[1] != p:
        raise ValueError(f"X has {X.shape[1]} features, but {name} is expecting {p} features as input")
    X = X.rechunk({1: -1})
    if coef.ndim == 1:
        return X.map_blocks(_predict_block, coef, intercept, drop_axis=1, dtype=coef.dtype)
    return X.map_blocks(
        _predict_block, coef.T, np.asarray(intercept), chunks=(X.chunks[0], (coef.shape[0],)), dtype=coef.dtype
    )


def _predict_block(X, coef, intercept):
    return np.asarray(X @ coef) + intercept
