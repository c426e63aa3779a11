"""Public-health event reports: the 2-hour initial-report deadline, progress and final reports chained to the
initial one, drafts submitted or rejected, and draft proposals from the cluster rules (idempotent)."""

import itertools
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from auditlog.models import LogEntry
from django.db import connection

from yingji.core.audit import history_for
from yingji.core.errors import Conflict, InvalidInput, NotFound, NotPermitted
from yingji.core.models import Notification, Organisation, Region
from yingji.core.roles import Role
from yingji.surveillance.deadlines import Timeliness
from yingji.surveillance.models import CaseReport, ClusterRule, Disease, EventReport
from yingji.surveillance.services import events as svc

BJ = ZoneInfo("Asia/Shanghai")


def bj(*args) -> datetime:
    return datetime(*args, tzinfo=BJ)


DISCOVERED = datetime(2026, 3, 2, 10, tzinfo=BJ)
CREATED = datetime(2026, 3, 2, 10, 30, tzinfo=BJ)


def initial(user, *, discovered=DISCOVERED, now=CREATED, submit=False, **kw):
    values = {"title": "甲区第一小学水痘暴发", "category": "infectious_outbreak", "region": "990102001",
              "discovered_at": discovered, "cases": 12, "deaths": 0, "disease": "Y020", "place": "甲区第一小学"}
    values.update(kw)
    return svc.create_event_report(user, submit=submit, now=now, **values)


# --- the initial report and its deadline -----------------------------------------------------------------------


def test_an_initial_report_is_due_two_hours_after_discovery(city):
    cdc = city.a.users[Role.CDC]
    report = initial(cdc)
    assert report.status == "draft" and report.report_type == "initial" and report.reporting_org == city.a.cdc
    assert svc.deadline_of(report) == bj(2026, 3, 2, 12)
    assert report.report_number.startswith("99010220260302")
    assert svc.deadline_status(report, now=bj(2026, 3, 2, 11, 59)).status == Timeliness.PENDING
    assert svc.deadline_status(report, now=bj(2026, 3, 2, 12, 0, 1)).status == Timeliness.OVERDUE
    assert list(svc.overdue_initial_drafts(now=bj(2026, 3, 2, 12, 0, 1))) == [report]
    assert list(svc.overdue_initial_drafts(now=bj(2026, 3, 2, 11, 0))) == []


@pytest.mark.parametrize("submitted, status", [
    (bj(2026, 3, 2, 11, 59, 59), Timeliness.ON_TIME),
    (bj(2026, 3, 2, 12, 0, 0), Timeliness.ON_TIME),  # exactly two hours is still within
    (bj(2026, 3, 2, 12, 0, 1), Timeliness.LATE),
])
def test_submitting_at_the_deadline(city, submitted, status):
    report = initial(city.a.users[Role.CDC])
    svc.submit_event_report(city.a.users[Role.CDC], report, now=submitted)
    report.refresh_from_db()
    assessment = svc.deadline_status(report, now=submitted + timedelta(days=1))
    assert (report.status, report.reported_at, assessment.status) == ("submitted", submitted, status)


def test_the_deadline_crosses_midnight_as_elapsed_time(city):
    report = initial(city.a.users[Role.CDC], discovered=bj(2026, 3, 2, 23, 10), now=bj(2026, 3, 2, 23, 20))
    assert svc.deadline_of(report) == bj(2026, 3, 3, 1, 10)
    report = svc.submit_event_report(city.a.users[Role.CDC], report, now=bj(2026, 3, 3, 1, 9))
    assert svc.deadline_status(report).status == Timeliness.ON_TIME
    late = initial(city.a.users[Role.CDC], discovered=bj(2026, 3, 2, 23, 10), now=bj(2026, 3, 3, 1, 11),
                   submit=True)
    assert svc.deadline_status(late).status == Timeliness.LATE


