"""htmx live filtering and the wall-screen layout, in Chromium."""

import pytest
from playwright.sync_api import expect

from yingji.core.roles import Role

from ..conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, user):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(user.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_role("heading", name="首页")).to_be_visible()


def test_organisation_filter_updates_the_table_live(offline_page, live_server, city):
    page = offline_page
    sign_in(page, live_server, city.users[Role.CDC])
    page.goto(f"{live_server.url}/organisations/")
    table = page.get_by_test_id("organisation-table")
    expect(table.get_by_text(city.a.cdc.name)).to_be_visible()
    page.evaluate("window.__sameDocument = true")
    page.get_by_label("机构类别").select_option("hospital")
    expect(table.get_by_text(city.a.cdc.name)).to_have_count(0)
    expect(page.get_by_test_id("organisation-table").get_by_text(city.b.hospital.name)).to_be_visible()
    assert page.evaluate("window.__sameDocument === true")  # swapped in place, no page load
    assert "kind=hospital" in page.url
    expect(page.get_by_test_id("export")).to_have_attribute("href", "/organisations/export.xlsx?kind=hospital")
    page.get_by_label("搜索").fill("乙区")
    expect(page.get_by_test_id("organisation-table").get_by_text(city.a.hospital.name)).to_have_count(0)
    expect(page.get_by_test_id("organisation-table").get_by_text(city.b.hospital.name)).to_be_visible()
    assert page.blocked_requests == []


@pytest.mark.parametrize(("width", "font_size"), [(1366, "16px"), (1920, "20px"), (2560, "26px")])
def test_wall_screen_type_scales(offline_page, live_server, city, width, font_size):
    page = offline_page
    page.set_viewport_size({"width": width, "height": 1080})
    sign_in(page, live_server, city.users[Role.LEADER])
    assert page.evaluate("getComputedStyle(document.documentElement).fontSize") == font_size
    expect(page.locator("#chart-kinds")).to_have_attribute("data-rendered", "true")
