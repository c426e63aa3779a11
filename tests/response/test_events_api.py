"""/api/v1/emergencies: list and filters, idempotent create (by hand, from a signal, from a report), detail with
the level history, level changes (reason required), status, end, affected regions, history; one error format."""

import json

import pytest
from django.core.cache import cache

from tests.detection.test_pages import make_signal
from tests.response.factories import make_event
from yingji.core.models import ApiToken
from yingji.core.roles import Role
from yingji.detection.choices import SignalStatus
from yingji.response.models import Event, LevelChange

pytestmark = pytest.mark.django_db
URL = "/api/v1/emergencies"


@pytest.fixture(autouse=True)
def _no_throttle():
    cache.clear()


def auth(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user, 'test')[1]}"}


def call(client, method, url, user, body=None, headers=None, **params):
    extra = {**auth(user), **(headers or {})}
    if method == "GET":
        return client.get(url, params, **extra)
    return client.generic(method, url, json.dumps(body if body is not None else {}), content_type="application/json",
                          **extra)


def body(city, **fields):
    data = {"title": "甲区学校诺如病毒暴发", "category": "infectious_outbreak", "region": city.a.region.code,
            "occurred_at": "2026-03-01T08:00:00+08:00", "affected_regions": [city.a.town.code]}
    data.update(fields)
    return data


def assert_error_shape(response, status, field=None):
    assert response.status_code == status, response.content
    data = response.json()
    assert set(data) == {"code", "message", "message_en", "fields"}
    if field:
        assert field in data["fields"], data
        assert all(m["message"] and m["message_en"] for m in data["fields"][field])


def test_create_is_idempotent_with_a_client_key(client, city):
    user = city.a.users[Role.CDC]
    key = {"HTTP_IDEMPOTENCY_KEY": "evt-0001"}
    first = call(client, "POST", URL, user, body(city), headers=key)
    assert first.status_code == 201, first.content
    data = first.json()
    assert data["number"].startswith("SJ-990102-") and data["status"] == "started" and data["level_changes"] == []
    assert data["affected_regions"] == [{"code": city.a.town.code, "name": city.a.town.name}]
    again = call(client, "POST", URL, user, body(city), headers=key)
    assert again.status_code == 200 and again["Idempotency-Replayed"] == "true" and again.json()["id"] == data["id"]
    other = call(client, "POST", URL, user, body(city, title="另一事件"), headers=key)
    assert_error_shape(other, 409)
    assert Event.objects.count() == 1


def test_create_reports_bad_input_field_by_field(client, city):
    user = city.a.users[Role.CDC]
    assert_error_shape(call(client, "POST", URL, user, {"title": "只有名称"}), 422, "category")
    assert_error_shape(call(client, "POST", URL, user, body(city, affected_regions=[city.b.town.code])), 422,
                       "affected_regions")
    assert_error_shape(call(client, "POST", URL, user, body(city, affected_regions=["12\x00"])), 422)
    assert_error_shape(call(client, "POST", URL, user, body(city, region=city.b.region.code,
                                                            lead_org=city.b.cdc.code)), 422, "lead_org")
    assert_error_shape(call(client, "POST", URL, city.a.users[Role.LEADER], body(city)), 403)
    assert_error_shape(call(client, "POST", URL, user, body(city, signal=1, report=1)), 422, "report")
    assert Event.objects.count() == 0


def test_create_from_a_signal_links_it(client, city):
    signal = make_signal(city.a, status=SignalStatus.CONFIRMED)
    user = city.a.users[Role.CDC]
    response = call(client, "POST", URL, user, {"signal": signal.pk})
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["origin"] == "signal" and data["source_signal"] == signal.pk and data["region"]["code"] == "990102"
    signal.refresh_from_db()
    assert signal.status == "linked" and signal.response_ref == data["number"]
    assert_error_shape(call(client, "POST", URL, user, {"signal": signal.pk}), 422, "signal")
    theirs = make_signal(city.b, status=SignalStatus.SUSPECTED, disease="4000")
    assert_error_shape(call(client, "POST", URL, user, {"signal": theirs.pk}), 422, "signal")


