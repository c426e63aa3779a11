"""Scenario checklist pages (预案处置清单): the list of scenarios and their stages (``/checklists/``) and a stage's
page with its measures (``/checklists/<pk>/``), where administrators and health commissions change the stage and
its measures (one table: change, add, remove). Rules are services.checklists'."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yingji.core.errors import YingjiError
from yingji.surveillance.views.common import http_errors, region_choices
from yingji.web.helpers import attach_errors, forbidden, pick

from ..choices import ResponseLevel
from ..models import Checklist
from ..models.checklist import AssigneeKind
from ..services import checklists as svc


def _checklist(user, pk) -> Checklist:
    checklist = svc.checklists(user).filter(pk=pk).first()
    if checklist is None:
        raise Http404()
    return checklist


@login_required
def checklist_list(request):
    user = request.user
    org = user.organisation
    may_create = user.is_platform_admin or (org is not None and svc.may_edit(user, region_code=org.region_id))
    scenarios: dict[str, list] = {}
    for checklist in svc.checklists(user).prefetch_related("items"):
        scenarios.setdefault(checklist.scenario, []).append({
            "checklist": checklist, "measures": sum(1 for i in checklist.items.all() if i.active),
            "statutory": sum(1 for i in checklist.items.all() if i.active and i.statutory)})
    return render(request, "response/checklist_list.html", {"scenarios": scenarios, "may_create": may_create})


class NewChecklistForm(forms.Form):
    code = forms.SlugField(label=gettext_lazy("Code"), max_length=48)
    region = forms.ChoiceField(label=gettext_lazy("Applies to"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        everywhere = [("", _("Everywhere"))] if svc.may_edit(user, region_code=None) else []
        self.fields["region"].choices = everywhere + region_choices(user, blank=None)


@login_required
def checklist_create(request):
    """A new stage of a scenario (a jurisdiction's own, or — city level and above — for everywhere); its measures
    are added on the stage's page."""
    user = request.user
    org = user.organisation
    if not (user.is_platform_admin or (org is not None and svc.may_edit(user, region_code=org.region_id))):
        raise forbidden()
    head = NewChecklistForm(request.POST or None, user=user)
    form = ChecklistForm(request.POST or None, initial={"stage": 1, "active": True})
    if request.method == "POST" and head.is_valid() and form.is_valid():
        try:
            with http_errors():
                checklist = svc.save_checklist(user, {**form.cleaned_data, **head.cleaned_data})
        except YingjiError as exc:
            attach_errors(form, exc)
            if "code" in exc.fields or "region" in exc.fields:
                attach_errors(head, exc)
        else:
            messages.success(request, _("Checklist saved."))
            return redirect("response:checklist_detail", pk=checklist.pk)
    return render(request, "response/checklist_new.html", {"head": head, "form": form},
                  status=422 if request.method == "POST" else 200)


class ChecklistForm(forms.Form):
    scenario = forms.CharField(label=gettext_lazy("Scenario"), max_length=100)
    stage = forms.IntegerField(label=gettext_lazy("Stage"), min_value=1, max_value=99)
    name = forms.CharField(label=gettext_lazy("Stage name"), max_length=200)
    response_level = forms.ChoiceField(label=gettext_lazy("Usual response level"), required=False)
    description = forms.CharField(label=gettext_lazy("Description"), required=False, max_length=4000,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    active = forms.BooleanField(label=gettext_lazy("Active"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["response_level"].choices = [("", "—"), *((v, label) for v, label in ResponseLevel.choices
                                                               if v != ResponseLevel.NONE)]


class ItemForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput())
    order = forms.IntegerField(label=gettext_lazy("Order"), min_value=1, max_value=999, required=False)
    title = forms.CharField(label=gettext_lazy("Measure"), max_length=200, required=False)
    description = forms.CharField(label=gettext_lazy("Description"), required=False, max_length=4000,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    assignee_kind = forms.ChoiceField(label=gettext_lazy("Responsible (kind)"), choices=AssigneeKind.choices)
    due_hours = forms.IntegerField(label=gettext_lazy("Due within (hours)"), min_value=1,
                                   max_value=svc.MAX_DUE_HOURS, required=False)
    statutory = forms.BooleanField(label=gettext_lazy("Statutory"), required=False)
    delete = forms.BooleanField(label=gettext_lazy("Remove"), required=False)


ItemFormSet = forms.formset_factory(ItemForm, extra=1, max_num=200)


def _formset(checklist, data=None):
    initial = [{"id": i.pk, "order": i.order, "title": i.title, "description": i.description,
                "assignee_kind": i.assignee_kind, "due_hours": i.due_hours, "statutory": i.statutory}
               for i in checklist.items.filter(active=True).order_by("order", "pk")]
    return ItemFormSet(data, initial=initial, prefix="items")


def _rows(formset) -> list[dict]:
    rows = []
    for form in formset.forms:
        data = form.cleaned_data
        if not data or (not data.get("id") and not data.get("title")):
            continue  # the empty extra row
        row = {"delete": bool(data.get("delete"))}
        if data.get("id"):
            row["id"] = data["id"]
        if not row["delete"]:
            row.update({"title": data.get("title") or "", "description": data.get("description") or "",
                        "assignee_kind": data["assignee_kind"], "due_hours": data.get("due_hours") or 24,
                        "statutory": bool(data.get("statutory"))})
            if data.get("order"):
                row["order"] = data["order"]
        rows.append(row)
    return rows


def _context(request, checklist, *, form=None, formset=None, errors=None) -> dict:
    editable = svc.may_edit(request.user, checklist)
    if editable:
        form = form or ChecklistForm(initial={
            "scenario": checklist.scenario, "stage": checklist.stage, "name": checklist.name,
            "response_level": checklist.response_level, "description": checklist.description,
            "active": checklist.active})
        formset = formset or _formset(checklist)
    return {"checklist": checklist, "items": checklist.items.order_by("order", "pk"), "editable": editable,
            "form": form if editable else None, "formset": formset if editable else None,
            "item_errors": errors or []}


@login_required
def checklist_detail(request, pk):
    user = request.user
    checklist = _checklist(user, pk)
    if request.method != "POST":
        return render(request, "response/checklist_detail.html", _context(request, checklist))
    if not svc.may_edit(user, checklist):
        raise forbidden()
    form = ChecklistForm(request.POST)
    formset = _formset(checklist, request.POST)
    errors = []
    if form.is_valid() and formset.is_valid():
        try:
            with http_errors(), transaction.atomic():  # the stage and its measures: all or nothing
                svc.save_checklist(user, form.cleaned_data, instance=checklist)
                svc.save_items(user, checklist, _rows(formset))
        except YingjiError as exc:
            attach_errors(form, exc)
            errors = [f"{name}: {pick(m['message'], m['message_en'])}" for name, messages_ in exc.fields.items()
                      if name.startswith("items.") for m in messages_]
        else:
            messages.success(request, _("Checklist saved."))
            return redirect("response:checklist_detail", pk=checklist.pk)
    return render(request, "response/checklist_detail.html",
                  _context(request, checklist, form=form, formset=formset, errors=errors), status=422)
