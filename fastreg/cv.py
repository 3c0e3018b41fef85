"""The cross-validated estimators, by their former module: :mod:`fastreg.path_cv` and :mod:`fastreg.ridge_cv`."""

from .path_cv import ElasticNetCV, LassoCV
from .ridge_cv import RidgeCV

__all__ = ["LassoCV", "ElasticNetCV", "RidgeCV"]
