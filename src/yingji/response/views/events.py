"""Emergency event pages (突发事件): the list with its filters, opening an event (by hand, or pre-filled from a signal
or an event report: ``/emergencies/new/?signal=<pk>`` / ``?report=<pk>``), an event's page with its response-level
history and the tab bar of every per-event page, changing the level (with the reason), moving it to 处置中 and
ending it (with the closing summary).

Every query goes through core.scoping; every rule is services.events'."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yingji.core import scoping
from yingji.core.errors import YingjiError
from yingji.core.models import Organisation, Region
from yingji.surveillance.choices import EventCategory, EventGrade
from yingji.surveillance.views.cards import disease_choices
from yingji.surveillance.views.common import (
    EVERYTHING,
    Choice,
    DateTimeInput,
    error_text,
    http_errors,
    region_choices,
)
from yingji.web.filters import FilterForm
from yingji.web.helpers import (
    attach_errors,
    forbidden,
    may_create,
    paginate,
    pick,
    query_without_page,
    scoped_object,
)

from ..choices import EventStatus, ResponseLevel
from ..models import Event
from ..services import events as svc

LEVEL_CSS = {ResponseLevel.I: "danger", ResponseLevel.II: "warning", ResponseLevel.III: "warning",
             ResponseLevel.IV: "primary", ResponseLevel.NONE: "secondary"}
# Warning colours 红/橙/黄/蓝 for Ⅰ–Ⅳ (statutory-rules §3.2, unverified), as Bootstrap can show them.
LEVEL_COLOURS = {ResponseLevel.I: "#c0392b", ResponseLevel.II: "#e67e22", ResponseLevel.III: "#d4ac0d",
                 ResponseLevel.IV: "#2e6fb7", ResponseLevel.NONE: "#6c757d"}
STATUS_CSS = {EventStatus.STARTED: "info", EventStatus.ONGOING: "danger", EventStatus.ENDED: "secondary"}

# The per-event pages of every part, in tab order. A tab whose page has not landed is skipped.
TABS = [
    ("response:event_detail", gettext_lazy("Overview"), "info-circle"),
    ("response:event_command", gettext_lazy("Command"), "display"),
    ("response:event_tasks", gettext_lazy("Tasks"), "list-check"),
    ("response:event_assessments", gettext_lazy("Risk assessment"), "grid-3x3"),
    ("response:event_consultations", gettext_lazy("Consultations"), "people"),
    ("response:event_investigation", gettext_lazy("Investigation and contacts"), "diagram-3"),
    ("response:event_reports", gettext_lazy("Situation reports"), "file-earmark-text"),
]


def tabs_for(event, current: str) -> list[dict]:
    tabs = []
    for name, label, icon in TABS:
        try:
            url = reverse(name, args=[event.pk])
        except NoReverseMatch:
            continue
        tabs.append({"url": url, "label": label, "icon": icon, "active": name == current, "name": name})
    return tabs


def message_of(exc: YingjiError) -> str:
    """A service error as one line: its field messages when it has any, else its message (active language)."""
    texts = [pick(m["message"], m["message_en"]) for ms in (exc.fields or {}).values() for m in ms]
    return "；".join(texts) if texts else error_text(exc)


def level_badge(level: str) -> dict:
    return {"css": LEVEL_CSS.get(level, "secondary"), "colour": LEVEL_COLOURS.get(level, "#6c757d"),
            "text": ResponseLevel(level).label if level in ResponseLevel.values else level}


def event_context(request, event, current: str) -> dict:
    """What every per-event page shows above its content (the header and the tab bar)."""
    return {"event": event, "tabs": tabs_for(event, current), "level": level_badge(event.response_level),
            "status_css": STATUS_CSS.get(event.status, "secondary"),
            "may_change": svc.may_change(request.user, event)}


def _related(qs):
    return qs.select_related("region", "lead_org", "disease", "source_signal", "source_report", "created_by")


def scoped_events(user):
    return _related(scoping.scope(user, Event.objects.all()))


def get_event(user, pk, *, write: bool = False) -> Event:
    """The event within the user's reach (404 outside it; 403 for a write the user may not make)."""
    return scoped_object(user, _related(Event.objects.all()), write=write, pk=pk)


