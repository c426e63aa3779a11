"""Region, population and organisation rules, validation messages and the audit trail."""

import pytest
from auditlog.models import LogEntry
from django.db import DatabaseError, transaction

from yingji.core import services
from yingji.core.audit import history_for
from yingji.core.errors import Conflict, InvalidInput, NotPermitted
from yingji.core.models import Organisation, Region, RegionPopulation
from yingji.core.roles import Role


def org_data(**overrides):
    data = {"code": "HOS99", "name": "甲区第二人民医院", "kind": "hospital", "region": "990102001",
            "hospital_level": "2", "hospital_grade": "A", "hospital_type": "general", "address": "甲区一路1号",
            "longitude": "118.5", "latitude": "32.1", "duty_phone": "025-12345678", "is_active": True}
    data.update(overrides)
    return data


def test_region_code_and_parent_are_validated_in_both_languages(city):
    with pytest.raises(InvalidInput) as info:
        services.save_region(city.admin, {"code": "99010", "name": "坏代码"})
    assert "6位" in info.value.fields["code"][0]["message"]
    assert "6 digits" in info.value.fields["code"][0]["message_en"]
    with pytest.raises(InvalidInput) as info:
        services.save_region(city.admin, {"code": "990104", "name": "丙区", "parent": "990000"})
    assert "990100" in info.value.fields["parent"][0]["message"]
    with pytest.raises(InvalidInput) as info:
        services.save_region(city.admin, {"code": "990201", "name": "无上级区"})
    assert "不存在" in info.value.fields["parent"][0]["message"]
    assert not Region.objects.filter(pk__in=["990104", "990201"]).exists()


def test_region_parent_is_derived_and_duplicates_refused(city):
    region = services.save_region(city.admin, {"code": "990104", "name": "丙区"})
    assert region.parent_id == "990100" and region.level == 3
    with pytest.raises(InvalidInput) as info:
        services.save_region(city.admin, {"code": "990104", "name": "丙区又一次"})
    assert "已存在" in info.value.fields["code"][0]["message"]
    assert Region.objects.get(pk="990104").name == "丙区"


def test_only_admins_change_regions(city):
    with pytest.raises(NotPermitted):
        services.save_region(city.users[Role.HEALTH_COMMISSION], {"code": "990104", "name": "丙区"})


def test_population_per_year_replaces_the_previous_figure(city):
    services.save_population(city.admin, {"region": "990102", "year": 2025, "population": 500000})
    services.save_population(city.admin, {"region": "990102", "year": 2025, "population": 510000})
    assert RegionPopulation.objects.get(region_id="990102", year=2025).population == 510000
    with pytest.raises(InvalidInput) as info:
        services.save_population(city.admin, {"region": "990102", "year": 1800, "population": -1})
    assert set(info.value.fields) == {"year", "population"}


def test_organisation_create_update_delete_is_audited_with_before_and_after(city):
    user = city.a.users[Role.HEALTH_COMMISSION]
    org = services.save_organisation(user, org_data())
    services.save_organisation(user, org_data(name="甲区第二人民医院（新院区）"), instance=org)
    entries = list(history_for(org))
    assert [e.action for e in entries] == [LogEntry.Action.UPDATE, LogEntry.Action.CREATE]
    assert entries[0].actor == user
    assert entries[0].changes["name"] == ["甲区第二人民医院", "甲区第二人民医院（新院区）"]
    pk = org.pk
    services.delete_organisation(user, Organisation.objects.get(pk=pk))
    deleted = LogEntry.objects.get(object_pk=str(pk), action=LogEntry.Action.DELETE)
    assert deleted.changes["name"][0] == "甲区第二人民医院（新院区）"


def test_audit_entries_cannot_be_rewritten(city):
    org = services.save_organisation(city.admin, org_data())
    entry = history_for(org).first()
    with pytest.raises(DatabaseError), transaction.atomic():
        LogEntry.objects.filter(pk=entry.pk).update(changes={"name": ["x", "y"]})
    entry.refresh_from_db()
    assert entry.changes["name"][1] == "甲区第二人民医院"


