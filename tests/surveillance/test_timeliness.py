"""Timeliness tables per reporting unit and per county: report timeliness (diagnosis → report) and review
timeliness (report → review), counted in the database, with rates and medians; the period in Beijing days; and
each user sees the units within reach only."""

from datetime import date, timedelta

import pytest

from tests.surveillance.conftest import bj, stored_card
from yingji.core.models import Organisation
from yingji.core.roles import Role
from yingji.surveillance.choices import CardStatus, CardType
from yingji.surveillance.services.timeliness import (
    TableFilter,
    card_review_timeliness,
    card_timeliness,
    describe,
    region_table,
    unit_table,
)

D = bj(2026, 1, 10, 9, 0)
NOW = D + timedelta(days=5, hours=1)


@pytest.fixture
def world(city):
    clinic = Organisation.objects.create(code="CLI02", name="甲区诊所", kind="clinic", region=city.a.town)
    a, b = city.a, city.b
    h = timedelta(hours=1)
    cards = {
        "fast_plague": stored_card(a, "0100", D, D + 1 * h, status="reviewed", reviewed_at=D + 2 * h),
        "late_plague": stored_card(a, "0100", D, D + 3 * h, status="reviewed", reviewed_at=D + 6 * h),
        "flu": stored_card(a, "3500", D, D + 10 * h),  # awaiting review long past 24 h: overdue
        "varicella": stored_card(a, "Y020", D, D + 50 * h),  # no statutory deadline
        "invalid": stored_card(a, "3500", D, D - 1 * h),  # reported before diagnosed
        "deleted": stored_card(a, "3500", D, D + 30 * h, status="deleted"),  # not counted
        "superseded": stored_card(a, "3500", D, D + 5 * h, status="superseded"),  # counted: the first report
        "clinic_late": stored_card(a, "3500", D, D + 25 * h, reporting_org=clinic),
        "b_fast": stored_card(b, "3500", D, D + 2 * h, address_region=a.town),  # lives in 甲, reported in 乙
    }
    cards["correction"] = stored_card(a, "3500", D, D + timedelta(days=5), card_type=CardType.CORRECTION,
                                      original=cards["superseded"])  # awaiting review, not yet due: pending
    return {"clinic": clinic, "cards": cards}


def row(table, code):
    [found] = [r for r in table["rows"] if r["code"] == code]
    return found


def test_per_card_report_and_review_timeliness(world):
    cards = world["cards"]
    assert card_timeliness(cards["fast_plague"]).status == "on_time"
    assert card_timeliness(cards["late_plague"]).status == "late"
    assert card_review_timeliness(cards["late_plague"]).status == "late"  # 3 h for a 2 h review deadline
    assert card_review_timeliness(cards["fast_plague"]).status == "on_time"
    assert card_review_timeliness(cards["flu"], now=NOW).status == "overdue"
    assert card_review_timeliness(cards["correction"], now=NOW).status == "pending"
    described = describe(card_timeliness(cards["late_plague"]))
    assert described == {"status": "late", "label": "迟报", "label_en": "late", "deadline": D + timedelta(hours=2),
                         "delay_hours": 3.0}
    assert describe(card_timeliness(cards["varicella"]))["label"] == "无法定时限"


def test_table_per_reporting_unit(city, world):
    table = unit_table(city.users[Role.CDC], now=NOW)
    assert [r["code"] for r in table["rows"]] == ["CLI02", "HOS02", "HOS03"]
    hospital = row(table, "HOS02")
    assert hospital["name"] == "甲区人民医院" and hospital["region"] == city.a.town.code
    assert {k: hospital[k] for k in ("cards", "on_time", "late", "no_deadline", "invalid")} == {
        "cards": 6, "on_time": 3, "late": 1, "no_deadline": 1, "invalid": 1}
    assert hospital["on_time_rate"] == 0.75
    assert hospital["median_delay_hours"] == 5.0  # 1, 3, 5, 10, 50 h (the invalid card is left out)
    assert {k: hospital[k] for k in ("review_cards", "reviewed", "review_on_time", "review_late",
                                     "review_no_deadline", "review_pending", "review_overdue")} == {
        "review_cards": 6, "reviewed": 2, "review_on_time": 1, "review_late": 1, "review_no_deadline": 1,
        "review_pending": 1, "review_overdue": 2}
    assert hospital["review_on_time_rate"] == 0.25  # 1 of (1 on time + 1 late + 2 overdue)
    assert hospital["review_median_hours"] == 2.0
    clinic = row(table, "CLI02")
    assert (clinic["cards"], clinic["late"], clinic["on_time_rate"], clinic["median_delay_hours"]) == (1, 1, 0.0, 25.0)
    total = table["total"]
    assert (total["cards"], total["on_time"], total["late"], total["no_deadline"], total["invalid"]) == (8, 4, 2, 1, 1)
    assert total["on_time_rate"] == round(4 / 6, 4) and total["name"] == "合计"
    assert total["median_delay_hours"] == 5.0  # 1, 2, 3, 5, 10, 25, 50


