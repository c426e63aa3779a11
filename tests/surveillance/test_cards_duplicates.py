"""Duplicate detection (查重): the same person — by document number, or by name + sex + birth date/age without
one — and the same disease, diagnosed within the configurable window; and the merge step."""

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.utils import timezone

from tests.surveillance.conftest import card_data
from yingji.core.errors import Conflict, NotPermitted
from yingji.core.roles import Role
from yingji.surveillance.choices import CardStatus
from yingji.surveillance.models import CaseReport
from yingji.surveillance.services import cards as service


def at(days_ago: float) -> dict:
    """Diagnosis and report times ``days_ago`` days back (reported an hour after diagnosis)."""
    diagnosed = timezone.now().replace(microsecond=0) - timedelta(days=days_ago)
    return {"diagnosed_at": diagnosed.isoformat(), "reported_at": (diagnosed + timedelta(hours=1)).isoformat(),
            "onset_date": timezone.localdate(diagnosed - timedelta(days=1)).isoformat()}


def file(user, district, days_ago=1, **fields):
    return service.submit_card(user, card_data(district, **at(days_ago), **fields)).card


@pytest.fixture
def rep(city):
    return city.a.users[Role.REPORTER]


@pytest.fixture
def cdc(city):
    return city.a.users[Role.CDC]


def groups_of(user, **kw):
    return [sorted(c.pk for c in g.cards) for g in service.find_duplicates(user, **kw)]


def test_same_id_number_and_disease_within_30_days_is_a_duplicate(city, rep, cdc):
    one = file(rep, city.a, days_ago=20)
    two = file(rep, city.a, days_ago=1, patient_name="张 伟")  # another spelling: the ID number decides
    file(rep, city.a, days_ago=5, disease="1000")  # another disease
    assert groups_of(cdc) == [sorted([one.pk, two.pk])]
    [group] = service.find_duplicates(cdc)
    assert group.keep.pk == one.pk  # the first reported
    assert [c.pk for c in service.duplicates_of(cdc, one)] == [two.pk]


def test_outside_the_window_is_not_a_duplicate_and_the_window_is_a_setting(city, rep, cdc, settings):
    file(rep, city.a, days_ago=45)
    file(rep, city.a, days_ago=1)
    assert groups_of(cdc) == []
    settings.YINGJI_DUPLICATE_WINDOW_DAYS = 60
    assert len(groups_of(cdc)) == 1
    assert groups_of(cdc, window_days=10) == []


def test_without_a_document_name_sex_and_birth_date_or_age_decide(city, rep, cdc):
    none = {"id_type": "none", "id_number": ""}
    a1 = file(rep, city.a, days_ago=3, **none, patient_name="王小明", birth_date="1990-01-01")
    a2 = file(rep, city.a, days_ago=2, **none, patient_name="王小明", birth_date="1990-01-01")
    file(rep, city.a, days_ago=2, **none, patient_name="王小明", birth_date="1991-01-01")  # another person
    file(rep, city.a, days_ago=2, **none, patient_name="王小明", birth_date="1990-01-01", sex="F")  # another person
    b1 = file(rep, city.a, days_ago=3, **none, patient_name="赵六", birth_date="", age_value=70)
    b2 = file(rep, city.a, days_ago=1, **none, patient_name="赵六", birth_date="", age_value=70)
    assert sorted(groups_of(cdc)) == sorted([sorted([a1.pk, a2.pk]), sorted([b1.pk, b2.pk])])


def test_only_live_cards_count(city, rep, cdc):
    one = file(rep, city.a, days_ago=2)
    two = file(rep, city.a, days_ago=1)
    service.delete_card(rep, two, "重报")
    assert groups_of(cdc) == []
    three = file(rep, city.a, days_ago=1, notes="再次报告")
    service.correct_card(rep, one, {"classification": "confirmed"})  # the original is superseded
    assert len(groups_of(cdc)) == 1 and three.pk in groups_of(cdc)[0]


def test_merge_keeps_one_card_and_marks_the_other_merged(city, rep, cdc):
    kept = file(rep, city.a, days_ago=2)
    duplicate = file(rep, city.a, days_ago=1)
    merged = service.merge_cards(cdc, duplicate, kept, reason="同一病例重复报告")
    assert merged.status == CardStatus.MERGED and merged.merged_into_id == kept.pk
    assert merged.status_reason == "同一病例重复报告" and merged.status_changed_by == cdc
    assert CaseReport.objects.get(pk=kept.pk).status == CardStatus.SUBMITTED
    assert groups_of(cdc) == []
    entry = LogEntry.objects.get_for_object(duplicate).order_by("-pk").first()
    assert entry.actor == cdc and entry.changes_dict["status"] == ["submitted", "merged"]


def test_earlier_merges_follow_to_the_kept_card(city, rep, cdc):
    first, second, third = (file(rep, city.a, days_ago=d) for d in (3, 2, 1))
    service.merge_cards(cdc, second, third)
    service.merge_cards(cdc, third, first)
    assert CaseReport.objects.get(pk=second.pk).merged_into_id == first.pk


def test_illegal_merges(city, rep, cdc):
    one = file(rep, city.a, days_ago=2)
    other_disease = file(rep, city.a, days_ago=1, disease="1000")
    with pytest.raises(Conflict):
        service.merge_cards(cdc, one, one)
    with pytest.raises(Conflict) as exc:
        service.merge_cards(cdc, other_disease, one)
    assert "疾病不同" in exc.value.message and "different diseases" in exc.value.message_en
    two = file(rep, city.a, days_ago=1)
    service.merge_cards(cdc, two, one)
    with pytest.raises(Conflict):
        service.merge_cards(cdc, CaseReport.objects.get(pk=two.pk), one)  # already merged
    with pytest.raises(Conflict):
        service.merge_cards(cdc, file(rep, city.a), CaseReport.objects.get(pk=two.pk))  # kept is merged
    with pytest.raises(NotPermitted):
        service.merge_cards(rep, file(rep, city.a, days_ago=1.5), one)  # 查重 is the CDC's


def test_duplicates_are_found_only_within_reach(city, rep, cdc):
    b_rep = city.b.users[Role.REPORTER]
    file(b_rep, city.b, days_ago=2)
    file(b_rep, city.b, days_ago=1)
    assert groups_of(cdc) == [] and groups_of(rep) == []
    assert len(groups_of(city.b.users[Role.CDC])) == 1
    assert len(groups_of(city.users[Role.CDC])) == 1
    b_card = CaseReport.objects.first()
    with pytest.raises(NotPermitted):
        service.merge_cards(cdc, b_card, CaseReport.objects.last())
