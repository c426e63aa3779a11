"""The REST API: authentication, the one error format, pagination and filters, tokens, the OpenAPI document.

Scoping is in test_api_scoping.py, idempotent creates in test_api_idempotency.py, imports in test_api_imports.py.
Everything runs against the real database through Django's test client; nothing is mocked.
"""

import json
import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client, RequestFactory, override_settings
from django.utils import timezone

from yingji.core.models import ApiToken, Organisation
from yingji.core.roles import Role

CJK = re.compile(r"[\u4e00-\u9fff]")


class Api:
    """Calls /api/v1 as a user through a bearer token (or anonymously, or through the test client's session)."""

    def __init__(self, client: Client):
        self.client = client
        self._tokens: dict[int, str] = {}

    def token(self, user) -> str:
        if user.pk not in self._tokens:
            self._tokens[user.pk] = ApiToken.issue(user, "test")[1]
        return self._tokens[user.pk]

    def call(self, method: str, path: str, user=None, body=None, headers=None, **kwargs):
        headers = dict(headers or {})
        if user is not None:
            headers["Authorization"] = f"Bearer {self.token(user)}"
        if body is not None:
            kwargs.update(data=json.dumps(body), content_type="application/json")
        return getattr(self.client, method)("/api/v1" + path, headers=headers, **kwargs)

    def get(self, path, user=None, **kw):
        return self.call("get", path, user, **kw)

    def post(self, path, user=None, body=None, **kw):
        return self.call("post", path, user, body, **kw)

    def put(self, path, user=None, body=None, **kw):
        return self.call("put", path, user, body, **kw)

    def patch(self, path, user=None, body=None, **kw):
        return self.call("patch", path, user, body, **kw)

    def delete(self, path, user=None, **kw):
        return self.call("delete", path, user, **kw)


@pytest.fixture
def api(client) -> Api:
    cache.clear()  # the rate limit counts in the cache
    return Api(client)


def assert_error(response, status: int, code: str | None = None) -> dict:
    """The response is an error in the one API format, with a Chinese and an English message."""
    assert response.status_code == status, response.content.decode()
    assert response["Content-Type"].startswith("application/json")
    body = json.loads(response.content)
    assert set(body) >= {"code", "message", "message_en", "fields"}
    assert CJK.search(body["message"]), body
    assert body["message_en"] and not CJK.search(body["message_en"].replace("…", "")), body
    for messages in body["fields"].values():
        for m in messages:
            assert CJK.search(m["message"]) and m["message_en"], m
    if code is not None:
        assert body["code"] == code, body
    return body


def org_body(**overrides) -> dict:
    body = {"code": "NEWHOS01", "name": "甲区新建医院", "kind": "hospital", "hospital_level": "2",
            "region": "990102", "address": "甲区新街 1 号", "longitude": 116.5, "latitude": 39.9,
            "duty_phone": "010-12345678"}
    body.update(overrides)
    return body


# --- authentication ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/me", "/regions", "/organisations", "/users", "/audit", "/tokens"])
def test_no_credentials_is_401_in_the_error_format(api, city, path):
    response = api.get(path)
    assert_error(response, 401, "unauthorized")
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_unknown_revoked_and_expired_tokens_are_401(api, city):
    user = city.a.users[Role.CDC]
    assert_error(api.get("/me", headers={"Authorization": "Bearer yj_not-a-token"}), 401, "invalid_token")

    token, raw = ApiToken.issue(user, "revoked")
    token.revoked_at = timezone.now()
    token.save()
    assert_error(api.get("/me", headers={"Authorization": f"Bearer {raw}"}), 401, "invalid_token")

    _, raw = ApiToken.issue(user, "expired", expires_at=timezone.now() - timedelta(minutes=1))
    assert_error(api.get("/me", headers={"Authorization": f"Bearer {raw}"}), 401, "invalid_token")


def test_token_of_a_deactivated_user_is_401(api, city):
    user = city.a.users[Role.CDC]
    raw = api.token(user)
    user.is_active = False
    user.save()
    assert_error(api.get("/me", headers={"Authorization": f"Bearer {raw}"}), 401)


