"""Report cards over /api/v1: /case-reports (list, file one or a batch, import, review, return, correct, delete,
duplicates and merge, history), /timeliness (per unit and per county) and /diseases (the catalogue, see
catalogue.py). Mounted in yingji/api.py with ``api.add_router("/v1", "yingji.surveillance.api.cards.router")``.

Reads go through core.scoping (another district's card answers 404) and every change through
surveillance.services.cards — the same functions the pages and the importer call. A patient's ID number and phone
are masked for users who may read the card but not see personal data (services.privacy).
"""

from datetime import date, datetime
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, File, Form, Query, Router, Schema, UploadedFile

from yingji.core import idempotency
from yingji.core.api import (
    ID_PATH,
    IDEMPOTENCY_KEY,
    _audit_entry,
    _created,
    _existing,
    _import_response,
    _read_upload,
)
from yingji.core.api_schemas import (
    MAX_ID,
    NO_NUL,
    AuditEntryOut,
    ImportErrorOut,
    ImportReportOut,
    InputSchema,
    IsoDateTime,
    PageParams,
    page_of,
    paginate,
)
from yingji.core.audit import history_for
from yingji.core.scoping import get_scoped

from ..choices import AgeUnit, CardStatus, CardType, CaseOrigin, Classification, IdType, Occupation, Sex
from ..models import CaseReport
from ..services import card_import, privacy, timeliness
from ..services import cards as card_service
from ..services.cards import MAX_BATCH, CardFilter
from .catalogue import router as diseases_router
from .common import IsoDate

router = Router()
cards_router = Router(tags=["case-reports"])
timeliness_router = Router(tags=["timeliness"])

Acuteness = Literal["", "acute", "chronic", "untyped"]


def _user(request: HttpRequest):
    return request.auth


def _lit(choices) -> Any:
    return Literal[tuple(choices.values)]


# --- schemas ------------------------------------------------------------------------------------------------


class CardFields(InputSchema):
    """The card's fields, all optional: a correction or an edit gives only what changes."""

    card_number: str | None = Field(None, max_length=64, pattern=NO_NUL,
                                    description="卡片编号（幂等键；留空自动生成）/ card number (the idempotency key; "
                                                "generated when empty)")
    patient_name: str | None = Field(None, max_length=64, pattern=NO_NUL, description="患者姓名 / patient name")
    guardian_name: str | None = Field(None, max_length=64, pattern=NO_NUL,
                                      description="家长姓名（14岁以下必填）/ parent's name (under 14)")
    id_type: _lit(IdType) | None = Field(None, description="证件类型 / document type")
    id_number: str | None = Field(None, max_length=32, pattern=NO_NUL,
                                  description="证件号码（身份证校验 GB 11643）/ document number")
    sex: _lit(Sex) | None = Field(None, description="性别 M/F/U")
    birth_date: IsoDate | None = Field(None, description="出生日期（与年龄至少填一项）/ date of birth (or the age)")
    age_value: int | None = Field(None, strict=True, ge=0, le=54_900, description="年龄 / age")
    age_unit: _lit(AgeUnit) | None = Field(None, description="年龄单位 / age unit")
    occupation: _lit(Occupation) | None = Field(None, description="职业（人群分类）/ occupation")
    work_unit: str | None = Field(None, max_length=128, pattern=NO_NUL, description="工作单位或学校 / work unit")
    phone: str | None = Field(None, max_length=32, pattern=NO_NUL, description="联系电话 / phone")
    case_origin: _lit(CaseOrigin) | None = Field(None, description="病例属于 / case belongs to")
    address_region: str | None = Field(None, max_length=9, pattern=NO_NUL,
                                       description="现住地址区划代码（县区或乡镇街道）/ address region code")
    address_detail: str | None = Field(None, max_length=255, pattern=NO_NUL, description="详细地址 / address")
    disease: str | None = Field(None, max_length=64, pattern=NO_NUL, description="疾病编码 / disease code")
    other_disease_name: str | None = Field(None, max_length=64, pattern=NO_NUL, description="其他传染病名称")
    classification: _lit(Classification) | None = Field(None, description="病例分类 / case classification")
    acuteness: Acuteness | None = Field(None, description="急性/慢性（乙肝、血吸虫病必填）/ acute or chronic")
    onset_date: IsoDate | None = Field(None, description="发病日期 / onset date")
    diagnosed_at: IsoDateTime | None = Field(None, description="诊断时间（无时区按北京时间）/ diagnosis time")
    death_date: IsoDate | None = Field(None, description="死亡日期 / date of death")
    reporting_org: str | None = Field(None, max_length=32, pattern=NO_NUL,
                                      description="报告单位机构代码（留空为本单位）/ reporting unit code")
    reporting_doctor: str | None = Field(None, max_length=64, pattern=NO_NUL, description="报告医生 / reporting doctor")
    reported_at: IsoDateTime | None = Field(None, description="报告时间（留空为现在）/ report time (now when empty)")
    notes: str | None = Field(None, max_length=4000, pattern=NO_NUL, description="备注 / notes")


