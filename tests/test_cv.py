"""LassoCV, ElasticNetCV and RidgeCV against scikit-learn's, on data not tuned for them."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose
from sklearn import linear_model as sk
from sklearn.datasets import make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import KFold

import fastreg


def regression(n, p, seed, density=None, offset=2.0):
    X, y = make_regression(n_samples=n, n_features=p, n_informative=max(2, p // 5), noise=5.0, random_state=seed)
    if density is not None:
        rng = np.random.default_rng(seed)
        X *= rng.random(X.shape) < density
    return X + offset, y + 10.0


def sk_fit(est, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y)


@pytest.mark.parametrize("seed", [11, 12])
@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "csr"])
@pytest.mark.parametrize("shape", [(120, 20), (50, 80)], ids=["tall", "wide"])
def test_lasso_cv_matches_sklearn(seed, sparse, shape):
    X, y = regression(*shape, seed=seed, density=0.5 if sparse else None)
    Xs = sp.csr_matrix(X) if sparse else X
    # n < p: near-interpolating fits are flat in some directions, so the test
    # errors (not the objectives) need tighter fits to pin the CV curve's minimum.
    tall = shape[0] > shape[1]
    ours = fastreg.LassoCV(alphas=20, tol=1e-8 if tall else 1e-12, max_iter=10_000 if tall else 100_000).fit(Xs, y)
    ref = sk_fit(sk.LassoCV(alphas=20, tol=1e-12, max_iter=100_000), X, y)
    assert_allclose(ours.alphas_, ref.alphas_, rtol=1e-12)
    assert ours.alpha_ == pytest.approx(ref.alpha_, rel=1e-12)
    assert ours.mse_path_.shape == ref.mse_path_.shape == (20, 5)
    assert_allclose(ours.mse_path_, ref.mse_path_, rtol=1e-4)
    scale = np.abs(ref.coef_).max()
    assert_allclose(ours.coef_, ref.coef_, atol=1e-5 * scale)
    assert ours.intercept_ == pytest.approx(ref.intercept_, abs=1e-5 * max(1.0, abs(ref.intercept_)))
    assert ours.dual_gap_ <= ours.tol * np.var(y) and ours.n_iter_ >= 0
    assert not hasattr(ours, "l1_ratio_")
    assert ours.predict(Xs).shape == (shape[0],)


def test_elasticnet_cv_several_l1_ratios_matches_sklearn():
    X, y = regression(100, 15, seed=13)
    ratios = [0.2, 0.6, 0.95]
    ours = fastreg.ElasticNetCV(l1_ratio=ratios, alphas=15, cv=4).fit(X, y)
    ref = sk_fit(sk.ElasticNetCV(l1_ratio=ratios, alphas=15, cv=4, tol=1e-12, max_iter=100_000), X, y)
    assert ours.mse_path_.shape == ref.mse_path_.shape == (3, 15, 4)
    assert ours.alphas_.shape == ref.alphas_.shape == (3, 15)
    assert_allclose(ours.alphas_, ref.alphas_, rtol=1e-12)
    assert ours.l1_ratio_ == ref.l1_ratio_
    assert ours.alpha_ == pytest.approx(ref.alpha_, rel=1e-12)
    assert_allclose(ours.mse_path_, ref.mse_path_, rtol=1e-4)
    assert_allclose(ours.coef_, ref.coef_, atol=1e-5 * np.abs(ref.coef_).max())


def test_cv_given_alphas_splitter_and_threads_agree():
    X, y = regression(90, 12, seed=14)
    alphas = [0.5, 0.01, 5.0, 0.1]
    cv = KFold(3, shuffle=True, random_state=0)
    one = fastreg.ElasticNetCV(l1_ratio=0.5, alphas=alphas, cv=cv).fit(X, y)
    two = fastreg.ElasticNetCV(l1_ratio=0.5, alphas=alphas, cv=cv, n_jobs=2).fit(X, y)
    ref = sk_fit(sk.ElasticNetCV(l1_ratio=0.5, alphas=alphas, cv=cv, tol=1e-12, max_iter=100_000), X, y)
    assert_allclose(one.alphas_, [5.0, 0.5, 0.1, 0.01])
    assert_allclose(one.alphas_, ref.alphas_)
    assert one.alpha_ == two.alpha_ == ref.alpha_
    assert_allclose(one.mse_path_, two.mse_path_, rtol=1e-10)
    assert_allclose(one.mse_path_, ref.mse_path_, rtol=1e-5)


@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "csr"])
def test_residual_engine_cv_agrees(sparse):
    X, y = regression(80, 10, seed=15, density=0.6 if sparse else None)
    Xs = sp.csr_matrix(X) if sparse else X
    gram = fastreg.LassoCV(alphas=10, precompute=True).fit(Xs, y)
    resid = fastreg.LassoCV(alphas=10, precompute=False).fit(Xs, y)
    assert gram.alpha_ == pytest.approx(resid.alpha_, rel=1e-12)
    assert_allclose(gram.mse_path_, resid.mse_path_, rtol=1e-6)
    assert_allclose(gram.coef_, resid.coef_, atol=1e-6 * np.abs(gram.coef_).max())


def test_lasso_cv_n_alphas_alias_and_verbose(capsys):
    X, y = regression(60, 8, seed=16)
    model = fastreg.LassoCV(n_alphas=7, verbose=True, cv=3).fit(X, y)
    assert model.alphas_.shape == (7,)
    assert "21/21" in capsys.readouterr().err  # 3 folds × 7 alphas


def test_cv_bad_parameters():
    X, y = regression(40, 5, seed=17)
    with pytest.raises(ValueError, match="l1_ratio"):
        fastreg.ElasticNetCV(l1_ratio=[0.5, 2.0]).fit(X, y)
    with pytest.raises(ValueError, match="l1_ratio=0"):
        fastreg.ElasticNetCV(l1_ratio=0.0).fit(X, y)
    with pytest.raises(ValueError, match="alphas"):
        fastreg.LassoCV(alphas=[1.0, -2.0]).fit(X, y)
    with pytest.raises(ValueError, match="precompute"):
        fastreg.LassoCV(precompute="sometimes").fit(X, y)
    with pytest.raises(ValueError, match="alphas"):
        fastreg.RidgeCV(alphas=[0.0, 1.0]).fit(X, y)  # LOO needs α > 0
    with pytest.raises(ValueError, match="gcv_mode"):
        fastreg.RidgeCV(gcv_mode="svd-ish").fit(X, y)


# ------------------------------------------------------------------------ RidgeCV

RIDGE_ALPHAS = np.logspace(-3, 3, 13)


@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "csr"])
@pytest.mark.parametrize("shape", [(90, 20), (30, 60)], ids=["n>p", "n<p"])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_ridge_cv_loo_matches_sklearn(sparse, shape, fit_intercept):
    X, y = regression(*shape, seed=21, density=0.5 if sparse else None)
    Xs = sp.csr_matrix(X) if sparse else X
    ours = fastreg.RidgeCV(alphas=RIDGE_ALPHAS, fit_intercept=fit_intercept).fit(Xs, y)
    ref = sk.RidgeCV(alphas=RIDGE_ALPHAS, fit_intercept=fit_intercept).fit(Xs, y)
    assert ours.alpha_ == ref.alpha_
    assert ours.best_score_ == pytest.approx(ref.best_score_, rel=1e-8)
    assert_allclose(ours.coef_, ref.coef_, rtol=1e-8, atol=1e-10 * np.abs(ref.coef_).max())
    assert ours.intercept_ == pytest.approx(ref.intercept_, rel=1e-8, abs=1e-9)


@pytest.mark.parametrize("offset", [0.3, 2.0], ids=["means-within-spread", "large-means"])
def test_ridge_cv_reads_dense_x_uncentered_only_when_exact(monkeypatch, offset):
    """n > p dense: ``XᵀX − n x̄x̄ᵀ`` and ``XV − 1x̄ᵀV`` from ``X`` itself when the means allow it; same answers."""
    from fastreg.solvers import loo as cv

    X, y = regression(200, 30, seed=25, offset=offset)
    routes = []
    init = cv.RidgeEigen.__init__

    def record(self, *args, **kwargs):
        init(self, *args, **kwargs)
        routes.append(self.uncentered)

    monkeypatch.setattr(cv.RidgeEigen, "__init__", record)
    ours = fastreg.RidgeCV(alphas=RIDGE_ALPHAS).fit(X, y)
    assert routes == [offset < 1.0]
    ref = sk.RidgeCV(alphas=RIDGE_ALPHAS).fit(X, y)
    assert ours.alpha_ == ref.alpha_
    assert ours.best_score_ == pytest.approx(ref.best_score_, rel=1e-10)
    assert_allclose(ours.coef_, ref.coef_, rtol=1e-10, atol=1e-12 * np.abs(ref.coef_).max())
    monkeypatch.setattr(cv, "means_within_spread", lambda X, mean: False)  # the centered blocks
    centered = fastreg.RidgeCV(alphas=RIDGE_ALPHAS).fit(X, y)
    assert routes[-1] is False
    assert centered.best_score_ == pytest.approx(ours.best_score_, rel=1e-12)
    assert_allclose(centered.coef_, ours.coef_, rtol=1e-11, atol=1e-13 * np.abs(ours.coef_).max())


@pytest.mark.parametrize("mode", ["cov", "gram"])
def test_ridge_cv_modes_agree_and_default_alphas(mode):
    X, y = regression(70, 25, seed=22)
    ours = fastreg.RidgeCV(gcv_mode=mode).fit(X, y)
    ref = sk.RidgeCV().fit(X, y)
    assert ours.alpha_ == ref.alpha_
    assert ours.best_score_ == pytest.approx(ref.best_score_, rel=1e-8)
    assert_allclose(ours.coef_, ref.coef_, rtol=1e-8)


@pytest.mark.parametrize("shape", [(80, 15), (30, 50)], ids=["n>p", "n<p"])
def test_ridge_cv_kfold_matches_sklearn(shape):
    X, y = regression(*shape, seed=23)
    ours = fastreg.RidgeCV(alphas=RIDGE_ALPHAS, cv=5).fit(X, y)
    ref = sk.RidgeCV(alphas=RIDGE_ALPHAS, cv=5).fit(X, y)
    assert ours.alpha_ == ref.alpha_
    assert ours.best_score_ == pytest.approx(ref.best_score_, rel=1e-8)
    assert_allclose(ours.coef_, ref.coef_, rtol=1e-7, atol=1e-9 * np.abs(ref.coef_).max())
    # sparse gives the same (exact) answer
    sparse = fastreg.RidgeCV(alphas=RIDGE_ALPHAS, cv=5).fit(sp.csr_matrix(X), y)
    assert sparse.alpha_ == ours.alpha_
    assert sparse.best_score_ == pytest.approx(ours.best_score_, rel=1e-8)


def test_ridge_cv_loo_is_leave_one_out():
    """The LOO score equals refitting Ridge n times without each row."""
    X, y = regression(25, 6, seed=24)
    alpha = 3.0
    errors = []
    for i in range(len(y)):
        keep = np.arange(len(y)) != i
        model = fastreg.Ridge(alpha=alpha).fit(X[keep], y[keep])
        errors.append(y[i] - model.predict(X[i : i + 1])[0])
    ours = fastreg.RidgeCV(alphas=[alpha]).fit(X, y)
    assert ours.best_score_ == pytest.approx(-np.mean(np.square(errors)), rel=1e-10)


def test_residual_engine_folds_in_threads():
    X, y = regression(60, 12, seed=18)
    one = fastreg.LassoCV(alphas=8, precompute=False, cv=3).fit(X, y)
    two = fastreg.LassoCV(alphas=8, precompute=False, cv=3, n_jobs=2).fit(X, y)
    assert one.alpha_ == two.alpha_
    assert_allclose(one.mse_path_, two.mse_path_, rtol=1e-8)
