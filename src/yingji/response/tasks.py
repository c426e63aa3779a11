"""Background jobs of response and command (应急响应). Each part appends its jobs; the beat schedule is in
yingji/celery.py.

``response.generate_followups``: the daily follow-ups (每日随访) of every contact under observation today, assigned
to follow-up teams by area (services/followups.py; idempotent, so a rerun or a restart creates nothing twice).
"""

from celery import shared_task


@shared_task(name="response.generate_followups")
def generate_daily_followups(day: str | None = None) -> int:
    from datetime import date

    from .services.followups import generate_followups

    return generate_followups(date.fromisoformat(day) if day else None)


# --- tasks (任务): services/tasks.py ---------------------------------------------------------------------------


def _moment(now: str | None):
    """``now`` as ISO 8601 text (for tests and reruns) → an aware datetime; None → the clock."""
    from datetime import datetime

    from django.utils import timezone

    if not now:
        return None
    moment = datetime.fromisoformat(now)
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


@shared_task(name="response.flag_overdue_tasks")
def flag_overdue_tasks(now: str | None = None) -> dict:
    """Hourly: flag tasks past their deadline and not done; remind the assignee organisation once per task."""
    from .services.tasks import flag_overdue

    return flag_overdue(now=_moment(now))


@shared_task(name="response.create_daily_report_tasks")
def create_daily_report_tasks(now: str | None = None) -> dict:
    """Hourly: today's daily report task (Asia/Shanghai) of every event under an active response — once per event
    and day, so a response started mid-day gets its task within the hour."""
    from .services.tasks import daily_report_tasks

    return daily_report_tasks(now=_moment(now))
