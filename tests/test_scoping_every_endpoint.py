"""The scoping matrix, enumerated from the routing tables rather than written by hand.

Every page route and every API operation is listed from Django's URL resolver and the OpenAPI document; each is
called by a user of district 甲 of every role against district 乙's records. Reads of another district's record
answer 404 (or 403 for administrator-only pages), lists and exports never contain it, and changes leave it
untouched. A new route whose path parameter this test cannot fill fails here until it is added to RECORDS, so no
endpoint escapes the matrix.
"""

import io
import json
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from openpyxl import load_workbook

from tests.conftest import DISTRICT_ROLES
from yingji.core.models import ApiToken, Organisation, Region, RegionPopulation
from yingji.core.roles import Role

OTHER_MARKS = ("乙区", "990103", "HOS03", "CDC03", "WJW03", "EMS03")

# Path parameter → how to name district 乙's record of that kind. Keyed by the route's first segment.
RECORDS = {
    "regions": lambda city: city.b.region.code,
    "organisations": lambda city: city.b.hospital.pk,
    "users": lambda city: city.b.users[Role.CDC].pk,
    "tokens": lambda city: ApiToken.issue(city.b.users[Role.CDC], "乙区令牌")[0].pk,
    "me": lambda city: ApiToken.issue(city.b.users[Role.CDC], "乙区令牌")[0].pk,  # /me/tokens/<pk>/revoke/
    "case-reports": lambda city: b_card(city).pk,
    "diseases": lambda city: "0100",  # reference data: everyone reads it, only administrators change it
    # zero/daily reports, fever clinics, event reports, notifications (API)
    "reporting-schedules": lambda city: api_b_schedule(city).pk,
    "aggregate-reports": lambda city: api_b_zero_report(city).pk,
    "fever-clinic-reports": lambda city: api_b_fever_report(city).pk,
    "event-reports": lambda city: api_b_event_report(city).pk,
    "notifications": lambda city: api_b_notification(city).pk,
    # pages (surveillance): /cards/<pk>/…, /aggregate/<pk>/, /events/<pk>/…
    "cards": lambda city: b_card(city).pk,
    "aggregate": lambda city: b_aggregate_report(city).pk,
    "schedules": lambda city: api_b_schedule(city).pk,
    "events": lambda city: b_event_report(city).pk,
    # early-warning pages: /signals/<pk>/…, /detection/settings/<pk>/
    "signals": lambda city: b_signal(city).pk,
    "detection": lambda city: b_detection_config(city).pk,
    # early-warning API: /api/v1/signals/<pk>/… (the "signals" entry above), /api/v1/detection-configs/<pk>
    "detection-configs": lambda city: b_detection_config(city).pk,
    "holidays": lambda city: a_holiday().pk,  # reference data: only administrators change it
    # response: /emergencies/<pk>/… (pages and /api/v1/emergencies/<pk>/…): district 乙's event
    "emergencies": lambda city: b_emergency(city).pk,
    # inspection and rectification: /inspections/<pk>/…, /findings/<pk>/… (pages and API)
    "inspections": lambda city: b_inspection(city).pk,
    "findings": lambda city: b_finding(city).pk,
    # tasks and scenario checklists: /tasks/<pk>/…, /checklists/<pk>/ (pages and API)
    "tasks": lambda city: b_task(city).pk,
    "checklists": lambda city: b_checklist(city).pk,
    # close contacts: /contacts/<pk>/…, /followups/<pk>/… (pages and API); district 乙's contact and its follow-up
    "contacts": lambda city: b_contact(city).pk,
    "followups": lambda city: b_followup(city).pk,
    # risk assessment, consultations, situation reports: /assessments/<pk>/, /consultations/<pk>/…, /sitreps/<pk>/…
    "assessments": lambda city: b_assessment(city).pk,
    "consultations": lambda city: b_consultation(city).pk,
    "sitreps": lambda city: b_sitrep(city).pk,
}
# Well-formed bodies, so a write reaches the jurisdiction check instead of stopping at validation.
WRITE_BODIES = {
    ("PUT", "organisations"): {"code": "HOS03", "name": "越权修改", "kind": "hospital", "hospital_level": "2",
                               "region": "990103001"},
    ("PUT", "regions"): {"name": "越权修改", "parent": "990100"},
    ("PUT", "populations"): {"population": 1},
    ("POST", "return"): {"reason": "越权退卡"},
    ("POST", "delete"): {"reason": "越权删除"},
    ("POST", "merge"): {"into": 1},
    ("POST", "end"): {"valid_to": "2026-01-01"},
    ("POST", "reject"): {"reason": "越权驳回"},
    ("POST", "verify"): {"outcome": "suspected", "note": "越权核实"},
    ("POST", "transition"): {"status": "suspected", "note": "越权"},
    ("POST", "link"): {"response_ref": "越权"},
    ("PATCH", "detection-configs"): {"min_cases": 2},
    ("PATCH", "holidays"): {"name": "越权修改"},
    ("POST", "level"): {"to_level": "III", "reason": "越权升级"},
    ("POST", "status"): {"status": "ongoing"},
    ("PUT", "affected-regions"): {"affected_regions": ["990103001"]},
    ("PATCH", "inspections"): {"summary": "越权修改"},
    ("POST", "findings"): {"description": "越权登记", "responsible_org": "HOS03"},
    ("POST", "reviews"): {"finding": 1, "result": "not_rectified"},
    ("POST", "rectification"): {"note": "越权整改", "done": True},
    ("PATCH", "tasks"): {"title": "越权修改"},
    ("PUT", "measures"): {"measures": [{"title": "越权措施"}]},
    ("POST", "checklist-activations"): {"checklist": 1},
    ("POST", "cases"): {"name": "越权病例", "region": "990103"},
    ("POST", "contacts"): {"source_case": 1, "name": "越权密接", "contact_type": "household", "region": "990103",
                           "last_exposure": "2026-01-01"},
    ("POST", "test-results"): {"contact": 1, "sample_date": "2026-01-01", "method": "pcr"},
    ("POST", "quarantine"): {"mode": "home"},
    ("POST", "release"): {"reason": "越权解除"},
    ("POST", "become-case"): {},
    ("POST", "record"): {"status": "seen"},
    ("POST", "isolation"): {"isolated_on": None},
    ("POST", "assessments"): {"likelihood": 3, "consequence": 3, "rationale": "越权评估"},
    ("POST", "consultations"): {"held_at": "2026-01-01T09:00:00", "chair": "越权", "online": True},
    ("POST", "participants"): {"name": "越权参会"},
    ("POST", "decisions"): {"text": "越权决定"},
    ("POST", "sitreps"): {"kind": "initial"},
}


