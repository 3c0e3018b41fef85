"""scikit-learn's multi-task ElasticNet path (``enet_path``/``lasso_path`` with 2-D ``y``).

Objective at each α (scikit-learn's, weights normalized to sum to ``n``)::

    (1/2n)‖D(Y − XW − 1bᵀ)‖²_F + αρ·Σⱼ‖Wⱼ‖₂ + (α(1 − ρ)/2)‖W‖²_F

``b`` only when centering (scikit-learn's ``X_offset`` for sparse ``X``).
Solved by cyclic (or random-order) block coordinate descent
(:mod:`fastreg.kernels.multitask`), warm-started along the path and stopped
on scikit-learn's multi-task duality gap, with fastreg's tighter stop
(:func:`fastreg.solvers.cd.stopping_gap`).
"""

import math

import numpy as np
import scipy.sparse as sp

from .._preprocess import scale_rows_sparse, weighted_offsets
from .._convert import to_csc
from ..exceptions import DivergenceError
from ..kernels.multitask import mt_epoch_csc, mt_epoch_dense
from .cd import stopping_gap

# Epochs between two gap evaluations (a gap costs about an epoch).
_GAP_EVERY = 5


class _DenseTask:
    """``X̃ = D(X − x̄)`` as a float64 Fortran-ordered copy; the residual ``R`` itself."""

    def __init__(self, X, x_mean, d):
        Xt = np.subtract(X, x_mean, dtype=np.float64)
        if d is not None:
            Xt *= d[:, None]
        self.XT = np.asfortranarray(Xt).T  # (p, n), C-ordered
        self.norms = np.einsum("ij,ij->i", self.XT, self.XT)

    def start(self, Yt, W):
        self.R = np.ascontiguousarray(Yt - self.XT.T @ W)

    def epoch(self, W, l1, l2, order):
        mt_epoch_dense(self.XT, W, self.R, self.norms, l1, l2, order)

    def residual(self):
        return self.R

    def xtr(self, R):
        return self.XT @ R

    def xty(self, Yt):
        return self.XT @ Yt


class _SparseTask:
    """``X̃ = Z − d·cᵀ`` with ``Z = DX`` in CSC, never formed (see :mod:`fastreg.kernels.multitask`)."""

    def __init__(self, X, x_mean, d):
        n, p = X.shape
        self.Z = to_csc(X) if d is None else scale_rows_sparse(X, d, "csc")
        self.Z = self.Z.astype(np.float64) if self.Z.dtype != np.float64 else self.Z
        self.d = np.ones(n) if d is None else np.ascontiguousarray(d, dtype=np.float64)
        self.c = np.ascontiguousarray(x_mean, dtype=np.float64)
        self.dd = float(self.d @ self.d)
        self.zd = np.asarray(self.Z.T @ self.d, dtype=np.float64).ravel()
        sq = np.asarray(self.Z.multiply(self.Z).sum(axis=0), dtype=np.float64).ravel()
        self.norms = np.maximum(sq - 2.0 * self.c * self.zd + self.c * self.c * self.dd, 0.0)

    def start(self, Yt, W):
        self.r = np.ascontiguousarray(Yt - np.asarray(self.Z @ W))
        self.u = self.c @ W
        self.dtr = self.d @ self.r

    def epoch(self, W, l1, l2, order):
        Z = self.Z
        mt_epoch_csc(Z.data, Z.indices, Z.indptr, self.d, self.zd, self.c, self.dd, W, self.r, self.dtr, self.u,
                     self.norms, l1, l2, order)

    def residual(self):
        return self.r + np.outer(self.d, self.u)

    def xtr(self, R):
        return np.asarray(self.Z.T @ R) - np.outer(self.c, self.d @ R)

    def xty(self, Yt):
        return self.xtr(Yt)


