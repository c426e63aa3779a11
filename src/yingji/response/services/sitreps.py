"""Situation reports (信息报送) on an event: the initial report (初次报告), progress reports (进程报告 1, 2 …) while the
response lasts, and one final report (结案报告) — statutory-rules §2.2–2.3.

Deadlines (settings, with the sourced defaults):
- initial: ``YINGJI_RESPONSE_SITREP_INITIAL_HOURS`` (2) hours after the event occurred / was discovered
  (《突发公共卫生事件应急条例》第二十条, 规范: 2 小时内);
- progress: ``YINGJI_RESPONSE_SITREP_PROGRESS_HOURS`` (24) hours after the latest submitted report (「重大及特别重大
  突发公共卫生事件至少按日进行进程报告」), while the response is active (level above none, event not ended);
- final: ``YINGJI_RESPONSE_SITREP_FINAL_DAYS`` (14) days after the event ended (结案: 确认终止后 2 周内).

Rules: one initial and one final report per event; progress and final reports follow a submitted initial report;
one progress draft at a time (numbered in order); no progress report on an ended event; a final report is submitted
only once the event has ended; a submitted report is read-only and submitting twice is refused; a report submitted
after its deadline is marked late. A new draft is filled from the event's data (level history, affected regions,
cases, contacts, tasks, risk assessments, consultations) for a person to edit. Submitting an initial or progress
report completes the day's statutory daily-report task of the tasks part (每日疫情报告), when there is one open.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldError
from django.db import IntegrityError, transaction
from django.db.models import Count, QuerySet
from django.utils import timezone

from yingji.core import scoping
from yingji.core.errors import Conflict, InvalidInput, YingjiError, field_message
from yingji.core.services import acting_as

from ..choices import EventStatus, ResponseLevel
from ..models import Event, SitrepKind, SitrepStatus, SituationReport
from ..models.sitrep import BODY_FIELDS
from .assessments import writable_event

MAX_TEXT = 20000
EDITABLE = ("title", *BODY_FIELDS)
KIND_LABELS = {SitrepKind.INITIAL: ("初次报告", "initial report"),
               SitrepKind.PROGRESS: ("进程报告", "progress report"),
               SitrepKind.FINAL: ("结案报告", "final report")}
LEVEL_TEXT = {ResponseLevel.NONE: "未启动响应", ResponseLevel.I: "Ⅰ级响应", ResponseLevel.II: "Ⅱ级响应",
              ResponseLevel.III: "Ⅲ级响应", ResponseLevel.IV: "Ⅳ级响应"}
RISK_TEXT = {"low": "低", "medium": "中", "high": "高", "very_high": "极高"}


def initial_hours() -> float:
    return float(getattr(settings, "YINGJI_RESPONSE_SITREP_INITIAL_HOURS", 2))


def progress_hours() -> float:
    return float(getattr(settings, "YINGJI_RESPONSE_SITREP_PROGRESS_HOURS", 24))


def final_days() -> float:
    return float(getattr(settings, "YINGJI_RESPONSE_SITREP_FINAL_DAYS", 14))


# --- reading -------------------------------------------------------------------------------------------------


def sitreps(user, event: Event | None = None) -> QuerySet:
    qs = scoping.scope(user, SituationReport.objects.select_related("event", "reporting_org", "submitted_by"))
    return qs.filter(event=event) if event is not None else qs


def _latest_submitted(event: Event, *, excluding: SituationReport | None = None) -> SituationReport | None:
    qs = event.situation_reports.filter(status=SitrepStatus.SUBMITTED)
    if excluding is not None and excluding.pk:
        qs = qs.exclude(pk=excluding.pk)
    return qs.order_by("-submitted_at", "-pk").first()


def due_for(event: Event, kind: str, *, excluding: SituationReport | None = None) -> datetime | None:
    """When a report of this kind on this event is due (None: no deadline yet — a final report before the event
    ends)."""
    if kind == SitrepKind.INITIAL:
        return event.occurred_at + timedelta(hours=initial_hours())
    if kind == SitrepKind.PROGRESS:
        latest = _latest_submitted(event, excluding=excluding)
        base = latest.submitted_at if latest else (event.response_started_at or event.occurred_at)
        return base + timedelta(hours=progress_hours())
    if kind == SitrepKind.FINAL:
        ended = event.ended_at or event.response_lifted_at if event.status == EventStatus.ENDED else None
        return ended + timedelta(days=final_days()) if ended else None
    return None


def is_overdue(report: SituationReport, now: datetime | None = None) -> bool:
    return report.status == SitrepStatus.DRAFT and report.due_at is not None and report.due_at < (now or timezone.now())


def response_active(event: Event) -> bool:
    return event.status != EventStatus.ENDED and event.response_level != ResponseLevel.NONE


def next_due(event: Event, *, now: datetime | None = None) -> list[dict]:
    """The reports the event owes now: kind, sequence, due time, overdue — for the list page and reminders."""
    now = now or timezone.now()
    reports = list(event.situation_reports.all())
    owed = []
    initial = next((r for r in reports if r.kind == SitrepKind.INITIAL), None)
    if initial is None or initial.status == SitrepStatus.DRAFT:
        owed.append((SitrepKind.INITIAL, 0, due_for(event, SitrepKind.INITIAL)))
    elif response_active(event):
        progress = [r for r in reports if r.kind == SitrepKind.PROGRESS]
        number = len(progress) + (0 if any(r.status == SitrepStatus.DRAFT for r in progress) else 1)
        owed.append((SitrepKind.PROGRESS, number, due_for(event, SitrepKind.PROGRESS)))
    final = next((r for r in reports if r.kind == SitrepKind.FINAL), None)
    if event.status == EventStatus.ENDED and (final is None or final.status == SitrepStatus.DRAFT):
        owed.append((SitrepKind.FINAL, 0, due_for(event, SitrepKind.FINAL)))
    return [{"kind": kind, "label": SitrepKind(kind).label, "sequence": seq, "due_at": due,
             "overdue": due is not None and due < now} for kind, seq, due in owed]


# --- the draft filled from the event's data ------------------------------------------------------------------


def _local(value: datetime | None) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value else "—"


def _count(model_name: str, **lookup) -> int | None:
    """How many records of another part's model match (None when that model or field is not there yet)."""
    try:
        model = apps.get_model("response", model_name)
        return model._default_manager.filter(**lookup).count()
    except (LookupError, FieldError, ValueError):
        return None


