"""Fixed threshold (固定阈值法): a signal whenever a time point's count reaches ``threshold``.

``last=k`` judges (and reads) only the last k time points.

CIDARS uses it with threshold 1 for 甲类 and designated diseases: a single case is a signal.
"""

from __future__ import annotations

import numpy as np

from . import register
from ._common import prepare
from .base import DetectionResult, ParameterError


@register("fixed_threshold")
def detect(counts, threshold: float = 1, last: int | None = None) -> DetectionResult:
    if not np.isfinite(threshold) or threshold <= 0:
        raise ParameterError("固定阈值须为正数", "the fixed threshold must be positive")
    values, _, start, problems = prepare(counts, last, 0)
    judged = ~np.isnan(values)
    upper = np.where(judged, float(threshold), np.nan)
    expected = np.where(judged, 0.0, np.nan)
    with np.errstate(invalid="ignore"):
        alarm = judged & (values >= threshold)
    return DetectionResult(expected=expected, upper=upper, alarm=alarm, problems=problems, offset=start)