def multitask_gap(R, XtR, W, Yt, l1, l2):
    """scikit-learn's multi-task ElasticNet duality gap and the primal objective (both unscaled by ``n``)."""
    XtA = XtR - l2 * W
    dual_norm = float(np.sqrt(np.max(np.einsum("ij,ij->i", XtA, XtA), initial=0.0)))
    R_norm2 = float(np.vdot(R, R))
    w_norm2 = float(np.vdot(W, W))
    l21 = float(np.sum(np.sqrt(np.einsum("ij,ij->i", W, W))))
    if dual_norm > l1:
        const = l1 / dual_norm
        gap = 0.5 * (R_norm2 + R_norm2 * const**2)
    else:
        const = 1.0
        gap = R_norm2
    gap += l1 * l21 - const * float(np.vdot(R, Yt)) + 0.5 * l2 * (1.0 + const**2) * w_norm2
    return gap, 0.5 * R_norm2 + l1 * l21 + 0.5 * l2 * w_norm2


class MultiTaskProblem:
    """The weighted, centered multi-task data, ready for a path (the engine :func:`fastreg.enet_path` uses).

    ``X`` float32/float64 dense or sparse (validated), ``Y`` (n, k) float64;
    ``fit_intercept`` centers both (implicitly for sparse ``X``);
    ``sample_weight`` None or (n,), normalized here to sum to ``n``.
    """

    def __init__(self, X, Y, fit_intercept, sample_weight=None):
        n = X.shape[0]
        s = None if sample_weight is None else sample_weight * (n / float(np.sum(sample_weight)))
        d = None if s is None else np.sqrt(s)
        x_mean, y_mean = weighted_offsets(X, Y, s, fit_intercept)
        Yt = Y - y_mean
        if d is not None:
            Yt = Yt * d[:, None]
        self.n, self.Yt, self.dtype = n, Yt, X.dtype
        self.task = _SparseTask(X, x_mean, d) if sp.issparse(X) else _DenseTask(X, x_mean, d)

    def alpha_max(self, l1_ratio, penalty=None):
        """scikit-learn's ``αmax = max‖X̃ⱼᵀỸ‖₂/(nρ)``: every row of ``W`` zero from there."""
        q = self.task.xty(self.Yt)
        return float(np.sqrt(np.max(np.einsum("ij,ij->i", q, q), initial=0.0))) / (self.n * l1_ratio)

    def path(self, alphas, l1_ratio, *, tol, max_iter, coef_init=None, bar=None, seed=-1):
        """Fit every α of ``alphas`` (decreasing), warm-started.

        Returns ``coefs`` (k, p, n_alphas) in ``X``'s dtype, the gaps divided
        by ``n``, the epochs per α and how many α did not reach ``tol``.
        """
        task, Yt, n = self.task, self.Yt, self.n
        p, k = task.norms.shape[0], Yt.shape[1]
        y_norm2 = float(np.vdot(Yt, Yt))
        rng = np.random.default_rng(seed) if seed >= 0 else None
        W = np.zeros((p, k)) if coef_init is None else np.ascontiguousarray(coef_init.T, dtype=np.float64)
        coefs = np.empty((k, p, alphas.shape[0]), dtype=self.dtype)
        gaps = np.empty(alphas.shape[0])
        n_iters = []
        unconverged = 0
        task.start(Yt, W)
        cyclic = np.arange(p, dtype=np.int64)
        for a, alpha in enumerate(alphas):
            l1 = alpha * l1_ratio * n
            l2 = alpha * (1.0 - l1_ratio) * n
            epochs = 0
            while True:
                R = task.residual()
                gap, primal = multitask_gap(R, task.xtr(R), W, Yt, l1, l2)
                if not math.isfinite(gap):
                    raise DivergenceError(
                        "Coordinate descent iterations resulted in non-finite parameter values (overflow: the "
                        "values of X or y are too large for float64); rescale X and y"
                    )
                if gap <= stopping_gap(tol, tol * y_norm2, y_norm2, primal) or epochs >= max_iter:
                    break
                for _ in range(min(_GAP_EVERY, max_iter - epochs)):
                    task.epoch(W, l1, l2, cyclic if rng is None else rng.permutation(p))
                    epochs += 1
            unconverged += gap > tol * y_norm2
            coefs[:, :, a] = W.T
            gaps[a] = gap / n
            n_iters.append(epochs)
            if bar is not None:
                bar.update()
        return coefs, gaps, n_iters, unconverged
