"""/api/v1/case-reports, /timeliness and /diseases: filing (one, retried, batch, import), bad input in both
languages, list filters, masking of personal data, the workflow actions, duplicates and merge, history, the
catalogue's administration and the timeliness tables — through the real API and database."""

import csv
import io
import json
import re
from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from tests.core.test_api import Api
from tests.surveillance.conftest import bj, card_data, make_id, stored_card
from yingji.core.roles import Role
from yingji.surveillance.models import CaseReport, Disease

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def api(client) -> Api:
    cache.clear()
    return Api(client)


@pytest.fixture
def rep(city):
    return city.a.users[Role.REPORTER]


@pytest.fixture
def cdc(city):
    return city.a.users[Role.CDC]


def body(response):
    return json.loads(response.content)


def create(api, user, district, **fields):
    response = api.post("/case-reports", user, card_data(district, **fields))
    assert response.status_code == 201, response.content.decode()
    return body(response)


# --- filing -------------------------------------------------------------------------------------------------


def test_file_a_card(api, city, rep):
    card = create(api, rep, city.a, card_number="HIS-1")
    assert card["card_number"] == "HIS-1" and card["status"] == "submitted" and card["status_label"]
    assert card["disease"]["code"] == "3500" and card["reporting_org"]["code"] == "HOS02"
    assert card["address_region"] == {"code": city.a.town.code, "name": city.a.town.name}
    assert card["timeliness"]["status"] == "on_time" and card["timeliness"]["delay_hours"] == 2.0
    assert card["review_timeliness"]["status"] == "pending"
    assert card["id_number"] == card_data(city.a)["id_number"] and not card["personal_data_masked"]


def test_a_retry_returns_the_first_card_and_a_changed_body_is_a_conflict(api, city, rep):
    data = card_data(city.a, card_number="HIS-2")
    first = api.post("/case-reports", rep, data)
    again = api.post("/case-reports", rep, data)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again["Idempotency-Replayed"] == "true" and body(again)["id"] == body(first)["id"]
    changed = api.post("/case-reports", rep, dict(data, patient_name="别人"))
    assert changed.status_code == 409 and "card_number" in body(changed)["fields"]
    assert CaseReport.objects.count() == 1


def test_the_idempotency_key_header_works_without_a_card_number(api, city, rep):
    data = card_data(city.a)
    headers = {"Idempotency-Key": "0f8fad5b-d9cb-469f-a165-70867728950e"}
    first = api.post("/case-reports", rep, data, headers=headers)
    again = api.post("/case-reports", rep, data, headers=headers)
    assert (first.status_code, again.status_code) == (201, 200) and body(first)["id"] == body(again)["id"]
    assert CaseReport.objects.count() == 1


@pytest.mark.parametrize(("fields", "field"), [
    ({"id_number": "110105194912310021"}, "id_number"),  # wrong check character (should be X)
    ({"onset_date": "2099-01-01"}, "onset_date"),
    ({"diagnosed_at": "2099-01-01T08:00:00+08:00", "reported_at": None}, "diagnosed_at"),
    ({"onset_date": "2026-01-10", "diagnosed_at": "2026-01-05T08:00:00+08:00",
      "reported_at": "2026-01-05T09:00:00+08:00"}, "onset_date"),
    ({"disease": "0000"}, "disease"),
    ({"address_region": "990199999"}, "address_region"),
    ({"reporting_org": "HOS03"}, "reporting_org"),
])
def test_bad_input_is_422_with_field_messages_in_both_languages_and_nothing_saved(api, city, rep, fields, field):
    data = card_data(city.a)
    data.update(fields)
    response = api.post("/case-reports", rep, {k: v for k, v in data.items() if v is not None})
    assert response.status_code == 422, response.content.decode()
    error = body(response)
    assert error["code"] == "invalid" and CJK.search(error["message"]) and error["message_en"]
    [message] = error["fields"][field]
    assert CJK.search(message["message"]) and not CJK.search(message["message_en"])
    assert CaseReport.objects.count() == 0


def test_schema_errors_are_bilingual_too(api, city, rep):
    response = api.post("/case-reports", rep, dict(card_data(city.a), sex="X", onset_date="yesterday"))
    assert response.status_code == 422
    fields = body(response)["fields"]
    assert {"sex", "onset_date"} <= set(fields) and CJK.search(fields["sex"][0]["message"])


