"""Risk assessments over /api/v1/assessments and /api/v1/emergencies/{event_id}/assessments: list, get, record one on
an event (idempotent with ``Idempotency-Key``), and the risk matrix in force (read by everyone; a cell changed by a
platform administrator).

Reads go through core.scoping (services.assessments.assessments); every change through services.assessments.
Schema classes are named Risk… (one OpenAPI document holds every app's classes).
"""

from datetime import datetime
from typing import Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema

from yingji.core import idempotency, scoping
from yingji.core.api import ID_PATH, IDEMPOTENCY_KEY, _aware, _created, _existing
from yingji.core.api_schemas import NO_NUL, InputSchema, IsoDateTime, PageParams, page_of, paginate

from .. import riskmatrix
from ..choices import ResponseLevel
from ..models import Event, RiskAssessment
from ..services import assessments as svc

router = Router()
assessments_router = Router(tags=["assessments"])
event_assessments_router = Router(tags=["assessments"])

RiskLevelCode = Literal[riskmatrix.RISK_LEVELS]
ResponseLevelCode = Literal[tuple(ResponseLevel.values)]


def _user(request: HttpRequest):
    return request.auth


class RiskEventRef(Schema):
    id: int
    number: str
    title: str


class RiskOrgRef(Schema):
    id: int
    code: str
    name: str


class RiskAssessmentOut(Schema):
    id: int
    event: RiskEventRef
    assessed_at: datetime
    topic: str
    assessor_org: RiskOrgRef
    assessors: str
    likelihood: int = Field(..., description="可能性 1 几乎不可能 … 5 几乎肯定 / likelihood 1–5")
    likelihood_label: str
    consequence: int = Field(..., description="后果严重性 1 极小 … 5 极严重 / consequence 1–5")
    consequence_label: str
    risk_level: str = Field(..., description="low 低 / medium 中 / high 高 / very_high 极高")
    risk_level_label: str
    recommended_level: str = Field(..., description="建议响应级别 none/IV/III/II/I / recommended response level")
    recommended_level_label: str
    rationale: str
    likelihood_note: str
    consequence_note: str
    measures: str
    created_by: str | None
    created_at: datetime


class RiskAssessmentIn(InputSchema):
    likelihood: int = Field(..., strict=True, ge=1, le=5, description="可能性 1–5 / likelihood 1–5")
    consequence: int = Field(..., strict=True, ge=1, le=5, description="后果严重性 1–5 / consequence 1–5")
    assessed_at: IsoDateTime | None = Field(None, description="评估时间（默认现在）/ time of assessment (default now)")
    topic: str = Field("", max_length=200, pattern=NO_NUL)
    assessors: str = Field("", max_length=500, pattern=NO_NUL, description="参加评估的专家、部门 / assessors")
    assessor_org: str | None = Field(None, max_length=32, pattern=NO_NUL,
                                     description="评估单位机构代码（默认本单位）/ assessing unit code (default own)")
    rationale: str = Field("", max_length=8000, pattern=NO_NUL, description="评估依据与结论 / rationale")
    likelihood_note: str = Field("", max_length=8000, pattern=NO_NUL)
    consequence_note: str = Field("", max_length=8000, pattern=NO_NUL)
    measures: str = Field("", max_length=8000, pattern=NO_NUL, description="建议措施 / recommended measures")


class RiskAssessmentFilter(PageParams):
    event: int | None = Field(None, ge=1, le=2**63 - 1, description="事件 ID / event id")
    risk_level: RiskLevelCode | None = None


class RiskMatrixCellOut(Schema):
    likelihood: int
    consequence: int
    risk_level: str
    risk_level_label: str
    recommended_level: str
    overridden: bool = Field(..., description="管理员已修改此格 / changed by an administrator")


class RiskMatrixOut(Schema):
    likelihood_labels: dict[int, str]
    consequence_labels: dict[int, str]
    cells: list[RiskMatrixCellOut]


class RiskMatrixCellIn(InputSchema):
    likelihood: int = Field(..., strict=True, ge=1, le=5)
    consequence: int = Field(..., strict=True, ge=1, le=5)
    risk_level: RiskLevelCode
    recommended_level: ResponseLevelCode


def assessment_out(a: RiskAssessment) -> dict:
    return {
        "id": a.pk, "event": {"id": a.event_id, "number": a.event.number, "title": a.event.title},
        "assessed_at": a.assessed_at, "topic": a.topic,
        "assessor_org": {"id": a.assessor_org_id, "code": a.assessor_org.code, "name": a.assessor_org.name},
        "assessors": a.assessors, "likelihood": a.likelihood,
        "likelihood_label": riskmatrix.LIKELIHOOD_LABELS[a.likelihood][0], "consequence": a.consequence,
        "consequence_label": riskmatrix.CONSEQUENCE_LABELS[a.consequence][0], "risk_level": a.risk_level,
        "risk_level_label": str(a.get_risk_level_display()), "recommended_level": a.recommended_level,
        "recommended_level_label": str(a.get_recommended_level_display()), "rationale": a.rationale,
        "likelihood_note": a.likelihood_note, "consequence_note": a.consequence_note, "measures": a.measures,
        "created_by": (a.created_by.full_name or a.created_by.username) if a.created_by_id else None,
        "created_at": a.created_at,
    }


