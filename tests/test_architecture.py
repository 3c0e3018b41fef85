"""The layers of the package, checked on its source: no import cycle, no private name across modules.

Layers, called one way: estimators → validation → solvers → kernels. Every
``import`` counts, also those inside functions (a cycle hidden in a function
is still a cycle), and importing a package counts as importing its
``__init__``.
"""

import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1] / "fastreg"

# Modules that must not import, even lazily, anything of the given prefixes.
LAYERS = {
    "fastreg.kernels": ("fastreg.solvers", "fastreg.penalty", "fastreg.linear_model", "fastreg.path",
                        "fastreg.path_cv", "fastreg.ridge_cv", "fastreg.dask", "fastreg.backends",
                        "fastreg.persistence", "fastreg._validation", "fastreg.cli"),
    "fastreg.solvers": ("fastreg.linear_model", "fastreg.path", "fastreg.path_cv", "fastreg.ridge_cv",
                        "fastreg.cv", "fastreg.descent", "fastreg.dask", "fastreg.backends", "fastreg.persistence",
                        "fastreg.cli"),
    "fastreg.persistence": ("fastreg.linear_model", "fastreg.path_cv", "fastreg.ridge_cv", "fastreg.cv",
                            "fastreg.descent"),
    "fastreg.backends": ("fastreg.linear_model", "fastreg.path_cv", "fastreg.ridge_cv", "fastreg.cv",
                         "fastreg.descent", "fastreg.persistence"),
}


def _module_name(path):
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _modules():
    return {_module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def _imports(name, path, known):
    """``(target module, imported names, line)`` for every import in the module, nested ones included."""
    is_package = path.name == "__init__.py"
    package = name if is_package else name.rpartition(".")[0]
    out = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("fastreg"):
                    out.append((alias.name, [], node.lineno))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if not target.startswith("fastreg"):
                continue
            names = [a.name for a in node.names]
            submodules = [a for a in names if f"{target}.{a}" in known]  # "from . import x": the module x
            out.extend((f"{target}.{a}", [], node.lineno) for a in submodules)
            rest = [a for a in names if a not in submodules]
            if rest:
                out.append((target, rest, node.lineno))
    return out


def _graph():
    modules = _modules()
    graph = {name: set() for name in modules}
    for name, path in modules.items():
        for target, _, _ in _imports(name, path, modules):
            while target not in modules and "." in target:
                target = target.rpartition(".")[0]
            if target in modules and target != name:
                graph[name].add(target)
                # importing a.b.c runs the __init__ of a.b and of a
                parent = target.rpartition(".")[0]
                while parent:
                    if parent in modules and parent != name and not name.startswith(parent + "."):
                        graph[name].add(parent)
                    parent = parent.rpartition(".")[0]
    return graph


def _cycles(graph):
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_no_import_cycle():
    cycles = _cycles(_graph())
    assert not cycles, f"import cycles among fastreg's modules: {cycles}"


def test_no_private_name_crosses_a_module():
    modules = _modules()
    crossing = []
    for name, path in modules.items():
        for target, names, line in _imports(name, path, modules):
            for imported in names:
                if imported.startswith("_") and not imported.startswith("__") and f"{target}.{imported}" not in modules:
                    crossing.append(f"{name}:{line} imports {target}.{imported}")
    assert not crossing, "private names imported across modules:\n" + "\n".join(crossing)


@pytest.mark.parametrize("layer", sorted(LAYERS))
def test_layers_are_called_one_way(layer):
    modules = _modules()
    wrong = []
    for name, path in modules.items():
        if not (name == layer or name.startswith(layer + ".")):
            continue
        for target, _, line in _imports(name, path, modules):
            if any(target == f or target.startswith(f + ".") for f in LAYERS[layer]):
                wrong.append(f"{name}:{line} imports {target}")
    assert not wrong, f"{layer} must not import:\n" + "\n".join(wrong)


def test_the_checker_sees_nested_and_relative_imports():
    """The graph counts an import inside a function, resolved from a relative name."""
    graph = _graph()
    assert "fastreg._version" in graph["fastreg.persistence"]  # imported inside save()
    assert "fastreg._convert" in graph["fastreg._validation"]
    assert "fastreg.kernels.penalty" in graph["fastreg.penalty"]
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == [["a", "b", "c"]]


def test_cached_kernels_close_over_plain_values():
    """numba's cache key hashes a closure's contents: a kernel built in a factory must hold plain
    values only. One that held other kernels (dispatchers, pickled differently in every process)
    missed the cache and compiled again in each process (the homotopy, until commit c859b7a)."""
    import importlib
    import pkgutil

    from numba.core.registry import CPUDispatcher

    from fastreg import kernels

    closures = 0
    for info in pkgutil.iter_modules(kernels.__path__):
        module = importlib.import_module(f"fastreg.kernels.{info.name}")
        for name, obj in vars(module).items():
            if isinstance(obj, CPUDispatcher) and obj.py_func.__closure__:
                closures += 1
                contents = [cell.cell_contents for cell in obj.py_func.__closure__]
                assert all(isinstance(c, (bool, int, float, str)) for c in contents), (info.name, name, contents)
    assert closures >= 4  # the dense epochs and the homotopies are built in factories
