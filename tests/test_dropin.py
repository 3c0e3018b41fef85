"""Drop-in behaviour against scikit-learn: positive, warm_start, copy_X, DataFrames, meta-estimators."""

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn import linear_model as sk
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import fastreg
from fastreg.solvers.cd import _GAP_EVERY


def make_data(n=60, p=12, seed=0, density=0.6):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n + 20, p)) * (rng.random((n + 20, p)) < density) + 0.5
    w = rng.standard_normal(p)  # mixed signs: positive=True must clip some
    y = X @ w + 2.0 + 0.2 * rng.standard_normal(n + 20)
    return X[:n], y[:n], X[n:]


def ridge_objective(X, y, sw, coef, intercept, alpha):
    r = y - X @ coef - intercept
    return sw @ (r * r) + alpha * coef @ coef


@pytest.mark.parametrize("storage", ["dense", "csr"])
@pytest.mark.parametrize("weighted", [False, True])
def test_positive_matches_sklearn(storage, weighted):
    X, y, X_new = make_data(seed=1)
    sw = np.random.default_rng(1).random(len(y)) * 2 if weighted else None
    A = sp.csr_matrix(X) if storage == "csr" else X
    pairs = [
        (fastreg.Lasso(alpha=0.01, positive=True, tol=1e-12),
         sk.Lasso(alpha=0.01, positive=True, tol=1e-14, max_iter=200_000)),
        (fastreg.ElasticNet(alpha=0.02, l1_ratio=0.5, positive=True, tol=1e-12),
         sk.ElasticNet(alpha=0.02, l1_ratio=0.5, positive=True, tol=1e-14, max_iter=200_000)),
        (fastreg.LinearRegression(positive=True), sk.LinearRegression(positive=True)),
    ]
    for ours, ref in pairs:
        ours.fit(A, y, sample_weight=sw)
        ref.fit(X, y, sample_weight=sw)
        assert np.all(ours.coef_ >= 0) and np.any(ours.coef_ == 0)
        assert_allclose(ours.coef_, ref.coef_, rtol=1e-6, atol=1e-7)
        assert_allclose(ours.predict(X_new), ref.predict(X_new), rtol=1e-6, atol=1e-6)
    # Ridge: scikit-learn's L-BFGS-B is approximate; ours is exact on dense X (NNLS)
    ours = fastreg.Ridge(alpha=3.0, positive=True).fit(A, y, sample_weight=sw)
    ref = sk.Ridge(alpha=3.0, positive=True, tol=1e-12, max_iter=100_000).fit(X, y, sample_weight=sw)
    assert np.all(ours.coef_ >= 0) and np.any(ours.coef_ == 0)
    s = np.ones(len(y)) if sw is None else sw
    f_ours = ridge_objective(X, y, s, ours.coef_, ours.intercept_, 3.0)
    f_ref = ridge_objective(X, y, s, ref.coef_, ref.intercept_, 3.0)
    assert f_ours <= f_ref * (1 + 1e-10)
    assert_allclose(ours.coef_, ref.coef_, rtol=1e-4, atol=1e-5)
    assert_allclose(ours.predict(X_new), ref.predict(X_new), rtol=1e-5)


def test_positive_ridge_sparse_agrees_with_exact_dense():
    X, y, _ = make_data(seed=2)
    dense = fastreg.Ridge(alpha=1.0, positive=True).fit(X, y)
    sparse = fastreg.Ridge(alpha=1.0, positive=True).fit(sp.csr_matrix(X), y)
    assert_array_equal(dense.coef_ == 0, sparse.coef_ == 0)
    assert_allclose(sparse.coef_, dense.coef_, rtol=1e-6, atol=1e-8)
    with pytest.raises(ValueError, match="solver='cg' does not support positive fitting"):
        fastreg.Ridge(positive=True, solver="cg").fit(X, y)


@pytest.mark.parametrize("storage", ["dense", "csc"])
@pytest.mark.parametrize("solver", ["cd", "gram"])
def test_warm_start_matches_sklearn(storage, solver):
    X, y, _ = make_data(80, 30, seed=3)
    A = sp.csc_matrix(X) if storage == "csc" else X
    for cls, skcls, kw in ((fastreg.Lasso, sk.Lasso, {}), (fastreg.ElasticNet, sk.ElasticNet, {"l1_ratio": 0.7})):
        kw_ours = dict(kw, solver=solver)
        warm = cls(alpha=0.1, warm_start=True, **kw_ours).fit(A, y)
        ref = skcls(alpha=0.02, warm_start=True, tol=1e-14, max_iter=200_000, **kw).fit(X, y)
        cold_iter = cls(alpha=0.02, **kw_ours).fit(A, y).n_iter_
        warm.set_params(alpha=0.02).fit(A, y)  # continues from the alpha=0.1 solution
        ref.set_params(alpha=0.02).fit(X, y)
        if solver == "cd":  # (the Gram's plain cyclic CD has no extrapolation: no such guarantee)
            # epochs are counted up to the next gap check (every _GAP_EVERY): rounding in the
            # last bit of the column means can move a fit across one check
            assert warm.n_iter_ <= cold_iter + _GAP_EVERY
        assert_allclose(warm.coef_, ref.coef_, rtol=1e-6, atol=1e-8)
        refit = warm.n_iter_
        warm.fit(A, y)  # already at the optimum
        assert warm.n_iter_ <= refit


