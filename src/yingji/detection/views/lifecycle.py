"""The pages' one entry to a signal's lifecycle step: services.signals' transition when it exists, else the small
stand-in below (same rules: choices.TRANSITIONS, an excluded signal needs a reason, a link needs an event report
within reach, the first step out of ``new`` is the response, every step a SignalAction, audited)."""

from django.db import transaction
from django.utils import timezone

from yingji.core import scoping
from yingji.core.errors import Conflict, InvalidInput, NotPermitted
from yingji.core.services import acting_as
from yingji.surveillance.models import EventReport

from ..choices import TRANSITIONS, SignalStatus
from ..models import Signal, SignalAction


def _field(zh: str, en: str) -> list[dict]:
    return [{"message": zh, "message_en": en}]


def _service():
    try:
        from ..services import signals as signal_service
    except ImportError:
        return None
    return getattr(signal_service, "transition", None)


def transition(user, signal: Signal, to_status: str, *, note: str = "", event_report: int | None = None) -> Signal:
    service = _service()
    if service is not None:
        return service(user, signal, to_status, note=note, event_report=event_report)
    return _transition(user, signal, to_status, note=note, event_report=event_report)


def _transition(user, signal, to_status, *, note="", event_report=None):
    if not scoping.can(user, signal, write=True):
        raise NotPermitted()
    with transaction.atomic(), acting_as(user):
        signal = Signal.objects.select_for_update().get(pk=signal.pk)
        allowed = TRANSITIONS.get(signal.status, ())
        if to_status not in allowed:
            raise Conflict(f"信号当前状态为“{signal.get_status_display()}”，不能改为该状态",
                           "The signal's current status does not allow this step",
                           fields={"to_status": _field("该信号当前状态不允许此操作。",
                                                       "This step is not allowed from the signal's current status.")})
        note = (note or "").strip()
        errors = {}
        if to_status == SignalStatus.EXCLUDED and not note:
            errors["note"] = _field("排除信号须填写核实情况和理由。", "Give what was checked and why the signal is excluded.")
        report = None
        if to_status == SignalStatus.LINKED:
            if not event_report:
                errors["event_report"] = _field("请选择要关联的事件报告。", "Choose the event report to link.")
            else:
                report = scoping.scope(user, EventReport.objects.filter(pk=event_report)).first()
                if report is None:
                    errors["event_report"] = _field("请选择管辖范围内的事件报告。",
                                                    "Choose an event report within your jurisdiction.")
        if errors:
            raise InvalidInput(errors)
        now = timezone.now()
        from_status = signal.status
        signal.status = to_status
        if signal.verified_at is None:
            signal.verified_at, signal.verified_by = now, user
        if note:
            signal.outcome_note = note
        if report is not None:
            signal.event_report = report
        if to_status in (SignalStatus.EXCLUDED, SignalStatus.LINKED):
            signal.closed_at = now
        signal.save()
        SignalAction.objects.create(signal=signal, actor=user, from_status=from_status, to_status=to_status, at=now,
                                    note=note)
    return signal
