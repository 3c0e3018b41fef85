"""fastreg's glmnet workflow beside R's glmnet, item by item: a table of the largest relative differences.

Not part of the test suite (CI has no R). Needs ``Rscript`` with the glmnet package (Debian:
``apt-get install r-cran-glmnet``). Each data set is written to a temporary directory, one R
script fits it with glmnet (``thresh=1e-16``, ``maxit=1e7``, ``glmnet.control(fdev=0)`` so that no
path stops early) and writes its answers, and fastreg computes the same things:

- ``grid``: ``LassoPath(standardize=True, eps=lambda.min.ratio)``'s automatic grid vs glmnet's λ;
- ``standardize``: the path (coefficients and intercepts, original scale) on glmnet's λ;
  ``dev_ratio``, ``df``;
- ``interp``: ``coef(α, exact=False)`` between grid points vs ``coef(fit, s=, exact=FALSE)``;
- ``exact``: ``coef(α, exact=True)`` vs ``coef(fit, s=, exact=TRUE)``, and vs a single tight
  ``Lasso(standardize=True)`` fit (``exact=single``);
- ``cv``: ``LassoCV(cv=PredefinedSplit(foldid))``'s ``mse_mean_``/``mse_se_`` vs ``cvm``/``cvsd``,
  and ``alpha_min_``/``alpha_1se_`` (and ``alpha_`` with ``alpha_rule="1se"``) equal to
  ``lambda.min``/``lambda.1se``;
- ``relax g=0``, ``relax g=0.5``: ``LassoPath(relax=True)`` vs ``relax=TRUE``'s least-squares fits
  (``fit$relaxed``) and ``coef(fit, s=, gamma=0.5)``; ``cv relax``: ``LassoCV(relax=True)``'s
  (α, γ) choices equal to ``cv.glmnet(relax=TRUE)``'s;
- ``penalty.factor``: factors with 0, 2 and Inf (fastreg's = glmnet's rescaled to sum to p);
- ``limits``: ``lower.limits``/``upper.limits`` that bind, with ``standardize=TRUE``;
- ``weights``: ``sample_weight`` vs ``weights``;
- ``enet``: ``ElasticNet(standardize=True)`` vs glmnet's ``alpha=0.5`` at a few λ, through the
  mapping of glmnet's standardized ``y`` (``α = λρ + λ(1 − ρ)/s_y``, ``l1_ratio = λρ/α``).

Relative difference: ``max|fastreg − glmnet| / max|glmnet|`` over the item's coefficients and
intercepts. For the paths the last column says who is nearer the optimum: the smallest and the
largest relative excess of glmnet's objective over fastreg's along the path (positive: fastreg's
is lower; negative: glmnet's; ±1e-15 is rounding). fastreg
runs at its defaults (``--tol`` sets the path/CV tolerance).

    python scripts/glmnet_check.py                                # built-in data sets
    python scripts/glmnet_check.py --data expr.npz                # also yours: arrays X, y (npz)
    python scripts/glmnet_check.py --data expr.csv --target y     # or a CSV with a target column
"""

import argparse
import os
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np
import scipy.io
import scipy.sparse as sp
from sklearn.model_selection import PredefinedSplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import fastreg  # noqa: E402
from fastreg._standardize import feature_scales  # noqa: E402

THRESH = "1e-16"
MAXIT = "1e7"
N_FOLDS = 10
TOLERANCE = 1e-5

