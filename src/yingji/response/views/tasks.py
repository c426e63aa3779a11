"""Task pages (任务): an event's tasks by status with the forms to activate a checklist stage and to add a task
(``/emergencies/<pk>/tasks/``), the tasks of the user's organisation (or all within reach) with filters
(``/tasks/``), and a task's page with its status steps, progress notes and attachments (``/tasks/<pk>/``).

Every query goes through core.scoping; every rule is services.tasks' / services.checklists'."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yingji.core import regioncodes, scoping
from yingji.core.errors import YingjiError
from yingji.core.models import Organisation
from yingji.surveillance.views.common import EVERYTHING, Choice, DateTimeInput, http_errors
from yingji.web.filters import FilterForm
from yingji.web.helpers import attach_errors, forbidden, paginate, query_without_page, scoped_object

from ..choices import EventStatus
from ..models import Event, Task
from ..models.task import OPEN_TASK_STATUSES, TASK_TRANSITIONS, TaskOrigin, TaskStatus
from ..services import checklists as checklist_svc
from ..services import tasks as svc
from .events import event_context

STATUS_CSS = {TaskStatus.TODO: "secondary", TaskStatus.IN_PROGRESS: "primary", TaskStatus.DONE: "success",
              TaskStatus.CANCELLED: "light"}
STEP_LABELS = {
    TaskStatus.IN_PROGRESS: gettext_lazy("Start / resume"),
    TaskStatus.DONE: gettext_lazy("Mark done"),
    TaskStatus.TODO: gettext_lazy("Back to to-do"),
    TaskStatus.CANCELLED: gettext_lazy("Cancel the task"),
}


def _event_header(request, event) -> dict:
    """The per-event header and tab bar (the events part's)."""
    return event_context(request, event, "response:event_tasks")


def _get_event(user, pk) -> Event:
    return scoped_object(user, Event.objects.select_related("region", "lead_org"), pk=pk)


def rows(tasks, now) -> list[dict]:
    return [{"task": t, "overdue": t.is_overdue(now), "css": STATUS_CSS.get(t.status, "secondary")} for t in tasks]


# --- forms ---------------------------------------------------------------------------------------------------


def org_choices(event: Event):
    prefix = regioncodes.subtree_prefix(event.region_id)
    orgs = (Organisation.objects.filter(is_active=True, region__code__startswith=prefix)
            .select_related("region").order_by("region__code", "kind", "name"))
    return [("", "---------")] + [(o.pk, f"{o.name}（{o.get_kind_display()}）") for o in orgs]


class ActivateForm(forms.Form):
    checklist = forms.TypedChoiceField(label=gettext_lazy("Checklist stage"), coerce=int)

    def __init__(self, data=None, *, user, event):
        super().__init__(data)
        suggested = checklist_svc.suggested(user, event)
        self.fields["checklist"].choices = [
            (c.pk, f"{c.scenario} · {_('Stage')} {c.stage}：{c.name}"
                   + (f"（{c.get_response_level_display()}）" if c.response_level else ""))
            for c in checklist_svc.checklists(user, event=event, active=True)]
        if suggested is not None:
            self.fields["checklist"].initial = suggested.pk


class TaskForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    description = forms.CharField(label=gettext_lazy("Description"), required=False, max_length=4000,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    assignee_org = forms.TypedChoiceField(label=gettext_lazy("Assigned to"), coerce=int)
    assignee_team = forms.CharField(label=gettext_lazy("Team"), required=False, max_length=100)
    deadline = forms.DateTimeField(label=gettext_lazy("Deadline"), widget=DateTimeInput(),
                                   input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])

    def __init__(self, data=None, *, event, initial=None):
        super().__init__(data, initial=initial)
        self.fields["assignee_org"].choices = org_choices(event)


class TaskEditForm(TaskForm):
    pass


class StepForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=TaskStatus.choices)
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 2}))


class NoteForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("Progress note"), required=False, max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 3}))
    attachment = forms.FileField(label=gettext_lazy("Attachment"), required=False)


# --- an event's tasks ----------------------------------------------------------------------------------------


