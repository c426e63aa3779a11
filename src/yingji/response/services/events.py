"""Emergency events (突发事件) and their response levels (应急响应级别).

An event is opened by hand, from an early-warning signal under verification (疑似事件, 现场调查 or 确认暴发: the
signal then becomes 已关联事件 through detection's own lifecycle service, carrying the event's number) or from a
public-health event report (突发公共卫生事件相关信息报告). Rules:

- the event's ``region`` is the jurisdiction that handles it; every affected region lies within it;
- only users who may change records in that region act on it (core.scoping: the region's CDC, health commission
  and those above; leaders read only);
- its number is ``SJ-<region code>-<year>-<sequence>`` (e.g. SJ-990102-2026-0003), unless one is given;
- every response-level decision is a LevelChange with its reason (required) and deciding authority: from 无响应
  (none) it starts the response (``response_started_at``); back to none it lifts it (``response_lifted_at``); the
  same level again is refused; the rank (Ⅰ highest) tells an escalation from a de-escalation;
- status 启动 (started) → 处置中 (ongoing) → 终止 (ended); ending needs a closing summary and lifts the response;
  nothing changes on an ended event; an event whose contacts are still under medical observation is ended only
  when those observations are released with it (``release_contacts``).

Every change runs in one transaction and is audited (core.audit, actor = the user).
"""

from __future__ import annotations

from datetime import datetime, time

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from yingji.core import regioncodes, scoping
from yingji.core.errors import Conflict, InvalidInput, NotPermitted, field_message
from yingji.core.models import Organisation, Region
from yingji.core.services import acting_as
from yingji.surveillance.choices import EventCategory, EventGrade
from yingji.surveillance.models import Disease, EventReport
from yingji.surveillance.services.schedules import Errors, resolve_unit

from ..choices import LEVEL_RANK, EventOrigin, EventStatus, ResponseLevel
from ..models import Event, LevelChange

MAX_TEXT = 8000
MAX_REASON = 4000
CLOCK_SKEW_SECONDS = 60
# A signal may open an event while it is 疑似事件, 现场调查 or 确认暴发.
SIGNAL_OPENABLE = ("suspected", "investigating", "confirmed")

LEVEL_LABELS = {
    ResponseLevel.NONE: ("无响应", "no response"),
    ResponseLevel.I: ("Ⅰ级响应", "level I response"),
    ResponseLevel.II: ("Ⅱ级响应", "level II response"),
    ResponseLevel.III: ("Ⅲ级响应", "level III response"),
    ResponseLevel.IV: ("Ⅳ级响应", "level IV response"),
}
STATUS_LABELS = {
    EventStatus.STARTED: ("启动", "started"),
    EventStatus.ONGOING: ("处置中", "being handled"),
    EventStatus.ENDED: ("终止", "ended"),
}
STATUS_STEPS = {EventStatus.STARTED: (EventStatus.ONGOING, EventStatus.ENDED),
                EventStatus.ONGOING: (EventStatus.ENDED,), EventStatus.ENDED: ()}


# --- reading -------------------------------------------------------------------------------------------------


def _related(qs: QuerySet) -> QuerySet:
    return qs.select_related("region", "lead_org", "disease", "source_signal", "source_report", "created_by")


def events(user, *, status: str | None = None, level: str | None = None, region: str | None = None,
           category: str | None = None, grade: str | None = None, active: bool | None = None,
           q: str | None = None) -> QuerySet:
    """The events within the user's reach, filtered; ``region`` is a subtree (the event's or an affected one)."""
    qs = _related(scoping.scope(user, Event.objects.all()))
    if status:
        qs = qs.filter(status=status)
    if level:
        qs = qs.filter(response_level=level)
    if category:
        qs = qs.filter(category=category)
    if grade:
        qs = qs.filter(grade=grade)
    if active is True:
        qs = qs.exclude(status=EventStatus.ENDED)
    elif active is False:
        qs = qs.filter(status=EventStatus.ENDED)
    if region:
        try:
            prefix = regioncodes.subtree_prefix(region)
        except regioncodes.CodeError:
            return qs.none()
        qs = qs.filter(Q(region__code__startswith=prefix) | Q(affected_regions__code__startswith=prefix)).distinct()
    if q:
        q = q.strip()
        qs = qs.filter(Q(title__icontains=q) | Q(number__icontains=q))
    return qs


