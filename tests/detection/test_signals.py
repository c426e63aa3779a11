"""The signal lifecycle: verification, illegal steps, linking an event, scoping, overdue flags, audit, chart."""

from datetime import date, timedelta

import pytest
from auditlog.models import LogEntry

from yingji.core.errors import InvalidInput, NotFound, NotPermitted, YingjiError
from yingji.core.models import Notification
from yingji.core.roles import Role
from yingji.detection.models import Signal
from yingji.detection.services import signals as svc
from yingji.detection.services.runs import run_detection
from yingji.surveillance.models import EventReport

from .factories import bj, cards, fixed, only

D = date(2026, 3, 10)
NOW = bj(2026, 3, 11, 6)


@pytest.fixture
def signal_a(city):
    only(fixed("0200"))
    cards(city.a, "0200", D, 1)
    run_detection(D, now=NOW)
    Notification.objects.all().delete()
    return Signal.objects.get()


def cdc_a(city):
    return city.a.users[Role.CDC]


def test_the_full_lifecycle_records_every_step(city, signal_a):
    user = cdc_a(city)
    svc.transition(user, signal_a, "suspected", note="同一村 3 例", now=NOW + timedelta(hours=1))
    svc.transition(user, signal_a, "investigating", now=NOW + timedelta(hours=3))
    svc.transition(user, signal_a, "confirmed", note="实验室确认", now=NOW + timedelta(days=1))
    signal = Signal.objects.get()
    assert signal.status == "confirmed" and signal.verified_by == user
    assert signal.verified_at == NOW + timedelta(hours=1)  # the first response, not the last step
    steps = [(a.from_status, a.to_status, a.actor) for a in svc.actions(signal)]
    assert steps == [("", "new", None), ("new", "suspected", user), ("suspected", "investigating", user),
                     ("investigating", "confirmed", user)]
    entries = LogEntry.objects.get_for_object(signal).filter(action=LogEntry.Action.UPDATE)
    assert entries.count() == 3 and all(e.actor == user for e in entries)


@pytest.mark.parametrize("path, wanted", [
    ([], "investigating"), ([], "confirmed"), (["excluded"], "suspected"),
    (["suspected"], "confirmed"), (["suspected", "investigating", "confirmed"], "excluded"),
])
def test_illegal_transitions_are_refused_with_both_languages(city, signal_a, path, wanted):
    user = cdc_a(city)
    for step in path:
        svc.transition(user, signal_a, step, note="理由")
    with pytest.raises(YingjiError) as caught:
        svc.transition(user, signal_a, wanted, note="理由")
    assert caught.value.status == 409 and caught.value.code == "illegal_transition"
    assert "不能" in caught.value.message and "cannot" in caught.value.message_en
    assert Signal.objects.get().status == (path[-1] if path else "new")


def test_linked_is_reached_only_by_linking_and_unknown_status_is_invalid(city, signal_a):
    with pytest.raises(YingjiError) as caught:
        svc.transition(cdc_a(city), signal_a, "linked")
    assert caught.value.status == 409
    with pytest.raises(InvalidInput) as invalid:
        svc.transition(cdc_a(city), signal_a, "solved")
    assert "status" in invalid.value.fields


def test_excluding_needs_a_reason(city, signal_a):
    with pytest.raises(InvalidInput) as caught:
        svc.transition(cdc_a(city), signal_a, "excluded", note="  ")
    assert caught.value.fields["note"][0]["message_en"].startswith("Give the reason")
    signal = svc.transition(cdc_a(city), signal_a, "excluded", note="重复报告")
    assert signal.closed_at is not None and signal.outcome_note == "重复报告"


def _confirm(user, signal):
    for step in ("suspected", "investigating", "confirmed"):
        signal = svc.transition(user, signal, step)
    return signal


def test_linking_an_existing_event_report(city, signal_a):
    from yingji.surveillance.services.events import create_event_report

    user = cdc_a(city)
    report = create_event_report(user, title="甲区霍乱暴发", category="infectious_outbreak", region=city.a.town.code,
                                 discovered_at=NOW, disease="0200", cases=3, now=NOW)
    with pytest.raises(YingjiError):  # not confirmed yet
        svc.link_event(user, signal_a, event_report_id=report.pk)
    _confirm(user, signal_a)
    signal = svc.link_event(user, signal_a, event_report_id=report.pk)
    assert (signal.status, signal.event_report, signal.closed_at is not None) == ("linked", report, True)
    assert svc.actions(signal).last().to_status == "linked"


