"""Who reads which card (the patient's address OR the reporting unit in reach), and who sees personal data."""

import pytest
from django.utils import timezone

from tests.surveillance.conftest import card_data
from yingji.core.errors import NotFound
from yingji.core.roles import Role
from yingji.core.scoping import get_scoped
from yingji.surveillance.services import cards as service
from yingji.surveillance.services.cards import CardFilter, filter_cards
from yingji.surveillance.services.privacy import PersonalDataPolicy, can_see_personal_data, mask_phone


@pytest.fixture
def cards(city):
    a = service.submit_card(city.a.users[Role.REPORTER], card_data(city.a, patient_name="甲区患者")).card
    b = service.submit_card(city.b.users[Role.REPORTER], card_data(city.b, patient_name="乙区患者")).card
    # reported in 乙 by its hospital, but the patient lives in 甲
    ab = service.submit_card(city.b.users[Role.REPORTER], card_data(city.b, patient_name="住甲报乙",
                                                                   address_region=city.a.town.code)).card
    return {"a": a, "b": b, "ab": ab}


def names(user, **filters):
    return sorted(c.patient_name for c in filter_cards(user, CardFilter(**filters)))


def test_reporters_see_their_own_units_cards(city, cards):
    assert names(city.a.users[Role.REPORTER]) == ["甲区患者"]
    assert names(city.b.users[Role.REPORTER]) == ["乙区患者", "住甲报乙"]


def test_a_reporter_of_another_unit_gets_not_found(city, cards):
    with pytest.raises(NotFound):
        get_scoped(city.a.users[Role.REPORTER], service.cards(), pk=cards["b"].pk)


@pytest.mark.parametrize("role", [Role.CDC, Role.HEALTH_COMMISSION, Role.LEADER])
def test_district_roles_see_cards_by_address_or_unit(city, cards, role):
    assert names(city.a.users[role]) == ["住甲报乙", "甲区患者"]
    assert names(city.b.users[role]) == ["乙区患者", "住甲报乙"]
    with pytest.raises(NotFound):
        get_scoped(city.a.users[role], service.cards(), pk=cards["b"].pk)


def test_a_district_cdc_filtering_for_the_other_district_gets_no_rows(city, cards):
    cdc = city.a.users[Role.CDC]
    assert names(cdc, region=city.b.region.code) == []
    assert names(cdc, org_region=city.b.region.code) == ["住甲报乙"]  # its patient lives here
    assert names(cdc, reporting_org=city.b.hospital.pk) == ["住甲报乙"]
    # the same (test) person filed in both districts: within reach only through the card of a 甲 resident
    assert [sorted(c.patient_name for c in g.cards) for g in service.find_duplicates(cdc)] == [["住甲报乙", "甲区患者"]]


def test_the_city_sees_everything(city, cards):
    assert len(names(city.users[Role.CDC])) == 3 and len(names(city.admin)) == 3


def test_list_filters(city, cards):
    cdc = city.users[Role.CDC]
    assert names(cdc, q="乙区") == ["乙区患者"]
    assert names(cdc, q=cards["a"].card_number) == ["甲区患者"]
    assert names(cdc, q=cards["a"].id_number) == ["乙区患者", "住甲报乙", "甲区患者"]  # same test person
    assert names(city.users[Role.HEALTH_COMMISSION], q=cards["a"].id_number) == []  # may not search by ID
    assert names(cdc, disease="3500", status="submitted", classification="clinical") != []
    assert names(cdc, disease="1000") == []
    assert names(cdc, timeliness="on_time") != [] and names(cdc, timeliness="late") == []
    today = timezone.localdate(cards["a"].reported_at)  # the Beijing date the filter speaks of
    assert len(names(cdc, reported_from=today, reported_to=today)) == 3


# --- personal data ----------------------------------------------------------------------------------------


def test_phone_masking():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("010-6512 3456") == "010-**** 3456"
    assert mask_phone("12") == "**"


@pytest.mark.parametrize(("who", "sees"), [
    (lambda c: c.a.users[Role.CDC], True),
    (lambda c: c.users[Role.CDC], True),
    (lambda c: c.admin, True),
    (lambda c: c.a.users[Role.REPORTER], True),  # the card's own unit
    (lambda c: c.a.users[Role.HEALTH_COMMISSION], False),
    (lambda c: c.a.users[Role.LEADER], False),
    (lambda c: c.users[Role.HEALTH_COMMISSION], False),
])
def test_who_sees_id_numbers_and_phones(city, cards, who, sees):
    user, card = who(city), cards["a"]
    assert can_see_personal_data(user, card) is sees
    policy = PersonalDataPolicy(user)
    if sees:
        assert policy.id_number(card) == card.id_number and policy.phone(card) == card.phone
    else:
        assert policy.id_number(card) == card.id_number[:6] + "********" + card.id_number[-4:]
        assert policy.phone(card) == "138****5678"


def test_a_reporter_does_not_see_the_personal_data_of_another_units_card(city, cards):
    assert not can_see_personal_data(city.a.users[Role.REPORTER], cards["ab"])
    assert can_see_personal_data(city.b.users[Role.REPORTER], cards["ab"])
