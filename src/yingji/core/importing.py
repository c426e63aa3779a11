"""Bulk import from CSV or Excel: read the file, check every row with the same service the pages use,
and commit all rows or none (unless the user asked to import only the valid rows).

Headers may be Chinese or English (see each importer's COLUMNS). CSV may be UTF-8 (with or without BOM) or
GB18030, which is what Chinese Excel writes when it saves CSV.
"""

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction

from . import services
from .errors import YingjiError
from .models import Organisation, Region

XLSX_MAGIC = b"PK\x03\x04"


class ImportFileError(YingjiError):
    def __init__(self, zh: str, en: str):
        super().__init__("bad_file", zh, en, status=400)


@dataclass
class RowError:
    row: int  # 1-based, counting the header as row 1, as a spreadsheet shows it
    field: str
    message: str
    message_en: str


@dataclass
class ImportReport:
    total: int = 0
    saved: int = 0
    errors: list[RowError] = field(default_factory=list)
    committed: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict:
        return {
            "total": self.total, "saved": self.saved, "committed": self.committed,
            "errors": [e.__dict__ for e in self.errors],
        }


def read_table(name: str, content: bytes, columns: dict[str, tuple[str, ...]]) -> list[tuple[int, dict]]:
    """Rows of a CSV or XLSX file as (spreadsheet row number, {field: text}). Raises ImportFileError."""
    limit = settings.YINGJI_MAX_UPLOAD_BYTES
    if len(content) > limit:
        raise ImportFileError(
            f"文件过大（{len(content) // 1024} KB），上限为 {limit // 1024} KB",
            f"The file is too large ({len(content) // 1024} KB); the limit is {limit // 1024} KB",
        )
    suffix = Path(name or "").suffix.lower()
    if suffix == ".xlsx" and content.startswith(XLSX_MAGIC):
        raw_rows = _xlsx_rows(content)
    elif suffix == ".csv" and not content.startswith(XLSX_MAGIC) and b"\x00" not in content[:4096]:
        raw_rows = _csv_rows(content)
    else:
        raise ImportFileError(
            "文件类型不支持：请上传 .csv 或 .xlsx 文件（内容须与扩展名一致）",
            "Unsupported file type: upload a .csv or .xlsx file whose content matches its extension",
        )
    if not raw_rows:
        raise ImportFileError("文件为空", "The file is empty")
    header = [str(h or "").strip() for h in raw_rows[0]]
    mapping = _map_header(header, columns)
    rows = []
    for number, raw in enumerate(raw_rows[1:], start=2):
        values = ["" if v is None else str(v).strip() for v in raw]
        if not any(values):
            continue
        rows.append((number, {f: (values[i] if i < len(values) else "") for i, f in mapping.items()}))
    return rows


def _csv_rows(content: bytes) -> list[list]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportFileError("无法识别文件编码，请另存为 UTF-8 的 CSV", "Cannot decode the file; save it as UTF-8 CSV")
    try:
        return list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        raise ImportFileError(f"CSV 格式错误：{exc}", f"Malformed CSV: {exc}") from exc


def _xlsx_rows(content: bytes) -> list[list]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise ImportFileError("Excel 文件已损坏或无法读取", "The Excel file is damaged or unreadable") from exc
    sheet = workbook.worksheets[0]
    rows = [list(_cell_text(c) for c in row) for row in sheet.iter_rows(values_only=True)]
    workbook.close()
    return rows


def _cell_text(value):
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel stores codes typed as numbers as floats
    return value


def _map_header(header: list[str], columns: dict[str, tuple[str, ...]]) -> dict[int, str]:
    aliases = {alias.lower(): name for name, names in columns.items() for alias in (name, *names)}
    mapping = {i: aliases[h.lower()] for i, h in enumerate(header) if h.lower() in aliases}
    return mapping


def require_columns(rows_header_fields: Iterable[str], required: Iterable[str], columns) -> None:
    missing = [c for c in required if c not in set(rows_header_fields)]
    if missing:
        names = "、".join(columns[c][0] for c in missing)
        raise ImportFileError(f"缺少必需的列：{names}", f"Missing required columns: {', '.join(missing)}")


