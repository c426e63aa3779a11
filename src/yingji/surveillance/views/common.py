"""What the surveillance pages share: scoped pickers, service errors → HTTP, chart payloads."""

from contextlib import contextmanager
from datetime import date, datetime, time, timedelta

from django import forms
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yingji.core import scoping
from yingji.core.errors import NotFound, NotPermitted, YingjiError
from yingji.core.models import Organisation, Region
from yingji.core.roles import Role
from yingji.web.helpers import attach_errors, forbidden, pick

EVERYTHING = ("", _("All"))

# Units that report cards, zero/daily reports and fever-clinic figures.
REPORTING_KINDS = (
    Organisation.Kind.HOSPITAL, Organisation.Kind.COMMUNITY_HEALTH_CENTRE, Organisation.Kind.TOWNSHIP_HOSPITAL,
    Organisation.Kind.CLINIC, Organisation.Kind.CDC, Organisation.Kind.LABORATORY,
)


# Filters never echo a refused value (another district's code must not appear on the page).
NO_ECHO = {"invalid_choice": _("Select a valid choice. That choice is not one of the available choices.")}


class Choice(forms.ChoiceField):
    default_error_messages = NO_ECHO


class TypedChoice(forms.TypedChoiceField):
    default_error_messages = NO_ECHO


def indent(level: int) -> str:
    return "　" * max(level - 2, 0)


def region_choices(user, *, max_level=Region.LevelChoices.COUNTY, blank=EVERYTHING):
    """The regions within the user's reach, down to ``max_level`` (county by default), as select choices."""
    regions = scoping.scope(user, Region.objects.filter(level__lte=max_level)).order_by("code")
    return ([blank] if blank else []) + [(r.code, f"{indent(r.level)}{r.name}") for r in regions]


def unit_queryset(user, *, kinds=REPORTING_KINDS):
    qs = scoping.scope(user, Organisation.objects.filter(is_active=True)).select_related("region")
    if kinds:
        qs = qs.filter(kind__in=kinds)
    return qs.order_by("region__code", "name")


def unit_choices(user, *, kinds=REPORTING_KINDS, blank=EVERYTHING):
    return ([blank] if blank else []) + [(o.pk, o.name) for o in unit_queryset(user, kinds=kinds)]


def is_regional(user) -> bool:
    """Users who look after a region (CDC, commission, leader, administrator) rather than one unit."""
    return user.is_platform_admin or user.role in (Role.CDC, Role.HEALTH_COMMISSION, Role.LEADER)


def is_cdc(user) -> bool:
    return user.is_platform_admin or user.role == Role.CDC


@contextmanager
def http_errors():
    """Scoping and permission errors from a service become 404 / 403 pages."""
    try:
        yield
    except NotFound as exc:
        raise Http404(f"{exc.message} / {exc.message_en}") from exc
    except NotPermitted as exc:
        raise forbidden(exc) from exc


def show_error(form, exc: YingjiError):
    """A service's field errors on the page's form (kept with the user's input)."""
    return attach_errors(form, exc)


def error_text(exc: YingjiError) -> str:
    return pick(exc.message, exc.message_en)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


def day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def day_after(day: date) -> datetime:
    return day_start(day + timedelta(days=1))


def percent(value) -> float | None:
    """A rate (0–1) as a percentage with one decimal, for tables and charts; None stays None."""
    if value is None:
        return None
    return round(float(value) * 100, 1)
