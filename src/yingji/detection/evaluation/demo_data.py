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
