"""Enumerations of early warning (预警). Values are stable codes; labels are English msgids translated to Chinese."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Source(models.TextChoices):
    CARDS = "cards", _("Case report cards")
    FEVER_CLINIC = "fever_clinic", _("Fever-clinic daily reports")


class Measure(models.TextChoices):
    """What a series counts: cases (report cards) or a fever-clinic figure (per clinic's county)."""

    CASES = "cases", _("Cases")
    VISITS = "visits", _("Fever-clinic visits")
    POSITIVE = "positive", _("Fever-clinic positive tests")


class RegionLevel(models.TextChoices):
    """The spatial unit a series is counted for (CIDARS: the county)."""

    COUNTY = "county", _("County/district")
    PREFECTURE = "prefecture", _("Prefecture")
    PROVINCE = "province", _("Province")


REGION_LEVEL_NUMBER = {RegionLevel.PROVINCE: 1, RegionLevel.PREFECTURE: 2, RegionLevel.COUNTY: 3}


class Frequency(models.TextChoices):
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")


class CountBasis(models.TextChoices):
    ONSET = "onset", _("Onset date")
    REPORT = "report", _("Report date")


class HolidayMode(models.TextChoices):
    """How public holidays are taken into account (see services.counts for the rule)."""

    NONE = "none", _("Not taken into account")
    SHIFT = "shift", _("Counts of holidays moved to the next workday")
    EXCLUDE = "exclude", _("Holidays left out (not judged, not in baselines)")


class HolidayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Public holiday")
    WORKDAY = "workday", _("Make-up workday")


class RunKind(models.TextChoices):
    DAILY = "daily", _("Daily run")
    BACKFILL = "backfill", _("Backfill")


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    PARTIAL = "partial", _("Succeeded with problems")
    FAILED = "failed", _("Failed")


class SignalStatus(models.TextChoices):
    NEW = "new", _("To be verified")
    EXCLUDED = "excluded", _("Excluded")
    SUSPECTED = "suspected", _("Suspected event")
    INVESTIGATING = "investigating", _("Field investigation")
    CONFIRMED = "confirmed", _("Confirmed outbreak")
    LINKED = "linked", _("Linked to an event")


# The lifecycle: from → the statuses it may move to. ``linked`` is reached only by linking an event report.
TRANSITIONS = {
    SignalStatus.NEW: (SignalStatus.EXCLUDED, SignalStatus.SUSPECTED),
    SignalStatus.SUSPECTED: (SignalStatus.INVESTIGATING, SignalStatus.EXCLUDED),
    SignalStatus.INVESTIGATING: (SignalStatus.CONFIRMED, SignalStatus.EXCLUDED),
    SignalStatus.CONFIRMED: (SignalStatus.LINKED,),
    SignalStatus.EXCLUDED: (),
    SignalStatus.LINKED: (),
}
OPEN_STATUSES = (SignalStatus.NEW, SignalStatus.SUSPECTED, SignalStatus.INVESTIGATING, SignalStatus.CONFIRMED)
