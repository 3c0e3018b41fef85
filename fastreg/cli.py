"""The ``fastreg`` command line: ``fastreg demo``, ``fastreg fit FILE``,
``fastreg predict --model MODEL FILE`` and ``fastreg path``.

Every error a user can cause (missing or malformed file, unknown column,
diverging learning rate, bad parameter) ends as one line
``fastreg: error: <message>`` on stderr and exit status 2, like argparse's own
usage errors.
"""

import argparse
import os
import statistics
import sys
import time
import warnings

import numpy as np
import scipy.sparse as sp

from fastreg import DivergenceError, gradient_descent

__all__ = ["main", "build_parser"]

PENALTIES = {"l2": "l2", "l1": "l1", "none": None}

# Demo settings, on features standardized with the train mean/std.
DEMO_LEARNING_RATE = 0.1  # below 2/L: L is the largest eigenvalue of X'X/m, about 2.3 here
DEMO_RIDGE_LAMBDA_PER_SAMPLE = 0.5  # lambda = 0.5 * m: sklearn Ridge alpha = lambda
DEMO_LASSO_LAMBDA_PER_SAMPLE = 2.0  # lambda = 2.0 * m: sklearn Lasso alpha = lambda / m = 2
DEMO_TIMING_REPEATS = 5
DEMO_ZERO_TOL = 1e-3


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


# ------------------------------------------------------------------- parser


def build_parser():
    """Build the ``fastreg`` argument parser.

    Returns
    -------
    argparse.ArgumentParser
        Parser with the ``demo`` and ``fit`` subcommands.
    """
    parser = argparse.ArgumentParser(
        prog="fastreg",
        description="Ridge / Lasso / least squares by gradient descent, JIT-compiled with numba.",
    )
    parser.add_argument("--version", action="version", version=f"fastreg {_version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = sub.add_parser(
        "demo",
        help="fit OLS, Ridge and Lasso on generated house prices and time them",
        description="Fit OLS, Ridge and Lasso on a generated house-price data set with useless "
        "features (owner_shoe_size, ...), print the coefficients side by side, R², and the "
        "time per iteration beside the plain NumPy loop.",
    )
    demo.add_argument("--samples", type=_demo_samples, default=2000, metavar="N",
                      help="number of houses to generate (default: 2000)")
    demo.add_argument("--iterations", type=_positive_int, default=1000, metavar="N",
                      help="gradient-descent iterations per fit (default: 1000)")
    demo.set_defaults(func=run_demo)

    fit = sub.add_parser(
        "fit",
        help="fit a data file and print the coefficients",
        description="Fit y = Xw + b by the seed's gradient descent on a .csv, .npz, or "
        "svmlight (.svm/.svmlight/.libsvm/.txt) file.",
    )
    fit.add_argument("file", metavar="FILE", help="data file (.csv, .npz, .svm, .svmlight, .libsvm, .txt)")
    fit.add_argument("--target", metavar="COLUMN", default=None,
                     help="target: CSV column name (required for CSV); npz: an array name in the "
                     "archive (default 'y', else the file <stem>.target.npy) or an integer column "
                     "index of X, removed from X; svmlight: 'label' (the default)")
    fit.add_argument("--penalty", choices=list(PENALTIES), default="l2",
                     help="l2 (Ridge), l1 (Lasso) or none (least squares) (default: l2)")
    fit.add_argument("--lambda", dest="lambda_", type=_non_negative_float, default=0.0, metavar="L",
                     help="regularization strength lambda, the seed's (default: 0)")
    fit.add_argument("--learning-rate", type=_learning_rate, default=0.01, metavar="R",
                     help="step size, a positive number or 'auto' for 1/L (default: 0.01)")
    fit.add_argument("--iterations", type=_positive_int, default=1000, metavar="N",
                     help="gradient-descent iterations (default: 1000)")
    fit.add_argument("--output", metavar="PATH", default=None,
                     help="also write the model to PATH: a model file for 'fastreg predict' if PATH "
                     "ends in .npz, else the coefficients and settings as JSON")
    fit.set_defaults(func=run_fit)

    predict = sub.add_parser(
        "predict",
        help="predict a data file with a saved model",
        description="Predict the rows of a data file with a model file written by "
        "'fastreg fit ... --output model.npz' or Estimator.save(). If the file has a target, "
        "the R² is printed too.",
    )
    predict.add_argument("file", metavar="FILE", help="data file (.csv, .npz, .svm, .svmlight, .libsvm, .txt)")
    predict.add_argument("--model", metavar="MODEL", required=True, help="model file (.npz)")
    predict.add_argument("--target", metavar="COLUMN", default=None,
                         help="target column, if the file has one (as for 'fit'); CSV: without it "
                         "every column is a feature, or the model's feature columns by name")
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
    path.add_argument("--l1-ratio", type=_l1_ratio, default=1.0, metavar="R",
                      help="ElasticNet mixing, 1 = Lasso (default: 1)")
    path.add_argument("--n-alphas", type=_positive_int, default=100, metavar="N",
                      help="number of alphas (default: 100)")
    path.add_argument("--eps", type=_positive_float, default=1e-3, metavar="E",
                      help="alpha_min / alpha_max (default: 1e-3)")
    path.add_argument("--cv", type=_cv_folds, default=None, metavar="K",
                      help="also cross-validate with K folds (K >= 2)")
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
    y = np.asarray(y, dtype=np.float64)
    prediction = np.asarray(X @ theta[1:], dtype=np.float64).ravel() + theta[0]
    ss_tot = float(np.sum((y - y.mean()) ** 2))
    if ss_tot == 0.0:
        return float("nan")
    return 1.0 - float(np.sum((y - prediction) ** 2)) / ss_tot


