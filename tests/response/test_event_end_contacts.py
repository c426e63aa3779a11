"""Ending an event while close contacts are still under medical observation: refused with a bilingual message naming
how many, unless the observations are released with the ending (reason 「事件终止」, same transaction) — in the
service, on the end page (a checkbox shown only then) and in the API (``release_contacts``)."""

import json
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from tests.response.factories import make_event
from yingji.core.errors import Conflict, NotPermitted
from yingji.core.models import ApiToken
from yingji.core.roles import Role
from yingji.response.choices import EventStatus, ResponseLevel
from yingji.response.models import FollowUp, Quarantine
from yingji.response.services import contacts
from yingji.response.services import events as svc

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_throttle():
    cache.clear()


@pytest.fixture
def cdc(city):
    return city.a.users[Role.CDC]


@pytest.fixture
def event(city, cdc):
    """District 甲's event at level IV with one case and four contacts: under centralized observation, under home
    observation, exposed today (observation starts tomorrow), and one whose observation is already over."""
    today = timezone.localdate()
    event = make_event(city, "a", level=ResponseLevel.IV)
    case = contacts.add_case(cdc, event, {"name": "张三", "region": city.a.town.code,
                                          "onset_date": today - timedelta(days=20),
                                          "reported_on": today - timedelta(days=19),
                                          "isolated_on": today, "isolation_place": "市传染病医院"})
    for name, days_ago, mode in (("集中一", 2, "centralized"), ("居家二", 3, "home"), ("今暴露", 0, "home"),
                                 ("已期满", 18, "home")):
        contacts.add_contact(cdc, event, {"source_case": case.pk, "name": name, "contact_type": "household",
                                          "region": case.region_id, "mode": mode, "place": "集中隔离点一",
                                          "last_exposure": today - timedelta(days=days_ago)})
    return event


def observations(event):
    return {q.contact.name: q for q in Quarantine.objects.filter(contact__event=event).select_related("contact")}


def test_ending_is_refused_while_contacts_are_under_observation(event, cdc):
    assert svc.under_observation(event).count() == 3  # the finished one does not count
    with pytest.raises(Conflict) as exc:
        svc.end_event(cdc, event, "疫情结束")
    assert "仍有 3 名密切接触者在医学观察中" in exc.value.message and "3 contact(s)" in exc.value.message_en
    assert "release_contacts" in exc.value.fields
    event.refresh_from_db()
    assert event.status == EventStatus.STARTED and event.response_level == ResponseLevel.IV
    assert {q.status for q in observations(event).values()} == {"active"}


def test_ending_with_release_releases_the_remaining_observations_in_the_same_transaction(event, cdc):
    today = timezone.localdate()
    pending_before = FollowUp.objects.filter(contact__event=event, status="pending", date__gte=today).count()
    assert pending_before > 0
    ended = svc.end_event(cdc, event, "疫情结束，密接一并解除医学观察", release_contacts=True)
    assert ended.status == EventStatus.ENDED and ended.response_level == ResponseLevel.NONE
    q = observations(event)
    for name in ("集中一", "居家二"):
        assert q[name].status == "released" and q[name].stopped_on == today
        assert q[name].override_reason.endswith("事件终止")
    assert q["今暴露"].status == "released" and q["今暴露"].stopped_on == q["今暴露"].start_date == today + timedelta(1)
    assert q["已期满"].status == "active"  # its observation was over already: nothing to release
    assert contacts.contact_status(q["集中一"].contact) == "released"
    assert not FollowUp.objects.filter(contact__event=event, status="pending", date__gte=today).exists()
    assert svc.under_observation(event).count() == 0


def test_nothing_is_released_when_the_ending_is_refused_for_another_reason(event, cdc, city):
    with pytest.raises(NotPermitted):
        svc.end_event(city.a.users[Role.LEADER], event, "越权终止", release_contacts=True)
    with pytest.raises(Exception):  # noqa: B017 - the summary is required (InvalidInput)
        svc.end_event(cdc, event, "  ", release_contacts=True)
    svc.end_event(cdc, event, "第一次", release_contacts=True)
    with pytest.raises(Conflict):  # already ended
        svc.end_event(cdc, event, "再次终止", release_contacts=True)
    assert {q.status for q in observations(event).values()} == {"released", "active"}


def test_an_event_without_contacts_under_observation_ends_as_before(city, cdc):
    event = make_event(city, "a")
    assert svc.end_event(cdc, event, "处置完毕").status == EventStatus.ENDED


def test_end_page_shows_the_checkbox_only_while_contacts_remain(client, city, cdc, event):
    client.force_login(cdc)
    url = f"/emergencies/{event.pk}/end/"
    page = client.get(url).content.decode()
    assert 'data-testid="end-under-observation" data-count="3"' in page and 'name="release_contacts"' in page
    assert "仍有 3 名密切接触者在医学观察中（集中隔离或居家隔离未结束）。" in page and "一并解除" in page
    refused = client.post(url, {"closing_summary": "疫情结束"})
    assert refused.status_code == 422 and "仍有 3 名密切接触者在医学观察中" in refused.content.decode()
    event.refresh_from_db()
    assert event.status == EventStatus.STARTED
    done = client.post(url, {"closing_summary": "疫情结束", "release_contacts": "on"})
    assert done.status_code == 302 and done["Location"] == f"/emergencies/{event.pk}/"
    event.refresh_from_db()
    assert event.status == EventStatus.ENDED and svc.under_observation(event).count() == 0
    other = make_event(city, "a")
    plain = client.get(f"/emergencies/{other.pk}/end/").content.decode()
    assert 'name="release_contacts"' not in plain and "end-under-observation" not in plain


def test_api_end_refuses_then_releases(client, city, cdc, event):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(cdc, 'test')[1]}"}
    url = f"/api/v1/emergencies/{event.pk}/end"

    def post(body):
        return client.post(url, json.dumps(body), content_type="application/json", **headers)

    refused = post({"closing_summary": "疫情结束"})
    assert refused.status_code == 409
    error = refused.json()
    assert "3" in json.dumps(error, ensure_ascii=False) and "release_contacts" in json.dumps(error)
    assert post({"closing_summary": "疫情结束", "release_contacts": "maybe"}).status_code == 422
    event.refresh_from_db()
    assert event.status == EventStatus.STARTED
    ended = post({"closing_summary": "疫情结束", "release_contacts": True})
    assert ended.status_code == 200 and ended.json()["status"] == "ended"
    assert svc.under_observation(event).count() == 0
    outsider = {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(city.b.users[Role.CDC], 'test')[1]}"}
    assert client.post(url, json.dumps({"closing_summary": "x", "release_contacts": True}),
                       content_type="application/json", **outsider).status_code == 404
