"""The README's benchmark table and chart, from the latest measured figures.

This script times nothing: FIGURES holds the figures as they were measured,
each with its date and the command that reproduces it; the chart
(docs/img/benchmarks.png) and the Markdown table (--table) are drawn from
them, so the README, docs/performance.md and the chart cannot disagree. After
a new measurement, edit FIGURES and rerun:

    pip install '.[plot]'
    python scripts/plot_benchmarks.py                 # writes docs/img/benchmarks.png
    python scripts/plot_benchmarks.py --table         # prints the Markdown table
"""

import argparse
from pathlib import Path

# Commands, by key; "issue-32" figures were measured for issue 32 with a
# script that is not in the repository (see docs/performance.md).
COMMANDS = {
    "dense-tall": "python scripts/compare.py --tasks dense-tall --rounds 5",
    "csr-tall": "python scripts/compare.py --tasks csr-tall --rounds 5",
    "dense-wide": "python scripts/compare.py --tasks dense-wide --rounds 2",
    "csr-wide": "python scripts/compare.py --tasks 'lasso-csr-wide a/10' ridge-csr-wide --rounds 3",
    "csr-wide-100": "python scripts/compare.py --tasks 'lasso-csr-wide a/100' --rounds 1",
    "issue-32": "issue 32 (glmnet via R, thresh 1e-16; adelie; at 1e-8 of the optimum)",
}

# (task, fastreg s, fastest peer reaching the same objective, its s, speed-up, date, command key)
# Speed-ups are the measured medians' ratios (the seconds are rounded).
FIGURES = [
    ("Lasso 20,000 × 1,000 dense, αmax/10", 0.072, "scikit-learn", 0.151, 2.10, "2026-12-07", "dense-tall"),
    ("Lasso 20,000 × 1,000 dense, αmax/100", 0.144, "scikit-learn", 0.166, 1.15, "2026-12-07", "dense-tall"),
    ("Ridge 20,000 × 1,000 dense, α = 1", 0.234, "scikit-learn", 0.345, 1.47, "2026-12-07", "dense-tall"),
    ("Lasso 100,000 × 1,000 CSR 1%, αmax/10", 0.009, "scikit-learn", 0.066, 7.11, "2026-12-07", "csr-tall"),
    ("Lasso 100,000 × 1,000 CSR 1%, αmax/100", 0.012, "scikit-learn", 0.074, 6.37, "2026-12-07", "csr-tall"),
    ("Ridge 100,000 × 1,000 CSR 1%, α = 1", 0.016, "scikit-learn", 0.022, 1.35, "2026-12-07", "csr-tall"),
    ("Lasso 1,000 × 20,000 dense, αmax/10", 0.164, "skglm", 0.280, 1.71, "2026-12-07", "dense-wide"),
    ("Lasso 1,000 × 20,000 dense, αmax/100", 1.138, "skglm", 2.853, 2.51, "2026-12-07", "dense-wide"),
    ("Ridge 1,000 × 20,000 dense, α = 1", 0.218, "scikit-learn", 0.412, 1.89, "2026-12-07", "dense-wide"),
    ("Lasso 20,000 × 100,000 CSR 0.1%, αmax/10", 0.114, "skglm", 0.189, 1.66, "2026-12-07", "csr-wide"),
    ("Lasso 20,000 × 100,000 CSR 0.1%, αmax/100", 2.021, "scikit-learn", 56.2, 27.8, "2026-12-07", "csr-wide-100"),
    ("Ridge 20,000 × 100,000 CSR 0.1%, α = 1", 0.073, "scikit-learn", 0.085, 1.16, "2026-12-07", "csr-wide"),
    ("Lasso path, 100 α, 72 × 5,147 gene expression", 0.11, "adelie", 0.35, 0.35 / 0.11, "2026-12-07",
     "issue-32"),
    ("Lasso path, 100 α, 100,000 × 1,000 CSR", 0.043, "adelie", 0.63, 0.63 / 0.043, "2026-12-07", "issue-32"),
]

