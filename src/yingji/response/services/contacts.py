"""Epidemiological investigation and close contacts (流调/密接): cases in an event, contacts and their quarantine,
test results, the transmission graph and the contact-tracing KPIs (as Go.Data computes them).

Every change checks that the user may change the event (core.scoping, write) and runs in one transaction; bad input
is an InvalidInput with Chinese and English field messages and saves nothing. Personal data (ID number, phone) is
shown in full to CDC staff and administrators, and to the follow-up team's own unit for the contacts it follows;
others who may read the record see it masked (:class:`PersonalData`, as surveillance.services.privacy does for
report cards).

Pages, API and the demo call these functions; the period arithmetic is response/periods.py (pure).
"""

from datetime import date, datetime, time, timedelta
from types import SimpleNamespace

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from yingji.core import scoping
from yingji.core.errors import InvalidInput, NotPermitted, field_message
from yingji.core.models import Region
from yingji.core.roles import Role
from yingji.core.services import acting_as
from yingji.surveillance import idnumbers
from yingji.surveillance.choices import IdType
from yingji.surveillance.services.privacy import mask_phone

from .. import periods
from ..models import Contact, Event, EventCase, FollowUp, Quarantine, TestResult
from ..models.contacts import (
    DEFAULT_CONTACT_TYPES,
    ContactLevel,
    FollowUpStatus,
    QuarantineMode,
    QuarantineStatus,
    TestMethod,
    TestOutcome,
)

PERSONAL_FIELDS = ("id_number", "phone")


def local_today() -> date:
    return timezone.localdate()


def invalid(field: str, zh: str, en: str) -> InvalidInput:
    return InvalidInput({field: [field_message(zh, en)]})


# --- configuration -----------------------------------------------------------------------------------------


def contact_types() -> list[tuple[str, str]]:
    """The contact types (code, label) from settings.YINGJI_RESPONSE_CONTACT_TYPES, else the defaults."""
    configured = getattr(settings, "YINGJI_RESPONSE_CONTACT_TYPES", None)
    return [(str(c), str(label)) for c, label in (configured or DEFAULT_CONTACT_TYPES)]


def contact_type_label(code: str) -> str:
    return dict(contact_types()).get(code, code)


def quarantine_settings() -> dict:
    return {"default_days": int(getattr(settings, "YINGJI_RESPONSE_QUARANTINE_DAYS", periods.DEFAULT_DAYS)),
            "by_mode": dict(getattr(settings, "YINGJI_RESPONSE_QUARANTINE_DAYS_BY_MODE", {}) or {})}


def not_seen_days() -> int:
    return max(1, int(getattr(settings, "YINGJI_RESPONSE_NOT_SEEN_DAYS", 2)))


def among_contacts_days() -> int:
    return max(1, int(getattr(settings, "YINGJI_RESPONSE_AMONG_CONTACTS_DAYS", 14)))


# --- personal data -------------------------------------------------------------------------------------------


class PersonalData:
    """Who sees a case's or contact's ID number and phone in full, decided once per user."""

    def __init__(self, user):
        self.user = user
        self.everything = bool(user and user.is_authenticated and user.is_active
                               and (user.is_platform_admin or user.role == Role.CDC))
        self.own_units: frozenset[int] = frozenset()
        if not self.everything and user is not None and user.is_authenticated and user.organisation_id \
                and user.role == Role.REPORTER:
            self.own_units = frozenset(scoping._org_family_ids(user.organisation))

    def allows(self, person) -> bool:
        if self.everything:
            return True
        if not self.own_units or not isinstance(person, Contact):
            return False
        return person.followups.filter(team__organisation_id__in=self.own_units).exists()

    def id_number(self, person) -> str:
        return person.id_number if self.allows(person) else idnumbers.mask(person.id_number)

    def phone(self, person) -> str:
        return person.phone if self.allows(person) else mask_phone(person.phone)


# --- reading -------------------------------------------------------------------------------------------------


