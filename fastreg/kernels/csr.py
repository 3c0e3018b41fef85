"""Fused one-pass gradient kernels over CSR ``X`` (``data, indices, indptr``).

Same contract as :mod:`fastreg.kernels.dense`: one read of each stored entry
per call gives the residual of its row and that row's share of ``Xᵀr``.
Unsorted indices are fine (both passes over a row see the same entries).

Two kernels share the contract, each row range (a claimed chunk) handled by a
serial pass:

* :func:`gradient_csr` walks each row with scalar loops; duplicate entries are
  summed, so any valid CSR matrix is used exactly as stored.
* :func:`gradient_csr_gather` takes a row 8 entries at a time with masked
  vector loads, a gather of ``θ`` and a gather-add-scatter into the gradient
  (AVX-512). Rows are mostly short (10 entries at 1% of 1,000 columns): the
  scalar loops' exits, which depend on each row's length, are mispredicted,
  while a row of up to 8 entries is one vector step here. A scatter adds one
  lane per column, so a row must not hold a column twice
  (:func:`rows_sorted_distinct` checks a matrix first); and only CPUs with
  fast AVX-512 gathers and scatters should run it (:data:`FAST_GATHERS`).
  On other CPUs LLVM emulates the vector operations: same result, slower.

Entry and row counters are ``uintp`` (indices are validated non-negative), so
numba drops its negative-index wrap-around from the loops. No ``fastmath``:
the vector kernel sums the 8 products of a step as a tree, every other sum in
order.
"""

import numpy as np
from llvmlite import binding as ll
from llvmlite import ir
from numba import config, njit, prange, types
from numba.core import cgutils
from numba.extending import intrinsic

from .intrinsics import claim, prefetch

# Entries per vector step: one 512-bit register of float64.
_LANES = 8
# Entries ahead of the row being read whose cache lines are requested (4-8 KB,
# past the page boundary where the hardware prefetchers stop; see .intrinsics).
_AHEAD = 1024


#: Whether :func:`gradient_csr_gather` compiles: its intrinsics are named for
#: opaque pointers, the only kind from LLVM 17 on (llvmlite 0.45).
GATHERS_COMPILE = ll.llvm_version_info[0] >= 17


_GDS_STATUS = "/sys/devices/system/cpu/vulnerabilities/gather_data_sampling"


def _gathers_slowed_by_microcode(status_file=_GDS_STATUS):
    """Whether Linux reports Intel's microcode mitigation of Gather Data Sampling, which slows every gather."""
    try:
        with open(status_file) as f:
            return f.read().strip().startswith("Mitigation: Microcode")
    except OSError:  # not Linux, or a kernel that does not report it
        return False


def _fast_gathers():
    """Whether numba compiles for a CPU whose AVX-512 gathers and scatters are fast.

    Intel's are, unless the Gather Data Sampling microcode mitigation is on;
    AMD's (Zen 4) are microcoded, and without AVX-512 LLVM splits them into one
    branch per lane: the scalar kernel is the faster there.
    """
    if not GATHERS_COMPILE:
        return False
    try:
        # the target numba compiles for: its settings, else the host's (as numba reads them)
        name = ll.get_host_cpu_name() if config.CPU_NAME is None else config.CPU_NAME
        features = ll.get_host_cpu_features().flatten() if config.CPU_FEATURES is None else config.CPU_FEATURES
    except RuntimeError:  # llvmlite cannot read the features on some platforms
        return False
    return "+avx512f" in features.split(",") and not name.startswith("znver") and not _gathers_slowed_by_microcode()


#: Use :func:`gradient_csr_gather` where a matrix allows it (see :func:`fastreg.solvers.fused.FusedGradient`).
FAST_GATHERS = _fast_gathers()


# --- masked vector steps (LLVM intrinsics numba does not expose) -------------


def _splat(builder, value, lanes):
    vec = ir.VectorType(value.type, lanes)
    one = builder.insert_element(ir.Constant(vec, ir.Undefined), value, ir.Constant(ir.IntType(32), 0))
    return builder.shuffle_vector(one, ir.Constant(vec, ir.Undefined), ir.Constant(ir.VectorType(ir.IntType(32), lanes), [0] * lanes))


def _intrinsic_fn(builder, name, ret, args):
    return cgutils.get_or_insert_function(builder.module, ir.FunctionType(ret, args), name)


