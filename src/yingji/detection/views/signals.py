"""Signals (预警信号): the list with its filters and the summary by region (a heat grid region × day and a bubble
per region at the mean position of its organisations — the demo city has no boundary map, and the page says so),
and a signal's page with its series chart, details, lifecycle history and the verification form.

Every query goes through core.scoping; the lifecycle rules are services.signals'."""

from collections import Counter
from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Avg, Q
from django.db.models.functions import Substr
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yingji.core import scoping
from yingji.core.errors import YingjiError
from yingji.core.models import Organisation, Region
from yingji.core.regioncodes import subtree_prefix
from yingji.surveillance.models import EventReport
from yingji.surveillance.views.cards import disease_choices
from yingji.surveillance.views.common import EVERYTHING, Choice, DateInput, http_errors
from yingji.web.filters import DateRangeMixin
from yingji.web.helpers import attach_errors, forbidden, paginate, pick, query_without_page, scoped_object

from ..choices import OPEN_STATUSES, TRANSITIONS, Measure, SignalStatus, Source
from ..models import Signal
from ..services.signals import actions as signal_actions
from ..services.signals import is_overdue, overdue_q
from . import lifecycle
from . import series as series_view
from .common import METHOD_LABELS, method_label, region_choices, require_viewer

DEFAULT_DAYS = 30
MAX_GRID_DAYS = 92
MAX_COUNTIES = 40  # beyond this, the summary lists the counties with the most signals
STATUS_CSS = {
    SignalStatus.NEW: "danger", SignalStatus.SUSPECTED: "warning", SignalStatus.INVESTIGATING: "warning",
    SignalStatus.CONFIRMED: "dark", SignalStatus.LINKED: "success", SignalStatus.EXCLUDED: "secondary",
}


