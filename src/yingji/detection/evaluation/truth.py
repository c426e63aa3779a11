"""The recorded true outbreaks of a set of series: which series, first and last time point, how many cases."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


class EvaluationError(ValueError):
    """Bad input to the evaluation harness; Chinese and English messages like the rest of the platform."""

    def __init__(self, message: str, message_en: str):
        super().__init__(message_en)
        self.message = message
        self.message_en = message_en


@dataclass(frozen=True)
class Truth:
    """One entry per outbreak. ``start`` and ``end`` are time-point indices into the series (inclusive)."""

    series: np.ndarray
    start: np.ndarray
    end: np.ndarray
    cases: np.ndarray
    kind: np.ndarray = field(default=None)  # optional labels (point, prolonged, a demo outbreak key …)

    def __post_init__(self):
        n = len(self.series)
        for name in ("series", "start", "end", "cases"):
            object.__setattr__(self, name, np.asarray(getattr(self, name), dtype=np.int64).reshape(-1))
        if self.kind is None:
            object.__setattr__(self, "kind", np.full(n, "", dtype=object))
        else:
            object.__setattr__(self, "kind", np.asarray(self.kind).reshape(-1))
        if not all(len(getattr(self, a)) == n for a in ("start", "end", "cases", "kind")):
            raise EvaluationError("暴发记录的各列长度不一致", "the outbreak record's columns differ in length")

    @classmethod
    def empty(cls) -> Truth:
        return cls(series=[], start=[], end=[], cases=[])

    @classmethod
    def from_records(cls, records) -> Truth:
        """From (series, start, end, cases[, kind]) tuples."""
        rows = [tuple(r) for r in records]
        if not rows:
            return cls.empty()
        columns = list(zip(*rows, strict=True))
        kind = columns[4] if len(columns) > 4 else None
        return cls(series=columns[0], start=columns[1], end=columns[2], cases=columns[3], kind=kind)

    def __len__(self) -> int:
        return len(self.series)

    def select(self, mask) -> Truth:
        mask = np.asarray(mask)
        return Truth(series=self.series[mask], start=self.start[mask], end=self.end[mask], cases=self.cases[mask],
                     kind=self.kind[mask])

    def renumber(self, rows) -> Truth:
        """The truth of ``counts[rows]``: outbreaks of the other series dropped, series renumbered."""
        rows = np.asarray(rows, dtype=np.int64)
        position = {int(r): i for i, r in enumerate(rows)}
        keep = np.array([int(s) in position for s in self.series], dtype=bool)
        kept = self.select(keep)
        return Truth(series=[position[int(s)] for s in kept.series], start=kept.start, end=kept.end,
                     cases=kept.cases, kind=kept.kind)

    def weekly(self, offset: int = 0) -> Truth:
        """The same outbreaks on weekly series made of 7-day blocks starting at day ``offset``."""
        return Truth(series=self.series, start=(self.start - offset) // 7, end=(self.end - offset) // 7,
                     cases=self.cases, kind=self.kind)

    def validate(self, shape: tuple[int, int]) -> None:
        n_series, n_time = shape
        if len(self) == 0:
            return
        if self.series.min() < 0 or self.series.max() >= n_series:
            raise EvaluationError("暴发记录引用了不存在的序列", "an outbreak refers to a series that does not exist")
        if self.start.min() < 0 or self.end.max() >= n_time:
            raise EvaluationError("暴发的起止时间超出序列范围", "an outbreak's start or end lies outside the series")
        if np.any(self.end < self.start):
            raise EvaluationError("暴发的结束早于开始", "an outbreak ends before it starts")


def weekly_counts(counts: np.ndarray, offset: int = 0) -> np.ndarray:
    """Daily counts (series × days) summed into whole 7-day blocks from day ``offset`` (a trailing part is dropped);
    a block with a missing day is missing."""
    counts = np.asarray(counts)
    n_weeks = (counts.shape[1] - offset) // 7
    blocks = counts[:, offset:offset + 7 * n_weeks].reshape(counts.shape[0], n_weeks, 7)
    return blocks.sum(axis=2, dtype=float)
