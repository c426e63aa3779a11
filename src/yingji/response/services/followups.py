"""Daily follow-up of contacts (每日随访) and the follow-up teams (随访小组), after Go.Data's follow-up generation:

- :func:`generate_followups` makes one FollowUp per contact under observation on a day — idempotent (one per
  contact and day, a unique constraint), stopping at the quarantine's end or when observation stopped early;
  the daily Celery job (response.generate_followups) calls it for today;
- the team is chosen by area: among active teams covering a region that contains the contact's address region,
  those covering the most specific one; among them the one with the fewest follow-ups that day (round-robin by
  load, ties by id) — Go.Data's "round-robin over the teams of the location";
- :func:`record_followup` records seen / not seen, temperature and symptoms.
"""

from collections import Counter
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from yingji.core import scoping
from yingji.core.errors import InvalidInput, NotPermitted, field_message
from yingji.core.models import Organisation, Region
from yingji.core.services import acting_as

from .. import periods
from ..choices import EventStatus
from ..models import Contact, FollowUp, FollowUpTeam
from ..models.contacts import FollowUpStatus, QuarantineStatus
from .contacts import invalid, local_today

MIN_TEMPERATURE = Decimal("34.0")
MAX_TEMPERATURE = Decimal("43.0")


# --- teams ---------------------------------------------------------------------------------------------------


@transaction.atomic
def save_team(user, data: dict, *, instance: FollowUpTeam | None = None) -> FollowUpTeam:
    """Create or change a follow-up team: name, organisation (id or code), regions covered (codes)."""
    errors: dict = {}
    name = (data.get("name") or "").strip()
    if not name or len(name) > 100:
        errors["name"] = [field_message("请填写小组名称（最多 100 字）", "Give the team's name (at most 100 characters)")]
    org_ref = data.get("organisation")
    org = None
    if org_ref:
        key = getattr(org_ref, "pk", org_ref)
        org = Organisation.objects.filter(pk=key).first() if str(key).isdigit() else \
            Organisation.objects.filter(code=str(key)).first()
    if org is None:
        errors["organisation"] = [field_message("请选择所属机构", "Choose the team's organisation")]
    codes = [str(getattr(c, "code", c)).strip() for c in (data.get("regions") or []) if str(getattr(c, "code", c))]
    regions = list(Region.objects.filter(code__in=codes))
    if not codes or len(regions) != len(set(codes)):
        errors["regions"] = [field_message("请填写有效的负责区划代码", "Give valid region codes the team covers")]
    if errors:
        raise InvalidInput(errors)
    scoping.require_place(user, FollowUpTeam, region_code=org.region_id, owner_org_id=org.pk)
    if instance is not None and not scoping.can(user, instance, write=True):
        raise NotPermitted()
    if FollowUpTeam.objects.filter(organisation=org, name=name).exclude(pk=getattr(instance, "pk", None)).exists():
        raise invalid("name", "该机构已有同名随访小组", "The organisation already has a team of this name")
    with acting_as(user):
        team = instance or FollowUpTeam()
        team.name, team.organisation = name, org
        if "active" in data:
            team.active = bool(data["active"])
        team.save()
        team.regions.set(regions)
    return team


def teams_of(user) -> QuerySet:
    return scoping.scope(user, FollowUpTeam.objects.all()).select_related("organisation").prefetch_related("regions")


class TeamPicker:
    """Picks the team for a contact's region (most specific covering region, then least load that day)."""

    def __init__(self, day: date):
        self.coverage: dict[str, list[int]] = {}
        for team_id, code in FollowUpTeam.regions.through.objects.filter(followupteam__active=True).values_list(
                "followupteam_id", "region_id"):
            self.coverage.setdefault(code, []).append(team_id)
        self.load = Counter(FollowUp.objects.filter(date=day, team__isnull=False).values_list("team_id", flat=True))

    def pick(self, region_code: str) -> int | None:
        for code in self._ancestors(region_code):
            teams = self.coverage.get(code)
            if teams:
                team = min(sorted(teams), key=lambda t: self.load[t])
                self.load[team] += 1
                return team
        return None

    @staticmethod
    def _ancestors(code: str) -> list[str]:
        """The code and the codes of every region above it, most specific first."""
        chain, current = [code], code
        seen = {code}
        while True:
            parent = Region.objects.filter(code=current).values_list("parent_id", flat=True).first()
            if not parent or parent in seen:
                return chain
            chain.append(parent)
            seen.add(parent)
            current = parent


