"""Background jobs of early warning. Start them with :func:`yingji.core.jobs.submit` (in-process without a broker);
the periodic ones are scheduled in ``yingji/celery.py``.

- ``detection.run_daily``: the scheduled daily run (06:00 Asia/Shanghai) judges yesterday, the last complete day;
  idempotent, so a retry or a second beat does no harm.
- ``detection.flag_overdue_signals``: hourly, flags signals whose preliminary verification is past due and reminds
  the responsible CDC once per signal.
"""

from datetime import date, datetime, timedelta

from celery import shared_task
from django.utils import timezone

from .services.runs import local_today, run_detection
from .services.signals import DEFAULT_OVERDUE_LOOKBACK_DAYS, flag_overdue


def _moment(now: str | None) -> datetime | None:
    if not now:
        return None
    moment = datetime.fromisoformat(now)
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


@shared_task(name="detection.run_daily")
def run_daily(day: str | None = None, now: str | None = None) -> dict:
    """Run detection for ``day`` (ISO date; default yesterday in Asia/Shanghai); returns the run's summary."""
    moment = _moment(now)
    target = date.fromisoformat(day) if day else local_today(moment) - timedelta(days=1)
    run = run_detection(target, now=moment)
    return {"run": run.pk, "date": target.isoformat(), "status": run.status, "series": run.series_count,
            "signals": run.signal_count, "new_signals": run.new_signal_count, "problems": len(run.problems)}


@shared_task(name="detection.flag_overdue_signals")
def flag_overdue_signals(now: str | None = None, lookback_days: int = DEFAULT_OVERDUE_LOOKBACK_DAYS) -> dict:
    """Job form of :func:`yingji.detection.services.signals.flag_overdue` (``now`` as ISO 8601 text)."""
    return flag_overdue(now=_moment(now), lookback_days=lookback_days)
