"""cv.glmnet's workflow in LassoCV/ElasticNetCV: the one-standard-error rule, standardize in folds, relax.

References: cv.glmnet's formulas written out here on known fold errors (``cvm`` weighted by fold
sizes, ``cvsd`` their weighted spread over K − 1, ``getOptcv``'s choices), and fold-by-fold
recomputation with the path objects for ``standardize`` and ``relax``.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.model_selection import KFold, PredefinedSplit

import fastreg
from fastreg.path_cv import choose_alpha, cv_mean_se
from fastreg.path_report import one_standard_error_alpha


def make_data(n=63, p=10, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) * rng.uniform(0.2, 6.0, p)
    y = X[:, 0] - 0.5 * X[:, 1] / X[:, 1].std() + 0.8 * rng.standard_normal(n) + 1.0
    return X, y


def glmnet_cv(errors, sizes):
    """cv.glmnet's cvstats, line by line: weighted.mean over folds, sqrt(weighted.mean(sq dev)/(N − 1))."""
    cvm = np.array([np.sum(sizes * e) / np.sum(sizes) for e in errors])
    cvsd = np.array([np.sqrt(np.sum(sizes * (e - m) ** 2) / np.sum(sizes) / (len(sizes) - 1))
                     for e, m in zip(errors, cvm)])
    return cvm, cvsd


def glmnet_opt(lambdas, cvm, cvsd):
    """getOptcv.glmnet: lambda.min = max(lambda[cvm <= min]), lambda.1se = max(lambda[cvm <= cvm + cvsd at min])."""
    lam_min = max(lam for lam, m in zip(lambdas, cvm) if m <= cvm.min())
    i = list(lambdas).index(lam_min)
    lam_1se = max(lam for lam, m in zip(lambdas, cvm) if m <= cvm[i] + cvsd[i])
    return lam_min, lam_1se


def test_cv_mean_se_and_choice_on_known_errors():
    errors = np.array([[9.0, 11.0, 10.0], [5.0, 6.0, 7.5], [4.0, 6.0, 5.0], [5.5, 6.5, 4.0]])
    sizes = np.array([10.0, 10.0, 7.0])
    mean, se = cv_mean_se(errors, sizes)
    cvm, cvsd = glmnet_cv(errors, sizes)
    assert_allclose(mean, cvm, rtol=1e-15)
    assert_allclose(se, cvsd, rtol=1e-15)
    alphas = np.array([4.0, 2.0, 1.0, 0.5])
    best, one_se = choose_alpha(alphas, mean, se)
    assert (alphas[best[0]], alphas[one_se[0]]) == glmnet_opt(alphas, cvm, cvsd)
    # ties go to the largest α, then (relaxed) to the largest γ
    tied = np.array([[3.0, 1.0, 1.0], [1.0, 2.0, 1.0]])
    best, _ = choose_alpha(np.array([3.0, 2.0, 1.0]), tied, np.zeros_like(tied), gammas=np.array([0.0, 0.5]))
    assert best == (1, 0)
    best, _ = choose_alpha(np.array([3.0, 2.0, 1.0]), tied[::-1], np.zeros_like(tied), gammas=np.array([0.0, 0.5]))
    assert best == (0, 0)
    assert one_standard_error_alpha(alphas, errors, sizes) == glmnet_opt(alphas, cvm, cvsd)


@pytest.mark.parametrize("weighted", [False, True])
def test_lassocv_one_standard_error_is_cv_glmnets(weighted):
    X, y = make_data()
    rng = np.random.default_rng(1)
    foldid = rng.permutation(np.arange(len(y)) % 10)  # unequal folds: 7 and 6 rows
    w = rng.uniform(0.2, 3.0, len(y)) if weighted else None
    cv = PredefinedSplit(foldid)
    model = fastreg.LassoCV(alphas=30, cv=cv).fit(X, y, sample_weight=w)
    sizes = np.array([np.sum(foldid == k) if w is None else w[foldid == k].sum() for k in range(10)])
    cvm, cvsd = glmnet_cv(model.mse_path_, sizes)
    assert_allclose(model.mse_mean_, cvm, rtol=1e-13)
    assert_allclose(model.mse_se_, cvsd, rtol=1e-13)
    lam_min, lam_1se = glmnet_opt(model.alphas_, cvm, cvsd)
    assert model.alpha_min_ == lam_min and model.alpha_1se_ == lam_1se
    assert model.alpha_1se_ > model.alpha_min_
    # "min" stays scikit-learn's rule (folds counted equally)
    assert model.alpha_ == model.alphas_[np.argmin(model.mse_path_.mean(axis=1))]
    one_se = fastreg.LassoCV(alphas=30, cv=cv, alpha_rule="1se").fit(X, y, sample_weight=w)
    assert one_se.alpha_ == lam_1se
    refit = fastreg.Lasso(alpha=lam_1se, tol=1e-12).fit(X, y, sample_weight=w)
    assert_allclose(one_se.coef_, refit.coef_, rtol=1e-6, atol=1e-9)


