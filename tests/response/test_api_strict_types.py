"""JSON bodies of the response API take numbers and booleans as JSON numbers and booleans only: ``0`` is not
``false`` and ``"3"`` is not ``3`` (pydantic's lax mode would coerce them, and schemathesis flagged
``PATCH /api/v1/checklists/{id}`` with ``"active": 0`` accepted). Rejected with the bilingual 422, nothing changed."""

import json

import pytest
from django.core.cache import cache

from tests.response.factories import make_event
from yingji.core.models import ApiToken
from yingji.core.roles import Role
from yingji.response.models import Checklist, Event

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_throttle():
    cache.clear()


def send(client, method, url, user, body):
    token = ApiToken.issue(user, "strict")[1]
    return client.generic(method, url, json.dumps(body), content_type="application/json",
                          HTTP_AUTHORIZATION=f"Bearer {token}")


def assert_rejected(response, field):
    assert response.status_code == 422, response.content
    data = response.json()
    assert data["message"] and data["message_en"]
    assert any(field in key for key in data["fields"]), data["fields"]


def test_checklist_active_must_be_a_boolean(client, city):
    checklist = Checklist.objects.filter(region__isnull=True).first()
    before = checklist.active
    response = send(client, "PATCH", f"/api/v1/checklists/{checklist.pk}", city.admin, {"active": 0})
    assert_rejected(response, "active")
    checklist.refresh_from_db()
    assert checklist.active == before


def test_checklist_stage_must_be_a_number(client, city):
    checklist = Checklist.objects.filter(region__isnull=True).first()
    response = send(client, "PATCH", f"/api/v1/checklists/{checklist.pk}", city.admin, {"stage": "2"})
    assert_rejected(response, "stage")


def test_ending_with_release_contacts_as_text_is_refused(client, city):
    event = make_event(city, "a")
    response = send(client, "POST", f"/api/v1/emergencies/{event.pk}/end", city.a.users[Role.CDC],
                    {"closing_summary": "处置完毕", "release_contacts": "yes"})
    assert_rejected(response, "release_contacts")
    assert Event.objects.get(pk=event.pk).status != "ended"
