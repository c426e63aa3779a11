"""Supervision, inspection and rectification pages (督导检查/整改台账): the list of inspections (with their open and
overdue findings), a new inspection (or 回头看 of an earlier one), an inspection with its findings and — for a follow-up —
the check of the earlier findings, one finding with the responsible unit's rectification and evidence, and the ledger
(整改台账) on screen and in Excel. Every rule is services.inspections'; every record is read through core.scoping."""

import os
from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yingji.core import regioncodes, scoping
from yingji.core.errors import YingjiError
from yingji.core.models import Region
from yingji.surveillance.views.common import (
    EVERYTHING,
    Choice,
    DateInput,
    TypedChoice,
    error_text,
    http_errors,
    region_choices,
    show_error,
    unit_queryset,
)
from yingji.web.filters import FilterForm
from yingji.web.helpers import forbidden, may_create, paginate, pick, query_without_page, scoped_object

from ..models import Event, Finding, Inspection
from ..models.inspection import OVERDUE, FindingCategory, FindingStatus, InspectionKind, ReviewResult
from ..services import inspections as svc

STATE_CHOICES = [EVERYTHING, *FindingStatus.choices, (OVERDUE, gettext_lazy("Overdue"))]
BADGES = {FindingStatus.OPEN: "secondary", FindingStatus.RECTIFYING: "info", FindingStatus.RECTIFIED: "primary",
          FindingStatus.VERIFIED: "success", OVERDUE: "danger"}


def _within(field):
    def apply(qs, code):
        return qs.filter(**{f"{field}__startswith": regioncodes.subtree_prefix(code)})
    return apply


def _row(finding, now) -> dict:
    late = svc.is_overdue(finding, now=now)
    return {"finding": finding, "overdue": late, "days_overdue": svc.days_overdue(finding, now=now),
            "badge": BADGES[OVERDUE if late else finding.status]}


# --- the list -------------------------------------------------------------------------------------------------


def _search(qs, text):
    text = text.strip()
    return qs.filter(topic__icontains=text) | qs.filter(inspectors__icontains=text)


