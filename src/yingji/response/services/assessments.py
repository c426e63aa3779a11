"""Risk assessments (风险评估) of an event on the 5×5 matrix, and the matrix itself.

The computation is yingji.response.riskmatrix (no Django); this module supplies the table — the default with the
administrator's overrides (RiskMatrixCell rows) — and the rules of recording an assessment:
- likelihood and consequence are whole numbers 1–5; the risk level and the recommended response level are the
  matrix's, computed when the assessment is saved and kept as they were (a later change of the matrix does not
  rewrite past assessments);
- only users who may change the event (its region's CDC, health commission, those above; core.scoping) record one,
  and not on an ended event; the assessment time is not in the future nor before the event occurred;
- the assessing organisation defaults to the user's own and must be within the user's reach.
Every change runs in one transaction and is audited.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from yingji.core import scoping
from yingji.core.errors import Conflict, InvalidInput, NotPermitted, field_message
from yingji.core.services import acting_as
from yingji.surveillance.services.schedules import Errors, resolve_unit

from .. import riskmatrix
from ..choices import EventStatus
from ..models import Event, RiskAssessment, RiskMatrixCell

MAX_TEXT = 8000
CLOCK_SKEW = timedelta(minutes=1)
TEXT_FIELDS = ("rationale", "likelihood_note", "consequence_note", "measures")


# --- the matrix ----------------------------------------------------------------------------------------------


def matrix_table() -> riskmatrix.Table:
    """The matrix in force: the default table with every administrator's override applied."""
    overrides = {(c.likelihood, c.consequence): (c.risk_level, c.recommended_level)
                 for c in RiskMatrixCell.objects.all()}
    return riskmatrix.merged(overrides)


def matrix_rows(table: riskmatrix.Table | None = None, *, chosen: tuple[int, int] | None = None) -> list[dict]:
    """The matrix for display: likelihood 5 (top) to 1, consequence 1 to 5 left to right."""
    table = table or matrix_table()
    rows = []
    for lk in reversed(riskmatrix.SCALE):
        zh, en = riskmatrix.LIKELIHOOD_LABELS[lk]
        cells = []
        for cq in riskmatrix.SCALE:
            cell = table[(lk, cq)]
            cells.append({"likelihood": lk, "consequence": cq, "risk_level": cell.risk_level,
                          "recommended_level": cell.recommended_level, "chosen": chosen == (lk, cq)})
        rows.append({"likelihood": lk, "label": zh, "label_en": en, "cells": cells})
    return rows


def set_matrix_cell(user, likelihood: int, consequence: int, *, risk_level: str,
                    recommended_level: str) -> RiskMatrixCell | None:
    """Override one cell (platform administrators only). Setting a cell back to its default removes the
    override (None is returned)."""
    if not (user.is_authenticated and user.is_platform_admin):
        raise NotPermitted("仅系统管理员可修改风险矩阵", "Only platform administrators may change the risk matrix")
    try:
        riskmatrix.merged({(likelihood, consequence): (risk_level, recommended_level)})
    except riskmatrix.MatrixError as exc:
        raise InvalidInput({exc.field: [field_message(exc.message, exc.message_en)]}) from None
    default = riskmatrix.default_cell(likelihood, consequence)
    with transaction.atomic(), acting_as(user):
        existing = RiskMatrixCell.objects.filter(likelihood=likelihood, consequence=consequence).first()
        if (risk_level, recommended_level) == (default.risk_level, default.recommended_level):
            if existing is not None:
                existing.delete()
            return None
        if existing is None:
            existing = RiskMatrixCell(likelihood=likelihood, consequence=consequence)
        existing.risk_level, existing.recommended_level = risk_level, recommended_level
        existing.save()
        return existing


# --- assessments ---------------------------------------------------------------------------------------------


def writable_event(user, event: Event | int, *, allow_ended: bool = False) -> Event:
    """The event, when the user may change it (NotFound outside the jurisdiction, NotPermitted for readers);
    Conflict when it has ended (unless ``allow_ended``)."""
    pk = event.pk if isinstance(event, Event) else event
    event = scoping.get_scoped(user, Event.objects.select_related("region", "lead_org"), write=True, pk=pk)
    if not allow_ended and event.status == EventStatus.ENDED:
        raise Conflict("事件已终止，不能再添加记录", "The event has ended; nothing more can be added")
    return event


def assessments(user, event: Event | None = None) -> QuerySet:
    qs = scoping.scope(user, RiskAssessment.objects.select_related("event", "assessor_org", "created_by"))
    return qs.filter(event=event) if event is not None else qs


def _aware(value, errors: Errors, name: str, zh: str, en: str):
    if not isinstance(value, datetime):
        errors.add(name, f"请填写{zh}", f"Give the {en}")
        return None
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def create_assessment(user, event: Event | int, *, likelihood, consequence, assessed_at: datetime | None = None,
                      topic: str = "", assessors: str = "", assessor_org=None, rationale: str = "",
                      likelihood_note: str = "", consequence_note: str = "", measures: str = "",
                      now: datetime | None = None) -> RiskAssessment:
    """Record an assessment; its risk level and recommended response level are the matrix's for the cell."""
    now = now or timezone.now()
    event = writable_event(user, event)
    errors = Errors()
    cell = None
    for name, value in (("likelihood", likelihood), ("consequence", consequence)):
        try:
            riskmatrix.check_score(name, value)
        except riskmatrix.MatrixError as exc:
            errors.add(exc.field, exc.message, exc.message_en)
    if not errors:
        cell = riskmatrix.evaluate(likelihood, consequence, matrix_table())
    when = now if assessed_at is None else _aware(assessed_at, errors, "assessed_at", "评估时间", "time of assessment")
    if when is not None:
        if when > now + CLOCK_SKEW:
            errors.add("assessed_at", "评估时间不能晚于现在", "The time of assessment must not be in the future")
        elif when < event.occurred_at - CLOCK_SKEW:
            errors.add("assessed_at", "评估时间不能早于事件发生时间",
                       "The time of assessment must not be before the event occurred")
    topic, assessors = (topic or "").strip(), (assessors or "").strip()
    if len(topic) > 200:
        errors.add("topic", "评估主题最多 200 个字符", "The topic may have at most 200 characters")
    if len(assessors) > 500:
        errors.add("assessors", "参加评估人员最多 500 个字符", "The assessors may have at most 500 characters")
    texts = {name: (value or "").strip() for name, value in (
        ("rationale", rationale), ("likelihood_note", likelihood_note), ("consequence_note", consequence_note),
        ("measures", measures))}
    for name in TEXT_FIELDS:
        if len(texts[name]) > MAX_TEXT:
            errors.add(name, f"最多 {MAX_TEXT} 个字符", f"At most {MAX_TEXT} characters")
    org = resolve_unit(user, assessor_org if assessor_org not in (None, "") else user.organisation_id, errors,
                       "assessor_org") if (assessor_org not in (None, "") or user.organisation_id) else None
    if org is None and "assessor_org" not in errors.fields:
        errors.add("assessor_org", "请选择评估单位", "Choose the assessing organisation")
    errors.raise_if_any()
    assessment = RiskAssessment(
        event=event, assessed_at=when, topic=topic, assessors=assessors, assessor_org=org,
        likelihood=likelihood, consequence=consequence, risk_level=cell.risk_level,
        recommended_level=cell.recommended_level, created_by=user, **texts)
    with transaction.atomic(), acting_as(user):
        assessment.save()
    return assessment


def latest_assessment(event: Event) -> RiskAssessment | None:
    return event.risk_assessments.order_by("-assessed_at", "-pk").first()
