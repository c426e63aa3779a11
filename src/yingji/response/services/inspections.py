"""Supervision, inspection and rectification (督导检查/整改台账): the rules, written once for the pages, the API and
the demo.

- An inspection (督导/检查/暗访/回头看) covers one region within the user's reach; the units inspected lie in it; the
  inspecting organisation is the user's own unit (or, for a regional user, a unit within reach). A 回头看 names the
  earlier inspection it follows up and takes place on or after it.
- A finding's responsible unit lies within the inspected region and the user's reach; its deadline (限期整改) is on or
  after the inspection date (default: ``YINGJI_RESPONSE_RECTIFICATION_DAYS`` days after it, 30 unless set).
- The responsible unit (or the inspectors) records the rectification: in progress (整改中) or done (已整改, with a
  note), with an optional evidence file.
- A follow-up inspection checks each finding of the inspections it follows: 整改到位 (verified — only a rectified
  finding) or 未整改到位 (back to being rectified, optionally with a new deadline).
- Overdue (逾期) is computed: an open or rectifying finding whose deadline (a Beijing date, inclusive) has passed.

Bad input raises InvalidInput with Chinese and English field messages; nothing is saved half-way.
"""

import io
import os
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone, translation
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from yingji.core import regioncodes, scoping
from yingji.core.errors import InvalidInput, NotPermitted, field_message
from yingji.core.models import Organisation, Region
from yingji.core.roles import READ_ONLY_ROLES
from yingji.core.services import acting_as

from ..models import Event, Finding, Inspection
from ..models.inspection import (
    OPEN_STATUSES,
    OVERDUE,
    FindingCategory,
    FindingStatus,
    InspectionKind,
    ReviewResult,
)

DEFAULT_RECTIFICATION_DAYS = 30
EARLIEST = date(2000, 1, 1)  # inspection dates: from this day to a year ahead (an inspection may be planned)
MAX_AHEAD_DAYS = 366
MAX_DEADLINE_DAYS = 3 * 366  # a deadline at most about three years after the inspection
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EVIDENCE_EXTENSIONS = (".pdf", ".jpg", ".jpeg", ".png", ".doc", ".docx", ".xls", ".xlsx", ".txt", ".zip")


class Errors:
    """Field errors collected while validating, raised together."""

    def __init__(self):
        self.fields: dict[str, list[dict[str, str]]] = {}

    def add(self, name: str, zh: str, en: str) -> None:
        self.fields.setdefault(name, []).append(field_message(zh, en))

    def __bool__(self) -> bool:
        return bool(self.fields)

    def raise_if_any(self) -> None:
        if self.fields:
            raise InvalidInput(self.fields)


def rectification_days() -> int:
    return int(getattr(settings, "YINGJI_RESPONSE_RECTIFICATION_DAYS", DEFAULT_RECTIFICATION_DAYS))


def local_today(now: datetime | None = None) -> date:
    return timezone.localdate(now or timezone.now())


# --- overdue -------------------------------------------------------------------------------------------------


def is_overdue(finding: Finding, *, now: datetime | None = None) -> bool:
    """Open or being rectified, and the deadline day (Beijing) is over."""
    return finding.status in OPEN_STATUSES and finding.deadline < local_today(now)


def days_overdue(finding: Finding, *, now: datetime | None = None) -> int:
    return (local_today(now) - finding.deadline).days if is_overdue(finding, now=now) else 0


def state_of(finding: Finding, *, now: datetime | None = None) -> str:
    """The stored status, or ``overdue`` when it is open or rectifying past the deadline."""
    return OVERDUE if is_overdue(finding, now=now) else finding.status


def overdue_q(*, now: datetime | None = None, prefix: str = "") -> Q:
    return Q(**{f"{prefix}status__in": OPEN_STATUSES, f"{prefix}deadline__lt": local_today(now)})


def overdue(queryset: QuerySet | None = None, *, now: datetime | None = None) -> QuerySet:
    """Overdue findings of ``queryset`` (scope it first for a user)."""
    queryset = Finding.objects.all() if queryset is None else queryset
    return queryset.filter(overdue_q(now=now))