@pytest.mark.parametrize("role", [Role.HEALTH_COMMISSION, Role.LEADER, Role.DISPATCHER])
def test_roles_that_do_not_report_get_403(api, city, role):
    response = api.post("/case-reports", city.a.users[role], card_data(city.a))
    assert response.status_code == 403 and CJK.search(body(response)["message"])


def test_batch_results_per_card_and_a_retry_duplicates_nothing(api, city, rep):
    cards = [card_data(city.a, card_number=f"B-{i}", patient_name=f"批量{i}") for i in range(5)]
    cards.append(card_data(city.a, card_number="B-bad", disease="nope"))
    cards.append(card_data(city.a, patient_name="无编号"))
    cards.append(dict(cards[0]))  # the same card twice in one batch
    response = api.post("/case-reports/batch", rep, {"cards": cards})
    assert response.status_code == 200, response.content.decode()
    result = body(response)
    assert (result["created"], result["replayed"], result["invalid"], result["conflict"]) == (6, 1, 1, 0)
    statuses = [item["status"] for item in result["items"]]
    assert statuses == ["created"] * 5 + ["invalid", "created", "replayed"]
    assert result["items"][5]["errors"]["disease"][0]["message_en"]
    assert result["items"][7]["id"] == result["items"][0]["id"]
    assert result["items"][6]["card_number"].startswith("HOS02-")
    again = body(api.post("/case-reports/batch", rep, {"cards": [*cards[:5], dict(cards[1], notes="改")]}))
    assert (again["created"], again["replayed"], again["conflict"]) == (0, 5, 1)
    assert CaseReport.objects.count() == 6


def test_batch_limits(api, city, rep):
    assert api.post("/case-reports/batch", rep, {"cards": []}).status_code == 422
    too_many = [{"patient_name": str(i)} for i in range(501)]
    assert api.post("/case-reports/batch", rep, {"cards": too_many}).status_code == 422
    assert api.post("/case-reports/batch", city.a.users[Role.LEADER], {"cards": [card_data(city.a)]}).status_code \
        == 403


def test_import_endpoint(api, city, rep):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["患者姓名", "有效证件号", "性别", "出生日期", "人群分类", "现住地址国标", "疾病名称", "病例分类",
                     "发病日期", "诊断时间", "报告医生"])
    diagnosed = timezone.localtime() - timedelta(hours=2)
    common = [make_id(date(1970, 1, 1)), "男", "1970-01-01", "农民", city.a.town.code]
    tail = ["临床诊断病例", diagnosed.strftime("%Y/%m/%d"), diagnosed.strftime("%Y-%m-%d %H:%M"), "王医生"]
    writer.writerow(["导入甲", *common, "流行性感冒", *tail])
    writer.writerow(["导入乙", *common, "不存在", *tail])
    upload = io.BytesIO(out.getvalue().encode("utf-8"))
    upload.name = "cards.csv"
    response = api.post("/case-reports/import", rep, data={"file": upload})
    assert response.status_code == 422 and body(response)["report"]["errors"][0]["row"] == 3
    upload.seek(0)
    response = api.post("/case-reports/import", rep, data={"file": upload, "valid_only": "true"})
    assert response.status_code == 200 and body(response)["saved"] == 1
    assert CaseReport.objects.get().patient_name == "导入甲"


# --- reading ------------------------------------------------------------------------------------------------


def test_list_with_filters_and_pagination(api, city, rep, cdc):
    create(api, rep, city.a, patient_name="流感甲", card_number="L-1")
    create(api, rep, city.a, patient_name="麻疹乙", disease="1000", card_number="L-2")
    create(api, city.b.users[Role.REPORTER], city.b, patient_name="乙区的")

    def names(user=cdc, **params):
        response = api.get("/case-reports", user, data=params)
        assert response.status_code == 200, response.content.decode()
        return sorted(c["patient_name"] for c in body(response)["items"])

    assert names() == ["流感甲", "麻疹乙"]
    assert names(city.users[Role.CDC]) == ["乙区的", "流感甲", "麻疹乙"]
    assert names(disease="1000") == ["麻疹乙"]
    assert names(q="L-1") == ["流感甲"]
    assert names(region=city.b.region.code) == []
    assert names(status="reviewed") == []
    assert names(timeliness="on_time") == ["流感甲", "麻疹乙"]
    day = timezone.localdate(timezone.now() - timedelta(hours=1)).isoformat()  # card_data reports an hour ago
    assert names(reported_from=day, reported_to=day) == ["流感甲", "麻疹乙"]
    assert names(onset_to="2000-01-01") == []
    page = body(api.get("/case-reports", cdc, data={"page_size": 1, "page": 2}))
    assert page["count"] == 2 and len(page["items"]) == 1 and page["page"] == 2
    assert api.get("/case-reports", cdc, data={"region": "12x"}).status_code == 422


