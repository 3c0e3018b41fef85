"""fastreg: regularized linear regression on numba kernels, pinned to a NumPy reference."""

from .descent import gradient_descent
from .exceptions import DivergenceError

__version__ = "0.1.0"

__all__ = ["gradient_descent", "DivergenceError", "__version__"]
