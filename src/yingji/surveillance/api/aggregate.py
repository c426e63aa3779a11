"""Zero/daily reports and fever-clinic reports over /api/v1.

- /reporting-schedules: what each unit must report and how often (list, create, get, end);
- /aggregate-reports: zero/daily reports (list, submit, get), completeness and on-time rates per unit and per
  region, and the overdue list;
- /fever-clinic-reports: fever-clinic daily reports (list, submit, get) and the daily series.

Mounted in yingji/api.py with ``api.add_router("/v1", "yingji.surveillance.api.aggregate.router")``. Reads go
through core.scoping, changes through surveillance.services.schedules and .fever — the functions the pages call.
"""

from datetime import date, datetime
from typing import Literal

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from yingji.core import idempotency, regioncodes, scoping
from yingji.core.api import ID_PATH, IDEMPOTENCY_KEY, _created, _existing
from yingji.core.api_schemas import MAX_ID, NO_NUL, InputSchema, PageParams, page_of, paginate
from yingji.core.errors import InvalidInput, field_message

from ..models import AggregateReport, FeverClinicDailyReport, ReportingSchedule
from ..services import fever, schedules
from .common import IsoDate

router = Router()
schedules_router = Router(tags=["zero-reports"])
aggregate_router = Router(tags=["zero-reports"])
fever_router = Router(tags=["fever-clinics"])

Frequency = Literal["daily", "weekly"]
Day = date  # for fields named "date" (pydantic refuses a field whose name shadows its own type)
REGION_QUERY = Field(None, max_length=9, pattern=NO_NUL, description="行政区划代码，含下级 / region code and subtree")
ORG_CODE = Field(None, max_length=32, pattern=NO_NUL,
                 description="单位机构代码（留空为本单位）/ the unit's organisation code (your own unit when empty)")


def _user(request: HttpRequest):
    return request.auth


def _org_code(request, code: str | None) -> str | int | None:
    """The unit named in a body: its code, or the user's own unit."""
    return code if code else _user(request).organisation_id


def _region_prefix(code: str | None) -> str | None:
    if not code:
        return None
    try:
        return regioncodes.subtree_prefix(code)
    except regioncodes.CodeError as exc:
        raise InvalidInput({"region": [field_message(exc.message_zh, exc.message_en)]}) from exc


# --- shared schemas ---------------------------------------------------------------------------------------------


class CodeNameRef(Schema):
    code: str
    name: str


class UnitRef(Schema):
    id: int
    code: str
    name: str
    region: str = Field(..., description="所在区划代码 / region code")
    region_name: str


def org_ref(org) -> dict:
    return {"id": org.pk, "code": org.code, "name": org.name, "region": org.region_id, "region_name": org.region.name}


class RateRangeParams(Schema):
    date_from: IsoDate | None = Field(None, description="起始日期（含；默认近 4 周）/ from (inclusive; default: 4 weeks)")
    date_to: IsoDate | None = Field(None, description="截止日期（含；默认今天）/ until (inclusive; default: today)")


# --- schedules ------------------------------------------------------------------------------------------------


class ScheduleIn(InputSchema):
    organisation: str | None = ORG_CODE
    frequency: Frequency = Field("weekly", description="weekly 周报告（默认）或 daily 日报告 / weekly or daily")
    valid_from: IsoDate | None = Field(None, description="起始日期（默认今天）/ from (default: today)")
    valid_to: IsoDate | None = Field(None, description="截止日期（留空为长期）/ until (empty: open-ended)")
    due_hour: int = Field(10, strict=True, ge=0, le=23,
                          description="截止时刻：日报告为次日该时，周报告为下周一该时（北京时间）/ due hour, Beijing time")
    diseases: list[str] = Field([], max_length=100,
                                description="病种编码（日报告必填）/ disease codes (required for daily)")
    reason: str = Field("", max_length=128, pattern=NO_NUL, description="原因（日报告必填，如应急响应）/ reason")


class EndScheduleIn(InputSchema):
    valid_to: IsoDate = Field(..., description="最后有效日期 / last day in force")


class ScheduleOut(Schema):
    id: int
    organisation: UnitRef
    frequency: str
    frequency_label: str
    diseases: list[CodeNameRef]
    valid_from: date
    valid_to: date | None
    due_hour: int
    reason: str
    in_force: bool = Field(..., description="今天是否有效 / in force today")
    created_at: datetime


