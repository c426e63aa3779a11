"""Login in Chinese, throttled failures (axes lockout page in both languages), redirect after login."""

import pytest
from django.urls import reverse

from yingji.core.roles import Role

from ..conftest import PASSWORD
from .conftest import text

pytestmark = pytest.mark.django_db


def test_login_and_redirect_to_the_page_asked_for(client, city):
    user = city.a.users[Role.CDC]
    target = reverse("web:organisation_list")
    response = client.get(target)
    assert response.status_code == 302
    login_url = response["Location"]
    page = text(client.get(login_url))
    assert f'value="{target}"' in page
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD, "next": target})
    assert response.status_code == 302 and response["Location"] == target
    assert "机构" in text(client.get(target))


def test_wrong_password_is_a_chinese_error(client, city):
    response = client.post(reverse("login"), {"username": "cdc02", "password": "wrong-password"})
    html = text(response)
    assert response.status_code == 200
    assert 'data-testid="login-error"' in html and "用户名" in html and "密码" in html


def test_lockout_page_is_bilingual(client, city, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "cdc02", "password": "wrong-password"})
    response = client.post(reverse("login"), {"username": "cdc02", "password": PASSWORD})
    html = text(response)
    assert response.status_code == 429
    assert "账户已临时锁定" in html and "Account temporarily locked" in html
    assert "15 分钟后再试" in html and "in 15 minutes" in html
    assert client.get(reverse("home")).status_code == 302  # not signed in
