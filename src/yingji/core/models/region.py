from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .. import regioncodes
from ..i18n import bi
from ..regioncodes import Level


class Region(models.Model):
    """An administrative division (行政区划) identified by its GB/T 2260 code."""

    class LevelChoices(models.IntegerChoices):
        PROVINCE = Level.PROVINCE, _("Province")
        PREFECTURE = Level.PREFECTURE, _("Prefecture")
        COUNTY = Level.COUNTY, _("County/district")
        TOWN = Level.TOWN, _("Street/town")

    code = models.CharField(_("region code"), max_length=9, primary_key=True)
    name = models.CharField(_("name"), max_length=64)
    level = models.PositiveSmallIntegerField(_("level"), choices=LevelChoices.choices, editable=False)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent region"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )

    scope_region_field = "code"
    scope_org_field = None
    scope_writer_roles = frozenset({"admin"})

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self):
        return f"{self.name}（{self.code}）"

    def save(self, *args, **kwargs):
        self.level = int(regioncodes.level_of(self.code))
        super().save(*args, **kwargs)

    def clean(self):
        if not self.code:
            return  # the form already reports the missing or malformed code
        try:
            level = regioncodes.level_of(self.code)
        except regioncodes.CodeError as exc:
            raise ValidationError({"code": bi(exc.message_zh, exc.message_en)}) from exc
        self.level = int(level)
        expected = regioncodes.parent_candidates(self.code)
        if not expected:
            if self.parent_id:
                raise ValidationError({"parent": bi("省级行政区划不能有上级", "A province has no parent region")})
        elif self.parent_id not in expected:
            raise ValidationError(
                {
                    "parent": bi(
                        f"代码“{self.code}”的上级应为“{expected[0]}”，而不是“{self.parent_id or '空'}”",
                        f"The parent of '{self.code}' must be '{expected[0]}', not '{self.parent_id or 'empty'}'",
                    )
                }
            )

    @property
    def subtree_prefix(self) -> str:
        return regioncodes.subtree_prefix(self.code)

    def ancestors(self) -> list["Region"]:
        chain, node = [], self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return list(reversed(chain))


class RegionPopulation(models.Model):
    """Resident population (常住人口) of a region in a year — the denominator of incidence rates."""

    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.CASCADE, related_name="populations")
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(1949), MaxValueValidator(2100)])
    population = models.PositiveIntegerField(_("population"))

    scope_region_field = "region__code"
    scope_org_field = None
    scope_writer_roles = frozenset({"admin"})

    class Meta:
        ordering = ["region", "year"]
        constraints = [models.UniqueConstraint(fields=["region", "year"], name="unique_population_per_region_year")]
        verbose_name = _("population")
        verbose_name_plural = _("populations")

    def __str__(self):
        return f"{self.region.name} {self.year}: {self.population}"
