"""The detection API: signals (list, get, verify, transition, link, series), KPIs, configurations and runs —
scoped, with errors in both languages."""

import json
from datetime import date, timedelta

import pytest

from yingji.core.models import ApiToken
from yingji.core.roles import Role
from yingji.detection.models import DetectionConfig, Signal
from yingji.detection.services.runs import run_detection

from .factories import bj, cards, fixed, only

D = date(2026, 3, 10)
NOW = bj(2026, 3, 11, 6)


def auth(user):
    _, raw = ApiToken.issue(user, "test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def call(client, method, url, user, body=None, **params):
    if method == "GET":
        return client.get(url, params, **auth(user))
    return client.generic(method, url, json.dumps(body or {}), content_type="application/json", **auth(user))


@pytest.fixture
def two_signals(city):
    only(fixed("0200"))
    cards(city.a, "0200", D, 1)
    cards(city.b, "0200", D, 2)
    run_detection(D, now=NOW)
    return Signal.objects.get(region=city.a.region), Signal.objects.get(region=city.b.region)


def test_a_district_cdc_lists_and_reads_only_its_signals(client, city, two_signals):
    mine, theirs = two_signals
    user = city.a.users[Role.CDC]
    body = call(client, "GET", "/api/v1/signals", user).json()
    assert body["count"] == 1 and body["items"][0]["id"] == mine.pk
    item = body["items"][0]
    assert item["series"] == "甲区 · 霍乱" and item["status"] == "new" and item["next_statuses"] == ["excluded",
                                                                                                    "suspected"]
    assert item["assigned_org"]["code"] == "CDC02" and item["observed"] == 1.0 and item["overdue"] is True
    assert call(client, "GET", f"/api/v1/signals/{theirs.pk}", user).status_code == 404
    city_body = call(client, "GET", "/api/v1/signals", city.users[Role.CDC], region="990103").json()
    assert [i["id"] for i in city_body["items"]] == [theirs.pk]
    detail = call(client, "GET", f"/api/v1/signals/{mine.pk}", user).json()
    assert [a["to_status"] for a in detail["actions"]] == ["new"]


def test_list_filters_and_bad_filters(client, city, two_signals):
    admin = city.admin
    assert call(client, "GET", "/api/v1/signals", admin, status="new", disease="0200", date_from="2026-03-10",
                date_to="2026-03-10").json()["count"] == 2
    assert call(client, "GET", "/api/v1/signals", admin, date_from="2026-03-11").json()["count"] == 0
    assert call(client, "GET", "/api/v1/signals", admin, overdue="false").json()["count"] == 0
    bad = call(client, "GET", "/api/v1/signals", admin, date_from="20260310")
    assert bad.status_code == 422 and "date_from" in bad.json()["fields"]
    bad = call(client, "GET", "/api/v1/signals", admin, status="solved")
    assert bad.status_code == 422 and bad.json()["fields"]["status"][0]["message"].startswith("须为以下之一")
    bad = call(client, "GET", "/api/v1/signals", admin, date_from="2026-03-10", date_to="2026-03-01")
    assert bad.status_code == 422 and "date_to" in bad.json()["fields"]


def test_verify_transition_and_link_through_the_api(client, city, two_signals):
    mine, _ = two_signals
    user = city.a.users[Role.CDC]
    url = f"/api/v1/signals/{mine.pk}"
    response = call(client, "POST", f"{url}/verify", user, {"outcome": "suspected", "note": "核实中"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "suspected" and response.json()["verified_at"] is not None
    illegal = call(client, "POST", f"{url}/transition", user, {"status": "confirmed"})
    assert illegal.status_code == 409 and illegal.json()["code"] == "illegal_transition"
    assert "cannot go from" in illegal.json()["message_en"] and "不能" in illegal.json()["message"]
    for status in ("investigating", "confirmed"):
        assert call(client, "POST", f"{url}/transition", user, {"status": status}).status_code == 200
    nothing = call(client, "POST", f"{url}/link", user, {})
    assert nothing.status_code == 422 and "event_report" in nothing.json()["fields"]
    linked = call(client, "POST", f"{url}/link", user, {"create_draft": True})
    assert linked.status_code == 200 and linked.json()["status"] == "linked"
    assert linked.json()["event_report"] is not None and linked.json()["next_statuses"] == []
    assert [a["to_status"] for a in linked.json()["actions"]] == ["new", "suspected", "investigating", "confirmed",
                                                                  "linked"]


def test_excluding_without_a_reason_and_bad_bodies(client, city, two_signals):
    mine, _ = two_signals
    user = city.a.users[Role.CDC]
    url = f"/api/v1/signals/{mine.pk}/verify"
    no_reason = call(client, "POST", url, user, {"outcome": "excluded"})
    assert no_reason.status_code == 422 and no_reason.json()["fields"]["note"][0]["message"] == "排除信号须说明理由"
    bad = call(client, "POST", url, user, {"outcome": "confirmed"})
    assert bad.status_code == 422 and "outcome" in bad.json()["fields"]
    assert Signal.objects.get(pk=mine.pk).status == "new"


def test_others_cannot_move_a_signal(client, city, two_signals):
    mine, theirs = two_signals
    body = {"outcome": "suspected"}
    assert call(client, "POST", f"/api/v1/signals/{theirs.pk}/verify", city.a.users[Role.CDC], body).status_code == 404
    leader = call(client, "POST", f"/api/v1/signals/{mine.pk}/verify", city.a.users[Role.LEADER], body)
    assert leader.status_code == 403 and leader.json()["message_en"]
    assert Signal.objects.get(pk=mine.pk).status == "new"


def test_the_series_for_the_chart(client, city, two_signals):
    mine, _ = two_signals
    body = call(client, "GET", f"/api/v1/signals/{mine.pk}/series", city.a.users[Role.CDC], days=14).json()
    assert len(body["dates"]) == 14 and body["dates"][-1] == "2026-03-10"
    assert body["observed"][-1] == 1 and body["upper"][-1] == 1 and body["alarm"][-1] is True
    too_many = call(client, "GET", f"/api/v1/signals/{mine.pk}/series", city.a.users[Role.CDC], days=100000)
    assert too_many.status_code == 422


def test_kpis_through_the_api(client, city, two_signals):
    mine, _ = two_signals
    user = city.a.users[Role.CDC]
    call(client, "POST", f"/api/v1/signals/{mine.pk}/verify", user, {"outcome": "excluded", "note": "误报"})
    body = call(client, "GET", "/api/v1/signal-kpis", user, date_from="2026-03-09", date_to="2026-03-15").json()
    assert body["total"]["signals"] == 1 and body["total"]["response_rate"] == 1.0 and body["counties"] == 1
    assert [r["region"]["code"] for r in body["by_region"]] == ["990102"]
    city_body = call(client, "GET", "/api/v1/signal-kpis", city.users[Role.CDC], date_from="2026-03-09",
                     date_to="2026-03-15").json()
    assert city_body["total"]["signals"] == 2 and city_body["total"]["per_county_week"] == 1.0
    outside = call(client, "GET", "/api/v1/signal-kpis", user, region="990103")
    assert outside.status_code == 403 and "990103" not in outside.content.decode()
    bad = call(client, "GET", "/api/v1/signal-kpis", user, date_from="2026-03-15", date_to="2026-03-01")
    assert bad.status_code == 422


def test_configs_are_read_by_everyone_and_changed_by_administrators(client, city):
    config = DetectionConfig.objects.filter(disease__code="0200", active=True).get()
    listed = call(client, "GET", "/api/v1/detection-configs", city.a.users[Role.REPORTER], disease="0200").json()
    assert listed["count"] >= 1 and listed["items"][0]["methods"][0]["method"] == "fixed_threshold"
    url = f"/api/v1/detection-configs/{config.pk}"
    denied = call(client, "PATCH", url, city.users[Role.CDC], {"min_cases": 2})
    assert denied.status_code == 403 and "管理员" in denied.json()["message"]
    changed = call(client, "PATCH", url, city.admin, {"min_cases": 2, "holiday_mode": "exclude"})
    assert changed.status_code == 200 and changed.json()["min_cases"] == 2
    assert changed.json()["holiday_mode"] == "exclude"


def test_a_misconfigured_parameter_names_the_field_and_saves_nothing(client, city):
    config = DetectionConfig.objects.filter(disease__code="0200", active=True).get()
    url = f"/api/v1/detection-configs/{config.pk}"
    bad = call(client, "PATCH", url, city.admin, {"min_cases": 7, "methods": [
        {"method": "fixed_threshold", "params": {"threshold": -3}}]})
    assert bad.status_code == 422
    fields = bad.json()["fields"]
    assert list(fields) == ["methods.0.params.threshold"]
    assert "固定阈值须为正数" in fields["methods.0.params.threshold"][0]["message"]
    assert "must be positive" in fields["methods.0.params.threshold"][0]["message_en"]
    unknown = call(client, "PATCH", url, city.admin, {"methods": [{"method": "fixed_threshold",
                                                                   "params": {"percentile": 50}}]})
    assert "methods.0.params.percentile" in unknown.json()["fields"]
    no_method = call(client, "PATCH", url, city.admin, {"methods": [{"method": "magic"}]})
    assert "methods.0.method" in no_method.json()["fields"]
    config.refresh_from_db()
    assert config.min_cases == 1 and config.methods[0]["params"] == {"threshold": 1}


def test_a_city_cdc_creates_an_override_for_its_city_only(client, city):
    body = {"disease": "0200", "region": "990102", "profile": "甲区调整",
            "methods": [{"method": "fixed_threshold", "params": {"threshold": 2}}], "active": False}
    created = call(client, "POST", "/api/v1/detection-configs", city.users[Role.CDC], body)
    assert created.status_code == 201, created.content
    assert created.json()["region"]["code"] == "990102"
    general = call(client, "POST", "/api/v1/detection-configs", city.users[Role.CDC], {**body, "region": None})
    assert general.status_code == 403
    district = call(client, "POST", "/api/v1/detection-configs", city.a.users[Role.CDC], body)
    assert district.status_code == 403
    # the override is visible within 甲区 and the city, not in 乙区
    pk = created.json()["id"]
    assert call(client, "GET", f"/api/v1/detection-configs/{pk}", city.a.users[Role.CDC]).status_code == 200
    assert call(client, "GET", f"/api/v1/detection-configs/{pk}", city.b.users[Role.CDC]).status_code == 404


def test_two_active_configurations_for_one_series_are_refused(client, city):
    body = {"disease": "0200", "methods": [{"method": "fixed_threshold", "params": {"threshold": 1}}]}
    clash = call(client, "POST", "/api/v1/detection-configs", city.admin, body)
    assert clash.status_code == 422 and "active" in clash.json()["fields"]


def test_runs_list_shows_only_problems_within_reach(client, city):
    only({**fixed("0200"), "methods": [{"method": "fixed_threshold", "params": {"threshold": 0}}]})
    cards(city.a, "0200", D, 1)
    cards(city.b, "0200", D, 1)
    run_detection(D, now=NOW)
    mine = call(client, "GET", "/api/v1/detection-runs", city.a.users[Role.CDC]).json()["items"][0]
    assert mine["status"] == "partial" and mine["problem_count"] == 1
    assert mine["problems"][0]["series"] == "甲区 · 霍乱" and "乙区" not in json.dumps(mine, ensure_ascii=False)
    everything = call(client, "GET", "/api/v1/detection-runs", city.admin, kind="daily").json()["items"][0]
    assert everything["problem_count"] == 2
    assert call(client, "GET", "/api/v1/detection-runs", city.admin, date_from=str(D + timedelta(days=1))
                ).json()["count"] == 0


def test_a_retried_config_create_with_the_same_key_returns_the_first(client, city):
    _, raw = ApiToken.issue(city.admin, "retry")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}", "HTTP_IDEMPOTENCY_KEY": "cfg-2026-0001"}
    body = json.dumps({"disease": "1000", "profile": "试行", "active": False,
                       "methods": [{"method": "ears_c2", "params": {}}]})
    first = client.post("/api/v1/detection-configs", body, content_type="application/json", **headers)
    again = client.post("/api/v1/detection-configs", body, content_type="application/json", **headers)
    assert (first.status_code, again.status_code) == (201, 200) and first.json()["id"] == again.json()["id"]
    assert DetectionConfig.objects.filter(profile="试行").count() == 1


def test_profiles_are_listed_and_an_administrator_switches_them(client, city):
    listed = {p["profile"]: p for p in call(client, "GET", "/api/v1/detection-configs/profiles",
                                             city.a.users[Role.CDC]).json()}
    assert listed["CIDARS-2014 evidence"]["active"] == 0 and listed["CIDARS-2014 evidence"]["configurations"] > 10
    denied = call(client, "POST", "/api/v1/detection-configs/profiles/activate", city.users[Role.CDC],
                  {"profile": "CIDARS-2014 evidence"})
    assert denied.status_code == 403
    unknown = call(client, "POST", "/api/v1/detection-configs/profiles/activate", city.admin, {"profile": "nope"})
    assert unknown.status_code == 422 and "profile" in unknown.json()["fields"]
    switched = call(client, "POST", "/api/v1/detection-configs/profiles/activate", city.admin,
                    {"profile": "CIDARS-2014 evidence"})
    after = {p["profile"]: p for p in switched.json()}
    assert after["CIDARS-2014 evidence"]["active"] == after["CIDARS-2014 evidence"]["configurations"]
