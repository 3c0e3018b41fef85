"""Regularization paths against scikit-learn: the same α grid, the same optimum at every α."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn import linear_model as sk
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model._coordinate_descent import _alpha_grid

import fastreg


def enet_objective(X, y, coef, intercept, alpha, l1_ratio):
    X = X.toarray() if sp.issparse(X) else np.asarray(X, dtype=float)
    R = y - X @ coef - intercept
    return R @ R / (2 * len(y)) + alpha * l1_ratio * np.abs(coef).sum() + alpha * (1 - l1_ratio) / 2 * coef @ coef


def make_data(shape, seed=0, density=None, offset=1.5):
    n, p = shape
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    X[:, 1:] = 0.6 * X[:, 1:] + 0.4 * X[:, :-1]  # correlated neighbours
    if density is not None:
        X *= rng.random((n, p)) < density
    X += offset  # non-zero means: the intercept matters
    w = np.zeros(p)
    w[: max(3, p // 10)] = 2 * rng.standard_normal(max(3, p // 10))
    y = X @ w + 4.0 + 0.3 * rng.standard_normal(n)
    return X, y


def tight_sklearn(X, y, alpha, l1_ratio, fit_intercept=True, positive=False):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return sk.ElasticNet(
            alpha=alpha, l1_ratio=l1_ratio, tol=1e-13, max_iter=200_000, fit_intercept=fit_intercept,
            positive=positive,
        ).fit(X, y)


@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "csr"])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
@pytest.mark.parametrize("positive", [False, True])
def test_alpha_grid_is_sklearns(sparse, l1_ratio, positive):
    X, y = make_data((80, 25), density=0.4)
    Xs = sp.csr_matrix(X) if sparse else X
    alphas, coefs, _, *_ = fastreg.fit_path(Xs, y, l1_ratio=l1_ratio, alphas=7, eps=1e-2, positive=positive)
    expected = _alpha_grid(X, y, l1_ratio=l1_ratio, eps=1e-2, n_alphas=7, positive=positive)
    assert_allclose(alphas, expected, rtol=1e-12)
    assert np.all(coefs[:, 0] == 0)  # αmax: everything zero
    # ... and it is the smallest such α
    _, below, _, *_ = fastreg.fit_path(Xs, y, l1_ratio=l1_ratio, alphas=[alphas[0] * 0.99], positive=positive)
    assert np.count_nonzero(below) > 0


@pytest.mark.parametrize("shape", [(100, 20), (40, 70)], ids=["tall", "wide"])
@pytest.mark.parametrize("storage", ["C", "F", "csr", "csc"])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_path_objective_matches_tight_individual_fits(shape, storage, l1_ratio):
    X, y = make_data(shape, density=0.5, seed=1)
    Xs = {"C": np.ascontiguousarray, "F": np.asfortranarray, "csr": sp.csr_matrix, "csc": sp.csc_matrix}[storage](X)
    alphas, coefs, intercepts, *_ = fastreg.fit_path(Xs, y, l1_ratio=l1_ratio, alphas=12, eps=1e-2)
    assert coefs.shape == (shape[1], 12) and intercepts.shape == (12,)
    assert np.all(np.diff(alphas) < 0)
    for i, alpha in enumerate(alphas):
        ref = tight_sklearn(X, y, alpha, l1_ratio)
        ours = enet_objective(X, y, coefs[:, i], intercepts[i], alpha, l1_ratio)
        theirs = enet_objective(X, y, ref.coef_, ref.intercept_, alpha, l1_ratio)
        assert ours <= theirs * (1 + 1e-7), (i, ours, theirs)


@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "csr"])
def test_residual_engine_matches_gram_engine(sparse):
    X, y = make_data((60, 30), density=0.5, seed=2)
    Xs = sp.csr_matrix(X) if sparse else X
    a1, c1, b1, *_ = fastreg.fit_path(Xs, y, alphas=10, eps=1e-2, precompute=True)
    a2, c2, b2, *_ = fastreg.fit_path(Xs, y, alphas=10, eps=1e-2, precompute=False)
    assert_allclose(a1, a2, rtol=1e-12)
    for i, alpha in enumerate(a1):
        o1 = enet_objective(X, y, c1[:, i], b1[i], alpha, 1.0)
        o2 = enet_objective(X, y, c2[:, i], b2[i], alpha, 1.0)
        assert o1 == pytest.approx(o2, rel=1e-7)


def test_no_intercept_matches_sklearn_lasso_path():
    X, y = make_data((90, 15), seed=3, offset=0.0)
    alphas, coefs, intercepts, *_ = fastreg.fit_path(X, y, fit_intercept=False, alphas=8, eps=1e-2)
    ref_alphas, ref_coefs, _ = sk.lasso_path(X, y, alphas=alphas, tol=1e-12, max_iter=100_000)
    assert_array_equal(intercepts, 0.0)
    assert_allclose(coefs, ref_coefs, rtol=1e-5, atol=1e-7)
    expected = _alpha_grid(X, y, fit_intercept=False, eps=1e-2, n_alphas=8)
    assert_allclose(alphas, expected, rtol=1e-12)
    # scikit-learn's lasso_path is fastreg's lasso_path: same grid, coefficients and (tiny) gaps
    got_alphas, got_coefs, gaps = fastreg.lasso_path(X, y, alphas=8, eps=1e-2)
    assert_allclose(got_alphas, expected, rtol=1e-12)
    assert_allclose(got_coefs, ref_coefs, rtol=1e-5, atol=1e-7)
    assert gaps.shape == (8,) and np.all(gaps <= 1e-6 * (y @ y) / len(y))


def test_positive_path():
    X, y = make_data((80, 20), seed=4)
    alphas, coefs, intercepts, *_ = fastreg.fit_path(X, y, positive=True, alphas=6, eps=1e-2)
    assert np.all(coefs >= 0)
    for i, alpha in enumerate(alphas):
        ref = tight_sklearn(X, y, alpha, 1.0, positive=True)
        ours = enet_objective(X, y, coefs[:, i], intercepts[i], alpha, 1.0)
        theirs = enet_objective(X, y, ref.coef_, ref.intercept_, alpha, 1.0)
        assert ours <= theirs * (1 + 1e-7)


def test_given_alphas_are_sorted_and_float32_stays_float32():
    X, y = make_data((50, 10), seed=5)
    alphas, coefs, intercepts, gaps, n_iters = fastreg.fit_path(
        X.astype(np.float32), y, alphas=[0.01, 1.0, 0.1], 
    )
    assert_array_equal(alphas, [1.0, 0.1, 0.01])
    assert coefs.dtype == np.float32
    assert np.all(gaps <= 1e-8 * np.var(y) * 1.0000001)
    assert n_iters.shape == (3,)
    ref = tight_sklearn(X.astype(np.float32).astype(np.float64), y, 0.01, 1.0)
    assert_allclose(coefs[:, -1], ref.coef_, rtol=1e-4, atol=1e-5)


def test_matches_estimators_and_warm_start_coef_init():
    X, y = make_data((70, 12), seed=6)
    alphas, coefs, intercepts, *_ = fastreg.fit_path(X, y, l1_ratio=0.7, alphas=5)
    model = fastreg.ElasticNet(alpha=alphas[3], l1_ratio=0.7).fit(X, y)
    assert_allclose(coefs[:, 3], model.coef_, rtol=1e-5, atol=1e-6)
    assert intercepts[3] == pytest.approx(model.intercept_, rel=1e-6)
    _, again, _, *_ = fastreg.fit_path(X, y, l1_ratio=0.7, alphas=alphas[3:4], coef_init=coefs[:, 3])
    assert_allclose(again[:, 0], coefs[:, 3], rtol=1e-6, atol=1e-9)


def test_sparse_with_large_means_uses_an_accurate_engine():
    X, y = make_data((120, 15), seed=7, density=0.3, offset=0.0)
    X[X != 0] += 1e4  # |mean| ≫ spread: the implicitly centered Gram would lose digits
    alphas, coefs, intercepts, *_ = fastreg.fit_path(sp.csr_matrix(X), y, alphas=5, eps=1e-2)
    d_alphas, d_coefs, d_intercepts, *_ = fastreg.fit_path(X, y, alphas=5, eps=1e-2)
    assert_allclose(alphas, d_alphas, rtol=1e-9)
    for i, alpha in enumerate(alphas):
        o_sparse = enet_objective(X, y, coefs[:, i], intercepts[i], alpha, 1.0)
        o_dense = enet_objective(X, y, d_coefs[:, i], d_intercepts[i], alpha, 1.0)
        assert o_sparse == pytest.approx(o_dense, rel=1e-6)


def test_verbose_draws_a_progress_bar(capsys):
    X, y = make_data((40, 8), seed=8)
    fastreg.fit_path(X, y, alphas=4, verbose=True)
    err = capsys.readouterr().err
    assert "4/4" in err


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(l1_ratio=0.0), "l1_ratio=0"),
        (dict(l1_ratio=1.5), "l1_ratio"),
        (dict(alphas=[1.0, -1.0]), "alphas"),
        (dict(alphas=[]), "alphas"),
        (dict(eps=0.0), "eps"),
        (dict(alphas=0), "n_alphas"),
        (dict(tol=-1.0), "tol"),
        (dict(precompute="yes"), "precompute"),
        (dict(coef_init=np.zeros(3)), "coef_init"),
    ],
)
def test_bad_parameters_raise(kwargs, match):
    X, y = make_data((30, 6), seed=9)
    with pytest.raises(ValueError, match=match):
        fastreg.fit_path(X, y, **kwargs)


def test_bad_data_raises():
    X, y = make_data((30, 6), seed=9)
    X[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        fastreg.fit_path(X, y)
    with pytest.raises(ValueError):
        fastreg.fit_path(np.ones((5, 2)), np.ones(4))


@pytest.mark.parametrize("offset", [0.0, 0.3, 5.0], ids=["centered", "small-means", "large-means"])
def test_gram_with_and_without_centered_copy(offset):
    """Small means: XᵀX − n x̄x̄ᵀ straight from X; large means: a centered copy. Same Gram."""
    from fastreg.solvers.gram import GramProblem

    X, y = make_data((60, 8), seed=10, offset=offset)
    problem = GramProblem(X, y, True)
    Xc = X - X.mean(axis=0)
    assert_allclose(problem.G, Xc.T @ Xc, rtol=1e-12, atol=1e-12 * np.abs(Xc.T @ Xc).max())
    assert_allclose(problem.q, Xc.T @ (y - y.mean()), rtol=1e-11, atol=1e-11 * np.abs(y).max())


def test_own_progress_bar_without_tqdm(capsys, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "tqdm", None)
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    X, y = make_data((40, 8), seed=8)
    fastreg.fit_path(X, y, alphas=5, verbose=True)
    err = capsys.readouterr().err
    assert "path [" in err and "5/5" in err and err.endswith("\n")


def test_path_and_cv_read_duplicate_entries_as_summed_and_leave_them_alone():
    """A CSR with duplicate, unsorted entries means their sums (scipy's definition)."""
    X, y = make_data((80, 30), seed=21, density=0.3)
    A = sp.csr_matrix(X)
    data, indices, indptr = [], [], [0]
    for i in range(A.shape[0]):  # each entry stored as two halves, in reverse column order
        lo, hi = A.indptr[i], A.indptr[i + 1]
        cols, vals = A.indices[lo:hi][::-1], A.data[lo:hi][::-1] / 2
        indices += [*cols, *cols]
        data += [*vals, *vals]
        indptr.append(len(indices))
    dup = sp.csr_matrix((np.array(data), np.array(indices), np.array(indptr)), shape=A.shape)
    assert dup.nnz == 2 * A.nnz and not dup.has_canonical_format
    snapshot = (dup.data.copy(), dup.indices.copy(), dup.indptr.copy())
    ref = fastreg.fit_path(A, y, alphas=10)
    got = fastreg.fit_path(dup, y, alphas=10)
    for a, b in zip(got, ref):
        assert_allclose(a, b, rtol=1e-9, atol=1e-12)
    cv = fastreg.LassoCV(cv=3, alphas=8).fit(dup, y)
    assert cv.alpha_ == fastreg.LassoCV(cv=3, alphas=8).fit(A, y).alpha_
    for before, after in zip(snapshot, (dup.data, dup.indices, dup.indptr)):
        assert_array_equal(before, after)


@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "csr"])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_fold_grams_weighted_several_targets_equal_direct_statistics(sparse, fit_intercept):
    """A fold's problem from the full Gram == the weighted statistics of its rows, weights summing to n."""
    from fastreg.solvers.gram import FoldGrams

    X, _ = make_data((50, 6), seed=11, density=0.5 if sparse else None)
    rng = np.random.default_rng(11)
    Y = X @ rng.standard_normal((6, 2)) + rng.standard_normal((50, 2)) + [2.0, -1.0]
    sw = rng.random(50) * 3
    sw[:3] = 0.0
    test = np.arange(10, 20)
    train = np.setdiff1d(np.arange(50), test)
    folds = FoldGrams(sp.csr_matrix(X) if sparse else X, Y, fit_intercept, sw)
    s = sw[train] * (len(train) / sw[train].sum())
    x_mean = np.average(X[train], axis=0, weights=s) if fit_intercept else np.zeros(6)
    y_mean = np.average(Y[train], axis=0, weights=s) if fit_intercept else np.zeros(2)
    Xt = np.sqrt(s)[:, None] * (X[train] - x_mean)
    Yt = np.sqrt(s)[:, None] * (Y[train] - y_mean)
    for j, problem in enumerate(folds.fold(test)):
        assert problem.n == len(train)
        assert_allclose(problem.G, Xt.T @ Xt, rtol=1e-12, atol=1e-12 * np.abs(Xt.T @ Xt).max())
        assert_allclose(problem.q, Xt.T @ Yt[:, j], rtol=1e-11, atol=1e-11 * np.abs(Xt.T @ Yt[:, j]).max())
        assert problem.yy == pytest.approx(Yt[:, j] @ Yt[:, j], rel=1e-12)
        w = rng.standard_normal(6)
        assert problem.intercept(w) == pytest.approx(y_mean[j] - x_mean @ w if fit_intercept else 0.0, rel=1e-12)


