"""The disease catalogue over /api/v1/diseases: everyone signed in reads it; administrators add a disease (e.g. a
new emerging one) and change deadlines without code. Mounted by api/cards.py's router."""

from typing import Literal

from ninja import Field, Path, Query, Router, Schema, Status

from yingji.core import scoping
from yingji.core.api_schemas import NO_NUL, InputSchema, PageParams, page_of, paginate
from yingji.core.errors import NotFound

from ..choices import DiseaseClass
from ..models import Disease
from ..services import catalogue

router = Router(tags=["diseases"])

ClassLiteral = Literal[tuple(DiseaseClass.values)]
CODE_PATH = Path(..., pattern=r"^[0-9A-Za-z]{2,16}$", description="疾病编码 / disease code")


class DiseaseOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    icd10: str
    disease_class: str
    class_label: str
    managed_as_class_a: bool
    parent: str | None = Field(None, description="上级疾病编码 / parent disease code")
    report_deadline_hours: int | None = Field(..., description="报告时限（小时），空为无法定时限 / report deadline")
    review_deadline_hours: int | None
    single_case_alert: bool
    carriers_reportable: bool
    requires_acuteness: bool
    event_rules: str
    valid_from: str | None
    valid_to: str | None
    is_active: bool
    sort_order: int
    notes: str

    @staticmethod
    def resolve_class_label(obj) -> str:
        return str(obj.get_disease_class_display())

    @staticmethod
    def resolve_parent(obj) -> str | None:
        return obj.parent.code if obj.parent_id else None

    @staticmethod
    def resolve_valid_from(obj) -> str | None:
        return obj.valid_from.isoformat() if obj.valid_from else None

    @staticmethod
    def resolve_valid_to(obj) -> str | None:
        return obj.valid_to.isoformat() if obj.valid_to else None


class DiseaseFilter(PageParams):
    disease_class: ClassLiteral | None = Field(None, description="类别 / class")
    active: bool | None = Field(None, description="是否启用 / active")
    q: str | None = Field(None, max_length=64, pattern=NO_NUL, description="名称、编码或 ICD-10 / search")


class DiseasePatch(InputSchema):
    name: str | None = Field(None, min_length=1, max_length=64, pattern=NO_NUL, description="中文名称")
    name_en: str | None = Field(None, min_length=1, max_length=128, pattern=NO_NUL, description="English name")
    icd10: str | None = Field(None, max_length=32, pattern=NO_NUL)
    disease_class: ClassLiteral | None = None
    managed_as_class_a: bool | None = Field(None, strict=True, description="按甲类管理 / managed as class A")
    parent: str | None = Field(None, max_length=16, pattern=NO_NUL, description="上级疾病编码 / parent code")
    report_deadline_hours: int | None = Field(None, strict=True, ge=1, le=720,
                                              description="报告时限（小时）/ report deadline in hours")
    review_deadline_hours: int | None = Field(None, strict=True, ge=1, le=720,
                                              description="审核时限（小时）/ review deadline in hours")
    single_case_alert: bool | None = Field(None, strict=True, description="单病例预警 / a single case is an alert")
    carriers_reportable: bool | None = Field(None, strict=True, description="报告病原携带者 / carriers reported")
    requires_acuteness: bool | None = Field(None, strict=True, description="须填急性/慢性 / acute or chronic")
    event_rules: str | None = Field(None, max_length=64, pattern=NO_NUL, description="突发事件报告标准 / criteria")
    valid_from: str | None = Field(None, max_length=10, pattern=r"^$|^\d{4}-\d{2}-\d{2}$", description="YYYY-MM-DD")
    valid_to: str | None = Field(None, max_length=10, pattern=r"^$|^\d{4}-\d{2}-\d{2}$", description="YYYY-MM-DD")
    is_active: bool | None = Field(None, strict=True)
    sort_order: int | None = Field(None, strict=True, ge=0, le=1_000_000)
    notes: str | None = Field(None, max_length=2000, pattern=NO_NUL)


class DiseaseIn(DiseasePatch):
    code: str = Field(..., min_length=2, max_length=16, pattern=r"^[0-9A-Za-z]+$", description="疾病编码 / code")
    name: str = Field(..., min_length=1, max_length=64, pattern=NO_NUL, description="中文名称")
    name_en: str = Field(..., min_length=1, max_length=128, pattern=NO_NUL, description="English name")
    disease_class: ClassLiteral = Field(..., description="类别 / class")
    is_active: bool = Field(True, strict=True)


def _values(payload: DiseasePatch, *, partial: bool) -> dict:
    """Form data: a create gives every field (with the schema's defaults), a change only those sent."""
    return {k: ("" if v is None else v) for k, v in payload.model_dump(exclude_unset=partial).items()}


@router.get("", response=page_of(DiseaseOut), summary="法定传染病目录 / Disease catalogue")
def list_diseases(request, filters: Query[DiseaseFilter]):
    """法定传染病目录（含报告时限、审核时限、单病例预警），所有登录用户可读。
    / The catalogue with report and review deadlines; everyone signed in reads it."""
    qs = catalogue.diseases(request.auth, disease_class=filters.disease_class, active=filters.active, q=filters.q)
    return paginate(qs, filters)


@router.post("", response={201: DiseaseOut}, summary="新增病种 / Add a disease")
def create_disease(request, payload: DiseaseIn):
    """新增病种（仅系统管理员），如新发传染病，并设定报告时限。/ Add a disease (administrators), e.g. an emerging
    one, with its deadline."""
    return Status(201, catalogue.save_disease(request.auth, _values(payload, partial=False)))


@router.patch("/{code}", response=DiseaseOut, summary="修改病种 / Change a disease")
def patch_disease(request, payload: DiseasePatch, code: str = CODE_PATH):
    """只修改给出的字段（仅系统管理员），如报告时限。/ Change only the fields given (administrators)."""
    scoping.require_place(request.auth, Disease, region_code=None, owner_org_id=None)
    disease = Disease.objects.filter(code=code.upper()).first()
    if disease is None:
        raise NotFound()
    return catalogue.save_disease(request.auth, _values(payload, partial=True), instance=disease)
