"""Tasks of events over /api/v1/tasks: list (filters: event, status, overdue, mine, origin), get, create by hand
(idempotent with ``Idempotency-Key``), change (title, description, assignee, deadline), move the status, progress
notes with an optional attachment (multipart), and the attachment itself.

Reads go through core.scoping (services.tasks.tasks); every change through services.tasks. Schema classes are
named Task… (one OpenAPI document holds every app's classes).
"""

from datetime import datetime

from django.http import FileResponse, HttpRequest, HttpResponse
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from yingji.core import idempotency, scoping
from yingji.core.api import ID_PATH, IDEMPOTENCY_KEY, _aware, _created, _existing
from yingji.core.api_schemas import NO_NUL, InputSchema, IsoDateTime, PageParams, page_of, paginate
from yingji.core.errors import NotFound

from ..models import Event, Task, TaskNote
from ..services import tasks as svc

ATTACHMENT_FILE = File(None, description="附件 / attachment")
router = Router()
tasks_router = Router(tags=["tasks"])


def _user(request: HttpRequest):
    return request.auth


class TaskOrgRef(Schema):
    id: int
    code: str
    name: str
    region: str


class TaskEventRef(Schema):
    id: int
    number: str
    title: str


class TaskOut(Schema):
    id: int
    event: TaskEventRef
    title: str
    description: str
    assignee_org: TaskOrgRef
    assignee_team: str
    created_at: datetime
    deadline: datetime
    status: str = Field(..., description="todo 待办 / in_progress 进行中 / done 已完成 / cancelled 已取消")
    status_label: str
    origin: str = Field(..., description="checklist 处置清单 / statutory 法定规则 / manual 手工")
    statutory: bool
    rule: str = Field(..., description="法定规则 / statutory rule (epi_investigation, daily_report) or empty")
    checklist_item: int | None
    completed_at: datetime | None
    overdue: bool = Field(..., description="已逾期（超过时限且未完成）/ past the deadline and not done")
    overdue_flagged_at: datetime | None


class TaskNoteOut(Schema):
    id: int
    at: datetime
    author: str | None
    text: str
    status_from: str
    status_to: str
    attachment_name: str
    attachment_size: int | None
    attachment_type: str
    attachment_url: str | None


class TaskFilter(PageParams):
    event: int | None = Field(None, ge=1, le=2**63 - 1, description="事件 ID / event id")
    status: str | None = Field(None, pattern=r"^(todo|in_progress|done|cancelled|open)$",
                               description="状态，open = 待办或进行中 / status; open = todo or in progress")
    overdue: bool | None = Field(None, description="仅逾期（true）或未逾期（false）/ overdue only, or not overdue")
    mine: bool = Field(False, description="仅本机构（含下属）的任务 / only my organisation's (and sub-units')")
    origin: str | None = Field(None, pattern=r"^(checklist|statutory|manual)$")


class TaskIn(InputSchema):
    event: int = Field(..., strict=True, ge=1, le=2**63 - 1, description="事件 ID / event id")
    title: str = Field(..., min_length=1, max_length=200, pattern=NO_NUL)
    description: str = Field("", max_length=4000, pattern=NO_NUL)
    assignee_org: int = Field(..., strict=True, ge=1, le=2**63 - 1, description="负责机构 ID（须在事件所在地区内）/ organisation id")
    assignee_team: str = Field("", max_length=100, pattern=NO_NUL, description="负责小组 / team")
    deadline: IsoDateTime = Field(..., description="完成时限（不能早于创建时间）/ deadline (after creation)")


class TaskPatch(InputSchema):
    title: str | None = Field(None, min_length=1, max_length=200, pattern=NO_NUL)
    description: str | None = Field(None, max_length=4000, pattern=NO_NUL)
    assignee_org: int | None = Field(None, strict=True, ge=1, le=2**63 - 1)
    assignee_team: str | None = Field(None, max_length=100, pattern=NO_NUL)
    deadline: IsoDateTime | None = None


class TaskTransitionIn(InputSchema):
    status: str = Field(..., max_length=32, pattern=NO_NUL,
                        description="todo / in_progress / done / cancelled（取消须填 note）/ (cancelling needs a note)")
    note: str = Field("", max_length=4000, pattern=NO_NUL)


def task_out(task: Task, now=None) -> dict:
    org = task.assignee_org
    return {
        "id": task.pk, "event": {"id": task.event_id, "number": task.event.number, "title": task.event.title},
        "title": task.title, "description": task.description,
        "assignee_org": {"id": org.pk, "code": org.code, "name": org.name, "region": org.region_id},
        "assignee_team": task.assignee_team, "created_at": task.created_at, "deadline": task.deadline,
        "status": task.status, "status_label": str(task.get_status_display()), "origin": task.origin,
        "statutory": task.statutory, "rule": task.rule, "checklist_item": task.checklist_item_id,
        "completed_at": task.completed_at, "overdue": task.is_overdue(now),
        "overdue_flagged_at": task.overdue_flagged_at,
    }


