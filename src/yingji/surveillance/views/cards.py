"""Report cards (传染病报告卡): the form with validation as the user types, filtered lists, Excel export, the card
page with its history and the actions each role may take (审核, 退卡, 订正, 删除, 查重合并).

Every rule lives in surveillance.forms / surveillance.services.cards; these views only render and route. Lists and
exports go through services.cards.filter_cards (core.scoping); a card is fetched through core.scoping, so another
district's card answers 404.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yingji.core import scoping
from yingji.core.errors import InvalidInput, YingjiError
from yingji.core.models import Region
from yingji.web.helpers import forbidden, paginate, query_without_page, scoped_object

from .. import idnumbers
from ..choices import CardStatus, Classification, DiseaseClass, IdType, Sex
from ..forms import CaseReportForm
from ..models import CaseReport, Disease
from ..services import cards as card_service
from ..services import timeliness
from ..services.privacy import PERSONAL_FIELDS, PersonalDataPolicy
from .common import (
    EVERYTHING,
    Choice,
    DateInput,
    DateTimeInput,
    TypedChoice,
    error_text,
    http_errors,
    region_choices,
    show_error,
    unit_choices,
    unit_queryset,
)

CLASS_GROUPS = (
    (DiseaseClass.A, gettext_lazy("Class A")),
    (DiseaseClass.B, gettext_lazy("Class B")),
    (DiseaseClass.C, gettext_lazy("Class C")),
    (DiseaseClass.OTHER, gettext_lazy("Other")),
)
TIMELINESS_CHOICES = (
    ("on_time", gettext_lazy("On time")), ("late", gettext_lazy("Late")),
    ("no_deadline", gettext_lazy("No statutory deadline")), ("invalid", gettext_lazy("Invalid times")),
)
BADGE = {"on_time": "success", "late": "danger", "no_deadline": "secondary", "invalid": "warning",
         "pending": "info", "overdue": "danger"}


def _class_group(disease: Disease) -> str:
    return DiseaseClass.OTHER if disease.disease_class == DiseaseClass.EMERGING else disease.disease_class


def _disease_label(disease: Disease) -> str:
    label = disease.name if translation.get_language() != "en" else disease.name_en
    if disease.managed_as_class_a:
        label += _(" (managed as class A)")
    return label


def disease_choices(*, leaves_only: bool, blank=None):
    """The catalogue grouped by class (甲/乙/丙/其他), codes as values. A card names a subtype when the disease
    has subtypes (the form says so), so the card form offers leaves; filters offer parents too."""
    diseases = list(Disease.objects.filter(is_active=True).order_by("sort_order", "code"))
    with_subtypes = {d.parent_id for d in diseases if d.parent_id}
    groups = []
    for value, label in CLASS_GROUPS:
        options = []
        for d in diseases:
            if _class_group(d) != value or (leaves_only and d.pk in with_subtypes):
                continue
            prefix = "　" if d.parent_id and not leaves_only else ""
            options.append((d.code, f"{prefix}{_disease_label(d)}"))
        if options:
            groups.append((label, options))
    return ([blank] if blank else []) + groups


# --- the card form --------------------------------------------------------------------------------------------


def city_prefix(user) -> str:
    """The first four digits of the user's city (the searchable address picker offers its towns)."""
    org = user.organisation
    return org.region_id[:4] if org is not None else ""


