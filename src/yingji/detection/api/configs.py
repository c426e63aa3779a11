"""Detection configurations (/api/v1/detection-configs) and runs (/api/v1/detection-runs).

Everyone signed in reads the general configurations (and the overrides within their jurisdiction); platform
administrators change them, a city CDC its own region's overrides (services.configs). A misconfigured method or
parameter is a 422 naming the field (``methods.0.params.percentile``), and nothing is saved.
"""

from datetime import date, datetime
from typing import Any

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema

from yingji.core import idempotency, regioncodes
from yingji.core.api import ID_PATH, IDEMPOTENCY_KEY, _created, _existing
from yingji.core.api_schemas import NO_NUL, InputSchema, PageParams, page_of, paginate
from yingji.core.scoping import get_scoped, scope

from ..choices import CountBasis, Frequency, HolidayMode, Measure, RegionLevel, RunKind, RunStatus, Source
from ..models import DetectionConfig, DetectionRun
from ..services import configs as svc
from .common import DISEASE_QUERY, DetectionCodeName, DetIsoDate, check_region, lit, user_of

router = Router()
configs_router = Router(tags=["detection"])
runs_router = Router(tags=["detection"])


class DetectionMethodSpec(Schema):
    method: str = Field(..., description="方法名 / method name (fixed_threshold, cidars_mpm, ears_c1 …)")
    params: dict[str, Any] = Field(default_factory=dict, description="参数 / parameters")


class DetectionConfigOut(Schema):
    id: int
    disease: DetectionCodeName | None
    source: str
    measure: str
    region_level: str
    region: DetectionCodeName | None = Field(..., description="限定区域（为空则全局）/ override region (null: general)")
    profile: str
    methods: list[DetectionMethodSpec]
    min_cases: int
    frequency: str
    count_basis: str
    holiday_mode: str
    history_days: int
    response_hours: int | None
    active: bool
    notes: str
    updated_at: datetime


class DetectionConfigFilter(PageParams):
    source: lit(Source) | None = None
    disease: str | None = DISEASE_QUERY
    active: bool | None = None
    profile: str | None = Field(None, min_length=1, max_length=64, pattern=NO_NUL)
    region: str | None = Field(None, min_length=1, max_length=9, pattern=NO_NUL, description="限定区域 / override region")


METHODS_FIELD = Field(None, min_length=1, max_length=10, description="方法及参数 / methods and parameters")


class DetectionConfigIn(InputSchema):
    disease: str | None = Field(None, min_length=1, max_length=16, pattern=NO_NUL, description="病种编码 / disease code")
    source: lit(Source) = "cards"
    measure: lit(Measure) | None = Field(None, description="计数（报告卡为 cases）/ counted (cases for cards)")
    region_level: lit(RegionLevel) = "county"
    region: str | None = Field(None, min_length=1, max_length=9, pattern=NO_NUL, description="限定区域 / override region")
    profile: str = Field("CIDARS-2008", min_length=1, max_length=64, pattern=NO_NUL)
    methods: list[DetectionMethodSpec] = Field(..., min_length=1, max_length=10)
    min_cases: int = Field(1, strict=True, ge=1, le=100000)
    frequency: lit(Frequency) = "daily"
    count_basis: lit(CountBasis) = "report"
    holiday_mode: lit(HolidayMode) = "none"
    history_days: int = Field(3 * 365 + 60, strict=True, ge=7, le=svc.MAX_HISTORY_DAYS)
    response_hours: int | None = Field(None, strict=True, ge=1, le=720)
    active: bool = Field(True, strict=True)
    notes: str = Field("", max_length=2000, pattern=NO_NUL)