R_SCRIPT = r"""
suppressMessages(library(glmnet))
args <- commandArgs(trailingOnly = TRUE)
d <- args[1]
setwd(d)
glmnet.control(fdev = 0, devmax = 1)
rd <- function(f) as.matrix(read.csv(f, header = FALSE))
wr <- function(m, f) write.table(formatC(as.matrix(m), digits = 17, format = "g"), f, sep = ",",
                                 quote = FALSE, row.names = FALSE, col.names = FALSE)
if (file.exists("X.mtx")) x <- as(Matrix::readMM("X.mtx"), "CsparseMatrix") else x <- rd("X.csv")
y <- drop(rd("y.csv")); w <- drop(rd("w.csv")); foldid <- drop(rd("foldid.csv"))
pf <- drop(rd("pf.csv")); pf2 <- drop(rd("pf2.csv")); lo <- drop(rd("lower.csv")); up <- drop(rd("upper.csv"))
mid <- drop(rd("mid.csv")); enet_lam <- drop(rd("enet_lambda.csv"))
th <- THRESH; mi <- MAXIT
full <- function(f) rbind(f$a0, as.matrix(f$beta))

fit <- glmnet(x, y, standardize = TRUE, thresh = th, maxit = mi)
lam <- fit$lambda
wr(lam, "lambda.csv"); wr(full(fit), "std.csv"); wr(fit$dev.ratio, "dev.csv"); wr(fit$df, "df.csv")
wr(as.matrix(coef(fit, s = mid, exact = FALSE)), "interp.csv")
wr(as.matrix(coef(fit, s = mid, exact = TRUE, x = x, y = y)), "exact.csv")

cv <- cv.glmnet(x, y, foldid = foldid, lambda = lam, standardize = TRUE, thresh = th, maxit = mi)
wr(c(cv$lambda.min, cv$lambda.1se), "cv_choice.csv"); wr(cbind(cv$cvm, cv$cvsd), "cv_stats.csv")

rfit <- glmnet(x, y, lambda = lam, standardize = TRUE, relax = TRUE, thresh = th, maxit = mi)
wr(rfit$relaxed$lambda, "relax_lambda.csv"); wr(full(rfit$relaxed), "relax0.csv"); wr(full(rfit), "relax_lasso.csv")
wr(as.matrix(coef(rfit, s = lam, gamma = 0)), "relax00.csv")
wr(as.matrix(coef(rfit, s = lam, gamma = 0.5)), "relax05.csv")
rcv <- cv.glmnet(x, y, foldid = foldid, lambda = lam, standardize = TRUE, relax = TRUE, thresh = th, maxit = mi)
r <- rcv$relaxed
wr(c(r$lambda.min, r$gamma.min, r$lambda.1se, r$gamma.1se), "cv_relax_choice.csv")

pfit <- glmnet(x, y, standardize = TRUE, penalty.factor = pf, thresh = th, maxit = mi)
wr(pfit$lambda, "pf_lambda.csv"); wr(full(pfit), "pf.out.csv")
pfit2 <- glmnet(x, y, standardize = TRUE, penalty.factor = pf2, thresh = th, maxit = mi)
wr(pfit2$lambda, "pf2_lambda.csv"); wr(full(pfit2), "pf2.out.csv")
lfit <- glmnet(x, y, standardize = TRUE, lower.limits = lo, upper.limits = up, thresh = th, maxit = mi)
wr(lfit$lambda, "lim_lambda.csv"); wr(full(lfit), "lim.out.csv")
wfit <- glmnet(x, y, weights = w, standardize = TRUE, thresh = th, maxit = mi)
wr(wfit$lambda, "w_lambda.csv"); wr(full(wfit), "w.out.csv")
efit <- glmnet(x, y, alpha = 0.5, weights = w, lambda = enet_lam, standardize = TRUE, thresh = th, maxit = mi)
wr(full(efit), "enet.out.csv")
""".replace("THRESH", THRESH).replace("MAXIT", MAXIT)


# ------------------------------------------------------------------------ data


def expression_like(n=72, p=2000, seed=0):
    """Gene-expression-like: log-expression in correlated modules, genes of very different spreads,
    a few constant genes, the response driven by a handful of genes (n ≪ p, as microarray data)."""
    rng = np.random.default_rng(seed)
    modules = rng.standard_normal((n, 40))
    member = rng.integers(0, 40, p)
    X = 0.8 * modules[:, member] + 0.6 * rng.standard_normal((n, p))
    X = X * rng.lognormal(0.0, 0.8, p) + rng.uniform(4.0, 12.0, p)  # log2 intensities
    X[:, rng.choice(p, 5, replace=False)] = 7.0  # genes not expressed anywhere: constant
    beta = np.zeros(p)
    beta[rng.choice(p, 8, replace=False)] = rng.normal(0.0, 1.0, 8)
    y = X @ beta + rng.standard_normal(n)
    return X, y - y.mean() + 2.0


def tall_weighted(n=500, p=40, seed=1):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    X[:, 1:] = 0.6 * X[:, 1:] + 0.4 * X[:, :-1]
    X = X * rng.uniform(0.1, 10.0, p) + rng.uniform(-3.0, 3.0, p)
    beta = rng.standard_normal(p) * (rng.random(p) < 0.4) / np.abs(X).mean(axis=0)
    return X, X @ beta + 1.5 + rng.standard_normal(n)


