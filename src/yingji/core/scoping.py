"""The one place that decides what a user may read and change (管辖范围).

Every scoped model names, as class attributes, the path to its region code (``scope_region_field``; a tuple when
a record belongs to several regions, e.g. a case card to the patient's address and to the reporting unit), the
path to its owning organisation (``scope_org_field``, or None) and the roles that may change it
(``scope_writer_roles``). Reference data (disease catalogue, rules) sets both paths to None: every signed-in
user reads it, the writer roles change it. Pages, API, exports and reports all call :func:`scope`; nothing filters by
jurisdiction on its own.

Rules:
- a system administrator reads and changes everything;
- health-commission, CDC and leader roles reach the region subtree of their organisation's region
  (a city user the whole city, a district user their district); leaders only read;
- reporters and 120 dispatchers reach records owned by their organisation or its sub-units
  (a 120 centre and its stations); for records without an owning organisation, their organisation's region;
- a user without an organisation, or inactive, reaches nothing.
"""

from functools import reduce
from operator import or_

from django.db.models import Model, Q, QuerySet

from . import regioncodes
from .errors import NotPermitted
from .roles import READ_ONLY_ROLES, REGIONAL_ROLES


def _org_family_ids(org) -> set[int]:
    from .models import Organisation

    family, frontier = {org.pk}, [org.pk]
    while frontier:
        frontier = list(Organisation.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        frontier = [pk for pk in frontier if pk not in family]
        family.update(frontier)
    return family


def _is_reference_data(model) -> bool:
    return model.scope_region_field is None and model.scope_org_field is None


def _region_fields(model) -> tuple[str, ...]:
    field = model.scope_region_field
    return field if isinstance(field, tuple) else (field,)


def _within_regions(model, prefix: str) -> Q:
    return reduce(or_, (Q(**{f"{f}__startswith": prefix}) for f in _region_fields(model)))


def _may_write_model(user, model) -> bool:
    return user.role not in READ_ONLY_ROLES and user.role in model.scope_writer_roles


def _reaches_by_region(user, model) -> bool:
    return user.role in REGIONAL_ROLES or model.scope_org_field is None


def scope(user, queryset: QuerySet, *, write: bool = False) -> QuerySet:
    """The part of ``queryset`` the user may read (or, with ``write=True``, change)."""
    model = queryset.model
    if user is None or not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.is_platform_admin:
        return queryset
    if write and not _may_write_model(user, model):
        return queryset.none()
    if _is_reference_data(model):
        return queryset
    org = user.organisation
    if org is None:
        return queryset.none()
    if _reaches_by_region(user, model):
        prefix = regioncodes.subtree_prefix(org.region_id)
        return queryset.filter(_within_regions(model, prefix))
    return queryset.filter(**{f"{model.scope_org_field}__in": _org_family_ids(org)})


def can(user, obj: Model, *, write: bool = False) -> bool:
    if obj.pk is None:
        return False
    return scope(user, type(obj)._default_manager.filter(pk=obj.pk), write=write).exists()


def may_place(user, model, *, region_code: str | None, owner_org_id: int | None) -> bool:
    """Whether the user may create (or move) a ``model`` record at this region / owning organisation."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_platform_admin:
        return True
    if not _may_write_model(user, model):
        return False
    if _is_reference_data(model):
        return True
    if user.organisation is None:
        return False
    org = user.organisation
    if _reaches_by_region(user, model):
        return bool(region_code) and regioncodes.is_within(region_code, org.region_id)
    return owner_org_id is not None and owner_org_id in _org_family_ids(org)


def require_place(user, model, *, region_code: str | None, owner_org_id: int | None) -> None:
    if not may_place(user, model, region_code=region_code, owner_org_id=owner_org_id):
        raise NotPermitted(
            "该记录不在您的管辖范围内，或您的角色不能新建/修改此类记录",
            "This record is outside your jurisdiction, or your role may not create or change it",
        )


def get_scoped(user, queryset: QuerySet, *, write: bool = False, **lookup):
    """One record within the user's reach, or NotFound (never revealing that it exists elsewhere)."""
    from .errors import NotFound

    obj = scope(user, queryset, write=False).filter(**lookup).first()
    if obj is None:
        raise NotFound()
    if write and not can(user, obj, write=True):
        raise NotPermitted()
    return obj
