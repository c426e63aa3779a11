"""Scenario checklists (预案处置清单) and activating a stage for an event.

A checklist is one stage of a scenario with its measures (ChecklistItem: what, which kind of organisation, within
how many hours). The defaults — seed 002's three stages — come from ``response/data/checklists.csv`` (loaded by a
data migration through :func:`load_defaults`). Everyone signed in reads the checklists that apply to their
jurisdiction (region null = everywhere); administrators change every one, health commissions those of their own
jurisdiction, and city-level (or higher) commissions also the defaults.

:func:`activate_stage` declares a stage for an event: one task per active measure, assigned to the organisation of
the measure's kind in the event's region (the lead organisation when there is none), due ``activation + hours``.
Activating the same stage again makes no duplicate: it only adds tasks for measures added since.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from yingji.core import regioncodes, scoping
from yingji.core.errors import Conflict, InvalidInput, NotPermitted, field_message
from yingji.core.models import Organisation, Region
from yingji.core.roles import Role
from yingji.core.services import acting_as

from ..choices import EventStatus, ResponseLevel
from ..models import Checklist, ChecklistActivation, ChecklistItem, Event, Task
from ..models.checklist import AssigneeKind
from ..models.task import TaskOrigin

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "checklists.csv"
MAX_DUE_HOURS = 24 * 90

# The organisation kinds each assignee kind may resolve to, in order of preference.
KIND_ORGS = {
    AssigneeKind.CDC: (Organisation.Kind.CDC,),
    AssigneeKind.HOSPITAL: (Organisation.Kind.HOSPITAL,),
    AssigneeKind.COMMISSION: (Organisation.Kind.HEALTH_COMMISSION,),
    AssigneeKind.EMS: (Organisation.Kind.EMS_CENTRE, Organisation.Kind.EMS_STATION),
    AssigneeKind.LABORATORY: (Organisation.Kind.LABORATORY, Organisation.Kind.CDC),
    AssigneeKind.GOVERNMENT: (Organisation.Kind.GOVERNMENT, Organisation.Kind.HEALTH_COMMISSION),
}


# --- default data ---------------------------------------------------------------------------------------------


def read_default_rows(path: Path = DATA_FILE) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load_defaults(checklist_model=Checklist, item_model=ChecklistItem, path: Path = DATA_FILE) -> int:
    """Create (or bring up to date) the shipped checklists from the data file; returns the measures written.
    Takes the model classes so that a data migration can pass its historical ones."""
    written = 0
    for row in read_default_rows(path):
        checklist, _ = checklist_model.objects.update_or_create(code=row["checklist"], defaults={
            "scenario": row["scenario"], "stage": int(row["stage"]), "name": row["stage_name"],
            "response_level": row["response_level"], "description": row["stage_description"],
            "source": row["source"], "region": None})
        item_model.objects.update_or_create(checklist=checklist, order=int(row["order"]), defaults={
            "title": row["title"], "description": row["description"], "assignee_kind": row["assignee_kind"],
            "due_hours": int(row["due_hours"]), "statutory": row["statutory"] in ("1", "true", "True")})
        written += 1
    return written


# --- reading --------------------------------------------------------------------------------------------------


def _reach_q(user) -> Q:
    """Checklists that apply within the user's reach: the defaults and those of regions within (or above) it."""
    if user.is_platform_admin:
        return Q()
    org = user.organisation
    if org is None:
        return Q(pk__in=[])
    prefix = regioncodes.subtree_prefix(org.region_id)
    above = [code for code in _ancestors(org.region_id)]
    return Q(region__isnull=True) | Q(region__code__startswith=prefix) | Q(region__code__in=above)


def _ancestors(code: str) -> list[str]:
    codes, region = [], Region.objects.filter(code=code).values_list("parent_id", flat=True).first()
    while region:
        codes.append(region)
        region = Region.objects.filter(code=region).values_list("parent_id", flat=True).first()
    return codes


