"""Fever-clinic daily reports (发热门诊日报): the rules, resubmission with audit, and the series early warning reads."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from auditlog.models import LogEntry

from yingji.core.audit import history_for
from yingji.core.errors import InvalidInput, NotPermitted
from yingji.core.models import Organisation, Region
from yingji.core.roles import Role
from yingji.surveillance.models import FeverClinicDailyReport
from yingji.surveillance.services.fever import reports_in_region, series_for, submit_fever_report

BJ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 10, 9, tzinfo=BJ)
GOOD = {"visits": 40, "tested": 30, "positive": 6, "observed": 2, "transferred": 1}


def submit(user, org, day=date(2026, 3, 9), now=NOW, **counts):
    return submit_fever_report(user, organisation=org.pk, date=day, now=now, **{**GOOD, **counts})


def bilingual_fields(exc) -> dict:
    for messages in exc.fields.values():
        for m in messages:
            assert m["message"] and m["message_en"] and m["message"] != m["message_en"]
    return exc.fields


def test_a_clinic_submits_its_day(city):
    report, created = submit(city.a.users[Role.REPORTER], city.a.hospital)
    assert created and (report.visits, report.tested, report.positive, report.observed, report.transferred) == (
        40, 30, 6, 2, 1)
    assert report.submitted_by == city.a.users[Role.REPORTER] and report.submitted_at == NOW


def test_a_resubmission_updates_the_same_day_and_is_audited(city):
    first, _ = submit(city.a.users[Role.REPORTER], city.a.hospital)
    second, created = submit(city.a.users[Role.CDC], city.a.hospital, visits=45, tested=31)
    assert not created and second.pk == first.pk and FeverClinicDailyReport.objects.count() == 1
    assert (second.visits, second.tested, second.submitted_by) == (45, 31, city.a.users[Role.CDC])
    entries = list(history_for(second))
    assert [e.action for e in entries] == [LogEntry.Action.UPDATE, LogEntry.Action.CREATE]
    assert entries[0].changes_dict["visits"] == ["40", "45"] and entries[0].actor == city.a.users[Role.CDC]


@pytest.mark.parametrize("counts, field, zh", [
    ({"tested": 41}, "tested", "不能大于就诊人数"),
    ({"positive": 31}, "positive", "不能大于检测人数"),
    ({"observed": 41}, "observed", "不能大于就诊人数"),
    ({"transferred": 41}, "transferred", "不能大于就诊人数"),
    ({"visits": -1}, "visits", "不能为负数"),
    ({"positive": -2}, "positive", "不能为负数"),
    ({"tested": "30"}, "tested", "须为整数"),
    ({"visits": 2.5}, "visits", "须为整数"),
    ({"observed": None}, "observed", "须为整数"),
    ({"day": date(2026, 3, 11)}, "date", "未来"),
    ({"note": "x" * 256}, "note", "255"),
])
def test_bad_input_is_refused_in_both_languages_and_nothing_is_saved(city, counts, field, zh):
    day = counts.pop("day", date(2026, 3, 9))
    with pytest.raises(InvalidInput) as caught:
        submit(city.a.users[Role.REPORTER], city.a.hospital, day=day, **counts)
    fields = bilingual_fields(caught.value)
    assert zh in fields[field][0]["message"], fields
    assert not FeverClinicDailyReport.objects.exists()


def test_today_is_allowed_across_midnight_in_beijing_time(city):
    # 00:30 on 10 March in Beijing is still 9 March in UTC: "today" is Beijing's
    just_after_midnight = datetime(2026, 3, 10, 0, 30, tzinfo=BJ)
    report, _ = submit(city.a.users[Role.REPORTER], city.a.hospital, day=date(2026, 3, 10), now=just_after_midnight)
    assert report.date == date(2026, 3, 10)
    with pytest.raises(InvalidInput):
        submit(city.a.users[Role.REPORTER], city.a.hospital, day=date(2026, 3, 11), now=just_after_midnight)


@pytest.mark.parametrize("kind", ["cdc", "health_commission", "ems_station", "laboratory"])
def test_only_health_facilities_report_fever_clinics(city, kind):
    org = Organisation.objects.create(code=f"X{kind.upper()[:6]}", name=f"非医疗机构{kind}", kind=kind,
                                      region=city.a.town)
    with pytest.raises(InvalidInput) as caught:
        submit(city.a.users[Role.CDC], org)
    assert "organisation" in bilingual_fields(caught.value)


@pytest.mark.parametrize("kind", ["hospital", "community_health_centre", "township_hospital", "clinic"])
def test_every_kind_of_health_facility_may_report(city, kind):
    org = Organisation.objects.create(code=f"F{kind.upper()[:6]}", name=f"发热门诊{kind}", kind=kind,
                                      region=city.a.town)
    assert submit(city.a.users[Role.CDC], org)[1]


def test_units_outside_the_jurisdiction_and_read_only_roles(city):
    for user in (city.a.users[Role.CDC], city.a.users[Role.REPORTER]):
        with pytest.raises(InvalidInput) as caught:
            submit(user, city.b.hospital)
        assert "管辖范围" in caught.value.fields["organisation"][0]["message"]
    with pytest.raises(NotPermitted):
        submit(city.a.users[Role.LEADER], city.a.hospital)
    with pytest.raises(NotPermitted):
        submit(city.a.users[Role.HEALTH_COMMISSION], city.a.hospital)
    assert not FeverClinicDailyReport.objects.exists()


@pytest.fixture
def series_data(city):
    """Hospital of 甲区 on 1–3 March; a clinic in a second street of 甲区 on 2–3 March; 乙区's hospital on 2 March."""
    town2 = Region.objects.create(code="990102002", name="甲区第二街道", parent=city.a.region)
    clinic = Organisation.objects.create(code="CLN02", name="甲区第二街道诊所", kind="clinic", region=town2)
    cdc = city.a.users[Role.CDC]
    rows = {
        (city.a.hospital, 1): (20, 10, 1), (city.a.hospital, 2): (30, 20, 5), (city.a.hospital, 3): (25, 0, 0),
        (clinic, 2): (10, 5, 0), (clinic, 3): (8, 4, 2),
    }
    for (org, day), (visits, tested, positive) in rows.items():
        submit(cdc, org, day=date(2026, 3, day), visits=visits, tested=tested, positive=positive, observed=0,
               transferred=0)
    submit(city.b.users[Role.CDC], city.b.hospital, day=date(2026, 3, 2), visits=99, tested=99, positive=99)
    return city, clinic


