"""ElasticNet by coordinate descent on the Gram matrix, for ``n ≥ p`` and for paths.

The centered Gram ``G = X_cᵀX_c`` and ``q = X_cᵀy_c`` are formed once; after
that no step reads ``X``: the full gradient ``X_cᵀR = q − Gw`` costs
``p·|support|``, the duality gap is scikit-learn's, written with
``‖R‖² = ‖y_c‖² − 2wᵀq + wᵀGw`` (see :mod:`fastreg.kernels.gram`). Along a
path the Gram is shared by every α, and by the folds of cross-validation via
:meth:`GramProblem.fold`.

The solver loop is :func:`fastreg.kernels.gram.enet_gram`, entirely in numba:
each outer iteration forms the full gradient, checks the gap, picks a working
set (the support plus the worst violators, as in :mod:`fastreg.solvers.cd`;
on the first iteration after a warm start also the sequential strong set
``|X_jᵀR(α_prev)| ≥ 2α − α_prev``), copies the Gram block of the working set
and runs coordinate descent on it until its gap is a fraction of the full one.

Dense ``X`` is centered explicitly (one float64 copy, freed once ``G`` is
formed), unless its column means are within their spreads: then
``G = XᵀX − n x̄x̄ᵀ`` straight from ``X`` loses no digits and saves the copy. Sparse ``X`` is centered implicitly, ``G = XᵀX − n x̄x̄ᵀ``, which loses
about ``2·log10(|x̄|/σ)`` digits; :func:`fastreg._policy.sparse_gram_is_accurate` tells the
caller when to prefer the residual solver instead.
"""

import math

import numba
import numpy as np
import scipy.sparse as sp

from .._preprocess import column_means, intercept_of, scale_rows_sparse, weighted_offsets
from ..kernels.gram import gram_csr
from ._columns import constant_columns, dense_means_and_constants
from .cd import stack_targets
from .gram_cd import enet_gram_cd, enet_gram_path_cd

# Per-thread p × p accumulators of the sparse Gram up to this many features (32 MB each).
_THREAD_GRAMS_MAX = 2000


class GramProblem:
    """``G = X_cᵀX_c``, ``q = X_cᵀy_c``, ``‖y_c‖²`` and the means, for one data set.

    Parameters
    ----------
    X : float32/float64 ndarray or scipy sparse matrix/array (validated)
    y : (n,) or (n, k) float64 ndarray
        With several targets, :meth:`target` gives each one's problem.
    fit_intercept : bool

    Attributes
    ----------
    constant : (p,) bool or None
        For dense ``X`` with an intercept, its exactly constant columns (found
        in the same pass as the means); ``None`` otherwise.
    """

    @classmethod
    def from_parts(cls, G, q, yy, x_mean, y_mean, n, fit_intercept):
        self = cls.__new__(cls)
        self.G, self.q, self.yy = np.ascontiguousarray(G), q, float(yy)
        self.x_mean, self.y_mean, self.n, self.fit_intercept = x_mean, float(y_mean), n, fit_intercept
        return self

    def __init__(self, X, y, fit_intercept):
        n, p = X.shape
        self.n = n
        self.fit_intercept = fit_intercept
        self.constant = None  # dense X with an intercept: the mask of its constant columns
        y_mean = y.mean(axis=0) if fit_intercept else np.zeros(y.shape[1:])
        y_c = y - y_mean
        if sp.issparse(X):
            x_mean = column_means(X) if fit_intercept else np.zeros(p)
            G = sparse_gram(X)
            if fit_intercept:
                G -= n * np.outer(x_mean, x_mean)
            q = np.asarray(X.T @ y_c, dtype=np.float64) - np.multiply.outer(x_mean, y_c.sum(axis=0))
        else:
            if fit_intercept:  # one pass for the means and the constant columns
                x_mean, self.constant = dense_means_and_constants(X)
            else:
                x_mean = np.zeros(p)
            if X.dtype == np.float64 and means_within_spread(X, x_mean):
                # No centered copy: G = XᵀX − n x̄x̄ᵀ loses no digits when
                # |x̄| ≤ σ (BLAS syrk reads X as it is, in either memory order).
                G = X.T @ X
                if fit_intercept:
                    G -= n * np.outer(x_mean, x_mean)
                q = X.T @ y_c - np.multiply.outer(x_mean, y_c.sum(axis=0))
            else:
                Xc = np.subtract(X, x_mean, dtype=np.float64)
                G = Xc.T @ Xc
                q = Xc.T @ y_c
                del Xc
        self.x_mean = x_mean
        self.G = np.ascontiguousarray(G)
        if y.ndim == 1:
            self.q, self.yy, self.y_mean = q, float(y_c @ y_c), float(y_mean)
        else:  # several targets: see target()
            self.q, self.yy, self.y_mean = q, np.einsum("ij,ij->j", y_c, y_c), y_mean

    def target(self, k):
        """The problem of target ``k`` of a 2-D ``y``, sharing this one's Gram."""
        return GramProblem.from_parts(self.G, self.q[:, k], self.yy[k], self.x_mean, self.y_mean[k], self.n, self.fit_intercept)

    def zero_columns(self, mask):
        """Give the columns of ``mask`` (constant ones) exactly zero Gram rows and correlations."""
        if np.any(mask):
            self.G[mask, :] = 0.0
            self.G[:, mask] = 0.0
            self.q[mask] = 0.0

    @property
    def norms(self):
        return np.diagonal(self.G)

    def intercept(self, w):
        return intercept_of(w, self.x_mean, self.y_mean, self.fit_intercept)


