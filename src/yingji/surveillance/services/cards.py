"""Rules for report cards (传染病报告卡): submission (one, or many at once), the county CDC's review, return (退卡),
correction (订正), deletion, duplicate detection (查重) and merging, and the filtered lists that pages, API and
exports share.

Workflow::

    submitted ──review──▶ reviewed
        │  ▲                 │
     return│ └─update──returned◀──return──┘
        │
    correct (any live card) → a new correction card; the original becomes superseded
    delete (with a reason)  → deleted         merge (a duplicate) → merged, merged_into the kept card

Every change runs in one transaction and is audited (django-auditlog; bulk inserts write their entries in bulk).
An illegal transition is a :class:`~yingji.core.errors.Conflict` in both languages.

The card number is the card's idempotency key: submitting a number again with the same content returns the card
made the first time; the same number with different content is a conflict.
"""

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from auditlog.cid import get_cid
from auditlog.context import auditlog_value
from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Model, Q, QuerySet
from django.utils import timezone

from yingji.core import regioncodes, scoping
from yingji.core.errors import Conflict, InvalidInput, NotPermitted, field_message
from yingji.core.i18n import form_errors
from yingji.core.roles import READ_ONLY_ROLES, Role
from yingji.core.services import acting_as

from ..choices import CardStatus, CardType
from ..forms import CardLookups, CaseReportForm
from ..models import CaseReport

MAX_BATCH = 500  # cards per batch request
LIVE = (CardStatus.SUBMITTED, CardStatus.REVIEWED, CardStatus.RETURNED)
STATUS_ZH = {
    CardStatus.SUBMITTED: "待审核", CardStatus.REVIEWED: "已审核", CardStatus.RETURNED: "已退卡",
    CardStatus.SUPERSEDED: "已被订正", CardStatus.MERGED: "已合并", CardStatus.DELETED: "已删除",
}
# Form fields whose values define "the same content" for a repeated card number.
CONTENT_FIELDS = tuple(n for n in CaseReportForm.base_fields if n != "card_number")


def duplicate_window_days() -> int:
    return int(getattr(settings, "YINGJI_DUPLICATE_WINDOW_DAYS", 30))


def cards(*, related: bool = True) -> QuerySet:
    qs = CaseReport.objects.all()
    if related:
        qs = qs.select_related("disease", "address_region", "reporting_org", "reporting_org__region",
                               "reviewed_by", "status_changed_by")
    return qs


# --- permissions --------------------------------------------------------------------------------------------


def require_writer(user) -> None:
    """403 up front when the user's role may file no card at all (health commission, leaders, dispatchers)."""
    if user is None or not user.is_authenticated or not user.is_active:
        raise NotPermitted()
    if user.is_platform_admin:
        return
    if user.role in READ_ONLY_ROLES or user.role not in CaseReport.scope_writer_roles or user.organisation_id is None:
        raise NotPermitted("您的角色不能填报传染病报告卡", "Your role may not file report cards")


