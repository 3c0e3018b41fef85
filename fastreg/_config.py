"""fastreg's global settings: :func:`set_config`, :func:`get_config`, :func:`config_context`.

Two settings, both about large data (see the user guide, "Large and
memory-mapped data"):

``memory_budget``
    How much anonymous memory a fit may spend on a copy of dense ``X``;
    beyond it (and for memory maps, beyond 1 GiB) ``X`` is streamed instead
    (:func:`fastreg._policy.streams`). ``None`` (the default): the
    ``FASTREG_MEMORY_BUDGET`` environment variable if set, else half the
    memory available when the fit starts. A number of bytes, or a string:
    ``"8GB"`` (10⁹), ``"8GiB"`` (2³⁰), ``"512MB"``, ``"25%"`` (of the
    available memory). ``0`` streams every dense ``X``.
``progress``
    ``True`` draws a progress bar on stderr over the streamed passes
    (tqdm's when installed). Default ``False``; ``fastreg fit --verbose``
    turns it on.
"""

import contextlib
import math
import numbers
import os
import re

__all__ = ["MEMORY_BUDGET_ENV", "config_context", "get_config", "memory_budget_setting", "parse_memory_budget", "set_config"]

MEMORY_BUDGET_ENV = "FASTREG_MEMORY_BUDGET"

_settings = {"memory_budget": None, "progress": False}
_UNITS = {"": 1, "b": 1, "k": 10**3, "kb": 10**3, "kib": 2**10, "m": 10**6, "mb": 10**6, "mib": 2**20,
          "g": 10**9, "gb": 10**9, "gib": 2**30, "t": 10**12, "tb": 10**12, "tib": 2**40}
_BUDGET = re.compile(r"\s*([0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)\s*([A-Za-z]*|%)\s*")


def get_config():
    """The current settings, a new dict: ``{"memory_budget": ..., "progress": ...}``."""
    return dict(_settings)


def set_config(*, memory_budget=None, progress=None):
    """Change fastreg's settings (those given; ``None`` leaves a setting as it is).

    Parameters
    ----------
    memory_budget : int, float, str or None
        Bytes (a number ``≥ 0``), or a string such as ``"8GB"``, ``"8GiB"``
        or ``"25%"`` (of the available memory); ``"auto"`` restores the
        default (the ``FASTREG_MEMORY_BUDGET`` environment variable, else
        half the available memory).
    progress : bool or None
        Progress bars over the streamed passes.
    """
    if memory_budget is not None:
        if isinstance(memory_budget, str) and memory_budget.strip().lower() == "auto":
            _settings["memory_budget"] = None
        else:
            parse_memory_budget(memory_budget)  # a clear error now rather than at the next fit
            _settings["memory_budget"] = memory_budget
    if progress is not None:
        if not isinstance(progress, bool):
            raise TypeError(f"progress must be True or False, got {progress!r}")
        _settings["progress"] = progress


@contextlib.contextmanager
def config_context(**settings):
    """Set ``settings`` (as :func:`set_config`) inside a ``with`` block; restore them after it."""
    saved = get_config()
    set_config(**settings)
    try:
        yield
    finally:
        _settings.update(saved)


def parse_memory_budget(value):
    """``("bytes", b)`` or ``("fraction", f)`` (of the available memory) from a budget setting.

    A number is bytes (``≥ 0``, ``inf`` allowed); a string is a number with
    an optional unit (``B``, ``kB``, ``MB``, ``GB``, ``TB`` powers of 1000;
    ``KiB``, ``MiB``, ``GiB``, ``TiB`` powers of 1024; case-insensitive) or
    a percentage (``"25%"``).
    """
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        if math.isnan(value) or value < 0:
            raise ValueError(f"memory_budget must be >= 0 bytes, got {value!r}")
        return "bytes", float(value)
    if isinstance(value, str):
        match = _BUDGET.fullmatch(value)
        unit = match.group(2).lower() if match else None
        if match and (unit == "%" or unit in _UNITS):
            number = float(match.group(1))
            if unit == "%":
                if number > 100:
                    raise ValueError(f"memory_budget {value!r}: a percentage must be at most 100%")
                return "fraction", number / 100.0
            return "bytes", number * _UNITS[unit]
    raise ValueError(
        f"memory_budget must be a number of bytes >= 0 or a string such as '8GB', '512MiB' or '25%', got {value!r}"
    )


def memory_budget_setting():
    """The budget in force: the setting, else the environment variable, else ``None`` (the default)."""
    value = _settings["memory_budget"]
    if value is not None:
        return value
    env = os.environ.get(MEMORY_BUDGET_ENV, "").strip()
    if env:
        try:
            parse_memory_budget(env)
        except ValueError as exc:
            raise ValueError(f"the environment variable {MEMORY_BUDGET_ENV}: {exc}") from None
        return env
    return None
