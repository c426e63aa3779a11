"""Helpers shared by the method modules: parameter checks, the judged range, per-series problems."""

from __future__ import annotations

import math
from numbers import Integral, Real

import numpy as np

from .base import DetectionResult, ParameterError, SeriesProblem, check_counts


def integer(name: str, value, minimum: int | None = None, maximum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral | float) or (
            isinstance(value, float) and not value.is_integer()):
        raise ParameterError(f"参数 {name} 须为整数（当前为 {value!r}）", f"{name} must be an integer (got {value!r})")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ParameterError(f"参数 {name} 不得小于 {minimum}（当前为 {value}）",
                             f"{name} must be at least {minimum} (got {value})")
    if maximum is not None and value > maximum:
        raise ParameterError(f"参数 {name} 不得大于 {maximum}（当前为 {value}）",
                             f"{name} must be at most {maximum} (got {value})")
    return value


def number(name: str, value, minimum: float | None = None, maximum: float | None = None,
           strict_minimum: bool = False, strict_maximum: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
        raise ParameterError(f"参数 {name} 须为有限数值（当前为 {value!r}）", f"{name} must be a finite number (got {value!r})")
    value = float(value)
    if minimum is not None and (value < minimum or (strict_minimum and value == minimum)):
        word, word_en = ("大于", "greater than") if strict_minimum else ("不小于", "at least")
        raise ParameterError(f"参数 {name} 须{word} {minimum:g}（当前为 {value:g}）",
                             f"{name} must be {word_en} {minimum:g} (got {value:g})")
    if maximum is not None and (value > maximum or (strict_maximum and value == maximum)):
        word, word_en = ("小于", "less than") if strict_maximum else ("不大于", "at most")
        raise ParameterError(f"参数 {name} 须{word} {maximum:g}（当前为 {value:g}）",
                             f"{name} must be {word_en} {maximum:g} (got {value:g})")
    return value


def choice(name: str, value, options) -> str:
    if value not in options:
        listed = ", ".join(map(str, options))
        raise ParameterError(f"参数 {name} 须为 {listed} 之一（当前为 {value!r}）",
                             f"{name} must be one of {listed} (got {value!r})")
    return value


def as_array(counts) -> np.ndarray:
    """``counts`` as a 2-D float array, without copying one that already is (large national arrays)."""
    array = np.asarray(counts, dtype=float)
    if array.ndim == 1:
        array = array[np.newaxis, :]
    if array.ndim != 2:
        raise ParameterError("计数须为二维数组（序列 × 时间）", "counts must be a 2-D array (series × time)")
    return array


def gather_columns(array: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """``array[:, columns]`` (sorted, distinct columns) copied run by run of consecutive columns: strided slices
    copy faster than a fancy index over a large array."""
    if columns.size == 0:
        return np.empty((len(array), 0))
    breaks = np.flatnonzero(np.diff(columns) != 1) + 1
    starts = np.concatenate([[0], breaks])
    stops = np.concatenate([breaks, [columns.size]])
    if len(starts) * 4 > columns.size:  # scattered columns: the fancy index is as good
        return array[:, columns]
    return np.concatenate([array[:, columns[a]:columns[b - 1] + 1] for a, b in zip(starts, stops, strict=True)],
                          axis=1)


def prepare(counts, last, history: int) -> tuple[np.ndarray, int, int, list[SeriesProblem]]:
    """Validate the parameters ``last`` and the values a method will read.

    ``history`` is how many points before a judged point the method reads. Only the columns from
    ``first judged - history`` on are checked and copied (a daily run on five years of national data reads a
    small part of them). Returns (values of those columns, index of their first column in ``counts``,
    index of the first judged column, problems)."""
    array = as_array(counts)
    length = array.shape[1]
    start = first_judged(length, last)
    lo = max(0, start - history)
    values, problems = check_counts(array[:, lo:], copy=None)  # read only: no copy unless a row is blanked
    return values, lo, start, problems


def first_judged(length: int, last) -> int:
    """Index of the first column to judge: ``length - last``, or 0 for the whole series."""
    if last is None:
        return 0
    last = integer("last", last, minimum=1)
    if last > length:
        raise ParameterError(f"last={last} 超过序列长度 {length}", f"last={last} exceeds the series length {length}")
    return length - last


def empty(series: int, columns: int, offset: int, problems: list[SeriesProblem]) -> DetectionResult:
    return DetectionResult(expected=np.full((series, columns), np.nan), upper=np.full((series, columns), np.nan),
                           alarm=np.zeros((series, columns), dtype=bool), problems=problems, offset=offset)


def short_history(row: int, needed: int, method: str) -> SeriesProblem:
    return SeriesProblem(row, "short_history",
                         f"历史数据不足：{method} 至少需要 {needed} 个时间点，序列中无任何时间点可判断",
                         f"too little history: {method} needs at least {needed} time points; "
                         "no time point of the series could be judged")


def add_short_history(problems: list[SeriesProblem], rows_ok: np.ndarray, judged: np.ndarray, needed: int,
                      method: str, length: int, values: np.ndarray | None = None) -> None:
    """A usable series none of whose requested points could be judged, and not yet named, is a problem:
    ``short_history`` when the series is shorter than the method needs, ``gaps`` when it has missing values
    (``values``: what the method read), ``not_judged`` otherwise."""
    named = {problem.series for problem in problems}
    for row in np.flatnonzero(rows_ok & ~judged.any(axis=1)):
        if int(row) in named:
            continue
        if length < needed:
            problems.append(short_history(int(row), needed, method))
        elif values is None or np.isnan(values[row]).any():
            problems.append(SeriesProblem(int(row), "gaps",
                                          f"缺失值过多：{method} 无法判断所请求的任何时间点",
                                          f"too many missing values: {method} could not judge any requested "
                                          "time point"))
        else:
            problems.append(SeriesProblem(int(row), "not_judged", f"{method} 无法判断所请求的任何时间点",
                                          f"{method} could not judge any requested time point"))


def rolling_sums(values: np.ndarray, ends: np.ndarray, window: int) -> np.ndarray:
    """Sums of ``window`` consecutive values ending at each column in ``ends`` (nan if any is missing or the
    window starts before column 0). Returns (series, len(ends)); ``ends`` may be any integer array shape."""
    shape = ends.shape
    flat = ends.ravel()
    unique, inverse = np.unique(flat, return_inverse=True)
    lo = max(int(unique.min()) - window + 1, 0)
    hi = int(unique.max()) + 1
    if len(unique) * window < hi - lo:  # few windows: gather them
        cols = unique[:, None] - np.arange(window)[None, :]
        valid = (cols >= 0).all(axis=1)
        block = values[:, np.clip(cols, 0, None)]  # series × windows × window
        sums = block.sum(axis=2)
        sums[:, ~valid] = np.nan
    else:  # many windows: one cumulative sum over the span
        span = values[:, lo:hi]
        missing = np.isnan(span)
        csum = np.concatenate([np.zeros((len(values), 1)), np.cumsum(np.where(missing, 0.0, span), axis=1)], axis=1)
        cmiss = np.concatenate([np.zeros((len(values), 1), dtype=np.int64), np.cumsum(missing, axis=1)], axis=1)
        end = unique - lo + 1
        start = end - window
        valid = start >= 0
        start = np.clip(start, 0, None)
        sums = csum[:, end] - csum[:, start]
        sums[(cmiss[:, end] - cmiss[:, start]) > 0] = np.nan
        sums[:, ~valid] = np.nan
        sums = np.round(sums, 6)  # counts are integers; drop the cumulative sum's rounding
    return sums[:, inverse].reshape((len(values), *shape))
