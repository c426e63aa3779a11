"""Emergency event pages: the list and its filters, opening an event (by hand, pre-filled from a signal or a
report), an event's page with its level history and tab bar, the level form (reason required) and ending — in
Chinese and English, through core.scoping."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.detection.test_pages import make_signal
from tests.response.factories import make_event
from tests.web.conftest import text  # also compiles the zh_Hans catalogue
from yingji.core.roles import Role
from yingji.detection.choices import SignalStatus
from yingji.response.models import Event, LevelChange
from yingji.response.services import events as svc

pytestmark = pytest.mark.django_db


def english(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    return client


def test_the_list_shows_events_within_reach_and_filters_them(client, city):
    mine = make_event(city, "a", title="甲区霍乱疫情", level="III")
    theirs = make_event(city, "b", title="乙区诺如疫情")
    client.force_login(city.a.users[Role.CDC])
    page = text(client.get(reverse("response:event_list")))
    assert "甲区霍乱疫情" in page and "乙区诺如疫情" not in page and "突发事件" in page
    assert 'data-testid="new-emergency"' in page
    client.force_login(city.users[Role.CDC])
    page = text(client.get(reverse("response:event_list"), {"level": "III"}))
    assert mine.number in page and theirs.number not in page
    page = text(client.get(reverse("response:event_list"), {"region": city.b.region.code}))
    assert theirs.number in page and mine.number not in page
    page = text(client.get(reverse("response:event_list"), {"level": "bogus"}))  # invalid filter: nothing
    assert mine.number not in page and theirs.number not in page
    client.force_login(city.a.users[Role.LEADER])
    page = text(client.get(reverse("response:event_list")))
    assert mine.number in page and 'data-testid="new-emergency"' not in page


def test_opening_an_event_by_hand(client, city):
    client.force_login(city.a.users[Role.CDC])
    assert client.get(reverse("response:event_create")).status_code == 200
    response = client.post(reverse("response:event_create"), {
        "title": "甲区学校水痘暴发", "category": "infectious_outbreak", "grade": "IV", "region": city.a.region.code,
        "affected_regions": [city.a.town.code], "lead_org": city.a.cdc.pk, "occurred_at": "2026-03-01T08:00",
        "description": "某小学三个班级出现水痘病例"})
    event = Event.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("response:event_detail", args=[event.pk])
    assert event.grade == "IV" and list(event.affected_regions.all()) == [city.a.town]


def test_bad_input_shows_field_messages_in_both_languages_and_saves_nothing(client, city):
    client.force_login(city.a.users[Role.CDC])
    data = {"title": "越界", "category": "infectious_outbreak", "region": city.a.region.code,
            "affected_regions": [city.b.town.code], "lead_org": city.a.cdc.pk, "occurred_at": "2026-03-01T08:00"}
    response = client.post(reverse("response:event_create"), data)
    assert response.status_code == 422 and Event.objects.count() == 0
    data["affected_regions"] = [city.a.town.code]
    data["occurred_at"] = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(reverse("response:event_create"), data)
    assert response.status_code == 422 and "发生时间不能晚于现在" in text(response)
    english(client)
    response = client.post(reverse("response:event_create"), data)
    assert "The time must not be in the future" in text(response)
    assert Event.objects.count() == 0


def test_opening_from_a_signal_is_prefilled_and_links_the_signal(client, city):
    signal = make_signal(city.a, status=SignalStatus.SUSPECTED)
    client.force_login(city.a.users[Role.CDC])
    detail = text(client.get(reverse("detection:signal_detail", args=[signal.pk])))
    assert f"{reverse('response:event_create')}?signal={signal.pk}" in detail
    page = text(client.get(reverse("response:event_create"), {"signal": signal.pk}))
    assert 'data-testid="from-signal"' in page and f'name="signal" value="{signal.pk}"' in page
    assert "甲区" in page
    response = client.post(reverse("response:event_create"), {
        "signal": signal.pk, "title": "甲区疫情", "category": "infectious_outbreak", "region": city.a.region.code,
        "lead_org": city.a.cdc.pk, "occurred_at": "2026-03-01T08:00"})
    assert response.status_code == 302
    event = Event.objects.get()
    signal.refresh_from_db()
    assert event.source_signal == signal and signal.status == "linked" and signal.response_ref == event.number
    detail = text(client.get(reverse("detection:signal_detail", args=[signal.pk])))
    assert f"?signal={signal.pk}" not in detail  # linked: no second event
    assert f"{reverse('response:event_list')}?q={event.number}" in detail


def test_a_new_signal_offers_no_event_and_the_form_says_why(client, city):
    signal = make_signal(city.a, status=SignalStatus.NEW)
    client.force_login(city.a.users[Role.CDC])
    assert f"?signal={signal.pk}" not in text(client.get(reverse("detection:signal_detail", args=[signal.pk])))
    page = text(client.get(reverse("response:event_create"), {"signal": signal.pk}, follow=True))
    assert "只有“疑似事件”“现场调查”“确认暴发”的信号可以启动事件" in page
    theirs = make_signal(city.b, status=SignalStatus.SUSPECTED)
    response = client.get(reverse("response:event_create"), {"signal": theirs.pk})
    assert response.status_code == 200 and "预警信号不存在或不在您的管辖范围内" in text(response)
    assert f'name="signal" value="{theirs.pk}"' not in text(response)


def test_the_detail_page_shows_history_and_tabs_and_only_writers_get_buttons(client, city):
    event = make_event(city, "a")
    svc.change_level(event, "IV", "首例病例", "甲区人民政府", city.a.users[Role.CDC])
    svc.change_level(event, "III", "社区传播", "示范市人民政府", city.a.users[Role.CDC])
    client.force_login(city.a.users[Role.CDC])
    page = text(client.get(reverse("response:event_detail", args=[event.pk])))
    assert "社区传播" in page and "首例病例" in page and "Ⅲ级响应" in page
    assert 'data-testid="event-tabs"' in page and reverse("response:event_detail", args=[event.pk]) in page
    assert 'data-testid="change-level"' in page
    client.force_login(city.a.users[Role.LEADER])
    page = text(client.get(reverse("response:event_detail", args=[event.pk])))
    assert "社区传播" in page and 'data-testid="change-level"' not in page
    assert client.get(reverse("response:event_level", args=[event.pk])).status_code == 403
    client.force_login(city.b.users[Role.CDC])
    assert client.get(reverse("response:event_detail", args=[event.pk])).status_code == 404


def test_the_level_form_requires_a_reason(client, city):
    event = make_event(city, "a")
    client.force_login(city.a.users[Role.CDC])
    url = reverse("response:event_level", args=[event.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"to_level": "III", "reason": ""})
    assert response.status_code == 422 and "请填写调整理由" in text(response)
    assert LevelChange.objects.count() == 0
    english(client)
    response = client.post(url, {"to_level": "III", "reason": ""})
    assert "Give the reason for the change" in text(response)
    response = client.post(url, {"to_level": "III", "reason": "病例数超过10例", "decided_by": "甲区人民政府"})
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.response_level == "III" and event.level_changes.get().reason == "病例数超过10例"


def test_ending_needs_the_closing_summary(client, city):
    event = make_event(city, "a", level="IV")
    client.force_login(city.a.users[Role.CDC])
    url = reverse("response:event_end", args=[event.pk])
    response = client.post(url, {"closing_summary": ""})
    assert response.status_code == 422 and "请填写结案总结" in text(response)
    response = client.post(url, {"closing_summary": "事件处置完毕"})
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.status == "ended" and event.response_level == "none"
    page = text(client.get(reverse("response:event_detail", args=[event.pk])))
    assert "事件处置完毕" in page and 'data-testid="change-level"' not in page


def test_start_handling(client, city):
    event = make_event(city, "a")
    client.force_login(city.a.users[Role.CDC])
    client.post(reverse("response:event_start", args=[event.pk]))
    event.refresh_from_db()
    assert event.status == "ongoing"


def test_opening_from_an_event_report_page(client, city):
    from yingji.surveillance.services.events import create_event_report

    report = create_event_report(city.a.users[Role.CDC], title="甲区学校水痘聚集", category="infectious_outbreak",
                                 region=city.a.town.code, discovered_at=timezone.now() - timedelta(hours=1),
                                 cases=7, submit=True)
    client.force_login(city.a.users[Role.CDC])
    detail = text(client.get(reverse("surveillance:event_detail", args=[report.pk])))
    assert f"{reverse('response:event_create')}?report={report.pk}" in detail
    page = text(client.get(reverse("response:event_create"), {"report": report.pk}))
    assert "甲区学校水痘聚集" in page and 'data-testid="from-report"' in page
    response = client.post(reverse("response:event_create"), {
        "report": report.pk, "title": "甲区学校水痘聚集", "category": "infectious_outbreak",
        "region": city.a.region.code, "lead_org": city.a.cdc.pk, "occurred_at": "2026-03-01T08:00"})
    assert response.status_code == 302
    assert Event.objects.get().source_report == report


@pytest.mark.parametrize(("role", "shown"), [(Role.CDC, True), (Role.LEADER, True), (Role.HEALTH_COMMISSION, True),
                                             (Role.REPORTER, False), (Role.DISPATCHER, False)])
def test_the_navigation_has_one_response_group(client, city, role, shown):
    client.force_login(city.a.users[role])
    page = text(client.get("/"))
    assert (reverse("response:event_list") in page) is shown
    assert reverse("response:task_list") in page  # assigned units see their tasks
    assert page.count('data-bs-toggle="dropdown"') >= 1


def test_the_edit_page_changes_the_grade(client, city):
    event = make_event(city, "a")
    client.force_login(city.a.users[Role.CDC])
    url = reverse("response:event_edit", args=[event.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"title": "甲区疫情", "category": "infectious_outbreak", "grade": "III",
                                 "lead_org": city.a.cdc.pk, "occurred_at": "2026-03-01T08:00"})
    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.title, event.grade) == ("甲区疫情", "III")
    client.force_login(city.a.users[Role.LEADER])
    assert client.get(url).status_code == 403


def test_the_history_shows_affected_region_changes(client, city):
    event = make_event(city, "a")
    svc.set_affected_regions(city.a.users[Role.CDC], event, [city.a.town.code])
    client.force_login(city.a.users[Role.CDC])
    page = text(client.get(reverse("response:event_detail", args=[event.pk])))
    assert f"{city.a.town.name}（{city.a.town.code}）" in page and "operation" not in page