class CardPageForm(CaseReportForm):
    """The service's card form (every rule is there) with the page's widgets: the disease picker grouped by
    class, a searchable town picker, the reporting unit fixed for a reporter and a choice within reach for CDC
    staff, and date pickers."""

    def __init__(self, data=None, *args, user, **kwargs):
        super().__init__(data, *args, user=user, **kwargs)
        self.fields["disease"].widget = forms.Select(choices=disease_choices(leaves_only=True,
                                                                             blank=("", "---------")))
        self.fields["disease"].label = gettext_lazy("Disease")
        region = self.fields["address_region"]
        region.label = gettext_lazy("Current address (street/town)")
        region.help_text = gettext_lazy("Type a name or a code to search the towns of your city; "
                                        "a patient living elsewhere is entered by region code.")
        region.widget = forms.TextInput(attrs={
            "list": "town-options", "autocomplete": "off", "placeholder": gettext_lazy("e.g. 990102001 or a name"),
            "hx-get": reverse("surveillance:card_region_options"), "hx-trigger": "input changed delay:250ms",
            "hx-target": "#town-options", "hx-swap": "innerHTML", "hx-sync": "this:replace",
        })
        org_field = self.fields["reporting_org"]
        org_field.label = gettext_lazy("Reporting organisation")
        own = user.organisation
        if user.is_platform_admin or user.role == "cdc":
            org_field.help_text = gettext_lazy("A CDC may file a card for a unit within its jurisdiction.")
            org_field.widget = forms.Select(choices=[(o.code, o.name) for o in unit_queryset(user)])
            if own is not None and not self.is_bound and not self.instance.pk:
                self.initial.setdefault("reporting_org", own.code)
        else:
            org_field.help_text = ""
            org_field.widget = forms.HiddenInput()
            self.fixed_org = own
            if own is not None:
                self.initial["reporting_org"] = own.code
        for name in ("birth_date", "onset_date", "death_date"):
            self.fields[name].widget = DateInput()
        self.fields["diagnosed_at"].widget = DateTimeInput()
        reported = self.fields["reported_at"]
        if user.is_platform_admin or user.role == "cdc":
            reported.widget = DateTimeInput()
            reported.help_text = gettext_lazy("Leave empty for now; give the time of a card first reported on paper.")
        else:
            reported.widget = forms.HiddenInput()
        self.fields["card_number"].help_text = gettext_lazy("Leave empty to have a number generated.")
        self.fields["notes"].widget = forms.Textarea(attrs={"rows": 2})
        self.fields["id_number"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})

    fixed_org = None


# The very fields of the service's form (a ModelForm subclass would otherwise rebuild them from the model and miss
# what CaseReportForm changes on its own fields, e.g. which may be left empty).
CardPageForm.base_fields = CaseReportForm.base_fields
CardPageForm.declared_fields = CaseReportForm.declared_fields


FIELDSETS = (
    (gettext_lazy("Patient"), ("patient_name", "guardian_name", "id_type", "id_number", "sex", "birth_date",
                                "age_value", "age_unit", "occupation", "work_unit", "phone")),
    (gettext_lazy("Current address"), ("case_origin", "address_region", "address_detail")),
    (gettext_lazy("Diagnosis"), ("disease", "other_disease_name", "classification", "acuteness", "onset_date",
                                  "diagnosed_at", "death_date")),
    (gettext_lazy("Report"), ("reporting_org", "reporting_doctor", "card_number", "reported_at", "notes")),
)
WIDE = {"address_detail", "notes", "disease"}


def fieldsets(form):
    return [(legend, [form[name] for name in names]) for legend, names in FIELDSETS]


def _form_context(form, **extra):
    return {"form": form, "fieldsets": fieldsets(form), "wide": WIDE, **extra}


def _post_data(request) -> dict:
    source = request.POST if request.method == "POST" else request.GET
    return {k: v for k, v in source.items() if k not in ("csrfmiddlewaretoken", "_touched")}


@login_required
def card_create(request):
    with http_errors():
        card_service.require_writer(request.user)
    data = _post_data(request) if request.method == "POST" else None
    form = CardPageForm(data, user=request.user)
    if data is not None:
        try:
            with http_errors():
                submission = card_service.submit_card(request.user, data)
        except YingjiError as exc:
            show_error(form, exc)
        else:
            card = submission.card
            if submission.replayed:
                messages.info(request, _("Card %(number)s had already been submitted with this content.")
                              % {"number": card.card_number})
            else:
                messages.success(request, _("Card %(number)s submitted.") % {"number": card.card_number})
            return redirect("surveillance:card_detail", pk=card.pk)
    return render(request, "surveillance/cards/form.html", _form_context(form, mode="new"),
                  status=422 if form.is_bound and form.errors else 200)


