"""Count matrices (region × disease × day) for detection, each built with one aggregated query.

Report cards: live cards only (submitted, reviewed, returned — not superseded, merged or deleted), counted by
onset date or by the report date in Asia/Shanghai, at the county of the patient's current address (a town counts
for its county; a town directly under a prefecture-level city without counties, for that city). A disease counts
its own cards and those of its subtypes (痢疾 = 细菌性 + 阿米巴性 + 未分型 …).

Fever clinics: the daily visits or positive tests of every clinic summed per clinic's county. A county day without
any fever-clinic report is a gap (``nan``), not a zero: the clinics did not report.

Missing history: card series start at the first day any card exists in the database (the platform's data start);
days before it are gaps, so a new installation reports ``short_history`` instead of alarming against zeros.

Public holidays (``holiday_mode``) — :func:`apply_holidays`:

- ``none``: counts as they are. Right for onset-date counts, whose dates do not depend on office hours.
- ``shift``: the counts of a public holiday (法定节假日, the whole 放假 span of the State Council notice) are
  moved to the next workday — a day that is not a holiday (a 调休 make-up workday is a workday). During a holiday
  fewer units report and the backlog arrives on the first workday, so by report date the holiday is too low and the
  workday after too high. Moving the holiday's counts forward keeps every case, keeps the same-period windows of
  past years comparable (their holidays were moved the same way) and never raises a false alarm on a holiday.
  Counts of trailing holidays with no workday before the end of the series stay on its last day, so a run on a
  holiday still sees the holiday's cases (single cases are never delayed). The default for report-date counts.
- ``exclude``: holidays become gaps: not judged, and left out of every baseline. For a method that needs every
  day of a window this loses the holiday's points; use it only where holiday counts are meaningless.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from django.db.models import Count, Min, Sum
from django.db.models.functions import TruncDate

from yingji.core import regioncodes

from ..choices import REGION_LEVEL_NUMBER, CountBasis, HolidayKind, HolidayMode, Measure, RegionLevel

SHANGHAI = ZoneInfo("Asia/Shanghai")
LIVE_CARD_STATUSES = ("submitted", "reviewed", "returned")


def region_at_level(code: str, level: str) -> str | None:
    """The region code at ``level`` (county / prefecture / province) containing ``code``; None above it."""
    try:
        own = regioncodes.level_of(code)
    except regioncodes.CodeError:
        return None
    wanted = REGION_LEVEL_NUMBER[RegionLevel(level)]
    if level == RegionLevel.COUNTY:
        if own == regioncodes.Level.TOWN:
            county = code[:6]
            return county  # a county, or the prefecture-level city a town hangs under directly
        return code if own == regioncodes.Level.COUNTY else None
    if own < wanted:
        return None
    return code[:4] + "00" if level == RegionLevel.PREFECTURE else code[:2] + "0000"


def day_range(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


@dataclass
class CountMatrix:
    """Counts per series (region code, key) and day; ``key`` is a disease id (cards) or a measure (fever)."""

    start: date
    end: date
    regions: list[str] = field(default_factory=list)
    keys: list = field(default_factory=list)
    counts: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def index_of(self, day: date) -> int:
        return (day - self.start).days

    def rows_for(self, keys) -> dict[str, np.ndarray]:
        """Region code → the sum of the rows whose key is in ``keys`` (nan only where every part is nan)."""
        wanted = set(keys)
        result: dict[str, np.ndarray] = {}
        for i, (region, key) in enumerate(zip(self.regions, self.keys, strict=True)):
            if key not in wanted:
                continue
            row = self.counts[i]
            if region in result:
                current = result[region]
                both_nan = np.isnan(current) & np.isnan(row)
                summed = np.nansum(np.vstack([current, row]), axis=0)
                summed[both_nan] = np.nan
                result[region] = summed
            else:
                result[region] = row.copy()
        return result


def _assemble(start: date, end: date, rows, level: str, *, gaps_before: date | None, fill: float) -> CountMatrix:
    """``rows``: (region code, key, day, value) from the aggregated query."""
    n_days = (end - start).days + 1
    index: dict[tuple[str, object], int] = {}
    cells: list[tuple[int, int, float]] = []
    mapped: dict[str, str | None] = {}
    for code, key, day, value in rows:
        if day is None or code is None:
            continue
        if code not in mapped:
            mapped[code] = region_at_level(code, level)
        region = mapped[code]
        if region is None:
            continue
        col = (day - start).days
        if not 0 <= col < n_days:
            continue
        row = index.setdefault((region, key), len(index))
        cells.append((row, col, float(value or 0)))
    counts = np.full((len(index), n_days), fill, dtype=float)
    if cells:
        r, c, v = (np.array(x) for x in zip(*cells, strict=True))
        if np.isnan(fill):
            counts[r.astype(int), c.astype(int)] = 0.0
        np.add.at(counts, (r.astype(int), c.astype(int)), v)
    if gaps_before is not None and gaps_before > start:
        counts[:, : min(n_days, (gaps_before - start).days)] = np.nan
    ordered = sorted(index, key=lambda k: (k[0], str(k[1])))
    order = [index[k] for k in ordered]
    return CountMatrix(start=start, end=end, regions=[k[0] for k in ordered], keys=[k[1] for k in ordered],
                       counts=counts[order] if order else counts)


def card_counts(start: date, end: date, *, basis: str = CountBasis.REPORT, level: str = RegionLevel.COUNTY,
                disease_ids=None) -> CountMatrix:
    """Live report cards per (region at ``level``, disease id) and day, from one aggregated query."""
    from yingji.surveillance.models import CaseReport

    live = CaseReport.objects.filter(status__in=LIVE_CARD_STATUSES)
    qs = live
    if disease_ids is not None:
        qs = qs.filter(disease_id__in=list(disease_ids))
    if basis == CountBasis.ONSET:
        qs = qs.filter(onset_date__gte=start, onset_date__lte=end)
        day_field = "onset_date"
    else:
        qs = qs.filter(reported_at__gte=_local_midnight(start), reported_at__lt=_local_midnight(end + timedelta(days=1)))
        qs = qs.annotate(day=TruncDate("reported_at", tzinfo=SHANGHAI))
        day_field = "day"
    rows = qs.values_list("address_region_id", "disease_id", day_field).order_by().annotate(n=Count("id"))
    first = live.aggregate(first=Min("reported_at"))["first"]
    data_start = first.astimezone(SHANGHAI).date() if first else None
    if basis == CountBasis.ONSET and data_start is not None:
        first_onset = live.aggregate(first=Min("onset_date"))["first"]
        data_start = min(data_start, first_onset) if first_onset else data_start
    return _assemble(start, end, rows, level, gaps_before=data_start, fill=0.0)


def fever_counts(start: date, end: date, *, level: str = RegionLevel.COUNTY) -> CountMatrix:
    """Fever-clinic visits and positive tests per (region at ``level``, measure) and day, one aggregated query.
    A region-day no clinic reported is a gap (nan)."""
    from yingji.surveillance.models import FeverClinicDailyReport

    rows = (FeverClinicDailyReport.objects.filter(date__gte=start, date__lte=end)
            .values_list("organisation__region_id", "date").order_by()
            .annotate(visits=Sum("visits"), positive=Sum("positive")))
    flat = []
    for code, day, visits, positive in rows:
        flat.append((code, Measure.VISITS.value, day, visits))
        flat.append((code, Measure.POSITIVE.value, day, positive))
    return _assemble(start, end, flat, level, gaps_before=None, fill=np.nan)


def _local_midnight(day: date):
    from datetime import datetime

    return datetime(day.year, day.month, day.day, tzinfo=SHANGHAI)


# --- holidays ------------------------------------------------------------------------------------------------


def holiday_days(start: date, end: date) -> set[date]:
    from ..models import Holiday

    return set(Holiday.objects.filter(date__gte=start, date__lte=end, kind=HolidayKind.HOLIDAY)
               .values_list("date", flat=True))


def apply_holidays(counts: np.ndarray, start: date, mode: str, holidays: set[date]) -> np.ndarray:
    """The series (rows × days from ``start``) with public holidays handled as ``mode`` says (module docstring)."""
    if mode == HolidayMode.NONE or not holidays or counts.size == 0:
        return counts
    n_days = counts.shape[1]
    flags = np.array([(start + timedelta(days=i)) in holidays for i in range(n_days)])
    if not flags.any():
        return counts
    result = counts.copy()
    if mode == HolidayMode.EXCLUDE:
        result[:, flags] = np.nan
        return result
    # shift: each holiday's counts go to the first workday after it (or to the last day of the series)
    columns = np.flatnonzero(flags[:-1])
    if columns.size == 0:
        return result
    target = np.empty(n_days, dtype=np.int64)
    following = n_days - 1
    for i in range(n_days - 1, -1, -1):
        if not flags[i]:
            following = i
        target[i] = following
    targets = target[columns]
    known = ~np.isnan(counts[:, columns])
    moved = np.zeros_like(counts)
    received = np.zeros_like(counts)
    np.add.at(moved, (slice(None), targets), np.where(known, counts[:, columns], 0.0))
    np.add.at(received, (slice(None), targets), known.astype(float))
    result[:, columns] = np.where(known, 0.0, np.nan)
    got = received > 0
    result[got & np.isnan(result)] = 0.0
    result[got] += moved[got]
    return result


# --- weekly series -------------------------------------------------------------------------------------------


def weekly(counts: np.ndarray, start: date) -> tuple[np.ndarray, list[date]]:
    """Daily counts summed into ISO weeks (Monday–Sunday); only complete weeks; a week with no known day is a gap.
    Returns the weekly matrix and the Sunday ending each week."""
    offset = (7 - start.weekday()) % 7  # first Monday on or after start
    n_weeks = (counts.shape[1] - offset) // 7
    if n_weeks <= 0:
        return np.zeros((counts.shape[0], 0)), []
    block = counts[:, offset: offset + 7 * n_weeks].reshape(counts.shape[0], n_weeks, 7)
    known = ~np.isnan(block)
    sums = np.nansum(block, axis=2)
    sums[~known.any(axis=2)] = np.nan
    first_monday = start + timedelta(days=offset)
    return sums, [first_monday + timedelta(days=7 * w + 6) for w in range(n_weeks)]
