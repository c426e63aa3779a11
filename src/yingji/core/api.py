"""Core endpoints of /api/v1: the signed-in user, regions and populations, organisations, users, audit, tokens.

Every read goes through core.scoping (a record outside the user's jurisdiction answers 404, like one that does
not exist) and every change through core.services, exactly as the pages and importers do; nothing here decides
a rule of its own.
"""

from datetime import UTC, datetime

from auditlog.models import LogEntry
from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import File, Form, Header, Path, Query, Router, Status, UploadedFile

from . import audit, idempotency, importing, regioncodes, scoping, services
from .api_schemas import (
    MAX_ID,
    AuditEntryOut,
    AuditFilter,
    ImportErrorOut,
    ImportReportOut,
    MeOut,
    OrganisationFilter,
    OrganisationIn,
    OrganisationOut,
    OrganisationPatch,
    PageParams,
    PopulationIn,
    PopulationOut,
    RegionFilter,
    RegionIn,
    RegionOut,
    RegionPatch,
    RegionUpdate,
    TokenCreatedOut,
    TokenIn,
    TokenOut,
    UserFilter,
    UserOut,
    page_of,
    paginate,
)
from .errors import InvalidInput, NotFound, NotPermitted, field_message
from .i18n import bi
from .models import ApiToken, Organisation, Region, RegionPopulation, User

router = Router()
me_router = Router(tags=["account"])
regions_router = Router(tags=["regions"])
organisations_router = Router(tags=["organisations"])
users_router = Router(tags=["users"])
audit_router = Router(tags=["audit"])
tokens_router = Router(tags=["tokens"])

REGION_CODE_PATH = Path(..., pattern=r"^[0-9]{6}([0-9]{3})?$", description="GB/T 2260 代码 / region code")
ID_PATH = Path(..., ge=1, le=MAX_ID, description="记录 ID / record id")
IDEMPOTENCY_KEY = Header(
    None, alias=idempotency.HEADER, max_length=idempotency.MAX_KEY_LENGTH, pattern=idempotency.KEY_PATTERN,
    description=idempotency.HEADER_DESCRIPTION,
)
REPLAYED_HEADER = "Idempotency-Replayed"


def _user(request: HttpRequest) -> User:
    return request.auth


def _existing(user, queryset, pk):
    """The record an idempotency key points to: None once deleted, else read through scoping (or NotFound)."""
    if not queryset.model._default_manager.filter(pk=pk).exists():
        return None
    return scoping.get_scoped(user, queryset, pk=pk)


def _created(response: HttpResponse, outcome: idempotency.Outcome) -> Status:
    """201 for a new record; 200 and ``Idempotency-Replayed: true`` when a retry returns the earlier one."""
    if outcome.replayed:
        response[REPLAYED_HEADER] = "true"
        return Status(200, outcome.obj)
    return Status(201, outcome.obj)


def _aware(value: datetime | None, field: str) -> datetime | None:
    """A client's time as an aware UTC datetime (naive means Asia/Shanghai); out-of-range times are a 422."""
    if value is None:
        return None
    try:
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        return value.astimezone(UTC)
    except (OverflowError, ValueError) as exc:
        raise InvalidInput({field: [field_message("时间超出可表示的范围", "The time is out of range")]}) from exc


def _subtree(code: str, field: str) -> str:
    try:
        return regioncodes.subtree_prefix(code)
    except regioncodes.CodeError as exc:
        raise InvalidInput({field: [field_message(exc.message_zh, exc.message_en)]}) from exc


def _require_writer(user, model) -> None:
    """403 up front when the user's role may change no record of ``model`` at all (scoping decides)."""
    if scoping.scope(user, model._default_manager.all(), write=True).query.is_empty():
        raise NotPermitted()


def _require_admin(user) -> User:
    """User administration and the audit log are for platform administrators (as on the pages)."""
    if not user.is_platform_admin:
        raise NotPermitted("仅系统管理员可使用此功能", "Only platform administrators may use this")
    return user


ACTION_NAMES = {
    LogEntry.Action.CREATE: "create", LogEntry.Action.UPDATE: "update", LogEntry.Action.DELETE: "delete",
    LogEntry.Action.ACCESS: "access",
}


