"""我的API令牌, the user pages and the audit log."""

import re
from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from yingji.core import services
from yingji.core.models import ApiToken
from yingji.core.roles import Role

from .conftest import text

pytestmark = pytest.mark.django_db


def test_token_is_shown_once_and_works(login, city):
    user = city.a.users[Role.REPORTER]
    client = login(user)
    response = client.post(reverse("web:token_list"), {"name": "HIS 接口"})
    html = text(response)
    raw = re.search(r'<code class="raw-token[^"]*">([^<]+)</code>', html).group(1)
    assert "它只显示这一次" in html
    assert ApiToken.authenticate(raw) == user
    again = text(client.get(reverse("web:token_list")))
    assert raw not in again and "HIS 接口" in again and raw[:10] in again


def test_token_form_rejects_bad_input(login, city):
    client = login(city.a.users[Role.REPORTER])
    response = client.post(reverse("web:token_list"), {"name": "  "})
    assert response.status_code == 422 and "这个字段是必填项" in text(response)
    past = (timezone.localtime() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(reverse("web:token_list"), {"name": "旧", "expires_at": past})
    assert response.status_code == 422 and "过期时间必须晚于当前时间" in text(response)
    assert 'value="旧"' in text(response)
    assert not ApiToken.objects.exists()


def test_revoke_own_token_only(login, city):
    mine, raw = ApiToken.issue(city.a.users[Role.REPORTER], "mine")
    theirs, their_raw = ApiToken.issue(city.b.users[Role.REPORTER], "theirs")
    client = login(city.a.users[Role.REPORTER])
    assert client.post(reverse("web:token_revoke", args=[theirs.pk])).status_code == 404
    assert ApiToken.authenticate(their_raw) is not None
    assert "theirs" not in text(client.get(reverse("web:token_list")))
    assert client.get(reverse("web:token_revoke", args=[mine.pk])).status_code == 405
    response = client.post(reverse("web:token_revoke", args=[mine.pk]), follow=True)
    assert "已吊销" in text(response)
    assert ApiToken.authenticate(raw) is None


def test_user_list_and_detail_for_admin(login, city):
    client = login(city.admin)
    html = text(client.get(reverse("web:user_list")))
    assert "cdc02" in html and "cdc03" in html and "医疗机构报告员" in html
    html = text(client.get(reverse("web:user_list"), {"role": "dispatcher"}))
    assert "disp02" in html and "cdc02" not in html
    person = city.a.users[Role.CDC]
    html = text(client.get(reverse("web:user_detail", args=[person.pk])))
    assert person.username in html and city.a.cdc.name in html and 'data-testid="audit-history"' in html


def test_user_pages_refused_to_non_admins(login, city):
    client = login(city.users[Role.HEALTH_COMMISSION])
    assert client.get(reverse("web:user_detail", args=[city.a.users[Role.CDC].pk])).status_code == 403


def test_audit_log_filters_and_shows_before_and_after(login, city):
    admin = city.admin
    services.save_organisation(admin, {
        "code": city.a.hospital.code, "name": "甲区中心医院", "kind": "hospital", "region": city.a.town.code,
        "hospital_level": "3", "is_active": True,
    }, instance=city.a.hospital)
    client = login(admin)
    html = text(client.get(reverse("web:audit_log")))
    assert "审计日志" in html and "甲区人民医院" in html and "甲区中心医院" in html and "修改" in html
    from django.contrib.contenttypes.models import ContentType

    from yingji.core.models import Organisation, Region

    org_type = ContentType.objects.get_for_model(Organisation)
    region_type = ContentType.objects.get_for_model(Region)
    html = text(client.get(reverse("web:audit_log"), {"model": org_type.pk, "actor": "admin"}))
    assert "甲区中心医院" in html
    html = text(client.get(reverse("web:audit_log"), {"model": region_type.pk, "actor": "admin"}))
    assert "甲区中心医院" not in html
    html = text(client.get(reverse("web:audit_log"), {"object_id": str(city.a.hospital.pk), "actor": "admin"}))
    assert "甲区中心医院" in html
    today = timezone.localdate()
    html = text(client.get(reverse("web:audit_log"), {"since": today.isoformat(), "until": today.isoformat(),
                                                      "actor": "admin"}))
    assert "甲区中心医院" in html
    html = text(client.get(reverse("web:audit_log"), {"since": (today + timedelta(days=1)).isoformat()}))
    assert "没有符合条件的记录" in html
    response = client.get(reverse("web:audit_log"), {"since": "2026-02-10", "until": "2026-01-01"})
    assert "截止日期不能早于起始日期" in text(response)
    assert LogEntry.objects.filter(actor=admin).exists()


def test_audit_times_are_beijing_time(login, city):
    entry = LogEntry.objects.get_for_object(city.a.hospital).first()
    local = timezone.localtime(entry.timestamp, timezone.get_fixed_timezone(8 * 60)).strftime("%Y-%m-%d %H:%M")
    html = text(login(city.admin).get(reverse("web:organisation_detail", args=[city.a.hospital.pk])))
    assert local in html