def test_the_deadline_is_configurable(city, settings):
    settings.YINGJI_EVENT_INITIAL_REPORT_HOURS = 1
    report = initial(city.a.users[Role.CDC], now=bj(2026, 3, 2, 11, 30), submit=True)
    assert svc.deadline_of(report) == bj(2026, 3, 2, 11) and svc.deadline_status(report).status == Timeliness.LATE


def test_a_reporter_reports_for_its_own_unit(city):
    reporter = city.a.users[Role.REPORTER]
    report = initial(reporter, submit=True)
    assert report.reporting_org == city.a.hospital and report.submitted_by == reporter
    with pytest.raises(InvalidInput) as caught:
        initial(reporter, reporting_org=city.a.cdc.pk)
    assert "reporting_org" in caught.value.fields


@pytest.mark.parametrize("changes, field", [
    ({"title": "  "}, "title"),
    ({"title": "长" * 201}, "title"),
    ({"category": "alien_invasion"}, "category"),
    ({"grade": "V"}, "grade"),
    ({"grade": "not_emergency"}, "grade"),  # only a final report may say "not an emergency"
    ({"disease": "XXXX"}, "disease"),
    ({"region": "990199"}, "region"),
    ({"discovered_at": bj(2026, 3, 2, 11)}, "discovered_at"),  # after "now" (10:30)
    ({"discovered_at": None}, "discovered_at"),
    ({"cases": -1}, "cases"),
    ({"deaths": "2"}, "deaths"),
    ({"cases": 1, "deaths": 2}, "deaths"),
])
def test_bad_input_is_refused_in_both_languages_and_nothing_is_saved(city, changes, field):
    with pytest.raises(InvalidInput) as caught:
        initial(city.a.users[Role.CDC], **changes)
    assert field in caught.value.fields, caught.value.fields
    for m in caught.value.fields[field]:
        assert m["message"] != m["message_en"] and m["message_en"]
    assert not EventReport.objects.exists()


def test_outside_the_jurisdiction_or_read_only(city):
    with pytest.raises(NotPermitted):
        initial(city.a.users[Role.CDC], region="990103001")
    with pytest.raises(NotPermitted):
        initial(city.a.users[Role.LEADER], reporting_org=city.a.commission.pk)
    with pytest.raises(InvalidInput):
        initial(city.a.users[Role.CDC], reporting_org=city.b.cdc.pk)
    assert not EventReport.objects.exists()
    report = initial(city.b.users[Role.CDC], region="990103001")
    with pytest.raises(NotFound):
        svc.submit_event_report(city.a.users[Role.CDC], report)
    with pytest.raises(NotPermitted):
        svc.submit_event_report(city.b.users[Role.LEADER], report)


def test_a_draft_is_changed_submitted_or_rejected_once(city):
    cdc = city.a.users[Role.CDC]
    report = initial(cdc)
    svc.update_event_report(cdc, report, {"title": "甲区第一小学水痘聚集性疫情", "cases": 14, "grade": "IV"},
                            now=bj(2026, 3, 2, 10, 40))
    report.refresh_from_db()
    assert (report.title, report.cases, report.grade) == ("甲区第一小学水痘聚集性疫情", 14, "IV")
    with pytest.raises(InvalidInput):
        svc.update_event_report(cdc, report, {"reporting_org": city.b.cdc.pk})
    with pytest.raises(InvalidInput):
        svc.reject_event_report(cdc, report, "  ")
    svc.reject_event_report(cdc, report, "经核实不构成突发公共卫生事件相关信息")
    report.refresh_from_db()
    assert report.status == "rejected" and "不构成" in report.status_reason
    assert svc.deadline_status(report).status == Timeliness.NO_DEADLINE
    for action in (lambda: svc.submit_event_report(cdc, report), lambda: svc.reject_event_report(cdc, report, "x"),
                   lambda: svc.update_event_report(cdc, report, {"title": "新"})):
        with pytest.raises(Conflict):
            action()
    actions = [e.action for e in history_for(report)]
    assert actions.count(LogEntry.Action.UPDATE) == 2 and actions[-1] == LogEntry.Action.CREATE


