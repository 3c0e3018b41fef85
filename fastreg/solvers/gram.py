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
about ``2·log10(|x̄|/σ)`` digits; :func:`sparse_gram_is_accurate` tells the
caller when to prefer the residual solver instead.
"""

import numpy as np
import scipy.sparse as sp

from .._preprocess import scale_rows_sparse, weighted_offsets
from ..kernels.gram import gram_csr
from .gram_cd import enet_gram_cd

# |x̄|/σ above which the implicitly centered sparse Gram is not trusted
# (it would lose more than about 6 digits).
_MAX_MEAN_OVER_SPREAD = 1e3


class GramProblem:
    """``G = X_cᵀX_c``, ``q = X_cᵀy_c``, ``‖y_c‖²`` and the means, for one data set.

    Parameters
    ----------
    X : float32/float64 ndarray or scipy sparse matrix/array (validated)
    y : (n,) float64 ndarray
    fit_intercept : bool
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
        self.y_mean = float(y.mean()) if fit_intercept else 0.0
        y_c = y - self.y_mean
        if sp.issparse(X):
            x_mean = np.asarray(X.mean(axis=0, dtype=np.float64)).ravel() if fit_intercept else np.zeros(p)
            G = sparse_gram(X)
            if fit_intercept:
                G -= n * np.outer(x_mean, x_mean)
            q = np.asarray(X.T @ y_c, dtype=np.float64).ravel() - x_mean * y_c.sum()
        else:
            x_mean = X.mean(axis=0, dtype=np.float64) if fit_intercept else np.zeros(p)
            if X.dtype == np.float64 and _small_means(X, x_mean):
                # No centered copy: G = XᵀX − n x̄x̄ᵀ loses no digits when
                # |x̄| ≤ σ (BLAS syrk reads X as it is, in either memory order).
                G = X.T @ X
                if fit_intercept:
                    G -= n * np.outer(x_mean, x_mean)
                q = X.T @ y_c - x_mean * y_c.sum()
            else:
                Xc = np.subtract(X, x_mean, dtype=np.float64)
                G = Xc.T @ Xc
                q = Xc.T @ y_c
                del Xc
        self.x_mean = x_mean
        self.G = np.ascontiguousarray(G)
        self.q = q
        self.yy = float(y_c @ y_c)

    @property
    def norms(self):
        return np.diagonal(self.G)

    def alpha_max(self, l1_ratio, positive=False):
        """The smallest α with all coefficients zero (scikit-learn's formula)."""
        top = max(0.0, float(np.max(self.q))) if positive else float(np.max(np.abs(self.q)))
        return top / (self.n * l1_ratio)

    def intercept(self, w):
        return self.y_mean - float(self.x_mean @ w) if self.fit_intercept else 0.0


def _small_means(X, x_mean):
    """Whether every column mean is at most its spread (``|x̄_j| ≤ σ_j``), dense ``X``."""
    if not np.any(x_mean):
        return True
    n = X.shape[0]
    sq = np.einsum("ij,ij->j", X, X) / n
    return bool(np.all(x_mean**2 <= 0.5 * sq))  # x̄² ≤ σ² = E[x²] − x̄²


def sparse_gram(X):
    """Dense ``XᵀX`` (float64) of a sparse matrix, through its CSR rows."""
    X = X.tocsr()
    G = np.zeros((X.shape[1], X.shape[1]))
    gram_csr(X.data, X.indices, X.indptr, G)
    return G


def sparse_gram_is_accurate(X, fit_intercept, sample_weight=None):
    """Whether ``XᵀSX − Σs·x̄x̄ᵀ`` keeps enough digits for sparse ``X`` (``S = I`` unweighted)."""
    if not fit_intercept:
        return True
    if sample_weight is None:
        n = X.shape[0]
        mean = np.asarray(X.mean(axis=0, dtype=np.float64)).ravel()
        sq = np.asarray(X.multiply(X).sum(axis=0, dtype=np.float64)).ravel() / n
    else:
        total = float(sample_weight.sum())
        mean = np.asarray(X.T @ sample_weight, dtype=np.float64).ravel() / total
        sq = np.asarray(X.multiply(X).T @ sample_weight, dtype=np.float64).ravel() / total
    var = np.maximum(sq - mean**2, 0.0)
    big = np.abs(mean) > _MAX_MEAN_OVER_SPREAD * np.sqrt(var)
    return not np.any(big & (mean != 0))


def gram_enet(problem, alpha, l1_ratio, *, tol=1e-6, max_iter=10_000, positive=False, w=None, alpha_prev=None):
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
    positive : bool
    w : (p,) float64 or None
        Warm start (not modified).
    alpha_prev : float or None
        The α the warm start solved, for the sequential strong rule.

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
        tol=tol, max_iter=max_iter, positive=positive, coef_init=w, alpha_prev=alpha_prev,
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
    """

    def __init__(self, X, y, fit_intercept, sample_weight=None):
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
            self.ZtZ = sparse_gram(self.Z)
        else:
            self.c = x_mean
            self.Z = np.subtract(X, self.c, dtype=np.float64)
            if self.weighted:
                self.Z *= self.d[:, None]
            self.ZtZ = self.Z.T @ self.Z
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

    def fold(self, test):
        """The :class:`GramProblem` of all rows but ``test`` (indices), one per target."""
        test = np.asarray(test)
        Z_T = self.Z[test]
        G_T = sparse_gram(Z_T) if self.sparse else Z_T.T @ Z_T
        G = self.ZtZ - G_T
        q = self.Zty - np.asarray(Z_T.T @ self.yt[test], dtype=np.float64)
        mask = np.ones(self.n, dtype=bool)
        mask[test] = False
        z_sum = None
        if self.fit_intercept:
            z_sum = self.z_sum - np.asarray(Z_T.T @ self.d[test], dtype=np.float64).ravel()
        return self._problems(G, q, z_sum, self.yt[mask], self.d[mask])
