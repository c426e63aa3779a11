"""Organisation pages: filters, forms, scoping (404 outside, 403 read-only), delete, Excel export."""

import io

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from openpyxl import load_workbook

from yingji.core.models import Organisation
from yingji.core.roles import Role

from .conftest import text

pytestmark = pytest.mark.django_db


def org_data(region, **extra):
    data = {
        "code": "HOSNEW01", "name": "甲区新建医院", "short_name": "", "kind": "hospital", "region": region.code,
        "parent": "", "hospital_level": "1", "hospital_grade": "", "hospital_type": "general",
        "address": "甲区新路 1 号", "longitude": "", "latitude": "", "contact_person": "王医生",
        "contact_phone": "0755-1234567", "duty_phone": "0755-7654321", "is_active": "on",
    }
    data.update(extra)
    return data


def test_list_is_scoped_and_filters(login, city):
    client = login(city.a.users[Role.HEALTH_COMMISSION])
    html = text(client.get(reverse("web:organisation_list")))
    assert city.a.hospital.name in html and city.a.cdc.name in html
    assert city.b.hospital.name not in html and city.commission.name not in html
    html = text(client.get(reverse("web:organisation_list"), {"kind": "hospital"}))
    assert city.a.hospital.name in html and city.a.cdc.name not in html
    html = text(client.get(reverse("web:organisation_list"), {"q": "疾病预防"}))
    assert city.a.cdc.name in html and city.a.hospital.name not in html
    html = text(client.get(reverse("web:organisation_list"), {"hospital_level": "3"}))
    assert city.a.hospital.name not in html and "没有符合条件的机构" in html


def test_city_user_filters_by_district(login, city):
    client = login(city.users[Role.CDC])
    html = text(client.get(reverse("web:organisation_list"), {"region": city.b.region.code}))
    assert city.b.hospital.name in html and city.a.hospital.name not in html


def test_htmx_request_gets_only_the_table(login, city):
    client = login(city.a.users[Role.CDC])
    response = client.get(reverse("web:organisation_list"), {"kind": "cdc"},
                          HTTP_HX_REQUEST="true", HTTP_HX_TARGET="organisation-results")
    html = text(response)
    assert "<html" not in html and 'data-testid="organisation-table"' in html
    assert city.a.cdc.name in html and city.a.hospital.name not in html
    assert "export.xlsx?kind=cdc" in html  # the export link follows the filter


def test_list_is_paginated(login, city):
    for i in range(55):
        Organisation.objects.create(code=f"CLN{i:04d}", name=f"甲区诊所{i:02d}", kind="clinic", region=city.a.town)
    client = login(city.a.users[Role.CDC])
    html = text(client.get(reverse("web:organisation_list")))
    assert "第 1 页，共 2 页" in html and "共 59 条记录" in html
    assert "甲区诊所54" not in html
    assert "甲区诊所54" in text(client.get(reverse("web:organisation_list"), {"page": 2}))


def test_create_saves_with_audit_actor(login, city):
    user = city.a.users[Role.HEALTH_COMMISSION]
    response = login(user).post(reverse("web:organisation_create"), org_data(city.a.town))
    org = Organisation.objects.get(code="HOSNEW01")
    assert response.status_code == 302 and response["Location"] == reverse("web:organisation_detail", args=[org.pk])
    entry = LogEntry.objects.get_for_object(org).get()
    assert entry.actor == user and entry.action == LogEntry.Action.CREATE
    html = text(login(user).get(response["Location"]))
    assert "机构“甲区新建医院”已保存" in html
    assert 'data-testid="audit-history"' in html and "新建" in html


def test_create_rejects_bad_input_in_chinese_and_keeps_it(login, city):
    client = login(city.a.users[Role.HEALTH_COMMISSION])
    data = org_data(city.a.town, code="bad code!", name="", hospital_level="", longitude="200",
                    contact_phone="abc", address="保留的地址")
    response = client.post(reverse("web:organisation_create"), data)
    html = text(response)
    assert response.status_code == 422
    assert "请修正下列错误" in html
    assert "这个字段是必填项" in html  # name (Django's own Chinese catalogue)
    assert "医院须填写等级" in html
    assert 'data-field-error="code"' in html and 'data-field-error="longitude"' in html
    assert 'data-field-error="contact_phone"' in html
    assert 'value="保留的地址"' in html and 'value="bad code!"' in html  # input kept
    assert not Organisation.objects.filter(address="保留的地址").exists()


def test_duplicate_name_in_region_is_a_field_error(login, city):
    client = login(city.a.users[Role.HEALTH_COMMISSION])
    response = client.post(reverse("web:organisation_create"),
                           org_data(city.a.town, name=city.a.hospital.name))
    assert response.status_code == 422
    assert Organisation.objects.filter(name=city.a.hospital.name).count() == 1


def test_create_in_another_district_is_forbidden(login, city):
    client = login(city.a.users[Role.HEALTH_COMMISSION])
    response = client.post(reverse("web:organisation_create"), org_data(city.b.town))
    assert response.status_code == 403
    assert "不在您的管辖范围内" in text(response) and "outside your jurisdiction" in text(response)
    assert not Organisation.objects.filter(code="HOSNEW01").exists()