def test_copy_X():
    X, y, _ = make_data(seed=4)
    XF = np.asfortranarray(X)
    saved = XF.copy()
    ref = fastreg.Lasso(alpha=0.01, solver="cd").fit(XF, y)
    assert_array_equal(XF, saved)  # copy_X=True (default): untouched
    nocopy = fastreg.Lasso(alpha=0.01, copy_X=False).fit(XF, y)  # "auto" takes "cd" here
    assert_array_equal(nocopy.coef_, ref.coef_)  # F-ordered X is read as it is either way
    assert_array_equal(XF, saved)  # centered on the fly: never written
    sw = np.random.default_rng(0).uniform(0.5, 2.0, len(y))
    ref = fastreg.Lasso(alpha=0.01).fit(XF, y, sample_weight=sw)
    assert_array_equal(XF, saved)
    inplace = fastreg.Lasso(alpha=0.01, copy_X=False).fit(XF, y, sample_weight=sw)
    assert_allclose(inplace.coef_, ref.coef_, rtol=1e-10, atol=1e-12)
    assert_allclose(inplace.intercept_, ref.intercept_, rtol=1e-10)
    assert not np.array_equal(XF, saved)  # weighted, copy_X=False: X became the centered, scaled copy
    Xc = X.copy()
    fastreg.Ridge(copy_X=False).fit(Xc, y)
    assert_array_equal(Xc, X)  # never overwritten by Ridge
    Xc = X.copy()
    fastreg.LinearRegression(copy_X=False).fit(Xc, y)
    assert not np.array_equal(Xc, X)  # LinearRegression centers float64 X in place, as scikit-learn


def test_feature_names_in_from_dataframe():
    pd = pytest.importorskip("pandas")
    X, y, X_new = make_data(seed=5)
    names = [f"f{j}" for j in range(X.shape[1])]
    df = pd.DataFrame(X, columns=names)
    for est, ref in ((fastreg.Lasso(alpha=0.01), sk.Lasso(alpha=0.01)), (fastreg.Ridge(), sk.Ridge()),
                     (fastreg.LinearRegression(), sk.LinearRegression()), (fastreg.ElasticNet(), sk.ElasticNet())):
        est.fit(df, pd.Series(y))
        ref.fit(df, y)
        assert_array_equal(est.feature_names_in_, ref.feature_names_in_)
        est.predict(pd.DataFrame(X_new, columns=names))
        with pytest.warns(UserWarning, match="feature names"):
            est.predict(X_new)
    assert not hasattr(fastreg.Lasso().fit(X, y), "feature_names_in_")


def test_clone_pipeline_gridsearch_cross_val_score():
    X, y, _ = make_data(80, 10, seed=6)
    ours = fastreg.Lasso(alpha=0.05)
    copy = clone(ours)
    assert copy.get_params() == ours.get_params() and copy is not ours
    cv = KFold(4, shuffle=True, random_state=0)
    pipe = make_pipeline(StandardScaler(), fastreg.Lasso(tol=1e-12))
    ref_pipe = make_pipeline(StandardScaler(), sk.Lasso(tol=1e-14, max_iter=100_000))
    grid = {"lasso__alpha": [0.001, 0.01, 0.1, 1.0]}
    gs = GridSearchCV(pipe, grid, cv=cv).fit(X, y)
    ref = GridSearchCV(ref_pipe, grid, cv=cv).fit(X, y)
    assert gs.best_params_ == ref.best_params_
    assert_allclose(gs.cv_results_["mean_test_score"], ref.cv_results_["mean_test_score"], rtol=1e-6)
    for est, skest in ((fastreg.Ridge(alpha=2.0), sk.Ridge(alpha=2.0)),
                       (fastreg.ElasticNet(alpha=0.05), sk.ElasticNet(alpha=0.05, tol=1e-12, max_iter=100_000)),
                       (fastreg.LinearRegression(), sk.LinearRegression())):
        assert_allclose(cross_val_score(est, X, y, cv=cv), cross_val_score(skest, X, y, cv=cv), rtol=1e-6)
    # sample_weight routed through a pipeline's fit params
    pw = make_pipeline(StandardScaler(), fastreg.Ridge()).fit(X, y, ridge__sample_weight=np.arange(80.0) + 1)
    rw = make_pipeline(StandardScaler(), sk.Ridge()).fit(X, y, ridge__sample_weight=np.arange(80.0) + 1)
    assert_allclose(pw.predict(X), rw.predict(X), rtol=1e-9)