def b_inspection(city):
    """A supervision visit by district 乙's commission to 乙's hospital, with one finding."""
    from datetime import timedelta

    from django.utils import timezone

    from yingji.response.services.inspections import create_inspection

    today = timezone.localdate()
    return create_inspection(city.b.users[Role.HEALTH_COMMISSION], region=city.b.region.code, date=today,
                             topic="乙区督导", inspected_orgs=[city.b.hospital.pk],
                             findings=[{"description": "乙区问题", "responsible_org": city.b.hospital.pk,
                                        "deadline": today + timedelta(days=7)}])


def b_finding(city):
    """A finding of district 乙's inspection (乙's hospital responsible)."""
    return b_inspection(city).findings.get()


def b_task(city):
    """A task of district 乙's event, assigned to 乙's CDC."""
    from datetime import timedelta

    from django.utils import timezone

    from tests.response.factories import make_event
    from yingji.response.services.tasks import create_task

    event = make_event(city, "b", title="乙区任务事件")
    return create_task(city.b.users[Role.CDC], event, {"title": "乙区任务", "assignee_org": city.b.cdc.pk,
                                                       "deadline": timezone.now() + timedelta(hours=6)})


def b_checklist(city):
    """A scenario checklist of district 乙's own (applies only within 乙)."""
    from yingji.response.models import Checklist

    return Checklist.objects.get_or_create(code="b-own", defaults={
        "scenario": "乙区情景", "name": "乙区阶段", "region": city.b.region})[0]



