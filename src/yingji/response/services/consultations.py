"""Consultation meetings (会商研判) on an event: participants, materials, conclusions and decisions.

Rules:
- only users who may change the event record a meeting (core.scoping), and not on an ended event;
- the meeting is not before the event occurred; the chair is named; participants are platform users within reach or
  named people (experts, delegates) with their organisation in words — at least one name each;
- a decision has its text, optionally the organisation that answers for it (within reach) and a due date not before
  the meeting's day; a decision becomes a task of the event through the tasks service (services/tasks.py) when that
  service is installed, once only;
- materials are files of the listed types (by name and by content), at most ``YINGJI_RESPONSE_MATERIAL_MAX_BYTES``
  (default: the platform's upload limit), stored under MEDIA_ROOT and served only through the meeting's scoped page.
Every change runs in one transaction and is audited.
"""

from __future__ import annotations

import importlib
import os
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from yingji.core import scoping
from yingji.core.errors import Conflict, InvalidInput, field_message
from yingji.core.models import User
from yingji.core.services import acting_as
from yingji.surveillance.services.schedules import Errors, resolve_unit

from ..models import (
    Consultation,
    ConsultationKind,
    ConsultationMaterial,
    ConsultationParticipant,
    Decision,
    Event,
)
from .assessments import writable_event

MAX_TEXT = 8000
MAX_PARTICIPANTS = 200
MAX_DECISIONS = 100
CLOCK_SKEW = timedelta(minutes=1)
# File types a meeting's materials may have: extension → accepted leading bytes (None: any text without NUL bytes).
MATERIAL_TYPES = {
    ".pdf": (b"%PDF",),
    ".docx": (b"PK\x03\x04",), ".xlsx": (b"PK\x03\x04",), ".pptx": (b"PK\x03\x04",),
    ".doc": (b"\xd0\xcf\x11\xe0",), ".xls": (b"\xd0\xcf\x11\xe0",), ".ppt": (b"\xd0\xcf\x11\xe0",),
    ".png": (b"\x89PNG",), ".jpg": (b"\xff\xd8\xff",), ".jpeg": (b"\xff\xd8\xff",),
    ".txt": None, ".csv": None,
}
CONTENT_TYPES = {
    ".pdf": "application/pdf", ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".doc": "application/msword", ".xls": "application/vnd.ms-excel", ".ppt": "application/vnd.ms-powerpoint",
    ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".txt": "text/plain; charset=utf-8",
    ".csv": "text/csv; charset=utf-8",
}


def material_max_bytes() -> int:
    return int(getattr(settings, "YINGJI_RESPONSE_MATERIAL_MAX_BYTES", settings.YINGJI_MAX_UPLOAD_BYTES))


def consultations(user, event: Event | None = None) -> QuerySet:
    qs = scoping.scope(user, Consultation.objects.select_related("event", "organiser", "created_by"))
    return qs.filter(event=event) if event is not None else qs


def writable_consultation(user, consultation: Consultation | int) -> Consultation:
    pk = consultation.pk if isinstance(consultation, Consultation) else consultation
    consultation = scoping.get_scoped(user, Consultation.objects.select_related("event"), write=True, pk=pk)
    writable_event(user, consultation.event)
    return consultation


# --- validation ----------------------------------------------------------------------------------------------


def _text(values: dict, name: str, errors: Errors, *, limit: int = MAX_TEXT, required: str | None = None,
          required_en: str | None = None) -> str:
    value = values.get(name)
    value = (value or "").strip() if isinstance(value, str) or value is None else str(value)
    if required and not value:
        errors.add(name, required, required_en)
    elif len(value) > limit:
        errors.add(name, f"最多 {limit} 个字符", f"At most {limit} characters")
    return value


