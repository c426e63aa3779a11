"""Daily follow-ups (services/followups.py): generated once per contact and day, assigned to teams by area, stopping
at the quarantine's end; recording with bad input refused; the daily job; the 24-hour investigation task of a case."""

from datetime import date

import pytest

from tests.response.factories import make_event
from yingji.core.errors import InvalidInput, NotPermitted
from yingji.core.models import Region
from yingji.core.roles import Role
from yingji.response.choices import EventStatus
from yingji.response.models import FollowUp
from yingji.response.services import contacts as svc
from yingji.response.services import followups as fsvc

TODAY = date(2026, 3, 20)  # after the observation of the contacts below: nothing generated when added


@pytest.fixture
def cdc(city):
    return city.a.users[Role.CDC]


@pytest.fixture
def event(city):
    return make_event(city, "a")


@pytest.fixture
def case(event, cdc, city):
    return svc.add_case(cdc, event, {"name": "病例一", "region": city.a.town.code, "reported_on": date(2026, 3, 2),
                                     "isolated_on": date(2026, 3, 3)}, today=TODAY)


def add(cdc, event, case, region, name="密接", **extra):
    data = {"source_case": case.pk, "name": name, "contact_type": "colleague", "region": region,
            "last_exposure": date(2026, 3, 1), "mode": "home", **extra}
    return svc.add_contact(cdc, event, data, today=TODAY)


def test_generation_is_idempotent_and_stops_at_end(cdc, event, case, city):
    contact = add(cdc, event, case, city.a.town.code)  # observed 2–15 March
    assert fsvc.generate_followups(date(2026, 3, 1)) == 0  # the exposure day itself is not observed
    assert fsvc.generate_followups(date(2026, 3, 2)) == 1
    assert fsvc.generate_followups(date(2026, 3, 2)) == 0
    assert fsvc.generate_range(date(2026, 3, 1), date(2026, 3, 31)) == 13
    assert fsvc.generate_range(date(2026, 3, 1), date(2026, 3, 31)) == 0
    days = list(contact.followups.values_list("date", flat=True))
    assert days[0] == date(2026, 3, 2) and days[-1] == date(2026, 3, 15) and len(days) == 14
    assert all(f.status == "pending" for f in contact.followups.all())


def test_ended_event_generates_nothing(cdc, event, case, city):
    add(cdc, event, case, city.a.town.code)
    event.status = EventStatus.ENDED
    event.save()
    assert fsvc.generate_followups(date(2026, 3, 5)) == 0


def test_assignment_by_area(cdc, event, case, city):
    district_team = fsvc.save_team(cdc, {"name": "区随访组", "organisation": city.a.cdc.pk,
                                         "regions": [city.a.region.code]})
    town_team = fsvc.save_team(cdc, {"name": "街道随访组", "organisation": city.a.hospital.code,
                                     "regions": [city.a.town.code]})
    other_town = Region.objects.create(code=f"{city.a.region.code}002", name="甲区第二街道", parent=city.a.region)
    in_town = add(cdc, event, case, city.a.town.code, name="街道居民")
    elsewhere = add(cdc, event, case, other_town.code, name="二街道居民")
    outside = add(cdc, event, case, city.b.town.code, name="乙区居民")
    fsvc.generate_followups(date(2026, 3, 5))
    assert in_town.followups.get().team == town_team  # the most specific team covering the address
    assert elsewhere.followups.get().team == district_team  # a town without its own team: the district's
    assert outside.followups.get().team is None  # nobody covers it: unassigned, still generated


def test_round_robin_among_teams_of_one_area(cdc, event, case, city):
    one = fsvc.save_team(cdc, {"name": "一组", "organisation": city.a.cdc.pk, "regions": [city.a.town.code]})
    two = fsvc.save_team(cdc, {"name": "二组", "organisation": city.a.cdc.pk, "regions": [city.a.town.code]})
    for i in range(4):
        add(cdc, event, case, city.a.town.code, name=f"密接{i}")
    fsvc.generate_followups(date(2026, 3, 5))
    teams = list(FollowUp.objects.values_list("team_id", flat=True))
    assert sorted(teams) == sorted([one.pk, one.pk, two.pk, two.pk])


def test_inactive_team_is_skipped(cdc, event, case, city):
    team = fsvc.save_team(cdc, {"name": "停用组", "organisation": city.a.cdc.pk, "regions": [city.a.town.code]})
    fsvc.save_team(cdc, {"name": "停用组", "organisation": city.a.cdc.pk, "regions": [city.a.town.code],
                         "active": False}, instance=team)
    contact = add(cdc, event, case, city.a.town.code)
    fsvc.generate_followups(date(2026, 3, 5))
    assert contact.followups.get().team is None


