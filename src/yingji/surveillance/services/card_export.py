"""Excel export of any filtered list of report cards (pages call this). The columns carry the import's Chinese
headers, so an exported file can be corrected and imported again; personal data is masked as on the screen, and
each card's status and report timeliness are added at the end."""

import io

from django.db.models import QuerySet
from django.utils import timezone
from openpyxl import Workbook

from ..deadlines import LABELS
from ..models import CaseReport
from . import privacy, timeliness
from .card_import import CARD_COLUMNS, label
from .cards import CardFilter, filter_cards

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXTRA_COLUMNS = ("疾病（名称）", "报卡类别", "状态", "审核时间", "原因", "报告及时性", "诊断至报告（小时）")


def _local(value) -> str:
    return "" if value is None else timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")


def card_row(card: CaseReport, policy: privacy.PersonalDataPolicy) -> list:
    values = {
        **{name: getattr(card, name) for name in CARD_COLUMNS if name not in (
            "disease", "address_region", "reporting_org", "id_number", "phone")},
        "disease": card.disease.code,
        "address_region": card.address_region_id,
        "reporting_org": card.reporting_org.code,
        "id_number": policy.id_number(card),
        "phone": policy.phone(card),
    }
    row = []
    for name in CARD_COLUMNS:
        value = values[name]
        if name in ("diagnosed_at", "reported_at"):
            value = _local(value)
        elif value is None:
            value = ""
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        else:
            value = label(name, value) if isinstance(value, str) else value
        row.append(value)
    assessment = timeliness.card_timeliness(card)
    row += [
        card.disease.name, label("card_type", card.card_type), label("status", card.status), _local(card.reviewed_at),
        card.status_reason, LABELS[assessment.status][0],
        "" if assessment.delay is None else round(assessment.delay_hours, 2),
    ]
    return row


def export_cards(user, filters: CardFilter | QuerySet | None = None, *, queryset: QuerySet | None = None) -> bytes:
    """An .xlsx of the cards within the user's reach that ``filters`` (a CardFilter, or an already filtered
    queryset of cards) selects — the same list the page shows. Scoping is applied here again in any case."""
    if isinstance(filters, QuerySet):
        filters, queryset = None, filters
    cards = filter_cards(user, filters, queryset=queryset)
    policy = privacy.PersonalDataPolicy(user)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("传染病报告卡")
    header = [aliases[0] for aliases in CARD_COLUMNS.values()] + list(EXTRA_COLUMNS)
    sheet.append(header)
    for card in cards.iterator(chunk_size=2000):
        sheet.append(card_row(card, policy))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

