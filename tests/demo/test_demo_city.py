"""The demo city 示范市: its shape, and jurisdiction over it (one build shared by the tests of this module)."""

import re
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.password_validation import validate_password

from tests.demo.once import demo_for_module
from yingji.core import scoping
from yingji.core.models import Organisation, Region, RegionPopulation, User
from yingji.core.roles import Role
from yingji.demo import names, organisations, regions
from yingji.demo.context import DemoContext
from yingji.demo.users import DEMO_LOGINS, DEMO_PASSWORD

K = Organisation.Kind
DEMO = "99"


def snapshot() -> dict:
    """Everything the demo build decides, by natural keys (no database ids or timestamps)."""
    orgs = Organisation.objects.filter(region__code__startswith=DEMO).select_related("parent").order_by("code")
    return {
        "regions": list(Region.objects.filter(code__startswith=DEMO).values_list("code", "name", "parent_id", "level")),
        "population": list(
            RegionPopulation.objects.filter(region__code__startswith=DEMO)
            .order_by("region_id", "year").values_list("region_id", "year", "population")
        ),
        "organisations": [
            (o.code, o.name, o.short_name, o.kind, o.region_id, o.parent.code if o.parent else None, o.hospital_level,
             o.hospital_grade, o.hospital_type, o.address, o.longitude, o.latitude, o.contact_person,
             o.contact_phone, o.duty_phone, o.is_active)
            for o in orgs
        ],
        "users": sorted(
            (u.username, u.role, u.organisation.code, u.full_name, u.phone, u.is_active)
            for u in User.objects.filter(organisation__region__code__startswith=DEMO).select_related("organisation")
        ),
    }


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):
    """One demo city for the read-only tests of this module, rolled back when the module ends."""
    with demo_for_module(django_db_blocker):
        yield


@pytest.fixture
def demo(built, db):
    return {o.code: o for o in Organisation.objects.filter(region__code__startswith=DEMO)}


def org(key: str) -> Organisation:
    plan = organisations.plan(DemoContext().rng("organisations"), regions.plan(DemoContext().rng("regions")))
    return Organisation.objects.get(code=next(p.code for p in plan if p.key == key))


# --- planning, without the database ------------------------------------------------------------------------


def test_plans_are_pure_functions_of_the_seed():
    def plans(seed):
        ctx = DemoContext(seed=seed)
        region_plan = regions.plan(ctx.rng("regions"))
        return region_plan, organisations.plan(ctx.rng("organisations"), region_plan)

    (r1, o1), (r2, o2), (r3, o3) = plans(7), plans(7), plans(8)
    assert r1 == r2 and o1 == o2
    assert [t.name for t in r1.towns] != [t.name for t in r3.towns]  # another seed, another city …
    assert [p.code for p in o1] == [p.code for p in o3]  # … but every unit keeps its code


def test_credit_codes_carry_valid_check_characters():
    assert names.credit_code_is_valid("91350100M000100Y43")  # the example printed in GB 32100-2015
    code = names.credit_code(names.PUBLIC_INSTITUTION, "990102", 123456)
    assert names.credit_code_is_valid(code) and code.startswith("12990102")
    assert not names.credit_code_is_valid(code[:-1] + ("0" if code[-1] != "0" else "1"))


def test_demo_password_passes_the_password_validators():
    validate_password(DEMO_PASSWORD, User(username="wjw_district", full_name="李海燕"))


# --- shape ---------------------------------------------------------------------------------------------------


def test_regions_and_population_have_the_shape_of_a_city(demo):
    assert Region.objects.get(pk="990000").name == "示范省"
    city = Region.objects.get(pk="990100")
    assert city.name == "示范市" and city.parent_id == "990000"
    districts = list(city.children.order_by("code"))
    assert len(districts) == 6
    assert [d.name[-1] for d in districts].count("区") == 5 and districts[-1].name.endswith("县")
    towns = Region.objects.filter(code__startswith=DEMO, level=4)
    assert 75 <= towns.count() <= 85
    for town in towns:
        assert re.fullmatch(r"\d{9}", town.code) and town.code.startswith(town.parent_id)
        suffixes = ("镇", "乡") if town.parent.name.endswith("县") else ("街道",)
        assert town.name.endswith(suffixes), town.name
    assert len(set(towns.values_list("name", flat=True))) == towns.count()

    figures = {(p.region_id, p.year): p.population for p in RegionPopulation.objects.all()}
    for year in regions.YEARS:
        total = figures[("990100", year)]
        assert 2_700_000 <= total <= 3_300_000
        assert figures[("990000", year)] == total
        assert sum(figures[(d.code, year)] for d in districts) == total
        for d in districts:
            assert sum(figures[(t.code, year)] for t in d.children.all()) == figures[(d.code, year)]
            assert all(figures[(t.code, year)] > 5_000 for t in d.children.all())
    for earlier, later in zip(regions.YEARS, regions.YEARS[1:], strict=False):
        change = figures[("990100", later)] / figures[("990100", earlier)] - 1
        assert -0.01 < change < 0.02  # plausible growth of a Chinese city


