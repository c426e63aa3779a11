"""The notifier (in-app and an SMS-gateway interface) and the overdue-reminder job: once per overdue period."""

import logging
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from yingji.core import jobs
from yingji.core.models import Notification
from yingji.core.notify import LoggingSmsBackend, mark_all_read, mark_read, notify, sms_text, unread_count
from yingji.core.roles import Role
from yingji.surveillance.models import OverdueReminder
from yingji.surveillance.services.schedules import create_schedule, submit_aggregate_report
from yingji.surveillance.tasks import remind_overdue, remind_overdue_reports

BJ = ZoneInfo("Asia/Shanghai")
SENT: list[tuple[str, str]] = []


class RecordingGateway:
    """A gateway that keeps what it was given (stands in for the commission's SMS platform)."""

    def send(self, phone: str, text: str) -> None:
        SENT.append((phone, text))


class BrokenGateway:
    def send(self, phone: str, text: str) -> None:
        raise ConnectionError("gateway down")


@pytest.fixture
def gateway(settings):
    SENT.clear()
    settings.YINGJI_SMS_BACKEND = f"{__name__}.RecordingGateway"
    return SENT


@pytest.fixture
def phones(city):
    for user, phone in ((city.a.users[Role.REPORTER], "13812345678"), (city.a.users[Role.CDC], "13900001111")):
        user.phone = phone
        user.save(update_fields=["phone"])
    return city


def test_in_app_and_sms_to_active_recipients_once_each(phones, gateway, django_capture_on_commit_callbacks):
    city = phones
    reporter, cdc, leader = city.a.users[Role.REPORTER], city.a.users[Role.CDC], city.a.users[Role.LEADER]
    leader.is_active = False
    leader.save(update_fields=["is_active"])
    dispatcher = city.a.users[Role.DISPATCHER]  # no phone
    with django_capture_on_commit_callbacks(execute=True):
        result = notify([reporter, cdc, reporter, leader, dispatcher], "日报告逾期未报", "请尽快填报", link="/x/")
    assert result.as_dict() == {"in_app": 3, "sms": 2, "no_phone": 1}
    assert sorted(n.recipient.username for n in Notification.objects.all()) == sorted(
        [reporter.username, cdc.username, dispatcher.username])
    assert Notification.objects.filter(link="/x/", title="日报告逾期未报", body="请尽快填报").count() == 3
    assert sorted(gateway) == [("13812345678", "【应急】日报告逾期未报：请尽快填报"),
                               ("13900001111", "【应急】日报告逾期未报：请尽快填报")]