def _audit_entry(entry: LogEntry) -> dict:
    zh, en = audit.ACTION_LABELS.get(entry.action, ("查看", "accessed"))
    actor = entry.actor
    return {
        "id": entry.pk,
        "timestamp": entry.timestamp,
        "action": ACTION_NAMES.get(entry.action, "update"),
        "action_label": str(bi(zh, en)),
        "model": f"{entry.content_type.app_label}.{entry.content_type.model}",
        "object_pk": entry.object_pk,
        "object_repr": entry.object_repr,
        "actor": {"id": actor.pk, "username": actor.username, "full_name": actor.full_name} if actor else None,
        "changes": entry.changes_dict or {},
        "remote_addr": entry.remote_addr,
    }


def _audit_page(entries, params: PageParams) -> dict:
    page = paginate(entries.select_related("actor", "content_type"), params)
    page["items"] = [_audit_entry(e) for e in page["items"]]
    return page


def _import_response(report: importing.ImportReport):
    """200 with the report when rows were saved; 422 with every bad row when nothing was."""
    body = report.as_dict()
    if report.errors and (not report.committed or report.saved == 0):
        fields: dict[str, list[dict[str, str]]] = {}
        for e in report.errors:
            fields.setdefault(f"row {e.row}" + (f".{e.field}" if e.field else ""), []).append(
                field_message(e.message, e.message_en))
        return Status(422, {
            "code": "import_rejected",
            "message": f"{len(report.errors)} 处错误，未导入任何记录；请修改后重新上传，或选择“仅导入有效行”",
            "message_en": f"{len(report.errors)} error(s); nothing was imported. Correct the file and upload it "
                          "again, or choose to import only the valid rows",
            "fields": fields,
            "report": body,
        })
    return Status(200, body)


def _read_upload(upload: UploadedFile) -> tuple[str, bytes]:
    limit = settings.YINGJI_MAX_UPLOAD_BYTES
    if upload.size is not None and upload.size > limit:
        raise importing.ImportFileError(
            f"文件过大（{upload.size // 1024} KB），上限为 {limit // 1024} KB",
            f"The file is too large ({upload.size // 1024} KB); the limit is {limit // 1024} KB",
        )
    return upload.name or "", upload.read()


# --- account ------------------------------------------------------------------------------------------------


@me_router.get("/me", response=MeOut, summary="当前用户 / The signed-in user")
def me(request):
    """当前用户、角色、所属机构与管辖范围。 / The user behind this request, their role, unit and jurisdiction."""
    user = _user(request)
    org = user.organisation
    jurisdiction = None if user.is_platform_admin or org is None else org.region_id
    return {
        "id": user.pk, "username": user.username, "full_name": user.full_name, "role": user.role,
        "role_label": str(user.get_role_display()), "is_platform_admin": user.is_platform_admin,
        "organisation": org, "jurisdiction": jurisdiction, "auth": getattr(request, "yingji_auth", "session"),
    }


# --- regions ------------------------------------------------------------------------------------------------


@regions_router.get("", response=page_of(RegionOut), summary="行政区划列表 / List regions")
def list_regions(request, filters: Query[RegionFilter]):
    """管辖范围内的行政区划，可按级别、上级代码、名称或代码筛选。 / Regions within reach; filter by level, parent, name or code."""
    regions = scoping.scope(_user(request), Region.objects.all())
    if filters.level is not None:
        regions = regions.filter(level=filters.level)
    if filters.parent:
        regions = regions.filter(parent_id=filters.parent)
    if filters.q:
        regions = regions.filter(Q(name__icontains=filters.q) | Q(code__startswith=filters.q))
    return paginate(regions.order_by("code"), filters)


@regions_router.post(
    "", response={201: RegionOut, 200: RegionOut}, summary="新建行政区划 / Create a region",
)
def create_region(request, payload: RegionIn, response: HttpResponse, idempotency_key: str | None = IDEMPOTENCY_KEY):
    """新建行政区划（仅系统管理员）。201 为新建；带 Idempotency-Key 的重试返回 200 与已建记录。
    / Create a region (platform administrators). 201 when created; a retry with the same Idempotency-Key
    answers 200 with the region created first."""
    user = _user(request)
    data = {"code": payload.code, "name": payload.name, "parent": payload.parent or ""}
    outcome = idempotency.create_once(
        user, "core.region", idempotency_key, payload.model_dump(mode="json"),
        create=lambda: services.save_region(user, data),
        fetch=lambda pk: _existing(user, Region.objects.all(), pk),
    )
    return _created(response, outcome)