def level_history(event: Event) -> QuerySet:
    return event.level_changes.select_related("actor").order_by("at", "pk")


def is_escalation(change: LevelChange) -> bool:
    return LEVEL_RANK[ResponseLevel(change.to_level)] > LEVEL_RANK[ResponseLevel(change.from_level)]


def level_label(level: str) -> tuple[str, str]:
    return LEVEL_LABELS.get(level, (level, level))


def may_change(user, event: Event) -> bool:
    return event.status != EventStatus.ENDED and scoping.can(user, event, write=True)


# --- numbers -------------------------------------------------------------------------------------------------


def number_prefix(region_code: str, when: datetime) -> str:
    return f"SJ-{region_code}-{timezone.localtime(when):%Y}-"


def _save_numbered(event: Event, *, given: bool, when: datetime) -> Event:
    """Insert the event under the given number or the next free one of its region and year (retrying when a
    simultaneous create took it)."""
    prefix = number_prefix(event.region_id, when)
    for attempt in range(20):
        if not given:
            numbers = Event.objects.filter(number__startswith=prefix).values_list("number", flat=True)
            taken = max((int(n[len(prefix):]) for n in numbers if n[len(prefix):].isdigit()), default=0)
            event.number = f"{prefix}{taken + 1 + attempt:04d}"
        try:
            with transaction.atomic():
                event.save()
            return event
        except IntegrityError:
            if not Event.objects.filter(number=event.number).exists():
                raise
            if given:
                raise InvalidInput({"number": [field_message("事件编号已存在", "The event number already exists")]}) \
                    from None
    raise Conflict("事件编号冲突，请重试", "The event number collided with another; retry")


# --- validation ----------------------------------------------------------------------------------------------


def _region(code, errors: Errors, name: str) -> Region | None:
    if isinstance(code, Region):
        return code
    code = str(code or "").strip()
    if not code:
        errors.add(name, "请选择行政区划", "Choose a region")
        return None
    region = Region.objects.filter(code=code).first()
    if region is None:
        errors.add(name, f"行政区划“{code}”不存在", f"No region '{code}'")
    return region


def _affected(codes, region: Region | None, errors: Errors) -> list[Region]:
    """The affected regions, each within the event's region (the event's own region when none are given)."""
    codes = [c.code if isinstance(c, Region) else str(c or "").strip() for c in (codes or [])]
    codes = list(dict.fromkeys(c for c in codes if c))
    if region is None:
        return []
    if not codes:
        return [region]
    found = {r.code: r for r in Region.objects.filter(code__in=codes)}
    result = []
    for code in codes:
        if code not in found:
            errors.add("affected_regions", f"行政区划“{code}”不存在", f"No region '{code}'")
        elif not regioncodes.is_within(code, region.code):
            errors.add("affected_regions", f"受影响地区“{found[code].name}”不在事件所属辖区“{region.name}”内",
                       f"The affected region '{code}' is not within the event's region '{region.code}'")
        else:
            result.append(found[code])
    return result


def _text(value, errors: Errors, name: str, *, zh: str, en: str, required: bool = False,
          limit: int = MAX_TEXT) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors.add(name, f"{zh}须为文本", f"The {en} must be text")
        return ""
    value = value.strip()
    if required and not value:
        errors.add(name, f"请填写{zh}", f"Give the {en}")
    elif len(value) > limit:
        errors.add(name, f"{zh}最多 {limit} 个字符", f"The {en} may have at most {limit} characters")
    return value


def _time(value, errors: Errors, name: str, now: datetime) -> datetime | None:
    if not isinstance(value, datetime):
        errors.add(name, "请填写发生（发现）时间", "Give the time it occurred or was discovered")
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if (value - now).total_seconds() > CLOCK_SKEW_SECONDS:
        errors.add(name, "发生时间不能晚于现在", "The time must not be in the future")
    return value


