"""/api/v1/event-reports (initial, progress and final reports, drafts, proposals) and /api/v1/notifications."""

import itertools
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from tests.core.test_api import Api, assert_error
from yingji.core.models import Notification
from yingji.core.notify import notify
from yingji.core.roles import Role
from yingji.surveillance.models import CaseReport, Disease, EventReport
from yingji.surveillance.services.events import check_new_case


@pytest.fixture
def api(client) -> Api:
    cache.clear()
    return Api(client)


def event_body(**overrides):
    body = {"title": "甲区第一小学水痘暴发", "category": "infectious_outbreak", "region": "990102001",
            "discovered_at": (timezone.now() - timedelta(minutes=30)).isoformat(), "cases": 12, "deaths": 0,
            "disease": "Y020", "place": "甲区第一小学", "description": "一周内 12 例"}
    body.update(overrides)
    return body


def test_an_initial_report_is_drafted_changed_and_submitted_on_time(api, city):
    cdc = city.a.users[Role.CDC]
    response = api.post("/event-reports", cdc, event_body())
    assert response.status_code == 201, response.content
    draft = response.json()
    assert (draft["status"], draft["report_type"], draft["source"]) == ("draft", "initial", "manual")
    assert draft["deadline"]["status"] == "pending" and draft["deadline"]["label"] == "待报告"
    assert draft["reporting_org"]["code"] == "CDC02" and draft["disease"] == {"code": "Y020", "name": "水痘"}
    changed = api.patch(f"/event-reports/{draft['id']}", cdc, {"cases": 14, "grade": "IV"})
    assert changed.status_code == 200 and (changed.json()["cases"], changed.json()["grade"]) == (14, "IV")
    submitted = api.post(f"/event-reports/{draft['id']}/submit", cdc)
    assert submitted.status_code == 200
    assert submitted.json()["status"] == "submitted" and submitted.json()["deadline"]["status"] == "on_time"
    assert_error(api.post(f"/event-reports/{draft['id']}/submit", cdc), 409)
    history = api.get(f"/event-reports/{draft['id']}/history", cdc).json()
    assert [e["action"] for e in history["items"]] == ["update", "update", "create"]


def test_a_late_initial_report_says_so(api, city):
    body = event_body(discovered_at=(timezone.now() - timedelta(hours=3)).isoformat(), submit=True)
    report = api.post("/event-reports", city.a.users[Role.REPORTER], body).json()
    assert report["status"] == "submitted" and report["deadline"]["status"] == "late"
    assert report["deadline"]["delay_hours"] >= 3 and report["reporting_org"]["code"] == "HOS02"


def test_a_retry_with_the_same_key_returns_the_report(api, city):
    body = event_body()
    first = api.post("/event-reports", city.a.users[Role.CDC], body, headers={"Idempotency-Key": "ev-1"})
    retry = api.post("/event-reports", city.a.users[Role.CDC], body, headers={"Idempotency-Key": "ev-1"})
    assert (first.status_code, retry.status_code) == (201, 200) and first.json()["id"] == retry.json()["id"]
    assert EventReport.objects.count() == 1


@pytest.mark.parametrize("changes, field", [
    ({"discovered_at": (timezone.now() + timedelta(hours=1)).isoformat()}, "discovered_at"),
    ({"grade": "not_emergency"}, "grade"),
    ({"deaths": 13}, "deaths"),
    ({"cases": -1}, "cases"),
    ({"disease": "NOPE"}, "disease"),
    ({"category": "alien_invasion"}, "category"),
    ({"region": "990199001"}, "region"),
    ({"reporting_org": "CDC03"}, "reporting_org"),
    ({"title": ""}, "title"),
])
def test_bad_reports_are_422_in_both_languages_and_save_nothing(api, city, changes, field):
    response = api.post("/event-reports", city.a.users[Role.CDC], event_body(**changes))
    assert field in assert_error(response, 422)["fields"]
    assert not EventReport.objects.exists()


def test_placing_a_report_outside_the_jurisdiction_is_403(api, city):
    assert_error(api.post("/event-reports", city.a.users[Role.CDC], event_body(region="990103001")), 403)
    assert_error(api.post("/event-reports", city.a.users[Role.LEADER], event_body()), 403)  # leaders only read
    assert not EventReport.objects.exists()


def test_progress_and_final_reports_over_the_api(api, city):
    cdc = city.a.users[Role.CDC]
    initial = api.post("/event-reports", cdc, event_body()).json()
    assert_error(api.post(f"/event-reports/{initial['id']}/progress", cdc, {}), 409)  # initial still a draft
    api.post(f"/event-reports/{initial['id']}/submit", cdc)
    progress = api.post(f"/event-reports/{initial['id']}/progress", cdc,
                        {"cases": 16, "description": "新增 4 例", "submit": True})
    assert progress.status_code == 201, progress.content
    assert (progress.json()["report_type"], progress.json()["sequence"], progress.json()["initial"]) == (
        "progress", 1, initial["id"])
    assert progress.json()["deadline"]["status"] == "no_deadline"
    assert_error(api.post(f"/event-reports/{initial['id']}/progress", cdc, {"grade": "not_emergency"}), 422)
    final = api.post(f"/event-reports/{initial['id']}/final", cdc,
                     {"grade": "not_emergency", "description": "结案", "submit": True})
    assert final.status_code == 201 and final.json()["grade"] == "not_emergency"
    body = assert_error(api.post(f"/event-reports/{initial['id']}/progress", cdc, {}), 409)
    assert "结案" in body["message"]
    detail = api.get(f"/event-reports/{initial['id']}", cdc).json()
    assert detail["follow_ups"] == sorted([progress.json()["id"], final.json()["id"]])