def filter_state(queryset: QuerySet, state: str, *, now: datetime | None = None) -> QuerySet:
    """Findings in a state: a stored status (open/rectifying excluding overdue ones) or ``overdue``."""
    if state == OVERDUE:
        return overdue(queryset, now=now)
    if state in OPEN_STATUSES:
        return queryset.filter(status=state).exclude(overdue_q(now=now))
    return queryset.filter(status=state)


def with_counts(queryset: QuerySet, *, now: datetime | None = None) -> QuerySet:
    """Inspections annotated with their findings: ``finding_count``, ``open_count`` (not yet verified) and
    ``overdue_count``."""
    return queryset.annotate(
        finding_count=Count("findings", distinct=True),
        open_count=Count("findings", filter=~Q(findings__status=FindingStatus.VERIFIED), distinct=True),
        overdue_count=Count("findings", filter=overdue_q(now=now, prefix="findings__"), distinct=True),
    )


def with_overdue_findings(queryset: QuerySet, *, now: datetime | None = None) -> QuerySet:
    return queryset.filter(Exists(overdue(Finding.objects.filter(inspection=OuterRef("pk")), now=now)))


# --- reading ---------------------------------------------------------------------------------------------------


def chain_before(inspection: Inspection) -> list[Inspection]:
    """The inspections a follow-up follows, nearest first (a 回头看 of a 回头看 checks both)."""
    chain, seen, current = [], {inspection.pk}, inspection.follow_up_of
    while current is not None and current.pk not in seen:
        chain.append(current)
        seen.add(current.pk)
        current = current.follow_up_of
    return chain


def findings_to_review(follow_up: Inspection) -> QuerySet:
    """The findings a follow-up inspection checks: those of the inspections it follows."""
    if follow_up.kind != InspectionKind.FOLLOW_UP:
        return Finding.objects.none()
    return Finding.objects.filter(inspection__in=[i.pk for i in chain_before(follow_up)])


def ledger(user, queryset: QuerySet | None = None) -> QuerySet:
    """整改台账: every finding within the user's reach, with its inspection and units, by deadline."""
    queryset = Finding.objects.all() if queryset is None else queryset
    return scoping.scope(user, queryset).select_related(
        "inspection__region", "inspection__inspecting_org", "responsible_org", "reviewed_in",
    ).order_by("deadline", "pk")


# --- validation helpers ----------------------------------------------------------------------------------------


MAX_ID = 2**63 - 1  # the largest key a database holds; larger numbers name no record


def _pk(value):
    if isinstance(value, bool):
        return None
    if hasattr(value, "pk"):
        return value.pk
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, int) and 1 <= value <= MAX_ID:
        return value
    return None


def _unit(user, value, errors: Errors, name: str, *, region: Region | None = None) -> Organisation | None:
    """An active organisation within the user's reach (by id, instance or code) and, when given, within the region;
    outside reach is answered like one that does not exist."""
    units = scoping.scope(user, Organisation.objects.select_related("region"))
    org = None
    pk = _pk(value)
    if pk is not None:
        org = units.filter(pk=pk).first()
    elif isinstance(value, str) and value.strip():
        org = units.filter(code=value.strip()).first()
    if org is None:
        errors.add(name, "单位不存在或不在您的管辖范围内", "No such unit within your jurisdiction")
        return None
    if not org.is_active:
        errors.add(name, f"单位“{org.name}”已停用", f"The unit '{org.name}' is deactivated")
        return None
    if region is not None and not regioncodes.is_within(org.region_id, region.code):
        errors.add(name, f"单位“{org.name}”不在受检地区“{region.name}”内",
                   f"The unit '{org.name}' is not within the region inspected ({region.name})")
        return None
    return org


def _date(value, errors: Errors, name: str, zh: str, en: str, *, required: bool = True) -> date | None:
    if isinstance(value, datetime):
        value = timezone.localdate(value) if timezone.is_aware(value) else value.date()
    if isinstance(value, str) and value.strip():
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            errors.add(name, f"{zh}格式应为 YYYY-MM-DD", f"The {en} must be a date (YYYY-MM-DD)")
            return None
    if isinstance(value, date):
        return value
    if required:
        errors.add(name, f"请填写{zh}", f"Give the {en}")
    return None


