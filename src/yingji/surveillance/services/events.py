"""Public-health event reports (突发公共卫生事件相关信息报告) and proposals from cluster rules.

A chain of reports describes one event: the initial report (初次报告), progress reports (进程报告, numbered 1, 2, …)
and one final report (结案报告). Each is a draft until submitted; a draft may instead be rejected (with a reason,
e.g. 「经核实不构成突发公共卫生事件相关信息」). Rules:
- the initial report is due ``YINGJI_EVENT_INITIAL_REPORT_HOURS`` (default 2) hours after discovery
  (《国家突发公共卫生事件相关信息报告管理工作规范》: 2 小时内); its deadline status is on time, late, pending or
  overdue (surveillance.deadlines); progress and final reports have no statutory hour limit here;
- progress and final reports follow a *submitted* initial report; nothing follows a submitted final report, and
  a chain has at most one final report that is not rejected;
- the grade is I–IV, 未分级 (ungraded) or 非突发事件 (not an emergency) — the last only on a final report;
- deaths never exceed cases; discovery is never in the future.

Cluster rules (surveillance.clusters) are checked whenever a card is submitted (:func:`on_card_submitted`): when
a rule fires for a group (a school, a street, a county) that no open draft or initial report covers, a draft
initial report is proposed to the CDC of the county, linked to the cases, and that CDC's users are notified.
Checking again adds new cases to the open draft instead of proposing a second one.
"""

import logging
from collections import defaultdict
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from yingji.core import regioncodes, scoping
from yingji.core.errors import Conflict, InvalidInput, field_message
from yingji.core.models import Organisation, Region, User
from yingji.core.notify import notify
from yingji.core.roles import Role
from yingji.core.services import acting_as

from .. import clusters, deadlines
from ..choices import CardStatus, EventCategory, EventGrade, EventReportStatus, EventReportType
from ..models import CaseReport, ClusterRule, Disease, EventReport, EventSource
from .schedules import Errors, resolve_unit

logger = logging.getLogger("yingji.surveillance.events")

DEFAULT_INITIAL_REPORT_HOURS = 2
DEFAULT_CLUSTER_LOOKBACK_DAYS = 30
CLOCK_SKEW = timedelta(minutes=1)
LIVE_CARD_STATUSES = (CardStatus.SUBMITTED, CardStatus.REVIEWED, CardStatus.RETURNED)
TYPE_LABELS = {
    EventReportType.INITIAL: ("初次报告", "initial report"),
    EventReportType.PROGRESS: ("进程报告", "progress report"),
    EventReportType.FINAL: ("结案报告", "final report"),
}
EDITABLE_FIELDS = ("title", "category", "grade", "disease", "place", "discovered_at", "cases", "deaths",
                   "description", "measures")


def initial_report_hours() -> int:
    return int(getattr(settings, "YINGJI_EVENT_INITIAL_REPORT_HOURS", DEFAULT_INITIAL_REPORT_HOURS))


def cluster_lookback_days() -> int:
    """How far around a new case a rule without a window looks for cases of the same event (default 30 days)."""
    return int(getattr(settings, "YINGJI_CLUSTER_LOOKBACK_DAYS", DEFAULT_CLUSTER_LOOKBACK_DAYS))


# --- deadlines ------------------------------------------------------------------------------------------------


def deadline_of(report: EventReport) -> datetime | None:
    """When the report is due: the initial report ``initial_report_hours()`` after discovery; others None."""
    if report.report_type != EventReportType.INITIAL:
        return None
    return deadlines.deadline(report.discovered_at, initial_report_hours())


def deadline_status(report: EventReport, *, now: datetime | None = None) -> deadlines.Assessment:
    """on_time / late for a submitted initial report, pending / overdue for a draft one; no_deadline otherwise."""
    if report.report_type != EventReportType.INITIAL or report.status == EventReportStatus.REJECTED:
        return deadlines.Assessment(deadlines.Timeliness.NO_DEADLINE, None, None)
    reported = report.reported_at if report.status == EventReportStatus.SUBMITTED else None
    return deadlines.assess(report.discovered_at, reported, initial_report_hours(), now=now or timezone.now())


def overdue_initial_drafts(queryset=None, *, now: datetime | None = None):
    """Draft initial reports whose deadline has passed (a queryset; scope it first for a user)."""
    now = now or timezone.now()
    queryset = EventReport.objects.all() if queryset is None else queryset
    return queryset.filter(report_type=EventReportType.INITIAL, status=EventReportStatus.DRAFT,
                           discovered_at__lt=now - timedelta(hours=initial_report_hours()))


