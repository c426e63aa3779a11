"""Epidemiological investigation and close contacts (流行病学调查/密切接触者管理), after Go.Data's case, contact,
follow-up, lab-result and team models, scoped to one event (Go.Data scopes them to an outbreak).

- EventCase: a case in the event, linked to a surveillance report card or entered by hand;
- Contact: a person exposed to a case (type, last exposure), who may become a case (``became_case``) — so the
  transmission chain is case → contact → case;
- Quarantine: the contact's observation (集中隔离医学观察 or 居家隔离) with computed and chosen start/end;
- FollowUp: one day of daily follow-up (每日随访), assigned to a FollowUpTeam by the contact's area;
- TestResult: a sample of a contact or a case.

Every record belongs to an event and scopes through ``event__region__code`` (the event's jurisdiction), owned by
the event's lead organisation; a follow-up's owner is its team's organisation (a community health centre's
reporters see their own work list). Follow-up teams scope by their organisation. Rules live in services/contacts.py
and services/followups.py; the period arithmetic in response/periods.py.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

WRITERS = frozenset({"admin", "health_commission", "cdc"})


class ContactLevel(models.TextChoices):
    CLOSE = "close", _("Close contact (密接)")
    SECONDARY = "secondary", _("Secondary contact (次密接)")


# Default contact types; settings.YINGJI_RESPONSE_CONTACT_TYPES (a list of [code, label]) replaces them.
DEFAULT_CONTACT_TYPES = [
    ("household", _("Household (同住)")),
    ("colleague", _("Colleague (同事)")),
    ("classmate", _("Classmate (同学)")),
    ("healthcare", _("Health worker (医护)")),
    ("public_place", _("Public place (公共场所)")),
    ("transport", _("Shared transport (同乘交通工具)")),
    ("social", _("Social gathering (聚餐聚会)")),
    ("other", _("Other (其他)")),
]


class QuarantineMode(models.TextChoices):
    CENTRALIZED = "centralized", _("Centralized isolation medical observation (集中隔离医学观察)")
    HOME = "home", _("Home isolation (居家隔离)")


class QuarantineStatus(models.TextChoices):
    ACTIVE = "active", _("Under observation")
    RELEASED = "released", _("Released")
    BECAME_CASE = "became_case", _("Became a case")


class FollowUpStatus(models.TextChoices):
    PENDING = "pending", _("Not yet recorded")
    SEEN = "seen", _("Seen")
    NOT_SEEN = "not_seen", _("Not seen")


class TestMethod(models.TextChoices):
    PCR = "pcr", _("Nucleic acid (PCR)")
    ANTIGEN = "antigen", _("Antigen")
    ANTIBODY = "antibody", _("Antibody")
    CULTURE = "culture", _("Culture")
    OTHER = "other", _("Other")


class TestOutcome(models.TextChoices):
    PENDING = "pending", _("Pending")
    NEGATIVE = "negative", _("Negative")
    POSITIVE = "positive", _("Positive")
    INCONCLUSIVE = "inconclusive", _("Inconclusive")


class FollowUpTeam(models.Model):
    """A follow-up team (随访小组, e.g. a community health centre's team): covers regions; the contact's region
    picks the team (the team covering the most specific region that contains it)."""

    name = models.CharField(_("name"), max_length=100)
    organisation = models.ForeignKey("core.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT,
                                     related_name="followup_teams")
    regions = models.ManyToManyField("core.Region", verbose_name=_("regions covered"), related_name="+")
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    scope_region_field = "organisation__region__code"
    scope_org_field = "organisation"
    scope_writer_roles = WRITERS

    class Meta:
        ordering = ["name", "pk"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="followup_team_unique_name")]
        verbose_name = _("follow-up team")
        verbose_name_plural = _("follow-up teams")

    def __str__(self):
        return self.name


class EventCase(models.Model):
    """A case in an event (事件病例): from a report card (``case_report``) or entered by hand."""

    event = models.ForeignKey("response.Event", verbose_name=_("event"), on_delete=models.CASCADE,
                              related_name="cases")
    case_report = models.ForeignKey("surveillance.CaseReport", verbose_name=_("report card"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="event_cases")
    number = models.CharField(_("case number"), max_length=32, blank=True)
    name = models.CharField(_("name"), max_length=64)
    sex = models.CharField(_("sex"), max_length=1, blank=True)
    id_number = models.CharField(_("ID number"), max_length=32, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    region = models.ForeignKey("core.Region", verbose_name=_("address (region)"), on_delete=models.PROTECT,
                               related_name="+")
    address_detail = models.CharField(_("address (detail)"), max_length=255, blank=True)
    onset_date = models.DateField(_("onset date"), null=True, blank=True)
    reported_on = models.DateField(_("reported on"))
    isolated_on = models.DateField(_("isolated on"), null=True, blank=True)
    isolation_place = models.CharField(_("isolation place"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    scope_region_field = "event__region__code"
    scope_org_field = "event__lead_org"
    scope_writer_roles = WRITERS

    class Meta:
        ordering = ["event", "reported_on", "pk"]
        constraints = [models.UniqueConstraint(fields=["event", "case_report"], name="event_case_unique_card",
                                               condition=models.Q(case_report__isnull=False))]
        verbose_name = _("event case")
        verbose_name_plural = _("event cases")

    def __str__(self):
        return f"{self.label} {self.name}"

    @property
    def label(self) -> str:
        return self.number or f"C{self.pk}"


class Contact(models.Model):
    """A close (or secondary) contact of a case (密切接触者/次密接)."""

    event = models.ForeignKey("response.Event", verbose_name=_("event"), on_delete=models.CASCADE,
                              related_name="contacts")
    source_case = models.ForeignKey(EventCase, verbose_name=_("source case"), on_delete=models.PROTECT,
                                    related_name="contacts")
    source_contact = models.ForeignKey("self", verbose_name=_("source contact (for a secondary contact)"), null=True,
                                       blank=True, on_delete=models.PROTECT, related_name="secondary_contacts")
    level = models.CharField(_("contact level"), max_length=16, choices=ContactLevel.choices,
                             default=ContactLevel.CLOSE)
    contact_type = models.CharField(_("contact type"), max_length=32)
    name = models.CharField(_("name"), max_length=64)
    sex = models.CharField(_("sex"), max_length=1, blank=True)
    id_number = models.CharField(_("ID number"), max_length=32, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    region = models.ForeignKey("core.Region", verbose_name=_("address (region)"), on_delete=models.PROTECT,
                               related_name="+")
    address_detail = models.CharField(_("address (detail)"), max_length=255, blank=True)
    last_exposure = models.DateField(_("last exposure"))
    exposure_place = models.CharField(_("exposure place"), max_length=200, blank=True)
    became_case = models.ForeignKey(EventCase, verbose_name=_("became case"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="from_contacts")
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    scope_region_field = "event__region__code"
    scope_org_field = "event__lead_org"
    scope_writer_roles = WRITERS

    class Meta:
        ordering = ["event", "-last_exposure", "pk"]
        indexes = [models.Index(fields=["event", "last_exposure"])]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self):
        return f"K{self.pk} {self.name}"


class Quarantine(models.Model):
    """A contact's observation: mode, place, computed and chosen dates (an override keeps its reason)."""

    contact = models.OneToOneField(Contact, verbose_name=_("contact"), on_delete=models.CASCADE,
                                   related_name="quarantine")
    mode = models.CharField(_("mode"), max_length=16, choices=QuarantineMode.choices)
    place = models.CharField(_("place"), max_length=200, blank=True)
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end"))
    computed_start = models.DateField(_("computed start"))
    computed_end = models.DateField(_("computed end"))
    period_days = models.PositiveSmallIntegerField(_("period (days)"))
    overridden = models.BooleanField(_("set by hand"), default=False)
    override_reason = models.TextField(_("reason for the change"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=QuarantineStatus.choices,
                              default=QuarantineStatus.ACTIVE)
    stopped_on = models.DateField(_("stopped on"), null=True, blank=True,
                                  help_text=_("Released or became a case before the end."))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    scope_region_field = "contact__event__region__code"
    scope_org_field = "contact__event__lead_org"
    scope_writer_roles = WRITERS

    class Meta:
        verbose_name = _("quarantine")
        verbose_name_plural = _("quarantines")

    def __str__(self):
        return f"{self.contact_id}: {self.start_date} – {self.end_date}"


class FollowUp(models.Model):
    """One day of a contact's daily follow-up (每日随访): generated for each day of the quarantine."""

    contact = models.ForeignKey(Contact, verbose_name=_("contact"), on_delete=models.CASCADE,
                                related_name="followups")
    date = models.DateField(_("date"))
    team = models.ForeignKey(FollowUpTeam, verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="followups")
    status = models.CharField(_("status"), max_length=16, choices=FollowUpStatus.choices,
                              default=FollowUpStatus.PENDING)
    temperature = models.DecimalField(_("temperature (°C)"), max_digits=3, decimal_places=1, null=True, blank=True)
    symptoms = models.CharField(_("symptoms"), max_length=255, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), null=True, blank=True)

    scope_region_field = "contact__event__region__code"
    scope_org_field = "team__organisation"
    scope_writer_roles = frozenset({"admin", "health_commission", "cdc", "reporter"})

    class Meta:
        ordering = ["date", "contact", "pk"]
        constraints = [models.UniqueConstraint(fields=["contact", "date"], name="followup_one_per_day")]
        indexes = [models.Index(fields=["date", "status"])]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")

    def __str__(self):
        return f"{self.contact_id} {self.date}"


class TestResult(models.Model):
    """A sample of a contact or of a case (采样检测): date, method, result."""

    event = models.ForeignKey("response.Event", verbose_name=_("event"), on_delete=models.CASCADE,
                              related_name="test_results")
    contact = models.ForeignKey(Contact, verbose_name=_("contact"), null=True, blank=True, on_delete=models.CASCADE,
                                related_name="tests")
    case = models.ForeignKey(EventCase, verbose_name=_("case"), null=True, blank=True, on_delete=models.CASCADE,
                             related_name="tests")
    sample_date = models.DateField(_("sample date"))
    method = models.CharField(_("method"), max_length=16, choices=TestMethod.choices)
    result = models.CharField(_("result"), max_length=16, choices=TestOutcome.choices, default=TestOutcome.PENDING)
    result_date = models.DateField(_("result date"), null=True, blank=True)
    laboratory = models.CharField(_("laboratory"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    scope_region_field = "event__region__code"
    scope_org_field = "event__lead_org"
    scope_writer_roles = WRITERS

    class Meta:
        ordering = ["-sample_date", "-pk"]
        constraints = [models.CheckConstraint(
            condition=models.Q(contact__isnull=False) | models.Q(case__isnull=False), name="test_result_has_person")]
        verbose_name = _("test result")
        verbose_name_plural = _("test results")

    def __str__(self):
        return f"{self.sample_date} {self.method} {self.result}"
