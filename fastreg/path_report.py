"""What ``fastreg path`` computes, prints and draws (matplotlib only when plotting)."""

import numpy as np

from .path_cv import ElasticNetCV, LassoCV, choose_alpha, cv_mean_se
from .path_estimators import ElasticNetPath, LassoPath

__all__ = ["compute_path", "one_standard_error_alpha", "print_path", "plot_path"]


def one_standard_error_alpha(alphas, mse_path, fold_weights=None):
    """The α of the smallest mean CV error, and the largest α within one standard error of it.

    ``cv.glmnet``'s rule (:func:`fastreg.path_cv.cv_mean_se` and
    :func:`fastreg.path_cv.choose_alpha`, which :class:`fastreg.LassoCV`'s
    ``alpha_min_`` and ``alpha_1se_`` use): the folds' errors averaged with
    their weights, the standard error their weighted spread over ``K − 1``.

    Parameters
    ----------
    alphas : ndarray of shape (n_alphas,), decreasing
    mse_path : ndarray of shape (n_alphas, n_folds)
    fold_weights : ndarray of shape (n_folds,) or None
        The folds' sizes (or total sample weights); ``None``: equal.

    Returns
    -------
    alpha_min : float
    alpha_1se : float
    """
    mean, se = cv_mean_se(mse_path, fold_weights)
    best, one_se = choose_alpha(alphas, mean, se)
    return float(alphas[best[0]]), float(alphas[one_se[0]])


def compute_path(X, y, *, l1_ratio=1.0, n_alphas=100, eps=1e-3, cv=None, standardize=False, verbose=False):
    """The path on all rows and, with ``cv``, the K-fold CV errors on the same α grid.

    Returns
    -------
    dict
        ``path`` (the fitted :class:`fastreg.LassoPath` or
        :class:`fastreg.ElasticNetPath`), ``alphas``, ``coefs`` (p, n_alphas),
        ``intercepts``, ``l1_ratio``, and with ``cv``: ``mse_path``
        (n_alphas, n_folds), ``mse_mean``, ``mse_se`` (``cv.glmnet``'s
        ``cvm``, ``cvsd``), ``alpha_min``, ``alpha_1se``.
    """
    result = {"l1_ratio": l1_ratio}
    alphas = n_alphas
    if cv is not None:
        if l1_ratio == 1.0:
            model = LassoCV(alphas=n_alphas, eps=eps, cv=cv, standardize=standardize, verbose=verbose)
        else:
            model = ElasticNetCV(l1_ratio=l1_ratio, alphas=n_alphas, eps=eps, cv=cv, standardize=standardize,
                                 verbose=verbose)
        model.fit(X, y)
        alphas = model.alphas_
        result["mse_path"] = model.mse_path_.reshape(len(alphas), -1)
        result["mse_mean"], result["mse_se"] = model.mse_mean_, model.mse_se_
        result["alpha_min"], result["alpha_1se"] = model.alpha_min_, model.alpha_1se_
    if l1_ratio == 1.0:
        path = LassoPath(alphas=alphas, eps=eps, standardize=standardize, verbose=verbose)
    else:
        path = ElasticNetPath(l1_ratio=l1_ratio, alphas=alphas, eps=eps, standardize=standardize, verbose=verbose)
    path.fit(X, y)
    result["path"] = path
    result["alphas"], result["coefs"], result["intercepts"] = path.alphas_, path.coef_path_, path.intercept_path_
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
        mse = result["mse_mean"]
        i_min = int(np.flatnonzero(alphas == result["alpha_min"])[0])
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
    result["path"].plot("lambda", ax=ax)  # the curves, log10 α decreasing to the right, non-zeros on top
    order = [j for j in np.argsort(-np.abs(coefs[:, -1]))[: min(8, coefs.shape[0])] if coefs[j, -1] != 0]
    for j, label_y in zip(order, _spread_labels(coefs[order, -1], coefs)):
        ax.annotate(str(names[j]), (log_alpha[-1], coefs[j, -1]), xytext=(log_alpha[-1], label_y),
                    textcoords="data", fontsize=7, va="center", ha="left")
    ax.set_title("Lasso path" if result["l1_ratio"] == 1.0 else f"ElasticNet path (l1_ratio={result['l1_ratio']:g})")
    if has_cv:
        mse = result["mse_path"]
        ax2 = axes[1, 0]
        mean, se = result["mse_mean"], result["mse_se"]
        ax2.plot(log_alpha, mse, color="0.8", linewidth=0.6)
        ax2.errorbar(log_alpha, mean, yerr=se, color="k", linewidth=1.2, elinewidth=0.5, label="mean ± 1 SE")
        for a, style, label in ((result["alpha_min"], "--", "minimum"), (result["alpha_1se"], ":", "1 SE")):
            for axis in (ax, ax2):
                axis.axvline(np.log10(a), color="tab:red", linestyle=style, linewidth=1)
            ax2.plot([], [], color="tab:red", linestyle=style, label=f"{label}: α = {a:.3g}")
        ax2.set_ylabel("CV mean squared error")
        ax2.legend(fontsize=8)
        ax.set_xlabel("")
        axes[-1, 0].set_xlabel("log10(alpha)")
    else:
        ax.set_xlabel("log10(alpha)")
    fig.tight_layout()
    fig.savefig(filename, dpi=100)
    pyplot.close(fig)
