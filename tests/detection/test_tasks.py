"""The periodic jobs: the daily run (yesterday, Asia/Shanghai) and overdue flagging, in-process without a broker."""

from datetime import date, timedelta

from yingji.celery import app
from yingji.core import jobs
from yingji.detection import tasks
from yingji.detection.models import DetectionRun, Signal

from .factories import bj, cards, fixed, only


def test_the_beat_schedule_has_the_daily_run_at_six_and_the_overdue_check():
    schedule = app.conf.beat_schedule
    daily = schedule["detection-daily-run"]
    assert daily["task"] == "detection.run_daily"
    assert daily["schedule"].hour == {6} and daily["schedule"].minute == {0}
    assert schedule["detection-flag-overdue"]["task"] == "detection.flag_overdue_signals"
    assert app.conf.timezone == "Asia/Shanghai"


def test_the_daily_job_judges_yesterday_and_is_idempotent(city):
    only(fixed("0200"))
    cards(city.a, "0200", date(2026, 3, 10), 1)
    now = bj(2026, 3, 11, 6).isoformat()  # 06:00 on the 11th judges the 10th
    job = jobs.submit(tasks.run_daily, None, now)
    assert job.ready and job.result["date"] == "2026-03-10" and job.result["new_signals"] == 1
    again = jobs.submit(tasks.run_daily, None, now)
    assert again.result["signals"] == 1 and again.result["new_signals"] == 0
    assert Signal.objects.count() == 1 and DetectionRun.objects.count() == 2


def test_the_overdue_job_flags_past_due_signals(city):
    only(fixed("0200"))
    cards(city.a, "0200", date(2026, 3, 10), 1)
    tasks.run_daily("2026-03-10", bj(2026, 3, 11, 6).isoformat())
    job = jobs.submit(tasks.flag_overdue_signals, (bj(2026, 3, 11, 6) + timedelta(hours=25)).isoformat())
    assert job.result["flagged"] == 1
    assert Signal.objects.get().overdue_flagged_at is not None
