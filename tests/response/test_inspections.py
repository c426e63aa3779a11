"""Inspection and rectification (督导检查/整改台账): services, the overdue rule, pages, the Excel ledger, the API."""

import io
import json
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import load_workbook

from tests.response.factories import make_event
from yingji.core.errors import InvalidInput, NotPermitted
from yingji.core.models import ApiToken
from yingji.core.roles import Role
from yingji.response.models import Finding, Inspection
from yingji.response.models.inspection import FindingStatus, InspectionKind
from yingji.response.services import inspections as svc

BEIJING = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Evidence files go to a temporary folder, not var/media."""
    settings.MEDIA_ROOT = tmp_path


def at(*args) -> datetime:
    return datetime(*args, tzinfo=BEIJING)


def commission(city, district="a"):
    return getattr(city, district).users[Role.HEALTH_COMMISSION]


def inspect(city, district="a", **fields):
    d = getattr(city, district)
    values = {"region": d.region.code, "date": date(2026, 3, 2), "kind": InspectionKind.SUPERVISION,
              "topic": "传染病防控督导", "inspected_orgs": [d.hospital.pk]}
    values.update(fields)
    return svc.create_inspection(commission(city, district), **values)


def find(city, inspection, district="a", **fields):
    d = getattr(city, district)
    values = {"description": "预检分诊点未设置醒目标识", "category": "triage", "responsible_org": d.hospital.pk,
              "deadline": date(2026, 3, 16)}
    values.update(fields)
    return svc.add_finding(commission(city, district), inspection, **values)


def fields_of(excinfo) -> dict:
    return excinfo.value.fields


# --- services -------------------------------------------------------------------------------------------------


def test_inspection_with_findings_all_or_nothing(city):
    before = Inspection.objects.count()
    with pytest.raises(InvalidInput) as excinfo:
        inspect(city, findings=[
            {"description": "应急预案未修订", "category": "plans", "responsible_org": city.a.hospital.pk,
             "deadline": date(2026, 4, 1)},
            {"description": "消毒记录缺失", "category": "disinfection", "responsible_org": city.a.hospital.pk,
             "deadline": date(2026, 3, 1)},  # before the inspection
        ])
    errors = fields_of(excinfo)
    assert "findings.1.deadline" in errors and "findings.0.deadline" not in errors
    assert errors["findings.1.deadline"][0]["message"] == "整改期限不能早于检查日期"
    assert errors["findings.1.deadline"][0]["message_en"].startswith("The rectification deadline")
    assert Inspection.objects.count() == before and not Finding.objects.exists()

    inspection = inspect(city, findings=[{"description": "应急预案未修订", "category": "plans",
                                          "responsible_org": city.a.hospital.code}])
    finding = inspection.findings.get()
    assert finding.deadline == date(2026, 4, 1)  # default: 30 days after the inspection
    assert finding.status == FindingStatus.OPEN
    assert inspection.inspecting_org == city.a.commission
    assert list(inspection.inspected_orgs.all()) == [city.a.hospital]


def test_bad_finding_input_saves_nothing(city):
    inspection = inspect(city)
    with pytest.raises(InvalidInput) as excinfo:
        find(city, inspection, deadline=date(2026, 3, 1))
    assert "deadline" in fields_of(excinfo)
    with pytest.raises(InvalidInput) as excinfo:  # another district's hospital: outside reach
        find(city, inspection, responsible_org=city.b.hospital.pk)
    message = fields_of(excinfo)["responsible_org"][0]
    assert message == {"message": "单位不存在或不在您的管辖范围内", "message_en": "No such unit within your jurisdiction"}
    with pytest.raises(InvalidInput) as excinfo:  # a city user, but the unit is outside the region inspected
        svc.add_finding(city.users[Role.HEALTH_COMMISSION], inspection, description="x",
                        responsible_org=city.b.hospital.pk, deadline=date(2026, 4, 1))
    assert "不在受检地区" in fields_of(excinfo)["responsible_org"][0]["message"]
    with pytest.raises(InvalidInput) as excinfo:  # more than three years to rectify
        find(city, inspection, deadline=date(2099, 1, 1))
    assert "deadline" in fields_of(excinfo)
    with pytest.raises(InvalidInput) as excinfo:
        find(city, inspection, description="  ", category="nonsense")
    assert set(fields_of(excinfo)) == {"description", "category"}
    assert not Finding.objects.exists()


def test_inspection_bad_input(city):
    with pytest.raises(InvalidInput) as excinfo:
        inspect(city, region=city.b.region.code, topic="", inspected_orgs=[city.b.hospital.pk])
    assert {"region", "topic", "inspected_orgs"} <= set(fields_of(excinfo))
    with pytest.raises(InvalidInput) as excinfo:
        inspect(city, date=date(9999, 12, 31))
    assert fields_of(excinfo)["date"][0]["message_en"].startswith("The inspection date must lie between")
    with pytest.raises(InvalidInput) as excinfo:
        inspect(city, kind=InspectionKind.FOLLOW_UP)
    assert "follow_up_of" in fields_of(excinfo)
    first = inspect(city)
    with pytest.raises(InvalidInput) as excinfo:
        inspect(city, kind=InspectionKind.FOLLOW_UP, follow_up_of=first.pk, date=date(2026, 3, 1))
    assert "date" in fields_of(excinfo)
    other = inspect(city, "b")
    with pytest.raises(InvalidInput) as excinfo:
        inspect(city, kind=InspectionKind.FOLLOW_UP, follow_up_of=other.pk)
    assert "follow_up_of" in fields_of(excinfo)
    with pytest.raises(InvalidInput) as excinfo:
        inspect(city, event=make_event(city, "b").pk)
    assert "event" in fields_of(excinfo)
    with pytest.raises(NotPermitted):  # a hospital reporter does not inspect
        svc.create_inspection(city.a.users[Role.REPORTER], region=city.a.region.code, date=date(2026, 3, 2),
                              topic="自查")
    assert Inspection.objects.count() == 2
    linked = inspect(city, event=make_event(city, "a").pk)
    assert linked.event is not None


def test_list_filters_by_event(client, city):
    event = make_event(city, "a")
    linked = inspect(city, event=event.pk, topic="事件现场督导")
    inspect(city, topic="日常督导")
    client.force_login(commission(city))
    page = client.get("/inspections/", {"event": event.pk}).content.decode()
    assert linked.topic in page and "日常督导" not in page
    other = make_event(city, "b")
    refused = client.get("/inspections/", {"event": other.pk}).content.decode()  # not a choice: nothing listed
    assert "事件现场督导" not in refused and "日常督导" not in refused


def test_overdue_rule_with_fixed_times(city):
    finding = find(city, inspect(city), deadline=date(2026, 3, 16))
    # The deadline day counts in full (Beijing): overdue from 00:00 on 17 March Beijing (16:00 UTC on the 16th).
    assert not svc.is_overdue(finding, now=at(2026, 3, 16, 23, 59))
    assert svc.is_overdue(finding, now=at(2026, 3, 17, 0, 0))
    assert svc.days_overdue(finding, now=at(2026, 3, 20, 9, 0)) == 4
    assert svc.state_of(finding, now=at(2026, 3, 20, 9, 0)) == "overdue"
    assert svc.overdue(now=at(2026, 3, 17, 0, 1)).get() == finding
    assert not svc.overdue(now=at(2026, 3, 16, 12, 0)).exists()
    svc.record_rectification(city.a.users[Role.REPORTER], finding, note="正在整改", now=at(2026, 3, 10, 9))
    assert finding.status == FindingStatus.RECTIFYING
    assert svc.is_overdue(finding, now=at(2026, 3, 18))  # still rectifying past the deadline
    svc.record_rectification(city.a.users[Role.REPORTER], finding, note="已设置标识", done=True,
                             now=at(2026, 3, 18, 9))
    assert finding.status == FindingStatus.RECTIFIED
    assert not svc.is_overdue(finding, now=at(2026, 3, 18, 10))  # rectified late, but no longer overdue
    assert not svc.overdue(now=at(2026, 3, 18, 10)).exists()
    assert svc.filter_state(Finding.objects.all(), "rectified").get() == finding


def test_rectification_and_follow_up(city):
    first = inspect(city)
    done = find(city, first, description="消毒记录缺失", category="disinfection")
    pending = find(city, first, description="发热门诊物资储备不足", category="supplies")
    reporter = city.a.users[Role.REPORTER]
    with pytest.raises(InvalidInput) as excinfo:  # "done" needs a note
        svc.record_rectification(reporter, done, done=True)
    assert "note" in fields_of(excinfo)
    evidence = SimpleUploadedFile("消毒登记表.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    svc.record_rectification(reporter, done, note="已建立每日消毒登记", done=True, evidence=evidence)
    done.refresh_from_db()
    assert done.status == FindingStatus.RECTIFIED and done.evidence_name == "消毒登记表.pdf"
    assert done.evidence.read() == b"%PDF-1.4 test"
    with pytest.raises(InvalidInput) as excinfo:
        svc.record_rectification(reporter, pending, note="x", evidence=SimpleUploadedFile("a.exe", b"MZ"))
    assert "evidence" in fields_of(excinfo)
    with pytest.raises(NotPermitted):  # another district's hospital
        svc.record_rectification(city.b.users[Role.REPORTER], pending, note="x")

    follow = inspect(city, kind=InspectionKind.FOLLOW_UP, follow_up_of=first.pk, date=date(2026, 4, 2),
                     topic="回头看", region=None)
    assert follow.region == first.region
    assert set(svc.findings_to_review(follow)) == {done, pending}
    with pytest.raises(InvalidInput) as excinfo:  # not yet rectified: cannot be verified
        svc.review_finding(commission(city), follow, pending, result="verified")
    assert fields_of(excinfo)["result"][0]["message_en"].startswith("This finding has not been rectified")
    pending.refresh_from_db()
    assert pending.status == FindingStatus.OPEN and pending.reviewed_in is None
    with pytest.raises(InvalidInput):  # the new deadline must not precede the follow-up
        svc.review_finding(commission(city), follow, pending, result="not_rectified", deadline=date(2026, 4, 1))
    svc.review_finding(commission(city), follow, pending, result="not_rectified", note="仍不足",
                       deadline=date(2026, 4, 30))
    pending.refresh_from_db()
    assert pending.status == FindingStatus.RECTIFYING and pending.deadline == date(2026, 4, 30)
    assert pending.reviewed_in == follow
    svc.review_finding(commission(city), follow, done, result="verified", note="整改到位")
    done.refresh_from_db()
    assert done.status == FindingStatus.VERIFIED and done.verified_at is not None and done.reviewed_in == follow
    with pytest.raises(InvalidInput):  # closed
        svc.record_rectification(reporter, done, note="再改")
    with pytest.raises(InvalidInput) as excinfo:  # not a follow-up of that inspection
        svc.review_finding(commission(city), first, pending, result="not_rectified")
    assert "inspection" in fields_of(excinfo)
    with pytest.raises(NotPermitted):  # a reporter does not check
        svc.review_finding(reporter, follow, pending, result="not_rectified")


def test_scoping_of_findings(city):
    from yingji.core import scoping

    finding_a = find(city, inspect(city))
    finding_b = find(city, inspect(city, "b"), "b")
    assert list(scoping.scope(city.a.users[Role.REPORTER], Finding.objects.all())) == [finding_a]
    assert list(scoping.scope(city.a.users[Role.CDC], Finding.objects.all())) == [finding_a]
    assert set(scoping.scope(city.users[Role.HEALTH_COMMISSION], Finding.objects.all())) == {finding_a, finding_b}
    assert not scoping.scope(city.a.users[Role.DISPATCHER], Finding.objects.all()).exists()


# --- the Excel ledger -----------------------------------------------------------------------------------------


def test_ledger_export_contents(client, city):
    inspection = inspect(city, topic="秋冬季传染病防控督导")
    late = find(city, inspection, description="预检分诊点未设置醒目标识", deadline=date(2026, 3, 16))
    fixed = find(city, inspection, description="消毒记录缺失", category="disinfection", deadline=date(2026, 4, 30))
    svc.record_rectification(city.a.users[Role.REPORTER], fixed, note="已补齐记录", done=True)
    find(city, inspect(city, "b", topic="乙区督导"), "b", description="乙区问题")

    rows = svc.ledger_rows(svc.ledger(commission(city)), now=at(2026, 3, 20, 9))
    assert [r[8] for r in rows] == ["预检分诊点未设置醒目标识", "消毒记录缺失"]
    assert rows[0][11:14] == ["待整改", "是", 4]

    client.force_login(commission(city))
    response = client.get("/inspections/ledger.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == svc.LEDGER_HEADERS
    assert values[0][:4] == ("序号", "检查日期", "检查类型", "检查主题")
    assert len(values) == 3  # district 乙's finding is not in 甲's ledger
    by_problem = {row[8]: row for row in values[1:]}
    row = by_problem["预检分诊点未设置醒目标识"]
    assert row[1] == "2026-03-02" and row[2] == "督导" and row[3] == "秋冬季传染病防控督导"
    assert row[4] == "甲区卫生健康局" and row[6] == "甲区人民医院" and row[7] == "预检分诊"
    assert row[10] == "2026-03-16" and row[11] == "待整改" and row[12] == "是"  # overdue today (after 2026-03-16)
    done = by_problem["消毒记录缺失"]
    assert done[11] == "已整改（待验收）" and done[12] == "否" and done[14] == "已补齐记录"
    # The filter applies to the export: only overdue findings.
    response = client.get("/inspections/ledger.xlsx", {"state": "overdue"})
    values = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert [r[8] for r in values[1:]] == [late.description]


# --- pages ----------------------------------------------------------------------------------------------------


def test_pages(client, city):
    client.force_login(commission(city))
    response = client.post("/inspections/new/", {"kind": "supervision", "date": "2026-03-02", "region": "990102",
                                                 "topic": "医疗机构传染病防控督导", "inspected_orgs": [city.a.hospital.pk],
                                                 "inspecting_org": city.a.commission.pk})
    assert response.status_code == 302
    inspection = Inspection.objects.get()
    assert response["Location"] == f"/inspections/{inspection.pk}/"
    page = client.get(response["Location"])
    assert page.status_code == 200 and "医疗机构传染病防控督导" in page.content.decode()

    bad = client.post(f"/inspections/{inspection.pk}/findings/new/", {
        "description": "未开展演练", "category": "training", "responsible_org": city.a.hospital.pk,
        "deadline": "2026-03-01"})
    assert bad.status_code == 422 and "整改期限不能早于检查日期" in bad.content.decode()
    assert not Finding.objects.exists()
    ok = client.post(f"/inspections/{inspection.pk}/findings/new/", {
        "description": "未开展演练", "category": "training", "responsible_org": city.a.hospital.pk,
        "deadline": "2026-03-20"})
    assert ok.status_code == 302
    finding = Finding.objects.get()

    listing = client.get("/inspections/", {"has_overdue": "on"}).content.decode()
    assert "医疗机构传染病防控督导" in listing  # past its deadline today
    ledger = client.get("/inspections/ledger/", {"state": "overdue"}).content.decode()
    assert "未开展演练" in ledger

    client.force_login(city.a.users[Role.REPORTER])
    upload = SimpleUploadedFile("演练记录.pdf", b"%PDF-1.4 drill", content_type="application/pdf")
    response = client.post(f"/findings/{finding.pk}/", {"note": "已开展桌面推演", "done": "on", "evidence": upload})
    assert response.status_code == 302
    finding.refresh_from_db()
    assert finding.status == FindingStatus.RECTIFIED
    download = client.get(f"/findings/{finding.pk}/evidence/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 drill"

    client.force_login(commission(city))
    follow = client.post("/inspections/new/", {"kind": "follow_up", "follow_up_of": inspection.pk,
                                               "date": "2026-04-02", "region": "990102", "topic": "回头看"})
    assert follow.status_code == 302
    follow_up = Inspection.objects.get(kind="follow_up")
    page = client.get(f"/inspections/{follow_up.pk}/").content.decode()
    assert "未开展演练" in page and 'data-testid="review-table"' in page
    client.post(f"/inspections/{follow_up.pk}/review/", {"finding": finding.pk, "result": "verified", "note": "到位"})
    finding.refresh_from_db()
    assert finding.status == FindingStatus.VERIFIED


def test_pages_refuse_other_districts(client, city):
    finding = find(city, inspect(city, "b"), "b")
    client.force_login(commission(city))
    assert client.get(f"/inspections/{finding.inspection_id}/").status_code == 404
    assert client.get(f"/findings/{finding.pk}/").status_code == 404
    assert client.post(f"/findings/{finding.pk}/", {"note": "x", "done": "on"}).status_code == 404
    assert "乙区" not in client.get("/inspections/ledger/").content.decode()
    client.force_login(city.a.users[Role.LEADER])
    assert client.get("/inspections/new/").status_code == 403


# --- API ------------------------------------------------------------------------------------------------------


def api(client, user):
    _, raw = ApiToken.issue(user, "test")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    def call(method, path, body=None, **params):
        if method == "GET":
            return client.get(path, params, **headers)
        return client.generic(method, path, json.dumps(body or {}), content_type="application/json", **headers)
    return call


def test_api(client, city):
    call = api(client, commission(city))
    today = timezone.localdate()
    response = call("POST", "/api/v1/inspections", {
        "region": "990102", "date": str(today - timedelta(days=20)), "topic": "督导", "inspected_orgs": [city.a.hospital.code],
        "findings": [{"description": "物资台账不全", "category": "supplies", "responsible_org": city.a.hospital.pk,
                      "deadline": str(today - timedelta(days=10))}]})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["finding_count"] == 1 and body["overdue_count"] == 1 and body["kind"] == "supervision"
    inspection_id = body["id"]
    bad = call("POST", f"/api/v1/inspections/{inspection_id}/findings", {
        "description": "x", "responsible_org": city.b.hospital.pk})
    assert bad.status_code == 422 and "responsible_org" in bad.json()["fields"]
    added = call("POST", f"/api/v1/inspections/{inspection_id}/findings", {
        "description": "未张贴接诊流程图", "category": "management", "responsible_org": city.a.hospital.pk,
        "deadline": str(today + timedelta(days=30))})
    assert added.status_code == 201 and added.json()["overdue"] is False
    findings = call("GET", "/api/v1/findings", overdue="true").json()
    assert [f["description"] for f in findings["items"]] == ["物资台账不全"]
    assert findings["items"][0]["overdue"] is True and findings["items"][0]["days_overdue"] > 0
    finding_id = findings["items"][0]["id"]

    reporter = api(client, city.a.users[Role.REPORTER])
    _, raw = ApiToken.issue(city.a.users[Role.REPORTER], "upload")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    url = f"/api/v1/findings/{finding_id}/evidence"
    assert client.post(url, {}, **auth).status_code == 422  # no file
    exe = client.post(url, {"file": SimpleUploadedFile("x.exe", b"MZ")}, **auth)
    assert exe.status_code == 422 and "evidence" in exe.json()["fields"]
    uploaded = client.post(url, {"file": SimpleUploadedFile("台账.pdf", b"%PDF-1.4 ledger")}, **auth)
    assert uploaded.status_code == 200 and uploaded.json()["has_evidence"] is True
    assert uploaded.json()["status"] == "rectifying" and uploaded.json()["evidence_name"] == "台账.pdf"
    download = client.get(url, **auth)
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 ledger"
    done = reporter("POST", f"/api/v1/findings/{finding_id}/rectification", {"note": "已补齐", "done": True})
    assert done.status_code == 200 and done.json()["status"] == "rectified"
    assert reporter("POST", "/api/v1/inspections", {"region": "990102", "date": "2026-03-02",
                                                   "topic": "x"}).status_code == 403

    follow = call("POST", "/api/v1/inspections", {"kind": "follow_up", "follow_up_of": inspection_id,
                                                  "date": str(today), "topic": "回头看"})
    assert follow.status_code == 201
    follow_id = follow.json()["id"]
    to_review = call("GET", f"/api/v1/inspections/{follow_id}/to-review").json()
    assert to_review["count"] == 2
    other = next(f["id"] for f in to_review["items"] if f["id"] != finding_id)
    refused = call("POST", f"/api/v1/inspections/{follow_id}/reviews", {"finding": other, "result": "verified"})
    assert refused.status_code == 422 and refused.json()["fields"]["result"][0]["message"].startswith("该问题尚未整改")
    verified = call("POST", f"/api/v1/inspections/{follow_id}/reviews", {"finding": finding_id, "result": "verified"})
    assert verified.status_code == 200 and verified.json()["status"] == "verified"
    assert call("GET", f"/api/v1/inspections/{inspection_id}").json()["follow_ups"] == [follow_id]
    for body in ({"inspected_orgs": [2**70]}, {"inspected_orgs": ["HOS\u0000"]}, {"event": 2**70},
                 {"date": "9999-12-31"}):  # refused with field messages, never a server error
        bad = call("POST", "/api/v1/inspections", {"region": "990102", "date": str(today), "topic": "x", **body})
        assert bad.status_code == 422, (body, bad.content)
    patched = call("PATCH", f"/api/v1/inspections/{inspection_id}", {"summary": "总体良好"})
    assert patched.status_code == 200 and patched.json()["summary"] == "总体良好"
