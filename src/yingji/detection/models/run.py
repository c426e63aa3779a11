from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..choices import RunKind, RunStatus


class DetectionRun(models.Model):
    """One detection run for one date (a daily run, or one day of a backfill).

    ``problems`` lists the series that could not be judged: ``[{"series": "甲区 · 霍乱", "region", "disease",
    "method", "code", "message", "message_en"}]``; the other series were processed.
    """

    run_date = models.DateField(_("run date"), db_index=True)
    kind = models.CharField(_("kind"), max_length=16, choices=RunKind.choices, default=RunKind.DAILY)
    status = models.CharField(_("status"), max_length=16, choices=RunStatus.choices, default=RunStatus.RUNNING)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    series_count = models.PositiveIntegerField(_("series"), default=0)
    signal_count = models.PositiveIntegerField(_("signals"), default=0)
    new_signal_count = models.PositiveIntegerField(_("new signals"), default=0)
    problems = models.JSONField(_("problems"), default=list, blank=True)
    error = models.TextField(_("error"), blank=True)
    triggered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("triggered by"), null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="+")

    # Runs are platform-wide: everyone signed in reads them, administrators start them.
    scope_region_field = None
    scope_org_field = None
    scope_writer_roles = frozenset({"admin"})

    class Meta:
        ordering = ["-run_date", "-started_at"]
        verbose_name = _("detection run")
        verbose_name_plural = _("detection runs")

    def __str__(self):
        return f"{self.run_date} {self.get_kind_display()} {self.get_status_display()}"
