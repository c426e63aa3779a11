"""EARS C2 as R ``surveillance::earsC(method = "C2")``; the definitions are in ``_ears``.

Alarm rule: observed > upper. Parameters: ``baseline`` (7), ``alpha`` (0.001), ``min_sigma`` (0), ``last``.
"""

from __future__ import annotations

from . import register
from ._ears import detect as _detect
from .base import DetectionResult


@register("ears_c2")
def detect(counts, baseline: int = 7, alpha: float | None = None, min_sigma: float = 0.0,
           last: int | None = None) -> DetectionResult:
    return _detect(counts, "C2", baseline=baseline, alpha=alpha, min_sigma=min_sigma, last=last)