def is_reviewer(user, card: CaseReport) -> bool:
    """The CDC of the county of the reporting unit or of the patient's address (any CDC whose reach holds the card),
    and platform administrators."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_platform_admin:
        return True
    return user.role == Role.CDC and scoping.can(user, card, write=True)


def _require_reviewer(user, card: CaseReport) -> None:
    if not is_reviewer(user, card):
        raise NotPermitted("只有县区疾控中心可以审核、退卡、合并报告卡",
                           "Only the county CDC may review, return or merge report cards")


def _require_write(user, card: CaseReport) -> None:
    if not scoping.can(user, card, write=True):
        raise NotPermitted()


def _require_status(card: CaseReport, allowed: Iterable[str], action_zh: str, action_en: str) -> None:
    if card.status not in allowed:
        label = STATUS_ZH.get(card.status, card.status)
        raise Conflict(f"报告卡{card.card_number}当前状态为“{label}”，不能{action_zh}",
                       f"Card {card.card_number} is {card.status}; it cannot be {action_en}")


def _require_reason(reason: str | None, field_name: str = "reason") -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput({field_name: [field_message("请填写原因", "Give a reason")]})
    return reason


# --- content fingerprint and card numbers ------------------------------------------------------------------


def _plain(value):
    if isinstance(value, Model):
        return getattr(value, "code", None) or value.pk
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def fingerprint(form: CaseReportForm) -> str:
    """What was submitted, normalised (codes, UTC times): a repeated card number with equal content is a retry.
    A report time the client left out (so the server's clock filled it) does not count."""
    cleaned = form.cleaned_data
    content = {name: _plain(cleaned.get(name)) for name in CONTENT_FIELDS}
    if not str(form.data.get("reported_at") or "").strip():
        content.pop("reported_at", None)
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class CardNumbers:
    """Card numbers ``<unit code>-<yyyymmdd>-<seq>`` (the report day in Beijing time, 5-digit sequence),
    handed out in order; one allocator serves a whole batch."""

    def __init__(self):
        self._next: dict[str, int] = {}

    def next(self, org, reported_at: datetime) -> str:
        prefix = f"{org.code}-{timezone.localtime(reported_at):%Y%m%d}-"
        if prefix not in self._next:
            used = CaseReport.objects.filter(card_number__startswith=prefix).values_list("card_number", flat=True)
            numbers = [int(n[len(prefix):]) for n in used if n[len(prefix):].isdigit()]
            self._next[prefix] = max(numbers, default=0) + 1
        number = self._next[prefix]
        self._next[prefix] += 1
        return f"{prefix}{number:05d}"

    def skip(self, card_number: str) -> None:
        """A generated number was taken meanwhile (a concurrent submission): move past it."""
        prefix, _, seq = card_number.rpartition("-")
        if seq.isdigit():
            self._next[prefix + "-"] = max(self._next.get(prefix + "-", 0), int(seq) + 1)


# --- submission ---------------------------------------------------------------------------------------------


def _check_reporting_criteria(new_cards: Sequence[CaseReport], *, bulk: bool = False) -> None:
    """New cases are checked against the cluster rules (reporting criteria); services.events proposes a draft
    event report to the CDC when one is met. Only cards of diseases that some active rule covers are checked.

    In bulk (a batch, an imported file) only recent cases are checked — onset within the longest rule window,
    i.e. those that can still be part of a reportable cluster — and one card per disease, county, place and onset
    day stands for the others (it finds the same cluster); a file of last year's cards proposes no events."""
    from ..models import ClusterRule
    from . import events  # imported here: events reads cards too

    active = ClusterRule.objects.filter(is_active=True)
    covered = set(active.values_list("diseases", flat=True))
    new_cards = [c for c in new_cards if c.disease_id in covered or c.disease.parent_id in covered]
    if bulk:
        window = max((w for w in active.values_list("window_days", flat=True) if w), default=30)
        since = timezone.localdate() - timedelta(days=window)
        seen, chosen = set(), []
        for card in new_cards:
            key = (card.disease_id, card.address_region_id, card.work_unit.strip(), card.onset_date)
            if card.onset_date >= since and key not in seen:
                seen.add(key)
                chosen.append(card)
        new_cards = chosen
    for card in new_cards:
        events.on_card_submitted(card)


@dataclass
class Submission:
    card: CaseReport
    replayed: bool = False  # True: the card number was submitted before with this content; nothing new was made


def _validated(form: CaseReportForm) -> CaseReportForm:
    if not form.is_valid():
        raise InvalidInput(form_errors(form))
    return form


def _number_taken() -> Conflict:
    return Conflict("该卡片编号已被使用，请换一个编号（或留空由系统生成）",
                    "This card number is already in use; choose another (or leave it empty to have one generated)",
                    fields={"card_number": [field_message("卡片编号已被使用", "Card number already in use")]})


def _replay(user, existing: CaseReport, print_: str) -> Submission:
    if not scoping.can(user, existing):
        raise _number_taken()  # another unit's card: say nothing about it
    if existing.submission_fingerprint != print_:
        raise Conflict(
            f"卡片编号{existing.card_number}已用于内容不同的报告卡；如需修改请使用订正，新报告卡请使用新编号",
            f"Card number {existing.card_number} was already used for a card with different content; correct that "
            "card, or use a new number for a new card",
            fields={"card_number": [field_message("卡片编号已用于内容不同的报告卡",
                                                  "Card number already used with different content")]},
        )
    return Submission(existing, replayed=True)


def _save_new(user, form: CaseReportForm, print_: str, *, numbers: CardNumbers | None = None,
              card_type=CardType.INITIAL, original: CaseReport | None = None, check: bool = True) -> Submission:
    """Insert the validated card; a lost race on the card number becomes a replay (client number) or a new
    number (generated one)."""
    card: CaseReport = form.instance
    given = form.cleaned_data.get("card_number")
    numbers = numbers or CardNumbers()
    for _attempt in range(5):
        if not given:
            card.card_number = numbers.next(card.reporting_org, card.reported_at)
        card.card_type, card.original = card_type, original
        card.status = CardStatus.SUBMITTED
        card.created_by = user if getattr(user, "is_authenticated", False) else None
        card.submission_fingerprint = print_
        try:
            with transaction.atomic():  # the caller sets the audit actor (auditlog's contexts do not nest)
                card.save(force_insert=True)
                if check:
                    _check_reporting_criteria([card])
            return Submission(card)
        except IntegrityError:
            card.pk = None
            card._state.adding = True
            existing = CaseReport.objects.filter(card_number=card.card_number).first()
            if existing is None:
                raise
            if given:
                return _replay(user, existing, print_)
            numbers.skip(card.card_number)
    raise Conflict("卡片编号分配冲突，请重试", "Could not allocate a card number; retry")


def submit_card(user, data: dict, *, lookups: CardLookups | None = None, now: datetime | None = None) -> Submission:
    """File one card (填报). ``data`` holds the form's fields (codes for disease, region and unit). A card number
    in ``data`` is the idempotency key; without one a number is generated."""
    require_writer(user)
    form = _validated(CaseReportForm(data, user=user, lookups=lookups, now=now))
    print_ = fingerprint(form)
    number = form.cleaned_data.get("card_number")
    if number:
        existing = CaseReport.objects.filter(card_number=number).first()
        if existing is not None:
            return _replay(user, existing, print_)
    with acting_as(user):
        return _save_new(user, form, print_)


def card_values(card: CaseReport) -> dict:
    """A card's content as form data (codes for the related records): the starting point of an edit or a
    correction."""
    values = {name: getattr(card, name) for name in CaseReportForm.Meta.fields}
    values["disease"] = card.disease.code
    values["address_region"] = card.address_region_id
    values["reporting_org"] = card.reporting_org.code
    return {k: ("" if v is None else v) for k, v in values.items()}


def update_card(user, card: CaseReport, changes: dict, *, now: datetime | None = None) -> CaseReport:
    """Edit a card not yet reviewed, or a returned one (which goes back to the review queue). A reviewed card
    is changed by a correction (订正) instead."""
    _require_write(user, card)
    _require_status(card, (CardStatus.SUBMITTED, CardStatus.RETURNED), "修改（已审核的报告卡请订正）",
                    "edited (correct a reviewed card instead)")
    data = card_values(card)
    data.update({k: v for k, v in changes.items() if k != "card_number"})
    card = cards().get(pk=card.pk)  # the form changes its instance even when invalid: not the caller's object
    form = _validated(CaseReportForm(data, instance=card, user=user, now=now))
    card = form.instance
    with transaction.atomic(), acting_as(user):
        if card.status == CardStatus.RETURNED:
            card.status = CardStatus.SUBMITTED
            card.status_changed_at, card.status_changed_by = timezone.now(), user
        card.save()
        _check_reporting_criteria([card])
    return _fresh(card)


def _fresh(card: CaseReport) -> CaseReport:
    """The card as stored (the database computes the delay columns)."""
    return cards().get(pk=card.pk)


def _set_status(user, card: CaseReport, status: str, *, reason: str = "", **extra) -> CaseReport:
    card.status = status
    card.status_reason = reason
    card.status_changed_at, card.status_changed_by = timezone.now(), user
    for name, value in extra.items():
        setattr(card, name, value)
    card.save()
    return card


def _locked(card: CaseReport) -> CaseReport:
    """Re-read the card inside the transaction, locked, so two reviewers cannot both act on one state."""
    return cards(related=False).select_for_update().get(pk=card.pk)


# --- review, return, delete ---------------------------------------------------------------------------------


def review_card(user, card: CaseReport) -> CaseReport:
    """The county CDC confirms the card (审核确认)."""
    _require_reviewer(user, card)
    with transaction.atomic(), acting_as(user):
        card = _locked(card)
        _require_status(card, (CardStatus.SUBMITTED,), "审核", "reviewed")
        now = timezone.now()
        _set_status(user, card, CardStatus.REVIEWED, reviewed_at=now, reviewed_by=user)
    return _fresh(card)


def return_card(user, card: CaseReport, reason: str) -> CaseReport:
    """退卡: send the card back to the reporting unit with the reason it is not acceptable."""
    _require_reviewer(user, card)
    reason = _require_reason(reason)
    with transaction.atomic(), acting_as(user):
        card = _locked(card)
        _require_status(card, (CardStatus.SUBMITTED, CardStatus.REVIEWED), "退卡", "returned")
        _set_status(user, card, CardStatus.RETURNED, reason=reason)
    return _fresh(card)


def delete_card(user, card: CaseReport, reason: str) -> CaseReport:
    """Soft deletion (重报、误报) with a reason; the card and its history stay. The county CDC deletes any live card;
    the reporting unit only its cards not yet reviewed."""
    _require_write(user, card)
    reason = _require_reason(reason)
    reviewer = is_reviewer(user, card)
    allowed = LIVE if reviewer else (CardStatus.SUBMITTED, CardStatus.RETURNED)
    with transaction.atomic(), acting_as(user):
        card = _locked(card)
        _require_status(card, allowed, "删除" if reviewer else "删除（已审核的报告卡须由疾控中心删除）",
                        "deleted" if reviewer else "deleted by the reporting unit once reviewed")
        _set_status(user, card, CardStatus.DELETED, reason=reason)
    return _fresh(card)


# --- correction -----------------------------------------------------------------------------------------------


def correct_card(user, card: CaseReport, changes: dict, *, reason: str = "", now: datetime | None = None
                 ) -> Submission:
    """订正: a new card of type "correction" linked to ``card`` (changed diagnosis, death, filling error …); the
    original becomes superseded. ``changes`` holds only what differs (a corrected disease is allowed); the rest
    is copied. A card number in ``changes`` makes the correction idempotent like a submission."""
    _require_write(user, card)
    data = card_values(card)
    data.update(changes)
    data["card_number"] = (changes.get("card_number") or "").strip()
    if "reported_at" not in changes:
        data["reported_at"] = ""  # the correction's own report time: now
    form = _validated(CaseReportForm(data, user=user, now=now))
    print_ = fingerprint(form)
    number = form.cleaned_data.get("card_number")
    if number:
        existing = CaseReport.objects.filter(card_number=number).first()
        if existing is not None:
            return _replay(user, existing, print_)
    with transaction.atomic(), acting_as(user):
        original = _locked(card)
        _require_status(original, LIVE, "订正", "corrected")
        submission = _save_new(user, form, print_, card_type=CardType.CORRECTION, original=original, check=False)
        if not submission.replayed:
            _set_status(user, original, CardStatus.SUPERSEDED, reason=(reason or "").strip())
            _check_reporting_criteria([submission.card])
    submission.card = _fresh(submission.card)
    return submission


# --- duplicates ---------------------------------------------------------------------------------------------


@dataclass
class DuplicateGroup:
    """Cards of one person and one disease within the window; ``keep`` is the suggested card to keep (a reviewed
    one, else the first reported)."""

    cards: list[CaseReport]
    keep: CaseReport = field(init=False)

    def __post_init__(self):
        reviewed = [c for c in self.cards if c.status == CardStatus.REVIEWED]
        self.keep = min(reviewed or self.cards, key=lambda c: (c.reported_at, c.pk))

    @property
    def others(self) -> list[CaseReport]:
        return [c for c in self.cards if c.pk != self.keep.pk]


def person_key(card: CaseReport) -> tuple:
    """Who the card is about: the document number when there is one, else name + sex + birth date (or age)."""
    if card.id_number:
        return ("id", card.id_number)
    if card.birth_date:
        return ("name", card.patient_name, card.sex, card.birth_date)
    return ("name", card.patient_name, card.sex, None, card.age_value, card.age_unit)


def find_duplicates(user, *, queryset: QuerySet | None = None, window_days: int | None = None) -> list[DuplicateGroup]:
    """Live cards within the user's reach of the same person and disease, diagnosed within ``window_days``
    (default ``settings.YINGJI_DUPLICATE_WINDOW_DAYS``) of each other. Candidates are grouped in the database."""
    window = timedelta(days=duplicate_window_days() if window_days is None else window_days)
    live = scoping.scope(user, (queryset if queryset is not None else CaseReport.objects.all()).filter(status__in=LIVE))
    by_id = (live.exclude(id_number="").values("disease_id", "id_number").annotate(n=Count("id"))
             .filter(n__gt=1).values_list("id_number", flat=True))
    by_name = (live.filter(id_number="").values("disease_id", "patient_name", "sex", "birth_date", "age_value",
                                                 "age_unit").annotate(n=Count("id")).filter(n__gt=1)
               .values_list("patient_name", flat=True))
    candidates = live.filter(Q(id_number__in=list(by_id)) | Q(id_number="", patient_name__in=list(by_name)))
    groups: dict[tuple, list[CaseReport]] = defaultdict(list)
    for card in candidates.select_related("disease", "reporting_org", "address_region").order_by("diagnosed_at", "pk"):
        groups[(card.disease_id, *person_key(card))].append(card)
    found = []
    for members in groups.values():
        run = [members[0]]
        for card in members[1:]:
            if card.diagnosed_at - run[-1].diagnosed_at <= window:
                run.append(card)
            else:
                if len(run) > 1:
                    found.append(DuplicateGroup(run))
                run = [card]
        if len(run) > 1:
            found.append(DuplicateGroup(run))
    found.sort(key=lambda g: (g.keep.reported_at, g.keep.pk), reverse=True)
    return found


def duplicates_of(user, card: CaseReport, *, window_days: int | None = None) -> list[CaseReport]:
    """Other live cards of the same person and disease within the window (for the card page)."""
    window = timedelta(days=duplicate_window_days() if window_days is None else window_days)
    key = person_key(card)
    qs = CaseReport.objects.filter(status__in=LIVE, disease_id=card.disease_id,
                                   diagnosed_at__gte=card.diagnosed_at - window,
                                   diagnosed_at__lte=card.diagnosed_at + window).exclude(pk=card.pk)
    if key[0] == "id":
        qs = qs.filter(id_number=card.id_number)
    else:
        qs = qs.filter(id_number="", patient_name=card.patient_name, sex=card.sex)
    return [c for c in scoping.scope(user, qs) if person_key(c) == key]


def merge_cards(user, duplicate: CaseReport, kept: CaseReport, *, reason: str = "") -> CaseReport:
    """查重合并: ``duplicate`` becomes merged into ``kept`` (which stays live). Both must be live cards of the
    same disease within the user's reach; cards merged into the duplicate earlier now point to ``kept``."""
    if duplicate.pk == kept.pk:
        raise Conflict("不能把报告卡合并到它自身", "A card cannot be merged into itself")
    _require_reviewer(user, duplicate)
    _require_reviewer(user, kept)
    with transaction.atomic(), acting_as(user):
        duplicate, kept = _locked(duplicate), _locked(kept)
        _require_status(duplicate, LIVE, "合并", "merged")
        _require_status(kept, LIVE, "作为保留卡", "kept")
        if duplicate.disease_id != kept.disease_id:
            raise Conflict("两张报告卡的疾病不同，不能合并；如诊断有误请订正",
                           "The cards are for different diseases and cannot be merged; correct the wrong one")
        _set_status(user, duplicate, CardStatus.MERGED, reason=(reason or "").strip() or "重复报告", merged_into=kept)
        for earlier in CaseReport.objects.filter(merged_into=duplicate):
            earlier.merged_into = kept
            earlier.save(update_fields=["merged_into", "updated_at"])
    return _fresh(duplicate)


# --- lists --------------------------------------------------------------------------------------------------


def day_bounds(start: date | None, end: date | None) -> tuple[datetime | None, datetime | None]:
    """[start 00:00, end+1 00:00) in Beijing time, as aware datetimes (so the index on the column is used)."""
    lo = timezone.make_aware(datetime.combine(start, time.min)) if start else None
    hi = timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min)) if end else None
    return lo, hi