def means_within_spread(X, x_mean):
    """Whether every column mean is at most its spread (``|x̄_j| ≤ σ_j``), dense ``X``."""
    if not np.any(x_mean):
        return True
    n = X.shape[0]
    sq = np.einsum("ij,ij->j", X, X) / n
    return bool(np.all(x_mean**2 <= 0.5 * sq))  # x̄² ≤ σ² = E[x²] − x̄²


def sparse_gram(X):
    """Dense ``XᵀX`` (float64) of a sparse matrix (see :func:`fastreg.kernels.gram.gram_csr`).

    One accumulator per numba thread up to ``_THREAD_GRAMS_MAX`` features
    (each is a dense p × p), a single one beyond.
    """
    R = X.tocsr()
    if not R.has_canonical_format:
        R = R.copy()
        R.sum_duplicates()  # sorts the indices too
    p = X.shape[1]
    threads = numba.get_num_threads() if p <= _THREAD_GRAMS_MAX else 1
    acc = np.empty((threads, p, p))
    G = np.empty((p, p))
    gram_csr(R.data, R.indices, R.indptr, acc, G)
    return G


def gram_enet(problem, alpha, l1_ratio, *, tol=1e-6, max_iter=10_000, penalty=None, w=None, alpha_prev=None, seed=-1):
    """Solve ElasticNet at one α on a :class:`GramProblem`.

    Parameters
    ----------
    problem : GramProblem
    alpha : float >= 0
    l1_ratio : float in [0, 1]
    tol : float
        Stop when the duality gap is at most ``tol·‖y_c‖²`` (unscaled;
        scikit-learn's rule) and at most ``10⁻³·tol`` of the objective
        (see :func:`fastreg.solvers.cd.stopping_gap`).
    max_iter : int
        Maximum number of epochs over working sets.
    penalty : fastreg.penalty.Penalty or None
        Per-feature weights and bounds (None: uniform).
    w : (p,) float64 or None
        Warm start (not modified).
    alpha_prev : float or None
        The α the warm start solved, for the sequential strong rule.
    seed : int, default=-1
        ``≥ 0``: random coordinate order from this seed (``selection="random"``).

    Returns
    -------
    w : (p,) float64
    gap : float
        Duality gap divided by ``n`` (scikit-learn's ``dual_gap_``).
    n_iter : int
    converged : bool
    """
    return enet_gram_cd(
        problem.G, problem.q, problem.yy, problem.n, alpha, l1_ratio,
        tol=tol, max_iter=max_iter, penalty=penalty, coef_init=w, alpha_prev=alpha_prev, seed=seed,
    )


def gram_path(problem, alphas, l1_ratio, *, tol=1e-6, max_iter=10_000, penalty=None, w=None, alpha_prev=None, seed=-1):
    """The α of a path on a :class:`GramProblem` that :func:`enet_gram_path_cd` solves in one numba loop."""
    return enet_gram_path_cd(
        problem.G, problem.q, problem.yy, problem.n, alphas, l1_ratio,
        tol=tol, max_iter=max_iter, penalty=penalty, coef_init=w, alpha_prev=alpha_prev, seed=seed,
    )