@regions_router.post(
    "/import", response={200: ImportReportOut, 422: ImportErrorOut},
    summary="从 CSV/Excel 导入行政区划 / Import regions from CSV or Excel",
)
def import_regions(request, file: File[UploadedFile], valid_only: Form[bool] = False):
    """上传 .csv（UTF-8 或 GB18030）或 .xlsx；列：代码、名称、上级代码、人口、年份。默认全部成功才导入；
    valid_only=true 时仅导入有效行。任何一行出错且未导入时返回 422 与每行错误。
    / Upload .csv or .xlsx with columns code, name, parent, population, year. All rows or none, unless
    valid_only=true. 422 with every bad row when nothing was imported."""
    user = _user(request)
    _require_writer(user, Region)
    name, content = _read_upload(file)
    return _import_response(importing.import_regions(user, name, content, valid_only=valid_only))


@regions_router.get("/{code}", response=RegionOut, summary="行政区划详情 / Get a region")
def get_region(request, code: str = REGION_CODE_PATH):
    return scoping.get_scoped(_user(request), Region.objects.all(), code=code)


def _update_region(request, code: str, name: str | None, parent: str | None, partial: bool) -> Region:
    user = _user(request)
    region = scoping.get_scoped(user, Region.objects.all(), write=True, code=code)
    data = {
        "code": region.code,
        "name": region.name if (partial and name is None) else (name or ""),
        "parent": (region.parent_id or "") if (partial and parent is None) else (parent or ""),
    }
    return services.save_region(user, data, instance=region)


@regions_router.put("/{code}", response=RegionOut, summary="修改行政区划 / Update a region")
def update_region(request, payload: RegionUpdate, code: str = REGION_CODE_PATH):
    """修改名称与上级（代码不可改）。 / Change name and parent (the code is the region's identity)."""
    return _update_region(request, code, payload.name, payload.parent, partial=False)


@regions_router.patch("/{code}", response=RegionOut, summary="部分修改行政区划 / Partly update a region")
def patch_region(request, payload: RegionPatch, code: str = REGION_CODE_PATH):
    fields = payload.model_dump(exclude_unset=True)
    return _update_region(request, code, fields.get("name"), fields.get("parent"), partial=True)


@regions_router.get(
    "/{code}/populations", response=page_of(PopulationOut), summary="行政区划人口 / Population by year",
)
def list_populations(request, params: Query[PageParams], code: str = REGION_CODE_PATH):
    user = _user(request)
    region = scoping.get_scoped(user, Region.objects.all(), code=code)
    return paginate(scoping.scope(user, RegionPopulation.objects.filter(region=region)).order_by("year"), params)


@regions_router.put(
    "/{code}/populations/{year}", response={201: PopulationOut, 200: PopulationOut},
    summary="设置某年人口 / Set the population of a year",
)
def put_population(
    request, payload: PopulationIn, code: str = REGION_CODE_PATH,
    year: int = Path(..., ge=1949, le=2100, description="年份（1949–2100）/ year"),
):
    """新建（201）或更新（200）该区划该年的常住人口；重复提交结果相同。
    / Create (201) or replace (200) the population of this region and year; repeating it is harmless."""
    user = _user(request)
    region = scoping.get_scoped(user, Region.objects.all(), code=code)
    existed = RegionPopulation.objects.filter(region=region, year=year).exists()
    population = services.save_population(
        user, {"region": region.code, "year": year, "population": payload.population}
    )
    return Status(200 if existed else 201, population)


@regions_router.get("/{code}/history", response=page_of(AuditEntryOut), summary="修改记录 / History")
def region_history(request, params: Query[PageParams], code: str = REGION_CODE_PATH):
    region = scoping.get_scoped(_user(request), Region.objects.all(), code=code)
    return _audit_page(audit.history_for(region), params)


# --- organisations ------------------------------------------------------------------------------------------

ORG_FORM_FIELDS = (
    "code", "name", "short_name", "kind", "region", "parent", "hospital_level", "hospital_grade", "hospital_type",
    "address", "longitude", "latitude", "contact_person", "contact_phone", "duty_phone", "is_active",
)


def _organisations():
    return Organisation.objects.select_related("region", "parent")


def _org_form_data(values: dict) -> dict:
    """API values as OrganisationForm data (codes for region and parent, text for coordinates)."""
    data = {}
    for name in ORG_FORM_FIELDS:
        value = values.get(name)
        if name == "is_active":
            data[name] = bool(value)
        elif value is None:
            data[name] = ""
        elif name in ("longitude", "latitude"):
            data[name] = repr(float(value))
        else:
            data[name] = value
    return data


def _org_current(org: Organisation) -> dict:
    values = {name: getattr(org, name) for name in ORG_FORM_FIELDS if name not in ("region", "parent")}
    values["region"] = org.region_id
    values["parent"] = org.parent.code if org.parent_id else None
    return values


