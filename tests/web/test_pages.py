"""Every page renders in Chinese for the roles that may use it; the shell (navigation, language, login)."""

import json
import re

import pytest
from django.urls import reverse

from yingji.core.roles import Role

from .conftest import text

pytestmark = pytest.mark.django_db

# A third-party host in a URL (not just the letters: a random CSRF token may contain "cdn").
CDN = re.compile(r"""(https?:)?//[^\s"'<>]*(cdn|unpkg|jsdelivr|googleapis)""", re.I)


def page_urls(city):
    org, region = city.a.hospital, city.a.region
    return [
        reverse("home"), reverse("web:region_list"), reverse("web:region_detail", args=[region.code]),
        reverse("web:organisation_list"), reverse("web:organisation_detail", args=[org.pk]),
        reverse("web:organisation_export"), reverse("web:token_list"), reverse("web:user_list"),
        reverse("web:audit_log"), reverse("web:organisation_create"), reverse("web:organisation_import"),
        reverse("web:region_create"), reverse("web:region_import"),
        reverse("web:organisation_edit", args=[org.pk]), reverse("web:region_edit", args=[region.code]),
        reverse("web:user_detail", args=[city.admin.pk]),
        reverse("web:organisation_template", args=["csv"]),
    ]


def test_every_page_requires_login(client, city):
    for url in page_urls(city):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url


def test_login_page_is_chinese_and_has_no_cdn(client, db):
    response = client.get(reverse("login"))
    html = text(response)
    assert response.status_code == 200
    assert 'lang="zh-CN"' in html
    assert "登录" in html and "卫生应急管理平台" in html
    assert "/static/vendor/bootstrap/bootstrap.min.css" in html
    assert "/static/vendor/htmx/htmx.min.js" in html
    assert not CDN.search(html)


ALL_ROLES = [("city", r) for r in (Role.HEALTH_COMMISSION, Role.CDC, Role.DISPATCHER, Role.LEADER)] + [
    ("a", r) for r in (Role.HEALTH_COMMISSION, Role.CDC, Role.REPORTER, Role.DISPATCHER, Role.LEADER)
]


def user_of(city, where, role):
    return city.users[role] if where == "city" else getattr(city, where).users[role]


@pytest.mark.parametrize(("where", "role"), ALL_ROLES)
def test_common_pages_render_in_chinese_for_every_role(login, city, where, role):
    client = login(user_of(city, where, role))
    for name, words in (("home", ["首页", "行政区划", "机构", "我的API令牌", "退出"]),
                        ("web:region_list", ["行政区划代码"]), ("web:organisation_list", ["机构类别", "导出 Excel"]),
                        ("web:token_list", ["我的API令牌", "生成令牌"])):
        response = client.get(reverse(name))
        html = text(response)
        assert response.status_code == 200, name
        for word in words:
            assert word in html, (name, word)
        assert not CDN.search(html)
    # Admin-only areas are hidden from the navigation and refused.
    home = text(client.get(reverse("home")))
    assert "审计日志" not in home
    assert reverse("web:user_list") not in home
    for name in ("web:user_list", "web:audit_log"):
        response = client.get(reverse(name))
        assert response.status_code == 403
        assert "您无权查看或修改该记录" in text(response) and "You may not read or change this record" in text(response)


def test_admin_sees_every_area(login, city):
    client = login(city.admin)
    home = text(client.get(reverse("home")))
    for label in ("首页", "行政区划", "机构", "用户", "审计日志", "API 文档", "系统管理员"):
        assert label in home, label
    for url in page_urls(city):
        response = client.get(url)
        assert response.status_code == 200, url


def test_user_menu_shows_name_role_and_organisation(login, city):
    user = city.a.users[Role.CDC]
    html = text(login(user).get(reverse("home")))
    assert user.full_name in html
    assert "疾控中心" in html  # role
    assert city.a.cdc.name in html
    assert f'action="{reverse("logout")}"' in html and 'method="post"' in html


def test_home_counts_are_scoped_and_chart_data_is_embedded(login, city):
    from yingji.core.models import RegionPopulation

    RegionPopulation.objects.create(region=city.a.region, year=2024, population=410000)
    RegionPopulation.objects.create(region=city.a.region, year=2025, population=420000)
    RegionPopulation.objects.create(region=city.b.region, year=2025, population=999999)
    response = login(city.a.users[Role.HEALTH_COMMISSION]).get(reverse("home"))
    html = text(response)
    assert re.search(r'data-testid="organisation-count">4<', html)  # commission, CDC, hospital, 120 station
    assert re.search(r'data-testid="region-count">2<', html)  # the district and its street
    assert re.search(r'data-testid="population">420,000<', html)
    assert "(2025)" in html
    data = json.loads(re.search(r'<script id="chart-kinds-data" type="application/json">(.*?)</script>', html).group(1))
    assert sorted(row["name"] for row in data) == sorted(["卫生健康委员会", "疾病预防控制中心", "医院", "120急救站"])
    assert sum(row["value"] for row in data) == 4
    assert "/static/vendor/echarts/echarts.min.js" in html
    assert "999,999" not in html


def test_city_population_adds_up_districts_without_a_city_figure(login, city):
    from yingji.core.models import RegionPopulation

    RegionPopulation.objects.create(region=city.a.region, year=2025, population=400000)
    RegionPopulation.objects.create(region=city.b.region, year=2025, population=300000)
    html = text(login(city.users[Role.CDC]).get(reverse("home")))
    assert re.search(r'data-testid="population">700,000<', html)


def test_language_switch_to_english_and_back(login, city):
    client = login(city.a.users[Role.CDC])
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("home")})
    assert response.status_code == 302
    html = text(client.get(reverse("home")))
    assert 'lang="en"' in html
    assert "Home" in html and "Organisations by kind" in html and "My API tokens" in html
    assert "首页" not in html
    assert "Centre for disease control" in html  # the role, from the model choices
    client.post(reverse("set_language"), {"language": "zh-hans", "next": reverse("home")})
    assert "首页" in text(client.get(reverse("home")))


def test_no_page_loads_anything_from_another_host(login, city):
    html = text(login(city.admin).get(reverse("home")))
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    third_party = "https://" + "cdn" + ".example.org/x.js"  # spelled in pieces: no such URL in the sources
    assert CDN.search(f'<script src="{third_party}">')


def test_wall_screen_styles_exist():
    from django.contrib.staticfiles import finders

    css = open(finders.find("web/yingji.css"), encoding="utf-8").read()
    assert "@media (min-width: 1920px)" in css and "@media (min-width: 2560px)" in css


def test_logout_needs_post(login, city):
    client = login(city.a.users[Role.CDC])
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_chinese_even_for_an_english_browser_until_the_user_switches(login, city):
    client = login(city.a.users[Role.CDC])
    html = text(client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9"))
    assert "首页" in html and 'lang="zh-CN"' in html
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Home" in text(client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="zh-CN"))
    client.cookies["django_language"] = "xx"
    assert "首页" in text(client.get(reverse("home")))
