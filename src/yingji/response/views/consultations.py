"""Consultation pages (会商研判): an event's meetings with the form to record one (``/emergencies/<pk>/consultations/``)
and a meeting's page with its participants, materials, conclusions and decisions (``/consultations/<pk>/``; forms to
add a participant, a decision, a material, to change the record and to turn a decision into a task).

Every query goes through core.scoping; every rule is services.consultations'."""

import re

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from yingji.core import scoping
from yingji.core.errors import YingjiError
from yingji.core.models import Organisation, User
from yingji.web.helpers import attach_errors, pick, scoped_object

from ..models import Consultation, ConsultationKind, Event
from ..services import consultations as svc
from .assessments import error_line, event_header, http_errors, may_change

SEPARATORS = re.compile(r"\s*[,，|｜、\t]\s*")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def parse_participants(text: str) -> list[dict]:
    """One participant a line: 姓名，单位，身份 (organisation and role optional)."""
    rows = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        parts = [*SEPARATORS.split(line.strip(), maxsplit=2), "", ""]
        rows.append({"name": parts[0], "organisation": parts[1], "role": parts[2]})
    return rows


def _units(user):
    return scoping.scope(user, Organisation.objects.filter(is_active=True)).order_by("region__code", "name")[:500]


class ConsultationForm(forms.Form):
    held_at = forms.DateTimeField(label=gettext_lazy("Held at"), widget=DATETIME)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=ConsultationKind.choices,
                             initial=ConsultationKind.SPECIAL)
    chair = forms.CharField(label=gettext_lazy("Chair"), max_length=100)
    place = forms.CharField(label=gettext_lazy("Place"), required=False, max_length=200)
    online = forms.BooleanField(label=gettext_lazy("Online (video conference)"), required=False)
    users = forms.TypedMultipleChoiceField(label=gettext_lazy("Participants on the platform"), coerce=int,
                                           required=False, widget=forms.SelectMultiple(attrs={"size": 5}))
    participants = forms.CharField(
        label=gettext_lazy("Other participants"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("One a line: name, organisation, role (e.g. 王教授，市疾控中心，传染病专家)."))
    agenda = forms.CharField(label=gettext_lazy("Agenda"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    conclusions = forms.CharField(label=gettext_lazy("Conclusions"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, data=None, *, user, event, initial=None):
        super().__init__(data, initial=initial)
        people = scoping.scope(user, User.objects.filter(is_active=True, organisation__isnull=False)).filter(
            organisation__region__code__startswith=event.region_id).select_related("organisation")
        self.fields["users"].choices = [(u.pk, f"{u.full_name or u.username}（{u.organisation.name}）")
                                        for u in people.order_by("organisation__name", "username")[:300]]

    def values(self) -> dict:
        data = self.cleaned_data
        people = [{"user": pk} for pk in data["users"]] + parse_participants(data["participants"])
        return {"held_at": data["held_at"], "kind": data["kind"], "chair": data["chair"], "place": data["place"],
                "online": data["online"], "agenda": data["agenda"], "conclusions": data["conclusions"],
                "participants": people}


@login_required
def event_consultations(request, pk):
    user = request.user
    event = scoped_object(user, Event.objects.select_related("region", "lead_org"), write=request.method == "POST",
                          pk=pk)
    writable = may_change(user, event)
    form = ConsultationForm(request.POST if request.method == "POST" else None, user=user, event=event,
                            initial={"held_at": timezone.localtime().replace(second=0, microsecond=0)})
    if request.method == "POST" and form.is_valid():
        try:
            with http_errors():
                meeting = svc.create_consultation(user, event, **form.values())
        except YingjiError as exc:
            if exc.fields:
                attach_errors(form, exc)
            else:
                messages.error(request, error_line(exc))
                return redirect("response:event_consultations", pk=event.pk)
        else:
            messages.success(request, _("Consultation recorded."))
            return redirect("response:consultation_detail", pk=meeting.pk)
    meetings = svc.consultations(user, event).prefetch_related("participants", "decisions").order_by("-held_at", "-pk")
    return render(request, "response/consultations.html", {
        **event_header(request, event, "response:event_consultations"),
        "meetings": meetings, "form": form if writable else None,
    }, status=422 if form.is_bound and form.errors else 200)


class DecisionForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("Decision"), widget=forms.Textarea(attrs={"rows": 2}))
    responsible_org = forms.TypedChoiceField(label=gettext_lazy("Responsible organisation"), coerce=int,
                                             required=False, empty_value=None)
    due_date = forms.DateField(label=gettext_lazy("Due date"), required=False, widget=DATE)

    def __init__(self, data=None, *, user):
        super().__init__(data)
        self.fields["responsible_org"].choices = [("", "---------")] + [(o.pk, o.name) for o in _units(user)]


class ParticipantForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    organisation = forms.CharField(label=gettext_lazy("Organisation"), required=False, max_length=200)
    role = forms.CharField(label=gettext_lazy("Role (expert, department …)"), required=False, max_length=100)


class RecordForm(forms.Form):
    conclusions = forms.CharField(label=gettext_lazy("Conclusions"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    agenda = forms.CharField(label=gettext_lazy("Agenda"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class MaterialForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File (PDF, Word, Excel, PowerPoint, image, text)"))


def _meeting(request, pk, *, write=False) -> Consultation:
    return scoped_object(request.user, Consultation.objects.select_related("event__region", "event__lead_org",
                                                                           "organiser", "created_by"),
                         write=write, pk=pk)


@login_required
def consultation_detail(request, pk):
    meeting = _meeting(request, pk, write=request.method == "POST")
    if request.method == "POST":
        return redirect("response:consultation_detail", pk=meeting.pk)
    user, event = request.user, meeting.event
    writable = may_change(user, event)
    return render(request, "response/consultation_detail.html", {
        **event_header(request, event, "response:event_consultations"),
        "m": meeting, "participants": meeting.participants.select_related("user"),
        "decisions": meeting.decisions.select_related("responsible_org"), "materials": meeting.materials.all(),
        "writable": writable, "tasks_available": svc.tasks_available(),
        "decision_form": DecisionForm(user=user) if writable else None,
        "participant_form": ParticipantForm() if writable else None,
        "record_form": RecordForm(initial={"conclusions": meeting.conclusions, "agenda": meeting.agenda})
        if writable else None,
        "material_form": MaterialForm() if writable else None,
        "max_kb": svc.material_max_bytes() // 1024,
    })


def _act(request, meeting, action, success: str):
    try:
        with http_errors():
            action()
    except YingjiError as exc:
        messages.error(request, error_line(exc))
    else:
        messages.success(request, success)
    return redirect("response:consultation_detail", pk=meeting.pk)


@login_required
@require_POST
def consultation_decision(request, pk):
    meeting = _meeting(request, pk, write=True)
    form = DecisionForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, "；".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("response:consultation_detail", pk=meeting.pk)
    return _act(request, meeting, lambda: svc.add_decision(request.user, meeting, **form.cleaned_data),
                _("Decision added."))


@login_required
@require_POST
def consultation_participant(request, pk):
    meeting = _meeting(request, pk, write=True)
    form = ParticipantForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the participant's name."))
        return redirect("response:consultation_detail", pk=meeting.pk)
    return _act(request, meeting, lambda: svc.add_participant(request.user, meeting, form.cleaned_data),
                _("Participant added."))


@login_required
@require_POST
def consultation_record(request, pk):
    meeting = _meeting(request, pk, write=True)
    form = RecordForm(request.POST)
    form.is_valid()
    return _act(request, meeting, lambda: svc.update_consultation(request.user, meeting, form.cleaned_data),
                _("Consultation record saved."))


@login_required
@require_POST
def consultation_material(request, pk):
    meeting = _meeting(request, pk, write=True)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a file."))
        return redirect("response:consultation_detail", pk=meeting.pk)
    limit = svc.material_max_bytes()
    if upload.size > limit:
        messages.error(request, pick(f"文件过大，上限为 {limit // 1024} KB",
                                     f"The file is too large; the limit is {limit // 1024} KB"))
        return redirect("response:consultation_detail", pk=meeting.pk)
    return _act(request, meeting,
                lambda: svc.add_material(request.user, meeting, name=upload.name, content=upload.read()),
                _("Material uploaded."))


@login_required
def consultation_material_file(request, pk, material_id):
    meeting = _meeting(request, pk)
    material = meeting.materials.filter(pk=material_id).first()
    if material is None:
        raise Http404
    try:
        handle = material.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=material.name,
                        content_type=material.content_type or "application/octet-stream")


@login_required
@require_POST
def consultation_material_delete(request, pk, material_id):
    meeting = _meeting(request, pk, write=True)
    material = meeting.materials.filter(pk=material_id).first()
    if material is None:
        raise Http404
    return _act(request, meeting, lambda: svc.delete_material(request.user, material), _("Material removed."))


@login_required
@require_POST
def consultation_decision_task(request, pk, decision_id):
    meeting = _meeting(request, pk, write=True)
    decision = meeting.decisions.filter(pk=decision_id).first()
    if decision is None:
        raise Http404
    return _act(request, meeting, lambda: svc.decision_to_task(request.user, decision),
                _("The decision is now a task of the event."))
