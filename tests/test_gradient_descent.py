"""fastreg.gradient_descent against the plain NumPy reference (the seed's loops)."""

import numba
import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.linear_model import Ridge

import fastreg
from fastreg import reference
from fastreg.solvers.fused import FusedGradient
from fastreg.solvers.gd import lipschitz_constant

from helpers import STORAGES, make_regression_data

PENALTIES = ["l2", "l1", None]
SETTINGS = dict(learning_rate=0.05, iterations=400)


def as_storage(X, storage, dtype):
    return STORAGES[storage](X.astype(dtype))


@pytest.mark.parametrize("penalty", PENALTIES)
@pytest.mark.parametrize("lambda_", [0.0, 7.0])
def test_parity_with_reference(storage, dtype, penalty, lambda_):
    X, y = make_regression_data(n=131, p=17, density=0.3)
    Xs = as_storage(X, storage, dtype)
    theta = fastreg.gradient_descent(Xs, y, penalty=penalty, lambda_=lambda_, **SETTINGS)
    # The reference runs on the same (dtype-rounded) values, in float64.
    expected = reference.gradient_descent(
        X.astype(dtype).astype(np.float64), y, penalty=penalty, lambda_=lambda_, **SETTINGS
    )
    assert theta.dtype == dtype
    assert theta.shape == (X.shape[1] + 1,)
    assert_allclose(theta, expected, rtol=1e-10 if dtype == np.float64 else 1e-4)


@pytest.mark.parametrize("penalty", PENALTIES)
def test_parity_f_order_in_place(dtype, penalty):
    """Few iterations: F-ordered X is read in place by the row-block kernel, not copied."""
    X, y = make_regression_data(n=301, p=37, seed=6)
    Xf = np.asfortranarray(X.astype(dtype))
    theta = fastreg.gradient_descent(Xf, y, penalty=penalty, lambda_=3.0, learning_rate=0.05, iterations=5)
    expected = reference.gradient_descent(
        Xf.astype(np.float64), y, penalty=penalty, lambda_=3.0, learning_rate=0.05, iterations=5
    )
    assert_allclose(theta, expected, rtol=1e-10 if dtype == np.float64 else 1e-4)


@pytest.mark.parametrize("penalty", PENALTIES)
def test_parity_sparse_reference(penalty):
    """The reference's own sparse path agrees with its dense path and with the kernels."""
    X, y = make_regression_data(n=90, p=12, density=0.2, seed=3)
    Xs = sp.csr_matrix(X)
    ref_sparse = reference.gradient_descent(Xs, y, penalty=penalty, lambda_=3.0, **SETTINGS)
    ref_dense = reference.gradient_descent(X, y, penalty=penalty, lambda_=3.0, **SETTINGS)
    theta = fastreg.gradient_descent(Xs, y, penalty=penalty, lambda_=3.0, **SETTINGS)
    assert_allclose(ref_sparse, ref_dense, rtol=1e-12)
    assert_allclose(theta, ref_sparse, rtol=1e-10)


def test_wide_data_and_many_rows_per_thread():
    """n < p, and n not a multiple of the 4-row blocks of the C kernel."""
    X, y = make_regression_data(n=23, p=60, seed=5)
    for Xs in (X, np.asfortranarray(X), sp.csr_matrix(X)):
        theta = fastreg.gradient_descent(Xs, y, penalty="l2", lambda_=1.0, learning_rate=0.005)
        expected = reference.gradient_descent(X, y, penalty="l2", lambda_=1.0, learning_rate=0.005)
        assert_allclose(theta, expected, rtol=1e-10)


def test_unsorted_and_duplicate_csr_entries_are_summed():
    X, y = make_regression_data(n=50, p=8, density=0.4, seed=1)
    A = sp.csr_matrix(X)
    # Split every stored value into two duplicate entries, and reverse each row.
    rows = np.repeat(np.arange(A.shape[0]), np.diff(A.indptr))
    data = np.concatenate([0.25 * A.data, 0.75 * A.data])[::-1].copy()
    cols = np.concatenate([A.indices, A.indices])[::-1].copy()
    rr = np.concatenate([rows, rows])[::-1]
    order = np.argsort(rr, kind="stable")
    indptr = np.concatenate([[0], np.cumsum(np.bincount(rr, minlength=A.shape[0]))])
    B = sp.csr_matrix((data[order], cols[order], indptr), shape=A.shape)
    assert not B.has_canonical_format
    before = (B.data.copy(), B.indices.copy(), B.indptr.copy())
    theta = fastreg.gradient_descent(B, y, penalty="l1", lambda_=2.0, **SETTINGS)
    expected = reference.gradient_descent(X, y, penalty="l1", lambda_=2.0, **SETTINGS)
    assert_allclose(theta, expected, rtol=1e-10)
    # the caller's matrix is untouched (not summed, not sorted)
    for a, b in zip(before, (B.data, B.indices, B.indptr)):
        assert_array_equal(a, b)


