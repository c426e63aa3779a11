"""Timeliness of reporting and of review (报告及时性、审核及时性), per card and as tables per reporting unit and
per county — the rule is surveillance.deadlines.assess; the tables count the same rule in the database.

Reporting: report time − diagnosis time against the disease's report deadline (2 h or 24 h by default; none for a
disease without a statutory deadline). Counted over initial cards that were not deleted or merged away (a
superseded original still shows how fast the first report came; its correction is not a new report).

Review: review time − report time against the disease's review deadline, over cards reviewed or awaiting review;
a card still awaiting review is pending, or overdue once its deadline has passed.
"""

import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import connection
from django.db.models import Aggregate, Count, F, FloatField, Q, QuerySet
from django.db.models.functions import Substr
from django.utils import timezone

from yingji.core import scoping
from yingji.core.models import Organisation, Region

from ..choices import CardStatus, CardType
from ..deadlines import LABELS, Assessment, assess
from ..models import CaseReport, Disease
from .cards import _subtree, day_bounds, timeliness_q


def card_timeliness(card: CaseReport) -> Assessment:
    """Was this card reported within its disease's deadline? (on_time, late, no_deadline, invalid)"""
    return assess(card.diagnosed_at, card.reported_at, card.disease.report_deadline_hours)


def card_review_timeliness(card: CaseReport, *, now: datetime | None = None) -> Assessment:
    """Was it reviewed within the review deadline? (on_time, late, pending, overdue, no_deadline)"""
    return assess(card.reported_at, card.reviewed_at, card.disease.review_deadline_hours, now=now or timezone.now())


def describe(assessment: Assessment) -> dict:
    """An assessment as data for pages and the API: status, labels in both languages, deadline, delay in hours."""
    zh, en = LABELS[assessment.status]
    return {
        "status": str(assessment.status), "label": zh, "label_en": en, "deadline": assessment.deadline,
        "delay_hours": None if assessment.delay is None else round(assessment.delay_hours, 2),
    }


# --- tables -------------------------------------------------------------------------------------------------


class Median(Aggregate):
    """PostgreSQL's median (percentile_cont); other databases compute it in Python (see _medians)."""

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


@dataclass
class TableFilter:
    date_from: date | None = None  # report date (Beijing time), inclusive
    date_to: date | None = None
    disease: str | None = None  # code, with its subtypes
    region: str | None = None  # reporting unit's region subtree
    by_address: bool = False  # region table: group by the patient's county instead of the unit's


def _base(user, f: TableFilter) -> QuerySet:
    """Cards of units within the user's reach (a district sees its own units, not the neighbours' whose patients
    happen to live there), reported in the period."""
    units = scoping.scope(user, Organisation.objects.all())
    qs = scoping.scope(user, CaseReport.objects.filter(reporting_org__in=units))
    lo, hi = day_bounds(f.date_from, f.date_to)
    if lo:
        qs = qs.filter(reported_at__gte=lo)
    if hi:
        qs = qs.filter(reported_at__lt=hi)
    if f.disease:
        qs = qs.filter(Q(disease__code=f.disease) | Q(disease__parent__code=f.disease))
    if f.region:
        qs = qs.filter(reporting_org__region__code__startswith=_subtree(f.region, "region"))
    return qs


def report_cards(qs: QuerySet) -> QuerySet:
    return qs.filter(card_type=CardType.INITIAL).exclude(status__in=(CardStatus.DELETED, CardStatus.MERGED))


def review_cards(qs: QuerySet) -> QuerySet:
    return qs.filter(status__in=(CardStatus.SUBMITTED, CardStatus.REVIEWED))


def _overdue_q(now: datetime) -> Q:
    """Awaiting review past the deadline: one condition per distinct deadline (a handful), so it stays in SQL."""
    hours = Disease.objects.exclude(review_deadline_hours=None).values_list("review_deadline_hours", flat=True)
    q = Q(pk__in=[])
    for h in sorted(set(hours)):
        q |= Q(disease__review_deadline_hours=h, reported_at__lt=now - timedelta(hours=h))
    return Q(status=CardStatus.SUBMITTED) & q


def _report_counts() -> dict:
    return {
        "cards": Count("pk"),
        "on_time": Count("pk", filter=timeliness_q("on_time")),
        "late": Count("pk", filter=timeliness_q("late")),
        "no_deadline": Count("pk", filter=timeliness_q("no_deadline")),
        "invalid": Count("pk", filter=timeliness_q("invalid")),
    }


def _review_counts(now: datetime) -> dict:
    hours = F("disease__review_deadline_hours") * 3600
    reviewed = Q(status=CardStatus.REVIEWED, review_delay_seconds__isnull=False)
    return {
        "review_cards": Count("pk"),
        "reviewed": Count("pk", filter=reviewed),
        "review_on_time": Count("pk", filter=reviewed & Q(review_delay_seconds__lte=hours)),
        "review_late": Count("pk", filter=reviewed & Q(review_delay_seconds__gt=hours)),
        "review_no_deadline": Count("pk", filter=Q(disease__review_deadline_hours__isnull=True)),
        "review_pending": Count("pk", filter=Q(status=CardStatus.SUBMITTED) & ~_overdue_q(now)
                                & Q(disease__review_deadline_hours__isnull=False)),
        "review_overdue": Count("pk", filter=_overdue_q(now)),
    }


