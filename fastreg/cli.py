"""The ``fastreg`` command line: ``fastreg demo``, ``fastreg fit FILE``,
``fastreg predict --model MODEL FILE`` and ``fastreg path``.

Every error a user can cause (missing or malformed file, unknown column,
diverging learning rate, bad parameter) ends as one line
``fastreg: error: <message>`` on stderr and exit status 2, like argparse's own
usage errors. Warnings (a fit that stopped before converging) are one line
``fastreg: warning: <message>`` on stderr.
"""

import argparse
import os
import sys
import warnings

import numpy as np
import scipy.sparse as sp

from fastreg import DivergenceError

__all__ = ["main", "build_parser"]

PENALTIES = {"l2": "l2", "l1": "l1", "none": None}
MODELS = ("ols", "ridge", "lasso", "enet", "gd")

# Options of --model gd (the reference loop) and their defaults; each is None
# on the command line unless given, which is how `fit` tells that they were.
GD_DEFAULTS = {"penalty": "l2", "lambda_": 0.0, "learning_rate": "auto", "iterations": 1000}
GD_FLAGS = {"penalty": "--penalty", "lambda_": "--lambda", "learning_rate": "--learning-rate",
            "iterations": "--iterations"}

# Plain gradient descent has converged when the norm of its gradient (the
# distance of 0 from the subdifferential, for L1) is at most this fraction of
# the gradient's norm at the start, θ = 0.
GD_GRADIENT_RTOL = 1e-6

# --model ridge --cv K: the α grid, relative to the mean diagonal of X_cᵀX_c
# (n times the mean column variance), so that it follows the data's scale.
RIDGE_CV_GRID = np.logspace(-6, 4, 51)


def _version():
    import fastreg

    version = getattr(fastreg, "__version__", None)
    if version is None:
        try:
            from importlib.metadata import version as dist_version

            version = dist_version("fastreg")
        except Exception:
            version = "unknown"
    return version


# ------------------------------------------------------------ argument types


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def _demo_samples(text):
    value = _positive_int(text)
    if value < 20:
        raise argparse.ArgumentTypeError(f"the demo needs at least 20 samples, got {value}")
    return value


def _non_negative_float(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a finite non-negative number, got {text!r}")
    return value


def _learning_rate(text):
    if text.strip().lower() == "auto":
        return "auto"
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number or 'auto', got {text!r}") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number or 'auto', got {text!r}")
    return value