def test_edit_changes_and_history_shows_before_and_after(login, city):
    client = login(city.a.users[Role.HEALTH_COMMISSION])
    hospital = city.a.hospital
    form = text(client.get(reverse("web:organisation_edit", args=[hospital.pk])))
    assert f'value="{hospital.code}"' in form
    data = org_data(city.a.town, code=hospital.code, name=hospital.name, duty_phone="0755-12012012",
                    hospital_level="2")
    response = client.post(reverse("web:organisation_edit", args=[hospital.pk]), data)
    assert response.status_code == 302
    hospital.refresh_from_db()
    assert hospital.duty_phone == "0755-12012012"
    html = text(client.get(reverse("web:organisation_detail", args=[hospital.pk])))
    assert "修改" in html and "24小时值班电话" in html and "0755-12012012" in html


def test_other_districts_records_are_404(login, city):
    other = city.b.hospital
    for role in (Role.HEALTH_COMMISSION, Role.CDC, Role.LEADER, Role.REPORTER, Role.DISPATCHER):
        client = login(city.a.users[role])
        for name in ("web:organisation_detail", "web:organisation_edit", "web:organisation_delete"):
            url = reverse(name, args=[other.pk])
            assert client.get(url).status_code == 404, (role, name)
            assert client.post(url, org_data(city.b.town, name="改名")).status_code == 404, (role, name)
        response = client.get(reverse("web:organisation_detail", args=[other.pk]))
        assert "记录不存在或不在您的管辖范围内" in text(response)
    assert Organisation.objects.filter(pk=other.pk, name=other.name).exists()


def test_read_only_roles_get_403_on_change(login, city):
    hospital = city.a.hospital
    for role in (Role.LEADER, Role.CDC, Role.REPORTER):
        client = login(city.a.users[role])
        assert client.get(reverse("web:organisation_detail", args=[hospital.pk])).status_code == 200
        for name in ("web:organisation_edit", "web:organisation_delete"):
            response = client.post(reverse(name, args=[hospital.pk]), org_data(city.a.town, name="改名"))
            assert response.status_code == 403, (role, name)
            assert "您无权查看或修改该记录" in text(response) and "You may not" in text(response)
        assert client.get(reverse("web:organisation_create")).status_code == 403
        detail = text(client.get(reverse("web:organisation_detail", args=[hospital.pk])))
        assert reverse("web:organisation_edit", args=[hospital.pk]) not in detail
    hospital.refresh_from_db()
    assert hospital.name == "甲区人民医院"


def test_delete(login, city):
    client = login(city.a.users[Role.HEALTH_COMMISSION])
    client.post(reverse("web:organisation_create"), org_data(city.a.town))
    org = Organisation.objects.get(code="HOSNEW01")
    assert "确定删除" in text(client.get(reverse("web:organisation_delete", args=[org.pk])))
    response = client.post(reverse("web:organisation_delete", args=[org.pk]))
    assert response.status_code == 302 and not Organisation.objects.filter(pk=org.pk).exists()
    assert LogEntry.objects.filter(object_pk=str(org.pk), action=LogEntry.Action.DELETE).exists()


def test_delete_of_a_unit_with_users_is_refused_with_a_message(login, city):
    client = login(city.a.users[Role.HEALTH_COMMISSION])
    response = client.post(reverse("web:organisation_delete", args=[city.a.hospital.pk]), follow=True)
    assert Organisation.objects.filter(pk=city.a.hospital.pk).exists()
    assert "仍有下属机构或用户" in text(response)


def _sheet(response):
    workbook = load_workbook(io.BytesIO(response.content))
    return [list(row) for row in workbook.active.iter_rows(values_only=True)]


def test_export_contains_only_scoped_rows_with_chinese_headers(login, city):
    response = login(city.a.users[Role.CDC]).get(reverse("web:organisation_export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = _sheet(response)
    assert rows[0][:4] == ["机构代码", "机构名称", "简称", "机构类别"]
    codes = {row[0] for row in rows[1:]}
    assert codes == {"WJW02", "CDC02", "HOS02", "EMS02"}
    assert "HOS03" not in codes and "SFSCDC" not in codes
    hospital = next(row for row in rows if row[0] == "HOS02")
    assert hospital[3] == "医院" and hospital[6] == "二级"


def test_export_follows_the_filter(login, city):
    rows = _sheet(login(city.users[Role.CDC]).get(reverse("web:organisation_export"), {"kind": "hospital"}))
    assert {row[0] for row in rows[1:]} == {"HOS02", "HOS03"}


def test_dispatcher_export_is_their_station_only(login, city):
    rows = _sheet(login(city.a.users[Role.DISPATCHER]).get(reverse("web:organisation_export")))
    assert {row[0] for row in rows[1:]} == {"EMS02"}


def test_export_round_trips_through_import(login, city):
    client = login(city.admin)
    content = client.get(reverse("web:organisation_export")).content
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("orgs.xlsx", content)
    response = client.post(reverse("web:organisation_import"), {"file": upload})
    html = text(response)
    assert 'data-testid="import-ok"' in html, html[html.find("import-report"):][:2000]


def test_form_errors_follow_the_chosen_language(login, city):
    client = login(city.a.users[Role.HEALTH_COMMISSION])
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.post(reverse("web:organisation_create"), org_data(city.a.town, hospital_level=""))
    html = text(response)
    assert response.status_code == 422
    assert "A hospital needs its level" in html and "医院须填写等级" not in html
    assert "Please correct the errors below." in html
