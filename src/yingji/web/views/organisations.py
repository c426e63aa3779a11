"""Organisations (机构): filtered list (htmx), detail, create/edit/delete, Excel export, import."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yingji.core import importing, scoping, services
from yingji.core.errors import Conflict, NotPermitted, YingjiError
from yingji.core.forms import OrganisationForm
from yingji.core.models import Organisation, Region

from ..helpers import attach_errors, forbidden, may_create, paginate, query_without_page, scoped_object
from .imports import XLSX_TYPE, import_page, template_response, xlsx_bytes


class OrganisationFilter(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search"), required=False)
    kind = forms.ChoiceField(label=gettext_lazy("kind"), required=False)
    region = forms.ChoiceField(label=gettext_lazy("region"), required=False)
    hospital_level = forms.ChoiceField(label=gettext_lazy("hospital level"), required=False)

    def __init__(self, data, *, user):
        super().__init__(data)
        everything = [("", gettext_lazy("All"))]
        self.fields["kind"].choices = everything + list(Organisation.Kind.choices)
        self.fields["hospital_level"].choices = everything + list(Organisation.HospitalLevel.choices)
        regions = scoping.scope(user, Region.objects.filter(level__lte=Region.LevelChoices.COUNTY))
        self.fields["region"].choices = everything + [
            (r.code, f"{'　' * max(r.level - 1, 0)}{r.name}") for r in regions.order_by("code")
        ]

    def apply(self, queryset):
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        if data["q"]:
            q = data["q"].strip()
            queryset = queryset.filter(
                Q(name__icontains=q) | Q(short_name__icontains=q) | Q(code__icontains=q) | Q(address__icontains=q)
            )
        if data["kind"]:
            queryset = queryset.filter(kind=data["kind"])
        if data["region"]:
            from yingji.core.regioncodes import subtree_prefix

            queryset = queryset.filter(region__code__startswith=subtree_prefix(data["region"]))
        if data["hospital_level"]:
            queryset = queryset.filter(hospital_level=data["hospital_level"])
        return queryset


def filtered_organisations(request):
    form = OrganisationFilter(request.GET or None, user=request.user)
    queryset = scoping.scope(request.user, Organisation.objects.select_related("region", "parent"))
    return form, form.apply(queryset).order_by("region__code", "kind", "name")


@login_required
def organisation_list(request):
    form, organisations = filtered_organisations(request)
    context = {
        "filter": form, "page": paginate(request, organisations), "query": query_without_page(request),
        "may_create": may_create(request.user, Organisation),
    }
    if request.htmx and request.htmx.target == "organisation-results":
        return render(request, "web/organisations/_table.html", context)
    return render(request, "web/organisations/list.html", context)


@login_required
def organisation_detail(request, pk):
    org = scoped_object(request.user, Organisation.objects.select_related("region", "parent"), pk=pk)
    children = scoping.scope(request.user, org.children.all()).select_related("region")
    return render(request, "web/organisations/detail.html", {
        "org": org, "children": children, "may_write": scoping.can(request.user, org, write=True),
    })


class OrganisationPageForm(OrganisationForm):
    """The core form, with the region offered as a list of the regions within the user's reach."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        regions = scoping.scope(user, Region.objects.all()).order_by("code")
        self.fields["region"].widget = forms.Select(
            choices=[("", "---------")] + [(r.code, f"{r.code} {'　' * max(r.level - 1, 0)}{r.name}")
                                           for r in regions]
        )


def _organisation_form_page(request, instance):
    data = request.POST if request.method == "POST" else None
    form = OrganisationPageForm(data, instance=instance, user=request.user)
    if data is not None:
        target = Organisation.objects.get(pk=instance.pk) if instance else None  # untouched by the page form
        try:
            org = services.save_organisation(request.user, data.dict(), instance=target)
        except NotPermitted as exc:
            raise forbidden(exc) from exc
        except YingjiError as exc:  # invalid input, or a duplicate saved meanwhile
            attach_errors(form, exc)
        else:
            messages.success(request, _("Organisation %(name)s saved.") % {"name": org.name})
            return redirect("web:organisation_detail", pk=org.pk)
    return render(request, "web/organisations/form.html", {"form": form, "org": instance},
                  status=422 if form.is_bound and form.errors else 200)


