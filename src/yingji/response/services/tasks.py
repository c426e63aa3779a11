"""Tasks of an event (任务): creating and changing them, their status steps and progress notes (with one checked
attachment each), overdue flagging, and the statutory tasks computed from rules.

Status steps (models.task.TASK_TRANSITIONS): todo → in_progress | done | cancelled; in_progress → done | todo |
cancelled; done → in_progress (reopened); cancelled → todo. Cancelling needs a reason. Each step is a TaskNote.

Who may do what: the event's writers (health commission, CDC of the event's jurisdiction, administrators) create,
change and reassign tasks; the assignee organisation's users (and the event's writers) move a task and add notes;
leaders read. Overdue: past the deadline while todo or in progress — shown live and flagged hourly (once per task,
with a reminder to the assignee).

Statutory rules (settings.YINGJI_RESPONSE_STATUTORY_TASKS):
- ``epi_investigation``: a case added to an event → an epidemiological investigation task for the CDC of the case's
  area, due ``hours`` (24) after the case was reported (:func:`statutory_tasks_for_case`);
- ``daily_report``: while an event's response is active (level not none, event not ended), one daily report task per
  day (Asia/Shanghai), due ``hours`` after that day's start (:func:`ensure_daily_report_task`, hourly job).
"""

from __future__ import annotations

import os
import zoneinfo
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from yingji.core import regioncodes, scoping
from yingji.core.errors import InvalidInput, NotPermitted, TransitionNotAllowed, field_message
from yingji.core.models import Organisation, User
from yingji.core.notify import notify
from yingji.core.services import acting_as

from ..choices import EventStatus, ResponseLevel
from ..models import Event, Task, TaskNote
from ..models.task import OPEN_TASK_STATUSES, TASK_TRANSITIONS, StatutoryRule, TaskOrigin, TaskStatus

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
MAX_NOTE = 4000
MAX_DEADLINE_DAYS = 366
STATUS_LABELS = {
    TaskStatus.TODO: ("待办", "to do"),
    TaskStatus.IN_PROGRESS: ("进行中", "in progress"),
    TaskStatus.DONE: ("已完成", "done"),
    TaskStatus.CANCELLED: ("已取消", "cancelled"),
}
DEFAULT_RULES = {
    StatutoryRule.EPI_INVESTIGATION: {"enabled": True, "hours": 24, "assignee_kind": "cdc"},
    StatutoryRule.DAILY_REPORT: {"enabled": True, "hours": 24, "assignee_kind": "lead"},
}


def rule(name: str) -> dict:
    configured = getattr(settings, "YINGJI_RESPONSE_STATUTORY_TASKS", {}) or {}
    return {**DEFAULT_RULES.get(name, {}), **configured.get(str(name), {})}


class IllegalTaskTransition(TransitionNotAllowed):
    def __init__(self, current: str, wanted: str):
        super().__init__(("任务", "A task"), current, wanted, STATUS_LABELS, TASK_TRANSITIONS)


# --- reading -------------------------------------------------------------------------------------------------


def overdue_q(now: datetime | None = None) -> Q:
    return Q(status__in=OPEN_TASK_STATUSES, deadline__lt=now or timezone.now())


def is_overdue(task: Task, now: datetime | None = None) -> bool:
    return task.is_overdue(now)


