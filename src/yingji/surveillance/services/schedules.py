"""Zero and daily reporting (零报告/日报告) — the DHIS2 reporting-rate model.

A reporting unit has schedules (:class:`ReportingSchedule`): weekly by default; daily for named diseases while a
response is active, with validity dates and a reason. A schedule in force on the last day of a period makes
that period *expected* from the unit (overlapping schedules of one frequency expect one report, due at the
earliest of their hours). The unit sends counts per disease or an explicit zero (零报告) for each period; a
resubmission replaces the lines and the audit log keeps what it replaced.

Due time, in Beijing time: the report of day D is due on day D+1 at the schedule's ``due_hour``; the report of a
week (Monday–Sunday) on the Monday after, at ``due_hour``. One rule covers both: the day after the period ends.

Rates per unit and per region subtree (DHIS2 EXPECTED_REPORTS / ACTUAL_REPORTS / ACTUAL_REPORTS_ON_TIME):
- *expected*: periods starting in the date range that have fallen due, plus those already received;
- *received*: expected periods with a report; *on time*: of those, first submitted by the due time (a later
  correction does not make a report late);
- reporting rate = received / expected × 100; on-time rate = on time / expected × 100 (None when nothing is
  expected).
The overdue list is every expected period without a report whose due time has passed.

Counting is arithmetic over schedules plus one query for the reports of the range, so 80 units × 3 years of
daily periods (≈ 90 000) is counted in well under a second.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import BooleanField, ExpressionWrapper, F, Q
from django.utils import timezone

from yingji.core import regioncodes, scoping
from yingji.core.errors import Conflict, InvalidInput, field_message
from yingji.core.models import Organisation, Region
from yingji.core.services import acting_as

from ..choices import Frequency
from ..models import AggregateReport, AggregateReportLine, Disease, ReportingSchedule

DEFAULT_DUE_HOUR = 10
MAX_RANGE_DAYS = 5 * 366 + 1
DEFAULT_RANGE_DAYS = 28
FREQUENCY_LABELS = {Frequency.DAILY: ("日报告", "daily report"), Frequency.WEEKLY: ("周报告", "weekly report")}


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def local_today(now: datetime | None = None) -> date:
    return timezone.localtime(now or timezone.now(), local_zone()).date()


# --- periods and due times ------------------------------------------------------------------------------------


def period_length(frequency: str) -> int:
    if frequency == Frequency.DAILY:
        return 1
    if frequency == Frequency.WEEKLY:
        return 7
    raise ValueError(f"unknown frequency {frequency!r}")


def period_of(frequency: str, day: date) -> tuple[date, date]:
    """The period holding ``day``: the day itself, or its ISO week (Monday–Sunday)."""
    start = day if frequency == Frequency.DAILY else day - timedelta(days=day.weekday())
    return start, start + timedelta(days=period_length(frequency) - 1)


def due_time(frequency: str, period_start: date, due_hour: int = DEFAULT_DUE_HOUR) -> datetime:
    """When the report of the period starting ``period_start`` is due (aware, Beijing time)."""
    end = period_start + timedelta(days=period_length(frequency) - 1)
    return datetime.combine(end + timedelta(days=1), time(due_hour), tzinfo=local_zone())


# --- errors ---------------------------------------------------------------------------------------------------


class Errors:
    """Field errors collected while validating, raised together (nothing is saved half-way)."""

    def __init__(self):
        self.fields: dict[str, list[dict[str, str]]] = {}

    def add(self, name: str, zh: str, en: str) -> None:
        self.fields.setdefault(name, []).append(field_message(zh, en))

    def __bool__(self) -> bool:
        return bool(self.fields)

    def raise_if_any(self) -> None:
        if self.fields:
            raise InvalidInput(self.fields)


def resolve_unit(user, organisation, errors: Errors, name: str = "organisation") -> Organisation | None:
    """The unit — an Organisation, its id, or its code (机构代码) — when the user can see it; a field error
    otherwise: a unit outside the jurisdiction is answered exactly like one that does not exist."""
    if isinstance(organisation, Organisation):
        organisation = organisation.pk
    units = scoping.scope(user, Organisation.objects.select_related("region"))
    org = None
    if isinstance(organisation, int) and not isinstance(organisation, bool):
        org = units.filter(pk=organisation).first()
    elif isinstance(organisation, str) and organisation.strip():
        org = units.filter(code=organisation.strip()).first()
    if org is None:
        errors.add(name, "单位不存在或不在您的管辖范围内", "No such unit within your jurisdiction")
    elif not org.is_active:
        errors.add(name, f"单位“{org.name}”已停用", f"The unit '{org.name}' is deactivated")
        org = None
    return org


def require_writer(user, model, org: Organisation) -> None:
    """403 when the user's role may not write ``model`` records for this unit (e.g. a leader, a 120 dispatcher)."""
    scoping.require_place(user, model, region_code=org.region_id, owner_org_id=org.pk)


