"""CIDARS moving percentile method (移动百分位数法, MPM) on daily counts.

For each judged day ``t`` the *current count* is the sum of the ``window`` days ending on ``t`` (default 7,
today included). The *baseline* is, for each of the previous ``years`` years (default 3), the count in the
same-period window and in ``k`` windows before and ``k`` after it (default 2): ``years × (2k + 1)`` = 15
window counts. The upper bound is the ``percentile`` (default P50, the CIDARS-2008 national default) of the
baseline counts; the expected value is their median.

The result's ``observed`` holds the current window counts (what is compared with ``upper``).

Alarm rule: ``current >= upper`` (``operator=">="``, default) or ``current > upper`` (``operator=">"``), and
``current >= min_cases`` (default 1: an empty week never signals).

"A year ago" is ``year_days`` days earlier, default **364** (52 weeks): the baseline windows then cover the same
weekdays as the current one, so weekly reporting rhythms (weekend dips, Monday catch-up) cancel out. Against
the calendar the point drifts by 1.24 days a year (under 4 days over 3 years), small beside the 35-day span
of the five windows. ``year_days=365`` is allowed for calendar alignment. Window ``j`` (``-k..k``) of year
``y`` ends on day ``t - y·year_days + j·window``.

Percentile: ``interpolation="linear"`` (default) is Hyndman & Fan type 7 — numpy's default, R's ``quantile``
default and Excel's PERCENTILE / PERCENTILE.INC, the tool most CDC analysts check values with: with the sorted
baseline ``x[0..n-1]``, P = ``x[i] + f·(x[i+1] - x[i])`` where ``i + f = p/100 · (n - 1)``. ``"lower"``,
``"higher"``, ``"nearest"`` and ``"midpoint"`` are also accepted (numpy's meanings).

Gaps: a window containing a missing day is missing. The current window must be complete; missing baseline
windows are left out as long as at least ``min_baseline`` (default two thirds, i.e. 10 of 15) remain,
otherwise the day is not judged.
"""

from __future__ import annotations

import math

import numpy as np

from . import register
from ._common import (
    add_short_history,
    as_array,
    choice,
    empty,
    first_judged,
    gather_columns,
    integer,
    number,
    rolling_sums,
)
from .base import DetectionResult, ParameterError, check_counts

INTERPOLATIONS = ("linear", "lower", "higher", "nearest", "midpoint")
CHUNK = 4_000_000  # baseline values held at once (series × days × points)


def percentile_rows(values: np.ndarray, p: float, interpolation: str = "linear", *,
                    ordered: np.ndarray | None = None) -> np.ndarray:
    """The p-th percentile of each row along the last axis, skipping nan (nan if a row is all nan).

    ``ordered``: ``values`` already sorted along the last axis (to take several percentiles of one sort)."""
    if ordered is None:
        ordered = np.sort(values, axis=-1)  # nan sort last
    n = np.sum(~np.isnan(ordered), axis=-1)
    position = p / 100.0 * np.maximum(n - 1, 0)
    below = np.floor(position).astype(np.int64)
    above = np.minimum(below + 1, np.maximum(n - 1, 0))
    low = np.take_along_axis(ordered, below[..., None], axis=-1)[..., 0]
    high = np.take_along_axis(ordered, above[..., None], axis=-1)[..., 0]
    fraction = position - below
    if interpolation == "linear":
        result = low + fraction * (high - low)
    elif interpolation == "lower":
        result = low
    elif interpolation == "higher":
        result = np.where(fraction > 0, high, low)
    elif interpolation == "nearest":  # numpy: round half to even on the index
        index = np.rint(position).astype(np.int64)
        result = np.take_along_axis(ordered, np.minimum(index, np.maximum(n - 1, 0))[..., None], axis=-1)[..., 0]
    else:  # midpoint
        result = np.where(fraction > 0, (low + high) / 2, low)
    return np.where(n > 0, result, np.nan)


