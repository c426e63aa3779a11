"""Celery application.

With CELERY_BROKER_URL set (Redis in production) jobs go to workers; without it every job runs
in-process (``task_always_eager``), so the one-command demo needs no broker.
"""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yingji.settings")

app = Celery("yingji")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Periodic jobs, run by `celery -A yingji beat` (tasks in yingji/core/tasks.py and yingji/surveillance/tasks.py).
app.conf.beat_schedule = {
    "expire-idempotency-records": {"task": "core.expire_idempotency_records", "schedule": 24 * 3600.0, "args": (30,)},
    # zero/daily reports overdue → in-app and SMS reminders, once per unit and period (yingji/surveillance/tasks.py)
    "remind-overdue-reports": {"task": "surveillance.remind_overdue_reports", "schedule": 3600.0},
    # early warning (yingji/detection/tasks.py): the daily run at 06:00 Asia/Shanghai (CELERY_TIMEZONE) judges
    # yesterday; overdue signal verifications flagged hourly
    "detection-daily-run": {"task": "detection.run_daily", "schedule": crontab(hour=6, minute=0)},
    "detection-flag-overdue": {"task": "detection.flag_overdue_signals", "schedule": 3600.0},
    # close contacts (yingji/response/tasks.py): each day's follow-ups of contacts under observation, at 00:30
    # Asia/Shanghai (idempotent: a rerun or a restart creates nothing twice)
    "response-generate-followups": {"task": "response.generate_followups", "schedule": crontab(hour=0, minute=30)},
    # tasks (yingji/response/tasks.py): overdue tasks flagged hourly (assignee reminded once); today's daily report
    # task of every event under an active response, hourly (idempotent: once per event and day)
    "response-flag-overdue-tasks": {"task": "response.flag_overdue_tasks", "schedule": 3600.0},
    "response-daily-report-tasks": {"task": "response.create_daily_report_tasks", "schedule": 3600.0},
}