def check_range(date_from: date | None, date_to: date | None, *, now: datetime | None = None) -> tuple[date, date]:
    """A date range for rates and lists: defaults to the last four weeks up to today; at most five years."""
    date_to = date_to or local_today(now)
    date_from = date_from or date_to - timedelta(days=DEFAULT_RANGE_DAYS - 1)
    errors = Errors()
    if date_from > date_to:
        errors.add("date_from", "起始日期不能晚于截止日期", "The start date must not be after the end date")
    elif (date_to - date_from).days >= MAX_RANGE_DAYS:
        errors.add("date_from", "日期范围最长五年", "The date range may span at most five years")
    errors.raise_if_any()
    return date_from, date_to


def readable_region(user, code: str | None, name: str = "region") -> Region:
    """A region the user may read (their own unit's region when none is given); a 422 field error otherwise."""
    if not code:
        org = user.organisation
        if org is None:
            raise InvalidInput({name: [field_message("请指定行政区划", "Give a region code")]})
        code = org.region_id
    region = scoping.scope(user, Region.objects.all()).filter(code=code).first()
    if region is None:
        raise InvalidInput({name: [field_message("行政区划不存在或不在您的管辖范围内",
                                                 "No such region within your jurisdiction")]})
    return region


# --- schedules ------------------------------------------------------------------------------------------------


def _in_force_on(day: date) -> Q:
    return Q(valid_from__lte=day) & (Q(valid_to__isnull=True) | Q(valid_to__gte=day))


def create_schedule(user, *, organisation, frequency: str = Frequency.WEEKLY, valid_from: date | None = None,
                    valid_to: date | None = None, due_hour: int = DEFAULT_DUE_HOUR, diseases: Iterable[str] = (),
                    reason: str = "", now: datetime | None = None) -> ReportingSchedule:
    """A unit's reporting schedule. A daily schedule names its diseases and the reason (e.g. 「霍乱疫情应急响应期间
    每日报告」)."""
    errors = Errors()
    org = resolve_unit(user, organisation, errors)
    if frequency not in Frequency.values:
        errors.add("frequency", "报告频率须为 daily（日报告）或 weekly（周报告）", "The frequency must be daily or weekly")
    valid_from = valid_from or local_today(now)
    if valid_to is not None and valid_to < valid_from:
        errors.add("valid_to", "截止日期不能早于起始日期", "The end date must not be before the start date")
    if isinstance(due_hour, bool) or not isinstance(due_hour, int) or not 0 <= due_hour <= 23:
        errors.add("due_hour", "截止时刻须为 0–23 点", "The due hour must be 0–23")
    codes = [str(c) for c in diseases]
    known = {d.code: d for d in Disease.objects.filter(code__in=codes, is_active=True)}
    for code in codes:
        if code not in known:
            errors.add("diseases", f"未知病种“{code}”", f"Unknown disease '{code}'")
    reason = (reason or "").strip()
    if frequency == Frequency.DAILY:
        if not codes:
            errors.add("diseases", "日报告须指定病种", "A daily schedule must name its diseases")
        if not reason:
            errors.add("reason", "日报告须说明原因（如应急响应）", "A daily schedule needs a reason (e.g. an active response)")
    if len(reason) > 128:
        errors.add("reason", "原因最多 128 个字符", "The reason may have at most 128 characters")
    errors.raise_if_any()
    require_writer(user, ReportingSchedule, org)
    with transaction.atomic(), acting_as(user):
        schedule = ReportingSchedule.objects.create(
            organisation=org, frequency=frequency, valid_from=valid_from, valid_to=valid_to, due_hour=due_hour,
            reason=reason,
        )
        schedule.diseases.set(known.values())
    return schedule