# --- validation -----------------------------------------------------------------------------------------------


def _check_fields(values: dict, errors: Errors, *, report_type: str, now: datetime) -> dict:
    """Validate the editable fields present in ``values``; returns them cleaned (disease as a Disease)."""
    clean = {}
    if "title" in values:
        title = (values["title"] or "").strip()
        if not title:
            errors.add("title", "请填写事件名称", "Give the event's name")
        elif len(title) > 200:
            errors.add("title", "事件名称最多 200 个字符", "The name may have at most 200 characters")
        clean["title"] = title
    if "category" in values:
        if values["category"] not in EventCategory.values:
            errors.add("category", "未知的事件类别", "Unknown event category")
        clean["category"] = values["category"]
    if "grade" in values:
        grade = values["grade"] or EventGrade.UNGRADED
        if grade not in EventGrade.values:
            errors.add("grade", "未知的事件等级", "Unknown event grade")
        elif grade == EventGrade.NOT_EMERGENCY and report_type != EventReportType.FINAL:
            errors.add("grade", "“非突发事件”仅适用于结案报告", "'Not a public-health emergency' applies to final reports only")
        clean["grade"] = grade
    if "disease" in values:
        code = values["disease"]
        disease = None
        if code:
            disease = Disease.objects.filter(code=str(code)).first()
            if disease is None:
                errors.add("disease", f"未知病种“{code}”", f"Unknown disease '{code}'")
        clean["disease"] = disease
    if "place" in values:
        place = (values["place"] or "").strip()
        if len(place) > 200:
            errors.add("place", "地点最多 200 个字符", "The place may have at most 200 characters")
        clean["place"] = place
    if "discovered_at" in values:
        discovered = values["discovered_at"]
        if not isinstance(discovered, datetime):
            errors.add("discovered_at", "请填写发现时间", "Give the time of discovery")
        else:
            if timezone.is_naive(discovered):
                discovered = timezone.make_aware(discovered)
            if discovered > now + CLOCK_SKEW:
                errors.add("discovered_at", "发现时间不能晚于现在", "The time of discovery must not be in the future")
        clean["discovered_at"] = discovered
    for name, zh, en in (("cases", "发病人数", "cases"), ("deaths", "死亡人数", "deaths")):
        if name in values:
            value = values[name]
            if isinstance(value, bool) or not isinstance(value, int):
                errors.add(name, f"{zh}须为整数", f"The number of {en} must be a whole number")
            elif value < 0:
                errors.add(name, f"{zh}不能为负数", f"The number of {en} must not be negative")
            clean[name] = value
    if isinstance(clean.get("cases"), int) and isinstance(clean.get("deaths"), int) \
            and not errors.fields.get("cases") and not errors.fields.get("deaths") and clean["deaths"] > clean["cases"]:
        errors.add("deaths", "死亡人数不能多于发病人数", "Deaths must not exceed cases")
    for name in ("description", "measures"):
        if name in values:
            clean[name] = (values[name] or "").strip()
    return clean


def _number_prefix(county: str, now: datetime) -> str:
    return f"{county or '000000'}{timezone.localtime(now):%Y%m%d}"


def _save_new(report: EventReport, *, county: str, now: datetime, numbered: bool) -> EventReport:
    """Insert the report under the client's number, or under the next free number of the county and day
    (e.g. 99010220260315003), retrying when a simultaneous report took that number."""
    prefix = _number_prefix(county, now)
    for attempt in range(20):
        if not numbered:
            taken = EventReport.objects.filter(report_number__startswith=prefix).count()
            report.report_number = f"{prefix}{taken + 1 + attempt:03d}"
        try:
            with transaction.atomic():
                report.save()
            return report
        except IntegrityError:
            if not EventReport.objects.filter(report_number=report.report_number).exists():
                raise  # another constraint (e.g. one open proposal per cluster): the caller decides
            if numbered:
                raise InvalidInput({"report_number": [field_message("报告编号已存在",
                                                                    "The report number already exists")]}) from None
    raise Conflict("报告编号冲突，请重试", "The report number collided with another; retry")


def _county_of(code: str | None) -> str:
    """The county (or county-level) code of a region code; '' above county level."""
    if not code:
        return ""
    try:
        level = regioncodes.level_of(code)
    except regioncodes.CodeError:
        return ""
    if level == regioncodes.Level.TOWN:
        return code[:6]
    return code if level == regioncodes.Level.COUNTY else ""


