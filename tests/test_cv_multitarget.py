"""Multi-target y in RidgeCV (scikit-learn's, with alpha_per_target) and LassoCV/ElasticNetCV (per-target fits)."""

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose
from sklearn import linear_model as sk
from sklearn.model_selection import KFold

import fastreg

from helpers import STORAGES

RIDGE_ALPHAS = np.logspace(-2, 3, 11)


def multi_data(n, p, k=3, seed=0, density=None):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) + 1.0
    if density is not None:
        X *= rng.random((n, p)) < density
    W = rng.standard_normal((p, k)) * (rng.random((p, k)) < 0.5)
    # targets of different noise levels, so that their best α differ
    Y = X @ W + np.arange(1.0, k + 1) + rng.standard_normal((n, k)) * np.geomspace(0.1, 10, k)
    return X, Y


# ------------------------------------------------------------------------ RidgeCV


@pytest.mark.parametrize("storage", ["C", "F", "csr_matrix"])
@pytest.mark.parametrize("shape", [(50, 12), (18, 40)], ids=["n>p", "n<p"])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("per_target", [False, True], ids=["shared", "per_target"])
def test_ridge_cv_multitarget_matches_sklearn(storage, shape, fit_intercept, per_target):
    X, Y = multi_data(*shape, seed=1, density=0.5 if storage == "csr_matrix" else None)
    Xs = STORAGES[storage](X)
    sw = np.random.default_rng(1).random(shape[0]) * 2
    for weights in (None, sw):
        ref = sk.RidgeCV(alphas=RIDGE_ALPHAS, fit_intercept=fit_intercept, alpha_per_target=per_target)
        ours = fastreg.RidgeCV(alphas=RIDGE_ALPHAS, fit_intercept=fit_intercept, alpha_per_target=per_target)
        ref.fit(Xs, Y, sample_weight=weights)
        ours.fit(Xs, Y, sample_weight=weights)
        assert np.shape(ours.alpha_) == np.shape(ref.alpha_) == ((3,) if per_target else ())
        assert_allclose(ours.alpha_, ref.alpha_, rtol=1e-15)
        assert np.shape(ours.best_score_) == np.shape(ref.best_score_)
        assert_allclose(ours.best_score_, ref.best_score_, rtol=1e-8)
        assert ours.coef_.shape == ref.coef_.shape == (3, shape[1])
        assert_allclose(ours.coef_, ref.coef_, rtol=1e-8, atol=1e-8 * np.abs(ref.coef_).max())
        # scikit-learn's shapes: (n_targets,), or the scalar 0.0 without intercept
        assert np.shape(ours.intercept_) == np.shape(ref.intercept_)
        assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-8, atol=1e-8)
        assert ours.predict(Xs).shape == Y.shape


def test_ridge_cv_per_target_alphas_differ_and_equal_single_fits():
    X, Y = multi_data(60, 10, seed=2)
    ours = fastreg.RidgeCV(alphas=RIDGE_ALPHAS, alpha_per_target=True).fit(X, Y)
    assert len(set(ours.alpha_)) > 1  # the data were made so
    for j in range(Y.shape[1]):
        single = fastreg.RidgeCV(alphas=RIDGE_ALPHAS).fit(X, Y[:, j])
        assert ours.alpha_[j] == single.alpha_
        assert ours.best_score_[j] == pytest.approx(single.best_score_, rel=1e-12)
        assert_allclose(ours.coef_[j], single.coef_, rtol=1e-11)
        assert ours.intercept_[j] == pytest.approx(single.intercept_, rel=1e-11)
    shared = fastreg.RidgeCV(alphas=RIDGE_ALPHAS).fit(X, Y)  # one α on the mean score over targets
    singles = [fastreg.RidgeCV(alphas=[shared.alpha_]).fit(X, Y[:, j]).best_score_ for j in range(3)]
    assert shared.best_score_ == pytest.approx(np.mean(singles), rel=1e-12)


