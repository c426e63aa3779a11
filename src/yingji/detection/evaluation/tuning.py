"""Choosing the CIDARS moving-percentile threshold per disease × district from its history, as the Shanghai
(Songjiang) study did: run the MPM at every candidate percentile (P40 … P95, step 5), score each against the
known outbreaks (injected, or signals verified as outbreaks), and pick one per series (or per group of series).

Criteria:

- ``youden`` (default): the highest Youden index, sensitivity + specificity − 1 (specificity = 1 − share of
  quiet days alarmed, see :mod:`.metrics`); ties go to the higher percentile (fewer signals).
- ``fewest_signals`` (the CIDARS evaluations' rule, "fewer signals with no loss of outbreaks detected or of
  timeliness"): among the percentiles whose sensitivity equals the best one's and whose median delay is no longer
  than the shortest median delay at that sensitivity, the one with the fewest false alarms; ties go to the higher
  percentile.

A series (group) without any known outbreak in the period cannot be tuned: its choice is ``None`` with the reason,
and the configured percentile stays.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..algorithms import METHODS, ParameterError, run
from .harness import expand
from .metrics import Summary, score, summarise_groups
from .truth import EvaluationError, Truth

CANDIDATES = tuple(range(40, 100, 5))
CRITERIA = ("youden", "fewest_signals")
TIE = 1e-12


@dataclass
class Choice:
    percentile: int | None
    reason: str = ""  # Chinese, when no percentile could be chosen
    reason_en: str = ""


@dataclass
class TuningResult:
    candidates: tuple[int, ...]
    criterion: str
    table: list[list[Summary]]  # [group][candidate]
    choices: list[Choice]  # per group
    labels: list[str]
    period: tuple[int, int]

    @property
    def chosen(self) -> list[int | None]:
        return [c.percentile for c in self.choices]


def choose(summaries: list[Summary], candidates, criterion: str = "youden") -> Choice:
    """The chosen percentile for one group's row of summaries (one per candidate)."""
    if criterion not in CRITERIA:
        raise EvaluationError(f"未知的选择标准：{criterion}（可用 {', '.join(CRITERIA)}）",
                              f"unknown criterion: {criterion} (use {', '.join(CRITERIA)})")
    if not summaries or summaries[0].outbreaks == 0:
        return Choice(None, "评价期内没有已知暴发，无法调优", "no known outbreak in the period: cannot tune")
    if all(np.isnan(s.false_alarm_rate) for s in summaries):
        return Choice(None, "评价期内没有非暴发日，无法调优", "no quiet day in the period: cannot tune")
    order = np.argsort(candidates)[::-1]  # the highest percentile first, so ties keep it
    if criterion == "youden":
        best, pick = -np.inf, None
        for i in order:
            youden = summaries[i].youden
            if not np.isnan(youden) and youden > best + TIE:
                best, pick = youden, i
        return Choice(int(candidates[pick]))
    best_sensitivity = max(s.sensitivity for s in summaries)
    eligible = [i for i in order if summaries[i].sensitivity >= best_sensitivity - TIE]
    delays = [summaries[i].median_delay for i in eligible if not np.isnan(summaries[i].median_delay)]
    if delays:
        shortest = min(delays)
        eligible = [i for i in eligible
                    if not np.isnan(summaries[i].median_delay) and summaries[i].median_delay <= shortest + TIE]
    pick = min(eligible, key=lambda i: (summaries[i].false_alarms, -candidates[i]))
    return Choice(int(candidates[pick]))


def tune_percentile(counts, truth: Truth, *, groups=None, labels=None, candidates=CANDIDATES,
                    criterion: str = "youden", method: str = "cidars_mpm", percentile_param: str = "percentile",
                    lag: int = 7, period=None, **params) -> TuningResult:
    """Score ``method`` at every candidate percentile on ``counts`` (series × days) against ``truth`` and choose a
    percentile per series, or per group when ``groups`` labels the series 0 … g−1 (−1 leaves a series out).
    ``params`` go to the method unchanged (window, years, operator, min_cases …). ``period`` defaults to the time
    points the method can judge."""
    if criterion not in CRITERIA:
        raise EvaluationError(f"未知的选择标准：{criterion}（可用 {', '.join(CRITERIA)}）",
                              f"unknown criterion: {criterion} (use {', '.join(CRITERIA)})")
    candidates = tuple(int(c) for c in candidates)
    if not candidates or any(not 0 < c < 100 for c in candidates):
        raise EvaluationError("候选百分位数须在 1 到 99 之间", "candidate percentiles must lie between 1 and 99")
    if method not in METHODS:
        raise EvaluationError(f"预警方法 {method} 尚未安装", f"detection method {method} is not installed")
    counts = np.asarray(counts, dtype=float)
    if counts.ndim != 2:
        raise EvaluationError("计数须为二维数组（序列 × 时间）", "counts must be a 2-D array (series × time)")
    truth.validate(counts.shape)
    groups = np.arange(counts.shape[0]) if groups is None else np.asarray(groups, dtype=np.int64)
    if groups.shape != (counts.shape[0],):
        raise EvaluationError("分组标签须每个序列一个", "groups must give one label per series")
    n_groups = int(groups.max()) + 1 if groups.size else 0
    labels = [str(g) for g in range(n_groups)] if labels is None else [str(label) for label in labels]

    results = []
    for percentile in candidates:
        try:
            results.append(expand(run(method, counts, **{percentile_param: percentile}, **params), counts.shape[1]))
        except ParameterError as exc:
            raise EvaluationError(exc.message, exc.message_en) from exc
    if period is None:
        columns = np.flatnonzero(results[0][1].any(axis=0))
        if columns.size == 0:
            raise EvaluationError("历史数据太短，该方法无法判断任何时间点",
                                  "the history is too short for the method to judge any time point")
        period = (int(columns[0]), counts.shape[1] - 1)
    per_candidate = [
        summarise_groups(score(alarm, truth, lag=lag, judged=judged, period=period), groups)
        for alarm, judged in results
    ]
    table = [[per_candidate[c][g] for c in range(len(candidates))] for g in range(n_groups)]
    choices = [choose(row, candidates, criterion) for row in table]
    return TuningResult(candidates=candidates, criterion=criterion, table=table, choices=choices, labels=labels,
                        period=tuple(period))