def events_writable(user, event: Event) -> None:
    if not scoping.can(user, event, write=True):
        raise NotPermitted("您不能修改该事件的流调与密接记录（不在管辖范围内或角色只读）",
                           "You may not change this event's investigation records (outside your jurisdiction "
                           "or a read-only role)")


def cases_of(user, event: Event) -> QuerySet:
    return scoping.scope(user, EventCase.objects.filter(event=event)).select_related("region", "case_report")


def contacts_of(user, event: Event | None = None) -> QuerySet:
    qs = Contact.objects.all() if event is None else Contact.objects.filter(event=event)
    return scoping.scope(user, qs).select_related("region", "source_case", "became_case", "event", "quarantine")


def contact_status(contact: Contact, today: date | None = None) -> str:
    """under_followup | upcoming | ended | released | became_case | no_quarantine."""
    today = today or local_today()
    q = getattr(contact, "quarantine", None)
    if q is None:
        return "became_case" if contact.became_case_id else "no_quarantine"
    if q.status == QuarantineStatus.BECAME_CASE:
        return "became_case"
    if q.status == QuarantineStatus.RELEASED:
        return "released"
    if today < q.start_date:
        return "upcoming"
    if today > q.end_date:
        return "ended"
    return "under_followup"


STATUS_LABELS = {
    "under_followup": ("医学观察中", "Under follow-up"),
    "upcoming": ("待开始观察", "Observation not yet started"),
    "ended": ("观察期满", "Observation completed"),
    "released": ("已解除", "Released"),
    "became_case": ("已转为病例", "Became a case"),
    "no_quarantine": ("未安排隔离", "No quarantine set"),
}


def active_on(day: date) -> Q:
    """Contacts under observation on ``day``."""
    return Q(quarantine__status=QuarantineStatus.ACTIVE, quarantine__start_date__lte=day,
             quarantine__end_date__gte=day)


# --- validation helpers --------------------------------------------------------------------------------------


def _person(data: dict, errors: dict, *, today: date) -> dict:
    out = {}
    name = (data.get("name") or "").strip()
    if not name:
        errors.setdefault("name", []).append(field_message("请填写姓名", "Give the name"))
    elif len(name) > 64:
        errors.setdefault("name", []).append(field_message("姓名最多 64 个字符", "The name has at most 64 characters"))
    out["name"] = name
    raw_id = (data.get("id_number") or "").strip()
    sex = (data.get("sex") or "").strip().upper()
    id_type = data.get("id_type") or IdType.RESIDENT_ID
    if id_type not in IdType.values:
        errors.setdefault("id_type", []).append(field_message("证件类型无效", "Unknown document type"))
    elif raw_id and id_type != IdType.RESIDENT_ID:  # a passport or permit: no GB 11643 check
        out["id_number"] = raw_id[:32]
    elif raw_id:
        try:
            parsed = idnumbers.parse(raw_id, today=today)
            out["id_number"] = parsed.number
            sex = sex or parsed.sex
            if sex and sex in ("M", "F") and sex != parsed.sex:
                errors.setdefault("sex", []).append(field_message("性别与身份证号不符",
                                                                  "The sex does not match the ID number"))
        except idnumbers.IdNumberError as exc:
            errors.setdefault("id_number", []).append(field_message(exc.message_zh, exc.message_en))
    else:
        out["id_number"] = ""
    if sex and sex not in ("M", "F", "U"):
        errors.setdefault("sex", []).append(field_message("性别应为 M、F 或 U", "The sex is M, F or U"))
    out["sex"] = sex
    phone = (data.get("phone") or "").strip()
    if phone and (len(phone) > 32 or sum(c.isdigit() for c in phone) < 5
                  or any(not (c.isdigit() or c in "+-() ") for c in phone)):
        errors.setdefault("phone", []).append(field_message("电话号码格式不正确", "The phone number is malformed"))
    out["phone"] = phone
    region = data.get("region")
    code = region.code if isinstance(region, Region) else (str(region).strip() if region else "")
    region_obj = Region.objects.filter(code=code).first() if code else None
    if region_obj is None:
        errors.setdefault("region", []).append(
            field_message("请填写有效的住址区划代码", "Give a valid region code of the address") if code else
            field_message("请填写住址区划", "Give the region of the address"))
    out["region"] = region_obj
    out["address_detail"] = (data.get("address_detail") or "").strip()[:255]
    return out