def checklists(user, *, scenario: str | None = None, active: bool | None = None,
               event: Event | None = None) -> QuerySet:
    qs = scoping.scope(user, Checklist.objects.select_related("region")).filter(_reach_q(user))
    if scenario:
        qs = qs.filter(scenario=scenario)
    if active is not None:
        qs = qs.filter(active=active)
    if event is not None:
        qs = qs.filter(Q(region__isnull=True) | Q(region__code__in=[event.region_id, *_ancestors(event.region_id)]))
    return qs.order_by("scenario", "stage", "pk")


def items(checklist: Checklist, *, active_only: bool = False) -> QuerySet:
    qs = checklist.items.all()
    return qs.filter(active=True) if active_only else qs


def _is_city_level(user) -> bool:
    org = user.organisation
    return bool(org is not None and org.region.level <= Region.LevelChoices.PREFECTURE)


def may_edit(user, checklist: Checklist | None = None, *, region_code: str | None = None) -> bool:
    """Administrators change every checklist; an active health commission those of its jurisdiction and, at city
    level or above, the defaults (``region`` empty)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_platform_admin:
        return True
    if user.role != Role.HEALTH_COMMISSION or user.organisation is None:
        return False
    code = checklist.region_id if checklist is not None else region_code
    if not code:
        return _is_city_level(user)
    return regioncodes.is_within(code, user.organisation.region_id)


def _require_editor(user, checklist: Checklist | None = None, *, region_code: str | None = None) -> None:
    if not may_edit(user, checklist, region_code=region_code):
        raise NotPermitted("只有系统管理员和本级卫生健康行政部门可以修改处置清单",
                           "Only administrators and the health commission of the jurisdiction may change checklists")


# --- editing --------------------------------------------------------------------------------------------------


def _text(errors, values, name, *, required=False, max_length=200):
    if name not in values:
        return
    value = values[name]
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors[name] = [field_message("须为文本", "must be text")]
        return
    value = value.strip()
    if required and not value:
        errors[name] = [field_message("必填", "required")]
    elif max_length and len(value) > max_length:
        errors[name] = [field_message(f"最多 {max_length} 个字符", f"at most {max_length} characters")]
    values[name] = value


def _clean_checklist(values: dict, *, creating: bool) -> dict:
    values = dict(values)
    errors: dict = {}
    if creating:
        for name in ("code", "scenario", "name"):
            values.setdefault(name, "")
    _text(errors, values, "code", required=True, max_length=48)
    if "code" in values and "code" not in errors and not all(c.isalnum() or c in "-_" for c in values["code"]):
        errors["code"] = [field_message("只能含字母、数字、- 和 _", "letters, digits, - and _ only")]
    _text(errors, values, "scenario", required=True, max_length=100)
    _text(errors, values, "name", required=True, max_length=200)
    _text(errors, values, "description", max_length=4000)
    _text(errors, values, "source", max_length=200)
    if "stage" in values:
        stage = values["stage"]
        if isinstance(stage, bool) or not isinstance(stage, int) or not 1 <= stage <= 99:
            errors["stage"] = [field_message("须为 1–99 的整数", "must be a whole number from 1 to 99")]
    if "response_level" in values:
        level = values["response_level"] or ""
        if level not in ("", *ResponseLevel.values) or level == ResponseLevel.NONE:
            errors["response_level"] = [field_message("须为 I、II、III、IV 或留空", "must be I, II, III, IV or empty")]
        values["response_level"] = level
    if "active" in values and not isinstance(values["active"], bool):
        errors["active"] = [field_message("须为 true 或 false", "must be true or false")]
    if "region" in values:
        code = values["region"] or None
        if code is not None and not Region.objects.filter(code=code).exists():
            errors["region"] = [field_message("没有这个行政区划", "no such region")]
        values["region"] = code
    if errors:
        raise InvalidInput(errors)
    return values


def save_checklist(user, values: dict, instance: Checklist | None = None) -> Checklist:
    """Create a checklist (``values``: code, scenario, stage, name, response_level, description, region, active,
    source) or change one."""
    clean = _clean_checklist(values, creating=instance is None)
    region = clean.pop("region", instance.region_id if instance else None)
    if instance is not None:
        _require_editor(user, instance)
    _require_editor(user, region_code=region)
    code = clean.get("code")
    if code and Checklist.objects.filter(code=code).exclude(pk=getattr(instance, "pk", None)).exists():
        raise Conflict(f"编码 {code} 已被使用", f"The code {code} is taken",
                       fields={"code": [field_message("编码已被使用", "this code is taken")]})
    checklist = instance or Checklist()
    for name, value in clean.items():
        setattr(checklist, name, value)
    checklist.region_id = region
    with transaction.atomic(), acting_as(user):
        checklist.save()
    return checklist


def _clean_item(values: dict, *, creating: bool) -> dict:
    values = dict(values)
    errors: dict = {}
    if creating:
        values.setdefault("title", "")
    _text(errors, values, "title", required=True, max_length=200)
    _text(errors, values, "description", max_length=4000)
    if "assignee_kind" in values and values["assignee_kind"] not in AssigneeKind.values:
        errors["assignee_kind"] = [field_message(f"须为以下之一：{'、'.join(AssigneeKind.values)}",
                                                 f"must be one of: {', '.join(AssigneeKind.values)}")]
    for name, low, high in (("due_hours", 1, MAX_DUE_HOURS), ("order", 1, 999)):
        if name in values:
            value = values[name]
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                errors[name] = [field_message(f"须为 {low}–{high} 的整数", f"must be a whole number from {low} to {high}")]
    for name in ("statutory", "active"):
        if name in values and not isinstance(values[name], bool):
            errors[name] = [field_message("须为 true 或 false", "must be true or false")]
    if errors:
        raise InvalidInput(errors)
    return values


def save_item(user, checklist: Checklist, values: dict, instance: ChecklistItem | None = None) -> ChecklistItem:
    """Add a measure to a checklist or change one (title, description, assignee_kind, due_hours, statutory,
    order, active). A measure that already made tasks is better deactivated than deleted."""
    _require_editor(user, checklist)
    clean = _clean_item(values, creating=instance is None)
    item = instance or ChecklistItem(checklist=checklist)
    if instance is None and "order" not in clean:
        last = checklist.items.order_by("-order").values_list("order", flat=True).first() or 0
        clean["order"] = last + 1
    for name, value in clean.items():
        setattr(item, name, value)
    with transaction.atomic(), acting_as(user):
        item.save()
    return item


def save_items(user, checklist: Checklist, rows: list[dict]) -> list[ChecklistItem]:
    """Save several measures at once (a page's table): each row has ``id`` (absent for a new one), its values and
    optionally ``delete``. All or nothing: errors are reported per row as ``items.<n>.<field>``."""
    _require_editor(user, checklist)
    existing = {i.pk: i for i in checklist.items.all()}
    errors: dict = {}
    plan = []
    for n, row in enumerate(rows):
        row = dict(row)
        pk, delete = row.pop("id", None), row.pop("delete", False)
        if pk is not None and pk not in existing:
            errors[f"items.{n}.id"] = [field_message("该措施不属于此清单", "no such measure in this checklist")]
            continue
        if delete:
            plan.append(("delete", existing.get(pk), None))
            continue
        try:
            plan.append(("save", existing.get(pk), _clean_item(row, creating=pk is None)))
        except InvalidInput as exc:
            for name, messages in exc.fields.items():
                errors[f"items.{n}.{name}"] = messages
    if errors:
        raise InvalidInput(errors)
    saved = []
    with transaction.atomic(), acting_as(user):
        for action, item, clean in plan:
            if action == "delete":
                if item is not None:
                    if item.tasks.exists():
                        item.active = False
                        item.save(update_fields=["active"])
                    else:
                        item.delete()
                continue
            item = item or ChecklistItem(checklist=checklist)
            if item.pk is None and "order" not in clean:
                clean["order"] = (checklist.items.order_by("-order").values_list("order", flat=True).first() or 0) + 1
            for name, value in clean.items():
                setattr(item, name, value)
            item.save()
            saved.append(item)
    return saved


# --- activating a stage ---------------------------------------------------------------------------------------


def resolve_assignee(event: Event, kind: str) -> Organisation:
    """The event region's organisation of ``kind`` (in the region itself first, then within it, nearest level
    first); the lead organisation when none exists."""
    if kind == AssigneeKind.LEAD or kind not in KIND_ORGS:
        return event.lead_org
    kinds = KIND_ORGS[kind]
    prefix = regioncodes.subtree_prefix(event.region_id)
    if event.lead_org.kind in kinds and event.lead_org.region_id == event.region_id:
        return event.lead_org
    candidates = list(Organisation.objects.filter(kind__in=kinds, is_active=True, region__code__startswith=prefix)
                      .select_related("region"))
    if not candidates:
        return event.lead_org

    def rank(org):
        level = org.hospital_level or "0"
        return (org.region_id != event.region_id, org.region.level, kinds.index(org.kind), -int(level)
                if level.isdigit() else 0, org.code)

    return min(candidates, key=rank)


@dataclass
class ActivationResult:
    activation: ChecklistActivation
    created: list[Task] = field(default_factory=list)
    existing: int = 0
    first: bool = True


def activate_stage(event: Event, checklist: Checklist, actor, *, now: datetime | None = None) -> ActivationResult:
    """Declare ``checklist``'s stage for ``event``: one task per active measure (assignee resolved by kind, deadline
    activation + the measure's hours). Idempotent: a second activation creates only tasks for measures added since,
    never a duplicate."""
    now = now or timezone.now()
    if not scoping.can(actor, event, write=True):
        raise NotPermitted("只有事件管辖地的卫生健康行政部门、疾控中心可以启动处置清单",
                           "Only the health commission or CDC of the event's jurisdiction may activate a checklist")
    if event.status == EventStatus.ENDED:
        raise Conflict("事件已终止，不能再启动处置清单", "The event has ended; no checklist can be activated",
                       fields={"checklist": [field_message("事件已终止", "the event has ended")]})
    if not checklists(actor, event=event, active=True).filter(pk=checklist.pk).exists():
        raise InvalidInput({"checklist": [field_message("该处置清单不存在、已停用或不适用于事件所在地区",
                                                        "No such active checklist for the event's region")]})
    with transaction.atomic(), acting_as(actor):
        Event.objects.select_for_update(of=("self",)).filter(pk=event.pk).first()  # one activation at a time per event
        activation, first = ChecklistActivation.objects.get_or_create(
            event=event, checklist=checklist, defaults={"activated_at": now, "actor": actor})
        done = set(Task.objects.filter(event=event, checklist_item__checklist=checklist)
                   .values_list("checklist_item_id", flat=True))
        result = ActivationResult(activation=activation, existing=len(done), first=first)
        for item in checklist.items.filter(active=True).order_by("order", "pk"):
            if item.pk in done:
                continue
            start = activation.activated_at if first else now
            task = Task.objects.create(
                event=event, title=item.title, description=item.description,
                assignee_org=resolve_assignee(event, item.assignee_kind), created_at=now,
                deadline=start + timedelta(hours=item.due_hours), origin=TaskOrigin.CHECKLIST, checklist_item=item,
                activation=activation, statutory=item.statutory, created_by=actor)
            result.created.append(task)
    return result


def activations(event: Event) -> QuerySet:
    return event.checklist_activations.select_related("checklist", "actor").order_by("activated_at", "pk")


def suggested(user, event: Event) -> Checklist | None:
    """The checklist whose usual level is the event's response level (shown first on the event's task page)."""
    if event.response_level in ("", ResponseLevel.NONE):
        return None
    return checklists(user, event=event, active=True).filter(response_level=event.response_level).first()