def _id_hint(data) -> dict | None:
    """What a resident ID number says (birth date, sex), shown next to the field; None when it says nothing."""
    if (data.get("id_type") or IdType.RESIDENT_ID) != IdType.RESIDENT_ID:
        return None
    try:
        resident = idnumbers.parse(data.get("id_number") or "", today=timezone.localdate())
    except idnumbers.IdNumberError:
        return None
    return {"birth_date": resident.birth_date.isoformat(), "sex": resident.sex,
            "sex_label": Sex(resident.sex).label}


@login_required
def card_validate(request):
    """htmx: validate the card as it is being typed, with the very form the service uses; save nothing.

    Answers out-of-band fragments, one per field: the messages for the fields the user has touched (or filled),
    empty for the others, plus what the ID number says about birth date and sex."""
    data = _post_data(request)
    form = CardPageForm(data, user=request.user)
    form.is_valid()
    source = request.POST if request.method == "POST" else request.GET
    touched = {name for name in source.get("_touched", "").split(",") if name}
    shown = {}
    for name in form.fields:
        if name in touched or str(data.get(name) or "").strip() or "_all" in touched:
            shown[name] = form.errors.get(name, [])
        else:
            shown[name] = []
    context = {"form": form, "shown": shown, "non_field": form.non_field_errors(), "id_hint": _id_hint(data),
               "id_number_given": bool(str(data.get("id_number") or "").strip())}
    return render(request, "surveillance/cards/_validation.html", context)


@login_required
def region_options(request):
    """htmx: towns (and districts) of the user's city whose name or code matches what was typed, as <option>s."""
    q = (request.GET.get("address_region") or request.GET.get("q") or "").strip()
    prefix = city_prefix(request.user)
    regions = []
    if q and (prefix or request.user.is_platform_admin):
        qs = Region.objects.filter(level__gte=Region.LevelChoices.COUNTY).select_related("parent")
        if prefix and not request.user.is_platform_admin:
            qs = qs.filter(code__startswith=prefix)
        regions = list(qs.filter(Q(name__icontains=q) | Q(code__startswith=q)).order_by("code")[:30])
    return render(request, "surveillance/cards/_region_options.html", {"regions": regions})


# --- lists ----------------------------------------------------------------------------------------------------


class CardFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=64,
                        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("Name, card number or ID number")}))
    disease = Choice(label=gettext_lazy("Disease"), required=False)
    disease_class = Choice(label=gettext_lazy("Class"), required=False)
    region = Choice(label=gettext_lazy("Current address"), required=False)
    reporting_org = TypedChoice(label=gettext_lazy("Reporting organisation"), required=False,
                                           coerce=int, empty_value=None)
    status = Choice(label=gettext_lazy("Status"), required=False)
    classification = Choice(label=gettext_lazy("Classification"), required=False)
    timeliness = Choice(label=gettext_lazy("Timeliness"), required=False)
    onset_from = forms.DateField(label=gettext_lazy("Onset from"), required=False, widget=DateInput())
    onset_to = forms.DateField(label=gettext_lazy("Onset to"), required=False, widget=DateInput())
    reported_from = forms.DateField(label=gettext_lazy("Reported from"), required=False, widget=DateInput())
    reported_to = forms.DateField(label=gettext_lazy("Reported to"), required=False, widget=DateInput())

    def __init__(self, data, *, user):
        super().__init__(data)
        self.fields["disease"].choices = disease_choices(leaves_only=False, blank=EVERYTHING)
        self.fields["disease_class"].choices = [EVERYTHING] + [(v, label) for v, label in CLASS_GROUPS]
        self.fields["region"].choices = region_choices(user, max_level=Region.LevelChoices.TOWN)
        self.fields["reporting_org"].choices = unit_choices(user)
        self.fields["status"].choices = [EVERYTHING, *CardStatus.choices]
        self.fields["classification"].choices = [EVERYTHING, *Classification.choices]
        self.fields["timeliness"].choices = [EVERYTHING, *TIMELINESS_CHOICES]

    def card_filter(self) -> card_service.CardFilter:
        if not self.is_bound:
            return card_service.CardFilter()
        if not self.is_valid():
            return card_service.CardFilter(reporting_org=-1)  # an invalid filter matches nothing
        data = self.cleaned_data
        return card_service.CardFilter(
            q=data["q"] or None, disease=data["disease"] or None, region=data["region"] or None,
            reporting_org=data["reporting_org"], status=data["status"] or None,
            classification=data["classification"] or None, timeliness=data["timeliness"] or None,
            onset_from=data["onset_from"], onset_to=data["onset_to"], reported_from=data["reported_from"],
            reported_to=data["reported_to"],
        )

    def queryset(self):
        qs = card_service.cards()
        if self.is_valid():
            group = self.cleaned_data["disease_class"]
            if group == DiseaseClass.OTHER:
                qs = qs.filter(disease__disease_class__in=(DiseaseClass.OTHER, DiseaseClass.EMERGING))
            elif group:
                qs = qs.filter(disease__disease_class=group)
        return qs