def test_organisation_bad_input_is_reported_per_field(city):
    with pytest.raises(InvalidInput) as info:
        services.save_organisation(city.admin, org_data(code="bad code!", region="990199", kind="spaceship",
                                                        hospital_level="", longitude="200", duty_phone="call me"))
    assert {"code", "region", "kind", "duty_phone", "longitude"} <= set(info.value.fields)
    for messages in info.value.fields.values():
        assert messages[0]["message"] and messages[0]["message_en"]
    assert not Organisation.objects.filter(name="甲区第二人民医院").exists()


def test_duplicate_organisation_code_or_name_is_refused(city):
    services.save_organisation(city.admin, org_data())
    with pytest.raises(InvalidInput) as info:
        services.save_organisation(city.admin, org_data(name="别的名字"))
    assert "code" in info.value.fields
    with pytest.raises(InvalidInput):
        services.save_organisation(city.admin, org_data(code="HOS98", region="990102001"))
    assert Organisation.objects.filter(name="甲区第二人民医院").count() == 1


def test_district_commission_cannot_place_or_move_units_elsewhere(city):
    user = city.a.users[Role.HEALTH_COMMISSION]
    with pytest.raises(NotPermitted):
        services.save_organisation(user, org_data(region="990103001"))
    with pytest.raises(NotPermitted):
        services.save_organisation(user, org_data(code=city.a.hospital.code, name=city.a.hospital.name,
                                                  region="990103001"), instance=city.a.hospital)
    assert Organisation.objects.get(pk=city.a.hospital.pk).region_id == "990102001"
    with pytest.raises(NotPermitted):
        services.delete_organisation(user, city.b.hospital)


def test_organisation_cannot_be_its_own_ancestor(city):
    centre = city.ems_centre
    with pytest.raises(InvalidInput) as info:
        services.save_organisation(city.admin, {**org_data(code=centre.code, name=centre.name, kind="ems_centre",
                                                           region=centre.region_id, hospital_level=""),
                                                "parent": city.a.ems_station.code}, instance=centre)
    assert "parent" in info.value.fields


def test_organisation_with_users_or_units_is_not_deleted(city):
    with pytest.raises(Conflict):
        services.delete_organisation(city.admin, city.ems_centre)
    assert Organisation.objects.filter(pk=city.ems_centre.pk).exists()


def test_a_wrong_parent_is_reported_once(city):
    with pytest.raises(InvalidInput) as info:
        services.save_region(city.admin, {"code": "990104", "name": "丙区", "parent": "990000"})
    assert len(info.value.fields["parent"]) == 1


def test_changes_through_pages_and_api_keep_who_and_from_where(city, client):
    from django.urls import reverse

    from yingji.core.models import ApiToken

    client.force_login(city.admin)
    response = client.post(reverse("web:organisation_create"), org_data(), REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 302
    created = history_for(Organisation.objects.get(code="HOS99")).get()
    assert (created.actor, created.remote_addr) == (city.admin, "10.1.2.3")

    _, raw = ApiToken.issue(city.admin, "HIS")
    response = client.generic(
        "PATCH", f"/api/v1/organisations/{Organisation.objects.get(code='HOS99').pk}",
        '{"name": "甲区第二人民医院东院"}', content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}", REMOTE_ADDR="10.9.8.7",
    )
    assert response.status_code == 200, response.content
    updated = history_for(Organisation.objects.get(code="HOS99")).first()
    assert (updated.actor, updated.remote_addr) == (city.admin, "10.9.8.7")


def test_saves_after_a_service_call_in_the_same_request_keep_their_actor(city):
    from auditlog.context import set_actor

    with set_actor(city.admin, remote_addr="10.0.0.1"):
        services.save_region(city.admin, {"code": "990104", "name": "丙区"})
        org = Organisation.objects.create(code="LATE01", name="之后保存的机构", kind="clinic", region_id="990104")
    entry = history_for(org).get()
    assert (entry.actor, entry.remote_addr) == (city.admin, "10.0.0.1")