def enet_gram_solve(
    X, y, alpha, l1_ratio=1.0, *, fit_intercept=True, tol=1e-9, max_iter=10_000, penalty=None, coef_init=None,
    sample_weight=None, gram=None, seed=-1,
):
    """ElasticNet by coordinate descent on the Gram matrix: the estimators' ``solver="gram"``.

    ``G = X_cᵀX_c`` is formed once (for every target of a 2-D ``y``), then
    each target is solved by :func:`gram_enet`. Exactly constant columns get
    zero Gram rows, hence coefficient 0.

    Parameters
    ----------
    X : float32/float64 ndarray or scipy sparse matrix/array (validated)
    y : (n,) or (n, k) float64
    alpha, l1_ratio, fit_intercept, tol, max_iter, penalty :
        As :func:`fastreg.solvers.cd.enet_coordinate_descent`.
    coef_init : (p,) or (k, p) array or None
    sample_weight : None or (n,) float64
        The weighted Gram ``X̃ᵀX̃``, ``X̃ = D(X − x̄)``, weights normalized to sum to ``n``.
    gram : None or (p, p) array
        The caller's Gram of the centered (weighted) ``X`` (scikit-learn's
        ``precompute=array``), used as it is: see :func:`given_gram_problems`.
    seed : int, default=-1
        ``≥ 0``: random coordinate order (``selection="random"``).

    Returns
    -------
    coef, intercept, gap, n_iter, converged :
        As :func:`fastreg.solvers.cd.enet_coordinate_descent`.
    """
    if gram is not None:
        problems = given_gram_problems(gram, X, y, fit_intercept, sample_weight)
    elif sample_weight is not None:
        problems = FoldGrams(X, y, fit_intercept, sample_weight * (X.shape[0] / float(np.sum(sample_weight)))).full()
        if fit_intercept:
            constant = constant_columns(X) if sp.issparse(X) else dense_means_and_constants(X)[1]
            for problem in problems:
                problem.zero_columns(constant)
    else:
        problem = GramProblem(X, y, fit_intercept)
        if fit_intercept:
            problem.zero_columns(problem.constant if problem.constant is not None else constant_columns(X))
        problems = [problem] if y.ndim == 1 else [problem.target(k) for k in range(y.shape[1])]
    inits = None if coef_init is None else np.atleast_2d(coef_init)
    results = []
    for k, sub in enumerate(problems):
        w, gap, n_iter, conv = gram_enet(
            sub, alpha, l1_ratio, tol=tol, max_iter=max_iter, penalty=penalty,
            w=None if inits is None else inits[k], seed=seed,
        )
        results.append((w, sub.intercept(w), gap, n_iter, conv))
    return results[0] if y.ndim == 1 else stack_targets(results)


def given_gram_problems(G, X, y, fit_intercept, sample_weight=None):
    """One :class:`GramProblem` per target on the caller's Gram ``G`` (scikit-learn's ``precompute=array``).

    ``G`` must be ``X̃ᵀX̃`` with ``X̃ = D(X − x̄)``, ``D = diag(√s)`` and the
    weights ``s`` normalized to sum to ``n`` (scikit-learn's convention);
    ``q``, ``‖ỹ‖²`` and the means come from ``X`` and ``y``. As scikit-learn
    does, one entry of ``G`` is checked against ``X`` (a ``ValueError`` if it
    differs), and ``G`` is otherwise trusted. ``G`` is not copied when it is
    C-ordered float64 already, and never written.
    """
    n, p = X.shape
    Y = y[:, None] if y.ndim == 1 else y
    sw = None if sample_weight is None else sample_weight * (n / float(np.sum(sample_weight)))
    x_mean, y_mean = weighted_offsets(X, Y, sw, fit_intercept)
    _check_gram_entry(G, X, x_mean, sw)
    G = np.ascontiguousarray(G, dtype=np.float64)
    Y_c = Y - y_mean
    S = Y_c if sw is None else Y_c * sw[:, None]
    q = np.asarray(X.T @ S, dtype=np.float64)
    if fit_intercept:
        q -= np.outer(x_mean, S.sum(axis=0))
    yy = np.einsum("ij,ij->j", Y_c, S)
    y_mean = np.atleast_1d(y_mean)
    return [
        GramProblem.from_parts(G, np.ascontiguousarray(q[:, k]), yy[k], x_mean, y_mean[k], n, fit_intercept)
        for k in range(Y.shape[1])
    ]


