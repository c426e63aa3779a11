"""Run detection methods over series with a known truth and tabulate how well each does.

``evaluate(counts, truth, configs)`` runs each (method, params) through the registry (``algorithms.run``) and
scores its alarms (:mod:`.metrics`). Weekly methods (``farrington_flexible``) get the daily series summed into
weeks (and the truth mapped onto weeks); their rows say ``unit = "week"``: the false-alarm rate is then a share
of quiet weeks and the delay is in weeks. A method that is not installed, or whose parameters it rejects,
yields a row with the reason in Chinese and English instead of figures; the other rows are still computed.

By default every method is scored over the same period: from the first time point at which every method judges
at least one series (so methods needing years of history are not blamed for what they cannot see) to the end.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from ..algorithms import METHODS, ParameterError, run
from .metrics import Summary, score, summarise
from .truth import EvaluationError, Truth, weekly_counts

WEEKLY_METHODS = frozenset({"farrington_flexible"})
ABBREVIATIONS = {"percentile": "P", "threshold": "≥", "years": "y", "b": "b"}
ORDER = ("fixed_threshold", "cidars_mpm", "ears_c1", "ears_c2", "ears_c3", "cusum", "ewma", "farrington_flexible")


def default_configs(history_years: int = 3, methods=None) -> list[tuple[str, dict]]:
    """A small grid per method: the methods' own defaults plus the settings CIDARS and the literature use.
    ``history_years`` caps the years of baseline the MPM and Farrington ask for (the demo has three years of data,
    so two previous years is the most it can give)."""
    years = max(1, min(3, history_years))
    grid = {
        "fixed_threshold": [{"threshold": 1}],
        "cidars_mpm": [{"percentile": p, "years": years} for p in (50, 80, 90)],
        "ears_c1": [{}],
        "ears_c2": [{}],
        "ears_c3": [{}],
        "cusum": [{}],
        "ewma": [{}],
        "farrington_flexible": [{"b": years}],
    }
    wanted = [m for m in ORDER if methods is None or m in methods]
    wanted += [m for m in (methods or ()) if m not in grid]
    return [(m, dict(params)) for m in wanted for params in grid.get(m, [{}])]


@dataclass
class Row:
    method: str
    params: dict
    unit: str = "day"  # day | week: the time unit of the rates and the delay
    summary: Summary | None = None
    seconds: float = 0.0
    problems: int = 0  # series the method could not process
    error: str = ""  # Chinese
    error_en: str = ""
    period: tuple[int, int] | None = None  # the scored time points (in ``unit``)
    extra: dict = field(default_factory=dict)

    @property
    def label(self) -> str:
        if not self.params:
            return self.method
        return self.method + " " + " ".join(f"{ABBREVIATIONS.get(k, k + '=')}{v}" for k, v in self.params.items())


def expand(result, n_time: int) -> tuple[np.ndarray, np.ndarray]:
    """(alarm, judged) over all ``n_time`` columns: a result covering only the last columns (``offset``) is
    padded with unjudged, unalarmed columns in front."""
    offset = int(getattr(result, "offset", 0) or 0)
    if offset == 0 and result.alarm.shape[1] == n_time:
        return result.alarm, result.judged
    alarm = np.zeros((result.alarm.shape[0], n_time), dtype=bool)
    judged = np.zeros_like(alarm)
    alarm[:, offset:offset + result.alarm.shape[1]] = result.alarm
    judged[:, offset:offset + result.alarm.shape[1]] = result.judged
    return alarm, judged


def _first_judged(judged) -> int | None:
    columns = np.flatnonzero(judged.any(axis=0))
    return int(columns[0]) if columns.size else None


def evaluate(counts, truth: Truth, configs=None, *, lag: int = 7, period=None, weekly_offset: int = 0,
             common_period: bool = True) -> list[Row]:
    """One row per (method, params) in ``configs`` (default :func:`default_configs`) on daily ``counts``
    (series × days) against ``truth`` (daily time points). ``period`` (first, last day) overrides the common
    period. See the module docstring."""
    counts = np.asarray(counts)
    if counts.ndim != 2:
        raise EvaluationError("计数须为二维数组（序列 × 时间）", "counts must be a 2-D array (series × time)")
    truth.validate(counts.shape)
    configs = default_configs() if configs is None else list(configs)
    values = counts.astype(float)
    weekly = None
    weekly_truth = None
    outcomes = []
    for name, params in configs:
        row = Row(method=name, params=dict(params), unit="week" if name in WEEKLY_METHODS else "day")
        if name not in METHODS:
            row.error, row.error_en = "该方法尚未安装", "method not installed"
            outcomes.append((row, None))
            continue
        data = values
        if row.unit == "week":
            if weekly is None:
                weekly = weekly_counts(values, weekly_offset)
                keep = (truth.end - weekly_offset) // 7 < weekly.shape[1]
                weekly_truth = truth.select(keep & (truth.start >= weekly_offset)).weekly(weekly_offset)
            data = weekly
        started = time.perf_counter()
        try:
            result = run(name, data, **params)
        except (ParameterError, TypeError) as exc:
            row.error = getattr(exc, "message", f"参数错误：{exc}")
            row.error_en = getattr(exc, "message_en", f"bad parameters: {exc}")
            outcomes.append((row, None))
            continue
        row.seconds = time.perf_counter() - started
        row.problems = len({p.series for p in result.problems})
        outcomes.append((row, expand(result, data.shape[1])))

    n_days = counts.shape[1]
    own = {}
    for row, result in outcomes:
        if result is not None:
            judged_from = _first_judged(result[1])
            if judged_from is not None and row.unit == "week":
                judged_from = judged_from * 7 + weekly_offset
            own[id(row)] = judged_from
    if period is None and common_period:
        first = max([0, *(d for d in own.values() if d is not None)])
        period = (min(first, n_days - 1), n_days - 1)
    for row, result in outcomes:
        if result is None:
            continue
        if period is None:  # each method over the time points it judges
            if own[id(row)] is None:
                row.error, row.error_en = "该方法未能判断任何时间点", "the method judged no time point"
                continue
            row_period = (own[id(row)], n_days - 1)
        else:
            row_period = tuple(period)
        if row.unit == "week":
            n_weeks = weekly.shape[1]
            row.period = (max(0, math.ceil((row_period[0] - weekly_offset) / 7)),
                          min(n_weeks - 1, (row_period[1] - weekly_offset) // 7))
            if row.period[0] > row.period[1]:
                row.error, row.error_en = "评价期内没有完整的周", "no whole week in the evaluation period"
                continue
            scores = score(result[0], weekly_truth, lag=math.ceil(lag / 7), judged=result[1],
                           period=row.period, steps_per_year=365.25 / 7)
        else:
            row.period = row_period
            scores = score(result[0], truth, lag=lag, judged=result[1], period=row_period)
        row.summary = summarise(scores)
    return [row for row, _ in outcomes]


def _fmt(value: float, digits: int = 3) -> str:
    return "—" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.{digits}f}"


def table_rows(rows: list[Row]) -> list[list[str]]:
    """Rows of strings for a printed table: method, unit, outbreaks, detected, sensitivity, false-alarm rate,
    false alarms per series-year, signals per series-week, PPV, median delay, seconds, problems / error
    (specificity is 1 − the false-alarm rate: in the summaries, not printed)."""
    lines = []
    for row in rows:
        s = row.summary
        if s is None:
            lines.append([row.label, row.unit, "", "", "", "", "", "", "", "", "",
                          f"{row.error} / {row.error_en}"])
            continue
        delay = _fmt(s.median_delay, 1)
        lines.append([row.label, row.unit, str(s.outbreaks), str(s.detected), _fmt(s.sensitivity),
                      _fmt(s.false_alarm_rate, 4), _fmt(s.false_per_year, 1), _fmt(s.signals_per_week, 2),
                      _fmt(s.ppv), delay, f"{row.seconds:.2f}", str(row.problems) if row.problems else ""])
    return lines


HEADERS = ["方法 Method", "单位 Unit", "暴发 Outbr.", "探测 Det.", "灵敏度 Sens.", "误报率 FAR", "误报/年 FA/yr",
           "信号/周 Sig/wk", "PPV", "延迟 Delay", "秒 s", "问题 Problems"]