class ScheduleFilter(PageParams):
    organisation: int | None = Field(None, ge=1, le=MAX_ID, description="单位 ID / unit id")
    region: str | None = REGION_QUERY
    frequency: Frequency | None = None
    in_force_on: IsoDate | None = Field(None, description="在该日有效 / in force on this day")


def schedule_out(s: ReportingSchedule) -> dict:
    today = schedules.local_today()
    return {
        "id": s.pk, "organisation": org_ref(s.organisation), "frequency": s.frequency,
        "frequency_label": str(s.get_frequency_display()),
        "diseases": [{"code": d.code, "name": d.name} for d in s.diseases.all()],
        "valid_from": s.valid_from, "valid_to": s.valid_to, "due_hour": s.due_hour, "reason": s.reason,
        "in_force": s.valid_from <= today and (s.valid_to is None or s.valid_to >= today),
        "created_at": s.created_at,
    }


def _schedules():
    return ReportingSchedule.objects.select_related("organisation__region").prefetch_related("diseases")


@schedules_router.get("", response=page_of(ScheduleOut), summary="报告计划列表 / List reporting schedules")
def list_reporting_schedules(request, filters: Query[ScheduleFilter]):
    """管辖范围内各单位的零报告/日报告计划。 / The reporting schedules of units within reach."""
    qs = scoping.scope(_user(request), _schedules())
    if filters.organisation is not None:
        qs = qs.filter(organisation_id=filters.organisation)
    if filters.region:
        qs = qs.filter(organisation__region__code__startswith=_region_prefix(filters.region))
    if filters.frequency:
        qs = qs.filter(frequency=filters.frequency)
    if filters.in_force_on:
        qs = qs.filter(schedules._in_force_on(filters.in_force_on))
    page = paginate(qs.order_by("organisation__region__code", "organisation__name", "-valid_from", "pk"), filters)
    page["items"] = [schedule_out(s) for s in page["items"]]
    return page


@schedules_router.post("", response={201: ScheduleOut, 200: ScheduleOut},
                       summary="新建报告计划 / Create a reporting schedule")
def create_reporting_schedule(request, payload: ScheduleIn, response: HttpResponse,
                              idempotency_key: str | None = IDEMPOTENCY_KEY):
    """为单位设置周报告（默认）或应急响应期间指定病种的日报告（须填病种与原因）。疾控、卫健委与管理员可设置。
    / A weekly schedule (default), or a daily one for named diseases during a response (diseases and reason
    required). CDC, health commission and administrators."""
    user = _user(request)
    outcome = idempotency.create_once(
        user, "surveillance.reporting_schedule", idempotency_key, payload.model_dump(mode="json"),
        create=lambda: schedules.create_schedule(
            user, organisation=_org_code(request, payload.organisation), frequency=payload.frequency,
            valid_from=payload.valid_from, valid_to=payload.valid_to, due_hour=payload.due_hour,
            diseases=payload.diseases, reason=payload.reason),
        fetch=lambda pk: _existing(user, _schedules(), pk),
    )
    return _created(response, idempotency.Outcome(schedule_out(outcome.obj), outcome.replayed))


@schedules_router.get("/{int:schedule_id}", response=ScheduleOut, summary="报告计划详情 / Get a reporting schedule")
def get_reporting_schedule(request, schedule_id: int = ID_PATH):
    return schedule_out(scoping.get_scoped(_user(request), _schedules(), pk=schedule_id))


@schedules_router.post("/{int:schedule_id}/end", response=ScheduleOut,
                       summary="结束报告计划 / End a reporting schedule")
def end_reporting_schedule(request, payload: EndScheduleIn, schedule_id: int = ID_PATH):
    """设定最后有效日期（如应急响应终止），此后不再要求该计划的报告。 / Set the last day in force (e.g. when the response
    ends); no report is expected under this schedule afterwards."""
    user = _user(request)
    schedule = scoping.get_scoped(user, _schedules(), write=True, pk=schedule_id)
    return schedule_out(schedules.end_schedule(user, schedule, payload.valid_to))


# --- zero / daily reports -------------------------------------------------------------------------------------


class AggregateLineIn(Schema):
    disease: str = Field(..., min_length=1, max_length=16, pattern=NO_NUL, description="病种编码 / disease code")
    count: int = Field(..., strict=True, description="病例数（≥ 0）/ number of cases (≥ 0)")


