"""A griffe extension for the API reference: fastreg's numpydoc docstrings as Markdown.

- Sphinx roles (``:func:`lasso_path```, ``:class:`~sklearn.x.Y```) become
  inline code, since mkdocstrings renders Markdown, not reStructuredText.
- Docstrings assembled at import time (``__doc__ = ... + _CV_PARAMS_DOC``,
  ``fit.__doc__ = ...`` in ``fastreg/cv.py``) are invisible to griffe's static
  reading; they are taken from the imported object instead, from this source
  tree (not an installed copy).
"""

import importlib
import inspect
import logging
import re
import sys
from pathlib import Path

import griffe

# under the "mkdocs" logger, so that `mkdocs build --strict` counts its warnings
log = logging.getLogger("mkdocs.plugins.fastreg_docs")

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

_ROLE = re.compile(r":(?:py:)?(?:func|class|meth|mod|attr|data|obj|exc|ref):`(~?)([^`<]+?)(?:\s*<[^`]*>)?`")


def _code(match):
    """``:class:`~a.b.C``` as `` `C` ``, ``:func:`a.f``` as `` `a.f` ``."""
    tilde, target = match.groups()
    return f"`{target.rsplit('.', 1)[-1] if tilde else target}`"


def _runtime_doc(obj):
    """The ``__doc__`` of the imported object at ``obj.path``, or None."""
    module_path = obj.module.path if not obj.is_module else obj.path
    try:
        target = importlib.import_module(module_path)
    except ImportError as exc:
        if (exc.name or "").split(".")[0] != "fastreg":  # an optional dependency (dask) is not installed
            return None
        log.warning(f"cannot import {module_path} to read the docstring of {obj.path}: {exc}")
        return None
    if not obj.is_module:
        for name in obj.path[len(module_path) + 1:].split("."):
            target = getattr(target, name, None)
            if target is None:
                return None
    doc = getattr(target, "__doc__", None)
    return inspect.cleandoc(doc) if isinstance(doc, str) and doc.strip() else None


class MarkdownDocstrings(griffe.Extension):
    def on_object(self, *, obj, **kwargs):
        if obj.is_alias or not obj.path.startswith("fastreg"):
            return
        public = not any(part.startswith("_") for part in obj.path.split("."))
        if obj.docstring is None and public and (obj.is_class or obj.is_function):
            doc = _runtime_doc(obj)
            if doc is not None:
                obj.docstring = griffe.Docstring(doc, parent=obj, parser="numpy")
        if obj.docstring is not None:
            obj.docstring.value = _ROLE.sub(_code, obj.docstring.value)
