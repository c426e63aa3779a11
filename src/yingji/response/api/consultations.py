"""Consultation meetings (会商研判) over /api/v1/consultations and /api/v1/emergencies/{event_id}/consultations:
list, get, record one with its participants and decisions (idempotent with ``Idempotency-Key``), change the record,
add a participant or a decision, turn a decision into a task, upload / download / remove materials.

Reads go through core.scoping; every change through services.consultations. Schema classes are named
Consultation… (one OpenAPI document holds every app's classes).
"""

from datetime import date, datetime
from typing import Literal

from django.http import FileResponse, HttpRequest, HttpResponse
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from yingji.core import idempotency, scoping
from yingji.core.api import ID_PATH, IDEMPOTENCY_KEY, _aware, _created, _existing
from yingji.core.api_schemas import NO_NUL, InputSchema, IsoDateTime, PageParams, page_of, paginate
from yingji.core.errors import InvalidInput, NotFound, field_message

from ..models import Consultation, ConsultationKind, Event
from ..services import consultations as svc

router = Router()
consultations_router = Router(tags=["consultations"])
event_consultations_router = Router(tags=["consultations"])

KindCode = Literal[tuple(ConsultationKind.values)]
MATERIAL_FILE = File(None, description="会商材料文件 / the file")


def _user(request: HttpRequest):
    return request.auth


class ConsultationEventRef(Schema):
    id: int
    number: str
    title: str


class ConsultationParticipantOut(Schema):
    id: int
    user: int | None
    name: str
    organisation: str
    role: str


class ConsultationDecisionOut(Schema):
    id: int
    text: str
    responsible_org: int | None
    responsible_org_name: str | None
    due_date: date | None
    task: str = Field(..., description="已转为任务时为任务 ID / the task's id once made a task, else empty")


class ConsultationMaterialOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    uploaded_at: datetime
    url: str


class ConsultationOut(Schema):
    id: int
    event: ConsultationEventRef
    held_at: datetime
    kind: str = Field(..., description="daily 日常会商 / special 专题会商 / expert 专家会商")
    kind_label: str
    place: str
    online: bool
    chair: str
    agenda: str
    conclusions: str
    organiser: int
    organiser_name: str
    participants: list[ConsultationParticipantOut]
    decisions: list[ConsultationDecisionOut]
    materials: list[ConsultationMaterialOut]
    created_at: datetime


class ConsultationParticipantIn(InputSchema):
    user: int | None = Field(None, strict=True, ge=1, le=2**63 - 1, description="平台用户 ID / platform user id")
    name: str = Field("", max_length=100, pattern=NO_NUL, description="姓名（非平台用户必填）/ name")
    organisation: str = Field("", max_length=200, pattern=NO_NUL, description="单位 / organisation")
    role: str = Field("", max_length=100, pattern=NO_NUL, description="身份（专家、部门代表……）/ role")


class ConsultationDecisionIn(InputSchema):
    text: str = Field(..., min_length=1, max_length=8000, pattern=NO_NUL, description="决定事项 / decision")
    responsible_org: str | None = Field(None, max_length=32, pattern=NO_NUL,
                                        description="责任单位机构代码 / responsible unit code")
    due_date: date | None = Field(None, description="完成期限 YYYY-MM-DD / due date")


class ConsultationIn(InputSchema):
    held_at: IsoDateTime = Field(..., description="会商时间 / time of the meeting")
    kind: KindCode = "special"
    chair: str = Field(..., min_length=1, max_length=100, pattern=NO_NUL, description="主持人 / chair")
    place: str = Field("", max_length=200, pattern=NO_NUL, description="地点（视频会商可空）/ place")
    online: bool = Field(False, strict=True, description="视频会商 / online")
    agenda: str = Field("", max_length=8000, pattern=NO_NUL)
    conclusions: str = Field("", max_length=8000, pattern=NO_NUL, description="会商结论 / conclusions")
    participants: list[ConsultationParticipantIn] = Field(default_factory=list, max_length=200)
    decisions: list[ConsultationDecisionIn] = Field(default_factory=list, max_length=100)


class ConsultationPatch(InputSchema):
    kind: KindCode | None = None
    chair: str | None = Field(None, min_length=1, max_length=100, pattern=NO_NUL)
    place: str | None = Field(None, max_length=200, pattern=NO_NUL)
    online: bool | None = Field(None, strict=True)
    agenda: str | None = Field(None, max_length=8000, pattern=NO_NUL)
    conclusions: str | None = Field(None, max_length=8000, pattern=NO_NUL)