class DetectionConfigPatch(InputSchema):
    disease: str | None = Field(None, min_length=1, max_length=16, pattern=NO_NUL)
    measure: lit(Measure) | None = None
    region_level: lit(RegionLevel) | None = None
    profile: str | None = Field(None, min_length=1, max_length=64, pattern=NO_NUL)
    methods: list[DetectionMethodSpec] | None = METHODS_FIELD
    min_cases: int | None = Field(None, strict=True, ge=1, le=100000)
    frequency: lit(Frequency) | None = None
    count_basis: lit(CountBasis) | None = None
    holiday_mode: lit(HolidayMode) | None = None
    history_days: int | None = Field(None, strict=True, ge=7, le=svc.MAX_HISTORY_DAYS)
    response_hours: int | None = Field(None, strict=True, ge=1, le=720)
    active: bool | None = Field(None, strict=True)
    notes: str | None = Field(None, max_length=2000, pattern=NO_NUL)


def config_out(c: DetectionConfig) -> dict:
    return {
        **{name: getattr(c, name) for name in ("id", "source", "measure", "region_level", "profile", "min_cases",
                                               "frequency", "count_basis", "holiday_mode", "history_days",
                                               "response_hours", "active", "notes", "updated_at")},
        "disease": {"code": c.disease.code, "name": c.disease.name} if c.disease_id else None,
        "region": {"code": c.region.code, "name": c.region.name} if c.region_id else None,
        "methods": [{"method": str(m.get("method", "")), "params": m.get("params") or {}}
                    for m in (c.methods or []) if isinstance(m, dict)],
    }


def _config(request, config_id: int) -> DetectionConfig:
    return get_scoped(user_of(request), svc.configs(user_of(request)), pk=config_id)


@configs_router.get("", response=page_of(DetectionConfigOut), summary="预警配置列表 / List configurations")
def list_detection_configs(request, filters: Query[DetectionConfigFilter]):
    """全局配置及您辖区内的区域配置。 / The general configurations and the overrides within your jurisdiction."""
    check_region(filters.region)
    qs = svc.configs(user_of(request), source=filters.source, disease=filters.disease, active=filters.active,
                     profile=filters.profile, region=filters.region)
    page = paginate(qs, filters)
    page["items"] = [config_out(c) for c in page["items"]]
    return page


class DetectionProfileOut(Schema):
    profile: str
    configurations: int
    active: int


class DetectionProfileIn(InputSchema):
    profile: str = Field(..., min_length=1, max_length=64, pattern=NO_NUL, description="方案名称 / profile name")


@configs_router.get("/profiles", response=list[DetectionProfileOut], summary="配置方案 / Configuration profiles")
def list_detection_profiles(request):
    """各方案（如 CIDARS-2008：全国默认 P50；CIDARS-2014 evidence：按病种 P80/P90）的配置数与启用数。 / The profiles
    (CIDARS-2008: national default P50; CIDARS-2014 evidence: per-disease P80/P90) with their configurations."""
    from django.db.models import Count, Q

    rows = (svc.configs(user_of(request)).order_by().values("profile")
            .annotate(configurations=Count("pk"), active=Count("pk", filter=Q(active=True))).order_by("profile"))
    return list(rows)


@configs_router.post("/profiles/activate", response=list[DetectionProfileOut], summary="启用方案 / Activate a profile")
def activate_detection_profile(request, payload: DetectionProfileIn):
    """仅系统管理员：该方案覆盖的每个序列改用该方案的配置（同一序列的其他配置停用）。 / Administrators only: every
    series the profile covers switches to the profile's configuration (the others of that series are deactivated)."""
    svc.activate_profile(user_of(request), payload.profile)
    return list_detection_profiles(request)


@configs_router.get("/{int:config_id}", response=DetectionConfigOut, summary="预警配置详情 / Get a configuration")
def get_detection_config(request, config_id: int = ID_PATH):
    return config_out(_config(request, config_id))


@configs_router.post("", response={201: DetectionConfigOut, 200: DetectionConfigOut},
                     summary="新建预警配置 / Create a configuration")
