"""Early-warning signals over /api/v1/signals: list, get, verify and move through the lifecycle, link an event,
the chart series, and the KPIs (/api/v1/signal-kpis).

Mounted in yingji/api.py. Reads go through core.scoping (services.signals.signals); every change through
services.signals.
"""

from datetime import date, datetime, timedelta
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from yingji.core import regioncodes
from yingji.core.api import ID_PATH
from yingji.core.api_schemas import NO_NUL, InputSchema, PageParams, page_of, paginate
from yingji.core.errors import InvalidInput, NotPermitted, field_message
from yingji.core.scoping import get_scoped

from ..choices import SignalStatus, Source
from ..models import Signal
from ..services import kpi as kpi_service
from ..services import signals as svc
from ..services.runs import local_today
from .common import (
    DISEASE_QUERY,
    REGION_QUERY,
    DetectionCodeName,
    DetectionOrgRef,
    DetIsoDate,
    lit,
    number,
    user_of,
)

router = Router()
signals_router = Router(tags=["signals"])
kpi_router = Router(tags=["signals"])


class SignalFilter(PageParams):
    status: lit(SignalStatus) | None = Field(None, description="状态 / status")
    region: str | None = REGION_QUERY
    disease: str | None = DISEASE_QUERY
    source: lit(Source) | None = Field(None, description="数据来源 / source")
    method: str | None = Field(None, min_length=1, max_length=32, pattern=NO_NUL, description="预警方法 / method")
    date_from: DetIsoDate | None = Field(None, description="信号日期起（含）/ signal date from (inclusive)")
    date_to: DetIsoDate | None = Field(None, description="信号日期止（含）/ signal date to (inclusive)")
    overdue: bool | None = Field(None, description="true：核实已逾期 / verification past due")


class SignalOut(Schema):
    id: int
    signal_date: date
    region: DetectionCodeName
    disease: DetectionCodeName | None
    source: str
    measure: str
    series: str = Field(..., description="序列名称（区域 · 病种）/ series name")
    method: str
    params: dict
    observed: float | None
    expected: float | None
    upper: float | None = Field(..., description="阈值 / threshold")
    alarm_days: int = Field(..., description="报警天数（其后连日报警并入本信号）/ days alarmed (later alarms join it)")
    last_alarm_date: date | None = Field(..., description="最近一次报警日期 / last day it alarmed")
    status: str
    status_label: str
    assigned_org: DetectionOrgRef | None
    raised_at: datetime | None
    verify_due_at: datetime
    verified_at: datetime | None
    overdue: bool = Field(..., description="核实已逾期 / verification past due")
    overdue_flagged_at: datetime | None
    outcome_note: str
    closed_at: datetime | None
    event_report: int | None
    response_ref: str
    next_statuses: list[str] = Field(..., description="可转入的状态 / statuses it may move to")


class SignalActionOut(Schema):
    id: int
    from_status: str
    to_status: str
    at: datetime
    actor: str | None = Field(..., description="操作人用户名（系统生成为空）/ username, null for the system")
    note: str


class SignalDetailOut(SignalOut):
    actions: list[SignalActionOut]


class SignalTransitionIn(InputSchema):
    status: lit(SignalStatus) = Field(..., description="转入的状态 / the new status")
    note: str = Field("", max_length=2000, pattern=NO_NUL, description="说明（排除时必填）/ note (required to exclude)")


class SignalVerifyIn(InputSchema):
    outcome: Literal["excluded", "suspected"] = Field(
        ..., description="初步核实结果：excluded 排除 / suspected 疑似事件 / preliminary verification outcome")
    note: str = Field("", max_length=2000, pattern=NO_NUL, description="核实情况（排除时必填）/ note (required to "
                                                                         "exclude)")


class SignalLinkIn(InputSchema):
    event_report: int | None = Field(None, ge=1, le=2**63 - 1, description="要关联的事件报告 ID / event report id")
    create_draft: bool = Field(False, strict=True, description="由信号新建草稿初次报告 / create a draft initial report")
    response_ref: str = Field("", max_length=64, pattern=NO_NUL, description="应急事件编号 / response event reference")
    note: str = Field("", max_length=2000, pattern=NO_NUL)


class SignalSeriesParams(Schema):
    days: int = Field(90, ge=7, le=3 * 366, description="显示的天数（周数据为周数）/ days shown (weeks for weekly)")


class SignalProblemOut(Schema):
    code: str
    message: str
    message_en: str


