"""Signals (预警信号): listing, the verification lifecycle, linking an event, overdue flagging and the chart series.

Lifecycle (choices.TRANSITIONS; statutory-rules §4.4):

    new (待核实) → excluded (已排除) | suspected (疑似事件)
    suspected → investigating (现场调查) | excluded
    investigating → confirmed (确认暴发) | excluded
    confirmed → linked (已关联事件), only by linking a public-health event report (or a response event)

The first step out of ``new`` is the preliminary verification (初步核实): it sets ``verified_at``/``verified_by``,
from which the response KPIs count. Excluding needs a reason. Every step is a SignalAction and is audited. Only the
CDC responsible for the signal (its region's CDC, or a CDC above it) and administrators move a signal.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from yingji.core import regioncodes, scoping
from yingji.core.errors import InvalidInput, NotPermitted, TransitionNotAllowed, YingjiError, field_message
from yingji.core.models import User
from yingji.core.notify import notify
from yingji.core.services import acting_as
from yingji.surveillance.models import EventReport

from ..algorithms import ParameterError, run
from ..choices import OPEN_STATUSES, TRANSITIONS, Frequency, SignalStatus, Source
from ..models import Signal, SignalAction
from .counts import apply_holidays, card_counts, fever_counts, holiday_days, weekly
from .runs import SHANGHAI, disease_children, signal_link

STATUS_LABELS = {
    SignalStatus.NEW: ("待核实", "to be verified"),
    SignalStatus.EXCLUDED: ("已排除", "excluded"),
    SignalStatus.SUSPECTED: ("疑似事件", "suspected event"),
    SignalStatus.INVESTIGATING: ("现场调查", "field investigation"),
    SignalStatus.CONFIRMED: ("确认暴发", "confirmed outbreak"),
    SignalStatus.LINKED: ("已关联事件", "linked to an event"),
}
MAX_NOTE = 2000
# Statuses from which opening a response event (``link_event(response_ref=…)``) links the signal.
RESPONSE_LINKABLE = (SignalStatus.SUSPECTED, SignalStatus.INVESTIGATING, SignalStatus.CONFIRMED)
DEFAULT_OVERDUE_LOOKBACK_DAYS = 30


class IllegalTransition(TransitionNotAllowed):
    def __init__(self, current: str, wanted: str):
        super().__init__(("信号", "A signal"), current, wanted, STATUS_LABELS, TRANSITIONS,
                         none=("无（已结束）", "none (closed)"))


# --- reading -----------------------------------------------------------------------------------------------


def overdue_q(now: datetime | None = None) -> Q:
    """Signals whose preliminary verification is past due and not done."""
    return Q(status=SignalStatus.NEW, verify_due_at__lt=now or timezone.now())


def signals(user, *, status: str | None = None, region: str | None = None, disease: str | None = None,
            source: str | None = None, date_from: date | None = None, date_to: date | None = None,
            overdue: bool | None = None, method: str | None = None, now: datetime | None = None) -> QuerySet:
    qs = scoping.scope(user, Signal.objects.select_related("region", "disease", "assigned_org", "event_report"))
    if status:
        qs = qs.filter(status=status)
    if region:
        try:
            qs = qs.filter(region__code__startswith=regioncodes.subtree_prefix(region))
        except regioncodes.CodeError:
            qs = qs.none()
    if disease:
        qs = qs.filter(disease__code=disease)
    if source:
        qs = qs.filter(source=source)
    if method:
        qs = qs.filter(method=method)
    if date_from:
        qs = qs.filter(signal_date__gte=date_from)
    if date_to:
        qs = qs.filter(signal_date__lte=date_to)
    if overdue is True:
        qs = qs.filter(overdue_q(now))
    elif overdue is False:
        qs = qs.exclude(overdue_q(now))
    return qs


def is_overdue(signal: Signal, now: datetime | None = None) -> bool:
    return signal.status == SignalStatus.NEW and signal.verify_due_at < (now or timezone.now())


def actions(signal: Signal) -> QuerySet:
    return signal.actions.select_related("actor").order_by("at", "pk")


# --- the lifecycle -----------------------------------------------------------------------------------------


def _require_writable(user, signal: Signal) -> Signal:
    locked = scoping.get_scoped(user, Signal.objects.select_for_update(), write=False, pk=signal.pk)
    if not scoping.can(user, locked, write=True):
        raise NotPermitted("只有负责该信号的疾控中心可以核实和处置信号",
                           "Only the CDC responsible for the signal may verify and act on it")
    return locked


def _clean_note(note) -> str:
    if note is None:
        return ""
    if not isinstance(note, str):
        raise InvalidInput({"note": [field_message("须为文本", "must be text")]})
    if len(note) > MAX_NOTE:
        raise InvalidInput({"note": [field_message(f"最多 {MAX_NOTE} 个字符", f"at most {MAX_NOTE} characters")]})
    return note.strip()


def _record(user, signal: Signal, to_status: str, note: str, now: datetime) -> Signal:
    from_status = signal.status
    signal.status = to_status
    fields = ["status", "updated_at"]
    if from_status == SignalStatus.NEW and signal.verified_at is None:
        signal.verified_at, signal.verified_by = now, user
        fields += ["verified_at", "verified_by"]
    if to_status in (SignalStatus.EXCLUDED, SignalStatus.LINKED):
        signal.closed_at = now
        fields.append("closed_at")
    if note:
        signal.outcome_note = note
        fields.append("outcome_note")
    signal.save(update_fields=fields)
    SignalAction.objects.create(signal=signal, actor=user, from_status=from_status, to_status=to_status, at=now,
                                note=note)
    return signal


def transition(user, signal: Signal, to_status: str, *, note: str = "", now: datetime | None = None) -> Signal:
    """Move a signal one step of its lifecycle (verify it: ``to_status`` excluded or suspected; then on)."""
    now = now or timezone.now()
    note = _clean_note(note)
    if to_status not in SignalStatus.values:
        raise InvalidInput({"status": [field_message(f"须为以下之一：{'、'.join(SignalStatus.values)}",
                                                     f"must be one of: {', '.join(SignalStatus.values)}")]})
    if to_status == SignalStatus.EXCLUDED and not note:
        raise InvalidInput({"note": [field_message("排除信号须说明理由", "Give the reason for excluding the signal")]})
    with transaction.atomic(), acting_as(user):
        signal = _require_writable(user, signal)
        if to_status == SignalStatus.LINKED:
            raise YingjiError("illegal_transition", "“已关联事件”须通过关联事件报告完成",
                              "A signal becomes 'linked' by linking an event report",
                              fields={"status": [field_message("请使用“关联事件”", "use 'link an event'")]},
                              status=409)
        if to_status not in TRANSITIONS.get(signal.status, ()):
            raise IllegalTransition(signal.status, to_status)
        return _record(user, signal, to_status, note, now)


def link_event(user, signal: Signal, *, event_report_id: int | None = None, create_draft: bool = False,
               response_ref: str = "", note: str = "", now: datetime | None = None) -> Signal:
    """Link a confirmed signal to a public-health event report (an existing one the user can see, or a new draft
    initial report made from the signal) and/or a response event reference; the signal becomes ``linked``."""
    now = now or timezone.now()
    note = _clean_note(note)
    response_ref = (response_ref or "").strip()
    if len(response_ref) > 64:
        raise InvalidInput({"response_ref": [field_message("最多 64 个字符", "at most 64 characters")]})
    given = sum(bool(x) for x in (event_report_id, create_draft, response_ref))
    if given == 0:
        raise InvalidInput({"event_report": [field_message(
            "请选择要关联的事件报告，或新建草稿，或填写应急事件编号",
            "Choose an event report to link, create a draft, or give a response event reference")]})
    if event_report_id and create_draft:
        raise InvalidInput({"create_draft": [field_message("已选择事件报告时不能再新建草稿",
                                                           "Cannot create a draft when a report is chosen")]})
    with transaction.atomic(), acting_as(user):
        signal = _require_writable(user, signal)
        # A response event (应急事件, response app) may be opened on a suspected or investigated signal too: the
        # response need not wait for laboratory confirmation. An event report links a confirmed signal only.
        linkable = RESPONSE_LINKABLE if response_ref and not (event_report_id or create_draft) \
            else (SignalStatus.CONFIRMED,)
        if signal.status not in linkable:
            raise IllegalTransition(signal.status, SignalStatus.LINKED)
        report = None
        if event_report_id:
            report = scoping.scope(user, EventReport.objects.all()).filter(pk=event_report_id).first()
            if report is None:
                raise InvalidInput({"event_report": [field_message("事件报告不存在或不在您的管辖范围内",
                                                                   "No such event report within your jurisdiction")]})
        elif create_draft:
            report = _draft_event(user, signal, now)
        signal.event_report = report or signal.event_report
        signal.response_ref = response_ref or signal.response_ref
        signal.save(update_fields=["event_report", "response_ref", "updated_at"])
        text = note or (f"关联事件报告 {report.report_number} / linked event report {report.report_number}"
                        if report else f"关联应急事件 {response_ref} / linked response event {response_ref}")
        return _record(user, signal, SignalStatus.LINKED, text, now)


def _draft_event(user, signal: Signal, now: datetime) -> EventReport:
    from yingji.surveillance.choices import EventCategory
    from yingji.surveillance.services.events import create_event_report

    what = signal.disease.name if signal.disease_id else str(signal.get_measure_display())
    org = signal.assigned_org_id if user.organisation_id is None else user.organisation_id
    return create_event_report(
        user, title=f"{signal.region.name}{what}暴发（预警信号 {signal.signal_date:%Y-%m-%d}）"[:200],
        category=EventCategory.INFECTIOUS_OUTBREAK, region=signal.region_id, discovered_at=now,
        reporting_org=org, disease=signal.disease.code if signal.disease_id else None,
        cases=int(signal.observed), description=f"由预警信号 #{signal.pk} 经现场调查确认 / confirmed from signal #{signal.pk}",
        now=now)


# --- overdue verifications ---------------------------------------------------------------------------------


def flag_overdue(*, now: datetime | None = None, lookback_days: int = DEFAULT_OVERDUE_LOOKBACK_DAYS) -> dict:
    """Flag signals whose verification fell due in the last ``lookback_days`` days without a response and remind
    the responsible CDC (in the app and by SMS) — once per signal: flagged signals are not reminded again."""
    now = now or timezone.now()
    due = Signal.objects.filter(overdue_q(now), overdue_flagged_at__isnull=True,
                                verify_due_at__gte=now - timedelta(days=lookback_days)).select_related(
        "region", "disease", "assigned_org")
    result = {"flagged": 0, "in_app": 0, "sms": 0}
    for signal in due:
        with transaction.atomic():
            updated = Signal.objects.filter(pk=signal.pk, overdue_flagged_at__isnull=True).update(
                overdue_flagged_at=now)
            if not updated:
                continue
            result["flagged"] += 1
            if signal.assigned_org_id is None:
                continue
            users = User.objects.filter(organisation_id=signal.assigned_org_id, is_active=True, role="cdc")
            what = signal.disease.name if signal.disease_id else str(signal.get_measure_display())
            due_at = timezone.localtime(signal.verify_due_at, SHANGHAI)
            sent = notify(users, f"预警信号核实逾期：{signal.region.name} {what}",
                          f"{signal.signal_date:%Y-%m-%d} 的预警信号应于 {due_at:%Y-%m-%d %H:%M} 前完成初步核实，至今未核实，请尽快处理。",
                          link=signal_link(signal))
            result["in_app"] += sent.in_app
            result["sms"] += sent.sms
    return result


# --- the chart series --------------------------------------------------------------------------------------


def series_for(signal: Signal, *, days: int = 90) -> dict:
    """Observed, expected, upper and alarms of the signal's series over the ``days`` days (or weeks, for weekly
    configurations) up to its date, recomputed with its method and parameters from current counts."""
    config = signal.config
    history = int(config.history_days) if config else 3 * 365 + 60
    end = signal.signal_date
    start = end - timedelta(days=history - 1)
    level = config.region_level if config else "county"
    if signal.source == Source.FEVER_CLINIC:
        matrix = fever_counts(start, end, level=level)
        keys = {signal.measure}
    else:
        basis = config.count_basis if config else "report"
        children = disease_children()
        keys, frontier = {signal.disease_id}, [signal.disease_id]
        while frontier:
            frontier = [c for p in frontier for c in children.get(p, ()) if c not in keys]
            keys.update(frontier)
        matrix = card_counts(start, end, basis=basis, level=level, disease_ids=keys)
    row = matrix.rows_for(keys).get(signal.region_id)
    values = np.zeros((1, matrix.days)) if row is None else row[np.newaxis, :]
    if row is None and signal.source == Source.FEVER_CLINIC:
        values[:] = np.nan
    mode = config.holiday_mode if config else "none"
    values = apply_holidays(values, start, mode, holiday_days(start, end))
    dates = [start + timedelta(days=i) for i in range(matrix.days)]
    if config is not None and config.frequency == Frequency.WEEKLY:
        values, dates = weekly(values, start)
    problem = None
    try:
        result = run(signal.method, values, **(signal.params or {}))
        expected, upper, alarm = result.expected[0], result.upper[0], result.alarm[0]
        if result.problems:
            problem = {"code": result.problems[0].code, "message": result.problems[0].message,
                       "message_en": result.problems[0].message_en}
    except (ParameterError, TypeError, ValueError) as exc:
        nan = np.full(values.shape[1], np.nan)
        expected, upper, alarm = nan, nan, np.zeros(values.shape[1], dtype=bool)
        problem = {"code": "bad_parameter", "message": getattr(exc, "message", str(exc)),
                   "message_en": getattr(exc, "message_en", str(exc))}
    keep = slice(max(0, len(dates) - days), len(dates))

    def clean(array):
        return [None if not np.isfinite(v) else float(v) for v in np.asarray(array, dtype=float)[keep]]

    return {"dates": dates[keep], "observed": clean(values[0]), "expected": clean(expected), "upper": clean(upper),
            "alarm": [bool(a) for a in np.asarray(alarm)[keep]], "problem": problem}


def open_statuses() -> tuple:
    return OPEN_STATUSES
