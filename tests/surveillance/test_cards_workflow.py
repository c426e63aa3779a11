"""The card's workflow: 填报 → 县区疾控审核 / 退卡 → 修改重报; 订正 (a new linked card); 删除 with a reason — every
transition audited and transactional, illegal ones refused in both languages."""

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.utils import timezone

from tests.surveillance.conftest import card_data
from yingji.core.errors import Conflict, InvalidInput, NotPermitted
from yingji.core.roles import Role
from yingji.surveillance.choices import CardStatus, CardType
from yingji.surveillance.models import CaseReport
from yingji.surveillance.services import cards as service


@pytest.fixture
def people(city):
    return {"reporter": city.a.users[Role.REPORTER], "cdc": city.a.users[Role.CDC],
            "city_cdc": city.users[Role.CDC], "other_cdc": city.b.users[Role.CDC],
            "commission": city.a.users[Role.HEALTH_COMMISSION], "admin": city.admin}


@pytest.fixture
def card(city, people):
    return service.submit_card(people["reporter"], card_data(city.a)).card


def history(card):
    return list(LogEntry.objects.get_for_object(card).order_by("timestamp", "pk"))


def test_review_by_the_county_cdc(card, people):
    reviewed = service.review_card(people["cdc"], card)
    assert reviewed.status == CardStatus.REVIEWED
    assert reviewed.reviewed_by == people["cdc"] and reviewed.reviewed_at is not None
    assert reviewed.review_delay_seconds is not None and reviewed.review_delay_seconds >= 3600
    last = history(card)[-1]
    assert last.actor == people["cdc"] and last.changes_dict["status"] == ["submitted", "reviewed"]


def test_the_city_cdc_and_an_administrator_may_review_too(city, people):
    one = service.submit_card(people["reporter"], card_data(city.a, patient_name="甲")).card
    two = service.submit_card(people["reporter"], card_data(city.a, patient_name="乙")).card
    assert service.review_card(people["city_cdc"], one).status == CardStatus.REVIEWED
    assert service.review_card(people["admin"], two).status == CardStatus.REVIEWED


@pytest.mark.parametrize("who", ["reporter", "commission"])
def test_others_within_reach_may_not_review(card, people, who):
    with pytest.raises(NotPermitted) as exc:
        service.review_card(people[who], card)
    assert "疾控" in exc.value.message and "CDC" in exc.value.message_en
    assert CaseReport.objects.get(pk=card.pk).status == CardStatus.SUBMITTED


def test_the_cdc_of_another_district_may_not_review(card, people):
    with pytest.raises(NotPermitted):
        service.review_card(people["other_cdc"], card)


def test_a_card_living_in_one_district_and_reported_in_another_is_reviewed_by_either_cdc(city, people):
    card = service.submit_card(city.b.users[Role.REPORTER], card_data(city.b, address_region=city.a.town.code)).card
    assert service.review_card(people["cdc"], card).status == CardStatus.REVIEWED


def test_reviewing_twice_is_a_conflict(card, people):
    service.review_card(people["cdc"], card)
    with pytest.raises(Conflict) as exc:
        service.review_card(people["cdc"], card)
    assert "已审核" in exc.value.message and "reviewed" in exc.value.message_en


def test_return_with_a_reason_then_the_reporter_edits_and_it_goes_back_for_review(card, people):
    with pytest.raises(InvalidInput) as exc:
        service.return_card(people["cdc"], card, "  ")
    assert "reason" in exc.value.fields
    returned = service.return_card(people["cdc"], card, "现住地址不详")
    assert returned.status == CardStatus.RETURNED and returned.status_reason == "现住地址不详"
    assert returned.status_changed_by == people["cdc"]
    with pytest.raises(Conflict):
        service.review_card(people["cdc"], returned)
    edited = service.update_card(people["reporter"], returned, {"address_detail": "幸福路 2 号 3 室"})
    assert edited.status == CardStatus.SUBMITTED and edited.address_detail == "幸福路 2 号 3 室"
    assert edited.card_number == card.card_number and edited.reported_at == card.reported_at
    assert service.review_card(people["cdc"], edited).status == CardStatus.REVIEWED
    statuses = [e.changes_dict.get("status") for e in history(card) if "status" in e.changes_dict]
    assert statuses == [["None", "submitted"], ["submitted", "returned"], ["returned", "submitted"],
                        ["submitted", "reviewed"]]


def test_an_edit_is_validated_like_a_new_card_and_saves_nothing_when_bad(card, people):
    with pytest.raises(InvalidInput) as exc:
        service.update_card(people["reporter"], card, {"onset_date": (timezone.localdate() + timedelta(days=3))})
    assert "onset_date" in exc.value.fields
    assert CaseReport.objects.get(pk=card.pk).onset_date == card.onset_date


def test_a_reviewed_card_is_not_edited_but_corrected(card, people):
    service.review_card(people["cdc"], card)
    with pytest.raises(Conflict) as exc:
        service.update_card(people["reporter"], CaseReport.objects.get(pk=card.pk), {"notes": "x"})
    assert "订正" in exc.value.message


