"""Cases, contacts and quarantine (services/contacts.py): computed and overridden periods, bad input saves nothing,
contacts becoming cases, test results, masking by role, the transmission graph and the KPIs."""

from datetime import date, datetime, timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from tests.response.factories import make_event
from yingji.core.errors import InvalidInput, NotPermitted
from yingji.core.roles import Role
from yingji.response.models import Contact, EventCase, FollowUp, Quarantine
from yingji.response.models import TestResult as SampleResult
from yingji.response.services import contacts as svc
from yingji.response.services import followups as fsvc
from yingji.surveillance import idnumbers

TODAY = date(2026, 3, 10)


def id_number(address="990102", birth="19900101", seq="123"):
    first = address + birth + seq
    return first + idnumbers.check_character(first)


def case_data(city, **extra):
    return {"name": "张三", "region": city.a.town.code, "onset_date": date(2026, 3, 1),
            "reported_on": date(2026, 3, 3), "isolated_on": date(2026, 3, 3), "isolation_place": "市传染病医院",
            "phone": "13812345678", "id_number": id_number(), **extra}


def contact_data(case, **extra):
    return {"source_case": case.pk, "name": "李四", "contact_type": "household", "region": case.region_id,
            "last_exposure": date(2026, 3, 2), "mode": "centralized", "place": "集中隔离点一",
            "phone": "13900001111", "id_number": id_number(seq="124"), **extra}


@pytest.fixture
def event(city):
    return make_event(city, "a")


@pytest.fixture
def cdc(city):
    return city.a.users[Role.CDC]


@pytest.fixture
def case(event, cdc, city):
    return svc.add_case(cdc, event, case_data(city), today=TODAY)


def errors_of(exc) -> dict:
    return exc.value.fields


def test_add_case_by_hand(case, event):
    assert case.event == event and case.number == f"C{case.pk}"
    assert case.isolated_on == date(2026, 3, 3) and case.sex == "M"  # sex from the ID number


def test_add_case_from_report_card(city, event, cdc):
    from tests.surveillance.conftest import card_data
    from yingji.surveillance.services.cards import submit_card

    card = submit_card(city.a.users[Role.REPORTER], card_data(city.a, patient_name="王五")).card
    case = svc.add_case(cdc, event, {"case_report": card.pk})
    assert case.case_report == card and case.name == "王五" and case.region_id == card.address_region_id
    assert case.onset_date == card.onset_date
    with pytest.raises(InvalidInput) as exc:
        svc.add_case(cdc, event, {"case_report": card.pk})
    assert "case_report" in errors_of(exc)


def test_case_bad_input(cdc, event, city):
    with pytest.raises(InvalidInput) as exc:
        svc.add_case(cdc, event, case_data(city, name="", region="123", id_number="990102199001011230",
                                           onset_date=TODAY + timedelta(days=1)), today=TODAY)
    fields = errors_of(exc)
    assert {"name", "region", "id_number", "onset_date"} <= set(fields)
    assert all(m["message"] and m["message_en"] for ms in fields.values() for m in ms)
    assert not EventCase.objects.exists()


def test_contact_with_computed_quarantine(cdc, event, case):
    contact = svc.add_contact(cdc, event, contact_data(case), today=TODAY)
    q = contact.quarantine
    assert (q.start_date, q.end_date, q.period_days) == (date(2026, 3, 3), date(2026, 3, 16), 14)
    assert not q.overridden and q.mode == "centralized"
    assert svc.contact_status(contact, TODAY) == "under_followup"


@override_settings(YINGJI_RESPONSE_QUARANTINE_DAYS=21, YINGJI_RESPONSE_QUARANTINE_DAYS_BY_MODE={"home": 7})
def test_configured_period(cdc, event, case):
    home = svc.add_contact(cdc, event, contact_data(case, mode="home"), today=TODAY)
    centralized = svc.add_contact(cdc, event, contact_data(case, name="赵六", id_number=""), today=TODAY)
    assert home.quarantine.end_date == date(2026, 3, 9) and centralized.quarantine.end_date == date(2026, 3, 23)


