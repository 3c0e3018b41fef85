"""Random weighted and bounded Lasso/ElasticNet problems against an independent optimum.

Each draw picks a shape (tall, wide, near interpolation), a storage (C, F, CSR), factors (some
zero, some infinite), bounds (one-sided, boxed, some reached), ``l1_ratio``, α as a fraction of
αmax and a solver (``auto``, ``cd``, ``gram``), fits at the default ``tol`` and at ``tol=1e-12``,
and compares the objective with L-BFGS-B on the split form ``w = u − v`` (bounds on ``u``, ``v``).
It prints the draws where fastreg's objective is more than 1e-9 (tight) or 1e-7 (default)
relative above the oracle's, or a bound or an exclusion is not exact::

    python scripts/sweep_penalty.py SEED COUNT      # e.g. 1 200
"""

import sys
import warnings

import numpy as np
import scipy.sparse as sp
from scipy.optimize import minimize

import fastreg


def oracle(X, y, alpha, l1_ratio, f, lower, upper):
    n, p = X.shape
    keep = np.flatnonzero(np.isfinite(f))
    Xk, fk, k = X[:, keep], f[keep], keep.size

    def fun(z):
        u, v, b = z[:k], z[k:2 * k], z[-1]
        w = u - v
        r = y - Xk @ w - b
        value = r @ r / (2 * n) + alpha * l1_ratio * fk @ (u + v) + alpha * (1 - l1_ratio) / 2 * fk @ (w * w)
        gw = -Xk.T @ r / n + alpha * (1 - l1_ratio) * fk * w
        return value, np.concatenate([gw + alpha * l1_ratio * fk, -gw + alpha * l1_ratio * fk, [-r.sum() / n]])

    bounds = [(0, upper[j] if np.isfinite(upper[j]) else None) for j in keep]
    bounds += [(0, -lower[j] if np.isfinite(lower[j]) else None) for j in keep]
    bounds.append((None, None))
    z0 = np.zeros(2 * k + 1)
    z0[-1] = y.mean()
    res = minimize(fun, z0, jac=True, method="L-BFGS-B", bounds=bounds,
                   options={"maxiter": 100_000, "maxfun": 200_000, "ftol": 1e-16, "gtol": 1e-13, "maxcor": 50})
    return res.fun


def objective(X, y, coef, intercept, alpha, l1_ratio, f):
    keep = np.isfinite(f)
    r = y - X @ coef - intercept
    return (r @ r / (2 * len(y)) + alpha * l1_ratio * (f[keep] * np.abs(coef[keep])).sum()
            + alpha * (1 - l1_ratio) / 2 * (f[keep] * coef[keep] ** 2).sum())


def draw(rng):
    n = int(rng.choice([20, 40, 80, 150, 300]))
    p = int(rng.choice([5, 30, 100, 300, 600]))
    X = rng.standard_normal((n, p))
    if rng.random() < 0.5:
        X[:, 1:] = 0.6 * X[:, 1:] + 0.4 * X[:, :-1]  # correlated neighbours
    X = X * rng.uniform(0.2, 5.0, p) + rng.uniform(-2, 2, p)
    storage = rng.choice(["C", "F", "csr"])
    if storage == "csr":
        X *= rng.random((n, p)) < 0.4
    w = rng.standard_normal(p) * (rng.random(p) < min(1.0, 10 / p + 0.05)) * 2
    y = X @ w + rng.uniform(0.01, 1.0) * rng.standard_normal(n) + 3.0
    f = rng.choice([0.3, 1.0, 2.0, 5.0], p) * rng.uniform(0.8, 1.2, p)
    f[rng.random(p) < 0.05] = 0.0
    f[rng.random(p) < 0.05] = np.inf
    lower = np.where(rng.random(p) < 0.3, 0.0, np.where(rng.random(p) < 0.3, -rng.uniform(0.05, 1.0, p), -np.inf))
    upper = np.where(rng.random(p) < 0.2, 0.0, np.where(rng.random(p) < 0.3, rng.uniform(0.05, 1.0, p), np.inf))
    if rng.random() < 0.3:  # the unpenalized features free: the solvers' exact block
        lower[f == 0], upper[f == 0] = -np.inf, np.inf
    l1_ratio = float(rng.choice([1.0, 1.0, 0.7, 0.3]))
    divisor = float(rng.choice([2, 10, 100, 1000]))
    solver = str(rng.choice(["auto", "cd", "gram"]))
    A = {"C": np.ascontiguousarray, "F": np.asfortranarray, "csr": sp.csr_matrix}[storage](X)
    return X, A, y, f, lower, upper, l1_ratio, divisor, solver, f"{n}x{p} {storage}"


def main(seed, count):
    rng = np.random.default_rng(seed)
    bad = 0
    for i in range(count):
        X, A, y, f, lower, upper, l1_ratio, divisor, solver, shape = draw(rng)
        kwargs = {"penalty_factor": f, "lower_bounds": lower, "upper_bounds": upper}
        amax = fastreg.fit_path(X, y, l1_ratio=l1_ratio, alphas=1, **kwargs)[0][0]
        alpha = max(amax, 1e-3) / divisor
        ref = oracle(X, y, alpha, l1_ratio, f, lower, upper)
        for tol, allowed in ((1e-4, 1e-7), (1e-12, 1e-9)):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model = fastreg.ElasticNet(alpha=alpha, l1_ratio=l1_ratio, solver=solver, tol=tol, max_iter=100_000,
                                           **kwargs).fit(A, y)
            coef = model.coef_
            ours = objective(X, y, coef, model.intercept_, alpha, l1_ratio, f)
            excess = (ours - ref) / abs(ref)
            exact = np.all(coef >= lower) and np.all(coef <= upper) and np.all(coef[~np.isfinite(f)] == 0)
            if excess > allowed or not exact:
                bad += 1
                print(f"draw {i} {shape} l1_ratio {l1_ratio} amax/{divisor:g} {solver} tol {tol:g}: "
                      f"excess {excess:.1e} exact {exact}", flush=True)
    print(f"seed {seed}: {bad} problems in {count} draws x 2 tolerances")


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
