"""EWMA (exponentially weighted moving average) chart with a moving baseline (Yingji's definition; no R reference).

For each judged point ``t``:

- **Smoothed count** ``Z(t) = Σ_{i=0}^{M-1} w_i·x(t-i)`` with ``w_i = λ(1-λ)^i / (1 - (1-λ)^M)``: the EWMA of
  smoothing ``lam`` (λ, default 0.3) truncated to the last ``M = span`` points (default: the smallest M with
  ``(1-λ)^M <= 0.001``, 20 for λ = 0.3) and renormalised so the weights sum to 1. Truncating makes every
  point computable on its own (a daily run reads ``M + guard + baseline`` days, not the whole series).
- **Baseline**: the ``baseline`` points (default 28) ending ``guard + 1`` points before ``t`` (guard band,
  default 2, as ESSENCE), mean ``μ``. Scale ``σ``: ``distribution="poisson"`` (default) ``σ = √μ``;
  ``"normal"`` the sample standard deviation (n - 1); either way at least ``min_sigma`` (default 0.5, so an
  all-zero baseline still needs a real rise).
- **Control limit** for Z: ``μ + L·σ·√(Σ w_i²)`` (``L`` default 3; ``√Σw²`` is the exact standard deviation
  factor of the truncated weights for independent counts, ≈ √(λ/(2-λ))).

The expected value is ``μ``. The upper bound is given on the scale of the observed count: the smallest
``x(t)`` that puts ``Z(t)`` over its limit, ``(μ + L·σ·√Σw² - Σ_{i>=1} w_i·x(t-i)) / w_0``.
Alarm rule: ``observed > upper`` (equivalently ``Z(t) > μ + L·σ·√Σw²``) and ``observed >= min_cases`` (default 1).

A gap in the span or in the baseline leaves the point unjudged (nan, alarm False).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from . import register
from ._common import add_short_history, choice, empty, integer, number, prepare
from .base import DetectionResult

CHUNK = 4_000_000


@register("ewma")
def detect(counts, lam: float = 0.3, L: float = 3.0, baseline: int = 28, guard: int = 2, span: int | None = None,
           distribution: str = "poisson", min_sigma: float = 0.5, min_cases: float = 1,
           last: int | None = None) -> DetectionResult:
    lam = number("lam", lam, minimum=0, maximum=1, strict_minimum=True)
    L = number("L", L, minimum=0, strict_minimum=True)
    baseline = integer("baseline", baseline, minimum=2)
    guard = integer("guard", guard, minimum=0)
    choice("distribution", distribution, ("poisson", "normal"))
    min_sigma = number("min_sigma", min_sigma, minimum=0)
    min_cases = number("min_cases", min_cases, minimum=0)
    if span is None:
        span = 1 if lam == 1 else max(1, math.ceil(math.log(0.001) / math.log(1 - lam)))
    span = integer("span", span, minimum=1)
    weights = lam * (1 - lam) ** np.arange(span)
    weights /= weights.sum()
    factor = float(np.sqrt(np.sum(weights ** 2)))
    history = max(span - 1, guard + baseline)
    values, lo, start, problems = prepare(counts, last, history)
    series, length = values.shape  # columns lo.. of counts
    result = empty(series, length + lo - start, start, problems)
    first = max(start, history) - lo
    per_chunk = max(1, CHUNK // max(1, series * (span + baseline)))
    for chunk in range(first, length, per_chunk):
        stop = min(chunk + per_chunk, length)
        recent = sliding_window_view(values[:, chunk - span + 1:stop], span, axis=1)[:, :, ::-1]  # x(t-i)
        z_rest = recent[:, :, 1:] @ weights[1:] if span > 1 else np.zeros(recent.shape[:2])
        window = sliding_window_view(values[:, chunk - guard - baseline:stop - guard - 1], baseline, axis=1)
        mean = window.mean(axis=2)
        if distribution == "poisson":
            sigma = np.sqrt(mean)
        else:
            sigma = window.std(axis=2, ddof=1)
        sigma = np.maximum(sigma, min_sigma)
        upper = (mean + L * sigma * factor - z_rest) / weights[0]
        observed = values[:, chunk:stop]
        judged = ~np.isnan(upper) & ~np.isnan(observed)
        with np.errstate(invalid="ignore"):
            alarm = judged & (observed > upper) & (observed >= min_cases)
        columns = slice(chunk + lo - start, stop + lo - start)
        result.upper[:, columns] = np.where(judged, upper, np.nan)
        result.expected[:, columns] = np.where(judged, mean, np.nan)
        result.alarm[:, columns] = alarm
    add_short_history(problems, ~np.all(np.isnan(values), axis=1), result.judged, history + 1, "EWMA",
                      length + lo, values)
    return result