def test_drafts_are_rejected_with_a_reason(api, city):
    cdc = city.a.users[Role.CDC]
    draft = api.post("/event-reports", cdc, event_body()).json()
    assert_error(api.post(f"/event-reports/{draft['id']}/reject", cdc, {"reason": ""}), 422)
    rejected = api.post(f"/event-reports/{draft['id']}/reject", cdc, {"reason": "经核实不构成报告标准"}).json()
    assert rejected["status"] == "rejected" and rejected["status_reason"] == "经核实不构成报告标准"
    assert_error(api.patch(f"/event-reports/{draft['id']}", cdc, {"cases": 1}), 409)


NUMBERS = itertools.count(1)


def measles(city, district):
    return CaseReport.objects.create(
        card_number=f"APIEV-{next(NUMBERS):05d}", patient_name="学生", sex="F", occupation="student",
        work_unit="第一小学", address_region=district.town, disease=Disease.objects.get(code="1000"),
        classification="confirmed", onset_date=timezone.localdate() - timedelta(days=2),
        diagnosed_at=timezone.now() - timedelta(days=1), reporting_org=district.hospital, reporting_doctor="医生",
        reported_at=timezone.now() - timedelta(hours=20),
    )


def test_proposals_reach_the_county_cdc_only(api, city):
    for district in (city.a, city.b):
        cards = [measles(city, district) for _ in range(10)]
        check_new_case(cards[-1])
    mine = api.get("/event-reports/proposals", city.a.users[Role.CDC]).json()
    assert mine["count"] == 1
    proposal = mine["items"][0]
    assert proposal["source"] == "cluster_rule" and proposal["cluster_rule"] == "E09"
    assert len(proposal["case_reports"]) == 10 and proposal["reporting_org"]["code"] == "CDC02"
    assert api.get("/event-reports/proposals", city.a.users[Role.REPORTER]).json()["count"] == 0
    assert api.get("/event-reports", city.a.users[Role.CDC], data={"source": "cluster_rule"}).json()["count"] == 1
    submitted = api.post(f"/event-reports/{proposal['id']}/submit", city.a.users[Role.CDC]).json()
    assert submitted["status"] == "submitted" and submitted["deadline"]["status"] == "on_time"
    assert api.get("/event-reports/proposals", city.a.users[Role.CDC]).json()["count"] == 0
    # the notification links to the proposal
    [note] = api.get("/notifications", city.a.users[Role.CDC]).json()["items"]
    assert str(proposal["id"]) in note["link"] and "待核实" in note["title"]


# --- notifications ------------------------------------------------------------------------------------------------


def test_notifications_are_listed_and_marked_read_by_their_recipient_only(api, city):
    reporter, cdc = city.a.users[Role.REPORTER], city.a.users[Role.CDC]
    notify([reporter], "一", "正文一", channels=("in_app",))
    notify([reporter, cdc], "二", "正文二", link="/x/", channels=("in_app",))
    listed = api.get("/notifications", reporter).json()
    assert [n["title"] for n in listed["items"]] == ["二", "一"] and not any(n["is_read"] for n in listed["items"])
    first = listed["items"][1]
    read = api.post(f"/notifications/{first['id']}/read", reporter)
    assert read.status_code == 200 and read.json()["is_read"] and read.json()["read_at"]
    assert api.get("/notifications", reporter, data={"unread": True}).json()["count"] == 1
    cdc_note = Notification.objects.get(recipient=cdc)
    assert_error(api.post(f"/notifications/{cdc_note.pk}/read", reporter), 404)
    assert api.post("/notifications/read-all", reporter).json() == {"marked": 1}
    assert api.get("/notifications", reporter, data={"unread": True}).json()["count"] == 0
    assert Notification.objects.get(pk=cdc_note.pk).read_at is None


def test_the_openapi_document_describes_the_new_operations(client, db):
    spec = client.get("/api/openapi.json").json()
    paths = spec["paths"]
    for path in ("/api/v1/aggregate-reports", "/api/v1/event-reports", "/api/v1/fever-clinic-reports",
                 "/api/v1/reporting-schedules", "/api/v1/notifications"):
        assert path in paths, path
    create = paths["/api/v1/event-reports"]["post"]
    assert any(p["name"] == "Idempotency-Key" for p in create["parameters"])
    assert {"200", "201", "409", "422"} <= set(create["responses"])
