"""Epidemiological investigation and close contacts over /api/v1 (流调/密接):

- /emergencies/{event_id}/cases, /contacts (list; create, idempotent with ``Idempotency-Key``), /test-results,
  /contact-summary (the KPIs), /transmission (the graph: who infected whom);
- /contacts (every contact within reach), /contacts/{id} with /quarantine, /release, /become-case;
- /followups (a day's work list), /followups/{id}, /followups/{id}/record; /followup-teams.

Mounted in yingji/api.py. Reads go through core.scoping, changes through services.contacts and services.followups
(the same functions the pages call). ID numbers and phones are masked unless the role may see them
(services.contacts.PersonalData). Schema classes are named Contact…/FollowUp…/EventCase… (one OpenAPI document).
"""

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status
from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

from yingji.core import idempotency, regioncodes, scoping
from yingji.core.api import ID_PATH, IDEMPOTENCY_KEY, REPLAYED_HEADER, _existing
from yingji.core.api_schemas import NO_NUL, InputSchema, PageParams, page_of, paginate
from yingji.core.errors import InvalidInput, field_message
from yingji.surveillance.choices import IdType

from ..models import Contact, Event, EventCase, FollowUp, FollowUpTeam, TestResult
from ..models.contacts import (
    ContactLevel,
    FollowUpStatus,
    QuarantineMode,
    TestMethod,
    TestOutcome,
)
from ..services import contacts as svc
from ..services import followups as fsvc

router = Router()
investigation_router = Router(tags=["contacts"])
contacts_router = Router(tags=["contacts"])
followups_router = Router(tags=["followups"])
teams_router = Router(tags=["followups"])

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date_only(value):
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return value
    raise PydanticCustomError("date_parsing", "Input should be a valid date in the format YYYY-MM-DD")


ContactDate = Annotated[date, BeforeValidator(_iso_date_only)]
REGION = Field(..., min_length=6, max_length=9, pattern=r"^\d{6}(\d{3})?$", description="住址区划代码 / region code")
REGION_QUERY = Field(None, min_length=6, max_length=9, pattern=r"^\d{6}(\d{3})?$",
                     description="住址区划代码，含下级 / region subtree")
TEXT = {"pattern": NO_NUL}


def _lit(choices) -> Any:
    return Literal[tuple(choices.values)]


def _user(request: HttpRequest):
    return request.auth


def _event(request, event_id: int, *, write: bool = False) -> Event:
    return scoping.get_scoped(_user(request), Event.objects.all(), write=write, pk=event_id)


# --- schemas ------------------------------------------------------------------------------------------------


class ContactRegionRef(Schema):
    code: str
    name: str


class ContactNamedRef(Schema):
    id: int
    name: str


class EventCaseIn(InputSchema):
    case_report: int | None = Field(None, strict=True, ge=1, le=2**63 - 1,
                                    description="报告卡 ID（其余字段留空则取自报告卡）/ report card id")
    number: str | None = Field(None, max_length=32, **TEXT, description="病例编号 / case number")
    name: str | None = Field(None, max_length=64, **TEXT, description="姓名（无报告卡时必填）/ name")
    sex: Literal["M", "F", "U", ""] | None = Field(None, description="性别 / sex")
    id_type: _lit(IdType) | None = Field(None, description="证件类型（默认居民身份证，按 GB 11643 校验）/ document type "
                                                           "(resident ID by default, checked with GB 11643)")
    id_number: str | None = Field(None, max_length=32, **TEXT, description="证件号码 / document number")
    phone: str | None = Field(None, max_length=32, **TEXT, description="电话 / phone")
    region: str | None = Field(None, min_length=6, max_length=9, pattern=r"^\d{6}(\d{3})?$",
                               description="住址区划代码（无报告卡时必填）/ region code of the address")
    address_detail: str | None = Field(None, max_length=255, **TEXT, description="详细地址 / address")
    onset_date: ContactDate | None = Field(None, description="发病日期 / onset date")
    reported_on: ContactDate | None = Field(None, description="报告日期（默认今天）/ reported on (today)")
    isolated_on: ContactDate | None = Field(None, description="隔离日期 / isolated on")
    isolation_place: str | None = Field(None, max_length=200, **TEXT, description="隔离地点 / isolation place")
    notes: str | None = Field(None, max_length=4000, **TEXT, description="备注 / notes")