class CardIn(CardFields):
    """A new card. Required: patient name, sex, occupation, address region, disease, classification, onset date,
    diagnosis time, reporting doctor, and the date of birth or the age."""

    patient_name: str = Field(..., min_length=1, max_length=64, pattern=NO_NUL, description="患者姓名 / patient name")
    sex: _lit(Sex) = Field(..., description="性别 M/F/U")
    occupation: _lit(Occupation) = Field(..., description="职业（人群分类）/ occupation")
    address_region: str = Field(..., min_length=1, max_length=9, pattern=NO_NUL,
                                description="现住地址区划代码（县区或乡镇街道）/ address region code")
    disease: str = Field(..., min_length=1, max_length=64, pattern=NO_NUL, description="疾病编码 / disease code")
    classification: _lit(Classification) = Field(..., description="病例分类 / case classification")
    onset_date: IsoDate = Field(..., description="发病日期 / onset date")
    diagnosed_at: IsoDateTime = Field(..., description="诊断时间（无时区按北京时间）/ diagnosis time")
    reporting_doctor: str = Field(..., min_length=1, max_length=64, pattern=NO_NUL,
                                  description="报告医生 / reporting doctor")


class CorrectionIn(CardFields):
    reason: str = Field("", max_length=500, pattern=NO_NUL, description="订正原因 / why the card is corrected")


class CardReasonIn(InputSchema):
    reason: str = Field(..., min_length=1, max_length=500, pattern=NO_NUL, description="原因 / reason")


class CardMergeIn(InputSchema):
    into: int = Field(..., strict=True, ge=1, le=MAX_ID, description="保留的报告卡 ID / the card to keep")
    reason: str = Field("", max_length=500, pattern=NO_NUL, description="说明 / note")


class CardBatchIn(InputSchema):
    cards: list[dict[str, Any]] = Field(
        ..., min_length=1, max_length=MAX_BATCH,
        description=f"报告卡（字段同新建接口），最多 {MAX_BATCH} 张 / cards (fields as for one card), at most "
                    f"{MAX_BATCH}",
    )


class CardRegionRef(Schema):
    code: str
    name: str


class CardDiseaseRef(CardRegionRef):
    id: int
    name_en: str
    disease_class: str


class CardOrgRef(CardRegionRef):
    id: int
    region: str


class CardTimelinessOut(Schema):
    status: str = Field(..., description="on_time, late, no_deadline, invalid, pending, overdue")
    label: str
    label_en: str
    deadline: datetime | None
    delay_hours: float | None


