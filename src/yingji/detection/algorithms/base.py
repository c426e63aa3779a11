"""The contract every detection method keeps. Pure numpy: no Django here.

A method takes many series at once — ``counts`` is a 2-D float array, series × time points (days or weeks),
with ``nan`` for a missing value (a gap) — and returns, for every series and time point, the expected value,
the upper bound and whether the point alarms. Points a method cannot judge (too little history, a gap) have
``expected`` and ``upper`` set to ``nan`` and ``alarm`` False. A series that cannot be judged at all, or whose
values are unusable, is named in ``problems`` with the reason in Chinese and English; the other series are
still processed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class SeriesProblem:
    series: int  # row index into ``counts``; the caller maps it to a region × disease name
    code: str  # machine-readable: negative, non_integer, all_missing, short_history, bad_parameter …
    message: str  # Chinese
    message_en: str


@dataclass
class DetectionResult:
    expected: np.ndarray  # float, series × time; nan where not judged
    upper: np.ndarray  # float, series × time; nan where not judged
    alarm: np.ndarray  # bool, series × time
    problems: list[SeriesProblem] = field(default_factory=list)
    # Column of ``counts`` that the result's first column stands for. 0 for a whole-series result; a method
    # asked for the last k time points only (``last=k``, like R's ``range``) returns k columns and
    # ``offset = T - k``.
    offset: int = 0
    # The quantity compared with ``upper``, where it is not the count itself (the moving percentile method: the
    # current window's sum); same shape as ``upper``. None: the counts (columns ``offset..``) are compared.
    observed: np.ndarray | None = None

    @property
    def judged(self) -> np.ndarray:
        """True where the method computed a bound."""
        return ~np.isnan(self.upper)


class ParameterError(ValueError):
    """A misconfigured method (percentile out of range, window too short …): nothing can be computed."""

    def __init__(self, message: str, message_en: str):
        super().__init__(message_en)
        self.message = message
        self.message_en = message_en


def as_counts(counts) -> np.ndarray:
    """A float 2-D copy; a single series becomes one row."""
    array = np.array(counts, dtype=float)
    if array.ndim == 1:
        array = array[np.newaxis, :]
    if array.ndim != 2:
        raise ParameterError("计数须为二维数组（序列 × 时间）", "counts must be a 2-D array (series × time)")
    return array


CHECK_BLOCK = 262_144  # values checked at once


def check_counts(counts: np.ndarray, copy: bool | None = True) -> tuple[np.ndarray, list[SeriesProblem]]:
    """Rows whose values are unusable (negative, non-integer, all missing) become all-nan, with a problem each.

    ``copy=False`` blanks the rows in ``counts`` itself (for a copy the caller already made); ``copy=None``
    copies only when a row must be blanked (for a read-only view of the caller's array)."""
    problems = []
    rows = len(counts)
    negative, fractional, empty = (np.zeros(rows, dtype=bool) for _ in range(3))
    step = max(1, CHECK_BLOCK // max(1, counts.shape[1]))  # blocks of rows that stay in the CPU cache
    with np.errstate(invalid="ignore"):
        for lo in range(0, rows, step):
            block = counts[lo:lo + step]
            negative[lo:lo + step] = np.any(block < 0, axis=1)  # nan compares False
            # floor(x) < x: not an integer; ±inf is no count either
            fractional[lo:lo + step] = np.any((np.floor(block) < block) | np.isinf(block), axis=1)
            empty[lo:lo + step] = np.all(np.isnan(block), axis=1)
    for row in np.flatnonzero(negative):
        problems.append(SeriesProblem(int(row), "negative", "计数含负数，序列未处理",
                                      "counts include a negative value; series not processed"))
    for row in np.flatnonzero(fractional & ~negative):
        problems.append(SeriesProblem(int(row), "non_integer", "计数含非整数，序列未处理",
                                      "counts include a non-integer value; series not processed"))
    for row in np.flatnonzero(empty):
        problems.append(SeriesProblem(int(row), "all_missing", "序列全部缺失", "every value of the series is missing"))
    bad = negative | fractional | empty
    if copy is None:
        copy = bool(bad.any())
    cleaned = counts.copy() if copy else counts
    cleaned[bad] = np.nan
    return cleaned, problems
