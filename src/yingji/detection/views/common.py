"""What the early-warning pages share: who may open them, scoped pickers, labels of methods."""

from django.utils.translation import gettext_lazy as _

from yingji.core.models import Region
from yingji.core.roles import Role
from yingji.surveillance.views.common import region_choices  # noqa: F401  (re-exported for the views)
from yingji.web.helpers import forbidden

# The roles that look after a region see the early-warning pages; reporters and 120 dispatchers do not.
REGIONAL = (Role.CDC, Role.HEALTH_COMMISSION, Role.LEADER)

METHOD_LABELS = {
    "fixed_threshold": _("Fixed threshold"),
    "cidars_mpm": _("Moving percentile (CIDARS)"),
    "ears_c1": "EARS C1",
    "ears_c2": "EARS C2",
    "ears_c3": "EARS C3",
    "cusum": "CUSUM",
    "ewma": "EWMA",
    "farrington_flexible": _("Farrington flexible"),
}


def method_label(name: str) -> str:
    return str(METHOD_LABELS.get(name, name))


def may_see(user) -> bool:
    return bool(user.is_authenticated and (user.is_platform_admin or user.role in REGIONAL))


def require_viewer(user) -> None:
    if not may_see(user):
        raise forbidden()


def is_city_level(user) -> bool:
    """A user whose organisation looks after a prefecture or more (a city CDC, not a district's)."""
    org = user.organisation
    return bool(org is not None and org.region.level <= Region.LevelChoices.PREFECTURE)


def may_configure(user) -> bool:
    """Administrators and city (or higher) CDCs change the detection configuration."""
    return bool(user.is_platform_admin or (user.role == Role.CDC and user.is_active and is_city_level(user)))
