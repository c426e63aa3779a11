"""Supervision, inspection and rectification over /api/v1/inspections and /api/v1/findings (督导检查/整改台账).

Mounted in yingji/api.py with ``api.add_router("/v1", "yingji.response.api.inspections.router")``. Reads go through
core.scoping; every change through response.services.inspections. ``overdue`` is computed at the time of the request
(an open or rectifying finding past its deadline, Beijing date).
"""

from datetime import date, datetime
from typing import Annotated, Any, Literal

from django.db.models import Q
from django.http import FileResponse, HttpRequest, HttpResponse
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from yingji.core import idempotency, scoping
from yingji.core.api import ID_PATH, IDEMPOTENCY_KEY, _audit_entry, _created, _existing
from yingji.core.api_schemas import MAX_ID, NO_NUL, AuditEntryOut, InputSchema, PageParams, page_of, paginate
from yingji.core.audit import history_for
from yingji.core.errors import InvalidInput, NotFound, field_message
from yingji.core.regioncodes import CodeError, subtree_prefix
from yingji.surveillance.api.common import IsoDate

from ..models import Finding, Inspection
from ..models.inspection import OVERDUE, FindingCategory, FindingStatus, InspectionKind, ReviewResult
from ..services import inspections as svc

router = Router()
inspections_router = Router(tags=["inspections"])
findings_router = Router(tags=["inspections"])


def _lit(*values) -> Any:
    return Literal[tuple(values)]


def _user(request: HttpRequest):
    return request.auth


def _prefix(code: str | None) -> str | None:
    if not code:
        return None
    try:
        return subtree_prefix(code)
    except CodeError as exc:
        raise InvalidInput({"region": [field_message(exc.message_zh, exc.message_en)]}) from exc


TEXT = Field("", max_length=4000, pattern=NO_NUL)
UnitCode = Annotated[str, Field(min_length=1, max_length=32, pattern=NO_NUL)]


# --- schemas --------------------------------------------------------------------------------------------------


class InspectionUnitRef(Schema):
    id: int
    code: str
    name: str
    region: str


class InspectionRegionRef(Schema):
    code: str
    name: str


class FindingNewIn(InputSchema):
    description: str = Field(..., min_length=1, max_length=4000, pattern=NO_NUL, description="问题描述 / problem")
    category: _lit(*FindingCategory.values) = Field("other", description="问题类别 / category")
    responsible_org: int | UnitCode = Field(..., description="责任单位（机构 ID 或代码，须在受检地区内）/ responsible unit "
                                                        "(id or code, within the region inspected)")
    deadline: IsoDate | None = Field(None, description="整改期限（不早于检查日期；留空为检查日期后默认天数）/ deadline "
                                                       "(not before the inspection date; default: configured days)")
    requirement: str = TEXT


class InspectionIn(InputSchema):
    region: str | None = Field(None, max_length=9, pattern=NO_NUL,
                               description="受检地区区划代码（回头看可留空，沿用原检查）/ region inspected")
    date: IsoDate = Field(..., description="检查日期 / inspection date")
    kind: _lit(*InspectionKind.values) = Field("supervision", description="督导 supervision / 检查 inspection / "
                                                                          "暗访 unannounced / 回头看 follow_up")
    topic: str = Field(..., min_length=1, max_length=200, pattern=NO_NUL, description="检查主题 / topic")
    inspecting_org: int | UnitCode | None = Field(None, description="检查单位（留空为本单位）/ inspecting unit")
    inspected_orgs: list[int | UnitCode] = Field(default_factory=list, max_length=200,
                                            description="受检单位 / units inspected")
    event: int | None = Field(None, strict=True, ge=1, le=MAX_ID, description="关联的突发事件 / emergency event")
    follow_up_of: int | None = Field(None, strict=True, ge=1, le=MAX_ID, description="回头看所跟进的检查 / the inspection followed up")
    inspectors: str = Field("", max_length=2000, pattern=NO_NUL, description="检查人员 / inspectors")
    summary: str = TEXT
    findings: list[FindingNewIn] = Field(default_factory=list, max_length=200, description="发现的问题 / findings")


