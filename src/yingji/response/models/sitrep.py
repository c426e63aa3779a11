from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

WRITERS = frozenset({"admin", "health_commission", "cdc"})


class SitrepKind(models.TextChoices):
    """初次报告 / 进程报告 / 结案报告 (statutory-rules §2.3)."""

    INITIAL = "initial", _("Initial report")
    PROGRESS = "progress", _("Progress report")
    FINAL = "final", _("Final report")


class SitrepStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")


# The body of a report, in the order the page and the printout show it.
BODY_FIELDS = ("overview", "cases_deaths", "trend", "causes", "measures", "next_steps", "needs")


class SituationReport(models.Model):
    """A situation report (信息报送) on an event: one initial report, progress reports numbered 1, 2 … while the
    response lasts, one final report. A draft is filled from the event's data and edited; once submitted it is
    read-only. ``due_at`` comes from settings (services.sitreps); ``late`` is set when it is submitted."""

    event = models.ForeignKey("response.Event", verbose_name=_("event"), on_delete=models.CASCADE,
                              related_name="situation_reports")
    kind = models.CharField(_("report type"), max_length=16, choices=SitrepKind.choices)
    sequence = models.PositiveIntegerField(_("number"), default=0)
    status = models.CharField(_("status"), max_length=16, choices=SitrepStatus.choices, default=SitrepStatus.DRAFT)
    title = models.CharField(_("title"), max_length=200)
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    overview = models.TextField(_("event overview"), blank=True)
    cases_deaths = models.TextField(_("cases and deaths"), blank=True)
    trend = models.TextField(_("development and trend"), blank=True)
    causes = models.TextField(_("diagnosis, causes and risk"), blank=True)
    measures = models.TextField(_("measures taken"), blank=True)
    next_steps = models.TextField(_("next steps"), blank=True)
    needs = models.TextField(_("needs and difficulties"), blank=True)
    reporting_org = models.ForeignKey("core.Organisation", verbose_name=_("reporting organisation"),
                                      on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    late = models.BooleanField(_("late"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    scope_region_field = "event__region__code"
    scope_org_field = "event__lead_org"
    scope_writer_roles = WRITERS

    class Meta:
        ordering = ["event", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "kind", "sequence"], name="response_sitrep_number_unique"),
            models.UniqueConstraint(fields=["event"], condition=models.Q(kind="final"),
                                    name="response_sitrep_one_final"),
            models.UniqueConstraint(fields=["event"], condition=models.Q(kind="initial"),
                                    name="response_sitrep_one_initial"),
        ]
        verbose_name = _("situation report")
        verbose_name_plural = _("situation reports")

    def __str__(self):
        number = f" {self.sequence}" if self.kind == SitrepKind.PROGRESS else ""
        return f"{self.get_kind_display()}{number}: {self.title}"
