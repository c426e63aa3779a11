"""Roles (角色). What each role may do is decided in core.scoping; this module only names them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("System administrator")
    HEALTH_COMMISSION = "health_commission", _("Health commission emergency office")
    CDC = "cdc", _("Centre for disease control")
    REPORTER = "reporter", _("Medical institution reporter")
    DISPATCHER = "dispatcher", _("120 dispatcher")
    LEADER = "leader", _("Leader (read-only)")


# Roles whose reach is their organisation's region subtree; the others reach their own organisation.
REGIONAL_ROLES = frozenset({Role.HEALTH_COMMISSION, Role.CDC, Role.LEADER})
READ_ONLY_ROLES = frozenset({Role.LEADER})
