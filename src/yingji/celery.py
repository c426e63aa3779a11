"""Celery application.

With CELERY_BROKER_URL set (Redis in production) jobs go to workers; without it every job runs
in-process (``task_always_eager``), so the one-command demo needs no broker.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yingji.settings")

app = Celery("yingji")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Periodic housekeeping, run by `celery -A yingji beat` (tasks in yingji/core/tasks.py).
app.conf.beat_schedule = {
    "expire-idempotency-records": {"task": "core.expire_idempotency_records", "schedule": 24 * 3600.0, "args": (30,)},
}
