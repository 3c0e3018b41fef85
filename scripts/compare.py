"""Time fastreg against scikit-learn, skglm and celer side by side, at the same objective.

Every solver runs each task in interleaved rounds (the order rotates each
round); the table reports median seconds, each solver's objective relative to
the best any solver reached, and fastreg's speed-up over the fastest peer. A
result counts only if its objective is within ``--obj-rtol`` (1e-8) of the
best. Every solver runs at ``tol=1e-6``: for Lasso scikit-learn's meaning
(duality gap ≤ tol·‖y − ȳ‖²/n; celer's is the same; skglm's tol bounds the
optimality violation instead); for Ridge the relative residual of the normal
equations (of the dual system on wide data) for the iterative solvers of both
fastreg and scikit-learn, ignored by their direct ones.

    pip install '.[bench]'
    python scripts/compare.py                       # all tasks, 3 rounds
    python scripts/compare.py --tasks lasso-dense --rounds 5 --plot compare.png
"""

import argparse
import math
import re
import time
import warnings

import numpy as np
import scipy.sparse as sp
from scipy.linalg import toeplitz

import fastreg

TOL = 1e-6


# ---------------------------------------------------------------- data
def dense_toeplitz(n, p, rho=0.5, seed=0):
    rng = np.random.default_rng(seed)
    if n >= p:
        L = np.linalg.cholesky(toeplitz(rho ** np.arange(p)))
        X = rng.standard_normal((n, p)) @ L.T
    else:  # AR(1) columns: the same Toeplitz correlation without a p x p factor
        X = np.empty((n, p))
        X[:, 0] = rng.standard_normal(n)
        for j in range(1, p):
            X[:, j] = rho * X[:, j - 1] + math.sqrt(1 - rho**2) * rng.standard_normal(n)
    return X, _target(X, rng)


def sparse_random(n, p, density, seed=0):
    rng = np.random.default_rng(seed)
    # A Generator, not the integer seed: with an integer SciPy draws the positions through the
    # legacy RandomState, which permutes all n·p cells (169 s and 15 GB for 20,000 × 100,000).
    X = sp.random(n, p, density=density, format="csr", random_state=rng)
    return X, _target(X, rng)


