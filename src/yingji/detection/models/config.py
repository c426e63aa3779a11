from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..choices import CountBasis, Frequency, HolidayKind, HolidayMode, Measure, RegionLevel, Source


class DetectionConfig(models.Model):
    """How one disease (or fever-clinic figure) is watched at one region level (预警配置).

    ``methods`` is a list of ``{"method": name, "params": {...}}`` run on every series of this configuration, the
    names and parameters checked against ``yingji.detection.algorithms.METHODS`` when saved through the service.
    A configuration with ``region`` set overrides the general one (``region`` empty) of the same disease, source,
    measure, level and profile for the series inside that region (the most specific region wins). Several
    ``profile`` values may exist for one disease ("CIDARS-2008": P50 everywhere; "CIDARS-2014 evidence":
    per-disease P80/P90); only ``active`` configurations run.
    """

    disease = models.ForeignKey("surveillance.Disease", verbose_name=_("disease"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="detection_configs",
                                help_text=_("Empty for fever-clinic series."))
    source = models.CharField(_("data source"), max_length=16, choices=Source.choices, default=Source.CARDS)
    measure = models.CharField(_("counted"), max_length=16, choices=Measure.choices, default=Measure.CASES)
    region_level = models.CharField(_("region level"), max_length=16, choices=RegionLevel.choices,
                                    default=RegionLevel.COUNTY)
    region = models.ForeignKey("core.Region", verbose_name=_("only within region"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+",
                               help_text=_("Empty: everywhere. Set: overrides the general configuration there."))
    profile = models.CharField(_("profile"), max_length=64, default="CIDARS-2008")
    methods = models.JSONField(_("methods and parameters"), default=list)
    min_cases = models.PositiveIntegerField(_("minimum count for a signal"), default=1)
    frequency = models.CharField(_("frequency"), max_length=8, choices=Frequency.choices, default=Frequency.DAILY)
    count_basis = models.CharField(_("counted by"), max_length=8, choices=CountBasis.choices,
                                   default=CountBasis.REPORT)
    holiday_mode = models.CharField(_("public holidays"), max_length=8, choices=HolidayMode.choices,
                                    default=HolidayMode.NONE)
    history_days = models.PositiveIntegerField(
        _("history read (days)"), default=3 * 365 + 60,
        help_text=_("How many days before the run date are counted for the baselines."))
    response_hours = models.PositiveSmallIntegerField(
        _("verification due (hours)"), null=True, blank=True,
        help_text=_("Empty: the platform default (YINGJI_SIGNAL_VERIFY_HOURS, 24 h)."))
    active = models.BooleanField(_("active"), default=True)
    notes = models.TextField(_("notes"), blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("updated by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    # Everyone signed in reads the configuration; administrators change it, a city CDC its own region's overrides
    # (checked in services.configs).
    scope_region_field = None
    scope_org_field = None
    scope_writer_roles = frozenset({"admin", "cdc"})

    class Meta:
        ordering = ["source", "disease__sort_order", "disease__code", "measure", "region_level", "region", "profile"]
        indexes = [models.Index(fields=["active", "source"])]
        verbose_name = _("detection configuration")
        verbose_name_plural = _("detection configurations")

    def __str__(self):
        what = self.disease.name if self.disease_id else self.get_measure_display()
        where = self.region_id or self.get_region_level_display()
        return f"{what} · {where} · {self.profile}"

    @property
    def method_names(self) -> list[str]:
        return [str(m.get("method")) for m in self.methods if isinstance(m, dict)]


class Holiday(models.Model):
    """A public holiday (法定节假日/放假) or a make-up workday (调休上班日) from the State Council's yearly notice.

    Shipped as data (detection/data/holidays.csv) for 2023–2027; an administrator adds next year's notice.
    """

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=HolidayKind.choices)
    name = models.CharField(_("name"), max_length=64)
    source = models.CharField(_("source"), max_length=128, blank=True)

    scope_region_field = None
    scope_org_field = None
    scope_writer_roles = frozenset({"admin"})

    class Meta:
        ordering = ["date"]
        verbose_name = _("holiday or make-up workday")
        verbose_name_plural = _("holidays and make-up workdays")

    def __str__(self):
        return f"{self.date} {self.name}（{self.get_kind_display()}）"
