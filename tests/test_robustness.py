"""A battery of bad and odd inputs against every estimator and gradient_descent.

Bad input gets a ValueError/TypeError naming the problem; valid-but-odd input
gets the answer of the clean input; the caller's arrays are never modified.
"""

import copy
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import NotFittedError

import fastreg
from fastreg import DivergenceError, ElasticNet, Lasso, LinearRegression, Ridge
from fastreg.descent import GradientDescentRegressor
from fastreg.exceptions import ConvergenceWarning

N, P = 30, 5

FITTERS = {
    "Lasso": lambda: Lasso(alpha=0.05, tol=1e-12),
    "ElasticNet": lambda: ElasticNet(alpha=0.05, l1_ratio=0.4, tol=1e-12),
    "Ridge": lambda: Ridge(alpha=2.0),
    "Ridge-lsqr": lambda: Ridge(alpha=2.0, solver="lsqr", tol=1e-14),
    "Ridge-cg": lambda: Ridge(alpha=2.0, solver="cg", tol=1e-14),
    "LinearRegression": lambda: LinearRegression(),
    "GradientDescentRegressor": lambda: GradientDescentRegressor("l2", lambda_=1.0, learning_rate=0.01,
                                                                 iterations=60),
    "RidgeCV": lambda: fastreg.RidgeCV(alphas=[0.1, 1.0, 10.0]),
    "RidgeCV-cv3": lambda: fastreg.RidgeCV(alphas=[0.1, 1.0, 10.0], cv=3),
    "LassoCV": lambda: fastreg.LassoCV(alphas=5, cv=3, tol=1e-12),
    "ElasticNetCV": lambda: fastreg.ElasticNetCV(l1_ratio=[0.3, 0.9], alphas=5, cv=3, tol=1e-12),
}
NAMES = sorted(FITTERS) + ["gradient_descent"]


def fit(name, X, y):
    """``(coef, intercept)`` of ``name`` fitted on ``(X, y)``."""
    if name == "gradient_descent":
        theta = fastreg.gradient_descent(X, y, penalty="l2", lambda_=1.0, learning_rate=0.01, iterations=60)
        return theta[1:], theta[0]
    model = FITTERS[name]().fit(X, y)
    return model.coef_, model.intercept_


def clean_data(seed=0):
    """Integer-valued float64 X with zeros (so int and sparse storages are exact copies)."""
    rng = np.random.default_rng(seed)
    X = np.round(3 * rng.standard_normal((N, P)))
    X[rng.random(X.shape) < 0.4] = 0.0
    y = X @ np.array([1.5, -2.0, 0.0, 0.5, 0.0]) + 4.0 + rng.standard_normal(N)
    return X, y


def split_duplicates(A, fmt):
    """``A`` (dense) as a ``fmt`` ("csr"/"csc") matrix whose every entry is stored
    twice (0.3 + 0.7 of it), in reverse order: unsorted, duplicate, not canonical."""
    S = sp.csr_matrix(A) if fmt == "csr" else sp.csc_matrix(A)
    major = np.repeat(np.arange(S.indptr.shape[0] - 1), np.diff(S.indptr))
    data = np.concatenate([0.3 * S.data, 0.7 * S.data])
    minor = np.concatenate([S.indices, S.indices])
    owner = np.concatenate([major, major])
    order = np.lexsort((-minor, owner))  # by row (column), indices descending
    indptr = np.concatenate([[0], np.cumsum(np.bincount(owner, minlength=S.indptr.shape[0] - 1))])
    cls = sp.csr_matrix if fmt == "csr" else sp.csc_matrix
    B = cls((data[order], minor[order], indptr), shape=A.shape)
    assert not B.has_canonical_format
    return B


def int64_indices(A):
    B = sp.csr_matrix(A)
    B.indices, B.indptr = B.indices.astype(np.int64), B.indptr.astype(np.int64)
    assert B.indices.dtype == np.int64
    return B


