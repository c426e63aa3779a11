"""Report-card pages: the form and its validation as the user types, lists, export, the card page and the workflow
actions per role, the review queue — in Chinese, through core.scoping and the card service."""

import io
import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.web.conftest import text  # also compiles the zh_Hans catalogue
from yingji.core.roles import Role
from yingji.surveillance.choices import CardStatus, CardType
from yingji.surveillance.models import CaseReport
from yingji.surveillance.services.cards import submit_card

from .conftest import card_data, make_id, stored_card

pytestmark = pytest.mark.django_db

CDN = re.compile(r"""(https?:)?//[^\s"'<>]*(cdn|unpkg|jsdelivr|googleapis)""", re.I)
ROLES = [("city", r) for r in (Role.HEALTH_COMMISSION, Role.CDC, Role.LEADER)] + [
    ("a", r) for r in (Role.HEALTH_COMMISSION, Role.CDC, Role.REPORTER, Role.DISPATCHER, Role.LEADER)
]


def user_of(city, where, role):
    return city.users[role] if where == "city" else getattr(city, where).users[role]


def a_card(city, **overrides):
    return submit_card(city.a.users[Role.REPORTER], card_data(city.a, **overrides)).card


def b_card(city, **overrides):
    return submit_card(city.b.users[Role.REPORTER], card_data(city.b, patient_name="乙区患者", **overrides)).card


