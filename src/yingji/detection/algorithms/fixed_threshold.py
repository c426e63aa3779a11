"""Fixed threshold (固定阈值法): a signal whenever a time point's count reaches ``threshold``.

CIDARS uses it with threshold 1 for 甲类 and designated diseases: a single case is a signal.
"""

from __future__ import annotations

import numpy as np

from . import register
from .base import DetectionResult, ParameterError, as_counts, check_counts


@register("fixed_threshold")
def detect(counts, threshold: float = 1) -> DetectionResult:
    if not np.isfinite(threshold) or threshold <= 0:
        raise ParameterError("固定阈值须为正数", "the fixed threshold must be positive")
    values, problems = check_counts(as_counts(counts))
    judged = ~np.isnan(values)
    upper = np.where(judged, float(threshold), np.nan)
    expected = np.where(judged, 0.0, np.nan)
    with np.errstate(invalid="ignore"):
        alarm = judged & (values >= threshold)
    return DetectionResult(expected=expected, upper=upper, alarm=alarm, problems=problems)
