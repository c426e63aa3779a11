"""Guarantees only PostgreSQL gives (the suite runs here in .ci/run with DATABASE_URL)."""

import pytest
from auditlog.models import LogEntry
from django.db import DatabaseError, connection, transaction

from yingji.core import services

pytestmark = pytest.mark.postgres


def test_running_on_postgresql_15_or_newer(db):
    assert connection.vendor == "postgresql"
    assert connection.pg_version >= 150000


def test_audit_entries_cannot_be_deleted_on_postgresql(city):
    services.save_region(city.admin, {"code": "990104", "name": "丙区"})
    entry = LogEntry.objects.filter(object_pk="990104").get()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        LogEntry.objects.filter(pk=entry.pk).delete()
    assert LogEntry.objects.filter(pk=entry.pk).exists()


def test_region_prefix_scoping_uses_the_code_column(city):
    from yingji.core.models import Organisation
    from yingji.core.scoping import scope

    sql = str(scope(city.a.users["cdc"], Organisation.objects.all()).query)
    assert '"core_organisation"."region_id"::text LIKE' in sql or '"core_organisation"."region_id" LIKE' in sql
