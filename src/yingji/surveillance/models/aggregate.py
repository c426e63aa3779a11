from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..choices import Frequency


class ReportingSchedule(models.Model):
    """What a reporting unit must send and how often (零报告/日报告): weekly by default, daily for named diseases
    while a response is active."""

    organisation = models.ForeignKey("core.Organisation", verbose_name=_("reporting unit"), on_delete=models.CASCADE,
                                     related_name="reporting_schedules")
    frequency = models.CharField(_("frequency"), max_length=8, choices=Frequency.choices, default=Frequency.WEEKLY)
    diseases = models.ManyToManyField("surveillance.Disease", verbose_name=_("diseases"), blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    due_hour = models.PositiveSmallIntegerField(
        _("due by (hour, Beijing time)"), default=10, validators=[MaxValueValidator(23)],
        help_text=_("A daily report for day D is due at this hour of day D+1; a weekly one on the Monday after."),
    )
    reason = models.CharField(_("reason"), max_length=128, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    scope_region_field = "organisation__region__code"
    scope_org_field = "organisation"
    scope_writer_roles = frozenset({"admin", "health_commission", "cdc"})

    class Meta:
        ordering = ["organisation", "-valid_from"]
        indexes = [models.Index(fields=["valid_from", "valid_to"])]
        verbose_name = _("reporting schedule")
        verbose_name_plural = _("reporting schedules")

    def __str__(self):
        return f"{self.organisation} {self.get_frequency_display()}"


class AggregateReport(models.Model):
    """One period's counts from one unit, or an explicit zero (零报告)."""

    organisation = models.ForeignKey("core.Organisation", verbose_name=_("reporting unit"), on_delete=models.PROTECT,
                                     related_name="aggregate_reports")
    frequency = models.CharField(_("frequency"), max_length=8, choices=Frequency.choices)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    is_zero = models.BooleanField(_("zero report"), default=False)
    counts = models.JSONField(_("counts by disease"), default=dict, blank=True,
                              help_text=_("Disease code → count, as last submitted (kept so the audit log shows "
                                          "what a resubmission changed)."))
    first_submitted_at = models.DateTimeField(_("first submitted at"))
    due_at = models.DateTimeField(_("due at"))
    revision = models.PositiveSmallIntegerField(_("revision"), default=1)
    submitted_at = models.DateTimeField(_("submitted at"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), null=True,
                                     on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("note"), max_length=255, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    scope_region_field = "organisation__region__code"
    scope_org_field = "organisation"
    scope_writer_roles = frozenset({"admin", "cdc", "reporter"})

    class Meta:
        ordering = ["-period_start", "organisation"]
        constraints = [models.UniqueConstraint(fields=["organisation", "frequency", "period_start"],
                                               name="one_aggregate_report_per_unit_period")]
        verbose_name = _("zero or daily report")
        verbose_name_plural = _("zero or daily reports")

    def __str__(self):
        return f"{self.organisation} {self.period_start}"

    @property
    def on_time(self) -> bool:
        """Received by its due time (the first submission counts; a later correction does not make it late)."""
        return self.first_submitted_at <= self.due_at


class AggregateReportLine(models.Model):
    report = models.ForeignKey(AggregateReport, on_delete=models.CASCADE, related_name="lines")
    disease = models.ForeignKey("surveillance.Disease", verbose_name=_("disease"), on_delete=models.PROTECT)
    count = models.PositiveIntegerField(_("count"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "disease"], name="one_line_per_disease")]

    def __str__(self):
        return f"{self.disease}: {self.count}"


class OverdueReminder(models.Model):
    """That a unit was reminded of one overdue period, so the reminder job never sends it twice."""

    organisation = models.ForeignKey("core.Organisation", verbose_name=_("reporting unit"), on_delete=models.CASCADE,
                                     related_name="+")
    frequency = models.CharField(_("frequency"), max_length=8, choices=Frequency.choices)
    period_start = models.DateField(_("period start"))
    due_at = models.DateTimeField(_("due at"))
    notified_at = models.DateTimeField(_("reminded at"), auto_now_add=True)
    recipients = models.PositiveIntegerField(_("recipients"), default=0)

    scope_region_field = "organisation__region__code"
    scope_org_field = "organisation"
    scope_writer_roles = frozenset({"admin"})

    class Meta:
        ordering = ["-notified_at"]
        constraints = [models.UniqueConstraint(fields=["organisation", "frequency", "period_start"],
                                               name="one_reminder_per_unit_period")]
        verbose_name = _("overdue reminder")
        verbose_name_plural = _("overdue reminders")

    def __str__(self):
        return f"{self.organisation} {self.period_start}"