def _check_gram_entry(G, X, x_mean, sw):
    """scikit-learn's check of a given Gram: one off-diagonal entry (or the only one) against ``X``.

    Relative to the two columns' norms, to 1e-7 (1e-4 when ``G`` or ``X`` is float32, as scikit-learn).
    """
    p = X.shape[1]
    f1 = p // 2
    f2 = min(f1 + 1, p - 1)
    a = np.asarray(X[:, [f1]].toarray() if sp.issparse(X) else X[:, f1], dtype=np.float64).ravel() - x_mean[f1]
    b = np.asarray(X[:, [f2]].toarray() if sp.issparse(X) else X[:, f2], dtype=np.float64).ravel() - x_mean[f2]
    expected = float((a if sw is None else a * sw) @ b)
    scale = math.sqrt(float((a if sw is None else a * sw) @ a) * float((b if sw is None else b * sw) @ b))
    rtol = 1e-4 if np.float32 in (G.dtype, X.dtype) else 1e-7
    if not abs(float(G[f1, f2]) - expected) <= rtol * scale:
        raise ValueError(
            f"precompute: the Gram matrix passed did not pass validation: its entry [{f1}, {f2}] is {G[f1, f2]!r}, "
            f"but the centered{' weighted' if sw is not None else ''} X gives {expected!r}. Pass the Gram of the "
            "data you fit (X_cᵀX_c, its rows scaled by √sample_weight with the weights summing to n_samples), "
            "or precompute=True to let it be formed"
        )