def _assessment(request, pk: int) -> RiskAssessment:
    return scoping.get_scoped(_user(request), RiskAssessment.objects.select_related("event", "assessor_org",
                                                                                     "created_by"), pk=pk)


def _page(qs, filters: RiskAssessmentFilter) -> dict:
    if filters.event:
        qs = qs.filter(event_id=filters.event)
    if filters.risk_level:
        qs = qs.filter(risk_level=filters.risk_level)
    page = paginate(qs.order_by("-assessed_at", "-pk"), filters)
    page["items"] = [assessment_out(a) for a in page["items"]]
    return page


@assessments_router.get("", response=page_of(RiskAssessmentOut), summary="风险评估列表 / List risk assessments")
def list_risk_assessments(request, filters: Query[RiskAssessmentFilter]):
    """管辖范围内事件的风险评估，新的在前。 / Risk assessments of the events within reach, newest first."""
    return _page(svc.assessments(_user(request)), filters)


@assessments_router.get("/matrix", response=RiskMatrixOut, summary="风险矩阵 / The risk matrix")
def get_risk_matrix(request):
    """现行 5×5 风险矩阵（默认表及管理员的修改）。 / The 5×5 matrix in force (the default and any overrides)."""
    table = svc.matrix_table()
    default = riskmatrix.default_table()
    labels = dict(riskmatrix.RISK_LABELS)
    return {
        "likelihood_labels": {k: v[0] for k, v in riskmatrix.LIKELIHOOD_LABELS.items()},
        "consequence_labels": {k: v[0] for k, v in riskmatrix.CONSEQUENCE_LABELS.items()},
        "cells": [{"likelihood": lk, "consequence": cq, "risk_level": cell.risk_level,
                   "risk_level_label": labels[cell.risk_level][0], "recommended_level": cell.recommended_level,
                   "overridden": cell != default[(lk, cq)]} for (lk, cq), cell in sorted(table.items())],
    }


@assessments_router.post("/matrix", response=RiskMatrixOut, summary="修改风险矩阵 / Change a matrix cell")
def set_risk_matrix_cell(request, payload: RiskMatrixCellIn):
    """仅系统管理员。改回默认值即取消修改；已有评估不受影响。 / Platform administrators only. Setting the default again
    removes the override; past assessments keep their result."""
    svc.set_matrix_cell(_user(request), payload.likelihood, payload.consequence, risk_level=payload.risk_level,
                        recommended_level=payload.recommended_level)
    return get_risk_matrix(request)


@assessments_router.get("/{int:assessment_id}", response=RiskAssessmentOut, summary="风险评估详情 / Get one")
def get_risk_assessment(request, assessment_id: int = ID_PATH):
    return assessment_out(_assessment(request, assessment_id))


@event_assessments_router.get("/{int:event_id}/assessments", response=page_of(RiskAssessmentOut),
                              summary="事件的风险评估 / An event's risk assessments")
def list_event_risk_assessments(request, filters: Query[RiskAssessmentFilter], event_id: int = ID_PATH):
    event = scoping.get_scoped(_user(request), Event.objects.all(), pk=event_id)
    return _page(svc.assessments(_user(request), event), filters)


@event_assessments_router.post("/{int:event_id}/assessments", response={201: RiskAssessmentOut,
                                                                       200: RiskAssessmentOut},
                               summary="新增风险评估 / Record a risk assessment")
def create_risk_assessment(request, payload: RiskAssessmentIn, response: HttpResponse, event_id: int = ID_PATH,
                           idempotency_key: str | None = IDEMPOTENCY_KEY):
    """可能性 × 后果严重性 → 风险等级与建议响应级别（按现行矩阵计算并保存）。事件所在辖区的卫健、疾控用户。
    / Likelihood × consequence → risk level and recommended response level (computed on the matrix in force and
    kept). Users who may change the event."""
    user = _user(request)
    event = scoping.get_scoped(user, Event.objects.all(), pk=event_id)
    values = payload.model_dump()
    values["assessed_at"] = _aware(payload.assessed_at, "assessed_at")
    outcome = idempotency.create_once(
        user, "response.risk_assessment", idempotency_key, {"event": event_id, **payload.model_dump(mode="json")},
        create=lambda: svc.create_assessment(user, event, **values),
        fetch=lambda pk: _existing(user, RiskAssessment.objects.select_related("event", "assessor_org",
                                                                                "created_by"), pk))
    obj = RiskAssessment.objects.select_related("event", "assessor_org", "created_by").get(pk=outcome.obj.pk)
    return _created(response, idempotency.Outcome(assessment_out(obj), outcome.replayed))


router.add_router("/assessments", assessments_router)
router.add_router("/emergencies", event_assessments_router)