def test_personal_data_is_masked_for_those_who_may_not_see_it(api, city, rep):
    card = create(api, rep, city.a)
    commission = city.a.users[Role.HEALTH_COMMISSION]
    seen = body(api.get(f"/case-reports/{card['id']}", commission))
    assert seen["personal_data_masked"] and "********" in seen["id_number"] and seen["phone"] == "138****5678"
    listed = body(api.get("/case-reports", commission))["items"][0]
    assert "********" in listed["id_number"]
    history = body(api.get(f"/case-reports/{card['id']}/history", commission))["items"]
    created = history[-1]["changes"]
    assert "********" in created["id_number"][1] and "****" in created["phone"][1]
    full = body(api.get(f"/case-reports/{card['id']}/history", city.a.users[Role.CDC]))["items"][-1]["changes"]
    assert full["id_number"][1] == card_data(city.a)["id_number"]


def test_another_districts_card_is_404(api, city, rep):
    card = create(api, city.b.users[Role.REPORTER], city.b)
    for user in (rep, city.a.users[Role.CDC], city.a.users[Role.HEALTH_COMMISSION]):
        response = api.get(f"/case-reports/{card['id']}", user)
        assert response.status_code == 404 and CJK.search(body(response)["message"])
        assert api.post(f"/case-reports/{card['id']}/review", user).status_code == 404


# --- workflow -----------------------------------------------------------------------------------------------


def test_review_return_edit_correct_delete(api, city, rep, cdc):
    card = create(api, rep, city.a)
    path = f"/case-reports/{card['id']}"
    assert api.post(path + "/review", rep).status_code == 403
    returned = api.post(path + "/return", cdc, {"reason": "地址不详"})
    assert returned.status_code == 200 and body(returned)["status"] == "returned"
    assert body(returned)["status_reason"] == "地址不详"
    edited = api.put(path, rep, {"address_detail": "幸福路 9 号"})
    assert edited.status_code == 200 and body(edited)["status"] == "submitted"
    reviewed = api.post(path + "/review", cdc)
    assert reviewed.status_code == 200 and body(reviewed)["reviewed_by"] == "cdc02"
    again = api.post(path + "/review", cdc)
    assert again.status_code == 409 and body(again)["code"] == "conflict" and CJK.search(body(again)["message"])
    assert api.put(path, rep, {"notes": "x"}).status_code == 409
    correction = api.post(path + "/correct", rep, {"disease": "Y001", "reason": "确诊新冠"})
    assert correction.status_code == 201, correction.content.decode()
    corrected = body(correction)
    assert corrected["card_type"] == "correction" and corrected["original"] == card["id"]
    assert corrected["disease"]["code"] == "Y001"
    assert body(api.get(path, rep))["status"] == "superseded"
    assert api.post(path + "/correct", rep, {"notes": "x"}).status_code == 409
    assert api.post(f"/case-reports/{corrected['id']}/delete", rep, {"reason": ""}).status_code == 422
    deleted = api.post(f"/case-reports/{corrected['id']}/delete", rep, {"reason": "误报"})
    assert deleted.status_code == 200 and body(deleted)["status"] == "deleted"
    history = body(api.get(path + "/history", cdc))
    assert [e["action"] for e in history["items"]] == ["update"] * 4 + ["create"]
    assert history["items"][0]["actor"]["username"] == "rep02"


