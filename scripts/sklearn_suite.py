"""Run scikit-learn's own linear-model tests with fastreg's estimators swapped in.

The installed scikit-learn ships its tests (``sklearn/linear_model/tests``).
This script imports those test modules with nine names taken from fastreg
instead — ``LinearRegression``, ``Ridge``, ``Lasso``, ``ElasticNet``,
``RidgeCV``, ``LassoCV``, ``ElasticNetCV``, ``lasso_path``, ``enet_path`` —
then runs them with pytest and counts, per module, the tests that touch
fastreg (one of its estimators was constructed or one of its path functions
called while the test ran) and how many of those pass. Nothing of
scikit-learn's is copied into this repository: the tests are read from the
installed wheel.

    pip install '.[test]'
    python scripts/sklearn_suite.py                  # the three modules, counts
    python scripts/sklearn_suite.py --failures       # and every failing test, one line each
    python scripts/sklearn_suite.py --reference      # scikit-learn itself (no swap): none should fail
    python scripts/sklearn_suite.py -- -k lasso_path # extra pytest arguments after --

The names are swapped while the test modules are imported (so that the
classes in ``pytest.mark.parametrize`` lists are fastreg's too), and only in
``sklearn.linear_model``'s namespace, then restored: scikit-learn's own code
keeps its estimators.
"""

import argparse
import collections
import functools
import importlib
import importlib.util
import json
import sys

import pytest

import sklearn.linear_model

import fastreg
from fastreg.linear_model import LinearModel

NAMES = ("LinearRegression", "Ridge", "Lasso", "ElasticNet", "RidgeCV", "LassoCV", "ElasticNetCV",
         "lasso_path", "enet_path")
MODULES = ("test_base", "test_coordinate_descent", "test_ridge")
PACKAGE = "sklearn.linear_model.tests"


class _Touch:
    """Records whether fastreg was used by the running test."""

    touched = False


def _tracked_path(func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        _Touch.touched = True
        return func(*args, **kwargs)

    return wrapper


def _new(cls, *args, **kwargs):
    _Touch.touched = True
    return object.__new__(cls)


def import_swapped(modules):
    """Import the test modules with fastreg's names in ``sklearn.linear_model``, then restore it.

    Returns ``{module: error}`` for the modules whose import failed with fastreg's names.
    """
    failed = {}
    saved = {name: getattr(sklearn.linear_model, name) for name in NAMES}
    ours = {name: getattr(fastreg, name) for name in NAMES}
    ours["lasso_path"] = _tracked_path(fastreg.lasso_path)
    ours["enet_path"] = _tracked_path(fastreg.enet_path)
    try:
        for name, value in ours.items():
            setattr(sklearn.linear_model, name, value)
        for module in modules:
            try:
                importlib.import_module(f"{PACKAGE}.{module}")
            except Exception as exc:  # e.g. a parameter fastreg refuses at module level
                failed[module] = f"{type(exc).__name__}: {exc}"
                sys.modules.pop(f"{PACKAGE}.{module}", None)
    finally:
        for name, value in saved.items():
            setattr(sklearn.linear_model, name, value)
    return failed


class Collector:
    """A pytest plugin: per test, its outcome and whether it touched fastreg."""

    def __init__(self, swapped):
        self.swapped = swapped
        self.results = {}  # nodeid -> (outcome, touched, message)

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(self, item, nextitem):
        _Touch.touched = False
        yield
        outcome, message = self._outcome.pop(item.nodeid, ("passed", ""))
        touched = _Touch.touched or not self.swapped
        self.results[item.nodeid] = (outcome, touched, message)

    _outcome = {}

    def pytest_runtest_logreport(self, report):
        if report.failed:
            message = ""
            if report.longrepr is not None:
                crash = getattr(report.longrepr, "reprcrash", None)
                message = crash.message if crash is not None else str(report.longrepr)
            self._outcome.setdefault(report.nodeid, ("failed", message.splitlines()[0][:200] if message else ""))
        elif report.skipped and report.when in ("setup", "call"):
            self._outcome.setdefault(report.nodeid, ("skipped", ""))


class _Lister:
    """A pytest plugin recording the collected test ids (for a module that cannot run swapped)."""

    def __init__(self, sink):
        self.sink = sink

    def pytest_collection_modifyitems(self, items):
        for item in items:
            self.sink.results[item.nodeid] = None


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modules", nargs="+", default=list(MODULES), help="test modules of sklearn.linear_model.tests")
    parser.add_argument("--reference", action="store_true", help="run scikit-learn's own estimators (no swap)")
    parser.add_argument("--failures", action="store_true", help="list every failing test that touches fastreg")
    parser.add_argument("--json", help="write the per-test results to this file")
    parser.add_argument("pytest_args", nargs="*", help="extra pytest arguments (after --)")
    args = parser.parse_args(argv)

    swapped = not args.reference
    broken = {}
    if swapped:
        LinearModel.__new__ = _new  # every fastreg estimator is constructed through it
        broken = import_swapped(args.modules)
    for module, error in broken.items():
        print(f"{module}: cannot be imported with fastreg's names ({error}); all its tests count as failing")
    collector = Collector(swapped)
    runnable = [m for m in args.modules if m not in broken]
    paths = [importlib.import_module(f"{PACKAGE}.{m}").__file__ for m in runnable]
    code = pytest.main(
        ["-q", "-p", "no:cacheprovider", "-p", "no:randomly", "--no-header", "-o", "addopts=", "--tb=line",
         "-W", "ignore", *paths, *args.pytest_args],
        plugins=[collector],
    )
    counts = collections.defaultdict(collections.Counter)
    for module in broken:  # every test of the module fails; its size from a collection under scikit-learn
        file = importlib.util.find_spec(f"{PACKAGE}.{module}").origin
        lister = Collector(False)
        pytest.main(["-q", "--collect-only", "-p", "no:cacheprovider", "-o", "addopts=", file], plugins=[_Lister(lister)])
        for nodeid in lister.results:
            collector.results[nodeid] = ("failed", True, f"module import failed: {broken[module]}")
    for nodeid, (outcome, touched, _) in collector.results.items():
        module = nodeid.split("::")[0].rsplit("/", 1)[-1].removesuffix(".py")
        counts[module]["all"] += 1
        if touched:
            counts[module]["touched"] += 1
            counts[module][outcome] += 1
    total = collections.Counter()
    print(f"\n{'module':<28}{'tests':>7}{'touch':>7}{'pass':>7}{'fail':>7}{'skip':>7}{'pass %':>8}")
    for module in args.modules:
        c = counts[module]
        total.update(c)
        run = c["passed"] + c["failed"]
        print(f"{module:<28}{c['all']:>7}{c['touched']:>7}{c['passed']:>7}{c['failed']:>7}{c['skipped']:>7}"
              f"{100 * c['passed'] / max(run, 1):>7.1f}%")
    run = total["passed"] + total["failed"]
    print(f"{'total':<28}{total['all']:>7}{total['touched']:>7}{total['passed']:>7}{total['failed']:>7}"
          f"{total['skipped']:>7}{100 * total['passed'] / max(run, 1):>7.1f}%")
    print("(pass % of the touching tests that ran: passed / (passed + failed); skips are scikit-learn's own)")
    if args.failures:
        for nodeid, (outcome, touched, message) in sorted(collector.results.items()):
            if outcome == "failed" and touched:
                print(f"FAIL {nodeid.split('/')[-1]}: {message}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({k: list(v) for k, v in collector.results.items()}, f, indent=1)
    return 0 if code in (0, 1) else code


if __name__ == "__main__":
    sys.exit(main())
