"""Zero and daily reports (零报告/日报告): a reporting unit's list of its periods and the entry page — counts per
disease, or 零报告 with one click. The schedule, due time and every check are services.schedules'."""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yingji.core import scoping
from yingji.core.errors import YingjiError
from yingji.web.filters import FilterForm
from yingji.web.helpers import paginate, query_without_page, scoped_object

from ..choices import Frequency
from ..models import AggregateReport, Disease
from ..services import schedules
from .cards import CLASS_GROUPS, _class_group
from .common import (
    EVERYTHING,
    Choice,
    DateInput,
    TypedChoice,
    error_text,
    http_errors,
    is_regional,
    unit_choices,
    unit_queryset,
)


class ReportFilter(FilterForm):
    lookups = {"organisation": "organisation_id", "frequency": "frequency", "date_from": "period_start__gte",
               "date_to": "period_start__lte"}

    organisation = TypedChoice(label=gettext_lazy("Reporting unit"), required=False, coerce=int, empty_value=None)
    frequency = Choice(label=gettext_lazy("Frequency"), required=False, choices=[EVERYTHING, *Frequency.choices])
    date_from = forms.DateField(label=gettext_lazy("Period from"), required=False, widget=DateInput())
    date_to = forms.DateField(label=gettext_lazy("Period to"), required=False, widget=DateInput())

    def __init__(self, data, *, user):
        super().__init__(data)
        self.fields["organisation"].choices = unit_choices(user)



@login_required
def aggregate_list(request):
    form = ReportFilter(request.GET or None, user=request.user)
    reports = form.apply(scoping.scope(request.user, AggregateReport.objects.select_related(
        "organisation", "organisation__region", "submitted_by")).order_by("-period_start", "organisation__name"))
    page = paginate(request, reports)
    overdue, problem = [], None
    try:
        with http_errors():
            overdue = schedules.overdue_reports(request.user)
    except YingjiError as exc:
        problem = error_text(exc)
    return render(request, "surveillance/aggregate/list.html", {
        "filter": form, "page": page, "query": query_without_page(request), "overdue": overdue,
        "problem": problem, "may_submit": _may_submit(request.user),
    })


def _may_submit(user) -> bool:
    return bool(user.is_platform_admin or (user.organisation_id and user.role in AggregateReport.scope_writer_roles))


class PeriodForm(forms.Form):
    """Which unit, frequency and period the entry is for (the page reloads its disease lines from these)."""

    organisation = TypedChoice(label=gettext_lazy("Reporting unit"), coerce=int)
    frequency = Choice(label=gettext_lazy("Frequency"), choices=list(Frequency.choices))
    period_start = forms.DateField(label=gettext_lazy("Period (a day of it)"), widget=DateInput())
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=255)

    def __init__(self, data=None, *, user, initial=None):
        super().__init__(data, initial=initial)
        self.fields["organisation"].choices = unit_choices(user, blank=None)
        if not is_regional(user):
            self.fields["organisation"].widget = forms.HiddenInput()


def _default_frequency(org) -> str:
    today = timezone.localdate()
    if org is not None and schedules.schedules_in_force(org, Frequency.DAILY, today).exists():
        return Frequency.DAILY
    return Frequency.WEEKLY


def _default_period(frequency: str):
    today = timezone.localdate()
    return today - timedelta(days=1) if frequency == Frequency.DAILY else today - timedelta(days=7)


def _diseases_for(org, frequency, day) -> list[Disease]:
    """The diseases the unit's schedule names for the period, or the whole catalogue's leaves when it names none."""
    if org is not None and day is not None:
        _start, end = schedules.period_of(frequency, day)
        named = Disease.objects.filter(reportingschedule__in=schedules.schedules_in_force(org, frequency, end),
                                       is_active=True).distinct().order_by("sort_order", "code")
        if named:
            return list(named)
    diseases = list(Disease.objects.filter(is_active=True).order_by("sort_order", "code"))
    parents = {d.parent_id for d in diseases if d.parent_id}
    return [d for d in diseases if d.pk not in parents]


