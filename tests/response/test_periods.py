"""Quarantine-period computation (response/periods.py, pure): counted from the last exposure, per mode, placed late,
overridden with a reason, and the bad inputs."""

from datetime import date

import pytest

from yingji.response import periods
from yingji.response.periods import PeriodError, check_exposure, followup_days, quarantine_period

D = date(2026, 3, 1)


def test_default_fourteen_days_from_last_exposure():
    p = quarantine_period(D, "centralized")
    assert (p.start, p.end) == (date(2026, 3, 2), date(2026, 3, 15))
    assert p.length == 14 and p.days == 14 and not p.overridden and p.reason == ""
    assert p.covers(date(2026, 3, 15)) and not p.covers(D) and not p.covers(date(2026, 3, 16))
    assert p.days_list()[0] == date(2026, 3, 2) and len(p.days_list()) == 14


@pytest.mark.parametrize(("mode", "by_mode", "default", "end"), [
    ("home", {"home": 7}, 14, date(2026, 3, 8)),
    ("centralized", {"home": 7}, 14, date(2026, 3, 15)),
    ("centralized", {}, 21, date(2026, 3, 22)),
    ("home", None, 10, date(2026, 3, 11)),
    ("centralized", {"centralized": 1}, 14, date(2026, 3, 2)),
])
def test_period_per_mode(mode, by_mode, default, end):
    p = quarantine_period(D, mode, default_days=default, by_mode=by_mode)
    assert p.end == end and p.computed_end == end


def test_crosses_month_and_year_and_leap_day():
    assert quarantine_period(date(2025, 12, 25), "home").end == date(2026, 1, 8)
    assert quarantine_period(date(2028, 2, 20), "home").end == date(2028, 3, 5)  # 2028 has 29 February


def test_placed_late_starts_on_placement_but_still_ends_from_exposure():
    p = quarantine_period(D, "centralized", placed_on=date(2026, 3, 5))
    assert (p.start, p.end) == (date(2026, 3, 5), date(2026, 3, 15))
    assert p.length == 11
    same_day = quarantine_period(D, "centralized", placed_on=D)
    assert same_day.start == date(2026, 3, 2)  # placement on the exposure day: observation from the next day


def test_placed_before_exposure_is_refused():
    with pytest.raises(PeriodError) as exc:
        quarantine_period(D, "home", placed_on=date(2026, 2, 27))
    assert exc.value.field == "placed_on"


def test_override_end_with_reason_keeps_computed_dates():
    p = quarantine_period(D, "centralized", end_override=date(2026, 3, 22), reason="专家会商延长观察")
    assert p.overridden and p.reason == "专家会商延长观察"
    assert (p.start, p.end) == (date(2026, 3, 2), date(2026, 3, 22))
    assert (p.computed_start, p.computed_end) == (date(2026, 3, 2), date(2026, 3, 15))


def test_override_start_and_end():
    p = quarantine_period(D, "home", start_override=date(2026, 3, 3), end_override=date(2026, 3, 10), reason="r")
    assert (p.start, p.end, p.length) == (date(2026, 3, 3), date(2026, 3, 10), 8)


def test_override_start_only_keeps_computed_end():
    p = quarantine_period(D, "home", start_override=date(2026, 3, 4), reason="晚发现")
    assert (p.start, p.end) == (date(2026, 3, 4), date(2026, 3, 15))


def test_override_without_reason_is_refused():
    with pytest.raises(PeriodError) as exc:
        quarantine_period(D, "home", end_override=date(2026, 3, 20), reason="  ")
    assert exc.value.field == "override_reason"
    assert "理由" in exc.value.message_zh and "reason" in exc.value.message_en


def test_end_before_start_is_refused():
    with pytest.raises(PeriodError) as exc:
        quarantine_period(D, "home", end_override=date(2026, 3, 1), reason="r")
    assert exc.value.field == "end_date"
    assert "不能早于开始日期" in exc.value.message_zh and "cannot be before its start" in exc.value.message_en
    with pytest.raises(PeriodError) as exc:
        quarantine_period(D, "home", start_override=date(2026, 3, 20), reason="r")
    assert exc.value.field == "start_date"


def test_start_before_exposure_and_too_long_are_refused():
    with pytest.raises(PeriodError):
        quarantine_period(D, "home", start_override=date(2026, 2, 1), reason="r")
    with pytest.raises(PeriodError):
        quarantine_period(D, "home", end_override=date(2026, 9, 1), reason="r")


@pytest.mark.parametrize("days", [0, -1, 91, "14", True, 1.5])
def test_bad_configuration(days):
    with pytest.raises(PeriodError):
        quarantine_period(D, "home", default_days=days)


def test_missing_exposure():
    with pytest.raises(PeriodError):
        quarantine_period(None, "home")


def test_check_exposure():
    check_exposure(D, today=D, source_isolated_on=D)  # exposure on the day of isolation is fine
    with pytest.raises(PeriodError) as exc:
        check_exposure(date(2026, 3, 2), today=D)
    assert "晚于今天" in exc.value.message_zh and "future" in exc.value.message_en
    with pytest.raises(PeriodError) as exc:
        check_exposure(D, today=date(2026, 3, 9), source_isolated_on=date(2026, 2, 28))
    assert "2026-02-28" in exc.value.message_zh and "isolation" in exc.value.message_en
    with pytest.raises(PeriodError):
        check_exposure(None, today=D)


def test_followup_days_stop_early():
    assert len(followup_days(date(2026, 3, 2), date(2026, 3, 15))) == 14
    assert followup_days(date(2026, 3, 2), date(2026, 3, 15), stop=date(2026, 3, 5)) == [
        date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 4)]
    assert followup_days(date(2026, 3, 2), date(2026, 3, 15), stop=date(2026, 3, 2)) == []
    assert followup_days(date(2026, 3, 5), date(2026, 3, 4)) == []


def test_share():
    assert periods.share(1, 4) == 0.25 and periods.share(0, 0) is None
