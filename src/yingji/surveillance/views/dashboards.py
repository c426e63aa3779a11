"""Dashboards (及时性/完整性): reporting timeliness per unit and per region, completeness of zero/daily reports per
unit and region with the overdue list. Tables and ECharts bar charts of the rates; the chart data are embedded
with json_script (no network calls). The counting is services.timeliness and services.schedules."""


from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext_lazy

from yingji.core.errors import InvalidInput
from yingji.core.models import Region
from yingji.web.filters import DateRangeMixin

from ..choices import Frequency
from ..services import schedules, timeliness
from .cards import disease_choices
from .common import EVERYTHING, Choice, DateInput, error_text, http_errors, percent, region_choices

DEFAULT_DAYS = 30


class DashboardFilter(DateRangeMixin, forms.Form):
    default_days = DEFAULT_DAYS

    date_from = forms.DateField(label=gettext_lazy("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=gettext_lazy("To"), required=False, widget=DateInput())
    region = Choice(label=gettext_lazy("Region"), required=False)

    def __init__(self, data, *, user):
        super().__init__(data)
        self.fields["region"].choices = region_choices(user, max_level=Region.LevelChoices.COUNTY)



class TimelinessFilter(DashboardFilter):
    disease = Choice(label=gettext_lazy("Disease"), required=False)
    by_address = forms.BooleanField(label=gettext_lazy("Counties by the patient's address"), required=False)

    def __init__(self, data, *, user):
        super().__init__(data, user=user)
        self.fields["disease"].choices = disease_choices(leaves_only=False, blank=EVERYTHING)


class CompletenessFilter(DashboardFilter):
    frequency = Choice(label=gettext_lazy("Frequency"), required=False,
                       choices=[EVERYTHING, *Frequency.choices])


def rate_chart(rows, series):
    """{categories, series: [{name, data (percent)}]} for the horizontal bar chart."""
    return {
        "categories": [r["name"] for r in rows],
        "series": [{"name": str(label), "data": [percent(r.get(key)) for r in rows]} for key, label in series],
    }


def chart_height(rows) -> str:
    """A bar chart tall enough for two bars per row (em, so it grows with a wall screen's type)."""
    return f"{max(12.0, 2.2 * len(rows or ()) + 5):.1f}em"


TIMELINESS_SERIES = (("on_time_rate", gettext_lazy("Reported on time")),
                     ("review_on_time_rate", gettext_lazy("Reviewed on time")))


@login_required
def timeliness_dashboard(request):
    form = TimelinessFilter(request.GET or None, user=request.user)
    start, end = form.period()
    units = regions = None
    problem = None
    if not form.is_bound or form.is_valid():
        data = form.cleaned_data if form.is_bound else {}
        table_filter = timeliness.TableFilter(
            date_from=start, date_to=end, disease=data.get("disease") or None, region=data.get("region") or None,
            by_address=bool(data.get("by_address")),
        )
        try:
            with http_errors():
                units = timeliness.unit_table(request.user, table_filter)
                regions = timeliness.region_table(request.user, table_filter)
        except InvalidInput as exc:
            problem = error_text(exc)
    context = {
        "filter": form, "date_from": start, "date_to": end, "units": units, "regions": regions, "problem": problem,
        "unit_chart": rate_chart(units["rows"], TIMELINESS_SERIES) if units else None,
        "region_chart": rate_chart(regions["rows"], TIMELINESS_SERIES) if regions else None,
        "unit_height": chart_height(units["rows"] if units else ()),
        "region_height": chart_height(regions["rows"] if regions else ()),
        "tab": "timeliness",
    }
    return render(request, "surveillance/dashboards/timeliness.html", context)


def _tally_row(name, t, **extra):
    return {"name": name, "expected": t.expected, "received": t.received, "on_time": t.on_time,
            "missing": t.missing, "reporting_rate": t.reporting_rate, "on_time_rate": t.on_time_rate, **extra}


COMPLETENESS_SERIES = (("reporting_rate", gettext_lazy("Reporting rate")),
                       ("on_time_rate", gettext_lazy("On-time rate")))


def _as_fraction(rows):
    """The schedules service gives rates in percent already; the chart helper takes fractions."""
    return [{**r, "reporting_rate": None if r["reporting_rate"] is None else r["reporting_rate"] / 100,
             "on_time_rate": None if r["on_time_rate"] is None else r["on_time_rate"] / 100} for r in rows]


@login_required
def completeness(request):
    form = CompletenessFilter(request.GET or None, user=request.user)
    start, end = form.period()
    units = regions = overdue = None
    problem = None
    if not form.is_bound or form.is_valid():
        data = form.cleaned_data if form.is_bound else {}
        region, frequency = data.get("region") or None, data.get("frequency") or None
        try:
            with http_errors():
                unit_tallies = schedules.completeness_by_unit(request.user, start, end, region=region,
                                                              frequency=frequency)
                region_tallies = schedules.completeness_by_region(request.user, region or _home_region(request.user),
                                                                  start, end, frequency=frequency)
                overdue = schedules.overdue_reports(request.user, start, end, region=region, frequency=frequency)
        except InvalidInput as exc:
            problem = error_text(exc)
        else:
            units = [_tally_row(t.organisation.name, t, organisation=t.organisation, overdue=len(t.overdue))
                     for t in unit_tallies]
            # the region itself, then its sub-regions that have units expected to report
            regions = [_tally_row(t.region.name, t, region=t.region, units=t.units, overdue=t.overdue,
                                  top=i == 0) for i, t in enumerate(region_tallies) if i == 0 or t.units]
    context = {
        "filter": form, "date_from": start, "date_to": end, "units": units, "regions": regions,
        "overdue": overdue, "problem": problem, "tab": "completeness",
        "unit_chart": rate_chart(_as_fraction(units), COMPLETENESS_SERIES) if units else None,
        "region_chart": rate_chart(_as_fraction(regions), COMPLETENESS_SERIES) if regions else None,
        "unit_height": chart_height(units), "region_height": chart_height(regions),
    }
    return render(request, "surveillance/dashboards/completeness.html", context)


def _home_region(user) -> str | None:
    """The region a dashboard starts from: the user's unit's region; an administrator without one, the top."""
    if user.organisation_id:
        return user.organisation.region_id
    top = Region.objects.filter(parent__isnull=True).order_by("code").first()
    return top.code if top else None
