"""fastreg's Dask API: the sufficient statistics of dask arrays (the estimators fit dask arrays directly).

``fastreg.Ridge().fit(X_dask, y_dask)`` and the other estimators call the
backend :mod:`fastreg.backends.dask` themselves; this module gives its public
pieces: :func:`sufficient_stats`, :func:`is_dask_array` and
``GRAM_MAX_FEATURES`` (the width up to which the statistics engine is used).
"""

from ._policy import DASK_GRAM_MAX_FEATURES as GRAM_MAX_FEATURES
from .backends.dask import is_dask_array, sufficient_stats

__all__ = ["GRAM_MAX_FEATURES", "sufficient_stats", "is_dask_array"]
