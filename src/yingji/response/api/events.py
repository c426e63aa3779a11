"""Emergency events over /api/v1/emergencies: list, create (by hand, from a signal or an event report;
idempotent with ``Idempotency-Key``), get with the response-level history, change the response level, move the
status (启动 → 处置中), end (终止, with the closing summary), set the affected regions, history.

Mounted in yingji/api.py. Reads go through core.scoping (services.events.events); every change through
services.events. Schema classes are named Emergency… (one OpenAPI document holds every app's classes).
"""

from datetime import datetime
from typing import Annotated, Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema

from yingji.core import idempotency, scoping
from yingji.core.api import ID_PATH, IDEMPOTENCY_KEY, _aware, _created, _existing
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
from yingji.core.errors import InvalidInput, field_message
from yingji.surveillance.choices import EventCategory, EventGrade

from ..choices import EventStatus, ResponseLevel
from ..models import Event
from ..services import events as svc

router = Router()
emergencies_router = Router(tags=["emergencies"])


def _lit(choices, *, without=()) -> Any:
    return Literal[tuple(v for v in choices.values if v not in without)]


def _user(request: HttpRequest):
    return request.auth


RegionCode = Annotated[str, Field(min_length=6, max_length=9, pattern=r"^\d{6}(\d{3})?$",
                                  description="行政区划代码 / region code")]


class EmergencyRef(Schema):
    code: str
    name: str


class EmergencyOrgRef(Schema):
    id: int
    code: str
    name: str


class EmergencyLevelChangeOut(Schema):
    id: int
    from_level: str
    to_level: str
    escalation: bool = Field(..., description="升级（true）或降级/解除（false）/ escalation (true) or not")
    reason: str
    decided_by: str
    at: datetime
    actor: str | None = Field(..., description="记录人用户名 / username of who recorded it")


class EmergencyOut(Schema):
    id: int
    number: str
    title: str
    category: str
    category_label: str
    grade: str
    grade_label: str
    disease: EmergencyRef | None
    region: EmergencyRef
    affected_regions: list[EmergencyRef]
    lead_org: EmergencyOrgRef
    origin: str
    source_signal: int | None
    source_report: int | None
    status: str
    status_label: str
    response_level: str
    response_level_label: str
    response_started_at: datetime | None
    response_lifted_at: datetime | None
    occurred_at: datetime
    description: str
    ended_at: datetime | None
    closing_summary: str
    created_at: datetime
    updated_at: datetime


class EmergencyDetailOut(EmergencyOut):
    level_changes: list[EmergencyLevelChangeOut]


class EmergencyFilter(PageParams):
    status: _lit(EventStatus) | None = Field(None, description="状态 / status")
    level: _lit(ResponseLevel) | None = Field(None, description="响应级别 / response level")
    category: _lit(EventCategory) | None = Field(None, description="事件类别 / category")
    grade: _lit(EventGrade) | None = Field(None, description="事件等级 / grade")
    active: bool | None = Field(None, description="true：未终止；false：已终止 / true: not ended; false: ended")
    region: str | None = Field(None, min_length=6, max_length=9, pattern=r"^\d{6}(\d{3})?$",
                               description="区划代码，含下级（所属或受影响）/ region subtree (own or affected)")
    q: str | None = Field(None, min_length=1, max_length=64, pattern=NO_NUL, description="名称或编号 / search")


class EmergencyIn(InputSchema):
    title: str | None = Field(None, min_length=1, max_length=200, pattern=NO_NUL,
                              description="事件名称（由信号/报告启动时可留空）/ title (may be empty from a signal/report)")
    category: _lit(EventCategory) | None = Field(None, description="事件类别 / category")
    grade: _lit(EventGrade, without=(EventGrade.NOT_EMERGENCY,)) | None = Field(None, description="事件等级 / grade")
    disease: str | None = Field(None, min_length=1, max_length=16, pattern=NO_NUL, description="病种编码 / disease")
    region: str | None = Field(None, min_length=6, max_length=9, pattern=r"^\d{6}(\d{3})?$",
                               description="处置事件的辖区 / the jurisdiction handling the event")
    affected_regions: list[RegionCode] | None = Field(None, max_length=500,
                                               description="受影响地区（须在辖区内）/ affected regions (within it)")
    lead_org: str | None = Field(None, min_length=1, max_length=32, pattern=NO_NUL,
                                 description="牵头机构代码（留空为本单位）/ lead organisation code")
    occurred_at: IsoDateTime | None = Field(None, description="发生（发现）时间 / occurred or discovered at")
    description: str | None = Field(None, max_length=8000, pattern=NO_NUL)
    number: str | None = Field(None, min_length=1, max_length=32, pattern=NO_NUL,
                               description="事件编号（留空自动生成 SJ-区划-年-序号）/ number (generated when empty)")
    signal: int | None = Field(None, strict=True, ge=1, le=2**63 - 1,
                               description="由预警信号启动（疑似/调查/确认）/ open from this signal")
    report: int | None = Field(None, strict=True, ge=1, le=2**63 - 1, description="由事件报告启动 / open from this event report")