def tasks(user, *, event: Event | int | None = None, status: str | None = None, overdue: bool | None = None,
          mine: bool = False, origin: str | None = None, assignee: int | None = None,
          now: datetime | None = None) -> QuerySet:
    """Tasks within the user's reach; ``mine``: assigned to the user's organisation or its sub-units."""
    qs = scoping.scope(user, Task.objects.select_related("event", "assignee_org", "checklist_item"))
    if event is not None:
        qs = qs.filter(event_id=getattr(event, "pk", event))
    if status == "open":
        qs = qs.filter(status__in=OPEN_TASK_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    if origin:
        qs = qs.filter(origin=origin)
    if assignee:
        qs = qs.filter(assignee_org_id=assignee)
    if mine:
        org = user.organisation
        qs = qs.filter(assignee_org_id__in=scoping._org_family_ids(org)) if org else qs.none()
    if overdue is True:
        qs = qs.filter(overdue_q(now))
    elif overdue is False:
        qs = qs.exclude(overdue_q(now))
    return qs


def notes(task: Task) -> QuerySet:
    return task.notes.select_related("author").order_by("at", "pk")


def may_manage(user, event: Event) -> bool:
    """Whether the user creates, changes and reassigns the event's tasks (the event's writers)."""
    return scoping.can(user, event, write=True)


def may_work_on(user, task: Task) -> bool:
    """Whether the user moves the task and adds notes: its assignee's users, or the event's writers."""
    return scoping.can(user, task, write=True) or may_manage(user, task.event)


# --- validation ----------------------------------------------------------------------------------------------


def _text(errors, values, name, *, required=False, max_length=200):
    if name not in values:
        return
    value = values[name] if values[name] is not None else ""
    if not isinstance(value, str):
        errors[name] = [field_message("须为文本", "must be text")]
        return
    value = value.strip()
    if required and not value:
        errors[name] = [field_message("必填", "required")]
    elif len(value) > max_length:
        errors[name] = [field_message(f"最多 {max_length} 个字符", f"at most {max_length} characters")]
    values[name] = value


def _organisation(value) -> Organisation | None:
    if isinstance(value, Organisation):
        return value
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return Organisation.objects.select_related("region").filter(pk=value).first()


def _clean(event: Event, values: dict, *, created_at: datetime, creating: bool) -> dict:
    values = dict(values)
    errors: dict = {}
    if creating:
        values.setdefault("title", "")
        if values.get("assignee_org") in (None, ""):
            errors["assignee_org"] = [field_message("请选择负责机构", "choose the responsible organisation")]
            values.pop("assignee_org", None)
        if values.get("deadline") is None:
            errors["deadline"] = [field_message("请填写完成时限", "give the deadline")]
            values.pop("deadline", None)
    _text(errors, values, "title", required=True, max_length=200)
    _text(errors, values, "description", max_length=MAX_NOTE)
    _text(errors, values, "assignee_team", max_length=100)
    if "assignee_org" in values:
        org = _organisation(values["assignee_org"])
        if org is None or not org.is_active:
            errors["assignee_org"] = [field_message("没有这个机构，或已停用", "no such organisation, or inactive")]
        elif not regioncodes.is_within(org.region_id, event.region_id):
            errors["assignee_org"] = [field_message(
                f"负责机构须在事件所在地区（{event.region.name}）内",
                f"The responsible organisation must be within the event's region ({event.region_id})")]
        values["assignee_org"] = org
    if "deadline" in values:
        deadline = values["deadline"]
        if not isinstance(deadline, datetime):
            errors["deadline"] = [field_message("须为日期时间", "must be a date and time")]
        else:
            if timezone.is_naive(deadline):
                deadline = timezone.make_aware(deadline, SHANGHAI)
            values["deadline"] = deadline
            if deadline <= created_at:
                errors["deadline"] = [field_message("完成时限不能早于任务创建时间",
                                                    "The deadline cannot be before the task was created")]
            elif deadline > created_at + timedelta(days=MAX_DEADLINE_DAYS):
                errors["deadline"] = [field_message(f"完成时限不能超过 {MAX_DEADLINE_DAYS} 天",
                                                    f"The deadline cannot be more than {MAX_DEADLINE_DAYS} days away")]
    if errors:
        raise InvalidInput(errors)
    return values


def _require_manager(user, event: Event) -> None:
    if not may_manage(user, event):
        raise NotPermitted("只有事件管辖地的卫生健康行政部门、疾控中心可以新建和调整任务",
                           "Only the health commission or CDC of the event's jurisdiction may create or change tasks")


def _require_open_event(event: Event) -> None:
    if event.status == EventStatus.ENDED:
        raise InvalidInput({"event": [field_message("事件已终止，不能新建任务", "The event has ended; no new tasks")]})


# --- creating and changing -----------------------------------------------------------------------------------


def create_task(user, event: Event, values: dict | None = None, *, now: datetime | None = None, **fields) -> Task:
    """A task added by hand (``values`` or keyword arguments: title, description, assignee_org (id or
    Organisation), assignee_team, deadline)."""
    now = now or timezone.now()
    values = {**(values or {}), **fields}
    _require_manager(user, event)
    _require_open_event(event)
    clean = _clean(event, values, created_at=now, creating=True)
    with transaction.atomic(), acting_as(user):
        return Task.objects.create(
            event=event, title=clean["title"], description=clean.get("description", ""),
            assignee_org=clean["assignee_org"], assignee_team=clean.get("assignee_team", ""), created_at=now,
            deadline=clean["deadline"], origin=TaskOrigin.MANUAL, created_by=user)


def update_task(user, task: Task, values: dict) -> Task:
    """Change a task's title, description, assignee (organisation, team) or deadline."""
    _require_manager(user, task.event)
    allowed = {"title", "description", "assignee_org", "assignee_team", "deadline"}
    unknown = set(values) - allowed
    if unknown:
        raise InvalidInput({name: [field_message("不能修改此项", "cannot be changed")] for name in sorted(unknown)})
    clean = _clean(task.event, values, created_at=task.created_at, creating=False)
    with transaction.atomic(), acting_as(user):
        for name, value in clean.items():
            setattr(task, name, value)
        if "deadline" in clean:
            task.overdue_flagged_at = None
        task.save()
    return task


def _clean_note(text) -> str:
    if text is None:
        return ""
    if not isinstance(text, str):
        raise InvalidInput({"text": [field_message("须为文本", "must be text")]})
    if len(text) > MAX_NOTE:
        raise InvalidInput({"text": [field_message(f"最多 {MAX_NOTE} 个字符", f"at most {MAX_NOTE} characters")]})
    return text.strip()


def transition(user, task: Task, to_status, *, note: str = "", now: datetime | None = None) -> Task:
    """Move a task one step (todo / in_progress / done / cancelled); recorded as a note."""
    now = now or timezone.now()
    text = _clean_note(note)
    if to_status not in TaskStatus.values:
        raise InvalidInput({"status": [field_message(f"须为以下之一：{'、'.join(TaskStatus.values)}",
                                                     f"must be one of: {', '.join(TaskStatus.values)}")]})
    if not may_work_on(user, task):
        raise NotPermitted("只有任务的负责机构和事件管辖地的卫生健康行政部门、疾控中心可以更新任务",
                           "Only the assigned organisation and the event's health commission or CDC may update it")
    if to_status == TaskStatus.CANCELLED and not text:
        raise InvalidInput({"note": [field_message("取消任务须说明理由", "Give the reason for cancelling the task")]})
    with transaction.atomic(), acting_as(user):
        task = Task.objects.select_for_update(of=("self",)).get(pk=task.pk)
        if to_status not in TASK_TRANSITIONS.get(task.status, ()):
            raise IllegalTaskTransition(task.status, to_status)
        before = task.status
        task.status = to_status
        task.completed_at = now if to_status == TaskStatus.DONE else None
        task.save(update_fields=["status", "completed_at", "updated_at"])
        TaskNote.objects.create(task=task, author=user, at=now, text=text, status_from=before, status_to=to_status)
    return task


# --- notes and attachments -----------------------------------------------------------------------------------

# Extension → (MIME type, signatures the file must start with; empty: text that must decode).
ATTACHMENT_TYPES = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", (b"PK\x03\x04",)),
    "doc": ("application/msword", (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)),
    "xls": ("application/vnd.ms-excel", (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)),
    "zip": ("application/zip", (b"PK\x03\x04",)),
    "txt": ("text/plain", ()),
    "csv": ("text/csv", ()),
}


