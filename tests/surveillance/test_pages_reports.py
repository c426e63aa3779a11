"""Dashboards (timeliness, completeness and the overdue list), zero/daily report entry, fever-clinic entry and
series, event reports (initial / progress / final, proposals from cluster rules) — pages in Chinese, scoped."""

import json
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.web.conftest import text  # also compiles the zh_Hans catalogue
from yingji.core.roles import Role
from yingji.surveillance.choices import EventReportStatus, EventReportType
from yingji.surveillance.models import AggregateReport, EventReport, FeverClinicDailyReport
from yingji.surveillance.services import events as event_service
from yingji.surveillance.services.cards import submit_card
from yingji.surveillance.services.fever import submit_fever_report
from yingji.surveillance.services.schedules import create_schedule, submit_aggregate_report

from .conftest import card_data, stored_card

pytestmark = pytest.mark.django_db


def chart_data(html: str, element_id: str):
    match = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html, re.S)
    assert match, element_id
    return json.loads(match.group(1))


# --- timeliness -------------------------------------------------------------------------------------------------


def test_timeliness_tables_and_charts_per_unit_and_region(client, city):
    now = timezone.now()
    for _ in range(3):
        stored_card(city.a, "3500", now - timedelta(hours=5), now - timedelta(hours=1))  # on time (24 h)
    stored_card(city.a, "0100", now - timedelta(hours=5), now - timedelta(hours=1))  # late (2 h)
    stored_card(city.b, "3500", now - timedelta(hours=30), now - timedelta(hours=1))  # late, district 乙
    client.force_login(city.users[Role.CDC])
    html = text(client.get(reverse("surveillance:timeliness")))
    assert "报告及时性" in html and "按报告单位" in html and "按行政区划" in html
    units = chart_data(html, "unit-chart-data")
    assert units["categories"] == [city.a.hospital.name, city.b.hospital.name]
    assert units["series"][0]["name"] == "报告及时率" and units["series"][0]["data"] == [75.0, 0.0]
    regions = chart_data(html, "region-chart-data")
    assert regions["categories"] == ["甲区", "乙区"] and regions["series"][0]["data"] == [75.0, 0.0]
    assert 'data-sv-chart="rates"' in html and "/static/vendor/echarts/echarts.min.js" in html
    assert "75.0%" in html and 'data-testid="total-cards">5<' in html
    # a district sees its own units only, in the same tables
    client.force_login(city.a.users[Role.CDC])
    html = text(client.get(reverse("surveillance:timeliness")))
    assert city.a.hospital.name in html and city.b.hospital.name not in html and "乙区" not in html
    html = text(client.get(reverse("surveillance:timeliness"), {"disease": "0100"}))
    assert chart_data(html, "unit-chart-data")["series"][0]["data"] == [0.0]
    # a date range excluding the cards
    past = (timezone.localdate() - timedelta(days=100)).isoformat()
    html = text(client.get(reverse("surveillance:timeliness"), {"date_from": past, "date_to": past}))
    assert "该期间没有报告卡" in html
    html = text(client.get(reverse("surveillance:timeliness"), {"date_from": "2026-02-01", "date_to": "2026-01-01"}))
    assert "起始日期不能晚于截止日期" in html


# --- completeness and zero/daily entry --------------------------------------------------------------------------


@pytest.fixture
def weekly(city):
    """District 甲's hospital sends a weekly report (set five weeks ago by its CDC); so does 乙's."""
    start = timezone.localdate() - timedelta(days=35)
    for district in (city.a, city.b):
        create_schedule(district.users[Role.CDC], organisation=district.hospital.pk, valid_from=start)


def last_monday(weeks_back=1):
    today = timezone.localdate()
    return today - timedelta(days=today.weekday() + 7 * weeks_back)


def test_completeness_rates_and_overdue_list(client, city, weekly):
    submit_aggregate_report(city.a.users[Role.REPORTER], organisation=city.a.hospital.pk, frequency="weekly",
                            period_start=last_monday(1), is_zero=True)
    client.force_login(city.users[Role.CDC])
    html = text(client.get(reverse("surveillance:completeness")))
    assert "零报告/日报告完整性" in html and "逾期未报" in html
    regions = chart_data(html, "region-chart-data")
    assert regions["categories"][0] == "示范市" and "甲区" in regions["categories"]
    overdue = html[html.index('data-testid="overdue-list"'):]
    assert city.a.hospital.name in overdue and city.b.hospital.name in overdue
    assert last_monday(1).isoformat() in overdue  # 乙 missed last week; 甲 sent it
    units = chart_data(html, "unit-chart-data")
    a_rate, b_rate = units["series"][0]["data"]
    assert a_rate > b_rate == 0.0
    # a district CDC: its own units only
    client.force_login(city.a.users[Role.CDC])
    html = text(client.get(reverse("surveillance:completeness")))
    assert city.b.hospital.name not in html and "乙区" not in html