def _grouped(diseases, counts, errors):
    groups = []
    for value, label in CLASS_GROUPS:
        rows = [{"disease": d, "count": counts.get(d.code, ""), "errors": errors.get(d.code, [])}
                for d in diseases if _class_group(d) == value]
        if rows:
            groups.append((label, rows))
    return groups


@login_required
def aggregate_create(request):
    user = request.user
    units = {o.pk: o for o in unit_queryset(user)}
    source = request.POST if request.method == "POST" else request.GET
    own = user.organisation if user.organisation_id in units else next(iter(units.values()), None)
    try:
        org = units.get(int(source.get("organisation") or 0)) or own
    except ValueError:
        org = own
    frequency = source.get("frequency") if source.get("frequency") in Frequency.values else _default_frequency(org)
    initial = {"organisation": org.pk if org else None, "frequency": frequency,
               "period_start": _default_period(frequency)}
    form = PeriodForm(source if (request.method == "POST" or "period_start" in source) else None, user=user,
                      initial=initial)
    day = form.cleaned_data["period_start"] if form.is_bound and form.is_valid() else initial["period_start"]
    diseases = _diseases_for(org, frequency, day)
    existing = None
    if org is not None and day is not None:
        start, _end = schedules.period_of(frequency, day)
        existing = scoping.scope(user, AggregateReport.objects.filter(organisation=org, frequency=frequency,
                                                                      period_start=start)).first()
    counts = dict(existing.counts) if existing is not None and request.method != "POST" else {}
    line_errors: dict[str, list[str]] = {}
    general: list[str] = []
    if request.method == "POST":
        counts = {d.code: request.POST.get(f"count_{d.code}", "").strip() for d in diseases}
        is_zero = "zero" in request.POST
        lines = [] if is_zero else [(code, _number(value)) for code, value in counts.items() if value != ""]
        if form.is_valid():
            try:
                with http_errors():
                    report, created = schedules.submit_aggregate_report(
                        user, organisation=form.cleaned_data["organisation"], frequency=form.cleaned_data["frequency"],
                        period_start=form.cleaned_data["period_start"], lines=lines, is_zero=is_zero,
                        note=form.cleaned_data["note"],
                    )
            except YingjiError as exc:
                general, line_errors = _place_errors(form, exc, lines)
            else:
                text = _("Zero report submitted.") if is_zero else _("Report submitted.")
                if not created:
                    text += " " + _("It replaces the earlier submission (revision %(n)s).") % {"n": report.revision}
                messages.success(request, text)
                return redirect("surveillance:aggregate_detail", pk=report.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "surveillance/aggregate/form.html", {
        "form": form, "org": org, "frequency": frequency, "groups": _grouped(diseases, counts, line_errors),
        "existing": existing, "general": general, "may_submit": _may_submit(user) and org is not None,
        "hidden": {"organisation": org.pk if org else "", "frequency": frequency,
                   "period_start": day.isoformat() if day else ""},
        "due": schedules.due_time(frequency, schedules.period_of(frequency, day)[0]) if day else None,
    }, status=status)


def _number(value: str):
    """A whole number from the page, or the text as typed (the service then says it must be a whole number)."""
    try:
        return int(value)
    except ValueError:
        return value


def _place_errors(form, exc: YingjiError, lines):
    """The service's errors: line errors by disease, the others on the form or as general messages."""
    from yingji.web.helpers import pick

    general, by_disease = [], {}
    for name, items in (exc.fields or {}).items():
        texts = [pick(m["message"], m["message_en"]) for m in items]
        if name.startswith("lines.") and name.count(".") == 2:
            index = int(name.split(".")[1])
            if index < len(lines):
                by_disease.setdefault(lines[index][0], []).extend(texts)
                continue
        if name in form.fields:
            for text in texts:
                form.add_error(name, text)
        else:
            general.extend(texts)
    if not exc.fields:
        general.append(error_text(exc))
    return general, by_disease


@login_required
def aggregate_detail(request, pk):
    report = scoped_object(request.user, AggregateReport.objects.select_related(
        "organisation", "organisation__region", "submitted_by"), pk=pk)
    lines = report.lines.select_related("disease").order_by("disease__sort_order", "disease__code")
    return render(request, "surveillance/aggregate/detail.html", {
        "report": report, "lines": lines, "may_write": scoping.can(request.user, report, write=True),
    })
