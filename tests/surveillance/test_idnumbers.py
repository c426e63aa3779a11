"""Resident ID numbers (GB 11643): check character, birth date and sex, the old 15-digit form, masking — the pure
rule, and the card form that uses it."""

from datetime import date

import pytest

from tests.surveillance.conftest import card_data, make_id
from yingji.core.errors import InvalidInput
from yingji.core.roles import Role
from yingji.surveillance import idnumbers
from yingji.surveillance.services.cards import submit_card

# GB 11643-1999's own example (a man born 1949-12-31 in 北京市东城区).
STANDARD_EXAMPLE = "11010519491231002X"


def test_the_standards_example_with_x_is_valid():
    parsed = idnumbers.parse(STANDARD_EXAMPLE)
    assert parsed.birth_date == date(1949, 12, 31)
    assert parsed.sex == "F"  # sequence 002: even
    assert parsed.address_code == "110105"
    assert idnumbers.parse(STANDARD_EXAMPLE.lower()).number == STANDARD_EXAMPLE


def test_check_characters_computed_for_generated_numbers():
    for seq in range(1, 60):
        number = make_id(date(2001, 2, 28), male=seq % 2 == 0, seq=seq)
        assert idnumbers.parse(number).number == number
    assert any(make_id(date(2001, 2, 28), seq=s).endswith("X") for s in range(1, 60))


def test_a_wrong_check_digit_says_which_it_should_be():
    wrong = STANDARD_EXAMPLE[:-1] + "1"
    with pytest.raises(idnumbers.IdNumberError) as exc:
        idnumbers.parse(wrong)
    assert "“X”" in exc.value.message_zh and "'X'" in exc.value.message_en


@pytest.mark.parametrize("number", ["110105194902300028", "110105187001010018", "110105209912310013"])
def test_a_bad_birth_date_is_refused(number):
    first17 = number[:17]
    with pytest.raises(idnumbers.IdNumberError) as exc:
        idnumbers.parse(first17 + idnumbers.check_character(first17), today=date(2026, 1, 1))
    assert "出生日期" in exc.value.message_zh


def test_the_old_15_digit_form_is_accepted():
    parsed = idnumbers.parse("110105491231002")
    assert parsed.birth_date == date(1949, 12, 31) and parsed.sex == "F"


@pytest.mark.parametrize("number", ["", "12345", "1101051949123100", "11010519491231002Y", "A10105491231002"])
def test_malformed_numbers_are_refused(number):
    with pytest.raises(idnumbers.IdNumberError):
        idnumbers.parse(number)


def test_masking_keeps_the_area_and_the_last_four():
    assert idnumbers.mask(STANDARD_EXAMPLE) == "110105********002X"
    assert idnumbers.mask("110105491231002") == "110105*****1002"
    assert idnumbers.mask("E1234") == "*****"


# --- on the card --------------------------------------------------------------------------------------------


def test_a_card_with_the_standards_example_is_accepted(city):
    card = submit_card(city.a.users[Role.REPORTER], card_data(
        city.a, id_number=STANDARD_EXAMPLE.lower(), sex="F", birth_date="1949-12-31")).card
    assert card.id_number == STANDARD_EXAMPLE


def test_a_card_with_a_15_digit_number_takes_its_birth_date(city):
    data = card_data(city.a, id_number="110105491231002", sex="F")
    del data["birth_date"]
    assert submit_card(city.a.users[Role.REPORTER], data).card.birth_date == date(1949, 12, 31)


@pytest.mark.parametrize(("number", "fragment"), [
    (STANDARD_EXAMPLE[:-1] + "3", "校验码"),
    ("11010519490230002" + idnumbers.check_character("11010519490230002"), "出生日期"),
    ("12345", "格式"),
])
def test_a_card_with_a_bad_number_names_the_fault(city, number, fragment):
    with pytest.raises(InvalidInput) as exc:
        submit_card(city.a.users[Role.REPORTER], card_data(city.a, id_number=number, sex="F", birth_date=""))
    [message] = exc.value.fields["id_number"]
    assert fragment in message["message"] and message["message_en"]
