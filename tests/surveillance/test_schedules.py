"""Zero and daily reporting (零报告/日报告): due times, expected periods, submission rules, completeness and
on-time rates per unit and region, the overdue list — against the real database, nothing mocked."""

import time as clock
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from auditlog.models import LogEntry

from yingji.core.audit import history_for
from yingji.core.errors import InvalidInput, NotPermitted
from yingji.core.models import Organisation, Region
from yingji.core.roles import Role
from yingji.surveillance.models import AggregateReport, ReportingSchedule
from yingji.surveillance.services import schedules as svc
from yingji.surveillance.services.schedules import (
    completeness_by_region,
    completeness_by_unit,
    create_schedule,
    due_time,
    expected_periods,
    overdue_reports,
    period_of,
    submit_aggregate_report,
)

BJ = ZoneInfo("Asia/Shanghai")


def bj(*args) -> datetime:
    return datetime(*args, tzinfo=BJ)


def field_errors(exc: InvalidInput) -> dict:
    """{field: [(zh, en)]}, asserting every message is bilingual."""
    out = {}
    for name, messages in exc.fields.items():
        for m in messages:
            assert m["message"] and m["message_en"] and m["message"] != m["message_en"], m
            out.setdefault(name, []).append((m["message"], m["message_en"]))
    return out


# --- due times ------------------------------------------------------------------------------------------------


def test_a_daily_report_is_due_the_next_day_at_the_due_hour_beijing_time():
    due = due_time("daily", date(2026, 3, 2), 10)
    assert due == bj(2026, 3, 3, 10)
    assert due.astimezone(ZoneInfo("UTC")) == datetime(2026, 3, 3, 2, tzinfo=ZoneInfo("UTC"))
    assert due_time("daily", date(2026, 3, 2), 0) == bj(2026, 3, 3, 0)  # midnight: the very start of D+1
    assert due_time("daily", date(2026, 2, 28), 10) == bj(2026, 3, 1, 10)  # across a month end
    assert due_time("daily", date(2025, 12, 31), 8) == bj(2026, 1, 1, 8)  # across a year end


def test_a_weekly_report_is_due_the_monday_after_and_weeks_run_monday_to_sunday():
    assert period_of("weekly", date(2026, 3, 4)) == (date(2026, 3, 2), date(2026, 3, 8))  # a Wednesday
    assert period_of("weekly", date(2026, 3, 8)) == (date(2026, 3, 2), date(2026, 3, 8))  # Sunday: same week
    assert period_of("weekly", date(2026, 3, 9)) == (date(2026, 3, 9), date(2026, 3, 15))  # Monday: the next
    assert period_of("weekly", date(2026, 1, 1)) == (date(2025, 12, 29), date(2026, 1, 4))  # across New Year
    assert due_time("weekly", date(2026, 3, 2), 10) == bj(2026, 3, 9, 10)
    assert due_time("weekly", date(2025, 12, 29), 12) == bj(2026, 1, 5, 12)
    assert period_of("daily", date(2026, 3, 4)) == (date(2026, 3, 4), date(2026, 3, 4))


def test_expected_periods_follow_the_schedule_in_force_on_the_last_day_of_each_period():
    weekly = ReportingSchedule(organisation_id=1, frequency="weekly", valid_from=date(2026, 3, 4),
                               valid_to=date(2026, 3, 25), due_hour=10)
    periods = expected_periods([weekly], date(2026, 2, 1), date(2026, 4, 30))
    # in force on Sunday 8 March (so the week of 2 March is expected), not on Sunday 29 March
    assert sorted(k[2] for k in periods) == [date(2026, 3, 2), date(2026, 3, 9), date(2026, 3, 16)]
    daily = ReportingSchedule(organisation_id=1, frequency="daily", valid_from=date(2026, 3, 4),
                              valid_to=date(2026, 3, 6), due_hour=9)
    early = ReportingSchedule(organisation_id=1, frequency="daily", valid_from=date(2026, 3, 5), valid_to=None,
                              due_hour=7)
    periods = expected_periods([daily, early], date(2026, 3, 1), date(2026, 3, 7))
    assert periods == {(1, "daily", date(2026, 3, 4)): 9, (1, "daily", date(2026, 3, 5)): 7,
                       (1, "daily", date(2026, 3, 6)): 7, (1, "daily", date(2026, 3, 7)): 7}