class EventCaseOut(Schema):
    id: int
    event_id: int
    number: str
    case_report_id: int | None
    name: str
    sex: str
    id_number: str = Field(..., description="按权限可能部分隐藏 / may be masked")
    phone: str = Field(..., description="按权限可能部分隐藏 / may be masked")
    personal_data_masked: bool
    region: ContactRegionRef
    address_detail: str
    onset_date: date | None
    reported_on: date
    isolated_on: date | None
    isolation_place: str
    from_contact_id: int | None = Field(..., description="由哪个密接转为病例 / the contact this case was")
    contacts: int = Field(..., description="其密接人数 / number of its contacts")


class QuarantineFields(InputSchema):
    mode: _lit(QuarantineMode) | None = Field(None, description="centralized 集中隔离医学观察 / home 居家隔离")
    place: str | None = Field(None, max_length=200, **TEXT, description="隔离地点 / place")
    placed_on: ContactDate | None = Field(None, description="开始隔离日期（晚于暴露次日时）/ placed under observation on")
    start_date: ContactDate | None = Field(None, description="手动设定开始日期（须填理由）/ start set by hand")
    end_date: ContactDate | None = Field(None, description="手动设定结束日期（须填理由）/ end set by hand")
    override_reason: str | None = Field(None, max_length=2000, **TEXT, description="手动调整理由 / reason")


class QuarantineIn(QuarantineFields):
    mode: _lit(QuarantineMode) = Field(..., description="centralized 集中隔离医学观察 / home 居家隔离")


class ContactIn(QuarantineFields):
    source_case: int = Field(..., strict=True, ge=1, le=2**63 - 1, description="传染源病例 ID（本事件）/ source case id")
    source_contact: int | None = Field(None, strict=True, ge=1, le=2**63 - 1,
                                       description="次密接的来源密接 ID / source contact of a secondary contact")
    level: _lit(ContactLevel) | None = Field(None, description="close 密接 / secondary 次密接")
    contact_type: str = Field(..., min_length=1, max_length=32, **TEXT,
                              description="接触类型，见 contact_types / contact type code")
    name: str = Field(..., min_length=1, max_length=64, **TEXT, description="姓名 / name")
    sex: Literal["M", "F", "U", ""] | None = Field(None, description="性别 / sex")
    id_type: _lit(IdType) | None = Field(None, description="证件类型（默认居民身份证，按 GB 11643 校验）/ document type "
                                                           "(resident ID by default, checked with GB 11643)")
    id_number: str | None = Field(None, max_length=32, **TEXT, description="证件号码 / document number")
    phone: str | None = Field(None, max_length=32, **TEXT, description="电话 / phone")
    region: str = REGION
    address_detail: str | None = Field(None, max_length=255, **TEXT, description="详细地址 / address")
    last_exposure: ContactDate = Field(..., description="末次暴露日期 / date of last exposure")
    exposure_place: str | None = Field(None, max_length=200, **TEXT, description="暴露地点 / exposure place")
    notes: str | None = Field(None, max_length=4000, **TEXT, description="备注 / notes")


class ContactQuarantineOut(Schema):
    mode: str
    mode_label: str
    place: str
    start_date: date
    end_date: date
    computed_start: date
    computed_end: date
    period_days: int
    overridden: bool
    override_reason: str
    status: str
    stopped_on: date | None


class ContactOut(Schema):
    id: int
    event_id: int
    event_number: str
    source_case: ContactNamedRef
    source_contact_id: int | None
    level: str
    contact_type: str
    contact_type_label: str
    name: str
    sex: str
    id_number: str = Field(..., description="按权限可能部分隐藏 / may be masked")
    phone: str = Field(..., description="按权限可能部分隐藏 / may be masked")
    personal_data_masked: bool
    region: ContactRegionRef
    address_detail: str
    last_exposure: date
    exposure_place: str
    became_case_id: int | None
    status: str = Field(..., description="under_followup | upcoming | ended | released | became_case | no_quarantine")
    status_label: str
    quarantine: ContactQuarantineOut | None
    created_at: datetime


