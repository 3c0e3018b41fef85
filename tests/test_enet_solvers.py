"""The Lasso/ElasticNet solvers besides "cd": "gram" and "fista" (exact), "gd" (the seed's loop, approximate)."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn import linear_model as sk
from sklearn.exceptions import ConvergenceWarning

import fastreg
from fastreg.penalty import Penalty
from fastreg import reference

from helpers import STORAGES
from test_linear_model import alpha_max, enet_objective, make_data


@pytest.mark.parametrize("storage", ["C", "F", "csr_matrix", "csc_matrix", "coo_array"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("shape", [(120, 30), (40, 150)], ids=["tall", "wide"])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5, 0.0])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_fista_objective_matches_sklearn(storage, dtype, shape, l1_ratio, fit_intercept):
    X, y = make_data(shape, density=0.5, seed=11)
    alpha = 0.05 * alpha_max(X, y, max(l1_ratio, 0.1))
    Xs = STORAGES[storage](X.astype(dtype))
    Xd = X.astype(dtype).astype(np.float64)
    model = fastreg.ElasticNet(
        alpha=alpha, l1_ratio=l1_ratio, solver="fista", fit_intercept=fit_intercept, tol=1e-12, max_iter=100_000
    )
    model.fit(Xs, y)
    ref = sk.ElasticNet(alpha=alpha, l1_ratio=l1_ratio, fit_intercept=fit_intercept, tol=1e-15, max_iter=500_000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # scikit-learn at tol 1e-15
        ref.fit(Xd, y)
    ours = enet_objective(Xd, y, model.coef_.astype(float), model.intercept_, alpha, l1_ratio)
    theirs = enet_objective(Xd, y, ref.coef_, ref.intercept_, alpha, l1_ratio)
    assert ours <= theirs * (1 + 1e-9)
    assert model.coef_.dtype == dtype
    y_scale = np.var(y) if fit_intercept else np.mean(y**2)
    assert model.dual_gap_ <= 1e-12 * y_scale
    if not fit_intercept:
        assert model.intercept_ == 0.0


def test_fista_exact_zeros_same_support_as_cd_and_large_means():
    X, y = make_data((200, 60), seed=1)
    X[:, :5] += 50.0  # large column means: the eliminated intercept keeps FISTA well conditioned
    alpha = 0.05 * alpha_max(X, y)
    fista = fastreg.Lasso(alpha=alpha, solver="fista").fit(X, y)
    cd = fastreg.Lasso(alpha=alpha, solver="cd", tol=1e-13).fit(X, y)
    assert np.count_nonzero(fista.coef_ == 0.0) > 20
    assert_array_equal(fista.coef_ != 0, cd.coef_ != 0)
    assert_allclose(fista.coef_, cd.coef_, rtol=1e-6, atol=1e-8)
    assert_allclose(fista.intercept_, cd.intercept_, rtol=1e-8)


def test_fista_positive_and_warm_start():
    X, y = make_data((100, 40), seed=4)
    alpha = 0.02 * alpha_max(X, y)
    model = fastreg.Lasso(alpha=alpha, solver="fista", positive=True).fit(X, y)
    ref = sk.Lasso(alpha=alpha, positive=True, tol=1e-15, max_iter=200_000).fit(X, y)
    assert np.all(model.coef_ >= 0)
    assert_allclose(model.coef_, ref.coef_, atol=1e-6)
    warm = fastreg.Lasso(alpha=alpha, solver="fista", warm_start=True).fit(X, y)
    first = warm.n_iter_
    warm.fit(X, y)
    assert warm.n_iter_ < first


def test_fista_max_iter_warns():
    X, y = make_data((40, 150), seed=5)
    with pytest.warns(ConvergenceWarning, match="solver='fista'.*iterations"):
        model = fastreg.Lasso(alpha=1e-4 * alpha_max(X, y), solver="fista", max_iter=5).fit(X, y)
    assert model.n_iter_ == 5
    assert model.dual_gap_ > 0


@pytest.mark.parametrize("storage", ["C", "F", "csr_matrix"])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_gd_lasso_is_the_seed_loop(storage, fit_intercept):
    """solver="gd" runs the seed's L1 loop (λ = nα, step 1/L): equal to gradient_descent."""
    X, y = make_data((80, 12), seed=3, density=0.6)
    alpha = 0.1 * alpha_max(X, y)
    with pytest.warns(ConvergenceWarning):  # sign steps never close the gap
        model = fastreg.Lasso(alpha=alpha, solver="gd", max_iter=300, fit_intercept=fit_intercept)
        model.fit(STORAGES[storage](X), y)
    assert model.n_iter_ == 300
    assert np.count_nonzero(model.coef_) == X.shape[1]  # no exact zeros: documented
    if fit_intercept:
        theta = fastreg.gradient_descent(X, y, penalty="l1", lambda_=80 * alpha, learning_rate="auto", iterations=300)
        assert_allclose(model.coef_, theta[1:], rtol=1e-10, atol=1e-12)
        assert_allclose(model.intercept_, theta[0], rtol=1e-10)
        lr = 1.0 / np.linalg.eigvalsh(np.c_[np.ones(80), X].T @ np.c_[np.ones(80), X] / 80).max()
        ref = reference.lasso_gradient_descent(X, y, lambda_=80 * alpha, learning_rate=lr, iterations=300)
        assert_allclose(model.coef_, ref[1:], rtol=1e-4, atol=1e-5)  # lr from power iteration, 1e-6 off
    else:
        assert model.intercept_ == 0.0
    # given enough steps it hovers near the Lasso optimum, never on it
    with pytest.warns(ConvergenceWarning):
        long = fastreg.Lasso(alpha=alpha, solver="gd", max_iter=20_000, fit_intercept=fit_intercept).fit(X, y)
    exact = fastreg.Lasso(alpha=alpha, fit_intercept=fit_intercept).fit(X, y)
    objective = [enet_objective(X, y, m.coef_, m.intercept_, alpha, 1.0) for m in (long, exact)]
    assert objective[1] < objective[0] < objective[1] * 1.01
    assert np.count_nonzero(long.coef_) == X.shape[1]


