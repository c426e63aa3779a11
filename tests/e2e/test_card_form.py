"""The report-card form validates as the reporter types, in Chromium: a wrong ID number gets its Chinese message
without the form being submitted; a right one fills birth date and sex; the card is saved only on submit."""

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from yingji.core.roles import Role
from yingji.surveillance.models import CaseReport

from ..conftest import PASSWORD
from ..surveillance.conftest import make_id

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def catalogue(transactional_db):
    """The disease catalogue and cluster rules (migration data; a transactional test before may have flushed it)."""
    from yingji.surveillance import catalogue

    catalogue.load_diseases()
    catalogue.load_cluster_rules()


def sign_in(page, live_server, user):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(user.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_role("heading", name="首页")).to_be_visible()


def test_wrong_id_number_is_explained_in_chinese_while_typing(offline_page, live_server, city):
    page = offline_page
    sign_in(page, live_server, city.a.users[Role.REPORTER])
    page.get_by_role("link", name="传染病报告").first.click()
    page.get_by_test_id("new-card").click()
    expect(page.get_by_role("heading", name="中华人民共和国传染病报告卡")).to_be_visible()
    expect(page.get_by_test_id("fixed-org")).to_have_text(city.a.hospital.name)
    page.evaluate("window.__sameDocument = true")

    good = make_id(date(1980, 5, 17))
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    id_field = page.get_by_label("证件号码")
    id_field.fill(bad)  # typing: no submit, no blur
    message = page.locator('[data-field-error="id_number"]')
    expect(message).to_contain_text(f"身份证号校验码错误：最后一位应为“{good[-1]}”")
    expect(id_field).to_have_class(re.compile(r"(^|\s)is-invalid(\s|$)"))
    assert page.evaluate("window.__sameDocument === true")  # still the same page: nothing was submitted
    assert CaseReport.objects.count() == 0

    # The right number: the message goes, birth date and sex are filled from it.
    id_field.fill(good)
    expect(message).to_have_count(0)
    expect(page.get_by_test_id("id-hint")).to_contain_text("身份证号校验通过：出生日期 1980-05-17，性别 男")
    expect(page.get_by_label("出生日期")).to_have_value("1980-05-17")
    expect(page.get_by_label("性别")).to_have_value("M")

    # Onset after diagnosis is said next to the onset date, still without submitting.
    now = timezone.localtime()
    page.get_by_label("诊断时间").fill((now - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("发病日期").fill(now.date().isoformat())
    expect(page.locator('[data-field-error="onset_date"]')).to_contain_text("发病日期不能晚于诊断日期")
    assert CaseReport.objects.count() == 0

    # Fill the rest and submit: the card is filed once.
    page.get_by_label("发病日期").fill((now.date() - timedelta(days=3)).isoformat())
    page.get_by_label("患者姓名").fill("张伟")
    page.get_by_label("职业（人群分类）").select_option("worker")
    page.get_by_label("联系电话").fill("13812345678")
    page.get_by_label("现住地址（乡镇/街道）").fill(city.a.town.code)
    page.get_by_label("疾病").select_option("3500")
    page.get_by_label("病例分类").select_option("clinical")
    page.get_by_label("报告医生").fill("李医生")
    expect(page.locator("[data-field-error]")).to_have_count(0)
    page.get_by_test_id("submit-card").click()
    expect(page.get_by_test_id("card-status")).to_have_text("待审核")
    card = CaseReport.objects.get()
    assert card.id_number == good and card.reporting_org == city.a.hospital
    assert page.blocked_requests == []


def test_dashboard_charts_draw_from_embedded_data(offline_page, live_server, city):
    from yingji.surveillance.services.cards import submit_card
    from yingji.surveillance.services.fever import submit_fever_report

    from ..surveillance.conftest import card_data

    submit_card(city.a.users[Role.REPORTER], card_data(city.a))
    submit_fever_report(city.a.users[Role.REPORTER], organisation=city.a.hospital.pk, date=timezone.localdate(),
                        visits=20, tested=5, positive=1)
    page = offline_page
    page.set_viewport_size({"width": 1920, "height": 1080})
    sign_in(page, live_server, city.users[Role.LEADER])
    page.get_by_role("link", name="及时性/完整性").click()
    expect(page.locator("#unit-chart")).to_have_attribute("data-rendered", "true")
    expect(page.locator("#region-chart")).to_have_attribute("data-rendered", "true")
    page.goto(f"{live_server.url}/fever-clinics/")
    expect(page.locator("#fever-chart")).to_have_attribute("data-rendered", "true")
    assert page.evaluate("document.querySelector('#fever-chart canvas') !== null")
    assert page.blocked_requests == []
