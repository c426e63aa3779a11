"""Tasks: creation and bad input, status steps, overdue rules (fixed times, not the clock), the hourly flagging,
statutory tasks (24-hour investigation of a case, the daily report while a response is active), notes and
attachments."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.response.factories import make_event
from yingji.core.errors import InvalidInput, NotPermitted, YingjiError
from yingji.core.models import Notification
from yingji.core.roles import Role
from yingji.response.choices import EventStatus, ResponseLevel
from yingji.response.models import Task, TaskNote
from yingji.response.services import tasks as svc
from yingji.response.tasks import create_daily_report_tasks, flag_overdue_tasks

T0 = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)  # 09:30 in Beijing


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def new_task(city, event, **values):
    data = {"title": "核查学校晨检记录", "assignee_org": city.a.cdc.pk, "deadline": T0 + timedelta(hours=6),
            **values}
    return svc.create_task(city.a.users[Role.CDC], event, data, now=T0)


def test_create_task(city):
    event = make_event(city, "a")
    task = new_task(city, event, assignee_team="第一流调组", description="全部班级")
    assert (task.status, task.origin, task.created_at, task.assignee_org, task.assignee_team) == (
        "todo", "manual", T0, city.a.cdc, "第一流调组")
    # keyword form (used by the consultations part) and an Organisation instance
    other = svc.create_task(city.a.users[Role.HEALTH_COMMISSION], event, title="会商决定：加强消毒",
                            assignee_org=city.a.hospital, deadline=T0 + timedelta(days=1), now=T0)
    assert other.assignee_org == city.a.hospital


def test_bad_input_saves_nothing(city):
    event = make_event(city, "a")
    with pytest.raises(InvalidInput) as caught:
        new_task(city, event, deadline=T0 - timedelta(minutes=1))
    assert caught.value.fields["deadline"][0]["message"] == "完成时限不能早于任务创建时间"
    assert caught.value.fields["deadline"][0]["message_en"] == "The deadline cannot be before the task was created"
    with pytest.raises(InvalidInput) as caught:
        new_task(city, event, assignee_org=city.b.cdc.pk)  # outside the event's region
    assert "事件所在地区" in caught.value.fields["assignee_org"][0]["message"]
    with pytest.raises(InvalidInput) as caught:
        new_task(city, event, title=" ", assignee_org=999999, deadline="tomorrow")
    assert set(caught.value.fields) == {"title", "assignee_org", "deadline"}
    with pytest.raises(InvalidInput) as caught:
        svc.create_task(city.a.users[Role.CDC], event, {"title": "x"}, now=T0)
    assert set(caught.value.fields) == {"assignee_org", "deadline"}
    assert not Task.objects.exists()


def test_who_may_create(city):
    event = make_event(city, "b")
    for user in (city.a.users[Role.CDC], city.b.users[Role.LEADER], city.b.users[Role.REPORTER]):
        with pytest.raises(NotPermitted):
            svc.create_task(user, event, {"title": "x", "assignee_org": city.b.cdc.pk,
                                          "deadline": T0 + timedelta(hours=1)}, now=T0)
    ended = make_event(city, "a", status=EventStatus.ENDED)
    with pytest.raises(InvalidInput):
        new_task(city, ended)
    assert not Task.objects.exists()


def test_status_steps(city):
    task = new_task(city, make_event(city, "a"), assignee_org=city.a.hospital.pk)
    worker = city.a.users[Role.REPORTER]  # the hospital's own user works on its task
    svc.transition(worker, task, "in_progress", note="已开始", now=T0 + timedelta(hours=1))
    done = svc.transition(worker, task, "done", now=T0 + timedelta(hours=2))
    assert done.status == "done" and done.completed_at == T0 + timedelta(hours=2)
    reopened = svc.transition(city.a.users[Role.CDC], task, "in_progress", now=T0 + timedelta(hours=3))
    assert reopened.completed_at is None
    steps = list(TaskNote.objects.filter(task=task).values_list("status_from", "status_to"))
    assert steps == [("todo", "in_progress"), ("in_progress", "done"), ("done", "in_progress")]


def test_bad_status_steps(city):
    task = new_task(city, make_event(city, "a"))
    user = city.a.users[Role.CDC]
    with pytest.raises(InvalidInput) as caught:
        svc.transition(user, task, "finished")
    assert "todo" in caught.value.fields["status"][0]["message_en"]
    with pytest.raises(InvalidInput) as caught:
        svc.transition(user, task, "cancelled")  # without a reason
    assert caught.value.fields["note"][0]["message"] == "取消任务须说明理由"
    svc.transition(user, task, "cancelled", note="重复任务")
    with pytest.raises(YingjiError) as caught:
        svc.transition(user, task, "done")
    assert caught.value.status == 409 and "已取消" in caught.value.message and "cancelled" in caught.value.message_en
    for outsider in (city.b.users[Role.CDC], city.a.users[Role.LEADER], city.a.users[Role.DISPATCHER]):
        with pytest.raises(NotPermitted):
            svc.transition(outsider, task, "todo")
    task.refresh_from_db()
    assert task.status == "cancelled"


def test_overdue_rules_use_the_given_time(city):
    event = make_event(city, "a")
    task = new_task(city, event, deadline=T0 + timedelta(hours=6))
    due = T0 + timedelta(hours=6)
    assert not task.is_overdue(due - timedelta(seconds=1))
    assert not task.is_overdue(due)  # at the deadline itself: not yet
    assert task.is_overdue(due + timedelta(seconds=1))
    user = city.a.users[Role.CDC]
    assert list(svc.tasks(user, overdue=True, now=due + timedelta(minutes=1))) == [task]
    assert list(svc.tasks(user, overdue=True, now=due - timedelta(minutes=1))) == []
    svc.transition(user, task, "in_progress", now=T0 + timedelta(hours=7))
    assert task.is_overdue(due + timedelta(hours=1))  # in progress still counts
    svc.transition(user, task, "done", now=T0 + timedelta(hours=8))
    task.refresh_from_db()
    assert not task.is_overdue(due + timedelta(days=1))
    assert list(svc.tasks(user, overdue=True, now=due + timedelta(days=1))) == []


def test_hourly_flagging_once_per_task(city):
    event = make_event(city, "a")
    late = new_task(city, event, assignee_org=city.a.hospital.pk, deadline=T0 + timedelta(hours=2))
    new_task(city, event, deadline=T0 + timedelta(hours=10))
    result = flag_overdue_tasks(now=(T0 + timedelta(hours=3)).isoformat())
    assert result["flagged"] == 1 and result["in_app"] == 1  # the hospital's reporter (not a leader)
    late.refresh_from_db()
    assert late.overdue_flagged_at == T0 + timedelta(hours=3)
    assert Notification.objects.filter(recipient=city.a.users[Role.REPORTER], title__contains="任务逾期").count() == 1
    assert flag_overdue_tasks(now=(T0 + timedelta(hours=4)).isoformat())["flagged"] == 0
    # a new deadline clears the flag; passing it again flags again
    svc.update_task(city.a.users[Role.CDC], late, {"deadline": T0 + timedelta(hours=5)})
    assert flag_overdue_tasks(now=(T0 + timedelta(hours=6)).isoformat())["flagged"] == 1


def test_update_task_bad_input(city):
    task = new_task(city, make_event(city, "a"))
    user = city.a.users[Role.CDC]
    with pytest.raises(InvalidInput):
        svc.update_task(user, task, {"deadline": T0 - timedelta(hours=1)})
    with pytest.raises(InvalidInput):
        svc.update_task(user, task, {"assignee_org": city.b.hospital.pk})
    with pytest.raises(InvalidInput):
        svc.update_task(user, task, {"status": "done"})
    with pytest.raises(NotPermitted):
        svc.update_task(city.a.users[Role.REPORTER], task, {"title": "改名"})
    task.refresh_from_db()
    assert task.deadline == T0 + timedelta(hours=6) and task.assignee_org == city.a.cdc


def card(city, pk=501, reported_at=T0, region=None):
    return SimpleNamespace(pk=pk, reported_at=reported_at, address_region_id=region or city.a.town.code,
                           card_number=f"CARD-{pk}")


def test_statutory_investigation_within_24_hours_of_the_report(city):
    event = make_event(city, "a", level=ResponseLevel.IV)
    made = svc.statutory_tasks_for_case(event, card(city), city.a.users[Role.CDC], now=T0 + timedelta(hours=1))
    assert len(made) == 1
    task = made[0]
    assert (task.origin, task.statutory, task.rule) == ("statutory", True, "epi_investigation")
    assert task.deadline == T0 + timedelta(hours=24)
    assert task.assignee_org == city.a.cdc and "CARD-501" in task.title
    # the same case again: nothing new; another case: another task
    assert svc.statutory_tasks_for_case(event, card(city), None, now=T0) == []
    assert len(svc.statutory_tasks_for_case(event, card(city, 502), None, now=T0)) == 1
    assert Task.objects.filter(event=event, rule="epi_investigation").count() == 2


def test_statutory_rules_are_configurable(city, settings):
    settings.YINGJI_RESPONSE_STATUTORY_TASKS = {"epi_investigation": {"hours": 12}, "daily_report": {"enabled": False}}
    event = make_event(city, "a", level=ResponseLevel.III)
    task = svc.statutory_tasks_for_case(event, card(city), None, now=T0)[0]
    assert task.deadline == T0 + timedelta(hours=12)
    assert svc.ensure_daily_report_task(event, now=T0) is None
    settings.YINGJI_RESPONSE_STATUTORY_TASKS = {"epi_investigation": {"enabled": False}}
    assert svc.statutory_tasks_for_case(event, card(city, 9), None, now=T0) == []


def test_city_event_case_goes_to_the_district_cdc(city):
    event = make_event(city, "a")
    event.region, event.lead_org = city.city, city.cdc
    event.save()
    task = svc.statutory_tasks_for_case(event, card(city, region=city.b.town.code), None, now=T0)[0]
    assert task.assignee_org == city.b.cdc
    # 乙区's CDC sees the city event's task given to it; 甲区's does not
    assert task in svc.tasks(city.b.users[Role.CDC])
    assert task not in svc.tasks(city.a.users[Role.CDC])


def test_no_statutory_task_for_an_ended_event(city):
    event = make_event(city, "a", status=EventStatus.ENDED, level=ResponseLevel.III)
    assert svc.statutory_tasks_for_case(event, card(city), None, now=T0) == []
    assert svc.ensure_daily_report_task(event, now=T0) is None


def test_daily_report_task_while_a_response_is_active(city):
    active = make_event(city, "a", level=ResponseLevel.III)
    make_event(city, "b", level=ResponseLevel.NONE)
    make_event(city, "b", level=ResponseLevel.IV, status=EventStatus.ENDED)
    result = create_daily_report_tasks(now=T0.isoformat())
    assert result == {"events": 1, "created": 1}
    task = Task.objects.get(rule="daily_report")
    assert task.event == active and task.assignee_org == active.lead_org
    assert task.rule_key == "day:2026-03-02" and "2026-03-02" in task.title
    assert task.deadline == datetime(2026, 3, 2, 16, 0, tzinfo=UTC)  # midnight after, Beijing time
    # hourly runs the same day make nothing more; the next Beijing day makes the next one
    assert create_daily_report_tasks(now=(T0 + timedelta(hours=5)).isoformat())["created"] == 0
    next_day = datetime(2026, 3, 2, 16, 30, tzinfo=UTC)  # 00:30 on 3 March in Beijing
    assert create_daily_report_tasks(now=next_day.isoformat())["created"] == 1
    assert Task.objects.filter(rule="daily_report").count() == 2


def test_notes_and_attachments(city):
    task = new_task(city, make_event(city, "a"))
    user = city.a.users[Role.CDC]
    note = svc.add_note(user, task, "已完成 3 所学校", now=T0)
    assert note.text == "已完成 3 所学校" and not note.attachment
    pdf = SimpleUploadedFile("调查报告.pdf", b"%PDF-1.4\n...", content_type="application/pdf")
    with_file = svc.add_note(user, task, "", upload=pdf, now=T0)
    assert with_file.attachment_name == "调查报告.pdf" and with_file.attachment_type == "application/pdf"
    assert with_file.attachment.read().startswith(b"%PDF")
    with pytest.raises(InvalidInput):
        svc.add_note(user, task, "   ")


@pytest.mark.parametrize(("name", "content", "message"), [
    ("run.exe", b"MZ\x90\x00", "不支持的文件类型"),
    ("fake.pdf", b"MZ\x90\x00", "文件内容与扩展名"),
    ("photo.png", b"\xff\xd8\xff\xe0", "文件内容与扩展名"),
    ("notes.txt", b"abc\x00def", "二进制"),
    ("empty.pdf", b"", "文件为空"),
])
def test_bad_attachments(city, name, content, message):
    task = new_task(city, make_event(city, "a"))
    with pytest.raises(InvalidInput) as caught:
        svc.add_note(city.a.users[Role.CDC], task, "附件", upload=SimpleUploadedFile(name, content))
    assert message in caught.value.fields["attachment"][0]["message"]
    assert caught.value.fields["attachment"][0]["message_en"]
    assert not TaskNote.objects.exists()


def test_attachment_size_limit(city, settings):
    settings.YINGJI_RESPONSE_ATTACHMENT_MAX_BYTES = 10
    task = new_task(city, make_event(city, "a"))
    with pytest.raises(InvalidInput) as caught:
        svc.add_note(city.a.users[Role.CDC], task, "", upload=SimpleUploadedFile("a.txt", b"x" * 11))
    assert "文件过大" in caught.value.fields["attachment"][0]["message"]