def b_contact(city):
    """District 乙's event with a case and a contact under home observation since yesterday (乙's follow-up team)."""
    from datetime import timedelta

    from django.utils import timezone

    from tests.response.factories import make_event
    from yingji.response.services import contacts, followups

    today = timezone.localdate()
    cdc = city.b.users[Role.CDC]
    event = make_event(city, "b", title="乙区流调事件")
    case = contacts.add_case(cdc, event, {"name": "乙区病例", "region": city.b.town.code})
    if not followups.FollowUpTeam.objects.filter(name="乙区随访组").exists():
        followups.save_team(cdc, {"name": "乙区随访组", "organisation": city.b.hospital.pk,
                                  "regions": [city.b.region.code]})
    return contacts.add_contact(cdc, event, {"source_case": case.pk, "name": "乙区密接", "contact_type": "household",
                                             "region": city.b.town.code, "last_exposure": today - timedelta(days=1),
                                             "mode": "home"})


def b_followup(city):
    """Today's follow-up of district 乙's contact, assigned to 乙's team."""
    from yingji.response.services import followups

    contact = b_contact(city)
    followups.generate_followups()
    return contact.followups.get()

def b_card(city):
    """A report card of district 乙: its hospital reports a patient living in 乙."""
    from tests.surveillance.conftest import card_data
    from yingji.surveillance.services.cards import submit_card

    return submit_card(city.b.users[Role.REPORTER], card_data(city.b, patient_name="乙区患者")).card


def b_aggregate_report(city):
    """A weekly zero report of district 乙's hospital (its schedule set by 乙's CDC)."""
    from datetime import timedelta

    from django.utils import timezone

    from yingji.surveillance.services.schedules import create_schedule, submit_aggregate_report

    today = timezone.localdate()
    create_schedule(city.b.users[Role.CDC], organisation=city.b.hospital.pk, valid_from=today - timedelta(days=30))
    return submit_aggregate_report(city.b.users[Role.REPORTER], organisation=city.b.hospital.pk, frequency="weekly",
                                   period_start=today - timedelta(days=7), is_zero=True)[0]


def b_event_report(city):
    """A submitted initial event report of district 乙's CDC."""
    from datetime import timedelta

    from django.utils import timezone

    from yingji.surveillance.services.events import create_event_report

    return create_event_report(city.b.users[Role.CDC], title="乙区学校水痘聚集", category="infectious_outbreak",
                               region=city.b.town.code, discovered_at=timezone.now() - timedelta(hours=1),
                               cases=5, submit=True)


def b_signal(city):
    """An early-warning signal of district 乙, assigned to 乙's CDC."""
    from datetime import timedelta

    from django.utils import timezone

    from yingji.detection.models import Signal
    from yingji.surveillance.models import Disease

    now = timezone.now()
    return Signal.objects.get_or_create(
        region=city.b.region, disease=Disease.objects.get(code="3500"), method="ears_c2",
        signal_date=timezone.localdate(),
        defaults={"observed": 9, "expected": 2.0, "upper": 6.0, "assigned_org": city.b.cdc, "raised_at": now,
                  "verify_due_at": now + timedelta(hours=24)})[0]


def b_detection_config(city):
    """A detection setting that applies only within district 乙 (an override the city CDC may make)."""
    from yingji.detection.models import DetectionConfig
    from yingji.surveillance.models import Disease

    return DetectionConfig.objects.get_or_create(
        disease=Disease.objects.get(code="3500"), region=city.b.region, profile="乙区试行",
        defaults={"active": False, "methods": [{"method": "ears_c2", "params": {}}]})[0]


