"""KPIs on a constructed set of signals: response rate, median time to response, signals per county per week,
suspected and confirmed shares — per region and period, within the user's jurisdiction."""

from datetime import date, timedelta

import pytest

from yingji.core.errors import InvalidInput
from yingji.core.roles import Role
from yingji.detection.models import Signal
from yingji.detection.services import signals as svc
from yingji.detection.services.kpi import kpis
from yingji.surveillance.models import Disease

from .factories import bj

START = date(2026, 3, 2)  # a Monday; two weeks to 15 March
END = date(2026, 3, 15)
RAISED = bj(2026, 3, 3, 6)


def make(district, method, *, day=START, status_path=(), hours=None):
    signal = Signal.objects.create(
        region=district.region, disease=Disease.objects.get(code="0200"), method=method, signal_date=day,
        observed=3, expected=1, upper=2, raised_at=RAISED, verify_due_at=RAISED + timedelta(hours=24),
        assigned_org=district.cdc)
    user = district.users[Role.CDC]
    at = RAISED + timedelta(hours=hours) if hours is not None else None
    for i, step in enumerate(status_path):
        svc.transition(user, signal, step, note="理由", now=at + timedelta(minutes=i))
    return signal


@pytest.fixture
def constructed(city):
    # 甲区: 4 temporal signals, one per day, different outcomes and response times
    make(city.a, "cidars_mpm", day=START, status_path=["excluded"], hours=1)
    make(city.a, "cidars_mpm", day=START + timedelta(days=1), status_path=["suspected", "excluded"], hours=3)
    make(city.a, "cidars_mpm", day=START + timedelta(days=2), status_path=["suspected", "investigating",
                                                                           "confirmed"], hours=30)
    make(city.a, "cidars_mpm", day=START + timedelta(days=3))  # never verified, overdue
    # 乙区: 2 fixed-threshold signals, verified within 2 h
    make(city.b, "fixed_threshold", status_path=["suspected"], hours=0.5)
    make(city.b, "fixed_threshold", day=START + timedelta(days=20), status_path=["excluded"], hours=0.5)  # outside


def test_kpis_for_the_city(city, constructed):
    report = kpis(city.users[Role.CDC], date_from=START, date_to=END, now=bj(2026, 4, 1, 9))
    total = report.total
    assert (report.counties, report.weeks) == (2, 2.0)
    assert total.signals == 5 and total.per_county_week == 1.25  # 5 / (2 counties × 2 weeks)
    assert total.responded == 4 and total.response_rate == 0.8
    assert total.within_24h_rate == 0.6 and total.within_2h_rate == 0.4  # 1 h, 0.5 h within 2 h; 3 h within 24 h
    assert total.within_due_rate == 0.6
    assert (total.p25_hours, total.median_hours, total.p75_hours) == (0.88, 2.0, 9.75)  # of 0.5, 1, 3, 30 h
    assert total.suspected == 3 and total.suspected_rate == 0.6  # including the one excluded after suspicion
    assert total.confirmed == 1 and total.confirmed_rate == 0.2
    assert total.open == 3 and total.overdue == 1
    assert report.temporal.signals == 4 and report.fixed.signals == 1 and report.fixed.within_2h_rate == 1.0
    by_region = {code: figures for code, _, figures in report.by_region}
    assert by_region["990102"].signals == 4 and by_region["990102"].per_county_week == 2.0
    assert by_region["990103"].response_rate == 1.0


def test_a_district_sees_its_own_figures(city, constructed):
    report = kpis(city.b.users[Role.CDC], date_from=START, date_to=END, now=bj(2026, 4, 1, 9))
    assert report.counties == 1 and report.total.signals == 1 and report.total.per_county_week == 0.5
    assert [code for code, _, _ in report.by_region] == ["990103"]


def test_a_region_filter_and_an_empty_period(city, constructed):
    report = kpis(city.admin, date_from=START, date_to=END, region="990102")
    assert report.total.signals == 4 and report.counties == 1
    empty = kpis(city.admin, date_from=date(2025, 1, 1), date_to=date(2025, 1, 7))
    assert empty.total.signals == 0 and empty.total.response_rate is None and empty.total.median_hours is None


def test_bad_periods_and_regions_are_field_errors(city):
    with pytest.raises(InvalidInput) as caught:
        kpis(city.admin, date_from=END, date_to=START)
    assert "date_to" in caught.value.fields
    with pytest.raises(InvalidInput) as caught:
        kpis(city.admin, date_from=START, date_to=END, region="12")
    assert "region" in caught.value.fields