def _medians(qs: QuerySet, group: str, column: str) -> dict:
    """Median of ``column`` (seconds) per ``group``, over non-negative values, in hours."""
    qs = qs.filter(**{f"{column}__gte": 0})
    if connection.vendor == "postgresql":
        rows = qs.values(group).annotate(m=Median(column)).values_list(group, "m")
        return {key: round(m / 3600, 2) for key, m in rows if m is not None}
    values = defaultdict(list)
    for key, seconds in qs.values_list(group, column).order_by():
        values[key].append(seconds)
    return {key: round(statistics.median(v) / 3600, 2) for key, v in values.items()}


def _rate(good: int, bad: int) -> float | None:
    return None if good + bad == 0 else round(good / (good + bad), 4)


def _finish(row: dict) -> dict:
    row["on_time_rate"] = _rate(row["on_time"], row["late"])
    row["review_on_time_rate"] = _rate(row["review_on_time"], row["review_late"] + row["review_overdue"])
    return row


EMPTY = {"cards": 0, "on_time": 0, "late": 0, "no_deadline": 0, "invalid": 0, "median_delay_hours": None,
         "review_cards": 0, "reviewed": 0, "review_on_time": 0, "review_late": 0, "review_no_deadline": 0,
         "review_pending": 0, "review_overdue": 0, "review_median_hours": None}


def _table(qs: QuerySet, group, now: datetime) -> dict:
    """{group value: row} with report and review counts, each counted by the database."""
    if not isinstance(group, str):
        qs, group = qs.annotate(group_key=group), "group_key"
    rows: dict = defaultdict(lambda: dict(EMPTY))
    report, review = report_cards(qs), review_cards(qs)
    for values in report.values(group).annotate(**_report_counts()).order_by():
        rows[values.pop(group)].update(values)
    for values in review.values(group).annotate(**_review_counts(now)).order_by():
        rows[values.pop(group)].update(values)
    for key, m in _medians(report, group, "report_delay_seconds").items():
        rows[key]["median_delay_hours"] = m
    for key, m in _medians(review.filter(status=CardStatus.REVIEWED), group, "review_delay_seconds").items():
        rows[key]["review_median_hours"] = m
    return rows


def _median_all(qs: QuerySet, column: str) -> float | None:
    qs = qs.filter(**{f"{column}__gte": 0})
    if connection.vendor == "postgresql":
        m = qs.aggregate(m=Median(column))["m"]
    else:
        values = list(qs.values_list(column, flat=True).order_by())
        m = statistics.median(values) if values else None
    return None if m is None else round(m / 3600, 2)


def _total(qs: QuerySet, now: datetime) -> dict:
    report, review = report_cards(qs), review_cards(qs)
    row = dict(EMPTY)
    row.update(report.aggregate(**_report_counts()))
    row.update(review.aggregate(**_review_counts(now)))
    row["median_delay_hours"] = _median_all(report, "report_delay_seconds")
    row["review_median_hours"] = _median_all(review.filter(status=CardStatus.REVIEWED), "review_delay_seconds")
    return _finish(row | {"code": "", "name": "合计", "name_en": "Total"})


def unit_table(user, f: TableFilter | None = None, *, now: datetime | None = None) -> dict:
    """Timeliness per reporting unit: {"rows": [...], "total": {...}}; each row names the unit and its region."""
    f, now = f or TableFilter(), now or timezone.now()
    qs = _base(user, f)
    rows = _table(qs, "reporting_org", now)
    orgs = Organisation.objects.select_related("region").in_bulk(list(rows))
    result = []
    for pk, row in rows.items():
        org = orgs[pk]
        result.append(_finish(row | {"id": pk, "code": org.code, "name": org.name, "region": org.region_id,
                                     "region_name": org.region.name}))
    result.sort(key=lambda r: (r["region"], r["code"]))
    return {"rows": result, "total": _total(qs, now)}


def region_table(user, f: TableFilter | None = None, *, now: datetime | None = None) -> dict:
    """Timeliness per county (the reporting unit's county, or with ``by_address`` the patient's)."""
    f, now = f or TableFilter(), now or timezone.now()
    qs = _base(user, f)
    column = "address_region_id" if f.by_address else "reporting_org__region_id"
    rows = _table(qs, Substr(column, 1, 6), now)
    names = dict(Region.objects.filter(pk__in=list(rows)).values_list("code", "name"))
    result = [_finish(row | {"code": code, "name": names.get(code, code)}) for code, row in rows.items()]
    result.sort(key=lambda r: r["code"])
    return {"rows": result, "total": _total(qs, now)}
