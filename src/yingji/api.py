"""The REST API root (/api/v1). Each app contributes a router (see core/api.py) added below with a "/v1/…" prefix.

What every operation shares, decided here once:
- authentication: a bearer token (``Authorization: Bearer yj_…``, see core.models.ApiToken) for machine clients,
  or the Django session (with CSRF on writes) so a signed-in browser can use /api/docs;
- the audit actor: changes made through the API are attributed to the authenticated user;
- one error body everywhere: ``{"code", "message" (中文), "message_en", "fields": {field: [{message, message_en}]}}``
  for validation errors, YingjiError, 401, 403, 404, 405, 409, 422, 429 and unexpected errors (500), and these
  error responses are documented on every operation of the OpenAPI document;
- a per-user request rate (``settings.YINGJI_API_RATE``, default 3000/min) answered with 429 beyond it.
"""

import functools
import json
import logging
import threading
import time

from auditlog.context import set_actor
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.http.multipartparser import MultiPartParserError
from django.urls import re_path
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from ninja.parser import Parser
from ninja.renderers import JSONRenderer
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie
from ninja.throttling import BaseThrottle
from ninja.utils import check_csrf

from .core.api_schemas import ErrorOut
from .core.errors import YingjiError

logger = logging.getLogger("yingji.api")

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def error_body(code: str, zh: str, en: str, fields: dict | None = None) -> dict:
    return {"code": code, "message": zh, "message_en": en, "fields": fields or {}}


# Messages for errors that carry no message of their own, by HTTP status.
STATUS_ERRORS = {
    400: ("bad_request", "请求格式有误（如请求体不是有效的 JSON）", "Malformed request (e.g. the body is not valid JSON)"),
    401: ("unauthorized", "未登录或未提供有效的 API 令牌（Authorization: Bearer yj_…）",
          "Not signed in, or no valid API token given (Authorization: Bearer yj_…)"),
    403: ("forbidden", "您无权查看或修改该记录", "You may not read or change this record"),
    404: ("not_found", "记录不存在或不在您的管辖范围内", "No such record within your jurisdiction"),
    405: ("method_not_allowed", "该地址不支持此请求方法", "This method is not allowed on this address"),
    409: ("conflict", "与已有记录冲突", "This conflicts with an existing record"),
    413: ("too_large", "请求过大", "The request is too large"),
    422: ("invalid", "输入有误，请按提示修改", "Invalid input; see the field messages"),
    429: ("throttled", "请求过于频繁，请稍后再试", "Too many requests; try again later"),
    500: ("server_error", "服务器内部错误，已记录，请稍后重试或联系管理员",
          "Internal server error; it has been logged. Try again later or contact the administrator"),
}


def status_body(status: int, **overrides) -> dict:
    code, zh, en = STATUS_ERRORS.get(status, STATUS_ERRORS[400] if status < 500 else STATUS_ERRORS[500])
    return error_body(overrides.get("code", code), overrides.get("zh", zh), overrides.get("en", en),
                      overrides.get("fields"))


# --- authentication ----------------------------------------------------------------------------------------


class InvalidToken(AuthenticationError):
    """A bearer token was given but is unknown, revoked or expired (never falls back to the session)."""


class TokenAuth(HttpBearer):
    """``Authorization: Bearer yj_…`` — an API token issued to a user (see /api/v1/tokens)."""

    openapi_description = (
        "API 令牌：在“令牌”接口或页面创建，请求头 Authorization: Bearer yj_… 。"
        " / API token, created through /api/v1/tokens: send Authorization: Bearer yj_…"
    )

    def __call__(self, request: HttpRequest):
        header = request.headers.get(self.header)
        if not header:
            return None
        scheme, _, raw = header.partition(" ")
        if scheme.lower() != "bearer":
            return None
        return self.authenticate(request, raw.strip())

    def authenticate(self, request: HttpRequest, token: str):
        from .core.models import ApiToken

        user = ApiToken.authenticate(token)
        if user is None:
            raise InvalidToken()
        request.user = user  # code that reads request.user (and the audit log) sees the token's user
        request.yingji_auth = "token"
        return user


