"""Bulk import through the API: multipart upload of CSV or Excel, all-or-nothing unless valid_only."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from openpyxl import Workbook

from yingji.core.models import Organisation, Region, RegionPopulation
from yingji.core.roles import Role

from .test_api import Api, assert_error


@pytest.fixture
def api(client):
    from django.core.cache import cache

    cache.clear()
    return Api(client)


def upload(api, path, user, name, content: bytes, **form):
    data = {"file": SimpleUploadedFile(name, content), **form}
    return api.call("post", path, user, data=data)


REGIONS_CSV = "代码,名称,上级代码,人口,年份\n990104,丙区,990100,300000,2025\n990104001,丙区第一街道,,50000,2025\n"
BAD_REGIONS_CSV = (
    "代码,名称,上级代码\n"
    "990105,丁区,990100\n"
    "99010X,坏代码,990100\n"      # row 3: malformed code
    "990105001,丁区街道,990104\n"  # row 4: wrong parent
)


def test_region_import_commits_every_row(api, city):
    response = upload(api, "/regions/import", city.admin, "regions.csv", REGIONS_CSV.encode("utf-8"))
    assert response.status_code == 200, response.content
    assert response.json() == {"total": 2, "saved": 2, "committed": True, "errors": []}
    assert Region.objects.get(pk="990104001").parent_id == "990104"
    assert RegionPopulation.objects.get(region_id="990104", year=2025).population == 300_000


def test_gb18030_csv_as_chinese_excel_saves_it(api, city):
    response = upload(api, "/regions/import", city.admin, "regions.csv", REGIONS_CSV.encode("gb18030"))
    assert response.status_code == 200 and response.json()["saved"] == 2


def test_bad_rows_are_reported_and_nothing_is_committed(api, city):
    response = upload(api, "/regions/import", city.admin, "regions.csv", BAD_REGIONS_CSV.encode())
    body = assert_error(response, 422, "import_rejected")
    report = body["report"]
    assert report["committed"] is False and report["saved"] == 0 and report["total"] == 3
    assert {(e["row"], e["field"]) for e in report["errors"]} == {(3, "code"), (4, "parent")}
    assert all(e["message"] and e["message_en"] for e in report["errors"])
    assert set(body["fields"]) == {"row 3.code", "row 4.parent"}
    assert not Region.objects.filter(pk="990105").exists()  # the good row was not half-imported


def test_valid_only_imports_the_good_rows(api, city):
    response = upload(api, "/regions/import", city.admin, "regions.csv", BAD_REGIONS_CSV.encode(),
                      valid_only="true")
    assert response.status_code == 200
    report = response.json()
    assert report["committed"] is True and report["saved"] == 1
    assert {e["row"] for e in report["errors"]} == {3, 4}
    assert Region.objects.filter(pk="990105").exists()


def xlsx(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_organisation_import_from_excel(api, city):
    content = xlsx([
        ["机构代码", "机构名称", "机构类别", "行政区划代码", "医院等级", "24小时值班电话"],
        ["HOS0201", "甲区中医医院", "医院", 990102, "二级", "010-88886666"],
        ["CLN0201", "甲区第一诊所", "诊所", "990102001", "", ""],
    ])
    user = city.a.users[Role.HEALTH_COMMISSION]
    response = upload(api, "/organisations/import", user, "orgs.xlsx", content)
    assert response.status_code == 200, response.content
    assert response.json()["saved"] == 2
    org = Organisation.objects.get(code="HOS0201")
    assert (org.kind, org.hospital_level, org.region_id) == ("hospital", "2", "990102")
    history = api.get(f"/organisations/{org.pk}/history", user).json()
    assert history["items"][0]["actor"]["username"] == user.username


def test_organisation_import_outside_the_jurisdiction_is_rejected_per_row(api, city):
    content = "机构代码,机构名称,机构类别,行政区划代码\nCLN0301,乙区诊所,诊所,990103\nCLN0202,甲区诊所,诊所,990102\n"
    response = upload(api, "/organisations/import", city.a.users[Role.HEALTH_COMMISSION], "o.csv", content.encode())
    report = assert_error(response, 422, "import_rejected")["report"]
    assert [e["row"] for e in report["errors"]] == [2]
    assert not Organisation.objects.filter(code__in=["CLN0301", "CLN0202"]).exists()


@pytest.mark.parametrize("name, content", [
    ("regions.txt", REGIONS_CSV.encode()),
    ("regions.xlsx", REGIONS_CSV.encode()),            # the extension lies about the content
    ("regions.csv", b"PK\x03\x04 not really a zip"),  # an Excel file renamed to .csv
    ("regions.xlsx", b"PK\x03\x04 broken"),
    ("regions.csv", b""),
])
def test_wrong_or_broken_files_are_400(api, city, name, content):
    response = upload(api, "/regions/import", city.admin, name, content)
    assert_error(response, 400, "bad_file")
    assert not Region.objects.filter(pk="990104").exists()


def test_missing_columns_are_400(api, city):
    response = upload(api, "/organisations/import", city.admin, "o.csv", "机构代码,机构名称\nX1,某机构\n".encode())
    body = assert_error(response, 400, "bad_file")
    assert "缺少" in body["message"]


@override_settings(YINGJI_MAX_UPLOAD_BYTES=100)
def test_oversized_upload_is_400(api, city):
    response = upload(api, "/regions/import", city.admin, "regions.csv", (REGIONS_CSV * 10).encode())
    body = assert_error(response, 400, "bad_file")
    assert "过大" in body["message"]


def test_missing_file_is_422(api, city):
    fields = assert_error(api.call("post", "/regions/import", city.admin, data={"valid_only": "true"}), 422)["fields"]
    assert fields["file"][0]["message"] == "必填"


@pytest.mark.parametrize("role", [Role.LEADER, Role.CDC, Role.REPORTER, Role.DISPATCHER, Role.HEALTH_COMMISSION])
def test_roles_that_may_not_change_regions_get_403(api, city, role):
    response = upload(api, "/regions/import", city.a.users[role], "regions.csv", REGIONS_CSV.encode())
    assert_error(response, 403)
    assert not Region.objects.filter(pk="990104").exists()


@pytest.mark.parametrize("role", [Role.LEADER, Role.CDC, Role.REPORTER, Role.DISPATCHER])
def test_roles_that_may_not_change_organisations_get_403(api, city, role):
    content = "机构代码,机构名称,机构类别,行政区划代码\nCLN0202,甲区诊所,诊所,990102\n".encode()
    assert_error(upload(api, "/organisations/import", city.a.users[role], "o.csv", content), 403)