def test_level_changes_history_and_errors(client, city):
    event = make_event(city, "a")
    user = city.a.users[Role.CDC]
    url = f"{URL}/{event.pk}/level"
    assert_error_shape(call(client, "POST", url, user, {"to_level": "III"}), 422, "reason")
    assert_error_shape(call(client, "POST", url, user, {"to_level": "III", "reason": "   "}), 422, "reason")
    assert_error_shape(call(client, "POST", url, user, {"to_level": "V", "reason": "x"}), 422, "to_level")
    assert_error_shape(call(client, "POST", url, user, {"to_level": "none", "reason": "x"}), 422, "to_level")
    for level, reason in (("IV", "首例"), ("II", "跨区传播"), ("III", "疫情趋缓")):
        response = call(client, "POST", url, user, {"to_level": level, "reason": reason, "decided_by": "区政府"})
        assert response.status_code == 200, response.content
    data = call(client, "GET", f"{URL}/{event.pk}", user).json()
    assert data["response_level"] == "III" and data["response_level_label"] == "Ⅲ级响应"
    assert [(c["from_level"], c["to_level"], c["escalation"], c["reason"]) for c in data["level_changes"]] == [
        ("none", "IV", True, "首例"), ("IV", "II", True, "跨区传播"), ("II", "III", False, "疫情趋缓")]
    assert data["response_started_at"] is not None and data["status"] == "ongoing"
    # outside the region: 404 like a record that does not exist; a leader: 403
    assert_error_shape(call(client, "POST", url, city.b.users[Role.CDC], {"to_level": "I", "reason": "越权"}), 404)
    assert_error_shape(call(client, "POST", url, city.a.users[Role.LEADER], {"to_level": "I", "reason": "x"}), 403)
    assert LevelChange.objects.filter(event=event).count() == 3


def test_status_end_and_affected_regions(client, city):
    event = make_event(city, "a", level="IV")
    user = city.a.users[Role.CDC]
    assert call(client, "POST", f"{URL}/{event.pk}/status", user, {"status": "ongoing"}).json()["status"] == "ongoing"
    assert_error_shape(call(client, "POST", f"{URL}/{event.pk}/status", user, {"status": "ongoing"}), 409)
    response = call(client, "PUT", f"{URL}/{event.pk}/affected-regions", user,
                    {"affected_regions": [city.a.town.code]})
    assert response.status_code == 200 and [r["code"] for r in response.json()["affected_regions"]] == [
        city.a.town.code]
    assert_error_shape(call(client, "PUT", f"{URL}/{event.pk}/affected-regions", user,
                            {"affected_regions": [city.b.town.code]}), 422, "affected_regions")
    assert_error_shape(call(client, "POST", f"{URL}/{event.pk}/end", user, {}), 422, "closing_summary")
    ended = call(client, "POST", f"{URL}/{event.pk}/end", user, {"closing_summary": "处置完毕"}).json()
    assert ended["status"] == "ended" and ended["response_level"] == "none" and ended["closing_summary"] == "处置完毕"
    assert ended["level_changes"][-1]["to_level"] == "none"
    assert_error_shape(call(client, "POST", f"{URL}/{event.pk}/level", user, {"to_level": "I", "reason": "x"}), 409)
    history = call(client, "GET", f"{URL}/{event.pk}/history", user).json()
    assert history["count"] >= 1


def test_list_filters_and_scope(client, city):
    mine = make_event(city, "a", level="III")
    theirs = make_event(city, "b", level="IV")
    ended = make_event(city, "a", status="ended")

    def numbers(user, **params):
        response = call(client, "GET", URL, user, **params)
        assert response.status_code == 200, response.content
        return {item["number"] for item in response.json()["items"]}

    assert numbers(city.a.users[Role.CDC]) == {mine.number, ended.number}
    assert numbers(city.users[Role.CDC]) == {mine.number, theirs.number, ended.number}
    assert numbers(city.users[Role.CDC], level="IV") == {theirs.number}
    assert numbers(city.users[Role.CDC], active="true", region=city.a.region.code) == {mine.number}
    assert numbers(city.users[Role.CDC], active="false") == {ended.number}
    assert numbers(city.users[Role.CDC], q=theirs.number) == {theirs.number}
    assert numbers(city.a.users[Role.REPORTER]) == set()
    assert_error_shape(call(client, "GET", URL, city.users[Role.CDC], level="V"), 422, "level")
    assert_error_shape(call(client, "GET", f"{URL}/{theirs.pk}", city.a.users[Role.CDC]), 404)


def test_patch_changes_the_grade_within_reach_only(client, city):
    event = make_event(city, "a")
    url = f"{URL}/{event.pk}"
    response = call(client, "PATCH", url, city.a.users[Role.CDC], {"grade": "IV", "description": "评估后定为一般事件"})
    assert response.status_code == 200 and response.json()["grade"] == "IV"
    assert_error_shape(call(client, "PATCH", url, city.a.users[Role.CDC], {"grade": "not_emergency"}), 422, "grade")
    assert_error_shape(call(client, "PATCH", url, city.b.users[Role.CDC], {"grade": "I"}), 404)
    event.refresh_from_db()
    assert event.grade == "IV" and event.description == "评估后定为一般事件"
