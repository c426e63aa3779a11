"""Fever-clinic daily reports (发热门诊日报): visits, tested, positive, kept under observation (留观) and transferred,
one report per clinic per day; the series per clinic and per region feed early warning.

Rules: only hospitals, community health centres, township hospitals and clinics run fever clinics or sentinels;
no report for a day after today (Beijing time); tested ≤ visits, positive ≤ tested, observed ≤ visits,
transferred ≤ visits, all counts whole numbers ≥ 0. A second report for the same clinic and day replaces the
first, and the audit log keeps the values it replaced.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils import timezone

from yingji.core import regioncodes, scoping
from yingji.core.errors import Conflict
from yingji.core.models import Organisation
from yingji.core.services import acting_as

from ..models import FeverClinicDailyReport
from .schedules import Errors, check_range, local_today, readable_region, require_writer, resolve_unit

CLINIC_KINDS = frozenset({
    Organisation.Kind.HOSPITAL, Organisation.Kind.COMMUNITY_HEALTH_CENTRE, Organisation.Kind.TOWNSHIP_HOSPITAL,
    Organisation.Kind.CLINIC,
})
COUNT_FIELDS = ("visits", "tested", "positive", "observed", "transferred")
COUNT_LABELS = {
    "visits": ("就诊人数", "visits"), "tested": ("检测人数", "tested"), "positive": ("阳性人数", "positive"),
    "observed": ("留观人数", "kept under observation"), "transferred": ("转诊人数", "transferred"),
}
MAX_COUNT = 1_000_000
# (smaller, larger): the first may not exceed the second
ORDER_RULES = (("tested", "visits"), ("positive", "tested"), ("observed", "visits"), ("transferred", "visits"))


def submit_fever_report(user, *, organisation, date: date, visits: int, tested: int, positive: int,
                        observed: int = 0, transferred: int = 0, note: str = "",
                        now: datetime | None = None) -> tuple[FeverClinicDailyReport, bool]:
    """Submit (or resubmit) a clinic's day. Returns (report, created)."""
    now = now or timezone.now()
    values = {"visits": visits, "tested": tested, "positive": positive, "observed": observed,
              "transferred": transferred}
    errors = Errors()
    org = resolve_unit(user, organisation, errors)
    if org is not None and org.kind not in CLINIC_KINDS:
        errors.add("organisation", f"“{org.name}”不是医疗机构，不能填报发热门诊日报（仅医院、社区卫生服务中心、乡镇卫生院、诊所）",
                   f"'{org.name}' is not a health facility; only hospitals, community health centres, township "
                   "hospitals and clinics report fever clinics")
    if date > local_today(now):
        errors.add("date", "不能填报未来的日期", "The date must not be in the future")
    valid = {}
    for name, value in values.items():
        zh, en = COUNT_LABELS[name]
        if isinstance(value, bool) or not isinstance(value, int):
            errors.add(name, f"{zh}须为整数", f"The number {en} must be a whole number")
        elif value < 0:
            errors.add(name, f"{zh}不能为负数", f"The number {en} must not be negative")
        elif value > MAX_COUNT:
            errors.add(name, f"{zh}超出合理范围", f"The number {en} is out of range")
        else:
            valid[name] = value
    for small, large in ORDER_RULES:
        if small in valid and large in valid and valid[small] > valid[large]:
            (zs, es), (zl, el) = COUNT_LABELS[small], COUNT_LABELS[large]
            errors.add(small, f"{zs}（{valid[small]}）不能大于{zl}（{valid[large]}）",
                       f"The number {es} ({valid[small]}) must not exceed the number {el} ({valid[large]})")
    note = (note or "").strip()
    if len(note) > 255:
        errors.add("note", "备注最多 255 个字符", "The note may have at most 255 characters")
    errors.raise_if_any()
    require_writer(user, FeverClinicDailyReport, org)
    try:
        with transaction.atomic(), acting_as(user):
            report = FeverClinicDailyReport.objects.select_for_update().filter(organisation=org, date=date).first()
            created = report is None
            if created:
                report = FeverClinicDailyReport(organisation=org, date=date)
            for name, value in values.items():
                setattr(report, name, value)
            report.note = note
            report.submitted_at = now
            report.submitted_by = user
            report.save()
    except IntegrityError as exc:
        raise Conflict("该日报告刚被他人提交，请刷新后重试",
                       "This day's report was just submitted by someone else; reload and retry") from exc
    return report, created


# --- series for early warning ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DayPoint:
    date: date
    visits: int
    tested: int
    positive: int
    observed: int
    transferred: int
    reports: int = 1  # clinics that reported that day (1 in a clinic's own series)

    @property
    def positivity(self) -> float | None:
        """Positive / tested (0–1), None when nobody was tested."""
        return None if not self.tested else self.positive / self.tested


def clinic_series(reports, date_from: date, date_to: date) -> dict[int, list[DayPoint]]:
    """{clinic id: [DayPoint by date]} from a queryset of reports (callers scope it); days without a report are
    absent (a missing report is not a zero)."""
    rows = (reports.filter(date__range=(date_from, date_to)).order_by("organisation_id", "date")
            .values_list("organisation_id", "date", *COUNT_FIELDS))
    series: dict[int, list[DayPoint]] = {}
    for org_id, day, *counts in rows:
        series.setdefault(org_id, []).append(DayPoint(day, *counts))
    return series


def region_series(reports, date_from: date, date_to: date) -> list[DayPoint]:
    """The daily sums over a queryset of reports (callers scope and filter it to a region), with the number of
    clinics that reported each day; days without any report are absent."""
    rows = (reports.filter(date__range=(date_from, date_to)).values("date").order_by("date")
            .annotate(**{name: Sum(name) for name in COUNT_FIELDS}, reports=Count("pk")))
    return [DayPoint(r["date"], *(r[name] for name in COUNT_FIELDS), reports=r["reports"]) for r in rows]


def reports_in_region(region_code: str):
    """Every report of the clinics in a region subtree (no scoping; for system jobs such as early warning)."""
    return FeverClinicDailyReport.objects.filter(
        organisation__region__code__startswith=regioncodes.subtree_prefix(region_code)
    )


def series_for(user, *, organisation: int | None = None, region: str | None = None,
               date_from: date | None = None, date_to: date | None = None,
               now: datetime | None = None) -> dict:
    """What the API and pages show: one clinic's series (``organisation``) or a region's daily sums plus each of
    its clinics' series (``region``; the user's own region when neither is given), within the user's reach."""
    date_from, date_to = check_range(date_from, date_to, now=now)
    reports = scoping.scope(user, FeverClinicDailyReport.objects.all())
    if organisation is not None:
        errors = Errors()
        org = resolve_unit(user, organisation, errors)
        errors.raise_if_any()
        reports = reports.filter(organisation=org)
        return {"organisation": org, "region": None, "date_from": date_from, "date_to": date_to,
                "total": region_series(reports, date_from, date_to),
                "clinics": clinic_series(reports, date_from, date_to)}
    top = readable_region(user, region)
    reports = reports.filter(organisation__region__code__startswith=regioncodes.subtree_prefix(top.code))
    return {"organisation": None, "region": top, "date_from": date_from, "date_to": date_to,
            "total": region_series(reports, date_from, date_to),
            "clinics": clinic_series(reports, date_from, date_to)}