# --- manual reports -------------------------------------------------------------------------------------------


def create_event_report(user, *, title: str, category: str, region: str, discovered_at: datetime,
                        reporting_org=None, grade: str = EventGrade.UNGRADED, disease: str | None = None,
                        place: str = "", cases: int = 0, deaths: int = 0, description: str = "",
                        measures: str = "", report_number: str | None = None, submit: bool = False,
                        now: datetime | None = None) -> EventReport:
    """An initial report (初次报告), saved as a draft or submitted at once (``submit=True``)."""
    now = now or timezone.now()
    errors = Errors()
    org = resolve_unit(user, reporting_org if reporting_org is not None else user.organisation_id, errors,
                       "reporting_org")
    place_region = Region.objects.filter(code=str(region or "")).first()
    if place_region is None:
        errors.add("region", "行政区划不存在", "No such region")
    clean = _check_fields({"title": title, "category": category, "grade": grade, "disease": disease,
                           "place": place, "discovered_at": discovered_at, "cases": cases, "deaths": deaths,
                           "description": description, "measures": measures}, errors,
                          report_type=EventReportType.INITIAL, now=now)
    report_number = (report_number or "").strip()
    if len(report_number) > 64:
        errors.add("report_number", "报告编号最多 64 个字符", "The report number may have at most 64 characters")
    elif report_number and EventReport.objects.filter(report_number=report_number).exists():
        errors.add("report_number", "报告编号已存在", "The report number already exists")
    errors.raise_if_any()
    scoping.require_place(user, EventReport, region_code=place_region.code, owner_org_id=org.pk)
    report = EventReport(report_type=EventReportType.INITIAL, region=place_region, reporting_org=org,
                         source=EventSource.MANUAL, created_by=user, report_number=report_number, **clean)
    if submit:
        report.status, report.reported_at, report.submitted_by = EventReportStatus.SUBMITTED, now, user
    with transaction.atomic(), acting_as(user):
        _save_new(report, county=_county_of(place_region.code), now=now, numbered=bool(report_number))
    return report


def _writable(user, report: EventReport) -> EventReport:
    return scoping.get_scoped(user, EventReport.objects.select_related("initial"), write=True, pk=report.pk)


def _require_draft(report: EventReport) -> None:
    if report.status != EventReportStatus.DRAFT:
        raise Conflict("只有草稿可以修改、提交或驳回", "Only a draft can be changed, submitted or rejected")


def _chain_state(initial: EventReport, *, excluding: EventReport | None = None) -> dict:
    follow_ups = initial.follow_ups.exclude(status=EventReportStatus.REJECTED)
    if excluding is not None:
        follow_ups = follow_ups.exclude(pk=excluding.pk)
    finals = list(follow_ups.filter(report_type=EventReportType.FINAL).values_list("status", flat=True))
    return {"closed": EventReportStatus.SUBMITTED in finals, "has_final": bool(finals),
            "progress": follow_ups.filter(report_type=EventReportType.PROGRESS).count()}


def _check_chain(initial: EventReport, report_type: str, *, excluding: EventReport | None = None) -> None:
    if initial.report_type != EventReportType.INITIAL:
        raise InvalidInput({"initial": [field_message("进程报告和结案报告须接在初次报告之后",
                                                      "Progress and final reports follow an initial report")]})
    if initial.status != EventReportStatus.SUBMITTED:
        raise Conflict("初次报告提交后才能填写进程报告或结案报告",
                       "Progress and final reports follow a submitted initial report")
    state = _chain_state(initial, excluding=excluding)
    if state["closed"]:
        raise Conflict("该事件已结案，不能再填写报告", "This event has a final report; nothing more can be added")
    if report_type == EventReportType.FINAL and state["has_final"]:
        raise Conflict("该事件已有结案报告草稿", "This event already has a draft final report")


def update_event_report(user, report: EventReport, changes: dict, *, now: datetime | None = None) -> EventReport:
    """Change a draft's fields (title, category, grade, disease, place, discovered_at, cases, deaths,
    description, measures)."""
    now = now or timezone.now()
    report = _writable(user, report)
    _require_draft(report)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise InvalidInput({name: [field_message("该字段不可修改", "This field cannot be changed")]
                            for name in sorted(unknown)})
    if report.report_type != EventReportType.INITIAL and "discovered_at" in changes:
        raise InvalidInput({"discovered_at": [field_message("发现时间以初次报告为准",
                                                            "The time of discovery is the initial report's")]})
    errors = Errors()
    merged = {"cases": report.cases, "deaths": report.deaths, **changes}
    clean = _check_fields(merged, errors, report_type=report.report_type, now=now)
    errors.raise_if_any()
    with transaction.atomic(), acting_as(user):
        for name in set(changes) | {"cases", "deaths"}:
            setattr(report, name, clean[name])
        report.save()
    return report


