"""Default ``fastreg.Lasso`` fits near interpolation (small α, n ≪ p) against LARS's exact optimum.

For each data set (Gaussian, AR(1) ρ = 0.9, CSR at 5%; 100 x 1,000,
100 x 20,000, 300 x 5,000) and α = αmax/10², /10³, /10⁴: the default fit's
time, epochs, whether it warned of non-convergence, and its objective
relative to scikit-learn's ``lars_path`` (the homotopy, exact at its kinks)::

    python scripts/small_alpha.py
    PYTHONPATH=<other tree> NUMBA_CACHE_DIR=<its own cache> python scripts/small_alpha.py   # before/after
"""

import os
import sys
import time
import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import lars_path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import compare  # noqa: E402  (data, αmax, objective)

import fastreg  # noqa: E402


def datasets():
    rng = np.random.default_rng(1)
    for n, p in [(100, 1000), (100, 20000), (300, 5000)]:
        X = rng.standard_normal((n, p))
        yield f"gauss {n}x{p}", X, compare._target(X, rng)
        X = compare.dense_toeplitz(n, p, rho=0.9, seed=2)[0]
        yield f"ar0.9 {n}x{p}", X, compare._target(X, rng)
        X = sp.random(n, p, density=0.05, format="csr", random_state=3)
        yield f"csr5% {n}x{p}", X, compare._target(X, rng)


def main():
    print(os.path.dirname(fastreg.__file__))
    fastreg.Lasso(alpha=0.1).fit(np.eye(5, 8), np.arange(5.0))  # compile outside the timing
    for name, X, y in datasets():
        dense = X.toarray() if sp.issparse(X) else X
        for divisor in (1e2, 1e3, 1e4):
            alpha = compare.alpha_max(X, y) / divisor
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                t0 = time.perf_counter()
                model = fastreg.Lasso(alpha=alpha).fit(X, y)
                seconds = time.perf_counter() - t0
            warned = any("converge" in str(w.message) for w in caught)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                coef = lars_path(
                    dense - dense.mean(0), y - y.mean(), alpha_min=alpha, method="lasso", max_iter=20 * X.shape[0],
                    return_path=False,
                )[2]
            exact = compare.lasso_objective(X, y, coef, y.mean() - dense.mean(0) @ coef, alpha)
            ours = compare.lasso_objective(X, y, model.coef_, model.intercept_, alpha)
            print(f"{name:16s} amax/{divisor:<6g} {seconds:7.3f} s {model.n_iter_:6d} epochs "
                  f"{'WARNED' if warned else 'ok    '} objective {(ours - exact) / exact:+.1e} vs LARS", flush=True)


if __name__ == "__main__":
    main()
