"""Shared fixtures: a small two-district city with a unit and a user of every role in each district."""

import os
from dataclasses import dataclass, field

import pytest
from django.test import override_settings

from yingji.core.models import Organisation, Region, User
from yingji.core.roles import Role

PASSWORD = "Test-Passw0rd-2026"


def skip_or_fail(reason: str):
    """Skip when a service this machine lacks is needed; in CI (YINGJI_REQUIRE_SERVICES=1) nothing may skip."""
    if os.environ.get("YINGJI_REQUIRE_SERVICES"):
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


def pytest_collection_modifyitems(config, items):
    from django.db import connection

    if connection.vendor != "postgresql":
        skip = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL (.ci/run runs the suite on PostgreSQL 15)")
        for item in items:
            if "postgres" in item.keywords:
                item.add_marker(skip)


@dataclass
class District:
    region: Region
    town: Region
    commission: Organisation
    cdc: Organisation
    hospital: Organisation
    ems_station: Organisation
    users: dict = field(default_factory=dict)  # role → User


@dataclass
class City:
    province: Region
    city: Region
    commission: Organisation
    cdc: Organisation
    ems_centre: Organisation
    a: District
    b: District
    users: dict = field(default_factory=dict)  # city-level role → User
    admin: User = None


def _org(code, name, kind, region, parent=None, **extra):
    return Organisation.objects.create(code=code, name=name, kind=kind, region=region, parent=parent, **extra)


def _user(username, org, role):
    user = User(username=username, organisation=org, role=role, full_name=username)
    user.set_password(PASSWORD)
    user.save()
    return user


def make_city() -> City:
    province = Region.objects.create(code="990000", name="示范省")
    city_region = Region.objects.create(code="990100", name="示范市", parent=province)
    K = Organisation.Kind
    commission = _org("SFSWJW", "示范市卫生健康委员会", K.HEALTH_COMMISSION, city_region)
    cdc = _org("SFSCDC", "示范市疾病预防控制中心", K.CDC, city_region)
    ems = _org("SFS120", "示范市120急救中心", K.EMS_CENTRE, city_region)
    districts = []
    for suffix, name in (("02", "甲区"), ("03", "乙区")):
        region = Region.objects.create(code=f"9901{suffix}", name=name, parent=city_region)
        town = Region.objects.create(code=f"9901{suffix}001", name=f"{name}第一街道", parent=region)
        d = District(
            region=region, town=town,
            commission=_org(f"WJW{suffix}", f"{name}卫生健康局", K.HEALTH_COMMISSION, region),
            cdc=_org(f"CDC{suffix}", f"{name}疾病预防控制中心", K.CDC, region),
            hospital=_org(f"HOS{suffix}", f"{name}人民医院", K.HOSPITAL, town, hospital_level="2"),
            ems_station=_org(f"EMS{suffix}", f"{name}急救站", K.EMS_STATION, town, parent=ems),
        )
        d.users = {
            Role.HEALTH_COMMISSION: _user(f"wjw{suffix}", d.commission, Role.HEALTH_COMMISSION),
            Role.CDC: _user(f"cdc{suffix}", d.cdc, Role.CDC),
            Role.REPORTER: _user(f"rep{suffix}", d.hospital, Role.REPORTER),
            Role.DISPATCHER: _user(f"disp{suffix}", d.ems_station, Role.DISPATCHER),
            Role.LEADER: _user(f"lead{suffix}", d.commission, Role.LEADER),
        }
        districts.append(d)
    c = City(province=province, city=city_region, commission=commission, cdc=cdc, ems_centre=ems,
             a=districts[0], b=districts[1])
    c.users = {
        Role.HEALTH_COMMISSION: _user("wjw_city", commission, Role.HEALTH_COMMISSION),
        Role.CDC: _user("cdc_city", cdc, Role.CDC),
        Role.DISPATCHER: _user("disp_city", ems, Role.DISPATCHER),
        Role.LEADER: _user("lead_city", commission, Role.LEADER),
    }
    c.admin = _user("admin", commission, Role.ADMIN)
    return c


@pytest.fixture(autouse=True, scope="session")
def one_year_of_demo_history():
    """The demo city's surveillance step builds one year, not three, unless a test asks for more: the
    multi-year history is tested once (tests/demo/test_demo_surveillance.py) and measured in benchmarks."""
    with override_settings(YINGJI_DEMO_YEARS=1):
        yield


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Argon2 is deliberately slow; tests that need it (test_auth) ask for it with override_settings."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def city(db) -> City:
    return make_city()


DISTRICT_ROLES = (Role.HEALTH_COMMISSION, Role.CDC, Role.REPORTER, Role.DISPATCHER, Role.LEADER)
