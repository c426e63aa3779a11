"""EARS C3 as R ``surveillance::earsC(method = "C3")``; the definitions are in ``_ears``.

Alarm rule: observed > upper. Parameters: ``baseline`` (7), ``alpha`` (0.025), ``min_sigma`` (0), ``last``.
"""

from __future__ import annotations

from . import register
from ._ears import detect as _detect
from .base import DetectionResult


@register("ears_c3")
def detect(counts, baseline: int = 7, alpha: float | None = None, min_sigma: float = 0.0,
           last: int | None = None) -> DetectionResult:
    return _detect(counts, "C3", baseline=baseline, alpha=alpha, min_sigma=min_sigma, last=last)