def _lane_mask(builder, count):
    """``lane < count`` for the lanes of one step (``count`` unsigned, may exceed the lanes)."""
    vi64 = ir.VectorType(ir.IntType(64), _LANES)
    return builder.icmp_unsigned("<", ir.Constant(vi64, list(range(_LANES))), _splat(builder, count, _LANES))


def _masked_load(builder, context, arrty, arr, start, mask):
    """The masked lanes of ``arr[start : start + LANES]``; masked-off lanes are not read (no fault past the end)."""
    elem = context.get_value_type(arrty.dtype)
    vec = ir.VectorType(elem, _LANES)
    ary = context.make_array(arrty)(context, builder, arr)
    ptr = cgutils.get_item_pointer(context, builder, arrty, ary, [start])
    suffix = "f64" if arrty.dtype == types.float64 else "f32" if arrty.dtype == types.float32 else f"i{arrty.dtype.bitwidth}"
    fn = _intrinsic_fn(builder, f"llvm.masked.load.v{_LANES}{suffix}.p0", vec, [ptr.type, ir.IntType(32), mask.type, vec])
    return builder.call(fn, [ptr, ir.Constant(ir.IntType(32), arrty.dtype.bitwidth // 8), mask, ir.Constant(vec, None)])


def _as_f64(builder, vec):
    if isinstance(vec.type.element, ir.FloatType):
        return builder.fpext(vec, ir.VectorType(ir.DoubleType(), _LANES))
    return vec


def _shifted_pointers(builder, context, arrty, arr, idx):
    """Pointers to ``arr[1 + idx[l]]`` for the lanes of ``idx`` (int32 or int64 indices)."""
    vi64 = ir.VectorType(ir.IntType(64), _LANES)
    if idx.type.element.width < 64:
        idx = builder.sext(idx, vi64)
    ary = context.make_array(arrty)(context, builder, arr)
    one = context.get_constant(types.intp, 1)
    base = builder.ptrtoint(cgutils.get_item_pointer(context, builder, arrty, ary, [one]), ir.IntType(64))
    offsets = builder.shl(idx, ir.Constant(vi64, [3] * _LANES))  # float64: 8 bytes
    return builder.inttoptr(builder.add(_splat(builder, base, _LANES), offsets), ir.VectorType(ir.PointerType(), _LANES))


def _gather(builder, ptrs, mask):
    vec = ir.VectorType(ir.DoubleType(), _LANES)
    fn = _intrinsic_fn(builder, f"llvm.masked.gather.v{_LANES}f64.v{_LANES}p0", vec, [ptrs.type, ir.IntType(32), mask.type, vec])
    return builder.call(fn, [ptrs, ir.Constant(ir.IntType(32), 8), mask, ir.Constant(vec, None)])


def _step_types_ok(data, indices, out, start, count):
    return (
        GATHERS_COMPILE
        and isinstance(data, types.Array) and data.ndim == 1 and data.layout == "C" and data.dtype in (types.float32, types.float64)
        and isinstance(indices, types.Array) and indices.ndim == 1 and indices.layout == "C"
        and indices.dtype in (types.int32, types.int64)
        and isinstance(out, types.Array) and out.ndim == 1 and out.layout == "C" and out.dtype == types.float64
        and isinstance(start, types.Integer) and isinstance(count, types.Integer)
    )


@intrinsic
def _dot_step(typingctx, data, indices, theta, start, count):
    """``Σ_l data[start + l] · theta[1 + indices[start + l]]`` over the lanes ``l < min(count, 8)``, summed as a tree."""
    if not _step_types_ok(data, indices, theta, start, count):
        return None
    sig = types.float64(data, indices, theta, start, count)

    def codegen(context, builder, signature, args):
        dty, ity, tty, kty, cty = signature.args
        d, ix, th, k, cnt = args
        k = context.cast(builder, k, kty, types.intp)
        mask = _lane_mask(builder, context.cast(builder, cnt, cty, types.uint64))
        values = _as_f64(builder, _masked_load(builder, context, dty, d, k, mask))
        columns = _masked_load(builder, context, ity, ix, k, mask)
        weights = _gather(builder, _shifted_pointers(builder, context, tty, th, columns), mask)
        vec = ir.VectorType(ir.DoubleType(), _LANES)
        fn = _intrinsic_fn(builder, f"llvm.vector.reduce.fadd.v{_LANES}f64", ir.DoubleType(), [ir.DoubleType(), vec])
        return builder.call(fn, [ir.Constant(ir.DoubleType(), -0.0), builder.fmul(values, weights)], fastmath=("reassoc",))

    return sig, codegen


@intrinsic
def _scatter_step(typingctx, g, indices, data, start, count, r):
    """``g[1 + indices[start + l]] += r · data[start + l]`` over the lanes ``l < min(count, 8)``.

    One gather-add-scatter: the lanes' columns must be distinct.
    """
    if not (_step_types_ok(data, indices, g, start, count) and isinstance(r, types.Float)):
        return None
    sig = types.void(g, indices, data, start, count, r)

    def codegen(context, builder, signature, args):
        gty, ity, dty, kty, cty, rty = signature.args
        gg, ix, d, k, cnt, rr = args
        k = context.cast(builder, k, kty, types.intp)
        rr = context.cast(builder, rr, rty, types.float64)
        mask = _lane_mask(builder, context.cast(builder, cnt, cty, types.uint64))
        values = _as_f64(builder, _masked_load(builder, context, dty, d, k, mask))
        ptrs = _shifted_pointers(builder, context, gty, gg, _masked_load(builder, context, ity, ix, k, mask))
        vec = ir.VectorType(ir.DoubleType(), _LANES)
        updated = builder.fadd(_gather(builder, ptrs, mask), builder.fmul(_splat(builder, rr, _LANES), values))
        fn = _intrinsic_fn(builder, f"llvm.masked.scatter.v{_LANES}f64.v{_LANES}p0", ir.VoidType(), [vec, ptrs.type, ir.IntType(32), mask.type])
        builder.call(fn, [updated, ptrs, ir.Constant(ir.IntType(32), 8), mask])
        return context.get_dummy_value()

    return sig, codegen


@njit(cache=True)
def rows_sorted_distinct(indices, indptr):
    """Whether every row's column indices strictly increase (scipy's canonical format).

    Read from the arrays themselves, not from scipy's cached
    ``has_canonical_format``, which goes stale when ``indices`` is changed
    after it was computed: :func:`gradient_csr_gather` would then lose the
    duplicates' updates without a sign. Counted without branches over all
    consecutive pairs (a loop LLVM vectorizes), minus the pairs that straddle
    a row boundary: a row-by-row loop exits at every short row.
    """
    nnz = indptr[indptr.shape[0] - 1]
    descents = 0
    for k in range(1, nnz):
        descents += indices[k] <= indices[k - 1]
    last = 0
    for i in range(1, indptr.shape[0] - 1):
        start = indptr[i]
        if start != last and start < nnz:  # each boundary once (empty rows repeat it)
            descents -= indices[start] <= indices[start - 1]
            last = start
    return descents == 0


# --- one chunk of rows, serially ---------------------------------------------


@njit(cache=True)
def _rows_scalar(data, indices, indptr, y, theta, start, stop, g):
    """Rows ``start..stop-1`` with scalar loops: ``g = [Σr, Xᵀr]`` over them; returns ``Σr²``."""
    one = np.uintp(1)
    ahead = np.uintp(_AHEAD)
    for j in range(g.shape[0]):
        g[j] = 0.0
    b = theta[0]
    g0 = 0.0
    sse = 0.0
    i = np.uintp(start)
    stop = np.uintp(stop)
    lo = np.uintp(indptr[i])
    while i < stop:
        hi = np.uintp(indptr[i + one])
        prefetch(data, lo + ahead)
        prefetch(indices, lo + ahead)
        acc = 0.0
        k = lo
        while k < hi:
            acc += data[k] * theta[np.uintp(indices[k]) + one]
            k += one
        r = (b + acc) - y[i]
        g0 += r
        sse += r * r
        k = lo
        while k < hi:
            g[np.uintp(indices[k]) + one] += r * data[k]
            k += one
        lo = hi
        i += one
    g[0] = g0
    return sse


@njit(cache=True)
def _rows_gather(data, indices, indptr, y, theta, start, stop, g):
    """:func:`_rows_scalar` in masked steps of 8 entries (rows without repeated columns)."""
    one = np.uintp(1)
    lanes = np.uintp(_LANES)
    ahead = np.uintp(_AHEAD)
    for j in range(g.shape[0]):
        g[j] = 0.0
    b = theta[0]
    g0 = 0.0
    sse = 0.0
    i = np.uintp(start)
    stop = np.uintp(stop)
    lo = np.uintp(indptr[i])
    while i < stop:
        hi = np.uintp(indptr[i + one])
        prefetch(data, lo + ahead)
        prefetch(indices, lo + ahead)
        acc = 0.0
        k = lo
        while k < hi:
            acc += _dot_step(data, indices, theta, k, hi - k)
            k += lanes
        r = (b + acc) - y[i]
        g0 += r
        sse += r * r
        k = lo
        while k < hi:
            _scatter_step(g, indices, data, k, hi - k, r)
            k += lanes
        lo = hi
        i += one
    g[0] = g0
    return sse


# --- the parallel passes ------------------------------------------------------


@njit(parallel=True, cache=True)
def gradient_csr(data, indices, indptr, y, theta, bounds, buf, grad):
    """One pass over CSR ``X``: write ``[Σr, Xᵀr]`` to ``grad``, return ``Σr²``.

    Parameters
    ----------
    data : (nnz,) float32 or float64 array
    indices : (nnz,) int32 or int64 array of column indices
    indptr : (n + 1,) int32 or int64 array of row pointers
    y : (n,) float64 array
    theta : (p + 1,) float64 array, ``theta[0]`` the intercept
    bounds : (n_chunks + 1,) int64 row boundaries (see :func:`nnz_bounds`); the
        threads claim chunks (:mod:`fastreg.kernels.intrinsics`), so the result
        depends on the chunks, not on the threads
    buf : (n_chunks, p + 1) float64 scratch array, one row per chunk
    grad : (p + 1,) float64 output array
    """
    n_chunks = bounds.shape[0] - 1
    sses = np.empty(n_chunks)
    counter = np.zeros(1, np.int64)
    for _ in prange(n_chunks):  # chunks claimed (see .intrinsics), each with its own buffer
        while True:
            c = claim(counter)
            if c >= n_chunks:
                break
            sses[c] = _rows_scalar(data, indices, indptr, y, theta, bounds[c], bounds[c + 1], buf[c])
    return _sum_chunks(buf, sses, grad)


@njit(parallel=True, cache=True)
def gradient_csr_gather(data, indices, indptr, y, theta, bounds, buf, grad):
    """:func:`gradient_csr` in masked vector steps; same parameters and result up to rounding.

    Needs C-contiguous ``data``, ``indices`` and ``theta``, and no column
    twice in a row (:func:`rows_sorted_distinct` checks a sufficient
    condition); compiles where :data:`GATHERS_COMPILE` and gives the same
    result on any CPU, but is fast only where :data:`FAST_GATHERS`.
    """
    n_chunks = bounds.shape[0] - 1
    sses = np.empty(n_chunks)
    counter = np.zeros(1, np.int64)
    for _ in prange(n_chunks):
        while True:
            c = claim(counter)
            if c >= n_chunks:
                break
            sses[c] = _rows_gather(data, indices, indptr, y, theta, bounds[c], bounds[c + 1], buf[c])
    return _sum_chunks(buf, sses, grad)


@njit(cache=True)
def _sum_chunks(buf, sses, grad):
    """``grad = Σ_c buf[c]``, returns ``Σ_c sses[c]``: the chunks folded in order."""
    n_chunks, q = buf.shape
    for j in range(q):
        grad[j] = 0.0
    sse = 0.0
    for c in range(n_chunks):
        for j in range(q):
            grad[j] += buf[c, j]
        sse += sses[c]
    return sse


def nnz_bounds(indptr, n_chunks):
    """Row boundaries splitting a CSR matrix into chunks of near-equal work.

    A row costs its stored entries plus one (its residual), so empty rows
    still count.
    """
    n = indptr.shape[0] - 1
    work = np.asarray(indptr, dtype=np.int64) + np.arange(n + 1, dtype=np.int64)
    targets = np.linspace(0, work[-1], n_chunks + 1)
    bounds = np.searchsorted(work, targets).astype(np.int64)
    bounds[0], bounds[-1] = 0, n
    return np.maximum.accumulate(bounds)