def filtered_cards(request):
    form = CardFilterForm(request.GET or None, user=request.user)
    with http_errors():
        try:
            cards = card_service.filter_cards(request.user, form.card_filter(), queryset=form.queryset())
        except InvalidInput as exc:
            show_error(form, exc)
            cards = CaseReport.objects.none()
    return form, cards


def badge(assessment) -> dict:
    described = timeliness.describe(assessment)
    described["css"] = BADGE.get(described["status"], "secondary")
    described["text"] = described["label_en"] if translation.get_language() == "en" else described["label"]
    return described


REVIEW_TEXT = {"pending": ("待审核", "awaiting review"), "overdue": ("超时未审核", "review overdue")}


def review_badge(assessment) -> dict:
    """The review deadline's badge: "pending"/"overdue" read as awaiting review / review overdue."""
    described = badge(assessment)
    if described["status"] in REVIEW_TEXT:
        zh, en = REVIEW_TEXT[described["status"]]
        described["text"] = en if translation.get_language() == "en" else zh
    return described


def card_rows(user, cards):
    """Cards with their timeliness badge and personal data as the user may see it."""
    policy = PersonalDataPolicy(user)
    return [{"card": c, "timeliness": badge(timeliness.card_timeliness(c)), "id_number": policy.id_number(c)}
            for c in cards]


@login_required
def card_list(request):
    form, cards = filtered_cards(request)
    page = paginate(request, cards)
    context = {
        "filter": form, "page": page, "rows": card_rows(request.user, page.object_list),
        "query": query_without_page(request), "may_create": _may_file(request.user),
    }
    if request.htmx and request.htmx.target == "card-results":
        return render(request, "surveillance/cards/_table.html", context)
    return render(request, "surveillance/cards/list.html", context)


def _may_file(user) -> bool:
    try:
        card_service.require_writer(user)
    except YingjiError:
        return False
    return True