@organisations_router.get("", response=page_of(OrganisationOut), summary="机构列表 / List organisations")
def list_organisations(request, filters: Query[OrganisationFilter]):
    """管辖范围内的机构；region 筛选包含其下级区划。 / Organisations within reach; region includes its subtree."""
    orgs = scoping.scope(_user(request), _organisations())
    if filters.kind:
        orgs = orgs.filter(kind=filters.kind)
    if filters.region:
        orgs = orgs.filter(region__code__startswith=_subtree(filters.region, "region"))
    if filters.hospital_level:
        orgs = orgs.filter(hospital_level=filters.hospital_level)
    if filters.q:
        q = filters.q
        orgs = orgs.filter(Q(name__icontains=q) | Q(short_name__icontains=q) | Q(code__icontains=q))
    return paginate(orgs.order_by("region__code", "kind", "name", "pk"), filters)


@organisations_router.post(
    "", response={201: OrganisationOut, 200: OrganisationOut}, summary="新建机构 / Create an organisation",
)
def create_organisation(
    request, payload: OrganisationIn, response: HttpResponse, idempotency_key: str | None = IDEMPOTENCY_KEY,
):
    """新建机构（201）。带 Idempotency-Key 的重试返回 200 与已建机构；机构代码已存在时返回 422。
    / Create an organisation (201). A retry with the same Idempotency-Key answers 200 with the organisation
    created first; an existing organisation code is a 422."""
    user = _user(request)
    data = _org_form_data(payload.model_dump())
    outcome = idempotency.create_once(
        user, "core.organisation", idempotency_key, payload.model_dump(mode="json"),
        create=lambda: services.save_organisation(user, data),
        fetch=lambda pk: _existing(user, _organisations(), pk),
    )
    return _created(response, outcome)


@organisations_router.post(
    "/import", response={200: ImportReportOut, 422: ImportErrorOut},
    summary="从 CSV/Excel 导入机构 / Import organisations from CSV or Excel",
)
def import_organisations(request, file: File[UploadedFile], valid_only: Form[bool] = False):
    """上传 .csv 或 .xlsx；列：机构代码、机构名称、机构类别、行政区划代码、上级机构代码、医院等级……
    已存在的机构代码按新值更新。默认全部成功才导入；valid_only=true 时仅导入有效行。
    / Upload .csv or .xlsx (code, name, kind, region, parent, hospital level …); existing codes are updated.
    All rows or none unless valid_only=true; 422 with every bad row when nothing was imported."""
    user = _user(request)
    _require_writer(user, Organisation)
    name, content = _read_upload(file)
    return _import_response(importing.import_organisations(user, name, content, valid_only=valid_only))


@organisations_router.get("/{int:org_id}", response=OrganisationOut, summary="机构详情 / Get an organisation")
def get_organisation(request, org_id: int = ID_PATH):
    return scoping.get_scoped(_user(request), _organisations(), pk=org_id)


@organisations_router.put("/{int:org_id}", response=OrganisationOut, summary="修改机构 / Replace an organisation")
def update_organisation(request, payload: OrganisationIn, org_id: int = ID_PATH):
    """以请求体替换机构的全部字段。 / Replace every field of the organisation."""
    user = _user(request)
    org = scoping.get_scoped(user, _organisations(), write=True, pk=org_id)
    return services.save_organisation(user, _org_form_data(payload.model_dump()), instance=org)


@organisations_router.patch(
    "/{int:org_id}", response=OrganisationOut, summary="部分修改机构 / Partly update an organisation",
)
def patch_organisation(request, payload: OrganisationPatch, org_id: int = ID_PATH):
    """只修改请求体中给出的字段。 / Change only the fields given."""
    user = _user(request)
    org = scoping.get_scoped(user, _organisations(), write=True, pk=org_id)
    values = _org_current(org)
    values.update(payload.model_dump(exclude_unset=True))
    return services.save_organisation(user, _org_form_data(values), instance=org)


@organisations_router.delete("/{int:org_id}", response={204: None}, summary="删除机构 / Delete an organisation")
def delete_organisation(request, org_id: int = ID_PATH):
    """仍有下属机构或用户的机构不能删除（409），可改为停用。
    / An organisation that still has sub-units or users cannot be deleted (409); deactivate it instead."""
    user = _user(request)
    org = scoping.get_scoped(user, _organisations(), write=True, pk=org_id)
    services.delete_organisation(user, org)
    return Status(204, None)


