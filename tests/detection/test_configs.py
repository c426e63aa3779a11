"""Configurations: the shipped defaults, validation against the algorithm registry, profiles, permissions."""

import pytest

from yingji.core.errors import InvalidInput, NotPermitted
from yingji.core.roles import Role
from yingji.detection.models import DetectionConfig
from yingji.detection.services import configs as svc
from yingji.detection.services.defaults import PROFILE_2008, PROFILE_2014, fix_mpm_parameter_names
from yingji.surveillance.models import Disease


def test_every_single_case_alert_disease_has_an_active_fixed_threshold(db):
    single = set(Disease.objects.filter(single_case_alert=True).values_list("code", flat=True))
    fixed = set(DetectionConfig.objects.filter(active=True, methods__0__method="fixed_threshold")
                .values_list("disease__code", flat=True))
    assert single and single == fixed


def test_mpm_ships_in_two_profiles_and_every_default_validates(db):
    dysentery = DetectionConfig.objects.filter(disease__code="0400")
    by_profile = {c.profile: c for c in dysentery}
    assert by_profile[PROFILE_2008].active and by_profile[PROFILE_2008].methods[0]["params"]["percentile"] == 50
    assert not by_profile[PROFILE_2014].active and by_profile[PROFILE_2014].methods[0]["params"]["percentile"] == 90
    assert DetectionConfig.objects.get(disease__code="3500", profile=PROFILE_2014).methods[0]["params"][
        "percentile"] == 80
    for config in DetectionConfig.objects.all():
        errors = {}
        svc.check_methods(config.methods, errors)
        assert errors == {}, (str(config), errors)


def test_activating_a_profile_switches_each_series(city):
    count = svc.activate_profile(city.admin, PROFILE_2014)
    assert count == DetectionConfig.objects.filter(profile=PROFILE_2014, active=True).count() > 0
    assert not DetectionConfig.objects.get(disease__code="0400", profile=PROFILE_2008).active
    assert DetectionConfig.objects.get(disease__code="0200", profile=PROFILE_2008).active  # no 2014 variant
    with pytest.raises(NotPermitted):
        svc.activate_profile(city.users[Role.CDC], PROFILE_2008)
    with pytest.raises(InvalidInput):
        svc.activate_profile(city.admin, "no such profile")


@pytest.mark.parametrize("params, field, en", [
    ({"percentile": 150}, "methods.0.params.percentile", "percentile"),
    ({"window": 0}, "methods.0.params.window", "window"),
    ({"years": "three"}, "methods.0.params.years", "years"),
    ({"operator": "=="}, "methods.0.params.operator", "operator"),
    ({"periods_around": 2}, "methods.0.params.periods_around", "no parameter"),
    ({"last": 1}, "methods.0.params.last", "set by the run"),
])
def test_a_misconfigured_percentile_or_window_names_the_field(city, params, field, en):
    config = DetectionConfig.objects.get(disease__code="0400", profile=PROFILE_2008)
    with pytest.raises(InvalidInput) as caught:
        svc.save_config(city.admin, {"methods": [{"method": "cidars_mpm", "params": params}], "min_cases": 9},
                        instance=config)
    assert list(caught.value.fields) == [field]
    message = caught.value.fields[field][0]
    assert en in message["message_en"] and message["message"]
    config.refresh_from_db()
    assert config.min_cases == 3 and config.methods[0]["params"]["percentile"] == 50


def test_other_field_errors(city):
    with pytest.raises(InvalidInput) as caught:
        svc.save_config(city.admin, {"disease": "nope", "source": "cards", "methods": [], "min_cases": 0,
                                     "frequency": "hourly", "region": "990199"})
    assert set(caught.value.fields) >= {"disease", "methods", "min_cases", "frequency", "region"}
    with pytest.raises(InvalidInput) as caught:
        svc.save_config(city.admin, {"source": "fever_clinic", "measure": "cases",
                                     "methods": [{"method": "ears_c2", "params": {}}]})
    assert "measure" in caught.value.fields
    with pytest.raises(InvalidInput) as caught:  # a county-level config cannot be limited to a town
        svc.save_config(city.admin, {"disease": "1000", "region": city.a.town.code, "active": False,
                                     "methods": [{"method": "ears_c2", "params": {}}]})
    assert "region" in caught.value.fields


def test_a_weekly_farrington_configuration_saves(city):
    config = svc.save_config(city.admin, {"disease": "1000", "frequency": "weekly", "profile": "weekly",
                                          "methods": [{"method": "farrington_flexible", "params": {"b": 3}}]})
    assert config.pk and config.frequency == "weekly" and config.updated_by == city.admin


def test_who_may_edit(city):
    config = DetectionConfig.objects.get(disease__code="0200", profile=PROFILE_2008)
    assert svc.may_edit(city.admin, config)
    assert not svc.may_edit(city.users[Role.CDC], config)  # the general configuration
    assert svc.may_edit(city.users[Role.CDC], None, region_code="990102")
    assert not svc.may_edit(city.a.users[Role.CDC], None, region_code="990102")  # district level
    assert not svc.may_edit(city.users[Role.HEALTH_COMMISSION], None, region_code="990102")
    assert not svc.may_edit(city.users[Role.CDC], None, region_code="990200")  # outside the city


def test_draft_mpm_parameter_names_are_rewritten(db):
    config = DetectionConfig.objects.create(disease=Disease.objects.get(code="1000"), profile="old", active=False,
                                            methods=[{"method": "cidars_mpm", "params": {
                                                "percentile": 60, "periods_around": 2, "inclusive": False}}])
    assert fix_mpm_parameter_names(DetectionConfig) == 1
    config.refresh_from_db()
    assert config.methods[0]["params"] == {"percentile": 60, "k": 2, "operator": ">"}


def test_a_single_case_alert_cannot_shift_holiday_counts(city):
    config = DetectionConfig.objects.get(disease__code="0200", profile=PROFILE_2008)
    with pytest.raises(InvalidInput) as caught:
        svc.save_config(city.admin, {"holiday_mode": "shift"}, instance=config)
    assert "again on the workday" in caught.value.fields["holiday_mode"][0]["message_en"]


def test_changes_are_audited_with_who_and_what(city):
    from auditlog.models import LogEntry

    config = DetectionConfig.objects.get(disease__code="0400", profile=PROFILE_2008)
    svc.save_config(city.admin, {"min_cases": 5}, instance=config)
    entry = LogEntry.objects.get_for_object(config).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.actor == city.admin and entry.changes_dict["min_cases"] == ["3", "5"]
