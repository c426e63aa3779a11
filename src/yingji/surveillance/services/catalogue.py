"""The disease catalogue (法定传染病目录): reference data everyone reads and administrators change — e.g. add a new
emerging disease and set its report and review deadlines, without code."""

from django.db import transaction
from django.db.models import Q, QuerySet

from yingji.core import scoping
from yingji.core.errors import InvalidInput
from yingji.core.i18n import form_errors
from yingji.core.services import acting_as

from ..forms import DiseaseForm
from ..models import Disease

FORM_FIELDS = (*DiseaseForm.Meta.fields, "parent")


def diseases(user, *, disease_class: str | None = None, active: bool | None = None, q: str | None = None
             ) -> QuerySet:
    qs = scoping.scope(user, Disease.objects.select_related("parent"))
    if disease_class:
        qs = qs.filter(disease_class=disease_class)
    if active is not None:
        qs = qs.filter(is_active=active)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(name_en__icontains=q) | Q(code__istartswith=q) | Q(icd10__istartswith=q))
    return qs.order_by("sort_order", "code")


def disease_values(disease: Disease) -> dict:
    values = {name: getattr(disease, name) for name in DiseaseForm.Meta.fields}
    values["parent"] = disease.parent.code if disease.parent_id else ""
    return {k: ("" if v is None else v) for k, v in values.items()}


def save_disease(user, data: dict, instance: Disease | None = None) -> Disease:
    """Create a disease, or change one (``data`` then holds only what changes)."""
    scoping.require_place(user, Disease, region_code=None, owner_org_id=None)
    if instance is not None:
        merged = disease_values(instance)
        merged.update(data)
        data = merged
    form = DiseaseForm(data, instance=instance)
    if not form.is_valid():
        raise InvalidInput(form_errors(form))
    with transaction.atomic(), acting_as(user):
        return form.save()