class ContactFilter(PageParams):
    event: int | None = Field(None, ge=1, le=2**63 - 1, description="事件 ID / event id")
    status: Literal["under_followup", "upcoming", "ended", "released", "became_case", "no_quarantine",
                    "not_seen"] | None = \
        Field(None, description="状态；not_seen：连续 N 天未见到 / status; not_seen: not seen for N days")
    contact_type: str | None = Field(None, max_length=32, **TEXT, description="接触类型 / contact type")
    region: str | None = REGION_QUERY
    q: str | None = Field(None, max_length=64, **TEXT, description="姓名包含 / name contains")


class ReleaseIn(InputSchema):
    reason: str = Field(..., min_length=1, max_length=2000, **TEXT, description="解除理由 / reason")
    on: ContactDate | None = Field(None, description="解除日期（默认今天）/ released on (today)")


class BecomeCaseIn(InputSchema):
    case: int | None = Field(None, strict=True, ge=1, le=2**63 - 1, description="已有病例 ID（留空则新建）/ an existing case")
    onset_date: ContactDate | None = Field(None, description="发病日期 / onset date")
    reported_on: ContactDate | None = Field(None, description="报告日期 / reported on")
    isolated_on: ContactDate | None = Field(None, description="隔离日期 / isolated on")
    isolation_place: str | None = Field(None, max_length=200, **TEXT, description="隔离地点 / isolation place")


class ContactTestIn(InputSchema):
    contact: int | None = Field(None, strict=True, ge=1, le=2**63 - 1, description="密接 ID / contact id")
    case: int | None = Field(None, strict=True, ge=1, le=2**63 - 1, description="病例 ID / case id")
    sample_date: ContactDate = Field(..., description="采样日期 / sample date")
    method: _lit(TestMethod) = Field(..., description="检测方法 / method")
    result: _lit(TestOutcome) | None = Field(None, description="结果（默认待出）/ result (pending)")
    result_date: ContactDate | None = Field(None, description="结果日期 / result date")
    laboratory: str | None = Field(None, max_length=200, **TEXT, description="检测机构 / laboratory")


class ContactTestOut(Schema):
    id: int
    contact_id: int | None
    case_id: int | None
    sample_date: date
    method: str
    result: str
    result_date: date | None
    laboratory: str


class ContactSummaryOut(Schema):
    today: date
    cases: int
    contacts: int
    under_followup: int
    centralized: int
    home: int
    due_today: int
    recorded_today: int
    seen_today: int
    completion_rate_today: float | None = Field(..., description="今日随访完成率 / share of today's follow-ups done")
    not_seen: int = Field(..., description="连续 N 天未见到的密接 / contacts not seen for N days")
    lost_to_followup: int
    not_seen_days: int
    new_cases: int = Field(..., description="近 M 天新增病例 / new cases in the last M days")
    new_cases_among_contacts: int
    share_among_contacts: float | None = Field(..., description="新增病例中来自已知密接的比例 / share among contacts")
    among_contacts_days: int
    became_cases: int
    released: int


class ContactGraphNode(Schema):
    id: str
    name: str
    category: int
    onset: str | None = None
    status: str | None = None
    type: str | None = None


class ContactGraphLink(Schema):
    source: str
    target: str
    kind: str


class ContactGraphOut(Schema):
    nodes: list[ContactGraphNode]
    links: list[ContactGraphLink]
    categories: list[str]


class FollowUpContactRef(Schema):
    id: int
    name: str
    phone: str = Field(..., description="按权限可能部分隐藏 / may be masked")
    region: ContactRegionRef
    event_id: int


class FollowUpOut(Schema):
    id: int
    date: date
    status: str
    temperature: float | None
    symptoms: str
    note: str
    team: ContactNamedRef | None
    contact: FollowUpContactRef
    recorded_at: datetime | None


class FollowUpFilter(PageParams):
    date: ContactDate | None = Field(None, description="日期（默认今天）/ day (today)")
    team: int | None = Field(None, ge=1, le=2**63 - 1, description="随访小组 ID / team id")
    status: _lit(FollowUpStatus) | None = Field(None, description="状态 / status")
    event: int | None = Field(None, ge=1, le=2**63 - 1, description="事件 ID / event id")


