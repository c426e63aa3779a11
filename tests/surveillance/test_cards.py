"""Filing a report card: validation of every field rule (bad input answered per field in Chinese and English, nothing
saved), generated card numbers, and the card number as the idempotency key."""

import re
from datetime import date, timedelta

import pytest
from auditlog.models import LogEntry
from django.utils import timezone

from tests.surveillance.conftest import card_data, make_id
from yingji.core.errors import Conflict, InvalidInput, NotPermitted
from yingji.core.roles import Role
from yingji.surveillance.choices import CardStatus, CardType
from yingji.surveillance.models import CaseReport
from yingji.surveillance.services.cards import submit_card


def rejected(user, data) -> dict:
    """Submit a bad card: it must fail with field errors in both languages and leave no trace."""
    cards, entries = CaseReport.objects.count(), LogEntry.objects.count()
    with pytest.raises(InvalidInput) as exc:
        submit_card(user, data)
    assert CaseReport.objects.count() == cards
    assert LogEntry.objects.count() == entries
    for messages in exc.value.fields.values():
        for m in messages:
            assert re.search(r"[\u4e00-\u9fff]", m["message"]), m  # Chinese
            assert re.search(r"[A-Za-z]{3}", m["message_en"]) and not re.search(r"[\u4e00-\u9fff]", m["message_en"]), m
    return exc.value.fields


def reporter(city):
    return city.a.users[Role.REPORTER]


def test_a_valid_card_is_saved_submitted_with_a_generated_number_and_audited(city):
    submission = submit_card(reporter(city), card_data(city.a))
    card = submission.card
    assert not submission.replayed
    assert card.status == CardStatus.SUBMITTED and card.card_type == CardType.INITIAL
    today = timezone.localtime(card.reported_at).strftime("%Y%m%d")
    assert card.card_number == f"HOS02-{today}-00001"
    assert card.created_by == reporter(city)
    assert card.report_delay_seconds == 2 * 3600  # computed by the database
    second = submit_card(reporter(city), card_data(city.a, patient_name="王芳", id_number="", id_type="none",
                                                   sex="F")).card
    assert second.card_number == f"HOS02-{today}-00002"
    entry = LogEntry.objects.get_for_object(card).get()
    assert entry.action == LogEntry.Action.CREATE and entry.actor == reporter(city)


def test_the_reporting_unit_defaults_to_the_users_own(city):
    data = card_data(city.a)
    del data["reporting_org"]
    assert submit_card(reporter(city), data).card.reporting_org == city.a.hospital


def test_the_birth_date_is_taken_from_the_id_number_when_missing_and_x_is_upper_cased(city):
    number = make_id(date(1990, 2, 3), male=False)
    if not number.endswith("X"):  # find a sequence whose check character is X
        number = next(n for s in range(1, 99) if (n := make_id(date(1990, 2, 3), male=False, seq=s)).endswith("X"))
    data = card_data(city.a, id_number=number.lower(), sex="F")
    del data["birth_date"]
    card = submit_card(reporter(city), data).card
    assert card.birth_date == date(1990, 2, 3) and card.id_number == number


# --- bad input (the list, and the card's other rules) ------------------------------------------------


def test_id_number_with_a_wrong_check_digit(city):
    number = make_id(date(1980, 5, 17))
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    fields = rejected(reporter(city), card_data(city.a, id_number=wrong))
    assert "校验码" in fields["id_number"][0]["message"]
    assert "check character" in fields["id_number"][0]["message_en"]


@pytest.mark.parametrize("field", ["onset_date", "death_date", "birth_date"])
def test_dates_in_the_future(city, field):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    overrides = {field: tomorrow}
    if field == "birth_date":
        overrides.update(id_type="passport", id_number="E12345678")
    fields = rejected(reporter(city), card_data(city.a, **overrides))
    assert field in fields


@pytest.mark.parametrize("field", ["diagnosed_at", "reported_at"])
def test_times_in_the_future(city, field):
    later = (timezone.now() + timedelta(hours=1)).isoformat()
    overrides = {field: later}
    if field == "diagnosed_at":
        overrides["reported_at"] = ""
    fields = rejected(reporter(city), card_data(city.a, **overrides))
    assert field in fields
    assert "晚于现在" in fields[field][0]["message"] and "future" in fields[field][0]["message_en"]