def test_a_correction_is_a_new_linked_card_and_the_original_is_superseded(card, people):
    service.review_card(people["cdc"], card)
    original = CaseReport.objects.get(pk=card.pk)
    death = timezone.localdate()
    submission = service.correct_card(people["reporter"], original, {"disease": "Y001", "death_date": death},
                                      reason="实验室确诊为新冠")
    correction = submission.card
    assert correction.card_type == CardType.CORRECTION and correction.original_id == card.pk
    assert correction.status == CardStatus.SUBMITTED and correction.disease.code == "Y001"
    assert correction.death_date == death and correction.patient_name == card.patient_name
    assert correction.card_number != card.card_number
    original.refresh_from_db()
    assert original.status == CardStatus.SUPERSEDED and original.status_reason == "实验室确诊为新冠"
    assert original.disease.code == "3500"  # the original keeps what was first reported
    with pytest.raises(Conflict):
        service.correct_card(people["reporter"], original, {"notes": "again"})
    # the correction itself can be reviewed and corrected again
    assert service.review_card(people["cdc"], correction).status == CardStatus.REVIEWED


def test_a_correction_with_its_own_card_number_is_idempotent(card, people):
    first = service.correct_card(people["reporter"], card, {"card_number": "COR-1", "classification": "confirmed"})
    again = service.correct_card(people["reporter"], CaseReport.objects.get(pk=card.pk),
                                 {"card_number": "COR-1", "classification": "confirmed"})
    assert again.replayed and again.card.pk == first.card.pk
    assert CaseReport.objects.filter(card_type=CardType.CORRECTION).count() == 1


def test_a_bad_correction_changes_nothing(card, people):
    with pytest.raises(InvalidInput):
        service.correct_card(people["reporter"], card, {"disease": "nope"})
    assert CaseReport.objects.count() == 1
    assert CaseReport.objects.get(pk=card.pk).status == CardStatus.SUBMITTED


def test_a_reporter_of_another_unit_may_not_correct(card, city):
    with pytest.raises(NotPermitted):
        service.correct_card(city.b.users[Role.REPORTER], card, {"notes": "x"})


def test_delete_with_a_reason_keeps_the_card_and_its_history(card, people):
    with pytest.raises(InvalidInput):
        service.delete_card(people["reporter"], card, "")
    deleted = service.delete_card(people["reporter"], card, "误报：诊断错误")
    assert deleted.status == CardStatus.DELETED and deleted.status_reason == "误报：诊断错误"
    assert deleted.status_changed_by == people["reporter"] and deleted.status_changed_at is not None
    assert CaseReport.objects.filter(pk=card.pk).exists()
    last = history(card)[-1]
    assert last.changes_dict["status"] == ["submitted", "deleted"] and last.actor == people["reporter"]
    for action in (lambda: service.review_card(people["cdc"], deleted),
                   lambda: service.return_card(people["cdc"], deleted, "x"),
                   lambda: service.delete_card(people["cdc"], deleted, "again"),
                   lambda: service.correct_card(people["reporter"], deleted, {"notes": "x"}),
                   lambda: service.update_card(people["reporter"], deleted, {"notes": "x"})):
        with pytest.raises(Conflict):
            action()


def test_once_reviewed_only_the_cdc_deletes(card, people):
    service.review_card(people["cdc"], card)
    with pytest.raises(Conflict) as exc:
        service.delete_card(people["reporter"], CaseReport.objects.get(pk=card.pk), "重报")
    assert "疾控" in exc.value.message
    assert service.delete_card(people["cdc"], CaseReport.objects.get(pk=card.pk), "重报").status == \
        CardStatus.DELETED


def test_leaders_and_commissions_change_nothing(card, people, city):
    for user in (people["commission"], city.a.users[Role.LEADER]):
        for action in (lambda u: service.delete_card(u, card, "x"),
                       lambda u: service.update_card(u, card, {"notes": "x"}),
                       lambda u: service.correct_card(u, card, {"notes": "x"})):
            with pytest.raises(NotPermitted):
                action(user)
    assert CaseReport.objects.get(pk=card.pk).status == CardStatus.SUBMITTED


def test_every_transition_is_audited_with_its_actor(card, people):
    service.return_card(people["cdc"], card, "信息不全")
    service.update_card(people["reporter"], CaseReport.objects.get(pk=card.pk), {"notes": "已补全"})
    service.review_card(people["cdc"], CaseReport.objects.get(pk=card.pk))
    correction = service.correct_card(people["reporter"], CaseReport.objects.get(pk=card.pk), {}).card
    service.delete_card(people["cdc"], correction, "重报")
    actors = [(e.actor.username, e.action) for e in history(card)]
    assert actors == [("rep02", 0), ("cdc02", 1), ("rep02", 1), ("cdc02", 1), ("rep02", 1)]
    assert [e.actor.username for e in history(correction)] == ["rep02", "cdc02"]