class AggregateIn(InputSchema):
    organisation: str | None = ORG_CODE
    frequency: Frequency = Field(..., description="daily 日报告 / weekly 周报告")
    period_start: IsoDate = Field(..., description="期间内任一日（周报告归入该周周一）/ any day of the period (a week is "
                                                "filed under its Monday)")
    is_zero: bool = Field(False, strict=True, description="零报告（无病例）/ an explicit zero report")
    lines: list[AggregateLineIn] = Field([], max_length=200, description="各病种病例数 / counts per disease")
    note: str = Field("", max_length=255, pattern=NO_NUL, description="备注 / note")


class AggregateLineOut(Schema):
    disease: str
    disease_name: str
    count: int


class AggregateOut(Schema):
    id: int
    organisation: UnitRef
    frequency: str
    frequency_label: str
    period_start: date
    period_end: date
    is_zero: bool
    lines: list[AggregateLineOut]
    first_submitted_at: datetime = Field(..., description="首次提交时间（用于及时性）/ first submitted (timeliness)")
    submitted_at: datetime = Field(..., description="最近提交时间 / last submitted")
    submitted_by: str | None
    due_at: datetime = Field(..., description="截止时间 / due time")
    on_time: bool
    revision: int = Field(..., description="提交次数 / times submitted")
    note: str
    updated_at: datetime


class AggregateFilter(PageParams):
    organisation: int | None = Field(None, ge=1, le=MAX_ID, description="单位 ID / unit id")
    region: str | None = REGION_QUERY
    frequency: Frequency | None = None
    period_from: IsoDate | None = Field(None, description="期间起始日不早于 / period starting on or after")
    period_to: IsoDate | None = Field(None, description="期间起始日不晚于 / period starting on or before")
    is_zero: bool | None = Field(None, description="仅零报告 / zero reports only")


def aggregate_out(r: AggregateReport) -> dict:
    return {
        **{name: getattr(r, name) for name in (
            "id", "frequency", "period_start", "period_end", "is_zero", "first_submitted_at", "submitted_at",
            "due_at", "on_time", "revision", "note", "updated_at")},
        "organisation": org_ref(r.organisation), "frequency_label": str(r.get_frequency_display()),
        "lines": [{"disease": line.disease.code, "disease_name": line.disease.name, "count": line.count}
                  for line in r.lines.all()],
        "submitted_by": str(r.submitted_by) if r.submitted_by_id else None,
    }


def _aggregates():
    return AggregateReport.objects.select_related("organisation__region", "submitted_by").prefetch_related(
        "lines__disease")


@aggregate_router.get("", response=page_of(AggregateOut), summary="零报告/日报告列表 / List zero and daily reports")
def list_aggregate_reports(request, filters: Query[AggregateFilter]):
    """管辖范围内的零报告/日报告，期间新的在前。 / Reports within reach, latest period first."""
    qs = scoping.scope(_user(request), _aggregates())
    if filters.organisation is not None:
        qs = qs.filter(organisation_id=filters.organisation)
    if filters.region:
        qs = qs.filter(organisation__region__code__startswith=_region_prefix(filters.region))
    if filters.frequency:
        qs = qs.filter(frequency=filters.frequency)
    if filters.period_from:
        qs = qs.filter(period_start__gte=filters.period_from)
    if filters.period_to:
        qs = qs.filter(period_start__lte=filters.period_to)
    if filters.is_zero is not None:
        qs = qs.filter(is_zero=filters.is_zero)
    page = paginate(qs.order_by("-period_start", "organisation__name", "frequency", "pk"), filters)
    page["items"] = [aggregate_out(r) for r in page["items"]]
    return page


@aggregate_router.post("", response={201: AggregateOut, 200: AggregateOut},
                       summary="提交零报告/日报告 / Submit a zero or daily report")