@dataclass
class CardFilter:
    """The filters of every card list (page, API, export). Dates are Beijing-time days, inclusive."""

    disease: str | None = None  # a code; includes its subtypes
    region: str | None = None  # current address, region subtree
    org_region: str | None = None  # reporting unit's region subtree
    reporting_org: int | None = None
    status: Sequence[str] | str | None = None
    classification: str | None = None
    card_type: str | None = None
    onset_from: date | None = None
    onset_to: date | None = None
    diagnosed_from: date | None = None
    diagnosed_to: date | None = None
    reported_from: date | None = None
    reported_to: date | None = None
    timeliness: str | None = None  # on_time, late, no_deadline, invalid
    q: str | None = None  # patient name, card number, or (for those who may see it) the document number


def _subtree(code: str, field_name: str) -> str:
    try:
        return regioncodes.subtree_prefix(code)
    except regioncodes.CodeError as exc:
        raise InvalidInput({field_name: [field_message(exc.message_zh, exc.message_en)]}) from exc


def timeliness_q(status: str) -> Q:
    """Cards whose report was on time / late / had no deadline / had impossible times — in the database."""
    hours = F("disease__report_deadline_hours")
    delay = "report_delay_seconds"
    if status == "invalid":
        return Q(**{f"{delay}__lt": 0})
    if status == "no_deadline":
        return Q(**{f"{delay}__gte": 0, "disease__report_deadline_hours__isnull": True})
    if status == "on_time":
        return Q(**{f"{delay}__gte": 0, f"{delay}__lte": hours * 3600})
    if status == "late":
        return Q(**{f"{delay}__gt": hours * 3600})
    raise ValueError(status)