def test_zero_report_with_one_click(client, city, weekly):
    reporter = city.a.users[Role.REPORTER]
    client.force_login(reporter)
    period = last_monday(1)
    url = reverse("surveillance:aggregate_create")
    html = text(client.get(url, {"frequency": "weekly", "period_start": period.isoformat()}))
    assert "零报告：本期无病例" in html and city.a.hospital.name in html and "流行性感冒" in html
    assert f'name="organisation" value="{city.a.hospital.pk}"' in html  # fixed to the reporter's unit
    response = client.post(url, {"organisation": city.a.hospital.pk, "frequency": "weekly",
                                 "period_start": period.isoformat(), "zero": "1"})
    report = AggregateReport.objects.get()
    assert response.status_code == 302 and report.is_zero and report.submitted_by == reporter
    html = text(client.get(response["Location"]))
    assert "零报告已提交" in html and "本期无病例" in html and "变更记录" in html
    # the list shows it, and the overdue list no longer holds that week
    html = text(client.get(reverse("surveillance:aggregate_list")))
    assert 'data-testid="aggregate-table"' in html and "零报告" in html


def test_counts_per_disease_and_errors_shown_per_line(client, city, weekly):
    client.force_login(city.a.users[Role.REPORTER])
    url = reverse("surveillance:aggregate_create")
    base = {"organisation": city.a.hospital.pk, "frequency": "weekly", "period_start": last_monday(1).isoformat()}
    response = client.post(url, {**base, "submit": "1"})
    assert response.status_code == 422 and "请填写各病种病例数，或选择零报告" in text(response)
    response = client.post(url, {**base, "count_3500": "-2", "count_3600": "1", "submit": "1"})
    html = text(response)
    assert response.status_code == 422 and "病例数不能为负数" in html and 'value="-2"' in html
    assert AggregateReport.objects.count() == 0
    response = client.post(url, {**base, "count_3500": "4", "count_3600": "1", "count_0100": "", "submit": "1"})
    report = AggregateReport.objects.get()
    assert response.status_code == 302 and report.counts == {"3500": 4, "3600": 1}
    # a resubmission replaces the counts and says so
    response = client.post(url, {**base, "count_3500": "5", "submit": "1"}, follow=True)
    assert "已替换此前的提交（第 2 版）" in text(response)
    report.refresh_from_db()
    assert report.counts == {"3500": 5} and report.revision == 2


def test_a_period_without_schedule_and_another_districts_unit_are_refused(client, city):
    client.force_login(city.a.users[Role.REPORTER])
    url = reverse("surveillance:aggregate_create")
    response = client.post(url, {"organisation": city.a.hospital.pk, "frequency": "daily",
                                 "period_start": last_monday(1).isoformat(), "zero": "1"})
    assert response.status_code == 422 and "没有日报告任务" in text(response)
    client.force_login(city.a.users[Role.CDC])
    response = client.post(url, {"organisation": city.b.hospital.pk, "frequency": "weekly",
                                 "period_start": last_monday(1).isoformat(), "zero": "1"})
    assert response.status_code == 422 and AggregateReport.objects.count() == 0


def test_leader_reads_but_cannot_submit(client, city, weekly):
    report, _ = submit_aggregate_report(city.a.users[Role.REPORTER], organisation=city.a.hospital.pk,
                                        frequency="weekly", period_start=last_monday(1), is_zero=True)
    client.force_login(city.a.users[Role.LEADER])
    html = text(client.get(reverse("surveillance:aggregate_list")))
    assert 'data-testid="new-aggregate"' not in html
    assert client.get(reverse("surveillance:aggregate_detail", args=[report.pk])).status_code == 200
    response = client.post(reverse("surveillance:aggregate_create"), {
        "organisation": city.a.hospital.pk, "frequency": "weekly", "period_start": last_monday(2).isoformat(),
        "zero": "1"})
    assert response.status_code == 403
    assert AggregateReport.objects.count() == 1
    client.force_login(city.b.users[Role.CDC])
    assert client.get(reverse("surveillance:aggregate_detail", args=[report.pk])).status_code == 404