def _participants(user, rows, errors: Errors) -> list[ConsultationParticipant]:
    result = []
    if not isinstance(rows, list | tuple):
        errors.add("participants", "参会人员须为列表", "Participants must be a list")
        return result
    if len(rows) > MAX_PARTICIPANTS:
        errors.add("participants", f"参会人员最多 {MAX_PARTICIPANTS} 人", f"At most {MAX_PARTICIPANTS} participants")
        return result
    reachable = scoping.scope(user, User.objects.filter(is_active=True)) if rows else None
    for index, row in enumerate(rows, start=1):
        name = f"participants.{index}"
        if not isinstance(row, dict):
            errors.add(name, "参会人员格式有误", "A participant must be an object")
            continue
        person = None
        if row.get("user") not in (None, ""):
            person = reachable.filter(pk=row["user"]).select_related("organisation").first() \
                if isinstance(row["user"], int) and not isinstance(row["user"], bool) else None
            if person is None:
                errors.add(name, "用户不存在或不在您的管辖范围内", "No such user within your jurisdiction")
                continue
        who = (row.get("name") or "").strip() or (person.full_name or person.username if person else "")
        org = (row.get("organisation") or "").strip() or (person.organisation.name if person and
                                                           person.organisation_id else "")
        role = (row.get("role") or "").strip()
        if not who:
            errors.add(name, "请填写参会人员姓名", "Give the participant's name")
        elif len(who) > 100 or len(org) > 200 or len(role) > 100:
            errors.add(name, "姓名最多 100 字、单位最多 200 字、身份最多 100 字",
                       "Name at most 100, organisation 200, role 100 characters")
        else:
            result.append(ConsultationParticipant(user=person, name=who, organisation=org, role=role))
    return result