@login_required
def card_export(request):
    """The filtered list within the user's reach as Excel (services.card_export: columns, masking)."""
    from ..services import card_export as export_service

    _form, cards = filtered_cards(request)
    with http_errors():
        content = export_service.export_cards(request.user, cards)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(content, content_type=export_service.XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="case-reports-{stamp}.xlsx"'
    return response


# --- one card -------------------------------------------------------------------------------------------------


def _card(request, pk, *, write=False) -> CaseReport:
    return scoped_object(request.user, card_service.cards(), write=write, pk=pk)


def history_rows(user, card, limit=50):
    """The card's audit history, personal fields masked as the privacy service decides."""
    from auditlog.models import LogEntry

    from yingji.core.audit import ACTION_LABELS, history_for

    policy = PersonalDataPolicy(user)
    english = translation.get_language() == "en"
    rows = []
    for entry in history_for(card)[:limit]:
        try:
            display = entry.changes_display_dict
        except Exception:
            display = {}
        changes = []
        for name, values in (entry.changes_dict or {}).items():
            try:
                label = str(CaseReport._meta.get_field(name).verbose_name)
            except Exception:
                label = name
            shown = display.get(label, values)
            before = shown[0] if len(shown) > 0 else None
            after = shown[1] if len(shown) > 1 else None
            if name in PERSONAL_FIELDS:
                before, after = policy.value(card, name, before), policy.value(card, name, after)
            changes.append({"field": label, "before": _blank(before), "after": _blank(after)})
        zh, en = ACTION_LABELS.get(entry.action, (str(entry.action), str(entry.action)))
        rows.append({"timestamp": entry.timestamp, "actor": entry.actor, "action": en if english else zh,
                     "changes": changes, "is_create": entry.action == LogEntry.Action.CREATE})
    return rows


def _blank(value):
    return "—" if value is None or str(value) in ("None", "", "null") else value


def card_actions(user, card) -> dict:
    reviewer = card_service.is_reviewer(user, card)
    writer = scoping.can(user, card, write=True)
    live = card.status in card_service.LIVE
    return {
        "review": reviewer and card.status == CardStatus.SUBMITTED,
        "return": reviewer and card.status in (CardStatus.SUBMITTED, CardStatus.REVIEWED),
        "edit": writer and card.status in (CardStatus.SUBMITTED, CardStatus.RETURNED),
        "correct": writer and live,
        "delete": writer and (card.status in card_service.LIVE if reviewer
                              else card.status in (CardStatus.SUBMITTED, CardStatus.RETURNED)),
        "merge": reviewer and live,
    }


@login_required
def card_detail(request, pk):
    card = _card(request, pk)
    policy = PersonalDataPolicy(request.user)
    actions = card_actions(request.user, card)
    duplicates = card_service.duplicates_of(request.user, card) if card.status in card_service.LIVE else []
    corrections = scoping.scope(request.user, card.corrections.all())
    merged = scoping.scope(request.user, card.merged_duplicates.all())
    return render(request, "surveillance/cards/detail.html", {
        "card": card, "actions": actions, "duplicates": duplicates, "corrections": corrections,
        "merged": merged, "timeliness": badge(timeliness.card_timeliness(card)),
        "review_timeliness": review_badge(timeliness.card_review_timeliness(card)),
        "id_number": policy.id_number(card), "phone": policy.phone(card), "personal_full": policy.allows(card),
        "history": history_rows(request.user, card), "original": _visible(request.user, card.original),
        "merged_into": _visible(request.user, card.merged_into),
    })


def _visible(user, card):
    return card if card is not None and scoping.can(user, card) else None


def _action(request, pk, run, success):
    """POST one workflow step through the service; its refusal (403), conflict or missing reason is shown."""
    card = _card(request, pk, write=True)
    if request.method != "POST":
        return redirect("surveillance:card_detail", pk=card.pk)
    try:
        with http_errors():
            result = run(card)
    except YingjiError as exc:
        messages.error(request, error_text(exc) if not exc.fields else
                       "；".join(_field_texts(exc)))
        return redirect("surveillance:card_detail", pk=card.pk)
    messages.success(request, success % {"number": card.card_number})
    following = request.POST.get("next", "")
    if following and url_has_allowed_host_and_scheme(following, allowed_hosts={request.get_host()}):
        return redirect(following)
    return redirect("surveillance:card_detail", pk=getattr(result, "pk", card.pk))


def _field_texts(exc: YingjiError):
    english = translation.get_language() == "en"
    return [m["message_en"] if english else m["message"] for ms in exc.fields.values() for m in ms]


@login_required
def card_review(request, pk):
    return _action(request, pk, lambda card: card_service.review_card(request.user, card),
                   _("Card %(number)s reviewed."))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


def _reason_page(request, pk, *, run, title, success, danger=False):
    card = _card(request, pk, write=True)
    form = ReasonForm(request.POST or None)
    if request.method == "POST":
        try:
            with http_errors():
                run(card, request.POST.get("reason", ""))
        except YingjiError as exc:
            if exc.fields:
                show_error(form, exc)
            else:
                messages.error(request, error_text(exc))
                return redirect("surveillance:card_detail", pk=card.pk)
        else:
            messages.success(request, success % {"number": card.card_number})
            return redirect("surveillance:card_detail", pk=card.pk)
    return render(request, "surveillance/cards/reason.html",
                  {"card": card, "form": form, "title": title, "danger": danger},
                  status=422 if form.errors else 200)


@login_required
def card_return(request, pk):
    return _reason_page(request, pk, run=lambda card, reason: card_service.return_card(request.user, card, reason),
                        title=gettext_lazy("Return the card to the reporter"), success=_("Card %(number)s returned."))


@login_required
def card_delete(request, pk):
    return _reason_page(request, pk, run=lambda card, reason: card_service.delete_card(request.user, card, reason),
                        title=gettext_lazy("Delete the card"), success=_("Card %(number)s deleted."), danger=True)


@login_required
def card_merge(request, pk):
    """查重合并: this card is merged into the kept card named in the POST (a duplicate shown on the card page)."""
    card = _card(request, pk, write=True)
    if request.method != "POST":
        return redirect("surveillance:card_detail", pk=card.pk)
    try:
        kept_pk = int(request.POST.get("keep", ""))
    except ValueError:
        messages.error(request, _("Choose the card to keep."))
        return redirect("surveillance:card_detail", pk=card.pk)
    kept = _card(request, kept_pk, write=True)
    try:
        with http_errors():
            card_service.merge_cards(request.user, card, kept, reason=request.POST.get("reason", ""))
    except YingjiError as exc:
        messages.error(request, error_text(exc))
        return redirect("surveillance:card_detail", pk=card.pk)
    messages.success(request, _("Card %(number)s merged into %(kept)s.")
                     % {"number": card.card_number, "kept": kept.card_number})
    return redirect("surveillance:card_detail", pk=kept.pk)


@login_required
def card_correct(request, pk):
    """订正 (a new correction card linked to this one), or — for a card not yet reviewed, or returned — an edit of
    the card itself (it goes back to the review queue)."""
    card = _card(request, pk, write=True)
    actions = card_actions(request.user, card)
    mode = "edit" if request.GET.get("mode") == "edit" or request.POST.get("_mode") == "edit" else "correct"
    if not actions[mode]:
        if mode == "edit" or card.status not in card_service.LIVE:
            messages.error(request, _("This card can no longer be changed."))
            return redirect("surveillance:card_detail", pk=card.pk)
        raise forbidden()
    values = card_service.card_values(card)
    if request.method == "POST":
        data = _post_data(request)
        data.pop("_mode", None)
        reason = data.pop("correction_reason", "")
        form = CardPageForm(data, user=request.user)
        try:
            with http_errors():
                if mode == "edit":
                    result = card_service.update_card(request.user, card, data)
                else:
                    data.pop("reported_at", None)  # a correction is reported now
                    result = card_service.correct_card(request.user, card, data, reason=reason).card
        except YingjiError as exc:
            show_error(form, exc)
        else:
            if mode == "edit":
                messages.success(request, _("Card %(number)s saved.") % {"number": result.card_number})
            else:
                messages.success(request, _("Correction card %(number)s submitted.")
                                 % {"number": result.card_number})
            return redirect("surveillance:card_detail", pk=result.pk)
    else:
        initial = dict(values)
        if mode == "correct":
            initial["card_number"] = ""
            initial["reported_at"] = ""
        form = CardPageForm(None, user=request.user, initial=initial)
    return render(request, "surveillance/cards/form.html", _form_context(form, mode=mode, card=card),
                  status=422 if form.is_bound and form.errors else 200)