def create_detection_config(request, payload: DetectionConfigIn, response: HttpResponse,
                            idempotency_key: str | None = IDEMPOTENCY_KEY):
    """系统管理员新建任意配置；市级疾控中心新建本辖区的区域配置（须给出 region）。带 Idempotency-Key 的重试返回首次
    建立的配置。 / Administrators create any configuration; a city CDC an override within its region (region
    required). A retry with the same Idempotency-Key answers with the configuration made first."""
    user = user_of(request)
    data = payload.model_dump()
    if data.get("measure") is None:
        data["measure"] = "cases" if data["source"] == "cards" else "visits"
    outcome = idempotency.create_once(
        user, "detection.config", idempotency_key, payload.model_dump(mode="json"),
        create=lambda: svc.save_config(user, data),
        fetch=lambda pk: _existing(user, svc.configs(user), pk))
    return _created(response, idempotency.Outcome(config_out(outcome.obj), outcome.replayed))


@configs_router.patch("/{int:config_id}", response=DetectionConfigOut, summary="修改预警配置 / Change a configuration")
def update_detection_config(request, payload: DetectionConfigPatch, config_id: int = ID_PATH):
    """只修改给出的字段；百分位数、窗口等参数有误时返回 422 并指明字段，不保存任何内容。 / Change only the fields
    given; a bad percentile, window … is a 422 naming the field, and nothing is saved."""
    config = _config(request, config_id)
    changes = payload.model_dump(exclude_unset=True)
    for name in ("methods", "min_cases", "frequency", "count_basis", "holiday_mode", "history_days", "active",
                 "measure", "region_level", "profile", "notes"):
        if name in changes and changes[name] is None:
            del changes[name]  # null means "unchanged" for fields that cannot be empty
    return config_out(svc.save_config(user_of(request), changes, instance=config))


# --- runs ------------------------------------------------------------------------------------------------------


class DetectionRunFilter(PageParams):
    date_from: DetIsoDate | None = Field(None, description="运行日期起（含）/ run date from")
    date_to: DetIsoDate | None = Field(None, description="运行日期止（含）/ run date to")
    kind: lit(RunKind) | None = None
    status: lit(RunStatus) | None = None


class DetectionRunProblem(Schema):
    series: str = Field(..., description="序列（区域 · 病种）/ series (region · disease)")
    region: str
    disease: str
    method: str
    code: str
    message: str
    message_en: str


class DetectionRunOut(Schema):
    id: int
    run_date: date
    kind: str
    status: str
    status_label: str
    started_at: datetime
    finished_at: datetime | None
    series_count: int
    signal_count: int
    new_signal_count: int
    problem_count: int = Field(..., description="您辖区内未能判断的序列数 / series not judged, within your jurisdiction")
    problems: list[DetectionRunProblem] = Field(..., description="最多 100 条 / at most 100")
    error: str


def _visible_problems(user, problems) -> list[dict]:
    if user.is_platform_admin:
        visible = list(problems or [])
    else:
        area = user.organisation.region_id if user.organisation else None
        visible = [p for p in problems or [] if area and p.get("region")
                   and regioncodes.is_within(str(p["region"]), area)]
    return visible


def run_out(user, r: DetectionRun) -> dict:
    problems = _visible_problems(user, r.problems)
    return {
        **{name: getattr(r, name) for name in ("id", "run_date", "kind", "status", "started_at", "finished_at",
                                               "series_count", "signal_count", "new_signal_count", "error")},
        "status_label": str(r.get_status_display()), "problem_count": len(problems),
        "problems": [{k: str(p.get(k) or "") for k in ("series", "region", "disease", "method", "code", "message",
                                                         "message_en")} for p in problems[:100]],
    }


@runs_router.get("", response=page_of(DetectionRunOut), summary="预警运行记录 / List detection runs")
def list_detection_runs(request, filters: Query[DetectionRunFilter]):
    """每日运行与回溯的记录；未能判断的序列只列出您辖区内的。 / Daily runs and backfills; the series not judged are
    listed for your jurisdiction only."""
    user = user_of(request)
    qs = scope(user, DetectionRun.objects.all())
    if filters.date_from:
        qs = qs.filter(run_date__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(run_date__lte=filters.date_to)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.status:
        qs = qs.filter(status=filters.status)
    page = paginate(qs.order_by("-run_date", "-started_at", "-pk"), filters)
    page["items"] = [run_out(user, r) for r in page["items"]]
    return page


router.add_router("/detection-configs", configs_router)
router.add_router("/detection-runs", runs_router)