def test_organisations_have_the_shape_of_a_health_system(demo):
    all_orgs = Organisation.objects.filter(region__code__startswith=DEMO)
    assert 75 <= all_orgs.count() <= 85
    hospitals = all_orgs.filter(kind=K.HOSPITAL)
    tertiary = hospitals.filter(hospital_level="3")
    assert tertiary.count() == 3
    assert {(h.hospital_grade, h.hospital_type) for h in tertiary} >= {("A", "general"), ("A", "tcm")}
    assert tertiary.filter(hospital_type="infectious").count() == 1
    assert hospitals.filter(hospital_level="2").count() == 10
    for district in Region.objects.filter(parent_id="990100"):
        assert all_orgs.filter(region=district, kind=K.HEALTH_COMMISSION).count() == 1
        assert all_orgs.filter(region=district, kind=K.CDC).count() == 1
    assert all_orgs.filter(region_id="990100", kind=K.HEALTH_COMMISSION).count() == 1
    assert all_orgs.filter(region_id="990100", kind=K.CDC).count() == 1
    for chc in all_orgs.filter(kind=K.COMMUNITY_HEALTH_CENTRE):
        assert chc.region.name.endswith("街道")
    township = all_orgs.filter(kind=K.TOWNSHIP_HOSPITAL)
    assert township.count() >= 5 and all(t.region_id.startswith("990121") for t in township)
    assert all_orgs.filter(kind=K.CLINIC).exists()
    assert 1 <= all_orgs.filter(kind=K.LABORATORY).count() <= 2
    assert {o.name for o in all_orgs.filter(kind=K.GOVERNMENT)} >= {"示范市教育局", "示范市市场监督管理局", "示范市公安局"}

    centre = all_orgs.get(kind=K.EMS_CENTRE)
    stations = all_orgs.filter(kind=K.EMS_STATION)
    assert 18 <= stations.count() <= 22
    assert set(stations.values_list("parent_id", flat=True)) == {centre.pk}
    assert stations.filter(name__contains="医院").count() >= 5  # some are attached to hospitals


def test_every_organisation_is_complete_and_valid(demo):
    for unit in demo.values():
        unit.full_clean()
        assert names.credit_code_is_valid(unit.code) and unit.code[2:4] == "99", unit.code
        assert unit.address.startswith("示范市") and unit.contact_person
        assert unit.contact_phone and unit.duty_phone and unit.contact_phone != unit.duty_phone
        assert Decimal("118") < unit.longitude < Decimal("119.2") and Decimal("31.8") < unit.latitude < Decimal("32.6")


def test_every_role_has_a_demo_user_who_can_log_in(demo):
    assert {login.role for login in DEMO_LOGINS} == set(Role.values)
    for login in DEMO_LOGINS:
        user = User.objects.select_related("organisation").get(username=login.username)
        assert user.role == login.role and user.is_active
        assert user.organisation.name == login.org_name  # the list `demo-logins` prints is true
        assert user.check_password(DEMO_PASSWORD)
    assert User.objects.get(username="admin").is_platform_admin
    assert User.objects.get(username="wjw_district").organisation.region.level == 3
    assert User.objects.get(username="wjw_city").organisation.region.level == 2


def test_the_build_goes_through_the_audited_services(demo):
    admin = User.objects.get(username="admin")
    created = LogEntry.objects.filter(action=LogEntry.Action.CREATE)
    assert created.filter(content_type__model="organisation", actor=admin).count() == len(demo)
    assert created.filter(content_type__model="region", actor=admin).count() == 88
    assert created.filter(content_type__model="regionpopulation").count() == 88 * len(regions.YEARS)


# --- jurisdiction over the demo city ------------------------------------------------------------------------


def test_demo_users_see_their_own_jurisdiction(demo):
    everything = Organisation.objects.all()
    by_user = {u.username: u for u in User.objects.filter(username__in=[lg.username for lg in DEMO_LOGINS])}

    for username in ("wjw_district", "cdc_district"):
        seen = scoping.scope(by_user[username], everything)
        assert seen.exists()
        assert all(o.region_id.startswith("990102") for o in seen)
        assert set(seen) == set(everything.filter(region__code__startswith="990102"))
        assert not seen.filter(region__code__startswith="990103").exists()

    for username in ("wjw_city", "cdc_city", "leader", "admin"):
        assert scoping.scope(by_user[username], everything).count() == len(demo)

    reporter = by_user["reporter"]
    assert list(scoping.scope(reporter, everything)) == [reporter.organisation]

    dispatcher = by_user["dispatcher"]
    seen = scoping.scope(dispatcher, everything)
    assert set(seen.values_list("kind", flat=True)) == {K.EMS_CENTRE, K.EMS_STATION}
    assert seen.count() == 1 + everything.filter(kind=K.EMS_STATION).count()

    # A district user may change units of the district, not those of a neighbour; a leader changes nothing.
    own, neighbour = org("990102.chc1"), org("990103.chc1")
    assert scoping.can(by_user["wjw_district"], own, write=True)
    assert not scoping.can(by_user["wjw_district"], neighbour, write=True)
    assert not scoping.can(by_user["leader"], own, write=True)