def filter_cards(user, filters: CardFilter | None = None, *, queryset: QuerySet | None = None) -> QuerySet:
    """The cards the user may read, narrowed by ``filters``; newest report first."""
    f = filters or CardFilter()
    qs = scoping.scope(user, queryset if queryset is not None else cards())
    if f.disease:
        qs = qs.filter(Q(disease__code=f.disease) | Q(disease__parent__code=f.disease))
    if f.region:
        qs = qs.filter(address_region__code__startswith=_subtree(f.region, "region"))
    if f.org_region:
        qs = qs.filter(reporting_org__region__code__startswith=_subtree(f.org_region, "org_region"))
    if f.reporting_org:
        qs = qs.filter(reporting_org_id=f.reporting_org)
    if f.status:
        qs = qs.filter(status__in=[f.status] if isinstance(f.status, str) else list(f.status))
    if f.classification:
        qs = qs.filter(classification=f.classification)
    if f.card_type:
        qs = qs.filter(card_type=f.card_type)
    if f.onset_from:
        qs = qs.filter(onset_date__gte=f.onset_from)
    if f.onset_to:
        qs = qs.filter(onset_date__lte=f.onset_to)
    for name, start, end in (("diagnosed_at", f.diagnosed_from, f.diagnosed_to),
                             ("reported_at", f.reported_from, f.reported_to)):
        lo, hi = day_bounds(start, end)
        if lo:
            qs = qs.filter(**{f"{name}__gte": lo})
        if hi:
            qs = qs.filter(**{f"{name}__lt": hi})
    if f.timeliness:
        qs = qs.filter(timeliness_q(f.timeliness))
    if f.q:
        text = f.q.strip()
        match = Q(patient_name__icontains=text) | Q(card_number__icontains=text)
        if user.is_platform_admin or user.role in (Role.CDC, Role.REPORTER):  # those who see ID numbers
            match |= Q(id_number=text.upper())
        qs = qs.filter(match)
    return qs.order_by("-reported_at", "-pk")


