"""Task and checklist pages and API: the event's tasks page (activate a stage, add a task), the task list with its
filters, a task's page (status, notes with attachments), checklist pages; bad input and jurisdiction."""

import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.response.factories import make_event
from yingji.core.models import ApiToken
from yingji.core.roles import Role
from yingji.response.choices import ResponseLevel
from yingji.response.models import Checklist, ChecklistItem, Task, TaskNote
from yingji.response.services import checklists as checklist_svc
from yingji.response.services import tasks as svc


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def stage(n):
    return Checklist.objects.get(code=f"covid19-stage{n}")


def api(client, user):
    _, raw = ApiToken.issue(user, "test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


# --- pages -----------------------------------------------------------------------------------------------------


def test_event_tasks_page_activates_a_stage(client, city):
    event = make_event(city, "a", level=ResponseLevel.III)
    client.force_login(city.a.users[Role.CDC])
    page = client.get(f"/emergencies/{event.pk}/tasks/")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-testid="activate-form"' in body and "本地出现输入性或散发性病例" in body
    assert "启动处置清单" in body and "按事件当前响应级别建议" in body  # Chinese first
    english = client.get(f"/emergencies/{event.pk}/tasks/", HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 200
    response = client.post(f"/emergencies/{event.pk}/tasks/activate/", {"checklist": stage(2).pk})
    assert response.status_code == 302
    assert Task.objects.filter(event=event).count() == 11
    again = client.post(f"/emergencies/{event.pk}/tasks/activate/", {"checklist": stage(2).pk}, follow=True)
    assert Task.objects.filter(event=event).count() == 11
    body = again.content.decode()
    assert "开展流行病学调查" in body and 'data-column="todo"' in body
    assert body.count('data-task="') == 11


def test_event_tasks_page_adds_a_task_and_reports_bad_input(client, city):
    event = make_event(city, "a")
    client.force_login(city.a.users[Role.HEALTH_COMMISSION])
    now = timezone.localtime()
    bad = client.post(f"/emergencies/{event.pk}/tasks/new/", {
        "title": "补充调查", "assignee_org": city.a.cdc.pk,
        "deadline": (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")})
    assert bad.status_code == 422
    assert "完成时限不能早于任务创建时间" in bad.content.decode()
    outside = client.post(f"/emergencies/{event.pk}/tasks/new/", {
        "title": "补充调查", "assignee_org": city.b.cdc.pk,
        "deadline": (now + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")})
    assert outside.status_code == 422  # 乙's CDC is not even offered
    assert not Task.objects.exists()
    good = client.post(f"/emergencies/{event.pk}/tasks/new/", {
        "title": "补充调查", "assignee_org": city.a.cdc.pk, "assignee_team": "流调一组",
        "deadline": (now + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")})
    assert good.status_code == 302
    assert Task.objects.get().assignee_team == "流调一组"


def test_readers_get_no_forms_and_outsiders_nothing(client, city):
    event = make_event(city, "a")
    client.force_login(city.a.users[Role.LEADER])
    page = client.get(f"/emergencies/{event.pk}/tasks/")
    assert page.status_code == 200 and "activate-form" not in page.content.decode()
    assert client.post(f"/emergencies/{event.pk}/tasks/activate/", {"checklist": stage(1).pk}).status_code == 403
    client.force_login(city.b.users[Role.CDC])
    assert client.get(f"/emergencies/{event.pk}/tasks/").status_code == 404
    assert client.post(f"/emergencies/{event.pk}/tasks/activate/", {"checklist": stage(1).pk}).status_code == 404
    assert not Task.objects.exists()


def test_task_list_mine_and_overdue(client, city):
    event = make_event(city, "a")
    user = city.a.users[Role.CDC]
    now = timezone.now()
    late = svc.create_task(user, event, {"title": "逾期任务", "assignee_org": city.a.cdc.pk,
                                         "deadline": now + timedelta(minutes=1)}, now=now - timedelta(hours=1))
    Task.objects.filter(pk=late.pk).update(deadline=now - timedelta(minutes=5))
    svc.create_task(user, event, {"title": "医院任务", "assignee_org": city.a.hospital.pk,
                                  "deadline": now + timedelta(hours=5)})
    client.force_login(user)
    mine = client.get("/tasks/").content.decode()
    assert "逾期任务" in mine and "医院任务" not in mine and 'data-overdue="1"' in mine
    everything = client.get("/tasks/", {"whose": "all"}).content.decode()
    assert "医院任务" in everything
    overdue = client.get("/tasks/", {"whose": "all", "overdue": "on"}).content.decode()
    assert "逾期任务" in overdue and "医院任务" not in overdue
    client.force_login(city.a.users[Role.REPORTER])  # the hospital's reporter: only its own task
    body = client.get("/tasks/", {"whose": "all"}).content.decode()
    assert "医院任务" in body and "逾期任务" not in body
    client.force_login(city.b.users[Role.CDC])
    assert "医院任务" not in client.get("/tasks/", {"whose": "all"}).content.decode()


def test_task_page_status_and_notes(client, city):
    event = make_event(city, "a")
    task = svc.create_task(city.a.users[Role.CDC], event, {
        "title": "医院筛查", "assignee_org": city.a.hospital.pk, "deadline": timezone.now() + timedelta(hours=5)})
    client.force_login(city.a.users[Role.REPORTER])
    assert client.get(f"/tasks/{task.pk}/").status_code == 200
    assert client.post(f"/tasks/{task.pk}/status/", {"status": "in_progress", "note": "开始"}).status_code == 302
    bad = client.post(f"/tasks/{task.pk}/status/", {"status": "cancelled"})
    assert bad.status_code == 422 and "取消任务须说明理由" in bad.content.decode()
    upload = SimpleUploadedFile("筛查记录.pdf", b"%PDF-1.7 test", content_type="application/pdf")
    assert client.post(f"/tasks/{task.pk}/notes/", {"text": "已筛查 20 人", "attachment": upload}).status_code == 302
    note = TaskNote.objects.exclude(attachment="").get()
    download = client.get(f"/tasks/{task.pk}/notes/{note.pk}/attachment/")
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    fake = SimpleUploadedFile("virus.pdf", b"MZ\x90", content_type="application/pdf")
    refused = client.post(f"/tasks/{task.pk}/notes/", {"text": "x", "attachment": fake})
    assert refused.status_code == 422 and "文件内容与扩展名" in refused.content.decode()
    assert client.post(f"/tasks/{task.pk}/status/", {"status": "done"}).status_code == 302
    task.refresh_from_db()
    assert task.status == "done" and task.completed_at is not None
    # outsiders: 404; a reader: may not change
    client.force_login(city.b.users[Role.CDC])
    assert client.get(f"/tasks/{task.pk}/").status_code == 404
    assert client.get(f"/tasks/{task.pk}/notes/{note.pk}/attachment/").status_code == 404
    client.force_login(city.a.users[Role.LEADER])
    assert client.post(f"/tasks/{task.pk}/status/", {"status": "in_progress"}).status_code == 403


def test_task_edit_page(client, city):
    event = make_event(city, "a")
    task = svc.create_task(city.a.users[Role.CDC], event, {
        "title": "x", "assignee_org": city.a.cdc.pk, "deadline": timezone.now() + timedelta(hours=5)})
    client.force_login(city.a.users[Role.CDC])
    deadline = timezone.localtime() + timedelta(days=1)
    response = client.post(f"/tasks/{task.pk}/edit/", {"title": "改后", "assignee_org": city.a.hospital.pk,
                                                       "deadline": deadline.strftime("%Y-%m-%dT%H:%M")})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.title == "改后" and task.assignee_org == city.a.hospital
    client.force_login(city.a.users[Role.REPORTER])  # the hospital works on it but does not reassign it
    assert client.post(f"/tasks/{task.pk}/edit/", {"title": "y"}).status_code == 403


def test_checklist_pages(client, city):
    client.force_login(city.a.users[Role.REPORTER])
    body = client.get("/checklists/").content.decode()
    assert "新型冠状病毒感染" in body and body.count('data-checklist="covid19-stage') == 3
    detail = client.get(f"/checklists/{stage(1).pk}/").content.decode()
    assert "自购退热、止咳、腹泻药品" in detail and "checklist-form" not in detail
    assert client.post(f"/checklists/{stage(1).pk}/", {"scenario": "x"}).status_code == 403


def test_checklist_editing_page(client, city):
    checklist = stage(3)
    items = list(checklist.items.order_by("order"))
    client.force_login(city.users[Role.HEALTH_COMMISSION])
    page = client.get(f"/checklists/{checklist.pk}/")
    assert 'data-testid="checklist-form"' in page.content.decode()
    data = {"scenario": checklist.scenario, "stage": 3, "name": checklist.name, "response_level": "II",
            "description": "", "active": "on", "items-TOTAL_FORMS": len(items) + 1, "items-INITIAL_FORMS": len(items),
            "items-MIN_NUM_FORMS": 0, "items-MAX_NUM_FORMS": 200}
    for n, item in enumerate(items):
        data.update({f"items-{n}-id": item.pk, f"items-{n}-order": item.order, f"items-{n}-title": item.title,
                     f"items-{n}-assignee_kind": item.assignee_kind, f"items-{n}-due_hours": item.due_hours})
    data["items-0-due_hours"] = 6
    data["items-1-delete"] = "on"
    n = len(items)
    data.update({f"items-{n}-title": "新增：发布出行提示", f"items-{n}-assignee_kind": "commission",
                 f"items-{n}-due_hours": 8})
    response = client.post(f"/checklists/{checklist.pk}/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert ChecklistItem.objects.get(pk=items[0].pk).due_hours == 6
    assert not ChecklistItem.objects.filter(pk=items[1].pk).exists()
    assert checklist.items.filter(title="新增：发布出行提示").exists()
    # bad input: nothing saved, neither the stage nor its measures
    data = {**data, "name": "改名", "items-0-assignee_kind": "nobody", f"items-{n}-title": ""}
    data.pop("items-1-delete")
    bad = client.post(f"/checklists/{checklist.pk}/", data)
    assert bad.status_code == 422
    assert Checklist.objects.get(pk=checklist.pk).name != "改名"


# --- API -------------------------------------------------------------------------------------------------------


def test_api_activation_and_tasks(client, city):
    event = make_event(city, "a", level=ResponseLevel.III)
    auth = api(client, city.a.users[Role.CDC])
    url = f"/api/v1/emergencies/{event.pk}/checklist-activations"
    first = client.post(url, json.dumps({"checklist": stage(2).pk}), content_type="application/json", **auth)
    assert first.status_code == 201
    body = first.json()
    assert len(body["created"]) == 11 and body["existing"] == 0
    again = client.post(url, json.dumps({"checklist": stage(2).pk}), content_type="application/json", **auth)
    assert again.status_code == 200 and again.json()["created"] == [] and again.json()["existing"] == 11
    assert len(client.get(url, **auth).json()) == 1
    listed = client.get("/api/v1/tasks", {"event": event.pk, "page_size": 100}, **auth).json()
    assert listed["count"] == 11
    hospital_task = next(t for t in listed["items"] if t["assignee_org"]["id"] == city.a.hospital.pk)
    assert hospital_task["deadline"] and hospital_task["status"] == "todo" and not hospital_task["overdue"]
    # the checklist of another district does not apply: 422; an unknown event: 404
    own = Checklist.objects.create(code="b-x", scenario="x", name="x", region=city.b.region)
    refused = client.post(url, json.dumps({"checklist": own.pk}), content_type="application/json", **auth)
    assert refused.status_code == 422 and refused.json()["fields"]["checklist"][0]["message_en"]
    assert client.post("/api/v1/emergencies/999999/checklist-activations", json.dumps({"checklist": 1}),
                       content_type="application/json", **auth).status_code == 404


def test_api_task_lifecycle(client, city):
    event = make_event(city, "a")
    auth = api(client, city.a.users[Role.CDC])
    deadline = (timezone.now() + timedelta(hours=4)).isoformat()
    payload = {"event": event.pk, "title": "采样", "assignee_org": city.a.cdc.pk, "deadline": deadline}
    created = client.post("/api/v1/tasks", json.dumps(payload), content_type="application/json",
                          HTTP_IDEMPOTENCY_KEY="c1f6f5d2-0a7b-4d5e-9a44-1234567890ab", **auth)
    assert created.status_code == 201
    replay = client.post("/api/v1/tasks", json.dumps(payload), content_type="application/json",
                         HTTP_IDEMPOTENCY_KEY="c1f6f5d2-0a7b-4d5e-9a44-1234567890ab", **auth)
    assert replay.status_code == 200 and Task.objects.count() == 1
    task_id = created.json()["id"]
    bad = client.post("/api/v1/tasks", json.dumps({**payload, "deadline": "2020-01-01T00:00:00+08:00"}),
                      content_type="application/json", **auth)
    assert bad.status_code == 422 and bad.json()["fields"]["deadline"][0]["message"] == "完成时限不能早于任务创建时间"
    outside = client.post("/api/v1/tasks", json.dumps({**payload, "assignee_org": city.b.cdc.pk}),
                          content_type="application/json", **auth)
    assert outside.status_code == 422 and "assignee_org" in outside.json()["fields"]
    step = client.post(f"/api/v1/tasks/{task_id}/transition", json.dumps({"status": "done"}),
                       content_type="application/json", **auth)
    assert step.status_code == 200 and step.json()["status"] == "done"
    illegal = client.post(f"/api/v1/tasks/{task_id}/transition", json.dumps({"status": "todo"}),
                          content_type="application/json", **auth)
    assert illegal.status_code == 409 and illegal.json()["message_en"].startswith("A task cannot go")
    unknown = client.post(f"/api/v1/tasks/{task_id}/transition", json.dumps({"status": "whatever"}),
                          content_type="application/json", **auth)
    assert unknown.status_code == 422
    note = client.post(f"/api/v1/tasks/{task_id}/notes", {"text": "已采样 12 份",
                       "attachment": SimpleUploadedFile("a.csv", "编号,结果\n1,阴性\n".encode())}, **auth)
    assert note.status_code == 201 and note.json()["attachment_name"] == "a.csv"
    notes = client.get(f"/api/v1/tasks/{task_id}/notes", **auth).json()
    assert [n["status_to"] for n in notes] == ["done", ""]
    download = client.get(notes[1]["attachment_url"], **auth)
    assert download.status_code == 200
    patched = client.patch(f"/api/v1/tasks/{task_id}", json.dumps({"title": "采样（补）"}),
                           content_type="application/json", **auth)
    assert patched.status_code == 200 and patched.json()["title"] == "采样（补）"
    # another district's user: 404 everywhere
    other = api(client, city.b.users[Role.CDC])
    assert client.get(f"/api/v1/tasks/{task_id}", **other).status_code == 404
    assert client.post(f"/api/v1/tasks/{task_id}/transition", json.dumps({"status": "in_progress"}),
                       content_type="application/json", **other).status_code == 404
    assert client.get("/api/v1/tasks", **other).json()["count"] == 0


def test_api_checklists(client, city):
    auth = api(client, city.a.users[Role.REPORTER])
    listed = client.get("/api/v1/checklists", **auth).json()
    assert {c["code"] for c in listed["items"]} >= {"covid19-stage1", "covid19-stage2", "covid19-stage3"}
    one = client.get(f"/api/v1/checklists/{stage(1).pk}", **auth).json()
    assert len(one["items"]) == 7 and not one["editable"]
    assert client.patch(f"/api/v1/checklists/{stage(1).pk}", json.dumps({"name": "x"}),
                        content_type="application/json", **auth).status_code == 403
    admin = api(client, city.users[Role.HEALTH_COMMISSION])
    saved = client.put(f"/api/v1/checklists/{stage(1).pk}/measures",
                       json.dumps({"measures": [{"title": "新增措施", "assignee_kind": "cdc", "due_hours": 4}]}),
                       content_type="application/json", **admin)
    assert saved.status_code == 200 and len(saved.json()["items"]) == 8
    bad = client.put(f"/api/v1/checklists/{stage(1).pk}/measures",
                     json.dumps({"measures": [{"title": "x", "assignee_kind": "nobody"}]}),
                     content_type="application/json", **admin)
    assert bad.status_code == 422 and "measures.0.assignee_kind" in bad.json()["fields"]
    created = client.post("/api/v1/checklists", json.dumps({"code": "flood-1", "scenario": "洪涝", "name": "预警期"}),
                          content_type="application/json", **admin)
    assert created.status_code == 201
    assert checklist_svc.may_edit(city.users[Role.HEALTH_COMMISSION], Checklist.objects.get(code="flood-1"))


def test_new_checklist_page(client, city):
    client.force_login(city.a.users[Role.HEALTH_COMMISSION])
    assert 'data-testid="new-checklist"' in client.get("/checklists/").content.decode()
    page = client.get("/checklists/new/").content.decode()
    assert 'value="990102"' in page and 'value="990103"' not in page
    bad = client.post("/checklists/new/", {"code": "covid19-stage1", "region": city.a.region.code, "scenario": "x",
                                           "stage": 1, "name": "x"})
    assert bad.status_code == 422 and "编码已被使用" in bad.content.decode()
    outside = client.post("/checklists/new/", {"code": "a-flood", "region": city.b.region.code, "scenario": "洪涝",
                                               "stage": 1, "name": "预警"})
    assert outside.status_code == 422 and not Checklist.objects.filter(code="a-flood").exists()
    good = client.post("/checklists/new/", {"code": "a-flood", "region": city.a.region.code, "scenario": "洪涝灾害",
                                            "stage": 1, "name": "洪涝预警期", "active": "on"})
    assert good.status_code == 302
    created = Checklist.objects.get(code="a-flood")
    assert created.region_id == city.a.region.code and created.active
    for role in (Role.CDC, Role.REPORTER, Role.LEADER):
        client.force_login(city.a.users[role])
        assert client.get("/checklists/new/").status_code == 403