def test_onset_after_diagnosis(city):
    today = timezone.localdate()
    fields = rejected(reporter(city), card_data(
        city.a, onset_date=today.isoformat(),
        diagnosed_at=(timezone.now() - timedelta(days=2)).isoformat()))
    assert fields["onset_date"][0]["message"] == "发病日期不能晚于诊断日期"
    assert fields["onset_date"][0]["message_en"] == "The onset date cannot be after the diagnosis"


def test_report_before_diagnosis(city):
    now = timezone.now()
    fields = rejected(reporter(city), card_data(city.a, diagnosed_at=(now - timedelta(hours=1)).isoformat(),
                                                reported_at=(now - timedelta(hours=2)).isoformat()))
    assert "reported_at" in fields


def test_death_before_onset(city):
    onset = timezone.localdate() - timedelta(days=2)
    fields = rejected(reporter(city), card_data(city.a, death_date=(onset - timedelta(days=1)).isoformat()))
    assert "death_date" in fields


@pytest.mark.parametrize("code", ["9999", "X", ""])
def test_unknown_disease(city, code):
    fields = rejected(reporter(city), card_data(city.a, disease=code))
    assert "disease" in fields


@pytest.mark.parametrize("code", ["990199001", "123", ""])
def test_unknown_region(city, code):
    fields = rejected(reporter(city), card_data(city.a, address_region=code))
    assert "address_region" in fields


def test_address_must_be_a_county_or_town(city):
    fields = rejected(reporter(city), card_data(city.a, address_region=city.city.code))
    assert "县区" in fields["address_region"][0]["message"]


def test_report_from_an_organisation_outside_the_users_scope(city):
    # A reporter reports for their own unit only; a district CDC only for units of its district.
    fields = rejected(reporter(city), card_data(city.a, reporting_org=city.b.hospital.code))
    assert "管辖范围" in fields["reporting_org"][0]["message"]
    assert "jurisdiction" in fields["reporting_org"][0]["message_en"]
    fields = rejected(reporter(city), card_data(city.a, reporting_org=city.a.cdc.code))
    assert "reporting_org" in fields
    fields = rejected(city.a.users[Role.CDC], card_data(city.a, reporting_org=city.b.hospital.code))
    assert "reporting_org" in fields
    assert submit_card(city.a.users[Role.CDC], card_data(city.a)).card.reporting_org == city.a.hospital


def test_unknown_organisation(city):
    assert "reporting_org" in rejected(reporter(city), card_data(city.a, reporting_org="NOPE99"))


def test_birth_date_and_sex_must_agree_with_the_id_number(city):
    fields = rejected(reporter(city), card_data(city.a, birth_date="1980-05-18"))
    assert "birth_date" in fields and "身份证" in fields["birth_date"][0]["message"]
    fields = rejected(reporter(city), card_data(city.a, sex="F"))
    assert "sex" in fields


def test_other_documents_are_free_form_but_not_empty(city):
    card = submit_card(reporter(city), card_data(city.a, id_type="passport", id_number="E1234 5678")).card
    assert card.id_number == "E1234 5678"
    assert "id_number" in rejected(reporter(city), card_data(city.a, id_type="passport", id_number=""))
    assert "id_number" in rejected(reporter(city), card_data(city.a, id_type="resident_id", id_number=""))
    card = submit_card(reporter(city), card_data(city.a, id_type="none", id_number="whatever",
                                                 patient_name="无证者")).card
    assert card.id_number == ""


def test_birth_date_or_age_is_required(city):
    fields = rejected(reporter(city), card_data(city.a, id_type="none", id_number="", birth_date=""))
    assert fields["birth_date"][0]["message"] == "出生日期与年龄至少填写一项"
    card = submit_card(reporter(city), card_data(city.a, id_type="none", id_number="", birth_date="",
                                                 age_value=40)).card
    assert card.age_value == 40 and card.birth_date is None


def test_a_guardian_is_required_under_14(city):
    child = date.today().replace(year=date.today().year - 6)
    data = card_data(city.a, id_number=make_id(child), birth_date=child.isoformat(), occupation="student")
    assert "guardian_name" in rejected(reporter(city), data)
    assert "guardian_name" in rejected(reporter(city), card_data(
        city.a, id_type="none", id_number="", birth_date="", age_value=8, age_unit="month"))
    data["guardian_name"] = "张父"
    assert submit_card(reporter(city), data).card.guardian_name == "张父"


