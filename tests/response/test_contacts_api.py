"""The contacts API: event-scoped cases and contacts (idempotent creates), bad input as 422 with both languages and
nothing saved, masking by role, follow-ups and the KPIs; another district's records answer 404."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.response.factories import make_event
from yingji.core.models import ApiToken
from yingji.core.roles import Role
from yingji.response.models import Contact, EventCase, FollowUp
from yingji.response.services import followups as fsvc
from yingji.surveillance import idnumbers


def auth(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user, 't')[1]}"}


def post(client, url, body, user, **headers):
    return client.post(url, json.dumps(body), content_type="application/json", **auth(user), **headers)


def id_number():
    first = "99010219900101123"
    return first + idnumbers.check_character(first)


@pytest.fixture
def setup(city, client):
    event = make_event(city, "a")
    cdc = city.a.users[Role.CDC]
    today = timezone.localdate()
    r = post(client, f"/api/v1/emergencies/{event.pk}/cases",
             {"name": "病例甲", "region": city.a.town.code, "isolated_on": today.isoformat(),
              "onset_date": (today - timedelta(days=2)).isoformat()}, cdc)
    assert r.status_code == 201, r.content
    return event, cdc, r.json()["id"], today


def contact_body(case_id, today, **extra):
    return {"source_case": case_id, "name": "密接乙", "contact_type": "household", "region": "990102001",
            "last_exposure": (today - timedelta(days=1)).isoformat(), "mode": "centralized",
            "phone": "13900001111", "id_number": id_number(), **extra}


def test_create_contact_idempotent(client, setup):
    event, cdc, case_id, today = setup
    url = f"/api/v1/emergencies/{event.pk}/contacts"
    first = post(client, url, contact_body(case_id, today), cdc, HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 201, first.content
    data = first.json()
    assert data["quarantine"]["end_date"] == (today + timedelta(days=13)).isoformat()
    assert data["phone"] == "13900001111" and not data["personal_data_masked"]
    again = post(client, url, contact_body(case_id, today), cdc, HTTP_IDEMPOTENCY_KEY="k-1")
    assert again.status_code == 200 and again["Idempotency-Replayed"] == "true" and again.json()["id"] == data["id"]
    assert Contact.objects.count() == 1
    other = post(client, url, contact_body(case_id, today, name="别人"), cdc, HTTP_IDEMPOTENCY_KEY="k-1")
    assert other.status_code == 409


def test_bad_input_422_nothing_saved(client, setup):
    event, cdc, case_id, today = setup
    url = f"/api/v1/emergencies/{event.pk}/contacts"
    r = post(client, url, contact_body(case_id, today, last_exposure=(today + timedelta(days=1)).isoformat()), cdc)
    assert r.status_code == 422
    field = r.json()["fields"]["last_exposure"][0]
    assert "末次暴露" in field["message"] and "exposure" in field["message_en"]
    r = post(client, url, contact_body(case_id, today, end_date=(today - timedelta(days=5)).isoformat(),
                                       override_reason="x"), cdc)
    assert r.status_code == 422 and "end_date" in r.json()["fields"]
    r = post(client, url, contact_body(case_id, today, last_exposure="20260101"), cdc)
    assert r.status_code == 422
    assert Contact.objects.count() == 0


def test_masked_for_leader_and_scoped(client, setup, city):
    event, cdc, case_id, today = setup
    post(client, f"/api/v1/emergencies/{event.pk}/contacts", contact_body(case_id, today), cdc)
    r = client.get("/api/v1/contacts", **auth(city.a.users[Role.LEADER]))
    item = r.json()["items"][0]
    assert item["phone"] == "139****1111" and item["personal_data_masked"]
    assert item["id_number"] == idnumbers.mask(id_number())
    b = city.b.users[Role.CDC]
    assert client.get("/api/v1/contacts", **auth(b)).json()["count"] == 0
    assert client.get(f"/api/v1/contacts/{item['id']}", **auth(b)).status_code == 404
    assert client.get(f"/api/v1/emergencies/{event.pk}/cases", **auth(b)).status_code == 404
    r = post(client, f"/api/v1/emergencies/{event.pk}/cases", {"name": "越权", "region": "990103"}, b)
    assert r.status_code == 404 and EventCase.objects.count() == 1
    r = post(client, f"/api/v1/emergencies/{event.pk}/cases", {"name": "只读", "region": "990102"},
             city.a.users[Role.LEADER])
    assert r.status_code == 403 and EventCase.objects.count() == 1


def test_followups_record_and_summary(client, setup, city):
    event, cdc, case_id, today = setup
    r = post(client, "/api/v1/followup-teams", {"name": "甲区随访组", "organisation": city.a.cdc.code,
                                                 "regions": [city.a.region.code]}, cdc)
    assert r.status_code == 201, r.content
    contact_id = post(client, f"/api/v1/emergencies/{event.pk}/contacts",
                      contact_body(case_id, today, start_date=today.isoformat(), override_reason="今日起"),
                      cdc).json()["id"]
    fsvc.generate_followups(today)
    items = client.get("/api/v1/followups", **auth(cdc)).json()["items"]
    assert len(items) == 1 and items[0]["contact"]["id"] == contact_id and items[0]["team"]["name"] == "甲区随访组"
    r = post(client, f"/api/v1/followups/{items[0]['id']}/record", {"status": "seen", "temperature": 42.5}, cdc)
    assert r.status_code == 200 and r.json()["temperature"] == 42.5
    r = post(client, f"/api/v1/followups/{items[0]['id']}/record", {"status": "not_seen", "temperature": 36.5}, cdc)
    assert r.status_code == 422
    assert FollowUp.objects.get().status == "seen"
    s = client.get(f"/api/v1/emergencies/{event.pk}/contact-summary", **auth(cdc)).json()
    assert s["under_followup"] == 1 and s["completion_rate_today"] == 1.0 and s["seen_today"] == 1
    g = client.get(f"/api/v1/emergencies/{event.pk}/transmission", **auth(cdc)).json()
    assert {"source": f"case-{case_id}", "target": f"contact-{contact_id}", "kind": "exposure"} in g["links"]
    r = post(client, f"/api/v1/contacts/{contact_id}/become-case", {"reported_on": today.isoformat()}, cdc)
    assert r.status_code == 200 and r.json()["status"] == "became_case"
    r = post(client, f"/api/v1/emergencies/{event.pk}/test-results",
             {"contact": contact_id, "sample_date": today.isoformat(), "method": "pcr", "result": "positive"}, cdc)
    assert r.status_code == 201


def test_case_isolation(client, setup, city):
    event, cdc, case_id, today = setup
    post(client, f"/api/v1/emergencies/{event.pk}/contacts", contact_body(case_id, today), cdc)
    url = f"/api/v1/emergencies/{event.pk}/cases/{case_id}/isolation"
    r = post(client, url, {"isolated_on": (today - timedelta(days=3)).isoformat()}, cdc)
    assert r.status_code == 422 and "isolated_on" in r.json()["fields"]
    r = post(client, url, {"isolated_on": today.isoformat(), "isolation_place": "定点医院"}, cdc)
    assert r.status_code == 200 and r.json()["isolation_place"] == "定点医院"
    assert post(client, url, {"isolated_on": None}, city.b.users[Role.CDC]).status_code == 404
    assert post(client, url, {"isolated_on": None}, city.a.users[Role.LEADER]).status_code == 403
    assert EventCase.objects.get().isolated_on == today
