"""The reporting-schedule page (报告计划): CDC staff set daily schedules during a response and end them; bad
input is refused field by field in both languages and saves nothing; scoping decides what is listed and ended."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from tests.web.conftest import text  # also compiles the zh_Hans catalogue
from yingji.core.roles import Role
from yingji.surveillance.models import ReportingSchedule
from yingji.surveillance.services.schedules import create_schedule

URL = "/schedules/"


def test_cdc_sets_a_daily_schedule_and_ends_it(client, city):
    client.force_login(city.a.users[Role.CDC])
    today = timezone.localdate()
    response = client.post(URL, {
        "organisation": city.a.hospital.pk, "frequency": "daily", "diseases": ["0100", "0200"],
        "valid_from": today.isoformat(), "due_hour": "10", "reason": "霍乱疫情应急响应期间每日报告"})
    assert response.status_code == 302
    schedule = ReportingSchedule.objects.get(organisation=city.a.hospital, frequency="daily")
    assert sorted(schedule.diseases.values_list("code", flat=True)) == ["0100", "0200"]
    assert schedule.due_hour == 10 and schedule.valid_to is None
    page = text(client.get(URL))
    assert "报告计划" in page and city.a.hospital.name in page and "霍乱疫情应急响应期间每日报告" in page

    end = reverse("surveillance:schedule_end", args=[schedule.pk])
    assert client.post(end, {"valid_to": (today + timedelta(days=3)).isoformat()}).status_code == 302
    schedule.refresh_from_db()
    assert schedule.valid_to == today + timedelta(days=3)


def test_a_daily_schedule_without_diseases_or_reason_is_refused_and_nothing_saved(client, city):
    client.force_login(city.a.users[Role.CDC])
    response = client.post(URL, {"organisation": city.a.hospital.pk, "frequency": "daily",
                                 "valid_from": timezone.localdate().isoformat(), "due_hour": "30"})
    assert response.status_code == 422
    assert 'data-field-error="due_hour"' in text(response)
    assert not ReportingSchedule.objects.exists()
    response = client.post(URL, {"organisation": city.a.hospital.pk, "frequency": "daily",
                                 "valid_from": timezone.localdate().isoformat(), "due_hour": "9"})
    assert response.status_code == 422
    assert "日报告须指定病种" in text(response) and "日报告须说明原因" in text(response)
    assert not ReportingSchedule.objects.exists()

    client.post(reverse("set_language"), {"language": "en", "next": "/"})  # the English interface
    response = client.post(URL, {"organisation": city.a.hospital.pk, "frequency": "daily",
                                 "valid_from": timezone.localdate().isoformat(), "due_hour": "9"})
    assert "A daily schedule must name its diseases" in text(response)


def test_an_end_before_the_start_is_refused(client, city):
    today = timezone.localdate()
    schedule = create_schedule(city.a.users[Role.CDC], organisation=city.a.hospital.pk, valid_from=today)
    client.force_login(city.a.users[Role.CDC])
    response = client.post(reverse("surveillance:schedule_end", args=[schedule.pk]),
                           {"valid_to": (today - timedelta(days=1)).isoformat()}, follow=True)
    assert "截止日期不能早于起始日期" in text(response)
    schedule.refresh_from_db()
    assert schedule.valid_to is None


def test_scoping_other_district_leader_and_reporter(client, city):
    today = timezone.localdate()
    theirs = create_schedule(city.b.users[Role.CDC], organisation=city.b.hospital.pk, valid_from=today)
    ours = create_schedule(city.a.users[Role.CDC], organisation=city.a.hospital.pk, valid_from=today)
    client.force_login(city.a.users[Role.CDC])
    page = text(client.get(URL))
    assert city.a.hospital.name in page and city.b.hospital.name not in page
    assert client.post(reverse("surveillance:schedule_end", args=[theirs.pk]),
                       {"valid_to": today.isoformat()}).status_code == 404
    # another district's unit cannot be picked in the form
    response = client.post(URL, {"organisation": city.b.hospital.pk, "frequency": "weekly",
                                 "valid_from": today.isoformat(), "due_hour": "9"})
    assert response.status_code == 422 and ReportingSchedule.objects.count() == 2

    client.force_login(city.a.users[Role.LEADER])  # reads, changes nothing
    response = client.get(URL)
    assert response.status_code == 200 and 'data-testid="schedule-form"' not in response.content.decode()
    assert 'data-testid="end-schedule"' not in response.content.decode()
    assert client.post(URL, {"organisation": city.a.hospital.pk, "frequency": "weekly",
                             "valid_from": today.isoformat(), "due_hour": "9"}).status_code == 403
    assert client.post(reverse("surveillance:schedule_end", args=[ours.pk]),
                       {"valid_to": today.isoformat()}).status_code == 403
    theirs.refresh_from_db()
    ours.refresh_from_db()
    assert theirs.valid_to is None and ours.valid_to is None