def submit_event_report(user, report: EventReport, *, now: datetime | None = None) -> EventReport:
    """Submit a draft: it becomes part of the record with its report time (the initial report's deadline is
    measured to this time)."""
    now = now or timezone.now()
    with transaction.atomic():
        report = _writable(user, report)
        _require_draft(report)
        if report.initial_id:
            _check_chain(EventReport.objects.select_for_update().get(pk=report.initial_id), report.report_type,
                         excluding=report)
        with acting_as(user):
            report.status, report.reported_at, report.submitted_by = EventReportStatus.SUBMITTED, now, user
            report.save()
    return report


def reject_event_report(user, report: EventReport, reason: str, *, now: datetime | None = None) -> EventReport:
    """Reject a draft (e.g. a proposal that, once verified, is not reportable), with the reason."""
    report = _writable(user, report)
    _require_draft(report)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput({"reason": [field_message("请填写驳回原因", "Give the reason for rejecting")]})
    with transaction.atomic(), acting_as(user):
        report.status, report.status_reason = EventReportStatus.REJECTED, reason[:2000]
        report.save()
    return report


def add_follow_up(user, initial: EventReport, report_type: str, *, title: str | None = None,
                  category: str | None = None, grade: str | None = None, cases: int | None = None,
                  deaths: int | None = None, description: str = "", measures: str = "",
                  report_number: str | None = None, submit: bool = False,
                  now: datetime | None = None) -> EventReport:
    """A progress (进程) or final (结案) report chained to a submitted initial report; values not given are
    carried over from the latest submitted report of the chain."""
    now = now or timezone.now()
    if report_type not in (EventReportType.PROGRESS, EventReportType.FINAL):
        raise InvalidInput({"report_type": [field_message("报告类别须为进程报告或结案报告",
                                                          "The report type must be progress or final")]})
    initial = _writable(user, initial)
    with transaction.atomic():
        initial = EventReport.objects.select_for_update().get(pk=initial.pk)
        _check_chain(initial, report_type)
        latest = (initial.follow_ups.filter(status=EventReportStatus.SUBMITTED).order_by("-reported_at", "-pk")
                  .first() or initial)
        values = {
            "title": latest.title if title is None else title,
            "category": latest.category if category is None else category,
            "grade": (latest.grade if latest.grade != EventGrade.NOT_EMERGENCY else EventGrade.UNGRADED)
            if grade is None else grade,
            "cases": latest.cases if cases is None else cases,
            "deaths": latest.deaths if deaths is None else deaths,
            "description": description, "measures": measures,
        }
        errors = Errors()
        clean = _check_fields(values, errors, report_type=report_type, now=now)
        report_number = (report_number or "").strip()
        if report_number and EventReport.objects.filter(report_number=report_number).exists():
            errors.add("report_number", "报告编号已存在", "The report number already exists")
        errors.raise_if_any()
        sequence = _chain_state(initial)["progress"] + 1 if report_type == EventReportType.PROGRESS else 0
        report = EventReport(
            report_type=report_type, initial=initial, sequence=sequence, region=initial.region,
            reporting_org=initial.reporting_org, disease=initial.disease, place=initial.place,
            discovered_at=initial.discovered_at, cluster_rule=initial.cluster_rule, source=EventSource.MANUAL,
            created_by=user, report_number=report_number, **clean,
        )
        if submit:
            report.status, report.reported_at, report.submitted_by = EventReportStatus.SUBMITTED, now, user
        with acting_as(user):
            _save_new(report, county=_county_of(initial.region_id), now=now, numbered=bool(report_number))
            report.case_reports.set(initial.case_reports.all())
    return report


def chain_of(report: EventReport) -> list[EventReport]:
    """The initial report and its follow-ups, in order."""
    initial = report.initial if report.initial_id else report
    return [initial, *initial.follow_ups.order_by("created_at", "pk")]


# --- proposals from cluster rules -----------------------------------------------------------------------------