def _text(values: dict, name: str, errors: Errors, zh: str, en: str, *, required=False, limit=4000,
          field: str | None = None) -> str:
    field = field or name
    raw = values.get(name)
    text = (raw if isinstance(raw, str) else "" if raw is None else str(raw)).strip()
    if required and not text:
        errors.add(field, f"请填写{zh}", f"Give the {en}")
    elif len(text) > limit:
        errors.add(field, f"{zh}最多 {limit} 个字符", f"The {en} may have at most {limit} characters")
    return text


def _check_finding(user, region: Region, inspection_date: date | None, values: dict, errors: Errors,
                   prefix: str = "") -> dict:
    """A finding's fields checked against its inspection (region, date); ``prefix`` names its place in a list."""
    clean = {
        "description": _text(values, "description", errors, "问题描述", "problem", required=True,
                             field=f"{prefix}description"),
        "requirement": _text(values, "requirement", errors, "整改要求", "rectification requirement",
                             field=f"{prefix}requirement"),
    }
    category = values.get("category") or FindingCategory.OTHER
    if category not in FindingCategory.values:
        errors.add(f"{prefix}category", "未知的问题类别", "Unknown finding category")
    clean["category"] = category
    clean["responsible_org"] = _unit(user, values.get("responsible_org"), errors, f"{prefix}responsible_org",
                                     region=region)
    deadline = _date(values.get("deadline"), errors, f"{prefix}deadline", "整改期限", "rectification deadline",
                     required=False)
    if deadline is None and not errors.fields.get(f"{prefix}deadline") and inspection_date is not None:
        deadline = inspection_date + timedelta(days=rectification_days())
    if deadline is not None and inspection_date is not None and deadline < inspection_date:
        errors.add(f"{prefix}deadline", "整改期限不能早于检查日期",
                   "The rectification deadline must not be before the inspection date")
    elif deadline is not None and inspection_date is not None and \
            (deadline - inspection_date).days > MAX_DEADLINE_DAYS:
        errors.add(f"{prefix}deadline", f"整改期限不能晚于检查日期后 {MAX_DEADLINE_DAYS} 天",
                   f"The deadline may be at most {MAX_DEADLINE_DAYS} days after the inspection")
    clean["deadline"] = deadline
    return clean


# --- inspections -----------------------------------------------------------------------------------------------


