"""Ridge's leave-one-out errors for every α and target from one decomposition (scikit-learn's ``_RidgeGCV``).

:class:`RidgeEigen` decomposes ``X̃ᵀX̃``, ``X̃X̃ᵀ`` or ``X̃`` once
(``X̃ = D(X − 1x̄ᵀ)``, ``D = diag(√s)``) and gives the leave-one-out errors,
predictions and coefficients of every α from it: the engine of
:class:`fastreg.RidgeCV`.
"""

import numpy as np
import scipy.sparse as sp

from .._preprocess import centered_xty, intercept_of, scale_rows_sparse, weighted_offsets
from .._validation import check_finite_result
from ..kernels.gram import csr_dense_product
from .gram import means_within_spread, sparse_gram

__all__ = ["RidgeEigen"]

# Rows per block when forming X_c·V (about 32 MB of float64 per block).
_BLOCK_ELEMENTS = 1 << 22


def _eigh(M):
    """Symmetric eigendecomposition by LAPACK's divide and conquer (``syevd``), in NumPy's LAPACK.

    SciPy's LAPACK, threaded, ran many times slower than on one thread, most
    likely the fight between its OpenBLAS pool and NumPy's threads still
    spinning after the Gram that the Cholesky factor shows (see
    :mod:`fastreg.solvers._linalg`). NumPy's own, on all its threads, beats
    SciPy's on one, and makes ``RidgeCV`` faster with the same ``alpha_``
    (measurements: docs/design-measurements.md).
    """
    check_finite_result("RidgeCV", M)  # overflow of X̃ᵀX̃: a clear error, not LAPACK's
    return np.linalg.eigh(M)


