"""Exceptions and warnings raised by fastreg."""

from sklearn.exceptions import ConvergenceWarning

__all__ = ["ConvergenceWarning", "DivergenceError"]


class DivergenceError(ValueError):
    """An iterative solver diverged: its step size is too large for the data."""