class InspectionPatch(InputSchema):
    topic: str | None = Field(None, min_length=1, max_length=200, pattern=NO_NUL)
    inspectors: str | None = Field(None, max_length=2000, pattern=NO_NUL)
    summary: str | None = Field(None, max_length=4000, pattern=NO_NUL)


class RectificationIn(InputSchema):
    note: str = Field("", max_length=4000, pattern=NO_NUL, description="整改情况 / what was done")
    done: bool = Field(False, strict=True, description="整改完成（否则为整改中）/ rectified (else in progress)")


class ReviewIn(InputSchema):
    finding: int = Field(..., strict=True, ge=1, le=MAX_ID, description="被验收的问题 / the finding checked")
    result: _lit(*ReviewResult.values) = Field(..., description="verified 整改到位 / not_rectified 未整改到位")
    note: str = TEXT
    deadline: IsoDate | None = Field(None, description="未整改到位时的新期限 / new deadline when not rectified")


class FindingOut(Schema):
    id: int
    inspection: int
    inspection_date: date
    inspection_topic: str
    description: str
    category: str
    category_label: str
    responsible_org: InspectionUnitRef
    region: InspectionRegionRef
    deadline: date
    requirement: str
    status: str = Field(..., description="open / rectifying / rectified / verified")
    status_label: str
    overdue: bool = Field(..., description="逾期：未整改完成且已过期限 / open or rectifying past the deadline")
    days_overdue: int
    rectification_note: str
    rectified_at: datetime | None
    has_evidence: bool
    evidence_name: str
    reviewed_in: int | None
    review_result: str
    review_note: str
    verified_at: datetime | None
    created_at: datetime
    updated_at: datetime


class InspectionOut(Schema):
    id: int
    region: InspectionRegionRef
    inspecting_org: InspectionUnitRef
    inspected_orgs: list[InspectionUnitRef]
    date: date
    kind: str
    kind_label: str
    topic: str
    event: int | None
    follow_up_of: int | None
    follow_ups: list[int]
    inspectors: str
    summary: str
    finding_count: int
    open_count: int = Field(..., description="未验收的问题数 / findings not yet verified")
    overdue_count: int
    created_at: datetime
    updated_at: datetime


class InspectionFilter(PageParams):
    kind: _lit(*InspectionKind.values) | None = None
    region: str | None = Field(None, max_length=9, pattern=NO_NUL, description="受检地区，含下级 / region subtree")
    event: int | None = Field(None, ge=1, le=MAX_ID)
    date_from: IsoDate | None = Field(None, description="检查日期起（含）/ from")
    date_to: IsoDate | None = Field(None, description="检查日期止（含）/ until")
    has_overdue: bool | None = Field(None, description="仅含逾期问题的检查 / only those with overdue findings")
    q: str | None = Field(None, max_length=64, pattern=NO_NUL, description="主题或检查人员 / search")


class FindingFilter(PageParams):
    state: _lit(*FindingStatus.values, OVERDUE) | None = Field(
        None, description="状态（open/rectifying 不含逾期的；overdue 为逾期）/ state (overdue is computed)")
    overdue: bool | None = Field(None, description="仅逾期 / overdue only")
    category: _lit(*FindingCategory.values) | None = None
    responsible_org: int | None = Field(None, ge=1, le=MAX_ID)
    inspection: int | None = Field(None, ge=1, le=MAX_ID)
    region: str | None = Field(None, max_length=9, pattern=NO_NUL, description="受检地区，含下级 / region subtree")
    deadline_from: IsoDate | None = None
    deadline_to: IsoDate | None = None


# --- output ---------------------------------------------------------------------------------------------------


def _unit(org) -> dict:
    return {"id": org.pk, "code": org.code, "name": org.name, "region": org.region_id}


