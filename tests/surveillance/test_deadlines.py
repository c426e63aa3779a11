"""Statutory report deadlines for every disease class, at the exact boundary, across midnight in Beijing time, for
a disease without a statutory deadline, and for impossible times — checked both by the rule
(surveillance.deadlines.assess, via services.timeliness.card_timeliness) and by the database count the timeliness
tables use (services.cards.timeliness_q), which must always agree."""

from datetime import timedelta

import pytest

from tests.surveillance.conftest import bj, stored_card
from yingji.surveillance.deadlines import Timeliness, assess
from yingji.surveillance.models import CaseReport
from yingji.surveillance.services.cards import timeliness_q
from yingji.surveillance.services.timeliness import card_timeliness

# (code, what it is, statutory report deadline in hours)
CLASSES = [
    ("0100", "甲类 鼠疫", 2),
    ("0200", "甲类 霍乱", 2),
    ("2700", "乙类甲管 传染性非典型肺炎", 2),
    ("1901", "乙类甲管 肺炭疽", 2),
    ("0900", "乙类 脊髓灰质炎 (2 h recommended default)", 2),
    ("1000", "乙类 麻疹", 24),
    ("1902", "乙类 皮肤炭疽 (not managed as A)", 24),
    ("Y001", "乙类乙管 新型冠状病毒感染", 24),
    ("0302", "乙类 乙型肝炎", 24),
    ("3500", "丙类 流行性感冒", 24),
    ("4000", "丙类 手足口病", 24),
    ("Y010", "新发 不明原因肺炎", 2),
    ("Y011", "新发传染病", 2),
]
DIAGNOSED = bj(2026, 3, 10, 9, 0)


def db_status(card: CaseReport) -> str:
    """What the database count says about this card."""
    found = [s for s in ("on_time", "late", "no_deadline", "invalid")
             if CaseReport.objects.filter(timeliness_q(s), pk=card.pk).exists()]
    assert len(found) == 1, found
    return found[0]


def check(card, expected: Timeliness):
    card = CaseReport.objects.select_related("disease").get(pk=card.pk)
    assert card_timeliness(card).status == expected
    assert db_status(card) == expected


def test_the_catalogue_ships_the_statutory_deadlines(diseases):
    for code, _, hours in CLASSES:
        assert diseases[code].report_deadline_hours == hours, code
    assert diseases["Y020"].report_deadline_hours is None
    assert diseases["0100"].disease_class == "A" and diseases["2700"].managed_as_class_a
    assert diseases["1901"].managed_as_class_a and not diseases["1902"].managed_as_class_a
    assert diseases["3500"].disease_class == "C" and diseases["Y010"].disease_class == "emerging"


@pytest.mark.parametrize(("code", "what", "hours"), CLASSES, ids=[c[0] for c in CLASSES])
def test_exactly_at_the_deadline_is_on_time_and_one_second_more_is_late(city, code, what, hours):
    due = DIAGNOSED + timedelta(hours=hours)
    check(stored_card(city.a, code, DIAGNOSED, due), Timeliness.ON_TIME)
    check(stored_card(city.a, code, DIAGNOSED, due + timedelta(seconds=1)), Timeliness.LATE)
    check(stored_card(city.a, code, DIAGNOSED, DIAGNOSED), Timeliness.ON_TIME)  # at once
    assessment = card_timeliness(stored_card(city.a, code, DIAGNOSED, due))
    assert assessment.deadline == due and assessment.delay == timedelta(hours=hours)


@pytest.mark.parametrize("code", [c[0] for c in CLASSES])
def test_a_report_before_the_diagnosis_is_invalid_not_on_time(city, code):
    check(stored_card(city.a, code, DIAGNOSED, DIAGNOSED - timedelta(minutes=1)), Timeliness.INVALID)


def test_a_disease_without_a_statutory_deadline_has_none(city, diseases):
    # 水痘 (varicella) is reportable locally but has no statutory deadline: 「无法定时限」, never a made-up default.
    for delay in (timedelta(0), timedelta(hours=2, seconds=1), timedelta(days=30)):
        card = stored_card(city.a, "Y020", DIAGNOSED, DIAGNOSED + delay)
        check(card, Timeliness.NO_DEADLINE)
        assert card_timeliness(card).deadline is None
    check(stored_card(city.a, "Y020", DIAGNOSED, DIAGNOSED - timedelta(seconds=1)), Timeliness.INVALID)


def test_a_report_crossing_midnight_in_beijing_is_plain_elapsed_time(city):
    diagnosed, reported = bj(2026, 1, 5, 23, 30), bj(2026, 1, 6, 1, 15)
    card = stored_card(city.a, "0100", diagnosed, reported)
    assert card_timeliness(card).delay == timedelta(hours=1, minutes=45)
    check(card, Timeliness.ON_TIME)
    assert CaseReport.objects.get(pk=card.pk).report_delay_seconds == 6300
    # 23:30 + 2 h = 01:30 the next day: 01:30:01 is late
    check(stored_card(city.a, "2700", diagnosed, bj(2026, 1, 6, 1, 30, 1)), Timeliness.LATE)
    # a 24-hour disease diagnosed late in the evening: due at the same time the next evening
    check(stored_card(city.a, "3500", diagnosed, bj(2026, 1, 6, 23, 30)), Timeliness.ON_TIME)
    check(stored_card(city.a, "3500", diagnosed, bj(2026, 1, 6, 23, 30, 1)), Timeliness.LATE)
    # across the year end
    check(stored_card(city.a, "0200", bj(2025, 12, 31, 23, 59), bj(2026, 1, 1, 1, 59)), Timeliness.ON_TIME)


def test_times_entered_without_a_zone_are_beijing_time(city):
    from yingji.core.roles import Role
    from yingji.surveillance.services.cards import submit_card

    from .conftest import card_data

    card = submit_card(city.a.users[Role.REPORTER], card_data(
        city.a, disease="0100", onset_date="2026-01-05", diagnosed_at="2026-01-05 23:30",
        reported_at="2026-01-06 01:15")).card
    assert card.diagnosed_at == bj(2026, 1, 5, 23, 30)
    assert card.report_delay_seconds == 6300
    check(card, Timeliness.ON_TIME)


def test_an_administrator_changed_deadline_applies_without_code(city, diseases):
    card = stored_card(city.a, "3500", DIAGNOSED, DIAGNOSED + timedelta(hours=13))
    check(card, Timeliness.ON_TIME)
    diseases["3500"].report_deadline_hours = 12
    diseases["3500"].save()
    check(card, Timeliness.LATE)


def test_pending_and_overdue_before_any_report():
    # The pure rule also answers for a report not yet made (used for review: not yet reviewed).
    now = DIAGNOSED + timedelta(hours=1)
    assert assess(DIAGNOSED, None, 2, now=now).status == Timeliness.PENDING
    assert assess(DIAGNOSED, None, 2, now=DIAGNOSED + timedelta(hours=2, seconds=1)).status == Timeliness.OVERDUE
    assert assess(DIAGNOSED, None, None, now=now).status == Timeliness.NO_DEADLINE