def _lead_org(user, lead_org, region: Region | None, errors: Errors) -> Organisation | None:
    """The lead organisation: within the user's reach and in the event's region, above it or below it."""
    if lead_org in (None, ""):
        lead_org = user.organisation_id
        if lead_org is None:
            errors.add("lead_org", "请选择牵头机构", "Choose the lead organisation")
            return None
    org = resolve_unit(user, lead_org, errors, "lead_org")
    if org is None or region is None:
        return org
    if not (regioncodes.is_within(org.region_id, region.code) or regioncodes.is_within(region.code, org.region_id)):
        errors.add("lead_org", f"牵头机构“{org.name}”不在事件所属辖区“{region.name}”内或其上级",
                   f"The lead organisation '{org.code}' is neither within the event's region nor above it")
        return None
    return org


# --- creating ------------------------------------------------------------------------------------------------


def create_event(user, *, title: str, category: str, region, occurred_at: datetime, lead_org=None,
                 grade: str = EventGrade.UNGRADED, disease: str | None = None, description: str = "",
                 affected_regions=None, number: str | None = None, signal=None, report=None,
                 now: datetime | None = None) -> Event:
    """Open an event by hand; ``signal`` (a detection Signal or its id) or ``report`` (a surveillance EventReport
    or its id) records where it came from — see :func:`create_from_signal` / :func:`create_from_report`."""
    now = now or timezone.now()
    errors = Errors()
    title = _text(title, errors, "title", zh="事件名称", en="event's title", required=True, limit=200)
    if category not in EventCategory.values:
        errors.add("category", "请选择事件类别", "Choose the event category")
    grade = grade or EventGrade.UNGRADED
    if grade not in EventGrade.values or grade == EventGrade.NOT_EMERGENCY:
        errors.add("grade", "事件等级须为Ⅰ–Ⅳ级或未分级", "The grade must be I–IV or ungraded")
    disease_obj = None
    if disease:
        disease_obj = disease if isinstance(disease, Disease) else Disease.objects.filter(code=str(disease)).first()
        if disease_obj is None:
            errors.add("disease", f"未知病种“{disease}”", f"Unknown disease '{disease}'")
    place = _region(region, errors, "region")
    affected = _affected(affected_regions, place, errors)
    org = _lead_org(user, lead_org, place, errors)
    occurred = _time(occurred_at, errors, "occurred_at", now)
    description = _text(description, errors, "description", zh="事件描述", en="description")
    number = str(number or "").strip()
    if len(number) > 32:
        errors.add("number", "事件编号最多 32 个字符", "The event number may have at most 32 characters")
    elif number and Event.objects.filter(number=number).exists():
        errors.add("number", "事件编号已存在", "The event number already exists")
    errors.raise_if_any()
    scoping.require_place(user, Event, region_code=place.code, owner_org_id=org.pk)
    origin = EventOrigin.SIGNAL if signal is not None else (
        EventOrigin.EVENT_REPORT if report is not None else EventOrigin.MANUAL)
    with transaction.atomic(), acting_as(user):
        event = Event(title=title, category=category, grade=grade, disease=disease_obj, region=place, lead_org=org,
                      origin=origin, occurred_at=occurred, description=description, number=number,
                      created_by=user, created_at=now, status=EventStatus.STARTED,
                      response_level=ResponseLevel.NONE)
        if signal is not None:
            event.source_signal = _openable_signal(user, signal)
        if report is not None:
            event.source_report = report
        _save_numbered(event, given=bool(number), when=occurred)
        event.affected_regions.set(affected)
        if signal is not None:
            from yingji.detection.services.signals import link_event

            link_event(user, event.source_signal, response_ref=event.number, now=now,
                       note=f"启动应急事件 {event.number} / opened response event {event.number}")
    return event


def _openable_signal(user, signal):
    from yingji.detection.models import Signal
    from yingji.detection.services.signals import STATUS_LABELS

    pk = signal.pk if isinstance(signal, Signal) else signal
    found = scoping.scope(user, Signal.objects.select_related("region", "disease", "assigned_org")).filter(
        pk=pk).first() if isinstance(pk, int) and not isinstance(pk, bool) else None
    if found is None:
        raise InvalidInput({"signal": [field_message("预警信号不存在或不在您的管辖范围内",
                                                     "No such signal within your jurisdiction")]})
    if found.status not in SIGNAL_OPENABLE:
        zh, en = STATUS_LABELS.get(found.status, (found.status, found.status))
        raise InvalidInput({"signal": [field_message(
            f"只有“疑似事件”“现场调查”“确认暴发”的信号可以启动事件；该信号为“{zh}”",
            f"Only a suspected, investigated or confirmed signal opens an event; this one is '{en}'")]})
    return found


