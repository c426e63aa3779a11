"""Detection runs: signals from report cards, idempotent reruns, backfill, problems recorded per series."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from yingji.core.models import ApiToken, Notification, Organisation, Region
from yingji.core.roles import Role
from yingji.detection.models import DetectionRun, Signal, SignalAction
from yingji.detection.services.runs import backfill, run_detection, scheduled_time

from .factories import bj, cards, fixed, only

D = date(2026, 3, 10)
NOW = bj(2026, 3, 11, 6)


def test_a_single_cholera_case_raises_one_signal_for_its_county_assigned_to_its_cdc(city):
    only(fixed("0200"))
    cards(city.a, "0200", D, 1)
    run = run_detection(D, now=NOW)
    [signal] = Signal.objects.all()
    assert (signal.region_id, signal.disease.code, signal.method, signal.signal_date) == ("990102", "0200",
                                                                                       "fixed_threshold", D)
    assert (signal.observed, signal.upper, signal.status) == (1.0, 1.0, "new")
    assert signal.assigned_org == city.a.cdc and signal.run == run
    assert signal.raised_at == NOW and signal.verify_due_at == NOW + timedelta(hours=24)
    assert (run.status, run.series_count, run.signal_count, run.new_signal_count) == ("succeeded", 1, 1, 1)
    [action] = SignalAction.objects.all()
    assert (action.from_status, action.to_status, action.actor) == ("", "new", None)
    [note] = Notification.objects.all()
    assert note.recipient == city.a.users[Role.CDC] and "霍乱" in note.title and "甲区" in note.title


def test_rerunning_a_date_keeps_the_same_signals_and_never_duplicates(city):
    only(fixed("0200"))
    cards(city.a, "0200", D, 1)
    run_detection(D, now=NOW)
    cards(city.a, "0200", D, 2)  # late cards of the same day
    second = run_detection(D, now=NOW + timedelta(hours=1))
    [signal] = Signal.objects.all()
    assert signal.observed == 3.0 and signal.raised_at == NOW  # figures refreshed, identity kept
    assert (second.signal_count, second.new_signal_count) == (1, 0)
    assert DetectionRun.objects.count() == 2 and SignalAction.objects.count() == 1
    assert Notification.objects.count() == 1  # notified once


def test_min_cases_is_a_floor_under_the_alarm(city):
    only(fixed("0200", min_cases=2))
    cards(city.a, "0200", D, 1)
    cards(city.b, "0200", D, 2)
    run_detection(D, now=NOW)
    assert list(Signal.objects.values_list("region_id", flat=True)) == ["990103"]


def test_a_region_override_judges_its_own_region_and_the_general_config_the_rest(city):
    only(fixed("0200"), fixed("0200", region=city.b.region, min_cases=5))
    cards(city.a, "0200", D, 1)
    cards(city.b, "0200", D, 2)
    run = run_detection(D, now=NOW)
    assert list(Signal.objects.values_list("region_id", flat=True)) == ["990102"]
    assert run.series_count == 2


def test_subtypes_count_for_their_parent_disease(city):
    only(fixed("0400"))  # 痢疾: cards of 细菌性痢疾 count
    cards(city.a, "0401", D, 1)
    run_detection(D, now=NOW)
    assert Signal.objects.get().disease.code == "0400"


def test_deleted_merged_and_superseded_cards_do_not_count(city):
    only(fixed("0200"))
    for status in ("deleted", "merged", "superseded"):
        cards(city.a, "0200", D, 1, status=status)
    run_detection(D, now=NOW)
    assert not Signal.objects.exists()


def test_a_region_without_a_cdc_is_assigned_to_the_cdc_above(city):
    county = Region.objects.create(code="990104", name="丙县", parent=city.city)
    only(fixed("0200"))
    cards(city.a, "0200", D, 1, region=county)
    run_detection(D, now=NOW)
    assert Signal.objects.get().assigned_org == city.cdc


def test_verification_hours_come_from_the_config_or_the_setting(city, settings):
    settings.YINGJI_SIGNAL_VERIFY_HOURS = 12
    only(fixed("0200"), fixed("0100", response_hours=2))
    cards(city.a, "0200", D, 1)
    cards(city.a, "0100", D, 1)
    run_detection(D, now=NOW)
    due = {s.disease.code: s.verify_due_at - s.raised_at for s in Signal.objects.all()}
    assert due == {"0200": timedelta(hours=12), "0100": timedelta(hours=2)}


def test_a_misconfigured_method_is_a_problem_per_series_and_the_rest_is_processed(city):
    only({**fixed("0200"), "methods": [{"method": "fixed_threshold", "params": {"threshold": -1}}]},
         {**fixed("0100"), "methods": [{"method": "no_such_method", "params": {}}]},
         fixed("0900"))
    cards(city.a, "0200", D, 1)
    cards(city.b, "0100", D, 1)
    cards(city.b, "0900", D, 1)
    run = run_detection(D, now=NOW)
    assert run.status == "partial"
    assert list(Signal.objects.values_list("disease__code", flat=True)) == ["0900"]
    problems = {p["series"]: p for p in run.problems}
    assert set(problems) == {"甲区 · 霍乱", "乙区 · 鼠疫"}
    assert problems["甲区 · 霍乱"]["code"] == "bad_parameter" and "固定阈值" in problems["甲区 · 霍乱"]["message"]
    assert "fixed threshold" in problems["甲区 · 霍乱"]["message_en"]
    assert "no_such_method" in problems["乙区 · 鼠疫"]["message_en"]


def test_report_date_is_the_shanghai_calendar_day(city):
    only(fixed("0200"))
    cards(city.a, "0200", D, 1, hour=23)  # 23:00 Beijing = 15:00 UTC, still D
    cards(city.b, "0200", D + timedelta(days=1), 1, hour=0)  # 00:xx Beijing next day = D 16:00 UTC
    run_detection(D, now=NOW)
    assert list(Signal.objects.values_list("region_id", flat=True)) == ["990102"]


def test_backfill_runs_every_date_once_without_notifying(city):
    only(fixed("0200"))
    cards(city.a, "0200", D, 1)
    cards(city.b, "0200", D + timedelta(days=2), 1)
    seen = []
    runs = backfill(D - timedelta(days=1), D + timedelta(days=3), progress=lambda done, total, run: seen.append(
        (done, total, run.run_date)), now=NOW + timedelta(days=10))
    assert [r.kind for r in runs] == ["backfill"] * 5 and [s[0] for s in seen] == [1, 2, 3, 4, 5]
    assert seen[-1][1] == 5
    assert sorted(Signal.objects.values_list("signal_date", "region_id")) == [(D, "990102"),
                                                                              (D + timedelta(days=2), "990103")]
    first = Signal.objects.get(signal_date=D)
    assert first.raised_at == scheduled_time(D) == bj(2026, 3, 11, 6)
    assert not Notification.objects.exists()
    backfill(D - timedelta(days=1), D + timedelta(days=3), now=NOW + timedelta(days=10))
    assert Signal.objects.count() == 2  # a second backfill duplicates nothing


def test_fever_clinic_visits_signal_per_clinic_county(city):
    from .factories import fever

    only({"disease": None, "source": "fever_clinic", "measure": "visits", "min_cases": 1,
          "methods": [{"method": "fixed_threshold", "params": {"threshold": 30}}]})
    clinic2 = Organisation.objects.create(code="FEV02", name="甲区发热门诊二", kind="hospital", region=city.a.region)
    fever(city.a.hospital, D, 20)
    fever(clinic2, D, 15)
    fever(city.b.hospital, D, 29)
    run = run_detection(D, now=NOW)
    [signal] = Signal.objects.all()
    assert (signal.region_id, signal.disease, signal.measure, signal.observed) == ("990102", None, "visits", 35.0)
    assert run.series_count == 2


@pytest.mark.parametrize("hour", [9])
def test_a_daily_run_is_dated_now(city, hour):
    only(fixed("0200"))
    cards(city.a, "0200", D, 1)
    before = timezone.now()
    run_detection(D)
    assert Signal.objects.get().raised_at >= before


def test_weekly_series_are_judged_on_the_sunday_ending_the_week(city):
    only(fixed("0200", frequency="weekly", methods=[{"method": "fixed_threshold", "params": {"threshold": 3}}]))
    sunday = date(2026, 3, 15)
    for offset in (0, 2, 5):  # Sunday, Friday, Tuesday of the same ISO week
        cards(city.a, "0200", sunday - timedelta(days=offset), 1)
    cards(city.a, "0200", sunday - timedelta(days=7), 1)  # the week before
    later = bj(2026, 3, 16, 6)
    saturday = run_detection(sunday - timedelta(days=1), now=later)
    assert saturday.series_count == 0 and not Signal.objects.exists()
    run_detection(sunday, now=later)
    [signal] = Signal.objects.all()
    assert (signal.signal_date, signal.observed, signal.upper) == (sunday, 3.0, 3.0)


def test_report_date_counts_of_a_holiday_move_to_the_next_workday_for_window_methods(city):
    # a weekly-free check of the shift through a run: a threshold of 2 on the first workday after National Day
    only(fixed("0200", holiday_mode="none", min_cases=2,
               methods=[{"method": "fixed_threshold", "params": {"threshold": 2}}]))
    from yingji.detection.models import DetectionConfig

    DetectionConfig.objects.filter(profile="test").update(holiday_mode="shift")  # stored directly: not via service
    cards(city.a, "0200", date(2026, 10, 5), 1)  # a holiday
    cards(city.a, "0200", date(2026, 10, 8), 1)  # the first workday after 1–7 October
    run_detection(date(2026, 10, 8), now=bj(2026, 10, 9, 6))
    [signal] = Signal.objects.all()
    assert (signal.signal_date, signal.observed) == (date(2026, 10, 8), 2.0)


def test_dates_outside_2000_to_today_are_refused(city):
    from yingji.core.errors import InvalidInput

    for day in (date(1999, 12, 31), NOW.date() + timedelta(days=1)):
        with pytest.raises(InvalidInput) as caught:
            run_detection(day, now=NOW)
        assert "date" in caught.value.fields
    with pytest.raises(InvalidInput) as caught:
        backfill(D, D - timedelta(days=1), now=NOW)
    assert "to" in caught.value.fields
    assert not DetectionRun.objects.exists()


def _outbreak(city, start):
    """A steady case a day for two weeks, then 10, 30, 90 and 270 cases on four days from ``start``."""
    for back in range(1, 15):
        cards(city.a, "3500", start - timedelta(days=back), 1)
    for offset, n in enumerate((10, 30, 90)):
        cards(city.a, "3500", start + timedelta(days=offset), n)


EARS = {"disease": "3500", "methods": [{"method": "ears_c1", "params": {}}], "min_cases": 1,
        "count_basis": "report"}


def test_an_outbreak_alarming_on_consecutive_days_is_one_signal_with_its_alarm_days(client, city):
    only(EARS)
    _outbreak(city, D)
    later = NOW + timedelta(days=10)
    backfill(D - timedelta(days=1), D + timedelta(days=2), now=later)
    [signal] = Signal.objects.all()
    assert (signal.signal_date, signal.last_alarm_date, signal.alarm_days) == (D, D + timedelta(days=2), 3)
    assert signal.observed == 10.0  # the figures of the day it was raised
    _, raw = ApiToken.issue(city.a.users[Role.CDC], "test")
    item = client.get(f"/api/v1/signals/{signal.pk}", HTTP_AUTHORIZATION=f"Bearer {raw}").json()
    assert (item["alarm_days"], item["last_alarm_date"]) == (3, "2026-03-12")
    backfill(D - timedelta(days=1), D + timedelta(days=2), now=later)  # a rerun counts no day twice
    signal.refresh_from_db()
    assert Signal.objects.count() == 1 and signal.alarm_days == 3

    # once the CDC has excluded it, a further alarm is news again: a new signal
    Signal.objects.filter(pk=signal.pk).update(status="excluded")
    cards(city.a, "3500", D + timedelta(days=3), 270)
    run_detection(D + timedelta(days=3), now=later)
    assert sorted(Signal.objects.values_list("signal_date", "status")) == [(D, "excluded"),
                                                                          (D + timedelta(days=3), "new")]


def test_with_no_quiet_period_every_alarm_day_is_a_signal(city, settings):
    settings.YINGJI_SIGNAL_QUIET_DAYS = 0
    only(EARS)
    _outbreak(city, D)
    backfill(D - timedelta(days=1), D + timedelta(days=2), now=NOW + timedelta(days=10))
    assert Signal.objects.count() == 3 and set(Signal.objects.values_list("alarm_days", flat=True)) == {1}


def test_fixed_threshold_signals_are_never_merged(city):
    only(fixed("0200"))
    cards(city.a, "0200", D, 1)
    cards(city.a, "0200", D + timedelta(days=1), 1)
    backfill(D, D + timedelta(days=1), now=NOW + timedelta(days=10))
    assert Signal.objects.count() == 2


def test_a_daily_run_lets_cusum_add_up_a_slow_rise(city):
    """A case a day for two months, then three a day: no single day is far above, but the sum is."""
    for back in range(5, 65):
        cards(city.a, "3500", D - timedelta(days=back), 1)
    for back in range(5):
        cards(city.a, "3500", D - timedelta(days=back), 3)
    config = {"disease": "3500", "methods": [{"method": "cusum", "params": {}}], "min_cases": 1,
              "count_basis": "report"}
    only(config)
    run_detection(D, now=NOW)
    assert Signal.objects.filter(method="cusum", signal_date=D).exists()
    Signal.objects.all().delete()
    only({**config, "methods": [{"method": "cusum", "params": {"last": 1}}]})  # one day alone: not enough
    run_detection(D, now=NOW)
    assert not Signal.objects.exists()