# --- fever clinics --------------------------------------------------------------------------------------------------


def test_fever_entry_and_series(client, city):
    reporter = city.a.users[Role.REPORTER]
    client.force_login(reporter)
    url = reverse("surveillance:fever_create")
    html = text(client.get(url))
    assert "发热门诊日报" in html and city.a.hospital.name in html
    today = timezone.localdate()
    bad = {"organisation": city.a.hospital.pk, "date": today.isoformat(), "visits": "10", "tested": "12",
           "positive": "1", "observed": "", "transferred": ""}
    response = client.post(url, bad)
    assert response.status_code == 422 and "检测人数（12）不能大于就诊人数（10）" in text(response)
    response = client.post(url, {**bad, "visits": "3x"})
    assert response.status_code == 422 and "就诊人数须为整数" in text(response)
    assert FeverClinicDailyReport.objects.count() == 0
    response = client.post(url, {**bad, "visits": "40", "tested": "12"})
    assert response.status_code == 302 and FeverClinicDailyReport.objects.get().visits == 40
    submit_fever_report(reporter, organisation=city.a.hospital.pk, date=today - timedelta(days=2), visits=30,
                        tested=10, positive=2)
    submit_fever_report(city.b.users[Role.REPORTER], organisation=city.b.hospital.pk, date=today, visits=99,
                        tested=9, positive=1)
    client.force_login(city.a.users[Role.CDC])
    html = text(client.get(reverse("surveillance:fever_dashboard")))
    chart = chart_data(html, "fever-chart-data")
    assert chart["dates"][-1] == today.isoformat() and len(chart["dates"]) == 60
    total, clinic = chart["series"]
    assert total["name"] == "合计" and total["data"][-1] == 40 and total["data"][-3] == 30 and total["data"][-2] is None
    assert clinic["name"] == city.a.hospital.name
    assert 'data-sv-chart="lines"' in html and "乙区" not in html and city.b.hospital.name not in html
    html = text(client.get(reverse("surveillance:fever_dashboard"), {"measure": "positive"}))
    assert chart_data(html, "fever-chart-data")["series"][0]["data"][-3] == 2
    # the city sees both districts
    client.force_login(city.users[Role.CDC])
    html = text(client.get(reverse("surveillance:fever_dashboard")))
    assert chart_data(html, "fever-chart-data")["series"][0]["data"][-1] == 139
    # a dispatcher's unit is no clinic: nothing to submit for
    client.force_login(city.a.users[Role.LEADER])
    assert client.post(url, {**bad, "visits": "40"}).status_code in (403, 422)
    assert FeverClinicDailyReport.objects.count() == 3


# --- event reports --------------------------------------------------------------------------------------------------


