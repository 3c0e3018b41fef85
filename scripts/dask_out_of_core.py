"""Fit Ridge and Lasso on data larger than memory, generated lazily by dask.array.random.

The default is 1,000,000 × 1,000 float64 (8 GB for X) in blocks of 25,000
rows (200 MB), fitted on a local 2-worker cluster (worker processes, one
thread each). Nothing ever holds X: each task generates its block, reduces it
to sufficient statistics and drops it. The script samples the resident memory
(RSS) of every process — this client, the scheduler thread in it, each nanny
and worker process — every 0.1 s and reports the peaks, with the wall time of
each fit:

    python scripts/dask_out_of_core.py                       # the 8 GB run
    python scripts/dask_out_of_core.py --rows 100000 --cols 200   # a quick check

Run it alone on a quiet machine: it keeps every core busy for minutes.
"""

import argparse
import os
import threading
import time

import numpy as np
import psutil


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--cols", type=int, default=1_000)
    parser.add_argument("--block-rows", type=int, default=25_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--memory-limit", default="3GB", help="per worker (the nanny restarts a worker above it)")
    parser.add_argument("--models", default="ridge,lasso")
    args = parser.parse_args()

    import dask.array as da
    from distributed import Client, LocalCluster

    from fastreg import Lasso, Ridge

    # Workers run serial kernels (fastreg.dask) and BLAS limited to one thread
    # by the nanny; NUMBA_NUM_THREADS=1 also keeps any parallel numba code a
    # user might run in a task from oversubscribing the cores.
    cluster = LocalCluster(
        n_workers=args.workers,
        threads_per_worker=1,
        processes=True,
        memory_limit=args.memory_limit,
        dashboard_address=None,
        env={"NUMBA_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"},
    )
    client = Client(cluster)
    peaks = {}
    stop = threading.Event()
    sampler = threading.Thread(target=_sample_rss, args=(os.getpid(), peaks, stop), daemon=True)
    sampler.start()

    n, p = args.rows, args.cols
    rng = da.random.default_rng(0)
    X = rng.standard_normal((n, p), chunks=(args.block_rows, p)) + 10.0  # column means 10
    w_true = np.zeros(p)
    w_true[: p // 10] = np.random.default_rng(1).standard_normal(p // 10)
    y = X @ w_true + 3.0 + rng.standard_normal(n, chunks=args.block_rows)
    print(f"X: {n:,} x {p:,} float64 = {X.nbytes / 1e9:.1f} GB in {X.numblocks[0]} blocks of "
          f"{args.block_rows:,} rows ({args.block_rows * p * 8 / 1e6:.0f} MB); {args.workers} workers x 1 thread, "
          f"memory_limit={args.memory_limit}")

    models = {"ridge": Ridge(alpha=1.0), "lasso": Lasso(alpha=0.01)}
    for name in args.models.split(","):
        model = models[name]
        t0 = time.perf_counter()
        model.fit(X, y)
        elapsed = time.perf_counter() - t0
        err = np.abs(model.coef_ - w_true).max()
        extra = ""
        if name == "lasso":
            extra = f", dual gap {model.dual_gap_:.2e}, {model.n_iter_} epochs, {np.count_nonzero(model.coef_)} non-zeros"
        print(f"{type(model).__name__}: {elapsed:.1f} s, max |coef − w_true| = {err:.2e}, "
              f"intercept {model.intercept_:.4f}{extra}")

    stop.set()
    sampler.join()
    client.close()
    cluster.close()
    print("peak RSS per process:")
    for pid, (label, rss) in sorted(peaks.items(), key=lambda kv: -kv[1][1]):
        print(f"  {label:<40} {rss / 2**30:6.2f} GiB")
    print(f"largest: {max(r for _, r in peaks.values()) / 2**30:.2f} GiB")


def _sample_rss(root_pid, peaks, stop):
    root = psutil.Process(root_pid)
    while not stop.is_set():
        for proc in [root] + root.children(recursive=True):
            try:
                rss = proc.memory_info().rss
                label = "client + scheduler" if proc.pid == root_pid else _label(proc)
            except psutil.Error:
                continue
            old = peaks.get(proc.pid, (label, 0))[1]
            peaks[proc.pid] = (label, max(old, rss))
        time.sleep(0.1)


def _label(proc):
    cmd = " ".join(proc.cmdline())
    if "resource_tracker" in cmd:
        kind = "multiprocessing resource tracker"
    else:
        kind = "worker" if "spawn_main" in cmd or "multiprocessing" in cmd else proc.name()
    return f"{kind} (pid {proc.pid})"


if __name__ == "__main__":
    main()