class RidgeEigen:
    """One decomposition serving every α and every target: of ``X̃ᵀX̃``, of ``X̃X̃ᵀ``, or of ``X̃`` itself.

    ``X̃ = D(X − 1x̄ᵀ)`` and ``Ỹ = D(Y − 1ȳᵀ)``, with ``D = diag(√s)`` and
    the weighted means (no centering without ``fit_intercept``; ``D = I``
    unweighted): the weighted problem rescaled to an unweighted one without
    intercept, as scikit-learn's ``_RidgeGCV``. ``"cov"`` eigendecomposes the
    p × p ``X̃ᵀX̃ = VΛVᵀ`` (for ``n > p``), ``"gram"`` the n × n ``X̃X̃ᵀ``
    (for ``n ≤ p``), ``"svd"`` (dense ``X`` only) takes the thin SVD
    ``X̃ = USVᵀ``, ``Λ = S²``: it keeps the digits the Gram loses on
    ill-conditioned ``X`` (the Gram squares the condition number), at the cost
    of a decomposition of the n × p ``X̃`` and of n × min(n, p) floats more. Dense ``X`` is centered and scaled
    block by block (unweighted float64 ``X`` with its column means within
    their spreads is read as it is in ``"cov"`` mode: ``XᵀX − n·x̄x̄ᵀ``,
    ``XV − 1x̄ᵀV``), sparse ``X`` implicitly (``XᵀSX − Σs·x̄x̄ᵀ``); never
    densified.

    Leave-one-out errors are scikit-learn's, in the rescaled problem:
    ``√sᵢ`` times the error of the model fitted without row ``i``. The
    primal form (``"cov"``, and ``"svd"`` for ``n > p``): with ``A = X̃V``
    (formed block by block, never stored; ``"svd"`` keeps ``US``), ``b = AᵀỸ``
    and ``d_k = 1/(λ_k + α)``: ``W = V(d∘b)``, fitted values ``A(d∘b)``,
    leverages ``h = s/Σs + (A∘A)d`` (the first term is the unpenalized
    intercept's), LOO errors ``(Ỹ − A(d∘b))/(1 − h)``. The dual form
    (``"gram"``, and ``"svd"`` for ``n ≤ p``) works with the eigenvectors of
    ``X̃X̃ᵀ`` (the left singular vectors): see :meth:`_loo_blocks`.

    In the dual form with an intercept, ``X̃X̃ᵀ`` has ``√s`` in its null
    space (``X̃ᵀ√s = 0``): a Householder reflection splits that direction
    off exactly before the decomposition, so the intercept's leverage
    ``s/Σs`` is removed without cancellation, whatever the weights (zero
    weights add null directions of their own).

    Null directions. ``X̃`` has rank at most ``min(m − 1, p)`` (``m`` rows of
    positive weight; ``m`` without intercept), so a decomposition larger than
    that — ``"cov"`` on wide ``X``, ``"gram"`` on tall ``X`` — has null
    directions by its shape, and duplicated or collinear columns add more.
    Their computed eigenvalues are rounding (about ``eps·λ_max``), and so are
    the components of ``X̃ᵀỸ`` along them, which ``1/(λ_k + α)`` would blow up
    as ``α → 0``. The structurally null ones and every eigenvalue at most
    ``eps·max(n, p)·λ_max`` (singular value at most ``eps·max(n, p)·s_max``
    in ``"svd"`` mode, NumPy's least-squares cutoff) are taken as exactly
    zero: they add nothing to ``W`` (the minimum-norm solution's convention),
    nothing to the fitted values and leverages of the primal form, and their
    exact ``α/(0 + α) = 1`` to the dual form's.
    """

    def __init__(self, X, Y, fit_intercept, mode, sample_weight=None):
        n, p = X.shape
        self.n, self.p = n, p
        self.fit_intercept = fit_intercept
        self.sparse = sp.issparse(X)
        if self.sparse:
            X = X.tocsr().astype(np.float64, copy=False)
        self.X = X
        self.d = np.ones(n) if sample_weight is None else np.sqrt(sample_weight)
        self.weighted = sample_weight is not None
        x_mean, y_mean = weighted_offsets(X, Y, sample_weight, fit_intercept)
        self.mean, self.y_mean = x_mean, np.atleast_1d(y_mean)
        self.Yt = (Y - self.y_mean) * self.d[:, None]  # Ỹ
        # the intercept's leverage s_i/Σs (scikit-learn: the correction of diag(G⁻¹))
        self.lev0 = (self.d**2) / float(self.d @ self.d) if fit_intercept else None
        self.mode = mode
        self.primal = mode == "cov" or (mode == "svd" and n > p)
        # Dense, unweighted, float64 X whose column means are within their
        # spreads is read as it is: X̃ᵀX̃ = XᵀX − n x̄x̄ᵀ and X̃V = XV − 1(x̄ᵀV)
        # lose no digits there (as for Ridge), and no centered block is copied.
        self.uncentered = (
            self.mode == "cov" and not self.sparse and not self.weighted and X.dtype == np.float64
            and (not fit_intercept or means_within_spread(X, x_mean))
        )
        self.V = self.A = self.U = self.house = None
        if mode == "svd":
            self._svd()
        elif mode == "cov":
            self.lam, self.V = _eigh(self._cov())
            self.b = self.V.T @ centered_xty(X, Y, fit_intercept, sample_weight)  # VᵀX̃ᵀỸ, (p, k)
        else:
            self.lam, self.U, self.house = self._gram_eigen()
            self.b = self._basis_t_dot(self.Yt)
        self._mark_null(sample_weight)

    def _mark_null(self, sample_weight):
        """Set the null directions' eigenvalues to exactly 0 and record them in ``self.null`` (see the class notes)."""
        lam = self.lam
        m = self.n if sample_weight is None else int(np.count_nonzero(sample_weight))
        rank_bound = max(min(m - int(self.fit_intercept), self.p), 0)
        null = ~(lam > 0.0)  # rounding can leave tiny negatives
        if lam.size:
            if self.mode == "svd":  # singular values, descending
                null |= self.s <= np.finfo(np.float64).eps * max(self.n, self.p) * self.s[0]
                null[rank_bound:] = True
            else:  # eigenvalues, ascending
                null |= lam <= np.finfo(np.float64).eps * max(self.n, self.p) * max(lam[-1], 0.0)
                null[: max(lam.size - rank_bound, 0)] = True
        lam[null] = 0.0
        self.null = null

    # -- helpers
    def _rows(self, width):
        step = max(1, _BLOCK_ELEMENTS // max(width, 1))
        for lo in range(0, self.n, step):
            yield slice(lo, min(lo + step, self.n))

    def _scaled(self):
        """``DX`` for sparse ``X`` (a copy with the same sparsity when weighted)."""
        return scale_rows_sparse(self.X, self.d, "csr") if self.weighted else self.X

    def _block(self, rows):
        """Dense ``X̃[rows]``."""
        B = np.subtract(self.X[rows], self.mean, dtype=np.float64)
        if self.weighted:
            B *= self.d[rows, None]
        return B

    def _cov(self):
        if self.sparse:
            C = sparse_gram(self._scaled())
            if self.fit_intercept:
                C -= float(self.d @ self.d) * np.outer(self.mean, self.mean)
            return C
        if self.uncentered:
            C = self.X.T @ self.X  # one BLAS syrk on X itself
            if self.fit_intercept:
                C -= self.n * np.outer(self.mean, self.mean)
            return C
        C = np.zeros((self.p, self.p))
        for rows in self._rows(self.p):
            B = self._block(rows)
            C += B.T @ B
        return C

    def _gram(self):
        if self.sparse:
            DX = self._scaled()
            K = sparse_gram(DX.T)  # (DX)(DX)ᵀ
            if self.fit_intercept:  # X̃X̃ᵀ with X̃ = DX − d x̄ᵀ, in blocks of rows
                m = np.asarray(DX @ self.mean).ravel()
                m -= (0.5 * float(self.mean @ self.mean)) * self.d
                d = self.d
                for rows in self._rows(self.n):
                    K[rows] -= m[rows, None] * d[None, :] + d[rows, None] * m[None, :]
            return K
        Xt = self._block(slice(None))
        return Xt @ Xt.T

    def _householder(self):
        """``(v, β)`` of the reflection ``H = I − βvvᵀ`` mapping ``√s/‖√s‖`` to ``∓e₀``."""
        u = self.d / np.sqrt(self.d @ self.d)
        v = u.copy()
        v[0] += 1.0 if u[0] >= 0 else -1.0
        return v, 2.0 / float(v @ v)

    def _gram_eigen(self):
        """Eigenpairs of ``X̃X̃ᵀ``; with an intercept, only those orthogonal to ``√s``.

        Returns ``(λ, U, house)``: without intercept ``U`` holds the eigenvectors
        and ``house`` is ``None``; with one, the eigenvectors are ``H[0; U]``
        for the reflection ``house = (v, β)``, applied on the fly
        (:meth:`_basis_rows`) so that no second n × n array is formed.
        """
        K = self._gram()
        if not self.fit_intercept:
            return (*_eigh(K), None)
        # HKH's first row and column are K's action on √s/‖√s‖, zero
        # (X̃ᵀ√s = 0) up to rounding, and dropped.
        n = self.n
        v, beta = self._householder()
        g = K @ v
        g -= (0.5 * beta * float(v @ g)) * v  # HKH = K − β(v gᵀ + g vᵀ) with this g
        for rows in self._rows(n):  # the rank-2 update in blocks of rows: no n × n temporaries
            K[rows] -= beta * (v[rows, None] * g[None, :] + g[rows, None] * v[None, :])
        # HKH[1:, 1:] compacted to the front of K's own buffer (row i + 1 is read before it is overwritten)
        flat = K.reshape(-1)
        for i in range(n - 1):
            flat[i * (n - 1) : (i + 1) * (n - 1)] = flat[(i + 1) * n + 1 : (i + 2) * n]
        lam, W = _eigh(flat[: (n - 1) ** 2].reshape(n - 1, n - 1))
        del K, flat
        return lam, W, (v, beta, beta * (v[1:] @ W))

    def _svd(self):
        """The thin SVD of dense ``X̃`` (of ``HX̃`` without its first row, in the dual form with an intercept)."""
        Xt = self._block(slice(None))  # X̃, a float64 copy
        check_finite_result("RidgeCV", Xt)
        if self.primal:
            U, s, Vt = np.linalg.svd(Xt, full_matrices=False)
            self.A = U * s  # X̃V = US, (n, p)
            self.b = self.A.T @ self.Yt  # VᵀX̃ᵀỸ = SUᵀỸ
        elif self.fit_intercept:
            v, beta = self._householder()
            Xt -= beta * np.outer(v, v @ Xt)  # HX̃: its first row is X̃ᵀ√s = 0 up to rounding, dropped
            U, s, Vt = np.linalg.svd(Xt[1:], full_matrices=False)
            self.U, self.house = U, (v, beta, beta * (v[1:] @ U))
            self.b = self._basis_t_dot(self.Yt)
        else:
            U, s, Vt = np.linalg.svd(Xt, full_matrices=False)
            self.U = U
            self.b = self._basis_t_dot(self.Yt)
        self.s, self.V, self.lam = s, Vt.T, s * s

    def _basis_rows(self, rows):
        """Rows ``rows`` (a slice) of the eigenvector matrix."""
        if self.house is None:
            return self.U[rows]
        v, _, t = self.house
        lo, hi = rows.start, rows.stop
        B = np.empty((hi - lo, self.U.shape[1]))
        if lo == 0:  # row 0 of [0; U] is zero
            B[0] = 0.0
            B[1:] = self.U[: hi - 1]
        else:
            B[:] = self.U[lo - 1 : hi - 1]
        B -= v[rows, None] * t[None, :]
        return B

    def _basis_dot(self, Z):
        """The eigenvector matrix times ``Z`` (m, k)."""
        if self.house is None:
            return self.U @ Z
        v, beta, _ = self.house
        out = np.zeros((self.n, Z.shape[1]))
        out[1:] = self.U @ Z
        out -= beta * np.outer(v, v @ out)
        return out

    def _basis_t_dot(self, Y):
        """The eigenvector matrix transposed times ``Y`` (n, k)."""
        if self.house is None:
            return self.U.T @ Y
        v, beta, _ = self.house
        HY = Y - beta * np.outer(v, v @ Y)
        return self.U.T @ HY[1:]

    def _inverse(self, alphas):
        """``1/(λ + α)`` per direction and α (m, K), zero along the null directions (α = 0 included)."""
        with np.errstate(divide="ignore"):
            D = 1.0 / (self.lam[:, None] + alphas[None, :])
        D[self.null] = 0.0
        return D

    # -- results for many α
    def _loo_blocks(self, alphas):
        """Yield ``(rows, looe)``: the (rescaled) LOO errors of a block of rows, shape (rows, n_targets, n_alphas).

        Dual form: with ``S = α/(λ + α)`` (1 along null directions),
        ``α·c = U(S∘b)`` and ``α·diag(G⁻¹)`` minus the intercept's ``s/Σs``
        is ``(U∘U)S`` (``U`` spans the complement of ``√s``); the LOO error
        is their ratio.
        """
        k, K = self.Yt.shape[1], alphas.shape[0]
        if self.primal:
            D = self._inverse(alphas)  # (p, K)
            m = D.shape[0]
            Db = (self.b[:, :, None] * D[:, None, :]).reshape(m, k * K)
            if self.A is None and (self.sparse or self.uncentered):
                shift = self.mean @ self.V if self.fit_intercept else np.zeros(self.p)
                V = np.ascontiguousarray(self.V)
            buf = None  # one block of A, reused (fresh 32 MB arrays cost page faults on every block)
            for rows in self._rows(max(m, k * K)):  # A = X̃V one block of rows at a time, never stored
                size = rows.stop - rows.start
                if buf is None:
                    buf = np.empty((size, m))
                A = buf[:size]
                if self.A is not None:
                    A[:] = self.A[rows]
                elif self.sparse:
                    Xb = self.X[rows]
                    csr_dense_product(Xb.data, Xb.indices, Xb.indptr, V, shift, A)
                    if self.weighted:
                        A *= self.d[rows, None]
                elif self.uncentered:
                    np.matmul(self.X[rows], V, out=A)
                    A -= shift
                else:
                    np.matmul(self._block(rows), self.V, out=A)
                fitted = (A @ Db).reshape(-1, k, K)
                h = np.square(A, out=A) @ D  # A is not needed past here
                if self.fit_intercept:
                    h += self.lev0[rows, None]
                with np.errstate(divide="ignore", invalid="ignore"):  # h = 1: the LOO error is undefined (inf/NaN)
                    yield rows, (self.Yt[rows, :, None] - fitted) / (1.0 - h)[:, None, :]
            return
        m = self.lam.shape[0]
        S = alphas[None, :] / (self.lam[:, None] + alphas[None, :])  # (m, K); 1 along null directions
        Sb = (self.b[:, :, None] * S[:, None, :]).reshape(m, k * K)
        for rows in self._rows(max(m, k * K)):
            Ub = self._basis_rows(rows)
            with np.errstate(divide="ignore", invalid="ignore"):
                yield rows, (Ub @ Sb).reshape(-1, k, K) / (np.square(Ub) @ S)[:, None, :]

    def loo_mse(self, alphas):
        """Mean over rows of the squared (rescaled) LOO errors, shape (n_targets, n_alphas)."""
        alphas = np.asarray(alphas, dtype=np.float64)
        total = np.zeros((self.Yt.shape[1], alphas.shape[0]))
        for _, looe in self._loo_blocks(alphas):
            total += np.einsum("ijk,ijk->jk", looe, looe)
        return total / self.n

    def loo_errors(self, alphas):
        """The (rescaled) LOO errors ``√sᵢ·eᵢ`` of every row, target and α: shape (n, n_targets, n_alphas)."""
        alphas = np.asarray(alphas, dtype=np.float64)
        out = np.empty((self.n, self.Yt.shape[1], alphas.shape[0]))
        for rows, looe in self._loo_blocks(alphas):
            out[rows] = looe
        return out

    def loo_predictions(self, Y, looe, alphas):
        """The LOO predictions on ``Y``'s scale, ``yᵢ − eᵢ``, from :meth:`loo_errors`' ``looe`` (n, k, K).

        A row of weight zero takes no part in the fit: its LOO model is the
        model fitted on all rows, whose prediction it gets (scikit-learn
        divides ``0/√0`` there and scores NaN).
        """
        positive = self.d > 0
        with np.errstate(divide="ignore", invalid="ignore"):
            pred = Y[:, :, None] - looe / self.d[:, None, None]
        if not positive.all():
            zero = np.flatnonzero(~positive)
            Xz = self.X[zero]
            k = Y.shape[1]
            for a, alpha in enumerate(alphas):
                W, b = self.coefs(np.full(k, alpha))
                pred[zero, :, a] = np.asarray(Xz @ W) + b
        return pred

    def coefs(self, alphas):
        """Coefficients (p, n_targets) and intercepts (n_targets,), target ``j`` at ``alphas[j]``."""
        alphas = np.asarray(alphas, dtype=np.float64)
        D = self._inverse(alphas)  # (m, k)
        if self.primal:
            W = self.V @ (D * self.b)
        elif self.mode == "svd":  # X̃ᵀ times the eigenvector k is s_k v_k
            W = self.V @ ((self.s[:, None] * D) * self.b)
        else:
            C = self._basis_dot(D * self.b)  # c = (X̃X̃ᵀ + αI)⁻¹Ỹ, and W = X̃ᵀc
            DC = C * self.d[:, None]
            W = np.asarray(self.X.T @ DC, dtype=np.float64)
            if self.fit_intercept:
                W -= np.outer(self.mean, DC.sum(axis=0))
        intercepts = intercept_of(W, self.mean, self.y_mean, self.fit_intercept)
        return W, intercepts

