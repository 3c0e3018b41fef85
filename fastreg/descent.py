"""``fastreg.gradient_descent``: the seed's loop behind a thin, validated API."""

from ._validation import check_design, check_learning_rate, check_penalty, check_scalar, validate_fit_data
from .linear_model import LinearModel
from .solvers.gd import seed_gradient_descent
from .persistence import register


def gradient_descent(X, y, *, penalty="l2", lambda_=0.0, learning_rate=0.01, iterations=1000):
    """Fit linear regression with the seed's gradient-descent loop.

    Runs exactly the update of the seed document over ``[1, X]`` from
    ``θ = 0``: ``θ ← θ − learning_rate · ((1/m)[1, X]ᵀ(Xθ − y) + (λ/m)·pen(θ))``
    with ``pen(θ) = θ`` (``"l2"``), ``sign(θ)`` (``"l1"``) or 0 (``None``), the
    intercept ``θ[0]`` never penalized. Each iteration reads ``X`` once, in
    parallel.

    The L2 loop converges to Ridge with ``alpha = lambda_``; the L1 loop takes
    sign (subgradient) steps that hover around Lasso with
    ``alpha = lambda_ / m`` and never produce exact zeros.

    Parameters
    ----------
    X : array-like or scipy sparse matrix/array of shape (n_samples, n_features)
        Dense in any memory order, or any sparse format (CSR is used as is,
        other formats converted to CSR once; never densified).
    y : array-like of shape (n_samples,)
    penalty : {"l2", "l1", None}, default="l2"
    lambda_ : float >= 0, default=0.0
    learning_rate : float > 0 or "auto", default=0.01
        ``"auto"`` uses ``1/L``, ``L`` the largest eigenvalue of
        ``[1, X]ᵀ[1, X]/m`` (plus ``λ/m`` for L2), found by power iteration.
    iterations : int >= 0, default=1000

    Returns
    -------
    theta : ndarray of shape (n_features + 1,)
        ``theta[0]`` is the intercept, ``theta[1:]`` the coefficients;
        float32 if ``X`` is float32, float64 otherwise.

    Raises
    ------
    fastreg.DivergenceError
        If ``learning_rate`` makes the loop diverge; the message gives a safe
        step.
    ValueError, TypeError
        For invalid input or parameters.
    """
    penalty = check_penalty(penalty)
    lambda_ = float(check_scalar(lambda_, "lambda_"))
    learning_rate = check_learning_rate(learning_rate)
    iterations = int(check_scalar(iterations, "iterations", integer=True))
    X, y = check_design(X, y)
    theta, _ = seed_gradient_descent(
        X, y, penalty=penalty, lambda_=lambda_, learning_rate=learning_rate, iterations=iterations
    )
    return theta.astype(X.dtype, copy=False)


@register
class GradientDescentRegressor(LinearModel):
    """The seed's gradient-descent loop as a scikit-learn estimator.

    ``fit`` runs :func:`gradient_descent` and stores ``theta[1:]`` as
    ``coef_`` and ``theta[0]`` as ``intercept_``; it exists so that the
    command line's fits can be saved as model files and used by
    ``predict``.

    Parameters
    ----------
    penalty : {"l2", "l1", None}, default="l2"
    lambda_ : float >= 0, default=0.0
    learning_rate : float > 0 or "auto", default=0.01
    iterations : int >= 0, default=1000

    Attributes
    ----------
    coef_, intercept_, n_features_in_
    """

    def __init__(self, penalty="l2", *, lambda_=0.0, learning_rate=0.01, iterations=1000):
        self.penalty = penalty
        self.lambda_ = lambda_
        self.learning_rate = learning_rate
        self.iterations = iterations

    def __sklearn_is_fitted__(self):
        # ``lambda_`` is a parameter: the trailing underscore must not count as fitted
        return hasattr(self, "coef_")

    def fit(self, X, y):
        """Run the seed's loop on ``(X, y)``."""
        check_penalty(self.penalty)
        check_scalar(self.lambda_, "lambda_")
        check_learning_rate(self.learning_rate)
        check_scalar(self.iterations, "iterations", integer=True)
        # validate_fit_data sets n_features_in_; CSR is kept as given (the
        # fused kernels sum duplicate entries correctly), so no canonical copy.
        X, y = validate_fit_data(self, X, y, "csr", canonical=False)
        theta = gradient_descent(
            X, y, penalty=self.penalty, lambda_=self.lambda_,
            learning_rate=self.learning_rate, iterations=self.iterations,
        )
        self._set_coef(X, theta[1:], theta[0])
        return self