def a_holiday():
    """A public holiday (reference data shipped by detection's migrations)."""
    from yingji.detection.models import Holiday

    return Holiday.objects.order_by("date").first()


def b_emergency(city):
    """District 乙's emergency event (led by 乙's CDC)."""
    from tests.response.factories import make_event

    return make_event(city, "b")


def api_b_schedule(city):
    """District 乙's hospital reports weekly (schedule set by 乙's CDC)."""
    from datetime import timedelta

    from django.utils import timezone

    from yingji.surveillance.services.schedules import create_schedule

    return create_schedule(city.b.users[Role.CDC], organisation=city.b.hospital.pk,
                           valid_from=timezone.localdate() - timedelta(days=30))


def api_b_zero_report(city):
    """A weekly zero report of district 乙's hospital."""
    from datetime import timedelta

    from django.utils import timezone

    from yingji.surveillance.services.schedules import submit_aggregate_report

    api_b_schedule(city)
    return submit_aggregate_report(city.b.users[Role.REPORTER], organisation=city.b.hospital.pk, frequency="weekly",
                                   period_start=timezone.localdate() - timedelta(days=7), is_zero=True)[0]


def api_b_fever_report(city):
    from django.utils import timezone

    from yingji.surveillance.services.fever import submit_fever_report

    return submit_fever_report(city.b.users[Role.REPORTER], organisation=city.b.hospital.pk,
                               date=timezone.localdate(), visits=10, tested=5, positive=1)[0]


def api_b_event_report(city):
    """A submitted initial event report of district 乙's CDC."""
    from datetime import timedelta

    from django.utils import timezone

    from yingji.surveillance.services.events import create_event_report

    return create_event_report(city.b.users[Role.CDC], title="乙区学校水痘聚集", category="infectious_outbreak",
                               region=city.b.town.code, discovered_at=timezone.now() - timedelta(hours=1),
                               cases=5, submit=True)


def api_b_notification(city):
    from yingji.core.models import Notification
    from yingji.core.notify import notify

    notify([city.b.users[Role.CDC]], "乙区通知", "乙区", channels=("in_app",))
    return Notification.objects.filter(recipient=city.b.users[Role.CDC]).latest("pk")


def resource_of(path: str) -> str:
    return [s for s in path.split("/") if s and "{" not in s][-1]
PARAM = re.compile(r"<(?:\w+:)?(\w+)>|\{(\w+)\}")
NOT_RECORD_PARAMS = {"fmt", "year"}  # a template's file format, a population year: not records


def page_routes():
    def walk(patterns, prefix="", namespace=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
                yield from walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern):
                yield prefix + str(p.pattern)

    skip = ("admin/", "api/", "i18n/", "accounts/", "static/")
    return sorted({r for r in walk(get_resolver().url_patterns) if not r.startswith(skip)})


def fill(route: str, city, filler) -> str | None:
    """The route with district 乙's record in its parameters; None when it names no record."""
    names = [a or b for a, b in PARAM.findall(route)]
    if not set(names) - NOT_RECORD_PARAMS:
        return None
    segments = route.strip("/").split("/")
    first = segments[segments.index("v1") + 1] if "v1" in segments else segments[0]
    assert first in RECORDS, f"unclassified route {route}: add its record kind to RECORDS in this test"
    value = RECORDS[first](city)

    def sub(match):
        name = match.group(1) or match.group(2)
        return {"fmt": "csv", "year": "2025"}.get(name, str(value)) if name in NOT_RECORD_PARAMS else str(value)

    return filler(PARAM.sub(sub, route))


def assert_no_leak(body: str, where):
    for mark in OTHER_MARKS:
        assert mark not in body, (where, mark)


@pytest.fixture
def b_population(city):
    RegionPopulation.objects.create(region=city.b.region, year=2025, population=400_000)