def test_int64_indices():
    X, y = make_regression_data(n=60, p=9, density=0.3, seed=2)
    A = sp.csr_matrix(X)
    B = A.copy()
    B.indices, B.indptr = A.indices.astype(np.int64), A.indptr.astype(np.int64)  # scipy would downcast
    assert B.indices.dtype == np.int64
    assert_allclose(
        fastreg.gradient_descent(B, y, **SETTINGS), fastreg.gradient_descent(A, y, **SETTINGS), rtol=1e-12
    )


def test_odd_inputs_give_the_reference_answer():
    X, y = make_regression_data(n=64, p=10, seed=4)
    expected = reference.gradient_descent(X, y, **SETTINGS)
    Xro = X.copy()
    Xro.setflags(write=False)
    big = np.zeros((64, 20))
    big[:, ::2] = X
    view = big[:, ::2]  # non-contiguous
    assert not (view.flags.c_contiguous or view.flags.f_contiguous)
    for Xs in (Xro, view, X.tolist()):
        assert_allclose(fastreg.gradient_descent(Xs, list(y), **SETTINGS), expected, rtol=1e-10)
    # integer data goes to float64
    Xi = np.round(X * 10).astype(np.int64)
    theta = fastreg.gradient_descent(Xi, y, learning_rate=1e-3)
    assert theta.dtype == np.float64
    assert_allclose(theta, reference.gradient_descent(Xi.astype(float), y, learning_rate=1e-3), rtol=1e-10)


def test_inputs_are_not_modified():
    X, y = make_regression_data(n=40, p=6)
    Xc, yc = X.copy(), y.copy()
    fastreg.gradient_descent(X, y, penalty="l1", lambda_=1.0, **SETTINGS)
    assert_array_equal(X, Xc)
    assert_array_equal(y, yc)


def test_zero_iterations_returns_zeros():
    X, y = make_regression_data(n=10, p=3)
    assert_array_equal(fastreg.gradient_descent(X, y, iterations=0), np.zeros(4))


def test_result_independent_of_thread_count():
    X, y = make_regression_data(n=203, p=30, seed=7)
    for Xs in (X, np.asfortranarray(X), sp.csr_matrix(X)):
        out = {}
        for k in (1, 3, 8):
            theta, g = np.linspace(-1, 1, 31), np.empty(31)
            sse = FusedGradient(Xs, n_chunks=k)(theta, y, g)
            out[k] = (sse, g)
        for k in (3, 8):
            assert_allclose(out[k][0], out[1][0], rtol=1e-12)
            assert_allclose(out[k][1], out[1][1], rtol=1e-12)
    previous = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = fastreg.gradient_descent(X, y, **SETTINGS)
    finally:
        numba.set_num_threads(previous)
    assert_allclose(fastreg.gradient_descent(X, y, **SETTINGS), one, rtol=1e-11)


def test_fused_gradient_matches_numpy(storage, dtype):
    X, y = make_regression_data(n=77, p=13, density=0.5, seed=8)
    Xs = as_storage(X, storage, dtype)
    if sp.issparse(Xs):
        Xs = Xs.tocsr()
    theta = np.random.default_rng(0).standard_normal(14)
    g = np.empty(14)
    sse = FusedGradient(Xs)(theta, y, g)
    Xv = np.c_[np.ones(77), X.astype(dtype).astype(float)]
    r = Xv @ theta - y
    assert_allclose(sse, r @ r, rtol=1e-12)
    assert_allclose(g, Xv.T @ r, rtol=1e-12)


@pytest.mark.parametrize("penalty", ["l2", "l1", None])
def test_lipschitz_constant_is_the_largest_eigenvalue(penalty):
    X, y = make_regression_data(n=80, p=7, seed=9)
    Xv = np.c_[np.ones(80), X]
    H = Xv.T @ Xv / 80
    if penalty == "l2":
        H[1:, 1:] += (5.0 / 80) * np.eye(7)
    L = lipschitz_constant(FusedGradient(X), penalty, 5.0, tol=1e-12)
    assert_allclose(L, np.linalg.eigvalsh(H)[-1], rtol=1e-8)


def test_auto_learning_rate_reaches_ridge_optimum():
    """The L2 loop converges to Ridge with alpha = lambda_."""
    X, y = make_regression_data(n=150, p=8, seed=10)
    theta = fastreg.gradient_descent(X, y, penalty="l2", lambda_=4.0, learning_rate="auto", iterations=5000)
    ridge = Ridge(alpha=4.0).fit(X, y)
    assert_allclose(theta[1:], ridge.coef_, rtol=1e-8)
    assert_allclose(theta[0], ridge.intercept_, rtol=1e-8)