class SessionAuth(APIKeyCookie):
    """The Django session of a signed-in browser; writes need the CSRF token (X-CSRFToken header)."""

    param_name = settings.SESSION_COOKIE_NAME
    openapi_description = (
        "浏览器登录会话（用于 /api/docs）；写操作须带 X-CSRFToken。"
        " / Browser session (for /api/docs); writes need the X-CSRFToken header."
    )

    def __init__(self):
        super().__init__(csrf=True)

    def _get_key(self, request: HttpRequest):
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        if request.method not in SAFE_METHODS and not getattr(request, "_ninja_csrf_exempt", False):
            if check_csrf(request) is not None:
                raise YingjiError(
                    "csrf_failed", "CSRF 校验失败：请刷新页面后重试，或改用 API 令牌",
                    "CSRF check failed: reload the page and retry, or use an API token", status=403,
                )
        request.yingji_auth = "session"
        return user


# --- throttling --------------------------------------------------------------------------------------------


class UserRateThrottle(BaseThrottle):
    """At most ``settings.YINGJI_API_RATE`` requests per user ("3000/min", "50/s" …), counted in the cache."""

    PERIODS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hour": 3600, "d": 86400, "day": 86400}

    def __init__(self):
        self._local = threading.local()

    def rate(self) -> tuple[int, int]:
        count, _, period = str(getattr(settings, "YINGJI_API_RATE", "3000/min")).partition("/")
        return int(count), self.PERIODS.get(period.strip(), 60)

    def allow_request(self, request: HttpRequest) -> bool:
        user = getattr(request, "auth", None)
        if user is None:
            return True
        limit, period = self.rate()
        window = int(time.time() // period)
        key = f"yingji:api-rate:{user.pk}:{period}:{window}"
        cache.add(key, 0, timeout=period + 1)
        try:
            count = cache.incr(key)
        except ValueError:  # evicted between add and incr
            cache.set(key, 1, timeout=period + 1)
            count = 1
        self._local.wait = (window + 1) * period - time.time()
        return count <= limit

    def wait(self):
        return getattr(self._local, "wait", None)


class Utf8JSONRenderer(JSONRenderer):
    """Chinese stays readable in responses (UTF-8, not \\u escapes)."""

    json_dumps_params = {"ensure_ascii": False}


# --- request parsing ---------------------------------------------------------------------------------------


class StrictJSONParser(Parser):
    """JSON bodies must be valid UTF-8 text (no lone surrogates, which no database can store)."""

    def parse_body(self, request: HttpRequest):
        data = json.loads(request.body)
        json.dumps(data, ensure_ascii=False).encode("utf-8")  # UnicodeEncodeError → 400
        return data


# --- validation errors in two languages ---------------------------------------------------------------------

# Chinese for pydantic's error types; {name} is filled from the error's ctx. English is pydantic's own message.
PYDANTIC_ZH = {
    "missing": "必填",
    "string_type": "须为文本",
    "string_too_short": "至少 {min_length} 个字符",
    "string_too_long": "最多 {max_length} 个字符",
    "string_pattern_mismatch": "格式不正确",
    "string_unicode": "须为有效的 UTF-8 文本",
    "int_type": "须为整数",
    "int_parsing": "须为整数",
    "int_parsing_size": "整数超出范围",
    "int_from_float": "须为整数，不能带小数",
    "float_type": "须为数字",
    "float_parsing": "须为数字",
    "finite_number": "须为有限的数字",
    "decimal_type": "须为数字",
    "decimal_parsing": "须为数字",
    "decimal_max_digits": "数字位数过多",
    "decimal_max_places": "小数位数过多",
    "decimal_whole_digits": "整数部分位数过多",
    "bool_type": "须为 true 或 false",
    "bool_parsing": "须为 true 或 false",
    "greater_than": "须大于 {gt}",
    "greater_than_equal": "须大于或等于 {ge}",
    "less_than": "须小于 {lt}",
    "less_than_equal": "须小于或等于 {le}",
    "multiple_of": "须为 {multiple_of} 的倍数",
    "literal_error": "须为以下之一：{expected}",
    "enum": "须为以下之一：{expected}",
    "date_type": "须为日期（YYYY-MM-DD）",
    "date_parsing": "日期格式不正确，应为 YYYY-MM-DD",
    "date_from_datetime_parsing": "日期格式不正确，应为 YYYY-MM-DD",
    "date_from_datetime_inexact": "须为不含时刻的日期",
    "datetime_type": "须为时间（ISO 8601）",
    "datetime_parsing": "时间格式不正确，应为 ISO 8601，如 2026-01-31T08:00:00+08:00",
    "datetime_from_date_parsing": "时间格式不正确，应为 ISO 8601，如 2026-01-31T08:00:00+08:00",
    "datetime_object_invalid": "时间无效",
    "timezone_aware": "须带时区",
    "time_parsing": "时刻格式不正确，应为 HH:MM[:SS]",
    "uuid_type": "须为 UUID",
    "uuid_parsing": "须为 UUID",
    "json_invalid": "JSON 格式错误",
    "json_type": "须为 JSON 文本",
    "dict_type": "须为 JSON 对象",
    "model_type": "须为 JSON 对象",
    "model_attributes_type": "须为 JSON 对象",
    "list_type": "须为数组",
    "too_short": "至少 {min_length} 项",
    "too_long": "最多 {max_length} 项",
    "extra_forbidden": "不允许的字段",
    "url_parsing": "网址格式不正确",
    "url_type": "须为网址",
    "bytes_type": "须为文件或字节",
    "value_error": "取值无效：{error}",
    "assertion_error": "取值无效：{error}",
}


def _ctx_text(name: str, value) -> str:
    """pydantic's ctx values in Chinese text: the choices "'a', 'b' or 'c'" become "a、b、c"."""
    text = str(value)
    if name == "expected":
        text = text.replace("'", "").replace(" or ", ", ").replace(", ", "、")
    return text


def translate_validation_errors(errors: list[dict]) -> dict[str, list[dict[str, str]]]:
    """ninja/pydantic errors as {field: [{message, message_en}]}, the field named as the client wrote it."""
    fields: dict[str, list[dict[str, str]]] = {}
    for error in errors:
        loc = [str(part) for part in error.get("loc", ())]
        source, rest = (loc[0], loc[1:]) if loc else ("body", [])
        if source == "body":
            rest = rest[1:]  # drop the name of the body parameter (payload.name → name; payload → body)
        field = ".".join(rest) or source
        kind = error.get("type", "")
        ctx = {k: _ctx_text(k, v) for k, v in (error.get("ctx") or {}).items()}
        template = PYDANTIC_ZH.get(kind)
        try:
            zh = template.format(**ctx) if template else f"输入无效（{kind or 'invalid'}）"
        except (KeyError, IndexError):
            zh = template
        en = str(error.get("msg") or "Invalid value")
        fields.setdefault(field, []).append({"message": zh, "message_en": en})
    return fields


# --- the API -----------------------------------------------------------------------------------------------

DESCRIPTION = """\
应急（Yingji）卫生应急管理平台的 REST API。 / REST API of the Yingji public-health emergency platform.

**认证 / Authentication**：机器客户端在请求头中携带 API 令牌 `Authorization: Bearer yj_…`（由 `POST /api/v1/tokens`
创建，只显示一次）；已登录的浏览器可直接使用本页面（会话 + CSRF）。 / Machine clients send an API token
(`POST /api/v1/tokens`, shown once); a signed-in browser can use this page directly (session + CSRF).

**管辖范围 / Jurisdiction**：每个接口只返回、只修改当前用户管辖范围内的记录；范围外的记录与不存在的记录一样返回 404。
/ Every operation reads and changes only records within the user's jurisdiction; a record outside it answers
404, exactly like a record that does not exist.

**错误格式 / Errors**：所有错误均为 `{"code", "message"（中文）, "message_en", "fields": {字段: [{message, message_en}]}}`。
/ Every error has this one shape.

**分页 / Pagination**：列表接口接受 `page`、`page_size`（最多 500），返回 `{"items", "count", "page", "page_size"}`。

**幂等创建 / Idempotent creates**：新建接口接受请求头 `Idempotency-Key`（UUID 或本方记录编号，最长 128 字符）：
同一键、同一请求体的重试返回已创建的记录（状态 200，响应头 `Idempotency-Replayed: true`），首次创建为 201；
同一键、不同请求体返回 409。 / Create operations accept an `Idempotency-Key` header: a retry with the same key
and body returns the record already created (200, header `Idempotency-Replayed: true`; the first create is 201);
the same key with another body is 409.

**限流 / Rate limit**：每个用户每分钟请求数有上限，超过返回 429（响应头 `Retry-After`）。
"""

TAGS = [
    {"name": "account", "description": "当前用户 / The signed-in user"},
    {"name": "regions", "description": "行政区划（GB/T 2260）与人口 / Administrative divisions and population"},
    {"name": "organisations", "description": "机构 / Organisations"},
    {"name": "users", "description": "用户管理（仅系统管理员）/ User administration (platform administrators only)"},
    {"name": "audit", "description": "审计日志（仅系统管理员）/ Audit log (platform administrators only)"},
    {"name": "tokens", "description": "API 令牌 / API tokens"},
    {"name": "signals", "description": "预警信号、核实处置与响应指标 / Early-warning signals, verification and KPIs"},
    {"name": "detection", "description": "预警配置、运行与节假日 / Detection configurations, runs and holidays"},
    {"name": "notifications", "description": "站内通知 / In-app notifications"},
    {"name": "diseases", "description": "法定传染病目录 / Notifiable-disease catalogue"},
    {"name": "case-reports", "description": "传染病报告卡（网络直报）/ Case report cards (direct reporting)"},
    {"name": "timeliness", "description": "报告及时性 / Reporting timeliness"},
    {"name": "zero-reports", "description": "零报告/日报告与报告计划 / Zero and daily reports, reporting schedules"},
    {"name": "fever-clinics", "description": "发热门诊日报 / Fever-clinic daily reports"},
    {"name": "event-reports", "description": "突发公共卫生事件相关信息报告 / Public-health event reports"},
    {"name": "inspections", "description": "督导检查与整改台账 / Inspections, findings and the rectification ledger"},
    {"name": "emergencies", "description": "突发事件、应急响应级别与终止 / Emergency events, response levels and closure"},
    {"name": "tasks", "description": "事件任务、进展与附件 / Event tasks, progress notes and attachments"},
    {"name": "checklists", "description": "预案处置清单与启动 / Scenario checklists and their activation"},
    {"name": "contacts", "description": "流调病例、密切接触者、隔离与传播链 / Investigation cases, close contacts, quarantine and transmission"},
    {"name": "followups", "description": "密接每日随访与随访小组 / Daily follow-ups of contacts and follow-up teams"},
    {"name": "assessments", "description": "风险评估与风险矩阵 / Risk assessments and the risk matrix"},
    {"name": "consultations", "description": "会商研判、决定事项与会商材料 / Consultations, decisions and materials"},
    {"name": "sitreps", "description": "信息报送（初次、进程、结案报告）/ Situation reports (initial, progress, final)"},
]

ERROR_RESPONSES = {
    "400": "请求格式有误或文件无法读取 / Malformed request or unreadable file",
    "401": "未认证 / Not authenticated",
    "403": "无权操作（角色只读、CSRF 失败等）/ Not permitted (read-only role, CSRF failure …)",
    "404": "不存在或不在管辖范围内 / Not found or outside your jurisdiction",
    "409": "冲突（重复、仍被引用、幂等键已用于不同内容）/ Conflict (duplicate, still referenced, key reused)",
    "413": "请求体过大 / Request body too large",
    "414": "请求地址过长（由前置 Web 服务器回答，非 JSON）/ Request URI too long (answered by the front web server, not JSON)",
    "422": "输入有误，见 fields / Invalid input, see fields",
    "429": "请求过于频繁 / Too many requests",
    "500": "服务器内部错误 / Internal server error",
}
WRITE_ONLY_ERRORS = {"409", "413"}
# Answered by gunicorn or a reverse proxy before Django sees the request, so no JSON body is promised.
FRONT_SERVER_ERRORS = {"414"}


class YingjiAPI(NinjaAPI):
    def _get_urls(self):
        urls = super()._get_urls()
        for pattern in urls:
            callback = getattr(pattern, "callback", None)
            if callback is not None:
                pattern.callback = _json_not_allowed(callback)
        urls.append(re_path(r"^", unknown_address, name="api-not-found"))
        return urls

    def get_openapi_operation_id(self, operation) -> str:
        """``core_list_regions``: the app's name and the view's, stable and readable in generated clients."""
        parts = operation.view_func.__module__.split(".")
        app = parts[1] if len(parts) > 2 and parts[0] == "yingji" else parts[0]
        return f"{app}_{operation.view_func.__name__}"

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        components = schema.setdefault("components", {})
        schemas = components.setdefault("schemas", {})
        error_schema = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, definition in error_schema.pop("$defs", {}).items():
            schemas.setdefault(name, definition)
        schemas["ErrorOut"] = error_schema
        ref = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}}
        for path_item in schema.get("paths", {}).values():
            for method, operation in path_item.items():
                if not isinstance(operation, dict) or "responses" not in operation:
                    continue
                responses = operation["responses"]
                for status, description in ERROR_RESPONSES.items():
                    if status in WRITE_ONLY_ERRORS and method.upper() in SAFE_METHODS:
                        continue
                    if status == "401" and not operation.get("security"):
                        continue
                    if status in FRONT_SERVER_ERRORS:
                        responses.setdefault(status, {"description": description})
                    else:
                        responses.setdefault(status, {"description": description, **ref})
                if "429" in responses:
                    responses["429"].setdefault("headers", {
                        "Retry-After": {"description": "秒数 / seconds", "schema": {"type": "integer"}}
                    })
        schema["tags"] = TAGS
        for name, scheme in components.get("securitySchemes", {}).items():
            auth = {"TokenAuth": TokenAuth, "SessionAuth": SessionAuth}.get(name)
            if auth is not None:
                scheme["description"] = auth.openapi_description
        return schema


