"""Two LLVM operations numba does not expose: an atomic counter (:func:`claim`) and a software prefetch.

**Claiming blocks** (dynamic work sharing for parallel kernels). numba's ``prange`` over the omp layer splits its range statically, one equal
share per thread, and the region ends when the slowest share does. When
another thread holds a core (OpenBLAS's workers spin for a while after every
threaded BLAS call, e.g. the scikit-learn or NumPy call just before a fit),
the share scheduled on that core runs at half speed or waits out a time
slice, and the pass takes longer than on one thread (measurements:
docs/design-measurements.md).

A kernel written as::

    counter = np.zeros(1, np.int64)
    for _ in prange(n_blocks):          # each thread's first iteration does the work
        while True:
            b = claim(counter)
            if b >= n_blocks:
                break
            ...                          # block b, its own output

lets whichever thread is running take the next block, so a slowed thread
costs only the blocks it did not take: next to a busy core the passes run
much faster, and as fast as before with the cores free. The loop runs
over ``n_blocks`` (not ``numba.get_num_threads()``, which would keep the
kernel out of the on-disk cache) so that every thread gets an iteration;
the iterations after a thread's first find the counter spent. Blocks must
own their outputs (no reductions across blocks), which also keeps the
results independent of which thread took which block.

**Prefetching.** :func:`prefetch_ahead` asks for the cache lines a page
(4 KB) ahead of a column being streamed: hardware prefetchers stop at 4 KB
page boundaries, so a CD epoch, which streams one column after another
from memory, read ``X`` well below a plain read's speed; with the lines
requested a page ahead it reads faster (measurements:
docs/design-measurements.md). A prefetch never faults, so addresses past
the end of an array are harmless.
"""

from llvmlite import ir
from llvmlite.binding import llvm_version_info
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic, register_jitable

# Values per claimed block of columns: a claim (an atomic add on a cache line
# the threads share) then costs under 1% of the block's work
# (measurements: docs/design-measurements.md).
_BLOCK_VALUES = 32_768


@intrinsic
def claim(typingctx, counter):
    """Atomically ``counter[0] += 1``; return the value before (the index of the claimed block).

    ``counter`` is a 1-d int64 array shared by the threads of one parallel
    region. Relaxed (monotonic) ordering suffices: the end of the region
    publishes the blocks' writes.
    """
    if not (isinstance(counter, types.Array) and counter.dtype == types.int64 and counter.ndim == 1):
        return None
    sig = types.int64(counter)

    def codegen(context, builder, signature, args):
        arrty = signature.args[0]
        ary = context.make_array(arrty)(context, builder, args[0])
        zero = context.get_constant(types.intp, 0)
        ptr = cgutils.get_item_pointer(context, builder, arrty, ary, [zero])
        return builder.atomic_rmw("add", ptr, context.get_constant(types.int64, 1), "monotonic")

    return sig, codegen


@njit(cache=True)
def column_block(n):
    """Columns of ``n`` values per claimed block: at least one, about ``_BLOCK_VALUES`` values."""
    return max(1, _BLOCK_VALUES // max(n, 1))


# The intrinsic's name carries its pointer type: opaque ("p0") from LLVM 15 on,
# "p0i8" in the LLVM 14 of older llvmlite releases.
_PREFETCH_NAME = "llvm.prefetch.p0" if llvm_version_info[0] >= 15 else "llvm.prefetch.p0i8"


@intrinsic
def prefetch(typingctx, arr, idx):
    """Ask for the cache line holding ``arr[idx]`` (read, kept in every level); any ``idx``."""
    if not (isinstance(arr, types.Array) and arr.ndim == 1 and isinstance(idx, types.Integer)):
        return None
    sig = types.void(arr, idx)

    def codegen(context, builder, signature, args):
        arrty = signature.args[0]
        ary = context.make_array(arrty)(context, builder, args[0])
        ptr = cgutils.get_item_pointer(context, builder, arrty, ary, [args[1]])  # no bounds check
        byte_ptr = builder.bitcast(ptr, ir.IntType(8).as_pointer())
        i32 = ir.IntType(32)
        fnty = ir.FunctionType(ir.VoidType(), [byte_ptr.type, i32, i32, i32])
        fn = cgutils.get_or_insert_function(builder.module, fnty, _PREFETCH_NAME)
        # read (0), high temporal locality (3), data cache (1)
        builder.call(fn, [byte_ptr, ir.Constant(i32, 0), ir.Constant(i32, 3), ir.Constant(i32, 1)])
        return context.get_dummy_value()

    return sig, codegen


# Bytes ahead of the stream that prefetch_ahead asks for, and a cache line.
_AHEAD_BYTES = 4096
_LINE_BYTES = 64


@register_jitable(inline="always")
def prefetch_ahead(col, i0, count):
    """Prefetch the lines of ``col[i0 + a : i0 + a + count]``, ``a`` a page's worth of elements."""
    ahead = i0 + _AHEAD_BYTES // col.itemsize
    step = max(1, _LINE_BYTES // col.itemsize)
    for q in range(0, count, step):
        prefetch(col, ahead + q)
