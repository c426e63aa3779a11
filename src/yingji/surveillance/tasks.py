"""Background jobs of surveillance. Start them with :func:`yingji.core.jobs.submit` (in-process without a broker).

``surveillance.remind_overdue_reports`` finds zero/daily reports that are overdue (expected, not received, past
their due time) and reminds the unit's users in the app and by SMS — once per unit and period: each reminder is
recorded (OverdueReminder), so running the job again, hourly or after a restart, never repeats one.
"""

from datetime import datetime, timedelta

from celery import shared_task
from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from yingji.core.models import Organisation, User
from yingji.core.notify import notify

from .models import OverdueReminder, ReportingSchedule
from .services.schedules import FREQUENCY_LABELS, local_today, tally

DEFAULT_LOOKBACK_DAYS = 14


def _overdue_link() -> str:
    for name in ("surveillance:aggregate_list", "surveillance:overdue"):  # the list shows the overdue periods
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return "/api/v1/aggregate-reports/overdue"


def remind_overdue(*, now: datetime | None = None, lookback_days: int = DEFAULT_LOOKBACK_DAYS) -> dict:
    """Remind units of periods that fell overdue in the last ``lookback_days`` days; returns what was done."""
    now = now or timezone.now()
    date_to = local_today(now)
    date_from = date_to - timedelta(days=lookback_days + 7)  # a weekly period starts up to a week before it is due
    schedules = ReportingSchedule.objects.filter(organisation__is_active=True, valid_from__lte=date_to).only(
        "organisation_id", "frequency", "valid_from", "valid_to", "due_hour")
    tallies = tally(schedules, date_from, date_to, now=now)
    since = now - timedelta(days=lookback_days)
    overdue = [p for t in tallies.values() for p in t.overdue if p.due_at >= since]
    reminded = set(OverdueReminder.objects.filter(
        organisation_id__in={p.organisation_id for p in overdue}, period_start__gte=date_from,
    ).values_list("organisation_id", "frequency", "period_start"))
    orgs = Organisation.objects.in_bulk({p.organisation_id for p in overdue})
    link = _overdue_link()
    result = {"overdue": len(overdue), "reminded": 0, "already_reminded": 0, "in_app": 0, "sms": 0}
    for period in sorted(overdue, key=lambda p: (p.organisation_id, p.period_start, p.frequency)):
        if (period.organisation_id, period.frequency, period.period_start) in reminded:
            result["already_reminded"] += 1
            continue
        org = orgs[period.organisation_id]
        users = list(User.objects.filter(organisation=org, is_active=True))
        zh, _ = FREQUENCY_LABELS[period.frequency]
        when = (f"{period.period_start:%Y-%m-%d}" if period.period_start == period.period_end
                else f"{period.period_start:%Y-%m-%d} 至 {period.period_end:%Y-%m-%d}")
        due = timezone.localtime(period.due_at)
        try:
            with transaction.atomic():
                OverdueReminder.objects.create(organisation=org, frequency=period.frequency,
                                               period_start=period.period_start, due_at=period.due_at,
                                               recipients=len(users))
                sent = notify(users, f"{zh}逾期未报：{org.name}",
                              f"{org.name} {when} 的{zh}（零报告）应于 {due:%Y-%m-%d %H:%M} 前提交，至今未收到，请尽快填报。",
                              link=link)
        except IntegrityError:  # another run recorded this reminder a moment ago
            result["already_reminded"] += 1
            continue
        result["reminded"] += 1
        result["in_app"] += sent.in_app
        result["sms"] += sent.sms
    return result


@shared_task(name="surveillance.remind_overdue_reports")
def remind_overdue_reports(now: str | None = None, lookback_days: int = DEFAULT_LOOKBACK_DAYS) -> dict:
    """Job form of :func:`remind_overdue` (``now`` as ISO 8601 text, for tests and catch-up runs)."""
    moment = datetime.fromisoformat(now) if now else None
    if moment is not None and timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return remind_overdue(now=moment, lookback_days=lookback_days)