class ConsultationFilter(PageParams):
    event: int | None = Field(None, ge=1, le=2**63 - 1, description="事件 ID / event id")
    kind: KindCode | None = None


def consultation_out(m: Consultation) -> dict:
    return {
        "id": m.pk, "event": {"id": m.event_id, "number": m.event.number, "title": m.event.title},
        "held_at": m.held_at, "kind": m.kind, "kind_label": str(m.get_kind_display()), "place": m.place,
        "online": m.online, "chair": m.chair, "agenda": m.agenda, "conclusions": m.conclusions,
        "organiser": m.organiser_id, "organiser_name": m.organiser.name, "created_at": m.created_at,
        "participants": [{"id": p.pk, "user": p.user_id, "name": p.name, "organisation": p.organisation,
                          "role": p.role} for p in m.participants.all()],
        "decisions": [{"id": d.pk, "text": d.text, "responsible_org": d.responsible_org_id,
                       "responsible_org_name": d.responsible_org.name if d.responsible_org_id else None,
                       "due_date": d.due_date, "task": d.task_ref} for d in m.decisions.all()],
        "materials": [{"id": f.pk, "name": f.name, "content_type": f.content_type, "size": f.size,
                       "uploaded_at": f.uploaded_at,
                       "url": f"/api/v1/consultations/{m.pk}/materials/{f.pk}"} for f in m.materials.all()],
    }


def _related(qs):
    return qs.select_related("event", "organiser").prefetch_related("participants", "decisions__responsible_org",
                                                                   "materials")


def _consultation(request, pk: int) -> Consultation:
    return scoping.get_scoped(_user(request), _related(Consultation.objects.all()), pk=pk)


def _out(meeting: Consultation) -> dict:
    return consultation_out(_related(Consultation.objects.all()).get(pk=meeting.pk))


def _page(qs, filters: ConsultationFilter) -> dict:
    if filters.event:
        qs = qs.filter(event_id=filters.event)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    page = paginate(_related(qs).order_by("-held_at", "-pk"), filters)
    page["items"] = [consultation_out(m) for m in page["items"]]
    return page


@consultations_router.get("", response=page_of(ConsultationOut), summary="会商列表 / List consultations")
def list_consultations(request, filters: Query[ConsultationFilter]):
    """管辖范围内事件的会商研判，新的在前。 / Consultations on the events within reach, newest first."""
    return _page(svc.consultations(_user(request)), filters)


@consultations_router.get("/{int:consultation_id}", response=ConsultationOut, summary="会商详情 / Get one")
def get_consultation(request, consultation_id: int = ID_PATH):
    return consultation_out(_consultation(request, consultation_id))


@consultations_router.patch("/{int:consultation_id}", response=ConsultationOut,
                            summary="修改会商记录 / Change a consultation")
def update_consultation(request, payload: ConsultationPatch, consultation_id: int = ID_PATH):
    """只修改请求体中给出的字段。 / Change only the fields given."""
    meeting = _consultation(request, consultation_id)
    changes = {k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None}
    return _out(svc.update_consultation(_user(request), meeting, changes))


@consultations_router.post("/{int:consultation_id}/participants", response={201: ConsultationOut},
                           summary="增加参会人员 / Add a participant")
def add_consultation_participant(request, payload: ConsultationParticipantIn, consultation_id: int = ID_PATH):
    meeting = _consultation(request, consultation_id)
    svc.add_participant(_user(request), meeting, payload.model_dump())
    return Status(201, _out(meeting))


@consultations_router.post("/{int:consultation_id}/decisions", response={201: ConsultationOut},
                           summary="增加决定事项 / Add a decision")
def add_consultation_decision(request, payload: ConsultationDecisionIn, consultation_id: int = ID_PATH):
    meeting = _consultation(request, consultation_id)
    svc.add_decision(_user(request), meeting, **payload.model_dump())
    return Status(201, _out(meeting))


@consultations_router.post("/{int:consultation_id}/decisions/{int:decision_id}/task", response=ConsultationOut,
                           summary="决定事项转为任务 / Turn a decision into a task")