@pytest.mark.parametrize("per_target, cv", [(False, None), (True, None), (False, 3)])
def test_ridge_cv_one_column_y_has_sklearn_shapes(per_target, cv):
    X, Y = multi_data(30, 5, k=1, seed=3)
    ref = sk.RidgeCV(alphas=RIDGE_ALPHAS, cv=cv, alpha_per_target=per_target).fit(X, Y)
    ours = fastreg.RidgeCV(alphas=RIDGE_ALPHAS, cv=cv, alpha_per_target=per_target).fit(X, Y)
    for attr in ("alpha_", "best_score_", "coef_", "intercept_"):
        assert np.shape(getattr(ours, attr)) == np.shape(getattr(ref, attr)), attr
    assert ours.predict(X).shape == ref.predict(X).shape


def test_ridge_cv_kfold_multitarget_matches_sklearn():
    X, Y = multi_data(40, 8, seed=4)
    sw = np.random.default_rng(4).random(40) + 0.5
    for weights in (None, sw):
        ref = sk.RidgeCV(alphas=RIDGE_ALPHAS, cv=4).fit(X, Y, sample_weight=weights)
        ours = fastreg.RidgeCV(alphas=RIDGE_ALPHAS, cv=4).fit(X, Y, sample_weight=weights)
        assert ours.alpha_ == ref.alpha_
        assert ours.best_score_ == pytest.approx(ref.best_score_, rel=1e-8)  # mean R² over targets
        assert_allclose(ours.coef_, ref.coef_, rtol=1e-7, atol=1e-9 * np.abs(ref.coef_).max())


def test_ridge_cv_alpha_per_target_with_cv_is_refused():
    X, Y = multi_data(30, 5, seed=5)
    with pytest.raises(ValueError, match="cv!=None and alpha_per_target=True are incompatible"):
        fastreg.RidgeCV(cv=3, alpha_per_target=True).fit(X, Y)
    with pytest.raises(TypeError, match="alpha_per_target must be True or False"):
        fastreg.RidgeCV(alpha_per_target="yes").fit(X, Y)


# ----------------------------------------------------------- LassoCV, ElasticNetCV