def test_an_invalid_token_never_falls_back_to_the_session(api, city, client):
    client.force_login(city.admin)
    assert api.get("/me").status_code == 200
    assert_error(api.get("/me", headers={"Authorization": "Bearer yj_wrong"}), 401, "invalid_token")


def test_basic_auth_is_not_accepted(api, city):
    assert_error(api.get("/me", headers={"Authorization": "Basic YWRtaW46YWRtaW4="}), 401)


def test_me_with_a_token(api, city):
    user = city.a.users[Role.HEALTH_COMMISSION]
    body = api.get("/me", user).json()
    assert body["username"] == user.username
    assert body["role"] == "health_commission" and body["role_label"] == "卫健委应急办"
    assert body["organisation"]["code"] == "WJW02" and body["jurisdiction"] == "990102"
    assert body["auth"] == "token" and body["is_platform_admin"] is False


def test_session_reads_and_writes_need_csrf(city):
    client = Client(enforce_csrf_checks=True)
    client.force_login(city.a.users[Role.HEALTH_COMMISSION])
    me = client.get("/api/v1/me")
    assert me.status_code == 200 and me.json()["auth"] == "session"

    body = json.dumps(org_body())
    response = client.post("/api/v1/organisations", data=body, content_type="application/json")
    assert_error(response, 403, "csrf_failed")
    assert not Organisation.objects.filter(code="NEWHOS01").exists()

    client.get("/api/docs")  # the docs page sets the CSRF cookie, as in a browser
    csrf = client.cookies["csrftoken"].value
    response = client.post("/api/v1/organisations", data=body, content_type="application/json",
                           headers={"X-CSRFToken": csrf})
    assert response.status_code == 201, response.content


def test_docs_page_and_openapi_are_served(client, db):
    docs = client.get("/api/docs")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html and "cdn" not in html.lower()  # no CDN at run time
    response = client.get("/api/openapi.json")
    assert response.status_code == 200 and response.json()["info"]["title"].startswith("Yingji")


def test_changes_through_a_token_are_attributed_to_its_user(api, city):
    user = city.a.users[Role.HEALTH_COMMISSION]
    created = api.post("/organisations", user, org_body())
    assert created.status_code == 201
    org_id = created.json()["id"]
    assert api.patch(f"/organisations/{org_id}", user, {"address": "甲区新街 2 号"}).status_code == 200

    history = api.get(f"/organisations/{org_id}/history", user).json()
    assert history["count"] == 2
    update, create = history["items"]
    assert update["action"] == "update" and create["action"] == "create"
    assert update["actor"]["username"] == user.username and create["actor"]["username"] == user.username
    assert update["changes"]["address"] == ["甲区新街 1 号", "甲区新街 2 号"]
    assert update["model"] == "core.organisation" and update["object_pk"] == str(org_id)


# --- the error format --------------------------------------------------------------------------------------


def test_validation_errors_are_bilingual_per_field(api, city):
    admin = city.admin
    body = {"code": "X" * 40, "kind": "castle", "region": 990102, "longitude": "east"}
    fields = assert_error(api.post("/organisations", admin, body), 422, "invalid")["fields"]
    assert fields["code"] == [{"message": "最多 32 个字符", "message_en": "String should have at most 32 characters"}]
    assert fields["name"][0]["message"] == "必填"
    assert fields["kind"][0]["message"].startswith("须为以下之一：health_commission、cdc、hospital")
    assert fields["region"][0]["message"] == "须为文本"
    assert fields["longitude"][0]["message"] == "须为数字"


def test_query_validation_errors(api, city):
    user = city.a.users[Role.CDC]
    fields = assert_error(api.get("/regions?page=abc&page_size=501&level=7", user), 422)["fields"]
    assert fields["page"][0]["message"] == "须为整数"
    assert fields["page_size"][0]["message"] == "须小于或等于 500"
    assert fields["level"][0]["message"] == "须小于或等于 4"