@organisations_router.get(
    "/{int:org_id}/history", response=page_of(AuditEntryOut), summary="机构修改记录 / Organisation history",
)
def organisation_history(request, params: Query[PageParams], org_id: int = ID_PATH):
    """该机构的新建、修改记录（谁、何时、改前、改后），新的在前。 / Who changed what and when, newest first."""
    org = scoping.get_scoped(_user(request), _organisations(), pk=org_id)
    return _audit_page(audit.history_for(org), params)


# --- users --------------------------------------------------------------------------------------------------


@users_router.get("", response=page_of(UserOut), summary="用户列表 / List users")
def list_users(request, filters: Query[UserFilter]):
    """用户管理（仅系统管理员，与页面一致），仍经管辖范围过滤；其他用户请用 /me。
    / User administration (platform administrators only, as on the pages), still through scoping; others use /me."""
    user = _require_admin(_user(request))
    users = scoping.scope(user, User.objects.select_related("organisation"))
    if filters.role:
        users = users.filter(role=filters.role)
    if filters.organisation is not None:
        users = users.filter(organisation_id=filters.organisation)
    if filters.is_active is not None:
        users = users.filter(is_active=filters.is_active)
    if filters.q:
        users = users.filter(Q(username__icontains=filters.q) | Q(full_name__icontains=filters.q))
    return paginate(users.order_by("username"), filters)


@users_router.get("/{int:user_id}", response=UserOut, summary="用户详情 / Get a user")
def get_user(request, user_id: int = ID_PATH):
    """仅系统管理员。 / Platform administrators only."""
    user = _require_admin(_user(request))
    return scoping.get_scoped(user, User.objects.select_related("organisation"), pk=user_id)


# --- audit --------------------------------------------------------------------------------------------------


@audit_router.get("", response=page_of(AuditEntryOut), summary="审计日志 / Audit log")
def list_audit(request, filters: Query[AuditFilter]):
    """全部审计记录（仅系统管理员），可按模型、记录、操作人和时间筛选，新的在前。
    / Every audit entry (platform administrators only); filter by model, record, actor and time; newest first."""
    _require_admin(_user(request))
    entries = LogEntry.objects.all()
    if filters.model:
        app_label, _, model = filters.model.partition(".")
        entries = entries.filter(content_type__app_label=app_label, content_type__model=model)
    if filters.object_id:
        entries = entries.filter(object_pk=filters.object_id)
    if filters.actor is not None:
        entries = entries.filter(actor_id=filters.actor)
    since, until = _aware(filters.since, "since"), _aware(filters.until, "until")
    if since:
        entries = entries.filter(timestamp__gte=since)
    if until:
        entries = entries.filter(timestamp__lt=until)
    return _audit_page(entries.order_by("-timestamp", "-pk"), filters)


# --- tokens -------------------------------------------------------------------------------------------------


@tokens_router.get("", response=page_of(TokenOut), summary="我的 API 令牌 / My API tokens")
def list_tokens(request, params: Query[PageParams]):
    """本人的令牌（不含完整令牌）。 / Your own tokens (never the full key)."""
    return paginate(ApiToken.objects.filter(user=_user(request)).order_by("-created_at", "-pk"), params)


@tokens_router.post("", response={201: TokenCreatedOut}, summary="创建 API 令牌 / Create an API token")
def create_token(request, payload: TokenIn):
    """创建令牌；完整令牌（key）只在本次响应中出现，请妥善保存。
    / Create a token; the full key appears in this response only — store it safely."""
    expires_at = _aware(payload.expires_at, "expires_at")
    if expires_at is not None and expires_at <= timezone.now():
        raise InvalidInput({"expires_at": [field_message("过期时间须晚于现在", "The expiry must be in the future")]})
    name = payload.name.strip()
    if not name:
        raise InvalidInput({"name": [field_message("必填", "Field required")]})
    token, raw = ApiToken.issue(_user(request), name, expires_at=expires_at)
    token.key = raw
    return Status(201, token)


@tokens_router.delete("/{int:token_id}", response={204: None}, summary="吊销 API 令牌 / Revoke an API token")
def revoke_token(request, token_id: int = ID_PATH):
    """吊销本人的令牌，之后使用它的请求返回 401；重复吊销无害。
    / Revoke one of your tokens; requests with it then answer 401. Revoking twice is harmless."""
    token = ApiToken.objects.filter(user=_user(request), pk=token_id).first()
    if token is None:
        raise NotFound()
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return Status(204, None)


router.add_router("", me_router)
router.add_router("/regions", regions_router)
router.add_router("/organisations", organisations_router)
router.add_router("/users", users_router)
router.add_router("/audit", audit_router)
router.add_router("/tokens", tokens_router)