# --- the list ------------------------------------------------------------------------------------------------


def _search(qs, text):
    text = text.strip()
    return qs.filter(title__icontains=text) | qs.filter(number__icontains=text)


def _within(qs, code):
    from django.db.models import Q

    from yingji.core.regioncodes import subtree_prefix

    prefix = subtree_prefix(code)
    return qs.filter(Q(region__code__startswith=prefix) | Q(affected_regions__code__startswith=prefix)).distinct()


def _active(qs, value):
    return qs.exclude(status=EventStatus.ENDED) if value == "active" else qs.filter(status=EventStatus.ENDED)


class EventFilter(FilterForm):
    lookups = {"q": _search, "status": "status", "level": "response_level", "category": "category",
               "region": _within, "state": _active}

    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=64)
    state = Choice(label=gettext_lazy("Open or ended"), required=False,
                   choices=[EVERYTHING, ("active", gettext_lazy("Not ended")), ("ended", gettext_lazy("Ended"))])
    status = Choice(label=gettext_lazy("Status"), required=False, choices=[EVERYTHING, *EventStatus.choices])
    level = Choice(label=gettext_lazy("Response level"), required=False, choices=[EVERYTHING, *ResponseLevel.choices])
    category = Choice(label=gettext_lazy("Event category"), required=False,
                      choices=[EVERYTHING, *EventCategory.choices])
    region = Choice(label=gettext_lazy("Region"), required=False)

    def __init__(self, data, *, user):
        super().__init__(data)
        self.fields["region"].choices = region_choices(user, max_level=Region.LevelChoices.TOWN)


@login_required
def event_list(request):
    user = request.user
    form = EventFilter(request.GET or None, user=user)
    base = scoped_events(user)
    events = form.apply(base).order_by("-occurred_at", "-pk")
    page = paginate(request, events)
    rows = [{"event": e, "level": level_badge(e.response_level), "status_css": STATUS_CSS.get(e.status)}
            for e in page.object_list]
    active = base.exclude(status=EventStatus.ENDED)
    return render(request, "response/event_list.html", {
        "filter": form, "page": page, "rows": rows, "query": query_without_page(request),
        "active_count": active.count(), "responding": active.exclude(response_level=ResponseLevel.NONE).count(),
        "may_create": may_create(user, Event),
    })


# --- opening an event --------------------------------------------------------------------------------------------