class CardOut(Schema):
    id: int
    card_number: str
    card_type: str
    card_type_label: str
    original: int | None
    status: str
    status_label: str
    patient_name: str
    guardian_name: str
    id_type: str
    id_number: str = Field(..., description="按权限可能部分隐藏 / may be masked")
    sex: str
    birth_date: date | None
    age_value: int | None
    age_unit: str
    occupation: str
    occupation_label: str
    work_unit: str
    phone: str = Field(..., description="按权限可能部分隐藏 / may be masked")
    personal_data_masked: bool
    case_origin: str
    address_region: CardRegionRef
    address_detail: str
    disease: CardDiseaseRef
    other_disease_name: str
    classification: str
    classification_label: str
    acuteness: str
    onset_date: date
    diagnosed_at: datetime
    death_date: date | None
    reporting_org: CardOrgRef
    reporting_doctor: str
    reported_at: datetime
    notes: str
    reviewed_at: datetime | None
    reviewed_by: str | None
    status_reason: str
    status_changed_at: datetime | None
    status_changed_by: str | None
    merged_into: int | None
    created_at: datetime
    updated_at: datetime
    timeliness: CardTimelinessOut
    review_timeliness: CardTimelinessOut


class CardFilterIn(PageParams):
    disease: str | None = Field(None, max_length=16, pattern=NO_NUL, description="疾病编码（含分型）/ disease code")
    region: str | None = Field(None, max_length=9, pattern=NO_NUL,
                               description="现住地址区划，含下级 / address region subtree")
    org_region: str | None = Field(None, max_length=9, pattern=NO_NUL,
                                   description="报告单位所在区划，含下级 / reporting unit's region subtree")
    reporting_org: int | None = Field(None, ge=1, le=MAX_ID, description="报告单位 ID / reporting unit id")
    status: _lit(CardStatus) | None = Field(None, description="状态 / status")
    classification: _lit(Classification) | None = None
    card_type: _lit(CardType) | None = None
    onset_from: IsoDate | None = None
    onset_to: IsoDate | None = None
    diagnosed_from: IsoDate | None = None
    diagnosed_to: IsoDate | None = None
    reported_from: IsoDate | None = None
    reported_to: IsoDate | None = None
    timeliness: Literal["on_time", "late", "no_deadline", "invalid"] | None = Field(
        None, description="报告及时性 / report timeliness")
    q: str | None = Field(None, max_length=64, pattern=NO_NUL, description="姓名、卡片编号或证件号码 / search")


class CardBatchItemOut(Schema):
    index: int = Field(..., description="在 cards 中的位置（从 0 起）/ position in cards (from 0)")
    status: Literal["created", "replayed", "invalid", "conflict"]
    id: int | None
    card_number: str | None
    errors: dict[str, list[dict[str, str]]]


class CardBatchOut(Schema):
    created: int
    replayed: int
    invalid: int
    conflict: int
    items: list[CardBatchItemOut]


class DuplicateGroupOut(Schema):
    keep: CardOut = Field(..., description="建议保留的报告卡 / the card suggested to keep")
    cards: list[CardOut]


class DuplicateFilter(PageParams):
    window_days: int | None = Field(None, ge=0, le=365, description="时间窗（天，默认 30）/ window in days")


class TimelinessFilter(Schema):
    date_from: IsoDate | None = Field(None, description="报告日期起（含）/ reported from (inclusive)")
    date_to: IsoDate | None = Field(None, description="报告日期止（含）/ reported until (inclusive)")
    disease: str | None = Field(None, max_length=16, pattern=NO_NUL, description="疾病编码 / disease code")
    region: str | None = Field(None, max_length=9, pattern=NO_NUL,
                               description="报告单位所在区划，含下级 / reporting unit's region subtree")
    by_address: bool = Field(False, description="按患者现住县区分组（仅 regions）/ group by the patient's county")


class TimelinessRow(Schema):
    id: int | None = None
    code: str
    name: str
    region: str | None = None
    region_name: str | None = None
    cards: int
    on_time: int
    late: int
    no_deadline: int
    invalid: int
    on_time_rate: float | None = Field(..., description="及时率 = 及时 /（及时 + 迟报）/ on time / (on time + late)")
    median_delay_hours: float | None
    review_cards: int
    reviewed: int
    review_on_time: int
    review_late: int
    review_no_deadline: int
    review_pending: int
    review_overdue: int
    review_on_time_rate: float | None
    review_median_hours: float | None


