"""Shared test data and storage conversions."""

import numpy as np
import scipy.sparse as sp


def make_regression_data(n=120, p=15, density=None, seed=0, offset=3.0):
    """Small regression data with a non-zero intercept; sparse when ``density`` is given."""
    rng = np.random.default_rng(seed)
    if density is None:
        X = rng.standard_normal((n, p))
    else:
        X = sp.random(n, p, density=density, format="csr", random_state=seed).toarray()
    w = rng.standard_normal(p)
    w[p // 2 :] = 0.0
    y = X @ w + offset + 0.1 * rng.standard_normal(n)
    return X, y


# storage name -> function turning a float64 dense array into that storage
STORAGES = {
    "C": np.ascontiguousarray,
    "F": np.asfortranarray,
    "csr_matrix": sp.csr_matrix,
    "csr_array": sp.csr_array,
    "csc_matrix": sp.csc_matrix,
    "coo_array": sp.coo_array,
}



def assert_ridge_certified(X, y, alpha, coef, intercept, ref_coef, ref_intercept, gap=1e-12):
    """The promise of Ridge's "auto" conjugate gradients at the default ``tol``: the objective
    ``‖y − Xw − b‖² + α‖w‖²`` within ``gap`` relative of the reference optimum, and hence (it is
    α-strongly convex in ``w``, ``b`` fitted given ``w``) ``‖w − w*‖ ≤ √(gap·f*/α)`` and
    ``|b − b*| ≤ ‖x̄‖·√(gap·f*/α)``. A 2-D ``y`` (n, k): each target in turn, ``coef`` (k, p) and an
    ``intercept`` of k values or one shared; rounding of the reference counts 1e-14 of ``f*``."""
    if np.ndim(y) == 2:
        k = y.shape[1]
        for j in range(k):
            assert_ridge_certified(X, y[:, j], alpha, coef[j], np.broadcast_to(intercept, (k,))[j], ref_coef[j],
                                   np.broadcast_to(ref_intercept, (k,))[j], gap)
        return
    X = X.toarray() if sp.issparse(X) else np.asarray(X, dtype=np.float64)

    def objective(w, b):
        r = y - X @ w - b
        return r @ r + alpha * w @ w

    f, f_ref = objective(coef, intercept), objective(ref_coef, ref_intercept)
    assert f - f_ref <= (gap + 1e-14) * f_ref, (f, f_ref)
    radius = np.sqrt((gap + 1e-14) * f_ref / alpha)
    assert np.linalg.norm(coef - ref_coef) <= radius, (np.linalg.norm(coef - ref_coef), radius)
    assert abs(intercept - ref_intercept) <= np.linalg.norm(X.mean(axis=0)) * radius + 1e-12 * max(abs(ref_intercept), 1.0)
