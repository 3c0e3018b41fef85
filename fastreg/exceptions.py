"""Exceptions and warnings raised by fastreg."""

from sklearn.exceptions import ConvergenceWarning

__all__ = ["ConvergenceWarning", "DivergenceError", "MemoryCopyWarning"]


class DivergenceError(ValueError, FloatingPointError):
    """An iterative solver diverged or overflowed: its step is too large, or the values of X or y too large.

    A ``ValueError`` (bad input for the solver) and a ``FloatingPointError``
    (what ``solver="fista"`` raised before it raised this), so either ``except``
    catches it.
    """


class MemoryCopyWarning(UserWarning):
    """Large or memory-mapped dense ``X`` (see :func:`fastreg.set_config`'s ``memory_budget``) is copied.

    Raised where no streamed route serves the fit (see the user guide, "Large
    and memory-mapped data"): the copy is anonymous memory about the size of
    ``X`` (twice for float32 ``X`` turned float64).
    """