@pytest.mark.parametrize("penalty", PENALTIES)
@pytest.mark.parametrize("learning_rate", [10.0, 1e6])
def test_diverging_learning_rate_raises_with_a_safe_step(storage, penalty, learning_rate):
    X, y = make_regression_data(n=60, p=5, density=0.5)
    Xs = STORAGES[storage](X)
    with pytest.raises(fastreg.DivergenceError, match=r"learning_rate=.*too large.*use learning_rate=") as err:
        fastreg.gradient_descent(Xs, y, penalty=penalty, lambda_=1.0, learning_rate=learning_rate)
    assert isinstance(err.value, ValueError)
    suggested = float(str(err.value).split("use learning_rate=")[1].split()[0])
    L = np.linalg.eigvalsh(np.c_[np.ones(60), X].T @ np.c_[np.ones(60), X] / 60)[-1]
    assert 0.5 / L < suggested <= 1.0 / L * (1 + 1e-3)
    theta = fastreg.gradient_descent(Xs, y, penalty=penalty, lambda_=1.0, learning_rate=suggested)
    assert np.all(np.isfinite(theta))


def test_slow_divergence_is_caught():
    """A step just above the stability limit 2/L still raises, before inf appears."""
    X, y = make_regression_data(n=100, p=6, seed=11)
    Xv = np.c_[np.ones(100), X]
    L = np.linalg.eigvalsh(Xv.T @ Xv / 100)[-1]
    with pytest.raises(fastreg.DivergenceError):
        fastreg.gradient_descent(X, y, penalty=None, learning_rate=2.05 / L, iterations=3000)
    # just below the limit it converges (no error)
    theta = fastreg.gradient_descent(X, y, penalty=None, learning_rate=1.95 / L, iterations=3000)
    assert_allclose(theta, np.linalg.lstsq(Xv, y, rcond=None)[0], rtol=1e-6)


def test_large_l1_penalty_hovers_without_error():
    """Huge lambda makes the sign steps bounce around zero; that is not divergence."""
    X, y = make_regression_data(n=50, p=30, seed=12)
    theta = fastreg.gradient_descent(X, y * 1e-3, penalty="l1", lambda_=1e4, learning_rate=0.1)
    expected = reference.gradient_descent(X, y * 1e-3, penalty="l1", lambda_=1e4, learning_rate=0.1)
    assert_allclose(theta, expected, rtol=1e-10)


def test_sign_steps_give_no_exact_zeros():
    X, y = make_regression_data(n=100, p=10, seed=13)
    theta = fastreg.gradient_descent(X, y, penalty="l1", lambda_=20.0, learning_rate=0.05, iterations=2000)
    assert np.count_nonzero(theta[1:] == 0.0) == 0
    assert np.max(np.abs(theta[6:])) < 0.1  # the useless half hovers near zero


@pytest.mark.parametrize(
    "kwargs, error, pattern",
    [
        (dict(iterations=-1), ValueError, "iterations must be >= 0"),
        (dict(iterations=2.5), TypeError, "iterations must be an integer"),
        (dict(iterations=True), TypeError, "iterations must be an integer"),
        (dict(penalty="l3"), ValueError, "penalty must be 'l2', 'l1' or None"),
        (dict(penalty="none"), ValueError, "penalty must be"),
        (dict(lambda_=-1.0), ValueError, "lambda_ must be >= 0"),
        (dict(lambda_=np.nan), ValueError, "lambda_ must be finite"),
        (dict(lambda_="1"), TypeError, "lambda_ must be a real number"),
        (dict(learning_rate=0.0), ValueError, "learning_rate must be > 0"),
        (dict(learning_rate=-0.1), ValueError, "learning_rate must be > 0"),
        (dict(learning_rate="fast"), ValueError, "learning_rate must be a positive number or 'auto'"),
        (dict(learning_rate=np.inf), ValueError, "learning_rate must be finite"),
    ],
)
def test_bad_parameters(kwargs, error, pattern):
    X, y = make_regression_data(n=10, p=3)
    with pytest.raises(error, match=pattern):
        fastreg.gradient_descent(X, y, **kwargs)


def test_bad_data():
    X, y = make_regression_data(n=10, p=3)
    Xn = X.copy()
    Xn[2, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        fastreg.gradient_descent(Xn, y)
    Xi = X.copy()
    Xi[0, 0] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        fastreg.gradient_descent(sp.csr_matrix(Xi), y)
    yn = y.copy()
    yn[0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        fastreg.gradient_descent(X, yn)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        fastreg.gradient_descent(X, y[:-1])
    with pytest.raises(ValueError, match="2D array"):
        fastreg.gradient_descent(X[:, 0], y)
    with pytest.raises(ValueError, match="0 sample"):
        fastreg.gradient_descent(np.empty((0, 3)), np.empty(0))
    with pytest.raises(ValueError, match="could not convert|numeric"):
        fastreg.gradient_descent(np.array([["a", "b"], ["c", "d"]]), [1.0, 2.0])


def test_invalid_csr_structure_is_rejected():
    A = sp.csr_matrix((np.ones(2), np.array([0, 7]), np.array([0, 1, 2])), shape=(2, 3))
    with pytest.raises(ValueError, match="column indices outside"):
        fastreg.gradient_descent(A, [1.0, 2.0])
