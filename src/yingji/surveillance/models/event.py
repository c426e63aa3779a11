from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..choices import ClusterSetting, EventCategory, EventGrade, EventReportStatus, EventReportType


class ClusterRule(models.Model):
    """A reporting criterion (报告标准) checked against incoming cases: N cases of a disease in one setting within
    a window, or deaths, or a single case. Default rows come from data/cluster_rules.csv (statutory §2.1)."""

    code = models.CharField(_("rule code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=128)
    diseases = models.ManyToManyField("surveillance.Disease", verbose_name=_("diseases"), blank=True)
    category = models.CharField(_("event category"), max_length=32, choices=EventCategory.choices,
                                default=EventCategory.INFECTIOUS_OUTBREAK)
    setting = models.CharField(_("counted within"), max_length=16, choices=ClusterSetting.choices)
    window_days = models.PositiveSmallIntegerField(_("window (days)"), null=True, blank=True)
    min_cases = models.PositiveSmallIntegerField(_("cases at least"), null=True, blank=True)
    min_deaths = models.PositiveSmallIntegerField(_("deaths at least"), null=True, blank=True)
    count_suspected = models.BooleanField(_("suspected cases count"), default=True)
    criterion_text = models.TextField(_("criterion (quoted)"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    scope_region_field = None
    scope_org_field = None
    scope_writer_roles = frozenset({"admin"})

    class Meta:
        ordering = ["code"]
        verbose_name = _("cluster rule")
        verbose_name_plural = _("cluster rules")

    def __str__(self):
        return f"{self.code} {self.name}"


class EventSource(models.TextChoices):
    MANUAL = "manual", _("Entered by a reporter")
    CLUSTER_RULE = "cluster_rule", _("Proposed by a cluster rule")


class EventReport(models.Model):
    """A public-health event report (突发公共卫生事件相关信息报告): initial (due 2 h after discovery), progress
    reports and a final report, chained to the initial one."""

    report_number = models.CharField(_("report number"), max_length=64, unique=True)
    report_type = models.CharField(_("report type"), max_length=16, choices=EventReportType.choices,
                                   default=EventReportType.INITIAL)
    initial = models.ForeignKey("self", verbose_name=_("initial report"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="follow_ups")
    sequence = models.PositiveSmallIntegerField(_("progress report number"), default=0,
                                                help_text=_("1, 2, … for progress reports; 0 otherwise."))
    status = models.CharField(_("status"), max_length=16, choices=EventReportStatus.choices,
                              default=EventReportStatus.DRAFT)
    status_reason = models.TextField(_("reason (rejection)"), blank=True)
    source = models.CharField(_("source"), max_length=16, choices=EventSource.choices, default=EventSource.MANUAL)
    cluster_key = models.CharField(_("cluster group"), max_length=255, blank=True, db_index=True,
                                   help_text=_("Rule, county and group (school, town …) a proposal was made for."))
    title = models.CharField(_("title"), max_length=200)
    category = models.CharField(_("event category"), max_length=32, choices=EventCategory.choices)
    grade = models.CharField(_("grade"), max_length=16, choices=EventGrade.choices, default=EventGrade.UNGRADED)
    disease = models.ForeignKey("surveillance.Disease", verbose_name=_("disease"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("core.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    place = models.CharField(_("place (school, workplace, community …)"), max_length=200, blank=True)
    reporting_org = models.ForeignKey("core.Organisation", verbose_name=_("reporting organisation"),
                                      on_delete=models.PROTECT, related_name="event_reports")
    discovered_at = models.DateTimeField(_("discovered at"))
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    cases = models.PositiveIntegerField(_("cases"), default=0)
    deaths = models.PositiveIntegerField(_("deaths"), default=0)
    description = models.TextField(_("description"), blank=True)
    measures = models.TextField(_("measures taken"), blank=True)
    cluster_rule = models.ForeignKey(ClusterRule, verbose_name=_("proposed by rule"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="event_reports")
    case_reports = models.ManyToManyField("surveillance.CaseReport", verbose_name=_("case reports"), blank=True,
                                          related_name="event_reports")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    scope_region_field = "region__code"
    scope_org_field = "reporting_org"
    scope_writer_roles = frozenset({"admin", "health_commission", "cdc", "reporter"})

    class Meta:
        ordering = ["-discovered_at", "-pk"]
        constraints = [
            # One open proposal per cluster group: re-checking adds cases to it instead of proposing again.
            models.UniqueConstraint(fields=["cluster_key"], condition=models.Q(status="draft") & ~models.Q(cluster_key=""),
                                    name="one_open_proposal_per_cluster"),
        ]
        indexes = [models.Index(fields=["status", "report_type"])]
        verbose_name = _("public-health event report")
        verbose_name_plural = _("public-health event reports")

    def __str__(self):
        return f"{self.report_number} {self.title}"