def _date(data: dict, name: str, errors: dict, *, required: bool = False) -> date | None:
    value = data.get(name)
    if value in (None, ""):
        if required:
            errors.setdefault(name, []).append(field_message("必填", "Required"))
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        errors.setdefault(name, []).append(field_message("日期格式不正确，应为 YYYY-MM-DD",
                                                         "The date is malformed: YYYY-MM-DD"))
        return None


def _raise(errors: dict) -> None:
    if errors:
        raise InvalidInput(errors)


def _period_error(exc: periods.PeriodError) -> InvalidInput:
    return invalid(exc.field, exc.message_zh, exc.message_en)


# --- cases ---------------------------------------------------------------------------------------------------


@transaction.atomic
def add_case(user, event: Event, data: dict, *, today: date | None = None) -> EventCase:
    """Add a case to ``event``: from a report card (``case_report`` = the card's id, fields filled from the card
    unless given) or by hand (name, region …). Isolation may not precede onset; dates may not be in the future."""
    events_writable(user, event)
    today = today or local_today()
    data = dict(data)
    errors: dict = {}
    card = None
    if data.get("case_report"):
        from yingji.surveillance.models import CaseReport

        card_id = data["case_report"]
        card = scoping.scope(user, CaseReport.objects.all()).filter(pk=getattr(card_id, "pk", card_id)).first() \
            if str(getattr(card_id, "pk", card_id)).isdigit() else None
        if card is None:
            raise invalid("case_report", "报告卡不存在或不在您的管辖范围内",
                          "No such report card within your jurisdiction")
        if EventCase.objects.filter(event=event, case_report=card).exists():
            raise invalid("case_report", "该报告卡已是本事件的病例", "This report card is already a case of the event")
        for name, value in (("name", card.patient_name), ("sex", card.sex), ("id_number", card.id_number),
                            ("phone", card.phone), ("region", card.address_region_id), ("id_type", card.id_type),
                            ("address_detail", card.address_detail), ("onset_date", card.onset_date),
                            ("reported_on", timezone.localtime(card.reported_at).date()
                             if getattr(card, "reported_at", None) else None)):
            if not data.get(name) and value:
                data[name] = value
    person = _person(data, errors, today=today)
    onset = _date(data, "onset_date", errors)
    reported_on = _date(data, "reported_on", errors) or today
    isolated_on = _date(data, "isolated_on", errors)
    for name, value in (("onset_date", onset), ("reported_on", reported_on), ("isolated_on", isolated_on)):
        if value and value > today:
            errors.setdefault(name, []).append(field_message("日期不能晚于今天", "The date cannot be in the future"))
    if onset and isolated_on and isolated_on < onset - timedelta(days=periods.MAX_DAYS):
        errors.setdefault("isolated_on", []).append(field_message("隔离日期与发病日期相差过远",
                                                                  "The isolation date is too far from the onset"))
    _raise(errors)
    with acting_as(user):
        case = EventCase.objects.create(
            event=event, case_report=card, number=(data.get("number") or "").strip()[:32], **person,
            onset_date=onset, reported_on=reported_on, isolated_on=isolated_on,
            isolation_place=(data.get("isolation_place") or "").strip()[:200], notes=(data.get("notes") or "").strip(),
            created_by=user if getattr(user, "is_authenticated", False) else None)
        if not case.number:
            case.number = f"C{case.pk}"
            case.save(update_fields=["number"])
    _statutory_tasks(event, card, case, user)
    return case


def _statutory_tasks(event, card, case, user) -> None:
    """The tasks engineer's statutory tasks for a new case (the 24-hour investigation), when that part exists."""
    try:
        from . import tasks as task_service
    except ImportError:
        return
    make = getattr(task_service, "statutory_tasks_for_case", None)
    if make is None:
        return
    if card is None:  # a case entered by hand: the same duck type as a card, keyed apart from card ids
        card = SimpleNamespace(pk=f"manual-{case.pk}", reported_at=case.created_at, address_region_id=case.region_id,
                               card_number=case.number)
    make(event, card, user)