def test_table_per_county_by_unit_or_by_address(city, world):
    table = region_table(city.users[Role.CDC], now=NOW)
    assert [(r["code"], r["name"], r["cards"]) for r in table["rows"]] == [("990102", "甲区", 7), ("990103", "乙区", 1)]
    assert row(table, "990102")["on_time_rate"] == 0.6  # 3 on time, 2 late
    by_address = region_table(city.users[Role.CDC], TableFilter(by_address=True), now=NOW)
    assert [(r["code"], r["cards"]) for r in by_address["rows"]] == [("990102", 8)]


def test_each_user_sees_only_the_units_within_reach(city, world):
    a_cdc = unit_table(city.a.users[Role.CDC], now=NOW)
    assert [r["code"] for r in a_cdc["rows"]] == ["CLI02", "HOS02"]  # not 乙's hospital, whose patient lives here
    assert a_cdc["total"]["cards"] == 7
    b_cdc = unit_table(city.b.users[Role.CDC], now=NOW)
    assert [r["code"] for r in b_cdc["rows"]] == ["HOS03"]
    assert [r["code"] for r in unit_table(city.a.users[Role.REPORTER], now=NOW)["rows"]] == ["HOS02"]
    assert [r["code"] for r in region_table(city.a.users[Role.LEADER], now=NOW)["rows"]] == ["990102"]
    assert unit_table(city.a.users[Role.CDC], TableFilter(region=city.b.region.code), now=NOW)["rows"] == []
    assert unit_table(city.a.users[Role.DISPATCHER], now=NOW)["rows"] == []


def test_filters_by_disease_and_by_report_day_in_beijing_time(city, world):
    plague = unit_table(city.users[Role.CDC], TableFilter(disease="0100"), now=NOW)
    assert [(r["code"], r["cards"], r["on_time"], r["late"]) for r in plague["rows"]] == [("HOS02", 2, 1, 1)]
    a = city.a
    stored_card(a, "3500", bj(2026, 1, 31, 20, 0), bj(2026, 1, 31, 23, 59, 59))
    stored_card(a, "3500", bj(2026, 1, 31, 20, 0), bj(2026, 2, 1, 0, 0))
    january = unit_table(city.users[Role.CDC], TableFilter(date_from=date(2026, 1, 31), date_to=date(2026, 1, 31)),
                         now=NOW)
    assert january["total"]["cards"] == 1
    february = unit_table(city.users[Role.CDC], TableFilter(date_from=date(2026, 2, 1)), now=NOW)
    assert february["total"]["cards"] == 1
    early = unit_table(city.users[Role.CDC], TableFilter(date_to=date(2026, 1, 10)), now=NOW)
    assert early["total"]["cards"] == 6  # reported on 10 January: 1, 2, 3, 5 and 10 h, and the invalid one


def test_an_empty_period_gives_no_rows_and_empty_rates(city, world):
    table = unit_table(city.users[Role.CDC], TableFilter(date_from=date(2030, 1, 1)), now=NOW)
    assert table["rows"] == []
    assert table["total"]["cards"] == 0 and table["total"]["on_time_rate"] is None
    assert table["total"]["median_delay_hours"] is None


def test_reviewed_card_statuses_count_once_returned_cards_leave_the_review_queue(city, world):
    card = world["cards"]["flu"]
    card.status = CardStatus.RETURNED
    card.save()
    hospital = row(unit_table(city.users[Role.CDC], now=NOW), "HOS02")
    assert hospital["review_overdue"] == 1 and hospital["review_cards"] == 5
    assert hospital["cards"] == 6  # still counted for report timeliness
