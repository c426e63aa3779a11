"""The command page (指挥调度): headline figures, timeline, affected regions with case counts, tasks by status,
contacts under follow-up; the wall-screen mode; scoping."""

import json
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.response.factories import make_event
from tests.web.conftest import text  # also compiles the zh_Hans catalogue
from yingji.core.roles import Role
from yingji.response.models import Task
from yingji.response.services import checklists as checklist_service
from yingji.response.services import contacts as contact_service
from yingji.response.services import events as svc
from yingji.response.services import tasks as task_service

pytestmark = pytest.mark.django_db

CDN = re.compile(r"""(https?:)?//[^\s"'<>]*(cdn|unpkg|jsdelivr|googleapis)""", re.I)


@pytest.fixture
def event(city):
    """District 甲's event at level III with the stage checklist of that level activated, a case and a contact."""
    user = city.a.users[Role.CDC]
    event = make_event(city, "a", title="甲区新冠疫情")
    event.affected_regions.add(city.a.town)
    svc.change_level(event, "IV", "相邻地区发生疫情", "甲区人民政府", user, at=timezone.now() - timedelta(days=2))
    svc.change_level(event, "III", "本地出现散发病例", "示范市人民政府", user)
    event.refresh_from_db()
    checklist = checklist_service.suggested(user, event)
    assert checklist is not None and checklist.response_level == "III"
    result = checklist_service.activate_stage(event, checklist, user)
    assert result.created
    today = contact_service.local_today()
    case = contact_service.add_case(user, event, {"name": "张某", "region": city.a.town.code,
                                                  "onset_date": today - timedelta(days=2),
                                                  "isolated_on": today - timedelta(days=1)})
    contact_service.add_contact(user, event, {"name": "李某", "region": city.a.town.code, "source_case": case.pk,
                                              "contact_type": "household", "last_exposure": today - timedelta(days=2),
                                              "mode": "home"})
    return event


def test_the_command_page_shows_figures_timeline_regions_tasks_and_contacts(client, city, event):
    client.force_login(city.a.users[Role.CDC])
    response = client.get(reverse("response:event_command", args=[event.pk]))
    assert response.status_code == 200
    page = text(response)
    tasks = list(Task.objects.filter(event=event))
    assert tasks and all(t.title in page for t in tasks[:5])
    assert "Ⅲ级响应" in page and "指挥调度" in page
    assert "本地出现散发病例" in page and "相邻地区发生疫情" in page  # the decisions, in the timeline
    open_count = re.search(r'data-testid="figure-open-tasks">(\d+)<', page).group(1)
    assert int(open_count) == len(tasks)
    assert re.search(r'data-testid="figure-cases">1<', page)
    assert re.search(r'data-testid="figure-contacts">1<', page)
    bars = json.loads(re.search(r'<script id="command-cases-data" type="application/json">(.*?)</script>', page,
                                re.S).group(1))
    assert {"name": city.a.town.name, "value": 1} in bars
    pie = json.loads(re.search(r'<script id="command-tasks-data" type="application/json">(.*?)</script>', page,
                               re.S).group(1))
    assert sum(p["value"] for p in pie) == len(tasks)
    assert not CDN.search(page)
    assert 'data-tab="response:event_command"' in page


def test_done_and_overdue_tasks_are_shown_as_such(client, city, event):
    user = city.a.users[Role.CDC]
    first, second = Task.objects.filter(event=event).order_by("pk")[:2]
    task_service.transition(user, first, "in_progress")
    task_service.transition(user, first, "done")
    Task.objects.filter(pk=second.pk).update(deadline=timezone.now() - timedelta(hours=1))
    client.force_login(user)
    page = text(client.get(reverse("response:event_command", args=[event.pk])))
    assert re.search(r'data-testid="figure-overdue-tasks">1<', page)
    assert f'<tr data-task="{second.pk}" class="table-danger">' in page
    assert f'data-task="{first.pk}"' not in page  # done: not among the open tasks
    assert "任务完成" in page


def test_the_wall_screen_has_no_navigation_and_reloads(client, city, event):
    client.force_login(city.a.users[Role.LEADER])
    page = text(client.get(reverse("response:event_command", args=[event.pk]), {"wall": "1"}))
    assert '<meta http-equiv="refresh"' in page and 'data-wall="1"' in page
    assert 'aria-label="主导航"' not in page and "navbar" not in page.split("<main")[0]
    assert "command-wall" in page


def test_the_command_page_is_scoped(client, city, event):
    client.force_login(city.b.users[Role.CDC])
    assert client.get(reverse("response:event_command", args=[event.pk])).status_code == 404
    client.force_login(city.users[Role.CDC])
    assert client.get(reverse("response:event_command", args=[event.pk])).status_code == 200
    client.force_login(city.a.users[Role.REPORTER])
    assert client.get(reverse("response:event_command", args=[event.pk])).status_code == 404


def test_an_event_without_tasks_or_contacts_still_renders(client, city):
    event = make_event(city, "a")
    client.force_login(city.a.users[Role.CDC])
    page = text(client.get(reverse("response:event_command", args=[event.pk])))
    assert "暂无任务" in page and "暂无医学观察中的密切接触者" in page