def _positive_float(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value


def _l1_ratio(text):
    value = _positive_float(text)
    if value > 1:
        raise argparse.ArgumentTypeError(f"expected a number in (0, 1], got {text!r}")
    return value


def _cv_folds(text):
    value = _positive_int(text)
    if value < 2:
        raise argparse.ArgumentTypeError(f"cross-validation needs at least 2 folds, got {value}")
    return value


def _column_list(text):
    names = [name.strip() for name in text.split(",")]
    if not all(names):
        raise argparse.ArgumentTypeError(f"expected column names separated by commas, got {text!r}")
    return names


# ------------------------------------------------------------------- parser


def build_parser():
    """Build the ``fastreg`` argument parser.

    Returns
    -------
    argparse.ArgumentParser
        Parser with the ``demo``, ``fit``, ``predict`` and ``path`` subcommands.
    """
    parser = argparse.ArgumentParser(
        prog="fastreg",
        description="Least squares, Ridge, Lasso and ElasticNet on numba kernels: fit data files, "
        "predict with saved models, draw regularization paths, or run the demo.",
    )
    parser.add_argument("--version", action="version", version=f"fastreg {_version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = sub.add_parser(
        "demo",
        help="show the engine: reference parity, exact Lasso zeros, cross-validation, speed",
        description="On generated house prices with useless features (owner_shoe_size, ...): the "
        "reference gradient-descent loop and its parity with the plain NumPy loop; the exact "
        "Lasso deleting the useless features; the alpha that 5-fold cross-validation picks; "
        "then a speed table on a 1,000-feature problem beside the NumPy loop and scikit-learn.",
    )
    demo.add_argument("--samples", type=_demo_samples, default=2000, metavar="N",
                      help="number of houses to generate (default: 2000)")
    demo.add_argument("--iterations", type=_positive_int, default=1000, metavar="N",
                      help="iterations of the reference loop (default: 1000)")
    demo.add_argument("--speed-samples", type=_positive_int, default=5000, metavar="N",
                      help="rows of the speed problem (default: 5000)")
    demo.add_argument("--speed-features", type=_positive_int, default=1000, metavar="P",
                      help="features of the speed problem (default: 1000)")
    demo.add_argument("--rounds", type=_positive_int, default=3, metavar="R",
                      help="timed rounds per solver; the table shows medians (default: 3)")
    demo.add_argument("--no-speed", action="store_true", help="skip the speed table")
    demo.set_defaults(func=run_demo)

    fit = sub.add_parser(
        "fit",
        help="fit a model to a data file and print the coefficients",
        description="Fit y = Xw + b on a .csv, .npz, .npy or svmlight (.svm/.svmlight/.libsvm/.txt) file: "
        "least squares (ols), Ridge, Lasso or ElasticNet (enet) exactly, with alpha given or chosen "
        "by K-fold cross-validation, or the reference gradient-descent loop (gd). CSV text columns "
        "are one-hot encoded (features named column=category).",
        epilog="Without --model: gd if a gradient-descent option (--penalty, --lambda, "
        "--learning-rate, --iterations) is given, else ols.",
    )
    fit.add_argument("file", metavar="FILE",
                     help="data file (.csv, .npz, .npy, .svm, .svmlight, .libsvm, .txt); a .npy X is "
                     "memory-mapped, and streamed when large")
    fit.add_argument("--target", metavar="COLUMN", default=None,
                     help="target: CSV column name (required for CSV); npz: an array name in the "
                     "archive (default 'y', else the file <stem>.target.npy) or an integer column "
                     "index of X, removed from X; npy: a .npy file (default <stem>.target.npy); "
                     "svmlight: 'label' (the default)")
    fit.add_argument("--model", choices=MODELS, default=None,
                     help="ols (least squares), ridge, lasso, enet (ElasticNet) or gd (the reference "
                     "gradient-descent loop)")
    fit.add_argument("--alpha", type=_non_negative_float, default=None, metavar="A",
                     help="regularization strength of ridge, lasso and enet, scikit-learn's meaning "
                     "(default: 1.0)")
    fit.add_argument("--l1-ratio", type=_l1_ratio, default=None, metavar="R",
                     help="enet: the L1 share of the penalty, in (0, 1] (default: 0.5)")
    fit.add_argument("--cv", type=_cv_folds, default=None, metavar="K",
                     help="ridge, lasso, enet: choose alpha by K-fold cross-validation instead of --alpha")
    fit.add_argument("--rule", choices=["min", "1se"], default=None,
                     help="lasso, enet with --cv: the alpha of least mean CV error (min, the default) or "
                     "glmnet's lambda.1se, the largest alpha within one standard error of it (1se: "
                     "sparser)")
    fit.add_argument("--categorical", type=_column_list, default=[], metavar="COLS",
                     help="CSV: comma-separated columns to one-hot encode although they hold numbers "
                     "(text columns are encoded anyway)")
    gd = fit.add_argument_group("gradient descent (--model gd)")
    gd.add_argument("--penalty", choices=list(PENALTIES), default=None,
                    help="l2 (Ridge), l1 (Lasso) or none (least squares) (default: l2)")
    gd.add_argument("--lambda", dest="lambda_", type=_non_negative_float, default=None, metavar="L",
                    help="regularization strength lambda, the reference document's (default: 0)")
    gd.add_argument("--learning-rate", type=_learning_rate, default=None, metavar="R",
                    help="step size: a positive number, or 'auto' for 1/L, the largest safe step "
                    "(default: auto)")
    gd.add_argument("--iterations", type=_positive_int, default=None, metavar="N",
                    help="iterations (default: 1000)")
    fit.add_argument("--output", metavar="PATH", default=None,
                     help="also write the model to PATH: a model file for 'fastreg predict' if PATH "
                     "ends in .npz (with the CSV encoding), else JSON (model, alpha, feature names, "
                     "coefficients, intercept, training R²)")
    fit.add_argument("--verbose", action="store_true",
                     help="show a progress bar on stderr over the passes over a streamed X")
    fit.set_defaults(func=run_fit)

    predict = sub.add_parser(
        "predict",
        help="predict a data file with a saved model",
        description="Predict the rows of a data file with a model file written by "
        "'fastreg fit ... --output model.npz' or Estimator.save(). CSV columns are picked by "
        "name and encoded as in training. If --target is given, the R² is printed too.",
    )
    predict.add_argument("file", metavar="FILE",
                         help="data file (.csv, .npz, .npy, .svm, .svmlight, .libsvm, .txt)")
    predict.add_argument("--model", metavar="MODEL", required=True, help="model file (.npz)")
    predict.add_argument("--target", metavar="COLUMN", default=None,
                         help="target column, if the file has one (as for 'fit'); CSV: without it "
                         "every column is a feature, or the model's feature columns by name")
    predict.add_argument("--unseen", choices=("error", "zero"), default="error",
                         help="a CSV category not seen in training: an error (the default), or "
                         "encoded as all zeros (none of the column's categories)")
    predict.add_argument("--output", metavar="PATH", default=None,
                         help="write the predictions as CSV (one column 'prediction') to PATH "
                         "instead of standard output")
    predict.set_defaults(func=run_predict)

    path = sub.add_parser(
        "path",
        help="Lasso/ElasticNet regularization path (and CV error), optionally plotted",
        description="Compute the Lasso (or ElasticNet) path on FILE (or on the demo house prices "
        "when no FILE is given): coefficients for a grid of alphas from alpha_max down to "
        "eps*alpha_max. With --cv K, also the K-fold CV error, its minimum and the "
        "one-standard-error alpha. --plot saves the classic figure (needs matplotlib).",
    )
    path.add_argument("file", metavar="FILE", nargs="?", default=None,
                      help="data file as for 'fit' (default: the demo house prices)")
    path.add_argument("--target", metavar="COLUMN", default=None, help="target, as for 'fit'")
    path.add_argument("--categorical", type=_column_list, default=[], metavar="COLS",
                      help="as for 'fit'")
    path.add_argument("--l1-ratio", type=_l1_ratio, default=1.0, metavar="R",
                      help="ElasticNet mixing, 1 = Lasso (default: 1)")
    path.add_argument("--n-alphas", type=_positive_int, default=100, metavar="N",
                      help="number of alphas (default: 100)")
    path.add_argument("--eps", type=_positive_float, default=1e-3, metavar="E",
                      help="alpha_min / alpha_max (default: 1e-3)")
    path.add_argument("--cv", type=_cv_folds, default=None, metavar="K",
                      help="also cross-validate with K folds (K >= 2)")
    path.add_argument("--standardize", action="store_true",
                      help="penalize the coefficients of the columns scaled to unit standard deviation "
                      "(glmnet's default standardize=TRUE); coefficients stay on the original scale")
    path.add_argument("--plot", metavar="PNG", default=None,
                      help="save the path (and CV error) figure to PNG (needs matplotlib)")
    path.add_argument("--verbose", action="store_true", help="show progress bars")
    path.set_defaults(func=run_path)
    return parser


# ------------------------------------------------------------------ helpers


def r2_score(X, y, theta):
    """Coefficient of determination of ``theta`` (intercept first) on ``(X, y)``.

    Parameters
    ----------
    X : ndarray or scipy sparse matrix of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
    theta : ndarray of shape (n_features + 1,)

    Returns
    -------
    float
        ``1 - SS_res / SS_tot``, computed in float64; NaN when ``y`` is constant.
    """
    theta = np.asarray(theta, dtype=np.float64)
    prediction = np.asarray(X @ theta[1:], dtype=np.float64).ravel() + theta[0]
    return _r2(y, prediction)


def _r2(y, prediction):
    y = np.asarray(y, dtype=np.float64)
    ss_tot = float(np.sum((y - y.mean()) ** 2))
    if ss_tot == 0.0:
        return float("nan")
    return 1.0 - float(np.sum((y - prediction) ** 2)) / ss_tot


def _fmt_r2(value):
    return "n/a" if value != value else f"{value:.4f}"


def _warn(message):
    print(f"fastreg: warning: {' '.join(str(message).split())}", file=sys.stderr)


# --------------------------------------------------------------------- fit


class UsageError(ValueError):
    """Options that do not go together (one line, exit status 2)."""


def _resolve_fit_options(args):
    """The model and its settings from ``args``; :class:`UsageError` for options that do not apply."""
    gd_given = [GD_FLAGS[key] for key in GD_FLAGS if getattr(args, key) is not None]
    model = args.model or ("gd" if gd_given else "ols")
    exact_given = [flag for flag, value in (("--alpha", args.alpha), ("--l1-ratio", args.l1_ratio),
                                            ("--cv", args.cv)) if value is not None]
    if model != "gd" and gd_given:
        raise UsageError(f"{_options(gd_given)} only to --model gd (the gradient-descent loop)")
    if model == "gd" and exact_given:
        raise UsageError(f"{_options(exact_given, applies=False)} to --model gd: it takes --penalty and --lambda")
    if model == "ols" and exact_given:
        raise UsageError(f"{_options(exact_given, applies=False)} to --model ols (least squares has no alpha)")
    if model != "enet" and args.l1_ratio is not None:
        raise UsageError("--l1-ratio applies to --model enet only")
    if args.alpha is not None and args.cv is not None:
        raise UsageError("give --alpha or --cv (to choose alpha by cross-validation), not both")
    if args.rule is not None and (args.cv is None or model not in ("lasso", "enet")):
        raise UsageError("--rule applies to --model lasso or enet with --cv")
    for key, default in GD_DEFAULTS.items():
        if getattr(args, key) is None:
            setattr(args, key, default)
    if args.alpha is None and args.cv is None:
        args.alpha = 1.0
    if args.l1_ratio is None:
        args.l1_ratio = 0.5
    return model


def _options(flags, applies=True):
    """``"--alpha applies"``, ``"--alpha, --cv do not apply"``: the start of a usage message."""
    one = len(flags) == 1
    verb = ("applies" if one else "apply") if applies else ("does not apply" if one else "do not apply")
    return f"{', '.join(flags)} {verb}"


def _make_estimator(model, args, X):
    """The fastreg estimator that ``--model`` and its options describe."""
    import fastreg
    from fastreg.descent import GradientDescentRegressor

    if model == "gd":
        return GradientDescentRegressor(PENALTIES[args.penalty], lambda_=args.lambda_,
                                        learning_rate=args.learning_rate, iterations=args.iterations)
    if model == "ols":
        return fastreg.LinearRegression()
    if args.cv is None:
        if model == "ridge":
            return fastreg.Ridge(alpha=args.alpha)
        if model == "lasso":
            return fastreg.Lasso(alpha=args.alpha)
        return fastreg.ElasticNet(alpha=args.alpha, l1_ratio=args.l1_ratio)
    if model == "ridge":
        return fastreg.RidgeCV(alphas=_ridge_cv_grid(X), cv=args.cv)
    rule = args.rule or "min"
    if model == "lasso":
        return fastreg.LassoCV(cv=args.cv, alpha_rule=rule)
    return fastreg.ElasticNetCV(l1_ratio=args.l1_ratio, cv=args.cv, alpha_rule=rule)


def _ridge_cv_grid(X):
    """``RIDGE_CV_GRID`` times the mean diagonal of ``X_cᵀX_c`` (1 if that is 0)."""
    n = X.shape[0]
    if sp.issparse(X):
        mean = np.asarray(X.mean(axis=0)).ravel()
        squares = np.asarray(X.multiply(X).sum(axis=0)).ravel()
        diagonal = squares - n * mean**2
    else:
        diagonal = n * np.var(X, axis=0, dtype=np.float64)
    scale = float(np.mean(diagonal))
    return RIDGE_CV_GRID * (scale if scale > 0 else 1.0)


def _fit_quietly(estimator, X, y):
    """Fit; scikit-learn's warnings (e.g. a ConvergenceWarning) become one line each."""
    with warnings.catch_warnings(record=True) as caught:
        estimator.fit(X, y)
    for item in caught:
        _warn(f"{item.category.__name__}: {item.message}")
    return estimator


def gd_gradient_norms(X, y, theta, penalty, lambda_):
    """Norm of the descended objective's gradient at ``theta``, and at ``θ = 0``.

    The gradient is the reference loop's,
    ``(1/m)[1, X]ᵀ([1, X]θ − y) + (λ/m)·pen(θ)``; for ``"l1"`` the
    subgradient of least norm (the distance of 0 from the subdifferential),
    which is 0 exactly at the Lasso optimum with ``α = λ/m``.

    Returns
    -------
    norm, initial_norm : float
    """
    m = X.shape[0]
    theta = np.asarray(theta, dtype=np.float64)

    def smooth_gradient(residual):
        return np.concatenate([[residual.mean()], np.asarray(X.T @ residual, dtype=np.float64).ravel() / m])

    y = np.asarray(y, dtype=np.float64)
    residual = np.asarray(X @ theta[1:], dtype=np.float64).ravel() + theta[0] - y
    gradient = smooth_gradient(residual)
    w, g, mu = theta[1:], gradient[1:], lambda_ / m
    if penalty == "l2":
        g += mu * w
    elif penalty == "l1":
        g[:] = np.where(w != 0, g + mu * np.sign(w), np.sign(g) * np.maximum(np.abs(g) - mu, 0.0))
    return float(np.linalg.norm(gradient)), float(np.linalg.norm(smooth_gradient(-y)))


def run_fit(args):
    """Run ``fastreg fit``; return the exit status."""
    import fastreg
    from fastreg.io import read_table, save_coefficients

    model = _resolve_fit_options(args)
    X, y, names, encoding = read_table(args.file, args.target, categorical=args.categorical)
    estimator = _make_estimator(model, args, X)
    try:
        with fastreg.config_context(progress=bool(args.verbose)):
            _fit_quietly(estimator, X, y)
    except DivergenceError as exc:
        return _error(f"{args.file}: {_divergence_message(exc)}")
    except (ValueError, TypeError) as exc:  # bad data, e.g. NaN in an npz archive
        return _error(f"{args.file}: {exc}")
    coef = np.asarray(estimator.coef_, dtype=np.float64)
    intercept = float(estimator.intercept_)
    theta = np.concatenate([[intercept], coef])
    r2 = r2_score(X, y, theta)

    kind = f"sparse {X.format.upper()}" if sp.issparse(X) else "dense"
    print(f"{args.file}: {X.shape[0]} samples x {X.shape[1]} features ({kind}, {X.dtype})")
    if encoding is not None:
        text = [f"{name} ({len(cats)} categories)" for name, cats in encoding.columns if cats is not None]
        if text:
            print(f"one-hot encoded: {', '.join(text)}")
    print(_describe_model(model, args, estimator))
    print()
    rows = [("(intercept)", intercept)] + list(zip(names, coef))
    width = max(len(name) for name, _ in rows)
    print(f"{'feature':<{width}}  {'coefficient':>14}")
    for name, value in rows:
        print(f"{name:<{width}}  {float(value):>14.6g}")
    print()
    print(f"training R²: {_fmt_r2(r2)}")
    if model in ("lasso", "enet"):
        print(f"exact zeros: {int(np.sum(coef == 0))} of {coef.size} coefficients")

    convergence = {}
    if model == "gd":
        norm, initial = gd_gradient_norms(X, y, theta, PENALTIES[args.penalty], args.lambda_)
        converged = norm <= GD_GRADIENT_RTOL * initial
        convergence = {"gradient_norm": norm, "converged": bool(converged)}
        if not converged:
            _warn(_gd_not_converged(args, norm, initial, X.shape[0]))

    if args.output is not None and os.path.splitext(args.output)[1].lower() == ".npz":
        from fastreg.persistence import save

        extra = None if encoding is None else {"encoding": encoding.to_dict()}
        save(estimator, args.output, feature_names=names, extra=extra)
        print(f"model written to {args.output}")
    elif args.output is not None:
        save_coefficients(
            args.output, theta, names,
            model=model, **_model_settings(model, args, estimator), feature_names=names,
            r2=r2, n_samples=X.shape[0], **convergence,
            encoding=None if encoding is None else encoding.to_dict(), fastreg_version=_version(),
        )
        print(f"coefficients written to {args.output}")
    return 0


def _chosen_alpha(estimator):
    return float(np.ravel(getattr(estimator, "alpha_", getattr(estimator, "alpha", np.nan)))[0])


def _model_settings(model, args, estimator):
    """The settings recorded in the JSON output."""
    if model == "gd":
        return {"penalty": args.penalty, "lambda": args.lambda_, "learning_rate": args.learning_rate,
                "iterations": args.iterations}
    if model == "ols":
        return {"alpha": None}
    settings = {"alpha": _chosen_alpha(estimator)}
    if model == "enet":
        settings["l1_ratio"] = args.l1_ratio
    settings["cv"] = args.cv
    if args.cv is not None and model in ("lasso", "enet"):
        settings["rule"] = args.rule or "min"
    return settings


def _describe_model(model, args, estimator):
    if model == "gd":
        return (f"model gd: plain gradient descent (the reference loop), penalty {args.penalty}, "
                f"lambda {args.lambda_:g}, learning rate {args.learning_rate}, {args.iterations} iterations")
    if model == "ols":
        return "model ols: least squares"
    name = {"ridge": "Ridge", "lasso": "Lasso", "enet": f"ElasticNet (l1_ratio {args.l1_ratio:g})"}[model]
    alpha = _chosen_alpha(estimator)
    if args.cv is None:
        return f"model {model}: {name}, alpha {alpha:.6g}"
    grid = np.ravel(getattr(estimator, "alphas_", estimator.alphas))  # RidgeCV keeps its given alphas
    rule = " (the one-standard-error rule)" if args.rule == "1se" else ""
    return (f"model {model}: {name}, alpha {alpha:.6g} chosen by {args.cv}-fold cross-validation{rule} "
            f"among {grid.size} values from {grid.max():.4g} down to {grid.min():.4g}")


def _gd_not_converged(args, norm, initial, m):
    exact = {"none": "--model ols", "l2": f"--model ridge --alpha {args.lambda_:g}",
             "l1": f"--model lasso --alpha {args.lambda_ / m:g}"}[args.penalty if args.lambda_ > 0 else "none"]
    message = (f"gradient descent stopped after {args.iterations} iterations before converging: gradient "
               f"norm {norm:.3g}, {norm / initial:.2g} of its value at the start (converged means "
               f"{GD_GRADIENT_RTOL:g}); ")
    if args.penalty == "l1" and args.lambda_ > 0:
        return message + ("the L1 loop's sign steps hover around the Lasso and never settle on it; "
                          f"the exact Lasso is {exact}")
    return message + (f"raise --iterations (plain gradient descent is slow when features have different "
                      f"scales), or fit the same model exactly with {exact}")


# ------------------------------------------------------------------ predict


def run_predict(args):
    """Run ``fastreg predict``; return the exit status."""
    from fastreg.io import DataFileError, TableEncoding, load_features
    from fastreg.persistence import ModelFileError, load_with_metadata

    try:
        model, model_names, extra = load_with_metadata(args.model)
    except (FileNotFoundError, IsADirectoryError, PermissionError) as exc:
        raise ModelFileError(f"{args.model}: cannot read model file ({exc.strerror or exc})") from None
    encoding = None
    if extra is not None and extra.get("encoding") is not None:
        try:
            encoding = TableEncoding.from_dict(extra["encoding"])
        except ValueError as exc:
            raise ModelFileError(f"{args.model}: corrupt model file ({exc})") from None
        if encoding.feature_names != model_names:
            raise ModelFileError(f"{args.model}: corrupt model file (the encoding does not give its feature names)")
    p = model.n_features_in_
    X, y, names = load_features(args.file, args.target, n_features=p, encoding=encoding, unseen=args.unseen)
    if encoding is None and model_names is not None and not sp.issparse(X) and names != model_names:
        ext = os.path.splitext(args.file)[1].lower()
        if ext == ".csv" and set(model_names) <= set(names):
            X = np.ascontiguousarray(X[:, [names.index(n) for n in model_names]])  # columns by name
            names = list(model_names)
        elif ext == ".csv":
            missing = [n for n in model_names if n not in names]
            raise DataFileError(args.file, f"missing the model's feature columns: {', '.join(missing)}")
    if X.shape[1] != p:
        raise DataFileError(args.file, f"has {X.shape[1]} feature columns, the model expects {p}")
    with warnings.catch_warnings():
        # a model fitted in Python on a DataFrame: the file's columns are used by position
        warnings.filterwarnings("ignore", message="X does not have valid feature names")
        prediction = np.asarray(model.predict(X), dtype=np.float64)
    if prediction.ndim == 1:
        lines = ["prediction"] + [repr(float(v)) for v in prediction]
    else:  # a multi-target model: one column per target
        lines = [",".join(f"prediction_{k}" for k in range(prediction.shape[1]))]
        lines += [",".join(repr(float(v)) for v in row) for row in prediction]
    if args.output is not None:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
        print(f"{args.file}: {X.shape[0]} predictions by {type(model).__name__} written to {args.output}")
        report = sys.stdout
    else:
        sys.stdout.write("\n".join(lines) + "\n")
        report = sys.stderr
    if y is not None and prediction.ndim == 1:
        print(f"R²: {_fmt_r2(_r2(y, prediction))}", file=report)
    return 0


# -------------------------------------------------------------------- path


def run_path(args):
    """Run ``fastreg path``; return the exit status."""
    from fastreg.path_report import compute_path, plot_path, print_path

    pyplot = None
    if args.plot is not None:  # fail before computing anything
        try:
            import matplotlib

            matplotlib.use("Agg")
            from matplotlib import pyplot
        except ImportError:
            return _error("--plot needs matplotlib: pip install 'fastreg[plot]' (or pip install matplotlib)")
    if args.file is None:
        from fastreg.demo import house_prices

        X, _, y, _, names = house_prices(2000)
        source = "demo house prices (standardized)"
    else:
        from fastreg.io import load_table

        X, y, names = load_table(args.file, args.target, categorical=args.categorical)
        source = args.file
    result = compute_path(X, y, l1_ratio=args.l1_ratio, n_alphas=args.n_alphas, eps=args.eps,
                          cv=args.cv, standardize=args.standardize, verbose=args.verbose)
    print_path(result, names, source, X.shape)
    if pyplot is not None:
        plot_path(result, names, args.plot, pyplot)
        print(f"figure written to {args.plot}")
    return 0


# -------------------------------------------------------------------- demo


def run_demo(args):
    """Run ``fastreg demo``; return the exit status."""
    from fastreg.demo import run

    run(samples=args.samples, iterations=args.iterations, speed=not args.no_speed,
        speed_shape=(args.speed_samples, args.speed_features), rounds=args.rounds)
    return 0


# -------------------------------------------------------------------- main


def _divergence_message(exc):
    message = str(exc)
    if "auto" not in message:
        message += " (try a smaller --learning-rate, or --learning-rate auto)"
    return message


def _error(message):
    print(f"fastreg: error: {' '.join(str(message).split())}", file=sys.stderr)
    return 2


def main(argv=None):
    """Run the ``fastreg`` command line.

    Parameters
    ----------
    argv : list of str, optional
        Arguments without the program name; ``sys.argv[1:]`` when omitted.

    Returns
    -------
    int
        Exit status: 0 on success, 2 on a usage or data error (the message is
        one line on stderr), 130 if interrupted.
    """
    from fastreg.io import DataFileError

    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # usage error (2), --help or --version (0)
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    try:
        return args.func(args)
    except DataFileError as exc:
        return _error(exc)
    except DivergenceError as exc:
        return _error(_divergence_message(exc))
    except (ValueError, TypeError) as exc:
        return _error(exc)
    except NotImplementedError as exc:  # e.g. scipy on an exotic sparse archive
        return _error(exc)
    except BrokenPipeError:  # e.g. `fastreg demo | head`: stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except OSError as exc:  # e.g. --output not writable
        where = f"{exc.filename}: " if exc.filename else ""
        return _error(f"{where}{exc.strerror or exc}")
    except KeyboardInterrupt:
        _error("interrupted")
        return 130
    except Exception as exc:  # a bug, not the user's fault: still no traceback on their terminal
        return _error(f"internal error ({type(exc).__name__}: {exc}); please report it")