def _engine_rules(rules, children: dict[int, list[int]], codes: dict[int, str]) -> list[clusters.Rule]:
    result = []
    for rule in rules:
        ids = set()
        frontier = [d.pk for d in rule.diseases.all()]
        while frontier:
            ids.update(frontier)
            frontier = [c for d in frontier for c in children.get(d, ()) if c not in ids]
        result.append(clusters.Rule(
            code=rule.code, setting=rule.setting, diseases=frozenset(codes[i] for i in ids),
            window_days=rule.window_days or cluster_lookback_days(), min_cases=rule.min_cases,
            min_deaths=rule.min_deaths, count_suspected=rule.count_suspected,
        ))
    return result


def _fact(card: CaseReport, county: str, codes: dict[int, str]) -> clusters.CaseFact:
    code = card.address_region_id or ""
    town = code if len(code) == 9 else ""
    return clusters.CaseFact(
        id=card.pk, disease=codes[card.disease_id], onset=card.onset_date, classification=card.classification,
        town=town, county=county, work_unit=clusters.normalise_work_unit(card.work_unit),
        died=card.death_date is not None,
    )


def _county_cdc(county: str) -> Organisation | None:
    """The CDC of the county; failing that, of the nearest region above it that has one."""
    code = county
    while code:
        cdc = Organisation.objects.filter(kind=Organisation.Kind.CDC, region_id=code, is_active=True).order_by("pk").first()
        if cdc is not None:
            return cdc
        parents = regioncodes.parent_candidates(code)
        code = parents[0] if parents else ""
    return None


def _event_link(report: EventReport) -> str:
    for name in ("surveillance:event_detail", "surveillance:event-detail"):
        try:
            return reverse(name, args=[report.pk])
        except NoReverseMatch:
            continue
    return f"/api/v1/event-reports/{report.pk}"


def _proposal_text(rule: ClusterRule, match: clusters.Match, county_region: Region | None, place: str,
                   disease: Disease) -> tuple[str, str]:
    where = place or (county_region.name if county_region else "")
    title = f"{where}{disease.name}{'病例' if match.cases == 1 else '聚集性疫情'}（{rule.code} 报告标准）"[:200]
    start, end = match.window
    description = (
        f"系统按报告标准 {rule.code}「{rule.criterion_text or rule.name}」提出：{start:%Y-%m-%d} 至 {end:%Y-%m-%d}，"
        f"{where}发病 {match.cases} 例，死亡 {match.deaths} 例。请核实：构成报告标准的，"
        f"于发现后 {initial_report_hours()} 小时内提交初次报告；不构成的，驳回并说明原因。"
    )
    return title, description


def _sync_counts(report: EventReport) -> None:
    cards = report.case_reports.filter(status__in=LIVE_CARD_STATUSES)
    report.cases = cards.count()
    report.deaths = cards.filter(death_date__isnull=False).count()


def check_new_case(card: CaseReport, *, now: datetime | None = None) -> list[EventReport]:
    """Check the reporting criteria for a newly submitted card; returns the drafts proposed or extended."""
    now = now or timezone.now()
    if card.status not in LIVE_CARD_STATUSES:
        return []
    disease_rows = list(Disease.objects.values_list("pk", "parent_id", "code"))
    codes = {pk: code for pk, _, code in disease_rows}
    children: dict[int, list[int]] = defaultdict(list)
    parent_of = {}
    for pk, parent, _ in disease_rows:
        if parent:
            children[parent].append(pk)
            parent_of[pk] = parent
    lineage = [card.disease_id]
    while lineage[-1] in parent_of:
        lineage.append(parent_of[lineage[-1]])
    rules = list(ClusterRule.objects.filter(is_active=True, diseases__in=lineage).distinct()
                 .prefetch_related("diseases").order_by("code"))
    if not rules:
        return []
    engine_rules = _engine_rules(rules, children, codes)
    county = _county_of(card.address_region_id) or _county_of(card.reporting_org.region_id)
    if not county:
        return []
    disease_codes = set().union(*(r.diseases for r in engine_rules))
    span = timedelta(days=max(r.window_days for r in engine_rules) - 1)
    cards = list(CaseReport.objects.filter(
        status__in=LIVE_CARD_STATUSES, disease__code__in=disease_codes, address_region__code__startswith=county,
        onset_date__range=(card.onset_date - span, card.onset_date + span),
    ).exclude(pk=card.pk).only("pk", "disease_id", "onset_date", "classification", "address_region_id",
                               "work_unit", "death_date"))
    facts = [_fact(c, county, codes) for c in cards] + [_fact(card, county, codes)]
    matches = clusters.evaluate(engine_rules, facts, focus=card.pk)
    by_code = {r.code: r for r in rules}
    touched = []
    with transaction.atomic():  # the open draft is locked while it is extended (PostgreSQL needs a transaction)
        for match in matches:
            report = _propose(by_code[match.rule.code], match, card, county, now)
            if report is not None:
                touched.append(report)
    return touched