# --- progress and final reports ---------------------------------------------------------------------------------


def test_progress_and_final_reports_follow_a_submitted_initial_report(city):
    cdc = city.a.users[Role.CDC]
    first = initial(cdc)
    with pytest.raises(Conflict):
        svc.add_follow_up(cdc, first, "progress", description="进展")
    svc.submit_event_report(cdc, first, now=bj(2026, 3, 2, 11))
    p1 = svc.add_follow_up(cdc, first, "progress", cases=15, description="新增3例", submit=True,
                           now=bj(2026, 3, 3, 9))
    p2 = svc.add_follow_up(cdc, first, "progress", grade="IV", description="定级为一般", now=bj(2026, 3, 4, 9))
    assert (p1.sequence, p2.sequence) == (1, 2)
    assert (p1.initial, p1.region, p1.reporting_org, p1.discovered_at) == (first, first.region, first.reporting_org,
                                                                           first.discovered_at)
    assert p2.cases == 15 and p2.title == first.title  # carried over from the latest submitted report
    assert svc.deadline_status(p1).status == Timeliness.NO_DEADLINE
    with pytest.raises(InvalidInput):
        svc.add_follow_up(cdc, p1, "progress")  # a follow-up of a follow-up
    with pytest.raises(InvalidInput):
        svc.add_follow_up(cdc, first, "initial")
    final = svc.add_follow_up(cdc, first, "final", grade="not_emergency", cases=15, description="结案")
    with pytest.raises(Conflict):
        svc.add_follow_up(cdc, first, "final")  # one final report per event
    svc.submit_event_report(cdc, final, now=bj(2026, 3, 10, 9))
    with pytest.raises(Conflict):
        svc.add_follow_up(cdc, first, "progress")  # nothing after the final report
    with pytest.raises(Conflict):
        svc.submit_event_report(cdc, p2)  # not even a progress draft written before it
    assert [r.pk for r in svc.chain_of(p1)] == [first.pk, p1.pk, p2.pk, final.pk]


def test_a_rejected_final_draft_makes_room_for_another(city):
    cdc = city.a.users[Role.CDC]
    first = initial(cdc, submit=True)
    draft = svc.add_follow_up(cdc, first, "final", description="草稿")
    svc.reject_event_report(cdc, draft, "数据有误")
    final = svc.add_follow_up(cdc, first, "final", description="结案", submit=True)
    assert final.status == "submitted"


# --- proposals from cluster rules -----------------------------------------------------------------------------

NUMBERS = itertools.count(1)


def card(city, *, disease="1000", work_unit="甲区第一小学", onset=date(2026, 3, 2), region=None,
         classification="confirmed", reporting_org=None, died=False, status="submitted"):
    return CaseReport.objects.create(
        card_number=f"EV-{next(NUMBERS):06d}", patient_name="学生", sex="M", occupation="student",
        work_unit=work_unit, address_region=region or city.a.town, disease=Disease.objects.get(code=disease),
        classification=classification, onset_date=onset, diagnosed_at=bj(2026, 3, 3, 9),
        death_date=onset if died else None, reporting_org=reporting_org or city.a.hospital,
        reporting_doctor="王医生", reported_at=bj(2026, 3, 3, 10), status=status,
    )


NOW = bj(2026, 3, 5, 9)