# --- fixtures -------------------------------------------------------------------------------------------------


@pytest.fixture
def units(city):
    """甲区人民医院 (weekly since 2 Feb) and a clinic in a second street of 甲区 (daily cholera 2–8 Mar, response)."""
    town2 = Region.objects.create(code="990102002", name="甲区第二街道", parent=city.a.region)
    clinic = Organisation.objects.create(code="CLN02", name="甲区第二街道诊所", kind="clinic", region=town2)
    cdc = city.a.users[Role.CDC]
    create_schedule(cdc, organisation=city.a.hospital.pk, frequency="weekly", valid_from=date(2026, 2, 2))
    create_schedule(cdc, organisation=clinic.pk, frequency="daily", valid_from=date(2026, 3, 2),
                    valid_to=date(2026, 3, 8), diseases=["0200"], reason="霍乱疫情应急响应")
    create_schedule(city.b.users[Role.CDC], organisation=city.b.hospital.pk, frequency="weekly",
                    valid_from=date(2026, 2, 2))
    return city, clinic, town2


def weekly(city, start, at, **kw):
    return submit_aggregate_report(city.a.users[Role.REPORTER], organisation=city.a.hospital.pk,
                                   frequency="weekly", period_start=start, now=at, **kw)


# --- submitting -----------------------------------------------------------------------------------------------


def test_a_zero_report_and_counts_are_saved_with_first_submission_and_due_time(units):
    city = units[0]
    report, created = weekly(city, date(2026, 2, 4), bj(2026, 2, 9, 9), is_zero=True)  # a Wednesday: its week
    assert created and report.is_zero and report.period_start == date(2026, 2, 2)
    assert report.period_end == date(2026, 2, 8) and report.due_at == bj(2026, 2, 9, 10) and report.on_time
    assert report.lines.count() == 0 and report.counts == {}
    report, _ = weekly(city, date(2026, 2, 9), bj(2026, 2, 16, 10, 0, 1),
                       lines=[{"disease": "1000", "count": 2}, {"disease": "3500", "count": 0}])
    assert not report.on_time  # one second past 10:00 on Monday
    assert {(line.disease.code, line.count) for line in report.lines.all()} == {("1000", 2), ("3500", 0)}


def test_a_resubmission_replaces_the_lines_keeps_the_first_time_and_is_audited(units):
    city, _, _ = units
    first, _ = weekly(city, date(2026, 2, 2), bj(2026, 2, 9, 9), lines=[("1000", 3)])
    second, created = weekly(city, date(2026, 2, 2), bj(2026, 2, 12, 15), lines=[("1000", 1), ("3600", 4)])
    assert not created and second.pk == first.pk and second.revision == 2
    assert second.first_submitted_at == bj(2026, 2, 9, 9) and second.on_time  # a correction is not late
    assert second.submitted_at == bj(2026, 2, 12, 15)
    assert sorted(second.lines.values_list("disease__code", "count")) == [("1000", 1), ("3600", 4)]
    assert AggregateReport.objects.count() == 1
    entries = list(history_for(second))
    assert [e.action for e in entries] == [LogEntry.Action.UPDATE, LogEntry.Action.CREATE]
    assert entries[0].actor == city.a.users[Role.REPORTER]
    before, after = entries[0].changes_dict["counts"]
    assert "3" in before and "3600" in after


