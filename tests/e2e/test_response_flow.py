"""The response flow in Chromium, as a district CDC does it: verify an early-warning signal (疑似事件), open an
emergency event from it, raise the event to a level III response with the reason, activate the stage checklist
that goes with level III, and see the tasks it generated on the command page (指挥调度) — whose charts are drawn from
our own static files, with no request leaving the server."""

import pytest
from playwright.sync_api import expect

from tests.detection.test_pages import make_signal
from yingji.core.roles import Role
from yingji.detection.models import Signal
from yingji.response.models import Event, Task

from .test_pages_in_browser import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def reference_data(transactional_db):
    """The disease catalogue and the shipped checklists (migration data; a transactional test before may have
    flushed them)."""
    from yingji.response.services.checklists import load_defaults
    from yingji.surveillance import catalogue

    catalogue.load_diseases()
    load_defaults()


def test_from_signal_to_event_to_level_three_to_tasks_on_the_command_page(offline_page, live_server, city):
    signal = make_signal(city.a, method="ears_c2", params={}, days_ago=1)
    page = offline_page
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, live_server, city.a.users[Role.CDC])

    # 1. verify the signal: a suspected event (疑似事件)
    page.goto(f"{live_server.url}/signals/{signal.pk}/")
    page.get_by_label("疑似事件，需现场调查").check()
    page.get_by_label("备注").fill("同一小学三个班级出现病例")
    page.get_by_test_id("signal-action-submit").click()
    expect(page.get_by_test_id("signal-status")).to_have_text("疑似事件")

    # 2. open an event from it (the form comes pre-filled from the signal)
    page.get_by_test_id("open-event-from-signal").click()
    expect(page.get_by_test_id("from-signal")).to_be_visible()
    expect(page.get_by_label("事件名称")).not_to_have_value("")
    page.get_by_label("事件名称").fill("甲区小学聚集性疫情")
    page.get_by_test_id("open-emergency").click()
    expect(page.get_by_test_id("event-status")).to_have_text("启动")
    event = Event.objects.get()
    assert event.source_signal_id == signal.pk
    assert Signal.objects.get(pk=signal.pk).status == "linked"

    # 3. raise it to a level III response, with the reason (without one, the form says so)
    page.get_by_test_id("change-level").click()
    page.get_by_label("新的响应级别").select_option("III")
    page.get_by_test_id("level-submit").click()
    expect(page.locator('[data-field-error="reason"]')).to_contain_text("请填写调整理由")
    page.get_by_label("新的响应级别").select_option("III")
    page.get_by_label("原因").fill("本地出现聚集性病例，经会商启动Ⅲ级响应")
    page.get_by_label("决定机关").fill("甲区人民政府")
    page.get_by_test_id("level-submit").click()
    expect(page.get_by_test_id("event-level")).to_have_text("Ⅲ级响应")
    expect(page.get_by_test_id("level-history")).to_contain_text("本地出现聚集性病例，经会商启动Ⅲ级响应")

    # 4. activate the stage checklist of level III (suggested first) on the event's task page
    page.get_by_test_id("event-tabs").get_by_role("link", name="任务").click()
    activate = page.get_by_test_id("activate-form")
    expect(activate).to_be_visible()
    chosen = activate.locator("select").evaluate("s => s.options[s.selectedIndex].text")
    assert "Ⅲ级响应" in chosen, chosen
    page.get_by_test_id("activate-submit").click()
    expect(page.get_by_test_id("activations")).to_contain_text("本地")
    tasks = list(Task.objects.filter(event=event).order_by("deadline", "pk"))
    assert tasks and all(t.checklist_item.checklist.response_level == "III" for t in tasks)

    # 5. the command page shows them
    page.get_by_test_id("event-tabs").get_by_role("link", name="指挥调度").click()
    table = page.get_by_test_id("command-tasks")
    expect(table.locator("tbody tr")).to_have_count(min(len(tasks), 40))
    for task in tasks[:3]:
        expect(table).to_contain_text(task.title)
    expect(page.get_by_test_id("figure-open-tasks")).to_have_text(str(len(tasks)))
    expect(page.get_by_test_id("command-timeline")).to_contain_text("启动处置清单")
    expect(page.get_by_test_id("command-timeline")).to_contain_text("本地出现聚集性病例")
    expect(page.locator("#command-task-pie")).to_have_attribute("data-rendered", "true")
    expect(page.locator("#command-cases")).to_have_attribute("data-rendered", "true")
    page.get_by_test_id("wall-screen").click()
    expect(page.get_by_test_id("command-page")).to_have_attribute("data-wall", "1")
    expect(page.get_by_test_id("command-tasks")).to_contain_text(tasks[0].title)
    assert page.blocked_requests == []
