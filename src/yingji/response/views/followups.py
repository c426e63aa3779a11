"""Daily follow-up pages (每日随访): a team's work list for a day with quick entry on each row, and one follow-up's
page. CDC staff can generate the day's follow-ups at once (the daily job does it at night).

Every query goes through core.scoping (a team's unit sees its own list); every rule is services.followups'."""

from datetime import date

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yingji.core import scoping
from yingji.core.errors import YingjiError
from yingji.core.roles import Role
from yingji.surveillance.views.common import EVERYTHING, Choice, DateInput, http_errors
from yingji.web.helpers import attach_errors, paginate, pick, query_without_page, scoped_object

from ..models.contacts import FollowUpStatus
from ..services import contacts as svc
from ..services import followups as fsvc


class DayFilter(forms.Form):
    day = forms.DateField(label=gettext_lazy("Day"), required=False, widget=DateInput())
    team = Choice(label=gettext_lazy("Team"), required=False)
    status = Choice(label=gettext_lazy("Status"), required=False)

    def __init__(self, data, *, user):
        super().__init__(data, initial={"day": svc.local_today()})
        self.fields["team"].choices = [EVERYTHING, ("none", _("Not assigned"))] + [
            (str(t.pk), f"{t.name}（{t.organisation.name}）") for t in fsvc.teams_of(user)]
        self.fields["status"].choices = [EVERYTHING, *FollowUpStatus.choices]


class RecordForm(forms.Form):
    status = Choice(label=gettext_lazy("Result"), choices=[("seen", gettext_lazy("Seen")),
                                                           ("not_seen", gettext_lazy("Not seen"))], required=False)
    temperature = forms.CharField(label=gettext_lazy("Temperature (°C)"), required=False, max_length=8)
    symptoms = forms.CharField(label=gettext_lazy("Symptoms"), required=False, max_length=255)
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=500)


def _day(form) -> date:
    if form.is_bound and form.is_valid() and form.cleaned_data["day"]:
        return form.cleaned_data["day"]
    return svc.local_today()


def may_generate(user) -> bool:
    return user.is_platform_admin or user.role in (Role.CDC, Role.HEALTH_COMMISSION)


@login_required
def followup_list(request):
    """GET: the day's follow-ups within reach, with quick entry; POST (CDC): generate the day's follow-ups."""
    user = request.user
    if request.method == "POST" and request.POST.get("action") == "generate" and may_generate(user):
        day = DayFilter(request.POST, user=user)
        made = fsvc.generate_followups(_day(day))
        messages.success(request, _("%(n)d follow-ups generated.") % {"n": made})
        return redirect(f"{request.path}?day={_day(day):%Y-%m-%d}")
    filters = DayFilter(request.GET or None, user=user)
    day = _day(filters)
    qs = fsvc.followups_of(user).filter(date=day)
    if filters.is_bound and filters.is_valid():
        team, status = filters.cleaned_data["team"], filters.cleaned_data["status"]
        if team == "none":
            qs = qs.filter(team__isnull=True)
        elif team:
            qs = qs.filter(team_id=team)
        if status:
            qs = qs.filter(status=status)
    elif filters.is_bound:
        qs = qs.none()
    page = paginate(request, qs.order_by("team__name", "status", "contact__name", "pk"))
    policy = svc.PersonalData(user)
    rows = [{"f": f, "phone": policy.phone(f.contact), "may_write": scoping.can(user, f, write=True)}
            for f in page.object_list]
    counts = {s: qs.filter(status=s).count() for s in FollowUpStatus.values}
    return render(request, "response/followup_list.html", {
        "filters": filters, "day": day, "page": page, "rows": rows, "query": query_without_page(request),
        "counts": counts, "total": sum(counts.values()), "may_generate": may_generate(user),
        "statuses": dict(FollowUpStatus.choices), "record_form": RecordForm(),
        "next": request.get_full_path(),
    })


@login_required
def followup_detail(request, pk):
    user = request.user
    followup = scoped_object(user, fsvc.followups_of(user), pk=pk)
    form = RecordForm(initial={"status": followup.status if followup.status != "pending" else "seen",
                               "temperature": followup.temperature or "", "symptoms": followup.symptoms,
                               "note": followup.note})
    status = 200
    if request.method == "POST":
        followup = scoped_object(user, fsvc.followups_of(user), write=True, pk=pk)
        form = RecordForm(request.POST)
        if form.is_valid():
            try:
                with http_errors():
                    fsvc.record_followup(user, followup, form.cleaned_data)
            except YingjiError as exc:
                attach_errors(form, exc)
                if request.POST.get("quick"):
                    messages.error(request, f"{followup.contact.name}：" + "；".join(
                        pick(m["message"], m["message_en"]) for ms in exc.fields.values() for m in ms))
                    return redirect(_next(request))
            else:
                messages.success(request, _("Follow-up of %(name)s on %(day)s recorded.") % {
                    "name": followup.contact.name, "day": f"{followup.date:%Y-%m-%d}"})
                return redirect(_next(request))
        status = 422
    policy = svc.PersonalData(user)
    return render(request, "response/followup_detail.html", {
        "f": followup, "contact": followup.contact, "phone": policy.phone(followup.contact), "form": form,
        "may_write": scoping.can(user, followup, write=True), "contact_visible": scoping.can(user, followup.contact),
        "earlier": followup.contact.followups.filter(date__lt=followup.date).order_by("-date")[:14],
    }, status=status)


def _next(request) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    from django.urls import reverse

    return reverse("response:followup_list")



# --- follow-up teams -----------------------------------------------------------------------------------------


class TeamForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Team name"), max_length=100, required=False)
    organisation = Choice(label=gettext_lazy("Organisation"), required=False)
    regions = forms.MultipleChoiceField(label=gettext_lazy("Regions covered"), required=False,
                                        widget=forms.SelectMultiple(attrs={"size": 8}),
                                        help_text=gettext_lazy("A contact's follow-ups go to the team covering the "
                                                               "most specific region of their address."))

    def __init__(self, data=None, *, user):
        from yingji.core.models import Region
        from yingji.surveillance.views.common import region_choices, unit_queryset

        super().__init__(data)
        self.fields["organisation"].choices = [("", "---------")] + [
            (str(o.pk), f"{o.name}（{o.region.name}）") for o in unit_queryset(user)]
        self.fields["regions"].choices = region_choices(user, max_level=Region.LevelChoices.TOWN, blank=None)


@login_required
def team_list(request):
    """The follow-up teams within reach and, for CDC and commission staff, a form to add one."""
    user = request.user
    form = TeamForm(user=user) if may_generate(user) else None
    status = 200
    if request.method == "POST" and may_generate(user):
        form = TeamForm(request.POST, user=user)
        if form.is_valid():
            try:
                with http_errors():
                    team = fsvc.save_team(user, form.cleaned_data)
            except YingjiError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, _("Team %(team)s saved.") % {"team": team.name})
                return redirect("response:followup_teams")
        status = 422
    return render(request, "response/followup_teams.html", {"teams": fsvc.teams_of(user), "form": form},
                  status=status)