def consultation_decision_to_task(request, consultation_id: int = ID_PATH, decision_id: int = ID_PATH):
    """按责任单位和完成期限建立事件任务（仅一次）。 / Makes a task of the event for the responsible unit, due on the
    due date (once)."""
    meeting = _consultation(request, consultation_id)
    decision = meeting.decisions.filter(pk=decision_id).first()
    if decision is None:
        raise NotFound()
    svc.decision_to_task(_user(request), decision)
    return _out(meeting)


@consultations_router.post("/{int:consultation_id}/materials", response={201: ConsultationOut},
                           summary="上传会商材料 / Upload a material")
def upload_consultation_material(request, consultation_id: int = ID_PATH, file: UploadedFile | None = MATERIAL_FILE):
    """multipart/form-data 的 file：PDF、Word、Excel、PowerPoint、图片、文本，限大小。 / multipart/form-data ``file``:
    PDF, Word, Excel, PowerPoint, images, text; size-limited; the content must match the type."""
    meeting = _consultation(request, consultation_id)
    svc.writable_consultation(_user(request), meeting)
    if file is None:
        raise InvalidInput({"file": [field_message("请选择文件", "Choose a file")]})
    if file.size is not None and file.size > svc.material_max_bytes():
        limit = svc.material_max_bytes()
        raise InvalidInput({"file": [field_message(f"文件过大，上限为 {limit // 1024} KB",
                                                   f"The file is too large; the limit is {limit // 1024} KB")]})
    svc.add_material(_user(request), meeting, name=file.name or "", content=file.read())
    return Status(201, _out(meeting))


@consultations_router.get("/{int:consultation_id}/materials/{int:material_id}", response={200: None},
                          summary="下载会商材料 / Download a material")
def download_consultation_material(request, consultation_id: int = ID_PATH, material_id: int = ID_PATH):
    meeting = _consultation(request, consultation_id)
    material = meeting.materials.filter(pk=material_id).first()
    if material is None:
        raise NotFound()
    try:
        handle = material.file.open("rb")
    except FileNotFoundError:
        raise NotFound() from None
    return FileResponse(handle, as_attachment=True, filename=material.name,
                        content_type=material.content_type or "application/octet-stream")


@consultations_router.delete("/{int:consultation_id}/materials/{int:material_id}", response={204: None},
                             summary="删除会商材料 / Remove a material")
def delete_consultation_material(request, consultation_id: int = ID_PATH, material_id: int = ID_PATH):
    meeting = _consultation(request, consultation_id)
    material = meeting.materials.filter(pk=material_id).first()
    if material is None:
        raise NotFound()
    svc.delete_material(_user(request), material)
    return Status(204, None)


@event_consultations_router.get("/{int:event_id}/consultations", response=page_of(ConsultationOut),
                                summary="事件的会商 / An event's consultations")
def list_event_consultations(request, filters: Query[ConsultationFilter], event_id: int = ID_PATH):
    event = scoping.get_scoped(_user(request), Event.objects.all(), pk=event_id)
    return _page(svc.consultations(_user(request), event), filters)


@event_consultations_router.post("/{int:event_id}/consultations", response={201: ConsultationOut,
                                                                           200: ConsultationOut},
                                 summary="记录会商 / Record a consultation")
def create_consultation(request, payload: ConsultationIn, response: HttpResponse, event_id: int = ID_PATH,
                        idempotency_key: str | None = IDEMPOTENCY_KEY):
    """会商时间、类型、主持人、地点或视频、参会人员（平台用户或姓名 + 单位）、结论与决定事项，一次保存。
    / Time, kind, chair, place or online, participants (platform users or name + organisation), conclusions and
    decisions, saved together."""
    user = _user(request)
    event = scoping.get_scoped(user, Event.objects.all(), pk=event_id)
    values = payload.model_dump()
    values["held_at"] = _aware(payload.held_at, "held_at")
    outcome = idempotency.create_once(
        user, "response.consultation", idempotency_key, {"event": event_id, **payload.model_dump(mode="json")},
        create=lambda: svc.create_consultation(user, event, **values),
        fetch=lambda pk: _existing(user, _related(Consultation.objects.all()), pk))
    return _created(response, idempotency.Outcome(_out(outcome.obj), outcome.replayed))


router.add_router("/consultations", consultations_router)
router.add_router("/emergencies", event_consultations_router)