def _fmt_r2(value):
    return "n/a" if value != value else f"{value:.4f}"


def _fmt_time(seconds):
    if seconds < 1e-3:
        return f"{seconds * 1e6:.2f} µs"
    if seconds < 1.0:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.2f} s"


def _median_time(func, repeats):
    times = []
    result = None
    for _ in range(repeats):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


# --------------------------------------------------------------------- fit


def run_fit(args):
    """Run ``fastreg fit``; return the exit status."""
    from fastreg.io import load_table, save_coefficients

    X, y, names = load_table(args.file, args.target)
    penalty = PENALTIES[args.penalty]
    try:
        theta = gradient_descent(
            X, y, penalty=penalty, lambda_=args.lambda_,
            learning_rate=args.learning_rate, iterations=args.iterations,
        )
    except DivergenceError as exc:
        return _error(f"{args.file}: {_divergence_message(exc)}")
    except (ValueError, TypeError) as exc:  # bad data, e.g. NaN in an npz archive
        return _error(f"{args.file}: {exc}")
    r2 = r2_score(X, y, theta)

    kind = f"sparse {X.format.upper()}" if sp.issparse(X) else "dense"
    print(f"{args.file}: {X.shape[0]} samples x {X.shape[1]} features ({kind}, {X.dtype})")
    print(f"penalty {args.penalty}, lambda {args.lambda_:g}, learning rate {args.learning_rate}, "
          f"{args.iterations} iterations")
    print()
    rows = [("(intercept)", theta[0])] + list(zip(names, theta[1:]))
    width = max(len(name) for name, _ in rows)
    print(f"{'feature':<{width}}  {'coefficient':>14}")
    for name, value in rows:
        print(f"{name:<{width}}  {float(value):>14.6g}")
    print()
    print(f"training R²: {_fmt_r2(r2)}")

    if args.output is not None and os.path.splitext(args.output)[1].lower() == ".npz":
        from fastreg.descent import GradientDescentRegressor
        from fastreg.persistence import save

        model = GradientDescentRegressor(
            penalty, lambda_=args.lambda_, learning_rate=args.learning_rate, iterations=args.iterations
        )
        model.coef_, model.intercept_, model.n_features_in_ = theta[1:], float(theta[0]), X.shape[1]
        save(model, args.output, feature_names=names)
        print(f"model written to {args.output}")
    elif args.output is not None:
        save_coefficients(
            args.output, theta, names,
            penalty=args.penalty, **{"lambda": args.lambda_},
            learning_rate=args.learning_rate, iterations=args.iterations,
            r2=r2, fastreg_version=_version(),
        )
        print(f"coefficients written to {args.output}")
    return 0


