"""Plain NumPy reference: the seed document's loops, written the seed's way.

This module is the oracle every kernel is pinned to. It imports nothing from
``fastreg.kernels`` or ``fastreg.solvers`` and favours readability over speed:
a column of ones is prepended to ``X`` (``X_vectorized``), ``theta`` starts at
zero, and each iteration runs the seed's five lines.

Conventions (``m`` samples, ``theta[0]`` the bias, never penalized):

* Ridge update: ``gradient = (1/m) X_vᵀ(X_v θ − y) + (λ/m) θ_pen``
* Lasso update: ``gradient = (1/m) X_vᵀ(X_v θ − y) + (λ/m) sign(θ_pen)``
* OLS update:   ``gradient = (1/m) X_vᵀ(X_v θ − y)``

The seed's cost functions (:func:`ridge_cost`, :func:`lasso_cost`) are given as
the seed writes them, ``λ Σθ²`` and ``λ Σ|θ|`` without the ``1/m``; the loops
actually descend :func:`descent_objective`, which carries the ``1/m`` (and the
``1/2`` of the squared penalty) that the update rules imply.
"""

import numpy as np
import scipy.sparse as sp

__all__ = [
    "add_bias_column",
    "gradient_descent",
    "ols_gradient_descent",
    "ridge_gradient_descent",
    "lasso_gradient_descent",
    "mse_cost",
    "ridge_cost",
    "lasso_cost",
    "descent_objective",
]


def add_bias_column(X):
    """Return ``X_vectorized``: a column of ones followed by the columns of ``X``.

    Written the seed's way, with a float64 column of ones, so the result is
    float64 whatever the dtype of ``X``. Sparse input stays sparse (CSR).
    """
    m = X.shape[0]
    ones = np.ones((m, 1))
    if sp.issparse(X):
        return sp.hstack([sp.csr_matrix(ones), X], format="csr")
    return np.c_[ones, np.asarray(X)]


def _matvec(A, v):
    return A @ v if sp.issparse(A) else np.dot(A, v)


def _rmatvec(A, v):
    return A.T @ v if sp.issparse(A) else np.dot(A.T, v)


def ridge_gradient_descent(X, y, lambda_=0.0, learning_rate=0.01, iterations=1000):
    """The seed's Ridge (L2) loop. Returns ``theta`` over ``[1, X]``."""
    X_vectorized = add_bias_column(X)
    m = X_vectorized.shape[0]
    y = np.asarray(y, dtype=float)
    theta = np.zeros(X_vectorized.shape[1])
    for i in range(iterations):
        # 1. Calculate predictions
        predictions = _matvec(X_vectorized, theta)
        # 2. Calculate errors
        error = predictions - y
        # 3. Copy theta and set theta_0 to zero (the bias is not penalized)
        theta_penalized = np.copy(theta)
        theta_penalized[0] = 0
        # 4. Gradient WITH the L2 penalty
        gradient = (1 / m) * _rmatvec(X_vectorized, error) + (lambda_ / m) * theta_penalized
        # 5. Update theta
        theta = theta - (learning_rate * gradient)
    return theta


def lasso_gradient_descent(X, y, lambda_=0.0, learning_rate=0.01, iterations=1000):
    """The seed's Lasso (L1) loop: sign subgradient steps, no exact zeros."""
    X_vectorized = add_bias_column(X)
    m = X_vectorized.shape[0]
    y = np.asarray(y, dtype=float)
    theta = np.zeros(X_vectorized.shape[1])
    for i in range(iterations):
        predictions = _matvec(X_vectorized, theta)
        error = predictions - y
        theta_penalized = np.copy(theta)
        theta_penalized[0] = 0
        # 4. Gradient WITH the L1 penalty using np.sign()
        gradient = (1 / m) * _rmatvec(X_vectorized, error) + (lambda_ / m) * np.sign(theta_penalized)
        theta = theta - (learning_rate * gradient)
    return theta


def ols_gradient_descent(X, y, learning_rate=0.01, iterations=1000):
    """The seed's loop with no penalty: plain least squares."""
    X_vectorized = add_bias_column(X)
    m = X_vectorized.shape[0]
    y = np.asarray(y, dtype=float)
    theta = np.zeros(X_vectorized.shape[1])
    for i in range(iterations):
        predictions = _matvec(X_vectorized, theta)
        error = predictions - y
        gradient = (1 / m) * _rmatvec(X_vectorized, error)
        theta = theta - (learning_rate * gradient)
    return theta


def gradient_descent(X, y, *, penalty="l2", lambda_=0.0, learning_rate=0.01, iterations=1000):
    """Dispatch to the seed's loop for ``penalty`` in ``"l2"``, ``"l1"``, ``None``."""
    if penalty == "l2":
        return ridge_gradient_descent(X, y, lambda_, learning_rate, iterations)
    if penalty == "l1":
        return lasso_gradient_descent(X, y, lambda_, learning_rate, iterations)
    if penalty is None:
        return ols_gradient_descent(X, y, learning_rate, iterations)
    raise ValueError(f"penalty must be 'l2', 'l1' or None, got {penalty!r}")


def mse_cost(X, y, theta):
    """``J(θ) = (1/2m) Σ (h_θ(x) − y)²``, the seed's unregularized cost."""
    X_vectorized = add_bias_column(X)
    m = X_vectorized.shape[0]
    error = _matvec(X_vectorized, theta) - np.asarray(y, dtype=float)
    return (1 / (2 * m)) * np.sum(error**2)


def ridge_cost(X, y, theta, lambda_):
    """The seed's Ridge cost as written: ``J(θ) + λ Σ_{j≥1} θ_j²``."""
    return mse_cost(X, y, theta) + lambda_ * np.sum(np.asarray(theta)[1:] ** 2)


def lasso_cost(X, y, theta, lambda_):
    """The seed's Lasso cost as written: ``J(θ) + λ Σ_{j≥1} |θ_j|``."""
    return mse_cost(X, y, theta) + lambda_ * np.sum(np.abs(np.asarray(theta)[1:]))


def descent_objective(X, y, theta, *, penalty="l2", lambda_=0.0):
    """The function the seed's update rule descends.

    ``(1/2m)‖X_v θ − y‖² + (λ/2m)‖θ_pen‖²`` for ``"l2"``,
    ``(1/2m)‖X_v θ − y‖² + (λ/m)‖θ_pen‖₁`` for ``"l1"``, the first term alone
    for ``None``. Its gradient (subgradient for ``"l1"``) is the seed's
    ``gradient`` line.
    """
    m = X.shape[0]
    theta = np.asarray(theta, dtype=float)
    loss = mse_cost(X, y, theta)
    if penalty == "l2":
        return loss + (lambda_ / (2 * m)) * np.sum(theta[1:] ** 2)
    if penalty == "l1":
        return loss + (lambda_ / m) * np.sum(np.abs(theta[1:]))
    return loss