def test_acute_or_chronic_is_required_for_hepatitis_b(city):
    fields = rejected(reporter(city), card_data(city.a, disease="0302"))
    assert "acuteness" in fields
    assert submit_card(reporter(city), card_data(city.a, disease="0302", acuteness="chronic")).card.acuteness == \
        "chronic"


def test_carriers_only_for_diseases_whose_carriers_are_reported(city):
    assert "classification" in rejected(reporter(city), card_data(city.a, classification="carrier"))  # influenza
    card = submit_card(reporter(city), card_data(city.a, disease="0200", classification="carrier")).card
    assert card.classification == "carrier"


def test_a_disease_with_subtypes_needs_the_subtype(city):
    fields = rejected(reporter(city), card_data(city.a, disease="1900"))
    assert "1901" in fields["disease"][0]["message"]


def test_an_inactive_disease_is_refused(city, diseases):
    diseases["3600"].is_active = False
    diseases["3600"].save()
    assert "disease" in rejected(reporter(city), card_data(city.a, disease="3600"))


def test_several_errors_at_once_are_all_reported(city):
    fields = rejected(reporter(city), card_data(city.a, disease="nope", address_region="1", patient_name=""))
    assert {"disease", "address_region", "patient_name"} <= set(fields)


@pytest.mark.parametrize("role", [Role.HEALTH_COMMISSION, Role.LEADER, Role.DISPATCHER])
def test_roles_that_do_not_report_are_refused(city, role):
    with pytest.raises(NotPermitted):
        submit_card(city.a.users[role], card_data(city.a))
    assert not CaseReport.objects.exists()


def test_messages_follow_the_active_language_on_forms(city):
    from django.utils import translation

    from yingji.surveillance.forms import CaseReportForm

    form = CaseReportForm(card_data(city.a, disease="9999"), user=reporter(city))
    with translation.override("en"):
        assert not form.is_valid()
        assert "not in the catalogue" in form.errors["disease"][0]
    with translation.override("zh-hans"):
        assert "不在法定传染病目录中" in str(form.errors.as_data()["disease"][0].messages[0])


# --- card number: the idempotency key --------------------------------------------------------------------------


def test_a_retry_with_the_same_number_and_content_returns_the_first_card(city):
    data = card_data(city.a, card_number="HIS-2026-0001")
    first = submit_card(reporter(city), data)
    again = submit_card(reporter(city), dict(data))
    assert again.replayed and again.card.pk == first.card.pk
    assert CaseReport.objects.count() == 1
    assert LogEntry.objects.get_for_object(first.card).count() == 1


def test_a_retry_without_a_report_time_is_still_the_same_card(city):
    data = card_data(city.a, card_number="HIS-2026-0002", reported_at="")
    first = submit_card(reporter(city), data)
    assert submit_card(reporter(city), dict(data)).card.pk == first.card.pk


def test_equal_content_written_differently_is_the_same_card(city):
    data = card_data(city.a, card_number="HIS-2026-0003")
    first = submit_card(reporter(city), data)
    written = dict(data, sex="M", id_number=data["id_number"].lower(), disease=" 3500 ",
                   diagnosed_at=timezone.localtime(first.card.diagnosed_at).strftime("%Y-%m-%d %H:%M:%S"))
    assert submit_card(reporter(city), written).card.pk == first.card.pk


def test_the_same_number_with_different_content_is_a_conflict(city):
    data = card_data(city.a, card_number="HIS-2026-0004")
    submit_card(reporter(city), data)
    with pytest.raises(Conflict) as exc:
        submit_card(reporter(city), dict(data, patient_name="李四"))
    assert "card_number" in exc.value.fields and "内容不同" in exc.value.message
    assert CaseReport.objects.count() == 1


def test_another_units_card_number_is_a_conflict_that_reveals_nothing(city):
    submit_card(city.b.users[Role.REPORTER], card_data(city.b, card_number="SHARED-1"))
    with pytest.raises(Conflict) as exc:
        submit_card(reporter(city), card_data(city.a, card_number="SHARED-1"))
    assert "乙" not in exc.value.message and "HOS03" not in exc.value.message
