"""Bulk import of report cards (CSV/XLSX, Chinese headers and labels): a 10,000-row file with exactly 3% bad rows
reports exactly those rows, commits nothing unless asked, and with "valid rows only" imports exactly the rest —
audited; plus the column map, GB18030 CSV, Excel, re-import and the Excel export."""

import csv
import io
import time
from datetime import date, timedelta

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from openpyxl import Workbook, load_workbook

from tests.surveillance.conftest import bj, make_id
from yingji.core.importing import ImportFileError
from yingji.core.roles import Role
from yingji.surveillance.models import CaseReport
from yingji.surveillance.services.card_export import export_cards
from yingji.surveillance.services.card_import import CARD_COLUMNS, import_cards
from yingji.surveillance.services.cards import CardFilter

HEADER = ["卡片编号", "患者姓名", "有效证件类型", "有效证件号", "性别", "出生日期", "人群分类", "联系电话",
          "现住地址国标", "现住详细地址", "疾病名称", "病例分类", "发病日期", "诊断时间", "报告单位编码", "报告医生",
          "报告时间"]
DISEASES = ["流行性感冒", "手足口病", "3600", "其他感染性腹泻病", "细菌性痢疾", "肺结核", "1000"]
BAD_KINDS = ["check_digit", "future_onset", "onset_after_diagnosis", "unknown_disease", "unknown_region",
             "outside_scope", "report_before_diagnosis", "no_name", "bad_date", "carrier_not_reportable"]


def good_row(i: int, city) -> list[str]:
    birth = date(1940, 1, 1) + timedelta(days=(i * 7) % 25000)
    male = i % 2 == 0
    diagnosed = bj(2025, 1, 1, 8, 0) + timedelta(hours=(i * 5) % (365 * 24))
    disease = DISEASES[i % len(DISEASES)]
    return [
        f"IMP-{i:05d}", f"患者{i}", "居民身份证", make_id(birth, male=male, seq=i % 90 + 1), "男" if male else "女",
        birth.isoformat(), "农民" if i % 3 else "学生", "13900000000", city.a.town.code, "示范路", disease,
        "临床诊断病例", (diagnosed - timedelta(days=1)).strftime("%Y/%m/%d"),
        diagnosed.strftime("%Y-%m-%d %H:%M"), "HOS02", "王医生",
        (diagnosed + timedelta(hours=(i % 30))).strftime("%Y-%m-%d %H:%M:%S"),
    ]


def spoil(row: list[str], kind: str, city) -> list[str]:
    row = list(row)
    col = {name: HEADER.index(name) for name in HEADER}
    if kind == "check_digit":
        row[col["有效证件号"]] = row[col["有效证件号"]][:-1] + ("0" if row[col["有效证件号"]][-1] != "0" else "1")
    elif kind == "future_onset":
        row[col["发病日期"]] = "2099-01-01"
    elif kind == "onset_after_diagnosis":
        row[col["发病日期"]] = row[col["诊断时间"]][:10]
        row[col["诊断时间"]] = "2024-12-01 08:00"
    elif kind == "unknown_disease":
        row[col["疾病名称"]] = "不存在的病"
    elif kind == "unknown_region":
        row[col["现住地址国标"]] = "990199999"
    elif kind == "outside_scope":
        row[col["报告单位编码"]] = city.b.hospital.code
    elif kind == "report_before_diagnosis":
        row[col["报告时间"]] = "2024-01-01 00:00:00"
    elif kind == "no_name":
        row[col["患者姓名"]] = ""
    elif kind == "bad_date":
        row[col["诊断时间"]] = "2025-02-30 10:00"
    elif kind == "carrier_not_reportable":
        row[col["病例分类"]] = "病原携带者"
    return row


def as_csv(rows, header=HEADER, encoding="utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def card_entries() -> int:
    return LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(CaseReport)).count()


@pytest.fixture
def big_file(city):
    """10,000 rows; exactly 300 (3%) bad, each of one kind; their spreadsheet row numbers (header = row 1)."""
    rows, bad = [], set()
    for i in range(10_000):
        row = good_row(i, city)
        if i % 100 in (7, 42, 77):
            row = spoil(row, BAD_KINDS[len(bad) % len(BAD_KINDS)], city)
            bad.add(i + 2)
        rows.append(row)
    assert len(bad) == 300
    return as_csv(rows), bad


