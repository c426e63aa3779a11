from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..roles import Role


class User(AbstractUser):
    """A person who signs in. Belongs to one organisation; the role says what they may do there."""

    full_name = models.CharField(_("full name"), max_length=64, blank=True)
    organisation = models.ForeignKey(
        "core.Organisation", verbose_name=_("organisation"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="users",
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, default=Role.LEADER)
    phone = models.CharField(_("mobile phone"), max_length=32, blank=True)

    scope_region_field = "organisation__region__code"
    scope_org_field = "organisation"
    scope_writer_roles = frozenset({"admin"})

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.full_name or self.username

    @property
    def is_platform_admin(self) -> bool:
        return self.is_superuser or self.role == Role.ADMIN
