"""numba kernels: raw arrays in, preallocated arrays out, no Python objects.

Naming is ``<op>_<format>``; sparse arguments always come as ``data, indices, indptr``.
"""