class SignalFilter(DateRangeMixin, forms.Form):
    default_days = DEFAULT_DAYS

    status = Choice(label=gettext_lazy("Status"), required=False)
    region = Choice(label=gettext_lazy("Region"), required=False)
    disease = Choice(label=gettext_lazy("Disease"), required=False)
    method = Choice(label=gettext_lazy("Method"), required=False)
    date_from = forms.DateField(label=gettext_lazy("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=gettext_lazy("To"), required=False, widget=DateInput())
    overdue = forms.BooleanField(label=gettext_lazy("Verification overdue only"), required=False)

    def __init__(self, data, *, user):
        super().__init__(data)
        self.fields["status"].choices = [EVERYTHING, ("open", _("Open (not closed)")), *SignalStatus.choices]
        self.fields["region"].choices = region_choices(user, max_level=Region.LevelChoices.COUNTY)
        self.fields["disease"].choices = [*disease_choices(leaves_only=False, blank=EVERYTHING),
                                          (_("Fever clinics"), [(f"fever:{m}", label) for m, label in Measure.choices
                                                     if m != Measure.CASES])]
        self.fields["method"].choices = [EVERYTHING, *((name, method_label(name)) for name in METHOD_LABELS)]


    def apply(self, qs, now):
        if not self.is_bound:
            return qs
        if not self.is_valid():
            return qs.none()
        data = self.cleaned_data
        if data["status"] == "open":
            qs = qs.filter(status__in=OPEN_STATUSES)
        elif data["status"]:
            qs = qs.filter(status=data["status"])
        if data["region"]:
            qs = qs.filter(region__code__startswith=subtree_prefix(data["region"]))
        if data["disease"].startswith("fever:"):
            qs = qs.filter(source=Source.FEVER_CLINIC, measure=data["disease"].split(":", 1)[1])
        elif data["disease"]:
            qs = qs.filter(Q(disease__code=data["disease"]) | Q(disease__parent__code=data["disease"]))
        if data["method"]:
            qs = qs.filter(method=data["method"])
        if data["date_from"]:
            qs = qs.filter(signal_date__gte=data["date_from"])
        if data["date_to"]:
            qs = qs.filter(signal_date__lte=data["date_to"])
        if data["overdue"]:
            qs = qs.filter(overdue_q(now))
        return qs


def scoped_signals(user):
    return scoping.scope(user, Signal.objects.select_related("region", "disease", "assigned_org"))


def status_badge(signal, now) -> dict:
    overdue = is_overdue(signal, now)
    return {"css": STATUS_CSS.get(signal.status, "secondary"), "text": signal.get_status_display(),
            "overdue": overdue}


def rows_of(signals, now):
    return [{"signal": s, "badge": status_badge(s, now), "method": method_label(s.method)} for s in signals]


def _counties(user, region_code: str | None):
    """The county-level regions the summary lists: those within reach (and within the filter's region)."""
    qs = scoping.scope(user, Region.objects.filter(level=Region.LevelChoices.COUNTY))
    if region_code:
        qs = qs.filter(code__startswith=subtree_prefix(region_code))
    counties = list(qs.order_by("code"))
    if not counties and region_code:  # a town was chosen: its county, if within reach
        counties = list(scoping.scope(user, Region.objects.filter(code=region_code[:6])))
    return counties


def _county_of(code: str, counties: dict) -> str | None:
    return code[:6] if code[:6] in counties else None


def region_summary(user, signals, counties, start, end, now):
    """Per county: signals in the period by status, open, overdue; a heat grid county × day; bubble positions."""
    by_code = {c.code: c for c in counties}
    in_period = signals.filter(signal_date__gte=start, signal_date__lte=end)
    rows = {c.code: {"region": c, "total": 0, "open": 0, "overdue": 0, "statuses": Counter()} for c in counties}
    days = (end - start).days + 1
    grid_start = start if days <= MAX_GRID_DAYS else end - timedelta(days=MAX_GRID_DAYS - 1)
    dates = [grid_start + timedelta(days=i) for i in range((end - grid_start).days + 1)]
    cells = Counter()
    for code, day, status, due in in_period.values_list("region__code", "signal_date", "status", "verify_due_at"):
        county = _county_of(code, by_code)
        if county is None:
            continue
        row = rows[county]
        row["total"] += 1
        row["statuses"][status] += 1
        if status in OPEN_STATUSES:
            row["open"] += 1
        if status == SignalStatus.NEW and due and due < now:
            row["overdue"] += 1
        if day >= grid_start:
            cells[(county, day)] += 1
    ordered = [rows[c.code] for c in counties]
    hidden = 0
    if len(ordered) > MAX_COUNTIES:  # a province or the country: the counties with signals, most first
        shown = sorted((r for r in ordered if r["total"]), key=lambda r: (-r["total"], r["region"].code))
        hidden = len(ordered) - min(len(shown), MAX_COUNTIES)
        ordered = sorted(shown[:MAX_COUNTIES], key=lambda r: r["region"].code)
    index = {r["region"].code: i for i, r in enumerate(ordered)}
    grid = {
        "regions": [r["region"].name for r in ordered],
        "dates": [d.isoformat() for d in dates],
        "cells": [[(day - grid_start).days, index[code], n] for (code, day), n in sorted(cells.items())
                  if code in index],
        "label": _("Signals"),
    }
    positions = _positions(user, [r["region"] for r in ordered])
    places = {
        "points": [{"name": r["region"].name, "lon": positions[r["region"].code][0],
                    "lat": positions[r["region"].code][1], "value": r["total"], "open": r["open"]}
                   for r in ordered if r["region"].code in positions],
        "labels": {"signals": _("Signals"), "open": _("Open"), "lon": _("Longitude"), "lat": _("Latitude")},
    }
    return ordered, grid, places, grid_start, hidden


def _positions(user, counties) -> dict:
    """A county's mean organisation position (only organisations within the user's reach), one query."""
    codes = {c.code for c in counties}
    if not codes:
        return {}
    orgs = scoping.scope(user, Organisation.objects.filter(longitude__isnull=False, latitude__isnull=False))
    rows = (orgs.annotate(county=Substr("region__code", 1, 6)).filter(county__in=codes).values("county")
            .annotate(lon=Avg("longitude"), lat=Avg("latitude")).values_list("county", "lon", "lat"))
    return {county: (round(float(lon), 4), round(float(lat), 4)) for county, lon, lat in rows}


@login_required
def signal_list(request):
    user, now = request.user, timezone.now()
    require_viewer(user)
    form = SignalFilter(request.GET or None, user=user)
    base = scoped_signals(user)
    signals = form.apply(base, now).order_by("-signal_date", "-pk")
    page = paginate(request, signals)
    start, end = form.period()
    region_code = form.cleaned_data.get("region") if form.is_bound and form.is_valid() else None
    counties = _counties(user, region_code)
    # The summary follows the filter but takes its period from the dates (last 30 days by default).
    summary_qs = form.apply(base, now) if form.is_bound else base
    summary, grid, places, grid_start, hidden = region_summary(user, summary_qs, counties, start, end, now)
    overdue = base.filter(overdue_q(now)).count()
    return render(request, "detection/signals/list.html", {
        "filter": form, "page": page, "rows": rows_of(page.object_list, now), "query": query_without_page(request),
        "summary": summary, "grid": grid, "places": places, "date_from": start, "date_to": end,
        "grid_from": grid_start, "overdue": overdue, "open": base.filter(status__in=OPEN_STATUSES).count(),
        "grid_height": f"{max(10.0, 2.2 * len(summary) + 6):.1f}em", "hidden_counties": hidden,
    })


# --- a signal's page ------------------------------------------------------------------------------------------


class ActionForm(forms.Form):
    """One lifecycle step; which steps are allowed and what they need is the service's (it answers in both
    languages). The page offers only the steps TRANSITIONS allows from the signal's status."""

    to_status = forms.ChoiceField(label=gettext_lazy("Outcome"),
                                  widget=forms.RadioSelect(attrs={"class": "form-check-input"}))
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 3}))
    event_report = forms.TypedChoiceField(label=gettext_lazy("Event report"), required=False, coerce=int,
                                          empty_value=None)
    create_draft = forms.BooleanField(label=gettext_lazy("Make a draft initial report from this signal"),
                                      required=False)

    def __init__(self, data=None, *, signal, user):
        super().__init__(data)
        allowed = TRANSITIONS.get(signal.status, ())
        self.fields["to_status"].choices = [(s.value, ACTION_LABELS.get(s, s.label)) for s in allowed]
        if len(allowed) == 1:
            self.fields["to_status"].initial = allowed[0].value
        self.fields["to_status"].error_messages["required"] = pick("请选择核实结果。", "Choose an outcome.")
        self.fields["to_status"].error_messages["invalid_choice"] = pick(
            "该信号当前状态不允许此操作。", "This step is not allowed from the signal's current status.")
        reports = scoping.scope(user, EventReport.objects.filter(initial__isnull=True)).order_by("-discovered_at")
        if signal.region_id:
            reports = reports.filter(region__code__startswith=signal.region_id[:6])
        self.fields["event_report"].choices = [("", "---------")] + [
            (r.pk, f"{r.report_number} · {r.title}") for r in reports[:200]]
        self.fields["event_report"].error_messages["invalid_choice"] = pick(
            "请选择管辖范围内的事件报告。", "Choose an event report within your jurisdiction.")
        self.links = SignalStatus.LINKED in allowed