def may_inspect(user) -> bool:
    """Whether the user's role records inspections at all (commissions, CDCs, administrators)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.is_platform_admin or (user.organisation_id is not None and user.role not in READ_ONLY_ROLES
                                      and user.role in Inspection.scope_writer_roles)


def create_inspection(user, *, region=None, date=None, kind=InspectionKind.SUPERVISION, topic="",
                      inspecting_org=None, inspected_orgs=(), event=None, follow_up_of=None, inspectors="",
                      summary="", findings=()) -> Inspection:
    """A new inspection (and, optionally, its findings: dicts of description, category, responsible_org, deadline,
    requirement) — all or nothing."""
    if not may_inspect(user):
        raise NotPermitted()
    errors = Errors()
    values = {"topic": topic, "inspectors": inspectors, "summary": summary}
    topic = _text(values, "topic", errors, "检查主题", "topic", required=True, limit=200)
    inspectors = _text(values, "inspectors", errors, "检查人员", "inspectors", limit=2000)
    summary = _text(values, "summary", errors, "检查情况", "summary")
    if kind not in InspectionKind.values:
        errors.add("kind", "未知的检查类型", "Unknown kind of inspection")
    when = _date(date, errors, "date", "检查日期", "inspection date")
    if when is not None and not EARLIEST <= when <= local_today() + timedelta(days=MAX_AHEAD_DAYS):
        errors.add("date", f"检查日期须在 {EARLIEST:%Y-%m-%d} 至今后一年之间",
                   f"The inspection date must lie between {EARLIEST:%Y-%m-%d} and a year from today")
        when = None

    earlier = None
    if follow_up_of not in (None, ""):
        pk = _pk(follow_up_of)
        earlier = scoping.scope(user, Inspection.objects.select_related("region")).filter(pk=pk).first() \
            if pk is not None else None
        if earlier is None:
            errors.add("follow_up_of", "被回头看的检查不存在或不在您的管辖范围内",
                       "No such earlier inspection within your jurisdiction")
        elif kind != InspectionKind.FOLLOW_UP:
            errors.add("kind", "跟进以往检查的应为“回头看”", "An inspection that follows up an earlier one is a follow-up")
        elif when is not None and when < earlier.date:
            errors.add("date", f"回头看日期不能早于原检查日期（{earlier.date:%Y-%m-%d}）",
                       f"A follow-up must not be dated before the inspection it follows ({earlier.date:%Y-%m-%d})")
    elif kind == InspectionKind.FOLLOW_UP:
        errors.add("follow_up_of", "回头看须指明被跟进的检查", "A follow-up inspection names the inspection it follows up")

    area = None
    code = region.code if isinstance(region, Region) else (region or "").strip() if isinstance(region, str) else None
    if not code and earlier is not None:
        code = earlier.region_id
    if code:
        area = scoping.scope(user, Region.objects.all()).filter(code=code).first()
    if area is None:
        errors.add("region", "受检地区不存在或不在您的管辖范围内", "No such region within your jurisdiction")

    own = user.organisation
    inspector_org = None
    if inspecting_org in (None, "") and own is not None:
        inspector_org = own
    else:
        inspector_org = _unit(user, inspecting_org, errors, "inspecting_org")

    units = []
    for value in inspected_orgs or ():
        org = _unit(user, value, errors, "inspected_orgs", region=area)
        if org is not None and org not in units:
            units.append(org)

    linked = None
    if event not in (None, ""):
        pk = _pk(event)
        linked = scoping.scope(user, Event.objects.all()).filter(pk=pk).first() if pk is not None else None
        if linked is None:
            errors.add("event", "事件不存在或不在您的管辖范围内", "No such event within your jurisdiction")

    checked = []
    for index, item in enumerate(findings or ()):
        prefix = f"findings.{index}."
        if area is not None:
            checked.append(_check_finding(user, area, when, item if isinstance(item, dict) else {}, errors, prefix))
    errors.raise_if_any()
    scoping.require_place(user, Inspection, region_code=area.code, owner_org_id=inspector_org.pk if inspector_org
                          else None)

    with transaction.atomic(), acting_as(user):
        inspection = Inspection.objects.create(
            region=area, inspecting_org=inspector_org, date=when, kind=kind, topic=topic, event=linked,
            follow_up_of=earlier, inspectors=inspectors, summary=summary, created_by=user)
        inspection.inspected_orgs.set(units)
        for clean in checked:
            Finding.objects.create(inspection=inspection, created_by=user, **clean)
    return inspection


EDITABLE = ("topic", "inspectors", "summary")


def update_inspection(user, inspection: Inspection, changes: dict) -> Inspection:
    """Change the topic, inspectors or summary (the record of what was seen); the rest stays as created."""
    if not scoping.can(user, inspection, write=True):
        raise NotPermitted()
    errors = Errors()
    clean = {}
    if "topic" in changes:
        clean["topic"] = _text(changes, "topic", errors, "检查主题", "topic", required=True, limit=200)
    if "inspectors" in changes:
        clean["inspectors"] = _text(changes, "inspectors", errors, "检查人员", "inspectors", limit=2000)
    if "summary" in changes:
        clean["summary"] = _text(changes, "summary", errors, "检查情况", "summary")
    unknown = set(changes) - set(EDITABLE)
    for name in sorted(unknown):
        errors.add(name, "该字段不能修改", "This field cannot be changed")
    errors.raise_if_any()
    with transaction.atomic(), acting_as(user):
        for name, value in clean.items():
            setattr(inspection, name, value)
        inspection.save()
    return inspection


# --- findings --------------------------------------------------------------------------------------------------


def add_finding(user, inspection: Inspection, *, description="", category=FindingCategory.OTHER,
                responsible_org=None, deadline=None, requirement="") -> Finding:
    """A problem found in the inspection, with its responsible unit and deadline."""
    if not scoping.can(user, inspection, write=True):
        raise NotPermitted()
    errors = Errors()
    clean = _check_finding(user, inspection.region, inspection.date, {
        "description": description, "category": category, "responsible_org": responsible_org,
        "deadline": deadline, "requirement": requirement}, errors)
    errors.raise_if_any()
    with transaction.atomic(), acting_as(user):
        return Finding.objects.create(inspection=inspection, created_by=user, **clean)


def _check_evidence(evidence, errors: Errors) -> None:
    if evidence is None:
        return
    name = os.path.basename(getattr(evidence, "name", "") or "")
    limit = int(getattr(settings, "YINGJI_MAX_UPLOAD_BYTES", 10 * 1024 * 1024))
    if not name.lower().endswith(EVIDENCE_EXTENSIONS):
        errors.add("evidence", "佐证材料须为 PDF、图片、Word、Excel、文本或 ZIP 文件",
                   "Evidence must be a PDF, image, Word, Excel, text or ZIP file")
    elif (getattr(evidence, "size", 0) or 0) > limit:
        errors.add("evidence", f"佐证材料不能超过 {limit // (1024 * 1024)} MB",
                   f"Evidence may be at most {limit // (1024 * 1024)} MB")
    elif not getattr(evidence, "size", 0):
        errors.add("evidence", "佐证材料是空文件", "The evidence file is empty")


def record_rectification(user, finding: Finding, *, note="", done=False, evidence=None,
                         now: datetime | None = None) -> Finding:
    """The responsible unit's report: still rectifying (整改中) or done (已整改, a note required), with an optional
    evidence file (佐证材料). A verified finding is closed."""
    if not scoping.can(user, finding, write=True):
        raise NotPermitted()
    errors = Errors()
    note = _text({"note": note}, "note", errors, "整改情况", "rectification note", required=bool(done))
    if finding.status == FindingStatus.VERIFIED:
        errors.add("status", "该问题已验收整改到位，不能再修改", "This finding has been verified; it is closed")
    _check_evidence(evidence, errors)
    errors.raise_if_any()
    now = now or timezone.now()
    with transaction.atomic(), acting_as(user):
        finding.rectification_note = note or finding.rectification_note
        if done:
            finding.status = FindingStatus.RECTIFIED
            finding.rectified_at = now
        elif finding.status == FindingStatus.OPEN or finding.status == FindingStatus.RECTIFIED:
            finding.status = FindingStatus.RECTIFYING
            finding.rectified_at = None
        if evidence is not None:
            finding.evidence_name = os.path.basename(evidence.name)[:200]
            finding.evidence.save(finding.evidence_name, evidence, save=False)
        finding.save()
    return finding


def attach_evidence(user, finding: Finding, evidence) -> Finding:
    """Add (or replace) the finding's evidence file (佐证材料); an open finding is then being rectified."""
    if not scoping.can(user, finding, write=True):
        raise NotPermitted()
    errors = Errors()
    if finding.status == FindingStatus.VERIFIED:
        errors.add("status", "该问题已验收整改到位，不能再修改", "This finding has been verified; it is closed")
    if evidence is None:
        errors.add("evidence", "请选择佐证材料文件", "Choose the evidence file")
    _check_evidence(evidence, errors)
    errors.raise_if_any()
    with transaction.atomic(), acting_as(user):
        if finding.status == FindingStatus.OPEN:
            finding.status = FindingStatus.RECTIFYING
        finding.evidence_name = os.path.basename(evidence.name)[:200]
        finding.evidence.save(finding.evidence_name, evidence, save=False)
        finding.save()
    return finding