def read_only(A):
    A = np.array(A)
    A.setflags(write=False)
    return A


def read_only_sparse(A):
    B = sp.csr_matrix(A)
    for arr in (B.data, B.indices, B.indptr):
        arr.setflags(write=False)
    return B


def read_only_sparse_csc_int64(A):
    B = sp.csc_matrix(A)
    B.indices, B.indptr = B.indices.astype(np.int64), B.indptr.astype(np.int64)
    for arr in (B.data, B.indices, B.indptr):
        arr.setflags(write=False)
    return B


def strided_view(A):
    big = np.zeros((2 * A.shape[0], 3 * A.shape[1]))
    big[::2, ::3] = A
    view = big[::2, ::3]
    assert not (view.flags.c_contiguous or view.flags.f_contiguous)
    return view


def coo_duplicates(A):
    C = sp.coo_matrix(A)
    return sp.coo_matrix(
        (np.concatenate([0.5 * C.data, 0.5 * C.data]), (np.tile(C.row, 2), np.tile(C.col, 2))), shape=A.shape
    )


ODD_X = {
    "csr unsorted duplicates": lambda X: split_duplicates(X, "csr"),
    "csc unsorted duplicates": lambda X: split_duplicates(X, "csc"),
    "coo duplicates": coo_duplicates,
    "csr int64 indices": int64_indices,
    "csr_array": sp.csr_array,
    "csc_array": sp.csc_array,
    "coo_array": sp.coo_array,
    "csc_matrix": sp.csc_matrix,
    "read-only dense": read_only,
    "read-only csr": read_only_sparse,
    "read-only csc int64": lambda X: read_only_sparse_csc_int64(X),
    "non-contiguous view": strided_view,
    "F order": np.asfortranarray,
    "int64 dense": lambda X: X.astype(np.int64),
    "int32 dense": lambda X: X.astype(np.int32),
    "int csr": lambda X: sp.csr_matrix(X.astype(np.int64)),
    "list of lists": lambda X: X.tolist(),
}

ODD_Y = {
    "read-only y": read_only,
    "list y": list,
    "non-contiguous y": lambda y: np.repeat(y, 2)[::2],
}


def snapshot(A):
    """A deep copy of an input, to compare after the fit."""
    return copy.deepcopy(A)


def assert_unchanged(before, after):
    if sp.issparse(before):
        assert type(before) is type(after)
        if before.format in ("csr", "csc"):
            for attr in ("data", "indices", "indptr"):
                a, b = getattr(before, attr), getattr(after, attr)
                assert a.dtype == b.dtype
                assert_array_equal(a, b)  # not summed, not sorted
        else:
            assert_array_equal(before.row, after.row)
            assert_array_equal(before.col, after.col)
            assert_array_equal(before.data, after.data)
    elif isinstance(before, np.ndarray):
        assert before.dtype == after.dtype and before.shape == after.shape
        assert_array_equal(before, after)
    else:
        assert before == after


