"""The command page of one event (指挥调度): the headline figures, a timeline (event opened, response-level
decisions, checklist stages, tasks set and done, assessments, consultations, situation reports, closure), the
affected regions with their case counts (a bubble per region at the mean position of its organisations — the
platform has no boundary map — and a bar chart), tasks by status, and contacts under medical observation.

Readable on a wall screen: ``?wall=1`` hides the navigation, enlarges the type and reloads every minute. The
charts are drawn from data embedded in the page (json_script) by our own static files; no network call.

Each part reads through its own engineer's service (tasks, contacts, …) and core.scoping; the event itself is
read through views.events.get_event (404 outside the user's reach)."""

from collections import Counter

from django.contrib.auth.decorators import login_required
from django.db.models import Avg
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.core import scoping
from yingji.core.models import Organisation
from yingji.core.regioncodes import subtree_prefix

from ..choices import EventStatus, ResponseLevel
from ..models import EventCase
from ..models.task import OPEN_TASK_STATUSES, TaskStatus
from ..services import contacts as contact_service
from ..services import events as svc
from ..services import tasks as task_service
from .events import event_context, get_event, level_badge

TIMELINE_LIMIT = 60
TASK_LIMIT = 40
REFRESH_SECONDS = 60
TASK_CSS = {TaskStatus.TODO: "secondary", TaskStatus.IN_PROGRESS: "primary", TaskStatus.DONE: "success",
            TaskStatus.CANCELLED: "light"}


def _url(name: str, *args) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


# --- the timeline --------------------------------------------------------------------------------------------


def timeline(user, event, tasks) -> list[dict]:
    """What happened, newest first: each entry {at, icon, css, kind, text, detail, url}."""
    entries = [{"at": event.created_at, "icon": "lightning-charge", "css": "danger", "kind": _("Event opened"),
                "text": f"{event.number} {event.title}", "detail": event.get_origin_display(), "url": None}]
    if event.source_signal_id and scoping.can(user, event.source_signal):
        signal = event.source_signal
        entries.append({"at": signal.raised_at or event.created_at, "icon": "bell", "css": "warning",
                        "kind": _("Signal linked"), "text": str(signal), "detail": "",
                        "url": _url("detection:signal_detail", signal.pk)})
    for change in svc.level_history(event):
        up = svc.is_escalation(change)
        entries.append({"at": change.at, "icon": "arrow-up-circle-fill" if up else "arrow-down-circle-fill",
                        "css": "danger" if up else "success",
                        "kind": f"{change.get_from_level_display()} → {change.get_to_level_display()}",
                        "text": change.reason, "detail": change.decided_by, "url": None})
    for activation in event.checklist_activations.select_related("checklist").order_by("activated_at"):
        entries.append({"at": activation.activated_at, "icon": "card-checklist", "css": "primary",
                        "kind": _("Checklist activated"), "text": activation.checklist.name, "detail": "",
                        "url": _url("response:checklist_detail", activation.checklist_id)})
    for task in tasks:
        if not task.activation_id:  # a stage's tasks are told by the activation
            entries.append({"at": task.created_at, "icon": "list-task", "css": "secondary", "kind": _("Task created"),
                            "text": task.title, "detail": task.assignee_org.name if task.assignee_org_id else "",
                            "url": _url("response:task_detail", task.pk)})
        if task.status == TaskStatus.DONE and task.completed_at:
            entries.append({"at": task.completed_at, "icon": "check2-circle", "css": "success", "kind": _("Task done"),
                            "text": task.title, "detail": task.assignee_org.name if task.assignee_org_id else "",
                            "url": _url("response:task_detail", task.pk)})
    for assessment in scoping.scope(user, event.risk_assessments.all()):
        entries.append({"at": assessment.assessed_at, "icon": "grid-3x3", "css": "warning", "kind": _("Assessment"),
                        "text": f"{assessment.get_risk_level_display()} · {assessment.get_recommended_level_display()}",
                        "detail": "", "url": _url("response:assessment_detail", assessment.pk)})
    for meeting in scoping.scope(user, event.consultations.all()):
        entries.append({"at": meeting.held_at, "icon": "people", "css": "info", "kind": _("Consultation"),
                        "text": meeting.get_kind_display(), "detail": meeting.conclusions[:200],
                        "url": _url("response:consultation_detail", meeting.pk)})
    for report in scoping.scope(user, event.situation_reports.filter(submitted_at__isnull=False)):
        entries.append({"at": report.submitted_at, "icon": "send", "css": "primary", "kind": _("Report submitted"),
                        "text": str(report), "detail": "", "url": _url("response:sitrep_detail", report.pk)})
    if event.status == EventStatus.ENDED and event.ended_at:
        entries.append({"at": event.ended_at, "icon": "stop-circle", "css": "dark", "kind": _("Event ended"),
                        "text": event.closing_summary, "detail": "", "url": None})
    entries.sort(key=lambda e: e["at"], reverse=True)
    return entries[:TIMELINE_LIMIT]