def test_duplicates_and_merge(api, city, rep, cdc):
    first = create(api, rep, city.a, card_number="D-1")
    second = create(api, rep, city.a, card_number="D-2", notes="重复报告")
    groups = body(api.get("/case-reports/duplicates", cdc))
    assert groups["count"] == 1
    [group] = groups["items"]
    assert group["keep"]["id"] == first["id"] and {c["id"] for c in group["cards"]} == {first["id"], second["id"]}
    assert api.post(f"/case-reports/{second['id']}/merge", rep, {"into": first["id"]}).status_code == 403
    merged = api.post(f"/case-reports/{second['id']}/merge", cdc, {"into": first["id"]})
    assert merged.status_code == 200 and body(merged)["status"] == "merged"
    assert body(merged)["merged_into"] == first["id"]
    assert body(api.get("/case-reports/duplicates", cdc))["count"] == 0
    other = create(api, city.b.users[Role.REPORTER], city.b)
    assert api.post(f"/case-reports/{first['id']}/merge", cdc, {"into": other["id"]}).status_code == 404


# --- catalogue ----------------------------------------------------------------------------------------------


def test_everyone_reads_the_catalogue(api, city, rep):
    listing = body(api.get("/diseases", rep, data={"page_size": 500}))
    assert listing["count"] == Disease.objects.count() >= 58
    plague = next(d for d in listing["items"] if d["code"] == "0100")
    assert plague["report_deadline_hours"] == 2 and plague["disease_class"] == "A" and plague["class_label"]
    assert body(api.get("/diseases", rep, data={"disease_class": "emerging"}))["count"] == 2
    assert body(api.get("/diseases", rep, data={"q": "炭疽"}))["count"] == 4


def test_an_administrator_adds_an_emerging_disease_and_sets_its_deadline(api, city, rep):
    new = {"code": "Y099", "name": "新发测试病", "name_en": "Test emerging disease", "disease_class": "emerging",
           "report_deadline_hours": 2, "review_deadline_hours": 2, "single_case_alert": True}
    assert api.post("/diseases", rep, new).status_code == 403
    assert api.post("/diseases", city.a.users[Role.CDC], new).status_code == 403
    created = api.post("/diseases", city.admin, new)
    assert created.status_code == 201, created.content.decode()
    assert api.post("/diseases", city.admin, new).status_code == 422  # the code exists
    assert api.patch("/diseases/Y099", rep, {"report_deadline_hours": 6}).status_code == 403
    patched = api.patch("/diseases/Y099", city.admin, {"report_deadline_hours": 6})
    assert patched.status_code == 200 and body(patched)["report_deadline_hours"] == 6
    assert body(patched)["name"] == "新发测试病"
    assert api.patch("/diseases/NOPE", city.admin, {"notes": "x"}).status_code == 404
    assert api.patch("/diseases/Y099", city.admin, {"report_deadline_hours": 0}).status_code == 422
    # a card of the new disease is judged by the deadline just set
    card = create(api, rep, city.a, disease="Y099", classification="suspected")
    assert card["timeliness"]["status"] == "on_time" and card["timeliness"]["delay_hours"] == 2.0
    api.patch("/diseases/Y099", city.admin, {"report_deadline_hours": 1})
    assert body(api.get(f"/case-reports/{card['id']}", rep))["timeliness"]["status"] == "late"


# --- timeliness tables ------------------------------------------------------------------------------------


def test_timeliness_tables(api, city):
    d = bj(2026, 1, 10, 9, 0)
    stored_card(city.a, "0100", d, d + timedelta(hours=1))
    stored_card(city.a, "0100", d, d + timedelta(hours=3))
    stored_card(city.b, "3500", d, d + timedelta(hours=30))
    units = api.get("/timeliness/units", city.users[Role.CDC], data={"date_from": "2026-01-01",
                                                                      "date_to": "2026-01-31"})
    assert units.status_code == 200, units.content.decode()
    rows = {r["code"]: r for r in body(units)["rows"]}
    assert (rows["HOS02"]["on_time"], rows["HOS02"]["late"], rows["HOS02"]["on_time_rate"]) == (1, 1, 0.5)
    assert rows["HOS03"]["late"] == 1 and body(units)["total"]["cards"] == 3
    regions = body(api.get("/timeliness/regions", city.a.users[Role.CDC]))
    assert [(r["code"], r["cards"]) for r in regions["rows"]] == [("990102", 2)]
    assert body(api.get("/timeliness/units", city.a.users[Role.CDC], data={"region": "990103"}))["rows"] == []
    assert api.get("/timeliness/units", city.a.users[Role.CDC], data={"date_from": "2026-13-01"}).status_code == 422
