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
    "KRYLOV_SERIAL_MAX_VALUES",
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
# Ridge's conjugate gradients make one fused pass over all of X per iteration, its rows in
# chunks the threads claim (no static split to wait on): there two threads pay from far
# fewer stored values (100,000 x 1,000 CSR at 1% and the 100,000 x 20,000 CSC copy of a
# 20,000 x 100,000 CSR at 0.1%: 1.6x and 2.0x a pass, right after a scikit-learn fit;
# scripts/krylov_threads.py), while coordinate descent on the same X lost on two. The Lasso
# path's homotopy makes the same kind of pass (Zᵀu) at every kink and takes the same rule.
KRYLOV_SERIAL_MAX_VALUES = 250_000

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


# The homotopy follows a wide Lasso path in about 1.5·n kinks, each a pass over
# X's stored values plus O(n²) for its factor, so its cost grows as
# n·(values + n²) whatever the grid; a fit per α costs epochs over the support.
# Measured: docs/design-measurements.md.
PATH_HOMOTOPY_MAX_WORK = 5e10


def path_uses_homotopy(n, p, values):
    """Whether a Lasso path on ``X`` (n, p; ``values`` stored) follows the homotopy (:func:`fastreg.kernels.lars.lars_grid_dense`).

    For ``n < p`` with ``n·(values + n²)`` up to :data:`PATH_HOMOTOPY_MAX_WORK`:
    near interpolation, where coordinate descent crawls, the homotopy's steps
    are cheap; each α it reaches is still certified by its duality gap.
    """
    return n < p and float(n) * (float(values) + float(n) * n) <= PATH_HOMOTOPY_MAX_WORK


def dask_uses_gram(p, solver):
    """Dask: the sufficient statistics (``solver="cd"`` always, ``"auto"`` up to 20,000 features) or FISTA."""
    if solver == "fista":
        return False
    if solver == "cd":
        return True
    return p <= DASK_GRAM_MAX_FEATURES


def serial(values, krylov=False):
    """Whether passes over ``values`` stored values run on one numba thread.

    ``krylov``: one pass per iteration of a long sequence (Ridge's CG, the homotopy's kinks).
    """
    return values < (KRYLOV_SERIAL_MAX_VALUES if krylov else SERIAL_MAX_VALUES)


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


# ---- Large and memory-mapped dense X: streamed, not copied (fastreg.solvers.stats).
# The in-memory routes copy dense X once: a Fortran copy for coordinate descent on C-ordered X, a
# centered float64 copy for the Gram or Ridge of float32 or uncentered X, a scaled copy with weights.
# A memory map's pages belong to its file (the kernel drops and re-reads them as it needs); a copy is
# anonymous memory, which must fit in RAM. So dense X streams when it is memory-mapped and larger
# than MEMMAP_COPY_MAX_BYTES (then a fit stays within about 2 GB of anonymous memory plus the Gram,
# whatever the file's size), or larger than the memory budget (memory_budget()). A memory limit,
# not a timing: scripts/memmap_check.py measures the peaks. The budget is fastreg.set_config's
# memory_budget, else the FASTREG_MEMORY_BUDGET environment variable, else this fraction of the
# memory available when the fit starts.
MEMORY_BUDGET_FRACTION = 0.5
MEMMAP_COPY_MAX_BYTES = 2**30
# The streamed statistics read X in row blocks whose float64 centered copy holds about this many
# bytes, and at least STREAM_BLOCK_MIN_ROWS rows (a block's rank-k update of the p × p Gram stays
# compute-bound for k in the hundreds).
STREAM_BLOCK_BYTES = 64 * 2**20
STREAM_BLOCK_MIN_ROWS = 256
# The Gram of up to this many features (3.2 GB at 20,000: the Dask backend's memory bound). Beyond it
# Fortran-ordered X is read as it is by coordinate descent, C-ordered X by FISTA's fused row pass.
STREAM_GRAM_MAX_FEATURES = DASK_GRAM_MAX_FEATURES


