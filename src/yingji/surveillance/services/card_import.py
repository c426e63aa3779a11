"""Bulk import of report cards from CSV or Excel with Chinese headers (as hospital systems and the national system
export them): every row is validated exactly like a card filed on the page or through the API, the report names
every bad row, and nothing is saved unless every row is valid — or the user chose to import only the valid rows.

Rows are validated with lookups shared by the whole file (diseases, regions and units loaded once), inserted in
bulk, and audited in bulk (surveillance.services.cards.ingest_cards).
"""

import re

from yingji.core.importing import ImportReport, RowError, read_table, require_columns

from .cards import ingest_cards

CARD_COLUMNS = {
    "card_number": ("卡片编号", "卡片编码", "报告卡编号"),
    "patient_name": ("患者姓名", "姓名"),
    "guardian_name": ("家长姓名", "患儿家长姓名"),
    "id_type": ("证件类型", "有效证件类型"),
    "id_number": ("证件号码", "有效证件号", "身份证号"),
    "sex": ("性别",),
    "birth_date": ("出生日期",),
    "age_value": ("年龄", "实足年龄"),
    "age_unit": ("年龄单位",),
    "occupation": ("职业", "人群分类", "患者职业"),
    "work_unit": ("工作单位", "工作单位（学校）", "工作单位(学校)"),
    "phone": ("联系电话",),
    "case_origin": ("病例属于",),
    "address_region": ("现住地址区划代码", "现住地址国标", "现住址国标", "现住地址编码"),
    "address_detail": ("现住详细地址", "详细地址"),
    "disease": ("疾病编码", "疾病名称", "病种"),
    "other_disease_name": ("其他传染病",),
    "classification": ("病例分类",),
    "acuteness": ("急性/慢性", "病例分类2"),
    "onset_date": ("发病日期",),
    "diagnosed_at": ("诊断时间", "诊断日期"),
    "death_date": ("死亡日期",),
    "reporting_org": ("报告单位编码", "报告单位代码", "报告单位机构代码"),
    "reporting_doctor": ("报告医生", "填卡医生", "报告人"),
    "reported_at": ("报告时间", "报告日期", "填卡日期"),
    "notes": ("备注",),
}
REQUIRED_COLUMNS = ("patient_name", "sex", "occupation", "address_region", "disease", "classification",
                    "onset_date", "diagnosed_at", "reporting_doctor")

# Chinese labels of the card's choices: the first label of each value is the one exports write.
CHOICE_LABELS: dict[str, dict[str, tuple[str, ...]]] = {
    "sex": {"M": ("男",), "F": ("女",), "U": ("未知", "不详")},
    "id_type": {
        "resident_id": ("居民身份证", "身份证"), "passport": ("护照",),
        "hk_macao": ("港澳居民来往内地通行证", "港澳通行证"), "taiwan": ("台湾居民来往大陆通行证", "台胞证"),
        "foreign_permanent": ("外国人永久居留身份证",), "other": ("其他证件", "其他"), "none": ("无证件", "无"),
    },
    "age_unit": {"year": ("岁",), "month": ("月",), "day": ("天", "日")},
    "occupation": {
        "kindergarten_child": ("幼托儿童",), "scattered_child": ("散居儿童",), "student": ("学生", "学生（大中小学）"),
        "teacher": ("教师",), "childcare_worker": ("保育员及保姆",), "food_service": ("餐饮食品业",),
        "commercial_service": ("商业服务",), "medical_staff": ("医务人员",), "worker": ("工人",),
        "migrant_worker": ("民工",), "farmer": ("农民",), "herdsman": ("牧民",), "fisherman": ("渔(船)民", "渔（船）民"),
        "cadre_staff": ("干部职员",), "retired": ("离退人员",), "housework_unemployed": ("家务及待业",),
        "other": ("其他",), "unknown": ("不详",),
    },
    "case_origin": {
        "same_county": ("本县区",), "other_county": ("本市其他县区",), "other_city": ("本省其它地市", "本省其他地市"),
        "other_province": ("外省",), "hk_macao_taiwan": ("港澳台",), "foreign": ("外籍",),
    },
    "classification": {
        "suspected": ("疑似病例",), "clinical": ("临床诊断病例",), "confirmed": ("确诊病例", "实验室确诊病例"),
        "carrier": ("病原携带者",), "positive_test": ("阳性检测", "阳性检测结果"), "asymptomatic": ("无症状感染者",),
    },
    "acuteness": {"acute": ("急性",), "chronic": ("慢性",), "untyped": ("未分型",)},
    "card_type": {"initial": ("初次报告",), "correction": ("订正报告",)},
    "status": {"submitted": ("待审核",), "reviewed": ("已审核",), "returned": ("已退卡",),
               "superseded": ("已被订正",), "merged": ("已合并",), "deleted": ("已删除",)},
}
_LABEL_TO_VALUE = {name: {label: value for value, labels in choices.items() for label in labels}
                   for name, choices in CHOICE_LABELS.items()}
DATE_FIELDS = ("birth_date", "onset_date", "death_date")
DATETIME_FIELDS = ("diagnosed_at", "reported_at")
_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")


def label(name: str, value: str) -> str:
    """The Chinese label of a stored choice value (for exports)."""
    labels = CHOICE_LABELS.get(name, {}).get(value)
    return labels[0] if labels else value


def normalise_row(data: dict) -> dict:
    """Spreadsheet text as form data: Chinese choice labels → values, 2026/1/5 8:30 → 2026-01-05 08:30."""
    row = {}
    for name, text in data.items():
        value = _LABEL_TO_VALUE.get(name, {}).get(text, text)
        if name in DATE_FIELDS or name in DATETIME_FIELDS:
            match = _DATE.match(value)
            if match:
                y, m, d, hh, mm, ss = match.groups()
                value = f"{y}-{int(m):02d}-{int(d):02d}"
                if name in DATETIME_FIELDS and hh is not None:
                    value += f" {int(hh):02d}:{mm}:{ss or '00'}"
        row[name] = value
    return row


def import_cards(user, name: str, content: bytes, *, valid_only: bool = False, progress=None) -> ImportReport:
    """Import cards from a .csv or .xlsx file. All rows or none, unless ``valid_only``."""
    rows = read_table(name, content, CARD_COLUMNS)
    require_columns(rows[0][1].keys() if rows else (), REQUIRED_COLUMNS, CARD_COLUMNS)
    items = [(number, normalise_row(data)) for number, data in rows]
    results = ingest_cards(user, items, commit_valid=valid_only, progress=progress)
    report = ImportReport(total=len(rows))
    for r in results:
        for field_name, messages in r.errors.items():
            for m in messages:
                report.errors.append(RowError(r.index, field_name, m["message"], m["message_en"]))
    if report.errors and not valid_only:
        return report
    report.saved = sum(r.status == "created" for r in results)
    report.committed = True
    return report