def _event_tasks_context(request, event, *, activate_form=None, task_form=None) -> dict:
    user, now = request.user, timezone.now()
    tasks = list(svc.tasks(user, event=event).order_by("deadline", "pk"))
    manage = svc.may_manage(user, event) and event.status != EventStatus.ENDED
    columns = [{"status": s, "label": label, "css": STATUS_CSS[s],
                "rows": rows([t for t in tasks if t.status == s], now)} for s, label in TaskStatus.choices]
    if manage:
        activate_form = activate_form or ActivateForm(user=user, event=event)
        task_form = task_form or TaskForm(event=event)
    return {
        **_event_header(request, event), "columns": columns, "total": len(tasks),
        "overdue": sum(1 for t in tasks if t.is_overdue(now)),
        "activations": checklist_svc.activations(event), "manage": manage,
        "activate_form": activate_form if manage else None, "task_form": task_form if manage else None,
        "suggested": checklist_svc.suggested(user, event),
    }


@login_required
def event_tasks(request, pk):
    event = _get_event(request.user, pk)
    return render(request, "response/task_event.html", _event_tasks_context(request, event))


@login_required
def event_activate(request, pk):
    """POST: activate a checklist stage for the event (one task per measure; again = nothing duplicated)."""
    user = request.user
    event = _get_event(user, pk)
    if request.method != "POST":
        return redirect("response:event_tasks", pk=event.pk)
    if not svc.may_manage(user, event):
        raise forbidden()
    form = ActivateForm(request.POST, user=user, event=event)
    if form.is_valid():
        checklist = checklist_svc.checklists(user, event=event).filter(pk=form.cleaned_data["checklist"]).first()
        try:
            with http_errors():
                result = checklist_svc.activate_stage(event, checklist, user)
        except YingjiError as exc:
            attach_errors(form, exc)
        else:
            if result.created:
                messages.success(request, _("Stage activated: %(n)d tasks created.") % {"n": len(result.created)})
            else:
                messages.info(request, _("This stage was already activated; no task was duplicated."))
            return redirect("response:event_tasks", pk=event.pk)
    return render(request, "response/task_event.html",
                  _event_tasks_context(request, event, activate_form=form), status=422)


@login_required
def event_task_create(request, pk):
    """POST: add a task to the event by hand."""
    user = request.user
    event = _get_event(user, pk)
    if request.method != "POST":
        return redirect("response:event_tasks", pk=event.pk)
    if not svc.may_manage(user, event):
        raise forbidden()
    form = TaskForm(request.POST, event=event)
    if form.is_valid():
        try:
            with http_errors():
                task = svc.create_task(user, event, form.cleaned_data)
        except YingjiError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Task added: %(title)s") % {"title": task.title})
            return redirect("response:event_tasks", pk=event.pk)
    return render(request, "response/task_event.html", _event_tasks_context(request, event, task_form=form),
                  status=422)


# --- the task list -------------------------------------------------------------------------------------------


def _overdue(qs, value):
    return qs.filter(svc.overdue_q())


def _status(qs, value):
    return qs.filter(status__in=OPEN_TASK_STATUSES) if value == "open" else qs.filter(status=value)


def _event_number(qs, value):
    value = value.strip()
    return qs.filter(event__number__icontains=value) | qs.filter(event__title__icontains=value)


class TaskFilter(FilterForm):
    whose = Choice(label=gettext_lazy("Whose"), required=False)
    status = Choice(label=gettext_lazy("Status"), required=False)
    origin = Choice(label=gettext_lazy("Origin"), required=False)
    event = forms.CharField(label=gettext_lazy("Event"), required=False, max_length=100)
    overdue = forms.BooleanField(label=gettext_lazy("Overdue only"), required=False)

    lookups = {"status": _status, "origin": "origin", "event": _event_number, "overdue": _overdue}

    def __init__(self, data=None):
        super().__init__(data)
        self.fields["whose"].choices = [("", _("My organisation's tasks")), ("all", _("All tasks within my reach"))]
        self.fields["status"].choices = [EVERYTHING, ("open", _("Open (to do or in progress)")),
                                         *TaskStatus.choices]
        self.fields["origin"].choices = [EVERYTHING, *TaskOrigin.choices]


@login_required
def task_list(request):
    user, now = request.user, timezone.now()
    form = TaskFilter(request.GET or None)
    mine = not (form.is_bound and form.is_valid() and form.cleaned_data.get("whose") == "all")
    qs = form.apply(svc.tasks(user, mine=mine)).select_related("event", "assignee_org").order_by("deadline", "pk")
    page = paginate(request, qs)
    return render(request, "response/task_list.html", {
        "filter": form, "page": page, "rows": rows(page.object_list, now), "query": query_without_page(request),
        "mine": mine, "overdue": svc.tasks(user, mine=mine, overdue=True).count(),
    })