def test_rule_errors_from_the_service_layer_are_bilingual(api, city):
    # The form (the same one the pages use) decides: a hospital needs a level, coordinates come in pairs.
    body = org_body(hospital_level="", latitude=None)
    fields = assert_error(api.post("/organisations", city.admin, body), 422)["fields"]
    assert fields["hospital_level"][0]["message_en"] == "A hospital needs its level (1, 2 or 3)"
    assert "latitude" in fields
    fields = assert_error(api.post("/organisations", city.admin, org_body(region="999999")), 422)["fields"]
    assert "不存在" in fields["region"][0]["message"]


def test_malformed_json_is_400(api, city):
    response = api.call("post", "/organisations", city.admin, data="{not json", content_type="application/json")
    assert_error(response, 400, "bad_request")


def test_lone_surrogates_in_json_are_400(api, city):
    response = api.call("post", "/organisations", city.admin, data='{"code": "\\ud800"}',
                        content_type="application/json")
    assert_error(response, 400)


@pytest.mark.parametrize("body", ["[null, null]", "5", '"text"'])
def test_a_body_that_is_not_an_object_is_422(api, city, body):
    org = city.a.hospital
    for path in (f"/organisations/{org.pk}", "/regions/990102"):
        response = api.call("patch", path, city.admin, data=body, content_type="application/json")
        assert assert_error(response, 422)["fields"]["body"][0]["message"] == "须为 JSON 对象"


def test_times_are_iso_8601_not_numbers(api, city):
    fields = assert_error(api.get("/audit?until=0.5", city.admin), 422)["fields"]
    assert fields["until"][0]["message"].startswith("时间格式不正确")
    assert_error(api.post("/tokens", city.admin, {"name": "x", "expires_at": 4102444800}), 422)


def test_multipart_without_a_boundary_is_400(api, city):
    response = api.call("post", "/regions/import", city.admin, data=b"--x\r\n", content_type="multipart/form-data")
    assert_error(response, 400, "bad_request")


def test_nul_characters_are_rejected(api, city):
    fields = assert_error(api.get("/organisations?q=a%00b", city.admin), 422)["fields"]
    assert fields["q"][0]["message"] == "格式不正确"


def test_unknown_address_and_wrong_method(api, city):
    assert_error(api.get("/no-such-thing", city.admin), 404, "no_such_endpoint")
    assert_error(api.get("/organisations/not-a-number", city.admin), 404)
    response = api.delete("/me", city.admin)
    assert_error(response, 405, "method_not_allowed")
    assert response["Allow"] == "GET"


def test_unknown_record_is_404(api, city):
    assert_error(api.get("/organisations/999999", city.admin), 404, "not_found")
    assert_error(api.get("/regions/123456", city.admin), 404, "not_found")
    assert_error(api.get("/users/999999", city.admin), 404, "not_found")


def test_out_of_range_ids_are_422_not_500(api, city):
    assert_error(api.get(f"/organisations/{2**70}", city.admin), 422)
    assert_error(api.put(f"/regions/990102/populations/{2**40}", city.admin, {"population": 1}), 422)


def test_conflict_on_delete_of_a_unit_that_still_has_users(api, city):
    body = assert_error(api.delete(f"/organisations/{city.a.hospital.pk}", city.admin), 409, "conflict")
    assert "停用" in body["message"]
    assert Organisation.objects.filter(pk=city.a.hospital.pk).exists()


def test_unexpected_errors_are_a_generic_bilingual_500(db):
    from yingji.api import api as ninja_api

    request = RequestFactory().get("/api/v1/me")
    response = ninja_api.on_exception(request, RuntimeError("secret detail"))
    body = assert_error(response, 500, "server_error")
    assert "secret" not in json.dumps(body)


@override_settings(YINGJI_API_RATE="3/min")
def test_too_many_requests_is_429(api, city):
    user = city.a.users[Role.CDC]
    for _ in range(3):
        assert api.get("/me", user).status_code == 200
    response = api.get("/me", user)
    assert_error(response, 429, "throttled")
    assert int(response["Retry-After"]) >= 1
    assert api.get("/me", city.b.users[Role.CDC]).status_code == 200  # counted per user


# --- pagination and filters --------------------------------------------------------------------------------