def review_finding(user, follow_up: Inspection, finding: Finding, *, result="", note="", deadline=None,
                   now: datetime | None = None) -> Finding:
    """The follow-up inspection's check of one earlier finding: verified (整改到位; the finding must have been
    rectified) or not rectified (未整改到位: back to being rectified, optionally with a new deadline)."""
    if not scoping.can(user, follow_up, write=True):
        raise NotPermitted()
    errors = Errors()
    note = _text({"note": note}, "note", errors, "回头看意见", "follow-up note")
    if follow_up.kind != InspectionKind.FOLLOW_UP:
        errors.add("inspection", "只有“回头看”检查才能验收整改", "Only a follow-up inspection checks rectification")
    elif finding.inspection_id not in {i.pk for i in chain_before(follow_up)}:
        errors.add("finding", "该问题不属于本次回头看所跟进的检查",
                   "This finding does not belong to the inspection this follow-up follows")
    if result not in ReviewResult.values:
        errors.add("result", "请选择回头看结论（整改到位/未整改到位）",
                   "Choose the outcome (rectified as required / not rectified)")
    elif finding.status == FindingStatus.VERIFIED:
        errors.add("result", "该问题已验收整改到位", "This finding has already been verified")
    elif result == ReviewResult.VERIFIED and finding.status != FindingStatus.RECTIFIED:
        errors.add("result", "该问题尚未整改完成，不能验收为整改到位",
                   "This finding has not been rectified yet; it cannot be verified")
    new_deadline = None
    if result == ReviewResult.NOT_RECTIFIED and deadline not in (None, ""):
        new_deadline = _date(deadline, errors, "deadline", "新的整改期限", "new deadline")
        if new_deadline is not None and new_deadline < follow_up.date:
            errors.add("deadline", "新的整改期限不能早于回头看日期",
                       "The new deadline must not be before the follow-up inspection date")
        elif new_deadline is not None and (new_deadline - follow_up.date).days > MAX_DEADLINE_DAYS:
            errors.add("deadline", f"新的整改期限不能晚于回头看日期后 {MAX_DEADLINE_DAYS} 天",
                       f"The new deadline may be at most {MAX_DEADLINE_DAYS} days after the follow-up")
    errors.raise_if_any()
    now = now or timezone.now()
    with transaction.atomic(), acting_as(user):
        finding.reviewed_in = follow_up
        finding.review_result = result
        finding.review_note = note
        if result == ReviewResult.VERIFIED:
            finding.status = FindingStatus.VERIFIED
            finding.verified_at = now
        else:
            finding.status = FindingStatus.RECTIFYING
            finding.rectified_at = None
            if new_deadline is not None:
                finding.deadline = new_deadline
        finding.save()
    return finding


