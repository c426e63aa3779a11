"""EARS C1, C2 and C3 (Hutwagner et al. 2003) as R ``surveillance::earsC`` (1.20.3) computes them.

With ``b = baseline`` (default 7, at least 3) and ``z`` the standard normal ``1 - alpha`` quantile:

- **C1** at ``t``: mean ``m`` and sample standard deviation ``s`` (n - 1) of the ``b`` points before ``t``
  (``t-b .. t-1``); upper bound ``m + z·max(s, min_sigma)``; expected ``m``.
- **C2**: the same with the baseline moved back two points (``t-b-2 .. t-3``, a two-point guard band).
- **C3**: with ``C2(u) = (x(u) - m(u)) / max(s(u), min_sigma)`` the C2 statistic, the upper bound is
  ``max(0, x(t) + max(s(t), min_sigma)·(z - max(0, C2(t-2) - 1) - max(0, C2(t-1) - 1)))``, where
  ``m(t), s(t)`` are C2's baseline at ``t``. This is R's definition (it differs from the textbook sum
  ``C3 = Σ max(0, C2 - 1)`` over ``t-2..t``: the current point enters only through ``x(t)``).

Alarm rule (R's): ``observed > upper``.

Defaults as R: ``alpha = 0.001`` for C1 and C2, ``0.025`` for C3 (R's default when no alpha is given);
``min_sigma = 0``. Time points with too little history (before ``b``, ``b+2``, ``b+4`` points) are not judged.
Gaps: a baseline containing a missing value gives a missing bound (R gives NA; Yingji nan, alarm False).
A zero standard deviation with ``min_sigma = 0`` follows IEEE arithmetic as R does: C1/C2's bound is the mean;
C3's bound is nan (not judged) when a lagged C2 is 0/0 or ∞·0.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from scipy.special import ndtri

from ._common import add_short_history, choice, empty, integer, number, prepare
from .base import DetectionResult, SeriesProblem

LAG = {"C1": 0, "C2": 2, "C3": 4}  # extra history beyond the baseline


def _baseline_stats(values: np.ndarray, times: np.ndarray, baseline: int, guard: int):
    """Mean and sd (n - 1) of the ``baseline`` points ending ``guard + 1`` before each time in ``times``."""
    lo = int(times[0]) - guard - baseline
    hi = int(times[-1]) - guard  # exclusive
    windows = sliding_window_view(values[:, lo:hi], baseline, axis=1)  # series × len(times) × baseline
    mean = windows.mean(axis=2)
    sd = np.sqrt(np.sum((windows - mean[:, :, None]) ** 2, axis=2) / (baseline - 1))
    return mean, sd


def detect(counts, method: str, baseline: int = 7, alpha: float | None = None, min_sigma: float = 0.0,
           last: int | None = None) -> DetectionResult:
    choice("method", method, tuple(LAG))
    baseline = integer("baseline", baseline, minimum=3)
    if alpha is None:
        alpha = 0.025 if method == "C3" else 0.001
    alpha = number("alpha", alpha, minimum=0, maximum=1, strict_minimum=True, strict_maximum=True)
    min_sigma = number("min_sigma", min_sigma, minimum=0)
    needed = baseline + LAG[method]  # index of the first judgeable point (0-based) = points needed before it
    values, lo, start, problems = prepare(counts, last, needed)
    series, length = values.shape  # columns lo.. of counts; indices below are into values
    result = empty(series, length + lo - start, start, problems)
    first = max(start - lo, needed - lo)
    z = float(ndtri(1 - alpha))
    if first < length:
        times = np.arange(first, length)
        observed = values[:, first:]
        with np.errstate(invalid="ignore", divide="ignore"):
            if method in ("C1", "C2"):
                mean, sd = _baseline_stats(values, times, baseline, LAG[method])
                upper = mean + z * np.maximum(sd, min_sigma)
                expected = mean
            else:
                extended = np.arange(first - 2, length)
                mean, sd = _baseline_stats(values, extended, baseline, 2)
                sigma = np.maximum(sd, min_sigma)
                c2 = (values[:, first - 2:] - mean) / sigma
                lag2 = np.maximum(0.0, c2[:, :-2] - 1)
                lag1 = np.maximum(0.0, c2[:, 1:-1] - 1)
                upper = np.maximum(0.0, observed + sigma[:, 2:] * (z - (lag2 + lag1)))
                expected = mean[:, 2:]
            expected = np.where(np.isnan(upper), np.nan, expected)
            alarm = observed > upper
        columns = slice(first + lo - start, None)
        result.upper[:, columns] = upper
        result.expected[:, columns] = expected
        result.alarm[:, columns] = alarm & ~np.isnan(upper)
    usable = ~np.all(np.isnan(values), axis=1)
    if method == "C3" and min_sigma == 0 and first < length:
        # R's C3 divides by the baseline's standard deviation: a flat baseline (all zeros, say) gives 0/0.
        flat = usable & ~result.judged.any(axis=1) & np.any(sd == 0, axis=1)
        for row in np.flatnonzero(flat):
            problems.append(SeriesProblem(int(row), "zero_variance",
                                          "基线计数无变化（标准差为零，如全为零），EARS C3 无法计算；可设 min_sigma > 0",
                                          "the baseline counts do not vary (standard deviation zero, e.g. all "
                                          "zeros): EARS C3 cannot be computed; set min_sigma > 0"))
    add_short_history(problems, usable, result.judged, needed + 1, f"EARS {method}", length + lo, values)
    return result
