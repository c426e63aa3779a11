from django.conf import settings
from django.db import models
from django.db.models import Func
from django.utils.translation import gettext_lazy as _

from ..choices import (
    Acuteness,
    AgeUnit,
    CardStatus,
    CardType,
    CaseOrigin,
    Classification,
    IdType,
    Occupation,
    Sex,
)


class ElapsedSeconds(Func):
    """Whole seconds from ``start`` to ``end`` (NULL when either is NULL), computed by the database itself, so the
    delay is right however a row was written (form, bulk insert, COPY). Used by the generated delay columns."""

    arity = 2
    output_field = models.IntegerField()

    def __init__(self, end, start, **extra):
        super().__init__(end, start, **extra)

    def as_sql(self, compiler, connection, **extra):  # PostgreSQL and others with interval arithmetic
        return super().as_sql(compiler, connection, template="CAST(EXTRACT(EPOCH FROM (%(expressions)s)) AS integer)",
                              arg_joiner=" - ", **extra)

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(
            compiler, connection, arg_joiner=") - julianday(",
            template="CAST(ROUND((julianday(%(expressions)s)) * 86400) AS INTEGER)",
            **extra,
        )


class CaseReport(models.Model):
    """A notifiable-disease report card (中华人民共和国传染病报告卡).

    Workflow: submitted → reviewed by the county CDC, or returned (退卡) with a reason; a correction (订正报告) is a
    new card linked to its original, which becomes superseded; deletion and duplicate merging keep the card
    with who, when and why. The card is in the jurisdiction of both the patient's current address and the
    reporting unit, so the CDC of either county sees it.
    """

    card_number = models.CharField(_("card number"), max_length=64, unique=True)
    card_type = models.CharField(_("card type"), max_length=16, choices=CardType.choices, default=CardType.INITIAL)
    original = models.ForeignKey("self", verbose_name=_("original card"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="corrections")
    status = models.CharField(_("status"), max_length=16, choices=CardStatus.choices, default=CardStatus.SUBMITTED)

    patient_name = models.CharField(_("patient name"), max_length=64)
    guardian_name = models.CharField(_("parent or guardian"), max_length=64, blank=True)
    id_type = models.CharField(_("ID type"), max_length=24, choices=IdType.choices, default=IdType.RESIDENT_ID)
    id_number = models.CharField(_("ID number"), max_length=32, blank=True, db_index=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    age_value = models.PositiveSmallIntegerField(_("age"), null=True, blank=True)
    age_unit = models.CharField(_("age unit"), max_length=8, choices=AgeUnit.choices, default=AgeUnit.YEAR)
    occupation = models.CharField(_("occupation"), max_length=32, choices=Occupation.choices)
    work_unit = models.CharField(_("work unit or school"), max_length=128, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    case_origin = models.CharField(_("case belongs to"), max_length=24, choices=CaseOrigin.choices,
                                   default=CaseOrigin.SAME_COUNTY)
    address_region = models.ForeignKey("core.Region", verbose_name=_("current address (region)"),
                                       on_delete=models.PROTECT, related_name="+")
    address_detail = models.CharField(_("current address (detail)"), max_length=255, blank=True)

    disease = models.ForeignKey("surveillance.Disease", verbose_name=_("disease"), on_delete=models.PROTECT,
                                related_name="case_reports")
    other_disease_name = models.CharField(_("other disease name"), max_length=64, blank=True)
    classification = models.CharField(_("classification"), max_length=16, choices=Classification.choices)
    acuteness = models.CharField(_("acute or chronic"), max_length=8, choices=Acuteness.choices, blank=True)
    onset_date = models.DateField(_("onset date"))
    diagnosed_at = models.DateTimeField(_("diagnosed at"))
    death_date = models.DateField(_("date of death"), null=True, blank=True)

    reporting_org = models.ForeignKey("core.Organisation", verbose_name=_("reporting organisation"),
                                      on_delete=models.PROTECT, related_name="case_reports")
    reporting_doctor = models.CharField(_("reporting doctor"), max_length=64)
    reported_at = models.DateTimeField(_("reported at"), db_index=True)
    notes = models.TextField(_("notes"), blank=True)

    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reviewed by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    status_reason = models.TextField(_("reason (return, deletion, merge)"), blank=True)
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)
    status_changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("status changed by"), null=True,
                                          blank=True, on_delete=models.PROTECT, related_name="+")
    merged_into = models.ForeignKey("self", verbose_name=_("merged into"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="merged_duplicates")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # A hash of what was first submitted under this card number: a retry with the same content returns this card,
    # different content under the same number is a conflict (see services.cards.submit_card).
    submission_fingerprint = models.CharField(_("submission fingerprint"), max_length=64, blank=True, editable=False)
    # Computed by the database (report − diagnosis, review − report, in seconds), so timeliness is counted there.
    report_delay_seconds = models.GeneratedField(
        expression=ElapsedSeconds("reported_at", "diagnosed_at"), output_field=models.IntegerField(), db_persist=True,
        verbose_name=_("report delay (seconds)"),
    )
    review_delay_seconds = models.GeneratedField(
        expression=ElapsedSeconds("reviewed_at", "reported_at"), output_field=models.IntegerField(), db_persist=True,
        verbose_name=_("review delay (seconds)"),
    )

    scope_region_field = ("address_region__code", "reporting_org__region__code")
    scope_org_field = "reporting_org"
    scope_writer_roles = frozenset({"admin", "cdc", "reporter"})

    class Meta:
        ordering = ["-reported_at"]
        indexes = [
            models.Index(fields=["disease", "onset_date"]),
            models.Index(fields=["address_region", "onset_date"]),
            models.Index(fields=["reporting_org", "reported_at"]),
            models.Index(fields=["status", "reported_at"]),
            models.Index(fields=["disease", "id_number"]),
            models.Index(fields=["disease", "patient_name"]),
        ]
        verbose_name = _("case report card")
        verbose_name_plural = _("case report cards")

    def __str__(self):
        return f"{self.card_number} {self.disease}"

    @property
    def is_live(self) -> bool:
        """Counts in statistics: not superseded, merged or deleted."""
        return self.status in (CardStatus.SUBMITTED, CardStatus.REVIEWED, CardStatus.RETURNED)
