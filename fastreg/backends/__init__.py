"""Backends that fit data not held in memory as one array (Dask). They return plain results and know no estimator."""