def test_pagination_shape_and_pages(api, city):
    pages = [api.get(f"/organisations?page={p}&page_size=4", city.admin).json() for p in (1, 2, 3, 4)]
    total = Organisation.objects.count()
    assert all(p["count"] == total and p["page_size"] == 4 for p in pages)
    assert [p["page"] for p in pages] == [1, 2, 3, 4]
    ids = [item["id"] for p in pages for item in p["items"]]
    assert len(ids) == total == len(set(ids))
    assert pages[3]["items"] == []  # past the end: empty, not an error
    default = api.get("/organisations", city.admin).json()
    assert default["page"] == 1 and default["page_size"] == 50
    assert api.get("/organisations?page_size=500", city.admin).status_code == 200
    assert_error(api.get("/organisations?page_size=0", city.admin), 422)
    assert_error(api.get("/organisations?page=0", city.admin), 422)


def test_region_filters(api, city):
    admin = city.admin

    def codes(query):
        return [r["code"] for r in api.get(f"/regions?{query}", admin).json()["items"]]

    assert codes("level=3") == ["990102", "990103"]
    assert codes("parent=990102") == ["990102001"]
    assert codes("q=乙区") == ["990103", "990103001"]
    assert codes("q=9901") == ["990100", "990102", "990102001", "990103", "990103001"]
    region = api.get("/regions/990102001", admin).json()
    assert region == {"code": "990102001", "name": "甲区第一街道", "level": 4, "level_label": "乡镇街道",
                      "parent": "990102"}


def test_organisation_filters(api, city):
    admin = city.admin

    def codes(query):
        return sorted(o["code"] for o in api.get(f"/organisations?{query}", admin).json()["items"])

    assert codes("kind=cdc") == ["CDC02", "CDC03", "SFSCDC"]
    assert codes("region=990102") == ["CDC02", "EMS02", "HOS02", "WJW02"]  # the district and its towns
    assert codes("region=990102001") == ["EMS02", "HOS02"]
    assert codes("hospital_level=2") == ["HOS02", "HOS03"]
    assert codes("q=急救") == ["EMS02", "EMS03", "SFS120"]
    assert codes("kind=hospital&region=990103") == ["HOS03"]
    fields = assert_error(api.get("/organisations?region=12", admin), 422)["fields"]
    assert "格式错误" in fields["region"][0]["message"]
    assert_error(api.get("/organisations?kind=castle", admin), 422)


def test_user_filters(api, city):
    admin = city.admin
    body = api.get("/users?role=reporter", admin).json()
    assert sorted(u["username"] for u in body["items"]) == ["rep02", "rep03"]
    body = api.get(f"/users?organisation={city.a.commission.pk}", admin).json()
    assert sorted(u["username"] for u in body["items"]) == ["lead02", "wjw02"]
    assert api.get("/users?q=disp_c", admin).json()["count"] == 1


# --- regions and populations -------------------------------------------------------------------------------


def test_admin_creates_and_updates_regions_and_populations(api, city):
    admin = city.admin
    created = api.post("/regions", admin, {"code": "990104", "name": "丙区"})
    assert created.status_code == 201 and created.json()["parent"] == "990100"
    fields = assert_error(api.post("/regions", admin, {"code": "990104", "name": "丙区"}), 422)["fields"]
    assert "已存在" in fields["code"][0]["message"]
    assert_error(api.post("/regions", admin, {"code": "99010", "name": "坏"}), 422)
    assert_error(api.post("/regions", admin, {"code": "990204", "name": "坏", "parent": "990100"}), 422)

    assert api.patch("/regions/990104", admin, {"name": "丙新区"}).json()["name"] == "丙新区"
    assert api.put("/regions/990104", admin, {"name": "丙区"}).json() == {
        "code": "990104", "name": "丙区", "level": 3, "level_label": "区县级", "parent": "990100"}

    first = api.put("/regions/990104/populations/2025", admin, {"population": 500_000})
    assert first.status_code == 201 and first.json() == {"region": "990104", "year": 2025, "population": 500_000}
    again = api.put("/regions/990104/populations/2025", admin, {"population": 510_000})
    assert again.status_code == 200 and again.json()["population"] == 510_000
    fields = assert_error(api.put("/regions/990104/populations/1800", admin, {"population": 1}), 422)["fields"]
    assert "year" in fields
    assert_error(api.put("/regions/990104/populations/2025", admin, {"population": -1}), 422)
    for not_a_number in (False, "5", 5.5):
        assert_error(api.put("/regions/990104/populations/2025", admin, {"population": not_a_number}), 422)
    pops = api.get("/regions/990104/populations", admin).json()
    assert pops["count"] == 1 and pops["items"][0]["population"] == 510_000
    history = api.get("/regions/990104/history", admin).json()
    assert [e["action"] for e in history["items"]] == ["update", "update", "create"]


