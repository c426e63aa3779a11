"""Audit trail (审计日志): every create, update and delete of a domain record, append-only.

Built on django-auditlog (who, when, which fields changed from what to what). Domain apps register their
models with :func:`track`. The log table refuses UPDATE on every database and DELETE on PostgreSQL
(triggers in core's migrations), so an entry, once written, stays as written.
"""

from auditlog.models import LogEntry
from auditlog.registry import auditlog

ACTION_LABELS = {
    LogEntry.Action.CREATE: ("新建", "created"),
    LogEntry.Action.UPDATE: ("修改", "updated"),
    LogEntry.Action.DELETE: ("删除", "deleted"),
}


def track(model, *, exclude: tuple[str, ...] = ()) -> None:
    """Audit ``model``; its many-to-many fields named in ``audit_m2m`` (a class attribute) are audited too."""
    if not auditlog.contains(model):
        auditlog.register(
            model, exclude_fields=list(exclude), serialize_data=True, serialize_auditlog_fields_only=True,
            m2m_fields=set(getattr(model, "audit_m2m", ())),
        )


def register_core_models() -> None:
    from .models import Organisation, Region, RegionPopulation, User

    track(Region)
    track(RegionPopulation)
    track(Organisation, exclude=("updated_at",))
    track(User, exclude=("password", "last_login"))


def history_for(obj):
    """Entries for one record, newest first."""
    return LogEntry.objects.get_for_object(obj).select_related("actor").order_by("-timestamp", "-pk")