class SignalSeriesOut(Schema):
    signal: int
    method: str
    dates: list[date]
    observed: list[float | None]
    expected: list[float | None]
    upper: list[float | None]
    alarm: list[bool]
    problem: SignalProblemOut | None


def _signals():
    return Signal.objects.select_related("region", "disease", "assigned_org")


def signal_out(s: Signal, now: datetime | None = None) -> dict:
    from ..choices import TRANSITIONS

    return {
        "id": s.pk, "signal_date": s.signal_date, "source": s.source, "measure": s.measure,
        "region": {"code": s.region.code, "name": s.region.name},
        "disease": {"code": s.disease.code, "name": s.disease.name} if s.disease_id else None,
        "series": s.series_label, "method": s.method, "params": s.params or {},
        "observed": number(s.observed), "expected": number(s.expected), "upper": number(s.upper),
        "status": s.status, "status_label": str(s.get_status_display()),
        "assigned_org": ({"id": s.assigned_org.pk, "code": s.assigned_org.code, "name": s.assigned_org.name}
                         if s.assigned_org_id else None),
        "raised_at": s.raised_at, "verify_due_at": s.verify_due_at, "verified_at": s.verified_at,
        "overdue": svc.is_overdue(s, now), "overdue_flagged_at": s.overdue_flagged_at, "outcome_note": s.outcome_note,
        "alarm_days": s.alarm_days, "last_alarm_date": s.last_alarm_date,
        "closed_at": s.closed_at, "event_report": s.event_report_id, "response_ref": s.response_ref,
        "next_statuses": [str(x) for x in TRANSITIONS.get(s.status, ())],
    }


def detail_out(s: Signal) -> dict:
    return {**signal_out(s), "actions": [
        {"id": a.pk, "from_status": a.from_status, "to_status": a.to_status, "at": a.at,
         "actor": a.actor.username if a.actor_id else None, "note": a.note} for a in svc.actions(s)]}


def _signal(request: HttpRequest, signal_id: int) -> Signal:
    return get_scoped(user_of(request), _signals(), pk=signal_id)


def _fresh(signal: Signal) -> dict:
    return detail_out(_signals().get(pk=signal.pk))


@signals_router.get("", response=page_of(SignalOut), summary="预警信号列表 / List signals")
def list_signals(request, filters: Query[SignalFilter]):
    """管辖范围内的预警信号，信号日期新的在前。 / Signals within your jurisdiction, newest first."""
    if filters.date_from and filters.date_to and filters.date_to < filters.date_from:
        raise InvalidInput({"date_to": [field_message("结束日期不能早于开始日期", "The end date is before the start date")]})
    qs = svc.signals(user_of(request), status=filters.status, region=filters.region, disease=filters.disease,
                     source=filters.source, method=filters.method, date_from=filters.date_from,
                     date_to=filters.date_to, overdue=filters.overdue)
    page = paginate(qs.order_by("-signal_date", "-pk"), filters)
    page["items"] = [signal_out(s) for s in page["items"]]
    return page


@signals_router.get("/{int:signal_id}", response=SignalDetailOut, summary="预警信号详情 / Get a signal")
def get_signal(request, signal_id: int = ID_PATH):
    """信号及其处置记录。 / The signal and its lifecycle history."""
    return detail_out(_signal(request, signal_id))


@signals_router.post("/{int:signal_id}/verify", response=SignalDetailOut, summary="初步核实 / Verify a signal")
def verify_signal(request, payload: SignalVerifyIn, signal_id: int = ID_PATH):
    """初步核实（应在信号发出后 24 小时内）：排除（须说明理由）或判为疑似事件。 / Preliminary verification (due within
    24 h of the signal): exclude it (with the reason) or call it a suspected event."""
    signal = _signal(request, signal_id)
    return _fresh(svc.transition(user_of(request), signal, payload.outcome, note=payload.note))


@signals_router.post("/{int:signal_id}/transition", response=SignalDetailOut, summary="信号状态流转 / Move a signal")
def transition_signal(request, payload: SignalTransitionIn, signal_id: int = ID_PATH):
    """new → excluded | suspected；suspected → investigating | excluded；investigating → confirmed | excluded。
    不允许的流转返回 409。“已关联事件”须通过 /link。 / Lifecycle steps; an illegal step is a 409; 'linked' is reached
    through /link."""
    signal = _signal(request, signal_id)
    return _fresh(svc.transition(user_of(request), signal, payload.status, note=payload.note))


