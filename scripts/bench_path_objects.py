"""LassoPath beside fit_path (the same engine): does the path object cost what the path costs?

Interleaved rounds, medians, ratios; the machine's load printed with them (the machines are
shared). Also ``coef(alpha, exact=True)`` beside a cold single ``Lasso`` fit at that α, and
``relax=True``'s extra cost.

    python scripts/bench_path_objects.py --rounds 5
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import fastreg  # noqa: E402


def data():
    rng = np.random.default_rng(0)
    out = {}
    X = rng.standard_normal((20_000, 1000))
    out["dense 20,000 x 1,000 (Gram)"] = (X, X[:, :50] @ rng.standard_normal(50) + rng.standard_normal(20_000), 1e-3)
    X = sp.random(100_000, 1000, density=0.01, format="csr", random_state=1)
    out["CSR 100,000 x 1,000 1% (Gram)"] = (X, X @ rng.standard_normal(1000) + rng.standard_normal(100_000), 1e-3)
    X = rng.standard_normal((200, 5000))
    out["dense 200 x 5,000 (residual)"] = (X, X[:, :20] @ rng.standard_normal(20) + rng.standard_normal(200), 1e-3)
    X = sp.random(2_000, 10_000, density=0.005, format="csr", random_state=2)
    # eps 1e-2: below, this path nears interpolation (1,985 non-zeros) and takes a minute
    out["CSR 2,000 x 10,000 0.5% (residual)"] = (X, X[:, :50] @ rng.standard_normal(50) + rng.standard_normal(2_000),
                                                 1e-2)
    return out


def timed(fn):
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--only", default=None, help="the data sets whose name starts so")
    args = parser.parse_args(argv)
    print(f"load average before: {os.getloadavg()[0]:.2f} ({os.cpu_count()} cores)")
    for name, (X, y, eps) in data().items():
        if args.only and not name.startswith(args.only):
            continue
        fastreg.fit_path(X, y, alphas=5)  # compile
        fastreg.LassoPath(alphas=5).fit(X, y)
        tasks = {
            "fit_path": lambda: fastreg.fit_path(X, y, alphas=100, eps=eps),
            "LassoPath": lambda: fastreg.LassoPath(alphas=100, eps=eps).fit(X, y),
            "LassoPath(relax=True)": lambda: fastreg.LassoPath(alphas=100, eps=eps, relax=True).fit(X, y),
        }
        times = {k: [] for k in tasks}
        for _ in range(args.rounds):
            for key, fn in tasks.items():
                times[key].append(timed(fn))
        med = {k: statistics.median(v) for k, v in times.items()}
        path = fastreg.LassoPath(alphas=100, eps=eps).fit(X, y)
        a = float(np.sqrt(path.alphas_[40] * path.alphas_[41]))
        exact = statistics.median(timed(lambda: path.coef(a, exact=True)) for _ in range(args.rounds))
        single = statistics.median(timed(lambda: fastreg.Lasso(alpha=a, tol=1e-12).fit(X, y))
                                   for _ in range(args.rounds))
        print(f"{name}: fit_path {med['fit_path']:.3f} s, LassoPath {med['LassoPath']:.3f} s "
              f"(ratio {med['LassoPath'] / med['fit_path']:.2f}), relax=True {med['LassoPath(relax=True)']:.3f} s; "
              f"coef(exact=True) {exact * 1e3:.1f} ms vs a cold Lasso(tol=1e-12) {single * 1e3:.1f} ms", flush=True)
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
