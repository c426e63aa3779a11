"""Schemas shared by every API router: the error body, pagination, and the core records.

Other apps import ``ErrorOut``, ``PageParams``, ``page_of`` and ``paginate`` from here so that every list and every
error in /api/v1 has the same shape.
"""

import re
from datetime import datetime
from typing import Annotated, Any, Literal

from django.db.models import QuerySet
from ninja import Field, Schema
from ninja.schema import DjangoGetter
from pydantic import BaseModel, BeforeValidator, create_model, model_validator
from pydantic_core import PydanticCustomError

from .models import Organisation

# A string that PostgreSQL can store and compare: no NUL characters (schemathesis and real clients both send them).
NO_NUL = r"^[^\x00]*$"
# Largest value a BigAutoField key can hold; larger path ids would overflow the database driver.
MAX_ID = 2**63 - 1
MAX_PAGE = 1_000_000
MAX_PAGE_SIZE = 500
DEFAULT_PAGE_SIZE = 50


# --- input helpers ------------------------------------------------------------------------------------------

_NUMBER = re.compile(r"\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*")


def _iso_only(value):
    """Times are ISO 8601 text; a bare number (which pydantic would read as a Unix time) is refused."""
    if isinstance(value, bool | int | float) or (isinstance(value, str) and _NUMBER.fullmatch(value)):
        raise PydanticCustomError("datetime_parsing", "Input should be a valid datetime in ISO 8601 format")
    return value


IsoDateTime = Annotated[datetime, BeforeValidator(_iso_only)]


class InputSchema(Schema):
    """A JSON request body: must be an object (ninja's schemas would otherwise read attributes off a list)."""

    @model_validator(mode="wrap")
    @classmethod
    def _run_root_validator(cls, values, handler, info):  # replaces ninja's validator of the same name
        if not isinstance(values, dict | BaseModel):
            raise PydanticCustomError("model_type", "Input should be a valid dictionary or object")
        return handler(DjangoGetter(values, cls, info.context))


# --- errors -------------------------------------------------------------------------------------------------


class FieldMessage(Schema):
    message: str = Field(..., description="中文说明 / Chinese message")
    message_en: str = Field(..., description="English message")


class ErrorOut(Schema):
    """The one error body of the API (统一错误格式)."""

    code: str = Field(..., description="机器可读的错误代码 / machine-readable code", examples=["invalid"])
    message: str = Field(..., description="中文说明 / message in Chinese")
    message_en: str = Field(..., description="English message")
    fields: dict[str, list[FieldMessage]] = Field(
        default_factory=dict, description="按字段的错误 / errors per field ({field: [{message, message_en}]})"
    )


# --- pagination ---------------------------------------------------------------------------------------------


class PageParams(Schema):
    page: int = Field(1, ge=1, le=MAX_PAGE, description="页码，从 1 开始 / page number, from 1")
    page_size: int = Field(
        DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="每页条数（最多 500）/ items per page (at most 500)"
    )


_page_models: dict[type, type] = {}


def page_of(item: type[Schema]) -> type[Schema]:
    """The paged list schema ``{items: [item], count, page, page_size}`` for ``item`` (one class per item)."""
    if item not in _page_models:
        _page_models[item] = create_model(
            f"{item.__name__}Page",
            __base__=Schema,
            items=(list[item], Field(..., description="本页记录 / records on this page")),
            count=(int, Field(..., description="符合条件的记录总数 / total number of matching records")),
            page=(int, Field(..., description="页码 / page number")),
            page_size=(int, Field(..., description="每页条数 / page size")),
        )
    return _page_models[item]


def paginate(items: QuerySet | list, params: PageParams) -> dict[str, Any]:
    offset = (params.page - 1) * params.page_size
    count = items.count() if isinstance(items, QuerySet) else len(items)
    return {
        "items": list(items[offset : offset + params.page_size]),
        "count": count,
        "page": params.page,
        "page_size": params.page_size,
    }


# --- account ------------------------------------------------------------------------------------------------


class OrganisationBrief(Schema):
    id: int
    code: str
    name: str
    region: str = Field(..., description="所在行政区划代码 / region code")

    @staticmethod
    def resolve_region(obj) -> str:
        return obj.region_id


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    role: str
    role_label: str = Field(..., description="角色名称（当前语言）/ role name in the active language")
    is_platform_admin: bool
    organisation: OrganisationBrief | None
    jurisdiction: str | None = Field(
        None, description="管辖范围所在区划代码 / region code of the user's jurisdiction"
    )
    auth: Literal["token", "session"] = Field(..., description="本次请求的认证方式 / how this request authenticated")


# --- regions ------------------------------------------------------------------------------------------------