def _json_not_allowed(view):
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            body = json.dumps(status_body(405), ensure_ascii=False)
            allowed = response["Allow"]
            response = HttpResponse(body, status=405, content_type="application/json; charset=utf-8")
            response["Allow"] = allowed
        return response

    return wrapper


@csrf_exempt
def unknown_address(request, *args, **kwargs):
    body = status_body(404, code="no_such_endpoint", zh="没有这个 API 地址，请查看 /api/docs",
                       en="No such API address; see /api/docs")
    return HttpResponse(json.dumps(body, ensure_ascii=False), status=404,
                        content_type="application/json; charset=utf-8")


api = YingjiAPI(
    title="Yingji 应急 API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
    auth=[TokenAuth(), SessionAuth()],
    throttle=[UserRateThrottle()],
    parser=StrictJSONParser(),
    renderer=Utf8JSONRenderer(),
)


def _attribute_changes(view):
    """Audit entries written by an operation are attributed to the authenticated user (token or session)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        user = getattr(request, "auth", None)
        if user is None or not getattr(user, "is_authenticated", False):
            return view(request, *args, **kwargs)
        with set_actor(user, remote_addr=request.META.get("REMOTE_ADDR")):
            return view(request, *args, **kwargs)

    return wrapper


api.add_decorator(_attribute_changes, mode="operation")


# --- error handlers ----------------------------------------------------------------------------------------


def _respond(request, body: dict, status: int, headers: dict | None = None) -> HttpResponse:
    response = api.create_response(request, body, status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


@api.exception_handler(YingjiError)
def _yingji_error(request, exc: YingjiError):
    return _respond(request, exc.as_dict(), exc.status)


@api.exception_handler(ValidationError)
def _validation_error(request, exc: ValidationError):
    return _respond(request, status_body(422, fields=translate_validation_errors(exc.errors)), 422)


@api.exception_handler(InvalidToken)
def _invalid_token(request, exc):
    body = status_body(401, code="invalid_token", zh="API 令牌无效、已过期或已被吊销",
                       en="The API token is invalid, expired or revoked")
    return _respond(request, body, 401, {"WWW-Authenticate": 'Bearer error="invalid_token"'})


@api.exception_handler(Throttled)
def _throttled(request, exc: Throttled):
    wait = int(exc.wait or 1) + 1
    body = status_body(429, zh=f"请求过于频繁，请 {wait} 秒后再试", en=f"Too many requests; retry in {wait} s")
    return _respond(request, body, 429)


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
    return _respond(request, status_body(exc.status_code), exc.status_code, headers)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return _respond(request, status_body(404), 404)


@api.exception_handler(PermissionDenied)
def _permission_denied(request, exc):
    return _respond(request, status_body(403), 403)


@api.exception_handler(DjangoValidationError)
def _django_validation_error(request, exc: DjangoValidationError):
    from .core.i18n import both

    fields: dict[str, list[dict[str, str]]] = {}
    items = exc.error_dict.items() if hasattr(exc, "error_dict") else [("__all__", exc.error_list)]
    for name, errors in items:
        for error in errors:
            text = error.message % error.params if error.params else error.message
            zh, en = both(text)
            fields.setdefault(name, []).append({"message": zh, "message_en": en})
    return _respond(request, status_body(422, fields=fields), 422)


@api.exception_handler(IntegrityError)
def _integrity_error(request, exc):
    logger.warning("integrity error on %s %s: %s", request.method, request.path, exc)
    body = status_body(409, zh="与已有记录重复或冲突（可能刚被他人保存），请刷新后重试",
                       en="This duplicates or conflicts with an existing record (perhaps just saved by someone "
                          "else); reload and retry")
    return _respond(request, body, 409)


@api.exception_handler(ProtectedError)
@api.exception_handler(RestrictedError)
def _still_referenced(request, exc):
    body = status_body(409, code="still_referenced", zh="该记录仍被其他记录引用，不能删除；可将其设为停用",
                       en="Other records still refer to this one, so it cannot be deleted; deactivate it instead")
    return _respond(request, body, 409)


@api.exception_handler(MultiPartParserError)
@api.exception_handler(SuspiciousOperation)
def _bad_upload(request, exc):
    if isinstance(exc, RequestDataTooBig):
        return _respond(request, status_body(413), 413)
    body = status_body(400, zh="请求格式有误：上传须为带 boundary 的 multipart/form-data",
                       en="Malformed request: an upload must be multipart/form-data with a boundary")
    if not isinstance(exc, MultiPartParserError):
        body = status_body(400)
    return _respond(request, body, 400)


@api.exception_handler(UnicodeError)
def _unicode_error(request, exc):
    return _respond(request, status_body(400, zh="请求含有无效的字符编码", en="The request holds invalid text encoding"),
                    400)


@api.exception_handler(Exception)
def _unexpected(request, exc):
    logger.exception("unexpected error on %s %s", request.method, request.path, exc_info=exc)
    return _respond(request, status_body(500), 500)


# --- routers -----------------------------------------------------------------------------------------------

from .core.api import router as core_router  # noqa: E402  (the handlers above must exist first)

api.add_router("/v1", core_router)
api.add_router("/v1", "yingji.surveillance.api.cards.router")  # case reports, timeliness, diseases
api.add_router("/v1", "yingji.surveillance.api.aggregate.router")  # zero/daily reports, schedules, fever clinics
api.add_router("/v1", "yingji.surveillance.api.events.router")  # public-health event reports, proposals
api.add_router("/v1", "yingji.core.api_notifications.router")  # the signed-in user's notifications
api.add_router("/v1", "yingji.detection.api.signals.router")  # early-warning signals, verification, KPIs
api.add_router("/v1", "yingji.detection.api.configs.router")  # detection configurations and runs
api.add_router("/v1", "yingji.detection.api.holidays.router")  # public holidays and make-up workdays
api.add_router("/v1", "yingji.response.api.events.router")  # emergency events and response levels
api.add_router("/v1", "yingji.response.api.contacts.router")  # cases, contacts, quarantine, follow-ups (流调/密接)
api.add_router("/v1", "yingji.response.api.assessments.router")  # risk assessments and the risk matrix
api.add_router("/v1", "yingji.response.api.consultations.router")  # consultations (会商研判), decisions, materials
api.add_router("/v1", "yingji.response.api.sitreps.router")  # situation reports (信息报送)
api.add_router("/v1", "yingji.response.api.inspections.router")  # inspections, findings, rectification ledger
api.add_router("/v1", "yingji.response.api.tasks.router")  # event tasks, notes, attachments
api.add_router("/v1", "yingji.response.api.checklists.router")  # scenario checklists, activating a stage