@signals_router.post("/{int:signal_id}/link", response=SignalDetailOut, summary="关联事件 / Link an event")
def link_signal(request, payload: SignalLinkIn, signal_id: int = ID_PATH):
    """已确认暴发的信号关联一份突发事件报告（已有的，或由信号新建草稿）或应急事件编号。 / Link a confirmed signal to
    an event report (existing, or a new draft made from the signal) or a response event reference."""
    signal = _signal(request, signal_id)
    return _fresh(svc.link_event(user_of(request), signal, event_report_id=payload.event_report,
                                 create_draft=payload.create_draft, response_ref=payload.response_ref,
                                 note=payload.note))


@signals_router.get("/{int:signal_id}/series", response=SignalSeriesOut, summary="信号序列 / A signal's series")
def signal_series(request, params: Query[SignalSeriesParams], signal_id: int = ID_PATH):
    """信号所在序列最近 N 天的观察值、期望值、阈值和预警点（按现有数据重算），用于图表。 / Observed, expected,
    threshold and alarms over the last N days (recomputed from current counts), for the chart."""
    signal = _signal(request, signal_id)
    series = svc.series_for(signal, days=params.days)
    return {"signal": signal.pk, "method": signal.method, **series}


# --- KPIs ------------------------------------------------------------------------------------------------------


class SignalKpiParams(Schema):
    date_from: DetIsoDate | None = Field(None, description="信号日期起（默认近 4 周）/ from (default: last 4 weeks)")
    date_to: DetIsoDate | None = Field(None, description="信号日期止（默认今天）/ to (default: today)")
    region: str | None = REGION_QUERY
    disease: str | None = DISEASE_QUERY
    source: lit(Source) | None = None


class SignalKpiFigures(Schema):
    signals: int
    per_county_week: float | None = Field(..., description="每县每周信号数 / signals per county per week")
    responded: int
    response_rate: float | None = Field(..., description="已响应比例 / share responded")
    within_2h_rate: float | None = Field(..., description="2 小时内响应比例 / share verified within 2 h")
    within_24h_rate: float | None = Field(..., description="24 小时内响应比例 / share verified within 24 h")
    within_due_rate: float | None = Field(..., description="按时核实比例 / share verified by the due time")
    median_hours: float | None = Field(..., description="响应时间中位数（小时）/ median time to response (h)")
    p25_hours: float | None
    p75_hours: float | None
    suspected: int
    suspected_rate: float | None = Field(..., description="疑似事件比例 / share suspected events")
    confirmed: int
    confirmed_rate: float | None = Field(..., description="确认暴发比例 / share verified as outbreaks")
    open: int
    overdue: int


class SignalKpiRegion(Schema):
    region: DetectionCodeName
    figures: SignalKpiFigures


class SignalKpiOut(Schema):
    date_from: date
    date_to: date
    region: str | None
    counties: int
    weeks: float
    total: SignalKpiFigures
    fixed: SignalKpiFigures = Field(..., description="固定阈值法信号 / fixed-threshold signals")
    temporal: SignalKpiFigures = Field(..., description="时间模型信号 / temporal-model signals")
    by_region: list[SignalKpiRegion]


@kpi_router.get("", response=SignalKpiOut, summary="预警响应指标 / Signal KPIs")
def signal_kpis(request, params: Query[SignalKpiParams]):
    """CIDARS 公布的指标：响应率、24 小时内响应率、响应时间中位数、每县每周信号数、疑似事件与确认暴发比例，按区域。
    / KPIs as CIDARS publishes them, per region and period."""
    user = user_of(request)
    date_to = params.date_to or local_today()
    date_from = params.date_from or date_to - timedelta(days=27)
    region = params.region
    if region:
        try:
            regioncodes.level_of(region)
        except regioncodes.CodeError as exc:
            raise InvalidInput({"region": [field_message(exc.message_zh, exc.message_en)]}) from exc
        area = kpi_service.user_area(user)
        if area and not regioncodes.is_within(region, area) and not user.is_platform_admin:
            raise NotPermitted("该区域不在您的管辖范围内", "This region is outside your jurisdiction")
    report = kpi_service.kpis(user, date_from=date_from, date_to=date_to, region=region, disease=params.disease,
                              source=params.source)
    return {"date_from": report.date_from, "date_to": report.date_to, "region": report.region or None,
            "counties": report.counties, "weeks": report.weeks, "total": vars(report.total),
            "fixed": vars(report.fixed), "temporal": vars(report.temporal),
            "by_region": [{"region": {"code": code, "name": name}, "figures": vars(f)}
                          for code, name, f in report.by_region]}


router.add_router("/signals", signals_router)
router.add_router("/signal-kpis", kpi_router)
