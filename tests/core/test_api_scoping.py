"""Jurisdiction through the API: for every role, a user of district A never reads or changes district B's records.

A record outside the user's reach answers 404 exactly like a record that does not exist; a role that may read
but not change (leaders, reporters, CDC for organisations) gets 403 on writes within its reach.
"""

import json

import pytest

from tests.conftest import DISTRICT_ROLES
from yingji.core.models import Organisation, Region, RegionPopulation
from yingji.core.roles import Role

from .test_api import Api, assert_error, org_body


@pytest.fixture
def api(client):
    from django.core.cache import cache

    cache.clear()
    return Api(client)


@pytest.fixture
def populations(city):
    for region in (city.a.region, city.b.region):
        RegionPopulation.objects.create(region=region, year=2025, population=400_000)


def b_organisations(city):
    return [city.b.commission, city.b.cdc, city.b.hospital, city.b.ems_station]


def not_found_like_unknown(response, unknown_response):
    """Outside the jurisdiction looks exactly like never existed."""
    assert_error(response, 404, "not_found")
    assert json.loads(response.content) == json.loads(unknown_response.content)


# --- reads -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", DISTRICT_ROLES)
def test_lists_hold_nothing_of_the_other_district(api, city, populations, role):
    user = city.a.users[role]
    regions = api.get("/regions?page_size=500", user).json()["items"]
    assert regions and not any(r["code"].startswith("990103") for r in regions)
    assert all(r["code"].startswith("990102") for r in regions)

    orgs = api.get("/organisations?page_size=500", user).json()["items"]
    assert orgs and not {o["code"] for o in orgs} & {o.code for o in b_organisations(city)}
    assert all(o["region"].startswith("990102") for o in orgs)
    # Filtering by the other district's region finds nothing rather than revealing it.
    assert api.get("/organisations?region=990103", user).json()["count"] == 0

    # User administration is for platform administrators only; a district user reads their own record via /me.
    assert_error(api.get("/users?page_size=500", user), 403)
    assert api.get("/me", user).json()["username"] == user.username


@pytest.mark.parametrize("role", DISTRICT_ROLES)
def test_details_of_the_other_district_are_404(api, city, populations, role):
    user = city.a.users[role]
    unknown = api.get("/organisations/999999", user)
    for org in b_organisations(city):
        not_found_like_unknown(api.get(f"/organisations/{org.pk}", user), unknown)
        not_found_like_unknown(api.get(f"/organisations/{org.pk}/history", user), unknown)
    unknown = api.get("/regions/990109", user)
    for code in ("990103", "990103001"):
        not_found_like_unknown(api.get(f"/regions/{code}", user), unknown)
        not_found_like_unknown(api.get(f"/regions/{code}/populations", user), unknown)
        not_found_like_unknown(api.get(f"/regions/{code}/history", user), unknown)
    for other in (*city.a.users.values(), *city.b.users.values()):
        assert_error(api.get(f"/users/{other.pk}", user), 403)


@pytest.mark.parametrize("role", DISTRICT_ROLES)
def test_changes_to_the_other_district_are_404_and_change_nothing(api, city, populations, role):
    user = city.a.users[role]
    for org in b_organisations(city):
        before = Organisation.objects.get(pk=org.pk)
        assert_error(api.patch(f"/organisations/{org.pk}", user, {"name": "改名"}), 404, "not_found")
        body = org_body(code=org.code, name="改名", region=org.region_id)
        assert_error(api.put(f"/organisations/{org.pk}", user, body), 404, "not_found")
        assert_error(api.delete(f"/organisations/{org.pk}", user), 404, "not_found")
        after = Organisation.objects.get(pk=org.pk)
        assert (after.name, after.updated_at) == (before.name, before.updated_at)
    assert_error(api.patch("/regions/990103", user, {"name": "改名"}), 404)
    assert_error(api.put("/regions/990103", user, {"name": "改名"}), 404)
    assert_error(api.put("/regions/990103/populations/2025", user, {"population": 1}), 404)
    assert Region.objects.get(pk="990103").name == "乙区"
    assert RegionPopulation.objects.get(region_id="990103", year=2025).population == 400_000


@pytest.mark.parametrize("role", DISTRICT_ROLES)
def test_nobody_of_district_a_creates_in_district_b(api, city, role):
    user = city.a.users[role]
    response = api.post("/organisations", user, org_body(region="990103001"))
    assert_error(response, 403)
    assert not Organisation.objects.filter(code="NEWHOS01").exists()


# --- who may write within their reach ----------------------------------------------------------------------