def test_standardize_uses_each_folds_scales():
    X, y = make_data(seed=2)
    folds = list(KFold(4).split(X))
    model = fastreg.LassoCV(alphas=12, cv=folds, standardize=True, tol=1e-10).fit(X, y)
    path = fastreg.LassoPath(alphas=12, standardize=True).fit(X, y)
    assert_allclose(model.alphas_, path.alphas_, rtol=1e-14)  # the grid of all rows' scales
    for k, (train, test) in enumerate(folds):
        fold = fastreg.LassoPath(alphas=model.alphas_, standardize=True, tol=1e-10).fit(X[train], y[train])
        mse = ((fold.predict(X[test]) - y[test, None]) ** 2).mean(axis=0)
        assert_allclose(model.mse_path_[:, k], mse, rtol=1e-7)
    assert_allclose(model.coef_, fastreg.Lasso(alpha=model.alpha_, standardize=True, tol=1e-12).fit(X, y).coef_,
                    rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("precompute", [True, False])
def test_relaxed_cv_chooses_alpha_and_gamma_together(precompute):
    X, y = make_data(seed=3)
    foldid = np.random.default_rng(4).permutation(np.arange(len(y)) % 5)
    gammas = (0.0, 0.5, 1.0)
    model = fastreg.LassoCV(alphas=15, cv=PredefinedSplit(foldid), relax=True, gammas=gammas, tol=1e-10,
                            precompute=precompute).fit(X, y)
    assert model.relaxed_mse_path_.shape == (3, 15, 5)
    for k in range(5):
        train, test = foldid != k, foldid == k
        fold = fastreg.LassoPath(alphas=model.alphas_, relax=True, tol=1e-10).fit(X[train], y[train])
        for g, gamma in enumerate(gammas):
            mse = ((fold.predict(X[test], gamma=gamma) - y[test, None]) ** 2).mean(axis=0)
            assert_allclose(model.relaxed_mse_path_[g, :, k], mse, rtol=1e-6)
    sizes = np.bincount(foldid).astype(float)
    means = np.array([glmnet_cv(model.relaxed_mse_path_[g], sizes)[0] for g in range(3)])
    ses = np.array([glmnet_cv(model.relaxed_mse_path_[g], sizes)[1] for g in range(3)])
    # getOptcv.relaxed: the smallest cvm over (α, γ), ties to the largest α then γ; 1se likewise
    flat = [(means[g, i], -model.alphas_[i], -gammas[g], g, i) for g in range(3) for i in range(15)]
    _, _, _, g_min, i_min = min(flat)
    bound = means[g_min, i_min] + ses[g_min, i_min]
    _, _, g_1se, i_1se = min((-model.alphas_[i], -gammas[g], g, i) for g in range(3) for i in range(15)
                             if means[g, i] <= bound)
    assert (model.alpha_min_, model.gamma_min_) == (model.alphas_[i_min], gammas[g_min])
    assert (model.alpha_1se_, model.gamma_1se_) == (model.alphas_[i_1se], gammas[g_1se])
    assert_allclose(model.relaxed_mse_mean_, means, rtol=1e-13)
    refit = fastreg.Lasso(alpha=model.alpha_, relax=model.gamma_, tol=1e-12).fit(X, y)
    assert_allclose(model.coef_, refit.coef_, rtol=1e-6, atol=1e-9)


def test_elasticnetcv_1se_with_several_ratios_and_bad_values():
    X, y = make_data(seed=5)
    model = fastreg.ElasticNetCV(l1_ratio=[0.3, 0.9], alphas=10, cv=3, alpha_rule="1se").fit(X, y)
    r = int(np.argmin(model.mse_mean_.min(axis=1)))
    assert model.l1_ratio_ == [0.3, 0.9][r]
    _, lam_1se = glmnet_opt(model.alphas_[r], model.mse_mean_[r], model.mse_se_[r])
    assert model.alpha_ == model.alpha_1se_ == lam_1se
    with pytest.raises(ValueError, match="alpha_rule"):
        fastreg.LassoCV(alpha_rule="lambda.1se").fit(X, y)
    with pytest.raises(ValueError, match="gammas"):
        fastreg.LassoCV(relax=True, gammas=()).fit(X, y)
    with pytest.raises(ValueError, match="gammas"):
        fastreg.LassoCV(relax=True, gammas=(0.5, 2.0)).fit(X, y)
    with pytest.raises(TypeError, match="relax"):
        fastreg.LassoCV(relax=0.5).fit(X, y)
