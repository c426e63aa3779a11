"""Investigation and close-contact pages (流调/密接): an event's investigation page (KPIs, the transmission graph,
cases and contacts with filters, adding a case or a contact) and a contact's page (quarantine, follow-ups, tests,
release, becoming a case).

Every query goes through core.scoping; every rule is services.contacts'. ID numbers and phones are masked unless the
role may see them (services.contacts.PersonalData)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yingji.core import scoping
from yingji.core.errors import YingjiError
from yingji.core.models import Region
from yingji.surveillance.choices import IdType
from yingji.surveillance.views.common import EVERYTHING, Choice, DateInput, http_errors, region_choices
from yingji.web.helpers import attach_errors, paginate, pick, query_without_page, scoped_object

from ..api.contacts import filter_contacts
from ..models import Contact, EventCase
from ..models.contacts import ContactLevel, QuarantineMode, TestMethod, TestOutcome
from ..services import contacts as svc
from .events import event_context, get_event

STATUS_CSS = {"under_followup": "warning", "upcoming": "info", "ended": "success", "released": "secondary",
              "became_case": "danger", "no_quarantine": "light"}
SEX_CHOICES = [("", "---------"), ("M", gettext_lazy("Male")), ("F", gettext_lazy("Female")),
               ("U", gettext_lazy("Unknown"))]


def _regions(user):
    return region_choices(user, max_level=Region.LevelChoices.TOWN, blank=("", "---------"))


def status_badge(status: str) -> dict:
    zh, en = svc.STATUS_LABELS[status]
    return {"code": status, "text": pick(zh, en), "css": STATUS_CSS.get(status, "secondary")}


# --- forms ---------------------------------------------------------------------------------------------------


class PersonFields(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=64, required=False)
    sex = Choice(label=gettext_lazy("Sex"), choices=SEX_CHOICES, required=False)
    id_type = Choice(label=gettext_lazy("Document type"), choices=IdType.choices, required=False)
    id_number = forms.CharField(label=gettext_lazy("ID number"), max_length=32, required=False)
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=32, required=False)
    region = Choice(label=gettext_lazy("Address (region)"), required=False)
    address_detail = forms.CharField(label=gettext_lazy("Address (detail)"), max_length=255, required=False)


class CaseForm(PersonFields):
    number = forms.CharField(label=gettext_lazy("Case number"), max_length=32, required=False)
    case_report = forms.IntegerField(label=gettext_lazy("Report card id"), required=False, min_value=1,
                                     help_text=gettext_lazy("Optional: the case's report card; empty fields are "
                                                            "filled from the card."))
    onset_date = forms.DateField(label=gettext_lazy("Onset date"), required=False, widget=DateInput())
    reported_on = forms.DateField(label=gettext_lazy("Reported on"), required=False, widget=DateInput())
    isolated_on = forms.DateField(label=gettext_lazy("Isolated on"), required=False, widget=DateInput())
    isolation_place = forms.CharField(label=gettext_lazy("Isolation place"), max_length=200, required=False)

    def __init__(self, data=None, *, user):
        super().__init__(data, prefix="case")
        self.fields["region"].choices = _regions(user)


class QuarantineForm(forms.Form):
    mode = Choice(label=gettext_lazy("Quarantine"), required=False)
    place = forms.CharField(label=gettext_lazy("Place"), max_length=200, required=False)
    placed_on = forms.DateField(label=gettext_lazy("Placed under observation on"), required=False,
                                widget=DateInput())
    start_date = forms.DateField(label=gettext_lazy("Start (set by hand)"), required=False, widget=DateInput())
    end_date = forms.DateField(label=gettext_lazy("End (set by hand)"), required=False, widget=DateInput(),
                               help_text=gettext_lazy("Leave empty to count the configured period from the last "
                                                      "exposure."))
    override_reason = forms.CharField(label=gettext_lazy("Reason for setting the dates by hand"), required=False,
                                      max_length=2000)

    def __init__(self, data=None, *, prefix=None, required=False, **kwargs):
        super().__init__(data, prefix=prefix)
        self.fields["mode"].choices = ([] if required else [("", _("No quarantine yet"))]) + list(
            QuarantineMode.choices)


class ContactForm(PersonFields, QuarantineForm):
    source_case = Choice(label=gettext_lazy("Source case"), required=False)
    source_contact = Choice(label=gettext_lazy("Source contact (secondary contact)"), required=False)
    level = Choice(label=gettext_lazy("Contact level"), choices=ContactLevel.choices, required=False)
    contact_type = Choice(label=gettext_lazy("Contact type"), required=False)
    last_exposure = forms.DateField(label=gettext_lazy("Last exposure"), required=False, widget=DateInput())
    exposure_place = forms.CharField(label=gettext_lazy("Exposure place"), max_length=200, required=False)

    def __init__(self, data=None, *, user, event):
        super().__init__(data, prefix="contact")
        self.fields["region"].choices = _regions(user)
        self.fields["source_case"].choices = [("", "---------")] + [
            (c.pk, str(c)) for c in EventCase.objects.filter(event=event).order_by("pk")]
        self.fields["source_contact"].choices = [("", "---------")] + [
            (c.pk, str(c)) for c in Contact.objects.filter(event=event).order_by("pk")]
        self.fields["contact_type"].choices = [("", "---------"), *svc.contact_types()]


class ContactFilter(forms.Form):
    status = Choice(label=gettext_lazy("Status"), required=False)
    contact_type = Choice(label=gettext_lazy("Contact type"), required=False)
    region = Choice(label=gettext_lazy("Region"), required=False)
    q = forms.CharField(label=gettext_lazy("Name"), required=False, max_length=64)

    def __init__(self, data, *, user):
        super().__init__(data)
        n = svc.not_seen_days()
        self.fields["status"].choices = [EVERYTHING] + [(k, pick(*v)) for k, v in svc.STATUS_LABELS.items()] + [
            ("not_seen", pick(f"连续 {n} 天未见到", f"Not seen for {n} days"))]
        self.fields["contact_type"].choices = [EVERYTHING, *svc.contact_types()]
        self.fields["region"].choices = region_choices(user, max_level=Region.LevelChoices.TOWN)

    def apply(self, qs):
        if not self.is_bound or not any(self.data.get(k) for k in self.fields):
            return qs
        if not self.is_valid():
            return qs.none()
        d = self.cleaned_data
        return filter_contacts(qs, status=d["status"] or None, contact_type=d["contact_type"] or None,
                               region=d["region"] or None, q=d["q"] or None)


def _data(form) -> dict:
    return {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}


# --- the event's investigation page -------------------------------------------------------------------------


def _rows(user, contacts, today):
    policy = svc.PersonalData(user)
    return [{"contact": c, "status": status_badge(svc.contact_status(c, today)), "phone": policy.phone(c),
             "id_number": policy.id_number(c), "type": svc.contact_type_label(c.contact_type)} for c in contacts]


def _investigation(request, event, *, case_form=None, contact_form=None, status=200):
    user = request.user
    today = svc.local_today()
    filters = ContactFilter(request.GET or None, user=user)
    contacts = filters.apply(svc.contacts_of(user, event)).order_by("-last_exposure", "pk")
    page = paginate(request, contacts)
    policy = svc.PersonalData(user)
    cases = [{"case": c, "phone": policy.phone(c), "id_number": policy.id_number(c)}
             for c in svc.cases_of(user, event).order_by("reported_on", "pk")]
    may_write = scoping.can(user, event, write=True)
    return render(request, "response/investigation.html", {
        **event_context(request, event, "response:event_investigation"),
        "summary": svc.event_contact_summary(event, today=today), "graph": svc.transmission_graph(event, today=today),
        "cases": cases, "filters": filters, "page": page, "rows": _rows(user, page.object_list, today),
        "query": query_without_page(request), "may_write": may_write,
        "case_form": case_form or (CaseForm(user=user) if may_write else None),
        "contact_form": contact_form or (ContactForm(user=user, event=event) if may_write else None),
        "graph_labels": {"case": _("Case"), "contact": _("Contact"), "contact_became_case": _("Contact who became a case")},
    }, status=status)


@login_required
def event_investigation(request, pk):
    return _investigation(request, get_event(request.user, pk))


@login_required
def investigation_add_case(request, pk):
    user = request.user
    event = get_event(user, pk, write=True)
    if request.method != "POST":
        return redirect("response:event_investigation", pk=event.pk)
    form = CaseForm(request.POST, user=user)
    if form.is_valid():
        try:
            with http_errors():
                case = svc.add_case(user, event, _data(form))
        except YingjiError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Case %(case)s added.") % {"case": case})
            return redirect("response:event_investigation", pk=event.pk)
    return _investigation(request, event, case_form=form, status=422)


@login_required
def investigation_add_contact(request, pk):
    user = request.user
    event = get_event(user, pk, write=True)
    if request.method != "POST":
        return redirect("response:event_investigation", pk=event.pk)
    form = ContactForm(request.POST, user=user, event=event)
    if form.is_valid():
        try:
            with http_errors():
                contact = svc.add_contact(user, event, _data(form))
        except YingjiError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Contact %(contact)s registered.") % {"contact": contact})
            return redirect("response:contact_detail", pk=contact.pk)
    return _investigation(request, event, contact_form=form, status=422)


# --- a contact's page ----------------------------------------------------------------------------------------


class ReleaseForm(forms.Form):
    on = forms.DateField(label=gettext_lazy("Released on"), required=False, widget=DateInput())
    reason = forms.CharField(label=gettext_lazy("Reason"), required=False, max_length=2000)


class BecomeCaseForm(forms.Form):
    onset_date = forms.DateField(label=gettext_lazy("Onset date"), required=False, widget=DateInput())
    reported_on = forms.DateField(label=gettext_lazy("Reported on"), required=False, widget=DateInput())
    isolated_on = forms.DateField(label=gettext_lazy("Isolated on"), required=False, widget=DateInput())
    isolation_place = forms.CharField(label=gettext_lazy("Isolation place"), max_length=200, required=False)


class TestForm(forms.Form):
    sample_date = forms.DateField(label=gettext_lazy("Sample date"), required=False, widget=DateInput())
    method = Choice(label=gettext_lazy("Method"), choices=TestMethod.choices, required=False)
    result = Choice(label=gettext_lazy("Result"), choices=TestOutcome.choices, required=False)
    result_date = forms.DateField(label=gettext_lazy("Result date"), required=False, widget=DateInput())
    laboratory = forms.CharField(label=gettext_lazy("Laboratory"), max_length=200, required=False)


ACTIONS = {
    "quarantine": lambda data: QuarantineForm(data, prefix="q", required=True),
    "release": lambda data: ReleaseForm(data, prefix="r"),
    "become_case": lambda data: BecomeCaseForm(data, prefix="b"),
    "test": lambda data: TestForm(data, prefix="t"),
}


def _apply(user, contact, action, form):
    data = _data(form)
    if action == "quarantine":
        svc.set_quarantine(user, contact, data)
        return _("Quarantine saved.")
    if action == "release":
        svc.release_contact(user, contact, on=data.get("on"), reason=data.get("reason", ""))
        return _("Released from observation.")
    if action == "become_case":
        case = svc.contact_becomes_case(user, contact, data)
        return _("Recorded as case %(case)s.") % {"case": case}
    svc.add_test_result(user, contact.event, {**data, "contact": contact.pk})
    return _("Test result recorded.")


@login_required
def contact_detail(request, pk):
    user = request.user
    contact = scoped_object(user, svc.contacts_of(user), pk=pk)
    forms_ = {name: make(None) for name, make in ACTIONS.items()}
    status = 200
    if request.method == "POST":
        contact = scoped_object(user, svc.contacts_of(user), write=True, pk=pk)
        action = request.POST.get("action")
        if action not in ACTIONS:
            return redirect("response:contact_detail", pk=contact.pk)
        form = ACTIONS[action](request.POST)
        if form.is_valid():
            try:
                with http_errors():
                    message = _apply(user, contact, action, form)
            except YingjiError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, message)
                return redirect("response:contact_detail", pk=contact.pk)
        forms_[action] = form
        status = 422
    today = svc.local_today()
    policy = svc.PersonalData(user)
    q = getattr(contact, "quarantine", None)
    return render(request, "response/contact_detail.html", {
        "contact": contact, "event": contact.event, "quarantine": q,
        "status": status_badge(svc.contact_status(contact, today)),
        "phone": policy.phone(contact), "id_number": policy.id_number(contact), "masked": not policy.allows(contact),
        "type": svc.contact_type_label(contact.contact_type),
        "followups": contact.followups.select_related("team", "recorded_by").order_by("date"),
        "tests": contact.tests.order_by("-sample_date", "-pk"),
        "secondary": contact.secondary_contacts.order_by("pk"),
        "may_write": scoping.can(user, contact, write=True), "forms": forms_, "today": today,
        "active": q is not None and q.status == "active",
    }, status=status)
