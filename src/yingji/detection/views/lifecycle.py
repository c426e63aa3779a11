"""The pages' one entry to a signal's lifecycle step, through services.signals: ``transition`` for 初步核实 →
排除/疑似事件 → 现场调查 → 确认暴发, ``link_event`` for the link to a public-health event report (an existing one
within reach, or a draft initial report made from the signal). The service's field names are mapped to the form's."""

from yingji.core.errors import YingjiError

from ..choices import SignalStatus
from ..services import signals as signal_service

FORM_FIELDS = {"status": "to_status"}


def act(user, signal, to_status: str, *, note: str = "", event_report: int | None = None,
        create_draft: bool = False):
    try:
        if to_status == SignalStatus.LINKED:
            return signal_service.link_event(user, signal, event_report_id=event_report, create_draft=create_draft,
                                             note=note)
        return signal_service.transition(user, signal, to_status, note=note)
    except YingjiError as exc:
        exc.fields = {FORM_FIELDS.get(k, k): v for k, v in (exc.fields or {}).items()}
        raise
