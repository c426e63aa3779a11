"""Situation reports (信息报送) over /api/v1/sitreps and /api/v1/emergencies/{event_id}/sitreps: list, get, start a
draft filled from the event's data (initial / progress / final), change a draft, submit it (read-only afterwards),
and the reports an event owes now with their deadlines.

Reads go through core.scoping; every change through services.sitreps. Schema classes are named Sitrep….
"""

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from yingji.core import scoping
from yingji.core.api import ID_PATH
from yingji.core.api_schemas import NO_NUL, InputSchema, PageParams, page_of, paginate

from ..models import Event, SitrepKind, SitrepStatus, SituationReport
from ..services import sitreps as svc

router = Router()
sitreps_router = Router(tags=["sitreps"])
event_sitreps_router = Router(tags=["sitreps"])

KindCode = Literal[tuple(SitrepKind.values)]
TEXT = Field(None, max_length=svc.MAX_TEXT, pattern=NO_NUL)


def _user(request: HttpRequest):
    return request.auth


class SitrepEventRef(Schema):
    id: int
    number: str
    title: str


class SitrepOut(Schema):
    id: int
    event: SitrepEventRef
    kind: str = Field(..., description="initial 初次报告 / progress 进程报告 / final 结案报告")
    kind_label: str
    sequence: int = Field(..., description="进程报告期数 / progress report number (0 otherwise)")
    status: str = Field(..., description="draft 草稿 / submitted 已提交")
    title: str
    due_at: datetime | None
    overdue: bool = Field(..., description="草稿已过时限 / a draft past its deadline")
    late: bool = Field(..., description="提交时已过时限 / submitted after its deadline")
    overview: str = Field(..., description="事件概况 / event overview")
    cases_deaths: str = Field(..., description="发病与死亡 / cases and deaths")
    trend: str = Field(..., description="发展趋势 / development and trend")
    causes: str = Field(..., description="诊断、原因与风险 / diagnosis, causes and risk")
    measures: str = Field(..., description="已采取措施 / measures taken")
    next_steps: str = Field(..., description="下一步工作 / next steps")
    needs: str = Field(..., description="需求与困难 / needs and difficulties")
    reporting_org: int
    reporting_org_name: str
    submitted_at: datetime | None
    submitted_by: str | None
    created_at: datetime
    updated_at: datetime


class SitrepIn(InputSchema):
    kind: KindCode = Field(..., description="initial / progress / final")


class SitrepPatch(InputSchema):
    title: str | None = Field(None, min_length=1, max_length=200, pattern=NO_NUL)
    overview: str | None = TEXT
    cases_deaths: str | None = TEXT
    trend: str | None = TEXT
    causes: str | None = TEXT
    measures: str | None = TEXT
    next_steps: str | None = TEXT
    needs: str | None = TEXT


class SitrepFilter(PageParams):
    event: int | None = Field(None, ge=1, le=2**63 - 1, description="事件 ID / event id")
    kind: KindCode | None = None
    status: Literal[tuple(SitrepStatus.values)] | None = None


class SitrepDueOut(Schema):
    kind: str
    kind_label: str
    sequence: int
    due_at: datetime | None
    overdue: bool


def sitrep_out(r: SituationReport) -> dict:
    return {
        "id": r.pk, "event": {"id": r.event_id, "number": r.event.number, "title": r.event.title},
        "kind": r.kind, "kind_label": str(r.get_kind_display()), "sequence": r.sequence, "status": r.status,
        "title": r.title, "due_at": r.due_at, "overdue": svc.is_overdue(r), "late": r.late,
        **{name: getattr(r, name) for name in ("overview", "cases_deaths", "trend", "causes", "measures",
                                               "next_steps", "needs", "submitted_at", "created_at", "updated_at")},
        "reporting_org": r.reporting_org_id, "reporting_org_name": r.reporting_org.name,
        "submitted_by": (r.submitted_by.full_name or r.submitted_by.username) if r.submitted_by_id else None,
    }


