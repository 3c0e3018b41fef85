"""The scripts that check fastreg against its references still import against the current package.

They run by hand (minutes each), not in the suite: this catches a rename in fastreg that would
break them before someone needs them.
"""

import importlib.util
import pathlib

import pytest

SCRIPTS = pathlib.Path(__file__).resolve().parents[1] / "scripts"


@pytest.mark.parametrize("name", ["sklearn_suite", "defaults", "bench_penalty", "compare", "time_fit", "ab_compare", "krylov_threads"])
def test_script_imports(name):
    spec = importlib.util.spec_from_file_location(f"_script_{name}", SCRIPTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert callable(module.main)
