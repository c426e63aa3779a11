"""Public-health event reports over /api/v1/event-reports: list, create (initial report), get, change a draft,
submit, reject, progress and final reports, draft proposals from cluster rules, history.

Mounted in yingji/api.py with ``api.add_router("/v1", "yingji.surveillance.api.events.router")``. Reads go through
core.scoping; every change through surveillance.services.events.
"""

from datetime import datetime
from typing import Any, Literal

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status

from yingji.core import idempotency, scoping
from yingji.core.api import ID_PATH, IDEMPOTENCY_KEY, _audit_entry, _aware, _created, _existing
from yingji.core.api_schemas import (
    NO_NUL,
    AuditEntryOut,
    InputSchema,
    IsoDateTime,
    PageParams,
    page_of,
    paginate,
)
from yingji.core.audit import history_for

from .. import deadlines
from ..choices import EventCategory, EventGrade, EventReportStatus, EventReportType
from ..models import EventReport, EventSource
from ..services import events
from .aggregate import CodeNameRef, UnitRef, _region_prefix, org_ref

router = Router()
events_router = Router(tags=["event-reports"])


def _lit(choices) -> Any:
    return Literal[tuple(choices.values)]


def _user(request: HttpRequest):
    return request.auth


TEXT = Field("", max_length=4000, pattern=NO_NUL)


class EventIn(InputSchema):
    title: str = Field(..., min_length=1, max_length=200, pattern=NO_NUL,
                       description="事件名称（一般含发生地、事件类型）/ event name")
    category: _lit(EventCategory) = Field(..., description="事件类别 / category")
    grade: _lit(EventGrade) = Field("ungraded", description="事件等级（初次报告不能为 not_emergency）/ grade")
    disease: str | None = Field(None, max_length=16, pattern=NO_NUL, description="病种编码 / disease code")
    region: str = Field(..., min_length=6, max_length=9, pattern=NO_NUL,
                        description="发生地区划代码（县区或乡镇街道）/ region where it happened")
    place: str = Field("", max_length=200, pattern=NO_NUL, description="详细地点（学校、单位……）/ place")
    reporting_org: str | None = Field(None, max_length=32, pattern=NO_NUL,
                                      description="报告单位机构代码（留空为本单位）/ reporting unit code")
    discovered_at: IsoDateTime = Field(..., description="发现时间（初次报告须在其后 2 小时内提交）/ time of discovery")
    cases: int = Field(0, strict=True, ge=0, le=10_000_000, description="发病人数 / cases")
    deaths: int = Field(0, strict=True, ge=0, le=10_000_000, description="死亡人数 / deaths")
    description: str = TEXT
    measures: str = TEXT
    report_number: str | None = Field(None, max_length=64, pattern=NO_NUL,
                                      description="报告编号（留空自动生成）/ report number (generated when empty)")
    submit: bool = Field(False, strict=True, description="立即提交（否则存为草稿）/ submit now (else a draft)")


class EventPatch(InputSchema):
    title: str | None = Field(None, min_length=1, max_length=200, pattern=NO_NUL)
    category: _lit(EventCategory) | None = None
    grade: _lit(EventGrade) | None = None
    disease: str | None = Field(None, max_length=16, pattern=NO_NUL)
    place: str | None = Field(None, max_length=200, pattern=NO_NUL)
    discovered_at: IsoDateTime | None = None
    cases: int | None = Field(None, strict=True, ge=0, le=10_000_000)
    deaths: int | None = Field(None, strict=True, ge=0, le=10_000_000)
    description: str | None = Field(None, max_length=4000, pattern=NO_NUL)
    measures: str | None = Field(None, max_length=4000, pattern=NO_NUL)


class EventFollowUpIn(InputSchema):
    title: str | None = Field(None, min_length=1, max_length=200, pattern=NO_NUL,
                              description="留空沿用上一份报告 / empty: carried over")
    category: _lit(EventCategory) | None = None
    grade: _lit(EventGrade) | None = Field(None, description="结案报告可为 not_emergency / a final report may say "
                                                             "not_emergency")
    cases: int | None = Field(None, strict=True, ge=0, le=10_000_000)
    deaths: int | None = Field(None, strict=True, ge=0, le=10_000_000)
    description: str = TEXT
    measures: str = TEXT
    report_number: str | None = Field(None, max_length=64, pattern=NO_NUL)
    submit: bool = Field(False, strict=True, description="立即提交 / submit now")


class EventRejectIn(InputSchema):
    reason: str = Field(..., min_length=1, max_length=2000, pattern=NO_NUL, description="驳回原因 / reason")


class EventDeadlineOut(Schema):
    status: str = Field(..., description="on_time, late, pending, overdue, no_deadline")
    label: str
    label_en: str
    deadline: datetime | None
    delay_hours: float | None