# --- many cards at once (batch API, import) --------------------------------------------------------------


@dataclass
class ItemResult:
    index: int  # position in the batch (or spreadsheet row)
    status: str  # created | replayed | invalid | conflict
    card: CaseReport | None = None
    errors: dict = field(default_factory=dict)  # {field: [{message, message_en}]}
    message: str = ""
    message_en: str = ""


@dataclass
class _Valid:
    result: ItemResult
    form: CaseReportForm
    print_: str
    twins: list[ItemResult] = field(default_factory=list)  # later items of the batch repeating this card


def ingest_cards(user, items: Sequence[tuple[int, dict]], *, commit_valid: bool = True, now: datetime | None = None,
                 progress=None) -> list[ItemResult]:
    """Validate many cards with shared lookups, then insert the valid new ones in bulk and write their audit
    entries in bulk. Repeated card numbers are replays (same content) or conflicts, as for one card.

    With ``commit_valid=False`` nothing is written when any item is invalid or in conflict (all or nothing)."""
    require_writer(user)
    lookups = CardLookups(user)
    lookups.preload(regions=[d.get("address_region") or "" for _, d in items],
                    organisations=[d.get("reporting_org") or "" for _, d in items])
    numbers = [str(d.get("card_number") or "").strip() for _, d in items]
    existing = {c.card_number: c for c in CaseReport.objects.filter(card_number__in=[n for n in numbers if n])}
    visible = set(scoping.scope(user, CaseReport.objects.filter(pk__in=[c.pk for c in existing.values()]))
                  .values_list("pk", flat=True))
    now = now or timezone.now()
    results: list[ItemResult] = []
    new: list[_Valid] = []
    in_batch: dict[str, _Valid] = {}
    allocator = CardNumbers()
    for position, (index, data) in enumerate(items, start=1):
        result = ItemResult(index=index, status="invalid")
        results.append(result)
        form = CaseReportForm(data, user=user, lookups=lookups, now=now, bulk=True)
        if not form.is_valid():
            result.errors = form_errors(form)
        else:
            print_ = fingerprint(form)
            number = form.cleaned_data.get("card_number")
            earlier = existing.get(number) if number else None
            twin = in_batch.get(number) if number else None
            if earlier is not None:
                if earlier.pk in visible and earlier.submission_fingerprint == print_:
                    result.status, result.card = "replayed", earlier
                else:
                    _conflict(result, "card_number")
            elif twin is not None:
                if twin.print_ == print_:
                    result.status = "replayed"
                    twin.twins.append(result)
                else:
                    _conflict(result, "card_number")
            else:
                card = form.instance
                if not number:
                    card.card_number = allocator.next(card.reporting_org, card.reported_at)
                valid = _Valid(result, form, print_)
                result.status = "created"
                new.append(valid)
                if number:
                    in_batch[number] = valid
        if progress:
            progress(position)
    failed = any(r.status in ("invalid", "conflict") for r in results)
    if failed and not commit_valid:
        for r in results:
            if r.status == "created":
                r.status, r.card = "valid", None
        return results
    if new:
        _bulk_insert(user, new)
    return results