class TimelinessTableOut(Schema):
    rows: list[TimelinessRow]
    total: TimelinessRow


# --- output -------------------------------------------------------------------------------------------------


def card_out(card: CaseReport, policy: privacy.PersonalDataPolicy) -> dict:
    disease, org = card.disease, card.reporting_org
    return {
        **{name: getattr(card, name) for name in (
            "id", "card_number", "card_type", "status", "patient_name", "guardian_name", "id_type", "sex",
            "birth_date", "age_value", "age_unit", "occupation", "work_unit", "case_origin", "address_detail",
            "other_disease_name", "classification", "acuteness", "onset_date", "diagnosed_at", "death_date",
            "reporting_doctor", "reported_at", "notes", "reviewed_at", "status_reason", "status_changed_at",
            "created_at", "updated_at")},
        "card_type_label": str(card.get_card_type_display()),
        "status_label": str(card.get_status_display()),
        "occupation_label": str(card.get_occupation_display()),
        "classification_label": str(card.get_classification_display()),
        "original": card.original_id,
        "merged_into": card.merged_into_id,
        "id_number": policy.id_number(card),
        "phone": policy.phone(card),
        "personal_data_masked": not policy.allows(card),
        "address_region": {"code": card.address_region_id, "name": card.address_region.name},
        "disease": {"id": disease.pk, "code": disease.code, "name": disease.name, "name_en": disease.name_en,
                    "disease_class": disease.disease_class},
        "reporting_org": {"id": org.pk, "code": org.code, "name": org.name, "region": org.region_id},
        "reviewed_by": str(card.reviewed_by) if card.reviewed_by_id else None,
        "status_changed_by": str(card.status_changed_by) if card.status_changed_by_id else None,
        "timeliness": timeliness.describe(timeliness.card_timeliness(card)),
        "review_timeliness": timeliness.describe(timeliness.card_review_timeliness(card)),
    }


def _card(request, card_id: int, *, write: bool = False) -> CaseReport:
    return get_scoped(_user(request), card_service.cards(), write=write, pk=card_id)


def _out(request, card: CaseReport) -> dict:
    return card_out(card, privacy.PersonalDataPolicy(_user(request)))


def _data(payload: Schema) -> dict:
    """The fields the client gave, as form data (null clears a field)."""
    return {k: ("" if v is None else v) for k, v in payload.model_dump(exclude_unset=True).items()}


# --- cards --------------------------------------------------------------------------------------------------


@cards_router.get("", response=page_of(CardOut), summary="报告卡列表 / List report cards")
def list_case_reports(request, filters: Query[CardFilterIn]):
    """管辖范围内（患者现住址或报告单位在辖区内）的报告卡，新的在前。 / Cards within reach (the patient's address or the
    reporting unit in your jurisdiction), newest report first."""
    user = _user(request)
    f = CardFilter(**filters.model_dump(exclude={"page", "page_size"}))
    page = paginate(card_service.filter_cards(user, f), filters)
    policy = privacy.PersonalDataPolicy(user)
    page["items"] = [card_out(c, policy) for c in page["items"]]
    return page


@cards_router.post("", response={201: CardOut, 200: CardOut}, summary="填报报告卡 / File a report card")
def create_case_report(request, payload: CardIn, response: HttpResponse,
                       idempotency_key: str | None = IDEMPOTENCY_KEY):
    """新建报告卡（201）。card_number 即幂等键：同一编号、同一内容的重试返回首次建立的报告卡（200，
    Idempotency-Replayed: true）；同一编号、不同内容返回 409。也可用 Idempotency-Key 请求头。
    / File a card (201). The card number is its idempotency key: a retry with the same number and content answers
    200 with the card made first; the same number with other content is 409. The Idempotency-Key header works too."""
    user = _user(request)
    card_service.require_writer(user)
    replayed = False

    def create():
        nonlocal replayed
        submission = card_service.submit_card(user, _data(payload))
        replayed = submission.replayed
        return submission.card

    outcome = idempotency.create_once(
        user, "surveillance.case_report", idempotency_key, payload.model_dump(mode="json"), create=create,
        fetch=lambda pk: _existing(user, card_service.cards(), pk),
    )
    outcome = idempotency.Outcome(_out(request, outcome.obj), replayed=outcome.replayed or replayed)
    return _created(response, outcome)


