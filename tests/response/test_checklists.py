"""Scenario checklists: the shipped stages of seed 002, activating a stage (tasks, assignees, deadlines,
idempotency), editing rights and bad input."""

from datetime import UTC, datetime, timedelta

import pytest

from tests.response.factories import make_event
from yingji.core.errors import Conflict, InvalidInput, NotPermitted
from yingji.core.models import Organisation
from yingji.core.roles import Role
from yingji.response.choices import EventStatus, ResponseLevel
from yingji.response.models import Checklist, ChecklistActivation, ChecklistItem, Task
from yingji.response.services import checklists as svc

T0 = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)


def stage(n: int) -> Checklist:
    return Checklist.objects.get(code=f"covid19-stage{n}")


def test_seed_002_stages_are_shipped(db):
    assert [c.stage for c in Checklist.objects.filter(code__startswith="covid19-").order_by("stage")] == [1, 2, 3]
    assert [stage(n).items.count() for n in (1, 2, 3)] == [7, 11, 5]
    first = stage(1).items.get(order=3)
    assert "零报告、日报告制度" in first.description and first.statutory
    direct = stage(2).items.get(order=1)
    assert direct.due_hours == 2 and direct.assignee_kind == "hospital" and direct.statutory
    assert "24小时" in stage(3).items.get(order=5).description
    assert stage(2).response_level == ResponseLevel.III


def test_activation_creates_one_task_per_measure(city):
    event = make_event(city, "a", level=ResponseLevel.III)
    actor = city.a.users[Role.CDC]
    result = svc.activate_stage(event, stage(2), actor, now=T0)
    assert result.first and len(result.created) == 11 and result.existing == 0
    tasks = {t.checklist_item.order: t for t in Task.objects.filter(event=event)}
    assert len(tasks) == 11
    # assignees by kind within the event's region: hospital → 甲区人民医院 (in a town of 甲), cdc → 甲区疾控
    assert tasks[1].assignee_org == city.a.hospital
    assert tasks[2].assignee_org == city.a.cdc
    assert tasks[5].assignee_org == city.a.commission
    # deadlines: activation + the measure's hours
    assert tasks[1].deadline == T0 + timedelta(hours=2)
    assert tasks[2].deadline == T0 + timedelta(hours=24)
    assert tasks[7].deadline == T0 + timedelta(hours=12)
    assert all(t.origin == "checklist" and t.status == "todo" and t.created_at == T0 for t in tasks.values())
    assert tasks[2].statutory and not tasks[3].statutory
    assert tasks[2].title == "开展流行病学调查"
    activation = ChecklistActivation.objects.get(event=event)
    assert activation.activated_at == T0 and activation.actor == actor


def test_activating_twice_is_idempotent(city):
    event = make_event(city, "a", level=ResponseLevel.III)
    actor = city.a.users[Role.HEALTH_COMMISSION]
    svc.activate_stage(event, stage(2), actor, now=T0)
    again = svc.activate_stage(event, stage(2), actor, now=T0 + timedelta(hours=5))
    assert not again.first and again.created == [] and again.existing == 11
    assert Task.objects.filter(event=event).count() == 11
    assert ChecklistActivation.objects.filter(event=event).count() == 1
    # a measure added since: the next activation adds only its task, due from now
    item = ChecklistItem.objects.create(checklist=stage(2), order=12, title="新增措施", assignee_kind="cdc",
                                        due_hours=6)
    later = svc.activate_stage(event, stage(2), actor, now=T0 + timedelta(hours=8))
    assert [t.checklist_item for t in later.created] == [item]
    assert later.created[0].deadline == T0 + timedelta(hours=14)
    assert Task.objects.filter(event=event).count() == 12
    # another stage adds its own tasks
    assert len(svc.activate_stage(event, stage(3), actor, now=T0).created) == 5


def test_assignee_falls_back_to_the_lead_organisation(city):
    event = make_event(city, "a")
    Organisation.objects.filter(pk=city.a.hospital.pk).update(is_active=False)
    assert svc.resolve_assignee(event, "hospital") == event.lead_org
    assert svc.resolve_assignee(event, "ems") == city.a.ems_station  # the station in 甲's town
    assert svc.resolve_assignee(event, "laboratory") == city.a.cdc
    assert svc.resolve_assignee(event, "lead") == event.lead_org