def _conflict(result: ItemResult, field_name: str) -> None:
    result.status = "conflict"
    result.message = "该卡片编号已被使用或已用于内容不同的报告卡"
    result.message_en = "This card number is already used, or was used for a card with different content"
    result.errors = {field_name: [field_message(result.message, result.message_en)]}


def _bulk_insert(user, new: list[_Valid]) -> None:
    created_by = user if getattr(user, "is_authenticated", False) else None
    objs = []
    for valid in new:
        card = valid.form.instance
        card.card_type, card.status = CardType.INITIAL, CardStatus.SUBMITTED
        card.created_by, card.submission_fingerprint = created_by, valid.print_
        objs.append(card)
    try:
        with transaction.atomic(), acting_as(user):
            CaseReport.objects.bulk_create(objs, batch_size=500)
            write_create_entries(user, objs)
            _check_reporting_criteria(objs, bulk=True)
    except IntegrityError:
        # A card number was taken by a concurrent submission meanwhile: fall back to one card at a time.
        with acting_as(user):
            for valid in new:
                card = valid.form.instance
                card.pk, card._state.adding = None, True
                submission = _save_new(user, valid.form, valid.print_)
                valid.result.status = "replayed" if submission.replayed else "created"
                valid.result.card = submission.card
    else:
        for valid, card in zip(new, objs, strict=True):
            valid.result.card = card
    for valid in new:
        for twin in valid.twins:
            twin.card = valid.result.card


