"""Reporting schedules (报告计划): which unit owes weekly zero reports and which owes daily reports of named
diseases during a response. CDC and commission staff set and end them here; every rule is services.schedules'."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from yingji.core import scoping
from yingji.core.errors import YingjiError
from yingji.web.filters import FilterForm
from yingji.web.helpers import paginate, pick, query_without_page, scoped_object

from ..choices import Frequency
from ..models import Disease, ReportingSchedule
from ..services import schedules
from .common import (
    EVERYTHING,
    Choice,
    DateInput,
    TypedChoice,
    error_text,
    http_errors,
    show_error,
    unit_choices,
)


class ScheduleFilter(FilterForm):
    lookups = {"organisation": "organisation_id", "frequency": "frequency",
               "in_force": lambda qs, _on: qs.filter(schedules._in_force_on(timezone.localdate()))}

    organisation = TypedChoice(label=gettext_lazy("Reporting unit"), required=False, coerce=int, empty_value=None)
    frequency = Choice(label=gettext_lazy("Frequency"), required=False, choices=[EVERYTHING, *Frequency.choices])
    in_force = forms.BooleanField(label=gettext_lazy("In force today only"), required=False)

    def __init__(self, data, *, user):
        super().__init__(data)
        self.fields["organisation"].choices = unit_choices(user)



class ScheduleForm(forms.Form):
    organisation = TypedChoice(label=gettext_lazy("Reporting unit"), coerce=int)
    frequency = Choice(label=gettext_lazy("Frequency"), choices=list(Frequency.choices))
    diseases = forms.MultipleChoiceField(label=gettext_lazy("Diseases (daily reports)"), required=False,
                                         widget=forms.SelectMultiple(attrs={"size": 8}))
    valid_from = forms.DateField(label=gettext_lazy("Valid from"), widget=DateInput())
    valid_to = forms.DateField(label=gettext_lazy("Valid to"), required=False, widget=DateInput())
    due_hour = forms.IntegerField(label=gettext_lazy("Due hour (0–23, Beijing time)"), min_value=0, max_value=23,
                                  initial=schedules.DEFAULT_DUE_HOUR)
    reason = forms.CharField(label=gettext_lazy("Reason"), required=False, max_length=128,
                             help_text=gettext_lazy("Required for daily reports, e.g. an active response"))

    def __init__(self, data=None, *, user):
        super().__init__(data, initial={"valid_from": timezone.localdate(), "frequency": Frequency.WEEKLY})
        self.fields["organisation"].choices = unit_choices(user, blank=None)
        diseases = Disease.objects.filter(is_active=True).order_by("sort_order", "code")
        self.fields["diseases"].choices = [(d.code, f"{d.code} {d.name}") for d in diseases]


class EndForm(forms.Form):
    valid_to = forms.DateField(label=gettext_lazy("Last day"), widget=DateInput())


def _may_write(user) -> bool:
    return bool(user.is_platform_admin or (user.organisation_id
                                           and user.role in ReportingSchedule.scope_writer_roles))


@login_required
def schedule_list(request):
    user = request.user
    may_write = _may_write(user)
    form = ScheduleForm(request.POST if request.method == "POST" else None, user=user) if may_write else None
    if request.method == "POST":
        if form is None:
            from yingji.web.helpers import forbidden

            raise forbidden()
        if form.is_valid():
            data = form.cleaned_data
            try:
                with http_errors():
                    schedule = schedules.create_schedule(
                        user, organisation=data["organisation"], frequency=data["frequency"],
                        valid_from=data["valid_from"], valid_to=data["valid_to"], due_hour=data["due_hour"],
                        diseases=data["diseases"], reason=data["reason"])
            except YingjiError as exc:
                show_error(form, exc)
            else:
                messages.success(request, _("Reporting schedule saved for %(unit)s.")
                                 % {"unit": schedule.organisation.name})
                return redirect("surveillance:schedule_list")
    filter_form = ScheduleFilter(request.GET or None, user=user)
    rows = filter_form.apply(scoping.scope(user, ReportingSchedule.objects.select_related(
        "organisation", "organisation__region").prefetch_related("diseases")).order_by(
        "-valid_from", "organisation__name", "pk"))
    today = timezone.localdate()
    page = paginate(request, rows)
    endable = {s.pk for s in page if may_write and (s.valid_to is None or s.valid_to >= today)
               and scoping.can(user, s, write=True)}
    status = 422 if request.method == "POST" else 200
    return render(request, "surveillance/schedules/list.html", {
        "filter": filter_form, "page": page, "query": query_without_page(request), "form": form, "today": today,
        "endable": endable,
    }, status=status)


@login_required
@require_POST
def schedule_end(request, pk):
    schedule = scoped_object(request.user, ReportingSchedule.objects.all(), write=True, pk=pk)
    form = EndForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("surveillance:schedule_list")
    try:
        with http_errors():
            schedules.end_schedule(request.user, schedule, form.cleaned_data["valid_to"])
    except YingjiError as exc:
        details = [pick(m["message"], m["message_en"]) for items in (exc.fields or {}).values() for m in items]
        for text in details or [error_text(exc)]:
            messages.error(request, text)
    else:
        messages.success(request, _("The schedule of %(unit)s ends on %(day)s.")
                         % {"unit": schedule.organisation.name, "day": form.cleaned_data["valid_to"].isoformat()})
    return redirect("surveillance:schedule_list")
