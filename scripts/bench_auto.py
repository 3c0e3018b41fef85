"""Where 'gram' beats 'cd' for Lasso: the measurements behind ``solver="auto"``.

Fits ``fastreg.Lasso`` with ``solver="cd"`` and ``solver="gram"`` side by side
(interleaved rounds, medians) on dense Toeplitz data of 20,000 rows and a
growing number of features, and on 1%-dense CSR, at α = αmax/10 and αmax/100,
and prints which one ``"auto"`` picks (dense by size; sparse always "cd", as measured here).

    python scripts/bench_auto.py --rounds 3
"""

import argparse
import statistics
import sys
import time
from pathlib import Path


sys.path.insert(0, str(Path(__file__).resolve().parent))

import fastreg  # noqa: E402
from fastreg._policy import enet_solver as auto_enet_solver  # noqa: E402
from compare import alpha_max, dense_toeplitz, sparse_random  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--features", type=int, nargs="+", default=[100, 300, 600, 1000])
    args = parser.parse_args()
    cases = [(f"dense 20,000 x {p}", *dense_toeplitz(20_000, p)) for p in args.features]
    cases.append(("CSR 100,000 x 1,000 1%", *sparse_random(100_000, 1_000, 0.01)))
    cases.append(("CSR 100,000 x 5,000 0.2%", *sparse_random(100_000, 5_000, 0.002)))
    print(f"{'data':28} {'alpha':>9} {'cd':>8} {'gram':>8} {'gram/cd':>8}  auto")
    for name, X, y in cases:
        for div in (10, 100):
            alpha = alpha_max(X, y) / div
            times = {"cd": [], "gram": []}
            for solver in times:  # compile
                fastreg.Lasso(alpha=alpha, solver=solver, tol=1e-6).fit(X[:200], y[:200])
            for r in range(args.rounds):
                for solver in (("cd", "gram") if r % 2 == 0 else ("gram", "cd")):
                    t = time.perf_counter()
                    fastreg.Lasso(alpha=alpha, solver=solver, tol=1e-6).fit(X, y)
                    times[solver].append(time.perf_counter() - t)
            cd, gram = (statistics.median(times[s]) for s in ("cd", "gram"))
            print(f"{name:28} {'max/' + str(div):>9} {cd:8.3f} {gram:8.3f} {gram / cd:8.2f}  {auto_enet_solver(X, None)}")


if __name__ == "__main__":
    main()
