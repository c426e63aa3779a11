"""Scenario checklists over /api/v1/checklists (list, get with measures, create, change, save the measures) and
activating a stage for an event over /api/v1/emergencies/{event_id}/checklist-activations (list, activate).

Everyone signed in reads the checklists that apply within their jurisdiction; administrators and health
commissions change them (services.checklists). Activating is idempotent: the same stage again creates no
duplicate task. Schema classes are named Checklist… (one OpenAPI document holds every app's classes).
"""

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from yingji.core import scoping
from yingji.core.api import ID_PATH
from yingji.core.api_schemas import NO_NUL, InputSchema, PageParams, page_of, paginate
from yingji.core.errors import NotFound, NotPermitted

from ..models import Checklist, Event
from ..services import checklists as svc
from .tasks import TaskOut, task_out

router = Router()
checklists_router = Router(tags=["checklists"])
activations_router = Router(tags=["checklists"])

KIND_DESCRIPTION = "负责机构类别 / responsible kind: lead, cdc, hospital, commission, ems, laboratory, government"


def _user(request: HttpRequest):
    return request.auth


class ChecklistItemOut(Schema):
    id: int
    order: int
    title: str
    description: str
    assignee_kind: str = Field(..., description=KIND_DESCRIPTION)
    assignee_kind_label: str
    due_hours: int = Field(..., description="启动后多少小时内完成 / due within hours of activation")
    statutory: bool
    active: bool


class ChecklistOut(Schema):
    id: int
    code: str
    scenario: str
    stage: int
    name: str
    response_level: str = Field(..., description="通常对应的响应级别 / the usual response level (I–IV or empty)")
    description: str
    region: str | None = Field(..., description="仅适用于该地区；空 = 通用 / applies only there; null = everywhere")
    active: bool
    source: str
    editable: bool = Field(..., description="当前用户可修改 / the user may change it")
    items: list[ChecklistItemOut]


class ChecklistFilter(PageParams):
    scenario: str | None = Field(None, max_length=100, pattern=NO_NUL)
    active: bool | None = None
    event: int | None = Field(None, ge=1, le=2**63 - 1, description="适用于该事件 / applicable to this event")


class ChecklistIn(InputSchema):
    code: str = Field(..., min_length=1, max_length=48, pattern=r"^[A-Za-z0-9_-]+$")
    scenario: str = Field(..., min_length=1, max_length=100, pattern=NO_NUL)
    stage: int = Field(1, strict=True, ge=1, le=99)
    name: str = Field(..., min_length=1, max_length=200, pattern=NO_NUL)
    response_level: str = Field("", pattern=r"^(I|II|III|IV)?$")
    description: str = Field("", max_length=4000, pattern=NO_NUL)
    region: str | None = Field(None, min_length=6, max_length=9, pattern=r"^\d{6}(\d{3})?$")
    active: bool = Field(True, strict=True)
    source: str = Field("", max_length=200, pattern=NO_NUL)


class ChecklistPatch(InputSchema):
    scenario: str | None = Field(None, min_length=1, max_length=100, pattern=NO_NUL)
    stage: int | None = Field(None, strict=True, ge=1, le=99)
    name: str | None = Field(None, min_length=1, max_length=200, pattern=NO_NUL)
    response_level: str | None = Field(None, pattern=r"^(I|II|III|IV)?$")
    description: str | None = Field(None, max_length=4000, pattern=NO_NUL)
    active: bool | None = Field(None, strict=True)
    source: str | None = Field(None, max_length=200, pattern=NO_NUL)


class ChecklistItemIn(InputSchema):
    id: int | None = Field(None, strict=True, ge=1, le=2**63 - 1, description="已有措施的 ID；新措施省略 / existing measure id")
    delete: bool = Field(False, strict=True, description="删除（已生成任务的措施改为停用）/ delete (deactivated if it made tasks)")
    title: str | None = Field(None, min_length=1, max_length=200, pattern=NO_NUL)
    description: str | None = Field(None, max_length=4000, pattern=NO_NUL)
    assignee_kind: str | None = Field(None, max_length=16, pattern=NO_NUL, description=KIND_DESCRIPTION)
    due_hours: int | None = Field(None, strict=True, ge=1, le=svc.MAX_DUE_HOURS)
    statutory: bool | None = Field(None, strict=True)
    order: int | None = Field(None, strict=True, ge=1, le=999)
    active: bool | None = Field(None, strict=True)


class ChecklistItemsIn(InputSchema):
    measures: list[ChecklistItemIn] = Field(..., max_length=200)


class ChecklistActivationIn(InputSchema):
    checklist: int = Field(..., strict=True, ge=1, le=2**63 - 1, description="处置清单 ID / checklist id")


class ChecklistActivationOut(Schema):
    id: int
    event: int
    checklist: int
    checklist_name: str
    activated_at: datetime
    actor: str | None
    created: list[TaskOut] = Field(..., description="本次新建的任务 / tasks created by this request")
    existing: int = Field(..., description="此前已生成的任务数 / tasks made by earlier activations")


