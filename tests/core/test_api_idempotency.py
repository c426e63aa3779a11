"""Idempotent creates: a retry with the same Idempotency-Key returns the record already made, never a duplicate."""

import threading
import uuid

import pytest
from django.db import connections

from yingji.core import idempotency
from yingji.core.models import IdempotencyRecord, Organisation, Region
from yingji.core.roles import Role

from .test_api import Api, assert_error, org_body


@pytest.fixture
def api(client):
    from django.core.cache import cache

    cache.clear()
    return Api(client)


def test_retry_with_the_same_key_returns_the_first_record(api, city):
    user = city.a.users[Role.HEALTH_COMMISSION]
    key = {"Idempotency-Key": str(uuid.uuid4())}
    first = api.post("/organisations", user, org_body(), headers=key)
    assert first.status_code == 201 and "Idempotency-Replayed" not in first
    again = api.post("/organisations", user, org_body(), headers=key)
    assert again.status_code == 200 and again["Idempotency-Replayed"] == "true"
    assert again.json() == first.json()
    assert Organisation.objects.filter(code="NEWHOS01").count() == 1
    # The audit log holds one creation, not two.
    history = api.get(f"/organisations/{first.json()['id']}/history", user).json()
    assert [e["action"] for e in history["items"]] == ["create"]


def test_key_order_of_the_body_does_not_matter(api, city):
    user = city.a.users[Role.HEALTH_COMMISSION]
    key = {"Idempotency-Key": "HIS-2026-000123"}
    body = org_body()
    assert api.post("/organisations", user, body, headers=key).status_code == 201
    reordered = dict(reversed(list(body.items())))
    assert api.post("/organisations", user, reordered, headers=key).status_code == 200


def test_same_key_with_another_body_is_409(api, city):
    user = city.a.users[Role.HEALTH_COMMISSION]
    key = {"Idempotency-Key": "record-42"}
    assert api.post("/organisations", user, org_body(), headers=key).status_code == 201
    response = api.post("/organisations", user, org_body(code="OTHER01", name="另一家医院"), headers=key)
    body = assert_error(response, 409, "idempotency_key_reused")
    assert "幂等键" in body["message"]
    assert not Organisation.objects.filter(code="OTHER01").exists()


def test_retry_without_a_key_of_an_existing_code_is_a_clear_422(api, city):
    user = city.a.users[Role.HEALTH_COMMISSION]
    assert api.post("/organisations", user, org_body()).status_code == 201
    fields = assert_error(api.post("/organisations", user, org_body()), 422, "invalid")["fields"]
    assert "code" in fields and "已存在" in fields["code"][0]["message"]
    # A new name does not make it a new organisation: the code is its identity.
    fields = assert_error(api.post("/organisations", user, org_body(name="别名医院")), 422)["fields"]
    assert "code" in fields
    assert Organisation.objects.filter(code="NEWHOS01").count() == 1


def test_the_same_key_of_another_user_is_independent(api, city):
    key = {"Idempotency-Key": "shared-key"}
    a = api.post("/organisations", city.a.users[Role.HEALTH_COMMISSION], org_body(), headers=key)
    b = api.post("/organisations", city.b.users[Role.HEALTH_COMMISSION],
                 org_body(code="NEWHOS02", region="990103"), headers=key)
    assert (a.status_code, b.status_code) == (201, 201)
    assert IdempotencyRecord.objects.filter(key="shared-key").count() == 2


def test_the_same_key_on_another_endpoint_is_independent(api, city):
    key = {"Idempotency-Key": "k-1"}
    assert api.post("/organisations", city.admin, org_body(), headers=key).status_code == 201
    assert api.post("/regions", city.admin, {"code": "990104", "name": "丙区"}, headers=key).status_code == 201
    assert api.post("/regions", city.admin, {"code": "990104", "name": "丙区"}, headers=key).status_code == 200
    assert Region.objects.filter(pk="990104").count() == 1


def test_a_failed_create_does_not_use_up_the_key(api, city):
    user = city.a.users[Role.HEALTH_COMMISSION]
    key = {"Idempotency-Key": "fix-and-retry"}
    assert_error(api.post("/organisations", user, org_body(hospital_level=""), headers=key), 422)
    assert_error(api.post("/organisations", user, org_body(region="990103"), headers=key), 403)
    assert not IdempotencyRecord.objects.exists()
    assert api.post("/organisations", user, org_body(), headers=key).status_code == 201


def test_a_key_whose_record_was_deleted_is_409(api, city):
    user = city.a.users[Role.HEALTH_COMMISSION]
    key = {"Idempotency-Key": "gone"}
    org_id = api.post("/organisations", user, org_body(), headers=key).json()["id"]
    assert api.delete(f"/organisations/{org_id}", user).status_code == 204
    assert_error(api.post("/organisations", user, org_body(), headers=key), 409, "idempotency_target_gone")


@pytest.mark.parametrize("value", ["x" * 129, " leading-space"])
def test_bad_keys_are_422(api, city, value):
    response = api.post("/organisations", city.admin, org_body(), headers={"Idempotency-Key": value})
    fields = assert_error(response, 422)["fields"]
    assert "Idempotency-Key" in fields
    assert not Organisation.objects.filter(code="NEWHOS01").exists()


def test_an_empty_key_means_no_key(db):
    assert idempotency.clean_key("") is None and idempotency.clean_key(None) is None
    assert idempotency.clean_key("550e8400-e29b-41d4-a716-446655440000")


def test_fingerprint_ignores_key_order():
    assert idempotency.fingerprint({"a": 1, "b": [1, 2]}) == idempotency.fingerprint({"b": [1, 2], "a": 1})
    assert idempotency.fingerprint({"a": 1}) != idempotency.fingerprint({"a": 2})


# Two writers at once need a real database server: the test run's in-memory SQLite (shared cache) answers
# "table is locked" instead of waiting. .ci/run runs these on PostgreSQL.


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_retries_create_one_record(city):
    """Two clients send the same create with the same key at the same moment: one 201, one 200, one record."""
    user = city.a.users[Role.HEALTH_COMMISSION]
    raw = Api(None).token(user)
    barrier = threading.Barrier(2)
    results = []

    def send():
        from django.test import Client

        try:
            barrier.wait(timeout=10)
            response = Client().post(
                "/api/v1/organisations", data=org_body(), content_type="application/json",
                headers={"Authorization": f"Bearer {raw}", "Idempotency-Key": "simultaneous"},
            )
            results.append((response.status_code, response.json()))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(status for status, _ in results) == [200, 201], results
    assert results[0][1]["id"] == results[1][1]["id"]
    assert Organisation.objects.filter(code="NEWHOS01").count() == 1
    assert IdempotencyRecord.objects.filter(key="simultaneous").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_creates_without_a_key_never_duplicate(city):
    user = city.a.users[Role.HEALTH_COMMISSION]
    raw = Api(None).token(user)
    barrier = threading.Barrier(2)
    statuses = []

    def send():
        from django.test import Client

        try:
            barrier.wait(timeout=10)
            response = Client().post("/api/v1/organisations", data=org_body(), content_type="application/json",
                                     headers={"Authorization": f"Bearer {raw}"})
            statuses.append(response.status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(statuses) in ([201, 409], [201, 422]), statuses
    assert Organisation.objects.filter(code="NEWHOS01").count() == 1