@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "csr"])
def test_fold_grams_from_partition_blocks(sparse):
    """Test blocks that partition the rows: ZᵀZ summed from them, each fold reusing its block's Gram."""
    from fastreg.solvers.gram import FoldGrams

    X, y = make_data((60, 7), seed=12, density=0.5 if sparse else None)
    A = sp.csr_matrix(X) if sparse else X
    blocks = [np.arange(0, 20), np.arange(20, 40), np.array([45, 41, 59, 40, 50] + list(range(51, 59)) + [42, 43, 44, 46, 47, 48, 49])]
    plain = FoldGrams(A, y, True)
    parted = FoldGrams(A, y, True, blocks=blocks)
    assert parted._block_grams is not None
    assert_allclose(parted.ZtZ, plain.ZtZ, rtol=1e-12, atol=1e-12 * np.abs(plain.ZtZ).max())
    for k, test in enumerate(blocks):
        a, b = plain.fold(test)[0], parted.fold(test, block=k)[0]
        assert_allclose(b.G, a.G, rtol=1e-12, atol=1e-12 * np.abs(a.G).max())
        assert_allclose(b.q, a.q, rtol=1e-12, atol=1e-12 * np.abs(a.q).max())
        assert b.yy == pytest.approx(a.yy, rel=1e-12)
    overlapping = FoldGrams(A, y, True, blocks=[np.arange(0, 40), np.arange(30, 60)])
    assert overlapping._block_grams is None  # not a partition: the full Gram directly
    assert_allclose(overlapping.ZtZ, plain.ZtZ, rtol=1e-12)