class EmergencyPatch(InputSchema):
    title: str | None = Field(None, min_length=1, max_length=200, pattern=NO_NUL)
    category: _lit(EventCategory) | None = None
    grade: _lit(EventGrade, without=(EventGrade.NOT_EMERGENCY,)) | None = None
    disease: str | None = Field(None, max_length=16, pattern=NO_NUL, description="病种编码（空为无）/ disease code")
    description: str | None = Field(None, max_length=8000, pattern=NO_NUL)
    lead_org: str | None = Field(None, min_length=1, max_length=32, pattern=NO_NUL, description="牵头机构代码 / code")
    occurred_at: IsoDateTime | None = None


class EmergencyLevelIn(InputSchema):
    to_level: _lit(ResponseLevel) = Field(..., description="新的响应级别（none 为解除）/ the new level (none lifts it)")
    reason: str = Field("", max_length=4000, pattern=NO_NUL, description="调整理由（必填）/ reason (required)")
    decided_by: str = Field("", max_length=200, pattern=NO_NUL, description="决定机关 / deciding authority")


class EmergencyStatusIn(InputSchema):
    status: Literal["ongoing"] = Field(..., description="转入处置中 / move to 'being handled'")


class EmergencyEndIn(InputSchema):
    closing_summary: str = Field("", max_length=8000, pattern=NO_NUL, description="结案总结（必填）/ closing summary "
                                                                                   "(required)")
    decided_by: str = Field("", max_length=200, pattern=NO_NUL, description="决定机关 / deciding authority")
    release_contacts: bool = Field(False, strict=True, description="一并解除仍在医学观察中的密接（理由“事件终止”）；否则仍有密接在观察"
                                                      "时返回 409 / release the contacts still under medical "
                                                      "observation (reason 事件终止); otherwise ending is a 409 "
                                                      "while any remain")


class EmergencyRegionsIn(InputSchema):
    affected_regions: list[RegionCode] = Field(..., min_length=1, max_length=500,
                                        description="受影响地区（须在辖区内）/ affected regions (within the event's)")


def emergency_out(e: Event) -> dict:
    return {
        **{name: getattr(e, name) for name in (
            "id", "number", "title", "category", "grade", "origin", "status", "response_level",
            "response_started_at", "response_lifted_at", "occurred_at", "description", "ended_at",
            "closing_summary", "created_at", "updated_at")},
        "category_label": str(e.get_category_display()), "grade_label": str(e.get_grade_display()),
        "status_label": str(e.get_status_display()), "response_level_label": str(e.get_response_level_display()),
        "disease": {"code": e.disease.code, "name": e.disease.name} if e.disease_id else None,
        "region": {"code": e.region.code, "name": e.region.name},
        "affected_regions": [{"code": r.code, "name": r.name} for r in e.affected_regions.order_by("code")],
        "lead_org": {"id": e.lead_org.pk, "code": e.lead_org.code, "name": e.lead_org.name},
        "source_signal": e.source_signal_id, "source_report": e.source_report_id,
    }


def detail_out(e: Event) -> dict:
    return {**emergency_out(e), "level_changes": [
        {"id": c.pk, "from_level": c.from_level, "to_level": c.to_level, "escalation": svc.is_escalation(c),
         "reason": c.reason, "decided_by": c.decided_by, "at": c.at,
         "actor": c.actor.username if c.actor_id else None} for c in svc.level_history(e)]}


def _events():
    return Event.objects.select_related("region", "lead_org", "disease")


def _event(request, event_id: int) -> Event:
    return scoping.get_scoped(_user(request), _events(), pk=event_id)


def _fresh(event: Event) -> dict:
    return detail_out(_events().get(pk=event.pk))


@emergencies_router.get("", response=page_of(EmergencyOut), summary="突发事件列表 / List emergency events")
def list_emergencies(request, filters: Query[EmergencyFilter]):
    """管辖范围内的突发事件，发生时间新的在前。 / Emergency events within your jurisdiction, newest first."""
    qs = svc.events(_user(request), status=filters.status, level=filters.level, category=filters.category,
                    grade=filters.grade, active=filters.active, region=filters.region, q=filters.q)
    page = paginate(qs.order_by("-occurred_at", "-pk"), filters)
    page["items"] = [emergency_out(e) for e in page["items"]]
    return page


@emergencies_router.post("", response={201: EmergencyDetailOut, 200: EmergencyDetailOut},
                         summary="启动突发事件 / Open an emergency event")
