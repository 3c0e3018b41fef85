"""Time a fresh process's first fits: import, then the first Lasso by "cd" and by "gram".

Run it with an empty numba cache for the cold figures, then again with the
same cache for the cached ones::

    export NUMBA_CACHE_DIR=$(mktemp -d)
    python scripts/cold_start.py     # compiles the kernels (issue target: under 5 s)
    python scripts/cold_start.py     # from the on-disk cache (target: under 1 s)
"""

import time

t0 = time.perf_counter()
import numpy as np  # noqa: E402

import fastreg  # noqa: E402

t1 = time.perf_counter()
rng = np.random.default_rng(0)
X = rng.standard_normal((2000, 500))
y = X[:, :5].sum(axis=1) + rng.standard_normal(2000)
t2 = time.perf_counter()
fastreg.Lasso(alpha=0.01).fit(X, y)  # "auto" takes "cd" at p = 500
t3 = time.perf_counter()
fastreg.Lasso(alpha=0.01).fit(X[:, :100], y)  # and "gram" at p = 100
t4 = time.perf_counter()
print(f"import {t1 - t0:.2f} s, first Lasso (cd, 2,000 x 500) {t3 - t2:.2f} s, "
      f"first Lasso (gram, 2,000 x 100) {t4 - t3:.2f} s")
