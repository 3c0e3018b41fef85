"""Exceptions raised by fastreg."""


class DivergenceError(ValueError):
    """An iterative solver diverged: its step size is too large for the data."""
