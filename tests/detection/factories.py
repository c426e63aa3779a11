"""Helpers for the detection tests: cards and fever reports written straight to the database, configurations."""

import itertools
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from yingji.detection.models import DetectionConfig
from yingji.surveillance.models import CaseReport, Disease, FeverClinicDailyReport

SHANGHAI = ZoneInfo("Asia/Shanghai")
_numbers = itertools.count(1)


def bj(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def card(district, disease="0200", *, onset: date, reported: datetime, status="submitted", region=None, **extra):
    return CaseReport.objects.create(
        card_number=f"DT-{next(_numbers):07d}", patient_name="患者", sex="M", occupation="other",
        address_region=region or district.town, disease=Disease.objects.get(code=disease), classification="confirmed",
        onset_date=onset, diagnosed_at=reported - timedelta(hours=1), reporting_org=district.hospital,
        reporting_doctor="王医生", reported_at=reported, status=status, **extra)


def cards(district, disease, day: date, n: int, *, hour=10, **extra):
    return [card(district, disease, onset=day - timedelta(days=1), reported=bj(day.year, day.month, day.day, hour),
                 **extra) for _ in range(n)]


def fever(org, day: date, visits: int, positive: int = 0):
    return FeverClinicDailyReport.objects.create(
        organisation=org, date=day, visits=visits, tested=positive, positive=positive, observed=0, transferred=0,
        submitted_at=bj(day.year, day.month, day.day, 20))


def only(*configs) -> list[DetectionConfig]:
    """Deactivate the default configurations; create these (dicts of field values) instead."""
    DetectionConfig.objects.update(active=False)
    made = []
    for values in configs:
        values = dict(values)
        if isinstance(values.get("disease"), str):
            values["disease"] = Disease.objects.get(code=values["disease"])
        values.setdefault("profile", "test")
        made.append(DetectionConfig.objects.create(**values))
    return made


def fixed(disease="0200", **extra) -> dict:
    return {"disease": disease, "methods": [{"method": "fixed_threshold", "params": {"threshold": 1}}],
            "min_cases": 1, "count_basis": "report", **extra}