class EventOut(Schema):
    id: int
    report_number: str
    report_type: str
    report_type_label: str
    sequence: int = Field(..., description="进程报告序号 / progress report number")
    initial: int | None = Field(None, description="所属初次报告 / the initial report")
    status: str
    status_label: str
    status_reason: str
    title: str
    category: str
    category_label: str
    grade: str
    grade_label: str
    disease: CodeNameRef | None
    region: CodeNameRef
    place: str
    reporting_org: UnitRef
    discovered_at: datetime
    reported_at: datetime | None
    deadline: EventDeadlineOut
    cases: int
    deaths: int
    description: str
    measures: str
    source: str = Field(..., description="manual 人工 / cluster_rule 聚集规则提出")
    cluster_rule: str | None
    case_reports: list[int]
    follow_ups: list[int]
    created_at: datetime
    updated_at: datetime


class EventFilter(PageParams):
    status: _lit(EventReportStatus) | None = None
    report_type: _lit(EventReportType) | None = None
    category: _lit(EventCategory) | None = None
    grade: _lit(EventGrade) | None = None
    source: _lit(EventSource) | None = None
    region: str | None = Field(None, max_length=9, pattern=NO_NUL, description="发生地区划，含下级 / region subtree")
    discovered_from: IsoDateTime | None = Field(None, description="发现时间起（含）/ discovered from")
    discovered_to: IsoDateTime | None = Field(None, description="发现时间止（不含）/ discovered before")
    q: str | None = Field(None, max_length=64, pattern=NO_NUL, description="名称、编号或地点 / search")


def event_out(r: EventReport) -> dict:
    assessment = events.deadline_status(r)
    zh, en = deadlines.LABELS[assessment.status]
    return {
        **{name: getattr(r, name) for name in (
            "id", "report_number", "report_type", "sequence", "status", "status_reason", "title", "category",
            "grade", "place", "discovered_at", "reported_at", "cases", "deaths", "description", "measures", "source",
            "created_at", "updated_at")},
        "initial": r.initial_id,
        "report_type_label": str(r.get_report_type_display()), "status_label": str(r.get_status_display()),
        "category_label": str(r.get_category_display()), "grade_label": str(r.get_grade_display()),
        "disease": {"code": r.disease.code, "name": r.disease.name} if r.disease_id else None,
        "region": {"code": r.region.code, "name": r.region.name},
        "reporting_org": org_ref(r.reporting_org),
        "deadline": {"status": str(assessment.status), "label": zh, "label_en": en, "deadline": assessment.deadline,
                     "delay_hours": None if assessment.delay is None else round(assessment.delay_hours, 2)},
        "cluster_rule": r.cluster_rule.code if r.cluster_rule_id else None,
        "case_reports": sorted(c.pk for c in r.case_reports.all()),
        "follow_ups": sorted(f.pk for f in r.follow_ups.all()),
    }


def _events():
    return EventReport.objects.select_related("disease", "region", "reporting_org__region", "cluster_rule",
                                              "initial").prefetch_related("case_reports", "follow_ups")


def _out(report: EventReport) -> dict:
    return event_out(_events().get(pk=report.pk))


def _event(request, event_id: int, *, write: bool = False) -> EventReport:
    return scoping.get_scoped(_user(request), _events(), write=write, pk=event_id)


def _filtered(request, filters: EventFilter, qs):
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.report_type:
        qs = qs.filter(report_type=filters.report_type)
    if filters.category:
        qs = qs.filter(category=filters.category)
    if filters.grade:
        qs = qs.filter(grade=filters.grade)
    if filters.source:
        qs = qs.filter(source=filters.source)
    if filters.region:
        qs = qs.filter(region__code__startswith=_region_prefix(filters.region))
    since, until = _aware(filters.discovered_from, "discovered_from"), _aware(filters.discovered_to, "discovered_to")
    if since:
        qs = qs.filter(discovered_at__gte=since)
    if until:
        qs = qs.filter(discovered_at__lt=until)
    if filters.q:
        qs = qs.filter(Q(title__icontains=filters.q) | Q(report_number__icontains=filters.q)
                       | Q(place__icontains=filters.q))
    page = paginate(qs.order_by("-discovered_at", "-pk"), filters)
    page["items"] = [event_out(r) for r in page["items"]]
    return page


@events_router.get("", response=page_of(EventOut), summary="突发事件报告列表 / List event reports")
def list_event_reports(request, filters: Query[EventFilter]):
    """管辖范围内（发生地或报告单位）的突发公共卫生事件相关信息报告，新发现的在前。 / Event reports within reach."""
    return _filtered(request, filters, scoping.scope(_user(request), _events()))


