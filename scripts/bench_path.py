"""Paths and cross-validation, fastreg beside scikit-learn: interleaved rounds, medians, ratios.

Tasks (each on 20,000 x 1,000 dense and 100,000 x 1,000 CSR at 1%):

- ``path``: the Lasso path with an intercept, 100 alphas, eps 1e-3, both at
  the same ``tol`` (same meaning: duality gap ≤ tol·‖y − ȳ‖²/n at every α):
  fastreg's ``fit_path``, and scikit-learn's ``lasso_path``, which has no
  intercept (as fastreg's ``lasso_path``), so it gets centered data (dense: the
  centering is timed with it; sparse: ``X_offset`` as ``LassoCV`` passes
  it). The objectives are then compared α by α on the full problem.
- ``lassocv``: ``LassoCV(cv=5)``, 100 alphas, same ``tol``; ``alpha_`` compared.
- ``ridgecv``: ``RidgeCV`` (efficient LOO) over 20 alphas; ``alpha_`` and
  ``coef_`` compared.

    python scripts/bench_path.py                      # everything, 3 rounds
    python scripts/bench_path.py --tasks path --data dense --rounds 5 --tol 1e-6
"""

import argparse
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import scipy.sparse as sp

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import fastreg  # noqa: E402
from sklearn import linear_model as sk  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402

from datasets import csr, dense  # noqa: E402

DATA = {
    "dense": ("20,000 x 1,000 dense", lambda: dense(n_samples=20_000)),
    "csr": ("100,000 x 1,000 CSR 1%", lambda: csr(n_samples=100_000)),
}
RIDGE_ALPHAS = np.logspace(-3, 4, 20)


def objective(X, y, coef, intercept, alpha):
    R = y - np.asarray(X @ coef).ravel() - intercept
    return R @ R / (2 * len(y)) + alpha * np.abs(coef).sum()


def sklearn_path(X, y, tol):
    y_mean = y.mean()
    if sp.issparse(X):
        x_mean = np.asarray(X.mean(axis=0)).ravel()
        alphas, coefs, _ = sk.enet_path(
            X.tocsc(), y - y_mean, l1_ratio=1.0, alphas=100, eps=1e-3, tol=tol, max_iter=10_000,
            X_offset=x_mean, X_scale=np.ones_like(x_mean),
        )
    else:
        x_mean = X.mean(axis=0)
        Xc = np.asfortranarray(X - x_mean)
        alphas, coefs, _ = sk.lasso_path(Xc, y - y_mean, alphas=100, eps=1e-3, tol=tol, max_iter=10_000)
    return alphas, coefs, y_mean - x_mean @ coefs


def _fastreg_path(X, y, tol):
    """fastreg's path with an intercept (fit_path; its lasso_path is scikit-learn's, without one)."""
    result = fastreg.fit_path(X, y, alphas=100, eps=1e-3, tol=tol)
    return result.alphas, result.coefs, result.intercepts


def tasks(tol):
    return {
        "path": {
            "fastreg": lambda X, y: _fastreg_path(X, y, tol),
            "scikit-learn": lambda X, y: sklearn_path(X, y, tol),
        },
        "lassocv": {
            "fastreg": lambda X, y: fastreg.LassoCV(alphas=100, tol=tol).fit(X, y),
            "scikit-learn": lambda X, y: sk.LassoCV(alphas=100, tol=tol, max_iter=10_000).fit(X, y),
        },
        "ridgecv": {
            "fastreg": lambda X, y: fastreg.RidgeCV(alphas=RIDGE_ALPHAS).fit(X, y),
            "scikit-learn": lambda X, y: sk.RidgeCV(alphas=RIDGE_ALPHAS).fit(X, y),
        },
    }


def check(task, X, y, results):
    """A line saying whether both reached the same answer."""
    ours, theirs = results["fastreg"], results["scikit-learn"]
    if task == "path":
        a1, c1, b1 = ours
        a2, c2, b2 = theirs
        if not np.allclose(a1, a2, rtol=1e-10):
            return "DIFFERENT alpha grids"
        o1 = np.array([objective(X, y, c1[:, i], b1[i], a) for i, a in enumerate(a1)])
        o2 = np.array([objective(X, y, c2[:, i], b2[i], a) for i, a in enumerate(a1)])
        rel = (o1 - o2) / o2
        return (f"objective (fastreg - sklearn)/sklearn per alpha: max {rel.max():+.2e}, "
                f"min {rel.min():+.2e} (negative: fastreg lower)")
    if task == "lassocv":
        return f"alpha_ fastreg {ours.alpha_:.6g}, sklearn {theirs.alpha_:.6g}" + (
            " (same)" if np.isclose(ours.alpha_, theirs.alpha_, rtol=1e-10) else " (DIFFERENT)")
    diff = np.abs(ours.coef_ - theirs.coef_).max() / np.abs(theirs.coef_).max()
    same = "same" if ours.alpha_ == theirs.alpha_ else "DIFFERENT"
    return f"alpha_ {ours.alpha_:.6g} vs {theirs.alpha_:.6g} ({same}); max |coef diff|/max|coef| {diff:.1e}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", nargs="+", default=["path", "lassocv", "ridgecv"],
                        choices=["path", "lassocv", "ridgecv"])
    parser.add_argument("--data", nargs="+", default=list(DATA), choices=list(DATA))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--tol", type=float, default=1e-8, help="duality-gap tol for both (default 1e-8)")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore", ConvergenceWarning)
    rng = np.random.default_rng(0)
    Xw = rng.standard_normal((200, 20))
    fastreg.fit_path(Xw, Xw[:, 0], alphas=3)  # compile outside the timing
    fastreg.fit_path(sp.csr_matrix(Xw), Xw[:, 0], alphas=3, precompute=False)
    print(f"tol = {args.tol:g} for both; {args.rounds} interleaved rounds, medians\n")
    print(f"{'task':<9} {'data':<24} {'fastreg':>10} {'sklearn':>10} {'speed-up':>9}")
    notes = []
    for data in args.data:
        title, make = DATA[data]
        X, y = make()
        for task in args.tasks:
            todo = tasks(args.tol)[task]
            times = {name: [] for name in todo}
            results = {}
            for r in range(args.rounds):
                names = list(todo)[r % 2:] + list(todo)[: r % 2]
                for name in names:
                    t0 = time.perf_counter()
                    results[name] = todo[name](X, y)
                    times[name].append(time.perf_counter() - t0)
            t_ours = statistics.median(times["fastreg"])
            t_sk = statistics.median(times["scikit-learn"])
            print(f"{task:<9} {title:<24} {t_ours:>9.3f}s {t_sk:>9.3f}s {t_sk / t_ours:>8.2f}x", flush=True)
            notes.append(f"{task} on {title}: {check(task, X, y, results)}")
    print()
    for line in notes:
        print(line)


if __name__ == "__main__":
    main()
