"""The investigation page, a contact's page and the follow-up work list: rendering, adding with bad input (Chinese and
English, nothing saved), quick entry, masking by role, another district answers 404."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.response.factories import make_event
from yingji.core.roles import Role
from yingji.response.models import Contact, EventCase, FollowUp
from yingji.response.services import contacts as svc
from yingji.response.services import followups as fsvc
from yingji.surveillance import idnumbers


def id_number():
    first = "99010219900101123"
    return first + idnumbers.check_character(first)


@pytest.fixture
def world(city):
    today = timezone.localdate()
    cdc = city.a.users[Role.CDC]
    event = make_event(city, "a")
    fsvc.save_team(cdc, {"name": "甲区随访组", "organisation": city.a.hospital.pk, "regions": [city.a.region.code]})
    case = svc.add_case(cdc, event, {"name": "病例甲", "region": city.a.town.code, "isolated_on": today})
    contact = svc.add_contact(cdc, event, {
        "source_case": case.pk, "name": "密接乙", "contact_type": "household", "region": city.a.town.code,
        "last_exposure": today - timedelta(days=1), "mode": "home", "phone": "13900001111",
        "id_number": id_number()})
    fsvc.generate_followups(today)
    return {"event": event, "case": case, "contact": contact, "cdc": cdc, "today": today}


def test_investigation_page(client, city, world):
    client.force_login(world["cdc"])
    r = client.get(f"/emergencies/{world['event'].pk}/investigation/")
    body = r.content.decode()
    assert r.status_code == 200
    assert "transmission-data" in body and "密接乙" in body and "13900001111" in body
    assert 'data-testid="contact-form"' in body
    r = client.get(f"/emergencies/{world['event'].pk}/investigation/", {"status": "released"})
    assert f'href="/contacts/{world["contact"].pk}/"' not in r.content.decode()


def test_leader_sees_masked_and_no_forms(client, city, world):
    client.force_login(city.a.users[Role.LEADER])
    body = client.get(f"/emergencies/{world['event'].pk}/investigation/").content.decode()
    assert "13900001111" not in body and "139****1111" in body and id_number() not in body
    assert 'data-testid="contact-form"' not in body
    body = client.get(f"/contacts/{world['contact'].pk}/").content.decode()
    assert "139****1111" in body and id_number() not in body


def test_other_district_404(client, city, world):
    client.force_login(city.b.users[Role.CDC])
    assert client.get(f"/emergencies/{world['event'].pk}/investigation/").status_code == 404
    assert client.get(f"/contacts/{world['contact'].pk}/").status_code == 404
    f = FollowUp.objects.get()
    assert client.get(f"/followups/{f.pk}/").status_code == 404
    assert "密接乙" not in client.get("/followups/").content.decode()


def test_add_contact_bad_input_bilingual(client, world):
    client.force_login(world["cdc"])
    url = f"/emergencies/{world['event'].pk}/investigation/contacts/new/"
    data = {"contact-source_case": world["case"].pk, "contact-name": "新密接", "contact-contact_type": "colleague",
            "contact-region": "990102001", "contact-mode": "centralized",
            "contact-last_exposure": (world["today"] + timedelta(days=1)).isoformat()}
    r = client.post(url, data)
    assert r.status_code == 422 and "末次暴露日期不能晚于今天" in r.content.decode()
    assert Contact.objects.count() == 1
    data["contact-last_exposure"] = world["today"].isoformat()
    r = client.post(url, data)
    assert r.status_code == 302 and Contact.objects.count() == 2


def test_add_case_page(client, city, world):
    client.force_login(world["cdc"])
    url = f"/emergencies/{world['event'].pk}/investigation/cases/new/"
    r = client.post(url, {"case-name": "", "case-region": ""})
    assert r.status_code == 422 and EventCase.objects.count() == 1
    r = client.post(url, {"case-name": "病例丙", "case-region": city.a.town.code})
    assert r.status_code == 302 and EventCase.objects.count() == 2
    client.force_login(city.a.users[Role.LEADER])
    assert client.post(url, {"case-name": "只读", "case-region": city.a.town.code}).status_code == 403


def test_contact_page_actions(client, world):
    client.force_login(world["cdc"])
    url = f"/contacts/{world['contact'].pk}/"
    r = client.get(url)
    assert r.status_code == 200 and 'data-testid="quarantine-period"' in r.content.decode()
    r = client.post(url, {"action": "quarantine", "q-mode": "home", "q-end_date": "2000-01-01",
                          "q-override_reason": "x"})
    assert r.status_code == 422 and "不能早于开始日期" in r.content.decode()
    r = client.post(url, {"action": "test", "t-sample_date": world["today"].isoformat(), "t-method": "pcr",
                          "t-result": "negative"})
    assert r.status_code == 302 and world["contact"].tests.count() == 1
    r = client.post(url, {"action": "become_case", "b-reported_on": world["today"].isoformat()})
    assert r.status_code == 302
    world["contact"].refresh_from_db()
    assert world["contact"].became_case is not None


def test_followup_list_quick_entry(client, city, world):
    reporter = city.a.users[Role.REPORTER]  # the hospital's team
    client.force_login(reporter)
    r = client.get("/followups/")
    body = r.content.decode()
    assert r.status_code == 200 and "密接乙" in body and "13900001111" in body  # the team calls the contact
    f = FollowUp.objects.get()
    r = client.post(f"/followups/{f.pk}/", {"status": "seen", "temperature": "50", "quick": "1",
                                            "next": "/followups/"})
    assert r.status_code == 302
    f.refresh_from_db()
    assert f.status == "pending"
    r = client.post(f"/followups/{f.pk}/", {"status": "seen", "temperature": "36.8", "quick": "1",
                                            "next": "/followups/"})
    assert r.status_code == 302 and r["Location"] == "/followups/"
    f.refresh_from_db()
    assert f.status == "seen" and str(f.temperature) == "36.8"
    r = client.post(f"/followups/{f.pk}/", {"status": "seen", "next": "https://evil.example/"})
    assert r["Location"] == "/followups/"
    r = client.get(f"/followups/{f.pk}/")
    assert r.status_code == 200 and f'href="/contacts/{f.contact_id}/"' not in r.content.decode()
    assert client.get(f"/contacts/{f.contact_id}/").status_code == 404  # the team's unit sees the list, not the file


def test_generate_button(client, world):
    client.force_login(world["cdc"])
    FollowUp.objects.all().delete()
    r = client.post("/followups/", {"action": "generate", "day": world["today"].isoformat()})
    assert r.status_code == 302 and FollowUp.objects.count() == 1


def test_team_page(client, city, world):
    client.force_login(world["cdc"])
    r = client.get("/followups/teams/")
    assert r.status_code == 200 and "甲区随访组" in r.content.decode()
    r = client.post("/followups/teams/", {"name": "", "organisation": "", "regions": []})
    assert r.status_code == 422
    r = client.post("/followups/teams/", {"name": "街道组", "organisation": str(city.a.cdc.pk),
                                          "regions": [city.a.town.code]})
    assert r.status_code == 302
    assert fsvc.team_for_region(city.a.town.code).name == "街道组"
    client.force_login(city.b.users[Role.CDC])
    assert "甲区随访组" not in client.get("/followups/teams/").content.decode()
    client.force_login(city.a.users[Role.LEADER])
    assert client.post("/followups/teams/", {"name": "只读组", "organisation": str(city.a.cdc.pk),
                                             "regions": [city.a.town.code]}).status_code == 200
    assert not fsvc.teams_of(city.admin).filter(name="只读组").exists()