def _as_date(value, errors: Errors, name: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    errors.add(name, "日期格式应为 YYYY-MM-DD", "The date must be YYYY-MM-DD")
    return None


def _decision(user, row, held_on: date | None, errors: Errors, name: str | None = None) -> Decision | None:
    """One decision row; errors go under ``name`` (a row of a list) or, without it, under each field's name."""

    def key(field: str) -> str:
        return name or field

    if not isinstance(row, dict):
        errors.add(key("decision"), "决定事项格式有误", "A decision must be an object")
        return None
    text = (row.get("text") or "").strip() if isinstance(row.get("text"), str | None) else ""
    if not text:
        errors.add(key("text"), "请填写决定事项", "Give the decision")
        return None
    if len(text) > MAX_TEXT:
        errors.add(key("text"), f"决定事项最多 {MAX_TEXT} 个字符", f"A decision may have at most {MAX_TEXT} characters")
        return None
    org = None
    if row.get("responsible_org") not in (None, ""):
        org = resolve_unit(user, row["responsible_org"], errors, key("responsible_org"))
    due = _as_date(row.get("due_date"), errors, key("due_date"))
    if due is not None and held_on is not None and due < held_on:
        errors.add(key("due_date"), "完成期限不能早于会商日期", "The due date must not be before the meeting")
    return Decision(text=text, responsible_org=org, due_date=due)


# --- changes -------------------------------------------------------------------------------------------------


def create_consultation(user, event: Event | int, *, held_at: datetime, chair: str,
                        kind: str = ConsultationKind.SPECIAL, place: str = "", online: bool = False,
                        agenda: str = "", conclusions: str = "", participants=(), decisions=(),
                        organiser=None, now: datetime | None = None) -> Consultation:
    """Record a meeting with its participants and decisions (all or nothing)."""
    now = now or timezone.now()
    event = writable_event(user, event)
    errors = Errors()
    values = {"chair": chair, "place": place, "agenda": agenda, "conclusions": conclusions}
    if kind not in ConsultationKind.values:
        errors.add("kind", "未知的会商类型", "Unknown kind of consultation")
    if not isinstance(held_at, datetime):
        errors.add("held_at", "请填写会商时间", "Give the time of the meeting")
        held_on = None
    else:
        try:
            held_at = timezone.make_aware(held_at) if timezone.is_naive(held_at) else held_at
            held_on = timezone.localtime(held_at).date()
        except (OverflowError, ValueError):
            errors.add("held_at", "会商时间超出可表示的范围", "The time of the meeting is out of range")
            held_at = held_on = None
        if held_at is not None and held_at < event.occurred_at - CLOCK_SKEW:
            errors.add("held_at", "会商时间不能早于事件发生时间", "The meeting must not be before the event occurred")
    clean = {
        "chair": _text(values, "chair", errors, limit=100, required="请填写主持人", required_en="Name the chair"),
        "place": _text(values, "place", errors, limit=200),
        "agenda": _text(values, "agenda", errors),
        "conclusions": _text(values, "conclusions", errors),
    }
    if not clean["place"] and not online and "place" not in errors.fields:
        errors.add("place", "请填写会商地点，或选择视频会商", "Give the place, or mark the meeting as online")
    people = _participants(user, list(participants or []), errors)
    rows = list(decisions or [])
    if len(rows) > MAX_DECISIONS:
        errors.add("decisions", f"决定事项最多 {MAX_DECISIONS} 条", f"At most {MAX_DECISIONS} decisions")
        rows = []
    made = [_decision(user, row, held_on, errors, f"decisions.{i}") for i, row in enumerate(rows, start=1)]
    org = resolve_unit(user, organiser if organiser not in (None, "") else user.organisation_id, errors,
                       "organiser") if (organiser not in (None, "") or user.organisation_id) else None
    if org is None and "organiser" not in errors.fields:
        errors.add("organiser", "请选择组织单位", "Choose the organising unit")
    errors.raise_if_any()
    meeting = Consultation(event=event, held_at=held_at, kind=kind, online=bool(online), organiser=org,
                           created_by=user, **clean)
    with transaction.atomic(), acting_as(user):
        meeting.save()
        for person in people:
            person.consultation = meeting
            person.save()
        for decision in made:
            decision.consultation = meeting
            decision.save()
    return meeting


UPDATABLE = ("chair", "place", "online", "agenda", "conclusions", "kind")


def update_consultation(user, consultation: Consultation | int, changes: dict) -> Consultation:
    """Change the meeting's record (chair, place, online, agenda, conclusions, kind)."""
    meeting = writable_consultation(user, consultation)
    unknown = set(changes) - set(UPDATABLE)
    if unknown:
        raise InvalidInput({name: [field_message("该字段不可修改", "This field cannot be changed")]
                            for name in sorted(unknown)})
    errors = Errors()
    merged = {name: getattr(meeting, name) for name in UPDATABLE} | changes
    if merged["kind"] not in ConsultationKind.values:
        errors.add("kind", "未知的会商类型", "Unknown kind of consultation")
    clean = {
        "chair": _text(merged, "chair", errors, limit=100, required="请填写主持人", required_en="Name the chair"),
        "place": _text(merged, "place", errors, limit=200),
        "agenda": _text(merged, "agenda", errors),
        "conclusions": _text(merged, "conclusions", errors),
    }
    if not clean["place"] and not merged["online"] and "place" not in errors.fields:
        errors.add("place", "请填写会商地点，或选择视频会商", "Give the place, or mark the meeting as online")
    errors.raise_if_any()
    with transaction.atomic(), acting_as(user):
        for name, value in clean.items():
            setattr(meeting, name, value)
        meeting.online, meeting.kind = bool(merged["online"]), merged["kind"]
        meeting.save()
    return meeting


def add_participant(user, consultation: Consultation | int, values: dict | None = None,
                    **fields) -> ConsultationParticipant:
    """Add one participant (``values`` or keyword arguments: user (a platform user's id), name, organisation,
    role)."""
    meeting = writable_consultation(user, consultation)
    errors = Errors()
    people = _participants(user, [{**(values or {}), **fields}], errors)
    if errors:
        raise InvalidInput({"name" if key.startswith("participants") else key: value
                            for key, value in errors.fields.items()})
    with transaction.atomic(), acting_as(user):
        people[0].consultation = meeting
        people[0].save()
    return people[0]


def add_decision(user, consultation: Consultation | int, *, text: str, responsible_org=None,
                 due_date=None) -> Decision:
    meeting = writable_consultation(user, consultation)
    errors = Errors()
    decision = _decision(user, {"text": text, "responsible_org": responsible_org, "due_date": due_date},
                         timezone.localtime(meeting.held_at).date(), errors)
    errors.raise_if_any()
    with transaction.atomic(), acting_as(user):
        decision.consultation = meeting
        decision.save()
    return decision


def check_material(name: str, content: bytes) -> tuple[str, str]:
    """The cleaned file name and its content type, or InvalidInput (type by extension and by content; size)."""
    base = os.path.basename((name or "").replace("\\", "/")).strip()
    stem, ext = os.path.splitext(base)
    ext = ext.lower()
    limit = material_max_bytes()
    if not stem:
        raise InvalidInput({"file": [field_message("请选择文件", "Choose a file")]})
    if ext not in MATERIAL_TYPES:
        allowed = "、".join(sorted(MATERIAL_TYPES))
        raise InvalidInput({"file": [field_message(f"不支持的文件类型，可上传：{allowed}",
                                                   f"Unsupported file type; allowed: {', '.join(sorted(MATERIAL_TYPES))}")]})
    if not content:
        raise InvalidInput({"file": [field_message("文件为空", "The file is empty")]})
    if len(content) > limit:
        raise InvalidInput({"file": [field_message(f"文件过大（{len(content) // 1024} KB），上限为 {limit // 1024} KB",
                                                   f"The file is too large ({len(content) // 1024} KB); the limit is "
                                                   f"{limit // 1024} KB")]})
    magic = MATERIAL_TYPES[ext]
    if magic is None:
        if b"\x00" in content[:8192]:
            raise InvalidInput({"file": [field_message("文件内容与类型不符", "The file's content does not match its type")]})
    elif not any(content.startswith(m) for m in magic):
        raise InvalidInput({"file": [field_message("文件内容与类型不符", "The file's content does not match its type")]})
    safe = "".join(ch if ch.isalnum() or ch in "-_.（）()" else "_" for ch in stem)[:150] or "file"
    return f"{safe}{ext}", CONTENT_TYPES[ext]


def add_material(user, consultation: Consultation | int, *, name: str, content: bytes) -> ConsultationMaterial:
    meeting = writable_consultation(user, consultation)
    clean_name, content_type = check_material(name, content)
    material = ConsultationMaterial(consultation=meeting, name=clean_name, content_type=content_type,
                                    size=len(content), uploaded_by=user)
    with transaction.atomic(), acting_as(user):
        material.file.save(clean_name, ContentFile(content), save=False)
        material.save()
    return material


def delete_material(user, material: ConsultationMaterial | int) -> None:
    pk = material.pk if isinstance(material, ConsultationMaterial) else material
    material = scoping.get_scoped(user, ConsultationMaterial.objects.select_related("consultation"), write=True,
                                  pk=pk)
    writable_consultation(user, material.consultation)
    with transaction.atomic(), acting_as(user):
        stored = material.file.name
        material.delete()
        transaction.on_commit(lambda: material.file.storage.delete(stored))


# --- decisions → tasks ---------------------------------------------------------------------------------------


def _tasks_service():
    try:
        return importlib.import_module("yingji.response.services.tasks")
    except ImportError:
        return None


def tasks_available() -> bool:
    service = _tasks_service()
    return service is not None and hasattr(service, "create_task")


def decision_to_task(user, decision: Decision | int):
    """Make the decision a task of the event (assigned to its responsible organisation, due at the end of its due
    day, or ``YINGJI_RESPONSE_DECISION_TASK_HOURS`` hours from now without one). Once only."""
    pk = decision.pk if isinstance(decision, Decision) else decision
    decision = scoping.get_scoped(user, Decision.objects.select_related("consultation__event", "responsible_org"),
                                  write=True, pk=pk)
    meeting = writable_consultation(user, decision.consultation)
    service = _tasks_service()
    if service is None or not hasattr(service, "create_task"):
        raise Conflict("任务功能尚未启用", "Tasks are not available yet")
    if decision.task_ref:
        raise Conflict("该决定事项已转为任务", "This decision is already a task")
    if decision.responsible_org_id is None:
        raise InvalidInput({"responsible_org": [field_message("请先指定责任单位", "Name the responsible organisation first")]})
    if decision.due_date is not None:
        deadline = timezone.make_aware(datetime.combine(decision.due_date, time(23, 59)))
    else:
        hours = int(getattr(settings, "YINGJI_RESPONSE_DECISION_TASK_HOURS", 24))
        deadline = timezone.now() + timedelta(hours=hours)
    title = decision.text.splitlines()[0][:200]
    with transaction.atomic():
        task = service.create_task(user, meeting.event, title=title, description=decision.text,
                                   assignee_org=decision.responsible_org, deadline=deadline)
        with acting_as(user):
            decision.task_ref = str(task.pk)
            decision.save(update_fields=["task_ref"])
    return task