def _related(qs):
    return qs.select_related("event", "reporting_org", "submitted_by")


def _sitrep(request, pk: int) -> SituationReport:
    return scoping.get_scoped(_user(request), _related(SituationReport.objects.all()), pk=pk)


def _out(report: SituationReport) -> dict:
    return sitrep_out(_related(SituationReport.objects.all()).get(pk=report.pk))


def _page(qs, filters: SitrepFilter) -> dict:
    if filters.event:
        qs = qs.filter(event_id=filters.event)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.status:
        qs = qs.filter(status=filters.status)
    page = paginate(_related(qs).order_by("-created_at", "-pk"), filters)
    page["items"] = [sitrep_out(r) for r in page["items"]]
    return page


@sitreps_router.get("", response=page_of(SitrepOut), summary="信息报送列表 / List situation reports")
def list_sitreps(request, filters: Query[SitrepFilter]):
    """管辖范围内事件的初次、进程、结案报告，新的在前。 / Situation reports of the events within reach, newest first."""
    return _page(svc.sitreps(_user(request)), filters)


@sitreps_router.get("/{int:sitrep_id}", response=SitrepOut, summary="报告详情 / Get a situation report")
def get_sitrep(request, sitrep_id: int = ID_PATH):
    return sitrep_out(_sitrep(request, sitrep_id))


@sitreps_router.patch("/{int:sitrep_id}", response=SitrepOut, summary="修改草稿 / Change a draft")
def update_sitrep(request, payload: SitrepPatch, sitrep_id: int = ID_PATH):
    """只修改请求体中给出的字段；已提交的报告只读（409）。 / Change only the fields given; a submitted report is
    read-only (409)."""
    report = _sitrep(request, sitrep_id)
    changes = {k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None}
    return _out(svc.update_sitrep(_user(request), report, changes))


@sitreps_router.post("/{int:sitrep_id}/submit", response=SitrepOut, summary="提交报告 / Submit a draft")
def submit_sitrep(request, sitrep_id: int = ID_PATH):
    """提交后只读；超过时限的标记为迟报。再次提交返回 409。 / Read-only once submitted; marked late when past the
    deadline. Submitting again is a 409."""
    report = _sitrep(request, sitrep_id)
    return _out(svc.submit_sitrep(_user(request), report))


@event_sitreps_router.get("/{int:event_id}/sitreps", response=page_of(SitrepOut),
                          summary="事件的信息报送 / An event's situation reports")
def list_event_sitreps(request, filters: Query[SitrepFilter], event_id: int = ID_PATH):
    event = scoping.get_scoped(_user(request), Event.objects.all(), pk=event_id)
    return _page(svc.sitreps(_user(request), event), filters)


@event_sitreps_router.get("/{int:event_id}/sitreps/due", response=list[SitrepDueOut],
                          summary="应报报告与时限 / Reports owed now")
def event_sitreps_due(request, event_id: int = ID_PATH):
    """事件当前应报的报告（初次、下一期进程、结案）及其时限。 / The reports the event owes now and their deadlines."""
    event = scoping.get_scoped(_user(request), Event.objects.all(), pk=event_id)
    return [{**row, "kind_label": str(row["label"])} for row in svc.next_due(event)]


@event_sitreps_router.post("/{int:event_id}/sitreps", response={201: SitrepOut},
                           summary="新建报告草稿 / Start a report draft")
def create_sitrep(request, payload: SitrepIn, event_id: int = ID_PATH):
    """按事件数据（响应级别变化、波及地区、病例、密接、任务、风险评估、会商）生成草稿，修改后提交。每起事件一份初次
    报告、一份结案报告。 / A draft filled from the event's data, to edit and submit. One initial and one final report
    per event."""
    user = _user(request)
    event = scoping.get_scoped(user, Event.objects.all(), pk=event_id)
    return Status(201, _out(svc.create_sitrep(user, event, payload.kind)))


router.add_router("/sitreps", sitreps_router)
router.add_router("/emergencies", event_sitreps_router)
