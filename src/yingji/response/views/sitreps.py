"""Situation report pages (信息报送): an event's reports with what is owed and by when, and the buttons that start a
draft filled from the event's data (``/emergencies/<pk>/reports/``); a report's page — an editable draft with save
and submit, read-only once submitted (``/sitreps/<pk>/``); and a print view (``/sitreps/<pk>/print/``).

The print view (official-document layout; the browser prints it or saves it as PDF) is also offered as a Word
document, ``?download=docx`` (built by response.documents; ``?download=doc``, the old link, gives the same .docx).

Every query goes through core.scoping; every rule is services.sitreps'."""

from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from yingji.core import scoping
from yingji.core.errors import YingjiError
from yingji.web.helpers import attach_errors, scoped_object

from .. import documents
from ..models import Event, SitrepKind, SitrepStatus, SituationReport
from ..models.sitrep import BODY_FIELDS
from ..services import sitreps as svc
from .assessments import error_line, event_header, http_errors

KIND_CSS = {SitrepKind.INITIAL: "primary", SitrepKind.PROGRESS: "info", SitrepKind.FINAL: "dark"}


class SitrepForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in BODY_FIELDS:
            label = SituationReport._meta.get_field(name).verbose_name
            self.fields[name] = forms.CharField(label=label, required=False,
                                                widget=forms.Textarea(attrs={"rows": 5 if name != "needs" else 2}))


def _body(report) -> list[dict]:
    return [{"name": name, "label": SituationReport._meta.get_field(name).verbose_name,
             "text": getattr(report, name)} for name in BODY_FIELDS]


def _deadline(report, now) -> dict:
    if report.status == SitrepStatus.SUBMITTED:
        return {"css": "danger" if report.late else "success",
                "text": _("submitted late") if report.late else _("submitted on time")}
    if svc.is_overdue(report, now):
        return {"css": "danger", "text": _("overdue")}
    return {"css": "warning", "text": _("draft")}


@login_required
def event_reports(request, pk):
    user, now = request.user, timezone.now()
    event = scoped_object(user, Event.objects.select_related("region", "lead_org"), write=request.method == "POST",
                          pk=pk)
    if request.method == "POST":  # drafts are started at .../reports/new/
        return redirect("response:event_reports", pk=event.pk)
    reports = list(svc.sitreps(user, event).order_by("created_at", "pk"))
    writable = scoping.can(user, event, write=True)
    return render(request, "response/sitreps.html", {
        **event_header(request, event, "response:event_reports"),
        "rows": [{"r": r, "deadline": _deadline(r, now), "css": KIND_CSS.get(r.kind, "secondary")} for r in reports],
        "owed": svc.next_due(event, now=now), "writable": writable,
        "kinds": SitrepKind.choices,
        "hours": {"initial": svc.initial_hours(), "progress": svc.progress_hours(), "final": svc.final_days()},
    })


@login_required
@require_POST
def event_report_create(request, pk):
    event = scoped_object(request.user, Event.objects.all(), write=True, pk=pk)
    kind = request.POST.get("kind", "")
    try:
        with http_errors():
            report = svc.create_sitrep(request.user, event, kind)
    except YingjiError as exc:
        messages.error(request, error_line(exc))
        return redirect("response:event_reports", pk=event.pk)
    messages.success(request, _("Draft started from the event's data; edit it and submit."))
    return redirect("response:sitrep_detail", pk=report.pk)


@login_required
def sitrep_detail(request, pk):
    user, now = request.user, timezone.now()
    report = scoped_object(user, SituationReport.objects.select_related(
        "event__region", "event__lead_org", "reporting_org", "submitted_by"), write=request.method == "POST", pk=pk)
    editable = report.status == SitrepStatus.DRAFT and scoping.can(user, report, write=True)
    form = None
    if editable:
        initial = {name: getattr(report, name) for name in ("title", *BODY_FIELDS)}
        form = SitrepForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST":
        if form is None:
            messages.error(request, _("A submitted report cannot be changed or submitted again."))
            return redirect("response:sitrep_detail", pk=report.pk)
        if form.is_valid():
            changes = form.cleaned_data
            try:
                with http_errors():
                    if "submit" in request.POST:
                        svc.submit_sitrep(user, report, changes)
                    else:
                        svc.update_sitrep(user, report, changes)
            except YingjiError as exc:
                if exc.fields:
                    attach_errors(form, exc)
                else:
                    messages.error(request, error_line(exc))
                    return redirect("response:sitrep_detail", pk=report.pk)
            else:
                messages.success(request, _("Report submitted.") if "submit" in request.POST else _("Draft saved."))
                return redirect("response:sitrep_detail", pk=report.pk)
    return render(request, "response/sitrep_detail.html", {
        **event_header(request, report.event, "response:event_reports"),
        "r": report, "form": form, "body": _body(report), "deadline": _deadline(report, now),
    }, status=422 if form is not None and form.is_bound and form.errors else 200)


@login_required
def sitrep_print(request, pk):
    """The report as a printable page (official-document layout; print or save as PDF from the browser), or as a
    Word document with ``?download=docx``."""
    report = scoped_object(request.user, SituationReport.objects.select_related(
        "event__region", "reporting_org", "submitted_by"), pk=pk)
    if request.GET.get("download") in ("docx", "doc"):
        response = HttpResponse(documents.sitrep_docx(report), content_type=documents.DOCX_CONTENT_TYPE)
        name = f"{report.event.number}-{report.get_kind_display()}{report.sequence or ''}.docx"
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
        return response
    return render(request, "response/sitrep_print.html", {
        "r": report, "body": _body(report), "today": timezone.localdate()})