def test_team_bad_input_and_scope(cdc, city):
    with pytest.raises(InvalidInput) as exc:
        fsvc.save_team(cdc, {"name": "", "organisation": "NOPE", "regions": ["000000"]})
    assert {"name", "organisation", "regions"} <= set(exc.value.fields)
    with pytest.raises(NotPermitted):
        fsvc.save_team(cdc, {"name": "越权", "organisation": city.b.cdc.pk, "regions": [city.b.region.code]})
    fsvc.save_team(cdc, {"name": "组", "organisation": city.a.cdc.pk, "regions": [city.a.region.code]})
    with pytest.raises(InvalidInput):
        fsvc.save_team(cdc, {"name": "组", "organisation": city.a.cdc.pk, "regions": [city.a.region.code]})


def test_record(cdc, event, case, city):
    contact = add(cdc, event, case, city.a.town.code)
    fsvc.generate_range(date(2026, 3, 2), TODAY)
    f = contact.followups.get(date=date(2026, 3, 5))
    fsvc.record_followup(cdc, f, {"status": "seen", "temperature": "37.35", "symptoms": "咳嗽"}, today=TODAY)
    f.refresh_from_db()
    assert f.status == "seen" and str(f.temperature) == "37.4" and f.recorded_by == cdc and f.recorded_at


@pytest.mark.parametrize(("data", "field"), [
    ({"status": "maybe"}, "status"),
    ({"status": "seen", "temperature": "hot"}, "temperature"),
    ({"status": "seen", "temperature": "45"}, "temperature"),
    ({"status": "seen", "temperature": "30"}, "temperature"),
    ({"status": "not_seen", "temperature": "36.5"}, "temperature"),
])
def test_record_bad_input(cdc, event, case, city, data, field):
    contact = add(cdc, event, case, city.a.town.code)
    fsvc.generate_followups(date(2026, 3, 5))
    f = contact.followups.get()
    with pytest.raises(InvalidInput) as exc:
        fsvc.record_followup(cdc, f, data, today=TODAY)
    assert field in exc.value.fields and exc.value.fields[field][0]["message_en"]
    f.refresh_from_db()
    assert f.status == "pending" and f.temperature is None


def test_future_followup_cannot_be_recorded(cdc, event, case, city):
    contact = add(cdc, event, case, city.a.town.code)
    fsvc.generate_followups(date(2026, 3, 12))
    with pytest.raises(InvalidInput):
        fsvc.record_followup(cdc, contact.followups.get(), {"status": "seen"}, today=date(2026, 3, 10))


def test_team_reporter_records_own_list_only(cdc, event, case, city):
    reporter = city.a.users[Role.REPORTER]
    fsvc.save_team(cdc, {"name": "医院随访组", "organisation": reporter.organisation_id,
                         "regions": [city.a.town.code]})
    mine = add(cdc, event, case, city.a.town.code)
    other = add(cdc, event, case, city.b.town.code, name="他人")
    fsvc.generate_followups(date(2026, 3, 5))
    assert list(fsvc.followups_of(reporter)) == [mine.followups.get()]
    fsvc.record_followup(reporter, mine.followups.get(), {"status": "not_seen"}, today=TODAY)
    with pytest.raises(NotPermitted):
        fsvc.record_followup(reporter, other.followups.get(), {"status": "seen"}, today=TODAY)
    with pytest.raises(NotPermitted):
        fsvc.record_followup(city.a.users[Role.LEADER], mine.followups.get(), {"status": "seen"}, today=TODAY)


def test_daily_job(cdc, event, city):
    from django.utils import timezone

    from yingji.response.tasks import generate_daily_followups

    today = timezone.localdate()
    case = svc.add_case(cdc, event, {"name": "未隔离病例", "region": city.a.town.code})
    contact = svc.add_contact(cdc, event, {"source_case": case.pk, "name": "今日", "contact_type": "household",
                                           "region": city.a.town.code, "last_exposure": today, "mode": "home",
                                           "start_date": today, "override_reason": "当日起观察"})
    assert contact.followups.count() == 1  # made when the contact was registered
    FollowUp.objects.all().delete()
    assert generate_daily_followups.delay().get() == 1
    assert generate_daily_followups.delay().get() == 0
    assert contact.followups.get().date == today


def test_case_makes_investigation_task(cdc, event, case):
    from yingji.response.models import Task

    assert Task.objects.filter(event=event, rule="epi_investigation").count() == 1
