"""The seed's gradient-descent loop on the fused kernels, with divergence checks.

Each iteration is one fused pass over ``X`` (:class:`~fastreg.solvers.fused.FusedGradient`)
followed by the seed's update (:func:`~fastreg.kernels.prox.seed_step`). The
pass also yields the residual sum of squares, so the objective the loop
descends is known at every iterate for free; it drives the divergence check.
"""

import math

import numpy as np

from ..exceptions import DivergenceError
from ..kernels.prox import PENALTY_L1, PENALTY_L2, PENALTY_NONE, seed_step
from .._policy import c_copy_pays
from .fused import FusedGradient

PENALTY_CODES = {None: PENALTY_NONE, "l2": PENALTY_L2, "l1": PENALTY_L1}

# With a stable step the smooth objective (OLS, Ridge) never increases; allow
# rounding noise. The L1 sign steps are not monotone: they hover around the
# optimum, so only a doubling of the best objective seen is suspicious.
_SMOOTH_SLACK = 1e-9
_L1_FACTOR = 2.0



def lipschitz_constant(grad_op, penalty, lambda_, *, tol=1e-6, max_iter=500, seed=0):
    """Largest eigenvalue ``L`` of the Hessian of the descended objective.

    Power iteration on ``H = [1, X]ᵀ[1, X] / m`` (plus ``(λ/m)`` on the
    penalized coordinates for L2), each product being one fused pass with
    ``y = 0``. Returns the Rayleigh quotient, a lower bound on ``L`` that is
    within ``tol`` relative once converged.

    Parameters
    ----------
    grad_op : FusedGradient
    penalty : {"l2", "l1", None}
    lambda_ : float
    tol : float
        Relative change of the estimate at which to stop.
    max_iter : int
    seed : int
        Seed of the random start vector (fixed, so the result is reproducible).
    """
    m, q = grad_op.n_samples, grad_op.n_features + 1
    zeros = np.zeros(m)
    hv = np.empty(q)

    def hessian_times(v):
        grad_op(v, zeros, hv)
        out = hv / m
        if penalty == "l2":
            out[1:] += (lambda_ / m) * v[1:]
        return out

    return power_iteration(hessian_times, q, tol=tol, max_iter=max_iter, seed=seed)


def power_iteration(matvec, size, *, tol=1e-6, max_iter=500, seed=0):
    """Largest eigenvalue of a symmetric positive semi-definite operator (its Rayleigh quotient).

    ``matvec(v)`` returns the product with a unit vector ``v`` of length
    ``size`` (it may reuse its output buffer). Stops when the estimate
    changes by at most ``tol`` relative; a lower bound on the eigenvalue.
    The start vector is random with a fixed ``seed``: reproducible.
    """
    if size == 0:
        return 0.0
    v = np.random.default_rng(seed).standard_normal(size)
    v /= np.linalg.norm(v)
    estimate = 0.0
    for _ in range(max_iter):
        hv = matvec(v)
        new = float(v @ hv)
        norm = np.linalg.norm(hv)
        if norm == 0.0:
            return 0.0
        v = hv / norm
        if abs(new - estimate) <= tol * new:
            return new
        estimate = new
    return estimate


def safe_learning_rate(grad_op, penalty, lambda_):
    """The step ``1/L``, ``L`` from :func:`lipschitz_constant`.

    ``L >= 1`` always: the bias column alone gives ``[1, X]ᵀ[1, X]/m`` a unit
    diagonal entry.
    """
    return 1.0 / lipschitz_constant(grad_op, penalty, lambda_)


def seed_gradient_descent(X, y, *, penalty, lambda_, learning_rate, iterations, fit_intercept=True, tol=None):
    """Run the seed's loop on validated input.

    Parameters
    ----------
    X : ndarray (C- or F-contiguous) or scipy CSR, float32 or float64
    y : (n,) float64 ndarray
    penalty : {"l2", "l1", None}
    lambda_ : float >= 0
    learning_rate : float > 0 or "auto"
    iterations : int >= 0
    fit_intercept : bool, default=True
        ``False`` keeps ``theta[0]`` at 0 (the seed always fits it).
    tol : float or None, default=None
        Stop early once the largest entry of the gradient of the descended
        objective is at most ``tol`` (smooth objectives only: no penalty or
        L2; the L1 sign steps never settle). ``None`` runs all iterations,
        as the seed does.

    Returns
    -------
    theta : (p + 1,) float64 ndarray, ``theta[0]`` the intercept
    n_iter : int
        Iterations run.

    Raises
    ------
    DivergenceError
        If the iterates or the objective become non-finite, or the objective
        grows and the step is confirmed above the stability limit ``2/L``.
    """
    if c_copy_pays(X, iterations):
        X = np.ascontiguousarray(X)
    grad_op = FusedGradient(X)
    m, q = grad_op.n_samples, grad_op.n_features + 1
    code = PENALTY_CODES[penalty]
    if learning_rate == "auto":
        learning_rate = safe_learning_rate(grad_op, penalty, lambda_)
    theta = np.zeros(q)
    grad = np.empty(q)
    best = math.inf
    watch = True
    smooth_tol = tol if tol is not None and code != PENALTY_L1 else None
    n_iter = 0
    for k in range(iterations):
        sse = grad_op(theta, y, grad)
        if not fit_intercept:
            grad[0] = 0.0
        if smooth_tol is not None and _gradient_norm(grad, theta, m, lambda_, code) <= smooth_tol:
            break
        n_iter += 1
        objective = sse / (2.0 * m) + seed_step(theta, grad, m, lambda_, learning_rate, code)
        if not math.isfinite(objective):
            raise _divergence(grad_op, penalty, lambda_, learning_rate, k)
        if watch and objective > _limit(best, code):
            # The objective grew: confirm against the stability limit 2/L
            # before blaming the step (the L1 loop may rise without diverging).
            L = lipschitz_constant(grad_op, penalty, lambda_)
            if learning_rate * L >= 2.0:
                raise _divergence(grad_op, penalty, lambda_, learning_rate, k, L)
            watch = False
        best = min(best, objective)
    if not np.all(np.isfinite(theta)):
        raise _divergence(grad_op, penalty, lambda_, learning_rate, iterations)
    return theta, n_iter


def _gradient_norm(grad, theta, m, lambda_, code):
    """Largest entry of the gradient ``(1/m)·grad + (λ/m)·[0, w]`` of a smooth objective."""
    g = grad / m
    if code == PENALTY_L2:
        g[1:] += (lambda_ / m) * theta[1:]
    return float(np.max(np.abs(g)))


def _limit(best, code):
    if code == PENALTY_L1:
        return _L1_FACTOR * best
    return best + _SMOOTH_SLACK * abs(best)


def _divergence(grad_op, penalty, lambda_, learning_rate, iteration, L=None):
    if L is None:
        L = lipschitz_constant(grad_op, penalty, lambda_)
    hessian = "[1, X]ᵀ[1, X]/m" + (" + (λ/m)I" if penalty == "l2" else "")
    return DivergenceError(
        f"gradient descent diverged at iteration {iteration}: learning_rate={learning_rate:.4g} "
        f"is too large for this data (the largest stable step is 2/L = {2.0 / L:.4g}); "
        f"use learning_rate={1.0 / L:.4g} (1/L, L = {L:.4g} the largest eigenvalue of "
        f"{hessian}) or learning_rate='auto'"
    )
