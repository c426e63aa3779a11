"""Investigation page in Chromium: the transmission graph is drawn from embedded data with our own static files (no
network calls), a contact is registered through the form, and a follow-up is recorded from the day's work list."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.response.factories import make_event
from yingji.core.roles import Role
from yingji.response.models import Contact, FollowUp
from yingji.response.services import contacts as svc
from yingji.response.services import followups as fsvc

from .test_pages_in_browser import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_investigation_graph_contact_and_followup(offline_page, live_server, city):
    today = timezone.localdate()
    cdc = city.a.users[Role.CDC]
    event = make_event(city, "a")
    case = svc.add_case(cdc, event, {"name": "病例甲", "region": city.a.town.code, "isolated_on": today})
    svc.add_contact(cdc, event, {"source_case": case.pk, "name": "密接乙", "contact_type": "household",
                                 "region": city.a.town.code, "last_exposure": today - timedelta(days=1),
                                 "mode": "home"})
    page = offline_page
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, live_server, cdc)
    page.goto(f"{live_server.url}/emergencies/{event.pk}/investigation/")
    graph = page.locator("#transmission-graph")
    expect(graph).to_have_attribute("data-rendered", "true")
    assert graph.locator("canvas").count() >= 1
    assert page.evaluate("echarts.getInstanceByDom(document.getElementById('transmission-graph')).getOption()"
                         ".series[0].links.length") == 1
    form = page.get_by_test_id("contact-form")
    form.get_by_label("传染源病例").select_option(str(case.pk))
    form.get_by_label("接触类型").select_option("colleague")
    form.get_by_label("姓名").fill("密接丙")
    form.get_by_label("住址（区划）").select_option(city.a.town.code)
    form.get_by_label("末次暴露日期").fill((today - timedelta(days=1)).isoformat())
    form.get_by_label("隔离医学观察", exact=True).select_option("centralized")
    page.get_by_test_id("contact-submit").click()
    expect(page.get_by_test_id("contact-status")).to_have_text("医学观察中")
    assert Contact.objects.filter(name="密接丙").exists()
    fsvc.generate_followups(today)
    page.goto(f"{live_server.url}/followups/")
    row = page.locator(f'[data-followup="{FollowUp.objects.get(contact__name="密接丙").pk}"]')
    row.get_by_label("体温（℃）").fill("36.7")
    row.get_by_role("button", name="保存").click()
    expect(row).to_contain_text("已随访")
    assert FollowUp.objects.get(contact__name="密接丙").status == "seen"
    assert page.blocked_requests == []
