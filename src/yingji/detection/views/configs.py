"""Detection settings (预警配置): per disease (or fever-clinic figure) × region level, the methods and their
parameters, the minimum count, daily or weekly, counted by onset or report date, public holidays, profile.

Everyone who sees the early-warning pages reads the settings that apply within their reach (general ones and the
overrides of their own regions); administrators and city CDCs change them. Saving is services.configs' (it checks
method names and parameters); on any error nothing is saved and the form shows the errors in the active language.
"""

import json

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yingji.core import scoping
from yingji.core.errors import InvalidInput, NotPermitted, YingjiError
from yingji.core.models import Region
from yingji.surveillance.views.cards import disease_choices
from yingji.surveillance.views.common import EVERYTHING, Choice
from yingji.web.filters import FilterForm
from yingji.web.helpers import attach_errors, forbidden, paginate, query_without_page

from ..choices import CountBasis, Frequency, HolidayMode, Measure, RegionLevel, Source
from ..models import DetectionConfig
from ..services import configs as config_service
from .common import may_configure, method_label, region_choices, require_viewer


def configs_within_reach(user):
    """General settings and the overrides for regions within the user's reach (no other district's names)."""
    qs = scoping.scope(user, DetectionConfig.objects.select_related("disease", "region", "updated_by"))
    if user.is_platform_admin:
        return qs
    regions = scoping.scope(user, Region.objects.all()).values("code")
    return qs.filter(Q(region__isnull=True) | Q(region__code__in=regions))


class ConfigFilter(FilterForm):
    lookups = {"disease": "disease__code", "profile": "profile",
               "active": lambda qs, value: qs.filter(active=value == "1")}

    disease = Choice(label=gettext_lazy("Disease"), required=False)
    profile = Choice(label=gettext_lazy("Profile"), required=False)
    active = Choice(label=gettext_lazy("Active"), required=False)

    def __init__(self, data, *, profiles):
        super().__init__(data)
        self.fields["disease"].choices = disease_choices(leaves_only=False, blank=EVERYTHING)
        self.fields["profile"].choices = [EVERYTHING] + [(p, p) for p in profiles]
        self.fields["active"].choices = [EVERYTHING, ("1", _("Active")), ("0", _("Inactive"))]



def describe_methods(config) -> list[str]:
    result = []
    for m in config.methods or []:
        if not isinstance(m, dict):
            continue
        params = ", ".join(f"{k}={v}" for k, v in sorted((m.get("params") or {}).items()))
        result.append(f"{method_label(str(m.get('method')))}" + (f" ({params})" if params else ""))
    return result


@login_required
def config_list(request):
    user = request.user
    require_viewer(user)
    all_configs = configs_within_reach(user)
    profiles = sorted(set(all_configs.values_list("profile", flat=True)))
    form = ConfigFilter(request.GET or None, profiles=profiles)
    page = paginate(request, form.apply(all_configs))
    rows = [{"config": c, "methods": describe_methods(c), "editable": config_service.may_edit(user, c)}
            for c in page.object_list]
    return render(request, "detection/configs/list.html", {
        "filter": form, "page": page, "rows": rows, "query": query_without_page(request),
        "may_configure": may_configure(user),
    })


# --- the edit form ----------------------------------------------------------------------------------------------


def _bi(message: str, message_en: str) -> dict:
    return {"message": message, "message_en": message_en}