def note_out(note: TaskNote) -> dict:
    url = (f"/api/v1/tasks/{note.task_id}/notes/{note.pk}/attachment" if note.attachment else None)
    return {"id": note.pk, "at": note.at, "author": note.author.username if note.author_id else None,
            "text": note.text, "status_from": note.status_from, "status_to": note.status_to,
            "attachment_name": note.attachment_name, "attachment_size": note.attachment_size,
            "attachment_type": note.attachment_type, "attachment_url": url}


def _task(request, task_id: int) -> Task:
    return scoping.get_scoped(_user(request), Task.objects.select_related("event", "assignee_org"), pk=task_id)


@tasks_router.get("", response=page_of(TaskOut), summary="任务列表 / List tasks")
def list_tasks(request, filters: Query[TaskFilter]):
    """管辖范围内的任务（事件所在地区或负责机构在范围内），按时限排序。 / Tasks within reach (the event's region or the
    assignee's), by deadline."""
    qs = svc.tasks(_user(request), event=filters.event, status=filters.status, overdue=filters.overdue,
                   mine=filters.mine, origin=filters.origin).order_by("deadline", "pk")
    page = paginate(qs, filters)
    page["items"] = [task_out(t) for t in page["items"]]
    return page


@tasks_router.post("", response={201: TaskOut, 200: TaskOut}, summary="新建任务 / Create a task")
def create_task(request, payload: TaskIn, response: HttpResponse, idempotency_key: str | None = IDEMPOTENCY_KEY):
    """事件管辖地的卫生健康行政部门、疾控中心为事件新建任务；负责机构须在事件所在地区内，时限不能早于创建时间。
    / The event's health commission or CDC adds a task; the assignee must be within the event's region and the
    deadline after the creation."""
    user = _user(request)
    event = scoping.get_scoped(user, Event.objects.select_related("region"), pk=payload.event)
    values = payload.model_dump(exclude={"event"})
    values["deadline"] = _aware(payload.deadline, "deadline")
    outcome = idempotency.create_once(
        user, "response.task", idempotency_key, payload.model_dump(mode="json"),
        create=lambda: svc.create_task(user, event, values),
        fetch=lambda pk: _existing(user, Task.objects.select_related("event", "assignee_org"), pk))
    return _created(response, idempotency.Outcome(task_out(outcome.obj), outcome.replayed))


@tasks_router.get("/{int:task_id}", response=TaskOut, summary="任务详情 / Get a task")
def get_task(request, task_id: int = ID_PATH):
    return task_out(_task(request, task_id))


@tasks_router.patch("/{int:task_id}", response=TaskOut, summary="修改任务 / Change a task")
def update_task(request, payload: TaskPatch, task_id: int = ID_PATH):
    """修改标题、说明、负责机构/小组或时限（事件的管理者）。 / Change the title, description, assignee or deadline."""
    task = _task(request, task_id)
    values = {k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None}
    if "deadline" in values:
        values["deadline"] = _aware(values["deadline"], "deadline")
    return task_out(svc.update_task(_user(request), task, values))


@tasks_router.post("/{int:task_id}/transition", response=TaskOut, summary="更新任务状态 / Move a task's status")
def transition_task(request, payload: TaskTransitionIn, task_id: int = ID_PATH):
    """待办 → 进行中 → 已完成；可取消（须说明理由）、重新打开。 / todo → in_progress → done; cancel (with a reason),
    reopen. A step not allowed from the current status is a 409."""
    task = _task(request, task_id)
    return task_out(svc.transition(_user(request), task, payload.status, note=payload.note))


@tasks_router.get("/{int:task_id}/notes", response=list[TaskNoteOut], summary="任务进展 / A task's notes")
def list_task_notes(request, task_id: int = ID_PATH):
    return [note_out(n) for n in svc.notes(_task(request, task_id))]


@tasks_router.post("/{int:task_id}/notes", response={201: TaskNoteOut}, summary="填写进展 / Add a progress note")
def add_task_note(request, task_id: int = ID_PATH, text: str = Form("", max_length=4000, pattern=NO_NUL),
             attachment: UploadedFile | None = ATTACHMENT_FILE):
    """multipart/form-data：text（进展）与可选的 attachment（附件，限大小和类型）。 / multipart/form-data: ``text`` and
    an optional ``attachment`` (size- and type-checked)."""
    task = _task(request, task_id)
    return Status(201, note_out(svc.add_note(_user(request), task, text, upload=attachment)))


@tasks_router.get("/{int:task_id}/notes/{int:note_id}/attachment", summary="下载附件 / Download an attachment",
                  response={200: None})
def task_note_attachment(request, task_id: int = ID_PATH, note_id: int = ID_PATH):
    task = _task(request, task_id)
    note = task.notes.filter(pk=note_id).exclude(attachment="").first()
    if note is None:
        raise NotFound()
    try:
        handle = note.attachment.open("rb")
    except OSError as missing:  # the stored file is gone (restored database without its media)
        raise NotFound() from missing
    return FileResponse(handle, as_attachment=True, filename=note.attachment_name,
                        content_type=note.attachment_type or "application/octet-stream")


router.add_router("/tasks", tasks_router)
