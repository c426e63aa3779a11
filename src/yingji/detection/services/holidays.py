"""Public holidays and make-up workdays (节假日与调休): reference data everyone reads and administrators keep up to
date from the State Council's yearly notice (国务院办公厅关于部分节假日安排的通知). Detection reads them through
services.counts (holiday_mode)."""

from datetime import date

from django.db import transaction
from django.db.models import QuerySet

from yingji.core import scoping
from yingji.core.errors import Conflict, InvalidInput, field_message
from yingji.core.services import acting_as

from ..choices import HolidayKind
from ..models import Holiday


def holidays(user, *, year: int | None = None, kind: str | None = None) -> QuerySet:
    qs = scoping.scope(user, Holiday.objects.all())
    if year:
        qs = qs.filter(date__year=year)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("date")


def _check(values: dict) -> dict:
    errors: dict = {}
    if "date" in values and (not isinstance(values["date"], date) or not 2000 <= values["date"].year <= 2100):
        errors["date"] = [field_message("须为 2000–2100 年间的日期", "must be a date from 2000 to 2100")]
    if "kind" in values and values["kind"] not in HolidayKind.values:
        errors["kind"] = [field_message("须为 holiday（放假）或 workday（调休上班）", "must be holiday or workday")]
    name = values.get("name")
    if "name" in values and (not isinstance(name, str) or not name.strip() or len(name) > 64):
        errors["name"] = [field_message("名称须为 1–64 个字符", "the name must be 1–64 characters")]
    if "source" in values and (not isinstance(values["source"], str) or len(values["source"]) > 128):
        errors["source"] = [field_message("来源最多 128 个字符", "the source may have at most 128 characters")]
    if errors:
        raise InvalidInput(errors)
    return {k: (v.strip() if isinstance(v, str) else v) for k, v in values.items()}


def save_holiday(user, values: dict, instance: Holiday | None = None) -> Holiday:
    """Add a day (``values``: date, kind, name, source) or change one; a date already listed is a conflict."""
    scoping.require_place(user, Holiday, region_code=None, owner_org_id=None)
    clean = _check(values)
    day = clean.get("date", instance.date if instance else None)
    clash = Holiday.objects.filter(date=day)
    if instance is not None:
        clash = clash.exclude(pk=instance.pk)
    if clash.exists():
        raise Conflict(f"{day} 已在节假日表中", f"{day} is already listed", fields={
            "date": [field_message("该日期已存在", "this date is already listed")]})
    holiday = instance or Holiday()
    for name, value in clean.items():
        setattr(holiday, name, value)
    with transaction.atomic(), acting_as(user):
        holiday.save()
    return holiday


def delete_holiday(user, holiday: Holiday) -> None:
    scoping.require_place(user, Holiday, region_code=None, owner_org_id=None)
    with transaction.atomic(), acting_as(user):
        holiday.delete()