def test_series_per_region_and_per_clinic(series_data):
    city, clinic = series_data
    data = series_for(city.a.users[Role.CDC], region="990102", date_from=date(2026, 3, 1), date_to=date(2026, 3, 7),
                      now=NOW)
    total = [(p.date.day, p.visits, p.tested, p.positive, p.reports, p.positivity) for p in data["total"]]
    assert total == [(1, 20, 10, 1, 1, 0.1), (2, 40, 25, 5, 2, 0.2), (3, 33, 4, 2, 2, 0.5)]
    assert [(p.date.day, p.positivity) for p in data["clinics"][city.a.hospital.pk]] == [(1, 0.1), (2, 0.25), (3, None)]
    assert [p.date.day for p in data["clinics"][clinic.pk]] == [2, 3]  # days without a report are absent, not zero
    assert city.b.hospital.pk not in data["clinics"]
    one = series_for(city.a.users[Role.CDC], organisation=clinic.pk, date_from=date(2026, 3, 1),
                     date_to=date(2026, 3, 7), now=NOW)
    assert list(one["clinics"]) == [clinic.pk] and [p.visits for p in one["total"]] == [10, 8]


def test_series_stay_within_reach(series_data):
    city = series_data[0]
    mine = series_for(city.a.users[Role.REPORTER], date_from=date(2026, 3, 1), date_to=date(2026, 3, 7), now=NOW)
    assert list(mine["clinics"]) == [city.a.hospital.pk]  # a reporter's own unit only
    with pytest.raises(InvalidInput):
        series_for(city.a.users[Role.CDC], region="990103", date_from=date(2026, 3, 1), date_to=date(2026, 3, 7))
    with pytest.raises(InvalidInput):
        series_for(city.a.users[Role.CDC], organisation=city.b.hospital.pk)
    whole_city = series_for(city.users[Role.CDC], region="990100", date_from=date(2026, 3, 2),
                            date_to=date(2026, 3, 2), now=NOW)
    assert whole_city["total"][0].visits == 40 + 99 and whole_city["total"][0].reports == 3


def test_the_unscoped_series_for_early_warning(series_data):
    from yingji.surveillance.services.fever import clinic_series, region_series

    city, _ = series_data
    points = region_series(reports_in_region("990103"), date(2026, 3, 1), date(2026, 3, 1) + timedelta(days=6))
    assert [(p.date, p.positive, p.reports) for p in points] == [(date(2026, 3, 2), 99, 1)]
    assert set(clinic_series(reports_in_region("990100"), date(2026, 3, 1), date(2026, 3, 3))) == {
        city.a.hospital.pk, city.b.hospital.pk, Organisation.objects.get(code="CLN02").pk}
