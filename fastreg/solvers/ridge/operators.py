"""The centered data as operators: ``X_c = X − 1x̄ᵀ`` applied implicitly, and the problem's set-up and finish.

With an intercept, Ridge's ``b`` is eliminated by centering: ``w`` solves the
problem on ``X_c``, ``y_c = y − ȳ``, and ``b = ȳ − x̄ᵀw`` (:func:`finish`).
Sparse ``X`` is never densified and never centered: ``X_c v = Xv − 1(x̄ᵀv)``
and ``X_cᵀu = Xᵀu − x̄(1ᵀu)`` (:class:`Centered`); with sample weights the
rows are scaled by ``d = √s`` and the centering is along ``d``.
"""

import math

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import LinearOperator

from ..._preprocess import column_means, preprocess
from ..._convert import to_csc
from ...kernels.cd import centered_norms_compressed
from ..fista import CenteredPass
from ..fused import FusedGradient

__all__ = [
    "Basis", "Centered", "SparseDual", "as_2d", "center_y", "sparse_operator", "dense_weighted", "sparse_float64", "finish",
]


class Basis:
    """An orthonormal basis ``Q`` (n, r) of some centered columns, ``Q = X_c[:, idx]·M``, and ``X_cᵀQ`` once.

    The projection ``I − QQᵀ`` that removes unpenalized features (see
    :mod:`.factors`); ``Q`` is orthogonal to the centering direction.
    ``block``: those columns of sparse ``X`` as stored (``None`` for dense ``X``).
    """

    def __init__(self, Q, idx, M, block=None):
        self.Q = Q
        self.idx = idx
        self.M = M
        self.block = block
        self._cross = None

    def project(self, Y):
        """``(I − QQᵀ)Y``, a new array."""
        return Y - self.Q @ (self.Q.T @ Y)

    @property
    def has_cross(self):
        return self._cross is not None

    def cross(self, op, gram=None, centered_norms=None):
        """``X_cᵀQ`` (p, r) of ``op``'s unscaled ``X_c``, computed once per basis.

        ``(X_cᵀX_c)[:, idx]·M``, without a pass over ``X`` where that block is
        at hand: from ``gram`` (the unscaled ``X_cᵀX_c``) when the caller has
        formed it, or for sparse ``X`` as ``XᵀX[:, idx] − Σs·x̄x̄[idx]ᵀ`` (a
        sparse product over the stored entries of the few columns ``idx``) when
        ``centered_norms`` (``‖X_cⱼ‖²``) show every column mean within its
        spread, so that the subtraction loses no digits. Else one product of
        ``X_cᵀ`` with ``Q``.
        """
        if self._cross is None:
            if gram is not None:
                self._cross = gram[:, self.idx] @ self.M
            elif self.block is not None and centered_norms is not None and (
                op.mean is None or np.all(op.dd * op.mean**2 <= centered_norms)
            ):
                G = np.asarray((op.XT @ self.block).toarray(), dtype=np.float64).reshape(op.shape[1], -1)
                if op.mean is not None:
                    G -= op.dd * np.outer(op.mean, op.mean[self.idx])
                self._cross = G @ self.M
            else:
                self._cross = np.asarray(op.centered_tdot(self.Q)).reshape(op.shape[1], -1)
        return self._cross


