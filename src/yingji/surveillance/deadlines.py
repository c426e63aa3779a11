"""Statutory reporting deadlines and timeliness — pure rules, no Django.

The clock starts at diagnosis (「诊断后」): a card is on time when reported_at − diagnosed_at ≤ the disease's
deadline. Times are aware datetimes, so a report that crosses midnight (or a daylight-saving change elsewhere)
is measured in real elapsed time. A disease without a statutory deadline is "no deadline" (无法定时限), never a
made-up default. A report stamped before its diagnosis is "invalid", not on time.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class Timeliness(StrEnum):
    ON_TIME = "on_time"
    LATE = "late"
    NO_DEADLINE = "no_deadline"
    INVALID = "invalid"
    PENDING = "pending"  # not reported yet, deadline not passed
    OVERDUE = "overdue"  # not reported yet, deadline passed


LABELS = {
    Timeliness.ON_TIME: ("及时", "on time"),
    Timeliness.LATE: ("迟报", "late"),
    Timeliness.NO_DEADLINE: ("无法定时限", "no statutory deadline"),
    Timeliness.INVALID: ("时间有误", "invalid times"),
    Timeliness.PENDING: ("待报告", "pending"),
    Timeliness.OVERDUE: ("已超时未报", "overdue"),
}


@dataclass(frozen=True)
class Assessment:
    status: Timeliness
    deadline: datetime | None
    delay: timedelta | None  # reported − diagnosed (None when not reported)

    @property
    def delay_hours(self) -> float | None:
        return None if self.delay is None else self.delay.total_seconds() / 3600


def deadline(start: datetime, hours: int | None) -> datetime | None:
    if hours is None:
        return None
    if start.tzinfo is None:
        raise ValueError("deadline() needs an aware datetime")
    return start + timedelta(hours=hours)


def assess(diagnosed_at: datetime, reported_at: datetime | None, hours: int | None,
           *, now: datetime | None = None) -> Assessment:
    due = deadline(diagnosed_at, hours)
    if reported_at is None:
        if due is None:
            return Assessment(Timeliness.NO_DEADLINE, None, None)
        current = now or datetime.now(tz=diagnosed_at.tzinfo)
        return Assessment(Timeliness.OVERDUE if current > due else Timeliness.PENDING, due, None)
    delay = reported_at - diagnosed_at
    if delay < timedelta(0):
        return Assessment(Timeliness.INVALID, due, delay)
    if due is None:
        return Assessment(Timeliness.NO_DEADLINE, None, delay)
    return Assessment(Timeliness.ON_TIME if reported_at <= due else Timeliness.LATE, due, delay)
