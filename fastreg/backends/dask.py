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
  ``q = X_cᵀy_c`` and ``‖y_c‖²``, centered on the block's own means — and a
  tree of tasks merges them with Chan's parallel-variance update; the rules
  (and why they keep every digit) are :mod:`fastreg.solvers.stats`', shared
  with the estimators' streamed route for memory-mapped ``X``. Then
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
from scipy.sparse.linalg import LinearOperator, eigsh
from sklearn.exceptions import ConvergenceWarning

from .. import _policy
from ..kernels.chunk import gradient_chunk
from ..penalty import make_penalty
from ..solvers.cd import stack_targets
from ..solvers.fista import CenteredPass, fista_loop
from ..solvers.ridge import target_alphas
from ..solvers.stats import block_stats, enet_from_stats, finish_stats, merge_stats
from ..solvers.stream import lstsq_from_stats, ridge_from_stats_fit

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


# --------------------------------------------------------------------------- engine 1: statistics


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
        dask.delayed(block_stats, pure=True)(xb, yb, sb, fit_intercept, x_ref, y_ref) for xb, yb, sb in zip(xs, ys, ss)
    ]
    fan_in = int(np.clip(_MERGE_BYTES // (8 * p * p), 2, _FAN_IN))
    (result,) = dask.compute(_tree_reduce(parts, merge_stats, fan_in))
    return finish_stats(result, x_ref, y_ref)


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
    return lstsq_from_stats(stats, fit_intercept=fit_intercept, positive=positive, single=y.ndim == 1)


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
    alphas = np.broadcast_to(target_alphas(alpha, k), (k,))
    if p <= _policy.DASK_GRAM_MAX_FEATURES or solver == "cholesky":
        stats = _stats(X, y, sample_weight, fit_intercept)
        coef, intercept, _, ran = ridge_from_stats_fit(stats, alphas, fit_intercept=fit_intercept, positive=positive,
                                                       penalty_factor=penalty_factor, single=y.ndim == 1)
        return coef, intercept, np.ones(k, dtype=np.int32), ran
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
    inits = None if coef_init is None else np.atleast_2d(coef_init)
    if _policy.dask_uses_gram(p, solver):
        stats = _stats(X, y, sample_weight, fit_intercept)
        results = enet_from_stats(stats, alpha, l1_ratio, fit_intercept=fit_intercept, tol=tol, max_iter=max_iter,
                                  penalty=penalty, coef_init=inits)
        used = "gram"
    else:
        if sample_weight is not None:
            raise NotImplementedError(
                "sample_weight with the FISTA engine on dask arrays (solver='fista' or "
                "p > fastreg._policy.DASK_GRAM_MAX_FEATURES) is not supported; use solver='cd' for p small enough"
            )
        results = []
        for j in range(k):
            op = _DaskCenteredPass(X, y if y.ndim == 1 else y[:, j], fit_intercept)
            results.append(
                fista_loop(op, alpha, l1_ratio, tol=tol, max_iter=max_iter, penalty=penalty,
                           coef_init=None if inits is None else inits[j])
            )
        used = "fista"
    if y.ndim == 1:
        return (*results[0], used)
    return (*stack_targets(results), used)


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