def signal_defaults(user, signal) -> dict:
    """What an event opened from ``signal`` starts with (the page pre-fills its form with it)."""
    signal = _openable_signal(user, signal)
    what = signal.disease.name if signal.disease_id else str(signal.get_measure_display())
    when = signal.raised_at or timezone.make_aware(datetime.combine(signal.signal_date, time(8)))
    return {
        "title": f"{signal.region.name}{what}疫情"[:200],
        "category": EventCategory.INFECTIOUS_OUTBREAK, "grade": EventGrade.UNGRADED,
        "disease": signal.disease.code if signal.disease_id else None, "region": signal.region_id,
        "affected_regions": [signal.region_id],
        "lead_org": signal.assigned_org_id or user.organisation_id, "occurred_at": when,
        "description": (f"由预警信号（{signal.signal_date:%Y-%m-%d}，{signal.series_label}，观察值 "
                        f"{signal.observed:g}）启动。"),
    }


def create_from_signal(user, signal, *, now: datetime | None = None, **fields) -> Event:
    """Open an event from a signal under verification; the signal becomes 已关联事件 with the event's number."""
    signal = _openable_signal(user, signal)
    values = {**signal_defaults(user, signal), **{k: v for k, v in fields.items() if v is not None}}
    return create_event(user, signal=signal, now=now, **values)


def _county(code: str) -> str:
    return code[:6] if regioncodes.level_of(code) == regioncodes.Level.TOWN else code


def report_defaults(user, report) -> dict:
    report = _openable_report(user, report)
    return {
        "title": report.title, "category": report.category,
        "grade": report.grade if report.grade != EventGrade.NOT_EMERGENCY else EventGrade.UNGRADED,
        "disease": report.disease.code if report.disease_id else None,
        "region": _county(report.region_id), "affected_regions": [report.region_id],
        "lead_org": user.organisation_id, "occurred_at": report.discovered_at,
        "description": "\n".join(x for x in (report.description, report.measures) if x),
    }


def _openable_report(user, report) -> EventReport:
    pk = report.pk if isinstance(report, EventReport) else report
    found = scoping.scope(user, EventReport.objects.select_related("region", "disease", "initial")).filter(
        pk=pk).first() if isinstance(pk, int) and not isinstance(pk, bool) else None
    if found is None:
        raise InvalidInput({"report": [field_message("事件报告不存在或不在您的管辖范围内",
                                                     "No such event report within your jurisdiction")]})
    found = found.initial if found.initial_id else found
    if found.status == "rejected":
        raise InvalidInput({"report": [field_message("该事件报告已被驳回", "This event report was rejected")]})
    if Event.objects.filter(source_report=found).exists():
        raise InvalidInput({"report": [field_message("该事件报告已启动过应急事件",
                                                     "An event was already opened from this report")]})
    return found


def create_from_report(user, report, *, now: datetime | None = None, **fields) -> Event:
    """Open an event from a public-health event report (its initial report is the source)."""
    report = _openable_report(user, report)
    values = {**report_defaults(user, report), **{k: v for k, v in fields.items() if v is not None}}
    return create_event(user, report=report, now=now, **values)


# --- changing ------------------------------------------------------------------------------------------------


def _writable(user, event: Event) -> Event:
    """The event locked for the change, or NotFound / NotPermitted (outside the region, read-only role)."""
    locked = scoping.get_scoped(user, Event.objects.select_for_update(of=("self",)), write=False, pk=event.pk)
    if not scoping.can(user, locked, write=True):
        raise NotPermitted("只有事件所属辖区的卫生健康行政部门或疾控机构可以处置该事件",
                           "Only the health commission or CDC of the event's region may act on it")
    return locked


def _not_ended(event: Event) -> None:
    if event.status == EventStatus.ENDED:
        raise Conflict("事件已终止，不能再修改", "The event has ended and can no longer be changed",
                       fields={"status": [field_message("事件已终止", "the event has ended")]})