def test_lassocv_shuffle_split_folds_match_sklearn():
    """Folds that do not partition the rows (ShuffleSplit) take the direct path, same alpha_."""
    from sklearn.model_selection import ShuffleSplit

    X, y = make_data((120, 10), seed=13)
    cv = ShuffleSplit(n_splits=4, test_size=0.3, random_state=0)
    ours = fastreg.LassoCV(cv=cv, alphas=20).fit(X, y)
    ref = sk.LassoCV(cv=cv, alphas=20, tol=1e-12, max_iter=100_000).fit(X, y)
    assert ours.alpha_ == pytest.approx(ref.alpha_, rel=1e-12)
    assert_allclose(ours.mse_path_, ref.mse_path_, rtol=1e-6)


@pytest.mark.parametrize("storage", ["dense", "csr"])
@pytest.mark.parametrize("positive", [False, True])
def test_near_interpolation_path_runs_lars_once_and_lands_on_its_path(monkeypatch, storage, positive):
    """n ≪ p down to αmax/10⁴: the homotopy start runs LARS once for the rest of the path.

    Every α below then starts from LARS's solution (exact between its kinks);
    each still stops on its own duality gap, at LARS's objective.
    """
    from sklearn.linear_model import lars_path

    from fastreg.solvers import cd, homotopy

    calls = []

    def counted(*args, **kwargs):
        calls.append(kwargs.get("alpha_min"))
        return lars_path(*args, **kwargs)

    monkeypatch.setattr(homotopy, "lars_path", counted)
    monkeypatch.setattr(fastreg.path, "path_uses_homotopy", lambda n, p, values: False)  # CD's own homotopy start
    # Fire the homotopy start at the first slow fit: when it fires on its own
    # depends on timing-free but data-dependent work counts.
    monkeypatch.setattr(cd, "_HOMOTOPY_AFTER", 0.01)
    monkeypatch.setattr(cd, "_STALL_MIN_EPOCHS", 5)
    rng = np.random.default_rng(7)
    n, p = 60, 600
    X = rng.standard_normal((n, p)) + 1.0
    if storage == "csr":
        X *= rng.random((n, p)) < 0.3
    y = X[:, :10] @ rng.standard_normal(10) + 0.5 * rng.standard_normal(n)
    Xs = sp.csr_matrix(X) if storage == "csr" else X
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        alphas, coefs, intercepts, *_ = fastreg.fit_path(
            Xs, y, alphas=30, eps=1e-4, positive=positive, precompute=False  # the residual solver
        )
    assert len(calls) == 1  # once for the whole path, down to its last α
    assert calls[0] == pytest.approx(alphas[-1], rel=1e-12)
    x_mean, y_mean = X.mean(0), y.mean()
    lars_alphas, _, lars_coefs = lars_path(
        X - x_mean, y - y_mean, method="lasso", positive=positive, alpha_min=alphas[-1], max_iter=20 * n
    )
    for i, alpha in enumerate(alphas):
        j = int(np.searchsorted(-lars_alphas, -alpha))  # LARS is linear in α between its kinks
        t = 0.0 if j == 0 else (lars_alphas[j - 1] - alpha) / (lars_alphas[j - 1] - lars_alphas[j])
        exact = lars_coefs[:, j] if j == 0 else (1 - t) * lars_coefs[:, j - 1] + t * lars_coefs[:, j]
        theirs = enet_objective(X, y, exact, y_mean - x_mean @ exact, alpha, 1.0)
        ours = enet_objective(X, y, coefs[:, i], intercepts[i], alpha, 1.0)
        assert abs(ours - theirs) <= 1e-12 * theirs