# --- organisations -----------------------------------------------------------------------------------------


def test_organisation_crud(api, city):
    user = city.a.users[Role.HEALTH_COMMISSION]
    created = api.post("/organisations", user, org_body(parent="WJW02"))
    assert created.status_code == 201, created.content
    org = created.json()
    assert org["code"] == "NEWHOS01" and org["parent"] == "WJW02" and org["region_name"] == "甲区"
    assert org["longitude"] == 116.5 and org["kind_label"] == "医院"

    url = f"/organisations/{org['id']}"
    assert api.get(url, user).json() == org
    patched = api.patch(url, user, {"hospital_grade": "A", "parent": None}).json()
    assert patched["hospital_grade"] == "A" and patched["parent"] is None and patched["name"] == org["name"]
    replaced = api.put(url, user, org_body(name="甲区第二医院", kind="clinic", hospital_level="")).json()
    assert replaced["name"] == "甲区第二医院" and replaced["kind"] == "clinic" and replaced["hospital_grade"] == ""
    fields = assert_error(api.patch(url, user, {"name": None}), 422)["fields"]
    assert "name" in fields

    response = api.delete(url, user)
    assert response.status_code == 204 and response.content == b""
    assert_error(api.get(url, user), 404)
    assert_error(api.delete(url, user), 404)


def test_organisation_cannot_become_its_own_parent(api, city):
    fields = assert_error(api.patch(f"/organisations/{city.a.commission.pk}", city.admin,
                                    {"parent": "WJW02"}), 422)["fields"]
    assert "parent" in fields


# --- tokens ------------------------------------------------------------------------------------------------


def test_token_lifecycle(api, city):
    user = city.a.users[Role.REPORTER]
    created = api.post("/tokens", user, {"name": "HIS 接口"})
    assert created.status_code == 201
    body = created.json()
    key = body["key"]
    assert key.startswith("yj_") and body["key_hint"] == key[:10] and body["active"] is True

    listed = api.get("/tokens", user).json()
    assert listed["count"] == 2  # the test's own token and the new one
    assert all("key" not in t for t in listed["items"])
    assert key not in json.dumps(listed)

    assert api.get("/me", headers={"Authorization": f"Bearer {key}"}).json()["username"] == user.username
    assert api.delete(f"/tokens/{body['id']}", user).status_code == 204
    assert api.delete(f"/tokens/{body['id']}", user).status_code == 204  # harmless twice
    assert_error(api.get("/me", headers={"Authorization": f"Bearer {key}"}), 401)
    revoked = next(t for t in api.get("/tokens", user).json()["items"] if t["id"] == body["id"])
    assert revoked["active"] is False and revoked["revoked_at"]


def test_tokens_of_others_are_invisible(api, city):
    mine = city.a.users[Role.REPORTER]
    other_token, _ = ApiToken.issue(city.a.users[Role.CDC], "other")
    assert other_token.pk not in [t["id"] for t in api.get("/tokens", mine).json()["items"]]
    assert_error(api.delete(f"/tokens/{other_token.pk}", mine), 404)
    other_token.refresh_from_db()
    assert other_token.revoked_at is None
    assert_error(api.delete(f"/tokens/{other_token.pk}", city.admin), 404)  # not even an administrator's