@events_router.get("/proposals", response=page_of(EventOut), summary="聚集规则提出的草稿 / Draft proposals")
def list_event_proposals(request, filters: Query[EventFilter]):
    """按报告标准（聚集规则）自动提出、待疾控核实的草稿初次报告。 / Draft initial reports proposed by the cluster rules,
    awaiting the CDC's verification."""
    return _filtered(request, filters, events.proposals(_user(request)).select_related(
        "disease", "region", "reporting_org__region", "cluster_rule").prefetch_related("case_reports", "follow_ups"))


@events_router.post("", response={201: EventOut, 200: EventOut}, summary="新建初次报告 / Create an initial report")
def create_event_report(request, payload: EventIn, response: HttpResponse,
                        idempotency_key: str | None = IDEMPOTENCY_KEY):
    """初次报告（发现后 2 小时内提交）。submit=false 存为草稿。带 Idempotency-Key 的重试返回首次建立的报告。
    / An initial report (due 2 hours after discovery); submit=false keeps it a draft. A retry with the same
    Idempotency-Key answers with the report made first."""
    user = _user(request)
    data = payload.model_dump()
    data["discovered_at"] = _aware(payload.discovered_at, "discovered_at")
    data["reporting_org"] = payload.reporting_org or user.organisation_id
    outcome = idempotency.create_once(
        user, "surveillance.event_report", idempotency_key, payload.model_dump(mode="json"),
        create=lambda: events.create_event_report(user, **data),
        fetch=lambda pk: _existing(user, _events(), pk),
    )
    return _created(response, idempotency.Outcome(_out(outcome.obj), outcome.replayed))


@events_router.get("/{int:event_id}", response=EventOut, summary="事件报告详情 / Get an event report")
def get_event_report(request, event_id: int = ID_PATH):
    return event_out(_event(request, event_id))


@events_router.patch("/{int:event_id}", response=EventOut, summary="修改草稿 / Change a draft")
def update_event_report(request, payload: EventPatch, event_id: int = ID_PATH):
    """只修改请求体中给出的字段；仅草稿可改。 / Change only the fields given; drafts only."""
    report = _event(request, event_id, write=True)
    changes = payload.model_dump(exclude_unset=True)
    if "discovered_at" in changes:
        changes["discovered_at"] = _aware(payload.discovered_at, "discovered_at")
    return _out(events.update_event_report(_user(request), report, changes))


@events_router.post("/{int:event_id}/submit", response=EventOut, summary="提交草稿 / Submit a draft")
def submit_event_report(request, event_id: int = ID_PATH):
    """提交草稿（报告时间为现在；初次报告据此判定是否及时）。 / Submit a draft (reported now; an initial report's
    timeliness is measured to this time)."""
    report = _event(request, event_id, write=True)
    return _out(events.submit_event_report(_user(request), report))


@events_router.post("/{int:event_id}/reject", response=EventOut, summary="驳回草稿 / Reject a draft")
def reject_event_report(request, payload: EventRejectIn, event_id: int = ID_PATH):
    """驳回草稿（如经核实不构成报告标准），须说明原因。 / Reject a draft (e.g. not reportable once verified), with the
    reason."""
    report = _event(request, event_id, write=True)
    return _out(events.reject_event_report(_user(request), report, payload.reason))


def _follow_up(request, event_id: int, payload: EventFollowUpIn, report_type: str) -> Status:
    initial = _event(request, event_id, write=True)
    return Status(201, _out(events.add_follow_up(_user(request), initial, report_type, **payload.model_dump())))


@events_router.post("/{int:event_id}/progress", response={201: EventOut}, summary="进程报告 / Add a progress report")
def add_progress_report(request, payload: EventFollowUpIn, event_id: int = ID_PATH):
    """接在已提交的初次报告之后；结案后不能再报。未填的字段沿用上一份已提交的报告。 / Follows a submitted initial
    report; nothing after the final report. Fields left out are carried over from the latest submitted report."""
    return _follow_up(request, event_id, payload, EventReportType.PROGRESS)


@events_router.post("/{int:event_id}/final", response={201: EventOut}, summary="结案报告 / Add the final report")
def add_final_report(request, payload: EventFollowUpIn, event_id: int = ID_PATH):
    """每起事件一份结案报告（可定为非突发事件）。 / One final report per event (which may grade it not an emergency)."""
    return _follow_up(request, event_id, payload, EventReportType.FINAL)


@events_router.get("/{int:event_id}/history", response=page_of(AuditEntryOut), summary="修改记录 / History")
def event_report_history(request, params: Query[PageParams], event_id: int = ID_PATH):
    report = _event(request, event_id)
    page = paginate(history_for(report).select_related("content_type"), params)
    page["items"] = [_audit_entry(e) for e in page["items"]]
    return page


router.add_router("/event-reports", events_router)