def _target(X, rng):
    n, p = X.shape
    w = np.zeros(p)
    support = rng.choice(p, size=max(10, p // 20), replace=False)
    w[support] = rng.standard_normal(support.size)
    signal = X @ w
    return signal + 0.5 * np.std(signal) * rng.standard_normal(n)


DATA = {
    "dense-tall": lambda: dense_toeplitz(20_000, 1_000),
    "csr-tall": lambda: sparse_random(100_000, 1_000, 0.01),
    "dense-wide": lambda: dense_toeplitz(1_000, 20_000),
    "csr-wide": lambda: sparse_random(20_000, 100_000, 0.001),
}


def alpha_max(X, y):
    n = X.shape[0]
    yc = y - y.mean()
    Xty = X.T @ yc
    if sp.issparse(X):
        Xty = np.asarray(Xty).ravel()
    mean = np.asarray(X.mean(axis=0)).ravel()
    return np.max(np.abs(Xty - mean * yc.sum())) / n


# ---------------------------------------------------------------- objectives
def lasso_objective(X, y, coef, intercept, alpha):
    r = y - X @ coef - intercept
    return r @ r / (2 * len(y)) + alpha * np.abs(coef).sum()


def ridge_objective(X, y, coef, intercept, alpha):
    r = y - X @ coef - intercept
    return r @ r + alpha * coef @ coef


# ---------------------------------------------------------------- solvers
def lasso_solvers():
    from sklearn.linear_model import Lasso as SkLasso

    out = {
        "fastreg": lambda a: fastreg.Lasso(alpha=a, tol=TOL),
        "scikit-learn": lambda a: SkLasso(alpha=a, tol=TOL, max_iter=100_000),
    }
    try:
        from skglm import Lasso as SkglmLasso

        out["skglm"] = lambda a: SkglmLasso(alpha=a, tol=TOL, max_iter=1_000, fit_intercept=True)
    except ImportError:
        print("skglm not installed: pip install '.[bench]'")
    try:
        from celer import Lasso as CelerLasso

        out["celer"] = lambda a: CelerLasso(alpha=a, tol=TOL, fit_intercept=True)
    except ImportError:
        print("celer not installed: pip install '.[bench]'")
    return out


def ridge_solvers():
    from sklearn.linear_model import Ridge as SkRidge

    return {
        "fastreg": lambda a: fastreg.Ridge(alpha=a, tol=TOL),
        "scikit-learn": lambda a: SkRidge(alpha=a, tol=TOL),
    }


def task_name(data, kind, divisor):
    return f"{kind}-{data}" + (f" a/{divisor}" if divisor else " a=1")


def tasks(selected):
    for data in DATA:
        for kind, divisor in (("lasso", 10), ("lasso", 100), ("ridge", None)):
            # a selector must end where a name's part does: 'a/10' is not 'a/100'
            name = task_name(data, kind, divisor)
            if not selected or any(re.search(re.escape(s) + r"(?![\w./])", name) for s in selected):
                yield data, kind, divisor


# ---------------------------------------------------------------- running
def _prime_memory(X):
    """Touch (and free) three times ``X``'s bytes before the timed rounds.

    On this VM the first touch of memory the process has never used is slow
    (probably the host backing it on demand): a fresh process's first 160 MB copy took
    0.19 s instead of 0.036 s, and the solver that ran first in round 0
    (always the same one) paid it. Memory freed and allocated again is
    backed already: after this, the first dense-wide fastreg fit took
    0.149 s, as every later one (0.34-0.36 s without).
    """
    nbytes = X.data.nbytes + X.indices.nbytes + X.indptr.nbytes if sp.issparse(X) else X.nbytes
    buf = np.ones(3 * nbytes // 8 + 1)
    del buf


def run_task(X, y, kind, divisor, rounds, settle=0.0):
    if kind == "lasso":
        alpha = alpha_max(X, y) / divisor
        solvers, objective = lasso_solvers(), lasso_objective
    else:
        alpha = 1.0
        solvers, objective = ridge_solvers(), ridge_objective
    times = {name: [] for name in solvers}
    fits = {}
    # warm-up (numba compile, imports) on 200 rows, at an alpha of their own: the
    # task's alpha can make 200 rows of wide data a near-interpolation problem
    warm_alpha = alpha_max(X[:200], y[:200]) / 10 if kind == "lasso" else alpha
    for name, make in solvers.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            make(warm_alpha).fit(X[:200], y[:200])
    _prime_memory(X)
    names = list(solvers)
    for r in range(rounds):
        for name in names[r % len(names):] + names[: r % len(names)]:
            if settle:
                time.sleep(settle)  # let the previous solver's BLAS threads stop spinning
            model = solvers[name](alpha)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                t0 = time.perf_counter()
                model.fit(X, y)
                times[name].append(time.perf_counter() - t0)
            fits[name] = model
    # objectives after the rounds: their BLAS products would otherwise run (and
    # leave BLAS threads spinning) just before the next solver's timed fit
    objectives = {}
    for name, model in fits.items():
        coef = np.asarray(model.coef_, dtype=float).ravel()
        objectives[name] = objective(X, y, coef, float(model.intercept_), alpha)
    best = min(objectives.values())
    return alpha, {n: (float(np.median(t)), (objectives[n] - best) / abs(best)) for n, t in times.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", nargs="*", default=[], help="substrings of task names, e.g. dense-tall or 'lasso-csr-wide a/10'")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--obj-rtol", type=float, default=1e-8)
    parser.add_argument("--plot", default=None, help="save a bar chart PNG here")
    parser.add_argument(
        "--settle", type=float, default=0.0,
        help="seconds to pause before each timed fit (default 0): OpenBLAS threads a solver woke keep spinning "
        "for ~0.1-0.2 s and slow whatever runs next on the same cores",
    )
    args = parser.parse_args()

    rows = []
    cache = {}
    for data, kind, divisor in tasks(args.tasks):
        if data not in cache:
            cache.clear()
            cache[data] = DATA[data]()
        X, y = cache[data]
        name = task_name(data, kind, divisor)
        alpha, res = run_task(X, y, kind, divisor, args.rounds, args.settle)
        rows.append((name, res))
        print(f"\n{name} (alpha = {alpha:.4g}, {X.shape[0]} x {X.shape[1]}{' CSR' if sp.issparse(X) else ''})")
        for solver, (t, rel) in res.items():
            ok = "ok" if rel <= args.obj_rtol else "OBJECTIVE TOO HIGH"
            print(f"  {solver:<14}{t:9.3f} s   objective +{rel:.1e}  {ok}")
        peers = [t for s, (t, rel) in res.items() if s != "fastreg" and rel <= args.obj_rtol]
        t_fr, rel_fr = res["fastreg"]
        if peers and rel_fr <= args.obj_rtol:
            print(f"  fastreg vs fastest peer: {min(peers) / t_fr:.2f}x")

    speedups = []
    for name, res in rows:
        peers = [t for s, (t, rel) in res.items() if s != "fastreg" and rel <= args.obj_rtol]
        t_fr, rel_fr = res["fastreg"]
        if peers and rel_fr <= args.obj_rtol:
            speedups.append(min(peers) / t_fr)
    if speedups:
        print(f"\ngeometric mean speed-up over the fastest peer: {math.exp(np.mean(np.log(speedups))):.2f}x "
              f"(min {min(speedups):.2f}x over {len(speedups)} tasks)")
    if args.plot:
        plot(rows, args.plot)


def plot(rows, path):
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is needed for --plot: pip install matplotlib")
        return
    solvers = sorted({s for _, res in rows for s in res}, key=lambda s: (s != "fastreg", s))
    fig, ax = plt.subplots(figsize=(max(8, 1.3 * len(rows)), 4.5))
    width = 0.8 / len(solvers)
    for k, s in enumerate(solvers):
        xs = [i + k * width for i, (_, res) in enumerate(rows) if s in res]
        ts = [res[s][0] for _, res in rows if s in res]
        ax.bar(xs, ts, width, label=s)
    ax.set_xticks([i + 0.4 - width / 2 for i in range(len(rows))])
    ax.set_xticklabels([name for name, _ in rows], rotation=30, ha="right", fontsize=8)
    ax.set_yscale("log")
    ax.set_ylabel("seconds (median)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    print(f"saved {path}")


if __name__ == "__main__":
    main()
