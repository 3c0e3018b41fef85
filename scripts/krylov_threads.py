"""Ridge's CG passes on one numba thread or on all: the A/B behind ``_policy.KRYLOV_SERIAL_MAX_VALUES``.

Each round fits scikit-learn's default Ridge first (as a switching user's process would: a peer's
fit just before), then fastreg's default Ridge and Lasso under each thread threshold, the order
alternating; medians in milliseconds. Lasso's coordinate descent keeps ``SERIAL_MAX_VALUES``:
its rows show that the Krylov threshold leaves it alone, and what it would cost it.

    python scripts/krylov_threads.py               # 100,000 x 1,000 at 1%, 20,000 x 100,000 at 0.1%
    python scripts/krylov_threads.py --rounds 9
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn import linear_model as sk

sys.path.insert(0, str(Path(__file__).resolve().parent))

from compare import _target

import fastreg
from fastreg import _policy


def data(n, p, density, seed=0):
    """compare.py's sparse data and target, drawn by a Generator: scipy's ``random_state=int`` draws a
    permutation of all n·p positions (16 GB and minutes for 20,000 x 100,000)."""
    rng = np.random.default_rng(seed)
    X = sp.random(n, p, density=density, format="csr", random_state=rng)
    return X, _target(X, rng)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args(argv)
    shapes = {"tall 100,000 x 1,000 1%": (100_000, 1_000, 0.01), "wide 20,000 x 100,000 0.1%": (20_000, 100_000, 0.001)}
    variants = {
        "one thread": {"KRYLOV_SERIAL_MAX_VALUES": 10**12, "SERIAL_MAX_VALUES": _policy.SERIAL_MAX_VALUES},
        "Krylov threads": {"KRYLOV_SERIAL_MAX_VALUES": _policy.KRYLOV_SERIAL_MAX_VALUES,
                           "SERIAL_MAX_VALUES": _policy.SERIAL_MAX_VALUES},
        "all threads": {"KRYLOV_SERIAL_MAX_VALUES": 0, "SERIAL_MAX_VALUES": 0},
    }
    for label, (n, p, density) in shapes.items():
        X, y = data(n, p, density)
        lam = np.abs(X.T @ (y - y.mean())).max() / n / 10  # αmax/10 (Xᵀy_c = X_cᵀy_c)
        for kind, make in (("Ridge a=1", lambda: fastreg.Ridge(alpha=1.0)), ("Lasso amax/10", lambda lam=lam: fastreg.Lasso(alpha=lam))):
            times = {v: [] for v in variants}
            for settings in variants.values():
                for name, value in settings.items():
                    setattr(_policy, name, value)
                make().fit(X, y)  # compile outside the timing
            for r in range(args.rounds):
                sk.Ridge(alpha=1.0).fit(X, y)
                for v in (list(variants) if r % 2 == 0 else list(variants)[::-1]):
                    for name, value in variants[v].items():
                        setattr(_policy, name, value)
                    t = time.perf_counter()
                    make().fit(X, y)
                    times[v].append(time.perf_counter() - t)
            row = "  ".join(f"{v} {statistics.median(ts) * 1e3:7.1f} ms" for v, ts in times.items())
            print(f"{label:28s} {kind:14s} {row}", flush=True)


if __name__ == "__main__":
    main()
