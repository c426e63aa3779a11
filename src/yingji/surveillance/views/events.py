"""Public-health event reports (突发公共卫生事件相关信息报告): the list with each initial report's 2-hour deadline
status and the draft proposals from cluster rules, the initial report form, the chain of an event (initial →
progress → final) with its actions. Deadlines and every check are services.events'."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yingji.core import scoping
from yingji.core.errors import YingjiError
from yingji.core.models import Region
from yingji.web.filters import FilterForm
from yingji.web.helpers import forbidden, paginate, query_without_page, scoped_object

from ..choices import EventCategory, EventGrade, EventReportStatus, EventReportType
from ..models import EventReport
from ..services import events as event_service
from .cards import badge, disease_choices
from .common import (
    EVERYTHING,
    Choice,
    DateTimeInput,
    TypedChoice,
    error_text,
    http_errors,
    is_regional,
    region_choices,
    show_error,
    unit_choices,
)


def _search(qs, text):
    text = text.strip()
    return qs.filter(title__icontains=text) | qs.filter(report_number__icontains=text)


def _within(qs, region):
    from yingji.core.regioncodes import subtree_prefix

    return qs.filter(region__code__startswith=subtree_prefix(region))


class EventFilter(FilterForm):
    lookups = {"q": _search, "category": "category", "status": "status", "report_type": "report_type",
               "region": _within}

    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=64)
    category = Choice(label=gettext_lazy("Event category"), required=False,
                      choices=[EVERYTHING, *EventCategory.choices])
    status = Choice(label=gettext_lazy("Status"), required=False,
                    choices=[EVERYTHING, *EventReportStatus.choices])
    report_type = Choice(label=gettext_lazy("Report type"), required=False,
                         choices=[EVERYTHING, *EventReportType.choices])
    region = Choice(label=gettext_lazy("Region"), required=False)

    def __init__(self, data, *, user):
        super().__init__(data)
        self.fields["region"].choices = region_choices(user, max_level=Region.LevelChoices.TOWN)



def _rows(reports, now):
    return [{"report": r, "deadline": badge(event_service.deadline_status(r, now=now)),
             "due": event_service.deadline_of(r)} for r in reports]


def _related(qs):
    return qs.select_related("region", "reporting_org", "disease", "cluster_rule", "initial")


@login_required
def event_list(request):
    user, now = request.user, timezone.now()
    form = EventFilter(request.GET or None, user=user)
    reports = form.apply(_related(scoping.scope(user, EventReport.objects.all())))
    page = paginate(request, reports)
    proposals = _related(event_service.proposals(user)).order_by("-discovered_at", "-pk")[:50]
    overdue = _related(event_service.overdue_initial_drafts(scoping.scope(user, EventReport.objects.all()),
                                                            now=now)).count()
    return render(request, "surveillance/events/list.html", {
        "filter": form, "page": page, "rows": _rows(page.object_list, now), "query": query_without_page(request),
        "proposals": _rows(proposals, now), "overdue": overdue, "may_create": _may_create(user),
        "hours": event_service.initial_report_hours(),
    })


def _may_create(user) -> bool:
    return bool(user.is_platform_admin or (user.organisation_id and user.role in EventReport.scope_writer_roles))


def _int_or_text(value):
    text = (value or "").strip() if isinstance(value, str) else value
    if text in ("", None):
        return 0
    try:
        return int(text)
    except (TypeError, ValueError):
        return text


class EventForm(forms.Form):
    """The page's fields; the checks are the service's (it answers field by field)."""

    title = forms.CharField(label=gettext_lazy("Event"), max_length=200)
    category = Choice(label=gettext_lazy("Event category"), choices=list(EventCategory.choices))
    grade = Choice(label=gettext_lazy("Grade"), required=False, choices=list(EventGrade.choices))
    disease = Choice(label=gettext_lazy("Disease"), required=False)
    region = Choice(label=gettext_lazy("Region"))
    place = forms.CharField(label=gettext_lazy("Place (school, workplace, community …)"), required=False,
                            max_length=200)
    reporting_org = TypedChoice(label=gettext_lazy("Reporting organisation"), coerce=int)
    discovered_at = forms.DateTimeField(label=gettext_lazy("Discovered at"), widget=DateTimeInput())
    cases = forms.CharField(label=gettext_lazy("Cases"), required=False, widget=forms.NumberInput(attrs={"min": 0}))
    deaths = forms.CharField(label=gettext_lazy("Deaths"), required=False, widget=forms.NumberInput(attrs={"min": 0}))
    description = forms.CharField(label=gettext_lazy("Description"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    measures = forms.CharField(label=gettext_lazy("Measures taken"), required=False,
                               widget=forms.Textarea(attrs={"rows": 3}))
    report_number = forms.CharField(label=gettext_lazy("Report number"), required=False, max_length=64,
                                    help_text=gettext_lazy("Leave empty to have a number generated."))

    def __init__(self, data=None, *, user, initial=None):
        super().__init__(data, initial=initial)
        self.fields["disease"].choices = disease_choices(leaves_only=False, blank=("", "---------"))
        self.fields["region"].choices = region_choices(user, max_level=Region.LevelChoices.TOWN,
                                                       blank=("", "---------"))
        self.fields["reporting_org"].choices = unit_choices(user, kinds=None, blank=None)
        self.fixed_org = None
        if not is_regional(user):
            self.fields["reporting_org"].widget = forms.HiddenInput()
            self.fixed_org = user.organisation

    def values(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"], "category": data["category"], "grade": data["grade"] or EventGrade.UNGRADED,
            "disease": data["disease"] or None, "region": data["region"], "place": data["place"],
            "reporting_org": data["reporting_org"], "discovered_at": data["discovered_at"],
            "cases": _int_or_text(data["cases"]), "deaths": _int_or_text(data["deaths"]),
            "description": data["description"], "measures": data["measures"],
            "report_number": data["report_number"],
        }


@login_required
def event_create(request):
    user = request.user
    if not _may_create(user):
        raise forbidden()
    own = user.organisation
    initial = {"reporting_org": own.pk if own else None, "region": own.region_id if own else None,
               "discovered_at": timezone.localtime().replace(second=0, microsecond=0)}
    form = EventForm(request.POST if request.method == "POST" else None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            with http_errors():
                report = event_service.create_event_report(user, submit="submit" in request.POST, **form.values())
        except YingjiError as exc:
            show_error(form, exc)
        else:
            if report.status == EventReportStatus.SUBMITTED:
                messages.success(request, _("Initial report %(number)s submitted.") % {"number": report.report_number})
            else:
                messages.success(request, _("Draft %(number)s saved.") % {"number": report.report_number})
            return redirect("surveillance:event_detail", pk=report.pk)
    return render(request, "surveillance/events/form.html", {"form": form, "mode": "initial",
                                                               "hours": event_service.initial_report_hours()},
                  status=422 if form.is_bound and form.errors else 200)


@login_required
def event_detail(request, pk):
    user, now = request.user, timezone.now()
    report = scoped_object(user, _related(EventReport.objects.all()), pk=pk)
    chain = [r for r in event_service.chain_of(report) if scoping.can(user, r)]
    writable = scoping.can(user, report, write=True)
    initial = report.initial if report.initial_id else report
    closed = any(r.report_type == EventReportType.FINAL and r.status == EventReportStatus.SUBMITTED for r in chain)
    cases = scoping.scope(user, report.case_reports.select_related("disease", "address_region", "reporting_org"))
    return render(request, "surveillance/events/detail.html", {
        "report": report, "chain": _rows(chain, now), "deadline": badge(event_service.deadline_status(report, now=now)),
        "due": event_service.deadline_of(report), "cases": cases[:200], "case_count": cases.count(),
        "may_submit": writable and report.status == EventReportStatus.DRAFT,
        "may_follow_up": writable and initial.status == EventReportStatus.SUBMITTED and not closed,
        "initial": initial,
    })


@login_required
def event_submit(request, pk):
    """POST: submit a draft (``action=submit``) or reject it with a reason (``action=reject``)."""
    report = scoped_object(request.user, EventReport.objects.all(), write=True, pk=pk)
    if request.method != "POST":
        return redirect("surveillance:event_detail", pk=report.pk)
    action = request.POST.get("action", "submit")
    try:
        with http_errors():
            if action == "reject":
                event_service.reject_event_report(request.user, report, request.POST.get("reason", ""))
            else:
                event_service.submit_event_report(request.user, report)
    except YingjiError as exc:
        english = translation.get_language() == "en"
        texts = [m["message_en"] if english else m["message"] for ms in exc.fields.values() for m in ms]
        messages.error(request, "；".join(texts) if texts else error_text(exc))
    else:
        if action == "reject":
            messages.success(request, _("Report %(number)s rejected.") % {"number": report.report_number})
        else:
            messages.success(request, _("Report %(number)s submitted.") % {"number": report.report_number})
    return redirect("surveillance:event_detail", pk=report.pk)


class FollowUpForm(forms.Form):
    report_type = Choice(label=gettext_lazy("Report type"), choices=[
        (EventReportType.PROGRESS, EventReportType.PROGRESS.label), (EventReportType.FINAL, EventReportType.FINAL.label),
    ])
    title = forms.CharField(label=gettext_lazy("Event"), max_length=200)
    category = Choice(label=gettext_lazy("Event category"), choices=list(EventCategory.choices))
    grade = Choice(label=gettext_lazy("Grade"), choices=list(EventGrade.choices))
    cases = forms.CharField(label=gettext_lazy("Cases (cumulative)"), widget=forms.NumberInput(attrs={"min": 0}))
    deaths = forms.CharField(label=gettext_lazy("Deaths (cumulative)"), widget=forms.NumberInput(attrs={"min": 0}))
    description = forms.CharField(label=gettext_lazy("Progress or conclusion"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    measures = forms.CharField(label=gettext_lazy("Measures taken"), required=False,
                               widget=forms.Textarea(attrs={"rows": 3}))

    def values(self) -> dict:
        data = self.cleaned_data
        return {"title": data["title"], "category": data["category"], "grade": data["grade"],
                "cases": _int_or_text(data["cases"]), "deaths": _int_or_text(data["deaths"]),
                "description": data["description"], "measures": data["measures"]}


@login_required
def event_follow_up(request, pk):
    """A progress (进程) or final (结案) report chained to the event's submitted initial report."""
    report = scoped_object(request.user, _related(EventReport.objects.all()), write=True, pk=pk)
    initial = report.initial if report.initial_id else report
    chain = event_service.chain_of(initial)
    latest = next((r for r in reversed(chain) if r.status == EventReportStatus.SUBMITTED), initial)
    wanted = request.GET.get("type") if request.GET.get("type") in EventReportType.values else EventReportType.PROGRESS
    initial_values = {"report_type": wanted, "title": latest.title, "category": latest.category,
                      "grade": latest.grade, "cases": latest.cases, "deaths": latest.deaths}
    form = FollowUpForm(request.POST if request.method == "POST" else None, initial=initial_values)
    if request.method == "POST" and form.is_valid():
        try:
            with http_errors():
                follow_up = event_service.add_follow_up(request.user, initial, form.cleaned_data["report_type"],
                                                        submit="submit" in request.POST, **form.values())
        except YingjiError as exc:
            if exc.fields:
                show_error(form, exc)
            else:
                messages.error(request, error_text(exc))
                return redirect("surveillance:event_detail", pk=initial.pk)
        else:
            messages.success(request, _("Report %(number)s saved.") % {"number": follow_up.report_number})
            return redirect("surveillance:event_detail", pk=follow_up.pk)
    return render(request, "surveillance/events/follow_up.html", {"form": form, "initial": initial, "latest": latest},
                  status=422 if form.is_bound and form.errors else 200)
