"""fastreg: regularized linear regression on numba kernels, pinned to a NumPy reference."""

from .descent import gradient_descent
from .exceptions import DivergenceError
from .linear_model import ElasticNet, Lasso, LinearRegression, Ridge
from .persistence import ModelFileError, load

__version__ = "0.1.0"

__all__ = [
    "gradient_descent",
    "DivergenceError",
    "LinearRegression",
    "Ridge",
    "Lasso",
    "ElasticNet",
    "load",
    "ModelFileError",
    "__version__",
]