def test_city_event_assigns_city_organisations(city):
    event = make_event(city, "a")
    event.region = city.city
    event.lead_org = city.cdc
    event.save()
    assert svc.resolve_assignee(event, "cdc") == city.cdc
    assert svc.resolve_assignee(event, "commission") == city.commission
    assert svc.resolve_assignee(event, "ems") == city.ems_centre


def test_who_may_activate(city):
    event = make_event(city, "b")
    for user in (city.a.users[Role.CDC], city.b.users[Role.LEADER], city.b.users[Role.REPORTER]):
        with pytest.raises(NotPermitted):
            svc.activate_stage(event, stage(1), user, now=T0)
    assert not Task.objects.exists()
    assert len(svc.activate_stage(event, stage(1), city.users[Role.CDC], now=T0).created) == 7


def test_ended_event_and_inactive_checklist(city):
    event = make_event(city, "a", status=EventStatus.ENDED)
    with pytest.raises(Conflict):
        svc.activate_stage(event, stage(1), city.a.users[Role.CDC], now=T0)
    open_event = make_event(city, "a")
    Checklist.objects.filter(pk=stage(1).pk).update(active=False)
    with pytest.raises(InvalidInput) as caught:
        svc.activate_stage(open_event, stage(1), city.a.users[Role.CDC], now=T0)
    assert caught.value.fields["checklist"][0]["message_en"]
    assert not Task.objects.exists() and not ChecklistActivation.objects.exists()


def test_a_districts_own_checklist_applies_only_there(city):
    own = svc.save_checklist(city.b.users[Role.HEALTH_COMMISSION], {
        "code": "b-flood", "scenario": "洪涝灾害", "stage": 1, "name": "乙区洪涝预警", "region": city.b.region.code})
    svc.save_item(city.b.users[Role.HEALTH_COMMISSION], own, {"title": "巡查饮用水", "assignee_kind": "cdc",
                                                             "due_hours": 12})
    assert own in svc.checklists(city.b.users[Role.CDC])
    assert own not in svc.checklists(city.a.users[Role.CDC])
    assert own in svc.checklists(city.users[Role.CDC])
    with pytest.raises(InvalidInput):
        svc.activate_stage(make_event(city, "a"), own, city.a.users[Role.CDC], now=T0)
    assert len(svc.activate_stage(make_event(city, "b"), own, city.b.users[Role.CDC], now=T0).created) == 1


def test_editing_rights(city):
    default = stage(1)
    assert svc.may_edit(city.admin, default)
    assert svc.may_edit(city.users[Role.HEALTH_COMMISSION], default)
    for user in (city.a.users[Role.HEALTH_COMMISSION], city.users[Role.CDC], city.users[Role.LEADER]):
        assert not svc.may_edit(user, default)
        with pytest.raises(NotPermitted):
            svc.save_item(user, default, {"title": "越权"})
    with pytest.raises(NotPermitted):
        svc.save_checklist(city.a.users[Role.HEALTH_COMMISSION], {
            "code": "x", "scenario": "x", "name": "x", "region": city.b.region.code})


def test_bad_checklist_input(city):
    user = city.users[Role.HEALTH_COMMISSION]
    with pytest.raises(InvalidInput) as caught:
        svc.save_checklist(user, {"code": "bad code!", "scenario": "", "name": "x", "stage": 0,
                                  "response_level": "V"})
    assert set(caught.value.fields) == {"code", "scenario", "stage", "response_level"}
    with pytest.raises(Conflict):
        svc.save_checklist(user, {"code": "covid19-stage1", "scenario": "x", "name": "x"})
    with pytest.raises(InvalidInput) as caught:
        svc.save_items(user, stage(1), [{"id": stage(1).items.first().pk, "title": "改名"},
                                        {"title": "", "assignee_kind": "nobody", "due_hours": 0}])
    assert set(caught.value.fields) == {"items.1.title", "items.1.assignee_kind", "items.1.due_hours"}
    assert stage(1).items.first().title != "改名"  # nothing saved half-way


def test_save_items_and_delete(city):
    user = city.admin
    checklist = stage(3)
    first, second = list(checklist.items.order_by("order")[:2])
    svc.activate_stage(make_event(city, "a"), checklist, user, now=T0)
    svc.save_items(user, checklist, [{"id": first.pk, "title": "调动医疗资源", "due_hours": 6},
                                     {"id": second.pk, "delete": True},
                                     {"title": "新增：发布健康提示", "assignee_kind": "commission", "due_hours": 8}])
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.title == "调动医疗资源" and first.due_hours == 6
    assert not second.active  # it made a task: kept, deactivated
    assert checklist.items.filter(active=True).count() == 5
