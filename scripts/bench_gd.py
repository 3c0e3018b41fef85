"""Side-by-side throughput of fastreg's gradient descent and the seed's NumPy loop.

Interleaved rounds, medians. For each dataset and solver it times a call with
``K`` iterations and a call with 0 (set-up only: validation, or building
``[1, X]``), so the per-iteration cost is ``(t_K − t_0)/K``; it also reports
the end-to-end ratio of the ``K``-iteration calls and the GB/s of ``X`` read
per iteration beside a plain pass over ``X`` (``X.sum()``).

    python scripts/bench_gd.py                 # all three datasets
    python scripts/bench_gd.py --data csr --rounds 7 --iterations 50
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import fastreg  # noqa: E402
from fastreg import reference  # noqa: E402

from datasets import csr, dense, numpy_loop_same_dtype, x_bytes  # noqa: E402

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


def timed(f):
    t0 = time.perf_counter()
    f()
    return time.perf_counter() - t0


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
                times[name][k].append(timed(lambda: todo[name](X, y, k)))
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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", choices=list(DATA), nargs="*", default=list(DATA))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--iterations", type=int, default=30)
    args = parser.parse_args()
    for data in args.data:
        run(data, args.rounds, args.iterations)


if __name__ == "__main__":
    main()