@transaction.atomic
def update_case_isolation(user, case: EventCase, *, isolated_on: date | None, isolation_place: str = "",
                          today: date | None = None) -> EventCase:
    events_writable(user, case.event)
    today = today or local_today()
    if isolated_on and isolated_on > today:
        raise invalid("isolated_on", "隔离日期不能晚于今天", "The isolation date cannot be in the future")
    if isolated_on:
        late = case.contacts.filter(last_exposure__gt=isolated_on).first()
        if late is not None:
            raise invalid("isolated_on", f"已有密接的末次暴露日期（{late.last_exposure:%Y-%m-%d}）晚于该隔离日期",
                          f"A contact's last exposure ({late.last_exposure:%Y-%m-%d}) is after this isolation date")
    with acting_as(user):
        case.isolated_on = isolated_on
        case.isolation_place = (isolation_place or "").strip()[:200]
        case.save(update_fields=["isolated_on", "isolation_place", "updated_at"])
    return case


# --- contacts and quarantine --------------------------------------------------------------------------------


@transaction.atomic
def add_contact(user, event: Event, data: dict, *, today: date | None = None) -> Contact:
    """Register a contact of ``data["source_case"]`` (an EventCase of the event, or its id) with type and last
    exposure, and — when ``mode`` is given — the quarantine computed from the configured period (override with
    ``start_date``/``end_date`` and ``override_reason``)."""
    events_writable(user, event)
    today = today or local_today()
    errors: dict = {}
    person = _person(data, errors, today=today)
    source = data.get("source_case")
    source_pk = getattr(source, "pk", source)
    source_case = EventCase.objects.filter(event=event, pk=source_pk).first() if str(source_pk or "").isdigit() \
        else None
    if source_case is None:
        errors.setdefault("source_case", []).append(field_message("请选择本事件中的传染源病例",
                                                                  "Choose the source case among the event's cases"))
    source_contact = None
    if data.get("source_contact"):
        sc = data["source_contact"]
        sc_pk = getattr(sc, "pk", sc)
        source_contact = Contact.objects.filter(event=event, pk=sc_pk).first() if str(sc_pk).isdigit() else None
        if source_contact is None:
            errors.setdefault("source_contact", []).append(field_message("请选择本事件中的密接",
                                                                         "Choose a contact of the event"))
    level = data.get("level") or (ContactLevel.SECONDARY if source_contact else ContactLevel.CLOSE)
    if level not in ContactLevel.values:
        errors.setdefault("level", []).append(field_message("接触者类别无效", "Unknown contact level"))
    contact_type = (data.get("contact_type") or "").strip()
    if contact_type not in dict(contact_types()):
        errors.setdefault("contact_type", []).append(field_message("请选择接触类型", "Choose the contact type"))
    last_exposure = _date(data, "last_exposure", errors, required=True)
    if last_exposure is not None:
        try:
            periods.check_exposure(last_exposure, today=today,
                                   source_isolated_on=source_case.isolated_on if source_case else None)
        except periods.PeriodError as exc:
            errors.setdefault(exc.field, []).append(field_message(exc.message_zh, exc.message_en))
    _raise(errors)
    with acting_as(user):
        contact = Contact.objects.create(
            event=event, source_case=source_case, source_contact=source_contact, level=level,
            contact_type=contact_type, **person, last_exposure=last_exposure,
            exposure_place=(data.get("exposure_place") or "").strip()[:200], notes=(data.get("notes") or "").strip(),
            created_by=user if getattr(user, "is_authenticated", False) else None)
        if data.get("mode"):
            _set_quarantine(contact, data, today=today)
    return contact


