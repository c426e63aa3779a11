"""Detection methods, registered by name.

Each method module defines ``detect(counts, **params) -> DetectionResult`` (see ``base``) and registers it with
``@register("name")``. Callers use ``run(name, counts, **params)`` or ``METHODS[name]``.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

from .base import DetectionResult, ParameterError, SeriesProblem, as_counts, check_counts

METHODS: dict[str, Callable[..., DetectionResult]] = {}

# One module per method; importing it registers it.
_MODULES = ("fixed_threshold", "cidars_mpm", "ears_c1", "ears_c2", "ears_c3", "cusum",
            "farrington_flexible", "ewma")


def register(name: str):
    def decorator(function):
        METHODS[name] = function
        return function

    return decorator


def run(name: str, counts, **params) -> DetectionResult:
    try:
        method = METHODS[name]
    except KeyError:
        raise ParameterError(f"未知的预警方法：{name}", f"unknown detection method: {name}") from None
    return method(counts, **params)


for _module in _MODULES:
    import_module(f"{__name__}.{_module}")

__all__ = ["METHODS", "DetectionResult", "ParameterError", "SeriesProblem", "as_counts", "check_counts",
           "register", "run"]
