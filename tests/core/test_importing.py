"""CSV/Excel import of regions and organisations: per-row reports, all-or-nothing, file checks."""

import io

import pytest
from openpyxl import Workbook

from yingji.core.importing import ImportFileError, import_organisations, import_regions
from yingji.core.models import Organisation, Region, RegionPopulation
from yingji.core.roles import Role

REGIONS_CSV = """代码,名称,上级代码,年份,人口
990104001,丙区第一街道,,2025,81000
990104,丙区,990100,2025,420000
990104002,丙区第二街道,990104,2025,90000
"""


def xlsx(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_regions_import_in_any_order_with_populations(city):
    report = import_regions(city.admin, "regions.csv", REGIONS_CSV.encode("utf-8-sig"))
    assert report.ok and report.committed and report.saved == 3
    assert Region.objects.get(pk="990104001").parent_id == "990104"
    assert RegionPopulation.objects.get(region_id="990104", year=2025).population == 420000


def test_gb18030_csv_from_chinese_excel_is_read(city):
    report = import_regions(city.admin, "regions.csv", REGIONS_CSV.encode("gb18030"))
    assert report.committed and Region.objects.get(pk="990104").name == "丙区"


def test_one_bad_row_imports_nothing_and_names_the_row(city):
    bad = REGIONS_CSV + "99010X,坏区,,,\n990105,丁区,990000,,\n"
    report = import_regions(city.admin, "regions.csv", bad.encode())
    assert not report.committed and report.saved == 0
    rows = {(e.row, e.field) for e in report.errors}
    assert (5, "code") in rows and (6, "parent") in rows
    assert all(e.message and e.message_en for e in report.errors)
    assert not Region.objects.filter(pk__in=["990104", "990104001", "990105"]).exists()


def test_valid_only_keeps_the_good_rows(city):
    bad = REGIONS_CSV + "99010X,坏区,,,\n"
    report = import_regions(city.admin, "regions.csv", bad.encode(), valid_only=True)
    assert report.committed and report.saved == 3 and len(report.errors) == 1
    assert Region.objects.filter(pk="990104002").exists()


def test_organisations_from_excel_with_chinese_labels(city):
    content = xlsx([
        ["机构代码", "机构名称", "机构类别", "行政区划代码", "医院等级", "医院等次", "医院类型", "24小时值班电话", "上级机构代码"],
        ["HOS77", "甲区中医医院", "医院", 990102001, "二级", "甲等", "中医", "025-87654321", ""],
        ["EMS77", "甲区第二急救站", "急救站", 990102001, "", "", "", "120", "SFS120"],
    ])
    report = import_organisations(city.admin, "orgs.xlsx", content)
    assert report.committed, report.errors
    hospital = Organisation.objects.get(code="HOS77")
    assert (hospital.kind, hospital.hospital_level, hospital.hospital_type) == ("hospital", "2", "tcm")
    assert Organisation.objects.get(code="EMS77").parent == city.ems_centre


def test_duplicate_organisation_rows_are_reported(city):
    content = xlsx([
        ["机构代码", "机构名称", "机构类别", "行政区划代码", "医院等级"],
        ["HOS77", "甲区中医医院", "医院", "990102001", "二级"],
        ["HOS78", "甲区中医医院", "医院", "990102001", "二级"],
        ["HOS79", "没有等级的医院", "医院", "990102001", ""],
    ])
    report = import_organisations(city.admin, "orgs.xlsx", content)
    assert not report.committed
    assert {(e.row, e.field) for e in report.errors} == {(3, "name"), (4, "hospital_level")}
    assert not Organisation.objects.filter(code__in=["HOS77", "HOS78", "HOS79"]).exists()


def test_existing_rows_are_updated_not_duplicated_and_not_lost_on_failure(city):
    content = xlsx([["机构代码", "机构名称", "机构类别", "行政区划代码", "医院等级"],
                    ["HOS02", "甲区人民医院（更名）", "医院", "990102001", "三级"],
                    ["HOS76", "新医院", "医院", "990199001", "二级"]])
    report = import_organisations(city.admin, "orgs.xlsx", content)
    assert not report.committed
    assert Organisation.objects.get(code="HOS02").name == "甲区人民医院"


def test_district_user_cannot_import_into_another_district(city):
    content = xlsx([["机构代码", "机构名称", "机构类别", "行政区划代码", "医院等级"],
                    ["HOS75", "乙区新医院", "医院", "990103001", "二级"]])
    report = import_organisations(city.a.users[Role.HEALTH_COMMISSION], "orgs.xlsx", content)
    assert not report.committed and "管辖" in report.errors[0].message
    assert not Organisation.objects.filter(code="HOS75").exists()


@pytest.mark.parametrize(
    ("name", "content", "needle"),
    [
        ("regions.pdf", b"%PDF-1.4", "文件类型"),
        ("regions.xlsx", b"code,name\n", "文件类型"),  # CSV dressed up as Excel
        ("regions.csv", b"PK\x03\x04rest", "文件类型"),  # Excel dressed up as CSV
        ("regions.xlsx", b"PK\x03\x04 not really a zip", "损坏"),
        ("regions.csv", b"", "为空"),
        ("regions.csv", "名称\n丙区\n".encode(), "缺少必需的列"),
    ],
)
def test_bad_files_are_refused_with_a_clear_message(city, name, content, needle):
    with pytest.raises(ImportFileError) as info:
        import_regions(city.admin, name, content)
    assert needle in info.value.message and info.value.message_en


def test_oversized_upload_is_refused(city, settings):
    settings.YINGJI_MAX_UPLOAD_BYTES = 100
    with pytest.raises(ImportFileError) as info:
        import_regions(city.admin, "regions.csv", REGIONS_CSV.encode() * 10)
    assert "过大" in info.value.message


def test_non_admin_region_import_is_refused_row_by_row(city):
    report = import_regions(city.users[Role.CDC], "regions.csv", REGIONS_CSV.encode())
    assert not report.committed and {e.row for e in report.errors} == {2, 3, 4}
    assert not Region.objects.filter(pk="990104").exists()
    assert any("管辖" in e.message for e in report.errors)
