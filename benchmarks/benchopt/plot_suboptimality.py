"""Convergence curves of a benchopt run as one PNG: relative suboptimality against time.

For each dataset and objective, ``P*`` is the smallest objective any solver
reached, ``P(0)`` the objective at ``w = 0``, and each solver's curve is
``(P − P*) / (P(0) − P*)`` against its median time over repetitions (floored
at 1e-16 so that exact optima stay on the log scale).

    python benchmarks/benchopt/plot_suboptimality.py                  # latest run in outputs/
    python benchmarks/benchopt/plot_suboptimality.py RESULT.parquet -o convergence.png
"""

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

HERE = Path(__file__).resolve().parent
FLOOR = 1e-16


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
        first = group["stop_val"] == group.groupby("solver_name")["stop_val"].transform("min")
        start = group.loc[first, "objective_value"].max()  # P(0): every solver starts at w = 0
        scale = max(start - best, FLOOR * abs(best), np.finfo(float).tiny)
        panel = {}
        for solver, runs in group.groupby("solver_name", sort=True):
            med = runs.groupby("stop_val")[["time", "objective_value"]].median().sort_index()
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
    parser.add_argument("-o", "--output", type=Path, default=HERE / "convergence.png")
    args = parser.parse_args()
    df = pd.read_parquet(args.result or latest_result())
    plot(curves(df), args.output)


if __name__ == "__main__":
    main()
