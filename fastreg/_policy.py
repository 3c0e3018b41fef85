"""Every "auto" choice and its threshold, in one place, each naming the script that measured it.

The solvers are exact whatever is chosen here: these rules only pick the
fastest route to the same optimum. The measurements behind each threshold,
with their dates and figures, are in the documentation
(``docs/design-measurements.md``, section "fastreg._policy"); rerun the named
script to check one on another machine.
"""

import numpy as np
import scipy.sparse as sp

from ._preprocess import column_means, column_sums

__all__ = [
    "enet_solver",
    "path_uses_gram",
    "dask_uses_gram",
    "serial",
    "c_copy_pays",
    "csc_blocked",
    "sparse_gram_is_accurate",
    "SERIAL_MAX_VALUES",
    "DASK_GRAM_MAX_FEATURES",
]

# ---- Lasso/ElasticNet, one fit: the Gram or coordinate descent on X?
# Forming G = X_cᵀX_c costs n·p²/2 multiply-adds at BLAS speed; it pays when n ≫ p and p is
# small. Measured with scripts/bench_auto.py (gram/cd time ratios per p).
ENET_GRAM_MAX_FEATURES = 300
ENET_GRAM_MIN_ROWS_PER_FEATURE = 2

# ---- A path or cross-validation: one Gram serves every α (and every fold)
# Tall X (n ≥ p) up to 5,000 features (200 MB of float64). Never for n < p: there the path
# reaches the interpolation regime, where the Gram engine restarts LARS at each α while the
# residual engine follows one LARS path for all of them (several times to forty times faster).
# Checked with scripts/bench_path.py.
PATH_GRAM_MAX_FEATURES = 5000

# ---- Dask: the sufficient statistics (one distributed pass) up to this many features, else
# distributed FISTA. A memory bound, not a timing: the p × p Gram of 20,000 features is 3.2 GB
# on the client (scripts/dask_out_of_core.py fits both routes).
DASK_GRAM_MAX_FEATURES = 20_000

# ---- numba threads: passes over fewer stored values run on one thread. Two threads gain
# little there and lose whenever another thread holds a core. Measured with
# scripts/time_fit.py A/B runs and scripts/compare.py (tall CSR, wide CSR, small dense;
# alone and right after a peer's fit).
SERIAL_MAX_VALUES = 4_000_000

# ---- Gradient descent and FISTA on F-ordered dense X: a C copy (a few passes' time) pays
# from this many passes on (the C kernel reads at memory speed, the F one at NumPy's).
# Measured with scripts/bench_gd.py.
C_COPY_MIN_ITERATIONS = 10

# ---- CSR → CSC: scipy's single pass below this many values or up to this many columns
# (the output's streams fit in cache); else fastreg's cache-blocked kernel. Measured with
# scripts/time_fit.py A/B runs on wide and on tall CSR.
CSC_BLOCKED_MIN_VALUES = 200_000
CSC_DIRECT_MAX_COLUMNS = 4096

# ---- Sparse X's implicitly centered Gram XᵀX − n·x̄x̄ᵀ loses about 2·log10(|x̄|/σ) digits: not
# trusted beyond |x̄|/σ = 1000 (6 digits), where the residual solver serves instead.
MAX_MEAN_OVER_SPREAD = 1e3


def enet_solver(X, sample_weight, copy_X=True):
    """``solver="auto"`` of Lasso/ElasticNet for one fit: ``"gram"`` or ``"cd"``.

    ``"gram"`` for dense, unweighted ``X`` with ``n ≥ 2p`` and ``p ≤ 300``.
    Sparse ``X`` keeps ``"cd"`` (its working sets touch few stored entries),
    as do ``sample_weight`` and ``copy_X=False`` (center ``X`` in place
    rather than form anything new).
    """
    n, p = X.shape
    if sample_weight is not None or not copy_X or sp.issparse(X):
        return "cd"
    if n >= ENET_GRAM_MIN_ROWS_PER_FEATURE * p and p <= ENET_GRAM_MAX_FEATURES:
        return "gram"
    return "cd"


def path_uses_gram(X, fit_intercept, sample_weight=None, n_fit=None):
    """``precompute="auto"`` of a path or CV: the Gram when ``n ≥ p`` and ``p ≤ 5000``.

    ``n`` is ``n_fit`` when given: the rows each path fits (a CV fold's training rows).

    Sparse ``X`` also needs its implicitly centered Gram to keep its digits
    (:func:`sparse_gram_is_accurate`: column means within 1000 times their
    spreads).
    """
    n, p = X.shape
    n = n if n_fit is None else n_fit
    if not (n >= p and p <= PATH_GRAM_MAX_FEATURES):
        return False
    return not sp.issparse(X) or sparse_gram_is_accurate(X, fit_intercept, sample_weight)


def dask_uses_gram(p, solver):
    """Dask: the sufficient statistics (``solver="cd"`` always, ``"auto"`` up to 20,000 features) or FISTA."""
    if solver == "fista":
        return False
    if solver == "cd":
        return True
    return p <= DASK_GRAM_MAX_FEATURES


def serial(values):
    """Whether passes over ``values`` stored values run on one numba thread."""
    return values < SERIAL_MAX_VALUES


def c_copy_pays(X, passes):
    """Whether a C-ordered copy of dense, not C-contiguous ``X`` pays for ``passes`` fused passes."""
    return not sp.issparse(X) and not X.flags.c_contiguous and passes >= C_COPY_MIN_ITERATIONS


def csc_blocked(n_values, p):
    """Whether CSR → CSC goes through the cache-blocked kernel rather than scipy's pass."""
    return n_values >= CSC_BLOCKED_MIN_VALUES and p > CSC_DIRECT_MAX_COLUMNS


def sparse_gram_is_accurate(X, fit_intercept, sample_weight=None):
    """Whether ``XᵀSX − Σs·x̄x̄ᵀ`` keeps enough digits for sparse ``X`` (``S = I`` unweighted)."""
    if not fit_intercept:
        return True
    if sample_weight is None:
        n = X.shape[0]
        mean = column_means(X)
        sq = column_sums(X.multiply(X)) / n
    else:
        total = float(sample_weight.sum())
        mean = np.asarray(X.T @ sample_weight, dtype=np.float64).ravel() / total
        sq = np.asarray(X.multiply(X).T @ sample_weight, dtype=np.float64).ravel() / total
    var = np.maximum(sq - mean**2, 0.0)
    big = np.abs(mean) > MAX_MEAN_OVER_SPREAD * np.sqrt(var)
    return not np.any(big & (mean != 0))
