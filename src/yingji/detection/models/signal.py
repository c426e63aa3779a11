from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..choices import Measure, SignalStatus, Source


class Signal(models.Model):
    """An early-warning signal (预警信号): one series (region × disease or fever-clinic figure) alarmed by one method
    on one date. Lifecycle (choices.TRANSITIONS): new → excluded | suspected → investigating → confirmed → linked.

    A run repeated for the same date finds the same signal (unique per series, method and date) and never makes a
    second one. ``raised_at`` is when the signal was issued (the run's time; for a backfilled date, that date's
scheduled run time), ``verify_due_at`` is when the preliminary verification (初步核实) is due; ``verified_at`` is the
    first response (the first transition out of ``new``), from which response KPIs are computed.
    """

    region = models.ForeignKey("core.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    disease = models.ForeignKey("surveillance.Disease", verbose_name=_("disease"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="signals")
    source = models.CharField(_("data source"), max_length=16, choices=Source.choices, default=Source.CARDS)
    measure = models.CharField(_("counted"), max_length=16, choices=Measure.choices, default=Measure.CASES)
    config = models.ForeignKey("detection.DetectionConfig", verbose_name=_("configuration"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="signals")
    method = models.CharField(_("method"), max_length=32)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    signal_date = models.DateField(_("signal date"))
    observed = models.FloatField(_("observed"))
    # A statistical alarm on the following days of an open signal joins it instead of raising another one
    # (services.runs: YINGJI_SIGNAL_QUIET_DAYS): the last such day and how many days alarmed in all.
    last_alarm_date = models.DateField(_("last alarm date"), null=True, blank=True)
    alarm_days = models.PositiveIntegerField(_("days alarmed"), default=1)
    expected = models.FloatField(_("expected"), null=True, blank=True)
    upper = models.FloatField(_("threshold"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=SignalStatus.choices, default=SignalStatus.NEW)
    raised_at = models.DateTimeField(_("raised at"), null=True, blank=True,
                                     help_text=_("When the signal was issued; response times count from here."))
    assigned_org = models.ForeignKey("core.Organisation", verbose_name=_("responsible CDC"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="signals")
    verify_due_at = models.DateTimeField(_("verification due"))
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("verified by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    overdue_flagged_at = models.DateTimeField(_("flagged overdue at"), null=True, blank=True)
    outcome_note = models.TextField(_("outcome"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    event_report = models.ForeignKey("surveillance.EventReport", verbose_name=_("event report"), null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="signals")
    response_ref = models.CharField(_("response event"), max_length=64, blank=True,
                                    help_text=_("Reference of the response event (response app)."))
    run = models.ForeignKey("detection.DetectionRun", verbose_name=_("run"), null=True, blank=True,
                            on_delete=models.SET_NULL, related_name="signals")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    scope_region_field = "region__code"
    scope_org_field = "assigned_org"
    scope_writer_roles = frozenset({"admin", "cdc"})

    class Meta:
        ordering = ["-signal_date", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["region", "source", "measure", "disease", "method", "signal_date"],
                                    condition=Q(disease__isnull=False), name="one_signal_per_series_method_day"),
            models.UniqueConstraint(fields=["region", "source", "measure", "method", "signal_date"],
                                    condition=Q(disease__isnull=True),
                                    name="one_fever_signal_per_series_method_day"),
        ]
        indexes = [
            models.Index(fields=["status", "verify_due_at"]),
            models.Index(fields=["region", "signal_date"]),
            models.Index(fields=["disease", "signal_date"]),
        ]
        verbose_name = _("early-warning signal")
        verbose_name_plural = _("early-warning signals")

    def __str__(self):
        what = self.disease.name if self.disease_id else self.get_measure_display()
        return f"{self.signal_date} {self.region.name} {what} ({self.method})"

    @property
    def series_label(self) -> str:
        what = self.disease.name if self.disease_id else str(self.get_measure_display())
        return f"{self.region.name} · {what}"


class SignalAction(models.Model):
    """One step of a signal's lifecycle: who moved it from which status to which, when, and why."""

    signal = models.ForeignKey(Signal, verbose_name=_("signal"), on_delete=models.CASCADE, related_name="actions")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    from_status = models.CharField(_("from"), max_length=16, choices=SignalStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=16, choices=SignalStatus.choices)
    at = models.DateTimeField(_("at"))
    note = models.TextField(_("note"), blank=True)

    scope_region_field = "signal__region__code"
    scope_org_field = "signal__assigned_org"
    scope_writer_roles = frozenset({"admin", "cdc"})

    class Meta:
        ordering = ["signal", "at", "pk"]
        verbose_name = _("signal action")
        verbose_name_plural = _("signal actions")

    def __str__(self):
        return f"{self.signal_id}: {self.from_status or '—'} → {self.to_status}"