def sparse_data(n=300, p=200, seed=2):
    rng = np.random.default_rng(seed)
    X = sp.random(n, p, density=0.05, random_state=seed, format="csr",
                  data_rvs=lambda k: rng.uniform(0.5, 3.0, k))
    beta = rng.standard_normal(p) * (rng.random(p) < 0.2)
    return X, np.asarray(X @ beta).ravel() + 0.5 + 0.3 * rng.standard_normal(n)


def quickstart(workdir):
    """glmnet's own QuickStartExample (100 × 20), read through R."""
    out = Path(workdir) / "quickstart"
    out.mkdir(exist_ok=True)
    subprocess.run(["Rscript", "-e", "suppressMessages(library(glmnet)); data(QuickStartExample); "
                    f"write.table(formatC(QuickStartExample$x, digits=17, format='g'), '{out}/x.csv', sep=',', "
                    "quote=FALSE, row.names=FALSE, col.names=FALSE); "
                    f"write.table(formatC(QuickStartExample$y, digits=17, format='g'), '{out}/y.csv', sep=',', "
                    "quote=FALSE, row.names=FALSE, col.names=FALSE)"], check=True, capture_output=True)
    return np.loadtxt(out / "x.csv", delimiter=","), np.loadtxt(out / "y.csv", delimiter=",")


def user_data(path, target):
    if path.endswith(".npz"):
        with np.load(path, allow_pickle=False) as f:
            return np.asarray(f["X"], dtype=np.float64), np.asarray(f["y"], dtype=np.float64).ravel()
    from fastreg.io import load_table

    X, y, _ = load_table(path, target)
    return np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64)


# ------------------------------------------------------------------------ comparison


def rel(ours, theirs):
    ours, theirs = np.asarray(ours, dtype=np.float64), np.asarray(theirs, dtype=np.float64)
    scale = np.max(np.abs(theirs), initial=0.0)
    return float(np.max(np.abs(ours - theirs), initial=0.0) / (scale if scale > 0 else 1.0))


def stacked(coef, intercept):
    """glmnet's layout: the intercept row above the coefficients, a column per λ."""
    return np.vstack([np.atleast_1d(intercept)[None, :], np.asarray(coef).reshape(len(coef), -1)])


def excess(X, y, w, weights, alphas, ours, theirs):
    """The smallest and largest ``(objective(glmnet) − objective(fastreg))/objective(fastreg)`` over the path.

    Positive: fastreg's point is the lower (more optimal) one; negative: glmnet's; rounding is
    about 1e-15. ``weights``: each feature's L1
    weight (penalty factor times scale); ``ours``/``theirs`` stacked (intercept row first).
    """
    w = np.ones(X.shape[0]) if w is None else w
    excesses = []
    for k, a in enumerate(alphas):
        values = []
        for stack in (ours, theirs):
            r = y - np.asarray(X @ stack[1:, k]).ravel() - stack[0, k]
            keep = weights > 0
            values.append((w * r) @ r / (2 * w.sum()) + a * np.sum(weights[keep] * np.abs(stack[1:, k][keep])))
        excesses.append((values[1] - values[0]) / values[0])
    return min(excesses), max(excesses)


def read(d, name):
    return np.loadtxt(Path(d) / name, delimiter=",", ndmin=2)


