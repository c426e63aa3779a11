"""Early-warning indicators (预警工作指标) as CIDARS publishes them (statutory-rules §4.5): per county and for the
whole reach, over a period — signals, signals per county per week, response rate, responded on time (within the
signal's verification deadline: 2 h for fixed-threshold signals, 24 h for the temporal models by default), median
time to response (P25–P75), suspected-event rate and the share confirmed as outbreaks. Table and charts.

Response time runs from the signal's issue (``raised_at``; its creation when not recorded) to its first response
(``verified_at``)."""

from datetime import timedelta
from statistics import median, quantiles

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yingji.core.models import Region
from yingji.core.regioncodes import subtree_prefix
from yingji.surveillance.views.common import EVERYTHING, Choice, DateInput, percent

from ..choices import SignalStatus
from ..models import SignalAction
from .common import region_choices, require_viewer
from .signals import _counties, scoped_signals

DEFAULT_DAYS = 90
SUSPECTED_OR_BEYOND = (SignalStatus.SUSPECTED, SignalStatus.INVESTIGATING, SignalStatus.CONFIRMED,
                       SignalStatus.LINKED)
OUTBREAK = (SignalStatus.CONFIRMED, SignalStatus.LINKED)
FIXED = "fixed_threshold"


class KpiFilter(forms.Form):
    date_from = forms.DateField(label=gettext_lazy("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=gettext_lazy("To"), required=False, widget=DateInput())
    region = Choice(label=gettext_lazy("Region"), required=False)
    kind = Choice(label=gettext_lazy("Method"), required=False)

    def __init__(self, data, *, user):
        super().__init__(data)
        self.fields["region"].choices = region_choices(user, max_level=Region.LevelChoices.COUNTY)
        self.fields["kind"].choices = [EVERYTHING, ("fixed", _("Fixed threshold (single case)")),
                                       ("temporal", _("Temporal models"))]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_from", _("The start date must not be after the end date."))
        return cleaned

    def values(self):
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        end = data.get("date_to") or timezone.localdate()
        start = data.get("date_from") or end - timedelta(days=DEFAULT_DAYS - 1)
        return start, end, data.get("region") or None, data.get("kind") or None


def _hours(delta) -> float:
    return delta.total_seconds() / 3600


def _tally(rows, suspected_ids, counties: int, weeks: float) -> dict:
    total = len(rows)
    responded = [r for r in rows if r["verified_at"] is not None]
    on_time = [r for r in responded if r["verify_due_at"] is None or r["verified_at"] <= r["verify_due_at"]]
    times = sorted(max(0.0, _hours(r["verified_at"] - (r["raised_at"] or r["created_at"]))) for r in responded)
    p25 = p75 = None
    if len(times) >= 2:
        q = quantiles(times, n=4, method="inclusive")
        p25, p75 = q[0], q[2]
    suspected = sum(1 for r in rows if r["pk"] in suspected_ids or r["status"] in SUSPECTED_OR_BEYOND)
    outbreaks = sum(1 for r in rows if r["status"] in OUTBREAK)
    return {
        "signals": total,
        "per_county_week": round(total / (counties * weeks), 2) if counties and weeks else None,
        "responded": len(responded),
        "response_rate": len(responded) / total if total else None,
        "on_time_rate": len(on_time) / total if total else None,
        "median_hours": round(median(times), 1) if times else None,
        "p25_hours": round(p25, 1) if p25 is not None else None,
        "p75_hours": round(p75, 1) if p75 is not None else None,
        "suspected": suspected,
        "suspected_rate": suspected / total if total else None,
        "outbreaks": outbreaks,
        "outbreak_rate": outbreaks / total if total else None,
        "open": sum(1 for r in rows if r["verified_at"] is None),
    }


def indicators(user, start, end, *, region=None, kind=None):
    """(rows per county, total) of the KPIs for signals dated in [start, end] within the user's reach."""
    counties = _counties(user, region)
    qs = scoped_signals(user).filter(signal_date__gte=start, signal_date__lte=end)
    if kind == "fixed":
        qs = qs.filter(method=FIXED)
    elif kind == "temporal":
        qs = qs.exclude(method=FIXED)
    if region:
        qs = qs.filter(region__code__startswith=subtree_prefix(region))
    rows = list(qs.values("pk", "region_id", "status", "raised_at", "created_at", "verified_at", "verify_due_at"))
    suspected_ids = set(SignalAction.objects.filter(signal_id__in=[r["pk"] for r in rows],
                                                    to_status=SignalStatus.SUSPECTED)
                        .values_list("signal_id", flat=True))
    weeks = ((end - start).days + 1) / 7
    by_county = {c.code: [] for c in counties}
    for r in rows:
        county = r["region_id"][:6]
        if county in by_county:
            by_county[county].append(r)
    table = [{"region": c, **_tally(by_county[c.code], suspected_ids, 1, weeks)} for c in counties]
    total = _tally([r for rs in by_county.values() for r in rs], suspected_ids, len(counties), weeks)
    return table, total


def _chart(table):
    return {
        "rates": {
            "categories": [row["region"].name for row in table],
            "series": [
                {"name": _("Response rate"), "unit": "%", "data": [percent(r["response_rate"]) for r in table]},
                {"name": _("Responded on time"), "unit": "%", "data": [percent(r["on_time_rate"]) for r in table]},
                {"name": _("Suspected-event rate"), "unit": "%", "data": [percent(r["suspected_rate"]) for r in table]},
                {"name": _("Confirmed outbreaks"), "unit": "%", "data": [percent(r["outbreak_rate"]) for r in table]},
            ],
        },
        "load": {
            "categories": [row["region"].name for row in table],
            "series": [
                {"name": _("Signals per county per week"), "unit": "", "data": [r["per_county_week"] for r in table]},
                {"name": _("Median hours to response"), "unit": "h", "data": [r["median_hours"] for r in table]},
            ],
        },
    }


@login_required
def kpi_page(request):
    user = request.user
    require_viewer(user)
    form = KpiFilter(request.GET or None, user=user)
    start, end, region, kind = form.values()
    table, total = ([], None)
    if not form.is_bound or form.is_valid():
        table, total = indicators(user, start, end, region=region, kind=kind)
    charts = _chart(table) if table else None
    return render(request, "detection/kpis.html", {
        "filter": form, "date_from": start, "date_to": end, "table": table, "total": total, "charts": charts,
        "chart_height": f"{max(14.0, 2.0 * len(table) + 8):.1f}em",
    })
