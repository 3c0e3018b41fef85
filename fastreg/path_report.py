"""What ``fastreg path`` computes, prints and draws (matplotlib only when plotting)."""

import numpy as np

from .path_cv import ElasticNetCV, LassoCV
from .path import fit_path

__all__ = ["compute_path", "one_standard_error_alpha", "print_path", "plot_path"]


def one_standard_error_alpha(alphas, mse_path):
    """The largest α whose mean CV error is within one standard error of the minimum.

    Parameters
    ----------
    alphas : ndarray of shape (n_alphas,), decreasing
    mse_path : ndarray of shape (n_alphas, n_folds)

    Returns
    -------
    alpha_min : float
        α of the smallest mean error.
    alpha_1se : float
        The largest α with ``mean ≤ mean_min + std_min/√n_folds``.
    """
    mean = mse_path.mean(axis=1)
    se = mse_path.std(axis=1) / np.sqrt(mse_path.shape[1])
    best = int(np.argmin(mean))
    within = np.flatnonzero(mean <= mean[best] + se[best])
    return float(alphas[best]), float(alphas[within].max())


def compute_path(X, y, *, l1_ratio=1.0, n_alphas=100, eps=1e-3, cv=None, verbose=False):
    """The path on all rows and, with ``cv``, the K-fold CV errors on the same α grid.

    Returns
    -------
    dict
        ``alphas``, ``coefs`` (p, n_alphas), ``intercepts``, ``l1_ratio``, and
        with ``cv``: ``mse_path`` (n_alphas, n_folds), ``alpha_min``,
        ``alpha_1se``.
    """
    result = {"l1_ratio": l1_ratio}
    alphas = n_alphas
    if cv is not None:
        if l1_ratio == 1.0:
            model = LassoCV(alphas=n_alphas, eps=eps, cv=cv, verbose=verbose)
        else:
            model = ElasticNetCV(l1_ratio=l1_ratio, alphas=n_alphas, eps=eps, cv=cv, verbose=verbose)
        model.fit(X, y)
        alphas = model.alphas_
        result["mse_path"] = model.mse_path_.reshape(len(alphas), -1)
        result["alpha_min"], result["alpha_1se"] = one_standard_error_alpha(alphas, result["mse_path"])
    path = fit_path(X, y, l1_ratio=l1_ratio, alphas=alphas, eps=eps, verbose=verbose)
    result["alphas"], result["coefs"], result["intercepts"] = path.alphas, path.coefs, path.intercepts
    return result


def print_path(result, names, source, shape):
    """A short text summary: grid, support sizes along the path, CV choice."""
    alphas, coefs = result["alphas"], result["coefs"]
    kind = "Lasso" if result["l1_ratio"] == 1.0 else f"ElasticNet (l1_ratio={result['l1_ratio']:g})"
    print(f"{source}: {shape[0]} samples x {shape[1]} features")
    print(f"{kind} path: {len(alphas)} alphas from {alphas[0]:.6g} down to {alphas[-1]:.6g}")
    nonzero = np.count_nonzero(coefs, axis=0)
    marks = sorted(set(np.linspace(0, len(alphas) - 1, min(6, len(alphas))).astype(int)))
    print(f"{'alpha':>14}  {'non-zero':>8}")
    for i in marks:
        print(f"{alphas[i]:>14.6g}  {nonzero[i]:>8d}")
    if "mse_path" in result:
        mse = result["mse_path"].mean(axis=1)
        i_min = int(np.argmin(mse))
        i_1se = int(np.flatnonzero(alphas == result["alpha_1se"])[0])
        print(f"CV ({result['mse_path'].shape[1]} folds): minimum mean squared error {mse[i_min]:.6g} "
              f"at alpha {result['alpha_min']:.6g} ({nonzero[i_min]} non-zero)")
        print(f"one-standard-error alpha {result['alpha_1se']:.6g} ({nonzero[i_1se]} non-zero), "
              f"mean squared error {mse[i_1se]:.6g}")
        chosen = coefs[:, i_1se]
        kept = [names[j] for j in np.flatnonzero(chosen)]
        shown = ", ".join(kept[:15]) + (", ..." if len(kept) > 15 else "")
        print(f"features kept at the one-standard-error alpha: {shown or '(none)'}")


def _spread_labels(values, coefs):
    """Label heights for the curve ends at ``values``: in order, at least 4% of the plot's height apart."""
    span = float(np.ptp(coefs)) or 1.0
    gap = 0.04 * span
    order = np.argsort(values)
    heights = np.asarray(values, dtype=float).copy()
    for previous, k in zip(order[:-1], order[1:]):
        heights[k] = max(heights[k], heights[previous] + gap)
    return heights


def plot_path(result, names, filename, pyplot):
    """Coefficients against log10 α; below them the CV error with its minimum and 1-SE α."""
    alphas, coefs = result["alphas"], result["coefs"]
    has_cv = "mse_path" in result
    fig, axes = pyplot.subplots(2 if has_cv else 1, 1, figsize=(8, 8 if has_cv else 5), sharex=True,
                                squeeze=False)
    ax = axes[0, 0]
    log_alpha = np.log10(alphas)
    ax.plot(log_alpha, coefs.T, linewidth=1)
    order = [j for j in np.argsort(-np.abs(coefs[:, -1]))[: min(8, coefs.shape[0])] if coefs[j, -1] != 0]
    for j, label_y in zip(order, _spread_labels(coefs[order, -1], coefs)):
        ax.annotate(str(names[j]), (log_alpha[-1], coefs[j, -1]), xytext=(log_alpha[-1], label_y),
                    textcoords="data", fontsize=7, va="center", ha="left")
    ax.axhline(0.0, color="0.6", linewidth=0.5)
    ax.set_ylabel("coefficient")
    ax.set_title("Lasso path" if result["l1_ratio"] == 1.0 else f"ElasticNet path (l1_ratio={result['l1_ratio']:g})")
    ax.invert_xaxis()
    if has_cv:
        mse = result["mse_path"]
        ax2 = axes[1, 0]
        mean = mse.mean(axis=1)
        se = mse.std(axis=1) / np.sqrt(mse.shape[1])
        ax2.plot(log_alpha, mse, color="0.8", linewidth=0.6)
        ax2.errorbar(log_alpha, mean, yerr=se, color="k", linewidth=1.2, elinewidth=0.5, label="mean ± 1 SE")
        for a, style, label in ((result["alpha_min"], "--", "minimum"), (result["alpha_1se"], ":", "1 SE")):
            for axis in (ax, ax2):
                axis.axvline(np.log10(a), color="tab:red", linestyle=style, linewidth=1)
            ax2.plot([], [], color="tab:red", linestyle=style, label=f"{label}: α = {a:.3g}")
        ax2.set_ylabel("CV mean squared error")
        ax2.legend(fontsize=8)
        axes[-1, 0].set_xlabel("log10(alpha)")
    else:
        ax.set_xlabel("log10(alpha)")
    fig.tight_layout()
    fig.savefig(filename, dpi=100)
    pyplot.close(fig)