class EventForm(forms.Form):
    """The page's fields; every check is the service's (it answers field by field)."""

    title = forms.CharField(label=gettext_lazy("Event"), max_length=200)
    category = Choice(label=gettext_lazy("Event category"), choices=list(EventCategory.choices))
    grade = Choice(label=gettext_lazy("Grade"), required=False,
                   choices=[c for c in EventGrade.choices if c[0] != EventGrade.NOT_EMERGENCY])
    disease = Choice(label=gettext_lazy("Disease"), required=False)
    region = Choice(label=gettext_lazy("Jurisdiction handling it"),
                    help_text=gettext_lazy("The affected regions must lie within it."))
    affected_regions = forms.MultipleChoiceField(label=gettext_lazy("Affected regions"), required=False,
                                                 widget=forms.SelectMultiple(attrs={"size": 6}),
                                                 help_text=gettext_lazy("Empty: the whole jurisdiction."))
    lead_org = forms.TypedChoiceField(label=gettext_lazy("Lead organisation"), coerce=int)
    occurred_at = forms.DateTimeField(label=gettext_lazy("Occurred or discovered at"), widget=DateTimeInput())
    description = forms.CharField(label=gettext_lazy("Description"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    number = forms.CharField(label=gettext_lazy("Event number"), required=False, max_length=32,
                             help_text=gettext_lazy("Leave empty to have a number generated."))
    signal = forms.IntegerField(required=False, widget=forms.HiddenInput())
    report = forms.IntegerField(required=False, widget=forms.HiddenInput())

    def __init__(self, data=None, *, user, initial=None):
        super().__init__(data, initial=initial)
        self.fields["disease"].choices = disease_choices(leaves_only=False, blank=("", "---------"))
        self.fields["region"].choices = region_choices(user, max_level=Region.LevelChoices.COUNTY,
                                                       blank=("", "---------"))
        self.fields["affected_regions"].choices = region_choices(user, max_level=Region.LevelChoices.TOWN,
                                                                 blank=None)
        orgs = scoping.scope(user, Organisation.objects.filter(
            is_active=True, kind__in=(Organisation.Kind.CDC, Organisation.Kind.HEALTH_COMMISSION))).order_by(
            "region__code", "name")
        self.fields["lead_org"].choices = [(o.pk, o.name) for o in orgs]

    def values(self) -> dict:
        data = self.cleaned_data
        return {"title": data["title"], "category": data["category"], "grade": data["grade"] or EventGrade.UNGRADED,
                "disease": data["disease"] or None, "region": data["region"],
                "affected_regions": data["affected_regions"], "lead_org": data["lead_org"],
                "occurred_at": data["occurred_at"], "description": data["description"],
                "number": data["number"] or None}


def _source_initial(request, user) -> tuple[dict, object, object]:
    """Pre-filled values from ``?signal=`` or ``?report=`` (and the source), or a message when it cannot open."""
    own = user.organisation
    initial = {"lead_org": own.pk if own else None, "region": own.region_id if own else None,
               "occurred_at": timezone.localtime().replace(second=0, microsecond=0),
               "category": EventCategory.INFECTIOUS_OUTBREAK}
    signal = report = None
    for name, defaults in (("signal", svc.signal_defaults), ("report", svc.report_defaults)):
        raw = request.GET.get(name, "")
        if not raw:
            continue
        try:
            values = defaults(user, int(raw) if raw.isdigit() else -1)
        except YingjiError as exc:
            messages.error(request, message_of(exc))
            continue
        values["occurred_at"] = timezone.localtime(values["occurred_at"]).replace(second=0, microsecond=0)
        initial.update({k: v for k, v in values.items() if v is not None}, **{name: int(raw)})
        if name == "signal":
            signal = int(raw)
        else:
            report = int(raw)
    return initial, signal, report


@login_required
def event_create(request):
    user = request.user
    if not may_create(user, Event):
        raise forbidden()
    initial, signal, report = _source_initial(request, user) if request.method == "GET" else ({}, None, None)
    form = EventForm(request.POST if request.method == "POST" else None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        values, signal, report = form.values(), form.cleaned_data["signal"], form.cleaned_data["report"]
        try:
            with http_errors():
                if signal:
                    event = svc.create_from_signal(user, signal, **values)
                elif report:
                    event = svc.create_from_report(user, report, **values)
                else:
                    event = svc.create_event(user, **values)
        except YingjiError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Event %(number)s opened.") % {"number": event.number})
            return redirect("response:event_detail", pk=event.pk)
    elif request.method == "POST":
        signal, report = form.data.get("signal"), form.data.get("report")
    return render(request, "response/event_form.html", {"form": form, "signal": signal, "report": report},
                  status=422 if form.is_bound and form.errors else 200)


class EventEditForm(EventForm):
    """The fields that may change after opening (the region, number and source stay)."""

    def __init__(self, data=None, *, user, initial=None):
        super().__init__(data, user=user, initial=initial)
        for name in ("region", "affected_regions", "number", "signal", "report"):
            del self.fields[name]

    def values(self) -> dict:
        data = self.cleaned_data
        return {"title": data["title"], "category": data["category"], "grade": data["grade"] or EventGrade.UNGRADED,
                "disease": data["disease"] or None, "lead_org": data["lead_org"],
                "occurred_at": data["occurred_at"], "description": data["description"]}


@login_required
def event_edit(request, pk):
    user = request.user
    event = get_event(user, pk, write=True)
    initial = {"title": event.title, "category": event.category, "grade": event.grade,
               "disease": event.disease.code if event.disease_id else "", "lead_org": event.lead_org_id,
               "occurred_at": timezone.localtime(event.occurred_at).replace(second=0, microsecond=0),
               "description": event.description}
    form = EventEditForm(request.POST if request.method == "POST" else None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            with http_errors():
                svc.update_event(user, event, form.values())
        except YingjiError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Event %(number)s saved.") % {"number": event.number})
            return redirect("response:event_detail", pk=event.pk)
    return render(request, "response/event_edit.html", {**event_context(request, event, ""), "form": form},
                  status=422 if form.is_bound and form.errors else 200)


# --- an event's page ---------------------------------------------------------------------------------------------


def _history_rows(event):
    return [{"change": c, "up": svc.is_escalation(c), "from": level_badge(c.from_level),
             "to": level_badge(c.to_level)} for c in svc.level_history(event)]


@login_required
def event_detail(request, pk):
    user = request.user
    event = get_event(user, pk)
    signal_visible = bool(event.source_signal_id and scoping.can(user, event.source_signal))
    report_visible = bool(event.source_report_id and scoping.can(user, event.source_report))
    return render(request, "response/event_detail.html", {
        **event_context(request, event, "response:event_detail"),
        "history": _history_rows(event), "affected": event.affected_regions.order_by("code"),
        "signal_visible": signal_visible, "report_visible": report_visible,
        "level_form": LevelForm(event=event), "may_start": event.status == EventStatus.STARTED,
    })


class LevelForm(forms.Form):
    to_level = Choice(label=gettext_lazy("New response level"))
    reason = forms.CharField(label=gettext_lazy("Reason"), required=False, max_length=4000,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=gettext_lazy("Required: why the level is started, raised, lowered or lifted."))
    decided_by = forms.CharField(label=gettext_lazy("Decided by"), required=False, max_length=200,
                                 help_text=gettext_lazy("The authority that decided, e.g. the district government."))

    def __init__(self, data=None, *, event):
        super().__init__(data)
        self.fields["to_level"].choices = [("", "---------")] + [
            (value, label) for value, label in ResponseLevel.choices if value != event.response_level]


@login_required
def event_level(request, pk):
    """GET: the form; POST: record the decision (the reason is required; the service says so in both languages)."""
    user = request.user
    event = get_event(user, pk, write=True)
    form = LevelForm(request.POST if request.method == "POST" else None, event=event)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with http_errors():
                change = svc.change_level(event, data["to_level"], data["reason"], data["decided_by"], user)
        except YingjiError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Response level changed: %(from)s → %(to)s.") % {
                "from": change.get_from_level_display(), "to": change.get_to_level_display()})
            return redirect("response:event_detail", pk=event.pk)
    return render(request, "response/event_level.html", {
        **event_context(request, event, ""), "form": form, "history": _history_rows(event)},
        status=422 if form.is_bound and form.errors else 200)


class EndForm(forms.Form):
    closing_summary = forms.CharField(label=gettext_lazy("Closing summary"), required=False, max_length=8000,
                                      widget=forms.Textarea(attrs={"rows": 6}),
                                      help_text=gettext_lazy("Required: course of the event, measures, outcome."))
    decided_by = forms.CharField(label=gettext_lazy("Decided by"), required=False, max_length=200)
    release_contacts = forms.BooleanField(
        label=gettext_lazy("Release the contacts still under medical observation (reason: 事件终止)"), required=False)


@login_required
def event_end(request, pk):
    """GET: the form; POST: end the event. While contacts are under observation the page says how many and offers
    the checkbox that releases them with the ending (shown only then)."""
    user = request.user
    event = get_event(user, pk, write=True)
    form = EndForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            with http_errors():
                svc.end_event(user, event, form.cleaned_data["closing_summary"],
                              decided_by=form.cleaned_data["decided_by"],
                              release_contacts=form.cleaned_data["release_contacts"])
        except YingjiError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Event %(number)s ended.") % {"number": event.number})
            return redirect("response:event_detail", pk=event.pk)
    return render(request, "response/event_end.html", {
        **event_context(request, event, ""), "form": form,
        "under_observation": svc.under_observation(event).count()},
        status=422 if form.is_bound and form.errors else 200)


@login_required
def event_start(request, pk):
    """POST: 启动 → 处置中."""
    user = request.user
    event = get_event(user, pk, write=True)
    if request.method == "POST":
        try:
            with http_errors():
                svc.set_status(user, event, EventStatus.ONGOING)
        except YingjiError as exc:
            messages.error(request, message_of(exc))
        else:
            messages.success(request, _("The event is being handled."))
    return redirect("response:event_detail", pk=event.pk)