def end_schedule(user, schedule: ReportingSchedule, valid_to: date) -> ReportingSchedule:
    """End a schedule (e.g. when the response is lifted): no period after ``valid_to`` is expected from it."""
    scoping.get_scoped(user, ReportingSchedule.objects.all(), write=True, pk=schedule.pk)
    if valid_to < schedule.valid_from:
        raise InvalidInput({"valid_to": [field_message("截止日期不能早于起始日期",
                                                       "The end date must not be before the start date")]})
    with transaction.atomic(), acting_as(user):
        schedule.valid_to = valid_to
        schedule.save(update_fields=["valid_to", "updated_at"])
    return schedule


def schedules_in_force(org: Organisation, frequency: str, day: date):
    return ReportingSchedule.objects.filter(_in_force_on(day), organisation=org, frequency=frequency)


# --- submitting -----------------------------------------------------------------------------------------------


def _parse_lines(lines, errors: Errors) -> list[tuple[str, int]]:
    parsed, seen = [], set()
    for i, line in enumerate(lines or []):
        if isinstance(line, dict):
            code, count = line.get("disease"), line.get("count")
        else:
            code, count = line
        code = str(code or "").strip()
        if isinstance(count, bool) or not isinstance(count, int):
            errors.add(f"lines.{i}.count", "病例数须为整数", "The count must be a whole number")
        elif count < 0:
            errors.add(f"lines.{i}.count", "病例数不能为负数", "The count must not be negative")
        if not code:
            errors.add(f"lines.{i}.disease", "请填写病种", "Give the disease")
        elif code in seen:
            errors.add(f"lines.{i}.disease", f"病种“{code}”重复填写", f"The disease '{code}' is given twice")
        seen.add(code)
        parsed.append((code, count))
    return parsed


def submit_aggregate_report(user, *, organisation, frequency: str, period_start: date, lines=None,
                            is_zero: bool = False, note: str = "",
                            now: datetime | None = None) -> tuple[AggregateReport, bool]:
    """Submit (or resubmit) one period's report of a unit: counts per disease, or an explicit zero.

    ``period_start`` may be any day of the period (a weekly report is filed under the Monday of its week).
    Returns (report, created). A resubmission replaces the lines; the first submission time is kept for
    timeliness; the audit log records the counts before and after.
    """
    now = now or timezone.now()
    errors = Errors()
    org = resolve_unit(user, organisation, errors)
    if frequency not in Frequency.values:
        errors.add("frequency", "报告频率须为 daily（日报告）或 weekly（周报告）", "The frequency must be daily or weekly")
        errors.raise_if_any()
    start, end = period_of(frequency, period_start)
    if start > local_today(now):
        errors.add("period_start", "不能填报未来的期间", "The period must not be in the future")
    parsed = _parse_lines(lines, errors)
    if is_zero and parsed:
        errors.add("lines", "零报告不能填写病例数", "A zero report has no counts")
    if not is_zero and not parsed:
        errors.add("lines", "请填写各病种病例数，或选择零报告", "Give the counts per disease, or submit a zero report")
    codes = [code for code, _ in parsed if code]
    known = {d.code: d for d in Disease.objects.filter(code__in=codes, is_active=True)}
    for i, (code, _) in enumerate(parsed):
        if code and code not in known:
            errors.add(f"lines.{i}.disease", f"未知病种“{code}”", f"Unknown disease '{code}'")
    schedules = []
    if org is not None and "period_start" not in errors.fields:
        schedules = list(schedules_in_force(org, frequency, end).prefetch_related("diseases"))
        zh, en = FREQUENCY_LABELS[frequency]
        if not schedules:
            errors.add("period_start", f"本单位在该期间没有{zh}任务（请先设置报告计划）",
                       f"No schedule expects a {en} from this unit for that period (set a reporting schedule first)")
        elif all(s.diseases.exists() for s in schedules):
            allowed = {d.code for s in schedules for d in s.diseases.all()}
            for i, (code, _) in enumerate(parsed):
                if code in known and code not in allowed:
                    errors.add(f"lines.{i}.disease", f"病种“{known[code].name}”不在本单位的{zh}病种内",
                               f"The disease '{known[code].name_en}' is not on this unit's {en} schedule")
    note = (note or "").strip()
    if len(note) > 255:
        errors.add("note", "备注最多 255 个字符", "The note may have at most 255 characters")
    errors.raise_if_any()
    require_writer(user, AggregateReport, org)

    due = due_time(frequency, start, min(s.due_hour for s in schedules))
    counts = {code: count for code, count in sorted(parsed)}
    try:
        with transaction.atomic(), acting_as(user):
            report = (AggregateReport.objects.select_for_update()
                      .filter(organisation=org, frequency=frequency, period_start=start).first())
            created = report is None
            if created:
                report = AggregateReport(organisation=org, frequency=frequency, period_start=start, period_end=end,
                                         first_submitted_at=now, due_at=due, revision=1)
            else:
                report.revision += 1
            report.is_zero = is_zero
            report.counts = counts
            report.note = note
            report.submitted_at = now
            report.submitted_by = user
            report.save()
            if not created:
                report.lines.all().delete()
            AggregateReportLine.objects.bulk_create(
                [AggregateReportLine(report=report, disease=known[code], count=count) for code, count in counts.items()]
            )
    except IntegrityError as exc:  # a simultaneous first submission of the same period won
        raise Conflict("该期间的报告刚被他人提交，请刷新后重试",
                       "This period's report was just submitted by someone else; reload and retry") from exc
    return report, created