def test_override_with_reason(cdc, event, case):
    contact = svc.add_contact(cdc, event, contact_data(case, end_date=date(2026, 3, 20),
                                                       override_reason="专家建议延长"), today=TODAY)
    q = contact.quarantine
    assert q.overridden and q.end_date == date(2026, 3, 20) and q.computed_end == date(2026, 3, 16)
    assert q.override_reason == "专家建议延长"


@pytest.mark.parametrize(("extra", "field"), [
    ({"last_exposure": date(2026, 3, 4)}, "last_exposure"),  # after the source case's isolation (3 March)
    ({"last_exposure": TODAY + timedelta(days=1)}, "last_exposure"),  # future
    ({"end_date": date(2026, 3, 1), "override_reason": "x"}, "end_date"),  # end before start
    ({"end_date": date(2026, 3, 20)}, "override_reason"),  # override without a reason
    ({"contact_type": "nonsense"}, "contact_type"),
    ({"mode": "hotel"}, "mode"),
    ({"id_number": "12345"}, "id_number"),
    ({"phone": "abc"}, "phone"),
    ({"source_case": 999999}, "source_case"),
])
def test_contact_bad_input_saves_nothing(cdc, event, case, extra, field):
    with pytest.raises(InvalidInput) as exc:
        svc.add_contact(cdc, event, contact_data(case, **extra), today=TODAY)
    assert field in errors_of(exc), errors_of(exc)
    message = errors_of(exc)[field][0]
    assert message["message"] and message["message_en"] and message["message"] != message["message_en"]
    assert not Contact.objects.exists() and not Quarantine.objects.exists()


def test_isolation_before_a_known_exposure_is_refused(cdc, event, case):
    svc.add_contact(cdc, event, contact_data(case, last_exposure=date(2026, 3, 3)), today=TODAY)
    with pytest.raises(InvalidInput) as exc:
        svc.update_case_isolation(cdc, case, isolated_on=date(2026, 3, 2), today=TODAY)
    assert "isolated_on" in errors_of(exc)
    case.refresh_from_db()
    assert case.isolated_on == date(2026, 3, 3)


def test_outside_jurisdiction_and_read_only(city, event, case):
    other = city.b.users[Role.CDC]
    with pytest.raises(NotPermitted):
        svc.add_contact(other, event, contact_data(case), today=TODAY)
    with pytest.raises(NotPermitted):
        svc.add_case(city.a.users[Role.LEADER], event, case_data(city), today=TODAY)
    assert Contact.objects.count() == 0 and EventCase.objects.count() == 1


def test_change_quarantine_drops_pending_followups_outside(cdc, event, case):
    contact = svc.add_contact(cdc, event, contact_data(case), today=TODAY)
    fsvc.generate_range(date(2026, 3, 3), date(2026, 3, 16))
    assert contact.followups.count() == 14
    svc.set_quarantine(cdc, contact, {"mode": "home", "end_date": date(2026, 3, 10), "override_reason": "提前"},
                       today=TODAY)
    assert contact.followups.count() == 8
    with pytest.raises(InvalidInput):
        svc.set_quarantine(cdc, contact, {"mode": "home", "end_date": date(2026, 3, 1), "override_reason": "x"})
    contact.quarantine.refresh_from_db()
    assert contact.quarantine.end_date == date(2026, 3, 10)


def test_contact_becomes_case_and_graph(cdc, event, case):
    contact = svc.add_contact(cdc, event, contact_data(case), today=TODAY)
    fsvc.generate_range(date(2026, 3, 3), date(2026, 3, 16))
    second = svc.contact_becomes_case(cdc, contact, {"onset_date": date(2026, 3, 6), "reported_on": date(2026, 3, 7),
                                                     "isolated_on": date(2026, 3, 7)}, today=TODAY)
    contact.refresh_from_db()
    assert contact.became_case == second and second.name == "李四"
    assert contact.quarantine.status == "became_case" and contact.quarantine.stopped_on == date(2026, 3, 7)
    assert contact.followups.filter(date__gte=date(2026, 3, 7)).count() == 0
    assert contact.followups.count() == 4
    with pytest.raises(InvalidInput):
        svc.contact_becomes_case(cdc, contact, {}, today=TODAY)
    graph = svc.transmission_graph(event, today=TODAY)
    ids = {n["id"] for n in graph["nodes"]}
    assert {f"case-{case.pk}", f"case-{second.pk}", f"contact-{contact.pk}"} <= ids
    assert {"source": f"case-{case.pk}", "target": f"contact-{contact.pk}", "kind": "exposure"} in graph["links"]
    assert {"source": f"contact-{contact.pk}", "target": f"case-{second.pk}", "kind": "became_case"} in graph["links"]
    assert "13900001111" not in str(graph) and contact.id_number not in str(graph)


