"""Sensitivity, false-alarm rate, days to detection (and specificity, PPV) of an alarm matrix against the truth.

Definitions (``lag`` time points of grace after an outbreak's last case, default 7 days or 1 week):

- An outbreak's **window** is ``[start, end + lag]``. The outbreak is **detected** when the method alarms on at
  least one time point of its window. **Sensitivity** = detected outbreaks / outbreaks.
- **Days (time points) to detection** = first alarm in the window − ``start`` (0: alarmed on the day of the first
  outbreak case); the median over detected outbreaks is reported.
- A **quiet** time point is one outside every outbreak window that the method judged (``judged``; default: all).
  **False-alarm rate** = alarmed quiet time points / quiet time points, i.e. the share of non-outbreak days that
  alarm; **specificity** = 1 − false-alarm rate; **false alarms per series-year** = false-alarm rate × time points
  per year (365.25 or 52.18).
- **PPV** = alarmed time points inside outbreak windows / all alarmed time points (day level).
- **Signals per series-week**: a signal is a run of consecutive alarmed time points (a method alarming three
  days in a row raises one signal, as a duty officer sees it); signals starting in the period / judged series-days
  × 7 (weekly data: per judged series-week). CIDARS reports 1.48–1.65 MPM signals per *county* (all diseases)
  per week.

Only outbreaks starting inside ``period`` (first, last time point, inclusive; default the whole series) count, and
only quiet time points inside it. Everything is computed per series first (:class:`Scores`), so callers can pool
any grouping (:func:`summarise`, :func:`summarise_groups`). Pure numpy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .truth import EvaluationError, Truth


@dataclass
class Scores:
    """Per series (arrays of length n_series) and per counted outbreak (arrays of length n_outbreaks)."""

    outbreaks: np.ndarray
    detected: np.ndarray
    quiet: np.ndarray  # judged time points outside outbreak windows
    false_alarms: np.ndarray  # alarmed quiet time points
    true_alarms: np.ndarray  # alarmed time points inside outbreak windows
    signals: np.ndarray  # runs of consecutive alarms starting in the period
    judged: np.ndarray  # judged time points in the period
    outbreak_series: np.ndarray  # per outbreak: its series
    delay: np.ndarray  # per outbreak: time points to detection, nan when missed
    steps_per_year: float


@dataclass(frozen=True)
class Summary:
    outbreaks: int
    detected: int
    sensitivity: float  # nan without outbreaks
    false_alarm_rate: float  # nan without quiet time points
    specificity: float
    ppv: float  # nan without alarms
    median_delay: float  # nan when nothing was detected
    false_per_year: float
    quiet: int
    false_alarms: int
    signals_per_week: float = float("nan")  # per series-week (7 judged days, or one judged week)

    @property
    def youden(self) -> float:
        return self.sensitivity + self.specificity - 1


def _period(period, n_time) -> tuple[int, int]:
    if period is None:
        return 0, n_time - 1
    first, last = (int(p) for p in period)
    if not 0 <= first <= last < n_time:
        raise EvaluationError("评价期须在序列范围内且起点不晚于终点",
                              "the evaluation period must lie inside the series and start before it ends")
    return first, last


def score(alarm, truth: Truth, *, lag: int = 7, judged=None, period=None, steps_per_year: float = 365.25,
          chunk: int = 16384) -> Scores:
    """Per-series counts for an alarm matrix (series × time, bool) against ``truth`` (see the module docstring)."""
    alarm = np.asarray(alarm)
    if alarm.ndim != 2 or alarm.dtype != bool:
        raise EvaluationError("报警矩阵须为二维布尔数组（序列 × 时间）", "alarms must be a 2-D boolean array (series × time)")
    if judged is not None:
        judged = np.asarray(judged, dtype=bool)
        if judged.shape != alarm.shape:
            raise EvaluationError("judged 与报警矩阵形状不一致", "judged and alarms differ in shape")
    if int(lag) < 0:
        raise EvaluationError("宽限期不能为负", "the lag cannot be negative")
    n_series, n_time = alarm.shape
    truth.validate(alarm.shape)
    first, last = _period(period, n_time)
    lag = int(lag)

    counted = truth.select((truth.start >= first) & (truth.start <= last))
    stop = np.minimum(counted.end + lag, n_time - 1)

    # Detection: gather each outbreak's window (padded to the longest) and find its first alarm.
    delay = np.full(len(counted), np.nan)
    if len(counted):
        width = int((stop - counted.start).max()) + 1
        index = counted.start[:, None] + np.arange(width)[None, :]
        inside = index <= stop[:, None]
        hits = alarm[counted.series[:, None], np.minimum(index, n_time - 1)] & inside
        found = hits.any(axis=1)
        delay[found] = hits[found].argmax(axis=1)
    outbreaks = np.bincount(counted.series, minlength=n_series)
    detected = np.bincount(counted.series, weights=~np.isnan(delay), minlength=n_series).astype(np.int64)

    # Every outbreak window (counted or not) is excluded from the quiet time points.
    all_stop = np.minimum(truth.end + lag, n_time - 1)
    quiet = np.zeros(n_series, dtype=np.int64)
    false_alarms = np.zeros(n_series, dtype=np.int64)
    true_alarms = np.zeros(n_series, dtype=np.int64)
    signals = np.zeros(n_series, dtype=np.int64)
    judged_points = np.zeros(n_series, dtype=np.int64)
    for lo in range(0, n_series, chunk):
        hi = min(lo + chunk, n_series)
        mine = (truth.series >= lo) & (truth.series < hi)
        edges = np.zeros((hi - lo, n_time + 1), dtype=np.int16)
        np.add.at(edges, (truth.series[mine] - lo, truth.start[mine]), 1)
        np.add.at(edges, (truth.series[mine] - lo, all_stop[mine] + 1), -1)
        in_window = np.cumsum(edges[:, :last + 1], axis=1, dtype=np.int16)[:, first:] > 0
        window_alarm = alarm[lo:hi, first:last + 1]
        considered = ~in_window if judged is None else (~in_window & judged[lo:hi, first:last + 1])
        quiet[lo:hi] = considered.sum(axis=1)
        false_alarms[lo:hi] = (window_alarm & considered).sum(axis=1)
        true_alarms[lo:hi] = (window_alarm & in_window).sum(axis=1)
        before = alarm[lo:hi, first - 1] if first > 0 else np.zeros(hi - lo, dtype=bool)
        previous = np.concatenate([before[:, None], window_alarm[:, :-1]], axis=1)
        signals[lo:hi] = (window_alarm & ~previous).sum(axis=1)
        judged_points[lo:hi] = (last - first + 1) if judged is None else judged[lo:hi, first:last + 1].sum(axis=1)
    return Scores(outbreaks=outbreaks, detected=detected, quiet=quiet, false_alarms=false_alarms,
                  true_alarms=true_alarms, signals=signals, judged=judged_points, outbreak_series=counted.series, delay=delay,
                  steps_per_year=float(steps_per_year))


def _ratio(a, b):
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(b > 0, a / np.where(b > 0, b, 1), np.nan)


def summarise(scores: Scores, rows=None) -> Summary:
    """Pooled over all series, or over ``rows`` (indices or a boolean mask)."""
    if rows is None:
        groups = np.zeros(len(scores.outbreaks), dtype=np.int64)
    else:
        mask = np.zeros(len(scores.outbreaks), dtype=bool)
        mask[np.asarray(rows)] = True
        groups = np.where(mask, 0, -1)
    return summarise_groups(scores, groups)[0]


def summarise_groups(scores: Scores, groups) -> list[Summary]:
    """One summary per group label 0 … max(groups); a series labelled −1 is left out."""
    groups = np.asarray(groups, dtype=np.int64)
    n_groups = int(groups.max()) + 1 if groups.size else 0
    keep = groups >= 0

    def total(values):
        return np.bincount(groups[keep], weights=values[keep], minlength=n_groups)

    outbreaks, detected = total(scores.outbreaks), total(scores.detected)
    quiet, false_alarms, true_alarms = total(scores.quiet), total(scores.false_alarms), total(scores.true_alarms)
    sensitivity = _ratio(detected, outbreaks)
    far = _ratio(false_alarms, quiet)
    ppv = _ratio(true_alarms, true_alarms + false_alarms)
    per_week = _ratio(total(scores.signals), total(scores.judged)) * (7 if scores.steps_per_year > 100 else 1)
    outbreak_group = groups[scores.outbreak_series] if len(scores.delay) else np.zeros(0, dtype=np.int64)
    medians = np.full(n_groups, np.nan)
    found = ~np.isnan(scores.delay) & (outbreak_group >= 0)
    if found.any():
        order = np.argsort(outbreak_group[found], kind="stable")
        labels, delays = outbreak_group[found][order], scores.delay[found][order]
        bounds = np.flatnonzero(np.diff(labels)) + 1
        for chunk_labels, chunk_delays in zip(np.split(labels, bounds), np.split(delays, bounds), strict=True):
            medians[chunk_labels[0]] = np.median(chunk_delays)
    return [
        Summary(outbreaks=int(outbreaks[g]), detected=int(detected[g]), sensitivity=float(sensitivity[g]),
                false_alarm_rate=float(far[g]), specificity=float(1 - far[g]), ppv=float(ppv[g]),
                median_delay=float(medians[g]), false_per_year=float(far[g] * scores.steps_per_year),
                quiet=int(quiet[g]), false_alarms=int(false_alarms[g]), signals_per_week=float(per_week[g]))
        for g in range(n_groups)
    ]
