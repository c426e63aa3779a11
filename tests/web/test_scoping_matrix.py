"""The scoping matrix for pages: every district role × every list, detail and export page.

A user of district 甲 (990102) never sees a record of district 乙 (990103) in a list or an export, and gets 404
on its detail pages, whatever their role.
"""

import io
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from ..conftest import DISTRICT_ROLES
from .conftest import text

pytestmark = pytest.mark.django_db

OTHER_NAMES = ("乙区", "990103")


@pytest.mark.parametrize("role", DISTRICT_ROLES)
def test_lists_and_exports_hold_nothing_of_the_other_district(login, city, role):
    client = login(city.a.users[role])
    for name, params in (("home", {}), ("web:region_list", {}), ("web:region_list", {"q": "99"}),
                         ("web:organisation_list", {}), ("web:organisation_list", {"q": "区"}),
                         ("web:organisation_list", {"region": city.b.region.code}),
                         ("web:region_detail", None), ("web:organisation_detail", None)):
        if params is None:  # the user's own district and organisation pages list children and sub-units
            url = (reverse(name, args=[city.a.region.code]) if name == "web:region_detail"
                   else reverse(name, args=[city.a.users[role].organisation_id]))
            response = client.get(url)
        else:
            response = client.get(reverse(name), params)
        assert response.status_code in (200, 404), (role, name)
        html = text(response).replace(urlencode(params or {}), "")  # the filter echoed back is no leak
        for needle in OTHER_NAMES:
            assert needle not in html, (role, name, params, needle)
    for params in ({}, {"region": city.b.region.code}, {"kind": "hospital"}):
        workbook = load_workbook(io.BytesIO(client.get(reverse("web:organisation_export"), params).content))
        cells = " ".join(str(c) for row in workbook.active.iter_rows(values_only=True) for c in row if c)
        for needle in OTHER_NAMES:
            assert needle not in cells, (role, params, needle)


@pytest.mark.parametrize("role", DISTRICT_ROLES)
def test_detail_pages_of_the_other_district_are_404(login, city, role):
    client = login(city.a.users[role])
    urls = [reverse("web:region_detail", args=[city.b.region.code]),
            reverse("web:region_detail", args=[city.b.town.code]),
            reverse("web:region_edit", args=[city.b.region.code])]
    for org in (city.b.commission, city.b.cdc, city.b.hospital, city.b.ems_station):
        urls += [reverse(n, args=[org.pk]) for n in
                 ("web:organisation_detail", "web:organisation_edit", "web:organisation_delete")]
    for url in urls:
        assert client.get(url).status_code == 404, (role, url)
    # Pages for administrators only are refused outright (403), whatever the record.
    assert client.get(reverse("web:user_detail", args=[city.b.users[role].pk])).status_code == 403
