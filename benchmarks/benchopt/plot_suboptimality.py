"""Convergence curves of a benchopt run as one PNG: relative suboptimality against time.

For each dataset and objective, ``P*`` is the smallest objective any solver
reached, ``P(0)`` the objective at ``w = 0`` (benchopt's first point of every
curve: ``max_iter = 0``, or an infinite tolerance), and each solver's curve is
``(P − P*) / (P(0) − P*)`` against its median time over repetitions, from its
first fit on (floored at 1e-16 so that exact optima stay on the log scale).

    python benchmarks/benchopt/plot_suboptimality.py                  # latest run in outputs/
    python benchmarks/benchopt/plot_suboptimality.py RESULT.parquet -o convergence.png

The default output is the figure of the docs' performance page,
``docs/img/benchopt-lasso.png``.
"""

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
FIGURE = HERE.parents[1] / "docs" / "img" / "benchopt-lasso.png"
FLOOR = 1e-16
INFINITY = 1e38  # benchopt's first tolerance is 3e38


def latest_result():
    runs = sorted((HERE / "outputs").glob("*.parquet"), key=lambda f: f.stat().st_mtime)
    if not runs:
        raise SystemExit(f"no result in {HERE / 'outputs'}: run `benchopt run {HERE}` first")
    return runs[-1]


def curves(df):
    """``{(dataset, objective): {solver: (time, relative suboptimality)}}``, medians over repetitions."""
    out = {}
    for (dataset, objective), group in df.groupby(["dataset_name", "objective_name"], sort=True):
        best = group["objective_value"].min()
        at_zero = (group["stop_val"] == 0) | (group["stop_val"] >= INFINITY)
        start = group.loc[at_zero, "objective_value"].median() if at_zero.any() else group["objective_value"].max()
        scale = max(start - best, FLOOR * abs(best), np.finfo(float).tiny)
        panel = {}
        for solver, runs in group[~at_zero].groupby("solver_name", sort=True):
            med = runs.groupby("stop_val")[["time", "objective_value"]].median().sort_values("time")
            panel[solver] = (med["time"].to_numpy(), np.maximum((med["objective_value"].to_numpy() - best) / scale, FLOOR))
        out[(dataset, objective)] = panel
    return out


def plot(panels, path):
    keys = list(panels)
    ncols = min(2, len(keys))
    nrows = -(-len(keys) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(6.4 * ncols, 4.4 * nrows), squeeze=False)
    solvers = sorted({s for panel in panels.values() for s in panel})
    colors = dict(zip(solvers, plt.get_cmap("tab10").colors + plt.get_cmap("Dark2").colors))
    for ax, key in zip(axes.flat, keys):
        for solver, (t, sub) in panels[key].items():
            style = "-" if solver.startswith("fastreg") else "--"
            ax.loglog(t, sub, style, marker=".", color=colors[solver], label=solver)
        ax.set_title(f"{key[0]}\n{key[1]}", fontsize=9)
        ax.set_xlabel("time (s)")
        ax.set_ylabel("(P − P*) / (P(0) − P*)")
        ax.grid(True, which="major", ls=":", lw=0.5)
    for ax in axes.flat[len(keys):]:
        ax.set_visible(False)
    seen = {}
    for ax in axes.flat[: len(keys)]:
        for handle, label in zip(*ax.get_legend_handles_labels()):
            seen.setdefault(label, handle)
    fig.legend(seen.values(), seen.keys(), loc="lower center", ncol=min(4, len(seen)), fontsize=9)
    fig.tight_layout(rect=(0, 0.04 + 0.02 * (len(seen) // 4), 1, 1))
    fig.savefig(path, dpi=110)
    print(f"saved {path}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("result", nargs="?", type=Path, help="a benchopt .parquet (default: the latest in outputs/)")
    parser.add_argument("-o", "--output", type=Path, default=FIGURE)
    args = parser.parse_args()
    df = pd.read_parquet(args.result or latest_result())
    plot(curves(df), args.output)


if __name__ == "__main__":
    main()
