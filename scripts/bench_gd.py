"""Side-by-side throughput of fastreg's gradient descent and the seed's NumPy loop.

Interleaved rounds, medians. For each dataset and solver it times a call with
``K`` iterations and a call with 0 (set-up only: validation, or building
``[1, X]``), so the per-iteration cost is ``(t_K − t_0)/K``; it also reports
the end-to-end ratio of the ``K``-iteration calls and the GB/s of ``X`` read
per iteration beside a plain pass over ``X`` (``X.sum()``).

``--kernels`` times one fused pass instead (20 per round): the CSR kernels
side by side (scalar loops, masked vector steps) beside scipy's two products
``X @ w`` and ``X.T @ r``, with the GB/s of ``data`` + ``indices``.

On a shared machine a timing is retried (a second later) while other
processes use the CPU during it, read from /proc/stat where there is one; the
count of retried timings and the load average are printed.

    python scripts/bench_gd.py                 # all three datasets
    python scripts/bench_gd.py --data csr --rounds 7 --iterations 50
    python scripts/bench_gd.py --data csr --kernels --rounds 9
    python scripts/bench_gd.py --data csr --scalar     # the loop on the scalar CSR kernel
"""

import argparse
import os
import resource
import sys
import time
from pathlib import Path

import numba
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from datasets import csr, dense, numpy_loop_same_dtype, x_bytes

import fastreg
from fastreg import reference
from fastreg.kernels import csr as csr_kernels
from fastreg.kernels.csr import (
    GATHERS_COMPILE,
    gradient_csr,
    gradient_csr_gather,
    nnz_bounds,
)

DATA = {
    "dense64": ("100,000 x 1,000 dense float64", lambda: dense(dtype="float64")),
    "dense32": ("100,000 x 1,000 dense float32", lambda: dense(dtype="float32")),
    "csr": ("400,000 x 1,000 CSR 1%", lambda: csr()),
}


def solvers(data):
    out = {
        "fastreg": lambda X, y, k: fastreg.gradient_descent(X, y, lambda_=1.0, iterations=k),
        "numpy seed loop": lambda X, y, k: reference.gradient_descent(X, y, lambda_=1.0, iterations=k),
    }
    if data == "dense32":
        out["numpy float32 loop"] = lambda X, y, k: numpy_loop_same_dtype(X, y, 1.0, 0.01, k)
    return out


# A timing is retried while other processes used more than this share of a
# core during it (Linux: /proc/stat), up to _RETRIES times, a second apart.
_OTHERS_LIMIT = 0.05
_RETRIES = 300
retried = [0]


