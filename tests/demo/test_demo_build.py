"""Building the demo city: deterministic, idempotent, resettable, and never taking over real data."""

import pytest
from auditlog.models import LogEntry

from yingji.core.models import ApiToken, Organisation, Region, User
from yingji.core.roles import Role
from yingji.demo.build import build, reset
from yingji.demo.context import DEFAULT_SEED
from yingji.demo.users import DemoUserClash

from .test_demo_city import DEMO, K, org, snapshot


def test_builds_are_deterministic_idempotent_and_resettable(db):
    build(DEFAULT_SEED)
    before = snapshot()
    entries = LogEntry.objects.count()

    build(DEFAULT_SEED)  # a re-run changes nothing and writes no audit entries
    assert snapshot() == before
    assert LogEntry.objects.count() == entries

    build(DEFAULT_SEED, reset_first=True)  # wiped and rebuilt: the very same city
    assert snapshot() == before


def test_reset_removes_only_the_demo_city(db):
    beijing = Region.objects.create(code="110000", name="北京市")
    outside = Organisation.objects.create(code="OUTSIDE-1", name="北京某医院", kind=K.HOSPITAL, region=beijing,
                                          hospital_level="3")
    build()
    cdc = User.objects.get(username="cdc_district")
    ApiToken.issue(cdc, "test")
    extra = User.objects.create(username="someone", organisation=org("990102.cdc"), role=Role.CDC)
    reset()
    assert not Region.objects.filter(code__startswith=DEMO).exists()
    assert not Organisation.objects.filter(region__code__startswith=DEMO).exists()
    assert Region.objects.filter(pk="110000").exists() and Organisation.objects.filter(pk=outside.pk).exists()
    assert not ApiToken.objects.filter(user=cdc).exists()
    assert not User.objects.filter(pk=extra.pk).exists()  # never acted: deleted
    admin = User.objects.get(username="admin")  # acted (the audit log names it): kept, detached
    assert admin.organisation is None
    build()
    assert User.objects.get(username="cdc_district").organisation.name == "明湖区疾病预防控制中心"


def test_the_build_refuses_to_take_over_a_real_users_name(db):
    beijing = Region.objects.create(code="110000", name="北京市")
    real = Organisation.objects.create(code="REAL-1", name="北京市卫生健康委员会", kind=K.HEALTH_COMMISSION,
                                       region=beijing)
    User.objects.create(username="admin", organisation=real, role=Role.ADMIN)
    with pytest.raises(DemoUserClash) as info:
        build()
    assert "示范市以外" in info.value.message and "outside the demo city" in info.value.message_en
    assert not Region.objects.filter(code__startswith=DEMO).exists()


