"""The surveillance API keeps the promises of its OpenAPI document (what schemathesis checks in CI, here in the
test suite): every schema name is one schema, every date is ISO text (a bare number is refused with a bilingual
422), and real responses of every read operation validate against the schema documented for their status."""

import json
import re
from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone
from jsonschema import Draft202012Validator
from ninja.openapi.schema import OpenAPISchema
from pydantic import BaseModel

from tests.core.test_api import Api, assert_error
from tests.surveillance.conftest import card_data, make_id
from yingji.api import api as root_api
from yingji.core.notify import notify
from yingji.core.roles import Role
from yingji.surveillance.services.schedules import create_schedule

# The operations of this part: the surveillance app's and the signed-in user's notifications (core/api_notifications).
OURS = ("surveillance_",)
NOTIFICATION_OPERATIONS = {"core_list_notifications", "core_read_notification", "core_read_all_notifications"}


def ours(operation_id: str) -> bool:
    return operation_id.startswith(OURS) or operation_id in NOTIFICATION_OPERATIONS


@pytest.fixture
def api(client) -> Api:
    cache.clear()
    return Api(client)


@pytest.fixture
def spec(client, db) -> dict:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    return response.json()


def operations(spec: dict, method: str | None = None):
    """(path without /api/v1, method, operation) of our operations in the document."""
    for path, item in spec["paths"].items():
        for verb, operation in item.items():
            if isinstance(operation, dict) and ours(operation.get("operationId", "")):
                if method is None or verb == method:
                    yield path.removeprefix("/api/v1"), verb, operation


def validate(spec: dict, operation: dict, response) -> dict:
    """The response's status is documented for the operation and its JSON body matches the documented schema."""
    status = str(response.status_code)
    documented = operation["responses"]
    assert status in documented, f"{operation['operationId']}: status {status} is not documented"
    body = json.loads(response.content)
    schema = documented[status]["content"]["application/json"]["schema"]
    validator = Draft202012Validator({**schema, "components": spec["components"]},
                                     format_checker=Draft202012Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
    assert not errors, (f"{operation['operationId']} {status}: the body does not match its schema: "
                        + "; ".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]))
    return body


# --- one schema per name ------------------------------------------------------------------------------------


def test_no_two_schemas_share_a_component_name(monkeypatch, db):
    """OpenAPI components are keyed by class name: a second class of the same name (e.g. two ``OrgRef`` in two
    routers) silently replaces the first, and responses are then checked against the wrong schema."""
    seen: dict[str, dict] = {}
    clashes: set[str] = set()
    original = OpenAPISchema.add_schema_definitions

    def recording(self, definitions: dict) -> None:
        for name, definition in definitions.items():
            if seen.setdefault(name, definition) != definition:
                clashes.add(name)
        original(self, definitions)

    monkeypatch.setattr(OpenAPISchema, "add_schema_definitions", recording)
    root_api.get_openapi_schema(path_prefix="/api/")
    assert seen and not clashes, f"schema names used for different schemas: {sorted(clashes)}"