class Centered:
    """``X_c = X − 1 meanᵀ`` applied implicitly; ``mean=None`` means no centering.

    ``X`` is a float64 ndarray or scipy CSR/CSC matrix or array. ``dot`` and
    ``tdot`` accept vectors or blocks of columns. With sample weights, ``X``
    holds ``DX`` (rows scaled by ``d = √s``) and ``d`` is given: the centering
    is along ``d``, ``X_c = DX − d meanᵀ`` (see :mod:`fastreg._preprocess`).

    Generalized Ridge (see :mod:`.factors`): with ``penalty_scale`` ``S`` (p,)
    and a :class:`Basis` ``Q`` (n, r), orthonormal and orthogonal to the
    centering direction, the operator is ``(I − QQᵀ)·X_c·diag(S)``; every
    method below then means that operator (``X_c`` stands for it). Both
    ``None``: ``X_c``. ``ridge_weight`` ``r`` (p,) makes the Ridge term
    ``α·diag(r)`` instead of ``αI`` in :meth:`normal`, :meth:`normal_operator`
    and :meth:`scaled_operator` (the primal Krylov solvers only: the dual
    products and the Grams assume ``αI``).
    """

    def __init__(self, X, mean, d=None, penalty_scale=None, basis=None, ridge_weight=None):
        self.X = X
        self.XT = X.T
        self.mean = mean
        self.d = d
        self.dd = float(X.shape[0]) if d is None else float(d @ d)
        self.shape = X.shape
        self.penalty_scale = penalty_scale
        self.basis = basis
        self.ridge_weight = ridge_weight

    def penalized(self, penalty_scale, basis, ridge_weight=None):
        """This operator with ``penalty_scale``, ``basis`` and ``ridge_weight`` (sharing ``X``)."""
        return Centered(self.X, self.mean, self.d, penalty_scale, basis, ridge_weight)

    def ridge_diagonal(self, alpha):
        """The Ridge term's diagonal: ``α``, or ``α·r`` (p,) with a ``ridge_weight``."""
        return alpha if self.ridge_weight is None else alpha * self.ridge_weight

    def dot(self, V):
        if self.penalty_scale is not None:
            V = _scale_rows(self.penalty_scale, V)
        out = self.centered_dot(V)
        if self.basis is not None:
            out = self.basis.project(out)
        return out

    def tdot(self, U):
        if self.basis is not None:
            U = self.basis.project(U)
        out = self.centered_tdot(U)
        if self.penalty_scale is not None:
            out = _scale_rows(self.penalty_scale, out)
        return out

    def centered_dot(self, V):
        """``X_c V`` without ``penalty_scale`` and ``basis``."""
        out = np.asarray(self.X @ V)
        if self.mean is not None:
            if self.d is None:
                out = out - self.mean @ V
            else:
                out = out - np.multiply.outer(self.d, self.mean @ V)
        return out

    def centered_tdot(self, U):
        """``X_cᵀU`` without ``penalty_scale`` and ``basis``."""
        out = np.asarray(self.XT @ U)
        if self.mean is not None:
            out = out - np.multiply.outer(self.mean, U.sum(axis=0) if self.d is None else self.d @ U)
        return out

    def columns(self, idx):
        """``(A, block)``: the dense (n, len(idx)) ``X_c[:, idx]`` (without ``penalty_scale`` and ``basis``),
        and for sparse ``X`` those columns as stored (``None`` for dense ``X``)."""
        X = self.X
        block = X[:, idx] if sp.issparse(X) else None
        A = block.toarray() if block is not None else np.asarray(X[:, idx], dtype=np.float64)  # copies
        if self.mean is not None:
            A -= self.mean[idx] if self.d is None else np.multiply.outer(self.d, self.mean[idx])
        return A, block

    def cross(self, gram=None):
        """``X_cᵀQ`` (p, r) of the ``basis`` ``Q``, unscaled: see :meth:`Basis.cross`."""
        return self.basis.cross(self, gram)

    def column_norms(self):
        """``‖X_c[:, j]‖²`` for every column, summed from the centered values (no ``ΣX² − n·x̄²`` cancellation).

        Sparse ``X``: stored entries contribute ``(xᵢⱼ − dᵢx̄ⱼ)²``, the others
        ``(dᵢx̄ⱼ)²`` (``d = 1`` without weights). The Jacobi scaling of the
        iterative solvers. With a ``basis``, ``‖X_cⱼ‖² − ‖QᵀX_cⱼ‖²``; with
        ``penalty_scale``, times ``Sⱼ²``.
        """
        norms = self._centered_norms()
        if self.basis is not None:
            C = self.basis.cross(self, centered_norms=norms)
            norms = np.maximum(norms - np.einsum("ij,ij->i", C, C), 0.0)
        if self.penalty_scale is not None:
            norms = norms * self.penalty_scale**2
        return norms

    def _centered_norms(self):
        X, mean = self.X, self.mean
        n, p = X.shape
        if not sp.issparse(X):
            norms = np.zeros(p)
            for i in range(0, n, 4096):  # row blocks: no full centered copy
                A = np.asarray(X[i : i + 4096], dtype=np.float64)
                if mean is not None:
                    A = A - (mean if self.d is None else np.multiply.outer(self.d[i : i + 4096], mean))
                norms += np.einsum("ij,ij->j", A, A)
            return norms
        norms, stored_dd = np.zeros(p), np.zeros(p)
        d = np.empty(0) if self.d is None else self.d
        centered_norms_compressed(
            X.data, X.indices, X.indptr, X.format == "csr", np.zeros(p) if mean is None else mean, d, norms, stored_dd
        )
        if mean is not None:
            norms += mean * mean * np.maximum(self.dd - stored_dd, 0.0)
        return norms

    def scaled_operator(self, scale, alpha=0.0):
        """``X_c·diag(scale)`` as a LinearOperator, stacked on ``√α·diag(scale)`` when ``alpha > 0``
        (``diag(√(α·r))·diag(scale)`` with a ``ridge_weight``).

        LSQR on it solves the Ridge problem in ``v = w/scale``: with ``scale``
        the inverse column norms, all columns have norm one (Jacobi
        equilibration), so widely scaled columns no longer slow it down.
        """
        n, p = self.shape
        root = math.sqrt(alpha) if self.ridge_weight is None else np.sqrt(alpha * self.ridge_weight)

        def matvec(v):
            v = np.ravel(v) * scale
            out = np.ravel(self.dot(v))
            return np.concatenate([out, root * v]) if alpha > 0.0 else out

        def rmatvec(u):
            u = np.ravel(u)
            out = np.ravel(self.tdot(u[:n]))
            if alpha > 0.0:
                out = out + root * u[n:]
            return out * scale

        rows = n + p if alpha > 0.0 else n
        return LinearOperator((rows, p), matvec=matvec, rmatvec=rmatvec, dtype=np.float64)

    def normal(self, V, alpha):
        """``(X_cᵀX_c + αI) V`` (``α·diag(r)`` with a ``ridge_weight``)."""
        if self.ridge_weight is None:
            return self.tdot(self.dot(V)) + alpha * V
        return self.tdot(self.dot(V)) + _scale_rows(alpha * self.ridge_weight, V)

    def dual(self, C, alpha):
        """``(X_cX_cᵀ + αI) C``."""
        return self.dot(self.tdot(C)) + alpha * C

    def linear_operator(self):
        return LinearOperator(
            self.shape,
            matvec=self.dot,
            rmatvec=self.tdot,
            matmat=self.dot,
            rmatmat=self.tdot,
            dtype=np.float64,
        )

    def normal_operator(self, alpha):
        """``X_cᵀX_c + αI`` as a LinearOperator: one fused pass over ``X`` per product
        (FISTA's centered pass, :class:`fastreg.solvers.fista.CenteredPass`) for CSR or contiguous dense
        ``X`` without weights, else the two products :meth:`normal` makes."""
        p = self.shape[1]
        matvec = self._fused_normal(alpha)
        if matvec is None:
            matvec = lambda v: self.normal(v, alpha)  # noqa: E731
        return LinearOperator(
            (p, p),
            matvec=matvec,
            matmat=lambda V: self.normal(V, alpha),
            dtype=np.float64,
        )

    def _fused_normal(self, alpha):
        X = self.X
        fusable = X.format == "csr" if sp.issparse(X) else (X.flags.c_contiguous or X.flags.f_contiguous)
        if self.d is not None or not fusable:
            return None
        centered = CenteredPass(X, np.zeros(X.shape[0]), self.mean is not None, x_mean=self.mean)
        if self.penalty_scale is None and self.basis is None and self.ridge_weight is None:

            def matvec(v):
                v = np.ravel(v)
                return centered.gram_times(v) + alpha * v

            return matvec
        S = np.ones(self.shape[1]) if self.penalty_scale is None else self.penalty_scale
        C = None if self.basis is None else self.cross()
        ridge = self.ridge_diagonal(alpha)

        def penalized_matvec(v):  # S(X_cᵀX_c − CCᵀ)S v + α·r∘v
            v = np.ravel(v)
            u = S * v
            g = centered.gram_times(u)
            if C is not None:
                g = g - C @ (C.T @ u)
            return S * g + ridge * v

        return penalized_matvec


