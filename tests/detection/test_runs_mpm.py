"""The moving percentile method end to end: three years of cards, an outbreak in one county, the default
CIDARS-2008 configuration (P50, by report date, holidays shifted)."""

import itertools
from datetime import date, datetime, time, timedelta

from yingji.detection.models import DetectionConfig, Signal
from yingji.detection.services.defaults import PROFILE_2008
from yingji.detection.services.runs import run_detection
from yingji.detection.services.signals import series_for
from yingji.surveillance.models import CaseReport, Disease

from .factories import SHANGHAI, bj

D = date(2026, 6, 10)  # a Wednesday, no holiday near
_numbers = itertools.count(1)


def history(district, disease, days, *, skip_last: int = 0, extra: dict | None = None):
    """One card every other day for ``days`` days up to D (none in the last ``skip_last`` days), plus ``extra``
    {date: n} more."""
    rows = []
    for offset in range(days):
        day = D - timedelta(days=offset)
        n = (1 if offset % 2 == 0 and offset >= skip_last else 0) + (extra or {}).get(day, 0)
        for _ in range(n):
            reported = datetime.combine(day, time(10), tzinfo=SHANGHAI)
            rows.append(CaseReport(
                card_number=f"MPM-{next(_numbers):07d}", patient_name="患者", sex="F", occupation="student",
                address_region=district.town, disease=disease, classification="clinical",
                onset_date=day - timedelta(days=1), diagnosed_at=reported - timedelta(hours=2),
                reporting_org=district.hospital, reporting_doctor="李医生", reported_at=reported))
    CaseReport.objects.bulk_create(rows)


def test_an_outbreak_over_a_three_year_baseline_signals_with_the_default_mpm(city):
    DetectionConfig.objects.exclude(disease__code="1400", profile=PROFILE_2008).update(active=False)
    scarlet = Disease.objects.get(code="1400")  # 猩红热: MPM in the defaults
    outbreak = {D - timedelta(days=i): 4 for i in range(3)}
    history(city.a, scarlet, 3 * 365 + 40, extra=outbreak)
    history(city.b, scarlet, 3 * 365 + 40, skip_last=7)
    run = run_detection(D, now=bj(2026, 6, 11, 6))
    assert run.problems == [] and run.series_count == 2
    [signal] = Signal.objects.all()
    assert signal.region == city.a.region and signal.method == "cidars_mpm"
    assert signal.observed == 4 + 12  # the 7-day window: 4 background cards and 12 of the outbreak
    assert signal.upper == 4 and signal.expected == 4  # P50 of the 15 same-period windows of 3 years
    assert signal.params["percentile"] == 50
    chart = series_for(signal, days=30)
    assert chart["alarm"][-1] is True and chart["upper"][-1] == 4 and chart["observed"][-1] == 5
    assert chart["problem"] is None


def test_too_little_history_is_a_problem_not_an_alarm(city):
    DetectionConfig.objects.exclude(disease__code="1400", profile=PROFILE_2008).update(active=False)
    scarlet = Disease.objects.get(code="1400")
    history(city.a, scarlet, 200, extra={D: 9})
    run = run_detection(D, now=bj(2026, 6, 11, 6))
    assert not Signal.objects.exists()
    [problem] = run.problems
    assert problem["series"] == "甲区 · 猩红热" and problem["method"] == "cidars_mpm" and problem["message_en"]
    assert run.status == "partial"
