"""Regions (行政区划): list, detail, create/edit, population entry and import."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from yingji.core import importing, scoping, services
from yingji.core.errors import NotPermitted, YingjiError
from yingji.core.forms import RegionForm, RegionPopulationForm
from yingji.core.models import Organisation, Region

from ..helpers import attach_errors, forbidden, may_create, paginate, query_without_page, scoped_object
from .imports import import_page, template_response


@login_required
def region_list(request):
    regions = scoping.scope(request.user, Region.objects.all()).select_related("parent")
    level = request.GET.get("level", "")
    q = request.GET.get("q", "").strip()
    if level.isdigit():
        regions = regions.filter(level=int(level))
    if q:
        regions = regions.filter(Q(code__startswith=q) | Q(name__icontains=q))
    regions = regions.annotate(organisation_count=Count("organisations")).order_by("code")
    page = paginate(request, regions, 100)
    page.object_list = list(page.object_list)
    tree = not (q or level)
    top = min((r.level for r in page.object_list), default=0)
    for region in page.object_list:  # indent sub-regions under their parents (the list is in code order)
        region.depth = min(region.level - top, 3) if tree else 0
    return render(request, "web/regions/list.html", {
        "page": page, "level": level, "q": q, "levels": Region.LevelChoices.choices,
        "query": query_without_page(request),
        "may_create": may_create(request.user, Region),
    })


@login_required
def region_detail(request, code):
    region = scoped_object(request.user, Region.objects.select_related("parent"), code=code)
    user = request.user
    children = scoping.scope(user, region.children.all()).annotate(organisation_count=Count("organisations"))
    organisations = scoping.scope(
        user, Organisation.objects.filter(region__code__startswith=region.subtree_prefix)
    ).select_related("region")
    populations = scoping.scope(user, region.populations.all()).order_by("-year")
    may_write = scoping.can(user, region, write=True)
    return render(request, "web/regions/detail.html", {
        "region": region, "ancestors": [a for a in region.ancestors() if scoping.can(user, a)],
        "children": children, "organisations": organisations[:200], "organisation_total": organisations.count(),
        "populations": populations, "may_write": may_write,
        "population_form": RegionPopulationForm(initial={"region": region.code}) if may_write else None,
    })


def _region_form_page(request, instance):
    data = request.POST if request.method == "POST" else None
    form = RegionForm(data, instance=instance)
    if data is not None:
        try:
            region = services.save_region(request.user, data.dict(), instance=instance)
        except NotPermitted as exc:
            raise forbidden(exc) from exc
        except YingjiError as exc:  # invalid input, or a duplicate saved meanwhile
            attach_errors(form, exc)
        else:
            messages.success(request, _("Region %(name)s saved.") % {"name": region})
            return redirect("web:region_detail", code=region.code)
    return render(request, "web/regions/form.html", {"form": form, "region": instance},
                  status=422 if form.is_bound and form.errors else 200)


@login_required
def region_create(request):
    if not may_create(request.user, Region):
        raise forbidden()
    return _region_form_page(request, None)


@login_required
def region_edit(request, code):
    region = scoped_object(request.user, Region.objects.all(), write=True, code=code)
    return _region_form_page(request, region)


@login_required
@require_POST
def population_add(request, code):
    region = scoped_object(request.user, Region.objects.all(), write=True, code=code)
    data = request.POST.dict()
    data["region"] = region.code
    try:
        figure = services.save_population(request.user, data)
    except NotPermitted as exc:
        raise forbidden(exc) from exc
    except YingjiError as exc:
        form = attach_errors(RegionPopulationForm(data), exc)
        return render(request, "web/regions/population_form.html", {"form": form, "region": region}, status=422)
    messages.success(request, _("Population for %(year)s saved.") % {"year": figure.year})
    return redirect("web:region_detail", code=region.code)


REGION_FIELD_LABELS = {
    "code": gettext_lazy("region code"), "name": gettext_lazy("name"), "parent": gettext_lazy("parent region"),
    "population": gettext_lazy("population"), "year": gettext_lazy("year"), "": "",
}


@login_required
def region_import(request):
    if not may_create(request.user, Region):
        raise forbidden()
    return import_page(
        request, importer=importing.import_regions, title=gettext_lazy("Import regions"),
        columns=importing.REGION_COLUMNS, required=("code", "name"),
        template_url="web:region_template", back_url="web:region_list", field_labels=REGION_FIELD_LABELS,
    )


@login_required
def region_template(request, fmt):
    header = [aliases[0] for aliases in importing.REGION_COLUMNS.values()]
    rows = [["990100", "示范市", "990000", "3000000", "2025"], ["990102", "甲区", "990100", "500000", "2025"],
            ["990102001", "甲区第一街道", "990102", "", ""]]
    return template_response(fmt, "regions-template", header, rows)