def test_near_interpolation_path_falls_back_to_each_fits_own_lars(monkeypatch):
    """Should the path's LARS fail, each slow fit still runs LARS of its own, to its own α."""
    from sklearn.linear_model import lars_path

    from fastreg.solvers import cd, homotopy

    calls = []

    def failing_path(*args, **kwargs):
        calls.append((kwargs.get("alpha_min"), kwargs.get("return_path")))
        if kwargs.get("return_path"):
            raise ValueError("LARS failed")  # as _lars catches it
        return lars_path(*args, **kwargs)

    monkeypatch.setattr(homotopy, "lars_path", failing_path)
    monkeypatch.setattr(fastreg.path, "path_uses_homotopy", lambda n, p, values: False)  # CD's own homotopy start
    monkeypatch.setattr(cd, "_HOMOTOPY_AFTER", 0.01)
    monkeypatch.setattr(cd, "_STALL_MIN_EPOCHS", 5)
    rng = np.random.default_rng(7)
    n, p = 60, 600
    X = rng.standard_normal((n, p)) + 1.0
    y = X[:, :10] @ rng.standard_normal(10) + 0.5 * rng.standard_normal(n)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        alphas, coefs, intercepts, *_ = fastreg.fit_path(X, y, alphas=30, eps=1e-4, precompute=False)
    assert [path for _, path in calls].count(True) == 1  # tried once for the path
    own = [a for a, path in calls if not path]
    assert own and all(any(a == pytest.approx(alpha, rel=1e-12) for alpha in alphas) for a in own)
    x_mean, y_mean = X.mean(0), y.mean()
    for i in [-3, -2, -1]:
        exact = lars_path(X - x_mean, y - y_mean, method="lasso", alpha_min=alphas[i], max_iter=20 * n, return_path=False)[2]
        theirs = enet_objective(X, y, exact, y_mean - x_mean @ exact, alphas[i], 1.0)
        ours = enet_objective(X, y, coefs[:, i], intercepts[i], alphas[i], 1.0)
        assert abs(ours - theirs) <= 1e-12 * theirs