def test_secondary_contact(cdc, event, case):
    first = svc.add_contact(cdc, event, contact_data(case), today=TODAY)
    second = svc.add_contact(cdc, event, contact_data(case, name="次密接", id_number="", source_contact=first.pk,
                                                      mode="home"), today=TODAY)
    assert second.level == "secondary" and second.source_contact == first
    graph = svc.transmission_graph(event, today=TODAY)
    assert {"source": f"contact-{first.pk}", "target": f"contact-{second.pk}", "kind": "exposure"} in graph["links"]


def test_release(cdc, event, case):
    contact = svc.add_contact(cdc, event, contact_data(case), today=TODAY)
    fsvc.generate_range(date(2026, 3, 3), date(2026, 3, 16))
    with pytest.raises(InvalidInput):
        svc.release_contact(cdc, contact, on=date(2026, 3, 8), reason="", today=TODAY)
    svc.release_contact(cdc, contact, on=date(2026, 3, 8), reason="排除密接", today=TODAY)
    assert svc.contact_status(contact, TODAY) == "released"
    assert contact.followups.count() == 5
    assert fsvc.generate_followups(date(2026, 3, 9)) == 0


def test_test_results(cdc, event, case):
    contact = svc.add_contact(cdc, event, contact_data(case), today=TODAY)
    t = svc.add_test_result(cdc, event, {"contact": contact.pk, "sample_date": date(2026, 3, 4), "method": "pcr",
                                         "result": "negative", "result_date": date(2026, 3, 5)}, today=TODAY)
    assert t.contact == contact and t.result == "negative"
    svc.add_test_result(cdc, event, {"case": case.pk, "sample_date": date(2026, 3, 3), "method": "pcr",
                                     "result": "positive"}, today=TODAY)
    with pytest.raises(InvalidInput) as exc:
        svc.add_test_result(cdc, event, {"contact": contact.pk, "sample_date": date(2026, 3, 6), "method": "xray",
                                         "result_date": date(2026, 3, 5)}, today=TODAY)
    assert {"method", "result_date"} <= set(errors_of(exc))
    with pytest.raises(InvalidInput):
        svc.add_test_result(cdc, event, {"sample_date": date(2026, 3, 6), "method": "pcr"}, today=TODAY)
    assert SampleResult.objects.count() == 2


def test_masking_by_role(city, cdc, event, case):
    contact = svc.add_contact(cdc, event, contact_data(case), today=TODAY)
    full = svc.PersonalData(cdc)
    assert full.id_number(contact) == contact.id_number and full.phone(contact) == "13900001111"
    for role in (Role.HEALTH_COMMISSION, Role.LEADER):
        masked = svc.PersonalData(city.a.users[role])
        assert masked.phone(contact) == "139****1111"
        assert masked.id_number(contact) == idnumbers.mask(contact.id_number) != contact.id_number
    assert svc.PersonalData(city.admin).allows(contact)
    # a reporter of the team's unit that follows the contact sees the phone to call them
    reporter = city.a.users[Role.REPORTER]
    assert not svc.PersonalData(reporter).allows(contact)
    fsvc.save_team(cdc, {"name": "甲区随访一组", "organisation": reporter.organisation_id,
                         "regions": [city.a.region.code]})
    fsvc.generate_followups(date(2026, 3, 4))
    assert svc.PersonalData(reporter).allows(contact)


