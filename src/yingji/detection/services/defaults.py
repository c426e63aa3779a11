"""Default data of early warning: holidays (data/holidays.csv) and detection configurations (statutory-rules §4).

Used by the data migrations with the historical model classes; loading is idempotent and never overwrites what an
administrator changed.

Default configurations:
- fixed threshold (固定阈值法, one case is a signal) for every disease whose catalogue entry has
  ``single_case_alert`` (§4.2), counted by report date, so a single case signals the day it is reported;
- the moving percentile method (移动百分位数法) for the MPM diseases of §4.3, county level, counted by report date
  with holiday counts moved to the next workday, in two profiles: "CIDARS-2008" (P50 everywhere, the national
  launch default, active) and "CIDARS-2014 evidence" (per-disease P80/P90 from the 2011–2013 national study [S46],
  inactive; switch with :func:`yingji.detection.services.configs.activate_profile`);
- EARS C2 on the remaining acute diseases with daily counts (inactive: an option the CDC may switch on);
- fever-clinic visits per county with EARS C2 (inactive).
"""

import csv
from datetime import date
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data"

PROFILE_2008 = "CIDARS-2008"
PROFILE_2014 = "CIDARS-2014 evidence"

# The current 7 days against the same 7-day period ± 2 periods in each of the previous 3 years (15 points);
# signal when the current count reaches the percentile (≥). Parameter names of algorithms/cidars_mpm.py.
MPM_BASE = {"window": 7, "years": 3, "k": 2, "operator": ">="}

# Disease code → percentile of the "CIDARS-2014 evidence" profile (statutory-rules §4.3, [S46]); the MPM diseases
# of 2008–2010 [S45] that the 2014 study did not cover keep their [S45] value.
MPM_DISEASES = {
    "0400": 90,  # 细菌性和阿米巴性痢疾
    "2400": 90,  # 登革热
    "0301": 90,  # 甲型肝炎
    "0500": 90,  # 伤寒和副伤寒
    "1300": 90,  # 流行性脑脊髓膜炎
    "2100": 90,  # 流行性乙型脑炎
    "1400": 90,  # 猩红热
    "1700": 90,  # 钩端螺旋体病
    "0304": 90,  # 戊型肝炎
    "2000": 90,  # 流行性和地方性斑疹伤寒
    "3900": 80,  # 其他感染性腹泻病
    "3500": 80,  # 流行性感冒
    "3800": 80,  # 急性出血性结膜炎
    "3600": 80,  # 流行性腮腺炎
    "3700": 80,  # 风疹
    "1500": 80,  # 流行性出血热
    "2300": 90,  # 疟疾 ([S45])
    "0303": 90,  # 丙型肝炎 ([S45])
    "1000": 90,  # 麻疹 ([S45])
    "4000": 75,  # 手足口病 (Songjiang [S44]; not in the national studies)
    "Y020": 75,  # 水痘 (Songjiang [S44])
}
EARS_OPTIONAL = ("1100", "1200", "0302", "1800", "Y001")  # 百日咳, 白喉, 乙肝, 布病, 新冠: EARS C2, inactive


def holiday_rows() -> list[dict]:
    with (DATA / "holidays.csv").open(encoding="utf-8") as f:
        return [{"date": date.fromisoformat(r["date"]), "kind": r["kind"], "name": r["name"], "source": r["source"]}
                for r in csv.DictReader(f)]


def load_holidays(Holiday=None) -> int:
    if Holiday is None:
        from ..models import Holiday
    created = 0
    for row in holiday_rows():
        _, was_created = Holiday.objects.get_or_create(date=row["date"], defaults=row)
        created += was_created
    return created


def mpm_params(percentile: int) -> dict:
    return {**MPM_BASE, "percentile": percentile}


def default_configs(Disease) -> list[dict]:
    """The default configurations as field values (disease as an instance)."""
    rows = []
    for disease in Disease.objects.filter(single_case_alert=True).order_by("sort_order", "code"):
        rows.append({"disease": disease, "profile": PROFILE_2008, "active": True, "min_cases": 1,
                     "methods": [{"method": "fixed_threshold", "params": {"threshold": 1}}],
                     "count_basis": "report", "holiday_mode": "none", "response_hours": None,
                     "notes": "CIDARS 固定阈值法：单病例预警 / fixed threshold: a single case is a signal"})
    by_code = Disease.objects.in_bulk(list(MPM_DISEASES) + list(EARS_OPTIONAL), field_name="code")
    for code, percentile in MPM_DISEASES.items():
        disease = by_code.get(code)
        if disease is None:
            continue
        common = {"disease": disease, "min_cases": 3, "count_basis": "report", "holiday_mode": "shift"}
        rows.append({**common, "profile": PROFILE_2008, "active": True,
                     "methods": [{"method": "cidars_mpm", "params": mpm_params(50)}],
                     "notes": "CIDARS 移动百分位数法，全国默认 P50 / moving percentile method, national default P50"})
        rows.append({**common, "profile": PROFILE_2014, "active": False,
                     "methods": [{"method": "cidars_mpm", "params": mpm_params(percentile)}],
                     "notes": f"按病种循证阈值 P{percentile} / evidence-based per-disease threshold P{percentile}"})
    for code in EARS_OPTIONAL:
        disease = by_code.get(code)
        if disease is None:
            continue
        rows.append({"disease": disease, "profile": PROFILE_2008, "active": False, "min_cases": 3,
                     "methods": [{"method": "ears_c2", "params": {}}], "count_basis": "report",
                     "holiday_mode": "shift", "notes": "可选：EARS C2 / optional: EARS C2"})
    for measure in ("visits", "positive"):
        rows.append({"disease": None, "source": "fever_clinic", "measure": measure, "profile": PROFILE_2008,
                     "active": False, "min_cases": 5, "methods": [{"method": "ears_c2", "params": {}}],
                     "count_basis": "report", "holiday_mode": "none",
                     "notes": "发热门诊（按诊所所在区县）/ fever clinics, per clinic's county"})
    return rows


def fix_mpm_parameter_names(DetectionConfig) -> int:
    """Rewrite MPM parameters saved under names of a draft (periods_around, inclusive) to the method's own."""
    fixed = 0
    for config in DetectionConfig.objects.all():
        changed = False
        for entry in config.methods or []:
            params = entry.get("params") if isinstance(entry, dict) and entry.get("method") == "cidars_mpm" else None
            if not isinstance(params, dict):
                continue
            if "periods_around" in params:
                params["k"] = params.pop("periods_around")
                changed = True
            if "inclusive" in params:
                params["operator"] = ">=" if params.pop("inclusive") else ">"
                changed = True
        if changed:
            config.save(update_fields=["methods"])
            fixed += 1
    return fixed


def load_default_configs(DetectionConfig=None, Disease=None) -> int:
    if DetectionConfig is None:
        from yingji.surveillance.models import Disease

        from ..models import DetectionConfig
    created = 0
    for row in default_configs(Disease):
        key = {"disease": row["disease"], "source": row.get("source", "cards"), "measure": row.get("measure", "cases"),
               "region_level": "county", "region": None, "profile": row["profile"]}
        values = {k: v for k, v in row.items() if k not in key}
        _, was_created = DetectionConfig.objects.get_or_create(**key, defaults=values)
        created += was_created
    return created
