"""Fever clinics (发热门诊日报): the daily series per clinic and per region (line charts, data embedded with
json_script) and the daily entry page. Series and checks are services.fever's."""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yingji.core import scoping
from yingji.core.errors import YingjiError
from yingji.core.models import Region

from ..models import FeverClinicDailyReport
from ..services import fever
from .common import (
    EVERYTHING,
    Choice,
    DateInput,
    TypedChoice,
    error_text,
    http_errors,
    is_regional,
    region_choices,
    show_error,
    unit_queryset,
)

MEASURES = (
    ("visits", gettext_lazy("Visits")), ("tested", gettext_lazy("Tested")), ("positive", gettext_lazy("Positive")),
    ("observed", gettext_lazy("Kept under observation")), ("transferred", gettext_lazy("Transferred")),
)
DEFAULT_DAYS = 60
MAX_CLINIC_LINES = 12


def clinic_queryset(user):
    return unit_queryset(user, kinds=tuple(fever.CLINIC_KINDS))


class SeriesFilter(forms.Form):
    region = Choice(label=gettext_lazy("Region"), required=False)
    organisation = TypedChoice(label=gettext_lazy("Fever clinic"), required=False, coerce=int, empty_value=None)
    measure = Choice(label=gettext_lazy("Figure"), required=False, choices=MEASURES)
    date_from = forms.DateField(label=gettext_lazy("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=gettext_lazy("To"), required=False, widget=DateInput())

    def __init__(self, data, *, user):
        super().__init__(data)
        self.fields["region"].choices = region_choices(user, max_level=Region.LevelChoices.TOWN)
        self.fields["organisation"].choices = [EVERYTHING] + [(o.pk, o.name) for o in clinic_queryset(user)]


def _days(start, end):
    day, days = start, []
    while day <= end:
        days.append(day)
        day += timedelta(days=1)
    return days


def series_chart(result, measure, names):
    """{dates, series: [{name, data}]}: the region's (or clinic's) daily sum first, then each clinic."""
    days = _days(result["date_from"], result["date_to"])
    labels = [d.isoformat() for d in days]

    def line(points):
        by_day = {p.date: getattr(p, measure) for p in points}
        return [by_day.get(d) for d in days]

    series = [{"name": str(_("Total")), "data": line(result["total"])}]
    clinics = sorted(result["clinics"].items(), key=lambda item: -sum(getattr(p, measure) for p in item[1]))
    for org_id, points in clinics[:MAX_CLINIC_LINES]:
        series.append({"name": names.get(org_id, str(org_id)), "data": line(points)})
    return {"dates": labels, "series": series}


@login_required
def fever_dashboard(request):
    form = SeriesFilter(request.GET or None, user=request.user)
    result = chart = None
    problem = None
    measure = "visits"
    if not form.is_bound or form.is_valid():
        data = form.cleaned_data if form.is_bound else {}
        measure = data.get("measure") or "visits"
        end = data.get("date_to") or timezone.localdate()
        start = data.get("date_from") or end - timedelta(days=DEFAULT_DAYS - 1)
        try:
            with http_errors():
                result = fever.series_for(request.user, organisation=data.get("organisation"),
                                          region=data.get("region") or None, date_from=start, date_to=end)
        except YingjiError as exc:
            problem = error_text(exc)
    names = {}
    if result is not None:
        names = dict(scoping.scope(request.user, clinic_queryset(request.user).filter(pk__in=list(result["clinics"])))
                     .values_list("pk", "name"))
        chart = series_chart(result, measure, names)
    latest = []
    if result is not None:
        latest = list(reversed(result["total"]))[:14]
    return render(request, "surveillance/fever/dashboard.html", {
        "filter": form, "result": result, "chart": chart, "problem": problem, "latest": latest,
        "measure_label": dict(MEASURES)[measure], "may_submit": _may_submit(request.user),
        "clinic_count": len(result["clinics"]) if result else 0,
    })


def _may_submit(user) -> bool:
    return bool(user.is_platform_admin or (user.organisation_id and
                                           user.role in FeverClinicDailyReport.scope_writer_roles))


class FeverForm(forms.Form):
    organisation = TypedChoice(label=gettext_lazy("Fever clinic"), coerce=int)
    date = forms.DateField(label=gettext_lazy("Date"), widget=DateInput())
    visits = forms.CharField(label=gettext_lazy("Visits"), widget=forms.NumberInput(attrs={"min": 0}))
    tested = forms.CharField(label=gettext_lazy("Tested"), widget=forms.NumberInput(attrs={"min": 0}))
    positive = forms.CharField(label=gettext_lazy("Positive"), widget=forms.NumberInput(attrs={"min": 0}))
    observed = forms.CharField(label=gettext_lazy("Kept under observation"), required=False,
                               widget=forms.NumberInput(attrs={"min": 0}))
    transferred = forms.CharField(label=gettext_lazy("Transferred"), required=False,
                                  widget=forms.NumberInput(attrs={"min": 0}))
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=255)

    def __init__(self, data=None, *, user, initial=None):
        super().__init__(data, initial=initial)
        clinics = list(clinic_queryset(user))
        self.fields["organisation"].choices = [(o.pk, o.name) for o in clinics]
        self.fixed_org = None
        if not is_regional(user):
            self.fields["organisation"].widget = forms.HiddenInput()
            self.fixed_org = user.organisation

    def values(self) -> dict:
        """The counts as whole numbers where they are (the service says what is wrong with the others)."""
        data = self.cleaned_data
        result = {}
        for name in fever.COUNT_FIELDS:
            text = (data.get(name) or "").strip()
            if text == "" and name in ("observed", "transferred"):
                result[name] = 0
                continue
            try:
                result[name] = int(text)
            except ValueError:
                result[name] = text
        return result


@login_required
def fever_create(request):
    user = request.user
    own = user.organisation
    initial = {"organisation": own.pk if own else None, "date": timezone.localdate()}
    if request.method == "GET":
        initial.update({name: request.GET[name] for name in ("organisation", "date") if request.GET.get(name)})
        existing = None
        try:
            existing = scoping.scope(user, FeverClinicDailyReport.objects.all()).filter(
                organisation_id=int(initial["organisation"]), date=initial["date"]).first()
        except (TypeError, ValueError, ValidationError):
            pass
        if existing is not None:
            initial.update({name: getattr(existing, name) for name in fever.COUNT_FIELDS}, note=existing.note)
    form = FeverForm(request.POST if request.method == "POST" else None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            with http_errors():
                report, created = fever.submit_fever_report(
                    user, organisation=form.cleaned_data["organisation"], date=form.cleaned_data["date"],
                    note=form.cleaned_data["note"], **form.values(),
                )
        except YingjiError as exc:
            show_error(form, exc)
        else:
            if created:
                messages.success(request, _("Fever-clinic report for %(date)s submitted.") % {"date": report.date})
            else:
                messages.success(request, _("Fever-clinic report for %(date)s replaced.") % {"date": report.date})
            return redirect("surveillance:fever_dashboard")
    return render(request, "surveillance/fever/form.html", {"form": form, "may_submit": _may_submit(user)},
                  status=422 if form.is_bound and form.errors else 200)