def test_linking_creates_a_draft_event_report_from_the_signal(city, signal_a):
    user = cdc_a(city)
    _confirm(user, signal_a)
    signal = svc.link_event(user, signal_a, create_draft=True, now=NOW)
    report = signal.event_report
    assert report.status == "draft" and report.disease.code == "0200" and report.region == city.a.region
    assert report.reporting_org == city.a.cdc and "霍乱" in report.title


def test_linking_needs_a_target_and_an_event_within_reach(city, signal_a):
    from yingji.surveillance.services.events import create_event_report

    _confirm(cdc_a(city), signal_a)
    with pytest.raises(InvalidInput):
        svc.link_event(cdc_a(city), signal_a)
    other = create_event_report(city.b.users[Role.CDC], title="乙区事件", category="infectious_outbreak",
                                region=city.b.town.code, discovered_at=NOW, now=NOW)
    with pytest.raises(InvalidInput) as caught:
        svc.link_event(cdc_a(city), signal_a, event_report_id=other.pk)
    assert "event_report" in caught.value.fields
    assert EventReport.objects.count() == 1


def test_a_district_cdc_sees_and_moves_only_its_own_signals(city, signal_a):
    other = city.b.users[Role.CDC]
    assert list(svc.signals(other)) == []
    assert list(svc.signals(cdc_a(city))) == [signal_a]
    assert list(svc.signals(city.users[Role.CDC])) == [signal_a]  # the city CDC sees its districts'
    with pytest.raises(NotFound):
        svc.transition(other, signal_a, "suspected")
    with pytest.raises(NotPermitted):  # the district's health commission reads but does not verify
        svc.transition(city.a.users[Role.HEALTH_COMMISSION], signal_a, "suspected")
    svc.transition(city.users[Role.CDC], signal_a, "suspected")  # the city CDC may act


def test_filters(city, signal_a):
    user = city.admin
    assert list(svc.signals(user, status="new", disease="0200", region="990102", date_from=D, date_to=D)) == [signal_a]
    assert not svc.signals(user, region="990103").exists()
    assert not svc.signals(user, date_from=D + timedelta(days=1)).exists()
    assert not svc.signals(user, region="bad").exists()
    assert list(svc.signals(user, overdue=True, now=NOW + timedelta(hours=25))) == [signal_a]
    assert not svc.signals(user, overdue=True, now=NOW + timedelta(hours=23)).exists()


def test_overdue_verifications_are_flagged_once_and_the_cdc_reminded(city, signal_a):
    assert svc.flag_overdue(now=NOW + timedelta(hours=23))["flagged"] == 0
    result = svc.flag_overdue(now=NOW + timedelta(hours=25))
    assert result["flagged"] == 1 and result["in_app"] == 1
    [note] = Notification.objects.all()
    assert note.recipient == cdc_a(city) and "逾期" in note.title
    assert Signal.objects.get().overdue_flagged_at == NOW + timedelta(hours=25)
    assert svc.flag_overdue(now=NOW + timedelta(hours=26))["flagged"] == 0  # not again
    assert svc.is_overdue(signal_a, NOW + timedelta(hours=25))


def test_a_verified_signal_is_not_overdue(city, signal_a):
    svc.transition(cdc_a(city), signal_a, "suspected", now=NOW + timedelta(hours=1))
    assert svc.flag_overdue(now=NOW + timedelta(hours=30))["flagged"] == 0


def test_the_chart_series_of_a_signal(city, signal_a):
    cards(city.a, "0200", D - timedelta(days=3), 2)
    series = svc.series_for(signal_a, days=10)
    assert len(series["dates"]) == 10 and series["dates"][-1] == D
    assert series["observed"][-1] == 1 and series["observed"][-4] == 2
    assert series["upper"][-1] == 1 and series["alarm"][-1] is True and series["alarm"][-4] is True
    assert series["problem"] is None
