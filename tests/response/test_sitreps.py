"""Situation reports (信息报送): deadlines from settings, drafts filled from the event's data, read-only once
submitted, one initial and one final report, order of the chain, late flag, jurisdiction."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.response.factories import make_event
from yingji.core.errors import Conflict, InvalidInput, NotFound, NotPermitted
from yingji.core.roles import Role
from yingji.response.choices import EventStatus, ResponseLevel
from yingji.response.models import LevelChange, SituationReport
from yingji.response.services import assessments, consultations
from yingji.response.services import sitreps as service


def cdc(city, district="a"):
    return getattr(city, district).users[Role.CDC]


def test_initial_report_is_due_two_hours_after_the_event_and_late_when_past(city, settings):
    occurred = timezone.now() - timedelta(hours=3)
    event = make_event(city, "a", occurred_at=occurred)
    report = service.create_sitrep(cdc(city), event, "initial")
    assert report.due_at == occurred + timedelta(hours=2)
    assert service.is_overdue(report)
    report = service.submit_sitrep(cdc(city), report)
    assert report.status == "submitted" and report.late and report.submitted_by == cdc(city)
    settings.YINGJI_RESPONSE_SITREP_INITIAL_HOURS = 4
    other = make_event(city, "a", occurred_at=occurred)
    on_time = service.submit_sitrep(cdc(city), service.create_sitrep(cdc(city), other, "initial"))
    assert on_time.due_at == occurred + timedelta(hours=4) and not on_time.late


def test_progress_reports_are_numbered_and_due_a_day_after_the_previous_report(city):
    event = make_event(city, "a", level=ResponseLevel.IV, occurred_at=timezone.now() - timedelta(hours=1))
    with pytest.raises(Conflict):  # nothing before the initial report is submitted
        service.create_sitrep(cdc(city), event, "progress")
    initial = service.submit_sitrep(cdc(city), service.create_sitrep(cdc(city), event, "initial"))
    first = service.create_sitrep(cdc(city), event, "progress")
    assert first.sequence == 1 and first.due_at == initial.submitted_at + timedelta(hours=24)
    assert "第1期" in first.title
    with pytest.raises(Conflict):  # one progress draft at a time
        service.create_sitrep(cdc(city), event, "progress")
    first = service.submit_sitrep(cdc(city), first)
    second = service.create_sitrep(cdc(city), event, "progress")
    assert second.sequence == 2 and second.due_at == first.submitted_at + timedelta(hours=24)
    owed = service.next_due(event)
    assert [(o["kind"], o["sequence"]) for o in owed] == [("progress", 2)]


def test_a_submitted_report_is_read_only_and_cannot_be_submitted_twice(city):
    event = make_event(city, "a", occurred_at=timezone.now() - timedelta(hours=1))
    report = service.create_sitrep(cdc(city), event, "initial")
    service.update_sitrep(cdc(city), report, {"needs": "需要增派流调人员 10 名"})
    report = service.submit_sitrep(cdc(city), report)
    assert report.needs == "需要增派流调人员 10 名" and not report.late
    with pytest.raises(Conflict):
        service.submit_sitrep(cdc(city), report)
    with pytest.raises(Conflict):
        service.update_sitrep(cdc(city), report, {"overview": "改写"})
    with pytest.raises(Conflict):  # only one initial report
        service.create_sitrep(cdc(city), event, "initial")


def test_only_one_final_report_and_only_after_the_event_ended(city):
    event = make_event(city, "a", occurred_at=timezone.now() - timedelta(days=3))
    service.submit_sitrep(cdc(city), service.create_sitrep(cdc(city), event, "initial"))
    final = service.create_sitrep(cdc(city), event, "final")
    assert final.due_at is None  # no deadline until the event ends
    with pytest.raises(Conflict):
        service.create_sitrep(cdc(city), event, "final")
    with pytest.raises(Conflict):
        service.submit_sitrep(cdc(city), final)
    ended_at = timezone.now() - timedelta(days=1)
    type(event).objects.filter(pk=event.pk).update(status=EventStatus.ENDED, ended_at=ended_at,
                                                  closing_summary="疫情得到控制")
    final = service.submit_sitrep(cdc(city), final)
    assert final.due_at == ended_at + timedelta(days=14) and not final.late
    assert SituationReport.objects.filter(event=event, kind="final").count() == 1
    with pytest.raises(Conflict):
        service.create_sitrep(cdc(city), event, "progress")  # the event has ended
    with pytest.raises(Conflict):
        service.create_sitrep(cdc(city), event, "final")


def test_the_final_report_is_late_after_the_configured_days(city, settings):
    settings.YINGJI_RESPONSE_SITREP_FINAL_DAYS = 3
    ended_at = timezone.now() - timedelta(days=5)
    event = make_event(city, "a", occurred_at=timezone.now() - timedelta(days=20), status=EventStatus.ENDED,
                       ended_at=ended_at)
    service.submit_sitrep(cdc(city), service.create_sitrep(cdc(city), event, "initial"))
    owed = service.next_due(event)
    assert [(o["kind"], o["overdue"]) for o in owed] == [("final", True)]
    final = service.submit_sitrep(cdc(city), service.create_sitrep(cdc(city), event, "final"))
    assert final.due_at == ended_at + timedelta(days=3) and final.late


def test_a_draft_is_filled_from_the_events_data(city):
    now = timezone.now()
    event = make_event(city, "a", level=ResponseLevel.IV, occurred_at=now - timedelta(days=2),
                       response_started_at=now - timedelta(days=1), description="某小学发生水痘聚集")
    event.affected_regions.add(city.a.town)
    LevelChange.objects.create(event=event, from_level="none", to_level="IV", reason="一周内报告病例 12 例",
                               decided_by="甲区卫健局", at=now - timedelta(days=1))
    assessments.create_assessment(cdc(city), event, likelihood=4, consequence=3, rationale="学校人群密集",
                                  measures="加强晨午检")
    consultations.create_consultation(cdc(city), event, held_at=now - timedelta(hours=3), chair="局长", online=True,
                                      conclusions="建议维持Ⅳ级响应",
                                      decisions=[{"text": "开展全员健康监测"}])
    report = service.create_sitrep(cdc(city), event, "initial")
    assert event.number in report.overview and "某小学发生水痘聚集" in report.overview
    assert city.a.town.name in report.overview and "Ⅳ级响应" in report.overview
    assert "一周内报告病例 12 例" in report.trend and "风险高" in report.trend
    assert "学校人群密集" in report.causes
    assert "建议维持Ⅳ级响应" in report.measures and "加强晨午检" in report.measures
    assert "开展全员健康监测" in report.next_steps
    assert report.title.endswith("初次报告") and report.reporting_org == city.a.cdc


def test_a_draft_counts_tasks_and_cases_when_those_parts_exist(city):
    from django.apps import apps

    event = make_event(city, "a", occurred_at=timezone.now() - timedelta(hours=1))
    try:
        task_model = apps.get_model("response", "Task")
    except LookupError:
        pytest.skip("tasks are not installed")
    task_model.objects.create(event=event, title="流行病学调查", assignee_org=city.a.cdc, status="done",
                              deadline=timezone.now() + timedelta(hours=24), completed_at=timezone.now())
    task_model.objects.create(event=event, title="环境消毒", assignee_org=city.a.cdc,
                              deadline=timezone.now() + timedelta(hours=24))
    report = service.create_sitrep(cdc(city), event, "initial")
    assert "共部署任务 2 项：已完成 1 项" in report.measures and "流行病学调查" in report.measures
    assert "环境消毒" in report.next_steps
    assert "纳入本事件管理的病例 0 例" in report.cases_deaths


@pytest.mark.parametrize("changes, field", [
    ({"title": ""}, "title"),
    ({"title": "题" * 201}, "title"),
    ({"overview": 5}, "overview"),
    ({"status": "submitted"}, "status"),
])
def test_bad_changes_are_refused(city, changes, field):
    event = make_event(city, "a", occurred_at=timezone.now() - timedelta(hours=1))
    report = service.create_sitrep(cdc(city), event, "initial")
    with pytest.raises(InvalidInput) as caught:
        service.update_sitrep(cdc(city), report, changes)
    assert field in caught.value.fields
    report.refresh_from_db()
    assert report.status == "draft" and report.title


def test_an_empty_overview_cannot_be_submitted(city):
    event = make_event(city, "a", occurred_at=timezone.now() - timedelta(hours=1))
    report = service.create_sitrep(cdc(city), event, "initial")
    with pytest.raises(InvalidInput) as caught:
        service.submit_sitrep(cdc(city), report, {"overview": "  "})
    assert "overview" in caught.value.fields
    report.refresh_from_db()
    assert report.status == "draft" and report.overview.strip()


def test_unknown_kind_and_jurisdiction(city):
    event = make_event(city, "b", occurred_at=timezone.now() - timedelta(hours=1))
    with pytest.raises(InvalidInput):
        service.create_sitrep(cdc(city, "b"), event, "weekly")
    with pytest.raises(NotFound):
        service.create_sitrep(cdc(city), event, "initial")
    report = service.create_sitrep(cdc(city, "b"), event, "initial")
    with pytest.raises(NotFound):
        service.submit_sitrep(cdc(city), report)
    with pytest.raises(NotPermitted):
        service.submit_sitrep(city.b.users[Role.LEADER], report)
    assert service.sitreps(cdc(city)).count() == 0
    assert service.sitreps(city.users[Role.LEADER]).count() == 1


def test_submitting_a_report_completes_the_days_daily_report_task(city):
    try:
        from yingji.response.services import tasks
    except ImportError:
        pytest.skip("tasks are not installed")
    event = make_event(city, "a", level=ResponseLevel.III, occurred_at=timezone.now() - timedelta(hours=1))
    task = tasks.ensure_daily_report_task(event)
    if task is None:
        pytest.skip("the daily report rule is switched off")
    service.submit_sitrep(cdc(city), service.create_sitrep(cdc(city), event, "initial"))
    task.refresh_from_db()
    assert task.status == "done" and task.notes.last().text.startswith("已提交初次报告")
