"""Who sees a patient's personal data (ID number, phone) on a report card — decided here, once.

CDC staff (who investigate cases), platform administrators and the reporters of the unit that filed the card see
them in full; everyone else who may read the card (health commission, leaders) sees them masked.
"""

from yingji.core.roles import Role

from .. import idnumbers

PERSONAL_FIELDS = ("id_number", "phone")


def mask_phone(phone: str) -> str:
    """Hide the middle digits: 13812345678 → 138****5678."""
    phone = phone or ""
    digits = [i for i, c in enumerate(phone) if c.isdigit()]
    if len(digits) <= 4:
        return "*" * len(phone)
    keep = set(digits[:3] + digits[-4:]) if len(digits) >= 8 else set(digits[-4:])
    return "".join(c if (i in keep or not c.isdigit()) else "*" for i, c in enumerate(phone))


class PersonalDataPolicy:
    """The decision for one user, computed once and applied to many cards (a list, an export)."""

    def __init__(self, user):
        self.user = user
        self.everything = bool(user and user.is_authenticated and user.is_active
                               and (user.is_platform_admin or user.role == Role.CDC))
        self.own_units: frozenset[int] = frozenset()
        if not self.everything and user is not None and user.role == Role.REPORTER and user.organisation_id:
            from yingji.core.scoping import _org_family_ids

            self.own_units = frozenset(_org_family_ids(user.organisation))

    def allows(self, card) -> bool:
        return self.everything or card.reporting_org_id in self.own_units

    def id_number(self, card) -> str:
        return card.id_number if self.allows(card) else idnumbers.mask(card.id_number)

    def phone(self, card) -> str:
        return card.phone if self.allows(card) else mask_phone(card.phone)

    def value(self, card, field: str, value):
        """A personal field's value (e.g. from the audit history) as this user may see it."""
        if field not in PERSONAL_FIELDS or self.allows(card) or value in (None, "", "None"):
            return value
        return idnumbers.mask(str(value)) if field == "id_number" else mask_phone(str(value))


def can_see_personal_data(user, card) -> bool:
    return PersonalDataPolicy(user).allows(card)
