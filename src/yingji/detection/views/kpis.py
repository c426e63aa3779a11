"""Early-warning indicators (预警工作指标) as CIDARS publishes them (statutory-rules §4.5), per county and for the
whole reach over a period, for all signals and for fixed-threshold and temporal-model signals apart: signals,
signals per county per week, response rate, responded within 24 h / 2 h, median time to response (P25–P75),
suspected-event rate and the share verified as outbreaks. Table and charts; the figures are services.kpi's."""


from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yingji.core.errors import YingjiError
from yingji.core.models import Region
from yingji.surveillance.views.cards import disease_choices
from yingji.surveillance.views.common import EVERYTHING, Choice, DateInput, error_text, http_errors, percent
from yingji.web.filters import DateRangeMixin

from ..services import kpi as kpi_service
from ..services.kpi import Figures
from .common import region_choices, require_viewer
from .signals import MAX_COUNTIES, _counties

DEFAULT_DAYS = 90


class KpiFilter(DateRangeMixin, forms.Form):
    default_days = DEFAULT_DAYS

    date_from = forms.DateField(label=gettext_lazy("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=gettext_lazy("To"), required=False, widget=DateInput())
    region = Choice(label=gettext_lazy("Region"), required=False)
    disease = Choice(label=gettext_lazy("Disease"), required=False)

    def __init__(self, data, *, user):
        super().__init__(data)
        self.fields["region"].choices = region_choices(user, max_level=Region.LevelChoices.COUNTY)
        self.fields["disease"].choices = disease_choices(leaves_only=False, blank=EVERYTHING)

    def values(self):
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return (*self.period(), data.get("region") or None, data.get("disease") or None)


def _chart(table):
    names = [row["region"].name for row in table]
    return {
        "rates": {"categories": names, "series": [
            {"name": _("Response rate"), "unit": "%", "data": [percent(r["f"].response_rate) for r in table]},
            {"name": _("Responded within 24 h"), "unit": "%", "data": [percent(r["f"].within_24h_rate) for r in table]},
            {"name": _("Suspected-event rate"), "unit": "%", "data": [percent(r["f"].suspected_rate) for r in table]},
            {"name": _("Verified as outbreaks"), "unit": "%", "data": [percent(r["f"].confirmed_rate) for r in table]},
        ]},
        "load": {"categories": names, "series": [
            {"name": _("Signals per county per week"), "unit": "",
             "data": [None if r["f"].per_county_week is None else round(r["f"].per_county_week, 2) for r in table]},
            {"name": _("Median hours to response"), "unit": "h", "data": [None if r["f"].median_hours is None else round(r["f"].median_hours, 1)
                                                                        for r in table]},
        ]},
    }


@login_required
def kpi_page(request):
    user = request.user
    require_viewer(user)
    form = KpiFilter(request.GET or None, user=user)
    start, end, region, disease = form.values()
    report, table, problem, hidden = None, [], None, 0
    if not form.is_bound or form.is_valid():
        try:
            with http_errors():
                report = kpi_service.kpis(user, date_from=start, date_to=end, region=region, disease=disease)
        except YingjiError as exc:
            problem = error_text(exc)
        else:
            by_code = {code: figures for code, _name, figures in report.by_region}
            for county in _counties(user, region):
                figures = by_code.get(county.code) or Figures(signals=0, per_county_week=0.0)
                table.append({"region": county, "f": figures})
            if len(table) > MAX_COUNTIES:  # a province or the country: the counties with the most signals
                busiest = sorted((r for r in table if r["f"].signals), key=lambda r: -r["f"].signals)[:MAX_COUNTIES]
                hidden = len(table) - len(busiest)
                table = sorted(busiest, key=lambda r: r["region"].code)
    summary = []
    if report is not None:
        summary = [(_("All signals"), report.total, "total"), (_("Fixed threshold (single case)"), report.fixed, "fixed"),
                   (_("Temporal models"), report.temporal, "temporal")]
    return render(request, "detection/kpis.html", {
        "filter": form, "date_from": start, "date_to": end, "report": report, "summary": summary, "table": table,
        "charts": _chart(table) if table else None, "problem": problem, "hidden_counties": hidden,
        "chart_height": f"{max(14.0, 2.0 * len(table) + 8):.1f}em",
    })
