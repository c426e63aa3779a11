"""Early-warning KPIs as CIDARS publishes them (statutory-rules §4.5), per region and period.

For the signals dated in the period within the user's jurisdiction (and a region, if given):

- ``signals``; ``per_county_week``: signals ÷ (counties × weeks of the period) — CIDARS: 1.65 (2008–2010),
  1.48 (2014) per county per week for the temporal model;
- ``responded``/``response_rate``: share of signals with a preliminary verification at all;
- ``within_24h_rate`` (the CIDARS "24 h response rate", the headline response rate) and ``within_2h_rate`` (its
  figure for fixed-threshold signals): share verified within 24 h / 2 h of being issued; ``within_due_rate``:
  within the signal's own due time;
- ``median_hours`` (P25–P75) of the time from issue to verification, over the verified signals;
- ``suspected_rate``: share that reached 疑似事件; ``confirmed_rate``: share verified as outbreaks (确认暴发,
  also those since linked to an event) — the share of signals that were real outbreaks;
- ``open``/``overdue``: not yet closed / verification past due.

The same figures are given for fixed-threshold and temporal-model signals apart, and per county.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np
from django.utils import timezone

from yingji.core import regioncodes
from yingji.core.errors import InvalidInput, field_message
from yingji.core.models import Region

from ..choices import SignalStatus
from ..models import SignalAction
from .signals import signals as scoped_signals

FIXED_METHODS = frozenset({"fixed_threshold"})
REACHED_SUSPECTED = {SignalStatus.SUSPECTED, SignalStatus.INVESTIGATING, SignalStatus.CONFIRMED, SignalStatus.LINKED}
REACHED_CONFIRMED = {SignalStatus.CONFIRMED, SignalStatus.LINKED}


@dataclass
class Figures:
    signals: int = 0
    responded: int = 0
    response_rate: float | None = None
    within_2h_rate: float | None = None
    within_24h_rate: float | None = None
    within_due_rate: float | None = None
    median_hours: float | None = None
    p25_hours: float | None = None
    p75_hours: float | None = None
    suspected: int = 0
    suspected_rate: float | None = None
    confirmed: int = 0
    confirmed_rate: float | None = None
    open: int = 0
    overdue: int = 0
    per_county_week: float | None = None


@dataclass
class KpiReport:
    date_from: date
    date_to: date
    region: str
    counties: int
    weeks: float
    total: Figures
    fixed: Figures
    temporal: Figures
    by_region: list[tuple[str, str, Figures]] = field(default_factory=list)  # (code, name, figures)


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _figures(rows: list[dict], reached: dict[int, set], now: datetime, counties: int, weeks: float) -> Figures:
    f = Figures(signals=len(rows))
    hours = []
    in_2h = in_24h = in_due = 0
    for row in rows:
        statuses = reached.get(row["pk"], set()) | {row["status"]}
        if statuses & REACHED_SUSPECTED:
            f.suspected += 1
        if statuses & REACHED_CONFIRMED:
            f.confirmed += 1
        if row["status"] not in (SignalStatus.EXCLUDED, SignalStatus.LINKED):
            f.open += 1
        if row["status"] == SignalStatus.NEW and row["verify_due_at"] < now:
            f.overdue += 1
        if row["verified_at"] is None:
            continue
        f.responded += 1
        start = row["raised_at"] or row["created_at"]
        elapsed = max(0.0, (row["verified_at"] - start).total_seconds() / 3600)
        hours.append(elapsed)
        in_2h += elapsed <= 2
        in_24h += elapsed <= 24
        in_due += row["verified_at"] <= row["verify_due_at"]
    f.response_rate = _rate(f.responded, f.signals)
    f.within_2h_rate = _rate(in_2h, f.signals)
    f.within_24h_rate = _rate(in_24h, f.signals)
    f.within_due_rate = _rate(in_due, f.signals)
    f.suspected_rate = _rate(f.suspected, f.signals)
    f.confirmed_rate = _rate(f.confirmed, f.signals)
    if hours:
        p25, median, p75 = np.percentile(hours, [25, 50, 75])
        f.p25_hours, f.median_hours, f.p75_hours = round(float(p25), 2), round(float(median), 2), round(float(p75), 2)
    if counties and weeks:
        f.per_county_week = round(f.signals / (counties * weeks), 4)
    return f


def kpis(user, *, date_from: date, date_to: date, region: str | None = None, disease: str | None = None,
         source: str | None = None, now: datetime | None = None) -> KpiReport:
    """The KPI report for signals dated ``date_from``–``date_to`` within the user's jurisdiction."""
    now = now or timezone.now()
    if date_to < date_from:
        raise InvalidInput({"date_to": [field_message("结束日期不能早于开始日期", "The end date is before the start date")]})
    if region:
        try:
            regioncodes.level_of(region)
        except regioncodes.CodeError as exc:
            raise InvalidInput({"region": [field_message(exc.message_zh, exc.message_en)]}) from None
    qs = scoped_signals(user, region=region, disease=disease, source=source, date_from=date_from, date_to=date_to)
    rows = list(qs.values("pk", "region_id", "region__name", "method", "status", "raised_at", "created_at",
                          "verified_at", "verify_due_at"))
    reached: dict[int, set] = {}
    for signal_id, to_status in SignalAction.objects.filter(signal_id__in=[r["pk"] for r in rows]).values_list(
            "signal_id", "to_status"):
        reached.setdefault(signal_id, set()).add(to_status)
    area = region or user_area(user)
    counties = _county_count(area)
    weeks = ((date_to - date_from).days + 1) / 7
    fixed = [r for r in rows if r["method"] in FIXED_METHODS]
    temporal = [r for r in rows if r["method"] not in FIXED_METHODS]
    by_code: dict[str, list[dict]] = {}
    names: dict[str, str] = {}
    for r in rows:
        by_code.setdefault(r["region_id"], []).append(r)
        names[r["region_id"]] = r["region__name"]
    by_region = [(code, names[code], _figures(items, reached, now, 1, weeks)) for code, items in sorted(by_code.items())]
    return KpiReport(date_from=date_from, date_to=date_to, region=area or "", counties=counties, weeks=round(weeks, 2),
                     total=_figures(rows, reached, now, counties, weeks),
                     fixed=_figures(fixed, reached, now, counties, weeks),
                     temporal=_figures(temporal, reached, now, counties, weeks), by_region=by_region)


def user_area(user) -> str | None:
    if user.is_platform_admin or user.organisation is None:
        return None
    return user.organisation.region_id


def _county_count(area: str | None) -> int:
    qs = Region.objects.filter(level=Region.LevelChoices.COUNTY)
    if area:
        qs = qs.filter(code__startswith=regioncodes.subtree_prefix(area))
    return qs.count()