def _set_quarantine(contact: Contact, data: dict, *, today: date) -> Quarantine:
    errors: dict = {}
    mode = data.get("mode")
    if mode not in QuarantineMode.values:
        errors.setdefault("mode", []).append(field_message("请选择隔离方式（集中隔离医学观察或居家隔离）",
                                                           "Choose the mode (centralized or home isolation)"))
    placed_on = _date(data, "placed_on", errors)
    start = _date(data, "start_date", errors)
    end = _date(data, "end_date", errors)
    _raise(errors)
    try:
        period = periods.quarantine_period(
            contact.last_exposure, mode, **quarantine_settings(), placed_on=placed_on, start_override=start,
            end_override=end, reason=data.get("override_reason") or "")
    except periods.PeriodError as exc:
        raise _period_error(exc) from exc
    quarantine = getattr(contact, "quarantine", None) if contact.pk else None
    if quarantine is None:
        quarantine = Quarantine(contact=contact)
    quarantine.mode = mode
    quarantine.place = (data.get("place") or "").strip()[:200]
    quarantine.start_date, quarantine.end_date = period.start, period.end
    quarantine.computed_start, quarantine.computed_end = period.computed_start, period.computed_end
    quarantine.period_days = period.days
    quarantine.overridden, quarantine.override_reason = period.overridden, period.reason
    quarantine.save()
    # follow-ups outside the new period that nobody has recorded yet are dropped
    FollowUp.objects.filter(contact=contact, status=FollowUpStatus.PENDING).filter(
        Q(date__lt=period.start) | Q(date__gt=period.end)).delete()
    contact.quarantine = quarantine
    if period.covers(today):  # today's follow-up at once, so the contact is on today's work list
        from .followups import generate_followups

        generate_followups(today, contact=contact)
    return quarantine


@transaction.atomic
def set_quarantine(user, contact: Contact, data: dict, *, today: date | None = None) -> Quarantine:
    """Set or change the contact's quarantine (mode, place; computed dates, or chosen ones with a reason)."""
    events_writable(user, contact.event)
    existing = getattr(contact, "quarantine", None)
    if existing is not None and existing.status != QuarantineStatus.ACTIVE:
        raise invalid("mode", "该密接的医学观察已结束，不能再修改", "This contact's observation has ended")
    with acting_as(user):
        return _set_quarantine(contact, data, today=today or local_today())


@transaction.atomic
def release_contact(user, contact: Contact, *, on: date | None = None, reason: str = "",
                    today: date | None = None) -> Quarantine:
    """Release the contact early (解除医学观察): follow-ups from ``on`` that nobody recorded are dropped. ``on``
    defaults to today, or to the start date of an observation that has not begun yet (released before it starts)."""
    events_writable(user, contact.event)
    today = today or local_today()
    quarantine = getattr(contact, "quarantine", None)
    if quarantine is None or quarantine.status != QuarantineStatus.ACTIVE:
        raise invalid("status", "该密接没有进行中的医学观察", "This contact is not under observation")
    on = on or max(today, quarantine.start_date)
    if not (reason or "").strip():
        raise invalid("reason", "请说明解除理由", "Give the reason for the release")
    if on < quarantine.start_date or on > max(today, quarantine.start_date):
        raise invalid("on", "解除日期须在观察开始之后且不晚于今天",
                      "The release date must be after the start of observation and not in the future")
    with acting_as(user):
        quarantine.status, quarantine.stopped_on = QuarantineStatus.RELEASED, on
        quarantine.override_reason = (quarantine.override_reason + "\n" if quarantine.override_reason else "") + \
            reason.strip()
        quarantine.save()
        FollowUp.objects.filter(contact=contact, status=FollowUpStatus.PENDING, date__gte=on).delete()
    return quarantine