def available_memory():
    """Bytes of memory available now (``MemAvailable`` of ``/proc/meminfo``; else free physical pages)."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return float(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        import os

        return float(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (AttributeError, ValueError, OSError):
        return float("inf")


def memory_budget():
    """The budget in bytes for a copy of ``X`` (see the rule above and :func:`fastreg.set_config`)."""
    from ._config import memory_budget_setting, parse_memory_budget

    setting = memory_budget_setting()
    kind, value = ("fraction", MEMORY_BUDGET_FRACTION) if setting is None else parse_memory_budget(setting)
    return value * available_memory() if kind == "fraction" else value


def is_memory_mapped(X):
    """Whether dense ``X`` is, or views, a memory map (``np.memmap``, ``np.load(..., mmap_mode=...)``)."""
    import mmap

    base = X
    while base is not None:
        if isinstance(base, (np.memmap, mmap.mmap)):
            return True
        base = getattr(base, "base", None)
    return False


def streams(X):
    """Whether dense ``X`` is streamed rather than copied: memory-mapped beyond 1 GiB, or beyond the budget."""
    if sp.issparse(X) or not isinstance(X, np.ndarray) or X.ndim != 2:
        return False
    from ._config import memory_budget_setting

    if X.nbytes <= STREAM_BLOCK_BYTES and memory_budget_setting() is None:
        return False  # one block at most: the default budget never streams it (and reads no /proc/meminfo)
    limit = memory_budget()
    if is_memory_mapped(X):
        limit = min(limit, MEMMAP_COPY_MAX_BYTES)
    return X.nbytes > limit


def stream_route(X, weighted=False):
    """The streamed route of dense ``X``, or ``None`` when :func:`streams` says it is not streamed.

    ``"gram"``: the centered Gram accumulated over row blocks, for tall ``X``
    (``n ≥ p``) with ``p ≤ 20,000``. Wide ``X`` is read as it is:
    ``"cd"`` for Fortran-ordered ``X`` (coordinate descent reads its
    columns), ``"fista"`` for C-ordered ``X`` (one fused pass over the rows
    per iteration). Weights (which both would apply to a scaled copy), or
    ``X`` in neither order, take the Gram while ``p`` allows, else
    ``"copy"``: no streamed solver serves, the in-memory route copies.
    """
    if not streams(X):
        return None
    n, p = X.shape
    gram_fits = p <= STREAM_GRAM_MAX_FEATURES
    if gram_fits and n >= p:
        return "gram"
    if not weighted and X.flags.f_contiguous:
        return "cd"
    if not weighted and X.flags.c_contiguous:
        return "fista"
    return "gram" if gram_fits else "copy"


def stream_block_rows(X):
    """Rows per block of the streamed statistics of ``X``."""
    return max(STREAM_BLOCK_BYTES // (8 * max(X.shape[1], 1)), STREAM_BLOCK_MIN_ROWS)


__all__ += [
    "MEMMAP_COPY_MAX_BYTES",
    "MEMORY_BUDGET_FRACTION",
    "STREAM_GRAM_MAX_FEATURES",
    "available_memory",
    "is_memory_mapped",
    "memory_budget",
    "stream_block_rows",
    "stream_route",
    "streams",
]


def wide_ridge_reads_as_is(X, *, weighted, positive, penalty_factor, least_squares):
    """Whether Ridge on wide dense ``X`` (no streamed route) reads ``X`` as it is rather than copying it.

    The dual conjugate gradients of :func:`fastreg.solvers.ridge.ridge_fit`
    read float64 contiguous ``X`` (unweighted, no ``positive``, no
    ``penalty_factor``, ``α > 0``), centered implicitly when its column means
    are within their spreads (else it is centered in a copy after all); every
    other case copies ``X``.
    """
    contiguous = X.flags.c_contiguous or X.flags.f_contiguous
    return (X.dtype == np.float64 and contiguous and not weighted and not positive and penalty_factor is None
            and not least_squares)


__all__ += ["wide_ridge_reads_as_is"]


def explicit_solver_copies(X, solver, weighted):
    """Whether a solver the caller named copies dense ``X`` (then a streamed ``X`` gets a warning).

    Coordinate descent (``"cd"``) reads unweighted Fortran-ordered ``X`` as it
    is, else works on a Fortran (row-scaled) copy; FISTA reads C-ordered ``X``;
    Ridge's Krylov solvers (``"lsqr"``, ``"cg"``) read unweighted float64 ``X``.
    """
    if solver == "cd":
        return weighted or not X.flags.f_contiguous
    if solver == "fista":
        return not X.flags.c_contiguous
    if solver in ("lsqr", "cg"):
        return weighted or X.dtype != np.float64
    return False


__all__ += ["explicit_solver_copies"]