class SparseDual(Centered):
    """:class:`Centered` for sparse ``X`` whose dual products ``(X_cX_cᵀ + αI)u`` take one pass over ``X``.

    The pass runs over ``X`` column by column (a CSC copy by
    :func:`fastreg._convert.to_csc` when ``X`` is CSR; a CSC ``X`` is
    used as stored), as rows of ``Xᵀ`` through the fused CSR
    kernel of :class:`fastreg.solvers.fused.FusedGradient`: for each column
    ``xⱼ`` it forms ``tⱼ = xⱼ·u − x̄ⱼ·(dᵀu)`` (``X_cᵀu``, ``d = 1`` without
    weights) and adds ``tⱼxⱼ`` to the output, on numba's threads. The
    centering of that output, ``d·(x̄ᵀt)``, comes from ``x̄ᵀt = (Xx̄)·u −
    ‖x̄‖²(dᵀu)``. (The base class's :meth:`dual`, two SciPy products, reads
    ``X`` twice on one thread.)

    With ``penalty_scale`` ``S`` the pass runs over ``XS`` (the CSC copy's
    values scaled, a new array of the stored values), centered by ``Sx̄``;
    with a ``basis`` ``Q`` the product is ``(I − QQᵀ)X_cS²X_cᵀ(I − QQᵀ)``.
    """

    def __init__(self, X, mean, d=None, penalty_scale=None, basis=None):
        super().__init__(X, mean, d, penalty_scale, basis)
        n, p = X.shape
        by_column = to_csc(X)  # no copy when X is CSC
        values = by_column.data
        if penalty_scale is not None:
            values = values * np.repeat(penalty_scale, np.diff(by_column.indptr))
            mean = None if mean is None else mean * penalty_scale
        self._mean = mean
        self._pass = FusedGradient(sp.csr_matrix((values, by_column.indices, by_column.indptr), shape=(p, n)))
        self._theta = np.zeros(n + 1)  # [0, u]: no offset
        self._out = np.empty(n + 1)
        self._d = np.ones(n) if d is None else d
        if mean is None:
            self._shift = np.zeros(p)
        else:
            self._xm = np.asarray(X @ (mean if penalty_scale is None else mean * penalty_scale))
            self._mm = float(mean @ mean)

    def dual(self, C, alpha):
        """``(X_cX_cᵀ + αI) C``, one pass over ``X`` per column of ``C``."""
        Q = self.basis
        P_C = C if Q is None else Q.project(C)
        out = np.empty_like(C)
        for j in range(C.shape[1]):
            u = P_C[:, j]
            self._theta[1:] = u
            if self._mean is None:
                self._pass(self._theta, self._shift, self._out)
                out[:, j] = self._out[1:]
            else:
                s = float(self._d @ u)
                self._pass(self._theta, self._mean * s, self._out)
                out[:, j] = self._out[1:] - (float(self._xm @ u) - self._mm * s) * self._d
        if Q is not None:
            out = Q.project(out)
        return out + alpha * C