# --- counting -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OverduePeriod:
    organisation_id: int
    frequency: str
    period_start: date
    period_end: date
    due_at: datetime


@dataclass
class Tally:
    expected: int = 0
    received: int = 0
    on_time: int = 0

    def add(self, other: "Tally") -> None:
        self.expected += other.expected
        self.received += other.received
        self.on_time += other.on_time

    @property
    def reporting_rate(self) -> float | None:
        return None if not self.expected else round(100 * self.received / self.expected, 1)

    @property
    def on_time_rate(self) -> float | None:
        return None if not self.expected else round(100 * self.on_time / self.expected, 1)

    @property
    def missing(self) -> int:
        return self.expected - self.received


@dataclass
class UnitTally(Tally):
    organisation: Organisation | None = None
    overdue: list[OverduePeriod] = field(default_factory=list)


def expected_periods(schedules: Iterable[ReportingSchedule], date_from: date,
                     date_to: date) -> dict[tuple[int, str, date], int]:
    """{(unit id, frequency, period start): due hour} for every period starting in [date_from, date_to] that a
    schedule in force on the period's last day expects (the earliest due hour wins when schedules overlap)."""
    result: dict[tuple[int, str, date], int] = {}
    for s in schedules:
        length = period_length(s.frequency)
        # periods whose end lies in [valid_from, valid_to] and whose start lies in [date_from, date_to]
        first = max(date_from, s.valid_from - timedelta(days=length - 1))
        last = date_to if s.valid_to is None else min(date_to, s.valid_to - timedelta(days=length - 1))
        if s.frequency == Frequency.WEEKLY and first.weekday():
            first += timedelta(days=7 - first.weekday())
        day = first
        step = timedelta(days=length)
        org, freq, hour = s.organisation_id, s.frequency, s.due_hour
        while day <= last:
            key = (org, freq, day)
            if result.get(key, 24) > hour:
                result[key] = hour
            day += step
    return result


ON_TIME = ExpressionWrapper(Q(first_submitted_at__lte=F("due_at")), output_field=BooleanField())


def tally(schedules, date_from: date, date_to: date, *, now: datetime | None = None,
          details: bool = True) -> dict[int, UnitTally]:
    """Expected, received, on time and overdue per unit for the given schedules (no scoping: callers scope).
    With ``details=False`` the overdue periods are counted (``missing``) but not listed."""
    zone = local_zone()
    local_now = timezone.localtime(now or timezone.now(), zone)
    today, hour_now = local_now.date(), local_now.time()
    schedules = list(schedules)
    expected = expected_periods(schedules, date_from, date_to)
    units = {s.organisation_id for s in schedules}
    received = {
        (org, freq, start): on_time
        for org, freq, start, on_time in AggregateReport.objects.filter(
            organisation_id__in=units, period_start__range=(date_from, date_to)
        ).annotate(is_on_time=ON_TIME).values_list("organisation_id", "frequency", "period_start", "is_on_time")
    } if units else {}
    result: dict[int, UnitTally] = {org: UnitTally() for org in units}
    lengths = {f: timedelta(days=period_length(f)) for f in Frequency.values}
    hours = {h: time(h) for h in range(24)}
    for key, hour in expected.items():
        t = result[key[0]]
        on_time = received.get(key)
        if on_time is not None:
            t.expected += 1
            t.received += 1
            t.on_time += bool(on_time)
            continue
        org, freq, start = key
        due_day = start + lengths[freq]  # the day after the period ends
        if due_day < today or (due_day == today and hours[hour] <= hour_now):
            t.expected += 1
            if details:
                t.overdue.append(OverduePeriod(org, freq, start, due_day - timedelta(days=1),
                                               datetime.combine(due_day, hours[hour], tzinfo=zone)))
    return result