@pytest.mark.parametrize("storage", ["C", "csr_matrix"])
@pytest.mark.parametrize("precompute", ["auto", False], ids=["gram", "residual"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_lasso_cv_multitarget_is_per_target_fits_at_one_alpha(storage, precompute, weighted):
    """mse_path_ is the mean over targets of each target's path; coef_[j] is Lasso(alpha_) on target j."""
    X, Y = multi_data(45, 8, seed=6, density=0.6 if storage == "csr_matrix" else None)
    Xs = STORAGES[storage](X)
    sw = np.random.default_rng(6).random(45) * 2 if weighted else None
    cv = KFold(3, shuffle=True, random_state=1)
    ours = fastreg.LassoCV(alphas=8, cv=cv, tol=1e-12, precompute=precompute).fit(Xs, Y, sample_weight=sw)
    assert ours.coef_.shape == (3, 8) and ours.intercept_.shape == (3,)
    assert ours.dual_gap_.shape == (3,) and len(ours.n_iter_) == 3
    assert ours.mse_path_.shape == (8, 3) and ours.alphas_.shape == (8,)
    # the grid starts at the largest αmax of the targets (every coefficient of every target zero)
    tops = [fastreg.LassoCV(alphas=8, cv=cv).fit(Xs, Y[:, j], sample_weight=sw).alphas_[0] for j in range(3)]
    assert ours.alphas_[0] == pytest.approx(max(tops), rel=1e-12)
    singles = [
        fastreg.LassoCV(alphas=ours.alphas_, cv=cv, tol=1e-12, precompute=precompute).fit(Xs, Y[:, j], sample_weight=sw)
        for j in range(3)
    ]
    assert_allclose(ours.mse_path_, np.mean([s.mse_path_ for s in singles], axis=0), rtol=1e-9)
    best = np.argmin(ours.mse_path_.mean(axis=1))
    assert ours.alpha_ == ours.alphas_[best]
    ref = sk.Lasso(alpha=ours.alpha_, tol=1e-14, max_iter=100_000)
    for j in range(3):
        ref.fit(X, Y[:, j], sample_weight=sw)
        assert_allclose(ours.coef_[j], ref.coef_, atol=1e-8 * max(1.0, np.abs(ref.coef_).max()))
        assert ours.intercept_[j] == pytest.approx(ref.intercept_, abs=1e-8 * max(1.0, abs(ref.intercept_)))
    assert ours.predict(Xs).shape == Y.shape


def test_elasticnet_cv_multitarget_several_l1_ratios():
    X, Y = multi_data(50, 8, k=2, seed=7)
    ratios = [0.4, 0.9]
    ours = fastreg.ElasticNetCV(l1_ratio=ratios, alphas=6, cv=3, tol=1e-12).fit(X, Y)
    assert ours.mse_path_.shape == (2, 6, 3) and ours.alphas_.shape == (2, 6)
    alphas = ours.alphas_[0]  # given alphas: one grid for both ratios
    given = fastreg.ElasticNetCV(l1_ratio=ratios, alphas=alphas, cv=3, tol=1e-12).fit(X, Y)
    singles = [fastreg.ElasticNetCV(l1_ratio=ratios, alphas=alphas, cv=3, tol=1e-12).fit(X, Y[:, j]) for j in range(2)]
    assert_allclose(given.mse_path_, np.mean([s.mse_path_ for s in singles], axis=0), rtol=1e-9)
    ref = sk.ElasticNet(alpha=ours.alpha_, l1_ratio=ours.l1_ratio_, tol=1e-14, max_iter=100_000).fit(X, Y)
    assert_allclose(ours.coef_, ref.coef_, atol=1e-8 * np.abs(ref.coef_).max())


def test_lasso_cv_one_column_y_is_read_as_1d():
    X, Y = multi_data(40, 6, k=1, seed=8)
    ours = fastreg.LassoCV(alphas=6, cv=3).fit(X, Y)
    ref = sk.LassoCV(alphas=6, cv=3, tol=1e-10, max_iter=100_000)
    with pytest.warns(Warning):  # scikit-learn's DataConversionWarning
        ref.fit(X, Y)
    assert ours.coef_.shape == ref.coef_.shape == (6,)
    assert isinstance(ours.intercept_, float) and np.shape(ref.intercept_) == ()
    assert np.shape(ours.dual_gap_) == () and isinstance(ours.n_iter_, int)
    assert ours.alpha_ == pytest.approx(ref.alpha_, rel=1e-12)


def test_cv_multitarget_sparse_equals_dense():
    X, Y = multi_data(40, 10, seed=9, density=0.5)
    for make in (lambda: fastreg.LassoCV(alphas=6, cv=3, tol=1e-12), lambda: fastreg.RidgeCV(alphas=RIDGE_ALPHAS)):
        dense, sparse = make().fit(X, Y), make().fit(sp.csr_matrix(X), Y)
        assert_allclose(sparse.alpha_, dense.alpha_, rtol=1e-12)
        assert_allclose(sparse.coef_, dense.coef_, rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize(
    "make",
    [
        lambda: fastreg.RidgeCV(alphas=RIDGE_ALPHAS, alpha_per_target=True),
        lambda: fastreg.RidgeCV(alphas=RIDGE_ALPHAS),
        lambda: fastreg.LassoCV(alphas=6, cv=3),
        lambda: fastreg.ElasticNetCV(l1_ratio=[0.5, 0.9], alphas=6, cv=3),
    ],
    ids=["RidgeCV-per-target", "RidgeCV", "LassoCV", "ElasticNetCV"],
)
def test_cv_multitarget_models_round_trip(tmp_path, make):
    X, Y = multi_data(40, 6, seed=10)
    sw = np.random.default_rng(10).random(40) + 0.5
    model = make().fit(X, Y, sample_weight=sw)
    model.save(tmp_path / "m.npz")
    loaded = fastreg.load(tmp_path / "m.npz")
    assert type(loaded) is type(model)
    for attr in ("alpha_", "coef_", "intercept_", "best_score_", "mse_path_", "dual_gap_", "n_iter_"):
        if hasattr(model, attr):
            np.testing.assert_array_equal(np.asarray(getattr(loaded, attr)), np.asarray(getattr(model, attr)))
            assert np.shape(getattr(loaded, attr)) == np.shape(getattr(model, attr))
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