def _scale_rows(scale, V):
    """``diag(scale)·V`` for a vector or a block of columns ``V``."""
    return scale * V if V.ndim == 1 else scale[:, None] * V


def as_2d(y):
    y = np.asarray(y, dtype=np.float64)
    if y.ndim == 1:
        return y[:, None], True
    return y, False


def center_y(Y, fit_intercept):
    if not fit_intercept:
        return Y, None
    y_mean = Y.mean(axis=0)
    return Y - y_mean, y_mean


def sparse_operator(X, Y, fit_intercept, sample_weight):
    """Implicitly centered (and weighted) operator for float64 CSR/CSC ``X``.

    Returns ``(op, Y_c, mean, y_mean)``; ``mean``/``y_mean`` are ``None``
    without intercept, as :func:`finish` expects.
    """
    if sample_weight is None:
        mean = column_means(X) if fit_intercept else None
        Y_c, y_mean = center_y(Y, fit_intercept)
        return Centered(X, mean), Y_c, mean, y_mean
    X_w, Y_c, mean, y_mean, d = preprocess(X, Y, sample_weight, fit_intercept=fit_intercept)
    if not fit_intercept:
        return Centered(X_w, None), Y_c, None, None
    return Centered(X_w, mean, d), Y_c, mean, y_mean


def dense_weighted(X, Y, fit_intercept, sample_weight):
    """``D(X − x̄)`` (float64 copy), ``D(Y − ȳ)``, and the means (``None`` without intercept)."""
    X_w, Y_c, mean, y_mean, _ = preprocess(
        X, Y, sample_weight, fit_intercept=fit_intercept, dtype=np.float64, order="C"
    )
    if not fit_intercept:
        return X_w, Y_c, None, None
    return X_w, Y_c, mean, y_mean


def sparse_float64(X):
    if X.format not in ("csr", "csc"):
        X = X.tocsr()
    if X.dtype != np.float64:
        X = X.astype(np.float64)
    return X


def finish(W, mean, y_mean, single):
    """``W`` (p, k) → ``coef`` (p,) / (k, p) and the intercept."""
    if y_mean is None:
        intercept = np.zeros(W.shape[1])
    else:
        intercept = y_mean - mean @ W
    if single:
        return W[:, 0].copy(), float(intercept[0])
    return np.ascontiguousarray(W.T), intercept