@cards_router.post("/batch", response=CardBatchOut, summary="批量填报 / File many cards at once")
def batch_case_reports(request, payload: CardBatchIn):
    """一次最多 500 张；逐张返回结果（created、replayed、invalid、conflict），有效的报告卡都会保存。
    按 card_number 幂等：重试整个批次不会重复建卡。/ At most 500 cards; a result per card. Valid cards are saved;
    idempotent per card number, so retrying the whole batch never duplicates a card."""
    user = _user(request)
    results = card_service.ingest_cards(user, list(enumerate(payload.cards)))
    counts = {k: 0 for k in ("created", "replayed", "invalid", "conflict")}
    items = []
    for r in results:
        counts[r.status] += 1
        items.append({"index": r.index, "status": r.status, "id": r.card.pk if r.card else None,
                      "card_number": r.card.card_number if r.card else None, "errors": r.errors})
    return {**counts, "items": items}


@cards_router.post("/import", response={200: ImportReportOut, 422: ImportErrorOut},
                   summary="从 CSV/Excel 导入报告卡 / Import report cards from CSV or Excel")
def import_case_reports(request, file: File[UploadedFile], valid_only: Form[bool] = False):
    """上传 .csv 或 .xlsx（中文表头，如 卡片编号、患者姓名、有效证件号、性别、出生日期、疾病名称……）。默认全部有效才导入；
    valid_only=true 时仅导入有效行。/ Upload .csv or .xlsx with Chinese headers. All rows or none unless
    valid_only=true; 422 with every bad row when nothing was imported."""
    user = _user(request)
    card_service.require_writer(user)
    name, content = _read_upload(file)
    return _import_response(card_import.import_cards(user, name, content, valid_only=valid_only))


@cards_router.get("/duplicates", response=page_of(DuplicateGroupOut), summary="疑似重复报告 / Possible duplicates")
def list_duplicate_cards(request, filters: Query[DuplicateFilter]):
    """同一人（证件号码，或姓名 + 性别 + 出生日期/年龄）同一疾病、诊断时间相距不超过时间窗的有效报告卡。
    / Live cards of the same person and disease diagnosed within the window of each other."""
    user = _user(request)
    groups = card_service.find_duplicates(user, window_days=filters.window_days)
    page = paginate(groups, filters)
    policy = privacy.PersonalDataPolicy(user)
    page["items"] = [{"keep": card_out(g.keep, policy), "cards": [card_out(c, policy) for c in g.cards]}
                     for g in page["items"]]
    return page


@cards_router.get("/{int:card_id}", response=CardOut, summary="报告卡详情 / Get a report card")
def get_case_report(request, card_id: int = ID_PATH):
    return _out(request, _card(request, card_id))


@cards_router.put("/{int:card_id}", response=CardOut, summary="修改报告卡 / Edit a report card")
def update_case_report(request, payload: CardFields, card_id: int = ID_PATH):
    """修改未审核或被退回的报告卡（只改给出的字段；退回的卡修改后重新进入审核）；已审核的卡请订正。
    / Edit a card awaiting review or returned (only the fields given; a returned card goes back for review);
    correct a reviewed card instead."""
    user = _user(request)
    card = _card(request, card_id, write=True)
    return _out(request, card_service.update_card(user, card, _data(payload)))


@cards_router.post("/{int:card_id}/review", response=CardOut, summary="审核 / Review")
def review_case_report(request, card_id: int = ID_PATH):
    """县区疾控审核确认。 / The county CDC confirms the card."""
    card = _card(request, card_id, write=True)
    return _out(request, card_service.review_card(_user(request), card))