def team_for_region(region_code: str, day: date | None = None) -> FollowUpTeam | None:
    team_id = TeamPicker(day or local_today()).pick(region_code)
    return FollowUpTeam.objects.filter(pk=team_id).first() if team_id else None


# --- generation ----------------------------------------------------------------------------------------------


def generate_followups(day: date | None = None, *, event=None, contact=None) -> int:
    """Create the follow-ups due on ``day`` (today by default) for every contact under observation, assigned to
    teams by area; returns how many were created. Running it again creates nothing new."""
    day = day or local_today()
    contacts = Contact.objects.filter(
        quarantine__status=QuarantineStatus.ACTIVE, quarantine__start_date__lte=day, quarantine__end_date__gte=day,
    ).exclude(event__status=EventStatus.ENDED).exclude(followups__date=day)
    if event is not None:
        contacts = contacts.filter(event=event)
    if contact is not None:
        contacts = contacts.filter(pk=contact.pk)
    contacts = list(contacts.select_related("quarantine").order_by("pk"))
    if not contacts:
        return 0
    picker = TeamPicker(day)
    created = 0
    for contact in contacts:
        q = contact.quarantine
        if day not in periods.followup_days(q.start_date, q.end_date, stop=q.stopped_on):
            continue
        try:
            with transaction.atomic():
                FollowUp.objects.create(contact=contact, date=day, team_id=picker.pick(contact.region_id))
                created += 1
        except IntegrityError:  # another run made it meanwhile
            continue
    return created


def generate_range(start: date, end: date, *, event=None) -> int:
    """Follow-ups for every day from start to end (a backfill, the demo)."""
    return sum(generate_followups(day, event=event) for day in periods.followup_days(start, end))


# --- work list and recording ---------------------------------------------------------------------------------


def followups_of(user) -> QuerySet:
    return scoping.scope(user, FollowUp.objects.all()).select_related(
        "contact", "contact__region", "contact__event", "team", "contact__quarantine")


def _temperature(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        t = Decimal(str(value).strip()).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        raise invalid("temperature", "体温须为数字，如 36.5", "The temperature must be a number, e.g. 36.5") from None
    if not MIN_TEMPERATURE <= t <= MAX_TEMPERATURE:
        raise invalid("temperature", f"体温须在 {MIN_TEMPERATURE}–{MAX_TEMPERATURE} ℃ 之间",
                      f"The temperature must be between {MIN_TEMPERATURE} and {MAX_TEMPERATURE} °C")
    return t


@transaction.atomic
def record_followup(user, followup: FollowUp, data: dict, *, today: date | None = None) -> FollowUp:
    """Record a day's follow-up: status seen / not_seen; for seen, the temperature (34–43 ℃) and symptoms."""
    if not scoping.can(user, followup, write=True):
        raise NotPermitted()
    today = today or local_today()
    if followup.date > today:
        raise invalid("date", "不能登记未来日期的随访", "A follow-up of a future day cannot be recorded")
    status = data.get("status")
    if status not in (FollowUpStatus.SEEN, FollowUpStatus.NOT_SEEN):
        raise invalid("status", "请选择“已随访”或“未见到”", "Choose seen or not seen")
    temperature = _temperature(data.get("temperature"))
    if status == FollowUpStatus.NOT_SEEN and temperature is not None:
        raise invalid("temperature", "未见到本人时不能填写体温", "No temperature when the contact was not seen")
    symptoms = (data.get("symptoms") or "").strip()
    if len(symptoms) > 255:
        raise invalid("symptoms", "症状最多 255 字", "At most 255 characters of symptoms")
    with acting_as(user):
        followup.status = status
        followup.temperature = temperature
        followup.symptoms = symptoms
        followup.note = (data.get("note") or "").strip()[:500]
        followup.recorded_by = user
        followup.recorded_at = timezone.now()
        followup.save()
    return followup

