"""The demo city's emergency response (demo step ``response``): a closed event, an active event at level Ⅲ with
tasks in every state, an activated checklist stage, a risk assessment, a consultation, situation reports, cases and
contacts under follow-up with today's follow-ups, and an inspection with findings in several states."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.demo.once import demo_for_module
from yingji.demo import response as demo_response
from yingji.demo import surveillance
from yingji.demo.context import DemoContext
from yingji.demo.detection import demo_signals
from yingji.response.choices import EventOrigin, EventStatus, ResponseLevel
from yingji.response.models import Finding
from yingji.response.services import inspections as inspection_services
from yingji.response.services import tasks as task_services


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):
    with demo_for_module(django_db_blocker, "demo city with its response") as summary:
        yield summary


@pytest.fixture
def active(built, db):
    return demo_response.demo_events().get(status__in=(EventStatus.STARTED, EventStatus.ONGOING))


def test_a_closed_event_with_its_level_history(built, db):
    closed = demo_response.demo_events().get(status=EventStatus.ENDED)
    assert closed.ended_at is not None and closed.closing_summary
    assert closed.response_level == ResponseLevel.NONE and closed.response_lifted_at is not None
    levels = [(c.from_level, c.to_level) for c in closed.level_changes.order_by("at", "pk")]
    assert levels == [("none", "IV"), ("IV", "III"), ("III", "IV"), ("IV", "none")]
    assert all(c.reason for c in closed.level_changes.all())
    # opened from the outbreak's public-health event report (by hand when the history has none old enough)
    assert closed.origin in (EventOrigin.EVENT_REPORT, EventOrigin.MANUAL)
    assert (closed.source_report is not None) == (closed.origin == EventOrigin.EVENT_REPORT)
    assert {r.kind for r in closed.situation_reports.filter(status="submitted")} == {"initial", "final"}
    assert closed.ended_at <= timezone.now()


def test_the_active_event_comes_from_the_outbreak_signal(active):
    assert active.response_level == ResponseLevel.III and active.status == EventStatus.ONGOING
    assert [c.to_level for c in active.level_changes.order_by("at", "pk")] == ["IV", "III"]
    outbreak = next(o for o in surveillance.plan(DemoContext()).outbreaks if o.current)
    raised = demo_signals().filter(disease__code=outbreak.disease_code, region_id=outbreak.county_code,
                                   signal_date__gte=outbreak.start - timedelta(days=3))
    if raised.exists():  # the detection step raised a signal for the current outbreak: the event comes from it
        assert active.origin == EventOrigin.SIGNAL and active.source_signal in raised
        assert active.source_signal.status == "linked" and active.source_signal.response_ref == active.number
        assert active.occurred_at >= active.source_signal.raised_at
    assert active.occurred_at <= timezone.now()


def test_tasks_in_every_state(active):
    tasks = list(active.tasks.all())
    states = {t.status for t in tasks}
    assert {"todo", "in_progress", "done", "cancelled"} <= states
    now = timezone.now()
    overdue = [t for t in tasks if task_services.is_overdue(t, now)]
    assert overdue and any(t.status == "todo" and not task_services.is_overdue(t, now) for t in tasks)
    assert all(t.notes.filter(status_to="cancelled").exclude(text="").exists() for t in tasks
               if t.status == "cancelled")


def test_checklist_assessment_consultation_and_reports(active):
    activation = active.checklist_activations.get()
    assert activation.checklist.response_level == ResponseLevel.III
    assert active.tasks.filter(activation=activation).count() >= 3
    assessment = active.risk_assessments.get()
    assert assessment.risk_level and assessment.recommended_level
    consultation = active.consultations.get()
    assert consultation.participants.count() == 3 and consultation.decisions.count() == 2
    reports = {(r.kind, r.status) for r in active.situation_reports.all()}
    assert {("initial", "submitted"), ("progress", "submitted"), ("progress", "draft")} <= reports


def test_cases_and_contacts_under_follow_up_today(active):
    today = timezone.localdate()
    cases = list(active.cases.all())
    assert cases and all(c.isolated_on for c in cases)
    contacts = list(active.contacts.select_related("quarantine", "source_case"))
    assert len(contacts) >= 2 * len(cases)
    assert all(c.last_exposure <= (c.source_case.isolated_on or today) for c in contacts)
    under = [c for c in contacts if c.quarantine.status == "active" and c.quarantine.end_date >= today]
    assert under
    todays = [f for c in contacts for f in c.followups.filter(date=today)]
    assert todays and all(f.status == "pending" and f.team_id for f in todays)
    assert any(f.status == "seen" for c in contacts for f in c.followups.filter(date__lt=today))


def test_an_inspection_with_findings_in_several_states(built, db):
    first = demo_response.demo_inspections().get(kind="supervision")
    follow = demo_response.demo_inspections().get(kind="follow_up")
    assert follow.follow_up_of == first and follow.date > first.date
    findings = list(Finding.objects.filter(inspection=first))
    states = {inspection_services.state_of(f) for f in findings}
    assert {"overdue", "rectifying", "rectified", "verified"} <= states
    verified = next(f for f in findings if f.status == "verified")
    assert verified.reviewed_in == follow and verified.review_result == "verified"
    sent_back = next(f for f in findings if f.review_result == "not_rectified")
    assert sent_back.status == "rectifying" and sent_back.deadline > follow.date
    assert all(f.deadline >= first.date for f in findings)
    rows = inspection_services.ledger_rows(Finding.objects.filter(inspection=first).order_by("pk"))
    assert sum(1 for r in rows if r[12] == "是") == 1


def test_the_step_is_idempotent_and_resets(built, db):
    counts = (demo_response.demo_events().count(), demo_response.demo_inspections().count())
    ctx = DemoContext()
    demo_response.build(ctx)  # the demo city already has its response: nothing more
    assert (demo_response.demo_events().count(), demo_response.demo_inspections().count()) == counts
    linked = demo_signals().filter(status="linked", event_report=None).count()
    from_signals = demo_response.demo_events().filter(origin=EventOrigin.SIGNAL).count()
    demo_response.reset(ctx)
    assert not demo_response.demo_events().exists() and not demo_response.demo_inspections().exists()
    # the signal the active event was opened from is back as the detection step left it
    assert demo_signals().filter(status="linked", event_report=None).count() == linked - from_signals
    assert not demo_signals().exclude(response_ref="").exists()