def test_token_expiry_must_be_in_the_future(api, city):
    user = city.a.users[Role.CDC]
    past = (timezone.now() - timedelta(days=1)).isoformat()
    assert "expires_at" in assert_error(api.post("/tokens", user, {"name": "x", "expires_at": past}), 422)["fields"]
    fields = assert_error(api.post("/tokens", user, {"name": "x", "expires_at": "yesterday"}), 422)["fields"]
    assert fields["expires_at"][0]["message"].startswith("时间格式不正确")
    assert_error(api.post("/tokens", user, {"name": "   "}), 422)
    future = (timezone.now() + timedelta(days=30)).isoformat()
    assert api.post("/tokens", user, {"name": "x", "expires_at": future}).status_code == 201


# --- audit -------------------------------------------------------------------------------------------------


def test_audit_log_for_administrators(api, city):
    admin = city.admin
    hc = city.a.users[Role.HEALTH_COMMISSION]
    org_id = api.post("/organisations", hc, org_body()).json()["id"]
    api.patch(f"/organisations/{org_id}", hc, {"address": "新址"})

    entries = api.get(f"/audit?model=core.organisation&object_id={org_id}", admin).json()
    assert entries["count"] == 2 and {e["actor"]["id"] for e in entries["items"]} == {hc.pk}
    assert api.get(f"/audit?actor={hc.pk}", admin).json()["count"] == 2
    assert api.get("/audit?model=core.region&object_id=990102", admin).json()["count"] == 1
    soon = (timezone.now() + timedelta(minutes=5)).isoformat()
    assert api.get("/audit", admin, data={"since": soon}).json()["count"] == 0
    assert api.get("/audit", admin, data={"until": soon, "actor": hc.pk}).json()["count"] == 2
    assert_error(api.get("/audit", admin, data={"since": "0001-01-01T00:00:00+08:00"}), 422)
    assert_error(api.get("/audit?model=organisation", admin), 422)


@pytest.mark.parametrize("role", [Role.HEALTH_COMMISSION, Role.CDC, Role.LEADER, Role.REPORTER, Role.DISPATCHER])
def test_audit_log_is_for_administrators_only(api, city, role):
    assert_error(api.get("/audit", city.a.users[role]), 403, "forbidden")


# --- the OpenAPI document ----------------------------------------------------------------------------------


def test_openapi_document_is_valid(client, db):
    from openapi_spec_validator import validate

    spec = client.get("/api/openapi.json").json()
    validate(spec)
    assert spec["openapi"].startswith("3.")
    schemes = spec["components"]["securitySchemes"]
    assert {"type": "http", "scheme": "bearer"}.items() <= schemes["TokenAuth"].items()
    assert CJK.search(schemes["TokenAuth"]["description"])
    assert {t["name"] for t in spec["tags"]} >= {"regions", "organisations", "users", "audit", "tokens", "account"}
    # every tag an operation uses is described (in Chinese and English) in the tag list
    described = {t["name"]: t["description"] for t in spec["tags"]}
    used = {tag for item in spec["paths"].values() for op in item.values() for tag in op.get("tags", [])}
    assert used <= set(described), used - set(described)
    assert all(CJK.search(described[tag]) and re.search("[A-Za-z]", described[tag]) for tag in used)


def test_every_operation_documents_the_error_responses(client, db):
    spec = client.get("/api/openapi.json").json()
    operations = [(path, method, op) for path, item in spec["paths"].items() for method, op in item.items()]
    assert len(operations) >= 20
    for path, method, op in operations:
        assert path.startswith("/api/v1/"), path
        responses = op["responses"]
        for status in ("401", "403", "404", "422", "429", "500"):
            assert responses[status]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/ErrorOut"}, (path, method, status)
        # gunicorn or a proxy answers an over-long address before Django, in HTML: documented, without a body
        assert "content" not in responses["414"] and CJK.search(responses["414"]["description"])
        if method != "get":
            assert "409" in responses, (path, method)
        assert op["tags"] and CJK.search(op["summary"]) and re.fullmatch(r"[a-z]+_[a-z_0-9]+", op["operationId"])
    create = spec["paths"]["/api/v1/organisations"]["post"]
    assert {"200", "201"} <= set(create["responses"])
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in create["parameters"])