@pytest.mark.parametrize("storage", ["C", "csr_matrix"])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_gd_ridge_and_l2_elasticnet_reach_the_optimum(storage, fit_intercept):
    X, y = make_data((90, 15), seed=8, correlated=False)
    X = X - X.mean(axis=0) + 0.2  # the seed's loop over [1, X] is slow when column means are large
    Xs = STORAGES[storage](X)
    ref = sk.Ridge(alpha=5.0, fit_intercept=fit_intercept).fit(X, y)
    model = fastreg.Ridge(alpha=5.0, solver="gd", fit_intercept=fit_intercept).fit(Xs, y)
    assert_allclose(model.coef_, ref.coef_, rtol=1e-7, atol=1e-9)
    assert_allclose(model.intercept_, ref.intercept_, rtol=1e-7, atol=1e-9)
    assert 1 <= model.n_iter_ < 100_000
    enet = fastreg.ElasticNet(alpha=0.1, l1_ratio=0.0, solver="gd", fit_intercept=fit_intercept).fit(Xs, y)
    ref = sk.ElasticNet(alpha=0.1, l1_ratio=0.0, fit_intercept=fit_intercept, tol=1e-15, max_iter=100_000).fit(X, y)
    assert_allclose(enet.coef_, ref.coef_, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("solver", ["cd", "gram", "fista"])
def test_ridge_like_elasticnet_converges_on_its_own_gap(solver):
    """l1_ratio=0 has no L1 term: the gap is Ridge's own (scikit-learn's formulation B)."""
    X, y = make_data((100, 20), seed=9)
    model = fastreg.ElasticNet(alpha=0.3, l1_ratio=0.0, solver=solver).fit(X, y)
    ref = sk.ElasticNet(alpha=0.3, l1_ratio=0.0, tol=1e-15, max_iter=100_000).fit(X, y)
    assert model.dual_gap_ <= 1e-9 * np.var(y)
    assert model.n_iter_ < 1000
    objective = [enet_objective(X, y, m.coef_, m.intercept_, 0.3, 0.0) for m in (model, ref)]
    assert objective[0] <= objective[1] * (1 + 1e-9)
    assert_allclose(model.coef_, ref.coef_, rtol=1e-3, atol=1e-5)  # a gap of 1e-9 pins w to ~1e-4


@pytest.mark.parametrize(
    "params, pattern",
    [
        (dict(solver="newton"), "solver must be one of"),
        (dict(solver="gd", l1_ratio=0.5), "l1_ratio 1 or 0"),
        (dict(solver="gd", l1_ratio=1.0, positive=True), "positive"),
    ],
)
def test_solver_parameter_errors(params, pattern):
    X, y = make_data((30, 5))
    with pytest.raises(ValueError, match=pattern):
        fastreg.ElasticNet(alpha=0.1, **params).fit(X, y)
    with pytest.raises(ValueError, match="solver must be"):
        fastreg.Ridge(solver="fista").fit(X, y)


@pytest.mark.parametrize("l1_ratio", [1.0, 0.7])
@pytest.mark.parametrize("positive", [False, True])
def test_gap_safe_screening_never_discards_the_support(l1_ratio, positive):
    """Every feature screened out at any iterate is zero in a tight scikit-learn solution."""
    from fastreg.solvers import cd

    X, y = make_data((60, 400), seed=12)
    alpha = 0.1 * alpha_max(X, y, l1_ratio)
    ref = sk.ElasticNet(alpha=alpha, l1_ratio=l1_ratio, positive=positive, tol=1e-15, max_iter=500_000).fit(X, y)
    Xc, yc = X - X.mean(0), y - y.mean()
    n = len(y)
    l1, l2 = n * alpha * l1_ratio, n * alpha * (1 - l1_ratio)
    norms = (Xc**2).sum(0)
    rng = np.random.default_rng(0)
    screened_any = False
    for scale in (0.0, 0.5, 0.999, 1.0):  # iterates from zero to the optimum, the far ones perturbed
        w = scale * ref.coef_ * (1 + 0.05 * rng.standard_normal(X.shape[1]) * (scale < 0.9))
        R = yc - Xc @ w
        XtR = Xc.T @ R
        penalty = Penalty.uniform_of(X.shape[1], positive)
        every = np.arange(X.shape[1])
        gap = penalty.gap(R @ R, R @ yc, XtR, w, l1, l2, norms)
        keep = penalty.safe_keep(XtR, w, norms, l1, l2, gap, every)
        assert np.all(ref.coef_[~keep] == 0.0)
        screened_any |= not keep.all()
    assert screened_any


def test_screening_keeps_the_answer_on_wide_data():
    X, y = make_data((50, 2000), seed=13, correlated=False)
    alpha = 0.2 * alpha_max(X, y)
    model = fastreg.Lasso(alpha=alpha).fit(X, y)
    ref = sk.Lasso(alpha=alpha, tol=1e-15, max_iter=500_000).fit(X, y)
    ours = enet_objective(X, y, model.coef_, model.intercept_, alpha, 1.0)
    theirs = enet_objective(X, y, ref.coef_, ref.intercept_, alpha, 1.0)
    assert ours <= theirs * (1 + 1e-9)
    assert_array_equal(model.coef_ != 0, ref.coef_ != 0)


def test_working_set_holds_the_support_and_twice_the_violators_at_most():
    """Twice the support, capped at the support plus two features per violator (at least WS_START)."""
    from fastreg.kernels.cd import working_set
    from fastreg.solvers import cd

    def select(violation, w, norms):  # as screen_and_select calls it, with the solver's constants
        return working_set(violation, w, norms, cd.WS_START, 0, cd.WS_PER_VIOLATOR)

    p, l1 = 1000, 1.0
    norms = np.ones(p)
    w = np.zeros(p)
    w[:300] = 1.0  # support of 300
    XtR = np.full(p, 0.5)  # zero coefficients well inside |x_jᵀR| <= l1
    XtR[:300] = l1
    assert_array_equal(select(Penalty.uniform_of(p).violation(XtR, w, l1, 0.0, np.arange(p)), w, norms), np.arange(300))  # no violator
    XtR[[500, 700, 900]] = [1.5, 2.0, -3.0]  # three violators: all of them, and the next three by score
    ws = select(Penalty.uniform_of(p).violation(XtR, w, l1, 0.0, np.arange(p)), w, norms)
    assert ws.shape[0] == 306 and {500, 700, 900} <= set(ws.tolist()) and set(range(300)) <= set(ws.tolist())
    XtR[300:] = 1.0 + np.linspace(0.1, 1.0, 700)  # every zero coefficient violates: twice the support
    ws = select(Penalty.uniform_of(p).violation(XtR, w, l1, 0.0, np.arange(p)), w, norms)
    assert_array_equal(ws, np.r_[np.arange(300), np.arange(700, 1000)])  # the support and the worst 300
    w[:] = 0.0
    w[:10] = 1.0  # a small support: still WS_START features
    assert select(Penalty.uniform_of(p).violation(XtR, w, l1, 0.0, np.arange(p)), w, norms).shape[0] == cd.WS_START


@pytest.mark.parametrize("general", [False, True])
def test_screen_and_select_is_safe_keep_then_the_working_set(general):
    """kernels.cd.screen_and_select against Penalty.safe_keep, Penalty.violation and working_set in turn."""
    from fastreg.kernels.cd import screen_and_select, working_set
    from fastreg.solvers import cd

    rng = np.random.default_rng(9)
    p = 3000
    norms = rng.uniform(0.5, 2.0, p)
    penalty = (Penalty(rng.uniform(0.5, 2.0, p), rng.uniform(0.5, 2.0, p), np.full(p, -1.0), np.full(p, np.inf))
               if general else Penalty.uniform_of(p))
    active = np.sort(rng.choice(np.arange(p), 2000, replace=False)).astype(np.int64)
    w_all = np.zeros(p)
    w_all[active[:150]] = rng.uniform(-0.5, 1.0, 150)
    w = w_all[active]
    l1, l2 = 1.0, 0.3
    XtR = rng.uniform(-1.4, 1.4, active.shape[0])  # some violators, most features well inside
    norms[active[-1]] = 0.0  # an all-zero column, violating: never in a working set
    XtR[-1] = 1.3
    gap = 0.02
    for estimate in (False, True):
        keep = penalty.safe_keep(XtR, w, norms[active], l1, l2, gap, active) if not estimate else np.ones(w.shape[0], bool)
        assert estimate or 0 < np.count_nonzero(~keep) < keep.shape[0]  # screening removes some, not all
        kept, x, wk = active[keep], XtR[keep], w[keep]
        expected = kept[working_set(penalty.violation(x, wk, l1, l2, kept), wk, norms[kept], cd.WS_START, 0,
                                    cd.WS_PER_VIOLATOR)]
        # the previous working set: the support and half of the kept violators
        violation = penalty.violation(x, wk, l1, l2, kept)
        violators = kept[(violation > 0) & (wk == 0) & (norms[kept] > 0)]
        assert violators.size > 20
        prev = np.zeros(p, dtype=bool)
        prev[active[:150]] = True
        prev[violators[::2]] = True
        got_active, got_ws, n_support, outside = screen_and_select(
            XtR, w, active, norms, l1, l2, gap, penalty.pen, estimate, cd.WS_START, 0, cd.WS_PER_VIOLATOR, prev
        )
        assert_array_equal(got_active, kept)
        assert_array_equal(got_ws, expected)
        assert n_support == 150 and set(active[:150].tolist()) <= set(got_ws.tolist())
        assert active[-1] not in got_ws
        assert outside == violators[1::2].size  # the violators outside prev
        prev[violators] = True
        assert screen_and_select(XtR, w, active, norms, l1, l2, gap, penalty.pen, estimate, cd.WS_START, 0,
                                 cd.WS_PER_VIOLATOR, prev)[3] == 0


@pytest.mark.parametrize("n", [60, 4_100])  # the plain and the prefetched epoch
@pytest.mark.parametrize("bounded", [False, True])
def test_compiled_epoch_blocks_match_the_stepwise_loop(n, bounded):
    """cd_run_dense (epochs, Anderson's extrapolation kept if lower, the gap) against the Python loop it replaces."""
    from fastreg.solvers import cd

    rng = np.random.default_rng(8)
    p = 40
    X = rng.standard_normal((n, p)) + 0.9 * rng.standard_normal((n, 1))  # correlated: extrapolation pays
    y = X[:, :6] @ rng.standard_normal(6) + 0.1 * rng.standard_normal(n)
    y_c = y - y.mean()
    op = cd._Dense(X, True)
    l1 = 0.02 * np.max(np.abs(op.correlations((y_c,), None, np.arange(p))[1]))
    l2 = 0.1 * n
    ws = np.arange(0, p, 2, dtype=np.int64)
    penalty = Penalty.uniform_of(p)
    if bounded:  # a box inside the unbounded optimum's range: Anderson's points leave it and are clipped
        w = np.zeros(p)
        state = op.state(y_c, w)
        for _ in range(2_000):
            op.epoch(w, state, l1, l2, ws, penalty.pen)
        bound = 0.9 * np.abs(w).max()
        penalty = Penalty(np.ones(p), np.ones(p), np.full(p, -bound), np.full(p, bound))
    runs = {}
    for name in ("compiled", "stepwise"):
        w = np.zeros(p)
        state = op.state(y_c, w)
        anderson = cd._Anderson(ws.shape[0])
        gaps = []
        for count in (5, 5, 2):  # the buffer (6 rows) fills across the blocks; the last epoch extrapolates
            if name == "compiled":
                state, gap = op.run(w, state, l1, l2, ws, penalty, anderson, count, y_c, count == 5, None)
            else:
                state, gap = cd._run_stepwise(op, w, state, l1, l2, ws, penalty, anderson, count, y_c, count == 5, None)
            gaps.append(gap)
        runs[name] = (w, state[0], gaps, anderson.count)
    (w1, R1, g1, c1), (w2, R2, g2, c2) = runs["compiled"], runs["stepwise"]
    assert c1 == c2 == 0
    assert np.count_nonzero(w1) >= 3 and (not bounded or np.any(np.isclose(np.abs(w1), penalty.pen[3][0], rtol=1e-12)))
    assert np.all(w1 >= penalty.pen[2]) and np.all(w1 <= penalty.pen[3])  # the extrapolated points clipped too
    assert_allclose(w1, w2, rtol=1e-11, atol=1e-13)
    assert_allclose(R1, R2, rtol=1e-10, atol=1e-11 * np.abs(y_c).max())
    assert g1[2] is None and g2[2] is None  # no gap without a check
    assert_allclose(g1[:2], g2[:2], rtol=1e-8, atol=1e-15 * (y_c @ y_c))  # atol: the gap's rounding floor
    assert min(g1[:2]) >= 0.0


def _record_epochs(monkeypatch, cd):
    """Wrap both CD operators' blocks of epochs; the list returned gets each epoch's working-set size."""
    read = []

    def recorded(run):
        def wrapper(self, w, state, l1, l2, ws, penalty, anderson, count, *rest):
            read.extend([ws.shape[0]] * count)
            return run(self, w, state, l1, l2, ws, penalty, anderson, count, *rest)
        return wrapper

    for cls in (cd._Dense, cd._CSC):
        monkeypatch.setattr(cls, "run", recorded(cls.run))
    return read


@pytest.mark.parametrize("storage", ["F", "csc_matrix"])
def test_capped_working_sets_read_fewer_columns_at_the_same_optimum(monkeypatch, storage):
    """The cap saves column updates against plain twice-the-support sets; both reach scikit-learn's optimum."""
    from fastreg.solvers import cd

    X, y = make_data((150, 2000), seed=21)
    alpha = 0.01 * alpha_max(X, y)
    ref = sk.Lasso(alpha=alpha, tol=1e-12, max_iter=500_000).fit(X, y)
    theirs = enet_objective(X, y, ref.coef_, ref.intercept_, alpha, 1.0)
    X = STORAGES[storage](X)
    read = _record_epochs(monkeypatch, cd)
    columns = {}
    capped = cd.WS_PER_VIOLATOR
    for cap in (capped, 10**9):  # 10**9: twice the support, uncapped
        monkeypatch.setattr(cd, "WS_PER_VIOLATOR", cap)
        read.clear()
        model = fastreg.Lasso(alpha=alpha, solver="cd").fit(X, y)
        columns[cap] = sum(read)
        ours = enet_objective(X, y, model.coef_, model.intercept_, alpha, 1.0)
        assert ours <= theirs * (1 + 1e-9)
    assert columns[capped] < 0.8 * columns[10**9]  # 100,785 against 157,860 columns


# ---------------------------------------------------------------------------- "gram"


@pytest.mark.parametrize("storage", ["C", "F", "csr_matrix", "csc_matrix"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_gram_objective_matches_sklearn(storage, dtype, l1_ratio, fit_intercept):
    X, y = make_data((150, 25), density=0.5, seed=12)
    X[:, 4] = 0.1  # a constant column: exactly 0 with an intercept
    alpha = 0.02 * alpha_max(X, y, l1_ratio)
    Xs = STORAGES[storage](X.astype(dtype))
    Xd = X.astype(dtype).astype(np.float64)
    model = fastreg.ElasticNet(alpha=alpha, l1_ratio=l1_ratio, solver="gram", fit_intercept=fit_intercept).fit(Xs, y)
    ref = sk.ElasticNet(alpha=alpha, l1_ratio=l1_ratio, fit_intercept=fit_intercept, tol=1e-15, max_iter=500_000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ref.fit(Xd, y)
    ours = enet_objective(Xd, y, model.coef_.astype(float), model.intercept_, alpha, l1_ratio)
    theirs = enet_objective(Xd, y, ref.coef_, ref.intercept_, alpha, l1_ratio)
    assert ours <= theirs * (1 + 1e-9)
    assert model.coef_.dtype == dtype
    if fit_intercept:
        assert model.coef_[4] == 0.0
    cd = fastreg.ElasticNet(alpha=alpha, l1_ratio=l1_ratio, solver="cd", fit_intercept=fit_intercept).fit(Xs, y)
    assert_array_equal(model.coef_ != 0, cd.coef_ != 0)
    assert_allclose(model.coef_, cd.coef_, rtol=1e-5, atol=1e-7)


def test_gram_multi_target_positive_warm_start():
    X, y = make_data((200, 20), seed=13)
    Y = np.column_stack([y, -2.0 * y + 1.0, X[:, 3]])
    alpha = 0.01 * alpha_max(X, y)
    for positive in (False, True):
        gram = fastreg.Lasso(alpha=alpha, solver="gram", positive=positive).fit(X, Y)
        cd = fastreg.Lasso(alpha=alpha, solver="cd", positive=positive).fit(X, Y)
        assert gram.coef_.shape == (3, 20) and gram.intercept_.shape == (3,)
        assert_allclose(gram.coef_, cd.coef_, rtol=1e-6, atol=1e-8)
        assert_allclose(gram.intercept_, cd.intercept_, rtol=1e-8, atol=1e-10)
        assert np.all(gram.dual_gap_ <= 1e-9 * np.var(Y, axis=0))
        if positive:
            assert np.all(gram.coef_ >= 0)
    warm = fastreg.Lasso(alpha=alpha, solver="gram", warm_start=True).fit(X, y)
    first = warm.n_iter_
    warm.fit(X, y)
    assert warm.n_iter_ <= first
    # weighted: the weighted Gram, the same optimum as weighted CD
    sw = np.random.default_rng(3).random(200) * 2
    gram = fastreg.Lasso(alpha=alpha, solver="gram", tol=1e-12).fit(X, y, sample_weight=sw)
    cd = fastreg.Lasso(alpha=alpha, solver="cd", tol=1e-12).fit(X, y, sample_weight=sw)
    assert_allclose(gram.coef_, cd.coef_, rtol=1e-6, atol=1e-8)
    assert gram.intercept_ == pytest.approx(cd.intercept_, rel=1e-8, abs=1e-10)


def test_auto_picks_gram_when_it_is_cheaper():
    from fastreg._policy import enet_solver as auto_enet_solver

    rng = np.random.default_rng(0)
    assert auto_enet_solver(rng.standard_normal((1000, 50)), None) == "gram"  # n ≫ p, small p
    assert auto_enet_solver(rng.standard_normal((1000, 50)), np.ones(1000)) == "cd"  # weights
    assert auto_enet_solver(rng.standard_normal((60, 50)), None) == "cd"  # n < 2p
    assert auto_enet_solver(rng.standard_normal((3000, 1000)), None) == "cd"  # the Gram costs ~ epochs
    import scipy.sparse as sp

    assert auto_enet_solver(np.asfortranarray(rng.standard_normal((1000, 50))), None, copy_X=False) == "cd"
    S = sp.random(20_000, 30, density=0.1, format="csc", random_state=0)
    assert auto_enet_solver(S, None) == "cd"  # sparse: measured, the residual CD wins
    X, y = make_data((300, 10), seed=14)
    model = fastreg.Lasso(alpha=0.01 * alpha_max(X, y)).fit(X, y)
    ref = fastreg.Lasso(alpha=0.01 * alpha_max(X, y), solver="cd").fit(X, y)
    assert_allclose(model.coef_, ref.coef_, rtol=1e-6, atol=1e-8)


def test_stalled_subproblem_is_detected_and_a_steady_one_is_not():
    from fastreg.solvers import cd

    stuck = cd._Stall(target=0.3)
    steady = cd._Stall(target=0.3)
    verdicts_stuck, verdicts_steady = [], []
    for epoch in range(5, 1001, 5):
        verdicts_stuck.append(stuck.push(epoch, 1.0 - 2e-7 * epoch))  # 2e-7 per epoch: millions of epochs to 0.3
        verdicts_steady.append(steady.push(epoch, np.exp(-1e-3 * epoch) * (1 + 0.05 * (epoch % 10 == 0))))
    assert not any(verdicts_stuck[:19])  # never before _STALL_MIN_EPOCHS
    assert verdicts_stuck[19]  # at 100 epochs
    assert not any(verdicts_steady)  # 1e-3 per epoch, noisy: slow but converging


def test_near_interpolation_sparse_lasso_reaches_the_optimum():
    """n ≪ p, α = αmax/200, support ≈ n: working sets whose subproblems converge far slower than the whole."""
    import scipy.sparse as sp

    rng = np.random.default_rng(0)
    X = sp.random(100, 5000, density=0.002, format="csr", random_state=0)
    y = X @ np.where(rng.random(5000) < 0.05, rng.standard_normal(5000), 0.0) + 0.1 * rng.standard_normal(100)
    alpha = alpha_max(X.toarray(), y) / 200
    model = fastreg.Lasso(alpha=alpha).fit(X, y)
    assert model.dual_gap_ <= 1e-4 * np.var(y)
    ref = sk.Lasso(alpha=alpha, tol=1e-14, max_iter=1_000_000).fit(X, y)
    ours = enet_objective(X.toarray(), y, model.coef_, model.intercept_, alpha, 1.0)
    theirs = enet_objective(X.toarray(), y, ref.coef_, ref.intercept_, alpha, 1.0)
    assert ours <= theirs * (1 + 1e-9)


@pytest.mark.parametrize("storage", ["C", "F", "csr_matrix"])
@pytest.mark.parametrize("case", ["plain", "positive", "weighted", "no_intercept"])
def test_near_interpolation_lasso_at_defaults_reaches_the_lars_optimum(storage, case):
    """α = αmax/10⁴ with n ≪ p: the support nears n, where CD alone needs 10⁴–10⁵ epochs.

    The homotopy start (scikit-learn's LARS, once CD is seen to be slow) lets
    the default settings converge, at LARS's exact optimum.
    """
    from sklearn.linear_model import lars_path

    make_data_rng = np.random.default_rng(3)
    n, p = 60, 600
    X = make_data_rng.standard_normal((n, p)) + 1.0
    if storage == "csr_matrix":
        X *= make_data_rng.random((n, p)) < 0.3
    y = X[:, :10] @ make_data_rng.standard_normal(10) + 0.5 * make_data_rng.standard_normal(n)
    positive, fit_intercept = case == "positive", case != "no_intercept"
    s = make_data_rng.uniform(0.2, 3.0, n) if case == "weighted" else None
    alpha = alpha_max(X, y) / 1e4
    model = fastreg.Lasso(alpha=alpha, positive=positive, fit_intercept=fit_intercept)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        model.fit(STORAGES[storage](X), y, sample_weight=s)

    s = np.ones(n) if s is None else s * (n / s.sum())  # scikit-learn's weights: normalized to sum to n
    x_mean = s @ X / n if fit_intercept else np.zeros(p)
    y_mean = s @ y / n if fit_intercept else 0.0
    d = np.sqrt(s)
    coef = lars_path(
        d[:, None] * (X - x_mean), d * (y - y_mean), alpha_min=alpha, method="lasso", positive=positive,
        max_iter=10 * n, return_path=False,
    )[2]

    def objective(w, b):
        R = y - X @ w - b
        return (s * R) @ R / (2 * n) + alpha * np.abs(w).sum()

    ours = objective(model.coef_, model.intercept_)
    theirs = objective(coef, y_mean - x_mean @ coef)
    assert abs(ours - theirs) <= 1e-12 * theirs
    assert np.count_nonzero(model.coef_) <= n - fit_intercept  # a Lasso optimum: at most rank(X_c) non-zeros
    if positive:
        assert model.coef_.min() >= 0.0


def test_homotopy_start_is_not_tried_on_a_fit_cd_finishes_steadily(monkeypatch):
    from fastreg.solvers import cd

    def refuse(*args):
        raise AssertionError("the homotopy start was tried")

    monkeypatch.setattr(cd, "_homotopy_start", refuse)
    X, y = make_data((80, 400), seed=5)
    alpha = alpha_max(X, y) / 20
    model = fastreg.Lasso(alpha=alpha, tol=1e-10).fit(X, y)
    ref = sk.Lasso(alpha=alpha, tol=1e-14, max_iter=1_000_000).fit(X, y)
    ours = enet_objective(X, y, model.coef_, model.intercept_, alpha, 1.0)
    assert ours <= enet_objective(X, y, ref.coef_, ref.intercept_, alpha, 1.0) * (1 + 1e-12)


def _lasso_optimum(X, y, alpha):
    """The exact Lasso optimum with an intercept (LARS on centered data): coefficients and intercept."""
    from sklearn.linear_model import lars_path

    x_mean, y_mean = X.mean(0), y.mean()
    coef = lars_path(X - x_mean, y - y_mean, alpha_min=alpha, method="lasso", max_iter=20 * X.shape[0], return_path=False)[2]
    return coef, y_mean - x_mean @ coef


def _newton_problem(storage, seed=2):
    from fastreg.solvers import cd

    X, y = make_data((80, 300), seed=seed)
    alpha = alpha_max(X, y) / 30
    problem = cd.CDProblem(STORAGES[storage](X), y)
    return cd, X, y, alpha, problem.op, problem.Y[:, 0], alpha * X.shape[0]


@pytest.mark.parametrize("storage", ["F", "C", "csc_matrix"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.7])
def test_support_newton_step_lands_on_the_optimum_once_support_and_signs_are_right(storage, weighted, l1_ratio):
    """With the optimum's support and signs, one step lands on it: Lasso and ElasticNet, weights, every storage."""
    from fastreg.solvers import cd

    X, y = make_data((80, 300), seed=2)
    n = X.shape[0]
    s = np.random.default_rng(1).uniform(0.2, 3.0, n) if weighted else None
    alpha = alpha_max(X, y, l1_ratio) / 30
    ref = sk.ElasticNet(alpha=alpha, l1_ratio=l1_ratio, tol=1e-15, max_iter=1_000_000).fit(X, y, sample_weight=s)
    exact = ref.coef_
    assert 10 < np.count_nonzero(exact) and (l1_ratio < 1 or np.count_nonzero(exact) < n - 1)
    problem = cd.CDProblem(STORAGES[storage](X), y, sample_weight=s)
    op, y_c = problem.op, problem.Y[:, 0]
    w = exact * np.random.default_rng(0).uniform(0.5, 1.5, exact.shape)  # right support and signs only
    state = op.state(y_c, w)
    newton = cd._SupportNewton(op, y_c, alpha * (1 - l1_ratio) * n, Penalty.uniform_of(op.norms.shape[0]))
    newton.step(state, w, alpha * l1_ratio * n)
    assert_allclose(w, exact, rtol=1e-8, atol=1e-10 * np.abs(exact).max())


def test_tentatively_settled_subproblems_fall_back_and_the_path_stays_exact(monkeypatch):
    """A subproblem sent to the target after one outer iteration with no outside violator goes back to
    the fraction (its stall target raised) when a Newton step does not finish it: this path takes that
    branch, and every α still lands on scikit-learn's optimum."""
    from fastreg.solvers import cd

    raised = []

    class Recording(cd._Stall):
        def __setattr__(self, name, value):
            if name == "target" and "target" in self.__dict__ and value > self.__dict__["target"]:
                raised.append(value)
            super().__setattr__(name, value)

    monkeypatch.setattr(cd, "_Stall", Recording)
    X, y = make_data((80, 300), seed=0)  # no intercept on uncentered X: the path meets the fallback
    alphas, coefs, _ = fastreg.enet_path(X, y, l1_ratio=0.5, alphas=30)
    assert len(raised) >= 2
    _, ref, _ = sk.enet_path(X, y, l1_ratio=0.5, alphas=alphas, tol=1e-14, max_iter=100_000)
    n = y.shape[0]
    for k, a in enumerate(alphas):
        ours, theirs = (
            (y - X @ c) @ (y - X @ c) / (2 * n) + a * (0.5 * np.abs(c).sum() + 0.25 * c @ c)
            for c in (coefs[:, k], ref[:, k])
        )
        assert ours <= theirs * (1 + 1e-13)
    assert_allclose(coefs, ref, atol=1e-7 * np.abs(ref).max())


@pytest.mark.parametrize("storage", ["F", "csc_matrix"])
def test_support_gram_grows_and_starts_again_at_its_cap(storage, monkeypatch):
    """The kept Gram and q against X_cᵀX_c and X_cᵀy_c over supports that grow, shrink and outgrow the cap."""
    from fastreg.solvers import cd

    X, y = make_data((40, 120), seed=4)
    problem = cd.CDProblem(STORAGES[storage](X), y)
    op, y_c = problem.op, problem.Y[:, 0]
    X_c = X - X.mean(axis=0)
    monkeypatch.setattr(cd, "_HOMOTOPY_MAX_VALUES", 40 * 70)  # at most 70 columns kept
    gram = cd._SupportGram(op, y_c)
    rng = np.random.default_rng(0)
    restarts, before = 0, 0
    for size in (3, 5, 12, 4, 30, 31, 60, 20, 65, 50):
        support = np.sort(rng.choice(120, size, replace=False))
        at = gram.positions(support)
        restarts += gram.k < before
        before = gram.k
        assert gram.k <= 70 and np.array_equal(gram.pos[support], at)
        assert_allclose(gram.G[np.ix_(at, at)], X_c[:, support].T @ X_c[:, support], atol=1e-10)
        assert_allclose(gram.q[at], X_c[:, support].T @ y_c, atol=1e-10)
        kept = np.flatnonzero(gram.pos >= 0)
        assert_array_equal(np.sort(gram.pos[kept]), np.arange(gram.k))  # every kept column once
        order = kept[np.argsort(gram.pos[kept])]
        assert_allclose(gram.G, X_c[:, order].T @ X_c[:, order], atol=1e-10)
    assert restarts >= 2


@pytest.mark.parametrize("storage", ["F", "csc_matrix"])
def test_support_newton_step_stops_where_the_first_coefficient_reaches_zero(storage, monkeypatch):
    cd, X, y, alpha, op, y_c, l1 = _newton_problem(storage)
    monkeypatch.setattr(cd, "_NEWTON_CUTS", 1)  # one step, not the steps that follow a cut
    exact, _ = _lasso_optimum(X, y, alpha)
    w = exact.copy()
    zeros = np.flatnonzero(exact == 0.0)[:5]
    w[zeros] = 0.05 * np.abs(exact).max()  # five features that belong out of the support
    x_mean = X.mean(0)

    def objective(coef):
        R = (y - y.mean()) - (X - x_mean) @ coef
        return 0.5 * R @ R + l1 * np.abs(coef).sum()

    before = w.copy()
    state = op.state(y_c, w)
    state = cd._SupportNewton(op, y_c, 0.0, Penalty.uniform_of(op.norms.shape[0])).step(state, w, l1)
    assert objective(w) < objective(before)
    dropped = np.flatnonzero((before != 0.0) & (w == 0.0))
    assert dropped.size == 1  # the step ends where one coefficient reaches zero
    kept = w != 0.0
    assert np.all(np.sign(w[kept]) == np.sign(before[kept]))  # no other sign changes
    R = state[0] if storage == "F" else state[0] - state[0].mean()  # the kept state is w's residual
    assert_allclose(R, (y - y.mean()) - (X - x_mean) @ w, atol=1e-10 * np.abs(y).max())


@pytest.mark.parametrize("storage", ["F", "csc_matrix"])
def test_support_newton_steps_after_a_cut_go_on_descending(storage, monkeypatch):
    # A cut step is followed at once by the step on the smaller support (up to _NEWTON_CUTS):
    # each is a descent along a signs-fixed quadratic, so the call ends at least as low as
    # one step, lower when a step was cut, with the residual of the coefficients it keeps.
    cd, X, y, alpha, op, y_c, l1 = _newton_problem(storage)
    exact, _ = _lasso_optimum(X, y, alpha)
    start = exact.copy()
    start[np.flatnonzero(exact == 0.0)[:5]] = 0.05 * np.abs(exact).max()
    x_mean = X.mean(0)

    def objective(coef):
        R = (y - y.mean()) - (X - x_mean) @ coef
        return 0.5 * R @ R + l1 * np.abs(coef).sum()

    ends = {}
    for cuts in (1, 8):
        monkeypatch.setattr(cd, "_NEWTON_CUTS", cuts)
        w = start.copy()
        state = cd._SupportNewton(op, y_c, 0.0, Penalty.uniform_of(op.norms.shape[0])).step(
            op.state(y_c, w), w, l1
        )
        R = state[0] if storage == "F" else state[0] - state[0].mean()
        assert_allclose(R, (y - y.mean()) - (X - x_mean) @ w, atol=1e-10 * np.abs(y).max())
        ends[cuts] = (objective(w), np.count_nonzero(start) - np.count_nonzero(w))
    assert ends[8][0] < ends[1][0] < objective(start)
    assert ends[1][1] == 1 and ends[8][1] > 1  # one zero per cut step
    assert ends[8][0] > objective(exact) * (1 - 1e-12)  # never below the optimum


@pytest.mark.parametrize("serial", [False, True])
def test_cho_factor_gives_the_fortran_ordered_upper_factor(serial):
    """Both factorizations (NumPy's, SciPy's LAPACK on one thread): A = UᵀU, U upper and Fortran-ordered."""
    import scipy.linalg
    from fastreg.solvers._linalg import cho_factor, cho_solve

    rng = np.random.default_rng(5)
    B = rng.standard_normal((50, 30))
    A = B.T @ B + 0.1 * np.eye(30)
    A_before = A.copy()
    U, lower = cho_factor(A, serial=serial)
    assert not lower and U.flags.f_contiguous
    assert_array_equal(A, A_before)  # not modified
    assert_allclose(np.triu(U).T @ np.triu(U), A, rtol=1e-12, atol=1e-12 * np.abs(A).max())
    r = rng.standard_normal(30)
    assert_allclose(scipy.linalg.cho_solve((U, lower), r), np.linalg.solve(A, r), rtol=1e-10)
    R = rng.standard_normal((30, 3))
    for rhs in (r, R):  # _linalg.cho_solve, LAPACK's potrs without SciPy's wrapper
        assert_allclose(cho_solve((U, lower), rhs), np.linalg.solve(A, rhs), rtol=1e-10)
    if serial:  # overwrite: the same factor, in A's own buffer
        C = A.copy()
        U2, _ = cho_factor(C, serial=True, overwrite=True)
        assert np.shares_memory(U2, C)
        assert_array_equal(np.triu(U2), np.triu(U))
    A[3, 3] = -1.0  # not positive definite
    with pytest.raises(np.linalg.LinAlgError):
        cho_factor(A, serial=serial)


@pytest.mark.parametrize("serial", [False, True])
def test_solve_subset_is_the_principal_subsystems_solution(serial):
    """solve_subset: A_FF v_F = r_F from A's factor, against a direct solve, for 0..5 unknowns removed."""
    from fastreg.solvers._linalg import cho_factor, solve_subset

    rng = np.random.default_rng(4)
    B = rng.standard_normal((60, 40))
    A = B.T @ B + 0.1 * np.eye(40)
    r = rng.standard_normal(40)
    factor = cho_factor(A, serial=serial)
    for removed in range(6):
        keep = np.ones(40, dtype=bool)
        keep[rng.choice(40, removed, replace=False)] = False
        expected = np.linalg.solve(A[np.ix_(keep, keep)], r[keep])
        assert_allclose(solve_subset(factor, r, keep), expected, rtol=1e-10, atol=1e-12 * np.abs(expected).max())


@pytest.mark.parametrize("storage", ["F", "csc_matrix"])
def test_support_newton_cut_steps_from_the_first_factor_match_new_factorizations(storage, monkeypatch):
    """The steps after a cut solve on the survivors through the first step's factor: the same
    coefficients as factoring each smaller support anew, and they were taken that way."""
    cd, X, y, alpha, op, y_c, l1 = _newton_problem(storage)
    exact, _ = _lasso_optimum(X, y, alpha)
    start = exact.copy()
    start[np.flatnonzero(exact == 0.0)[:5]] = 0.05 * np.abs(exact).max()
    cut_point = cd._SupportNewton.__dict__["_cut_point"].__func__
    used = []

    def recorded(first, support, signs):
        v = cut_point(first, support, signs)
        used.append(v is not None)
        return v

    ends = {}
    for way in ("subset", "refactor"):
        monkeypatch.setattr(cd._SupportNewton, "_cut_point", staticmethod(
            recorded if way == "subset" else (lambda first, support, signs: None)))
        w = start.copy()
        cd._SupportNewton(op, y_c, 0.0, Penalty.uniform_of(op.norms.shape[0])).step(op.state(y_c, w), w, l1)
        ends[way] = w
    assert any(used)
    assert_allclose(ends["subset"], ends["refactor"], rtol=1e-9, atol=1e-12 * np.abs(exact).max())
    assert np.count_nonzero(start) - np.count_nonzero(ends["subset"]) > 1  # cuts happened


def test_support_newton_step_waits_for_slow_progress_and_a_solvable_support():
    cd, X, y, alpha, op, y_c, l1 = _newton_problem("F")
    n = X.shape[0]
    newton = cd._SupportNewton(op, y_c, 0.0, Penalty.uniform_of(op.norms.shape[0]))
    w = np.zeros(X.shape[1])
    w[:20] = 1.0
    newton.work = 10**9
    assert newton.due(w, remaining_work=10**9)
    assert not newton.due(w, remaining_work=np.inf)  # no measured rate: no step
    assert not newton.due(w, remaining_work=10.0)  # CD will be done sooner than the step
    w[:n] = 1.0  # as many non-zeros as rows: singular without an L2 term
    assert not newton.due(w, remaining_work=10**9)
    # with an L2 term, X_SᵀX_S + l2·I is positive definite at any size
    elastic = cd._SupportNewton(op, y_c, 1.0, Penalty.uniform_of(op.norms.shape[0]))
    elastic.work = 10**9
    assert elastic.due(w, remaining_work=10**9)


@pytest.mark.parametrize("seed, divisor", [(1, 100), (2, 50), (3, 100)])
def test_support_newton_steps_cut_the_epochs_near_interpolation(monkeypatch, seed, divisor):
    """n < p at small α: the support's columns are nearly dependent and CD's tail is slow.

    The two fits are the same until the first step, so the epochs are counted
    from there. Measured here: 650 -> 135, 460 -> 135 and 180 -> 95 epochs
    (1,040 -> 525, 575 -> 250 and 590 -> 505 in all), at the same optimum.
    Seed 3 takes its first step after 410 epochs: until shortly before, its
    support has more non-zeros than rows and no step can be taken.
    """
    from fastreg.solvers import cd

    X, y = make_data((100, 1000) if seed == 1 else (80, 800) if seed == 2 else (60, 600), seed=seed)
    alpha = alpha_max(X, y) / divisor
    epochs, first_step = _record_epochs(monkeypatch, cd), []
    step = cd._SupportNewton.step

    def recorded_step(self, *args):
        first_step.append(len(epochs))
        return step(self, *args)

    monkeypatch.setattr(cd._SupportNewton, "step", recorded_step)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        stepped = fastreg.Lasso(alpha=alpha).fit(X, y)
        assert len(epochs) == stepped.n_iter_ and first_step  # counted every epoch, and stepped
        monkeypatch.setattr(cd._SupportNewton, "due", lambda self, w, remaining_work: False)
        plain = fastreg.Lasso(alpha=alpha).fit(X, y)
    start = first_step[0]
    assert plain.n_iter_ > start
    assert stepped.n_iter_ - start <= 0.8 * (plain.n_iter_ - start)
    exact = enet_objective(X, y, *_lasso_optimum(X, y, alpha), alpha, 1.0)
    for model in (stepped, plain):
        assert abs(enet_objective(X, y, model.coef_, model.intercept_, alpha, 1.0) - exact) <= 1e-12 * exact


@pytest.mark.parametrize("storage", ["C", "csr_matrix"])
@pytest.mark.parametrize("l1_ratio", [0.9, 0.99])
def test_near_interpolation_elastic_net_at_defaults_is_certified_optimal(storage, l1_ratio):
    """ElasticNet at αmax/10⁴ with n ≪ p: the homotopy start runs LARS on ``X_cᵀX_c + l2·I``.

    The optimality certificate is scikit-learn's duality gap, computed here
    from the returned coefficients alone. (At ``l1_ratio=0.9`` LARS on the
    stacked rows stopped short, at 1.013·α; from the Gram it does not.)
    """
    rng = np.random.default_rng(4)
    n, p = 60, 600
    X = rng.standard_normal((n, p)) + 1.0
    if storage == "csr_matrix":
        X *= rng.random((n, p)) < 0.3
    y = X[:, :10] @ rng.standard_normal(10) + 0.5 * rng.standard_normal(n)
    alpha = alpha_max(X, y, l1_ratio) / 1e4
    model = fastreg.ElasticNet(alpha=alpha, l1_ratio=l1_ratio)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        model.fit(STORAGES[storage](X), y)

    w = model.coef_
    X_c, y_c = X - X.mean(0), y - y.mean()
    R = y_c - X_c @ w
    l1, l2 = alpha * l1_ratio * n, alpha * (1 - l1_ratio) * n
    dual_norm = np.max(np.abs(X_c.T @ R - l2 * w))
    const = min(1.0, l1 / dual_norm)
    gap = 0.5 * (1 + const**2) * (R @ R) + l1 * np.abs(w).sum() - const * (R @ y_c) + 0.5 * l2 * (1 + const**2) * (w @ w)
    primal = 0.5 * (R @ R) + l1 * np.abs(w).sum() + 0.5 * l2 * (w @ w)
    assert gap <= 1e-9 * primal


@pytest.mark.parametrize("n", [6, 7])
def test_sparse_constant_columns_come_from_the_statistics_pass(n):
    """Unweighted CSC: the column-statistics pass finds the constant columns that constant_columns finds."""
    import scipy.sparse as sp

    from fastreg.solvers._columns import constant_columns
    from fastreg.solvers.cd import CDProblem

    rng = np.random.default_rng(n)
    X = rng.standard_normal((n, 8))
    X[:, 0] = 0.0  # no stored value
    X[:, 1] = 0.1  # every value stored, all equal
    X[: n - 1, 2] = 0.1  # one implicit zero: not constant
    X[:, 3] = -2.0
    X[0, 3] = -2.0 + 1e-15  # differs in one entry
    X[1:, 4] = 0.0  # one stored value, the rest implicit zeros
    C = sp.csc_matrix(X)
    C[2, 5] = 0.0  # an explicit zero in a random column
    C[:, 6] = 0.0  # explicitly stored zeros: constant
    C = sp.csc_matrix((C.data, C.indices, C.indptr), shape=C.shape)  # stored zeros kept
    assert C.has_canonical_format and C[:, 6].nnz == n
    problem = CDProblem(C, rng.standard_normal(n))
    expected = constant_columns(C)
    assert_array_equal(expected, [True, True, False, False, False, False, True, False])
    assert_array_equal(problem.op.constant, expected)
    assert np.all(problem.op.norms[expected] == 0.0)
    assert np.all(problem.op.norms[~expected] > 0.0)
    model = fastreg.Lasso(alpha=1e-3).fit(C, rng.standard_normal(n))
    assert np.all(model.coef_[expected] == 0.0)


def test_newton_gram_is_kept_across_a_paths_alphas(monkeypatch):
    """A path's Newton steps build the support's Gram once per target: a later α adds only the
    columns new to it, and each α lands where a fresh problem (a Gram of its own) does."""
    from fastreg.path import alpha_grid
    from fastreg.solvers import cd

    X, y = make_data((40, 160), seed=2)
    alphas = alpha_grid(X, y, l1_ratio=0.5, n_alphas=30)[10:]
    kept = cd.CDProblem(X, y)
    requested = []  # columns the kept Gram centers and multiplies
    centered = kept.op.centered
    monkeypatch.setattr(kept.op, "centered", lambda cols: requested.append(len(cols)) or centered(cols))
    steps, solving = [], [None]
    step = cd._SupportNewton.step

    def recorded_step(self, *args):
        if solving[0] is kept:
            steps.append(self.gram is kept._gram)
        return step(self, *args)

    monkeypatch.setattr(cd._SupportNewton, "step", recorded_step)
    w = fresh_w = None
    fresh_columns = 0
    for alpha in alphas:
        solving[0] = kept
        w = kept.solve(0, alpha, 0.5, tol=1e-10, coef_init=w)[0]
        solving[0] = fresh = cd.CDProblem(X, y)
        fresh_w = fresh.solve(0, alpha, 0.5, tol=1e-10, coef_init=fresh_w)[0]
        fresh_columns += fresh._gram.k if fresh._gram.pos is not None else 0
        ours = enet_objective(X, y, w, kept.intercept(0, w), alpha, 0.5)
        theirs = enet_objective(X, y, fresh_w, fresh.intercept(0, fresh_w), alpha, 0.5)
        assert abs(ours - theirs) <= 1e-10 * theirs
    assert sum(steps) >= 5 and all(steps)  # stepped, always from the problem's kept Gram
    assert sum(requested) == kept._gram.k < fresh_columns  # each column centered once, not once per α


def test_anderson_point_is_numpys_solve():
    """The compiled extrapolation: NumPy's ``solve`` on ``UUᵀz = 1`` and ``Σcₖwₖ`` where that is well
    posed, and no point where the system is singular (iterates that do not move)."""
    from fastreg.kernels.cd import anderson_point

    rng = np.random.default_rng(0)
    for size in (5, 17, 190):
        buf = np.cumsum(rng.standard_normal((6, size)), axis=0)
        U = np.diff(buf, axis=0)
        z = np.linalg.solve(U @ U.T, np.ones(5))
        out = np.empty(size)
        assert anderson_point(buf, out)
        assert_allclose(out, (z / z.sum()) @ buf[1:], rtol=1e-12, atol=1e-12 * np.abs(buf).max())
    still = np.tile(rng.standard_normal(7), (6, 1))
    assert not anderson_point(still, np.empty(7))
