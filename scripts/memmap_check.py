"""Fit large ``.npy`` memory maps without copying them: wall time, peak anonymous memory, optimality.

Creates (once) a tall C-ordered float64 file (``p = 1000`` features) and a
wide Fortran-ordered float32 file (``p = 7.5 n``), each with its target
``<stem>.target.npy``, writing them in blocks (the script itself never
holds them). Then each fit runs in a child process that opens the files with
``np.load(..., mmap_mode="r")``; this process samples the child's
``RssAnon`` (anonymous resident memory: what a copy of ``X`` would add;
the memory map's pages are file-backed, ``RssFile``) every 5 ms and reports
its peak, and the fit's wall time. A second child checks the answer:

* tall: a plain NumPy pass over row blocks gives ``XᵀX``, ``Xᵀy`` and the
  sums, hence the centered Gram ``G``, ``q`` and ``‖y_c‖²``; Lasso's
  duality gap (scikit-learn's) is computed from them at the fitted ``w``,
  and scikit-learn's LARS (``lars_path_gram`` on the same ``G``, ``q``)
  gives a second optimum to compare objectives with; Ridge is compared with
  the solve of ``(G + αI)w = q``;
* wide: one pass over column blocks gives ``X_cᵀR`` at the fitted ``w``,
  hence the duality gap (a Gram of ``p`` features would not fit).

Usage::

    python scripts/memmap_check.py                                   # 0.2 GB tall, 0.1 GB wide
    python scripts/memmap_check.py --tall-gb 16 --wide-gb 12 --dir /work/big --delete

Sizes are of ``X`` in GB (10⁹ bytes). ``--budget`` sets
``fastreg.set_config(memory_budget=...)`` in the fitting child (e.g.
``"0"`` to stream whatever the size). Run it on a quiet machine: the big
files take minutes to write and each fit reads them.
"""

import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

TALL_FEATURES = 1000
WIDE_RATIO = 7.5  # p / n of the wide file
BLOCK_BYTES = 256 * 10**6  # of one generated or checked block (float64)
TASKS = ("tall-lasso", "tall-ridge", "wide-lasso")


# ---------------------------------------------------------------- the files


def _paths(directory, name):
    return os.path.join(directory, f"{name}.npy"), os.path.join(directory, f"{name}.target.npy"), os.path.join(
        directory, f"{name}.json")


