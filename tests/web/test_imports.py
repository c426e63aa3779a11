"""Import pages: wrong types, oversized files and malformed rows are reported per row; nothing half-saved."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from yingji.core.models import Organisation, Region, RegionPopulation
from yingji.core.roles import Role

from .conftest import text

pytestmark = pytest.mark.django_db

ORG_HEADER = "机构代码,机构名称,机构类别,行政区划代码,医院等级,24小时值班电话\n"


def upload(name, content):
    return SimpleUploadedFile(name, content.encode("utf-8") if isinstance(content, str) else content)


def post_orgs(client, name, content, **extra):
    return client.post(reverse("web:organisation_import"), {"file": upload(name, content), **extra})


def test_import_page_renders_in_chinese(login, city):
    html = text(login(city.a.users[Role.HEALTH_COMMISSION]).get(reverse("web:organisation_import")))
    assert "导入机构" in html and "仅导入有效行" in html and "下载模板" in html and "机构代码" in html


def test_reporter_may_not_import(login, city):
    client = login(city.a.users[Role.REPORTER])
    assert client.get(reverse("web:organisation_import")).status_code == 403


@pytest.mark.parametrize(("name", "content"), [
    ("orgs.txt", ORG_HEADER),
    ("orgs.pdf", b"%PDF-1.4 ..."),
    ("orgs.xlsx", "机构代码,机构名称\nA,B\n"),  # CSV content under an Excel name
    ("orgs.csv", b"PK\x03\x04 not really csv"),
])
def test_wrong_file_types_are_refused(login, city, name, content):
    response = post_orgs(login(city.a.users[Role.HEALTH_COMMISSION]), name, content)
    html = text(response)
    assert response.status_code == 400
    assert "文件类型不支持" in html and "Unsupported file type" in html
    assert Organisation.objects.count() == 11


def test_damaged_excel_is_refused(login, city):
    response = post_orgs(login(city.admin), "orgs.xlsx", b"PK\x03\x04" + b"\x00" * 200)
    assert response.status_code == 400 and "Excel 文件已损坏" in text(response)


def test_oversized_file_is_refused(login, city, settings):
    settings.YINGJI_MAX_UPLOAD_BYTES = 1024
    response = post_orgs(login(city.admin), "orgs.csv", ORG_HEADER + "X" * 2000)
    html = text(response)
    assert response.status_code == 400 and "文件过大" in html and "too large" in html


def test_missing_columns_and_empty_file(login, city):
    client = login(city.admin)
    response = post_orgs(client, "orgs.csv", "机构代码,地址\nA1,路\n")
    assert response.status_code == 400 and "缺少必需的列" in text(response)
    response = post_orgs(client, "orgs.csv", "")
    assert response.status_code == 422 and "所提交的是空文件" in text(response)


def test_no_file_chosen(login, city):
    response = login(city.admin).post(reverse("web:organisation_import"), {})
    assert response.status_code == 422 and "这个字段是必填项" in text(response)


BAD_ROWS = (
    ORG_HEADER
    + "NEW001,甲区一号诊所,诊所,990102001,,0755-1000001\n"   # row 2: fine
    + "NEW002,甲区无等级医院,医院,990102001,,0755-1000002\n"  # row 3: hospital without level
    + "NEW003,不存在区划的诊所,诊所,990199,,0755-1000003\n"    # row 4: unknown region
    + "NEW004,甲区二号诊所,未知类别,990102,,0755-1000004\n"    # row 5: unknown kind
)


def test_malformed_rows_are_reported_per_row_and_nothing_is_saved(login, city):
    response = post_orgs(login(city.a.users[Role.HEALTH_COMMISSION]), "orgs.csv", BAD_ROWS)
    html = text(response)
    assert response.status_code == 200
    assert 'data-testid="import-rejected"' in html and "未导入任何数据" in html
    assert 'data-testid="import-errors"' in html
    assert "<td>3</td>" in html and "<td>4</td>" in html and "<td>5</td>" in html
    assert "<td>2</td>" not in html
    assert "医院须填写等级" in html and "A hospital needs its level" in html  # both languages
    assert not Organisation.objects.filter(code__startswith="NEW").exists()


def test_valid_only_imports_the_good_rows(login, city):
    response = post_orgs(login(city.a.users[Role.HEALTH_COMMISSION]), "orgs.csv", BAD_ROWS, valid_only="on")
    html = text(response)
    assert 'data-testid="import-partial"' in html
    assert set(Organisation.objects.filter(code__startswith="NEW").values_list("code", flat=True)) == {"NEW001"}


def test_rows_outside_the_jurisdiction_are_errors(login, city):
    content = ORG_HEADER + "NEW001,乙区诊所,诊所,990103001,,0755-1000001\n"
    html = text(post_orgs(login(city.a.users[Role.HEALTH_COMMISSION]), "orgs.csv", content))
    assert "不在您的管辖范围内" in html
    assert not Organisation.objects.filter(code="NEW001").exists()


def test_gb18030_csv_and_xlsx_import(login, city):
    client = login(city.admin)
    content = (ORG_HEADER + "NEW001,甲区一号诊所,诊所,990102001,,0755-1000001\n").encode("gb18030")
    assert 'data-testid="import-ok"' in text(post_orgs(client, "orgs.csv", content))
    workbook = Workbook()
    workbook.active.append(["机构代码", "机构名称", "机构类别", "行政区划代码", "医院等级"])
    workbook.active.append(["NEW002", "甲区三级医院", "医院", 990102, "三级"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    html = text(post_orgs(client, "orgs.xlsx", buffer.getvalue()))
    assert 'data-testid="import-ok"' in html
    assert Organisation.objects.get(code="NEW002").hospital_level == "3"


def test_templates_download(login, city):
    client = login(city.a.users[Role.HEALTH_COMMISSION])
    csv_response = client.get(reverse("web:organisation_template", args=["csv"]))
    body = csv_response.content.decode("utf-8")
    assert body.startswith("\ufeff机构代码,机构名称")
    xlsx = client.get(reverse("web:organisation_template", args=["xlsx"]))
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "机构代码" and len(rows) == 3
    assert client.get(reverse("web:organisation_template", args=["pdf"])).status_code == 404
    region_csv = client.get(reverse("web:region_template", args=["csv"])).content.decode("utf-8")
    assert region_csv.startswith("\ufeff代码,名称,上级代码")


def test_the_template_itself_imports(login, city):
    client = login(city.admin)
    content = client.get(reverse("web:organisation_template", args=["xlsx"])).content
    html = text(post_orgs(client, "template.xlsx", content))
    assert 'data-testid="import-ok"' in html


def test_region_import(login, city):
    client = login(city.admin)
    good = "代码,名称,上级代码,人口,年份\n990104,丙区,990100,300000,2025\n990104001,丙区第一街道,,,\n"
    html = text(client.post(reverse("web:region_import"), {"file": upload("r.csv", good)}))
    assert 'data-testid="import-ok"' in html
    assert Region.objects.get(pk="990104001").parent_id == "990104"
    assert RegionPopulation.objects.get(region_id="990104", year=2025).population == 300000
    bad = "代码,名称,上级代码\n990105,丁区,\n99010,坏代码,\n990106001,无上级街道,\n"
    html = text(client.post(reverse("web:region_import"), {"file": upload("r.csv", bad)}))
    assert 'data-testid="import-rejected"' in html
    assert not Region.objects.filter(pk__in=["990105", "990106001"]).exists()
