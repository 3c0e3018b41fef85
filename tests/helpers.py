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

