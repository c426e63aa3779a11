"""Consultation meetings (会商研判): participants, decisions, materials (type and size checked), bad input."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from tests.response.factories import make_event
from yingji.core.errors import Conflict, InvalidInput, NotFound, NotPermitted
from yingji.core.roles import Role
from yingji.response.choices import EventStatus
from yingji.response.models import Consultation, ConsultationMaterial, Decision
from yingji.response.services import consultations as service

PDF = b"%PDF-1.4\n%test\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def meeting(city, event, **extra):
    values = {"held_at": timezone.now() - timedelta(hours=1), "chair": "区卫健局局长", "place": "区卫健局三楼会议室",
              "kind": "special",
              "participants": [{"user": city.a.users[Role.CDC].pk}, {"name": "王教授", "organisation": "市疾控中心",
                                                                     "role": "传染病专家"}],
              "decisions": [{"text": "对涉疫学校开展全面消毒", "responsible_org": city.a.cdc.pk,
                             "due_date": timezone.localdate().isoformat()}],
              "conclusions": "疫情处于上升期，建议启动Ⅳ级响应"}
    values.update(extra)
    return service.create_consultation(city.a.users[Role.CDC], event, **values)


def test_a_meeting_with_participants_and_decisions(city):
    event = make_event(city, "a", occurred_at=timezone.now() - timedelta(days=1))
    m = meeting(city, event)
    people = list(m.participants.values_list("name", "organisation", "role"))
    assert people == [("cdc02", city.a.cdc.name, ""), ("王教授", "市疾控中心", "传染病专家")]
    decision = m.decisions.get()
    assert decision.responsible_org == city.a.cdc and decision.due_date == timezone.localdate()
    assert m.organiser == city.a.cdc
    added = service.add_decision(city.a.users[Role.CDC], m, text="明日再次会商")
    assert added.responsible_org is None and m.decisions.count() == 2
    service.add_participant(city.a.users[Role.CDC], m, name="李主任", organisation="甲区人民医院")
    assert m.participants.count() == 3
    service.update_consultation(city.a.users[Role.CDC], m, {"conclusions": "维持Ⅳ级响应", "online": True, "place": ""})
    m.refresh_from_db()
    assert m.conclusions == "维持Ⅳ级响应" and m.online


@pytest.mark.parametrize("extra, field", [
    ({"chair": ""}, "chair"),
    ({"kind": "weekly"}, "kind"),
    ({"place": "", "online": False}, "place"),
    ({"held_at": timezone.now() - timedelta(days=30)}, "held_at"),
    ({"held_at": "tomorrow"}, "held_at"),
    ({"held_at": datetime(9999, 12, 31, 23, 0, tzinfo=UTC)}, "held_at"),
    ({"participants": [{"name": ""}]}, "participants.1"),
    ({"participants": [{"user": 10**9}]}, "participants.1"),
    ({"decisions": [{"text": ""}]}, "decisions.1"),
    ({"decisions": [{"text": "x", "due_date": "2020-01-01"}]}, "decisions.1"),
    ({"decisions": [{"text": "x", "due_date": "not a date"}]}, "decisions.1"),
])
def test_bad_meetings_are_refused_with_nothing_saved(city, extra, field):
    event = make_event(city, "a", occurred_at=timezone.now() - timedelta(days=1))
    with pytest.raises(InvalidInput) as caught:
        meeting(city, event, **extra)
    assert field in caught.value.fields, caught.value.fields
    assert not Consultation.objects.exists() and not Decision.objects.exists()


def test_a_decision_for_another_districts_unit_is_refused(city):
    event = make_event(city, "a", occurred_at=timezone.now() - timedelta(days=1))
    with pytest.raises(InvalidInput) as caught:
        meeting(city, event, decisions=[{"text": "乙区协查", "responsible_org": city.b.cdc.pk}])
    assert "decisions.1" in caught.value.fields
    m = meeting(city, event)
    with pytest.raises(InvalidInput) as caught:
        service.add_decision(city.a.users[Role.CDC], m, text="x", due_date=date(2000, 1, 1))
    assert "due_date" in caught.value.fields


def test_jurisdiction_and_ended_events(city):
    event = make_event(city, "b", occurred_at=timezone.now() - timedelta(days=1))
    with pytest.raises(NotFound):
        meeting(city, event)
    m = service.create_consultation(city.b.users[Role.CDC], event, held_at=timezone.now(), chair="乙区", online=True)
    with pytest.raises(NotFound):
        service.add_decision(city.a.users[Role.CDC], m, text="越权")
    with pytest.raises(NotPermitted):
        service.add_decision(city.b.users[Role.LEADER], m, text="只读")
    ended = make_event(city, "a", status=EventStatus.ENDED, occurred_at=timezone.now() - timedelta(days=1))
    with pytest.raises(Conflict):
        meeting(city, ended)
    assert service.consultations(city.a.users[Role.CDC]).count() == 0


def test_materials_are_checked_for_type_and_size(city, settings):
    event = make_event(city, "a", occurred_at=timezone.now() - timedelta(days=1))
    m = meeting(city, event)
    user = city.a.users[Role.CDC]
    material = service.add_material(user, m, name="../../研判材料.pdf", content=PDF)
    assert material.name == "研判材料.pdf" and material.size == len(PDF)
    assert material.content_type == "application/pdf"
    assert material.file.read() == PDF and "consultations/" in material.file.name
    for name, content in (("a.exe", b"MZ"), ("fake.pdf", b"MZ\x90\x00"), ("empty.pdf", b""),
                          ("notes.txt", b"\x00\x01binary"), ("", PDF)):
        with pytest.raises(InvalidInput) as caught:
            service.add_material(user, m, name=name, content=content)
        assert "file" in caught.value.fields
    settings.YINGJI_RESPONSE_MATERIAL_MAX_BYTES = 10
    with pytest.raises(InvalidInput) as caught:
        service.add_material(user, m, name="big.pdf", content=PDF)
    assert "过大" in caught.value.fields["file"][0]["message"]
    assert ConsultationMaterial.objects.count() == 1
    service.delete_material(user, material)
    assert not ConsultationMaterial.objects.exists()


def test_a_decision_becomes_a_task_once_when_tasks_exist(city):
    event = make_event(city, "a", occurred_at=timezone.now() - timedelta(days=1))
    m = meeting(city, event)
    decision = m.decisions.get()
    if not service.tasks_available():
        with pytest.raises(Conflict):
            service.decision_to_task(city.a.users[Role.CDC], decision)
        return
    task = service.decision_to_task(city.a.users[Role.CDC], decision)
    decision.refresh_from_db()
    assert decision.task_ref == str(task.pk) and task.assignee_org == city.a.cdc and task.event == event
    with pytest.raises(Conflict):
        service.decision_to_task(city.a.users[Role.CDC], decision)
    no_org = service.add_decision(city.a.users[Role.CDC], m, text="待定")
    with pytest.raises(InvalidInput):
        service.decision_to_task(city.a.users[Role.CDC], no_org)