@transaction.atomic
def contact_becomes_case(user, contact: Contact, data: dict | None = None, *, case: EventCase | None = None,
                         today: date | None = None) -> EventCase:
    """The contact became a case (密接转确诊): link an existing case of the event, or add one from the contact's
    person data (``data`` adds onset, isolation …). Observation stops; unrecorded later follow-ups are dropped."""
    events_writable(user, contact.event)
    today = today or local_today()
    if contact.became_case_id:
        raise invalid("became_case", "该密接已转为病例", "This contact has already become a case")
    if case is None:
        payload = {"name": contact.name, "sex": contact.sex, "id_number": contact.id_number, "phone": contact.phone,
                   "region": contact.region_id, "address_detail": contact.address_detail}
        payload.update({k: v for k, v in (data or {}).items() if v not in (None, "")})
        case = add_case(user, contact.event, payload, today=today)
    elif case.event_id != contact.event_id:
        raise invalid("case", "病例须属于同一事件", "The case must belong to the same event")
    with acting_as(user):
        contact.became_case = case
        contact.save(update_fields=["became_case", "updated_at"])
        quarantine = getattr(contact, "quarantine", None)
        if quarantine is not None and quarantine.status == QuarantineStatus.ACTIVE:
            quarantine.status = QuarantineStatus.BECAME_CASE
            quarantine.stopped_on = max(quarantine.start_date, min(case.reported_on, today))
            quarantine.save()
            FollowUp.objects.filter(contact=contact, status=FollowUpStatus.PENDING,
                                    date__gte=quarantine.stopped_on).delete()
    return case


# --- test results --------------------------------------------------------------------------------------------


@transaction.atomic
def add_test_result(user, event: Event, data: dict, *, today: date | None = None) -> TestResult:
    """A sample of a contact (``contact``) or a case (``case``) of ``event``: sample date, method, result."""
    events_writable(user, event)
    today = today or local_today()
    errors: dict = {}
    contact = case = None
    if data.get("contact"):
        pk = getattr(data["contact"], "pk", data["contact"])
        contact = Contact.objects.filter(event=event, pk=pk).first() if str(pk).isdigit() else None
        if contact is None:
            errors.setdefault("contact", []).append(field_message("密接不属于本事件", "No such contact in the event"))
    if data.get("case"):
        pk = getattr(data["case"], "pk", data["case"])
        case = EventCase.objects.filter(event=event, pk=pk).first() if str(pk).isdigit() else None
        if case is None:
            errors.setdefault("case", []).append(field_message("病例不属于本事件", "No such case in the event"))
    if not data.get("contact") and not data.get("case"):
        errors.setdefault("contact", []).append(field_message("请指定密接或病例", "Name the contact or the case"))
    sample_date = _date(data, "sample_date", errors, required=True)
    result_date = _date(data, "result_date", errors)
    if sample_date and sample_date > today:
        errors.setdefault("sample_date", []).append(field_message("采样日期不能晚于今天",
                                                                  "The sample date cannot be in the future"))
    if sample_date and result_date and result_date < sample_date:
        errors.setdefault("result_date", []).append(field_message("结果日期不能早于采样日期",
                                                                  "The result date cannot be before the sample date"))
    method = data.get("method")
    if method not in TestMethod.values:
        errors.setdefault("method", []).append(field_message("请选择检测方法", "Choose the test method"))
    result = data.get("result") or TestOutcome.PENDING
    if result not in TestOutcome.values:
        errors.setdefault("result", []).append(field_message("检测结果无效", "Unknown test result"))
    _raise(errors)
    with acting_as(user):
        return TestResult.objects.create(
            event=event, contact=contact, case=case, sample_date=sample_date, method=method, result=result,
            result_date=result_date, laboratory=(data.get("laboratory") or "").strip()[:200],
            recorded_by=user if getattr(user, "is_authenticated", False) else None)


# --- transmission graph and KPIs ----------------------------------------------------------------------------


def transmission_graph(event: Event, *, today: date | None = None) -> dict:
    """Who infected whom: nodes (cases and contacts) and links case → contact (exposure) and contact → case (the
    contact became that case), ready for an ECharts graph. Names only; no ID numbers or phones."""
    today = today or local_today()
    nodes, links = [], []
    for case in EventCase.objects.filter(event=event).order_by("pk"):
        nodes.append({"id": f"case-{case.pk}", "name": f"{case.label} {case.name}", "category": 0,
                      "onset": case.onset_date.isoformat() if case.onset_date else None})
    for contact in Contact.objects.filter(event=event).select_related("quarantine").order_by("pk"):
        status = contact_status(contact, today)
        nodes.append({"id": f"contact-{contact.pk}", "name": f"K{contact.pk} {contact.name}",
                      "category": 2 if status == "became_case" else 1, "status": status,
                      "type": contact_type_label(contact.contact_type)})
        source = f"contact-{contact.source_contact_id}" if contact.source_contact_id else f"case-{contact.source_case_id}"
        links.append({"source": source, "target": f"contact-{contact.pk}", "kind": "exposure"})
        if contact.became_case_id:
            links.append({"source": f"contact-{contact.pk}", "target": f"case-{contact.became_case_id}",
                          "kind": "became_case"})
    return {"nodes": nodes, "links": links, "categories": ["case", "contact", "contact_became_case"]}


