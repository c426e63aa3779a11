"""core.scoping on the models themselves; the page/API/export matrix is in tests/core/test_scoping_matrix.py."""

import pytest

from tests.conftest import DISTRICT_ROLES
from yingji.core import scoping
from yingji.core.models import Organisation, Region, User
from yingji.core.roles import Role


def visible_orgs(user):
    return set(scoping.scope(user, Organisation.objects.all()).values_list("code", flat=True))


@pytest.mark.parametrize("role", DISTRICT_ROLES)
def test_district_user_never_sees_the_other_district(city, role):
    for mine, other in ((city.a, city.b), (city.b, city.a)):
        seen = visible_orgs(mine.users[role])
        assert not seen & {other.commission.code, other.cdc.code, other.hospital.code, other.ems_station.code}
        assert not scoping.scope(mine.users[role], Region.objects.filter(pk=other.region.pk)).exists()
        users_seen = scoping.scope(mine.users[role], User.objects.all())
        assert not users_seen.filter(organisation__in=[other.cdc, other.hospital, other.commission]).exists()
        assert not scoping.scope(mine.users[role], Organisation.objects.all(), write=True).filter(
            region__code__startswith=other.region.code).exists()


def test_regional_roles_reach_their_whole_district(city):
    assert visible_orgs(city.a.users[Role.CDC]) == {"WJW02", "CDC02", "HOS02", "EMS02"}
    assert visible_orgs(city.a.users[Role.LEADER]) == {"WJW02", "CDC02", "HOS02", "EMS02"}


def test_city_users_reach_the_whole_city_and_admin_everything(city):
    assert {"WJW02", "WJW03", "HOS03", "SFSCDC"} <= visible_orgs(city.users[Role.CDC])
    assert visible_orgs(city.admin) == set(Organisation.objects.values_list("code", flat=True))


def test_reporter_reaches_only_own_organisation(city):
    assert visible_orgs(city.a.users[Role.REPORTER]) == {"HOS02"}


def test_dispatcher_at_the_centre_reaches_its_stations(city):
    assert visible_orgs(city.users[Role.DISPATCHER]) == {"SFS120", "EMS02", "EMS03"}
    assert visible_orgs(city.a.users[Role.DISPATCHER]) == {"EMS02"}


def test_write_scope_follows_role(city):
    orgs = Organisation.objects.all()
    assert scoping.scope(city.a.users[Role.HEALTH_COMMISSION], orgs, write=True).count() == 4
    for role in (Role.LEADER, Role.REPORTER, Role.CDC, Role.DISPATCHER):
        assert not scoping.scope(city.a.users[role], orgs, write=True).exists(), role
    assert scoping.can(city.a.users[Role.HEALTH_COMMISSION], city.a.hospital, write=True)
    assert not scoping.can(city.a.users[Role.HEALTH_COMMISSION], city.b.hospital)


def test_placement_of_new_records(city):
    commission_a = city.a.users[Role.HEALTH_COMMISSION]
    assert scoping.may_place(commission_a, Organisation, region_code="990102001", owner_org_id=None)
    assert not scoping.may_place(commission_a, Organisation, region_code="990103001", owner_org_id=None)
    assert not scoping.may_place(commission_a, Region, region_code="990102002", owner_org_id=None)
    assert scoping.may_place(city.admin, Region, region_code="990104", owner_org_id=None)


def test_inactive_or_unattached_users_reach_nothing(city):
    user = city.a.users[Role.CDC]
    user.is_active = False
    assert not visible_orgs(user)
    loner = User.objects.create(username="loner", role=Role.CDC)
    assert not visible_orgs(loner)
