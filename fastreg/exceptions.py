"""Exceptions and warnings raised by fastreg."""

from sklearn.exceptions import ConvergenceWarning

__all__ = ["ConvergenceWarning", "DivergenceError"]


class DivergenceError(ValueError, FloatingPointError):
    """An iterative solver diverged or overflowed: its step is too large, or the values of X or y too large.

    A ``ValueError`` (bad input for the solver) and a ``FloatingPointError``
    (what ``solver="fista"`` raised before it raised this), so either ``except``
    catches it.
    """