class RegionOut(Schema):
    code: str
    name: str
    level: int = Field(..., description="1 省 province, 2 地市 prefecture, 3 县区 county/district, 4 乡镇街道 town")
    level_label: str
    parent: str | None = Field(None, description="上级代码 / parent code")

    @staticmethod
    def resolve_level_label(obj) -> str:
        return str(obj.get_level_display())

    @staticmethod
    def resolve_parent(obj) -> str | None:
        return obj.parent_id


class RegionFilter(PageParams):
    level: int | None = Field(
        None, ge=1, le=4, description="级别：1 省、2 地市、3 县区、4 乡镇街道 / level: 1 province … 4 town"
    )
    parent: str | None = Field(None, max_length=9, pattern=NO_NUL, description="上级代码 / parent code")
    q: str | None = Field(None, max_length=64, pattern=NO_NUL, description="按名称或代码搜索 / name or code contains")


class RegionIn(InputSchema):
    code: str = Field(..., min_length=1, max_length=9, pattern=NO_NUL, description="GB/T 2260 代码 / code")
    name: str = Field(..., max_length=64, pattern=NO_NUL, description="名称 / name")
    parent: str | None = Field(
        None, max_length=9, pattern=NO_NUL, description="上级代码，留空按代码推算 / parent code; derived when empty"
    )


class RegionUpdate(InputSchema):
    name: str = Field(..., min_length=1, max_length=64, pattern=NO_NUL, description="名称 / name")
    parent: str | None = Field(None, max_length=9, pattern=NO_NUL, description="上级代码 / parent code")


class RegionPatch(InputSchema):
    name: str | None = Field(None, min_length=1, max_length=64, pattern=NO_NUL, description="名称 / name")
    parent: str | None = Field(None, max_length=9, pattern=NO_NUL, description="上级代码 / parent code")


class PopulationOut(Schema):
    region: str
    year: int
    population: int

    @staticmethod
    def resolve_region(obj) -> str:
        return obj.region_id


class PopulationIn(InputSchema):
    population: int = Field(..., strict=True, ge=0, le=2_000_000_000, description="常住人口 / resident population")


# --- organisations ------------------------------------------------------------------------------------------

Kind = Literal[tuple(Organisation.Kind.values)]
HospitalLevel = Literal[("", *Organisation.HospitalLevel.values)]
HospitalGrade = Literal[("", *Organisation.HospitalGrade.values)]
HospitalType = Literal[("", *Organisation.HospitalType.values)]


class OrganisationOut(Schema):
    id: int
    code: str
    name: str
    short_name: str
    kind: str
    kind_label: str
    region: str = Field(..., description="所在行政区划代码 / region code")
    region_name: str
    parent: str | None = Field(None, description="上级机构代码 / parent organisation code")
    hospital_level: str
    hospital_grade: str
    hospital_type: str
    address: str
    longitude: float | None
    latitude: float | None
    contact_person: str
    contact_phone: str
    duty_phone: str = Field(..., description="24 小时值班电话 / 24-hour duty phone")
    is_active: bool
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_region(obj) -> str:
        return obj.region_id

    @staticmethod
    def resolve_region_name(obj) -> str:
        return obj.region.name

    @staticmethod
    def resolve_parent(obj) -> str | None:
        return obj.parent.code if obj.parent_id else None


class OrganisationFilter(PageParams):
    kind: Kind | None = Field(None, description="机构类别 / kind")
    region: str | None = Field(
        None, max_length=9, pattern=NO_NUL, description="行政区划代码，含下级 / region code, including its subtree"
    )
    hospital_level: Literal[tuple(Organisation.HospitalLevel.values)] | None = Field(
        None, description="医院等级 / hospital level"
    )
    q: str | None = Field(None, max_length=64, pattern=NO_NUL, description="按名称、简称或代码搜索 / search")


class OrganisationIn(InputSchema):
    code: str = Field(..., min_length=1, max_length=32, pattern=NO_NUL, description="统一社会信用代码或执业许可证登记号 / code")
    name: str = Field(..., min_length=1, max_length=128, pattern=NO_NUL, description="名称 / name")
    short_name: str = Field("", max_length=32, pattern=NO_NUL, description="简称 / short name")
    kind: Kind = Field(..., description="机构类别 / kind")
    region: str = Field(..., min_length=1, max_length=9, pattern=NO_NUL, description="所在行政区划代码 / region code")
    parent: str | None = Field(None, max_length=32, pattern=NO_NUL, description="上级机构代码 / parent code")
    hospital_level: HospitalLevel = Field("", description="医院等级 / hospital level")
    hospital_grade: HospitalGrade = Field("", description="医院等次 / hospital grade")
    hospital_type: HospitalType = Field("", description="医院类型 / hospital type")
    address: str = Field("", max_length=255, pattern=NO_NUL, description="地址 / address")
    longitude: float | None = Field(None, strict=True, ge=-180, le=180, description="经度 / longitude")
    latitude: float | None = Field(None, strict=True, ge=-90, le=90, description="纬度 / latitude")
    contact_person: str = Field("", max_length=64, pattern=NO_NUL, description="联系人 / contact person")
    contact_phone: str = Field("", max_length=32, pattern=NO_NUL, description="联系电话 / contact phone")
    duty_phone: str = Field("", max_length=32, pattern=NO_NUL, description="24 小时值班电话 / 24-hour duty phone")
    is_active: bool = Field(True, strict=True, description="是否启用 / active")