# Other peers' results in the same runs: (peer, seconds) when it reached the
# objective (drawn as a marker), or a note.
OTHER_PEERS = {
    "Lasso path, 100 α, 72 × 5,147 gene expression": [("glmnet", 0.43)],
    "Lasso path, 100 α, 100,000 × 1,000 CSR": [("glmnet", 3.9)],
    "Lasso 20,000 × 100,000 CSR 0.1%, αmax/10": [("celer", 9.1)],
    "Lasso 20,000 × 100,000 CSR 0.1%, αmax/100": [("celer", 480.0), "skglm stopped 1.9e-4 above the optimum",
                                                   "1 fit each, before compare.py's memory warm-up"],
    "Lasso 1,000 × 20,000 dense, αmax/100": ["scikit-learn 25.7 s and celer 3.0 s stopped 2–3e-8 above"],
    "Lasso 100,000 × 1,000 CSR 1%, αmax/10": ["skglm 0.016 s, 1.5e-8 above the optimum"],
    "Lasso 100,000 × 1,000 CSR 1%, αmax/100": ["skglm 0.017 s, 8.2e-8 above the optimum"],
}

PEER_COLOURS = {"scikit-learn": "#f89939", "skglm": "#4c72b0", "celer": "#55a868", "adelie": "#8172b3",
                "glmnet": "#c44e52"}


def _seconds(value):
    return f"{value:.3f} s" if value < 10 else f"{value:.1f} s"


def _ratio(value):
    return f"{value:.2f}×" if value < 10 else f"{value:.1f}×"


def _notes(task):
    return "; ".join(f"{n[0]} {n[1]:g} s" if isinstance(n, tuple) else n for n in OTHER_PEERS.get(task, []))


def markdown_table():
    """The README's table: one row per task, the command keys as footnotes."""
    keys = list(dict.fromkeys(key for *_, key in FIGURES))
    lines = ["| task | fastreg | fastest peer at the same objective | speed-up | run |",
             "|---|---|---|---|---|"]
    for task, ours, peer, theirs, ratio, date, key in FIGURES:
        note = f" ({_notes(task)})" if task in OTHER_PEERS else ""
        lines.append(f"| {task} | {_seconds(ours)} | {peer} {_seconds(theirs)}{note} | {_ratio(ratio)} | "
                     f"{date} [{keys.index(key) + 1}] |")
    lines.append("")
    for k, key in enumerate(keys, 1):
        lines.append(f"- [{k}] `{COMMANDS[key]}`" if key != "issue-32" else f"- [{k}] {COMMANDS[key]}")
    return "\n".join(lines) + "\n"


def plot(path):
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    rows = FIGURES[::-1]
    fig, ax = plt.subplots(figsize=(11, 6.4))
    labels = matplotlib.transforms.blended_transform_factory(ax.transAxes, ax.transData)
    ax.barh(range(len(rows)), [r[4] for r in rows], color=[PEER_COLOURS[r[2]] for r in rows], height=0.65)
    for k, r in enumerate(rows):
        ax.text(1.02, k, f"{_ratio(r[4])}: {_seconds(r[1])} vs {r[2]} {_seconds(r[3])}", va="center",
                fontsize=7, transform=labels)
        for other in OTHER_PEERS.get(r[0], []):
            if isinstance(other, tuple):  # a slower peer that reached the objective: a marker
                ax.plot(other[1] / r[1], k, marker="D", color=PEER_COLOURS[other[0]], markersize=5)
    ax.set_xscale("log")
    ax.axvline(1.0, color="0.3", linewidth=0.8)
    ax.set_yticks(range(len(rows)), [r[0] for r in rows], fontsize=8)
    ax.set_xlim(0.8, 1000)
    ax.set_xlabel("fastreg's speed-up: bars over the fastest peer reaching the same objective, "
                  "markers over slower peers (log scale)", fontsize=8)
    used = list(dict.fromkeys([r[2] for r in FIGURES] + [o[0] for v in OTHER_PEERS.values() for o in v
                                                           if isinstance(o, tuple)]))
    handles = [plt.Rectangle((0, 0), 1, 1, color=PEER_COLOURS[p]) for p in used]
    ax.legend(handles, used, fontsize=7, loc="center right", title="peer (bar or ◆)", title_fontsize=7)
    ax.set_title("fastreg against scikit-learn, skglm, celer, glmnet and adelie\n"
                 "measured 2026-12-07 on a 2-core machine; commands in docs/performance.md", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--table", action="store_true", help="print the Markdown table instead of plotting")
    parser.add_argument("--output", default=str(Path(__file__).resolve().parents[1] / "docs" / "img" /
                                                 "benchmarks.png"))
    args = parser.parse_args()
    if args.table:
        print(markdown_table(), end="")
        return
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    plot(args.output)
    print(f"chart written to {args.output}")


if __name__ == "__main__":
    main()