class ConfigForm(forms.Form):
    """The page's fields. Field-level checks (JSON shape, method names, parameters that the method refuses) come
    back from the service or from :func:`check_methods` as bilingual errors."""

    disease = Choice(label=gettext_lazy("Disease"), required=False)
    source = Choice(label=gettext_lazy("Data source"), choices=Source.choices)
    measure = Choice(label=gettext_lazy("Counted"), choices=Measure.choices)
    region_level = Choice(label=gettext_lazy("Region level"), choices=RegionLevel.choices)
    region = Choice(label=gettext_lazy("Only within region"), required=False)
    profile = forms.CharField(label=gettext_lazy("Profile"), max_length=64)
    methods = forms.CharField(label=gettext_lazy("Methods and parameters (JSON)"),
                              widget=forms.Textarea(attrs={"rows": 6, "class": "font-monospace"}),
                              help_text=gettext_lazy('A list such as [{"method": "cidars_mpm", "params": '
                                                     '{"window": 7, "years": 3, "percentile": 80}}].'))
    min_cases = forms.CharField(label=gettext_lazy("Minimum count for a signal"),
                                widget=forms.NumberInput(attrs={"min": 1}))
    frequency = Choice(label=gettext_lazy("Frequency"), choices=Frequency.choices)
    count_basis = Choice(label=gettext_lazy("Counted by"), choices=CountBasis.choices)
    holiday_mode = Choice(label=gettext_lazy("Public holidays"), choices=HolidayMode.choices)
    response_hours = forms.CharField(label=gettext_lazy("Verification due (hours)"), required=False,
                                     widget=forms.NumberInput(attrs={"min": 1}),
                                     help_text=gettext_lazy("Empty: the platform default."))
    active = forms.BooleanField(label=gettext_lazy("Active"), required=False)
    notes = forms.CharField(label=gettext_lazy("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, data=None, *, user, instance=None):
        initial = None
        if instance is not None:
            initial = {
                "disease": instance.disease_id or "", "source": instance.source, "measure": instance.measure,
                "region_level": instance.region_level, "region": instance.region_id or "",
                "profile": instance.profile, "methods": json.dumps(instance.methods, ensure_ascii=False, indent=1),
                "min_cases": instance.min_cases, "frequency": instance.frequency,
                "count_basis": instance.count_basis, "holiday_mode": instance.holiday_mode,
                "response_hours": instance.response_hours or "", "active": instance.active,
                "notes": instance.notes,
            }
        super().__init__(data, initial=initial)
        self.fields["disease"].choices = disease_choices(leaves_only=False, blank=("", _("— (fever clinics)")))
        self.fields["region"].choices = region_choices(user, max_level=Region.LevelChoices.COUNTY,
                                                       blank=("", _("Everywhere")))


def _number(text):
    """A whole number as the service wants it; anything else is passed on for the service to refuse."""
    text = str(text if text is not None else "").strip()
    try:
        return int(text)
    except ValueError:
        return text


def values_of(form) -> dict:
    """The form's values for services.configs (disease and region as codes). Only the JSON syntax of the methods
    is checked here; every other rule is the service's."""
    data = form.cleaned_data
    try:
        methods = json.loads(data["methods"])
    except ValueError as exc:
        raise InvalidInput({"methods": [_bi(f"方法配置不是有效的 JSON：{exc}", f"The methods are not valid JSON: {exc}")]},
                           "配置有误，未保存，请按提示修改", "The settings have errors; nothing was saved") from exc
    hours = str(data["response_hours"] or "").strip()
    return {
        "disease": data["disease"] or None, "source": data["source"], "measure": data["measure"],
        "region_level": data["region_level"], "region": data["region"] or None, "profile": data["profile"],
        "methods": methods, "min_cases": _number(data["min_cases"]), "frequency": data["frequency"],
        "count_basis": data["count_basis"], "holiday_mode": data["holiday_mode"],
        "response_hours": _number(hours) if hours else None, "active": data["active"], "notes": data["notes"],
    }


def show_errors(form, exc: YingjiError):
    """The service's errors on the form: ``methods.0.params.percentile`` goes to the methods field, its path
    kept in front of the message; messages in the active language."""
    fields = {}
    for name, messages_ in (exc.fields or {}).items():
        head = name.split(".", 1)[0]
        if head in form.fields and head != name:
            path = name.split(".", 1)[1]
            messages_ = [{"message": f"{path}：{m['message']}", "message_en": f"{path}: {m['message_en']}"}
                         for m in messages_]
        fields.setdefault(head if head in form.fields else name, []).extend(messages_)
    exc.fields = fields
    return attach_errors(form, exc)


def _edit(request, instance):
    user = request.user
    require_viewer(user)
    if not (may_configure(user) if instance is None else config_service.may_edit(user, instance)):
        raise forbidden()
    form = ConfigForm(request.POST if request.method == "POST" else None, user=user, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            config = config_service.save_config(user, values_of(form), instance)
        except NotPermitted as exc:
            # a city CDC may only add or change settings limited to its own region: say so on the region field
            show_errors(form, InvalidInput({"region": [_bi(exc.message, exc.message_en)]}, exc.message,
                                           exc.message_en))
        except YingjiError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("Detection settings saved."))
            return redirect("detection:config_edit", pk=config.pk)
    return render(request, "detection/configs/form.html", {"form": form, "config": instance},
                  status=422 if form.is_bound and form.errors else 200)


@login_required
def config_create(request):
    return _edit(request, None)


@login_required
def config_edit(request, pk):
    user = request.user
    require_viewer(user)
    if not may_configure(user):
        raise forbidden()
    instance = get_object_or_404(configs_within_reach(user), pk=pk)
    return _edit(request, instance)