def check(name, X, y, workdir, tol):
    rng = np.random.default_rng(7)
    n, p = X.shape
    d = Path(workdir) / name
    d.mkdir(exist_ok=True)
    w = rng.uniform(0.2, 3.0, n)
    foldid = rng.permutation(np.arange(n) % N_FOLDS) + 1  # cv.glmnet's sample(rep(seq(nfolds), length = N))
    pf = np.ones(p)
    pf[0], pf[1], pf[2] = 0.0, 2.0, np.inf
    pf[3:6] = 0.5
    pf2 = np.where(pf == 0.0, 1.0, pf)  # the same without an unpenalized feature
    # limits that bind: from the unconstrained standardized path's last point
    last = fastreg.LassoPath(standardize=True, alphas=20, eps=1e-2).fit(X, y).coef_path_[:, -1]
    lower = np.where(last < 0, 0.5 * last, -np.inf)
    upper = np.where(last > 0, 0.5 * last, np.inf)
    lower[: p // 10] = 0.0  # some non-negative coefficients
    enet_lam = None
    if sp.issparse(X):
        scipy.io.mmwrite(str(d / "X.mtx"), sp.coo_matrix(X), precision=17)
    else:
        np.savetxt(d / "X.csv", X, delimiter=",", fmt="%.17g")
    inputs = {"y": y, "w": w, "foldid": foldid, "pf": pf, "pf2": pf2, "lower": lower, "upper": upper}
    for fname, values in inputs.items():
        np.savetxt(d / f"{fname}.csv", np.asarray(values, dtype=np.float64).reshape(-1, 1), fmt="%.17g")
    # α between grid points: geometric midpoints, computed on glmnet's grid once R has run (two passes)
    lam_guess = fastreg.LassoPath(standardize=True, eps=1e-4 if n > p else 1e-2).fit(X, y).alphas_
    mid = np.sqrt(lam_guess[[3, 10, 30, 60]] * lam_guess[[4, 11, 31, 61]])
    enet_lam = lam_guess[[5, 15, 30, 50]]
    np.savetxt(d / "mid.csv", mid.reshape(-1, 1), fmt="%.17g")
    np.savetxt(d / "enet_lambda.csv", enet_lam.reshape(-1, 1), fmt="%.17g")
    script = d / "check.R"
    script.write_text(R_SCRIPT)
    subprocess.run(["Rscript", str(script), str(d)], check=True)
    rows = []

    def row(item, value, kind="rel", objective=None):
        ok = value <= TOLERANCE if kind == "rel" else bool(value)
        rows.append((name, item, value, kind, ok, objective))

    def path_row(item, model, out, factors=None, w=None):
        ours, theirs = stacked(model.coef_path_, model.intercept_path_), read(d, out)
        weights = feature_scales(X, w) * (np.ones(p) if factors is None else np.where(np.isinf(factors), 0, factors))
        row(item, rel(ours, theirs), objective=excess(X, y, w, weights, model.alphas_, ours, theirs))

    lam = read(d, "lambda.csv").ravel()
    kw = dict(tol=tol) if tol is not None else {}
    # grid: glmnet reports λ[1] = λ[2]²/λ[3] (it starts from a larger λ internally); its λmax is ours
    ours_grid = fastreg.LassoPath(standardize=True, eps=1e-4 if n > p else 1e-2, **kw).fit(X, y).alphas_
    row("grid", rel(ours_grid[: lam.size], lam))
    path = fastreg.LassoPath(standardize=True, alphas=lam, relax=True, **kw).fit(X, y)
    path_row("standardize", path, "std.csv")
    row("dev_ratio", rel(path.dev_ratio_, read(d, "dev.csv").ravel()))
    row("df equal", np.array_equal(path.df_, read(d, "df.csv").ravel().astype(int)), "eq")
    row("interp", rel(stacked(*path.coef(mid)), read(d, "interp.csv")))
    exact = stacked(*path.coef(mid, exact=True))
    row("exact", rel(exact, read(d, "exact.csv")))
    singles = [fastreg.Lasso(alpha=a, standardize=True, tol=1e-13, max_iter=1_000_000).fit(X, y) for a in mid]
    row("exact=single", rel(exact, stacked(np.array([m.coef_ for m in singles]).T, [m.intercept_ for m in singles])))
    folds = PredefinedSplit(foldid - 1)
    cv = fastreg.LassoCV(alphas=lam, cv=folds, standardize=True, **kw).fit(X, y)
    stats = read(d, "cv_stats.csv")
    row("cv cvm", rel(cv.mse_mean_, stats[:, 0]))
    row("cv cvsd", rel(cv.mse_se_, stats[:, 1]))
    lambda_min, lambda_1se = read(d, "cv_choice.csv").ravel()
    row("cv lambda.min equal", cv.alpha_min_ == lambda_min, "eq")
    row("cv lambda.1se equal", cv.alpha_1se_ == lambda_1se, "eq")
    one_se = fastreg.LassoCV(alphas=lam, cv=folds, standardize=True, alpha_rule="1se", **kw).fit(X, y)
    row("alpha_rule=1se alpha_ equal", one_se.alpha_ == lambda_1se, "eq")
    # glmnet's relaxed fits are on its lasso's supports: where its fit at exactly λmax keeps a
    # coefficient of rounding size (ours is 0), the supports differ and so do the relaxed fits
    same = np.all((read(d, "relax_lasso.csv")[1:] != 0) == (path.coef_path_ != 0), axis=0)
    kept = np.isin(lam, read(d, "relax_lambda.csv").ravel())
    note = "" if same.all() else f" ({np.count_nonzero(~same)} alpha with another support left out)"
    ours0 = stacked(path.relaxed_coef_path_[:, kept], path.relaxed_intercept_path_[kept])
    row("relax OLS (fit$relaxed)" + note, rel(ours0[:, same[kept]], read(d, "relax0.csv")[:, same[kept]]))
    for g, out in ((0.0, "relax00"), (0.5, "relax05")):
        row(f"relax g={g:g}" + note, rel(stacked(*path.coef(lam, gamma=g))[:, same], read(d, f"{out}.csv")[:, same]))
    rcv = fastreg.LassoCV(alphas=lam, cv=folds, standardize=True, relax=True, **kw).fit(X, y)
    r = read(d, "cv_relax_choice.csv").ravel()
    row("cv relax min (alpha, gamma) equal", (rcv.alpha_min_, rcv.gamma_min_) == (r[0], r[1]), "eq")
    row("cv relax 1se (alpha, gamma) equal", (rcv.alpha_1se_, rcv.gamma_1se_) == (r[2], r[3]), "eq")
    # glmnet rescales the factors to sum to p, with an excluded (Inf) feature counted as 1
    for label, factors, out in (("penalty.factor (0, 0.5, 2, Inf)", pf, "pf"), ("penalty.factor (0.5, 2, Inf)", pf2,
                                                                                "pf2")):
        scaled = factors * p / np.where(np.isinf(factors), 1.0, factors).sum()
        pfp = fastreg.LassoPath(standardize=True, alphas=read(d, f"{out}_lambda.csv").ravel(), penalty_factor=scaled,
                                **kw).fit(X, y)
        path_row(label, pfp, f"{out}.out.csv", factors=scaled)
    lim = fastreg.LassoPath(standardize=True, alphas=read(d, "lim_lambda.csv").ravel(), lower_bounds=lower,
                            upper_bounds=upper, **kw).fit(X, y)
    path_row("limits", lim, "lim.out.csv")
    wp = fastreg.LassoPath(standardize=True, alphas=read(d, "w_lambda.csv").ravel(), **kw).fit(X, y, sample_weight=w)
    path_row("weights", wp, "w.out.csv", w=w)
    # glmnet's gaussian ElasticNet standardizes y: λ(1 − ρ) on the L2 term becomes λ(1 − ρ)/s_y
    s_y = np.sqrt(np.average((y - np.average(y, weights=w)) ** 2, weights=w))
    enet = []
    for lam_k in enet_lam:
        alpha = lam_k * 0.5 + lam_k * 0.5 / s_y
        m = fastreg.ElasticNet(alpha=alpha, l1_ratio=lam_k * 0.5 / alpha, standardize=True, tol=1e-13,
                               max_iter=1_000_000).fit(X, y, sample_weight=w)
        enet.append(np.r_[m.intercept_, m.coef_])
    row("enet (rho=0.5, weights)", rel(np.array(enet).T, read(d, "enet.out.csv")))
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", action="append", default=[], help="an .npz (X, y) or CSV file; repeatable")
    parser.add_argument("--target", default=None, help="the target column of a CSV --data")
    parser.add_argument("--only", default=None, help="run only this built-in data set")
    parser.add_argument("--tol", type=float, default=None, help="tol of the paths and CV (default: fastreg's)")
    parser.add_argument("--keep", default=None, help="write the R inputs and outputs here instead of a temp dir")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore", category=UserWarning)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = args.keep or tmp
        os.makedirs(workdir, exist_ok=True)
        sets = {
            "quickstart 100x20": lambda: quickstart(workdir),
            "expression-like 72x2000": expression_like,
            "tall weighted 500x40": tall_weighted,
            "sparse CSR 300x200": sparse_data,
        }
        for path in args.data:
            sets[os.path.basename(path)] = lambda path=path: user_data(path, args.target)
        rows = []
        for name, make in sets.items():
            if args.only and args.only != name.split()[0]:
                continue
            X, y = make()
            print(f"{name}: {X.shape[0]} x {X.shape[1]}", file=sys.stderr)
            rows += check(name.split()[0], X, y, workdir, args.tol)
    width = max(len(r[1]) for r in rows)
    print(f"{'data':<16} {'item':<{width}}  {'max rel. diff / equal':>22}  ok   glmnet's objective − fastreg's, rel.")
    for name, item, value, kind, ok, objective in rows:
        shown = f"{value:.2e}" if kind == "rel" else str(bool(value))
        extra = "" if objective is None else f"{objective[0]:+.1e} .. {objective[1]:+.1e}"
        print(f"{name:<16} {item:<{width}}  {shown:>22}  {'yes' if ok else 'NO ':<3}  {extra}")
    bad = [r for r in rows if not r[4]]
    print(f"{len(rows) - len(bad)} of {len(rows)} within {TOLERANCE:g} (or equal)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