def _models(annotation, found: set) -> None:
    """Every pydantic model class reachable from a type annotation."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation in found:
            return
        found.add(annotation)
        for field in annotation.model_fields.values():
            _models(field.annotation, found)
        return
    for arg in getattr(annotation, "__args__", ()) or ():
        _models(arg, found)


def test_every_schema_class_of_the_api_has_a_name_of_its_own(db):
    """Stricter than the document check: even two same-shaped classes may not share a name across routers."""
    root_api.get_openapi_schema(path_prefix="/api/")  # binds the routers
    found: set[type] = set()
    for _prefix, router in root_api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for model in operation.models:
                    _models(model, found)
                for model in operation.response_models.values():
                    _models(model, found)
    by_name: dict[str, set[str]] = {}
    for model in found:
        if model.__module__.startswith("yingji."):
            by_name.setdefault(model.__name__, set()).add(f"{model.__module__}.{model.__qualname__}")
    assert any(name == "CardOut" for name in by_name), "the walk found no surveillance schema"
    shared = {name: sorted(where) for name, where in by_name.items() if len(where) > 1}
    assert not shared, f"schema classes sharing a name: {shared}"


# --- dates are ISO text -------------------------------------------------------------------------------------


def _is_date(schema: dict) -> bool:
    return schema.get("format") == "date" or any(_is_date(s) for s in schema.get("anyOf", ()))


def _ids(path: str) -> str:
    """A path with its parameters filled in (the records need not exist: validation answers first)."""
    return re.sub(r"\{(\w+)\}", lambda m: "0100" if m.group(1) == "code" else "1", path)


def _date_query_parameters(spec):
    for path, verb, operation in operations(spec):
        for parameter in operation.get("parameters", ()):
            if parameter["in"] == "query" and _is_date(parameter["schema"]):
                yield path, verb, parameter["name"]


def _date_body_fields(spec):
    for path, verb, operation in operations(spec):
        content = operation.get("requestBody", {}).get("content", {}).get("application/json")
        if not content:
            continue
        ref = content["schema"].get("$ref", "")
        schema = spec["components"]["schemas"][ref.rsplit("/", 1)[-1]] if ref else content["schema"]
        for name, prop in schema.get("properties", {}).items():
            if _is_date(prop):
                yield path, verb, name


def _field_errors(response, name: str) -> list:
    body = assert_error(response, 422, "invalid")
    return [m for field, messages in body["fields"].items() if field.split(".")[-1] == name for m in messages]


@pytest.mark.parametrize("value", ["20240101", "0", "1704067200", "2024-1-1", "2024-01-01T00:00:00", "2024-02-30"])
def test_date_query_parameters_take_iso_text_only(api, city, spec, value):
    found = list(_date_query_parameters(spec))
    assert len(found) >= 15, found  # the cards, timeliness, schedules, reports and fever series filters
    for path, _verb, name in found:
        response = api.get(_ids(path), city.admin, data={name: value})
        messages = _field_errors(response, name)
        assert messages, f"GET {path}?{name}={value}: no message for {name}"
        assert "日期" in messages[0]["message"] and "date" in messages[0]["message_en"].lower()


@pytest.mark.parametrize("value", [20240101, 0, "20240101", "2024-1-1", "2024-01-01T00:00:00Z", "2024-02-30"])
def test_date_body_fields_take_iso_text_only(api, city, spec, value):
    found = list(_date_body_fields(spec))
    names = {name for _p, _v, name in found}
    assert {"onset_date", "birth_date", "period_start", "date", "valid_to"} <= names, names
    for path, verb, name in found:
        response = api.call(verb, _ids(path), city.admin, {name: value})
        assert _field_errors(response, name), f"{verb.upper()} {path} with {name}={value!r}: no message for {name}"


def test_iso_dates_are_still_accepted(api, city):
    cdc = city.a.users[Role.CDC]
    assert api.get("/case-reports", cdc, data={"onset_from": "2024-01-01", "reported_to": "2030-12-31"}) \
        .status_code == 200
    assert api.get("/timeliness/units", cdc, data={"date_from": "2024-02-29"}).status_code == 200
    created = api.post("/case-reports", city.a.users[Role.REPORTER], card_data(city.a, birth_date="1980-05-17"))
    assert created.status_code == 201, created.content.decode()
    assert created.json()["birth_date"] == "1980-05-17"


# --- real responses match the document ----------------------------------------------------------------------


@pytest.fixture
def world(api, city, spec):
    """A little of everything in 甲区, made through the API (each write's response checked against the document),
    so that every list below has items to check."""
    rep, cdc = city.a.users[Role.REPORTER], city.a.users[Role.CDC]
    ops = {(path, verb): operation for path, verb, operation in operations(spec)}

    def write(verb, path, template, user, body=None, expect=(200, 201)):
        response = api.call(verb, path, user, body)
        assert response.status_code in expect, (path, response.content.decode())
        return validate(spec, ops[(template, verb)], response)

    card = write("post", "/case-reports", "/case-reports", rep, card_data(city.a, card_number="S-1"))
    write("post", "/case-reports", "/case-reports", rep, card_data(city.a, card_number="S-2"))  # a duplicate
    other = write("post", "/case-reports", "/case-reports", rep,
                  card_data(city.a, card_number="S-3", patient_name="王芳", sex="F", birth_date="1990-03-01",
                            id_number=make_id(date(1990, 3, 1), male=False)))
    returned = write("post", "/case-reports", "/case-reports", rep,
                     card_data(city.a, card_number="S-4", patient_name="赵磊", birth_date="1975-07-07",
                               id_number=make_id(date(1975, 7, 7))))
    deleted = write("post", "/case-reports", "/case-reports", rep,
                    card_data(city.a, card_number="S-5", patient_name="孙丽", sex="F", birth_date="1999-09-09",
                              id_number=make_id(date(1999, 9, 9), male=False)))
    write("post", f"/case-reports/{other['id']}/review", "/case-reports/{card_id}/review", cdc)
    write("post", f"/case-reports/{other['id']}/correct", "/case-reports/{card_id}/correct", cdc,
          {"classification": "confirmed", "reason": "实验室确诊"})
    write("post", f"/case-reports/{returned['id']}/return", "/case-reports/{card_id}/return", cdc,
          {"reason": "地址不详"})
    write("post", f"/case-reports/{deleted['id']}/delete", "/case-reports/{card_id}/delete", cdc, {"reason": "重报"})

    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    create_schedule(cdc, organisation=city.a.hospital.pk, frequency="weekly", valid_from=monday - timedelta(weeks=6))
    schedule = write("post", "/reporting-schedules", "/reporting-schedules", cdc,
                     {"organisation": city.a.hospital.code, "frequency": "daily", "diseases": ["3500"],
                      "reason": "流感应急响应", "valid_from": str(today - timedelta(days=3))})
    aggregate = write("post", "/aggregate-reports", "/aggregate-reports", rep,
                      {"frequency": "weekly", "period_start": str(monday - timedelta(weeks=2)), "is_zero": False,
                       "lines": [{"disease": "3500", "count": 3}]})
    fever = write("post", "/fever-clinic-reports", "/fever-clinic-reports", rep,
                  {"date": str(today - timedelta(days=1)), "visits": 40, "tested": 30, "positive": 6,
                   "observed": 2, "transferred": 1})
    event = write("post", "/event-reports", "/event-reports", cdc,
                  {"title": "甲区第一小学流感暴发", "category": "infectious_outbreak", "region": city.a.town.code,
                   "discovered_at": (timezone.now() - timedelta(minutes=30)).isoformat(), "cases": 12,
                   "disease": "3500", "submit": True})
    write("post", f"/event-reports/{event['id']}/progress", "/event-reports/{event_id}/progress", cdc,
          {"cases": 15, "description": "新增 3 例", "submit": True})
    notify([rep, cdc, city.admin], "逾期提醒", "请提交零报告", link="/surveillance/")
    return {"card_id": card["id"], "schedule_id": schedule["id"], "event_id": event["id"],
            "/aggregate-reports": aggregate["id"], "/fever-clinic-reports": fever["id"]}


def _path_for(path: str, world: dict) -> str:
    def value(match):
        name = match.group(1)
        if name == "report_id":
            return str(world[path.split("/{")[0]])
        return str(world[name])

    return re.sub(r"\{(\w+)\}", value, path)


MAY_BE_EMPTY = {"surveillance_list_event_proposals"}


@pytest.mark.parametrize("who", ["admin", "city_cdc", "district_cdc", "reporter"])
def test_every_read_answers_as_documented(api, city, spec, world, who):
    user = {"admin": city.admin, "city_cdc": city.users[Role.CDC], "district_cdc": city.a.users[Role.CDC],
            "reporter": city.a.users[Role.REPORTER]}[who]
    reads = list(operations(spec, "get"))
    assert len(reads) >= 20
    answered = 0
    for path, _verb, operation in reads:
        response = api.get(_path_for(path, world), user)
        body = validate(spec, operation, response)
        if who == "district_cdc":  # the district CDC reads everything made above
            assert response.status_code == 200, (path, body)
        if response.status_code == 200:
            answered += 1
            if "items" in body and who == "district_cdc" and operation["operationId"] not in MAY_BE_EMPTY:
                assert body["items"], f"{path}: nothing listed, so nothing was checked"
    assert answered >= len(reads) // 2


@pytest.mark.parametrize("body, field", [
    ({"into": "2"}, "into"),  # a card id is a JSON number, not text
    ({"into": 2.5}, "into"),
    ({"into": True}, "into"),
])
def test_body_numbers_are_json_numbers(api, city, body, field):
    response = api.post("/case-reports/1/merge", city.a.users[Role.CDC], body)
    assert _field_errors(response, field), response.content.decode()
