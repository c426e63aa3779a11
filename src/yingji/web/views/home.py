"""The home page: what lies within the user's jurisdiction (it grows into the dashboard)."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Max, Sum
from django.shortcuts import render

from yingji.core.models import Organisation, Region, RegionPopulation, User
from yingji.core.scoping import scope


def jurisdiction_root(user):
    """The region the user's reach starts from (the whole platform for an administrator without one)."""
    org = user.organisation
    if org is not None:
        return org.region
    return None


def jurisdiction_population(user, root):
    """(year, population) of the user's jurisdiction for the latest year with figures, or (None, None).

    The root region's own figure wins; otherwise its direct sub-regions' figures for that year are added up.
    """
    populations = scope(user, RegionPopulation.objects.all())
    if root is None:
        roots = Region.objects.filter(parent__isnull=True).values_list("code", flat=True)
        rows = populations.filter(region__in=roots)
        year = rows.aggregate(y=Max("year"))["y"]
        if year is None:
            return None, None
        return year, rows.filter(year=year).aggregate(s=Sum("population"))["s"]
    own = populations.filter(region=root).order_by("-year").first()
    if own is not None:
        return own.year, own.population
    children = populations.filter(region__parent=root)
    year = children.aggregate(y=Max("year"))["y"]
    if year is None:
        return None, None
    return year, children.filter(year=year).aggregate(s=Sum("population"))["s"]


@login_required
def home(request):
    user = request.user
    orgs = scope(user, Organisation.objects.filter(is_active=True))
    regions = scope(user, Region.objects.all())
    kind_labels = dict(Organisation.Kind.choices)
    level_labels = dict(Organisation.HospitalLevel.choices)
    by_kind = [
        {"kind": row["kind"], "name": str(kind_labels.get(row["kind"], row["kind"])), "value": row["n"]}
        for row in orgs.values("kind").annotate(n=Count("pk")).order_by("-n", "kind")
    ]
    by_level = [
        {"level": row["hospital_level"], "name": str(level_labels.get(row["hospital_level"], "")),
         "value": row["n"]}
        for row in orgs.filter(kind=Organisation.Kind.HOSPITAL)
        .values("hospital_level").annotate(n=Count("pk")).order_by("-hospital_level")
    ]
    region_levels = dict(Region.LevelChoices.choices)
    regions_by_level = [
        {"name": str(region_levels.get(row["level"], row["level"])), "value": row["n"]}
        for row in regions.values("level").annotate(n=Count("pk")).order_by("level")
    ]
    root = jurisdiction_root(user)
    year, population = jurisdiction_population(user, root)
    context = {
        "root": root,
        "region_count": regions.count(),
        "regions_by_level": regions_by_level,
        "organisation_count": orgs.count(),
        "by_kind": by_kind,
        "by_level": by_level,
        "hospital_count": sum(row["value"] for row in by_level),
        "user_count": scope(user, User.objects.filter(is_active=True)).count(),
        "population": population,
        "population_year": year,
        "chart_kinds": [{"name": row["name"], "value": row["value"]} for row in by_kind],
    }
    return render(request, "web/home.html", context)