@pytest.mark.parametrize("kwargs, field", [
    ({"period_start": date(2099, 1, 5), "is_zero": True}, "period_start"),
    ({"lines": [("1000", -1)]}, "lines.0.count"),
    ({"lines": [("1000", "3")]}, "lines.0.count"),
    ({"lines": [("1000", True)]}, "lines.0.count"),
    ({"lines": [("XXXX", 1)]}, "lines.0.disease"),
    ({"lines": [("1000", 1), ("1000", 2)]}, "lines.1.disease"),
    ({"lines": [("1000", 1)], "is_zero": True}, "lines"),
    ({"lines": []}, "lines"),
    ({"is_zero": True, "period_start": date(2026, 1, 26)}, "period_start"),  # before the schedule began
    ({"is_zero": True, "frequency": "daily"}, "period_start"),  # no daily schedule for the hospital
    ({"is_zero": True, "frequency": "monthly"}, "frequency"),
    ({"is_zero": True, "note": "长" * 256}, "note"),
])
def test_bad_input_is_refused_field_by_field_in_both_languages_and_nothing_is_saved(units, kwargs, field):
    city, _, _ = units
    args = {"organisation": city.a.hospital.pk, "frequency": "weekly", "period_start": date(2026, 2, 2),
            "now": bj(2026, 3, 10, 12), **kwargs}
    with pytest.raises(InvalidInput) as caught:
        submit_aggregate_report(city.a.users[Role.REPORTER], **args)
    assert field in field_errors(caught.value), caught.value.fields
    assert not AggregateReport.objects.exists()


def test_the_current_period_may_be_submitted_but_not_a_future_one(units):
    city, _, _ = units
    now = bj(2026, 3, 4, 23, 59)  # a Wednesday night
    report, _ = weekly(city, date(2026, 3, 4), now, is_zero=True)
    assert report.period_start == date(2026, 3, 2)
    with pytest.raises(InvalidInput) as caught:
        weekly(city, date(2026, 3, 9), now, is_zero=True)
    assert "未来" in field_errors(caught.value)["period_start"][0][0]


def test_a_daily_schedule_takes_only_its_named_diseases(units):
    city, clinic, _ = units
    cdc = city.a.users[Role.CDC]
    report, _ = submit_aggregate_report(cdc, organisation=clinic.pk, frequency="daily", period_start=date(2026, 3, 3),
                                        lines=[("0200", 1)], now=bj(2026, 3, 4, 8))
    assert report.due_at == bj(2026, 3, 4, 10) and report.on_time
    with pytest.raises(InvalidInput) as caught:
        submit_aggregate_report(cdc, organisation=clinic.pk, frequency="daily", period_start=date(2026, 3, 4),
                                lines=[("1000", 1)], now=bj(2026, 3, 5, 8))
    assert "不在本单位" in field_errors(caught.value)["lines.0.disease"][0][0]


def test_a_unit_outside_the_jurisdiction_is_answered_like_an_unknown_one(units):
    city, _, _ = units
    for user in (city.a.users[Role.CDC], city.a.users[Role.REPORTER]):
        with pytest.raises(InvalidInput) as caught:
            submit_aggregate_report(user, organisation=city.b.hospital.pk, frequency="weekly",
                                    period_start=date(2026, 2, 2), is_zero=True, now=bj(2026, 3, 1))
        zh, en = field_errors(caught.value)["organisation"][0]
        assert "管辖范围" in zh and "jurisdiction" in en
    with pytest.raises(InvalidInput):
        submit_aggregate_report(city.a.users[Role.CDC], organisation=987654, frequency="weekly",
                                period_start=date(2026, 2, 2), is_zero=True, now=bj(2026, 3, 1))
    assert not AggregateReport.objects.exists()


@pytest.mark.parametrize("role", [Role.LEADER, Role.HEALTH_COMMISSION])
def test_read_only_and_commission_roles_do_not_submit(units, role):
    city, _, _ = units
    with pytest.raises(NotPermitted):
        submit_aggregate_report(city.a.users[role], organisation=city.a.hospital.pk, frequency="weekly",
                                period_start=date(2026, 2, 2), is_zero=True, now=bj(2026, 3, 1))
    assert not AggregateReport.objects.exists()


def test_schedule_rules(units):
    city, clinic, _ = units
    cdc = city.a.users[Role.CDC]
    with pytest.raises(InvalidInput) as caught:
        create_schedule(cdc, organisation=clinic.pk, frequency="daily", valid_from=date(2026, 3, 1),
                        valid_to=date(2026, 2, 1), due_hour=24, diseases=["XXXX"])
    assert set(field_errors(caught.value)) == {"valid_to", "due_hour", "diseases", "reason"}
    with pytest.raises(InvalidInput) as caught:
        create_schedule(cdc, organisation=clinic.pk, frequency="daily", valid_from=date(2026, 3, 1), reason="响应")
    assert "diseases" in caught.value.fields
    with pytest.raises(InvalidInput):
        create_schedule(cdc, organisation=city.b.hospital.pk, frequency="weekly")
    with pytest.raises(NotPermitted):
        create_schedule(city.a.users[Role.REPORTER], organisation=city.a.hospital.pk, frequency="weekly")
    schedule = ReportingSchedule.objects.get(organisation=clinic)
    svc.end_schedule(cdc, schedule, date(2026, 3, 5))
    schedule.refresh_from_db()
    assert schedule.valid_to == date(2026, 3, 5)
    assert len(expected_periods([schedule], date(2026, 3, 1), date(2026, 3, 31))) == 4


