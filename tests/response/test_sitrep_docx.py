"""A situation report downloaded as a real Word document (.docx, official-document layout), read back with
python-docx; scoped like the print view."""

from datetime import timedelta
from io import BytesIO
from urllib.parse import unquote

import docx
import pytest
from django.utils import timezone
from docx.oxml.ns import qn
from docx.shared import Pt

from tests.response.factories import make_event
from yingji.core.roles import Role
from yingji.response.choices import ResponseLevel
from yingji.response.documents import DOCX_CONTENT_TYPE, sitrep_docx
from yingji.response.services import sitreps as service


@pytest.fixture
def report(city):
    event = make_event(city, "a", level=ResponseLevel.III, grade="III", title="甲区聚集性疫情",
                       occurred_at=timezone.now() - timedelta(hours=5),
                       response_started_at=timezone.now() - timedelta(hours=4))
    user = city.a.users[Role.CDC]
    report = service.create_sitrep(user, event, "initial")
    return service.update_sitrep(user, report, {"cases_deaths": "发病 17 例，死亡 0 例", "needs": "防护服 200 套\n采样管"})


def _open(content: bytes):
    return docx.Document(BytesIO(content))


def _east_asia(paragraph) -> str:
    return paragraph.runs[0]._element.rPr.rFonts.get(qn("w:eastAsia"))


def test_the_download_is_a_word_document_with_title_sections_and_figures(client, city, report):
    client.force_login(city.a.users[Role.LEADER])  # a reader of the district may download it
    response = client.get(f"/sitreps/{report.pk}/print/?download=docx")
    assert response.status_code == 200 and response["Content-Type"] == DOCX_CONTENT_TYPE
    disposition = unquote(response["Content-Disposition"])
    assert disposition.startswith("attachment") and disposition.endswith(f"{report.event.number}-初次报告.docx")
    document = _open(response.content)
    paragraphs = [p for p in document.paragraphs if p.text]
    texts = [p.text for p in paragraphs]
    title = paragraphs[0]
    assert title.text == report.title == "甲区聚集性疫情初次报告"
    assert title.alignment == docx.enum.text.WD_ALIGN_PARAGRAPH.CENTER
    assert _east_asia(title) == "方正小标宋简体" and title.runs[0].font.size == Pt(22)
    assert "初次报告　【草稿】" in texts
    event = report.event
    assert f"事件编号：{event.number}" in texts
    assert "事件等级：Ⅲ级（较大）　响应级别：Ⅲ级响应" in texts
    assert f"发生（发现）时间：{timezone.localtime(event.occurred_at):%Y-%m-%d %H:%M}" in texts
    assert f"启动响应时间：{timezone.localtime(event.response_started_at):%Y-%m-%d %H:%M}" in texts
    headings = [p for p in paragraphs if p.runs and _east_asia(p) == "黑体"]
    assert [h.text for h in headings][:2] == ["一、事件概况", "二、发病与死亡情况"]
    assert headings[-1].text.endswith("、需求与困难")
    assert "发病 17 例，死亡 0 例" in texts and "防护服 200 套" in texts and "采样管" in texts
    assert f"事件名称：{event.title}（编号 {event.number}）" in texts  # the overview filled from the event's data
    body = texts.index("发病 17 例，死亡 0 例")
    assert _east_asia(paragraphs[body]) == "仿宋" and paragraphs[body].runs[0].font.size == Pt(16)
    assert city.a.cdc.name in texts[-2:]
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)  # A4
    assert [round(m.mm) for m in (section.top_margin, section.bottom_margin, section.left_margin,
                                  section.right_margin)] == [37, 35, 28, 26]


def test_a_submitted_report_is_signed_and_not_marked_draft(city, report):
    user = city.a.users[Role.CDC]
    report = service.submit_sitrep(user, report)
    texts = [p.text for p in _open(sitrep_docx(report)).paragraphs]
    assert "初次报告" in texts and not any("草稿" in t for t in texts)
    assert any(t.startswith("报告人：") for t in texts)
    assert f"{timezone.localtime(report.submitted_at).year}年" in texts[-2]


def test_outside_the_events_region_the_download_is_not_found(client, city, report):
    for user in (city.b.users[Role.CDC], city.b.users[Role.LEADER], city.b.users[Role.HEALTH_COMMISSION]):
        client.force_login(user)
        assert client.get(f"/sitreps/{report.pk}/print/?download=docx").status_code == 404
    client.logout()
    assert client.get(f"/sitreps/{report.pk}/print/?download=docx").status_code == 302