class InspectionFilter(FilterForm):
    lookups = {"q": _search, "kind": "kind", "region": _within("region__code"), "event": "event_id",
               "date_from": "date__gte", "date_to": "date__lte",
               "has_overdue": lambda qs, value: svc.with_overdue_findings(qs)}

    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=64)
    kind = Choice(label=gettext_lazy("Kind"), required=False, choices=[EVERYTHING, *InspectionKind.choices])
    region = Choice(label=gettext_lazy("Region"), required=False)
    event = TypedChoice(label=gettext_lazy("Emergency event"), required=False, coerce=int, empty_value=None)
    date_from = forms.DateField(label=gettext_lazy("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=gettext_lazy("To"), required=False, widget=DateInput())
    has_overdue = forms.BooleanField(label=gettext_lazy("With overdue findings"), required=False)

    def __init__(self, data, *, user):
        super().__init__(data)
        self.fields["region"].choices = region_choices(user, max_level=Region.LevelChoices.TOWN)
        self.fields["event"].choices = [EVERYTHING] + [
            (e.pk, e.number) for e in scoping.scope(user, Event.objects.filter(inspections__isnull=False))
            .distinct().order_by("-occurred_at")[:100]]


def _inspections(user, now):
    return svc.with_counts(scoping.scope(user, Inspection.objects.select_related(
        "region", "inspecting_org", "event", "follow_up_of")), now=now)


@login_required
def inspection_list(request):
    user, now = request.user, timezone.now()
    form = InspectionFilter(request.GET or None, user=user)
    page = paginate(request, form.apply(_inspections(user, now)).order_by("-date", "-pk"))
    overdue = svc.overdue(scoping.scope(user, Finding.objects.all()), now=now).count()
    return render(request, "response/inspection_list.html", {
        "filter": form, "page": page, "query": query_without_page(request), "overdue": overdue,
        "may_create": may_create(user, Inspection),
    })


# --- the ledger -----------------------------------------------------------------------------------------------


def _ledger_search(qs, text):
    text = text.strip()
    return (qs.filter(description__icontains=text) | qs.filter(responsible_org__name__icontains=text)
            | qs.filter(inspection__topic__icontains=text))


class LedgerFilter(FilterForm):
    lookups = {"q": _ledger_search, "category": "category", "region": _within("inspection__region__code"),
               "responsible_org": "responsible_org_id", "state": lambda qs, state: svc.filter_state(qs, state)}

    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=64)
    state = Choice(label=gettext_lazy("Status"), required=False, choices=STATE_CHOICES)
    category = Choice(label=gettext_lazy("Category"), required=False, choices=[EVERYTHING, *FindingCategory.choices])
    region = Choice(label=gettext_lazy("Region"), required=False)
    responsible_org = TypedChoice(label=gettext_lazy("Responsible unit"), required=False, coerce=int,
                                  empty_value=None)

    def __init__(self, data, *, user):
        super().__init__(data)
        self.fields["region"].choices = region_choices(user, max_level=Region.LevelChoices.TOWN)
        self.fields["responsible_org"].choices = [EVERYTHING] + [
            (o.pk, o.name) for o in unit_queryset(user, kinds=None)]


def _ledger(request):
    form = LedgerFilter(request.GET or None, user=request.user)
    return form, form.apply(svc.ledger(request.user))


@login_required
def ledger(request):
    now = timezone.now()
    form, findings = _ledger(request)
    page = paginate(request, findings)
    return render(request, "response/inspection_ledger.html", {
        "filter": form, "page": page, "rows": [_row(f, now) for f in page.object_list],
        "query": query_without_page(request), "overdue": svc.overdue(findings, now=now).count(),
        "total": findings.count(),
    })


@login_required
def ledger_export(request):
    """The filtered ledger within the user's reach as Excel (Chinese headers; services.inspections.export_ledger)."""
    _form, findings = _ledger(request)
    content = svc.export_ledger(findings)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(content, content_type=svc.XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="rectification-ledger-{stamp}.xlsx"'
    return response


# --- a new inspection -----------------------------------------------------------------------------------------


class InspectionForm(forms.Form):
    """The page's fields; the checks are the service's (it answers field by field)."""

    kind = Choice(label=gettext_lazy("Kind"), choices=list(InspectionKind.choices))
    follow_up_of = TypedChoice(label=gettext_lazy("Follow-up of"), required=False, coerce=int, empty_value=None)
    region = Choice(label=gettext_lazy("Region inspected"), required=False)
    date = forms.DateField(label=gettext_lazy("Inspection date"), widget=DateInput())
    topic = forms.CharField(label=gettext_lazy("Topic"), max_length=200)
    inspecting_org = TypedChoice(label=gettext_lazy("Inspecting organisation"), coerce=int, empty_value=None,
                                 required=False)
    inspected_orgs = forms.TypedMultipleChoiceField(label=gettext_lazy("Units inspected"), coerce=int,
                                                    required=False,
                                                    widget=forms.SelectMultiple(attrs={"size": 6}))
    event = TypedChoice(label=gettext_lazy("Emergency event"), required=False, coerce=int, empty_value=None)
    inspectors = forms.CharField(label=gettext_lazy("Inspectors"), required=False, max_length=2000,
                                 widget=forms.Textarea(attrs={"rows": 2}))
    summary = forms.CharField(label=gettext_lazy("Summary"), required=False, max_length=4000,
                              widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, data=None, *, user, initial=None):
        super().__init__(data, initial=initial)
        blank = ("", "---------")
        self.fields["region"].choices = region_choices(user, max_level=Region.LevelChoices.TOWN, blank=blank)
        units = [(o.pk, f"{o.name}") for o in unit_queryset(user, kinds=None)]
        self.fields["inspecting_org"].choices = [blank, *units]
        self.fields["inspected_orgs"].choices = units
        self.fields["event"].choices = [blank] + [
            (e.pk, str(e)) for e in scoping.scope(user, Event.objects.all()).order_by("-occurred_at")[:200]]
        self.fields["follow_up_of"].choices = [blank] + [
            (i.pk, f"{i.date:%Y-%m-%d} {i.topic}") for i in
            scoping.scope(user, Inspection.objects.all()).order_by("-date", "-pk")[:200]]

    def values(self) -> dict:
        data = self.cleaned_data
        return {name: data.get(name) for name in (
            "kind", "follow_up_of", "region", "date", "topic", "inspecting_org", "event", "inspectors", "summary")} \
            | {"inspected_orgs": data.get("inspected_orgs") or []}


@login_required
def inspection_create(request):
    user = request.user
    if not may_create(user, Inspection):
        raise forbidden()
    own = user.organisation
    initial = {"date": timezone.localdate(), "region": own.region_id if own else None,
               "inspecting_org": own.pk if own else None}
    earlier_pk = request.GET.get("follow_up_of", "")
    if earlier_pk.isdigit():
        earlier = scoping.scope(user, Inspection.objects.all()).filter(pk=int(earlier_pk)).first()
        if earlier is not None:
            initial.update({"kind": InspectionKind.FOLLOW_UP, "follow_up_of": earlier.pk, "region": earlier.region_id,
                            "topic": _("Follow-up: %(topic)s") % {"topic": earlier.topic},
                            "event": earlier.event_id})
            initial["inspected_orgs"] = list(earlier.inspected_orgs.values_list("pk", flat=True))
    form = InspectionForm(request.POST if request.method == "POST" else None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            with http_errors():
                inspection = svc.create_inspection(user, **form.values())
        except YingjiError as exc:
            show_error(form, exc)
        else:
            messages.success(request, _("Inspection saved; record its findings below."))
            return redirect("response:inspection_detail", pk=inspection.pk)
    return render(request, "response/inspection_form.html", {"form": form},
                  status=422 if form.is_bound and form.errors else 200)


# --- one inspection -------------------------------------------------------------------------------------------


class FindingForm(forms.Form):
    description = forms.CharField(label=gettext_lazy("Problem"), max_length=4000,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    category = Choice(label=gettext_lazy("Category"), choices=list(FindingCategory.choices))
    responsible_org = TypedChoice(label=gettext_lazy("Responsible unit"), coerce=int, empty_value=None)
    deadline = forms.DateField(label=gettext_lazy("Rectification deadline"), required=False, widget=DateInput())
    requirement = forms.CharField(label=gettext_lazy("Rectification requirement"), required=False, max_length=4000,
                                  widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, data=None, *, user, inspection, initial=None):
        super().__init__(data, initial=initial)
        prefix = regioncodes.subtree_prefix(inspection.region_id)
        self.fields["responsible_org"].choices = [("", "---------")] + [
            (o.pk, o.name) for o in unit_queryset(user, kinds=None).filter(region__code__startswith=prefix)]


class ReviewForm(forms.Form):
    finding = forms.IntegerField(widget=forms.HiddenInput())
    result = Choice(label=gettext_lazy("Follow-up result"), choices=list(ReviewResult.choices), widget=forms.RadioSelect)
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=4000)
    deadline = forms.DateField(label=gettext_lazy("New deadline (if not rectified)"), required=False,
                               widget=DateInput())


def _detail(request, inspection, *, finding_form=None, review_error=None, status=200):
    user, now = request.user, timezone.now()
    writable = scoping.can(user, inspection, write=True)
    findings = scoping.scope(user, inspection.findings.select_related("responsible_org", "reviewed_in"))
    to_review = scoping.scope(user, svc.findings_to_review(inspection).select_related(
        "responsible_org", "inspection", "reviewed_in")).order_by("inspection__date", "deadline", "pk")
    if finding_form is None and writable:
        finding_form = FindingForm(user=user, inspection=inspection, initial={
            "deadline": inspection.date + timedelta(days=svc.rectification_days())})
    return render(request, "response/inspection_detail.html", {
        "inspection": inspection, "rows": [_row(f, now) for f in findings],
        "review_rows": [_row(f, now) for f in to_review], "writable": writable, "finding_form": finding_form,
        "review_error": review_error, "review_results": ReviewResult.choices,
        "is_follow_up": inspection.kind == InspectionKind.FOLLOW_UP,
        "follow_ups": scoping.scope(user, inspection.follow_ups.all()),
        "inspected": inspection.inspected_orgs.select_related("region"),
        "may_follow_up": may_create(user, Inspection),
    }, status=status)


def _inspection(request, pk, *, write=False):
    return scoped_object(request.user, Inspection.objects.select_related(
        "region", "inspecting_org", "event", "follow_up_of"), write=write, pk=pk)


@login_required
def inspection_detail(request, pk):
    return _detail(request, _inspection(request, pk))


@login_required
def inspection_add_finding(request, pk):
    """POST: a finding of this inspection (the form sits on the inspection page)."""
    inspection = _inspection(request, pk, write=True)
    if request.method != "POST":
        return redirect("response:inspection_detail", pk=inspection.pk)
    form = FindingForm(request.POST, user=request.user, inspection=inspection)
    if form.is_valid():
        try:
            with http_errors():
                svc.add_finding(request.user, inspection, **form.cleaned_data)
        except YingjiError as exc:
            show_error(form, exc)
        else:
            messages.success(request, _("Finding recorded."))
            return redirect("response:inspection_detail", pk=inspection.pk)
    return _detail(request, inspection, finding_form=form, status=422)


@login_required
def inspection_review(request, pk):
    """POST: the follow-up's check of one earlier finding (整改到位 / 未整改到位)."""
    inspection = _inspection(request, pk, write=True)
    if request.method != "POST":
        return redirect("response:inspection_detail", pk=inspection.pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the outcome of the check."))
        return redirect("response:inspection_detail", pk=inspection.pk)
    finding = scoped_object(request.user, Finding.objects.all(), pk=form.cleaned_data["finding"])
    try:
        with http_errors():
            svc.review_finding(request.user, inspection, finding, result=form.cleaned_data["result"],
                               note=form.cleaned_data["note"], deadline=form.cleaned_data["deadline"])
    except YingjiError as exc:
        texts = [pick(m["message"], m["message_en"]) for ms in exc.fields.values() for m in ms]
        messages.error(request, "；".join(texts) if texts else error_text(exc))
    else:
        messages.success(request, _("Follow-up check recorded."))
    return redirect("response:inspection_detail", pk=inspection.pk)


# --- one finding ----------------------------------------------------------------------------------------------


class RectificationForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("Rectification"), required=False, max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 3}))
    done = forms.BooleanField(label=gettext_lazy("Rectification complete"), required=False)
    evidence = forms.FileField(label=gettext_lazy("Evidence (PDF, image, Word, Excel, ZIP)"), required=False)


def _finding(request, pk, *, write=False):
    return scoped_object(request.user, Finding.objects.select_related(
        "inspection__region", "inspection__inspecting_org", "responsible_org", "reviewed_in"), write=write, pk=pk)


@login_required
def finding_detail(request, pk):
    finding = _finding(request, pk)
    user = request.user
    writable = scoping.can(user, finding, write=True) and finding.status != FindingStatus.VERIFIED
    form = None
    if writable:
        form = RectificationForm(request.POST or None, request.FILES or None,
                                 initial={"note": finding.rectification_note})
    status = 200
    if request.method == "POST":
        if not writable:
            raise forbidden()
        if form.is_valid():
            try:
                with http_errors():
                    svc.record_rectification(user, finding, note=form.cleaned_data["note"],
                                             done=form.cleaned_data["done"], evidence=form.cleaned_data["evidence"])
            except YingjiError as exc:
                show_error(form, exc)
                status = 422
            else:
                messages.success(request, _("Rectification recorded."))
                return redirect("response:finding_detail", pk=finding.pk)
        else:
            status = 422
    return render(request, "response/finding_detail.html", {
        "finding": finding, "row": _row(finding, timezone.now()), "form": form,
        "inspection_readable": scoping.can(user, finding.inspection),
        "reviewed_readable": finding.reviewed_in_id and scoping.can(user, finding.reviewed_in),
    }, status=status)


@login_required
def finding_evidence(request, pk):
    """The evidence file, to users who may read the finding."""
    finding = _finding(request, pk)
    if not finding.evidence:
        raise Http404(_("No evidence file."))
    try:
        handle = finding.evidence.open("rb")
    except OSError as exc:
        raise Http404(_("No evidence file.")) from exc
    return FileResponse(handle, as_attachment=True,
                        filename=finding.evidence_name or os.path.basename(finding.evidence.name))