def allowed_extensions() -> list[str]:
    configured = getattr(settings, "YINGJI_RESPONSE_ATTACHMENT_TYPES", None)
    return [e for e in (configured or ATTACHMENT_TYPES) if e in ATTACHMENT_TYPES]


def max_attachment_bytes() -> int:
    return int(getattr(settings, "YINGJI_RESPONSE_ATTACHMENT_MAX_BYTES", settings.YINGJI_MAX_UPLOAD_BYTES))


def check_attachment(upload) -> tuple[str, int, str]:
    """(file name, size, MIME type) of an acceptable attachment, or InvalidInput in both languages: the size
    limit, an allowed extension, and content that matches it (a renamed executable is refused)."""
    name = os.path.basename(getattr(upload, "name", "") or "").strip()[:200]
    size = getattr(upload, "size", None)
    limit = max_attachment_bytes()
    if not name:
        raise InvalidInput({"attachment": [field_message("文件须有名称", "The file needs a name")]})
    if size is None or size == 0:
        raise InvalidInput({"attachment": [field_message("文件为空", "The file is empty")]})
    if size > limit:
        raise InvalidInput({"attachment": [field_message(
            f"文件过大（{size // 1024} KB），上限为 {limit // 1024} KB",
            f"The file is too large ({size // 1024} KB); the limit is {limit // 1024} KB")]})
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    allowed = allowed_extensions()
    if extension not in allowed:
        raise InvalidInput({"attachment": [field_message(
            f"不支持的文件类型；允许：{'、'.join(allowed)}", f"File type not allowed; allowed: {', '.join(allowed)}")]})
    mime, signatures = ATTACHMENT_TYPES[extension]
    upload.seek(0)
    head = upload.read(4096)
    upload.seek(0)
    if signatures and not any(head.startswith(s) for s in signatures):
        raise InvalidInput({"attachment": [field_message(
            f"文件内容与扩展名 .{extension} 不符", f"The file's content does not match its extension .{extension}")]})
    if not signatures:
        if b"\x00" in head:
            raise InvalidInput({"attachment": [field_message("文本文件含有二进制内容",
                                                             "The text file holds binary content")]})
    return name, size, mime


