"""Word documents (.docx) of the response app, in the official-document layout of GB/T 9704-2012 (党政机关公文格式),
approximately: A4, margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm; the title in 2号 (22 pt)
方正小标宋简体, centred; section headings 3号 黑体 numbered 一、二、…; the body 3号 (16 pt) 仿宋 with a two-character
first-line indent and a fixed line pitch (22 lines a page); page numbers 「— n —」 in 4号 宋体 at the foot.

python-docx writes font *names* only: the Chinese font goes in ``w:rFonts/@w:eastAsia`` (Latin text and digits in
Times New Roman), and the document's font table names a common substitute for each (``w:altName``, GB2312 charset)
so a machine without 方正小标宋 or 仿宋 still renders a Chinese serif/sans face (Word, WPS; LibreOffice maps the
charset to Noto Serif/Sans CJK SC through fontconfig).

The only module that imports python-docx. Documents are always in Chinese, the language of official reports, whatever
the reader's interface language. Callers pass an already scoped record.
"""

from __future__ import annotations

from datetime import date
from io import BytesIO

from django.utils import timezone, translation
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt
from lxml import etree

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

LATIN_FONT = "Times New Roman"
TITLE_FONT = "方正小标宋简体"
HEADING_FONT = "黑体"
BODY_FONT = "仿宋"
FOOTER_FONT = "宋体"
# name → (substitute named in the font table, family): what Word/WPS use when the font is not installed.
SUBSTITUTES = {TITLE_FONT: ("SimSun", "roman"), BODY_FONT: ("FangSong", "roman"),
               HEADING_FONT: ("SimHei", "swiss"), FOOTER_FONT: ("SimSun", "roman")}

TITLE_SIZE = Pt(22)   # 2号
BODY_SIZE = Pt(16)    # 3号
FOOTER_SIZE = Pt(14)  # 4号
LINE_PITCH = Pt(28.9)  # 22 lines on the 225 mm type area

CHINESE_NUMERALS = "一二三四五六七八九十"


def _numeral(n: int) -> str:
    if n <= 10:
        return CHINESE_NUMERALS[n - 1]
    if n < 20:
        return "十" + CHINESE_NUMERALS[n - 11]
    return str(n)


def _set_font(run, name: str, size) -> None:
    run.font.name = LATIN_FONT
    run.font.size = size
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), name)
    fonts.set(qn("w:hint"), "eastAsia")


def _paragraph(doc, text: str = "", *, font: str = BODY_FONT, size=BODY_SIZE, align=None, indent: bool = False,
               bold: bool = False):
    paragraph = doc.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, LINE_PITCH
    fmt.space_before = fmt.space_after = Pt(0)
    if align is not None:
        paragraph.alignment = align
    if indent:
        fmt.first_line_indent = Pt(size.pt * 2)
    if text:
        run = paragraph.add_run(text)
        _set_font(run, font, size)
        run.bold = bold
    return paragraph


def _page_setup(doc) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(28)
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = LATIN_FONT, BODY_SIZE
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    # The page number 「— n —」, centred (GB/T 9704 §7.5, simplified: centred on every page).
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _set_font(footer.add_run("— "), FOOTER_FONT, FOOTER_SIZE)
    field = parse_xml(f'<w:fldSimple {nsdecls("w")} w:instr="PAGE"><w:r><w:t>1</w:t></w:r></w:fldSimple>')
    footer._p.append(field)
    _set_font(footer.add_run(" —"), FOOTER_FONT, FOOTER_SIZE)


def _declare_substitutes(doc) -> None:
    """Name a substitute for each Chinese font in the font table (w:altName, charset 86 = GB2312)."""
    part = next((p for p in doc.part.package.iter_parts() if str(p.partname) == "/word/fontTable.xml"), None)
    if part is None:  # a template without a font table: the eastAsia names alone still work
        return
    fonts = parse_xml(part.blob)
    for name, (alt, family) in SUBSTITUTES.items():
        font = OxmlElement("w:font")
        font.set(qn("w:name"), name)
        for tag, value in (("w:altName", alt), ("w:charset", "86"), ("w:family", family), ("w:pitch", "variable")):
            child = OxmlElement(tag)
            child.set(qn("w:val"), value)
            font.append(child)
        fonts.append(font)
    part._blob = etree.tostring(fonts, xml_declaration=True, encoding="UTF-8", standalone=True)


def _save(doc) -> bytes:
    out = BytesIO()
    doc.save(out)
    return out.getvalue()


def _local(value) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value else "—"


def _date(value: date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def event_lines(event) -> list[str]:
    """The event's identifying facts under the title: number, grade, response level and the dates."""
    from .services.sitreps import LEVEL_TEXT

    lines = [f"事件编号：{event.number}",
             f"事件等级：{event.get_grade_display()}　响应级别：{LEVEL_TEXT.get(event.response_level, '')}",
             f"发生（发现）时间：{_local(event.occurred_at)}"]
    if event.response_started_at:
        lines.append(f"启动响应时间：{_local(event.response_started_at)}")
    if event.response_lifted_at:
        lines.append(f"解除响应时间：{_local(event.response_lifted_at)}")
    if event.ended_at:
        lines.append(f"事件终止时间：{_local(event.ended_at)}")
    return lines


def sitrep_docx(report, *, today: date | None = None) -> bytes:
    """A situation report (信息报送) as a Word document: title, report type and number, the event's number, grade,
    response level and dates, the report's non-empty sections as 一、二、…, and the signature (reporting organisation,
    date, reporter)."""
    from .models.sitrep import BODY_FIELDS

    with translation.override("zh-hans"):
        event = report.event
        doc = Document()
        _page_setup(doc)
        _declare_substitutes(doc)
        doc.core_properties.title = report.title
        doc.core_properties.subject = f"{event.number} {report.get_kind_display()}"
        doc.core_properties.author = report.reporting_org.name

        _paragraph(doc, report.title, font=TITLE_FONT, size=TITLE_SIZE, align=WD_ALIGN_PARAGRAPH.CENTER)
        meta = report.get_kind_display() + (f"（第{report.sequence}期）" if report.sequence else "")
        if report.status == "draft":
            meta += "　【草稿】"
        _paragraph(doc, meta, align=WD_ALIGN_PARAGRAPH.CENTER)
        _paragraph(doc)
        for line in event_lines(event):
            _paragraph(doc, line)
        _paragraph(doc)

        number = 0
        for name in BODY_FIELDS:
            text = (getattr(report, name) or "").strip()
            if not text:
                continue
            number += 1
            label = str(report._meta.get_field(name).verbose_name)
            _paragraph(doc, f"{_numeral(number)}、{label}", font=HEADING_FONT, indent=True)
            for line in text.splitlines():
                if line.strip():
                    _paragraph(doc, line.strip(), indent=True)

        _paragraph(doc)
        signed = timezone.localtime(report.submitted_at).date() if report.submitted_at else (
            today or timezone.localdate())
        sign = [report.reporting_org.name, _date(signed)]
        if report.submitted_by_id:
            person = report.submitted_by
            sign.append(f"报告人：{person.full_name or person.username}"
                        + (f"　{person.phone}" if getattr(person, "phone", "") else ""))
        for line in sign:
            paragraph = _paragraph(doc, line, align=WD_ALIGN_PARAGRAPH.RIGHT)
            paragraph.paragraph_format.right_indent = Pt(BODY_SIZE.pt * 2)
        return _save(doc)