def test_texts_leave_only_when_the_transaction_commits(phones, gateway, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify([phones.a.users[Role.REPORTER]], "标题", "正文", channels=("sms",))
    assert gateway == [] and len(callbacks) == 1
    assert not Notification.objects.exists()  # the in-app channel was not asked for


def test_a_broken_gateway_never_breaks_the_caller(phones, settings, caplog, django_capture_on_commit_callbacks):
    settings.YINGJI_SMS_BACKEND = f"{__name__}.BrokenGateway"
    with django_capture_on_commit_callbacks(execute=True):
        result = notify([phones.a.users[Role.REPORTER]], "标题", "正文")
    assert result.in_app == 1 and "SMS gateway failed for 138****5678" in caplog.text


def test_the_default_gateway_only_logs_with_the_number_masked(caplog):
    with caplog.at_level(logging.INFO, logger="yingji.notify"):
        LoggingSmsBackend().send("13812345678", "【应急】测试")
    assert "138****5678" in caplog.text and "13812345678" not in caplog.text and "【应急】测试" in caplog.text
    assert sms_text("标" * 400, "").endswith("…") and len(sms_text("标" * 400, "")) == 300


def test_unknown_channels_and_empty_recipient_lists(city):
    with pytest.raises(ValueError):
        notify([city.admin], "t", "b", channels=("pigeon",))
    assert notify([], "t", "b").as_dict() == {"in_app": 0, "sms": 0, "no_phone": 0}


def test_reading_notifications(city):
    reporter, cdc = city.a.users[Role.REPORTER], city.a.users[Role.CDC]
    notify([reporter, cdc], "一", "b", channels=("in_app",))
    notify([reporter], "二", "b", channels=("in_app",))
    assert unread_count(reporter) == 2
    first = Notification.objects.filter(recipient=reporter).last()
    mark_read(reporter, first)
    read_at = first.read_at
    mark_read(reporter, first)
    assert first.read_at == read_at and unread_count(reporter) == 1
    with pytest.raises(PermissionError):
        mark_read(cdc, first)
    assert mark_all_read(reporter) == 1 and unread_count(reporter) == 0 and unread_count(cdc) == 1


# --- the overdue-reminder job -----------------------------------------------------------------------------------


@pytest.fixture
def weekly_hospital(phones):
    city = phones
    create_schedule(city.a.users[Role.CDC], organisation=city.a.hospital.pk, frequency="weekly",
                    valid_from=date(2026, 2, 2))
    return city


def test_overdue_reports_are_reminded_once_per_period(weekly_hospital, gateway, django_capture_on_commit_callbacks):
    city = weekly_hospital
    reporter = city.a.users[Role.REPORTER]
    # Tuesday 10 March: the weeks of 23 Feb (due 2 Mar) and 2 Mar (due 9 Mar) are overdue; older ones fell
    # due before the 14-day look-back and are left to the overdue list
    now = datetime(2026, 3, 10, 12, tzinfo=BJ)
    with django_capture_on_commit_callbacks(execute=True):
        result = remind_overdue(now=now)
    assert result == {"overdue": 2, "reminded": 2, "already_reminded": 0, "in_app": 2, "sms": 2}
    titles = list(Notification.objects.filter(recipient=reporter).values_list("body", flat=True))
    assert any("2026-02-23 至 2026-03-01" in t for t in titles) and any("2026-03-02 至 2026-03-08" in t for t in titles)
    assert all(number == "13812345678" for number, _ in gateway)
    assert set(OverdueReminder.objects.values_list("period_start", flat=True)) == {date(2026, 2, 23), date(2026, 3, 2)}

    again = remind_overdue(now=now + timedelta(hours=1))
    assert again["reminded"] == 0 and again["already_reminded"] == 2
    assert Notification.objects.filter(recipient=reporter).count() == 2

    # the unit catches up on one week; a week later only the newly overdue week is reminded
    submit_aggregate_report(reporter, organisation=city.a.hospital.pk, frequency="weekly",
                            period_start=date(2026, 3, 9), is_zero=True, now=now)
    later = remind_overdue(now=datetime(2026, 3, 23, 10, 0, 1, tzinfo=BJ), lookback_days=22)
    assert (later["reminded"], later["already_reminded"]) == (1, 2)  # week of 16 Mar new; the other two known
    assert OverdueReminder.objects.count() == 3


def test_the_job_runs_in_process_without_a_broker(weekly_hospital):
    city = weekly_hospital
    assert jobs.runs_in_process()
    job = jobs.submit(remind_overdue_reports, "2026-03-10T12:00:00+08:00")
    assert job.ready and job.result["reminded"] == 2
    # every user of the unit is reminded (here the hospital's reporter)
    assert set(Notification.objects.values_list("recipient", flat=True)) == {city.a.users[Role.REPORTER].pk}
    assert jobs.submit(remind_overdue_reports, "2026-03-10T13:00:00+08:00").result["reminded"] == 0


def test_a_report_received_in_time_is_never_reminded(weekly_hospital):
    city = weekly_hospital
    for start in (date(2026, 2, 23), date(2026, 3, 2)):
        submit_aggregate_report(city.a.users[Role.REPORTER], organisation=city.a.hospital.pk, frequency="weekly",
                                period_start=start, is_zero=True, now=datetime(2026, 3, 9, 9, tzinfo=BJ))
    assert remind_overdue(now=datetime(2026, 3, 10, 12, tzinfo=BJ))["overdue"] == 0
    assert not Notification.objects.exists()


def test_a_reminder_links_to_the_zero_report_page(weekly_hospital):
    from django.urls import reverse

    remind_overdue(now=datetime(2026, 3, 10, 12, tzinfo=BJ))
    assert {n.link for n in Notification.objects.all()} == {reverse("surveillance:aggregate_list")}