class FollowUpRecordIn(InputSchema):
    status: Literal["seen", "not_seen"] = Field(..., description="seen 已随访 / not_seen 未见到")
    temperature: float | None = Field(None, strict=True, ge=30, le=45, description="体温 ℃ / temperature")
    symptoms: str | None = Field(None, max_length=255, **TEXT, description="症状 / symptoms")
    note: str | None = Field(None, max_length=500, **TEXT, description="备注 / note")


class FollowUpTeamIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=100, **TEXT, description="小组名称 / name")
    organisation: str = Field(..., min_length=1, max_length=32, **TEXT, description="机构代码 / organisation code")
    regions: list[Annotated[str, Field(min_length=6, max_length=9, pattern=r"^\d{6}(\d{3})?$")]] = Field(
        ..., min_length=1, max_length=200, description="负责区划代码 / regions covered")


class FollowUpTeamOut(Schema):
    id: int
    name: str
    organisation: ContactRegionRef
    regions: list[ContactRegionRef]
    active: bool


# --- output builders ----------------------------------------------------------------------------------------


def _region(region) -> dict:
    return {"code": region.code, "name": region.name}


def case_out(case: EventCase, policy: svc.PersonalData) -> dict:
    source = case.from_contacts.first()
    return {
        "id": case.pk, "event_id": case.event_id, "number": case.number, "case_report_id": case.case_report_id,
        "name": case.name, "sex": case.sex, "id_number": policy.id_number(case), "phone": policy.phone(case),
        "personal_data_masked": not policy.allows(case), "region": _region(case.region),
        "address_detail": case.address_detail, "onset_date": case.onset_date, "reported_on": case.reported_on,
        "isolated_on": case.isolated_on, "isolation_place": case.isolation_place,
        "from_contact_id": source.pk if source else None,
        "contacts": getattr(case, "n_contacts", None) if hasattr(case, "n_contacts") else case.contacts.count(),
    }


def contact_out(contact: Contact, policy: svc.PersonalData) -> dict:
    status = svc.contact_status(contact)
    q = getattr(contact, "quarantine", None)
    return {
        "id": contact.pk, "event_id": contact.event_id, "event_number": contact.event.number,
        "source_case": {"id": contact.source_case_id, "name": str(contact.source_case)},
        "source_contact_id": contact.source_contact_id, "level": contact.level, "contact_type": contact.contact_type,
        "contact_type_label": svc.contact_type_label(contact.contact_type), "name": contact.name, "sex": contact.sex,
        "id_number": policy.id_number(contact), "phone": policy.phone(contact),
        "personal_data_masked": not policy.allows(contact), "region": _region(contact.region),
        "address_detail": contact.address_detail, "last_exposure": contact.last_exposure,
        "exposure_place": contact.exposure_place, "became_case_id": contact.became_case_id, "status": status,
        "status_label": svc.STATUS_LABELS[status][0],
        "quarantine": None if q is None else {
            "mode": q.mode, "mode_label": str(q.get_mode_display()), "place": q.place, "start_date": q.start_date,
            "end_date": q.end_date, "computed_start": q.computed_start, "computed_end": q.computed_end,
            "period_days": q.period_days, "overridden": q.overridden, "override_reason": q.override_reason,
            "status": q.status, "stopped_on": q.stopped_on},
        "created_at": contact.created_at,
    }


def followup_out(f: FollowUp, policy: svc.PersonalData) -> dict:
    c = f.contact
    return {
        "id": f.pk, "date": f.date, "status": f.status,
        "temperature": float(f.temperature) if f.temperature is not None else None, "symptoms": f.symptoms,
        "note": f.note, "team": {"id": f.team_id, "name": f.team.name} if f.team_id else None,
        "contact": {"id": c.pk, "name": c.name, "phone": policy.phone(c), "region": _region(c.region),
                    "event_id": c.event_id},
        "recorded_at": f.recorded_at,
    }


def _answer(response: HttpResponse, outcome: idempotency.Outcome, body: dict):
    """201 for a new record; 200 and ``Idempotency-Replayed: true`` when a retry returns the earlier one."""
    if outcome.replayed:
        response[REPLAYED_HEADER] = "true"
        return Status(200, body)
    return Status(201, body)


