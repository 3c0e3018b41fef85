"""fastreg: regularized linear regression on numba kernels, pinned to a NumPy reference."""

from ._config import config_context, get_config, set_config
from .descent import gradient_descent
from .exceptions import DivergenceError, MemoryCopyWarning
from .linear_model import ElasticNet, Lasso, LinearRegression, Ridge
from .persistence import ModelFileError, load
from .path import PathResult, enet_path, fit_path, lasso_path
from .path_cv import ElasticNetCV, LassoCV
from .path_estimators import ElasticNetPath, LassoPath
from .ridge_cv import RidgeCV

from ._version import __version__

__all__ = [
    "gradient_descent",
    "DivergenceError",
    "MemoryCopyWarning",
    "set_config",
    "get_config",
    "config_context",
    "LinearRegression",
    "Ridge",
    "Lasso",
    "ElasticNet",
    "load",
    "ModelFileError",
    "lasso_path",
    "enet_path",
    "fit_path",
    "PathResult",
    "LassoPath",
    "ElasticNetPath",
    "LassoCV",
    "ElasticNetCV",
    "RidgeCV",
    "__version__",
]