def assert_same_answer(name, got, expected):
    (coef, intercept), (coef0, intercept0) = got, expected
    assert np.all(np.isfinite(coef)) and np.isfinite(intercept)
    assert_allclose(coef, coef0, rtol=1e-7, atol=1e-9)
    assert_allclose(intercept, intercept0, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("odd", sorted(ODD_X))
@pytest.mark.parametrize("name", NAMES)
def test_odd_X_gives_the_clean_answer_and_is_untouched(name, odd):
    X, y = clean_data()
    expected = fit(name, X, y)
    Xo = ODD_X[odd](X)
    before = snapshot(Xo)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        got = fit(name, Xo, y)
    assert_same_answer(name, got, expected)
    assert_unchanged(before, Xo)


@pytest.mark.parametrize("odd", sorted(ODD_Y))
@pytest.mark.parametrize("name", NAMES)
def test_odd_y_gives_the_clean_answer(name, odd):
    X, y = clean_data(1)
    expected = fit(name, X, y)
    yo = ODD_Y[odd](y)
    before = snapshot(yo)
    assert_same_answer(name, fit(name, X, yo), expected)
    assert_unchanged(before, yo)
    yi = np.round(y).astype(np.int64)
    assert_same_answer(name, fit(name, X, yi), fit(name, X, yi.astype(np.float64)))


@pytest.mark.parametrize("name", NAMES)
def test_duplicates_match_canonical_sparse(name):
    """Not only the dense answer: sparse with duplicates == the same sparse matrix summed."""
    X, y = clean_data(2)
    canonical = sp.csc_matrix(X)
    for fmt in ("csr", "csc"):
        B = split_duplicates(X, fmt)
        assert_same_answer(name, fit(name, B, y), fit(name, canonical, y))


@pytest.mark.parametrize("name", NAMES)
def test_constant_columns_zero_target_single_feature(name):
    X, y = clean_data(3)
    storages = (np.asarray, sp.csr_matrix)
    for to in storages:
        # all-zero target: the zero model
        coef, intercept = fit(name, to(X), np.zeros(N))
        assert_array_equal(coef, 0.0)
        assert intercept == 0.0
        # a constant column (zeros; and a non-zero constant except for the
        # un-centered seed loop, where it competes with the bias column)
        Xz = X.copy()
        Xz[:, 2] = 0.0
        coef, intercept = fit(name, to(Xz), y)
        assert abs(coef[2]) < 1e-10 and np.all(np.isfinite(coef))
        if name not in ("gradient_descent", "GradientDescentRegressor"):
            Xc = X.copy()
            Xc[:, 2] = 0.1  # its mean is not exact: centering leaves rounding noise
            coef, intercept = fit(name, to(Xc), y)
            assert abs(coef[2]) < 1e-10
            coef_without, intercept_without = fit(name, to(np.delete(Xc, 2, axis=1)), y)
            assert_allclose(np.delete(coef, 2), coef_without, rtol=1e-7, atol=1e-9)
            assert_allclose(intercept, intercept_without, rtol=1e-7)
        # a single feature
        coef, intercept = fit(name, to(X[:, :1]), y)
        assert coef.shape == (1,) and np.isfinite(intercept)


def test_single_feature_matches_sklearn():
    from sklearn import linear_model as sk

    X, y = clean_data(4)
    x = X[:, :1]
    pairs = [
        (Lasso(alpha=0.1, tol=1e-12), sk.Lasso(alpha=0.1, tol=1e-12, max_iter=100_000)),
        (ElasticNet(alpha=0.1, l1_ratio=0.3, tol=1e-12), sk.ElasticNet(alpha=0.1, l1_ratio=0.3, tol=1e-12)),
        (Ridge(alpha=3.0), sk.Ridge(alpha=3.0)),
        (LinearRegression(), sk.LinearRegression()),
    ]
    for ours, theirs in pairs:
        assert_allclose(ours.fit(x, y).coef_, theirs.fit(x, y).coef_, rtol=1e-8)
        assert_allclose(ours.intercept_, theirs.intercept_, rtol=1e-8)


# ------------------------------------------------------------------ bad input


def _with(X, i, j, value):
    X = X.copy()
    X[i, j] = value
    return X


def _sparse_nan():
    X, _ = clean_data()
    A = sp.csr_matrix(X)
    A.data[3] = np.nan
    return A


def _bad_coo():
    A = sp.coo_matrix(clean_data()[0])
    A.col[0] = 99  # scipy does not re-check indices set after construction
    return A


def bad_inputs():
    X, y = clean_data()
    ynan = y.copy()
    ynan[4] = np.nan
    yinf = y.copy()
    yinf[0] = -np.inf
    return {
        "NaN in X": (_with(X, 2, 1, np.nan), y, ValueError, "NaN"),
        "inf in X": (_with(X, 0, 0, np.inf), y, ValueError, "infinity"),
        "NaN in sparse X": (_sparse_nan(), y, ValueError, "NaN"),
        "NaN in y": (X, ynan, ValueError, "NaN"),
        "inf in y": (X, yinf, ValueError, "infinity"),
        "mismatched lengths": (X, y[:-1], ValueError, "inconsistent numbers of samples"),
        "zero samples": (X[:0], y[:0], ValueError, "0 sample"),
        "zero features": (X[:, :0], y, ValueError, "0 feature"),
        "X 1-D": (X[:, 0], y, ValueError, "2D array.*shape \\(30,\\)"),
        "X 3-D": (X[:, :, None], y, ValueError, "2D array"),
        "X scalar": (3.0, y, ValueError, "scalar"),
        "X None": (None, y, TypeError, "X is None"),
        "y None": (X, None, ValueError, "y is None"),
        "X strings": (X.astype(str), y, ValueError, "X contains non-numeric"),
        "X object strings": (np.array([["a"] * P] * N, dtype=object), y, ValueError, "X contains non-numeric"),
        "y strings": (X, np.array(["a"] * N), ValueError, "y contains non-numeric"),
        "y object strings": (X, np.array(["1.0"] * (N - 1) + ["x"], dtype=object), ValueError,
                             "y contains non-numeric"),
        "X complex": (X + 1j, y, ValueError, "complex"),
        "X ragged list": ([[1.0, 2.0]] * (N - 1) + [[1.0]], y, ValueError, "ragged"),
        "X a string": ("data.csv", y, TypeError, "X is a string"),
        "y 2-D": (X, np.c_[y, y], ValueError, "y should be a 1d array"),
        "invalid COO indices": (_bad_coo(), y, ValueError, "invalid COO"),
        "invalid CSR indices": (sp.csr_matrix((np.ones(2), np.array([0, 70]), np.r_[0, 1, [2] * (N - 1)]),
                                              shape=(N, P)), y, ValueError, "invalid CSR"),
    }


BAD = bad_inputs()


@pytest.mark.parametrize("case", sorted(BAD))
@pytest.mark.parametrize("name", NAMES)
def test_bad_input_gets_a_clear_error(name, case):
    X, y, error, pattern = BAD[case]
    if case == "y 2-D" and name not in ("gradient_descent", "GradientDescentRegressor"):
        pytest.skip("2-D y is multi-target for the estimators: see test_two_d_y_is_multi_target")
    before = (snapshot(X), snapshot(y))
    with pytest.raises(error, match=pattern):
        fit(name, X, y)
    assert_unchanged(before[0], X) if X is not None and not isinstance(X, (str, float)) else None


BAD_PARAMS = {
    "alpha": [(-1.0, ValueError, "alpha must be >= 0"), (np.nan, ValueError, "alpha must be finite"),
              (np.inf, ValueError, "alpha must be finite"), ("1", TypeError, "alpha must be a real number"),
              (None, TypeError, "alpha must be a real number")],
    "l1_ratio": [(1.5, ValueError, r"l1_ratio must be in \[0, 1\]"), (-0.1, ValueError, "l1_ratio must be >= 0"),
                 ("0.5", TypeError, "l1_ratio must be a real number")],
    "max_iter": [(0, ValueError, "max_iter must be >= 1"), (-5, ValueError, "max_iter must be >= 1"),
                 (10.5, TypeError, "max_iter must be an integer"), ("10", TypeError, "max_iter must be an integer")],
    "tol": [(-1e-3, ValueError, "tol must be >= 0"),
            ("small", TypeError, "tol must be a real number")],
    "fit_intercept": [("yes", TypeError, "fit_intercept must be True or False"),
                      (None, TypeError, "fit_intercept must be True or False")],
    "positive": [("no", TypeError, "positive must be True or False")],
    "solver": [("magic", ValueError, "solver must be")],
}
PARAMS_OF = {
    "Lasso": ["alpha", "max_iter", "tol", "fit_intercept", "positive", "solver"],
    "ElasticNet": ["alpha", "l1_ratio", "max_iter", "tol", "fit_intercept", "positive", "solver"],
    "Ridge": ["alpha", "max_iter", "tol", "fit_intercept", "solver"],
    "LinearRegression": ["fit_intercept"],
}


@pytest.mark.parametrize(
    "estimator, param, value, error, pattern",
    [(e, p, *bad) for e, params in PARAMS_OF.items() for p in params for bad in BAD_PARAMS[p]],
)
def test_bad_parameters_get_a_clear_error(estimator, param, value, error, pattern):
    X, y = clean_data()
    model = getattr(fastreg, estimator)(**{param: value})
    with pytest.raises(error, match=pattern):
        model.fit(X, y)


@pytest.mark.parametrize(
    "kwargs, error, pattern",
    [
        (dict(penalty="l3"), ValueError, "penalty"),
        (dict(lambda_=-1.0), ValueError, "lambda_ must be >= 0"),
        (dict(lambda_="big"), TypeError, "lambda_ must be a real number"),
        (dict(learning_rate=0.0), ValueError, "learning_rate must be > 0"),
        (dict(learning_rate="fast"), ValueError, "learning_rate"),
        (dict(iterations=-1), ValueError, "iterations must be >= 0"),
        (dict(iterations=2.5), TypeError, "iterations must be an integer"),
    ],
)
def test_gradient_descent_bad_parameters(kwargs, error, pattern):
    X, y = clean_data()
    with pytest.raises(error, match=pattern):
        fastreg.gradient_descent(X, y, **kwargs)
    with pytest.raises(error, match=pattern):
        GradientDescentRegressor(**kwargs).fit(X, y)


@pytest.mark.parametrize("name", sorted(FITTERS))
def test_predict_checks(name):
    X, y = clean_data()
    model = FITTERS[name]()
    with pytest.raises(NotFittedError):
        model.predict(X)
    model.fit(X, y)
    with pytest.raises(ValueError, match="features"):
        model.predict(X[:, :3])
    with pytest.raises(ValueError, match="features"):
        model.predict(sp.csr_matrix(np.c_[X, X]))
    with pytest.raises(ValueError, match="NaN"):
        model.predict(_with(X, 0, 0, np.nan))
    with pytest.raises(ValueError, match="non-numeric"):
        model.predict(X.astype(str))
    with pytest.raises(ValueError, match="2D array"):
        model.predict(X[0])
    # odd but valid: same predictions
    expected = model.predict(X)
    for odd in ("csr unsorted duplicates", "csc unsorted duplicates", "csr int64 indices", "read-only dense",
                "non-contiguous view", "int64 dense", "coo_array"):
        Xo = ODD_X[odd](X)
        before = snapshot(Xo)
        assert_allclose(model.predict(Xo), expected, rtol=1e-12, atol=1e-12)
        assert_unchanged(before, Xo)


# ----------------------------------------------------------- divergence, max_iter


@pytest.mark.parametrize("name", NAMES)
def test_overflowing_values_raise_instead_of_nan(name):
    X, y = clean_data()
    if name == "LinearRegression":
        pytest.skip("gelsd works on the scaled SVD: a huge X still gives finite, right answers")
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # the Krylov solvers stall first
        with pytest.raises(DivergenceError, match="too large|diverged"):
            fit(name, X * 1e160, y * 1e160)


def test_diverging_learning_rate_raises():
    X, y = clean_data()
    with pytest.raises(DivergenceError, match="learning_rate"):
        fastreg.gradient_descent(X * 100, y, learning_rate=1.0, iterations=50)
    with pytest.raises(DivergenceError, match="learning_rate"):
        GradientDescentRegressor(learning_rate=1.0, iterations=50).fit(X * 100, y)


@pytest.mark.parametrize("cls", [Lasso, ElasticNet])
def test_max_iter_warns_and_reports_the_gap(cls):
    X, y = clean_data()
    with pytest.warns(ConvergenceWarning, match="duality gap"):
        model = cls(alpha=0.001, max_iter=1).fit(X, y)
    assert model.dual_gap_ > 0 and np.isfinite(model.dual_gap_)
    assert np.all(np.isfinite(model.coef_))


@pytest.mark.parametrize("name", NAMES)
def test_bool_X_is_read_as_zeros_and_ones(name):
    X, y = clean_data(5)
    B = X > 0
    before = B.copy()
    assert_same_answer(name, fit(name, B, y), fit(name, B.astype(np.float64), y))
    assert_same_answer(name, fit(name, sp.csr_matrix(B), y), fit(name, B.astype(np.float64), y))
    assert_array_equal(B, before)


# LassoCV/ElasticNetCV choose one α shared by the targets (see test_cv_multitarget.py)
@pytest.mark.parametrize("name", sorted(set(FITTERS) - {"GradientDescentRegressor", "Ridge-cg", "LassoCV",
                                                        "ElasticNetCV"}))
def test_two_d_y_is_multi_target(name):
    X, y = clean_data(6)
    Y = np.c_[y, -2 * y + 1]
    model = FITTERS[name]().fit(split_duplicates(X, "csr"), Y)
    for k in range(2):
        coef, intercept = fit(name, X, Y[:, k])
        assert_allclose(model.coef_[k], coef, rtol=1e-7, atol=1e-9)
        assert_allclose(model.intercept_[k], intercept, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("cls", [Lasso, ElasticNet])
def test_fista_overflow_raises_divergence_error_that_is_also_a_floating_point_error(cls):
    X, y = clean_data()
    with np.errstate(all="ignore"), pytest.raises(DivergenceError, match="too large") as err:
        cls(alpha=0.1, solver="fista").fit(X * 1e160, y * 1e160)
    assert isinstance(err.value, FloatingPointError) and isinstance(err.value, ValueError)


@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_coordinate_descent_certifies_finite_x_in_its_statistics_pass(monkeypatch, order, bad):
    """Dense unweighted CD skips the separate finite check of X (a 9 ms read of 160 MB): its copy's sums certify it.

    A finite X is never checked again by the estimator; NaN or ±inf anywhere
    still raises scikit-learn's error, from the statistics pass.
    """
    import fastreg.linear_model as lm_mod

    calls = []
    original = lm_mod.check_finite
    monkeypatch.setattr(lm_mod, "check_finite", lambda *a, **k: (calls.append(1), original(*a, **k))[1])
    rng = np.random.default_rng(0)
    X = np.asarray(rng.standard_normal((60, 40)), order=order)
    y = X[:, 0] + 0.1 * rng.standard_normal(60)
    model = fastreg.Lasso(alpha=0.01, solver="cd").fit(X, y)
    assert calls == [] and np.all(np.isfinite(model.coef_))
    ref = fastreg.Lasso(alpha=0.01, solver="fista", tol=1e-12, max_iter=100_000).fit(X, y)
    assert calls == [1]  # other solvers check up front
    np.testing.assert_allclose(model.coef_, ref.coef_, atol=1e-6)
    X_bad = X.copy(order="K")
    X_bad[17, 23] = bad
    with pytest.raises(ValueError, match="NaN" if np.isnan(bad) else "infinity"):
        fastreg.Lasso(alpha=0.01, solver="cd").fit(X_bad, y)
    with pytest.raises(ValueError, match="NaN" if np.isnan(bad) else "infinity"):
        fastreg.ElasticNet(alpha=0.01, solver="cd").fit(X_bad, y, sample_weight=np.ones(60))