@register("cidars_mpm")
def detect(counts, window: int = 7, years: int = 3, k: int = 2, percentile: float = 50, operator: str = ">=",
           min_cases: float = 1, year_days: int = 364, interpolation: str = "linear",
           min_baseline: int | None = None, last: int | None = None) -> DetectionResult:
    window = integer("window", window, minimum=1, maximum=91)
    years = integer("years", years, minimum=1, maximum=20)
    k = integer("k", k, minimum=0, maximum=10)
    percentile = number("percentile", percentile, minimum=0, maximum=100)
    choice("operator", operator, (">=", ">"))
    min_cases = number("min_cases", min_cases, minimum=0)
    year_days = integer("year_days", year_days, minimum=350, maximum=380)
    choice("interpolation", interpolation, INTERPOLATIONS)
    points = years * (2 * k + 1)
    if min_baseline is None:
        min_baseline = math.ceil(points * 2 / 3)
    min_baseline = integer("min_baseline", min_baseline, minimum=1, maximum=points)
    if (k + 1) * window > year_days:
        raise ParameterError(
            f"窗口过大：{k} 个后续窗口（每个 {window} 天）越过一年前的同期，伸入当前观察期",
            f"windows too wide: {k} following windows of {window} days reach past a year ago into the present")
    # Offsets (in days, back from t) of the baseline windows' last days: years × (2k + 1).
    back = np.array([y * year_days - j * window for y in range(1, years + 1) for j in range(-k, k + 1)])
    needed = int(back.max()) + window  # days of history before the first judgeable day, plus it
    array = as_array(counts)
    series, length = array.shape
    start = first_judged(length, last)
    first = max(start, needed - 1)
    days = np.arange(first, length)
    ends = np.concatenate([days[:, None], days[:, None] - back[None, :]], axis=1)  # days × (1 + points)
    # Read (and check) only the columns the windows cover: a daily run touches 16 windows of five years.
    if days.size:
        read = np.unique((ends[:, :, None] - np.arange(window)).ravel())
        read = read[read >= 0]
    else:  # nothing to judge: check the whole (short) series so that its problems are named
        read = np.arange(length)
    values, problems = check_counts(gather_columns(array, read), copy=False)
    result = empty(series, length - start, start, problems)
    result.observed = np.full(result.upper.shape, np.nan)
    mapped = np.searchsorted(read, ends)  # window ends as positions in ``values``; windows stay contiguous
    tiled = read.size == np.unique(ends).size * window  # disjoint windows side by side (a run of a few days)
    usable = ~np.all(np.isnan(values), axis=1)
    # Blocks of series (a backfill judges many days: each block's window sums come from one cumulative sum).
    per_block = max(1, CHUNK // max(1, len(days) * (points + 1)))
    columns = days - start
    for lo in range(0, series if days.size else 0, per_block):
        rows = slice(lo, lo + per_block)
        if tiled:  # window i of ``values`` is columns i·window .. (i+1)·window - 1
            blocks = values[rows].reshape(len(values[rows]), -1, window).sum(axis=2)
            sums = blocks[:, mapped // window]
        else:
            sums = rolling_sums(values[rows], mapped, window)  # series × days × (1 + points)
        current, baseline = sums[:, :, 0], sums[:, :, 1:]
        enough = np.sum(~np.isnan(baseline), axis=2) >= min_baseline
        ordered = np.sort(baseline, axis=2)
        upper = percentile_rows(baseline, percentile, interpolation, ordered=ordered)
        expected = percentile_rows(baseline, 50.0, "linear", ordered=ordered)
        judged = enough & ~np.isnan(current)
        upper = np.where(judged, upper, np.nan)
        expected = np.where(judged, expected, np.nan)
        with np.errstate(invalid="ignore"):
            over = current >= upper if operator == ">=" else current > upper
            alarm = judged & over & (current >= min_cases)
        result.upper[rows, columns] = upper
        result.expected[rows, columns] = expected
        result.alarm[rows, columns] = alarm
        result.observed[rows, columns] = current
    add_short_history(problems, usable, result.judged, needed, "移动百分位数法/MPM", length, values)
    return result
