"""Where the Lasso path by one homotopy beats a coordinate-descent fit per α (``PATH_HOMOTOPY_MAX_WORK``).

For wide dense data of growing size, times ``fastreg.fit_path`` (100 alphas,
eps 1e-3, the residual solver) with the homotopy and with it switched off,
in interleaved rounds (medians), and prints the ratio (CD's time over the
homotopy's: above 1 the homotopy is faster) beside ``n²p``, the quantity the
rule compares. Objectives are compared α by α (the largest relative
difference).

    python scripts/homotopy_crossover.py
    python scripts/homotopy_crossover.py --sizes 200x2000 1000x10000 --rounds 3
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from compare import dense_toeplitz

import fastreg
import fastreg.path


def objectives(X, y, result):
    R = y[:, None] - X @ result.coefs - result.intercepts
    return (R * R).sum(0) / (2 * len(y)) + result.alphas * np.abs(result.coefs).sum(0)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", nargs="+", default=["200x2000", "500x5000", "1000x5000", "1000x10000",
                                                        "2000x10000"])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--tol", type=float, default=1e-4)
    args = parser.parse_args()
    rule = fastreg.path.path_uses_homotopy
    X, y = dense_toeplitz(50, 200)  # load both routes' compiled kernels before timing
    for on in (True, False):
        fastreg.path.path_uses_homotopy = (lambda n, p, values: True) if on else (lambda n, p, values: False)
        fastreg.fit_path(X, y, tol=args.tol, precompute=False)
    for size in args.sizes:
        n, p = map(int, size.split("x"))
        X, y = dense_toeplitz(n, p)
        X = np.asfortranarray(X)
        times = {True: [], False: []}
        results = {}
        for r in range(args.rounds):
            for on in ((True, False) if r % 2 == 0 else (False, True)):
                fastreg.path.path_uses_homotopy = (lambda n, p, values: True) if on else (lambda n, p, values: False)
                t = time.perf_counter()
                results[on] = fastreg.fit_path(X, y, tol=args.tol, precompute=False)
                times[on].append(time.perf_counter() - t)
        fastreg.path.path_uses_homotopy = rule
        a, b = objectives(X, y, results[True]), objectives(X, y, results[False])
        h, c = statistics.median(times[True]), statistics.median(times[False])
        print(f"{size:>12}  n²p {float(n) * n * p:8.1e}  homotopy {h:8.3f} s  cd {c:8.3f} s  ratio {c / h:6.2f}x  "
              f"uncertified {int(np.count_nonzero(results[True].n_iters))}  "
              f"objective (homotopy − cd)/cd max {np.max((a - b) / b):+.1e}", flush=True)


if __name__ == "__main__":
    main()