# --- completeness, on time, overdue ----------------------------------------------------------------------------

NOW = bj(2026, 3, 10, 12)  # Tuesday noon: every period of 2 Feb – 8 Mar has fallen due


@pytest.fixture
def reported(units):
    """The hand-computed example.

    Hospital, weekly (5 weeks 2 Feb – 8 Mar, due Mondays 10:00): week 2 Feb on time, 9 Feb late (11:00 on the
    16th), 16 Feb a zero report on time, 23 Feb and 2 Mar missing → expected 5, received 3, on time 2.
    Clinic, daily cholera 2–8 Mar (due D+1 10:00): 2, 3, 4, 5 Mar on time, 6 Mar late, 7 and 8 Mar missing
    → expected 7, received 5, on time 4.
    """
    city, clinic, town2 = units
    weekly(city, date(2026, 2, 2), bj(2026, 2, 9, 9), lines=[("1000", 1)])
    weekly(city, date(2026, 2, 9), bj(2026, 2, 16, 11), lines=[("1000", 2)])
    weekly(city, date(2026, 2, 16), bj(2026, 2, 20, 16), is_zero=True)
    cdc = city.a.users[Role.CDC]
    for day, at in ((2, bj(2026, 3, 2, 20)), (3, bj(2026, 3, 4, 0, 30)), (4, bj(2026, 3, 5, 9, 59)),
                    (5, bj(2026, 3, 6, 10)), (6, bj(2026, 3, 7, 10, 1))):
        submit_aggregate_report(cdc, organisation=clinic.pk, frequency="daily", period_start=date(2026, 3, day),
                                is_zero=True, now=at)
    # 乙区 reports nothing: its 5 weeks are all overdue, but only city users see them
    return city, clinic, town2


def rates(t):
    return (t.expected, t.received, t.on_time, t.reporting_rate, t.on_time_rate)


def test_completeness_per_unit_on_the_hand_computed_example(reported):
    city = reported[0]
    rows = completeness_by_unit(city.a.users[Role.CDC], date(2026, 2, 2), date(2026, 3, 8), now=NOW)
    by_unit = {t.organisation.code: rates(t) for t in rows}
    assert by_unit == {"HOS02": (5, 3, 2, 60.0, 40.0), "CLN02": (7, 5, 4, 71.4, 57.1)}


def test_completeness_per_region_and_its_children(reported):
    city = reported[0]
    rows = completeness_by_region(city.a.users[Role.CDC], "990102", date(2026, 2, 2), date(2026, 3, 8), now=NOW)
    assert [(r.region.code, r.units, *rates(r)) for r in rows] == [
        ("990102", 2, 12, 8, 6, 66.7, 50.0),
        ("990102001", 1, 5, 3, 2, 60.0, 40.0),
        ("990102002", 1, 7, 5, 4, 71.4, 57.1),
    ]
    assert rows[0].overdue == 4
    city_rows = completeness_by_region(city.users[Role.CDC], "990100", date(2026, 2, 2), date(2026, 3, 8), now=NOW)
    assert [(r.region.code, *rates(r)) for r in city_rows] == [
        ("990100", 17, 8, 6, 47.1, 35.3), ("990102", 12, 8, 6, 66.7, 50.0), ("990103", 5, 0, 0, 0.0, 0.0),
    ]