def submit_aggregate_report(request, payload: AggregateIn, response: HttpResponse,
                            idempotency_key: str | None = IDEMPOTENCY_KEY):
    """提交某期间各病种病例数，或零报告（is_zero=true，不填 lines）。同一单位同一期间再次提交即替换原数据（200，
    留有修改记录）；首次提交为 201。不能提交未来期间；病例数须 ≥ 0；病种须在目录中。
    / Submit the counts per disease of a period, or a zero report (is_zero=true, no lines). Submitting the same
    unit and period again replaces the data (200; the change is audited); the first submission is 201. No future
    periods; counts ≥ 0; known diseases only."""
    user = _user(request)
    return _submit_once(
        user, response, "surveillance.aggregate_report", idempotency_key, payload,
        lambda: schedules.submit_aggregate_report(
            user, organisation=_org_code(request, payload.organisation), frequency=payload.frequency,
            period_start=payload.period_start, is_zero=payload.is_zero,
            lines=[{"disease": line.disease, "count": line.count} for line in payload.lines], note=payload.note),
        _aggregates, aggregate_out)


def _submit_once(user, response, scope, idempotency_key, payload, submit, queryset, out):
    """A submission of a unit's period through ``submit() -> (record, created)``, at most once per idempotency key:
    201 when the period is new, 200 when it replaced an earlier submission, a replay returns the first answer."""
    created = True

    def create():
        nonlocal created
        record, created = submit()
        return record

    outcome = idempotency.create_once(user, scope, idempotency_key, payload.model_dump(mode="json"), create=create,
                                      fetch=lambda pk: _existing(user, queryset(), pk))
    record = queryset().get(pk=outcome.obj.pk)
    if not outcome.replayed and not created:
        return Status(200, out(record))
    return _created(response, idempotency.Outcome(out(record), outcome.replayed))


class UnitRateOut(Schema):
    organisation: UnitRef
    expected: int = Field(..., description="应报 / expected")
    received: int = Field(..., description="实报 / received")
    on_time: int = Field(..., description="及时报 / received on time")
    missing: int = Field(..., description="逾期未报 / overdue")
    reporting_rate: float | None = Field(..., description="报告率 % = 实报 / 应报 / received ÷ expected × 100")
    on_time_rate: float | None = Field(..., description="及时报告率 % = 及时报 / 应报 / on time ÷ expected × 100")


class RateFilter(RateRangeParams):
    region: str | None = REGION_QUERY
    organisation: int | None = Field(None, ge=1, le=MAX_ID, description="单位 ID / unit id")
    frequency: Frequency | None = None


class UnitRateFilter(RateFilter, PageParams):
    pass


class RegionRateOut(Schema):
    region: str
    region_name: str
    level: int
    units: int = Field(..., description="有报告任务的单位数 / units with a schedule")
    expected: int
    received: int
    on_time: int
    missing: int
    reporting_rate: float | None
    on_time_rate: float | None


class RegionRatesOut(Schema):
    date_from: date
    date_to: date
    rows: list[RegionRateOut] = Field(..., description="首行为该区划合计，其后为各下级区划 / the region's total first, "
                                                       "then each child region")


class RegionRateFilter(RateRangeParams):
    region: str | None = Field(None, max_length=9, pattern=NO_NUL,
                               description="行政区划代码（默认本单位所在区划）/ region (default: your unit's)")
    frequency: Frequency | None = None


def _rates(t) -> dict:
    return {"expected": t.expected, "received": t.received, "on_time": t.on_time, "missing": t.missing,
            "reporting_rate": t.reporting_rate, "on_time_rate": t.on_time_rate}


@aggregate_router.get("/completeness/units", response=page_of(UnitRateOut),
                      summary="各单位报告率与及时率 / Completeness per unit")
def completeness_per_unit(request, filters: Query[UnitRateFilter]):
    """按 DHIS2 报告率模型：应报（已到截止时间或已收到的期间）、实报、及时报、报告率与及时报告率。
    / The DHIS2 reporting-rate model: expected (periods past due or received), received, on time and the rates."""
    rows = schedules.completeness_by_unit(
        _user(request), filters.date_from, filters.date_to, region=filters.region,
        organisation=filters.organisation, frequency=filters.frequency)
    page = paginate(rows, filters)
    page["items"] = [{"organisation": org_ref(t.organisation), **_rates(t)} for t in page["items"]]
    return page


@aggregate_router.get("/completeness/regions", response=RegionRatesOut,
                      summary="各区划报告率与及时率 / Completeness per region")