def add_note(user, task: Task, text: str = "", *, upload=None, now: datetime | None = None) -> TaskNote:
    """A progress note (进展) by ``user``, with at most one attachment; a note needs text or a file."""
    now = now or timezone.now()
    if not may_work_on(user, task):
        raise NotPermitted("只有任务的负责机构和事件管辖地的卫生健康行政部门、疾控中心可以填写进展",
                           "Only the assigned organisation and the event's health commission or CDC may add notes")
    text = _clean_note(text)
    if upload is None and not text:
        raise InvalidInput({"text": [field_message("请填写进展或上传附件", "Write a note or attach a file")]})
    note = TaskNote(task=task, author=user, at=now, text=text)
    if upload is not None:
        name, size, mime = check_attachment(upload)
        note.attachment_name, note.attachment_size, note.attachment_type = name, size, mime
    with transaction.atomic(), acting_as(user):
        if upload is not None:
            extension = note.attachment_name.rsplit(".", 1)[-1].lower()
            note.attachment.save(f"{now:%Y%m%d%H%M%S}.{extension}", upload, save=False)
        note.save()
        Task.objects.filter(pk=task.pk).update(updated_at=now)
    return note


# --- overdue -------------------------------------------------------------------------------------------------


def task_link(task: Task) -> str:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse("response:task_detail", args=[task.pk])
    except NoReverseMatch:
        return ""


def flag_overdue(*, now: datetime | None = None) -> dict:
    """Flag tasks past their deadline and not done (once per task; a changed deadline clears the flag) and remind
    the assignee organisation's users in the app."""
    now = now or timezone.now()
    result = {"flagged": 0, "in_app": 0}
    due = Task.objects.filter(overdue_q(now), overdue_flagged_at__isnull=True).select_related("event", "assignee_org")
    for task in due:
        with transaction.atomic():
            if not Task.objects.filter(pk=task.pk, overdue_flagged_at__isnull=True).update(overdue_flagged_at=now):
                continue
            result["flagged"] += 1
            users = User.objects.filter(organisation_id=task.assignee_org_id, is_active=True).exclude(role="leader")
            deadline = timezone.localtime(task.deadline, SHANGHAI)
            sent = notify(users, f"任务逾期：{task.title}",
                          f"{task.event.number} 的任务“{task.title}”应于 {deadline:%Y-%m-%d %H:%M} 前完成，至今未完成。",
                          link=task_link(task), channels=("in_app",))
            result["in_app"] += sent.in_app
    return result


# --- statutory tasks -----------------------------------------------------------------------------------------