def _region_or_422(code: str | None, field: str = "region") -> str | None:
    if not code:
        return None
    try:
        regioncodes.level_of(code)
    except regioncodes.CodeError as exc:
        raise InvalidInput({field: [field_message(exc.message_zh, exc.message_en)]}) from exc
    return code


def filter_contacts(qs, *, status=None, contact_type=None, region=None, q=None, today=None):
    today = today or svc.local_today()
    if contact_type:
        qs = qs.filter(contact_type=contact_type)
    if region:
        qs = qs.filter(region__code__startswith=regioncodes.subtree_prefix(region))
    if q:
        qs = qs.filter(name__icontains=q)
    if status == "under_followup":
        qs = qs.filter(svc.active_on(today))
    elif status == "upcoming":
        qs = qs.filter(quarantine__status="active", quarantine__start_date__gt=today)
    elif status == "ended":
        qs = qs.filter(quarantine__status="active", quarantine__end_date__lt=today)
    elif status == "released":
        qs = qs.filter(quarantine__status="released")
    elif status == "became_case":
        qs = qs.filter(became_case__isnull=False)
    elif status == "not_seen":
        qs = svc.not_seen_for(qs, today)
    elif status == "no_quarantine":
        qs = qs.filter(quarantine__isnull=True, became_case__isnull=True)
    return qs


# --- event-scoped ---------------------------------------------------------------------------------------------


@investigation_router.get("/{int:event_id}/cases", response=page_of(EventCaseOut),
                          summary="事件病例 / Cases of an event")
def list_cases(request, filters: Query[PageParams], event_id: int = ID_PATH):
    user = _user(request)
    event = _event(request, event_id)
    policy = svc.PersonalData(user)
    page = paginate(svc.cases_of(user, event).annotate(n_contacts=Count("contacts")).order_by("reported_on", "pk"),
                    filters)
    page["items"] = [case_out(c, policy) for c in page["items"]]
    return page


@investigation_router.post("/{int:event_id}/cases", response={201: EventCaseOut, 200: EventCaseOut},
                           summary="新增事件病例 / Add a case to an event")
def create_case(request, payload: EventCaseIn, response: HttpResponse, event_id: int = ID_PATH,
                idempotency_key: str | None = IDEMPOTENCY_KEY):
    """由报告卡或手工录入新增病例；同时按规定生成 24 小时流调任务。 / Add a case from a report card or by hand; the
    statutory 24-hour investigation task follows."""
    user = _user(request)
    event = _event(request, event_id)
    data = payload.model_dump(exclude_none=True)
    outcome = idempotency.create_once(
        user, f"response.event_case:{event.pk}", idempotency_key, payload.model_dump(mode="json"),
        create=lambda: svc.add_case(user, event, data),
        fetch=lambda pk: _existing(user, EventCase.objects.all(), pk))
    return _answer(response, outcome, case_out(outcome.obj, svc.PersonalData(user)))


class EventCaseIsolationIn(InputSchema):
    isolated_on: ContactDate | None = Field(..., description="隔离日期（null 清除）/ isolation date (null clears it)")
    isolation_place: str | None = Field(None, max_length=200, **TEXT, description="隔离地点 / isolation place")


@investigation_router.post("/{int:event_id}/cases/{int:case_id}/isolation", response=EventCaseOut,
                           summary="登记病例隔离 / Record a case's isolation")
def case_isolation(request, payload: EventCaseIsolationIn, event_id: int = ID_PATH, case_id: int = ID_PATH):
    """隔离日期不能晚于今天，也不能早于其已知密接的末次暴露日期。 / The isolation date cannot be in the future nor
    before a known contact's last exposure."""
    user = _user(request)
    event = _event(request, event_id)
    case = scoping.get_scoped(user, svc.cases_of(user, event), pk=case_id)
    svc.update_case_isolation(user, case, isolated_on=payload.isolated_on,
                              isolation_place=payload.isolation_place or "")
    return case_out(case, svc.PersonalData(user))


@investigation_router.get("/{int:event_id}/contacts", response=page_of(ContactOut),
                          summary="事件密接 / Contacts of an event")
