"""Emergency events (services.events): opening by hand, from a signal, from an event report; response-level
history (escalation and de-escalation, reasons, rank); status and closure; affected regions; jurisdiction."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.detection.test_pages import make_signal
from tests.response.factories import make_event
from yingji.core.audit import history_for
from yingji.core.errors import Conflict, InvalidInput, NotFound, NotPermitted, YingjiError
from yingji.core.roles import Role
from yingji.detection.choices import SignalStatus
from yingji.response.choices import LEVEL_RANK, EventOrigin, EventStatus, ResponseLevel
from yingji.response.models import Event, LevelChange
from yingji.response.services import events as svc

NOW = timezone.now()


def cdc(city, where="a"):
    return getattr(city, where).users[Role.CDC]


def open_event(city, where="a", **fields):
    values = {"title": "甲区学校诺如病毒暴发", "category": "infectious_outbreak", "region": city.a.region.code,
              "occurred_at": NOW - timedelta(hours=3)}
    values.update(fields)
    return svc.create_event(cdc(city, where), **values)


# --- opening ---------------------------------------------------------------------------------------------------


def test_an_event_by_hand_gets_a_number_of_its_region_and_year(city):
    first = open_event(city)
    second = open_event(city, title="另一事件")
    year = timezone.localtime(NOW - timedelta(hours=3)).year
    assert first.number == f"SJ-990102-{year}-0001" and second.number == f"SJ-990102-{year}-0002"
    assert (first.status, first.response_level, first.origin) == ("started", "none", EventOrigin.MANUAL)
    assert first.lead_org == city.a.cdc and first.created_by == cdc(city)
    assert list(first.affected_regions.values_list("code", flat=True)) == ["990102"]
    assert history_for(first).count() >= 1


def test_affected_regions_must_lie_within_the_event_region(city):
    with pytest.raises(InvalidInput) as caught:
        open_event(city, affected_regions=[city.a.town.code, city.b.town.code])
    assert "affected_regions" in caught.value.fields
    assert caught.value.fields["affected_regions"][0]["message_en"].startswith("The affected region")
    assert Event.objects.count() == 0
    event = open_event(city, affected_regions=[city.a.town.code])
    assert list(event.affected_regions.values_list("code", flat=True)) == [city.a.town.code]
    with pytest.raises(InvalidInput):
        svc.set_affected_regions(cdc(city), event, [city.b.region.code])
    assert list(event.affected_regions.values_list("code", flat=True)) == [city.a.town.code]


def test_bad_input_is_reported_field_by_field_and_nothing_is_saved(city):
    with pytest.raises(InvalidInput) as caught:
        svc.create_event(cdc(city), title=" ", category="nonsense", region="123", grade="not_emergency",
                         occurred_at=NOW + timedelta(days=1), disease="nope")
    fields = caught.value.fields
    assert {"title", "category", "region", "grade", "occurred_at", "disease"} <= set(fields)
    assert all(m["message"] and m["message_en"] for ms in fields.values() for m in ms)
    assert Event.objects.count() == 0


def test_a_district_user_cannot_open_an_event_in_another_district_or_a_read_only_role_at_all(city):
    with pytest.raises((NotPermitted, InvalidInput)):
        open_event(city, region=city.b.region.code)  # 甲's CDC, 乙's region (its lead org is outside too)
    with pytest.raises(NotPermitted):
        svc.create_event(city.a.users[Role.LEADER], title="x", category="infectious_outbreak",
                         region=city.a.region.code, occurred_at=NOW)
    with pytest.raises(NotPermitted):
        svc.create_event(city.a.users[Role.REPORTER], title="x", category="infectious_outbreak",
                         region=city.a.region.code, occurred_at=NOW)
    city_event = svc.create_event(city.users[Role.CDC], title="全市事件", category="infectious_outbreak",
                                  region=city.b.region.code, lead_org=city.b.cdc.code, occurred_at=NOW)
    assert city_event.region == city.b.region and city_event.lead_org == city.b.cdc
    assert Event.objects.count() == 1


def test_opening_from_a_signal_links_the_signal_through_its_lifecycle(city):
    signal = make_signal(city.a, status=SignalStatus.NEW)
    with pytest.raises(InvalidInput) as caught:  # not yet verified
        svc.create_from_signal(cdc(city), signal)
    assert "signal" in caught.value.fields
    signal.status = SignalStatus.SUSPECTED
    signal.save()
    event = svc.create_from_signal(cdc(city), signal)
    signal.refresh_from_db()
    assert event.origin == EventOrigin.SIGNAL and event.source_signal == signal
    assert event.region == city.a.region and event.lead_org == city.a.cdc and event.disease.code == "3500"
    assert signal.status == SignalStatus.LINKED and signal.response_ref == event.number
    assert signal.actions.last().to_status == "linked" and event.number in signal.actions.last().note
    with pytest.raises(InvalidInput):  # linked now: not a second time
        svc.create_from_signal(cdc(city), signal)
    assert Event.objects.count() == 1


@pytest.mark.parametrize("status", [SignalStatus.INVESTIGATING, SignalStatus.CONFIRMED])
def test_investigated_and_confirmed_signals_open_events_too(city, status):
    signal = make_signal(city.a, status=status)
    event = svc.create_from_signal(cdc(city), signal, title="自定名称")
    assert event.title == "自定名称"
    signal.refresh_from_db()
    assert signal.status == SignalStatus.LINKED


def test_a_signal_of_another_district_or_a_failed_link_saves_nothing(city):
    theirs = make_signal(city.b, status=SignalStatus.SUSPECTED)
    with pytest.raises(InvalidInput):
        svc.create_from_signal(cdc(city), theirs)
    # the commission may open events but not move signals: the link fails, so the event is not kept either
    mine = make_signal(city.a, status=SignalStatus.SUSPECTED)
    with pytest.raises(YingjiError):
        svc.create_from_signal(city.a.users[Role.HEALTH_COMMISSION], mine)
    mine.refresh_from_db()
    assert mine.status == SignalStatus.SUSPECTED and Event.objects.count() == 0


def test_opening_from_an_event_report(city):
    from yingji.surveillance.services.events import create_event_report

    report = create_event_report(cdc(city), title="甲区学校水痘聚集", category="infectious_outbreak",
                                 region=city.a.town.code, discovered_at=NOW - timedelta(hours=1), cases=7,
                                 disease="3500", submit=True)
    event = svc.create_from_report(cdc(city), report)
    assert (event.origin, event.source_report, event.title) == (EventOrigin.EVENT_REPORT, report, report.title)
    assert event.region == city.a.region  # the county handles an event reported in one of its towns
    assert list(event.affected_regions.values_list("code", flat=True)) == [city.a.town.code]
    with pytest.raises(InvalidInput):
        svc.create_from_report(cdc(city), report)


# --- response levels -------------------------------------------------------------------------------------------


def test_escalation_history_with_reasons_and_rank(city):
    event = open_event(city)
    user = cdc(city)
    t0 = NOW - timedelta(hours=2)
    steps = [("IV", "出现首例本地病例", t0), ("III", "社区传播，病例增至12例", t0 + timedelta(minutes=30)),
             ("II", "跨区传播", t0 + timedelta(minutes=60)), ("I", "国务院决定", t0 + timedelta(minutes=70)),
             ("III", "疫情得到控制，降级", t0 + timedelta(minutes=90)), ("none", "连续14天无新发病例", t0 + timedelta(
                 minutes=100))]
    for level, reason, at in steps:
        svc.change_level(event, level, reason, "示范市人民政府", user, at=at)
    event.refresh_from_db()
    history = list(svc.level_history(event))
    assert [(c.from_level, c.to_level) for c in history] == [
        ("none", "IV"), ("IV", "III"), ("III", "II"), ("II", "I"), ("I", "III"), ("III", "none")]
    assert [svc.is_escalation(c) for c in history] == [True, True, True, True, False, False]
    assert [c.reason for c in history] == [s[1] for s in steps]
    assert all(c.decided_by == "示范市人民政府" and c.actor == user for c in history)
    assert LEVEL_RANK[ResponseLevel.I] > LEVEL_RANK[ResponseLevel.II] > LEVEL_RANK[ResponseLevel.III] \
        > LEVEL_RANK[ResponseLevel.IV] > LEVEL_RANK[ResponseLevel.NONE]
    assert event.response_level == "none" and event.status == EventStatus.ONGOING
    assert event.response_started_at == t0 and event.response_lifted_at == steps[-1][2]
    assert history_for(history[0]).exists()


def test_a_level_change_without_a_reason_or_to_the_same_level_is_refused(city):
    event = open_event(city)
    for reason in ("", "   ", None):
        with pytest.raises(InvalidInput) as caught:
            svc.change_level(event, "III", reason, "", cdc(city))
        assert caught.value.fields["reason"][0] == {"message": "请填写调整理由", "message_en": "Give the reason for the change"}
    with pytest.raises(InvalidInput) as caught:
        svc.change_level(event, "none", "无", "", cdc(city))
    assert "to_level" in caught.value.fields
    with pytest.raises(InvalidInput):
        svc.change_level(event, "V", "理由", "", cdc(city))
    svc.change_level(event, "III", "理由", "", cdc(city))
    with pytest.raises(InvalidInput):
        svc.change_level(event, "III", "再次", "", cdc(city))
    assert LevelChange.objects.filter(event=event).count() == 1
    event.refresh_from_db()
    assert event.response_level == "III"


def test_acting_outside_the_event_region_is_refused(city):
    event = make_event(city, "b")
    with pytest.raises(NotFound):
        svc.change_level(event, "III", "越权", "", cdc(city, "a"))
    with pytest.raises(NotPermitted):  # a leader reads but does not decide
        svc.change_level(event, "III", "越权", "", city.b.users[Role.LEADER])
    with pytest.raises(NotFound):
        svc.end_event(cdc(city, "a"), event, "越权终止")
    with pytest.raises(NotFound):
        svc.set_affected_regions(cdc(city, "a"), event, [city.b.town.code])
    svc.change_level(event, "IV", "市疾控可处置全市事件", "", city.users[Role.CDC])
    assert LevelChange.objects.filter(event=event).count() == 1


# --- status and closure ----------------------------------------------------------------------------------------


def test_status_moves_forward_and_ending_needs_a_summary_and_lifts_the_response(city):
    event = open_event(city)
    svc.set_status(cdc(city), event, "ongoing")
    with pytest.raises(Conflict):
        svc.set_status(cdc(city), event, "started")
    svc.change_level(event, "III", "启动Ⅲ级响应", "", cdc(city))
    with pytest.raises(InvalidInput) as caught:
        svc.end_event(cdc(city), event, "  ")
    assert "closing_summary" in caught.value.fields
    ended = svc.end_event(cdc(city), event, "疫情结束，共报告病例12例。", decided_by="甲区人民政府")
    assert (ended.status, ended.response_level, ended.closing_summary) == ("ended", "none", "疫情结束，共报告病例12例。")
    assert ended.ended_at is not None and ended.response_lifted_at == ended.ended_at
    last = svc.level_history(ended).last()
    assert (last.from_level, last.to_level, last.decided_by) == ("III", "none", "甲区人民政府")
    with pytest.raises(Conflict):
        svc.change_level(ended, "IV", "终止后不能再调整", "", cdc(city))
    with pytest.raises(Conflict):
        svc.end_event(cdc(city), ended, "再次终止")


def test_the_list_filters_and_scopes(city):
    mine = open_event(city)
    svc.change_level(mine, "III", "理由", "", cdc(city))
    theirs = make_event(city, "b", level="IV")
    assert list(svc.events(cdc(city))) == [mine]
    assert set(svc.events(city.users[Role.CDC])) == {mine, theirs}
    assert list(svc.events(city.users[Role.CDC], level="IV")) == [theirs]
    assert list(svc.events(city.users[Role.CDC], region=city.a.region.code)) == [mine]
    assert list(svc.events(city.users[Role.CDC], q=mine.number)) == [mine]
    assert list(svc.events(city.users[Role.CDC], region="bad")) == []
    assert list(svc.events(city.a.users[Role.REPORTER])) == []


def test_the_grade_and_other_details_change_after_opening_but_not_the_region(city):
    event = open_event(city)
    svc.update_event(cdc(city), event, {"grade": "III", "title": "甲区学校诺如病毒暴发（较大）", "disease": "3500"})
    event.refresh_from_db()
    assert (event.grade, event.title, event.disease.code) == ("III", "甲区学校诺如病毒暴发（较大）", "3500")
    with pytest.raises(InvalidInput) as caught:
        svc.update_event(cdc(city), event, {"region": city.b.region.code, "grade": "not_emergency"})
    assert set(caught.value.fields) == {"region"}
    with pytest.raises(InvalidInput) as caught:
        svc.update_event(cdc(city), event, {"grade": "not_emergency", "title": "", "lead_org": city.b.cdc.code})
    assert set(caught.value.fields) == {"grade", "title", "lead_org"}
    with pytest.raises(NotFound):
        svc.update_event(cdc(city, "b"), event, {"grade": "I"})
    svc.end_event(cdc(city), event, "结束")
    with pytest.raises(Conflict):
        svc.update_event(cdc(city), event, {"grade": "IV"})
    event.refresh_from_db()
    assert event.grade == "III"


def test_the_opening_time_is_the_services_now(city):
    when = NOW - timedelta(days=3)
    event = open_event(city, occurred_at=when - timedelta(hours=5), now=when)
    assert event.created_at == when


def test_changes_of_the_affected_regions_are_audited(city):
    event = open_event(city)
    before = history_for(event).count()
    svc.set_affected_regions(cdc(city), event, [city.a.town.code])
    entries = list(history_for(event).order_by("-timestamp", "-pk")[: history_for(event).count() - before])
    assert any("affected_regions" in (e.changes_dict or {}) for e in entries), [e.changes for e in entries]
