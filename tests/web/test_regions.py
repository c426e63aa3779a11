"""Region pages: scoped tree list, detail, admin-only create/edit/population."""

import pytest
from django.urls import reverse

from yingji.core.models import Region, RegionPopulation
from yingji.core.roles import Role

from .conftest import text

pytestmark = pytest.mark.django_db


def test_list_is_scoped(login, city):
    html = text(login(city.a.users[Role.CDC]).get(reverse("web:region_list")))
    assert "甲区第一街道" in html and "990102" in html
    assert "乙区" not in html and "990103" not in html
    assert "新建行政区划" not in html  # only administrators create regions


def test_list_filters_by_level_and_search(login, city):
    client = login(city.admin)
    html = text(client.get(reverse("web:region_list"), {"level": "3"}))
    assert "甲区" in html and "乙区" in html and "甲区第一街道" not in html and "示范省" not in html
    html = text(client.get(reverse("web:region_list"), {"q": "990103"}))
    assert "乙区" in html and "甲区第一街道" not in html
    html = text(client.get(reverse("web:region_list"), {"q": "第一街道"}))
    assert "甲区第一街道" in html and "乙区第一街道" in html and 'region-indent-0' in html
    html = text(client.get(reverse("web:region_list")))
    assert "region-indent-3" in html  # streets indented under their district


def test_detail_shows_children_populations_organisations_and_history(login, city):
    RegionPopulation.objects.create(region=city.a.region, year=2025, population=420000)
    html = text(login(city.a.users[Role.CDC]).get(reverse("web:region_detail", args=[city.a.region.code])))
    assert "甲区第一街道" in html and "420,000" in html
    assert city.a.hospital.name in html and city.a.commission.name in html
    assert 'data-testid="audit-history"' in html
    assert "保存人口" not in html  # read-only for a CDC user


def test_other_district_region_is_404(login, city):
    client = login(city.a.users[Role.HEALTH_COMMISSION])
    for name in ("web:region_detail", "web:region_edit"):
        assert client.get(reverse(name, args=[city.b.region.code])).status_code == 404
    assert client.post(reverse("web:population_add", args=[city.b.region.code]),
                       {"year": "2025", "population": "1"}).status_code == 404


def test_non_admin_may_not_change_regions(login, city):
    client = login(city.users[Role.HEALTH_COMMISSION])
    assert client.get(reverse("web:region_create")).status_code == 403
    assert client.get(reverse("web:region_import")).status_code == 403
    response = client.post(reverse("web:region_edit", args=[city.a.region.code]), {"name": "改"})
    assert response.status_code == 403 and "您无权" in text(response)
    response = client.post(reverse("web:population_add", args=[city.a.region.code]),
                           {"year": "2025", "population": "1"})
    assert response.status_code == 403
    assert not RegionPopulation.objects.exists()


def test_admin_creates_and_edits_a_region(login, city):
    client = login(city.admin)
    response = client.post(reverse("web:region_create"), {"code": "990104", "name": "丙区", "parent": ""})
    assert response.status_code == 302
    region = Region.objects.get(pk="990104")
    assert region.parent_id == "990100"
    response = client.post(reverse("web:region_edit", args=["990104"]), {"name": "丙新区", "parent": "990100"})
    assert response.status_code == 302
    region.refresh_from_db()
    assert region.name == "丙新区"
    html = text(client.get(reverse("web:region_detail", args=["990104"])))
    assert "丙区" in html and "丙新区" in html and "修改" in html  # before → after in the history


def test_region_form_errors_are_chinese_and_input_kept(login, city):
    client = login(city.admin)
    response = client.post(reverse("web:region_create"), {"code": "12345", "name": "坏代码区", "parent": ""})
    assert response.status_code == 422
    html = text(response)
    assert 'data-field-error="code"' in html and 'value="坏代码区"' in html
    response = client.post(reverse("web:region_create"), {"code": "990102", "name": "重复", "parent": ""})
    assert response.status_code == 422 and "已存在" in text(response)
    response = client.post(reverse("web:region_create"), {"code": "990105", "name": "错上级", "parent": "990000"})
    assert response.status_code == 422 and "上级应为" in text(response)
    assert not Region.objects.filter(name__in=["坏代码区", "错上级"]).exists()


def test_population_entry(login, city):
    client = login(city.admin)
    url = reverse("web:population_add", args=[city.a.region.code])
    assert client.post(url, {"year": "2025", "population": "420000"}).status_code == 302
    assert client.post(url, {"year": "2025", "population": "430000"}).status_code == 302  # replaces
    assert RegionPopulation.objects.get(region=city.a.region, year=2025).population == 430000
    response = client.post(url, {"year": "1800", "population": "-5"})
    assert response.status_code == 422
    html = text(response)
    assert 'data-field-error="year"' in html and 'data-field-error="population"' in html
    assert 'value="1800"' in html
    assert RegionPopulation.objects.count() == 1