# ------------------------------------------------------------------ predict


def run_predict(args):
    """Run ``fastreg predict``; return the exit status."""
    from fastreg.io import DataFileError, load_features
    from fastreg.persistence import ModelFileError, load_with_names

    try:
        model, model_names = load_with_names(args.model)
    except (FileNotFoundError, IsADirectoryError, PermissionError) as exc:
        raise ModelFileError(f"{args.model}: cannot read model file ({exc.strerror or exc})") from None
    p = model.n_features_in_
    X, y, names = load_features(args.file, args.target, n_features=p)
    if model_names is not None and not sp.issparse(X) and names != model_names:
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
        ss_tot = float(np.sum((y - y.mean()) ** 2))
        r2 = 1.0 - float(np.sum((y - prediction) ** 2)) / ss_tot if ss_tot > 0 else float("nan")
        print(f"R²: {_fmt_r2(r2)}", file=report)
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
        X, _, y, _, names = _demo_data(2000)
        source = "demo house prices (standardized)"
    else:
        from fastreg.io import load_table

        X, y, names = load_table(args.file, args.target)
        source = args.file
    result = compute_path(X, y, l1_ratio=args.l1_ratio, n_alphas=args.n_alphas, eps=args.eps,
                          cv=args.cv, verbose=args.verbose)
    print_path(result, names, source, X.shape)
    if pyplot is not None:
        plot_path(result, names, args.plot, pyplot)
        print(f"figure written to {args.plot}")
    return 0


# -------------------------------------------------------------------- demo


def run_demo(args):
    """Run ``fastreg demo``; return the exit status."""
    from fastreg.datasets import INFORMATIVE_FEATURES

    X_train, X_test, y_train, y_test, names = _demo_data(args.samples)
    m, p = X_train.shape
    lr, iterations = DEMO_LEARNING_RATE, args.iterations
    models = {
        "OLS": dict(penalty=None, lambda_=0.0),
        "Ridge": dict(penalty="l2", lambda_=DEMO_RIDGE_LAMBDA_PER_SAMPLE * m),
        "Lasso": dict(penalty="l1", lambda_=DEMO_LASSO_LAMBDA_PER_SAMPLE * m),
    }
    n_informative = len(INFORMATIVE_FEATURES)

    print(f"fastreg demo: house prices (thousands), {m + len(y_test)} houses, "
          f"{m} train / {len(y_test)} test, {p} features")
    print(f"  {n_informative} informative, {p - n_informative} useless "
          "(owner_shoe_size, ...); features standardized with the train mean/std,")
    print("  coefficients below are price change (thousands) per standard deviation")
    print(f"  seed's gradient descent: learning rate {lr}, {iterations} iterations, m = {m}")
    print(f"  Ridge: penalty 'l2', lambda = {models['Ridge']['lambda_']:g} "
          f"(sklearn Ridge alpha = lambda)")
    print(f"  Lasso: penalty 'l1', lambda = {models['Lasso']['lambda_']:g} "
          f"(sklearn Lasso alpha = lambda/m = {models['Lasso']['lambda_'] / m:g})")
    print()

    # First calls: numba compiles (or loads from its cache) each kernel once per process.
    start = time.perf_counter()
    for settings in models.values():
        gradient_descent(X_train, y_train, learning_rate=lr, iterations=1, **settings)
    first_calls = time.perf_counter() - start

    thetas = {name: gradient_descent(X_train, y_train, learning_rate=lr, iterations=iterations, **settings)
              for name, settings in models.items()}
    _print_demo_table(thetas, names, n_informative, (X_train, y_train), (X_test, y_test))

    hover = lr * models["Lasso"]["lambda_"] / m
    print("Ridge shrinks all coefficients together (a smaller norm), the large ones most; it")
    print("does not single out the useless ones: they can even pick up some of the signal that")
    print("the shrunk informative coefficients leave behind. Lasso shrinks them towards zero.")
    print("Note: the seed's Lasso loop steps along sign(theta), a subgradient: a useless")
    print(f"coefficient keeps jumping across zero by up to learning_rate * lambda/m = {hover:g}")
    print("instead of landing on exactly 0, so it never deletes a feature. Exact zeros need a")
    print("proximal (soft-thresholding) step or coordinate descent.")
    print()

    _print_demo_speed(X_train, y_train, dict(learning_rate=lr, iterations=iterations, **models["Ridge"]))
    print(f"  first calls (numba compile or cache load): {_fmt_time(first_calls)}, not included above")
    return 0