def test_the_tenth_measles_case_at_one_school_proposes_a_draft_to_the_county_cdc(city):
    for i in range(9):
        assert svc.check_new_case(card(city, onset=date(2026, 3, 1 + i % 5)), now=NOW) == []
    tenth = card(city, work_unit=" 甲区第一\u3000小学 ", onset=date(2026, 3, 7))  # spelled differently
    [draft] = svc.check_new_case(tenth, now=NOW)
    assert (draft.status, draft.report_type, draft.source, draft.cluster_rule.code) == (
        "draft", "initial", "cluster_rule", "E09")
    assert draft.reporting_org == city.a.cdc and draft.region == city.a.town and draft.place == "甲区第一\u3000小学"
    assert (draft.cases, draft.deaths, draft.case_reports.count()) == (10, 0, 10)
    assert draft.discovered_at == NOW and svc.deadline_of(draft) == NOW + timedelta(hours=2)
    assert draft.category == "infectious_outbreak" and draft.grade == "ungraded" and "麻疹" in draft.title
    [note] = Notification.objects.filter(recipient=city.a.users[Role.CDC])
    assert "待核实" in note.title and str(draft.pk) in note.link
    assert not Notification.objects.exclude(recipient=city.a.users[Role.CDC]).exists()  # the CDC's users only
    assert list(svc.proposals(city.a.users[Role.CDC])) == [draft]
    assert list(svc.proposals(city.b.users[Role.CDC])) == []


def test_checking_again_is_idempotent_and_new_cases_join_the_open_draft(city):
    cards = [card(city) for _ in range(10)]
    [draft] = svc.check_new_case(cards[-1], now=NOW)
    for c in cards:
        assert svc.check_new_case(c, now=NOW) == [draft]
    assert EventReport.objects.count() == 1 and draft.case_reports.count() == 10
    eleventh = card(city, onset=date(2026, 3, 4), died=True)
    assert svc.check_new_case(eleventh, now=NOW + timedelta(hours=1)) == [draft]
    draft.refresh_from_db()
    assert (draft.cases, draft.deaths, draft.case_reports.count()) == (11, 1, 11)
    assert draft.discovered_at == NOW  # the clock started when the cluster was first found
    assert Notification.objects.count() == 1  # notified once, when proposed


def test_one_below_the_threshold_or_outside_the_window_proposes_nothing(city):
    cards = [card(city, onset=date(2026, 3, 1)) for _ in range(9)] + [card(city, onset=date(2026, 3, 8))]
    assert svc.check_new_case(cards[-1], now=NOW) == []  # 1–8 March is eight days
    other_school = card(city, work_unit="甲区第二小学", onset=date(2026, 3, 2))
    assert svc.check_new_case(other_school, now=NOW) == []
    other_county = [card(city, region=city.b.town, reporting_org=city.b.hospital) for _ in range(5)]
    assert svc.check_new_case(other_county[-1], now=NOW) == []  # the same school name in 乙区 is another school
    not_live = card(city, onset=date(2026, 3, 2), status="deleted")
    assert svc.check_new_case(not_live, now=NOW) == []
    assert not EventReport.objects.exists()


def test_a_submitted_initial_report_covers_its_group(city):
    cards = [card(city) for _ in range(10)]
    [draft] = svc.check_new_case(cards[-1], now=NOW)
    svc.submit_event_report(city.a.users[Role.CDC], draft, now=NOW + timedelta(minutes=30))
    assert svc.check_new_case(card(city), now=NOW + timedelta(hours=3)) == []
    assert EventReport.objects.count() == 1


def test_after_rejection_the_same_cases_are_not_proposed_again_but_new_ones_are(city):
    cards = [card(city) for _ in range(10)]
    [draft] = svc.check_new_case(cards[-1], now=NOW)
    svc.reject_event_report(city.a.users[Role.CDC], draft, "同一班级兄弟姐妹，已核实非暴发")
    assert svc.check_new_case(cards[3], now=NOW) == []
    [again] = svc.check_new_case(card(city), now=NOW + timedelta(days=1))
    assert again.pk != draft.pk and again.case_reports.count() == 11
    assert EventReport.objects.filter(status="draft").count() == 1


def test_a_single_case_of_cholera_is_proposed_at_once(city):
    cholera = card(city, disease="0200", work_unit="", classification="confirmed")
    [draft] = svc.check_new_case(cholera, now=NOW)
    assert draft.cluster_rule.code == "E02" and draft.cases == 1 and draft.region == city.a.region
    assert "霍乱" in draft.title


