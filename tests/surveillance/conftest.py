"""Fixtures for surveillance tests: the disease catalogue (loaded by migration 0002) and report-card helpers."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from yingji.surveillance import idnumbers
from yingji.surveillance.models import Disease

BEIJING = ZoneInfo("Asia/Shanghai")


def bj(*args) -> datetime:
    """An aware Beijing time: bj(2026, 1, 5, 23, 30)."""
    return datetime(*args, tzinfo=BEIJING)


def make_id(birth: date, *, male: bool = True, area: str = "110101", seq: int = 12) -> str:
    """A valid 18-character resident ID number (GB 11643) for the birth date and sex."""
    sequence = seq * 10 + (1 if male else 2)  # 3 digits, the last odd for men
    first17 = f"{area}{birth:%Y%m%d}{sequence:03d}"
    return first17 + idnumbers.check_character(first17)


def card_data(district, **overrides) -> dict:
    """A valid card (influenza, 24 h deadline) of a patient living in ``district``'s town, reported on time by its
    hospital: diagnosed 3 h ago, reported 1 h ago."""
    now = timezone.now().replace(microsecond=0)
    birth = date(1980, 5, 17)
    data = {
        "patient_name": "张伟", "id_type": "resident_id", "id_number": make_id(birth), "sex": "M",
        "birth_date": birth.isoformat(), "occupation": "worker", "work_unit": "示范机械厂", "phone": "13812345678",
        "address_region": district.town.code, "address_detail": "幸福路 1 号", "disease": "3500",
        "classification": "clinical", "onset_date": timezone.localdate(now - timedelta(days=2)).isoformat(),
        "diagnosed_at": (now - timedelta(hours=3)).isoformat(), "reporting_org": district.hospital.code,
        "reporting_doctor": "李医生", "reported_at": (now - timedelta(hours=1)).isoformat(),
    }
    data.update(overrides)
    return data


@pytest.fixture
def diseases(db) -> dict[str, Disease]:
    """The default catalogue by code."""
    return {d.code: d for d in Disease.objects.all()}


_numbers = iter(range(1, 10**9))


def stored_card(district, disease: str | Disease, diagnosed: datetime, reported: datetime, **fields):
    """A card written straight to the database (no form: e.g. historic times, or an impossible report time)."""
    from yingji.surveillance.models import CaseReport

    if isinstance(disease, str):
        disease = Disease.objects.get(code=disease)
    values = {
        "card_number": f"T-{next(_numbers):06d}", "patient_name": "测试患者", "sex": "M", "occupation": "other",
        "address_region": district.town, "disease": disease, "classification": "confirmed",
        "onset_date": diagnosed.astimezone(BEIJING).date(), "diagnosed_at": diagnosed,
        "reporting_org": district.hospital, "reporting_doctor": "测试医生", "reported_at": reported,
    }
    values.update(fields)
    return CaseReport.objects.create(**values)