def _grouped(model_name: str, field: str, **lookup) -> dict[str, int]:
    try:
        model = apps.get_model("response", model_name)
        rows = model._default_manager.filter(**lookup).values(field).annotate(n=Count("pk"))
        return {row[field]: row["n"] for row in rows}
    except (LookupError, FieldError, ValueError):
        return {}


def _titles(model_name: str, *, limit: int = 10, order: str = "pk", **lookup) -> list:
    try:
        model = apps.get_model("response", model_name)
        return list(model._default_manager.filter(**lookup).order_by(order)[:limit])
    except (LookupError, FieldError, ValueError):
        return []


def event_facts(event: Event) -> dict:
    """What the event's records say, read defensively (a part not yet installed contributes nothing)."""
    regions = [r.name for r in event.affected_regions.order_by("code")]
    report = event.source_report if event.source_report_id else None
    tasks = _grouped("Task", "status", event=event)
    return {
        "regions": regions,
        "levels": list(event.level_changes.order_by("at", "pk")),
        "cases": _count("EventCase", event=event),
        "reported_cases": report.cases if report else None,
        "reported_deaths": report.deaths if report else None,
        "contacts": _count("Contact", event=event),
        "under_observation": _count("Quarantine", contact__event=event, status="active"),
        "tasks": tasks,
        "tasks_done": _titles("Task", event=event, status="done", order="-completed_at"),
        "tasks_open": _titles("Task", event=event, status__in=("todo", "in_progress"), order="deadline"),
        "assessment": event.risk_assessments.order_by("-assessed_at", "-pk").first(),
        "consultations": list(event.consultations.order_by("-held_at", "-pk").prefetch_related("decisions")[:5]),
    }


def _kind_title(event: Event, kind: str, sequence: int) -> str:
    if kind == SitrepKind.PROGRESS:
        return f"{event.title}进程报告（第{sequence}期）"[:200]
    return f"{event.title}{KIND_LABELS[kind][0]}"[:200]