def run_import(
    rows: list[tuple[int, dict]], save_row: Callable[[dict], object], *, valid_only: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Save each row through ``save_row`` (a service call). All or nothing unless ``valid_only``."""
    report = ImportReport(total=len(rows))
    with transaction.atomic():
        for index, (number, data) in enumerate(rows, start=1):
            try:
                with transaction.atomic():  # a savepoint: a bad row leaves no trace
                    save_row(data)
                report.saved += 1
            except YingjiError as exc:
                if exc.fields:
                    for name, messages in exc.fields.items():
                        for m in messages:
                            report.errors.append(RowError(number, name, m["message"], m["message_en"]))
                else:
                    report.errors.append(RowError(number, "", exc.message, exc.message_en))
            if progress:
                progress(index)
        if report.errors and not valid_only:
            transaction.set_rollback(True)
            report.saved = 0
            return report
    report.committed = True
    return report


# --- importers --------------------------------------------------------------------------------------------

REGION_COLUMNS = {
    "code": ("代码", "行政区划代码", "区划代码"),
    "name": ("名称", "区划名称"),
    "parent": ("上级代码", "上级行政区划代码"),
    "population": ("人口", "常住人口"),
    "year": ("年份", "人口年份"),
}

ORGANISATION_COLUMNS = {
    "code": ("机构代码", "统一社会信用代码", "代码"),
    "name": ("机构名称", "名称"),
    "short_name": ("简称",),
    "kind": ("机构类别", "类别"),
    "region": ("行政区划代码", "所在区划代码", "区划代码"),
    "parent": ("上级机构代码",),
    "hospital_level": ("医院等级", "等级"),
    "hospital_grade": ("医院等次", "等次"),
    "hospital_type": ("医院类型",),
    "address": ("地址",),
    "longitude": ("经度",),
    "latitude": ("纬度",),
    "contact_person": ("联系人",),
    "contact_phone": ("联系电话",),
    "duty_phone": ("24小时值班电话", "值班电话"),
}

# Labels people write in a spreadsheet, mapped to stored values.
_CHOICE_LABELS = {
    "kind": {
        "卫健委": "health_commission", "卫生健康委员会": "health_commission", "疾控中心": "cdc",
        "疾病预防控制中心": "cdc", "医院": "hospital", "社区卫生服务中心": "community_health_centre",
        "乡镇卫生院": "township_hospital", "卫生院": "township_hospital", "诊所": "clinic",
        "120急救中心": "ems_centre", "急救中心": "ems_centre", "120急救站": "ems_station", "急救站": "ems_station",
        "实验室": "laboratory", "检测机构": "laboratory", "政府部门": "government", "其他": "other",
    },
    "hospital_level": {"一级": "1", "二级": "2", "三级": "3"},
    "hospital_grade": {"甲等": "A", "甲": "A", "乙等": "B", "乙": "B", "丙等": "C", "丙": "C", "未定等": "-"},
    "hospital_type": {"综合": "general", "综合医院": "general", "中医": "tcm", "中医医院": "tcm",
                      "专科": "specialist", "专科医院": "specialist", "传染病": "infectious",
                      "传染病医院": "infectious"},
}


def _normalise_choices(data: dict) -> dict:
    return {k: _CHOICE_LABELS.get(k, {}).get(v, v) for k, v in data.items()}


def import_regions(user, name: str, content: bytes, *, valid_only=False, progress=None) -> ImportReport:
    rows = read_table(name, content, REGION_COLUMNS)
    require_columns(rows[0][1].keys() if rows else (), ("code", "name"), REGION_COLUMNS)
    rows.sort(key=lambda r: (len(r[1]["code"]), r[1]["code"]))  # parents before children, whatever the file order

    def save_row(data):
        instance = Region.objects.filter(pk=data["code"]).first()
        region = services.save_region(user, {"code": data["code"], "name": data["name"],
                                             "parent": data.get("parent", "")}, instance=instance)
        if data.get("population"):
            services.save_population(user, {"region": region.code, "year": data.get("year", ""),
                                            "population": data["population"]})

    return run_import(rows, save_row, valid_only=valid_only, progress=progress)


def import_organisations(user, name: str, content: bytes, *, valid_only=False, progress=None) -> ImportReport:
    rows = read_table(name, content, ORGANISATION_COLUMNS)
    require_columns(rows[0][1].keys() if rows else (), ("code", "name", "kind", "region"), ORGANISATION_COLUMNS)
    rows.sort(key=lambda r: bool(r[1].get("parent")))  # units without a parent first, so parents exist

    def save_row(data):
        data = _normalise_choices(data)
        data.setdefault("is_active", True)
        instance = Organisation.objects.filter(code=data["code"].strip().upper()).first()
        services.save_organisation(user, data, instance=instance)

    return run_import(rows, save_row, valid_only=valid_only, progress=progress)