def _statutory_assignee(event: Event, kind: str, region_code: str | None = None) -> Organisation:
    """The organisation of ``kind`` nearest to ``region_code`` (a case's address) within the event's region."""
    from .checklists import KIND_ORGS, _ancestors, resolve_assignee

    if region_code and kind in KIND_ORGS and regioncodes.is_within(region_code, event.region_id):
        chain = [region_code, *_ancestors(region_code)]
        for code in chain[: chain.index(event.region_id) + 1 if event.region_id in chain else len(chain)]:
            org = (Organisation.objects.filter(kind__in=KIND_ORGS[kind], is_active=True, region_id=code)
                   .order_by("code").first())
            if org is not None:
                return org
    return resolve_assignee(event, kind)


def _create_statutory(event: Event, name: str, key: str, **fields) -> Task | None:
    try:
        with transaction.atomic():
            return Task.objects.create(event=event, origin=TaskOrigin.STATUTORY, statutory=True, rule=name,
                                       rule_key=key, **fields)
    except IntegrityError:
        return None  # made already (a retry or a concurrent job)


def statutory_tasks_for_case(event: Event, case_report, actor=None, *, now: datetime | None = None) -> list[Task]:
    """The statutory tasks a case added to ``event`` calls for: an epidemiological investigation (流行病学调查) by
    the CDC of the case's area within the event's region, due the configured hours (24) after the case was
    reported. Idempotent (one per event and case); an ended event or a disabled rule makes none. Returns the tasks
    made now."""
    now = now or timezone.now()
    config = rule(StatutoryRule.EPI_INVESTIGATION)
    if not config.get("enabled", True) or event.status == EventStatus.ENDED:
        return []
    key = f"case:{case_report.pk}"
    if Task.objects.filter(event=event, rule=StatutoryRule.EPI_INVESTIGATION, rule_key=key).exists():
        return []
    reported = getattr(case_report, "reported_at", None) or now
    deadline = reported + timedelta(hours=int(config["hours"]))
    region = getattr(case_report, "address_region_id", None)
    number = getattr(case_report, "card_number", "") or str(case_report.pk)
    with acting_as(actor):
        task = _create_statutory(
            event, StatutoryRule.EPI_INVESTIGATION, key,
            title=f"流行病学调查：病例 {number}",
            description=(f"按规定于病例报告后 {config['hours']} 小时内完成流行病学调查（报告卡 {number}），"
                         "查明感染来源、密切接触者和病例之间的关联。"),
            assignee_org=_statutory_assignee(event, config.get("assignee_kind", "cdc"), region),
            created_at=now, deadline=max(deadline, now + timedelta(minutes=1)), created_by=actor)
    return [task] if task else []


def local_today(now: datetime | None = None) -> date:
    return timezone.localtime(now or timezone.now(), SHANGHAI).date()


def response_active(event: Event) -> bool:
    return event.status != EventStatus.ENDED and event.response_level not in ("", ResponseLevel.NONE)


def ensure_daily_report_task(event: Event, *, now: datetime | None = None, actor=None) -> Task | None:
    """Today's daily report task (每日疫情报告) of an event under an active response, made once per day (Asia/
    Shanghai), assigned to the lead organisation, due the configured hours after the day's start."""
    now = now or timezone.now()
    config = rule(StatutoryRule.DAILY_REPORT)
    if not config.get("enabled", True) or not response_active(event):
        return None
    day = local_today(now)
    start = datetime.combine(day, time.min, tzinfo=SHANGHAI)
    deadline = start + timedelta(hours=int(config["hours"]))
    if deadline <= now:
        deadline = now + timedelta(hours=1)
    with acting_as(actor):
        return _create_statutory(
            event, StatutoryRule.DAILY_REPORT, f"day:{day.isoformat()}",
            title=f"每日疫情报告（{day:%Y-%m-%d}）",
            description=("应急响应期间每日报告疫情、监测和防控工作进展（"
                         f"{event.get_response_level_display()}）。"),
            assignee_org=_statutory_assignee(event, config.get("assignee_kind", "lead")),
            created_at=now, deadline=deadline, created_by=actor)


def daily_report_tasks(*, now: datetime | None = None) -> dict:
    """Make today's daily report task of every event under an active response (idempotent; run hourly)."""
    events = Event.objects.exclude(status=EventStatus.ENDED).exclude(response_level=ResponseLevel.NONE)
    made = sum(1 for event in events.select_related("lead_org", "region") if ensure_daily_report_task(event, now=now))
    return {"events": events.count(), "created": made}