def event_post(city, **overrides):
    data = {"title": "甲区第一小学水痘聚集", "category": "infectious_outbreak", "grade": "ungraded",
            "disease": "", "region": city.a.town.code, "place": "甲区第一小学", "reporting_org": city.a.cdc.pk,
            "discovered_at": (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "cases": "12", "deaths": "0", "description": "一周内12例", "measures": "隔离、消毒", "report_number": ""}
    data.update(overrides)
    return data


def test_initial_progress_and_final_reports(client, city):
    client.force_login(city.a.users[Role.CDC])
    url = reverse("surveillance:event_create")
    assert "突发公共卫生事件：初次报告" in text(client.get(url))
    response = client.post(url, event_post(city, cases="1", deaths="3", submit="1"))
    assert response.status_code == 422 and "死亡人数不能多于发病人数" in text(response)
    assert EventReport.objects.count() == 0
    response = client.post(url, event_post(city, draft="1"))
    draft = EventReport.objects.get()
    assert response.status_code == 302 and draft.status == EventReportStatus.DRAFT
    html = text(client.get(response["Location"]))
    assert "草稿" in html and 'data-deadline="pending"' in html and "初次报告截止" in html
    client.post(reverse("surveillance:event_submit", args=[draft.pk]), {"action": "submit"})
    draft.refresh_from_db()
    assert draft.status == EventReportStatus.SUBMITTED
    html = text(client.get(reverse("surveillance:event_detail", args=[draft.pk])))
    assert 'data-deadline="on_time"' in html and 'data-testid="progress"' in html
    follow = reverse("surveillance:event_follow_up", args=[draft.pk])
    assert "各项数值沿用最近提交的报告" in text(client.get(follow, {"type": "progress"}))
    response = client.post(follow, {"report_type": "progress", "title": draft.title, "category": draft.category,
                                    "grade": "IV", "cases": "15", "deaths": "0", "description": "新增3例",
                                    "measures": "", "submit": "1"})
    progress = EventReport.objects.get(report_type=EventReportType.PROGRESS)
    assert response.status_code == 302 and progress.sequence == 1 and progress.cases == 15
    response = client.post(follow, {"report_type": "final", "title": draft.title, "category": draft.category,
                                    "grade": "IV", "cases": "15", "deaths": "0", "description": "疫情结束",
                                    "measures": "", "submit": "1"})
    assert response.status_code == 302
    html = text(client.get(reverse("surveillance:event_detail", args=[draft.pk])))
    chain = html[html.index('data-testid="event-chain"'):]
    assert chain.index("初次报告") < chain.index("进程报告") < chain.index("结案报告")
    assert 'data-testid="progress"' not in html  # closed
    # nothing follows a final report
    response = client.post(follow, {"report_type": "progress", "title": "x", "category": draft.category,
                                    "grade": "IV", "cases": "15", "deaths": "0", "submit": "1"}, follow=True)
    assert "该事件已结案" in text(response)


def test_overdue_draft_and_proposal_from_a_cluster_rule(client, city):
    # A plague case: the single-case criterion proposes a draft initial report to 甲's CDC.
    card = submit_card(city.a.users[Role.REPORTER], card_data(city.a, disease="0100", classification="confirmed",
                                                              patient_name="鼠疫患者")).card
    proposal = EventReport.objects.get(source="cluster_rule")
    assert card in proposal.case_reports.all()
    event_service.create_event_report(city.a.users[Role.CDC], title="逾期草稿", category="food_poisoning",
                                      region=city.a.town.code, discovered_at=timezone.now() - timedelta(hours=5))
    client.force_login(city.a.users[Role.CDC])
    html = text(client.get(reverse("surveillance:event_list")))
    proposals = html[html.index('data-testid="event-proposals"'):html.index('data-testid="event-table"')]
    assert proposal.report_number in proposals and "E01" in proposals
    assert 'data-testid="events-overdue">1 份初次报告已超时' in html
    assert 'data-deadline="overdue"' in html
    detail = text(client.get(reverse("surveillance:event_detail", args=[proposal.pk])))
    assert card.card_number in detail and 'data-testid="reject-draft"' in detail
    response = client.post(reverse("surveillance:event_submit", args=[proposal.pk]),
                           {"action": "reject", "reason": ""}, follow=True)
    assert "请填写驳回原因" in text(response)
    response = client.post(reverse("surveillance:event_submit", args=[proposal.pk]),
                           {"action": "reject", "reason": "经核实为误诊"}, follow=True)
    assert f"报告 {proposal.report_number} 已驳回。" in text(response)
    proposal.refresh_from_db()
    assert proposal.status == EventReportStatus.REJECTED and proposal.status_reason == "经核实为误诊"
    # district 乙 sees none of it
    client.force_login(city.b.users[Role.CDC])
    html = text(client.get(reverse("surveillance:event_list")))
    assert proposal.report_number not in html and "逾期草稿" not in html
    assert client.get(reverse("surveillance:event_detail", args=[proposal.pk])).status_code == 404


def test_event_pages_per_role(client, city):
    report = event_service.create_event_report(city.a.users[Role.CDC], title="甲区食物中毒", category="food_poisoning",
                                               region=city.a.town.code, discovered_at=timezone.now(), submit=True)
    client.force_login(city.a.users[Role.LEADER])
    assert client.get(reverse("surveillance:event_create")).status_code == 403
    html = text(client.get(reverse("surveillance:event_detail", args=[report.pk])))
    assert "甲区食物中毒" in html and 'data-testid="progress"' not in html
    assert client.get(reverse("surveillance:event_follow_up", args=[report.pk])).status_code == 403
    client.force_login(city.a.users[Role.REPORTER])
    html = text(client.get(reverse("surveillance:event_create")))
    assert city.a.hospital.name in html and f'name="reporting_org" value="{city.a.hospital.pk}"' in html
    response = client.post(reverse("surveillance:event_create"),
                           event_post(city, reporting_org=city.a.hospital.pk, submit="1"))
    assert response.status_code == 302
    assert EventReport.objects.filter(reporting_org=city.a.hospital, status="submitted").count() == 1
