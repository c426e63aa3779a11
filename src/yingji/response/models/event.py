from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yingji.surveillance.choices import EventCategory, EventGrade

from ..choices import EventOrigin, EventStatus, ResponseLevel


class Event(models.Model):
    """A public-health emergency being handled (突发事件): graded I–IV, under a response level (I–IV级响应) whose every
    change is a LevelChange, led by one organisation in one region (the jurisdiction that handles it; the affected
    regions lie within it). Status: 启动 (started) → 处置中 (ongoing) → 终止 (ended, with a closing summary).

    Created from a verified signal (``source_signal``), from a public-health event report (``source_report``) or by
    hand. Every rule lives in services/events.py; nothing here changes a level or a status by itself.
    """

    number = models.CharField(_("event number"), max_length=32, unique=True)
    title = models.CharField(_("title"), max_length=200)
    category = models.CharField(_("event category"), max_length=32, choices=EventCategory.choices)
    grade = models.CharField(_("grade"), max_length=16, choices=EventGrade.choices, default=EventGrade.UNGRADED)
    disease = models.ForeignKey("surveillance.Disease", verbose_name=_("disease"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("core.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+",
                               help_text=_("The jurisdiction that handles the event; affected regions lie within it."))
    affected_regions = models.ManyToManyField("core.Region", verbose_name=_("affected regions"), blank=True,
                                              related_name="+")
    lead_org = models.ForeignKey("core.Organisation", verbose_name=_("lead organisation"), on_delete=models.PROTECT,
                                 related_name="led_events")
    origin = models.CharField(_("origin"), max_length=16, choices=EventOrigin.choices, default=EventOrigin.MANUAL)
    source_signal = models.ForeignKey("detection.Signal", verbose_name=_("from signal"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="response_events")
    source_report = models.ForeignKey("surveillance.EventReport", verbose_name=_("from event report"), null=True,
                                      blank=True, on_delete=models.PROTECT, related_name="response_events")
    status = models.CharField(_("status"), max_length=16, choices=EventStatus.choices, default=EventStatus.STARTED)
    response_level = models.CharField(_("response level"), max_length=8, choices=ResponseLevel.choices,
                                      default=ResponseLevel.NONE)
    response_started_at = models.DateTimeField(_("response started at"), null=True, blank=True)
    response_lifted_at = models.DateTimeField(_("response lifted at"), null=True, blank=True)
    occurred_at = models.DateTimeField(_("occurred / discovered at"))
    description = models.TextField(_("description"), blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    closing_summary = models.TextField(_("closing summary"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    # When the event was opened on the platform (services.events sets it to the time it was opened, which the demo
    # may place in the past), so the command page's timeline starts with it.
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    scope_region_field = "region__code"
    scope_org_field = "lead_org"
    audit_m2m = ("affected_regions",)  # core.audit records changes of the affected regions too
    scope_writer_roles = frozenset({"admin", "health_commission", "cdc"})

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        indexes = [models.Index(fields=["status", "response_level"])]
        verbose_name = _("emergency event")
        verbose_name_plural = _("emergency events")

    def __str__(self):
        return f"{self.number} {self.title}"

    @property
    def is_active(self) -> bool:
        return self.status != EventStatus.ENDED


class LevelChange(models.Model):
    """One decision on an event's response level (启动/升级/降级/终止响应): from, to, why, who decided, when.
    The first one starts the response (from ``none``); the last one to ``none`` lifts it."""

    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="level_changes")
    from_level = models.CharField(_("from level"), max_length=8, choices=ResponseLevel.choices)
    to_level = models.CharField(_("to level"), max_length=8, choices=ResponseLevel.choices)
    reason = models.TextField(_("reason"))
    decided_by = models.CharField(_("decided by (authority)"), max_length=200, blank=True)
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")

    scope_region_field = "event__region__code"
    scope_org_field = "event__lead_org"
    scope_writer_roles = frozenset({"admin", "health_commission", "cdc"})

    class Meta:
        ordering = ["event", "at", "pk"]
        verbose_name = _("response level change")
        verbose_name_plural = _("response level changes")

    def __str__(self):
        return f"{self.event_id}: {self.from_level} → {self.to_level}"
