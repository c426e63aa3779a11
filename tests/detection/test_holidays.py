"""Holidays through the API: everyone reads, administrators add, change and remove days."""

import json
from datetime import date

from yingji.core.models import ApiToken
from yingji.core.roles import Role
from yingji.detection.models import Holiday


def call(client, method, url, user, body=None, **params):
    _, raw = ApiToken.issue(user, "test")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    if method == "GET":
        return client.get(url, params, **headers)
    return client.generic(method, url, json.dumps(body or {}), content_type="application/json", **headers)


def test_everyone_reads_the_holidays_of_a_year(client, city):
    body = call(client, "GET", "/api/v1/holidays", city.a.users[Role.REPORTER], year=2026, page_size=100).json()
    days = {item["date"]: item for item in body["items"]}
    assert days["2026-02-15"]["name"] == "春节" and days["2026-02-14"]["kind"] == "workday"
    assert days["2026-10-01"]["kind_label"]
    assert all(item["date"].startswith("2026") for item in body["items"])


def test_administrators_keep_the_table(client, city):
    created = call(client, "POST", "/api/v1/holidays", city.admin,
                   {"date": "2028-01-01", "kind": "holiday", "name": "元旦", "source": "国办发明电〔2027〕"})
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    again = call(client, "POST", "/api/v1/holidays", city.admin, {"date": "2028-01-01", "kind": "holiday",
                                                                    "name": "元旦"})
    assert again.status_code == 409 and "date" in again.json()["fields"]
    changed = call(client, "PATCH", f"/api/v1/holidays/{pk}", city.admin, {"name": "元旦节"})
    assert changed.status_code == 200 and changed.json()["name"] == "元旦节"
    bad = call(client, "POST", "/api/v1/holidays", city.admin, {"date": "2028-13-01", "kind": "x", "name": ""})
    assert bad.status_code == 422 and {"date", "kind", "name"} <= set(bad.json()["fields"])
    assert call(client, "DELETE", f"/api/v1/holidays/{pk}", city.admin).status_code == 204
    assert not Holiday.objects.filter(date=date(2028, 1, 1)).exists()


def test_others_may_not_change_it(client, city):
    day = Holiday.objects.first()
    for user in (city.users[Role.CDC], city.a.users[Role.CDC]):
        assert call(client, "POST", "/api/v1/holidays", user, {"date": "2028-01-01", "kind": "holiday",
                                                                "name": "元旦"}).status_code == 403
        assert call(client, "DELETE", f"/api/v1/holidays/{day.pk}", user).status_code == 403
        assert call(client, "PATCH", f"/api/v1/holidays/{day.pk}", user, {"name": "x"}).status_code == 403
    assert Holiday.objects.filter(pk=day.pk).exists()


def test_a_retried_create_with_the_same_key_returns_the_first_day(client, city):
    _, raw = ApiToken.issue(city.admin, "retry")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}", "HTTP_IDEMPOTENCY_KEY": "2f1c2b1e-0d5e-4b8a-9a57-1a2b3c4d5e6f"}
    body = json.dumps({"date": "2028-02-01", "kind": "holiday", "name": "春节"})
    first = client.post("/api/v1/holidays", body, content_type="application/json", **headers)
    again = client.post("/api/v1/holidays", body, content_type="application/json", **headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again["Idempotency-Replayed"] == "true" and again.json()["id"] == first.json()["id"]