def list_event_contacts(request, filters: Query[ContactFilter], event_id: int = ID_PATH):
    user = _user(request)
    event = _event(request, event_id)
    return _contact_page(user, svc.contacts_of(user, event), filters)


@investigation_router.post("/{int:event_id}/contacts", response={201: ContactOut, 200: ContactOut},
                           summary="登记密接 / Register a contact")
def create_contact(request, payload: ContactIn, response: HttpResponse, event_id: int = ID_PATH,
                   idempotency_key: str | None = IDEMPOTENCY_KEY):
    """登记密接及其隔离（给出 mode 时按配置的观察期自动计算起止日期）。末次暴露晚于传染源病例隔离日期、未来日期、
    结束早于开始等返回 422，且不保存任何内容。 / Register a contact and, with ``mode``, the quarantine computed from the
    configured period. Bad dates are a 422 and save nothing."""
    user = _user(request)
    event = _event(request, event_id)
    data = payload.model_dump(exclude_none=True)
    outcome = idempotency.create_once(
        user, f"response.contact:{event.pk}", idempotency_key, payload.model_dump(mode="json"),
        create=lambda: svc.add_contact(user, event, data),
        fetch=lambda pk: _existing(user, Contact.objects.all(), pk))
    return _answer(response, outcome, contact_out(outcome.obj, svc.PersonalData(user)))


@investigation_router.get("/{int:event_id}/test-results", response=page_of(ContactTestOut),
                          summary="采样检测结果 / Test results of an event")
def list_tests(request, filters: Query[PageParams], event_id: int = ID_PATH):
    user = _user(request)
    event = _event(request, event_id)
    return paginate(scoping.scope(user, TestResult.objects.filter(event=event)), filters)


@investigation_router.post("/{int:event_id}/test-results", response={201: ContactTestOut},
                           summary="登记检测结果 / Record a test result")
def create_test(request, payload: ContactTestIn, event_id: int = ID_PATH):
    user = _user(request)
    event = _event(request, event_id)
    return Status(201, svc.add_test_result(user, event, payload.model_dump(exclude_none=True)))


@investigation_router.get("/{int:event_id}/contact-summary", response=ContactSummaryOut,
                          summary="密接管理指标 / Contact-tracing KPIs")
def contact_summary(request, event_id: int = ID_PATH):
    """在管密接、今日随访完成率、连续 N 天未见到（失访）、近 M 天新增病例中来自已知密接的比例（同 Go.Data）。
    / Contacts under follow-up, today's completion, not seen for N days, share of new cases among known contacts."""
    return svc.event_contact_summary(_event(request, event_id))


@investigation_router.get("/{int:event_id}/transmission", response=ContactGraphOut,
                          summary="传播链 / Transmission graph")
def transmission(request, event_id: int = ID_PATH):
    return svc.transmission_graph(_event(request, event_id))


# --- contacts -------------------------------------------------------------------------------------------------


def _contact_page(user, qs, filters: ContactFilter) -> dict:
    _region_or_422(filters.region)
    qs = filter_contacts(qs, status=filters.status, contact_type=filters.contact_type, region=filters.region,
                         q=filters.q)
    if filters.event:
        qs = qs.filter(event_id=filters.event)
    policy = svc.PersonalData(user)
    page = paginate(qs.order_by("-last_exposure", "pk"), filters)
    page["items"] = [contact_out(c, policy) for c in page["items"]]
    return page


def _contact(request, contact_id: int, *, write: bool = False) -> Contact:
    return scoping.get_scoped(_user(request), svc.contacts_of(_user(request)), write=write, pk=contact_id)


@contacts_router.get("", response=page_of(ContactOut), summary="密接列表 / List contacts")
def list_contacts(request, filters: Query[ContactFilter]):
    user = _user(request)
    return _contact_page(user, svc.contacts_of(user), filters)


@contacts_router.get("/{int:contact_id}", response=ContactOut, summary="密接详情 / Get a contact")
def get_contact(request, contact_id: int = ID_PATH):
    return contact_out(_contact(request, contact_id), svc.PersonalData(_user(request)))


@contacts_router.post("/{int:contact_id}/quarantine", response=ContactOut,
                      summary="设定或调整隔离 / Set or change the quarantine")