def completeness_per_region(request, filters: Query[RegionRateFilter]):
    """该区划（含下级）合计及各下级区划的应报、实报、及时报与比率。 / The region subtree's total and each child region's."""
    date_from, date_to = schedules.check_range(filters.date_from, filters.date_to)
    rows = schedules.completeness_by_region(_user(request), filters.region, date_from, date_to,
                                            frequency=filters.frequency)
    return {"date_from": date_from, "date_to": date_to, "rows": [
        {"region": r.region.code, "region_name": r.region.name, "level": r.region.level, "units": r.units,
         **_rates(r)} for r in rows]}


class OverdueOut(Schema):
    organisation: UnitRef
    frequency: str
    period_start: date
    period_end: date
    due_at: datetime
    overdue_hours: float = Field(..., description="已逾期小时数 / hours past due")


class OverdueFilter(RateFilter, PageParams):
    pass


@aggregate_router.get("/overdue", response=page_of(OverdueOut), summary="逾期未报清单 / Overdue reports")
def list_overdue_reports(request, filters: Query[OverdueFilter]):
    """应报而未报且已过截止时间的期间，最早截止的在前。 / Expected periods without a report past their due time, oldest
    first."""
    now = timezone.now()
    items = schedules.overdue_reports(_user(request), filters.date_from, filters.date_to, region=filters.region,
                                      organisation=filters.organisation, frequency=filters.frequency, now=now)
    page = paginate(items, filters)
    page["items"] = [{
        "organisation": org_ref(org), "frequency": p.frequency, "period_start": p.period_start,
        "period_end": p.period_end, "due_at": p.due_at,
        "overdue_hours": round((now - p.due_at).total_seconds() / 3600, 1),
    } for org, p in page["items"]]
    return page


@aggregate_router.get("/{int:report_id}", response=AggregateOut, summary="零报告/日报告详情 / Get a report")
def get_aggregate_report(request, report_id: int = ID_PATH):
    return aggregate_out(scoping.get_scoped(_user(request), _aggregates(), pk=report_id))


# --- fever clinics ----------------------------------------------------------------------------------------------


class FeverIn(InputSchema):
    organisation: str | None = ORG_CODE
    date: IsoDate = Field(..., description="日期 / day")
    visits: int = Field(..., strict=True, description="就诊人数 / visits")
    tested: int = Field(..., strict=True, description="检测人数（≤ 就诊）/ tested (≤ visits)")
    positive: int = Field(..., strict=True, description="阳性人数（≤ 检测）/ positive (≤ tested)")
    observed: int = Field(0, strict=True, description="留观人数（≤ 就诊）/ kept under observation (≤ visits)")
    transferred: int = Field(0, strict=True, description="转诊人数（≤ 就诊）/ transferred (≤ visits)")
    note: str = Field("", max_length=255, pattern=NO_NUL, description="备注 / note")


class FeverOut(Schema):
    id: int
    organisation: UnitRef
    date: Day
    visits: int
    tested: int
    positive: int
    observed: int
    transferred: int
    positivity: float | None = Field(..., description="阳性率（阳性 / 检测，0–1）/ positive ÷ tested")
    submitted_at: datetime
    submitted_by: str | None
    note: str
    updated_at: datetime


class FeverFilter(PageParams):
    organisation: int | None = Field(None, ge=1, le=MAX_ID, description="单位 ID / unit id")
    region: str | None = REGION_QUERY
    date_from: IsoDate | None = None
    date_to: IsoDate | None = None


def fever_out(r: FeverClinicDailyReport) -> dict:
    return {
        **{name: getattr(r, name) for name in (
            "id", "date", "visits", "tested", "positive", "observed", "transferred", "submitted_at", "note",
            "updated_at")},
        "organisation": org_ref(r.organisation),
        "positivity": None if not r.tested else round(r.positive / r.tested, 4),
        "submitted_by": str(r.submitted_by) if r.submitted_by_id else None,
    }


def _fever_reports():
    return FeverClinicDailyReport.objects.select_related("organisation__region", "submitted_by")