def _demo_data(n_samples):
    """House prices split 75/25 and standardized with the train mean and std."""
    from sklearn.model_selection import train_test_split

    from fastreg.datasets import make_house_prices

    X, y, names = make_house_prices(n_samples=n_samples, random_state=0)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0)
    mean = X_train.mean(axis=0)
    std = X_train.std(axis=0)
    std[std == 0] = 1.0
    X_train = np.ascontiguousarray((X_train - mean) / std)
    X_test = np.ascontiguousarray((X_test - mean) / std)
    return X_train, X_test, y_train, y_test, names


def _print_demo_table(thetas, names, n_informative, train, test):
    """Coefficients side by side, summary rows, then train/test R²."""
    zero_label = f"useless with |coef| < {DEMO_ZERO_TOL:g}"
    width = max(len(n) for n in names + ["(intercept)", zero_label])
    header = f"{'feature':<{width}}" + "".join(f"{name:>11}" for name in thetas)

    def row(label, values, fmt="{:>11.3f}"):
        print(f"{label:<{width}}" + "".join(fmt.format(v) for v in values))

    print(header)
    print("-" * len(header))
    row("(intercept)", [t[0] for t in thetas.values()])
    for j, name in enumerate(names):
        if j == n_informative:
            print("-- useless features --")
        row(name, [t[j + 1] for t in thetas.values()])
    print("-" * len(header))
    informative = slice(1, 1 + n_informative)
    useless = slice(1 + n_informative, None)
    n_useless = len(names) - n_informative
    row("norm of coef (L2)", [np.linalg.norm(t[1:]) for t in thetas.values()])
    row("mean |coef| informative", [np.mean(np.abs(t[informative])) for t in thetas.values()])
    if n_useless:
        row("mean |coef| useless", [np.mean(np.abs(t[useless])) for t in thetas.values()])
        row(zero_label,
            [f"{int(np.sum(np.abs(t[useless]) < DEMO_ZERO_TOL))}/{n_useless}" for t in thetas.values()],
            fmt="{:>11}")
    print()
    print(f"{'R²':<{width}}" + "".join(f"{name:>11}" for name in thetas))
    row("train", [r2_score(*train, t) for t in thetas.values()], fmt="{:>11.4f}")
    row("test", [r2_score(*test, t) for t in thetas.values()], fmt="{:>11.4f}")
    print()


def _print_demo_speed(X, y, settings):
    """Time fastreg beside the plain NumPy loop on the same data and settings."""
    from fastreg import reference

    fast_time, fast_theta = _median_time(lambda: gradient_descent(X, y, **settings), DEMO_TIMING_REPEATS)
    ref_time, ref_theta = _median_time(lambda: reference.gradient_descent(X, y, **settings),
                                       DEMO_TIMING_REPEATS)
    deviation = float(np.max(np.abs(np.asarray(fast_theta, dtype=np.float64) - ref_theta)))
    iterations = settings["iterations"]
    label = "fastreg.reference.gradient_descent"
    print(f"Speed, Ridge on {X.shape[0]} x {X.shape[1]} {X.dtype}, {iterations} iterations, "
          f"median of {DEMO_TIMING_REPEATS} runs:")
    print(f"  {'fastreg.gradient_descent':<{len(label)}}  {_fmt_time(fast_time / iterations):>10} per iteration")
    print(f"  {label}  {_fmt_time(ref_time / iterations):>10} per iteration (plain NumPy loop)")
    if fast_time > 0 and ref_time > 0:
        ratio = ref_time / fast_time
        if 0.95 <= ratio <= 1.05:
            verdict = "about as fast as"
        else:
            verdict = f"{ratio:.1f}x faster than" if ratio > 1 else f"{1 / ratio:.1f}x slower than"
        print(f"  {'ratio':<{len(label)}}  fastreg is {verdict} the NumPy loop here")
    print(f"  {'max |theta difference|':<{len(label)}}  {deviation:>10.2e}")


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
