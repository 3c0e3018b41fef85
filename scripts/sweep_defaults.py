"""Default fits on random data against tight scikit-learn fits: which land more than 1e-7 above the optimum.

Each trial draws a data family (Gaussian, cumulative-sum correlated,
100 ± 0.01, columns scaled 1e-3..1e3, duplicated columns with a constant one,
5% sparse), a shape (1 to 1,000 rows, 1 to 800 columns), a storage (C, F,
CSR, CSC, COO, float32), an estimator (Lasso, ElasticNet, Ridge,
LinearRegression) at default settings and an α, and prints every fit whose
objective is more than 1e-7 (float32: 1e-3) relative above scikit-learn's
tight fit (Lasso/ElasticNet at tol=1e-14, Ridge by SVD).

    python scripts/sweep_defaults.py SEED TRIALS     # e.g. 1 300: about 40 s
"""

import sys
import time
import warnings

import numpy as np
import scipy.sparse as sp
import sklearn.linear_model as lm
from sklearn.exceptions import ConvergenceWarning

import fastreg

warnings.simplefilter("ignore", ConvergenceWarning)
rng = np.random.default_rng(int(sys.argv[1]) if len(sys.argv) > 1 else 123)

def enet_obj(X, y, w, b, a, r):
    res = y - X @ w - b
    return 0.5 * res @ res / X.shape[0] + a * r * np.abs(w).sum() + 0.5 * a * (1 - r) * w @ w
def ridge_obj(X, y, w, b, a):
    res = y - X @ w - b
    return res @ res + a * w @ w

def make(kind, n, p):
    if kind == "gauss":
        X = rng.standard_normal((n, p))
    elif kind == "corr":
        Z = rng.standard_normal((n, p)); X = np.cumsum(Z, axis=1) / np.sqrt(np.arange(1, p + 1))
    elif kind == "offset":
        X = rng.standard_normal((n, p)) * 0.01 + 100.0
    elif kind == "scaled":
        X = rng.standard_normal((n, p)) * np.logspace(-3, 3, p)
    elif kind == "dup":
        X = rng.standard_normal((n, p))
        X[:, p // 2:] = X[:, : p - p // 2]
        X[:, 0] = 3.0
    elif kind == "sparse":
        X = sp.random(n, p, density=0.05, random_state=np.random.default_rng(rng.integers(1e9)), format="csr").toarray()
    w = np.zeros(p); k = max(1, p // 10); w[rng.choice(p, k, replace=False)] = rng.standard_normal(k) * 3
    y = X @ w + rng.standard_normal(n) * (0.5 if kind != "scaled" else 5.0) + 2.0
    return X, y

fails = 0
count = 0
t0 = time.time()
for trial in range(int(sys.argv[2]) if len(sys.argv) > 2 else 150):
    kind = rng.choice(["gauss", "corr", "offset", "scaled", "dup", "sparse"])
    n = int(rng.choice([1, 2, 5, 30, 200, 1000])); p = int(rng.choice([1, 3, 20, 150, 800]))
    X, y = make(kind, n, p)
    fmt = rng.choice(["C", "F", "csr", "csc", "coo", "f32"])
    fi = bool(rng.integers(2))
    Xin = {"C": np.ascontiguousarray(X), "F": np.asfortranarray(X), "csr": sp.csr_matrix(X), "csc": sp.csc_matrix(X),
           "coo": sp.coo_matrix(X), "f32": X.astype(np.float32)}[fmt]
    Xref = X.astype(np.float32).astype(np.float64) if fmt == "f32" else X
    est = rng.choice(["lasso", "enet", "ridge", "ols"])
    yc = y - y.mean() if fi else y
    amax = np.abs((Xref - (Xref.mean(0) if fi else 0)).T @ yc).max() / n if n else 1
    amax = max(amax, 1e-12)
    a = float(amax * 10.0 ** rng.uniform(-4, 0.3))
    try:
        if est == "lasso":
            f = fastreg.Lasso(alpha=a, fit_intercept=fi).fit(Xin, y)
            s = lm.Lasso(alpha=a, fit_intercept=fi, tol=1e-14, max_iter=200000).fit(Xref, y)
            fo, so = enet_obj(Xref, y, f.coef_.astype(float), f.intercept_, a, 1), enet_obj(Xref, y, s.coef_, s.intercept_, a, 1)
        elif est == "enet":
            r = float(rng.uniform(0.05, 0.95))
            f = fastreg.ElasticNet(alpha=a, l1_ratio=r, fit_intercept=fi).fit(Xin, y)
            s = lm.ElasticNet(alpha=a, l1_ratio=r, fit_intercept=fi, tol=1e-14, max_iter=200000).fit(Xref, y)
            fo, so = enet_obj(Xref, y, f.coef_.astype(float), f.intercept_, a, r), enet_obj(Xref, y, s.coef_, s.intercept_, a, r)
        elif est == "ridge":
            a = float(10.0 ** rng.uniform(-6, 3))
            f = fastreg.Ridge(alpha=a, fit_intercept=fi).fit(Xin, y)
            s = lm.Ridge(alpha=a, fit_intercept=fi, solver="svd").fit(Xref, y)
            fo, so = ridge_obj(Xref, y, f.coef_.astype(float), f.intercept_, a), ridge_obj(Xref, y, s.coef_, s.intercept_, a)
        else:
            f = fastreg.LinearRegression(fit_intercept=fi).fit(Xin, y)
            s = lm.LinearRegression(fit_intercept=fi).fit(Xref, y)
            fo, so = ridge_obj(Xref, y, f.coef_.astype(float), f.intercept_, 0), ridge_obj(Xref, y, s.coef_, s.intercept_, 0)
    except Exception as e:
        print("ERROR", est, kind, n, p, fmt, fi, a, type(e).__name__, e)
        fails += 1
        continue
    count += 1
    rel = (fo - so) / max(abs(so), 1e-300)
    tolrel = 1e-7 if fmt != "f32" else 1e-3
    if rel > tolrel and not (abs(fo - so) < 1e-12 * (y @ y)):
        fails += 1
        print("WORSE", est, kind, n, p, fmt, "fi", fi, "alpha %.3g" % a, "rel %.2e" % rel, "fo %.6e so %.6e" % (fo, so))
print("done", count, "fits,", fails, "problems", "%.0f s" % (time.time() - t0))