class OrganisationPatch(InputSchema):
    code: str | None = Field(None, min_length=1, max_length=32, pattern=NO_NUL)
    name: str | None = Field(None, min_length=1, max_length=128, pattern=NO_NUL)
    short_name: str | None = Field(None, max_length=32, pattern=NO_NUL)
    kind: Kind | None = None
    region: str | None = Field(None, min_length=1, max_length=9, pattern=NO_NUL)
    parent: str | None = Field(None, max_length=32, pattern=NO_NUL)
    hospital_level: HospitalLevel | None = None
    hospital_grade: HospitalGrade | None = None
    hospital_type: HospitalType | None = None
    address: str | None = Field(None, max_length=255, pattern=NO_NUL)
    longitude: float | None = Field(None, strict=True, ge=-180, le=180)
    latitude: float | None = Field(None, strict=True, ge=-90, le=90)
    contact_person: str | None = Field(None, max_length=64, pattern=NO_NUL)
    contact_phone: str | None = Field(None, max_length=32, pattern=NO_NUL)
    duty_phone: str | None = Field(None, max_length=32, pattern=NO_NUL)
    is_active: bool | None = Field(None, strict=True)


# --- users --------------------------------------------------------------------------------------------------


class UserOut(Schema):
    id: int
    username: str
    full_name: str
    role: str
    role_label: str
    organisation: OrganisationBrief | None
    email: str
    phone: str
    is_active: bool
    last_login: datetime | None

    @staticmethod
    def resolve_role_label(obj) -> str:
        return str(obj.get_role_display())


class UserFilter(PageParams):
    role: Literal[("admin", "health_commission", "cdc", "reporter", "dispatcher", "leader")] | None = Field(
        None, description="角色 / role"
    )
    organisation: int | None = Field(None, ge=1, le=MAX_ID, description="机构 ID / organisation id")
    is_active: bool | None = Field(None, description="是否启用 / active")
    q: str | None = Field(None, max_length=64, pattern=NO_NUL, description="按用户名或姓名搜索 / search")


# --- audit --------------------------------------------------------------------------------------------------


class ActorOut(Schema):
    id: int
    username: str
    full_name: str


class AuditEntryOut(Schema):
    id: int
    timestamp: datetime
    action: Literal["create", "update", "delete", "access"]
    action_label: str
    model: str = Field(..., description="app_label.model，如 core.organisation")
    object_pk: str
    object_repr: str
    actor: ActorOut | None
    changes: dict[str, Any] = Field(
        ..., description="改动字段 {字段: [之前, 之后]} / changed fields {field: [before, after]}"
    )
    remote_addr: str | None


class AuditFilter(PageParams):
    model: str | None = Field(
        None, max_length=100, pattern=r"^[a-z0-9_]+\.[a-z0-9_]+$", description="app_label.model，如 core.organisation"
    )
    object_id: str | None = Field(None, max_length=255, pattern=NO_NUL, description="记录主键 / record key")
    actor: int | None = Field(None, ge=1, le=MAX_ID, description="操作人用户 ID / actor user id")
    since: IsoDateTime | None = Field(None, description="起始时间（含）/ from (inclusive)")
    until: IsoDateTime | None = Field(None, description="截止时间（不含）/ until (exclusive)")


# --- tokens -------------------------------------------------------------------------------------------------


class TokenOut(Schema):
    id: int
    name: str
    key_hint: str = Field(..., description="令牌前 10 位，便于辨认 / first 10 characters, to recognise it")
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None
    active: bool

    @staticmethod
    def resolve_active(obj) -> bool:
        from django.utils import timezone

        return obj.revoked_at is None and (obj.expires_at is None or obj.expires_at > timezone.now())


class TokenCreatedOut(TokenOut):
    key: str = Field(..., description="完整令牌，仅此一次返回 / the full token, returned only once")


class TokenIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=64, pattern=NO_NUL, description="用途名称 / what it is for")
    expires_at: IsoDateTime | None = Field(None, description="过期时间，留空为不过期 / expiry; empty for none")


# --- imports ------------------------------------------------------------------------------------------------


class RowErrorOut(Schema):
    row: int = Field(..., description="电子表格中的行号（表头为第 1 行）/ spreadsheet row (header is row 1)")
    field: str
    message: str
    message_en: str


class ImportReportOut(Schema):
    total: int
    saved: int
    committed: bool
    errors: list[RowErrorOut]


class ImportErrorOut(ErrorOut):
    report: ImportReportOut