def test_periods_not_yet_due_are_not_expected_unless_received(reported):
    city = reported[0]
    early = bj(2026, 3, 9, 9, 59)  # the week of 2 Mar and the day of 8 Mar are due at 10:00
    [hospital] = completeness_by_unit(city.a.users[Role.CDC], date(2026, 2, 2), date(2026, 3, 8), now=early,
                                      organisation=city.a.hospital.pk)
    assert rates(hospital) == (4, 3, 2, 75.0, 50.0)
    weekly(city, date(2026, 3, 2), bj(2026, 3, 9, 9, 30), is_zero=True)
    [hospital] = completeness_by_unit(city.a.users[Role.CDC], date(2026, 2, 2), date(2026, 3, 8), now=early,
                                      organisation=city.a.hospital.pk)
    assert rates(hospital) == (5, 4, 3, 80.0, 60.0)


def test_the_overdue_list(reported):
    city = reported[0]
    items = overdue_reports(city.a.users[Role.CDC], date(2026, 2, 2), date(2026, 3, 8), now=NOW)
    assert [(org.code, p.frequency, p.period_start, p.due_at) for org, p in items] == [
        ("HOS02", "weekly", date(2026, 2, 23), bj(2026, 3, 2, 10)),
        ("CLN02", "daily", date(2026, 3, 7), bj(2026, 3, 8, 10)),
        ("HOS02", "weekly", date(2026, 3, 2), bj(2026, 3, 9, 10)),
        ("CLN02", "daily", date(2026, 3, 8), bj(2026, 3, 9, 10)),
    ]
    # the reporter of the hospital sees its own unit only; 乙区's CDC sees 乙区 only
    own = overdue_reports(city.a.users[Role.REPORTER], date(2026, 2, 2), date(2026, 3, 8), now=NOW)
    assert {org.code for org, _ in own} == {"HOS02"}
    other = overdue_reports(city.b.users[Role.CDC], date(2026, 2, 2), date(2026, 3, 8), now=NOW)
    assert {org.code for org, _ in other} == {"HOS03"} and len(other) == 5


def test_rates_stay_within_the_users_reach(reported):
    city, _, _ = reported
    with pytest.raises(InvalidInput) as caught:
        completeness_by_region(city.a.users[Role.CDC], "990103", date(2026, 2, 2), date(2026, 3, 8), now=NOW)
    assert "管辖范围" in field_errors(caught.value)["region"][0][0]
    assert completeness_by_unit(city.a.users[Role.CDC], date(2026, 2, 2), date(2026, 3, 8), region="990103",
                                now=NOW) == []
    with pytest.raises(InvalidInput) as caught:
        completeness_by_unit(city.a.users[Role.CDC], date(2026, 3, 8), date(2026, 2, 2), now=NOW)
    assert "date_from" in caught.value.fields


def test_counting_80_units_over_3_years_of_daily_periods_is_quick(city, django_assert_max_num_queries):
    town = city.a.town
    orgs = Organisation.objects.bulk_create([
        Organisation(code=f"PERF{i:03d}", name=f"单位{i:03d}", kind="clinic", region=town) for i in range(80)
    ])
    start, days = date(2023, 1, 2), 3 * 365
    ReportingSchedule.objects.bulk_create([
        ReportingSchedule(organisation=o, frequency="daily", valid_from=start, due_hour=10) for o in orgs
    ])
    submitted = datetime.combine(start, datetime.min.time(), tzinfo=BJ)
    AggregateReport.objects.bulk_create([
        AggregateReport(organisation=o, frequency="daily", period_start=start + timedelta(days=d),
                        period_end=start + timedelta(days=d), is_zero=True,
                        submitted_at=submitted + timedelta(days=d + 1, hours=d % 3 * 6),
                        first_submitted_at=submitted + timedelta(days=d + 1, hours=d % 3 * 6),
                        due_at=submitted + timedelta(days=d + 1, hours=10))
        for o in orgs for d in range(0, days, 2)
    ], batch_size=5000)
    now = submitted + timedelta(days=days + 2)
    began = clock.perf_counter()
    with django_assert_max_num_queries(8):
        [total, *_] = completeness_by_region(city.users[Role.CDC], "990100", start, start + timedelta(days=days - 1),
                                             now=now)
    elapsed = clock.perf_counter() - began
    assert total.expected == 80 * days and total.received == 80 * len(range(0, days, 2))
    assert total.on_time == 80 * len([d for d in range(0, days, 2) if d % 3 != 2])
    assert elapsed < 5, f"{elapsed:.2f} s"