def _scoped_schedules(user, date_from: date, date_to: date, *, region: str | None = None,
                      organisation: int | None = None, frequency: str | None = None):
    qs = scoping.scope(user, ReportingSchedule.objects.all()).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=date_from), valid_from__lte=date_to + timedelta(days=6),
    )
    if region:
        qs = qs.filter(organisation__region__code__startswith=regioncodes.subtree_prefix(region))
    if organisation is not None:
        qs = qs.filter(organisation_id=organisation)
    if frequency:
        qs = qs.filter(frequency=frequency)
    return qs.only("organisation_id", "frequency", "valid_from", "valid_to", "due_hour")


def _region_filter(region: str | None) -> str | None:
    if not region:
        return None
    try:
        regioncodes.level_of(region)
    except regioncodes.CodeError as exc:
        raise InvalidInput({"region": [field_message(exc.message_zh, exc.message_en)]}) from exc
    return region


def completeness_by_unit(user, date_from: date | None = None, date_to: date | None = None, *,
                         region: str | None = None, organisation: int | None = None, frequency: str | None = None,
                         now: datetime | None = None) -> list[UnitTally]:
    """Rates per unit within the user's reach (optionally within a region subtree, one unit, one frequency),
    ordered by region and unit name."""
    date_from, date_to = check_range(date_from, date_to, now=now)
    schedules = _scoped_schedules(user, date_from, date_to, region=_region_filter(region),
                                  organisation=organisation, frequency=frequency)
    tallies = tally(schedules, date_from, date_to, now=now)
    orgs = Organisation.objects.select_related("region").in_bulk(list(tallies))
    for org_id, t in tallies.items():
        t.organisation = orgs[org_id]
    return sorted(tallies.values(), key=lambda t: (t.organisation.region_id, t.organisation.name))


@dataclass
class RegionTally(Tally):
    region: Region | None = None
    units: int = 0
    overdue: int = 0


def completeness_by_region(user, region: str | None = None, date_from: date | None = None,
                           date_to: date | None = None, *, frequency: str | None = None,
                           now: datetime | None = None) -> list[RegionTally]:
    """Rates for a region subtree (first row) and for each of its child regions (a city's districts, a
    district's streets), summed over the units within reach."""
    date_from, date_to = check_range(date_from, date_to, now=now)
    top = readable_region(user, _region_filter(region))
    rows = [RegionTally(region=top)] + [RegionTally(region=r) for r in Region.objects.filter(parent=top)
                                        .order_by("code")]
    prefixes = [(row, regioncodes.subtree_prefix(row.region.code)) for row in rows]
    schedules = _scoped_schedules(user, date_from, date_to, region=top.code, frequency=frequency)
    tallies = tally(schedules, date_from, date_to, now=now, details=False)
    unit_regions = dict(Organisation.objects.filter(pk__in=list(tallies)).values_list("pk", "region_id"))
    for org_id, t in tallies.items():
        code = unit_regions[org_id]
        for row, prefix in prefixes:
            if code.startswith(prefix):
                row.add(t)
                row.units += 1
                row.overdue += t.missing
    return rows


def overdue_reports(user, date_from: date | None = None, date_to: date | None = None, *,
                    region: str | None = None, organisation: int | None = None, frequency: str | None = None,
                    now: datetime | None = None) -> list[tuple[Organisation, OverduePeriod]]:
    """Expected periods without a report whose due time has passed, oldest first."""
    date_from, date_to = check_range(date_from, date_to, now=now)
    schedules = _scoped_schedules(user, date_from, date_to, region=_region_filter(region),
                                  organisation=organisation, frequency=frequency)
    tallies = tally(schedules, date_from, date_to, now=now)
    orgs = Organisation.objects.select_related("region").in_bulk([o for o, t in tallies.items() if t.overdue])
    items = [(orgs[o], p) for o, t in tallies.items() for p in t.overdue]
    return sorted(items, key=lambda item: (item[1].due_at, item[0].region_id, item[0].name, item[1].frequency))