@cards_router.post("/{int:card_id}/return", response=CardOut, summary="退卡 / Return to the reporter")
def return_case_report(request, payload: CardReasonIn, card_id: int = ID_PATH):
    card = _card(request, card_id, write=True)
    return _out(request, card_service.return_card(_user(request), card, payload.reason))


@cards_router.post("/{int:card_id}/correct", response={201: CardOut, 200: CardOut},
                   summary="订正 / File a correction")
def correct_case_report(request, payload: CorrectionIn, response: HttpResponse, card_id: int = ID_PATH):
    """订正报告：新建一张“订正报告”卡（只需给出改变的字段，可改疾病），原卡变为“已被订正”。
    / A correction card (give only what changes; the disease may change); the original becomes superseded."""
    user = _user(request)
    card = _card(request, card_id, write=True)
    changes = _data(payload)
    reason = changes.pop("reason", "")
    submission = card_service.correct_card(user, card, changes, reason=reason)
    outcome = idempotency.Outcome(_out(request, submission.card), replayed=submission.replayed)
    return _created(response, outcome)


@cards_router.post("/{int:card_id}/delete", response=CardOut, summary="删除（注明原因）/ Delete with a reason")
def delete_case_report(request, payload: CardReasonIn, card_id: int = ID_PATH):
    """删除重报、误报的报告卡（保留记录与历史）。/ Delete a duplicate or erroneous card (it and its history stay)."""
    card = _card(request, card_id, write=True)
    return _out(request, card_service.delete_card(_user(request), card, payload.reason))


@cards_router.post("/{int:card_id}/merge", response=CardOut, summary="合并重复卡 / Merge a duplicate")
def merge_case_report(request, payload: CardMergeIn, card_id: int = ID_PATH):
    """把本卡作为重复卡合并到 into（保留卡）。/ Merge this card, a duplicate, into the card ``into``."""
    user = _user(request)
    card = _card(request, card_id, write=True)
    kept = _card(request, payload.into, write=True)
    return _out(request, card_service.merge_cards(user, card, kept, reason=payload.reason))


@cards_router.get("/{int:card_id}/history", response=page_of(AuditEntryOut), summary="修改记录 / History")
def case_report_history(request, params: Query[PageParams], card_id: int = ID_PATH):
    """谁在何时做了什么（新建、审核、退卡、订正、删除、合并），新的在前；个人信息按权限隐藏。
    / Who did what and when, newest first; personal data masked as on the card."""
    card = _card(request, card_id)
    policy = privacy.PersonalDataPolicy(_user(request))
    page = paginate(history_for(card).select_related("actor", "content_type"), params)
    items = []
    for entry in page["items"]:
        item = _audit_entry(entry)
        item["changes"] = {name: [policy.value(card, name, v) for v in values] if isinstance(values, list)
                           else values for name, values in item["changes"].items()}
        items.append(item)
    page["items"] = items
    return page


# --- timeliness ---------------------------------------------------------------------------------------------


def _table_filter(filters: TimelinessFilter) -> timeliness.TableFilter:
    return timeliness.TableFilter(**filters.model_dump())


@timeliness_router.get("/units", response=TimelinessTableOut, summary="各报告单位及时性 / Timeliness per unit")
def timeliness_units(request, filters: Query[TimelinessFilter]):
    """按报告单位统计报告及时性（诊断至报告）与审核及时性（报告至审核），按报告日期筛选。
    / Report timeliness (diagnosis → report) and review timeliness (report → review) per reporting unit."""
    return timeliness.unit_table(_user(request), _table_filter(filters))


@timeliness_router.get("/regions", response=TimelinessTableOut, summary="各县区及时性 / Timeliness per county")
def timeliness_regions(request, filters: Query[TimelinessFilter]):
    """按县区（报告单位所在县区；by_address=true 时按患者现住县区）统计。/ Per county (the reporting unit's, or
    with by_address=true the patient's)."""
    return timeliness.region_table(_user(request), _table_filter(filters))


router.add_router("/case-reports", cards_router)
router.add_router("/timeliness", timeliness_router)
router.add_router("/diseases", diseases_router)