def test_summary_kpis(cdc, event, case, city):
    fsvc.save_team(cdc, {"name": "甲区随访组", "organisation": city.a.cdc.pk, "regions": [city.a.region.code]})
    seen = svc.add_contact(cdc, event, contact_data(case), today=TODAY)
    lost = svc.add_contact(cdc, event, contact_data(case, name="失访者", id_number=""), today=TODAY)
    svc.add_contact(cdc, event, contact_data(case, name="居家", id_number="", mode="home"), today=TODAY)
    fsvc.generate_range(date(2026, 3, 3), TODAY)
    Contact.objects.update(created_at=timezone.make_aware(datetime(2026, 3, 2, 12)))  # registered on 2 March
    for f in FollowUp.objects.filter(contact=seen):
        fsvc.record_followup(cdc, f, {"status": "seen", "temperature": "36.6"}, today=TODAY)
    for f in FollowUp.objects.filter(contact=lost, date__lt=date(2026, 3, 9)):
        fsvc.record_followup(cdc, f, {"status": "seen"}, today=TODAY)
    became = svc.add_contact(cdc, event, contact_data(case, name="转病例", id_number=""), today=TODAY)
    svc.contact_becomes_case(cdc, became, {"reported_on": date(2026, 3, 9)}, today=TODAY)
    s = svc.event_contact_summary(event, today=TODAY)
    assert s["cases"] == 2 and s["contacts"] == 4
    assert s["under_followup"] == 3 and s["centralized"] == 2 and s["home"] == 1
    assert s["due_today"] == 3 and s["recorded_today"] == 1 and s["seen_today"] == 1
    assert s["completion_rate_today"] == pytest.approx(1 / 3)
    # not seen on 9 and 10 March (2 days): "lost" and the home contact never seen
    assert s["not_seen_days"] == 2 and s["not_seen"] == 2 and s["lost_to_followup"] == 2
    # new cases in the last 14 days: the first case and the one that was a contact
    assert s["new_cases"] == 2 and s["new_cases_among_contacts"] == 1 and s["share_among_contacts"] == 0.5
    assert set(svc.not_seen_for(Contact.objects.all(), TODAY).values_list("name", flat=True)) == {"失访者", "居家"}
    from yingji.response.api.contacts import filter_contacts

    assert filter_contacts(Contact.objects.all(), status="not_seen", today=TODAY).count() == 2
    with override_settings(YINGJI_RESPONSE_NOT_SEEN_DAYS=1, YINGJI_RESPONSE_AMONG_CONTACTS_DAYS=3):
        s = svc.event_contact_summary(event, today=TODAY)
        assert s["not_seen"] == 2 and s["new_cases"] == 1 and s["share_among_contacts"] == 1.0


def test_summary_empty(event):
    s = svc.event_contact_summary(event, today=TODAY)
    assert s["completion_rate_today"] is None and s["share_among_contacts"] is None and s["under_followup"] == 0


def test_registered_today_is_not_lost_and_gets_todays_followup(cdc, event, case):
    contact = svc.add_contact(cdc, event, contact_data(case), today=TODAY)
    assert list(contact.followups.values_list("date", flat=True)) == [TODAY]  # on today's work list at once
    s = svc.event_contact_summary(event, today=TODAY)
    assert s["under_followup"] == 1 and s["not_seen"] == 0  # registered today: not yet "not seen for 2 days"


def test_passport_is_not_checked_as_a_resident_id(cdc, event, case):
    contact = svc.add_contact(cdc, event, contact_data(case, id_type="passport", id_number="E12345678", sex="F"),
                              today=TODAY)
    assert contact.id_number == "E12345678"
    with pytest.raises(InvalidInput) as exc:
        svc.add_contact(cdc, event, contact_data(case, id_type="resident_id", id_number="E12345678"), today=TODAY)
    assert "id_number" in errors_of(exc)
    with pytest.raises(InvalidInput) as exc:
        svc.add_contact(cdc, event, contact_data(case, id_type="alien"), today=TODAY)
    assert "id_type" in errors_of(exc)
