from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..i18n import bi

phone_validator = RegexValidator(
    r"^[0-9+\-() ]{3,32}$",
    bi("电话号码只能包含数字、空格、+、- 或括号（3–32位）", "Enter a phone number of digits, spaces, +, - or brackets (3–32)"),
)


class Organisation(models.Model):
    """A unit (机构): health commission, CDC, hospital, 120 centre or station, laboratory, department …"""

    class Kind(models.TextChoices):
        HEALTH_COMMISSION = "health_commission", _("Health commission")
        CDC = "cdc", _("CDC")
        HOSPITAL = "hospital", _("Hospital")
        COMMUNITY_HEALTH_CENTRE = "community_health_centre", _("Community health centre")
        TOWNSHIP_HOSPITAL = "township_hospital", _("Township hospital")
        CLINIC = "clinic", _("Clinic")
        EMS_CENTRE = "ems_centre", _("120 emergency centre")
        EMS_STATION = "ems_station", _("120 station")
        LABORATORY = "laboratory", _("Laboratory")
        GOVERNMENT = "government", _("Other government department")
        OTHER = "other", _("Other")

    class HospitalLevel(models.TextChoices):
        LEVEL_1 = "1", _("Level 1")
        LEVEL_2 = "2", _("Level 2")
        LEVEL_3 = "3", _("Level 3")

    class HospitalGrade(models.TextChoices):
        A = "A", _("Grade A")
        B = "B", _("Grade B")
        C = "C", _("Grade C")
        UNGRADED = "-", _("Ungraded")

    class HospitalType(models.TextChoices):
        GENERAL = "general", _("General")
        TCM = "tcm", _("Traditional Chinese medicine")
        SPECIALIST = "specialist", _("Specialist")
        INFECTIOUS = "infectious", _("Infectious diseases")

    code = models.CharField(
        _("organisation code"), max_length=32, unique=True,
        help_text=_("Unified social credit code or the registration number of the practising licence."),
        validators=[RegexValidator(
            r"^[0-9A-Z\-]{4,32}$", bi("机构代码须为4–32位数字、大写字母或连字符", "Use 4–32 digits, capital letters or hyphens")
        )],
    )
    name = models.CharField(_("name"), max_length=128)
    short_name = models.CharField(_("short name"), max_length=32, blank=True)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    region = models.ForeignKey(
        "core.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="organisations"
    )
    parent = models.ForeignKey(
        "self", verbose_name=_("parent organisation"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )
    hospital_level = models.CharField(_("hospital level"), max_length=1, choices=HospitalLevel.choices, blank=True)
    hospital_grade = models.CharField(_("hospital grade"), max_length=1, choices=HospitalGrade.choices, blank=True)
    hospital_type = models.CharField(_("hospital type"), max_length=16, choices=HospitalType.choices, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(73), MaxValueValidator(136)],
    )
    latitude = models.DecimalField(
        _("latitude"), max_digits=8, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(3), MaxValueValidator(54)],
    )
    contact_person = models.CharField(_("contact person"), max_length=64, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=32, blank=True, validators=[phone_validator])
    duty_phone = models.CharField(
        _("24-hour duty phone"), max_length=32, blank=True, validators=[phone_validator]
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    scope_region_field = "region__code"
    scope_org_field = "pk"
    scope_writer_roles = frozenset({"admin", "health_commission"})

    class Meta:
        ordering = ["region", "kind", "name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="unique_organisation_name_in_region")]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self):
        return self.name

    @property
    def is_hospital_like(self) -> bool:
        return self.kind in {self.Kind.HOSPITAL, self.Kind.TOWNSHIP_HOSPITAL, self.Kind.COMMUNITY_HEALTH_CENTRE}
