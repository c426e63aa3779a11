"""Background jobs: in-process without a broker, and through Redis with a real worker when Redis is reachable."""

import socket
import threading
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.conftest import skip_or_fail
from yingji.celery import app as celery_app
from yingji.core import jobs
from yingji.core.models import IdempotencyRecord, Organisation
from yingji.core.tasks import encode_file, expire_idempotency_records, import_file_job

REDIS = ("127.0.0.1", 6379)
REDIS_URL = "redis://127.0.0.1:6379/15"  # a database of its own, so a developer's Redis data is left alone

ORGS_CSV = """机构代码,机构名称,机构类别,行政区划代码,医院等级
HOS51,甲区康复医院,医院,990102001,二级
HOS52,乙区康复医院,医院,990103001,二级
"""


def submit_import(user, content: bytes, name="orgs.csv", valid_only=False, kind="organisations"):
    return jobs.submit(import_file_job, kind, user.pk, name, encode_file(content), valid_only)


# --- in-process (no broker: the default, and the one-command demo) ---------------------------------------------


def test_without_a_broker_jobs_run_in_process_and_return_their_result(city):
    assert jobs.runs_in_process()
    job = submit_import(city.admin, ORGS_CSV.encode())
    assert job.eager and job.ready and job.state == "SUCCESS"
    assert job.result == {"total": 2, "saved": 2, "committed": True, "errors": []}
    assert Organisation.objects.filter(code__in=["HOS51", "HOS52"]).count() == 2
    assert jobs.status(job.id).result == job.result  # callers poll the same way with or without a broker


def test_an_import_job_runs_with_the_users_jurisdiction_and_reports_rows(city):
    district_user = city.a.users["health_commission"]
    job = submit_import(district_user, ORGS_CSV.encode())
    report = job.result
    assert not report["committed"] and report["saved"] == 0
    assert [e["row"] for e in report["errors"]] == [3]  # 乙区 is not this user's district
    assert "管辖范围" in report["errors"][0]["message"] and "jurisdiction" in report["errors"][0]["message_en"]
    assert not Organisation.objects.filter(code__in=["HOS51", "HOS52"]).exists()
    partial = submit_import(district_user, ORGS_CSV.encode(), valid_only=True).result
    assert partial["committed"] and partial["saved"] == 1


def test_a_refused_file_user_or_kind_is_reported_in_both_languages(city):
    wrong_type = submit_import(city.admin, b"PK\x03\x04 not really excel", name="orgs.csv").result
    assert wrong_type["error"]["code"] == "bad_file" and "文件类型" in wrong_type["error"]["message"]
    assert "Unsupported file type" in wrong_type["error"]["message_en"]

    gone = jobs.submit(import_file_job, "organisations", 987654, "orgs.csv", encode_file(b"x"), False).result
    assert gone["error"]["code"] == "no_user" and gone["error"]["message_en"]

    odd = submit_import(city.admin, b"", kind="diseases").result
    assert odd["error"]["code"] == "bad_kind" and "diseases" in odd["error"]["message"]

    garbled = jobs.submit(import_file_job, "regions", city.admin.pk, "r.csv", "***not base64***", False).result
    assert garbled["error"]["code"] == "bad_file" and garbled["committed"] is False


def test_expire_idempotency_records_forgets_only_old_keys(city):
    user = city.admin
    old = IdempotencyRecord.objects.create(user=user, scope="core.organisation", key="old", fingerprint="f",
                                           object_pk="1")
    new = IdempotencyRecord.objects.create(user=user, scope="core.organisation", key="new", fingerprint="f",
                                           object_pk="2")
    IdempotencyRecord.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=31))
    job = jobs.submit(expire_idempotency_records, 30)
    assert job.result == 1
    assert list(IdempotencyRecord.objects.values_list("pk", flat=True)) == [new.pk]


# --- through Redis, with a real worker -----------------------------------------------------------------------


def _redis_reachable() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=1) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _forget_connections():
    """Drop the app's cached broker pool and result backend, so the next use follows the configuration."""
    celery_app._after_fork()
    celery_app._backend_cache = None
    celery_app._local = threading.local()


@pytest.fixture
def celery_on_redis():
    if not _redis_reachable():
        skip_or_fail(f"needs Redis at {REDIS[0]}:{REDIS[1]} (install and start redis-server to run this test)")
    keys = ("broker_url", "result_backend", "task_always_eager")
    saved = {key: celery_app.conf[key] for key in keys}
    celery_app.conf.update(broker_url=REDIS_URL, result_backend=REDIS_URL, task_always_eager=False)
    _forget_connections()
    try:
        yield celery_app
    finally:
        celery_app.conf.update(saved)
        _forget_connections()


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)  # the worker thread must see committed rows
def test_with_redis_a_worker_runs_the_job_through_the_broker(city, celery_on_redis):
    import celery.contrib.testing.tasks  # noqa: F401  (registers celery.ping for the worker's start-up check)
    from celery.contrib.testing.worker import start_worker

    with start_worker(celery_on_redis, pool="solo", perform_ping_check=True, shutdown_timeout=30):
        assert not jobs.runs_in_process()
        job = submit_import(city.admin, ORGS_CSV.encode())
        assert not job.eager and job.state == "PENDING"
        done = jobs.status(job.id, wait=60)
        assert done.state == "SUCCESS", done.error
        assert done.result == {"total": 2, "saved": 2, "committed": True, "errors": []}
        assert jobs.status(job.id).result == done.result  # the result backend keeps it for other processes
    assert Organisation.objects.filter(code__in=["HOS51", "HOS52"]).count() == 2