# --- places and cases ----------------------------------------------------------------------------------------


def region_figures(user, event) -> list[dict]:
    """Per affected region: cases of the event whose address lies in it, contacts under observation there, and
    the mean position of the organisations within it (that the user can see)."""
    today = contact_service.local_today()
    cases = list(EventCase.objects.filter(event=event).values_list("region__code", flat=True))
    watched = list(contact_service.contacts_of(user, event).filter(contact_service.active_on(today))
                   .values_list("region__code", flat=True))
    orgs = scoping.scope(user, Organisation.objects.filter(longitude__isnull=False, latitude__isnull=False))
    rows = []
    for region in event.affected_regions.order_by("code"):
        prefix = subtree_prefix(region.code)
        place = orgs.filter(region__code__startswith=prefix).aggregate(lon=Avg("longitude"), lat=Avg("latitude"))
        rows.append({"region": region, "cases": sum(1 for c in cases if c.startswith(prefix)),
                     "contacts": sum(1 for c in watched if c.startswith(prefix)),
                     "lon": round(float(place["lon"]), 4) if place["lon"] is not None else None,
                     "lat": round(float(place["lat"]), 4) if place["lat"] is not None else None})
    return rows


def places_chart(rows) -> dict:
    return {"points": [{"name": r["region"].name, "lon": r["lon"], "lat": r["lat"], "value": r["cases"],
                        "open": r["contacts"]} for r in rows if r["lon"] is not None],
            "labels": {"signals": _("Cases"), "open": _("Under observation"), "lon": _("Longitude"),
                       "lat": _("Latitude")}}


# --- the page ------------------------------------------------------------------------------------------------


@login_required
def event_command(request, pk):
    user, now = request.user, timezone.now()
    event = get_event(user, pk)
    tasks = list(task_service.tasks(user, event=event).order_by("deadline", "pk"))
    overdue = [t for t in tasks if t.is_overdue(now)]
    by_status = Counter(t.status for t in tasks)
    open_tasks = [t for t in tasks if t.status in OPEN_TASK_STATUSES]
    task_rows = [{"task": t, "overdue": t.is_overdue(now), "css": TASK_CSS.get(t.status, "secondary")}
                 for t in sorted(open_tasks, key=lambda t: (not t.is_overdue(now), t.deadline))[:TASK_LIMIT]]
    contacts = contact_service.event_contact_summary(event)
    regions = region_figures(user, event)
    started = event.response_started_at if event.response_level != ResponseLevel.NONE else None
    wall = request.GET.get("wall") == "1"
    return render(request, "response/command.html", {
        **event_context(request, event, "response:event_command"),
        "wall": wall, "refresh": REFRESH_SECONDS, "now": now,
        "figures": {
            "days": (now - event.occurred_at).days + 1 if event.occurred_at <= now else 0,
            "response_days": (now - started).days + 1 if started else None,
            "cases": contacts["cases"], "under_followup": contacts["under_followup"],
            "open_tasks": len(open_tasks), "overdue_tasks": len(overdue), "tasks": len(tasks),
        },
        "timeline": timeline(user, event, tasks),
        "task_rows": task_rows, "more_tasks": max(0, len(open_tasks) - TASK_LIMIT),
        "task_pie": [{"name": str(TaskStatus(s).label), "value": by_status[s]} for s in TaskStatus.values
                     if by_status[s]],
        "task_counts": [{"status": TaskStatus(s), "count": by_status[s], "css": TASK_CSS[s]} for s in TaskStatus.values],
        "contacts": contacts, "regions": regions, "places": places_chart(regions),
        "case_bars": [{"name": r["region"].name, "value": r["cases"]} for r in regions],
        "level_colour": level_badge(event.response_level)["colour"],
        "tasks_url": _url("response:event_tasks", event.pk),
        "investigation_url": _url("response:event_investigation", event.pk),
    })