def checklist_out(user, checklist: Checklist) -> dict:
    return {
        "id": checklist.pk, "code": checklist.code, "scenario": checklist.scenario, "stage": checklist.stage,
        "name": checklist.name, "response_level": checklist.response_level, "description": checklist.description,
        "region": checklist.region_id, "active": checklist.active, "source": checklist.source,
        "editable": svc.may_edit(user, checklist),
        "items": [{"id": i.pk, "order": i.order, "title": i.title, "description": i.description,
                   "assignee_kind": i.assignee_kind, "assignee_kind_label": str(i.get_assignee_kind_display()),
                   "due_hours": i.due_hours, "statutory": i.statutory, "active": i.active}
                  for i in checklist.items.order_by("order", "pk")],
    }


def _checklist(request, checklist_id: int) -> Checklist:
    checklist = svc.checklists(_user(request)).filter(pk=checklist_id).first()
    if checklist is None:
        raise NotFound()
    return checklist


@checklists_router.get("", response=page_of(ChecklistOut), summary="处置清单 / Scenario checklists")
def list_checklists(request, filters: Query[ChecklistFilter]):
    """适用于管辖范围的预案处置清单（每个情景的各阶段及其措施）。 / The checklists that apply within reach (each
    scenario's stages and their measures)."""
    user = _user(request)
    event = None
    if filters.event:
        event = scoping.get_scoped(user, Event.objects.all(), pk=filters.event)
    page = paginate(svc.checklists(user, scenario=filters.scenario, active=filters.active, event=event), filters)
    page["items"] = [checklist_out(user, c) for c in page["items"]]
    return page


@checklists_router.post("", response={201: ChecklistOut}, summary="新建处置清单 / Create a checklist")
def create_checklist(request, payload: ChecklistIn):
    """系统管理员、卫生健康行政部门（本辖区；通用清单限市级以上）。 / Administrators and health commissions (their own
    jurisdiction; city level or above for checklists that apply everywhere)."""
    user = _user(request)
    return Status(201, checklist_out(user, svc.save_checklist(user, payload.model_dump())))


@checklists_router.get("/{int:checklist_id}", response=ChecklistOut, summary="处置清单详情 / Get a checklist")
def get_checklist(request, checklist_id: int = ID_PATH):
    return checklist_out(_user(request), _checklist(request, checklist_id))


@checklists_router.patch("/{int:checklist_id}", response=ChecklistOut, summary="修改处置清单 / Change a checklist")
def update_checklist(request, payload: ChecklistPatch, checklist_id: int = ID_PATH):
    user = _user(request)
    checklist = _checklist(request, checklist_id)
    values = {k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None}
    return checklist_out(user, svc.save_checklist(user, values, instance=checklist))


@checklists_router.put("/{int:checklist_id}/measures", response=ChecklistOut,
                       summary="保存处置措施 / Save a checklist's measures")
def save_measures(request, payload: ChecklistItemsIn, checklist_id: int = ID_PATH):
    """逐条新增、修改或删除措施；全部成功或全部不保存，错误按 measures.<序号>.<字段> 返回。 / Add, change or delete
    measures; all or nothing, errors as measures.<n>.<field>."""
    user = _user(request)
    checklist = _checklist(request, checklist_id)
    rows = [{k: v for k, v in m.model_dump(exclude_unset=True).items() if v is not None or k == "id"}
            for m in payload.measures]
    try:
        svc.save_items(user, checklist, rows)
    except svc.InvalidInput as exc:
        exc.fields = {k.replace("items.", "measures.", 1): v for k, v in exc.fields.items()}
        raise
    return checklist_out(user, checklist)


def _activation_out(activation, created, existing) -> dict:
    return {"id": activation.pk, "event": activation.event_id, "checklist": activation.checklist_id,
            "checklist_name": str(activation.checklist), "activated_at": activation.activated_at,
            "actor": activation.actor.username if activation.actor_id else None,
            "created": [task_out(t) for t in created], "existing": existing}


@activations_router.get("/{int:event_id}/checklist-activations", response=list[ChecklistActivationOut],
                        summary="已启动的处置清单 / Checklist stages activated for an event")
def list_checklist_activations(request, event_id: int = ID_PATH):
    event = scoping.get_scoped(_user(request), Event.objects.all(), pk=event_id)
    return [_activation_out(a, [], a.tasks.count()) for a in svc.activations(event)]


@activations_router.post("/{int:event_id}/checklist-activations", response={201: ChecklistActivationOut,
                                                                          200: ChecklistActivationOut},
                         summary="启动处置清单 / Activate a checklist stage for an event")
def activate_checklist(request, payload: ChecklistActivationIn, event_id: int = ID_PATH):
    """为事件启动某阶段的处置清单：每项措施生成一个任务（按类别分配给事件所在地区的机构，时限 = 启动时间 + 措施时限）。
    重复启动不会重复生成任务（200）。 / One task per measure (assigned by kind within the event's region, due activation +
    the measure's hours). Activating again creates no duplicate (200)."""
    user = _user(request)
    event = scoping.get_scoped(user, Event.objects.select_related("region", "lead_org"), pk=event_id)
    checklist = svc.checklists(user, event=event).filter(pk=payload.checklist).first()
    if checklist is None:
        if not scoping.can(user, event, write=True):
            raise NotPermitted()
        raise svc.InvalidInput({"checklist": [svc.field_message("该处置清单不存在或不适用于事件所在地区",
                                                                "No such checklist for the event's region")]})
    result = svc.activate_stage(event, checklist, user)
    body = _activation_out(result.activation, result.created, result.existing)
    return Status(201 if result.created or result.first else 200, body)


router.add_router("/checklists", checklists_router)
router.add_router("/emergencies", activations_router)