def create_tall(directory, gb, seed=0):
    """``n × 1000`` C-ordered float64, ``y = Xw* + ε`` with 20 non-zero ``w*``; returns the meta data."""
    x_path, y_path, meta_path = _paths(directory, f"tall_{gb:g}gb")
    if os.path.exists(meta_path):
        return _read_meta(meta_path)
    p = TALL_FEATURES
    n = max(int(gb * 1e9 / (8 * p)), 2 * p)
    rng = np.random.default_rng(seed)
    w = np.zeros(p)
    w[rng.choice(p, 20, replace=False)] = rng.standard_normal(20) * 2
    X = np.lib.format.open_memmap(x_path, mode="w+", dtype=np.float64, shape=(n, p))
    y = np.lib.format.open_memmap(y_path, mode="w+", dtype=np.float64, shape=(n,))
    xty, x_sum, y_sum = np.zeros(p), np.zeros(p), 0.0
    rows = max(BLOCK_BYTES // (8 * p), 1)
    for i in range(0, n, rows):
        block = rng.standard_normal((min(rows, n - i), p)) + 1.0  # column means 1
        yb = block @ w + 2.0 * rng.standard_normal(block.shape[0]) + 3.0
        X[i : i + block.shape[0]] = block
        y[i : i + block.shape[0]] = yb
        xty += block.T @ yb
        x_sum += block.sum(axis=0)
        y_sum += yb.sum()
    X.flush()
    y.flush()
    del X, y
    alpha_max = float(np.max(np.abs(xty - x_sum * (y_sum / n)))) / n
    return _write_meta(meta_path, x_path, y_path, n, p, "float64", "C", alpha_max)


def create_wide(directory, gb, seed=1):
    """``n × 7.5n`` Fortran-ordered float32, ``y = Xw* + ε`` with 50 non-zero ``w*``; returns the meta data."""
    x_path, y_path, meta_path = _paths(directory, f"wide_{gb:g}gb")
    if os.path.exists(meta_path):
        return _read_meta(meta_path)
    n = max(int(np.sqrt(gb * 1e9 / 4 / WIDE_RATIO)), 10)
    p = int(WIDE_RATIO * n)
    rng = np.random.default_rng(seed)
    k = 50
    w = rng.standard_normal(k) * 2  # on the first k columns, generated first
    X = np.lib.format.open_memmap(x_path, mode="w+", dtype=np.float32, shape=(n, p), fortran_order=True)
    first = rng.standard_normal((n, k)).astype(np.float32)
    X[:, :k] = first
    yv = first.astype(np.float64) @ w + rng.standard_normal(n) + 3.0
    y_c = yv - yv.mean()
    corr = np.abs(first.astype(np.float64).T @ y_c)
    cols = max(BLOCK_BYTES // (4 * n), 1)
    best = float(corr.max())
    for j in range(k, p, cols):
        block = rng.standard_normal((n, min(cols, p - j)), dtype=np.float32)
        X[:, j : j + block.shape[1]] = block
        best = max(best, float(np.max(np.abs(block.T.astype(np.float64) @ y_c))))
    X.flush()
    del X
    np.save(y_path, yv)
    return _write_meta(meta_path, x_path, y_path, n, p, "float32", "F", best / n)


def _write_meta(meta_path, x_path, y_path, n, p, dtype, order, alpha_max):
    meta = {"X": x_path, "y": y_path, "n": n, "p": p, "dtype": dtype, "order": order, "alpha_max": alpha_max,
            "gb": os.path.getsize(x_path) / 1e9, "meta": meta_path}
    with open(meta_path, "w") as f:
        json.dump(meta, f)
    return meta


def _read_meta(meta_path):
    with open(meta_path) as f:
        return json.load(f)


# ---------------------------------------------------------------- the children


def child_fit(task, meta, alpha, budget, result_path):
    """Fit one task on the memory maps; write ``coef``, ``intercept`` and timings to ``result_path``."""
    import fastreg

    if budget is not None:
        fastreg.set_config(memory_budget=budget)
    X = np.load(meta["X"], mmap_mode="r")
    y = np.load(meta["y"], mmap_mode="r")
    model = fastreg.Ridge(alpha=alpha) if task.endswith("ridge") else fastreg.Lasso(alpha=alpha)
    # compile (or load from numba's cache) on a small problem first: the fit's time is the fit's
    rng = np.random.default_rng(0)
    small = rng.standard_normal((200, 30)).astype(X.dtype)
    type(model)(alpha=0.01).fit(np.asfortranarray(small) if task.startswith("wide") else small, small[:, 0] + 1)
    route = _route(X)
    print("FIT", _rss_anon(), flush=True)  # the parent starts sampling here
    start = time.perf_counter()
    model.fit(X, y)
    seconds = time.perf_counter() - start
    print("DONE", flush=True)
    np.savez(result_path, coef=np.asarray(model.coef_, dtype=np.float64), intercept=float(model.intercept_),
             seconds=seconds, route=route)


def _route(X):
    """The streamed route fastreg's policy picks for ``X`` (``"-"`` where fastreg has none)."""
    try:
        from fastreg import _policy
    except ImportError:
        return "-"
    rule = getattr(_policy, "stream_route", None)
    return "-" if rule is None else str(rule(X))


def child_check(task, meta, alpha, result_path):
    """Objective and optimality of the fitted ``w`` (see the module docstring); prints one JSON line."""
    res = np.load(result_path)
    w, b = res["coef"], float(res["intercept"])
    X = np.load(meta["X"], mmap_mode="r")
    y = np.asarray(np.load(meta["y"], mmap_mode="r"), dtype=np.float64)
    start = time.perf_counter()
    out = _check_tall(task, X, y, w, b, alpha) if task.startswith("tall") else _check_wide(X, y, w, b, alpha)
    out["check_seconds"] = time.perf_counter() - start
    print("CHECK " + json.dumps(out), flush=True)


def _check_tall(task, X, y, w, b, alpha):
    n, p = X.shape
    G, q, x_sum = np.zeros((p, p)), np.zeros(p), np.zeros(p)
    rows = max(BLOCK_BYTES // (8 * p), 1)
    for i in range(0, n, rows):
        block = np.asarray(X[i : i + rows], dtype=np.float64)
        G += block.T @ block
        q += block.T @ y[i : i + rows]
        x_sum += block.sum(axis=0)
    x_mean, y_mean = x_sum / n, y.mean()
    y_c = y - y_mean
    G -= n * np.outer(x_mean, x_mean)  # the means are 1, the spreads 1: no digits lost
    q -= n * x_mean * y_mean
    yy = float(y_c @ y_c)
    intercept_error = abs(b - (y_mean - x_mean @ w)) / max(abs(y_mean), 1.0)

    def residual_stats(v):
        h = q - G @ v
        return max(yy - 2 * v @ q + v @ (G @ v), 0.0), h  # ‖R‖², X_cᵀR

    if task == "tall-ridge":
        exact = np.linalg.solve(G + alpha * np.eye(p), q)

        def ridge(v):
            return residual_stats(v)[0] + alpha * v @ v

        return {"objective": ridge(w), "reference": ridge(exact), "rel_excess": (ridge(w) - ridge(exact)) / ridge(exact),
                "rel_gradient": float(np.linalg.norm(q - G @ w - alpha * w) / np.linalg.norm(q)),
                "intercept_error": intercept_error}
    from sklearn.linear_model import lars_path_gram

    _, _, coefs = lars_path_gram(q, G, n_samples=n, alpha_min=alpha, method="lasso")
    lars = coefs[:, -1]

    def lasso(v):
        return residual_stats(v)[0] / (2 * n) + alpha * np.abs(v).sum()

    R2, XtR = residual_stats(w)
    gap = _lasso_gap(R2, float(yy - w @ q), XtR, w, alpha * n) / n
    return {"objective": lasso(w), "reference": lasso(lars), "rel_excess": (lasso(w) - lasso(lars)) / lasso(lars),
            "gap_over_objective": gap / lasso(w), "support": int(np.count_nonzero(w)), "intercept_error": intercept_error}


def _check_wide(X, y, w, b, alpha):
    n, p = X.shape
    support = np.flatnonzero(w)
    cols_per_block = max(BLOCK_BYTES // (8 * n), 1)
    x_mean = np.empty(p)
    XtR = np.empty(p)
    pred = np.zeros(n)
    for j in range(0, p, cols_per_block):  # the means (one pass), then the residual from the support columns
        x_mean[j : j + cols_per_block] = np.asarray(X[:, j : j + cols_per_block], dtype=np.float64).mean(axis=0)
    if support.size:
        pred = np.asarray(X[:, support], dtype=np.float64) @ w[support]
    y_c = y - y.mean()
    R = y_c - (pred - x_mean[support] @ w[support])  # the centered residual y_c − X_c w
    for j in range(0, p, cols_per_block):
        block = np.asarray(X[:, j : j + cols_per_block], dtype=np.float64)
        XtR[j : j + cols_per_block] = block.T @ R - x_mean[j : j + cols_per_block] * R.sum()
    R2 = float(R @ R)
    objective = R2 / (2 * n) + alpha * np.abs(w).sum()
    gap = _lasso_gap(R2, float(R @ y_c), XtR, w, alpha * n) / n
    intercept_error = abs(b - (y.mean() - x_mean @ w)) / max(abs(y.mean()), 1.0)
    return {"objective": objective, "gap_over_objective": gap / objective, "support": int(support.size),
            "intercept_error": intercept_error}


def _lasso_gap(R2, R_dot_yc, XtR, w, l1):
    """scikit-learn's Lasso duality gap (unscaled: divide by ``n``) from ``‖R‖²``, ``R·y_c``, ``X_cᵀR``."""
    dual_norm = float(np.max(np.abs(XtR)))
    const = l1 / dual_norm if dual_norm > l1 else 1.0
    gap = 0.5 * R2 * (1 + const * const)
    return gap + l1 * float(np.abs(w).sum()) - const * R_dot_yc


def _rss_anon(pid="self"):
    """``RssAnon`` of a process in bytes (0 once it has exited)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("RssAnon:"):
                    return int(line.split()[1]) * 1024
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


# ---------------------------------------------------------------- the parent


def run_task(task, meta, args, tmp):
    alpha = args.alpha_fraction * meta["alpha_max"] if task.endswith("lasso") else args.ridge_alpha
    result_path = os.path.join(tmp, f"{task}.result.npz")
    cmd = [sys.executable, __file__, "--child", "fit", "--task", task, "--meta", json.dumps(meta),
           "--alpha", repr(alpha), "--result", result_path]
    if args.budget is not None:
        cmd += ["--budget", args.budget]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    if not line.startswith("FIT"):
        proc.wait()
        raise RuntimeError(f"{task}: the fitting child failed ({line.strip()!r})")
    baseline = int(line.split()[1])
    peak = baseline
    import select

    while proc.poll() is None:  # sample until the child says DONE
        ready, _, _ = select.select([proc.stdout], [], [], 0.005)
        peak = max(peak, _rss_anon(proc.pid))
        if ready and proc.stdout.readline().startswith("DONE"):
            break
    proc.wait()
    if proc.returncode:
        raise RuntimeError(f"{task}: the fitting child exited with {proc.returncode}")
    res = np.load(result_path)
    check = subprocess.run([sys.executable, __file__, "--child", "check", "--task", task, "--meta", json.dumps(meta),
                            "--alpha", repr(alpha), "--result", result_path], capture_output=True, text=True,
                           check=False)
    found = [ln for ln in check.stdout.splitlines() if ln.startswith("CHECK ")]
    if not found:
        raise RuntimeError(f"{task}: the check failed:\n{check.stderr}")
    out = json.loads(found[0][6:])
    out.update(task=task, gb=meta["gb"], shape=f"{meta['n']:,} × {meta['p']:,}",
               layout=f"{meta['order']} {meta['dtype']}", alpha=alpha, route=str(res["route"]),
               seconds=float(res["seconds"]), anon_peak=peak / 1e9, anon_baseline=baseline / 1e9)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tall-gb", type=float, default=0.2, help="size of the tall X in GB (default 0.2)")
    parser.add_argument("--wide-gb", type=float, default=0.1, help="size of the wide X in GB (default 0.1)")
    parser.add_argument("--dir", default=None, help="where the files go (default: a temporary directory)")
    parser.add_argument("--tasks", default=",".join(TASKS), help=f"comma-separated, of {', '.join(TASKS)}")
    parser.add_argument("--alpha-fraction", type=float, default=0.05, help="Lasso's alpha / alpha_max")
    parser.add_argument("--ridge-alpha", type=float, default=1.0)
    parser.add_argument("--budget", default=None, help="fastreg.set_config(memory_budget=...) in the child")
    parser.add_argument("--delete", action="store_true", help="delete the files afterwards")
    parser.add_argument("--child", choices=("fit", "check"), help=argparse.SUPPRESS)
    parser.add_argument("--task", help=argparse.SUPPRESS)
    parser.add_argument("--meta", help=argparse.SUPPRESS)
    parser.add_argument("--alpha", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "fit":
        return child_fit(args.task, json.loads(args.meta), args.alpha, args.budget, args.result)
    if args.child == "check":
        return child_check(args.task, json.loads(args.meta), args.alpha, args.result)

    import tempfile

    tasks = [t for t in args.tasks.split(",") if t]
    unknown = set(tasks) - set(TASKS)
    if unknown:
        parser.error(f"unknown tasks: {', '.join(sorted(unknown))}")
    directory = args.dir or tempfile.mkdtemp(prefix="memmap_check_")
    os.makedirs(directory, exist_ok=True)
    created = []
    try:
        metas = {}
        if any(t.startswith("tall") for t in tasks):
            start = time.perf_counter()
            metas["tall"] = create_tall(directory, args.tall_gb)
            created.append(metas["tall"])
            print(f"tall file ready ({metas['tall']['gb']:.2f} GB, {time.perf_counter() - start:.0f} s)", flush=True)
        if any(t.startswith("wide") for t in tasks):
            start = time.perf_counter()
            metas["wide"] = create_wide(directory, args.wide_gb)
            created.append(metas["wide"])
            print(f"wide file ready ({metas['wide']['gb']:.2f} GB, {time.perf_counter() - start:.0f} s)", flush=True)
        rows = [run_task(t, metas[t.split("-")[0]], args, directory) for t in tasks]
    finally:
        if args.delete:
            for meta in created:
                for path in (meta["X"], meta["y"], meta["meta"]):
                    if os.path.exists(path):
                        os.remove(path)
            for t in TASKS:
                path = os.path.join(directory, f"{t}.result.npz")
                if os.path.exists(path):
                    os.remove(path)
    print()
    print("| task | X | GB | route | fit wall | anon peak (baseline) | objective | rel. excess vs reference "
          "| gap / objective | check wall |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        excess = f"{r['rel_excess']:.1e}" if "rel_excess" in r else "-"
        gap = f"{r['gap_over_objective']:.1e}" if "gap_over_objective" in r else f"∇ {r.get('rel_gradient', 0):.1e}"
        print(f"| {r['task']} | {r['shape']} {r['layout']} | {r['gb']:.2f} | {r['route']} | {r['seconds']:.1f} s "
              f"| {r['anon_peak']:.2f} GB ({r['anon_baseline']:.2f}) | {r['objective']:.10g} | {excess} | {gap} "
              f"| {r['check_seconds']:.1f} s |")


if __name__ == "__main__":
    main()