def change_level(event: Event, to_level: str, reason: str, decided_by: str = "", actor=None, *,
                 at: datetime | None = None) -> LevelChange:
    """Record a decision on the event's response level (启动/升级/降级/解除响应) with its reason."""
    at = at or timezone.now()
    errors = Errors()
    if to_level not in ResponseLevel.values:
        errors.add("to_level", "请选择响应级别（Ⅰ–Ⅳ级或无响应）", "Choose a response level (I–IV or none)")
    reason = _text(reason, errors, "reason", zh="调整理由", en="reason for the change", required=True,
                   limit=MAX_REASON)
    decided_by = _text(decided_by, errors, "decided_by", zh="决定机关", en="deciding authority", limit=200)
    errors.raise_if_any()
    with transaction.atomic(), acting_as(actor):
        event = _writable(actor, event)
        _not_ended(event)
        change = _apply_level(event, to_level, reason, decided_by, actor, at)
    return change


def _apply_level(event: Event, to_level: str, reason: str, decided_by: str, actor, at: datetime) -> LevelChange:
    from_level = event.response_level
    if to_level == from_level:
        zh, en = level_label(to_level)
        raise InvalidInput({"to_level": [field_message(f"事件已处于{zh}，请选择其他级别",
                                                       f"The event is already at {en}; choose another level")]})
    last = event.level_changes.order_by("-at", "-pk").first()
    if last is not None and at < last.at:
        raise InvalidInput({"at": [field_message("调整时间不能早于上一次调整",
                                                 "The time must not be before the previous change")]})
    fields = ["response_level", "updated_at"]
    event.response_level = to_level
    if from_level == ResponseLevel.NONE:
        if event.response_started_at is None:
            event.response_started_at = at
            fields.append("response_started_at")
        if event.response_lifted_at is not None:
            event.response_lifted_at = None
            fields.append("response_lifted_at")
        if event.status == EventStatus.STARTED:
            event.status = EventStatus.ONGOING
            fields.append("status")
    if to_level == ResponseLevel.NONE:
        event.response_lifted_at = at
        fields.append("response_lifted_at")
    event.save(update_fields=fields)
    return LevelChange.objects.create(event=event, from_level=from_level, to_level=to_level, reason=reason,
                                      decided_by=decided_by, at=at, actor=actor)


def set_status(user, event: Event, to_status: str, *, closing_summary: str = "", decided_by: str = "",
               release_contacts: bool = False, now: datetime | None = None) -> Event:
    """启动 → 处置中 → 终止. Ending needs a closing summary and lifts a response still in force."""
    if to_status == EventStatus.ENDED:
        return end_event(user, event, closing_summary, decided_by=decided_by, release_contacts=release_contacts,
                         now=now)
    if to_status not in EventStatus.values:
        raise InvalidInput({"status": [field_message("未知的事件状态", "Unknown event status")]})
    with transaction.atomic(), acting_as(user):
        event = _writable(user, event)
        _check_step(event.status, to_status)
        event.status = to_status
        event.save(update_fields=["status", "updated_at"])
    return event


def _check_step(current: str, wanted: str) -> None:
    if wanted not in STATUS_STEPS.get(current, ()):
        zh_from, en_from = STATUS_LABELS[current]
        zh_to, en_to = STATUS_LABELS.get(wanted, (wanted, wanted))
        raise Conflict(f"事件状态不能从“{zh_from}”改为“{zh_to}”", f"An event cannot go from '{en_from}' to '{en_to}'",
                       fields={"status": [field_message(f"不能从“{zh_from}”改为“{zh_to}”",
                                                        f"cannot go from '{en_from}' to '{en_to}'")]})


RELEASE_REASON = "事件终止"


def under_observation(event: Event, *, today=None) -> QuerySet:
    """The event's contacts' observations not yet over (集中隔离 or 居家隔离 in progress or still to start)."""
    from ..models import Quarantine
    from ..models.contacts import QuarantineStatus

    today = today or timezone.localdate()
    return Quarantine.objects.filter(contact__event=event, status=QuarantineStatus.ACTIVE, end_date__gte=today)