def draft_values(event: Event, kind: str, sequence: int = 0) -> dict:
    """The title and body of a new report, composed from the event's data (in Chinese, the reports' language)."""
    facts = event_facts(event)
    overview = [
        f"事件名称：{event.title}（编号 {event.number}）",
        f"事件类别：{event.get_category_display()}；事件等级：{event.get_grade_display()}",
        f"发生（发现）时间：{_local(event.occurred_at)}",
        f"发生地区：{event.region.name}" + (f"；波及：{'、'.join(facts['regions'])}" if facts["regions"] else ""),
        f"牵头单位：{event.lead_org.name}",
        f"当前响应：{LEVEL_TEXT.get(event.response_level, event.response_level)}"
        + (f"（{_local(event.response_started_at)} 启动）" if event.response_started_at else ""),
    ]
    if event.disease_id:
        overview.insert(2, f"病种：{event.disease.name}")
    if event.description:
        overview.append(f"事件简述：{event.description}")
    if kind == SitrepKind.FINAL and event.ended_at:
        overview.append(f"终止时间：{_local(event.ended_at)}")
    counts = []
    if facts["cases"] is not None:
        counts.append(f"纳入本事件管理的病例 {facts['cases']} 例")
    if facts["reported_cases"] is not None:
        counts.append(f"事件报告累计发病 {facts['reported_cases']} 例、死亡 {facts['reported_deaths']} 例")
    if facts["contacts"] is not None:
        counts.append(f"密切接触者 {facts['contacts']} 人")
    if facts["under_observation"] is not None:
        counts.append(f"仍在隔离医学观察 {facts['under_observation']} 人")
    trend = [f"{_local(c.at)} {LEVEL_TEXT.get(c.from_level, c.from_level)} → {LEVEL_TEXT.get(c.to_level, c.to_level)}："
             f"{c.reason}" + (f"（{c.decided_by}）" if c.decided_by else "") for c in facts["levels"]]
    causes = []
    assessment = facts["assessment"]
    if assessment is not None:
        trend.append(f"最近一次风险评估（{_local(assessment.assessed_at)}）：可能性 {assessment.likelihood} 级、"
                     f"后果 {assessment.consequence} 级，风险{RISK_TEXT.get(assessment.risk_level, '')}，"
                     f"建议{LEVEL_TEXT.get(assessment.recommended_level, '')}。")
        if assessment.rationale:
            causes.append(assessment.rationale)
    measures = []
    if facts["tasks"]:
        total = sum(facts["tasks"].values())
        measures.append(f"共部署任务 {total} 项：已完成 {facts['tasks'].get('done', 0)} 项，进行中 "
                        f"{facts['tasks'].get('in_progress', 0)} 项，待办 {facts['tasks'].get('todo', 0)} 项。")
        measures += [f"- {t.title}" for t in facts["tasks_done"]]
    for meeting in facts["consultations"]:
        measures.append(f"{_local(meeting.held_at)} 召开{meeting.get_kind_display()}"
                        + (f"：{meeting.conclusions}" if meeting.conclusions else "。"))
    if assessment is not None and assessment.measures:
        measures.append(f"风险评估建议：{assessment.measures}")
    next_steps = [f"- {t.title}（期限 {_local(t.deadline)}）" for t in facts["tasks_open"]]
    for meeting in facts["consultations"]:
        next_steps += [f"- {d.text}" + (f"（{d.due_date:%Y-%m-%d} 前）" if d.due_date else "")
                       for d in meeting.decisions.all() if not d.task_ref]
    if kind == SitrepKind.FINAL and event.closing_summary:
        causes.append(event.closing_summary)
    return {
        "title": _kind_title(event, kind, sequence),
        "overview": "\n".join(overview),
        "cases_deaths": "；".join(counts) + ("。" if counts else ""),
        "trend": "\n".join(trend),
        "causes": "\n".join(causes),
        "measures": "\n".join(measures),
        "next_steps": "\n".join(next_steps),
        "needs": "",
    }


# --- changes -------------------------------------------------------------------------------------------------


def _initial(event: Event) -> SituationReport | None:
    return event.situation_reports.filter(kind=SitrepKind.INITIAL).first()


def create_sitrep(user, event: Event | int, kind: str, *, reporting_org=None,
                  now: datetime | None = None) -> SituationReport:
    """A new draft of this kind, filled from the event's data (edit it, then submit)."""
    if kind not in SitrepKind.values:
        raise InvalidInput({"kind": [field_message("报告类别须为初次报告、进程报告或结案报告",
                                                   "The report type must be initial, progress or final")]})
    event = writable_event(user, event, allow_ended=kind != SitrepKind.PROGRESS)
    org = user.organisation if reporting_org is None else reporting_org
    if org is None:
        org = event.lead_org
    with transaction.atomic():
        event = Event.objects.select_for_update(of=("self",)).select_related("region", "lead_org", "disease").get(pk=event.pk)
        reports = list(event.situation_reports.all())
        initial = next((r for r in reports if r.kind == SitrepKind.INITIAL), None)
        sequence = 0
        if kind == SitrepKind.INITIAL and initial is not None:
            raise Conflict("该事件已有初次报告", "This event already has an initial report")
        if kind != SitrepKind.INITIAL and (initial is None or initial.status != SitrepStatus.SUBMITTED):
            raise Conflict("初次报告提交后才能填写进程报告或结案报告",
                           "Progress and final reports follow a submitted initial report")
        if any(r.kind == SitrepKind.FINAL and r.status == SitrepStatus.SUBMITTED for r in reports):
            raise Conflict("该事件已结案，不能再填写报告", "This event has a final report; nothing more can be added")
        if kind == SitrepKind.FINAL and any(r.kind == SitrepKind.FINAL for r in reports):
            raise Conflict("该事件已有结案报告", "This event already has a final report")
        if kind == SitrepKind.PROGRESS:
            progress = [r for r in reports if r.kind == SitrepKind.PROGRESS]
            if any(r.status == SitrepStatus.DRAFT for r in progress):
                raise Conflict("已有未提交的进程报告草稿，请先提交", "A progress report draft is open; submit it first")
            sequence = len(progress) + 1
        report = SituationReport(event=event, kind=kind, sequence=sequence, reporting_org=org, created_by=user,
                                 due_at=due_for(event, kind), **draft_values(event, kind, sequence))
        try:
            with transaction.atomic(), acting_as(user):
                report.save()
        except IntegrityError:
            raise Conflict("该报告已由他人同时建立，请刷新", "Someone created this report at the same time; reload") from None
    return report