def snapshot(city):
    return (list(Organisation.objects.filter(region__code__startswith="990103").values()),
            list(Region.objects.filter(code__startswith="990103").values()),
            list(RegionPopulation.objects.filter(region__code__startswith="990103").values()))


@pytest.mark.parametrize("role", DISTRICT_ROLES)
def test_every_page_route(client, city, b_population, role):
    client.force_login(city.a.users[role])
    before = snapshot(city)
    routes = page_routes()
    assert len(routes) >= 15, routes
    for route in routes:
        filled = fill(route, city, lambda r: r)
        url = "/" + (filled or PARAM.sub(lambda m: {"fmt": "csv", "year": "2025"}[m.group(1)], route))
        response = client.get(url, {"region": city.b.region.code} if filled is None else {})
        if filled is not None:
            assert response.status_code in (403, 404, 405), (role, url, response.status_code)
            post = client.post(url, {"name": "越权修改", "code": "X", "confirm": "1"})
            assert post.status_code in (403, 404), (role, url, post.status_code)
        elif response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml"):
            workbook = load_workbook(io.BytesIO(response.content))
            cells = " ".join(str(c) for row in workbook.active.iter_rows(values_only=True) for c in row if c)
            assert_no_leak(cells, url)
        else:
            assert response.status_code in (200, 403), (role, url, response.status_code)
            assert_no_leak(response.content.decode().replace(f"region={city.b.region.code}", ""), url)
    assert snapshot(city) == before


@pytest.mark.parametrize("role", DISTRICT_ROLES)
def test_every_api_operation(client, city, b_population, role):
    from django.core.cache import cache

    cache.clear()
    _, raw = ApiToken.issue(city.a.users[role], "matrix")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    spec = json.loads(client.get("/api/openapi.json").content)
    before = snapshot(city)
    operations = [(m.upper(), p) for p, ops in spec["paths"].items() for m in ops if m in {"get", "post", "put",
                                                                                             "patch", "delete"}]
    assert len(operations) >= 20, operations
    for method, path in operations:
        url = fill(path, city, lambda p: p)
        if url is None:
            if method != "GET" or "{" in path:
                continue  # creates are covered by the placement tests; lists are checked here
            response = client.get(path, {"page_size": 500, "region": city.b.region.code}, **auth)
            assert response.status_code in (200, 403, 422), (role, path, response.status_code)
            assert_no_leak(response.content.decode().replace(city.b.region.code, "", 1)
                           if response.status_code != 200 else response.content.decode(), (method, path))
            continue
        body = json.dumps(WRITE_BODIES.get((method, resource_of(path)), {"name": "越权修改"}))
        response = client.generic(method, url, body if method in {"POST", "PUT", "PATCH"} else "",
                                  content_type="application/json", **auth)
        assert response.status_code in (403, 404), (role, method, url, response.status_code)
        assert_no_leak(response.content.decode(), (method, url))
    assert snapshot(city) == before


def b_assessment(city):
    """A risk assessment of district 乙's event by 乙's CDC."""
    from tests.response.factories import make_event
    from yingji.response.services.assessments import create_assessment

    return create_assessment(city.b.users[Role.CDC], make_event(city, "b", title="乙区评估事件"), likelihood=3,
                             consequence=4, rationale="乙区评估")


def b_consultation(city):
    """A consultation on district 乙's event, with a decision for 乙's CDC."""
    from django.utils import timezone

    from tests.response.factories import make_event
    from yingji.response.services.consultations import create_consultation

    return create_consultation(city.b.users[Role.CDC], make_event(city, "b", title="乙区会商事件"),
                               held_at=timezone.now(), chair="乙区局长", place="乙区会议室",
                               decisions=[{"text": "乙区决定", "responsible_org": city.b.cdc.pk}])


def b_sitrep(city):
    """A draft initial situation report on district 乙's event."""
    from tests.response.factories import make_event
    from yingji.response.services.sitreps import create_sitrep

    return create_sitrep(city.b.users[Role.CDC], make_event(city, "b", title="乙区报送事件"), "initial")