def form_post(district, **overrides) -> dict:
    """What the page form posts: local date-times as datetime-local inputs send them, no report time."""
    data = card_data(district, **overrides)
    now = timezone.localtime().replace(second=0, microsecond=0)
    data["diagnosed_at"] = (now - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    data["reported_at"] = ""
    data.update(overrides)
    return data


# --- rendering ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("where", "role"), ROLES)
def test_pages_render_in_chinese_for_every_role(client, city, where, role):
    card = a_card(city)
    user = user_of(city, where, role)
    client.force_login(user)
    pages = [
        (reverse("surveillance:card_list"), ["传染病报告", "病例分类", "导出 Excel", "发病日期起"]),
        (reverse("surveillance:review_queue"), ["待审核", "审核时限"]),
        (reverse("surveillance:timeliness"), ["及时性与完整性", "报告及时性", "按行政区划"]),
        (reverse("surveillance:completeness"), ["零报告/日报告完整性", "逾期未报", "应报"]),
        (reverse("surveillance:aggregate_list"), ["零报告/日报告"]),
        (reverse("surveillance:fever_dashboard"), ["发热门诊"]),
        (reverse("surveillance:event_list"), ["突发公共卫生事件相关信息报告", "按报告标准自动提议的报告草稿"]),
    ]
    for url, words in pages:
        response = client.get(url)
        html = text(response)
        assert response.status_code == 200, url
        assert 'lang="zh-CN"' in html
        for word in words:
            assert word in html, (role, url, word)
        assert not CDN.search(html), url
    nav = text(client.get(reverse("home")))
    if role == Role.DISPATCHER:
        assert "传染病报告" not in nav and "发热门诊" not in nav
    else:
        for label in ("传染病报告", "零报告/日报告", "发热门诊", "突发事件报告", "及时性/完整性"):
            assert label in nav, (role, label)
    assert (reverse("surveillance:review_queue") in nav) == (role == Role.CDC)
    detail = client.get(reverse("surveillance:card_detail", args=[card.pk]))
    if role == Role.DISPATCHER:
        assert detail.status_code == 404
    else:
        assert detail.status_code == 200
        assert "流行性感冒" in text(detail) and "变更记录" in text(detail) and "待审核" in text(detail)


@pytest.mark.parametrize(("role", "status"), [(Role.REPORTER, 200), (Role.CDC, 200), (Role.LEADER, 403),
                                              (Role.HEALTH_COMMISSION, 403), (Role.DISPATCHER, 403)])
def test_card_form_is_for_writers_only(client, city, role, status):
    client.force_login(city.a.users[role])
    response = client.get(reverse("surveillance:card_create"))
    assert response.status_code == status
    if status == 200:
        html = text(response)
        assert "中华人民共和国传染病报告卡" in html and "填写时即时校验" in html
        assert 'hx-post="/cards/validate/"' in html


def test_card_form_disease_picker_grouped_by_class_and_reporting_unit_per_role(client, city):
    client.force_login(city.a.users[Role.REPORTER])
    html = text(client.get(reverse("surveillance:card_create")))
    for group in ("甲类", "乙类", "丙类", "其他"):
        assert f'<optgroup label="{group}">' in html
    assert '<option value="0100">鼠疫（按甲类管理）</option>' in html
    # a disease with subtypes is offered by its subtypes (the form asks for one)
    assert ">病毒性肝炎<" not in html and ">乙型肝炎<" in html
    # a reporter's unit is fixed: shown, posted as a hidden field
    assert 'data-testid="fixed-org"' in html and city.a.hospital.name in html
    assert f'type="hidden" name="reporting_org" value="{city.a.hospital.code}"' in html
    # a CDC chooses among the units of its district
    client.force_login(city.a.users[Role.CDC])
    html = text(client.get(reverse("surveillance:card_create")))
    assert f'<option value="{city.a.hospital.code}">' in html
    assert f'<option value="{city.a.cdc.code}" selected>' in html
    assert city.b.hospital.code not in html and "乙区" not in html


# --- validation as the user types ------------------------------------------------------------------------------


def validate(client, data, touched=""):
    return client.post(reverse("surveillance:card_validate"), {**data, "_touched": touched},
                       HTTP_HX_REQUEST="true")


def feedback(html: str, field: str) -> str:
    match = re.search(rf'<div id="feedback-{field}"[^>]*>(.*?)</div>\s*(?=<div id=|$)', html, re.S)
    assert match, field
    return match.group(1)


def test_validate_says_the_id_number_check_digit_is_wrong_in_chinese(client, city):
    client.force_login(city.a.users[Role.REPORTER])
    good = make_id(date(1980, 5, 17))
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    response = validate(client, {"id_type": "resident_id", "id_number": bad}, touched="id_number")
    html = text(response)
    assert response.status_code == 200
    assert "<html" not in html and 'hx-swap-oob="true"' in html
    assert f"身份证号校验码错误：最后一位应为“{good[-1]}”" in feedback(html, "id_number")
    assert feedback(html, "patient_name").strip() == ""  # untouched and empty: no message yet
    assert CaseReport.objects.count() == 0
    # A malformed number, then a good one: its birth date and sex are derived.
    assert "身份证号格式错误" in text(validate(client, {"id_number": "12345"}, touched="id_number"))
    html = text(validate(client, {"id_type": "resident_id", "id_number": good}, touched="id_number"))
    assert feedback(html, "id_number").strip() == ""
    assert 'data-birth-date="1980-05-17"' in html and 'data-sex="M"' in html
    assert "身份证号校验通过：出生日期 1980-05-17，性别 男" in html


def test_validate_says_onset_after_diagnosis_in_chinese(client, city):
    client.force_login(city.a.users[Role.REPORTER])
    data = form_post(city.a)
    data["onset_date"] = (timezone.localdate() + timedelta(days=0)).isoformat()
    data["diagnosed_at"] = (timezone.localtime() - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    html = text(validate(client, data, touched="onset_date"))
    assert "发病日期不能晚于诊断日期" in feedback(html, "onset_date")
    # A date in the future, a sex that disagrees with the ID number
    data = form_post(city.a, sex="F", onset_date=(timezone.localdate() + timedelta(days=3)).isoformat())
    html = text(validate(client, data))
    assert "发病日期不能晚于今天" in feedback(html, "onset_date")
    assert "性别与身份证号不一致" in feedback(html, "sex")
    # In English when the user chose English
    client.cookies["django_language"] = "en"
    data = form_post(city.a, onset_date=timezone.localdate().isoformat(),
                     diagnosed_at=(timezone.localtime() - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"))
    client.post(reverse("set_language"), {"language": "en"})
    html = text(validate(client, data, touched="onset_date"))
    assert "The onset date cannot be after the diagnosis" in html
    assert CaseReport.objects.count() == 0


def test_validate_answers_required_fields_once_touched_and_a_reporter_cannot_pick_another_unit(client, city):
    client.force_login(city.a.users[Role.REPORTER])
    html = text(validate(client, {"patient_name": ""}, touched="patient_name"))
    assert "这个字段是必填项" in feedback(html, "patient_name")
    html = text(validate(client, form_post(city.a, reporting_org=city.b.hospital.code)))
    assert "不在您的管辖范围内" in feedback(html, "reporting_org")


def test_town_picker_searches_the_users_city(client, city):
    client.force_login(city.a.users[Role.REPORTER])
    html = text(client.get(reverse("surveillance:card_region_options"), {"address_region": "第一街道"}))
    assert f'<option value="{city.a.town.code}">' in html and f'<option value="{city.b.town.code}">' in html
    assert text(client.get(reverse("surveillance:card_region_options"))).strip() == ""
    html = text(client.get(reverse("surveillance:card_region_options"), {"address_region": "990102"}))
    assert city.a.town.code in html and city.b.town.code not in html


# --- submitting -------------------------------------------------------------------------------------------------


def test_a_valid_card_is_created_through_the_service(client, city):
    reporter = city.a.users[Role.REPORTER]
    client.force_login(reporter)
    response = client.post(reverse("surveillance:card_create"), form_post(city.a))
    card = CaseReport.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("surveillance:card_detail",
                                                                          args=[card.pk])
    assert card.status == CardStatus.SUBMITTED and card.created_by == reporter
    assert card.reporting_org == city.a.hospital and card.card_number.startswith("HOS02-")
    assert card.submission_fingerprint  # the service filled it
    html = text(client.get(response["Location"]))
    assert f"报告卡 {card.card_number} 已提交。" in html
    assert "及时" in html and "新建" in html  # timeliness badge, audit history


def test_an_invalid_card_saves_nothing_and_keeps_the_input(client, city):
    client.force_login(city.a.users[Role.REPORTER])
    data = form_post(city.a, patient_name="李四", id_number="110101198005171210", work_unit="第三中学")
    response = client.post(reverse("surveillance:card_create"), data)
    html = text(response)
    assert response.status_code == 422
    assert CaseReport.objects.count() == 0
    assert "请按提示修改" in html or "请更正下列错误" in html or 'data-testid="form-errors"' in html
    assert "身份证号校验码错误" in html
    assert 'value="李四"' in html and 'value="第三中学"' in html and 'value="110101198005171210"' in html
    assert 'id="card-touched" value="_all"' in html


def test_cdc_files_a_card_for_a_unit_of_its_district_but_not_the_neighbours(client, city):
    client.force_login(city.a.users[Role.CDC])
    response = client.post(reverse("surveillance:card_create"), form_post(city.a))
    assert response.status_code == 302
    assert CaseReport.objects.get().reporting_org == city.a.hospital
    response = client.post(reverse("surveillance:card_create"),
                           form_post(city.a, reporting_org=city.b.hospital.code, patient_name="王五"))
    assert response.status_code == 422 and "不在您的管辖范围内" in text(response)
    assert CaseReport.objects.count() == 1


# --- lists and export ---------------------------------------------------------------------------------------------


def test_list_is_scoped_filtered_and_shows_timeliness(client, city):
    now = timezone.now()
    on_time = a_card(city)
    late = stored_card(city.a, "0100", now - timedelta(hours=5), now - timedelta(hours=1), patient_name="迟报患者")
    other = b_card(city)
    client.force_login(city.a.users[Role.CDC])
    html = text(client.get(reverse("surveillance:card_list")))
    assert on_time.card_number in html and late.card_number in html and other.card_number not in html
    assert "乙区患者" not in html
    assert 'data-timeliness="on_time"' in html and 'data-timeliness="late"' in html
    assert ">迟报<" in html
    html = text(client.get(reverse("surveillance:card_list"), {"timeliness": "late"}))
    assert late.card_number in html and on_time.card_number not in html
    html = text(client.get(reverse("surveillance:card_list"), {"disease_class": "A"}))
    assert late.card_number in html and on_time.card_number not in html
    html = text(client.get(reverse("surveillance:card_list"), {"disease": "3500", "status": "submitted"}))
    assert on_time.card_number in html and late.card_number not in html
    html = text(client.get(reverse("surveillance:card_list"), {"q": "迟报患者"}))
    assert late.card_number in html and on_time.card_number not in html
    # the cards' own Beijing dates, so the test holds when it runs just after midnight in Beijing
    html = text(client.get(reverse("surveillance:card_list"), {
        "onset_from": late.onset_date.isoformat(), "reported_to": timezone.localdate(late.reported_at).isoformat()}))
    assert late.card_number in html and on_time.card_number not in html
    # another district's region or unit as a filter: nothing, and nothing of it on the page
    response = client.get(reverse("surveillance:card_list"), {"region": city.b.region.code})
    assert "乙区" not in text(response).replace(f"region={city.b.region.code}", "")
    assert "没有符合条件的报告卡" in text(response)
    # the city CDC sees both districts
    client.force_login(city.users[Role.CDC])
    html = text(client.get(reverse("surveillance:card_list")))
    assert other.card_number in html and on_time.card_number in html
    html = text(client.get(reverse("surveillance:card_list"), {"region": city.b.region.code}))
    assert other.card_number in html and on_time.card_number not in html


def test_htmx_filter_returns_the_table_and_a_matching_export_link(client, city):
    card = a_card(city)
    client.force_login(city.a.users[Role.CDC])
    response = client.get(reverse("surveillance:card_list"), {"disease": "3500"}, HTTP_HX_REQUEST="true",
                          HTTP_HX_TARGET="card-results")
    html = text(response)
    assert "<html" not in html and 'data-testid="card-table"' in html and card.card_number in html
    assert "export.xlsx?disease=3500" in html


def test_list_is_paginated(client, city):
    now = timezone.now()
    for i in range(55):
        stored_card(city.a, "3500", now - timedelta(hours=3), now - timedelta(hours=2), patient_name=f"患者{i:02d}")
    client.force_login(city.a.users[Role.CDC])
    html = text(client.get(reverse("surveillance:card_list")))
    assert "共 55 条记录" in html and "第 1 页，共 2 页" in html
    assert "?page=2" in html


def workbook_text(response) -> str:
    book = load_workbook(io.BytesIO(response.content))
    return " ".join(str(c) for row in book.active.iter_rows(values_only=True) for c in row if c is not None)


def test_export_is_the_filtered_scoped_list_with_personal_data_masked_per_role(client, city):
    card = a_card(city)
    stored_card(city.a, "0100", timezone.now() - timedelta(hours=5), timezone.now(), patient_name="鼠疫患者")
    b_card(city)
    client.force_login(city.a.users[Role.CDC])
    response = client.get(reverse("surveillance:card_export"), {"disease": "3500"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    cells = workbook_text(response)
    assert card.card_number in cells and card.id_number in cells
    assert "鼠疫患者" not in cells and "乙区患者" not in cells
    client.force_login(city.a.users[Role.HEALTH_COMMISSION])
    cells = workbook_text(client.get(reverse("surveillance:card_export")))
    assert card.card_number in cells and card.id_number not in cells and card.id_number[:6] + "*" in cells
    assert "乙区患者" not in cells


# --- the card page and its actions ------------------------------------------------------------------------------


def test_other_districts_card_is_404_for_every_page(client, city):
    card = b_card(city)
    client.force_login(city.a.users[Role.CDC])
    for name in ("card_detail", "card_review", "card_return", "card_correct", "card_delete", "card_merge"):
        assert client.get(reverse(f"surveillance:{name}", args=[card.pk])).status_code == 404, name
        assert client.post(reverse(f"surveillance:{name}", args=[card.pk]), {"reason": "x"}).status_code == 404
    card.refresh_from_db()
    assert card.status == CardStatus.SUBMITTED


def test_card_page_masks_personal_data_for_the_commission_and_shows_it_to_the_cdc(client, city):
    card = a_card(city)
    client.force_login(city.a.users[Role.HEALTH_COMMISSION])
    html = text(client.get(reverse("surveillance:card_detail", args=[card.pk])))
    assert card.id_number not in html and "110101********" in html and "138****5678" in html
    assert "已脱敏" in html
    assert 'data-testid="review"' not in html and 'data-testid="delete"' not in html
    client.force_login(city.a.users[Role.CDC])
    html = text(client.get(reverse("surveillance:card_detail", args=[card.pk])))
    assert card.id_number in html and "13812345678" in html
    for action in ("review", "return", "correct", "delete", "edit"):
        assert f'data-testid="{action}"' in html, action


def test_history_masks_a_changed_id_number_for_the_commission(client, city):
    card = a_card(city)
    client.force_login(city.a.users[Role.REPORTER])
    new_id = make_id(date(1980, 5, 17), seq=34)
    data = form_post(city.a, id_number=new_id, _mode="edit")
    response = client.post(reverse("surveillance:card_correct", args=[card.pk]), data)
    assert response.status_code == 302
    card.refresh_from_db()
    assert card.id_number == new_id
    client.force_login(city.a.users[Role.HEALTH_COMMISSION])
    html = text(client.get(reverse("surveillance:card_detail", args=[card.pk])))
    assert new_id not in html and card.card_number in html and "修改" in html
    client.force_login(city.a.users[Role.CDC])
    assert new_id in text(client.get(reverse("surveillance:card_detail", args=[card.pk])))


def test_review_works_for_the_cdc_and_is_refused_to_a_leader(client, city):
    card = a_card(city)
    url = reverse("surveillance:card_review", args=[card.pk])
    for role in (Role.LEADER, Role.HEALTH_COMMISSION, Role.REPORTER):
        client.force_login(city.a.users[role])
        assert client.post(url).status_code == 403, role
        card.refresh_from_db()
        assert card.status == CardStatus.SUBMITTED
    cdc = city.a.users[Role.CDC]
    client.force_login(cdc)
    response = client.post(url)
    assert response.status_code == 302
    card.refresh_from_db()
    assert card.status == CardStatus.REVIEWED and card.reviewed_by == cdc
    html = text(client.get(response["Location"]))
    assert f"报告卡 {card.card_number} 已审核。" in html and "已审核" in html
    # reviewing twice is a conflict, said in Chinese, nothing changes
    html = text(client.post(url, follow=True))
    assert "当前状态为“已审核”，不能审核" in html


def test_return_needs_a_reason(client, city):
    card = a_card(city)
    client.force_login(city.a.users[Role.CDC])
    url = reverse("surveillance:card_return", args=[card.pk])
    assert "退卡" in text(client.get(url))
    response = client.post(url, {"reason": "  "})
    assert response.status_code == 422 and "请填写原因" in text(response)
    response = client.post(url, {"reason": "现住址不详，请补充"})
    assert response.status_code == 302
    card.refresh_from_db()
    assert card.status == CardStatus.RETURNED and card.status_reason == "现住址不详，请补充"
    # the reporter sees why, fixes the card, and it goes back to the queue
    client.force_login(city.a.users[Role.REPORTER])
    html = text(client.get(reverse("surveillance:card_detail", args=[card.pk])))
    assert "现住址不详，请补充" in html and 'data-testid="edit"' in html
    response = client.post(reverse("surveillance:card_correct", args=[card.pk]),
                           form_post(city.a, address_detail="幸福路 8 号 3 单元", _mode="edit"))
    assert response.status_code == 302
    card.refresh_from_db()
    assert card.status == CardStatus.SUBMITTED and card.address_detail == "幸福路 8 号 3 单元"


def test_leader_cannot_open_the_action_pages(client, city):
    card = a_card(city)
    client.force_login(city.a.users[Role.LEADER])
    for name in ("card_return", "card_delete", "card_correct"):
        assert client.get(reverse(f"surveillance:{name}", args=[card.pk])).status_code == 403, name


def test_delete_with_a_reason_keeps_the_card(client, city):
    card = a_card(city)
    client.force_login(city.a.users[Role.CDC])
    response = client.post(reverse("surveillance:card_delete", args=[card.pk]), {"reason": "误报"})
    assert response.status_code == 302
    card.refresh_from_db()
    assert card.status == CardStatus.DELETED and card.status_reason == "误报"
    html = text(client.get(reverse("surveillance:card_detail", args=[card.pk])))
    assert "已删除" in html and "误报" in html


def test_correction_makes_a_new_card_and_supersedes_the_original(client, city):
    card = a_card(city)
    client.force_login(city.a.users[Role.CDC])
    client.post(reverse("surveillance:card_review", args=[card.pk]))
    url = reverse("surveillance:card_correct", args=[card.pk])
    html = text(client.get(url))
    assert "订正报告卡" in html and "订正原因" in html and 'value="张伟"' in html
    data = form_post(city.a, disease="3600", classification="confirmed", correction_reason="实验室确诊为腮腺炎")
    response = client.post(url, data)
    assert response.status_code == 302
    card.refresh_from_db()
    correction = CaseReport.objects.get(original=card)
    assert card.status == CardStatus.SUPERSEDED and correction.card_type == CardType.CORRECTION
    assert correction.disease.code == "3600"
    html = text(client.get(response["Location"]))
    assert "订正自" in html and card.card_number in html
    # a bad correction saves nothing and says why
    response = client.post(reverse("surveillance:card_correct", args=[correction.pk]),
                           form_post(city.a, onset_date=(timezone.localdate() + timedelta(days=2)).isoformat()))
    assert response.status_code == 422 and "发病日期不能晚于今天" in text(response)
    assert CaseReport.objects.count() == 2


def test_duplicates_are_shown_and_merged_by_the_cdc(client, city):
    first = a_card(city)
    second = a_card(city, reporting_doctor="王医生", address_detail="幸福路 2 号")
    client.force_login(city.a.users[Role.REPORTER])
    html = text(client.get(reverse("surveillance:card_detail", args=[second.pk])))
    assert "疑似重复报告" in html and first.card_number in html and "将本卡合并至该卡" not in html
    client.force_login(city.a.users[Role.CDC])
    html = text(client.get(reverse("surveillance:card_detail", args=[second.pk])))
    assert f'data-testid="merge-{first.pk}"' in html
    response = client.post(reverse("surveillance:card_merge", args=[second.pk]), {"keep": first.pk,
                                                                                "reason": "重复报告"})
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.status == CardStatus.MERGED and second.merged_into == first
    html = text(client.get(reverse("surveillance:card_detail", args=[first.pk])))
    assert "已合并到本卡" in html and second.card_number in html


# --- review queue -----------------------------------------------------------------------------------------------


def test_review_queue_orders_by_deadline_and_highlights_overdue(client, city):
    now = timezone.now()
    overdue = stored_card(city.a, "3500", now - timedelta(hours=40), now - timedelta(hours=30),
                          patient_name="超时患者")  # 24 h review deadline passed
    plague = stored_card(city.a, "0100", now - timedelta(hours=1), now - timedelta(minutes=30),
                         patient_name="鼠疫患者")  # due in 1.5 h
    recent = stored_card(city.a, "3500", now - timedelta(hours=2), now - timedelta(hours=1), patient_name="新报患者")
    reviewed = stored_card(city.a, "3500", now - timedelta(hours=2), now - timedelta(hours=1),
                           status=CardStatus.REVIEWED, patient_name="已审患者")
    b_card(city)
    client.force_login(city.a.users[Role.CDC])
    html = text(client.get(reverse("surveillance:review_queue")))
    order = [html.index(c.card_number) for c in (overdue, plague, recent)]
    assert order == sorted(order)
    assert reviewed.card_number not in html and "乙区患者" not in html
    assert 'data-testid="queue-overdue">1 张超时' in html
    row = html[html.rindex("<tr", 0, html.index(overdue.card_number)):html.index(overdue.card_number)]
    assert "table-danger" in row and 'data-overdue="true"' in row
    assert "超时未审核" in html and f'data-testid="review-{recent.pk}"' in html
    # reviewing from the queue returns to the queue
    response = client.post(reverse("surveillance:card_review", args=[recent.pk]),
                           {"next": reverse("surveillance:review_queue")})
    assert response["Location"] == reverse("surveillance:review_queue")
    html = text(client.get(reverse("surveillance:review_queue")))
    assert f"报告卡 {recent.card_number} 已审核。" in html  # the message
    assert f'data-testid="review-{recent.pk}"' not in html  # and out of the queue
    # a leader reads the queue but gets no review buttons
    client.force_login(city.a.users[Role.LEADER])
    html = text(client.get(reverse("surveillance:review_queue")))
    assert overdue.card_number in html and f'data-testid="review-{overdue.pk}"' not in html