def writable_sitrep(user, report: SituationReport | int) -> SituationReport:
    pk = report.pk if isinstance(report, SituationReport) else report
    report = scoping.get_scoped(user, SituationReport.objects.select_related("event"), write=True, pk=pk)
    if report.status != SitrepStatus.DRAFT:
        raise Conflict("已提交的报告不能修改或再次提交", "A submitted report cannot be changed or submitted again")
    return report


def _clean(changes: dict) -> dict:
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise InvalidInput({name: [field_message("该字段不可修改", "This field cannot be changed")]
                            for name in sorted(unknown)})
    fields, clean = {}, {}
    for name, value in changes.items():
        if value is not None and not isinstance(value, str):
            fields[name] = [field_message("须为文本", "Must be text")]
            continue
        text = (value or "").strip()
        limit = 200 if name == "title" else MAX_TEXT
        if len(text) > limit:
            fields[name] = [field_message(f"最多 {limit} 个字符", f"At most {limit} characters")]
        elif name == "title" and not text:
            fields[name] = [field_message("请填写报告标题", "Give the report's title")]
        clean[name] = text
    if fields:
        raise InvalidInput(fields)
    return clean


def update_sitrep(user, report: SituationReport | int, changes: dict) -> SituationReport:
    """Change a draft's title and body."""
    report = writable_sitrep(user, report)
    clean = _clean(changes)
    with transaction.atomic(), acting_as(user):
        for name, value in clean.items():
            setattr(report, name, value)
        report.due_at = due_for(report.event, report.kind, excluding=report)
        report.save()
    return report


def submit_sitrep(user, report: SituationReport | int, changes: dict | None = None, *,
                  now: datetime | None = None) -> SituationReport:
    """Submit a draft (with last changes, if given): it becomes read-only; late when past its deadline."""
    now = now or timezone.now()
    clean = _clean(changes or {})
    with transaction.atomic():
        report = writable_sitrep(user, report)
        report = SituationReport.objects.select_for_update(of=("self",)).select_related("event").get(pk=report.pk)
        if report.status != SitrepStatus.DRAFT:
            raise Conflict("已提交的报告不能修改或再次提交", "A submitted report cannot be changed or submitted again")
        for name, value in clean.items():
            setattr(report, name, value)
        event = report.event
        if report.kind != SitrepKind.INITIAL:
            initial = _initial(event)
            if initial is None or initial.status != SitrepStatus.SUBMITTED:
                raise Conflict("请先提交初次报告", "Submit the initial report first")
        if report.kind == SitrepKind.FINAL and event.status != EventStatus.ENDED:
            raise Conflict("事件终止后才能提交结案报告", "A final report is submitted once the event has ended")
        if not report.overview.strip():
            raise InvalidInput({"overview": [field_message("请填写事件概况", "Give the event overview")]})
        report.due_at = due_for(event, report.kind, excluding=report)
        report.status, report.submitted_at, report.submitted_by = SitrepStatus.SUBMITTED, now, user
        report.late = report.due_at is not None and now > report.due_at
        with acting_as(user):
            report.save()
        if report.kind != SitrepKind.FINAL:
            _close_daily_report_task(user, report, now)
    return report


def _close_daily_report_task(user, report: SituationReport, now: datetime) -> None:
    """A submitted initial or progress report is that day's daily report: the tasks part's statutory daily-report
    task of the day (每日疫情报告, rule key ``day:YYYY-MM-DD``) is marked done, when that part is installed and the
    task is open. Never blocks the submission (runs in a savepoint; a refusal leaves the task as it was)."""
    try:
        from ..models import Task
        from . import tasks as task_service
    except ImportError:
        return
    day = timezone.localtime(now).date()
    task = Task.objects.filter(event_id=report.event_id, rule="daily_report", rule_key=f"day:{day.isoformat()}",
                               status__in=("todo", "in_progress")).first()
    if task is None:
        return
    note = f"已提交{report.get_kind_display()}{report.sequence or ''}：{report.title}"[:4000]
    try:
        with transaction.atomic():
            task_service.transition(user, task, "done", note=note, now=now)
    except YingjiError:
        pass
