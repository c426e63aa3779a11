"""Rules for regions, populations, organisations and users. Pages, API, importers and the CLI call these."""

from contextlib import contextmanager

from auditlog.context import auditlog_value, set_actor
from django.db import IntegrityError, transaction

from . import scoping
from .errors import Conflict, InvalidInput
from .forms import OrganisationForm, RegionForm, RegionPopulationForm
from .i18n import form_errors
from .models import Organisation, Region, RegionPopulation


@contextmanager
def acting_as(user):
    """Attribute audit entries written inside the block to ``user``.

    Pages and the API already set the actor with the client's address; that address is kept when the actor is
    the same person, so an entry written through a service still says where the change came from.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        yield
        return
    previous = auditlog_value.get(None)
    current = previous or {}
    same = getattr(current.get("actor"), "pk", None) == user.pk
    try:
        with set_actor(user, remote_addr=current.get("remote_addr") if same else None,
                       remote_port=current.get("remote_port") if same else None):
            yield
    finally:
        # django-auditlog's context does not nest: put the enclosing one (the request's) back, so saves after
        # this block are still attributed.
        if previous is not None:
            auditlog_value.set(previous)


def _save(form, user):
    """Save a validated form; a uniqueness race lost to a concurrent request becomes a clear conflict."""
    try:
        with transaction.atomic(), acting_as(user):
            return form.save()
    except IntegrityError as exc:
        raise Conflict(
            "与已有记录重复（可能刚被他人保存），请刷新后重试",
            "This duplicates an existing record (perhaps just saved by someone else); reload and retry",
        ) from exc


def _validated(form):
    if not form.is_valid():
        raise InvalidInput(form_errors(form))
    return form


def save_region(user, data: dict, instance: Region | None = None) -> Region:
    form = _validated(RegionForm(data, instance=instance))
    region = form.instance
    scoping.require_place(user, Region, region_code=region.code, owner_org_id=None)
    if instance is None and Region.objects.filter(pk=region.code).exists():
        raise InvalidInput({"code": [{"message": f"行政区划代码“{region.code}”已存在",
                                      "message_en": f"Region code '{region.code}' already exists"}]})
    _save(form, user)
    return region


def save_population(user, data: dict) -> RegionPopulation:
    form = _validated(RegionPopulationForm(data))
    scoping.require_place(user, RegionPopulation, region_code=form.instance.region_id, owner_org_id=None)
    _save(form, user)
    return form.instance


def save_organisation(user, data: dict, instance: Organisation | None = None) -> Organisation:
    if instance is not None and not scoping.can(user, instance, write=True):
        raise scoping.NotPermitted()
    form = OrganisationForm(data, instance=instance)
    _validated(form)
    org = form.instance
    # Where the record lands must be in reach too: nobody moves a unit out of (or into) another district.
    scoping.require_place(user, Organisation, region_code=org.region_id, owner_org_id=org.pk or org.parent_id)
    _save(form, user)
    return org


def delete_organisation(user, org: Organisation) -> None:
    if not scoping.can(user, org, write=True):
        raise scoping.NotPermitted()
    if org.users.exists() or org.children.exists():
        raise Conflict(
            "该机构仍有下属机构或用户，不能删除；可将其设为停用",
            "This organisation still has sub-units or users and cannot be deleted; deactivate it instead",
        )
    with transaction.atomic(), acting_as(user):
        org.delete()