def test_rules_count_subtypes_deaths_and_only_what_the_rule_counts(city):
    # E08 counts bacillary and amoebic dysentery together (subtypes of 0400); suspected cases do not count
    for _ in range(9):
        card(city, disease="0401")
    suspected = card(city, disease="0402", classification="suspected")
    assert svc.check_new_case(suspected, now=NOW) == []
    [draft] = svc.check_new_case(card(city, disease="0402"), now=NOW)
    assert draft.cluster_rule.code == "E08" and draft.cases == 10
    # two deaths fire the typhoid rule E07 long before five cases
    card(city, disease="0501", work_unit="建筑工地", died=True)
    [typhoid] = svc.check_new_case(card(city, disease="0502", work_unit="建筑工地", died=True), now=NOW)
    assert (typhoid.cluster_rule.code, typhoid.cases, typhoid.deaths) == ("E07", 2, 2)


def test_an_inactive_rule_proposes_nothing(city):
    ClusterRule.objects.filter(code="E02").update(is_active=False)
    assert svc.check_new_case(card(city, disease="0200"), now=NOW) == []


def test_without_a_county_cdc_the_city_cdc_receives_the_proposal(city):
    Organisation.objects.filter(pk=city.a.cdc.pk).update(is_active=False)
    [draft] = svc.check_new_case(card(city, disease="0200"), now=NOW)
    assert draft.reporting_org == city.cdc
    assert Notification.objects.filter(recipient=city.users[Role.CDC]).count() == 1


def test_a_failing_check_never_blocks_the_card(city, monkeypatch, caplog):
    c = card(city, disease="0200")

    def broken(card, **kwargs):
        EventReport.objects.create(report_number="half-way", title="x", category="other", region=city.a.region,
                                   reporting_org=city.a.cdc, discovered_at=NOW)
        raise RuntimeError("rule engine exploded")

    monkeypatch.setattr(svc, "check_new_case", broken)
    assert svc.on_card_submitted(c) == []
    assert "cluster check failed" in caplog.text
    assert not EventReport.objects.exists()  # the savepoint rolled back what the failed check wrote
    assert CaseReport.objects.filter(pk=c.pk).exists()  # and the caller's transaction is still usable
    assert connection.in_atomic_block


def test_on_card_submitted_proposes_through_the_same_rules(city):
    c = card(city, disease="0200")
    [draft] = svc.on_card_submitted(c)
    assert draft.case_reports.get() == c


def test_a_town_rule_groups_by_street(city):
    town2 = Region.objects.create(code="990102002", name="甲区第二街道", parent=city.a.region)
    for _ in range(4):
        card(city, disease="2100", work_unit="", region=city.a.town)
    assert svc.check_new_case(card(city, disease="2100", work_unit="", region=town2), now=NOW) == []
    [draft] = svc.check_new_case(card(city, disease="2100", work_unit="", region=city.a.town), now=NOW)
    assert draft.cluster_rule.code == "E15" and draft.region == city.a.town and draft.place == city.a.town.name


def test_after_the_event_is_closed_only_new_cases_open_a_new_proposal(city):
    cdc = city.a.users[Role.CDC]
    cards = [card(city) for _ in range(10)]
    [draft] = svc.check_new_case(cards[-1], now=NOW)
    reported = svc.submit_event_report(cdc, draft, now=NOW + timedelta(minutes=20))
    svc.add_follow_up(cdc, reported, "final", description="结案", submit=True, now=NOW + timedelta(days=2))
    assert svc.check_new_case(cards[0], now=NOW + timedelta(days=3)) == []  # the same cases: already reported
    [new] = svc.check_new_case(card(city, onset=date(2026, 3, 6)), now=NOW + timedelta(days=3))
    assert new.pk != draft.pk and new.status == "draft" and new.case_reports.count() == 11
