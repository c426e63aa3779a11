"""API of situation reports: draft from data, change, submit once, one final report, what is owed."""

import json
from datetime import timedelta

from django.utils import timezone

from tests.response.factories import make_event
from yingji.core.models import ApiToken
from yingji.core.roles import Role
from yingji.response.choices import ResponseLevel


def auth(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user, 'test')[1]}"}


def test_the_report_chain_over_the_api(client, city):
    event = make_event(city, "a", level=ResponseLevel.IV, occurred_at=timezone.now() - timedelta(hours=1))
    headers = auth(city.a.users[Role.CDC])
    due = client.get(f"/api/v1/emergencies/{event.pk}/sitreps/due", **headers).json()
    assert [d["kind"] for d in due] == ["initial"] and not due[0]["overdue"]
    created = client.post(f"/api/v1/emergencies/{event.pk}/sitreps", json.dumps({"kind": "initial"}),
                          content_type="application/json", **headers)
    assert created.status_code == 201, created.content
    report = created.json()
    assert report["status"] == "draft" and event.title in report["overview"]
    url = f"/api/v1/sitreps/{report['id']}"
    changed = client.patch(url, json.dumps({"needs": "防护物资"}), content_type="application/json", **headers)
    assert changed.json()["needs"] == "防护物资"
    submitted = client.post(f"{url}/submit", **headers)
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    again = client.post(f"{url}/submit", **headers)
    assert again.status_code == 409 and again.json()["message_en"]
    assert client.patch(url, json.dumps({"needs": "改"}), content_type="application/json", **headers).status_code == 409
    second = client.post(f"/api/v1/emergencies/{event.pk}/sitreps", json.dumps({"kind": "initial"}),
                         content_type="application/json", **headers)
    assert second.status_code == 409
    bad = client.post(f"/api/v1/emergencies/{event.pk}/sitreps", json.dumps({"kind": "weekly"}),
                      content_type="application/json", **headers)
    assert bad.status_code == 422
    due = client.get(f"/api/v1/emergencies/{event.pk}/sitreps/due", **headers).json()
    assert [(d["kind"], d["sequence"]) for d in due] == [("progress", 1)]
    listed = client.get(f"/api/v1/sitreps?event={event.pk}", **headers).json()
    assert listed["count"] == 1
    other = auth(city.b.users[Role.CDC])
    assert client.get(url, **other).status_code == 404
    assert client.get("/api/v1/sitreps", **other).json()["count"] == 0
    assert client.post(f"/api/v1/emergencies/{event.pk}/sitreps", json.dumps({"kind": "progress"}),
                       content_type="application/json", **other).status_code == 404