def finding_out(f: Finding, now=None) -> dict:
    return {
        **{name: getattr(f, name) for name in (
            "id", "description", "category", "deadline", "requirement", "status", "rectification_note",
            "rectified_at", "evidence_name", "review_result", "review_note", "verified_at", "created_at",
            "updated_at")},
        "inspection": f.inspection_id, "inspection_date": f.inspection.date, "inspection_topic": f.inspection.topic,
        "category_label": str(f.get_category_display()), "status_label": str(f.get_status_display()),
        "responsible_org": _unit(f.responsible_org),
        "region": {"code": f.inspection.region_id, "name": f.inspection.region.name},
        "overdue": svc.is_overdue(f, now=now), "days_overdue": svc.days_overdue(f, now=now),
        "has_evidence": bool(f.evidence), "reviewed_in": f.reviewed_in_id,
    }


def inspection_out(i: Inspection) -> dict:
    return {
        **{name: getattr(i, name) for name in (
            "id", "date", "kind", "topic", "inspectors", "summary", "finding_count", "open_count", "overdue_count",
            "created_at", "updated_at")},
        "region": {"code": i.region_id, "name": i.region.name},
        "inspecting_org": _unit(i.inspecting_org),
        "inspected_orgs": [_unit(o) for o in i.inspected_orgs.all()],
        "kind_label": str(i.get_kind_display()), "event": i.event_id, "follow_up_of": i.follow_up_of_id,
        "follow_ups": sorted(f.pk for f in i.follow_ups.all()),
    }


def _inspections():
    return svc.with_counts(Inspection.objects.select_related("region", "inspecting_org")
                           .prefetch_related("inspected_orgs", "follow_ups"))


def _findings():
    return Finding.objects.select_related("inspection__region", "responsible_org")


def _inspection(request, pk: int, *, write: bool = False) -> Inspection:
    return scoping.get_scoped(_user(request), _inspections(), write=write, pk=pk)


def _finding(request, pk: int, *, write: bool = False) -> Finding:
    return scoping.get_scoped(_user(request), _findings(), write=write, pk=pk)


def _inspection_result(inspection: Inspection) -> dict:
    return inspection_out(_inspections().get(pk=inspection.pk))


def _finding_result(finding: Finding) -> dict:
    return finding_out(_findings().get(pk=finding.pk))


# --- inspections ----------------------------------------------------------------------------------------------