def not_seen_for(contacts: QuerySet, today: date, days: int | None = None) -> QuerySet:
    """Contacts under observation, and registered, for at least ``days`` days (YINGJI_RESPONSE_NOT_SEEN_DAYS) who were
    not seen on any of the last ``days`` days (Go.Data's "contacts not seen in X days")."""
    days = days or not_seen_days()
    window_start = today - timedelta(days=days - 1)
    seen_recently = FollowUp.objects.filter(contact=OuterRef("pk"), status=FollowUpStatus.SEEN,
                                            date__gte=window_start, date__lte=today)
    registered_by = timezone.make_aware(datetime.combine(window_start + timedelta(days=1), time.min))
    return contacts.filter(active_on(today), quarantine__start_date__lte=window_start,
                           created_at__lt=registered_by).exclude(Exists(seen_recently))


def event_contact_summary(event: Event, *, today: date | None = None) -> dict:
    """Counts and KPIs of the event's contact tracing (the command page reads this), as Go.Data computes them:

    - ``under_followup``: contacts under observation today; ``due_today`` / ``recorded_today`` / ``seen_today``:
      today's follow-ups; ``completion_rate_today`` = recorded / due (None when nothing is due);
    - ``not_seen`` (lost to follow-up): contacts under observation (and registered) for at least N days (settings
      YINGJI_RESPONSE_NOT_SEEN_DAYS) not seen on any of the last N days (Go.Data noDaysNotSeen);
    - ``new_cases`` in the last M days (YINGJI_RESPONSE_AMONG_CONTACTS_DAYS, by reporting date) and
      ``new_cases_among_contacts`` of them that were known contacts (became a case from a contact),
      ``share_among_contacts`` (Go.Data noDaysAmongContacts).
    """
    today = today or local_today()
    n, m = not_seen_days(), among_contacts_days()
    contacts = Contact.objects.filter(event=event)
    under = contacts.filter(active_on(today))
    due = FollowUp.objects.filter(contact__event=event, date=today)
    due_count = due.count()
    recorded = due.exclude(status=FollowUpStatus.PENDING).count()
    seen = due.filter(status=FollowUpStatus.SEEN).count()
    not_seen = not_seen_for(under, today, n).count()
    new_cases = EventCase.objects.filter(event=event, reported_on__gt=today - timedelta(days=m),
                                         reported_on__lte=today)
    among = new_cases.filter(from_contacts__isnull=False).distinct().count()
    new_count = new_cases.count()
    return {
        "today": today,
        "cases": EventCase.objects.filter(event=event).count(),
        "contacts": contacts.count(),
        "under_followup": under.count(),
        "centralized": under.filter(quarantine__mode=QuarantineMode.CENTRALIZED).count(),
        "home": under.filter(quarantine__mode=QuarantineMode.HOME).count(),
        "due_today": due_count,
        "recorded_today": recorded,
        "seen_today": seen,
        "completion_rate_today": periods.share(recorded, due_count),
        "not_seen": not_seen,
        "lost_to_followup": not_seen,
        "not_seen_days": n,
        "new_cases": new_count,
        "new_cases_among_contacts": among,
        "share_among_contacts": periods.share(among, new_count),
        "among_contacts_days": m,
        "became_cases": contacts.filter(became_case__isnull=False).count(),
        "released": contacts.filter(quarantine__status=QuarantineStatus.RELEASED).count(),
    }
