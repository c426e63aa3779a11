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