def _tall_path_data(seed=4):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((300, 40)) + 0.5 * rng.standard_normal((300, 1)) + 1.0
    y = X[:, :6] @ rng.standard_normal(6) + 0.4 * rng.standard_normal(300)
    return X, y


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
@pytest.mark.parametrize("extra", [{}, {"penalty_factor": np.r_[0.0, 0.0, np.ones(38)]},
                                   {"positive": True}, {"selection": "random"}])
def test_gram_path_loop_in_numba_is_the_alpha_by_alpha_path(monkeypatch, l1_ratio, extra):
    """The Gram engine's α loop in one kernel lands where the α-by-α loop does, at every α."""
    import fastreg.path as path_module

    X, y = _tall_path_data()
    seed = {"seed": 3} if extra.get("selection") == "random" else {}
    kwargs = {k: v for k, v in extra.items() if k != "selection"}
    engine = path_module.PathEngine(X, y, True, True)
    alphas = path_module.alpha_grid(X, y, l1_ratio=l1_ratio, n_alphas=40, positive=kwargs.get("positive", False))
    penalty = fastreg.penalty.make_penalty(X.shape[1], penalty_factor=kwargs.get("penalty_factor"),
                                           positive=kwargs.get("positive", False))
    ours = path_module.run_path(engine, alphas, l1_ratio, 1e-8, 10_000, penalty, None, seed=seed.get("seed", -1))
    points = engine.ahead(alphas, l1_ratio, 1e-8, 10_000, penalty, None, seed=seed.get("seed", -1))
    if "penalty_factor" in kwargs and l1_ratio < 1:
        assert points is None  # free unpenalized features under an ElasticNet penalty: α by α
    else:
        assert points.done.all() and np.all(ours[3] == points.n_iters)
    monkeypatch.setattr(engine, "ahead", lambda *args, **kw: None)
    alone = path_module.run_path(engine, alphas, l1_ratio, 1e-8, 10_000, penalty, None, seed=seed.get("seed", -1))
    f = kwargs.get("penalty_factor", np.ones(X.shape[1]))
    for i, alpha in enumerate(alphas):
        def obj(w, b, alpha=alpha):
            r = y - X @ w - b
            return r @ r / (2 * len(y)) + alpha * (l1_ratio * np.sum(f * np.abs(w))
                                                   + 0.5 * (1 - l1_ratio) * np.sum(f * w * w))
        a, b = obj(ours[0][:, i], ours[1][i]), obj(alone[0][:, i], alone[1][i])
        assert abs(a - b) <= 1e-9 * b, i