# --- a task's page -------------------------------------------------------------------------------------------


def _task_qs():
    return Task.objects.select_related("event", "event__region", "event__lead_org", "assignee_org",
                                       "checklist_item__checklist", "created_by")


def _detail_context(request, task, *, note_form=None, step_form=None, edit_form=None) -> dict:
    user, now = request.user, timezone.now()
    work = svc.may_work_on(user, task)
    manage = svc.may_manage(user, task.event)
    steps = [(s, STEP_LABELS[s]) for s in TASK_TRANSITIONS.get(task.status, ())] if work else []
    if manage and edit_form is None:
        edit_form = TaskEditForm(event=task.event, initial={
            "title": task.title, "description": task.description, "assignee_org": task.assignee_org_id,
            "assignee_team": task.assignee_team, "deadline": timezone.localtime(task.deadline)})
    return {
        "task": task, "overdue": task.is_overdue(now), "css": STATUS_CSS.get(task.status, "secondary"),
        "notes": svc.notes(task), "work": work, "manage": manage, "steps": steps,
        "note_form": (note_form or NoteForm()) if work else None, "step_form": step_form,
        "edit_form": edit_form if manage else None,
        "event_visible": scoping.can(user, task.event),
        "max_kb": svc.max_attachment_bytes() // 1024, "extensions": ", ".join(svc.allowed_extensions()),
    }


@login_required
def task_detail(request, pk):
    task = scoped_object(request.user, _task_qs(), pk=pk)
    return render(request, "response/task_detail.html", _detail_context(request, task))


def _writable_task(request, pk) -> Task:
    task = scoped_object(request.user, _task_qs(), pk=pk)
    if request.method == "POST" and not svc.may_work_on(request.user, task):
        raise forbidden()
    return task


@login_required
def task_step(request, pk):
    """POST: move the task one status step (with an optional note; cancelling needs one)."""
    task = _writable_task(request, pk)
    if request.method != "POST":
        return redirect("response:task_detail", pk=task.pk)
    form = StepForm(request.POST)
    if form.is_valid():
        try:
            with http_errors():
                svc.transition(request.user, task, form.cleaned_data["status"], note=form.cleaned_data["note"])
        except YingjiError as exc:
            attach_errors(form, exc)
        else:
            task.refresh_from_db()
            messages.success(request, _("Task updated: %(status)s.") % {"status": task.get_status_display()})
            return redirect("response:task_detail", pk=task.pk)
    return render(request, "response/task_detail.html", _detail_context(request, task, step_form=form), status=422)


@login_required
def task_note(request, pk):
    """POST (multipart): a progress note with an optional attachment."""
    task = _writable_task(request, pk)
    if request.method != "POST":
        return redirect("response:task_detail", pk=task.pk)
    form = NoteForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            with http_errors():
                svc.add_note(request.user, task, form.cleaned_data["text"], upload=form.cleaned_data["attachment"])
        except YingjiError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Progress note added."))
            return redirect("response:task_detail", pk=task.pk)
    return render(request, "response/task_detail.html", _detail_context(request, task, note_form=form), status=422)


@login_required
def task_edit(request, pk):
    """POST: change the task's title, description, assignee or deadline (the event's health commission or CDC)."""
    user = request.user
    task = scoped_object(user, _task_qs(), pk=pk)
    if request.method != "POST":
        return redirect("response:task_detail", pk=task.pk)
    if not svc.may_manage(user, task.event):
        raise forbidden()
    form = TaskEditForm(request.POST, event=task.event)
    if form.is_valid():
        try:
            with http_errors():
                svc.update_task(user, task, form.cleaned_data)
        except YingjiError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Task changed."))
            return redirect("response:task_detail", pk=task.pk)
    return render(request, "response/task_detail.html", _detail_context(request, task, edit_form=form), status=422)


@login_required
def task_attachment(request, pk, note_id):
    task = scoped_object(request.user, _task_qs(), pk=pk)
    note = task.notes.filter(pk=note_id).exclude(attachment="").first()
    if note is None:
        raise Http404()
    try:
        handle = note.attachment.open("rb")
    except OSError as missing:  # the stored file is gone (restored database without its media)
        raise Http404() from missing
    return FileResponse(handle, as_attachment=True, filename=note.attachment_name,
                        content_type=note.attachment_type or "application/octet-stream")
