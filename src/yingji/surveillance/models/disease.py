from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..choices import DiseaseClass


class Disease(models.Model):
    """A notifiable disease or reportable condition (法定传染病目录). Default rows come from data/diseases.csv;
    an administrator adds a new emerging disease and sets its deadline without code."""

    code = models.CharField(_("disease code"), max_length=16, unique=True)
    name = models.CharField(_("Chinese name"), max_length=64, unique=True)
    name_en = models.CharField(_("English name"), max_length=128)
    icd10 = models.CharField(_("ICD-10"), max_length=32, blank=True)
    disease_class = models.CharField(_("class"), max_length=16, choices=DiseaseClass.choices)
    managed_as_class_a = models.BooleanField(_("managed as class A"), default=False)
    parent = models.ForeignKey("self", verbose_name=_("parent disease"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="subtypes")
    report_deadline_hours = models.PositiveSmallIntegerField(
        _("report deadline (hours)"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(720)],
        help_text=_("Hours from diagnosis to network report. Empty means no statutory deadline."),
    )
    review_deadline_hours = models.PositiveSmallIntegerField(
        _("review deadline (hours)"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(720)]
    )
    single_case_alert = models.BooleanField(_("a single case is an alert"), default=False)
    carriers_reportable = models.BooleanField(_("carriers are reported"), default=False)
    requires_acuteness = models.BooleanField(_("acute or chronic must be stated"), default=False)
    event_rules = models.CharField(_("event reporting criteria"), max_length=64, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    notes = models.TextField(_("notes"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    # Reference data: everyone signed in reads it, administrators change it.
    scope_region_field = None
    scope_org_field = None
    scope_writer_roles = frozenset({"admin"})

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("disease")
        verbose_name_plural = _("diseases")

    def __str__(self):
        return self.name

    @property
    def is_two_hour(self) -> bool:
        return self.report_deadline_hours is not None and self.report_deadline_hours <= 2