def _audit_fields() -> list:
    from auditlog.registry import auditlog

    excluded = set(auditlog.get_model_fields(CaseReport)["exclude_fields"])
    return [f for f in CaseReport._meta.concrete_fields if f.name not in excluded]


def _change_text(field, value) -> str:
    """A value as auditlog writes it in ``changes`` (times in UTC without zone, relations as keys)."""
    if value is None:
        return "None"
    if isinstance(value, datetime):
        return str(timezone.make_naive(value, UTC) if timezone.is_aware(value) else value)
    return str(value)


def _serial(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def write_create_entries(user, objs: Sequence[CaseReport]) -> None:
    """Audit entries for cards inserted in bulk (bulk_create sends no signals), written in bulk with the same
    content auditlog writes for a single create: every field from None to its value, and the serialised record."""
    content_type = ContentType.objects.get_for_model(CaseReport)
    context = auditlog_value.get(None) or {}
    actor = user if getattr(user, "is_authenticated", False) else context.get("actor")
    cid, stamp, fields = get_cid(), timezone.now(), _audit_fields()
    label = CaseReport._meta.label_lower
    entries = []
    for card in objs:
        values = {f.name: getattr(card, f.attname) for f in fields}
        entries.append(LogEntry(
            content_type=content_type, object_pk=str(card.pk), object_id=card.pk, object_repr=str(card),
            serialized_data={"model": label, "pk": card.pk,
                             "fields": {k: _serial(v) for k, v in values.items() if k != "id"}},
            action=LogEntry.Action.CREATE, actor=actor, remote_addr=context.get("remote_addr"), cid=cid,
            timestamp=stamp,
            changes={f.name: ["None", _change_text(f, values[f.name])] for f in fields},
        ))
    LogEntry.objects.bulk_create(entries, batch_size=500)