class FoldGrams:
    """The Gram of the full data, and from it the Gram of any subset of rows.

    With ``Z = D(X − c)`` (``D = diag(√s)``, the identity unweighted; ``c``
    the full-data weighted column means for dense ``X``, zero for sparse
    ``X``, which stays sparse) and ``ỹ = D(y − ȳ)``, the full data give
    ``ZᵀZ``, ``Zᵀỹ`` and ``Zᵀd`` once. The training rows of a fold are the
    full data minus its test rows ``T``: ``Z_trᵀZ_tr = ZᵀZ − Z_TᵀZ_T``, and
    centering by the training rows' weighted means ``m`` is ``− Σs_tr·mmᵀ``
    (``m`` is small for dense ``X``: a fold's deviation from the full mean).
    A fold costs a Gram of its test rows, a fifth of the data in 5-fold CV,
    instead of four fifths.

    Each problem is scaled to scikit-learn's convention for weights, summing
    to the number of rows: its objective is ``(1/(2Σs)) Σ sᵢ rᵢ² + penalty``
    over its rows, whatever the scale of ``sample_weight``.

    Parameters
    ----------
    X : float32/float64 ndarray or scipy sparse matrix (validated)
    y : (n,) or (n, k) float64
        Several targets share the Gram; :meth:`full` and :meth:`fold` give
        one :class:`GramProblem` per target.
    fit_intercept : bool
    sample_weight : None or (n,) float64, non-negative
    blocks : None or list of index arrays
        Test rows of the folds, when they partition the rows (as ``KFold``'s
        do): then each block's Gram ``Z_TᵀZ_T`` is formed once and
        ``ZᵀZ = Σ Z_TᵀZ_T`` from them, so the full Gram costs nothing more;
        ``fold(test, block=k)`` turns block ``k``'s Gram into the fold's (in
        its own memory, once; a second call forms it again).
    """

    def __init__(self, X, y, fit_intercept, sample_weight=None, blocks=None):
        n, p = X.shape
        Y = np.asarray(y, dtype=np.float64)
        Y = Y[:, None] if Y.ndim == 1 else Y
        self.n, self.fit_intercept = n, fit_intercept
        self.sparse = sp.issparse(X)
        self.weighted = sample_weight is not None
        self.d = np.ones(n) if sample_weight is None else np.sqrt(sample_weight)
        x_mean, y_mean = weighted_offsets(None if self.sparse else X, Y, sample_weight, fit_intercept)
        self.y_mean = np.atleast_1d(y_mean)
        self.yt = Y - self.y_mean  # ỹ = D(y − ȳ)
        if self.weighted:
            self.yt *= self.d[:, None]
        if self.sparse:
            self.Z = X.tocsr() if not self.weighted else scale_rows_sparse(X, self.d, "csr")
            self.c = np.zeros(p)
        else:
            self.c = x_mean
            self.Z = np.subtract(X, self.c, dtype=np.float64)
            if self.weighted:
                self.Z *= self.d[:, None]
        self._block_grams = None
        if blocks is not None and _is_partition(blocks, n):
            self._block_grams = [self._gram(self._rows(np.asarray(b))) for b in blocks]
            self.ZtZ = self._block_grams[0].copy()
            for G_T in self._block_grams[1:]:
                self.ZtZ += G_T
        else:
            self.ZtZ = self._gram(self.Z)
        self.z_sum = np.asarray(self.Z.T @ self.d, dtype=np.float64).ravel() if fit_intercept else None
        self.Zty = np.asarray(self.Z.T @ self.yt, dtype=np.float64)

    def _problems(self, G, q, z_sum, yt, d):
        """Center ``(G, q)`` of some rows by their own weighted means; one problem per target."""
        n = d.shape[0]
        total = float(d @ d)  # Σs of these rows (n unweighted)
        if self.fit_intercept:
            m = z_sum / total
            mu = (d @ yt) / total  # (k,) the rows' weighted target means, relative to ȳ
            G = G - total * np.outer(m, m)
            q = q - np.outer(z_sum, mu)
            yt = yt - np.outer(d, mu)
            x_mean, y_mean = self.c + m, self.y_mean + mu
        else:
            x_mean, y_mean = self.c, np.zeros_like(self.y_mean)
        yy = np.einsum("ij,ij->j", yt, yt)
        if self.weighted:  # weights summing to n
            scale = n / total
            G, q, yy = G * scale, q * scale, yy * scale
        G = np.ascontiguousarray(G)
        return [
            GramProblem.from_parts(G, np.ascontiguousarray(q[:, j]), yy[j], x_mean, y_mean[j], n, self.fit_intercept)
            for j in range(q.shape[1])
        ]

    def full(self):
        """The :class:`GramProblem` of all rows, one per target."""
        z_sum = self.z_sum
        if self.fit_intercept and not self.sparse:
            z_sum = np.zeros_like(self.c)  # exactly centered already
        return self._problems(self.ZtZ, self.Zty, z_sum, self.yt, self.d)

    def _rows(self, test):
        """``Z[test]``: a view when ``test`` is a contiguous increasing range (dense ``Z``)."""
        if not self.sparse and test.size and test[-1] - test[0] + 1 == test.size and np.all(np.diff(test) == 1):
            return self.Z[test[0] : test[-1] + 1]
        return self.Z[test]

    def _gram(self, Z_T):
        """``Z_TᵀZ_T`` for rows of ``Z`` (:func:`sparse_gram` when sparse, BLAS when dense)."""
        return sparse_gram(Z_T) if self.sparse else Z_T.T @ Z_T

    def fold(self, test, block=None):
        """The :class:`GramProblem` of all rows but ``test`` (indices), one per target.

        ``block``: the index of ``test`` among the constructor's ``blocks``.
        """
        test = np.asarray(test)
        Z_T = self._rows(test)
        if block is not None and self._block_grams is not None and self._block_grams[block] is not None:
            G = self._block_grams[block]
            self._block_grams[block] = None  # used once: its memory becomes the fold's Gram
            np.subtract(self.ZtZ, G, out=G)
        else:
            G = self.ZtZ - self._gram(Z_T)
        q = self.Zty - np.asarray(Z_T.T @ self.yt[test], dtype=np.float64)
        mask = np.ones(self.n, dtype=bool)
        mask[test] = False
        z_sum = None
        if self.fit_intercept:
            z_sum = self.z_sum - np.asarray(Z_T.T @ self.d[test], dtype=np.float64).ravel()
        return self._problems(G, q, z_sum, self.yt[mask], self.d[mask])


def _is_partition(blocks, n):
    """Whether the index arrays ``blocks`` hold every row of ``n`` exactly once."""
    if sum(len(b) for b in blocks) != n:
        return False
    seen = np.zeros(n, dtype=bool)
    for b in blocks:
        b = np.asarray(b)
        if b.size and (b.min() < 0 or b.max() >= n):
            return False
        seen[b] = True
    return bool(seen.all())