@login_required
def organisation_create(request):
    if not may_create(request.user, Organisation):
        raise forbidden()
    return _organisation_form_page(request, None)


@login_required
def organisation_edit(request, pk):
    org = scoped_object(request.user, Organisation.objects.all(), write=True, pk=pk)
    return _organisation_form_page(request, org)


@login_required
def organisation_delete(request, pk):
    org = scoped_object(request.user, Organisation.objects.select_related("region"), write=True, pk=pk)
    if request.method == "POST":
        try:
            services.delete_organisation(request.user, org)
        except NotPermitted as exc:
            raise forbidden(exc) from exc
        except Conflict as exc:
            text = exc.message_en if translation.get_language().startswith("en") else exc.message
            messages.error(request, text)
            return redirect("web:organisation_detail", pk=org.pk)
        messages.success(request, _("Organisation %(name)s deleted.") % {"name": org.name})
        return redirect("web:organisation_list")
    return render(request, "web/organisations/delete.html", {"org": org})


EXPORT_FIELDS = [
    "code", "name", "short_name", "kind", "region", "parent", "hospital_level", "hospital_grade", "hospital_type",
    "address", "longitude", "latitude", "contact_person", "contact_phone", "duty_phone",
]


def _export_row(org):
    values = {
        "code": org.code, "name": org.name, "short_name": org.short_name, "kind": str(org.get_kind_display()),
        "region": org.region_id, "parent": org.parent.code if org.parent_id else "",
        "hospital_level": str(org.get_hospital_level_display()) if org.hospital_level else "",
        "hospital_grade": str(org.get_hospital_grade_display()) if org.hospital_grade else "",
        "hospital_type": str(org.get_hospital_type_display()) if org.hospital_type else "",
        "address": org.address,
        "longitude": float(org.longitude) if org.longitude is not None else None,
        "latitude": float(org.latitude) if org.latitude is not None else None,
        "contact_person": org.contact_person, "contact_phone": org.contact_phone, "duty_phone": org.duty_phone,
    }
    return [values[f] for f in EXPORT_FIELDS] + [org.region.name, "启用" if org.is_active else "停用"]


@login_required
def organisation_export(request):
    """The filtered list within the user's reach as Excel, with the import's Chinese headers (round-trips)."""
    _form, organisations = filtered_organisations(request)
    header = [importing.ORGANISATION_COLUMNS[f][0] for f in EXPORT_FIELDS] + ["行政区划名称", "状态"]
    with translation.override("zh-hans"):
        rows = [_export_row(org) for org in organisations]
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(xlsx_bytes("机构", header, rows), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="organisations-{stamp}.xlsx"'
    return response


ORG_FIELD_LABELS = {name: Organisation._meta.get_field(name).verbose_name for name in EXPORT_FIELDS}
ORG_FIELD_LABELS[""] = ""


@login_required
def organisation_import(request):
    if not may_create(request.user, Organisation):
        raise forbidden()
    return import_page(
        request, importer=importing.import_organisations, title=gettext_lazy("Import organisations"),
        columns=importing.ORGANISATION_COLUMNS, required=("code", "name", "kind", "region"),
        template_url="web:organisation_template", back_url="web:organisation_list", field_labels=ORG_FIELD_LABELS,
    )


@login_required
def organisation_template(request, fmt):
    header = [aliases[0] for aliases in importing.ORGANISATION_COLUMNS.values()]
    rows = [
        ["12990100MB0000001X", "示范市第一人民医院", "市一院", "医院", "990102", "", "三级", "甲等", "综合",
         "示范市甲区人民路1号", "116.400000", "39.900000", "张医生", "010-12345678", "010-12345120"],
        ["12990100MB0000002X", "示范市甲区社区卫生服务中心", "", "社区卫生服务中心", "990102001", "", "", "", "",
         "示范市甲区建设路8号", "", "", "李主任", "010-87654321", "010-87654120"],
    ]
    return template_response(fmt, "organisations-template", header, rows)