# --- the ledger in Excel ---------------------------------------------------------------------------------------

LEDGER_HEADERS = ("序号", "检查日期", "检查类型", "检查主题", "检查单位", "受检地区", "责任单位", "问题类别", "问题描述",
                  "整改要求", "整改期限", "状态", "是否逾期", "逾期天数", "整改情况", "整改完成时间", "回头看日期",
                  "回头看结论", "回头看意见")


def _local(value) -> str:
    return "" if value is None else timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def ledger_rows(findings, *, now: datetime | None = None) -> list[list]:
    """One row per finding, labels in Chinese (the headers are LEDGER_HEADERS)."""
    rows = []
    with translation.override("zh-hans"):
        for number, f in enumerate(findings, start=1):
            inspection = f.inspection
            late = is_overdue(f, now=now)
            rows.append([
                number, inspection.date.isoformat(), str(inspection.get_kind_display()), inspection.topic,
                inspection.inspecting_org.name, inspection.region.name, f.responsible_org.name,
                str(f.get_category_display()), f.description, f.requirement, f.deadline.isoformat(),
                str(f.get_status_display()), "是" if late else "否", days_overdue(f, now=now) if late else "",
                f.rectification_note, _local(f.rectified_at),
                f.reviewed_in.date.isoformat() if f.reviewed_in_id else "",
                str(f.get_review_result_display()) if f.review_result else "", f.review_note,
            ])
    return rows


def export_ledger(findings, *, now: datetime | None = None) -> bytes:
    """整改台账 as an Excel workbook: Chinese headers, one row per finding, overdue rows highlighted."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "整改台账"
    sheet.append(list(LEDGER_HEADERS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    late_fill = PatternFill("solid", fgColor="F8D7DA")
    overdue_column = LEDGER_HEADERS.index("是否逾期")
    for row in ledger_rows(findings, now=now):
        sheet.append(row)
        if row[overdue_column] == "是":
            for cell in sheet[sheet.max_row]:
                cell.fill = late_fill
    widths = {"问题描述": 40, "整改要求": 30, "整改情况": 30, "检查主题": 24, "责任单位": 24, "检查单位": 24}
    for index, header in enumerate(LEDGER_HEADERS, start=1):
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = widths.get(header, 12)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
