"""/api/v1 reporting-schedules, aggregate-reports (zero/daily reports, completeness, overdue) and
fever-clinic-reports, through Django's test client and the real database."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.utils import timezone

from tests.core.test_api import Api, assert_error
from yingji.core.roles import Role
from yingji.surveillance.models import AggregateReport, FeverClinicDailyReport, ReportingSchedule
from yingji.surveillance.services.schedules import create_schedule, submit_aggregate_report

BJ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def api(client) -> Api:
    cache.clear()
    return Api(client)


def monday(weeks_ago: int) -> date:
    today = timezone.localdate()
    return today - timedelta(days=today.weekday() + 7 * weeks_ago)


@pytest.fixture
def weekly(city):
    """甲区人民医院 reports weekly, from six weeks ago."""
    return create_schedule(city.a.users[Role.CDC], organisation=city.a.hospital.pk, frequency="weekly",
                           valid_from=monday(6))


# --- schedules ------------------------------------------------------------------------------------------------


def test_schedules_are_created_listed_read_and_ended(api, city):
    cdc = city.a.users[Role.CDC]
    body = {"organisation": "HOS02", "frequency": "daily", "valid_from": "2026-03-01", "valid_to": "2026-03-31",
            "due_hour": 9, "diseases": ["0200"], "reason": "霍乱疫情应急响应"}
    response = api.post("/reporting-schedules", cdc, body, headers={"Idempotency-Key": "sched-1"})
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["organisation"]["code"] == "HOS02" and created["diseases"] == [{"code": "0200", "name": "霍乱"}]
    assert created["frequency_label"] and created["due_hour"] == 9
    replay = api.post("/reporting-schedules", cdc, body, headers={"Idempotency-Key": "sched-1"})
    assert replay.status_code == 200 and replay["Idempotency-Replayed"] == "true" and replay.json()["id"] == created["id"]
    assert ReportingSchedule.objects.count() == 1
    listed = api.get("/reporting-schedules", cdc, data={"frequency": "daily", "in_force_on": "2026-03-15"}).json()
    assert [s["id"] for s in listed["items"]] == [created["id"]]
    assert api.get("/reporting-schedules", cdc, data={"in_force_on": "2026-04-01"}).json()["count"] == 0
    assert api.get(f"/reporting-schedules/{created['id']}", city.a.users[Role.REPORTER]).status_code == 200
    ended = api.post(f"/reporting-schedules/{created['id']}/end", cdc, {"valid_to": "2026-03-10"})
    assert ended.status_code == 200 and ended.json()["valid_to"] == "2026-03-10"


def test_schedule_errors(api, city):
    cdc = city.a.users[Role.CDC]
    body = assert_error(api.post("/reporting-schedules", cdc, {"frequency": "daily", "diseases": ["XXXX"]}), 422)
    assert {"diseases", "reason"} <= set(body["fields"])
    assert_error(api.post("/reporting-schedules", cdc, {"due_hour": 24}), 422)
    body = assert_error(api.post("/reporting-schedules", cdc, {"organisation": "HOS03"}), 422)
    assert "organisation" in body["fields"]
    assert_error(api.post("/reporting-schedules", city.a.users[Role.REPORTER], {"organisation": "HOS02"}), 403)
    assert not ReportingSchedule.objects.exists()


# --- zero / daily reports -------------------------------------------------------------------------------------


def test_a_reporter_submits_a_zero_report_then_corrects_it(api, city, weekly):
    reporter = city.a.users[Role.REPORTER]
    week = monday(1)
    first = api.post("/aggregate-reports", reporter, {"frequency": "weekly", "period_start": str(week + timedelta(2)),
                                                      "is_zero": True})
    assert first.status_code == 201, first.content
    data = first.json()
    assert data["organisation"]["code"] == "HOS02" and data["is_zero"] and data["lines"] == []
    assert data["period_start"] == str(week) and data["period_end"] == str(week + timedelta(6))
    assert data["revision"] == 1 and data["on_time"] in (True, False)
    second = api.post("/aggregate-reports", reporter, {"frequency": "weekly", "period_start": str(week),
                                                       "lines": [{"disease": "1000", "count": 2}], "note": "补报"})
    assert second.status_code == 200 and second.json()["id"] == data["id"] and second.json()["revision"] == 2
    assert second.json()["lines"] == [{"disease": "1000", "disease_name": "麻疹", "count": 2}]
    assert second.json()["first_submitted_at"] == data["first_submitted_at"]
    assert AggregateReport.objects.count() == 1
    assert api.get(f"/aggregate-reports/{data['id']}", city.a.users[Role.CDC]).json()["note"] == "补报"
    listed = api.get("/aggregate-reports", city.a.users[Role.LEADER], data={"is_zero": False}).json()
    assert listed["count"] == 1


def test_a_retry_with_the_same_key_returns_the_report(api, city, weekly):
    reporter = city.a.users[Role.REPORTER]
    body = {"frequency": "weekly", "period_start": str(monday(1)), "is_zero": True}
    first = api.post("/aggregate-reports", reporter, body, headers={"Idempotency-Key": "zero-1"})
    retry = api.post("/aggregate-reports", reporter, body, headers={"Idempotency-Key": "zero-1"})
    assert (first.status_code, retry.status_code, retry["Idempotency-Replayed"]) == (201, 200, "true")
    assert_error(api.post("/aggregate-reports", reporter, {**body, "note": "x"}, headers={"Idempotency-Key": "zero-1"}),
                 409, "idempotency_key_reused")


@pytest.mark.parametrize("body, field", [
    ({"period_start": "2099-01-05", "is_zero": True}, "period_start"),
    ({"lines": [{"disease": "1000", "count": -3}]}, "lines.0.count"),
    ({"lines": [{"disease": "1000", "count": "3"}]}, "lines.0.count"),
    ({"lines": [{"disease": "NOPE", "count": 1}]}, "lines.0.disease"),
    ({"lines": [{"disease": "1000", "count": 1}], "is_zero": True}, "lines"),
    ({}, "lines"),
    ({"organisation": "HOS03", "is_zero": True}, "organisation"),
    ({"frequency": "daily", "is_zero": True}, "period_start"),
    ({"frequency": "monthly", "is_zero": True}, "frequency"),
])
def test_bad_submissions_are_422_in_both_languages_and_save_nothing(api, city, weekly, body, field):
    payload = {"frequency": "weekly", "period_start": str(monday(1)), **body}
    response = api.post("/aggregate-reports", city.a.users[Role.REPORTER], payload)
    assert field in assert_error(response, 422)["fields"]
    assert not AggregateReport.objects.exists()


@pytest.mark.parametrize("role", [Role.LEADER, Role.HEALTH_COMMISSION])
def test_roles_that_do_not_report_get_403(api, city, weekly, role):
    response = api.post("/aggregate-reports", city.a.users[role], {"organisation": "HOS02", "frequency": "weekly",
                                                                   "period_start": str(monday(1)), "is_zero": True})
    assert_error(response, 403)


@pytest.fixture
def example(city, weekly):
    """Four full weeks (6 to 3 weeks ago): the first on time, the second late, the last two missing."""
    reporter = city.a.users[Role.REPORTER]
    for weeks_ago, hours_after_due in ((6, -1), (5, 2)):
        start = monday(weeks_ago)
        due = datetime.combine(start + timedelta(days=7), datetime.min.time(), tzinfo=BJ) + timedelta(hours=10)
        submit_aggregate_report(reporter, organisation=city.a.hospital.pk, frequency="weekly", period_start=start,
                                is_zero=True, now=due + timedelta(hours=hours_after_due))
    return {"date_from": str(monday(6)), "date_to": str(monday(3) + timedelta(days=6))}


def test_completeness_per_unit_and_region_over_the_api(api, city, example):
    cdc = city.a.users[Role.CDC]
    units = api.get("/aggregate-reports/completeness/units", cdc, data=example).json()
    assert units["count"] == 1
    row = units["items"][0]
    assert row["organisation"]["code"] == "HOS02"
    assert {k: row[k] for k in ("expected", "received", "on_time", "missing", "reporting_rate", "on_time_rate")} == {
        "expected": 4, "received": 2, "on_time": 1, "missing": 2, "reporting_rate": 50.0, "on_time_rate": 25.0}
    regions = api.get("/aggregate-reports/completeness/regions", city.users[Role.CDC],
                      data={**example, "region": "990100"}).json()
    assert [(r["region"], r["expected"], r["received"], r["on_time"]) for r in regions["rows"]] == [
        ("990100", 4, 2, 1), ("990102", 4, 2, 1), ("990103", 0, 0, 0)]
    assert regions["rows"][2]["reporting_rate"] is None  # nothing expected: no rate, not 0 %
    mine = api.get("/aggregate-reports/completeness/regions", cdc, data=example).json()
    assert mine["rows"][0]["region"] == "990102"  # the user's own region by default
    assert_error(api.get("/aggregate-reports/completeness/regions", cdc, data={**example, "region": "990103"}), 422)
    assert_error(api.get("/aggregate-reports/completeness/units", cdc,
                         data={"date_from": "2026-03-08", "date_to": "2026-03-01"}), 422)


def test_the_overdue_list_over_the_api(api, city, example):
    items = api.get("/aggregate-reports/overdue", city.a.users[Role.REPORTER], data=example).json()["items"]
    assert [i["period_start"] for i in items] == [str(monday(4)), str(monday(3))]
    assert all(i["organisation"]["code"] == "HOS02" and i["overdue_hours"] > 0 for i in items)
    assert api.get("/aggregate-reports/overdue", city.b.users[Role.CDC], data=example).json()["count"] == 0


# --- fever clinics ----------------------------------------------------------------------------------------------


def fever_body(**overrides):
    body = {"date": str(timezone.localdate() - timedelta(days=1)), "visits": 40, "tested": 30, "positive": 6,
            "observed": 2, "transferred": 1}
    body.update(overrides)
    return body


def test_fever_clinic_reports_are_submitted_corrected_and_read(api, city):
    reporter = city.a.users[Role.REPORTER]
    first = api.post("/fever-clinic-reports", reporter, fever_body())
    assert first.status_code == 201, first.content
    assert first.json()["positivity"] == 0.2 and first.json()["organisation"]["code"] == "HOS02"
    second = api.post("/fever-clinic-reports", reporter, fever_body(visits=50))
    assert second.status_code == 200 and second.json()["id"] == first.json()["id"] and second.json()["visits"] == 50
    assert api.get(f"/fever-clinic-reports/{first.json()['id']}", city.a.users[Role.CDC]).status_code == 200
    assert api.get("/fever-clinic-reports", city.a.users[Role.LEADER]).json()["count"] == 1
    series = api.get("/fever-clinic-reports/series", city.a.users[Role.CDC]).json()
    assert series["region"] == {"code": "990102", "name": "甲区"}
    assert [(p["visits"], p["tested"], p["positive"], p["positivity"], p["reports"]) for p in series["total"]] == [
        (50, 30, 6, 0.2, 1)]
    assert series["clinics"][0]["organisation"]["code"] == "HOS02"
    one = api.get("/fever-clinic-reports/series", city.a.users[Role.CDC],
                  data={"organisation": first.json()["organisation"]["id"]}).json()
    assert one["organisation"]["code"] == "HOS02" and one["region"] is None


@pytest.mark.parametrize("body, field", [
    (fever_body(tested=41), "tested"),
    (fever_body(positive=31), "positive"),
    (fever_body(observed=41), "observed"),
    (fever_body(transferred=41), "transferred"),
    (fever_body(visits=-1), "visits"),
    (fever_body(visits="40"), "visits"),
    (fever_body(date="2099-01-01"), "date"),
    (fever_body(organisation="HOS03"), "organisation"),
    (fever_body(organisation="CDC02"), "organisation"),  # a CDC runs no fever clinic
])
def test_bad_fever_reports_are_422_and_save_nothing(api, city, body, field):
    response = api.post("/fever-clinic-reports", city.a.users[Role.CDC], body)
    assert field in assert_error(response, 422)["fields"]
    assert not FeverClinicDailyReport.objects.exists()


def test_fever_series_outside_the_jurisdiction_is_422(api, city):
    assert_error(api.get("/fever-clinic-reports/series", city.a.users[Role.CDC], data={"region": "990103"}), 422)


@pytest.mark.parametrize("path", ["/reporting-schedules", "/aggregate-reports", "/aggregate-reports/overdue",
                                  "/fever-clinic-reports", "/event-reports", "/notifications"])
def test_no_credentials_is_401(api, db, path):
    assert_error(api.get(path), 401, "unauthorized")