@fever_router.get("", response=page_of(FeverOut), summary="发热门诊日报列表 / List fever-clinic reports")
def list_fever_clinic_reports(request, filters: Query[FeverFilter]):
    qs = scoping.scope(_user(request), _fever_reports())
    if filters.organisation is not None:
        qs = qs.filter(organisation_id=filters.organisation)
    if filters.region:
        qs = qs.filter(organisation__region__code__startswith=_region_prefix(filters.region))
    if filters.date_from:
        qs = qs.filter(date__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(date__lte=filters.date_to)
    page = paginate(qs.order_by("-date", "organisation__name", "pk"), filters)
    page["items"] = [fever_out(r) for r in page["items"]]
    return page


@fever_router.post("", response={201: FeverOut, 200: FeverOut},
                   summary="提交发热门诊日报 / Submit a fever-clinic daily report")
def submit_fever_clinic_report(request, payload: FeverIn, response: HttpResponse,
                               idempotency_key: str | None = IDEMPOTENCY_KEY):
    """每个发热门诊（医院、社区卫生服务中心、乡镇卫生院、诊所）每日一份；同日再次提交即更新（200，留有修改记录）。
    检测 ≤ 就诊，阳性 ≤ 检测，留观、转诊 ≤ 就诊，不能填报未来日期。
    / One per clinic and day; submitting the same day again updates it (200, audited). tested ≤ visits,
    positive ≤ tested, observed and transferred ≤ visits; no future dates."""
    user = _user(request)
    return _submit_once(
        user, response, "surveillance.fever_clinic_report", idempotency_key, payload,
        lambda: fever.submit_fever_report(
            user, organisation=_org_code(request, payload.organisation), date=payload.date, visits=payload.visits,
            tested=payload.tested, positive=payload.positive, observed=payload.observed,
            transferred=payload.transferred, note=payload.note),
        _fever_reports, fever_out)


class FeverPointOut(Schema):
    date: Day
    visits: int
    tested: int
    positive: int
    observed: int
    transferred: int
    positivity: float | None = Field(..., description="阳性 / 检测（0–1）/ positive ÷ tested")
    reports: int = Field(..., description="当日报告的门诊数 / clinics that reported that day")


class FeverClinicSeriesOut(Schema):
    organisation: UnitRef
    points: list[FeverPointOut]


class FeverSeriesOut(Schema):
    organisation: UnitRef | None
    region: CodeNameRef | None
    date_from: date
    date_to: date
    total: list[FeverPointOut] = Field(..., description="每日合计；无报告的日期不列出 / daily sums; days without reports absent")
    clinics: list[FeverClinicSeriesOut]


class FeverSeriesFilter(RateRangeParams):
    organisation: int | None = Field(None, ge=1, le=MAX_ID, description="单个门诊 ID / one clinic")
    region: str | None = Field(None, max_length=9, pattern=NO_NUL,
                               description="区划代码（默认本单位所在区划）/ region (default: your unit's)")


def _point(p: fever.DayPoint) -> dict:
    return {"date": p.date, "visits": p.visits, "tested": p.tested, "positive": p.positive, "observed": p.observed,
            "transferred": p.transferred, "reports": p.reports,
            "positivity": None if p.positivity is None else round(p.positivity, 4)}


@fever_router.get("/series", response=FeverSeriesOut, summary="发热门诊每日序列 / Daily fever-clinic series")
def fever_clinic_series(request, filters: Query[FeverSeriesFilter]):
    """单个门诊或某区划各门诊的每日就诊、检测、阳性与阳性率（供预警模块使用）。 / Daily visits, tested, positive and
    positivity of one clinic or of a region's clinics (what early warning reads)."""
    from yingji.core.models import Organisation

    data = fever.series_for(_user(request), organisation=filters.organisation, region=filters.region,
                            date_from=filters.date_from, date_to=filters.date_to)
    orgs = Organisation.objects.select_related("region").in_bulk(list(data["clinics"]))
    region = data["region"]
    return {
        "organisation": org_ref(data["organisation"]) if data["organisation"] else None,
        "region": {"code": region.code, "name": region.name} if region else None,
        "date_from": data["date_from"], "date_to": data["date_to"],
        "total": [_point(p) for p in data["total"]],
        "clinics": [{"organisation": org_ref(orgs[pk]), "points": [_point(p) for p in points]}
                    for pk, points in sorted(data["clinics"].items(), key=lambda kv: orgs[kv[0]].name)],
    }


@fever_router.get("/{int:report_id}", response=FeverOut, summary="发热门诊日报详情 / Get a fever-clinic report")
def get_fever_clinic_report(request, report_id: int = ID_PATH):
    return fever_out(scoping.get_scoped(_user(request), _fever_reports(), pk=report_id))


router.add_router("/reporting-schedules", schedules_router)
router.add_router("/aggregate-reports", aggregate_router)
router.add_router("/fever-clinic-reports", fever_router)
