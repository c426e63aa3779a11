from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class FeverClinicDailyReport(models.Model):
    """A fever clinic's or sentinel's day (发热门诊日报); these series feed early warning."""

    organisation = models.ForeignKey("core.Organisation", verbose_name=_("fever clinic or sentinel"),
                                     on_delete=models.PROTECT, related_name="fever_clinic_reports")
    date = models.DateField(_("date"))
    visits = models.PositiveIntegerField(_("visits"))
    tested = models.PositiveIntegerField(_("tested"))
    positive = models.PositiveIntegerField(_("positive"))
    observed = models.PositiveIntegerField(_("kept under observation"))
    transferred = models.PositiveIntegerField(_("transferred"))
    submitted_at = models.DateTimeField(_("submitted at"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), null=True,
                                     on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("note"), max_length=255, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    scope_region_field = "organisation__region__code"
    scope_org_field = "organisation"
    scope_writer_roles = frozenset({"admin", "cdc", "reporter"})

    class Meta:
        ordering = ["-date", "organisation"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "date"], name="one_fever_report_per_clinic_day"),
            models.CheckConstraint(condition=models.Q(tested__lte=models.F("visits")), name="tested_le_visits"),
            models.CheckConstraint(condition=models.Q(positive__lte=models.F("tested")), name="positive_le_tested"),
            models.CheckConstraint(condition=models.Q(observed__lte=models.F("visits")), name="observed_le_visits"),
            models.CheckConstraint(condition=models.Q(transferred__lte=models.F("visits")),
                                   name="transferred_le_visits"),
        ]
        verbose_name = _("fever-clinic daily report")
        verbose_name_plural = _("fever-clinic daily reports")

    def __str__(self):
        return f"{self.organisation} {self.date}"
