"""Every "auto" choice of the Ridge solvers, and the limits of the explicit ones.

The cost constants come from side-by-side timings of the Ridge tasks of
``scripts/compare.py`` and of the shapes named below; the timings themselves
are in ``docs/performance.md`` and the commit messages, not here.
"""

import numpy as np

__all__ = [
    "ITERATIVE_DEFAULT", "SPARSE_GRAM_MAX", "SPARSE_AUTO_GRAM_MAX", "DUAL_CG_ITERS_PER_ROW", "DUAL_CG_MIN_BUDGET",
    "DEFAULT_TOL", "AUTO_CG_TOL", "AUTO_GAP_TOL", "sparse_auto", "sparse_dual_budget",
]

# LSQR and CG on the normal equations produce the same iterates in exact
# arithmetic at the same cost per iteration (one product with X, one with
# Xᵀ); LSQR works with X_c rather than X_cᵀX_c, so it is the more stable of
# the two at tight tolerances.
ITERATIVE_DEFAULT = "lsqr"

# Sparse "auto" picks between the Gram (Cholesky, refined) and CG by a cost
# estimate, CG on the dual for wide X (see sparse_auto). An explicit sparse "cholesky" forms the Gram up
# to SPARSE_GRAM_MAX (a dense 5000 × 5000 float64 Gram is 200 MB); beyond, it
# uses the iterative default too.
SPARSE_GRAM_MAX = 5000
# Sparse "auto" never forms the Gram of more features than this: at 2,000
# features CG was already several times faster in every case measured.
SPARSE_AUTO_GRAM_MAX = 2000
# The cost model of sparse_auto (seconds): one scattered update of the Gram,
# one flop of the Cholesky, one entry of a dense Gram, one stored entry of a
# fused pass; CG's typical iteration count.
_SCATTER_S = 5e-9
_FLOP_S = 1e-10
_DENSE_ENTRY_S = 2e-9
_FUSED_NNZ_S = 1.5e-9
_CG_TYPICAL_ITERS = 20
# Below this estimated Gram cost (seconds) "auto" factors whatever CG would
# cost: CG stops on the normal equations' residual, which on an
# ill-conditioned X (columns 100 ± 0.01 without intercept) left 1e-6..5e-4
# relative objective at tol=1e-10, where the refined Cholesky lands at 1e-12.
_SPARSE_AUTO_EXACT_S = 2e-3
# Wide sparse "auto": CG on the dual gives up for the refined dual Cholesky
# once its rate predicts more iterations than the Gram costs (and at least
# this many): columns scaled 1e-3..1e3 (150 x 200) left dual CG at max_iter
# 1e5-1e7 times above the optimum.
_SPARSE_DUAL_MIN_BUDGET = 100

# Dense wide "auto": conjugate gradients on the dual (two BLAS gemv passes over
# X per iteration) while they are predicted cheaper than the Cholesky route's
# syrk (n²p multiply-adds): the syrk costs about DUAL_CG_ITERS_PER_ROW·n CG
# iterations (measured on 1,000 × 20,000 float64); below DUAL_CG_MIN_BUDGET
# iterations' budget CG cannot win.
DUAL_CG_ITERS_PER_ROW = 0.035
DUAL_CG_MIN_BUDGET = 8
# "auto" is a direct solver's stand-in: its CG (primal or dual) stops at a
# residual of at most AUTO_CG_TOL (dual: times ‖y_c‖) whatever ``tol`` (only a
# tighter tol is taken), or earlier once its duality gap certifies the objective
# within AUTO_GAP_TOL relative of the optimum (the promise of the Lasso's default
# too), unless a tol below DEFAULT_TOL asks for the residual alone. The residual
# alone asks for about 40% more iterations on the issue-33 sparse Ridge tasks.
DEFAULT_TOL = 1e-10
AUTO_CG_TOL = 1e-12
AUTO_GAP_TOL = 1e-12


def sparse_auto(X):
    """``"cholesky"`` or ``"cg"`` for tall sparse ``X`` (whichever is estimated faster), ``"cg"`` (on the dual) for wide.

    Estimated seconds (the cost model above, cold caches): the
    Gram's (:func:`_gram_seconds`) against ``_CG_TYPICAL_ITERS`` fused
    passes over the stored entries. A Gram
    estimated under ``_SPARSE_AUTO_EXACT_S`` is always taken: the refined
    direct solve does not depend on the conditioning of ``X``.
    """
    n, p = X.shape
    if n < p:
        return "cg"  # on the n × n dual, one fused pass per iteration
    if p > SPARSE_AUTO_GRAM_MAX:
        return "cg"
    gram = _gram_seconds(X, dual=False)
    if gram <= _SPARSE_AUTO_EXACT_S:
        return "cholesky"  # cheap either way: take the refined direct solve
    iterative = _CG_TYPICAL_ITERS * X.nnz * _FUSED_NNZ_S
    return "cholesky" if gram < iterative else "cg"


def sparse_dual_budget(X):
    """"auto"'s budget for CG on the sparse dual, in iterations: the cost of factoring ``XXᵀ`` instead (``None`` past ``SPARSE_AUTO_GRAM_MAX`` rows).

    At least ``_SPARSE_DUAL_MIN_BUDGET``: CG, exact and cheap on the usual
    well-conditioned wide data, is given a fair run before the factorization
    (which, refined, does not depend on the conditioning) takes over.
    """
    if X.shape[0] > SPARSE_AUTO_GRAM_MAX:
        return None
    return max(_gram_seconds(X, dual=True) / max(X.nnz * _FUSED_NNZ_S, 1e-12), _SPARSE_DUAL_MIN_BUDGET)


def _gram_seconds(X, dual):
    """Estimated seconds to form and factor the primal ``XᵀX`` (or, ``dual``, the ``XXᵀ``) of sparse ``X``.

    ``Σ c²/2`` scattered updates over the stored entries per row (dual: per
    column), ``m³/3`` flops of the Cholesky on one thread and ``m²`` for the
    dense ``m × m`` matrices (``m = p``, dual ``n``).
    """
    n, p = X.shape
    by_row = X.format == "csr"
    if dual:  # entries per column
        counts = np.bincount(X.indices, minlength=p) if by_row else np.diff(X.indptr)
    else:  # entries per row
        counts = np.diff(X.indptr) if by_row else np.bincount(X.indices, minlength=n)
    counts = counts.astype(np.float64)
    m = n if dual else p
    return 0.5 * float(counts @ counts) * _SCATTER_S + m**3 / 3.0 * _FLOP_S + m * m * _DENSE_ENTRY_S
