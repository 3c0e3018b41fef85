"""Regularization paths and cross-validation beside scikit-learn, on 1,000-feature data.

Run (not part of the test suite)::

    python -m pytest benchmarks/test_path_cv.py --benchmark-autosave
    python -m pytest benchmarks/test_path_cv.py -k ridgecv --benchmark-group-by=group

Data: 20,000 × 1,000 dense and 100,000 × 1,000 CSR at 1%. Each group holds
fastreg and scikit-learn on the same task at the same ``tol`` (duality gap ≤
tol·‖y − ȳ‖²/n, the same meaning in both); extra info records the largest
relative objective difference over the path (``lasso_path``), or whether
``alpha_`` agrees (CV). Ratios are only meaningful within one run.
``scripts/bench_path.py`` prints the ratios directly.
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn import linear_model as sk
from sklearn.exceptions import ConvergenceWarning

import fastreg

from datasets import csr, dense

TOL = 1e-8
RIDGE_ALPHAS = np.logspace(-3, 4, 20)

DATA = {
    "dense-20000x1000": lambda: dense(n_samples=20_000),
    "csr-100000x1000-1%": lambda: csr(n_samples=100_000),
}


def sklearn_lasso_path(X, y):
    """scikit-learn's path with an intercept: centered dense data, or X_offset for sparse."""
    y_mean = y.mean()
    if sp.issparse(X):
        x_mean = np.asarray(X.mean(axis=0)).ravel()
        alphas, coefs, _ = sk.enet_path(
            X.tocsc(), y - y_mean, l1_ratio=1.0, alphas=100, eps=1e-3, tol=TOL, max_iter=10_000,
            X_offset=x_mean, X_scale=np.ones_like(x_mean),
        )
    else:
        x_mean = X.mean(axis=0)
        alphas, coefs, _ = sk.lasso_path(
            np.asfortranarray(X - x_mean), y - y_mean, alphas=100, eps=1e-3, tol=TOL, max_iter=10_000
        )
    return alphas, coefs, y_mean - x_mean @ coefs


def fastreg_lasso_path(X, y):
    """fastreg's path with an intercept (fit_path; its lasso_path is scikit-learn's, without one)."""
    result = fastreg.fit_path(X, y, alphas=100, eps=1e-3, tol=TOL)
    return result.alphas, result.coefs, result.intercepts


PATHS = {
    "fastreg": fastreg_lasso_path,
    "scikit-learn": sklearn_lasso_path,
}
LASSOCV = {
    "fastreg": lambda X, y: fastreg.LassoCV(alphas=100, tol=TOL).fit(X, y),
    "scikit-learn": lambda X, y: sk.LassoCV(alphas=100, tol=TOL, max_iter=10_000).fit(X, y),
}
RIDGECV = {
    "fastreg": lambda X, y: fastreg.RidgeCV(alphas=RIDGE_ALPHAS).fit(X, y),
    "scikit-learn": lambda X, y: sk.RidgeCV(alphas=RIDGE_ALPHAS).fit(X, y),
}


def _objectives(X, y, alphas, coefs, intercepts):
    out = []
    for i, alpha in enumerate(alphas):
        R = y - np.asarray(X @ coefs[:, i]).ravel() - intercepts[i]
        out.append(R @ R / (2 * len(y)) + alpha * np.abs(coefs[:, i]).sum())
    return np.array(out)


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


def _compile():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((200, 20))
    fastreg.fit_path(X, X[:, 0], alphas=3)
    fastreg.fit_path(sp.csr_matrix(X), X[:, 0], alphas=3)


@pytest.mark.parametrize("data", list(DATA))
@pytest.mark.parametrize("solver", list(PATHS))
def test_lasso_path(benchmark, data, solver):
    X, y = DATA[data]()
    _compile()
    benchmark.group = f"lasso_path {data}"
    alphas, coefs, intercepts = benchmark.pedantic(PATHS[solver], args=(X, y), rounds=3, warmup_rounds=0)
    if solver == "fastreg":  # objective at every α against scikit-learn's (one more sklearn run)
        ref_alphas, ref_coefs, ref_intercepts = sklearn_lasso_path(X, y)
        np.testing.assert_allclose(alphas, ref_alphas, rtol=1e-10)
        ours = _objectives(X, y, alphas, coefs, intercepts)
        theirs = _objectives(X, y, ref_alphas, ref_coefs, ref_intercepts)
        benchmark.extra_info["max_rel_objective_minus_sklearn"] = float(np.max((ours - theirs) / theirs))


@pytest.mark.parametrize("data", list(DATA))
@pytest.mark.parametrize("solver", list(LASSOCV))
def test_lassocv(benchmark, data, solver):
    X, y = DATA[data]()
    _compile()
    benchmark.group = f"LassoCV {data}"
    model = benchmark.pedantic(LASSOCV[solver], args=(X, y), rounds=2, warmup_rounds=0)
    benchmark.extra_info["alpha_"] = model.alpha_


@pytest.mark.parametrize("data", list(DATA))
@pytest.mark.parametrize("solver", list(RIDGECV))
def test_ridgecv(benchmark, data, solver):
    X, y = DATA[data]()
    benchmark.group = f"RidgeCV {data}"
    model = benchmark.pedantic(RIDGECV[solver], args=(X, y), rounds=3, warmup_rounds=0)
    benchmark.extra_info["alpha_"] = model.alpha_
    assert np.all(np.isfinite(model.coef_))
