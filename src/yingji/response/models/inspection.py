"""Supervision, inspection and rectification (督导检查/整改台账, seed F-23, F-31).

An Inspection (督导、检查、暗访 or 回头看) of the units of one region records Findings (发现的问题); each finding has a
responsible unit (责任单位) and a deadline (限期整改). The unit records its rectification (整改说明 + 佐证材料); a
follow-up inspection (回头看) of the earlier one checks every finding and either verifies it (整改到位) or sends it
back (未整改到位). A finding whose deadline has passed while open or being rectified is overdue — computed, never
stored (services.inspections.is_overdue). The ledger (整改台账) is every finding within reach. Every rule lives in
services/inspections.py.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class InspectionKind(models.TextChoices):
    SUPERVISION = "supervision", _("Supervision visit")
    INSPECTION = "inspection", _("Inspection visit")
    UNANNOUNCED = "unannounced", _("Unannounced visit")
    FOLLOW_UP = "follow_up", _("Follow-up inspection")


class FindingCategory(models.TextChoices):
    """Items checked, from the seeds (F-23 004 L27, F-31 D1–D3)."""

    PLANS = "plans", _("Emergency plans")
    TRAINING = "training", _("Training and drills")
    SURVEILLANCE = "surveillance", _("Disease surveillance and reporting")
    TRIAGE = "triage", _("Pre-examination and triage")
    DISINFECTION = "disinfection", _("Disinfection")
    PROTECTION = "protection", _("Staff protection")
    SUPPLIES = "supplies", _("Protective supplies and reserves")
    FIELD_CONTROL = "field_control", _("Field control of outbreaks")
    FACILITIES = "facilities", _("Facilities incomplete")
    MANAGEMENT = "management", _("Management not in place")
    OTHER = "other", _("Other")


class FindingStatus(models.TextChoices):
    """Stored states. 逾期 (overdue) is computed from the deadline: open or rectifying past it."""

    OPEN = "open", _("Not yet rectified")
    RECTIFYING = "rectifying", _("Being rectified")
    RECTIFIED = "rectified", _("Rectified (awaiting check)")
    VERIFIED = "verified", _("Verified")


OVERDUE = "overdue"  # the computed state (filters, ledger)
OPEN_STATUSES = (FindingStatus.OPEN, FindingStatus.RECTIFYING)


class ReviewResult(models.TextChoices):
    VERIFIED = "verified", _("Rectified as required")
    NOT_RECTIFIED = "not_rectified", _("Not rectified")


class Inspection(models.Model):
    """One supervision visit or inspection of the units of a region (or of the whole region), by one organisation.
    A 回头看 names the earlier inspection it follows up (``follow_up_of``) and checks that inspection's findings."""

    region = models.ForeignKey("core.Region", verbose_name=_("region inspected"), on_delete=models.PROTECT,
                               related_name="+")
    inspected_orgs = models.ManyToManyField("core.Organisation", verbose_name=_("units inspected"), blank=True,
                                            related_name="inspections")
    inspecting_org = models.ForeignKey("core.Organisation", verbose_name=_("inspecting organisation"),
                                       on_delete=models.PROTECT, related_name="inspections_made")
    date = models.DateField(_("inspection date"))
    kind = models.CharField(_("inspection kind"), max_length=16, choices=InspectionKind.choices,
                            default=InspectionKind.SUPERVISION)
    topic = models.CharField(_("topic"), max_length=200)
    event = models.ForeignKey("response.Event", verbose_name=_("emergency event"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="inspections")
    follow_up_of = models.ForeignKey("self", verbose_name=_("follow-up of"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="follow_ups")
    inspectors = models.TextField(_("inspectors"), blank=True)
    summary = models.TextField(_("summary"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    scope_region_field = "region__code"
    scope_org_field = "inspecting_org"
    scope_writer_roles = frozenset({"admin", "health_commission", "cdc"})

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")

    def __str__(self):
        return f"{self.date} {self.topic}"


class Finding(models.Model):
    """A problem found in an inspection (发现问题), to be rectified by the responsible unit before the deadline, and
    checked in a follow-up inspection. Scoped by the inspected region; a reporting unit reaches the findings it is
    responsible for (its ledger) and records its rectification."""

    inspection = models.ForeignKey(Inspection, verbose_name=_("inspection"), on_delete=models.CASCADE,
                                   related_name="findings")
    description = models.TextField(_("problem"))
    category = models.CharField(_("category"), max_length=16, choices=FindingCategory.choices,
                                default=FindingCategory.OTHER)
    responsible_org = models.ForeignKey("core.Organisation", verbose_name=_("responsible unit"),
                                        on_delete=models.PROTECT, related_name="findings")
    deadline = models.DateField(_("rectification deadline"))
    requirement = models.TextField(_("rectification requirement"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=FindingStatus.choices, default=FindingStatus.OPEN)
    rectification_note = models.TextField(_("rectification"), blank=True)
    rectified_at = models.DateTimeField(_("rectified at"), null=True, blank=True)
    evidence = models.FileField(_("evidence"), upload_to="response/findings/%Y/%m/", blank=True, max_length=255)
    evidence_name = models.CharField(_("evidence file name"), max_length=200, blank=True)
    reviewed_in = models.ForeignKey(Inspection, verbose_name=_("checked in follow-up"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="reviewed_findings")
    review_result = models.CharField(_("follow-up result"), max_length=16, choices=ReviewResult.choices, blank=True)
    review_note = models.TextField(_("follow-up note"), blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    scope_region_field = "inspection__region__code"
    scope_org_field = "responsible_org"
    scope_writer_roles = frozenset({"admin", "health_commission", "cdc", "reporter"})

    class Meta:
        ordering = ["deadline", "pk"]
        indexes = [models.Index(fields=["status", "deadline"])]
        verbose_name = _("inspection finding")
        verbose_name_plural = _("inspection findings")

    def __str__(self):
        return f"{self.responsible_org_id}: {self.description[:40]}"