@inspections_router.get("", response=page_of(InspectionOut), summary="督导检查列表 / List inspections")
def list_inspections(request, filters: Query[InspectionFilter]):
    """管辖范围内的督导检查（受检地区），新的在前。 / Inspections within reach, newest first."""
    qs = scoping.scope(_user(request), _inspections())
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    prefix = _prefix(filters.region)
    if prefix:
        qs = qs.filter(region__code__startswith=prefix)
    if filters.event:
        qs = qs.filter(event_id=filters.event)
    if filters.date_from:
        qs = qs.filter(date__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(date__lte=filters.date_to)
    if filters.has_overdue:
        qs = svc.with_overdue_findings(qs)
    if filters.q:
        qs = qs.filter(Q(topic__icontains=filters.q) | Q(inspectors__icontains=filters.q))
    page = paginate(qs.order_by("-date", "-pk"), filters)
    page["items"] = [inspection_out(i) for i in page["items"]]
    return page


@inspections_router.post("", response={201: InspectionOut, 200: InspectionOut},
                         summary="新建督导检查 / Create an inspection")
def create_inspection(request, payload: InspectionIn, response: HttpResponse,
                      idempotency_key: str | None = IDEMPOTENCY_KEY):
    """新建检查（可同时列出发现的问题，全部成功或全部不保存）。回头看须给出 follow_up_of。带 Idempotency-Key 的重试返回首次
    建立的记录。 / A new inspection, optionally with its findings (all or nothing). A follow-up names follow_up_of."""
    user = _user(request)
    data = payload.model_dump()
    outcome = idempotency.create_once(
        user, "response.inspection", idempotency_key, payload.model_dump(mode="json"),
        create=lambda: svc.create_inspection(user, **data),
        fetch=lambda pk: _existing(user, _inspections(), pk),
    )
    return _created(response, idempotency.Outcome(_inspection_result(outcome.obj), outcome.replayed))


@inspections_router.get("/{int:inspection_id}", response=InspectionOut, summary="检查详情 / Get an inspection")
def get_inspection(request, inspection_id: int = ID_PATH):
    return inspection_out(_inspection(request, inspection_id))


@inspections_router.patch("/{int:inspection_id}", response=InspectionOut, summary="修改检查 / Change an inspection")
def update_inspection(request, payload: InspectionPatch, inspection_id: int = ID_PATH):
    """只改主题、检查人员、检查情况。 / Only the topic, inspectors and summary change."""
    inspection = _inspection(request, inspection_id, write=True)
    svc.update_inspection(_user(request), inspection, payload.model_dump(exclude_unset=True))
    return _inspection_result(inspection)


@inspections_router.get("/{int:inspection_id}/findings", response=page_of(FindingOut),
                        summary="检查发现的问题 / Findings of an inspection")
def list_inspection_findings(request, params: Query[PageParams], inspection_id: int = ID_PATH):
    inspection = _inspection(request, inspection_id)
    page = paginate(scoping.scope(_user(request), _findings().filter(inspection=inspection)), params)
    page["items"] = [finding_out(f) for f in page["items"]]
    return page


@inspections_router.post("/{int:inspection_id}/findings", response={201: FindingOut},
                         summary="登记问题 / Add a finding")
def add_finding(request, payload: FindingNewIn, inspection_id: int = ID_PATH):
    """责任单位须在受检地区和您的管辖范围内；整改期限不早于检查日期。 / The responsible unit lies within the region
    inspected and your reach; the deadline is not before the inspection date."""
    inspection = _inspection(request, inspection_id, write=True)
    finding = svc.add_finding(_user(request), inspection, **payload.model_dump())
    return Status(201, _finding_result(finding))


@inspections_router.get("/{int:inspection_id}/to-review", response=page_of(FindingOut),
                        summary="回头看待验收的问题 / Findings a follow-up checks")
def list_findings_to_review(request, params: Query[PageParams], inspection_id: int = ID_PATH):
    """回头看所跟进的检查的全部问题及其整改状态。 / The findings of the inspections this follow-up follows."""
    inspection = _inspection(request, inspection_id)
    qs = scoping.scope(_user(request), svc.findings_to_review(inspection).select_related(
        "inspection__region", "responsible_org"))
    page = paginate(qs.order_by("deadline", "pk"), params)
    page["items"] = [finding_out(f) for f in page["items"]]
    return page


@inspections_router.post("/{int:inspection_id}/reviews", response=FindingOut,
                         summary="回头看验收 / Check a finding in a follow-up")
def review_finding(request, payload: ReviewIn, inspection_id: int = ID_PATH):
    """整改到位（仅已整改的问题）或未整改到位（退回整改，可给新期限）。 / Verified (only a rectified finding) or not
    rectified (back to rectifying, optionally with a new deadline)."""
    follow_up = _inspection(request, inspection_id, write=True)
    finding = scoping.get_scoped(_user(request), _findings(), pk=payload.finding)
    svc.review_finding(_user(request), follow_up, finding, result=payload.result, note=payload.note,
                       deadline=payload.deadline)
    return _finding_result(finding)


@inspections_router.get("/{int:inspection_id}/history", response=page_of(AuditEntryOut),
                        summary="修改记录 / History")
def inspection_history(request, params: Query[PageParams], inspection_id: int = ID_PATH):
    inspection = _inspection(request, inspection_id)
    page = paginate(history_for(inspection).select_related("content_type"), params)
    page["items"] = [_audit_entry(e) for e in page["items"]]
    return page


# --- findings (the ledger) ------------------------------------------------------------------------------------


@findings_router.get("", response=page_of(FindingOut), summary="整改台账 / Rectification ledger")
def list_findings(request, filters: Query[FindingFilter]):
    """管辖范围内全部问题（责任单位可见本单位的），按整改期限排序。 / Every finding within reach (a unit sees its own),
    by deadline."""
    qs = scoping.scope(_user(request), _findings())
    if filters.state:
        qs = svc.filter_state(qs, filters.state)
    if filters.overdue:
        qs = svc.overdue(qs)
    if filters.category:
        qs = qs.filter(category=filters.category)
    if filters.responsible_org:
        qs = qs.filter(responsible_org_id=filters.responsible_org)
    if filters.inspection:
        qs = qs.filter(inspection_id=filters.inspection)
    prefix = _prefix(filters.region)
    if prefix:
        qs = qs.filter(inspection__region__code__startswith=prefix)
    if filters.deadline_from:
        qs = qs.filter(deadline__gte=filters.deadline_from)
    if filters.deadline_to:
        qs = qs.filter(deadline__lte=filters.deadline_to)
    page = paginate(qs.order_by("deadline", "pk"), filters)
    page["items"] = [finding_out(f) for f in page["items"]]
    return page


@findings_router.get("/{int:finding_id}", response=FindingOut, summary="问题详情 / Get a finding")
def get_finding(request, finding_id: int = ID_PATH):
    return finding_out(_finding(request, finding_id))


@findings_router.post("/{int:finding_id}/rectification", response=FindingOut,
                      summary="报告整改情况 / Record rectification")
def record_rectification(request, payload: RectificationIn, finding_id: int = ID_PATH):
    """责任单位报告整改：整改中，或整改完成（须说明整改情况）。佐证材料在页面上传。 / The responsible unit reports:
    in progress, or done (with a note). Evidence files are uploaded on the page."""
    finding = _finding(request, finding_id, write=True)
    svc.record_rectification(_user(request), finding, note=payload.note, done=payload.done)
    return _finding_result(finding)


EVIDENCE_FILE = File(None, description="佐证材料（PDF、图片、Word、Excel、文本或 ZIP）/ evidence file")


@findings_router.post("/{int:finding_id}/evidence", response=FindingOut, summary="上传佐证材料 / Upload evidence")
def upload_evidence(request, finding_id: int = ID_PATH, file: UploadedFile | None = EVIDENCE_FILE):
    """multipart/form-data：file（佐证材料，限大小和类型），替换已有的材料。 / multipart/form-data: ``file`` (size- and
    type-checked), replacing any earlier one."""
    finding = _finding(request, finding_id, write=True)
    svc.attach_evidence(_user(request), finding, file)
    return _finding_result(finding)


@findings_router.get("/{int:finding_id}/evidence", summary="下载佐证材料 / Download the evidence", response={200: None})
def download_evidence(request, finding_id: int = ID_PATH):
    finding = _finding(request, finding_id)
    if not finding.evidence:
        raise NotFound("该问题没有佐证材料", "This finding has no evidence file")
    try:
        handle = finding.evidence.open("rb")
    except OSError as missing:  # the stored file is gone (a database restored without its media)
        raise NotFound("佐证材料文件不存在", "The evidence file is missing") from missing
    return FileResponse(handle, as_attachment=True, filename=finding.evidence_name or "evidence")


@findings_router.get("/{int:finding_id}/history", response=page_of(AuditEntryOut), summary="修改记录 / History")
def finding_history(request, params: Query[PageParams], finding_id: int = ID_PATH):
    finding = _finding(request, finding_id)
    page = paginate(history_for(finding).select_related("content_type"), params)
    page["items"] = [_audit_entry(e) for e in page["items"]]
    return page


router.add_router("/inspections", inspections_router)
router.add_router("/findings", findings_router)
