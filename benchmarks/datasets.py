"""The 1,000-feature datasets of the gradient-descent benchmarks (generated, cached per process)."""

import functools

import numpy as np
import scipy.sparse as sp

N_FEATURES = 1000


@functools.lru_cache(maxsize=None)
def dense(n_samples=100_000, dtype="float64", seed=0):
    """``n_samples × 1000`` standard-normal C-ordered ``X`` and a linear ``y``."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_samples, N_FEATURES), dtype=np.float64)
    y = X[:, :50] @ rng.standard_normal(50) + rng.standard_normal(n_samples)
    return X.astype(dtype, copy=False), y


@functools.lru_cache(maxsize=None)
def csr(n_samples=400_000, density=0.01, seed=0):
    """``n_samples × 1000`` CSR ``X`` at ``density`` and a linear ``y``."""
    rng = np.random.default_rng(seed)
    X = sp.random(n_samples, N_FEATURES, density=density, format="csr", random_state=seed)
    y = X @ rng.standard_normal(N_FEATURES) + rng.standard_normal(n_samples)
    return X, y


def x_bytes(X):
    """Bytes of ``X`` one pass reads (the stored arrays for CSR)."""
    if sp.issparse(X):
        return X.data.nbytes + X.indices.nbytes + X.indptr.nbytes
    return X.nbytes


def numpy_loop_same_dtype(X, y, lambda_, learning_rate, iterations):
    """The seed's Ridge loop with the ones column and θ in ``X``'s own dtype.

    The seed's own code (``fastreg.reference``) prepends a float64 column of
    ones, so it runs float32 data in float64; this variant is the fairest
    NumPy loop for float32 data.
    """
    m = X.shape[0]
    X_vectorized = np.c_[np.ones(m, dtype=X.dtype), X]
    y = y.astype(X.dtype)
    theta = np.zeros(X_vectorized.shape[1], dtype=X.dtype)
    for _ in range(iterations):
        error = X_vectorized @ theta - y
        theta_penalized = theta.copy()
        theta_penalized[0] = 0
        gradient = (1 / m) * (X_vectorized.T @ error) + (lambda_ / m) * theta_penalized
        theta = theta - learning_rate * gradient
    return theta