def create_emergency(request, payload: EmergencyIn, response: HttpResponse,
                     idempotency_key: str | None = IDEMPOTENCY_KEY):
    """手工新建，或由预警信号（signal，须为疑似事件/现场调查/确认暴发；信号随即转为“已关联事件”）或事件报告（report）
    启动，未填字段取自来源。带 Idempotency-Key 的重试返回首次建立的事件。 / Open an event by hand, or from a signal
    under verification (it then becomes 'linked') or an event report, whose data fill the fields left empty. A retry
    with the same Idempotency-Key answers with the event made first."""
    user = _user(request)
    if payload.signal and payload.report:
        raise InvalidInput({"report": [field_message("信号与事件报告只能选其一",
                                                     "Give a signal or an event report, not both")]})
    data = payload.model_dump(exclude={"signal", "report"})
    data["occurred_at"] = _aware(payload.occurred_at, "occurred_at")

    def create():
        if payload.signal:
            return svc.create_from_signal(user, payload.signal, **data)
        if payload.report:
            return svc.create_from_report(user, payload.report, **data)
        missing = {name: [field_message("必填", "required")] for name in ("title", "category", "region",
                                                                         "occurred_at") if not data.get(name)}
        if missing:
            raise InvalidInput(missing)
        return svc.create_event(user, **{k: v for k, v in data.items() if v is not None})

    outcome = idempotency.create_once(user, "response.event", idempotency_key, payload.model_dump(mode="json"),
                                      create=create, fetch=lambda pk: _existing(user, _events(), pk))
    return _created(response, idempotency.Outcome(_fresh(outcome.obj), outcome.replayed))


@emergencies_router.get("/{int:event_id}", response=EmergencyDetailOut, summary="突发事件详情 / Get an event")
def get_emergency(request, event_id: int = ID_PATH):
    """事件及其响应级别调整记录。 / The event and its response-level history."""
    return detail_out(_event(request, event_id))


@emergencies_router.patch("/{int:event_id}", response=EmergencyDetailOut, summary="修改事件 / Change an event")
def update_emergency(request, payload: EmergencyPatch, event_id: int = ID_PATH):
    """修改名称、类别、分级（如评估后定级）、病种、描述、牵头机构或发生时间；辖区、编号、级别与状态另有接口。
    / Change the title, category, grade (e.g. once assessed), disease, description, lead organisation or time; the
    region, number, level and status change through their own operations."""
    event = _event(request, event_id)
    changes = {k: v for k, v in payload.model_dump(exclude_unset=True).items()
               if v is not None or k in ("disease", "description")}
    if "occurred_at" in changes:
        changes["occurred_at"] = _aware(payload.occurred_at, "occurred_at")
    return _fresh(svc.update_event(_user(request), event, changes))


@emergencies_router.post("/{int:event_id}/level", response=EmergencyDetailOut,
                         summary="调整响应级别 / Change the response level")
def change_emergency_level(request, payload: EmergencyLevelIn, event_id: int = ID_PATH):
    """启动、升级、降级或解除（none）应急响应，须说明理由；与当前级别相同返回 422，已终止的事件返回 409。
    / Start, raise, lower or lift (none) the response, with the reason; the current level again is a 422, an
    ended event a 409."""
    event = _event(request, event_id)
    svc.change_level(event, payload.to_level, payload.reason, payload.decided_by, _user(request))
    return _fresh(event)


@emergencies_router.post("/{int:event_id}/status", response=EmergencyDetailOut,
                         summary="转入处置中 / Mark as being handled")
def set_emergency_status(request, payload: EmergencyStatusIn, event_id: int = ID_PATH):
    """启动 → 处置中。终止请用 /end。 / started → ongoing; end the event with /end."""
    event = _event(request, event_id)
    return _fresh(svc.set_status(_user(request), event, payload.status))


@emergencies_router.post("/{int:event_id}/end", response=EmergencyDetailOut, summary="终止事件 / End the event")
def end_emergency(request, payload: EmergencyEndIn, event_id: int = ID_PATH):
    """终止事件，须填写结案总结；仍在实施的应急响应随之解除。仍有密接在医学观察中时返回 409（写明人数），除非
    release_contacts 为 true（同一事务内解除其医学观察）。 / End the event with its closing summary; a response still
    in force is lifted. While contacts are under medical observation this is a 409 naming how many, unless
    release_contacts is true (their observation is released in the same transaction)."""
    event = _event(request, event_id)
    return _fresh(svc.end_event(_user(request), event, payload.closing_summary, decided_by=payload.decided_by,
                                release_contacts=payload.release_contacts))


@emergencies_router.put("/{int:event_id}/affected-regions", response=EmergencyDetailOut,
                        summary="受影响地区 / Set the affected regions")
def set_emergency_regions(request, payload: EmergencyRegionsIn, event_id: int = ID_PATH):
    """替换受影响地区；每个地区须在事件所属辖区内。 / Replace the affected regions, each within the event's region."""
    event = _event(request, event_id)
    return _fresh(svc.set_affected_regions(_user(request), event, payload.affected_regions))


@emergencies_router.get("/{int:event_id}/history", response=page_of(AuditEntryOut), summary="修改记录 / History")
def emergency_history(request, params: Query[PageParams], event_id: int = ID_PATH):
    """事件的审计记录（谁、何时、改了什么）。 / The event's audit trail."""
    from yingji.core.api import _audit_entry

    event = _event(request, event_id)
    page = paginate(history_for(event), params)
    page["items"] = [_audit_entry(e) for e in page["items"]]
    return page


router.add_router("/emergencies", emergencies_router)