ACTION_LABELS = {
    SignalStatus.EXCLUDED: gettext_lazy("Excluded (排除)"),
    SignalStatus.SUSPECTED: gettext_lazy("Suspected event: investigate (疑似事件)"),
    SignalStatus.INVESTIGATING: gettext_lazy("Field investigation started (现场调查)"),
    SignalStatus.CONFIRMED: gettext_lazy("Outbreak confirmed (确认暴发)"),
    SignalStatus.LINKED: gettext_lazy("Link to an event report"),
}


def _signal_qs():
    return Signal.objects.select_related("region", "disease", "assigned_org", "config", "run", "event_report",
                                         "verified_by")


def _may_act(user, signal) -> bool:
    return bool(TRANSITIONS.get(signal.status)) and scoping.can(user, signal, write=True)


def _detail_context(request, signal, form=None):
    user, now = request.user, timezone.now()
    may_act = _may_act(user, signal)
    if may_act and form is None:
        form = ActionForm(signal=signal, user=user)
    actions = signal_actions(signal)
    chart = series_view.chart_for(signal)
    related = scoped_signals(user).filter(region=signal.region, disease=signal.disease, source=signal.source,
                                          measure=signal.measure).exclude(pk=signal.pk).order_by("-signal_date")[:10]
    return {
        "signal": signal, "badge": status_badge(signal, now), "method": method_label(signal.method),
        "actions": actions, "form": form if may_act else None, "chart": chart,
        "related": rows_of(related, now), "params": sorted((signal.params or {}).items()),
        "event_report_visible": bool(signal.event_report_id and scoping.can(user, signal.event_report)),
        "is_cards": signal.source == Source.CARDS,
    }


@login_required
def signal_detail(request, pk):
    require_viewer(request.user)
    signal = scoped_object(request.user, _signal_qs(), pk=pk)
    return render(request, "detection/signals/detail.html", _detail_context(request, signal))


@login_required
def signal_act(request, pk):
    """POST: one lifecycle step (初步核实 → 排除/疑似事件 → 现场调查 → 确认暴发 → 关联事件报告)."""
    user = request.user
    require_viewer(user)
    signal = scoped_object(user, _signal_qs(), write=True, pk=pk)
    if request.method != "POST":
        return redirect("detection:signal_detail", pk=signal.pk)
    if not TRANSITIONS.get(signal.status):
        raise forbidden()
    form = ActionForm(request.POST, signal=signal, user=user)
    if form.is_valid():
        data = form.cleaned_data
        try:
            with http_errors():
                lifecycle.act(user, signal, data["to_status"], note=data["note"],
                              event_report=data["event_report"], create_draft=data["create_draft"])
        except YingjiError as exc:
            attach_errors(form, exc)
        else:
            signal.refresh_from_db()
            messages.success(request, _("Signal updated: %(status)s.") % {"status": signal.get_status_display()})
            return redirect("detection:signal_detail", pk=signal.pk)
    return render(request, "detection/signals/detail.html", _detail_context(request, signal, form), status=422)