def end_event(user, event: Event, closing_summary: str, *, decided_by: str = "", release_contacts: bool = False,
              now: datetime | None = None) -> Event:
    """终止: the closing summary is required; a response still in force is lifted (a LevelChange to none).

    While contacts are still under medical observation the event is not ended (409, naming how many), unless
    ``release_contacts``: then every remaining observation is released (解除医学观察, reason 「事件终止」, through the
    contacts service) in the same transaction."""
    now = now or timezone.now()
    errors = Errors()
    summary = _text(closing_summary, errors, "closing_summary", zh="结案总结", en="closing summary", required=True)
    decided_by = _text(decided_by, errors, "decided_by", zh="决定机关", en="deciding authority", limit=200)
    errors.raise_if_any()
    with transaction.atomic(), acting_as(user):
        event = _writable(user, event)
        _check_step(event.status, EventStatus.ENDED)
        today = timezone.localtime(now).date()
        remaining = list(under_observation(event, today=today).select_related("contact__event"))
        if remaining and not release_contacts:
            n = len(remaining)
            zh = (f"仍有 {n} 名密切接触者在医学观察中（集中隔离或居家隔离未结束），不能终止事件；请先解除，"
                  f"或选择终止时一并解除医学观察")
            en = (f"{n} contact(s) are still under medical observation (centralized or home isolation not ended); "
                  f"release them first, or choose to release them when ending the event")
            raise Conflict(zh, en, fields={"release_contacts": [field_message(zh, en)]})
        if remaining:
            from . import contacts

            for quarantine in remaining:
                contacts.release_contact(user, quarantine.contact, reason=RELEASE_REASON, today=today)
        if event.response_level != ResponseLevel.NONE:
            _apply_level(event, ResponseLevel.NONE, f"事件终止，解除应急响应 / event ended, response lifted\n{summary}",
                         decided_by, user, now)
        event.status, event.ended_at, event.closing_summary = EventStatus.ENDED, now, summary
        event.save(update_fields=["status", "ended_at", "closing_summary", "updated_at"])
    return event


EDITABLE = ("title", "category", "grade", "disease", "description", "lead_org", "occurred_at")


def update_event(user, event: Event, changes: dict, *, now: datetime | None = None) -> Event:
    """Change the event's title, category, grade (e.g. once assessed), disease, description, lead organisation or
    time of occurrence. The region, number, origin, level and status change only through their own rules."""
    now = now or timezone.now()
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise InvalidInput({name: [field_message("该字段不能在此修改", "This field cannot be changed here")]
                            for name in unknown})
    errors = Errors()
    clean = {}
    if "title" in changes:
        clean["title"] = _text(changes["title"], errors, "title", zh="事件名称", en="event's title", required=True,
                               limit=200)
    if "category" in changes:
        if changes["category"] not in EventCategory.values:
            errors.add("category", "请选择事件类别", "Choose the event category")
        clean["category"] = changes["category"]
    if "grade" in changes:
        grade = changes["grade"] or EventGrade.UNGRADED
        if grade not in EventGrade.values or grade == EventGrade.NOT_EMERGENCY:
            errors.add("grade", "事件等级须为Ⅰ–Ⅳ级或未分级", "The grade must be I–IV or ungraded")
        clean["grade"] = grade
    if "disease" in changes:
        code = changes["disease"]
        clean["disease"] = Disease.objects.filter(code=str(code)).first() if code else None
        if code and clean["disease"] is None:
            errors.add("disease", f"未知病种“{code}”", f"Unknown disease '{code}'")
    if "description" in changes:
        clean["description"] = _text(changes["description"], errors, "description", zh="事件描述", en="description")
    if "occurred_at" in changes:
        clean["occurred_at"] = _time(changes["occurred_at"], errors, "occurred_at", now)
    with transaction.atomic(), acting_as(user):
        event = _writable(user, event)
        _not_ended(event)
        if "lead_org" in changes:
            clean["lead_org"] = _lead_org(user, changes["lead_org"], event.region, errors)
        errors.raise_if_any()
        for name, value in clean.items():
            setattr(event, name, value)
        event.save(update_fields=[*clean, "updated_at"])
    return event


def set_affected_regions(user, event: Event, codes) -> Event:
    """Replace the affected regions (each within the event's region)."""
    errors = Errors()
    with transaction.atomic(), acting_as(user):
        event = _writable(user, event)
        _not_ended(event)
        regions = _affected(codes, event.region, errors)
        errors.raise_if_any()
        event.affected_regions.set(regions)
        event.save(update_fields=["updated_at"])
    return event
