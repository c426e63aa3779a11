"""Early-warning pages in Chromium: a signal's page draws its series chart from our own static files (no network
calls), the navbar's early-warning dropdown leads to it, and the verification form records a step."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.detection.test_pages import make_signal
from yingji.core.roles import Role
from yingji.detection.models import Signal

from .test_pages_in_browser import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def catalogue(transactional_db):
    """The disease catalogue (migration data; a transactional test before may have flushed it)."""
    from yingji.surveillance import catalogue

    catalogue.load_diseases()


def test_signal_page_draws_its_chart_and_records_the_verification(offline_page, live_server, city):
    from yingji.surveillance.models import CaseReport  # noqa: F401  (the series is counted from the cards)

    signal = make_signal(city.a, method="ears_c2", params={}, days_ago=1,
                         raised_at=timezone.now() - timedelta(hours=2))
    page = offline_page
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, live_server, city.a.users[Role.CDC])
    page.locator("nav").get_by_role("button", name="监测预警").or_(
        page.locator("nav").get_by_role("link", name="监测预警")).first.click()
    page.locator("nav").get_by_role("link", name="预警信号").click()
    expect(page.get_by_role("heading", name="预警信号")).to_be_visible()
    expect(page.locator("#signal-grid")).to_have_attribute("data-rendered", "true")
    page.locator(f'[data-signal="{signal.pk}"] a').click()
    chart = page.locator("#signal-series")
    expect(chart).to_have_attribute("data-rendered", "true")
    assert chart.locator("canvas").count() >= 1
    assert page.evaluate("echarts.getInstanceByDom(document.getElementById('signal-series')).getOption()"
                         ".series.length") == 4
    page.get_by_label("疑似事件，需现场调查").check()
    page.get_by_label("备注").fill("病例集中在同一所学校")
    page.get_by_test_id("signal-action-submit").click()
    expect(page.get_by_test_id("signal-status")).to_have_text("疑似事件")
    expect(page.get_by_test_id("signal-history")).to_contain_text("病例集中在同一所学校")
    assert Signal.objects.get(pk=signal.pk).status == "suspected"
    assert page.blocked_requests == []
