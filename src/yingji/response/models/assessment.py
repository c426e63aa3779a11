from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..choices import ResponseLevel

WRITERS = frozenset({"admin", "health_commission", "cdc"})


class RiskLevel(models.TextChoices):
    """风险等级 of the risk matrix (values are yingji.response.riskmatrix's)."""

    LOW = "low", _("Low risk")
    MEDIUM = "medium", _("Medium risk")
    HIGH = "high", _("High risk")
    VERY_HIGH = "very_high", _("Very high risk")


SCORE = [MinValueValidator(1), MaxValueValidator(5)]


class RiskMatrixCell(models.Model):
    """An administrator's override of one cell of the 5×5 risk matrix (reference data; the default table is
    riskmatrix.default_table, so an empty table means the default)."""

    likelihood = models.PositiveSmallIntegerField(_("likelihood"), validators=SCORE)
    consequence = models.PositiveSmallIntegerField(_("consequence"), validators=SCORE)
    risk_level = models.CharField(_("risk level"), max_length=16, choices=RiskLevel.choices)
    recommended_level = models.CharField(_("recommended response level"), max_length=8, choices=ResponseLevel.choices)

    scope_region_field = None
    scope_org_field = None
    scope_writer_roles = frozenset({"admin"})

    class Meta:
        ordering = ["likelihood", "consequence"]
        constraints = [
            models.UniqueConstraint(fields=["likelihood", "consequence"], name="response_matrix_cell_unique"),
            models.CheckConstraint(condition=models.Q(likelihood__gte=1, likelihood__lte=5,
                                                      consequence__gte=1, consequence__lte=5),
                                   name="response_matrix_cell_range"),
        ]
        verbose_name = _("risk matrix cell")
        verbose_name_plural = _("risk matrix cells")

    def __str__(self):
        return f"{self.likelihood}×{self.consequence} → {self.risk_level}/{self.recommended_level}"


class RiskAssessment(models.Model):
    """A risk assessment (风险评估) of an event: likelihood × consequence on the matrix → risk level and the
    recommended response level (both computed by services.assessments when saved, kept as they were then)."""

    event = models.ForeignKey("response.Event", verbose_name=_("event"), on_delete=models.CASCADE,
                              related_name="risk_assessments")
    assessed_at = models.DateTimeField(_("assessed at"))
    topic = models.CharField(_("topic"), max_length=200, blank=True)
    assessor_org = models.ForeignKey("core.Organisation", verbose_name=_("assessing organisation"),
                                     on_delete=models.PROTECT, related_name="+")
    assessors = models.CharField(_("assessors (experts, departments)"), max_length=500, blank=True)
    likelihood = models.PositiveSmallIntegerField(_("likelihood"), validators=SCORE)
    consequence = models.PositiveSmallIntegerField(_("consequence"), validators=SCORE)
    risk_level = models.CharField(_("risk level"), max_length=16, choices=RiskLevel.choices)
    recommended_level = models.CharField(_("recommended response level"), max_length=8, choices=ResponseLevel.choices)
    rationale = models.TextField(_("rationale"), blank=True)
    likelihood_note = models.TextField(_("likelihood: basis"), blank=True)
    consequence_note = models.TextField(_("consequence: basis"), blank=True)
    measures = models.TextField(_("recommended measures"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    scope_region_field = "event__region__code"
    scope_org_field = "event__lead_org"
    scope_writer_roles = WRITERS

    class Meta:
        ordering = ["-assessed_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(likelihood__gte=1, likelihood__lte=5,
                                                      consequence__gte=1, consequence__lte=5),
                                   name="response_assessment_score_range"),
        ]
        verbose_name = _("risk assessment")
        verbose_name_plural = _("risk assessments")

    def __str__(self):
        return f"{self.event_id}: {self.likelihood}×{self.consequence} {self.risk_level}"