def _cpu_seconds():
    """Busy CPU seconds of the whole machine and of this process, or None without /proc/stat."""
    try:
        with open("/proc/stat") as f:
            ticks = [int(v) for v in f.readline().split()[1:9]]
    except OSError:
        return None
    mine = resource.getrusage(resource.RUSAGE_SELF)
    busy = (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")  # all but idle and iowait
    return busy, mine.ru_utime + mine.ru_stime


def timed(f):
    """Wall seconds of ``f()``, retried while other processes share the cores."""
    for _ in range(_RETRIES):
        before = _cpu_seconds()
        t0 = time.perf_counter()
        f()
        seconds = time.perf_counter() - t0
        after = _cpu_seconds()
        if before is None:
            return seconds
        others = (after[0] - before[0]) - (after[1] - before[1])
        if others <= _OTHERS_LIMIT * seconds + 0.02:  # the counters tick every 10 ms
            return seconds
        retried[0] += 1
        time.sleep(1.0)
    print(f"  (still busy after {_RETRIES} tries: this timing is disturbed)")
    return seconds


def run(data, rounds, iterations):
    title, make = DATA[data]
    X, y = make()
    fastreg.gradient_descent(X[:64], y[:64], iterations=1)  # numba compile, not timed
    arr = X.data if hasattr(X, "indices") else X
    todo = solvers(data)
    times = {name: {0: [], iterations: []} for name in todo}
    plain = []
    for r in range(rounds):
        names = list(todo)
        names = names[r % len(names):] + names[: r % len(names)]  # rotate the order
        for name in names:
            for k in (0, iterations):
                times[name][k].append(timed(lambda f=todo[name], k=k: f(X, y, k)))
        plain.append(timed(arr.sum))
    gb = x_bytes(X) / 1e9
    print(f"\n{title}: {rounds} interleaved rounds, K = {iterations} iterations, medians")
    print(f"  plain pass X.sum(): {np.median(plain) * 1e3:8.2f} ms  {gb / np.median(plain):6.1f} GB/s")
    per_iter = {n: (np.median(t[iterations]) - np.median(t[0])) / iterations for n, t in times.items()}
    end = {n: np.median(t[iterations]) for n, t in times.items()}
    print(f"  {'solver':<20}{'ms/iter':>9}{'iter/s':>9}{'GB/s of X':>11}{'setup s':>9}{'K iters s':>11}")
    for n in todo:
        print(
            f"  {n:<20}{per_iter[n] * 1e3:9.2f}{1 / per_iter[n]:9.1f}{gb / per_iter[n]:11.1f}"
            f"{np.median(times[n][0]):9.3f}{end[n]:11.3f}"
        )
    for n in todo:
        if n != "fastreg":
            print(
                f"  fastreg vs {n}: {per_iter[n] / per_iter['fastreg']:.2f}x per iteration, "
                f"{end[n] / end['fastreg']:.2f}x end to end ({iterations} iterations)"
            )


def run_kernels(rounds, passes=20):
    """One fused pass over the CSR data: each kernel, and scipy's two products."""
    X, y = csr()
    p = X.shape[1]
    theta = np.random.default_rng(1).standard_normal(p + 1) * 0.01
    n_chunks = 2 * numba.get_num_threads()
    bounds = nnz_bounds(X.indptr, n_chunks)
    buf, grad = np.empty((n_chunks, p + 1)), np.empty(p + 1)
    kernels = {"scalar (gradient_csr)": gradient_csr}
    if GATHERS_COMPILE:
        kernels["vector (gradient_csr_gather)"] = gradient_csr_gather
    todo = {name: (lambda k=k: k(X.data, X.indices, X.indptr, y, theta, bounds, buf, grad)) for name, k in kernels.items()}
    todo["scipy X @ w, X.T @ r"] = lambda: X.T @ (X @ theta[1:] + theta[0] - y)
    for f in todo.values():
        f()  # compile, first touch
    times = {name: [] for name in todo}
    for r in range(rounds):
        names = list(todo)
        for name in names[r % len(names):] + names[: r % len(names)]:
            times[name].append(timed(lambda f=todo[name]: [f() for _ in range(passes)]) / passes)
    gb = (X.data.nbytes + X.indices.nbytes) / 1e9
    scipy = np.median(times["scipy X @ w, X.T @ r"])
    print(f"\n400,000 x 1,000 CSR 1%, one pass: {numba.get_num_threads()} threads, {n_chunks} chunks, "
          f"{rounds} interleaved rounds of {passes} passes, medians")
    print(f"  {'pass':<32}{'ms':>7}{'GB/s of data+indices':>22}{'vs scipy':>10}")
    for name, t in times.items():
        m = np.median(t)
        print(f"  {name:<32}{m * 1e3:7.2f}{gb / m:22.1f}{scipy / m:9.2f}x")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", choices=list(DATA), nargs="*", default=list(DATA))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--iterations", type=int, default=30)
    parser.add_argument("--kernels", action="store_true", help="time one fused CSR pass per kernel instead")
    parser.add_argument("--scalar", action="store_true", help="CSR fits take the scalar kernel (as on CPUs without fast gathers)")
    args = parser.parse_args()
    if args.scalar:
        csr_kernels.FAST_GATHERS = False
    print(time.strftime("%Y-%m-%d %H:%M"), "load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    if args.kernels:
        run_kernels(args.rounds)
    else:
        for data in args.data:
            run(data, args.rounds, args.iterations)
    print(f"{retried[0]} timings retried while other processes ran; load average %.2f %.2f %.2f" % os.getloadavg())


if __name__ == "__main__":
    main()