def _propose(rule: ClusterRule, match: clusters.Match, card: CaseReport, county: str,
             now: datetime) -> EventReport | None:
    key = f"{rule.code}|{county}|{match.key}"[:255]
    case_ids = set(match.case_ids)
    draft = EventReport.objects.select_for_update().filter(cluster_key=key, status=EventReportStatus.DRAFT).first()
    if draft is not None:
        return _extend(draft, case_ids)
    keyed = EventReport.objects.filter(cluster_key=key)
    open_initial = keyed.filter(report_type=EventReportType.INITIAL, status=EventReportStatus.SUBMITTED).exclude(
        follow_ups__in=EventReport.objects.filter(report_type=EventReportType.FINAL, status=EventReportStatus.SUBMITTED)
    )
    if open_initial.exists():
        return None  # an event already reported and not closed covers this group: the CDC adds progress reports
    covered = set(CaseReport.objects.filter(event_reports__in=keyed).values_list("pk", flat=True))
    if case_ids <= covered:
        return None  # these very cases were proposed before (rejected, or reported and closed)
    cdc = _county_cdc(county)
    if cdc is None:
        logger.warning("cluster rule %s fired in %s but no CDC is registered there", rule.code, county)
        return None
    county_region = Region.objects.filter(code=county).first()
    town = card.address_region_id if len(card.address_region_id or "") == 9 else ""
    if rule.setting == clusters.WORK_UNIT:
        place, region_code = card.work_unit.strip(), town or county
    elif rule.setting == clusters.TOWN:
        region_code = match.key
        place = getattr(Region.objects.filter(code=region_code).first(), "name", "")
    else:
        place, region_code = "", county
    region = Region.objects.filter(code=region_code).first() or county_region or card.address_region
    disease = card.disease
    title, description = _proposal_text(rule, match, county_region, place, disease)
    report = EventReport(
        report_type=EventReportType.INITIAL, status=EventReportStatus.DRAFT, title=title, category=rule.category,
        grade=EventGrade.UNGRADED, disease=disease, region=region, place=place[:200], reporting_org=cdc,
        discovered_at=now, cases=match.cases, deaths=match.deaths, description=description,
        source=EventSource.CLUSTER_RULE, cluster_rule=rule, cluster_key=key,
    )
    try:
        with transaction.atomic():
            _save_new(report, county=county, now=now, numbered=False)
    except IntegrityError:  # a simultaneous check proposed it first: extend that draft instead
        draft = EventReport.objects.filter(cluster_key=key, status=EventReportStatus.DRAFT).first()
        return _extend(draft, case_ids) if draft is not None else None
    report.case_reports.set(case_ids)
    _sync_counts(report)
    report.save(update_fields=["cases", "deaths", "updated_at"])
    recipients = User.objects.filter(organisation=cdc, role=Role.CDC, is_active=True)
    deadline = timezone.localtime(deadline_of(report))
    notify(recipients, f"疑似突发公共卫生事件待核实：{title}",
           f"{description} 初次报告截止：{deadline:%Y-%m-%d %H:%M}。", link=_event_link(report))
    return report


def _extend(draft: EventReport, case_ids: set) -> EventReport:
    new = case_ids - set(draft.case_reports.values_list("pk", flat=True))
    if new:
        draft.case_reports.add(*new)
        _sync_counts(draft)
        draft.save(update_fields=["cases", "deaths", "updated_at"])
    return draft


def on_card_submitted(card: CaseReport) -> list[EventReport]:
    """Called by the card service after a card is submitted: checks the cluster rules for it. Never raises — a
    failure here is logged and must not block the card (it runs in a savepoint of the caller's transaction)."""
    try:
        with transaction.atomic():
            return check_new_case(card)
    except Exception:
        logger.exception("cluster check failed for card %s", getattr(card, "pk", None))
        return []


def proposals(user):
    """Draft reports proposed by cluster rules, within the user's reach, newest first."""
    return scoping.scope(user, EventReport.objects.filter(source=EventSource.CLUSTER_RULE,
                                                          status=EventReportStatus.DRAFT))


def local_deadline_text(report: EventReport) -> str:
    due = deadline_of(report)
    return "" if due is None else f"{timezone.localtime(due):%Y-%m-%d %H:%M}"