def test_gram_path_loop_hands_a_slow_alpha_to_the_full_solver(monkeypatch):
    """An α the kernel does not finish in its first round goes to enet_gram_cd (homotopy start, Newton steps)."""
    import fastreg.path as path_module
    from fastreg.solvers import gram_cd

    X, y = _tall_path_data()
    monkeypatch.setattr(gram_cd, "_HOMOTOPY_AFTER_EPOCHS", 4)
    engine = path_module.PathEngine(X, y, True, True)
    alphas = path_module.alpha_grid(X, y, n_alphas=30, eps=1e-4)
    penalty = fastreg.penalty.make_penalty(X.shape[1])
    points = engine.ahead(alphas, 1.0, 1e-10, 10_000, penalty, None)
    assert 0 < points.done.sum() < alphas.shape[0] and np.all(np.diff(points.done.astype(int)) <= 0)
    coefs, intercepts, gaps, n_iters, unconverged = path_module.run_path(engine, alphas, 1.0, 1e-10, 10_000,
                                                                         penalty, None)
    assert unconverged == 0
    X_c, y_c = X - X.mean(0), y - y.mean()
    for i in range(alphas.shape[0]):
        ref = sk.Lasso(alpha=alphas[i], tol=1e-14, max_iter=1_000_000).fit(X, y)
        assert enet_objective(X, y, coefs[:, i], intercepts[i], alphas[i], 1.0) <= enet_objective(
            X, y, ref.coef_, ref.intercept_, alphas[i], 1.0) * (1 + 1e-10)
    assert np.all(gaps * len(y) <= 1e-10 * (y_c @ y_c))
