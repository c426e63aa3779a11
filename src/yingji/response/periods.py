"""Quarantine periods of close contacts (密切接触者隔离医学观察期) — pure rules, no Django.

The observation period is counted from the last exposure to the source case, as Go.Data counts a contact's
follow-up period from the date of last contact: day 0 is the day of last exposure, observation starts the day
after (or later, the day the contact is placed under observation when found late) and ends on the N-th day after
the exposure, N being the configured period of the mode (集中隔离医学观察 or 居家隔离; 14 days by default,
settings.YINGJI_RESPONSE_QUARANTINE_DAYS, per mode YINGJI_RESPONSE_QUARANTINE_DAYS_BY_MODE).

A person may set the start and/or end by hand (an override) with a reason: the computed dates are kept beside the
chosen ones so a reader sees both. Bad input raises :class:`PeriodError` (message in Chinese and English and the
field it concerns); nothing is computed half-way.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

DEFAULT_DAYS = 14
MAX_DAYS = 90


@dataclass(frozen=True)
class PeriodError(ValueError):
    field: str
    message_zh: str
    message_en: str

    def __str__(self):
        return f"{self.message_zh} / {self.message_en}"


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    computed_start: date
    computed_end: date
    days: int  # the configured period of the mode
    overridden: bool
    reason: str = ""

    @property
    def length(self) -> int:
        """Days under observation, both ends included."""
        return (self.end - self.start).days + 1

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end

    def days_list(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range(self.length)]


def period_days(mode: str, default_days: int = DEFAULT_DAYS, by_mode: Mapping[str, int] | None = None) -> int:
    """The configured period of ``mode`` (the per-mode value when configured, else the default)."""
    days = (by_mode or {}).get(mode, default_days)
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_DAYS:
        raise PeriodError("mode", f"隔离观察期配置无效：应为 1 至 {MAX_DAYS} 天的整数",
                          f"The quarantine period setting is invalid: a whole number of days from 1 to {MAX_DAYS}")
    return days


def check_exposure(last_exposure: date | None, *, today: date, source_isolated_on: date | None = None) -> None:
    """The last-exposure date must be given, not in the future, and not after the source case was isolated (once
    isolated the case exposes nobody)."""
    if last_exposure is None:
        raise PeriodError("last_exposure", "请填写末次暴露日期", "Give the date of last exposure")
    if last_exposure > today:
        raise PeriodError("last_exposure", "末次暴露日期不能晚于今天", "The date of last exposure cannot be in the future")
    if source_isolated_on is not None and last_exposure > source_isolated_on:
        raise PeriodError(
            "last_exposure",
            f"末次暴露日期不能晚于传染源病例的隔离日期（{source_isolated_on:%Y-%m-%d}）",
            f"The date of last exposure cannot be after the source case's isolation ({source_isolated_on:%Y-%m-%d})",
        )


def quarantine_period(
    last_exposure: date,
    mode: str,
    *,
    default_days: int = DEFAULT_DAYS,
    by_mode: Mapping[str, int] | None = None,
    placed_on: date | None = None,
    start_override: date | None = None,
    end_override: date | None = None,
    reason: str = "",
) -> Period:
    """The observation period of a contact last exposed on ``last_exposure``.

    Computed: start = the day after the exposure, or ``placed_on`` when the contact was placed later; end = the
    exposure + the mode's period. An override (``start_override`` and/or ``end_override``) needs a ``reason``; the
    end may not fall before the start either way.
    """
    if last_exposure is None:
        raise PeriodError("last_exposure", "请填写末次暴露日期", "Give the date of last exposure")
    days = period_days(mode, default_days, by_mode)
    computed_end = last_exposure + timedelta(days=days)
    computed_start = last_exposure + timedelta(days=1)
    if placed_on is not None:
        if placed_on < last_exposure:
            raise PeriodError("placed_on", "开始隔离日期不能早于末次暴露日期",
                              "Observation cannot start before the date of last exposure")
        computed_start = max(computed_start, placed_on)
    overridden = start_override is not None or end_override is not None
    reason = (reason or "").strip()
    if overridden and not reason:
        raise PeriodError("override_reason", "手动调整隔离起止日期须说明理由",
                          "Give a reason for setting the quarantine dates by hand")
    start = start_override or computed_start
    end = end_override or computed_end
    if start_override is not None and start_override < last_exposure:
        raise PeriodError("start_date", "隔离开始日期不能早于末次暴露日期",
                          "The quarantine cannot start before the date of last exposure")
    if end < start:
        field = "end_date" if end_override is not None or start_override is None else "start_date"
        raise PeriodError(field, f"隔离结束日期（{end:%Y-%m-%d}）不能早于开始日期（{start:%Y-%m-%d}）",
                          f"The quarantine end ({end:%Y-%m-%d}) cannot be before its start ({start:%Y-%m-%d})")
    if (end - start).days + 1 > MAX_DAYS:
        raise PeriodError("end_date", f"隔离期不能超过 {MAX_DAYS} 天", f"A quarantine cannot exceed {MAX_DAYS} days")
    return Period(start=start, end=end, computed_start=computed_start, computed_end=computed_end, days=days,
                  overridden=overridden, reason=reason if overridden else "")


def followup_days(start: date, end: date, *, stop: date | None = None) -> list[date]:
    """The days of daily follow-up (每日随访) of a period: every day from start to end, both included, up to the day
    before ``stop`` when observation stopped early (released, became a case)."""
    last = end if stop is None else min(end, stop - timedelta(days=1))
    return [start + timedelta(days=i) for i in range((last - start).days + 1)] if last >= start else []


def share(part: int, whole: int) -> float | None:
    """A proportion (0–1), None when there is nothing to divide."""
    return None if whole <= 0 else part / whole