def set_quarantine(request, payload: QuarantineIn, contact_id: int = ID_PATH):
    user = _user(request)
    contact = _contact(request, contact_id)
    svc.set_quarantine(user, contact, payload.model_dump(exclude_none=True))
    return contact_out(_contact(request, contact_id), svc.PersonalData(user))


@contacts_router.post("/{int:contact_id}/release", response=ContactOut, summary="解除医学观察 / Release")
def release(request, payload: ReleaseIn, contact_id: int = ID_PATH):
    user = _user(request)
    contact = _contact(request, contact_id)
    svc.release_contact(user, contact, on=payload.on, reason=payload.reason)
    return contact_out(_contact(request, contact_id), svc.PersonalData(user))


@contacts_router.post("/{int:contact_id}/become-case", response=ContactOut,
                      summary="密接转为病例 / The contact became a case")
def become_case(request, payload: BecomeCaseIn, contact_id: int = ID_PATH):
    user = _user(request)
    contact = _contact(request, contact_id)
    data = payload.model_dump(exclude_none=True)
    case = None
    if "case" in data:
        case = EventCase.objects.filter(event=contact.event, pk=data.pop("case")).first()
        if case is None:
            raise InvalidInput({"case": [field_message("病例不属于本事件", "No such case in the event")]})
    svc.contact_becomes_case(user, contact, data, case=case)
    return contact_out(_contact(request, contact_id), svc.PersonalData(user))


# --- follow-ups -----------------------------------------------------------------------------------------------


@followups_router.get("", response=page_of(FollowUpOut), summary="每日随访清单 / A day's follow-ups")
def list_followups(request, filters: Query[FollowUpFilter]):
    """管辖范围内（随访小组成员：本单位小组）某日的随访任务，默认今天。 / The follow-ups of a day (today by default)
    within reach; a team's unit sees its own list."""
    user = _user(request)
    qs = fsvc.followups_of(user).filter(date=filters.date or svc.local_today())
    if filters.team:
        qs = qs.filter(team_id=filters.team)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.event:
        qs = qs.filter(contact__event_id=filters.event)
    policy = svc.PersonalData(user)
    page = paginate(qs.order_by("team__name", "contact__name", "pk"), filters)
    page["items"] = [followup_out(f, policy) for f in page["items"]]
    return page


@followups_router.get("/{int:followup_id}", response=FollowUpOut, summary="随访详情 / Get a follow-up")
def get_followup(request, followup_id: int = ID_PATH):
    user = _user(request)
    return followup_out(scoping.get_scoped(user, fsvc.followups_of(user), pk=followup_id), svc.PersonalData(user))


@followups_router.post("/{int:followup_id}/record", response=FollowUpOut, summary="登记随访 / Record a follow-up")
def record(request, payload: FollowUpRecordIn, followup_id: int = ID_PATH):
    user = _user(request)
    f = scoping.get_scoped(user, fsvc.followups_of(user), pk=followup_id)
    fsvc.record_followup(user, f, payload.model_dump(exclude_none=True))
    return followup_out(f, svc.PersonalData(user))


@teams_router.get("", response=page_of(FollowUpTeamOut), summary="随访小组 / Follow-up teams")
def list_teams(request, filters: Query[PageParams]):
    page = paginate(fsvc.teams_of(_user(request)), filters)
    page["items"] = [_team_out(t) for t in page["items"]]
    return page


@teams_router.post("", response={201: FollowUpTeamOut}, summary="新建随访小组 / Create a follow-up team")
def create_team(request, payload: FollowUpTeamIn):
    """小组负责的区划决定密接随访的分配（覆盖住址的最具体区划的小组）。 / The regions a team covers decide which
    contacts' follow-ups it gets."""
    return Status(201, _team_out(fsvc.save_team(_user(request), payload.model_dump())))


def _team_out(team: FollowUpTeam) -> dict:
    return {"id": team.pk, "name": team.name, "active": team.active,
            "organisation": {"code": team.organisation.code, "name": team.organisation.name},
            "regions": [_region(r) for r in team.regions.all()]}


router.add_router("/emergencies", investigation_router)
router.add_router("/contacts", contacts_router)
router.add_router("/followups", followups_router)
router.add_router("/followup-teams", teams_router)

