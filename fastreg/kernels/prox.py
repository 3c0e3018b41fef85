"""Penalty steps applied to ``θ = [b, w]`` after a gradient pass (bias never penalized)."""

import numpy as np
from numba import njit

PENALTY_NONE = 0
PENALTY_L2 = 1
PENALTY_L1 = 2


@njit(cache=True)
def seed_step(theta, grad, m, lambda_, learning_rate, penalty):
    """The seed's update, in place: ``θ ← θ − lr · ((1/m)·grad + (λ/m)·pen(θ))``.

    ``pen(θ)`` is ``θ`` for L2, ``sign(θ)`` for L1 and 0 without penalty, with
    the bias ``θ[0]`` excluded. ``grad`` holds the unscaled ``[Σr, Xᵀr]``.
    Returns the penalty term of the objective the step descends, at the
    incoming ``θ``: ``(λ/2m)‖w‖²`` (L2), ``(λ/m)‖w‖₁`` (L1) or 0.
    """
    inv_m = 1.0 / m
    lam_m = lambda_ / m
    theta[0] = theta[0] - learning_rate * (inv_m * grad[0])
    value = 0.0
    for j in range(1, theta.shape[0]):
        t = theta[j]
        if penalty == PENALTY_L2:
            pen = t
            value += t * t
        elif penalty == PENALTY_L1:
            pen = np.sign(t)
            value += abs(t)
        else:
            pen = 0.0
        theta[j] = t - learning_rate * (inv_m * grad[j] + lam_m * pen)
    if penalty == PENALTY_L2:
        return 0.5 * lam_m * value
    return lam_m * value
