"""The demo city's series and truth for the evaluation harness — the one module of ``evaluation`` that reads the
database (through the Django ORM); everything else here is pure numpy.

Series: the demo city's live report cards (not superseded, merged or deleted) counted by county (the first six
digits of the patient's address region) × disease × onset day, over the demo's history. Truth: the outbreaks the
demo build injected (:func:`yingji.demo.epidemics.injected_outbreaks` for the seed and the build's ``today``),
each on its county × disease series, from its first to its last onset day.

The build's ``today`` is not stored; it is taken as the day after the latest onset among the demo cards (the
history ends yesterday and several dozen cards fall on every day), unless given. The number of years is taken
from the earliest onset likewise.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from .truth import EvaluationError, Truth


@dataclass
class DemoSeries:
    counts: np.ndarray  # series × days, float
    labels: list[tuple[str, str, str, str]]  # (county code, county name, disease code, disease name) per series
    first_day: date
    truth: Truth
    outbreaks: list  # the demo Outbreak records matched to series (same order as truth)
    unmatched: list  # injected outbreaks with no series (no live card of that county × disease)
    seed: int
    today: date
    years: int

    def day(self, index: int) -> date:
        return self.first_day + timedelta(days=int(index))


def demo_series(seed: int | None = None, today: date | None = None, years: int | None = None) -> DemoSeries:
    from django.db.models import Count, Max, Min

    from yingji.demo.context import DEFAULT_SEED
    from yingji.demo.epidemics import injected_outbreaks
    from yingji.demo.regions import DISTRICTS
    from yingji.demo.surveillance import demo_cards
    from yingji.surveillance.choices import CardStatus
    from yingji.surveillance.models import Disease

    seed = DEFAULT_SEED if seed is None else seed
    live = demo_cards().filter(status__in=(CardStatus.SUBMITTED, CardStatus.REVIEWED, CardStatus.RETURNED))
    span = live.aggregate(first=Min("onset_date"), last=Max("onset_date"))
    if span["last"] is None:
        raise EvaluationError("数据库中没有示范市的报告卡（请先运行 yingji demo-data）",
                              "there are no demo city report cards in the database (run `yingji demo-data` first)")
    today = today or span["last"] + timedelta(days=1)
    if years is None:
        years = max(1, round((today - span["first"]).days / 365.25))
    from yingji.demo.epidemics import window

    first_day, last_day = window(today, years)
    n_days = (last_day - first_day).days + 1
    counties = {d.code: d.name for d in DISTRICTS}

    per_cell: dict[tuple[str, str], dict[int, int]] = {}
    rows = (live.filter(onset_date__gte=first_day, onset_date__lte=last_day)
            .values_list("address_region__code", "disease__code", "onset_date").annotate(n=Count("id")))
    for region, disease, onset, n in rows:
        county = region[:6]
        if county not in counties:
            continue
        cell = per_cell.setdefault((county, disease), {})
        day = (onset - first_day).days
        cell[day] = cell.get(day, 0) + n
    names = dict(Disease.objects.values_list("code", "name"))
    keys = sorted(per_cell)
    counts = np.zeros((len(keys), n_days))
    for i, key in enumerate(keys):
        days = np.fromiter(per_cell[key].keys(), dtype=np.int64)
        counts[i, days] = np.fromiter(per_cell[key].values(), dtype=float)
    labels = [(c, counties[c], d, names.get(d, d)) for c, d in keys]

    index = {key: i for i, key in enumerate(keys)}
    records, matched, unmatched = [], [], []
    for o in injected_outbreaks(seed, today, years):
        row = index.get((o.county_code, o.disease_code))
        start, end = (o.start - first_day).days, (o.end - first_day).days
        if row is None or start < 0 or end >= n_days:
            unmatched.append(o)
            continue
        records.append((row, start, end, o.extra_cases, o.key))
        matched.append(o)
    return DemoSeries(counts=counts, labels=labels, first_day=first_day, truth=Truth.from_records(records),
                      outbreaks=matched, unmatched=unmatched, seed=seed, today=today, years=years)


@dataclass
class VerifiedHistory:
    """A real history: card counts per county × disease and the outbreaks its verified signals stand for."""

    counts: np.ndarray  # series × days, float (nan before the platform's data start)
    labels: list[tuple[str, str, str, str]]
    first_day: date
    truth: Truth
    signals: int  # verified signals read
    window: int

    def day(self, index: int) -> date:
        return self.first_day + timedelta(days=int(index))


def verified_history(start: date, end: date, *, basis: str = "onset", window: int = 7) -> VerifiedHistory:
    """Card counts per county × disease over [start, end] (``detection.services.counts.card_counts``) and, as the
    truth, the signals on report cards that verification confirmed as outbreaks (status ``confirmed`` or
    ``linked``). A signal on day d stands for an outbreak in the ``window`` days ending on d (the MPM's current
    period); overlapping windows of one series are merged into one outbreak, so an outbreak signalled on several
    days counts once. Its ``cases`` are the counts in the merged window."""
    from django.db.models import Q

    from yingji.core.models import Region
    from yingji.surveillance.models import Disease

    from ..choices import RegionLevel, SignalStatus, Source
    from ..models import Signal
    from ..services.counts import card_counts

    if start > end:
        raise EvaluationError("开始日期晚于结束日期", "the start date is after the end date")
    if window < 1:
        raise EvaluationError("窗口须至少 1 天", "the window must be at least 1 day")
    matrix = card_counts(start, end, basis=basis, level=RegionLevel.COUNTY)
    diseases = {pk: (code, name) for pk, code, name in Disease.objects.values_list("pk", "code", "name")}
    regions = dict(Region.objects.filter(code__in=set(matrix.regions)).values_list("code", "name"))
    index = {(region, key): i for i, (region, key) in enumerate(zip(matrix.regions, matrix.keys, strict=True))}
    labels = [(region, regions.get(region, region), *diseases.get(key, (str(key), str(key))))
              for region, key in zip(matrix.regions, matrix.keys, strict=True)]

    verified = (Signal.objects.filter(source=Source.CARDS, disease__isnull=False, signal_date__gte=start,
                                      signal_date__lte=end)
                .filter(Q(status=SignalStatus.CONFIRMED) | Q(status=SignalStatus.LINKED))
                .values_list("region_id", "disease_id", "signal_date").distinct())
    spans: dict[int, list[list[int]]] = {}
    count = 0
    for region, disease, day in verified:
        row = index.get((region, disease))
        if row is None:  # no card in the period for that series (e.g. a signal on another count basis)
            continue
        count += 1
        last = (day - start).days
        spans.setdefault(row, []).append([max(0, last - window + 1), last])
    records = []
    for row, windows in spans.items():
        windows.sort()
        merged = [windows[0]]
        for first, last in windows[1:]:
            if first <= merged[-1][1] + 1:
                merged[-1][1] = max(merged[-1][1], last)
            else:
                merged.append([first, last])
        for first, last in merged:
            cases = int(np.nansum(matrix.counts[row, first:last + 1]))
            records.append((row, first, last, cases, "verified"))
    return VerifiedHistory(counts=matrix.counts, labels=labels, first_day=start,
                           truth=Truth.from_records(sorted(records)), signals=count, window=window)