def test_district_commission_changes_its_own_district(api, city):
    user = city.a.users[Role.HEALTH_COMMISSION]
    created = api.post("/organisations", user, org_body(region="990102001"))
    assert created.status_code == 201
    org_id = created.json()["id"]
    assert api.patch(f"/organisations/{org_id}", user, {"short_name": "新院"}).status_code == 200
    # ... but cannot move a unit into the other district.
    assert_error(api.patch(f"/organisations/{org_id}", user, {"region": "990103"}), 403)
    assert Organisation.objects.get(pk=org_id).region_id == "990102001"
    assert api.delete(f"/organisations/{org_id}", user).status_code == 204


@pytest.mark.parametrize("role", [Role.LEADER, Role.CDC, Role.REPORTER, Role.DISPATCHER])
def test_read_only_roles_get_403_on_writes_within_reach(api, city, role):
    user = city.a.users[role]
    own = user.organisation
    assert api.get(f"/organisations/{own.pk}", user).status_code == 200
    assert_error(api.patch(f"/organisations/{own.pk}", user, {"short_name": "x"}), 403, "forbidden")
    body = org_body(code=own.code, name=own.name, kind=own.kind, region=own.region_id)
    assert_error(api.put(f"/organisations/{own.pk}", user, body), 403)
    assert_error(api.delete(f"/organisations/{own.pk}", user), 403)
    assert_error(api.post("/organisations", user, org_body()), 403)
    assert Organisation.objects.get(pk=own.pk).short_name == ""


@pytest.mark.parametrize("user_key", [("a", Role.LEADER), ("city", Role.LEADER)])
def test_leaders_read_but_never_write(api, city, user_key):
    where, role = user_key
    user = city.users[role] if where == "city" else city.a.users[role]
    assert api.get(f"/organisations/{city.a.hospital.pk}", user).status_code == 200
    assert_error(api.patch(f"/organisations/{city.a.hospital.pk}", user, {"short_name": "x"}), 403)
    assert_error(api.post("/organisations", user, org_body()), 403)
    assert_error(api.patch("/regions/990102", user, {"name": "x"}), 403)
    assert_error(api.put("/regions/990102/populations/2025", user, {"population": 1}), 403)
    assert_error(api.post("/regions", user, {"code": "990104", "name": "丙区"}), 403)


def test_reporters_reach_their_own_unit_only(api, city):
    user = city.a.users[Role.REPORTER]
    orgs = api.get("/organisations", user).json()
    assert [o["code"] for o in orgs["items"]] == ["HOS02"]
    for other in (city.a.commission, city.a.cdc, city.a.ems_station, city.commission):
        assert_error(api.get(f"/organisations/{other.pk}", user), 404)


def test_dispatchers_of_the_120_centre_reach_their_stations(api, city):
    user = city.users[Role.DISPATCHER]
    codes = sorted(o["code"] for o in api.get("/organisations", user).json()["items"])
    assert codes == ["EMS02", "EMS03", "SFS120"]


def test_only_administrators_change_regions(api, city):
    for user in (city.users[Role.HEALTH_COMMISSION], city.a.users[Role.HEALTH_COMMISSION]):
        assert_error(api.post("/regions", user, {"code": "990102002", "name": "新街道"}), 403)
        assert_error(api.patch("/regions/990102", user, {"name": "改名"}), 403)
        assert_error(api.put("/regions/990102/populations/2025", user, {"population": 1}), 403)
    assert not Region.objects.filter(pk="990102002").exists()
    assert api.post("/regions", city.admin, {"code": "990102002", "name": "新街道"}).status_code == 201


def test_city_users_reach_both_districts(api, city):
    user = city.users[Role.CDC]
    codes = {o["code"] for o in api.get("/organisations?page_size=500", user).json()["items"]}
    assert {"HOS02", "HOS03", "CDC02", "CDC03"} <= codes
    assert api.get(f"/organisations/{city.b.hospital.pk}", user).status_code == 200


def test_administrators_reach_everything(api, city):
    admin = city.admin
    assert api.get("/users?page_size=500", admin).json()["count"] == 15
    assert api.get(f"/users/{city.b.users[Role.CDC].pk}", admin).json()["username"] == "cdc03"
    assert api.get("/organisations", admin).json()["count"] == Organisation.objects.count()
    assert api.get("/regions", admin).json()["count"] == Region.objects.count()
    assert api.patch(f"/organisations/{city.b.hospital.pk}", admin, {"short_name": "乙院"}).status_code == 200
