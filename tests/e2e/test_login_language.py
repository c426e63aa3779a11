"""A user signs in, sees the home page in Chinese, switches to English — in a real Chromium."""

import re

import pytest
from playwright.sync_api import expect

from yingji.core.roles import Role

from ..conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_login_home_in_chinese_then_english(offline_page, live_server, city):
    page = offline_page
    user = city.a.users[Role.HEALTH_COMMISSION]

    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    page.get_by_label("用户名").fill(user.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="首页")).to_be_visible()
    expect(page.get_by_text("各类机构数量").first).to_be_visible()
    expect(page.locator("nav").get_by_role("link", name="机构")).to_be_visible()
    # The front-end libraries come from our own static files: Bootstrap styles apply, the chart draws.
    expect(page.locator("#chart-kinds")).to_have_attribute("data-rendered", "true")
    assert page.evaluate("typeof htmx !== 'undefined' && typeof bootstrap !== 'undefined'")

    page.get_by_test_id("lang-en").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Home")).to_be_visible()
    expect(page.get_by_text("Organisations by kind").first).to_be_visible()
    expect(page.locator("nav").get_by_role("link", name="Organisations")).to_be_visible()
    assert "首页" not in page.locator("nav").inner_text()

    # The user menu (Bootstrap dropdown) shows the role in English and signs out by POST.
    page.get_by_test_id("user-menu").click()
    expect(page.locator(".dropdown-menu").get_by_text("Health commission emergency office")).to_be_visible()
    page.get_by_test_id("logout").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    assert page.blocked_requests == []