def test_ten_thousand_rows_with_three_percent_bad(city, big_file):
    content, bad = big_file
    user = city.a.users[Role.CDC]
    entries = card_entries()

    start = time.perf_counter()
    report = import_cards(user, "cards.csv", content)
    checked = time.perf_counter() - start
    assert report.total == 10_000
    assert {e.row for e in report.errors} == bad  # exactly the bad rows, each named
    assert all(e.message and e.message_en for e in report.errors)
    assert not report.committed and report.saved == 0
    assert CaseReport.objects.count() == 0 and card_entries() == entries

    start = time.perf_counter()
    report = import_cards(user, "cards.csv", content, valid_only=True)
    imported = time.perf_counter() - start
    assert report.committed and report.saved == 9_700
    assert {e.row for e in report.errors} == bad
    assert CaseReport.objects.count() == 9_700
    assert not CaseReport.objects.filter(card_number__in=[f"IMP-{r - 2:05d}" for r in bad]).exists()
    # every imported card is audited, attributed to the importing user
    assert card_entries() == entries + 9_700
    assert LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(CaseReport),
                                   actor=user).count() == 9_700
    print(f"\n10,000 rows: checked in {checked:.1f} s, imported 9,700 in {imported:.1f} s")


def test_importing_a_file_again_adds_nothing(city):
    rows = [good_row(i, city) for i in range(20)] + [spoil(good_row(20, city), "unknown_disease", city)]
    user = city.a.users[Role.CDC]
    first = import_cards(user, "cards.csv", as_csv(rows), valid_only=True)
    assert first.saved == 20
    again = import_cards(user, "cards.csv", as_csv(rows), valid_only=True)  # card numbers are idempotency keys
    assert again.committed and again.saved == 0 and [e.row for e in again.errors] == [22]
    assert CaseReport.objects.count() == 20
    changed = [list(r) for r in rows[:2]]
    changed[1][HEADER.index("患者姓名")] = "改了名字"
    report = import_cards(user, "cards.csv", as_csv(changed))
    assert [(e.row, e.field) for e in report.errors] == [(3, "card_number")] and not report.committed


def test_each_kind_of_bad_row_is_named_by_field(city):
    rows = [spoil(good_row(i, city), kind, city) for i, kind in enumerate(BAD_KINDS)]
    report = import_cards(city.a.users[Role.CDC], "bad.csv", as_csv(rows))
    fields = {e.row: e.field for e in report.errors}
    assert fields == {2: "id_number", 3: "onset_date", 4: "onset_date", 5: "disease", 6: "address_region",
                      7: "reporting_org", 8: "reported_at", 9: "patient_name", 10: "diagnosed_at",
                      11: "classification"}


def test_labels_dates_and_gb18030(city):
    row = good_row(1, city)
    content = as_csv([row], encoding="gb18030")
    report = import_cards(city.a.users[Role.REPORTER], "gbk.csv", content)
    assert report.committed and report.saved == 1, report.errors
    card = CaseReport.objects.get()
    assert (card.sex, card.occupation, card.classification, card.disease.code) == ("F", "farmer", "clinical", "4000")
    assert card.onset_date.isoformat() == row[HEADER.index("发病日期")].replace("/", "-")


def test_excel_upload(city):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.append(good_row(2, city))
    out = io.BytesIO()
    workbook.save(out)
    report = import_cards(city.a.users[Role.REPORTER], "cards.xlsx", out.getvalue())
    assert report.saved == 1, report.errors


def test_missing_columns_and_bad_files_are_refused(city):
    with pytest.raises(ImportFileError) as exc:
        import_cards(city.a.users[Role.REPORTER], "x.csv", as_csv([["张三"]], header=["患者姓名"]))
    assert "缺少必需的列" in exc.value.message
    with pytest.raises(ImportFileError):
        import_cards(city.a.users[Role.REPORTER], "x.txt", b"hello")


def test_a_read_only_role_cannot_import(city):
    from yingji.core.errors import NotPermitted

    with pytest.raises(NotPermitted):
        import_cards(city.a.users[Role.LEADER], "cards.csv", as_csv([good_row(1, city)]))


def test_export_round_trips_and_masks_personal_data(city):
    import_cards(city.a.users[Role.CDC], "cards.csv", as_csv([good_row(i, city) for i in range(5)]))
    content = export_cards(city.a.users[Role.CDC], CardFilter())
    sheet = load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:len(CARD_COLUMNS)] == tuple(aliases[0] for aliases in CARD_COLUMNS.values())
    assert len(rows) == 6
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["性别"] in ("男", "女") and first["病例分类"] == "临床诊断病例" and first["状态"] == "待审核"
    assert first["报告及时性"] in ("及时", "迟报")
    assert len(first["证件号码"]) == 18 and "*" not in first["证件号码"]
    # the commission sees the same list masked
    masked = load_workbook(io.BytesIO(export_cards(city.a.users[Role.HEALTH_COMMISSION]))).active
    masked_first = dict(zip(rows[0], next(masked.iter_rows(min_row=2, values_only=True)), strict=True))
    assert "********" in masked_first["证件号码"] and "****" in masked_first["联系电话"]
    # another district sees nothing
    other = load_workbook(io.BytesIO(export_cards(city.b.users[Role.CDC]))).active
    assert other.max_row == 1
    # the exported file imports again: same numbers, same content, so nothing new
    report = import_cards(city.a.users[Role.CDC], "again.xlsx", content)
    assert report.committed and report.saved == 0 and not report.errors  # same numbers, same content: replays
