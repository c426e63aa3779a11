"""Make the audit log append-only at the database: no UPDATE anywhere, no DELETE on PostgreSQL.

(SQLite keeps DELETE possible because Django's test flush empties tables with DELETE; PostgreSQL's flush uses
TRUNCATE, which row triggers do not see, so production keeps the stronger guarantee.)
"""

from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION yingji_audit_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'audit log is append-only (审计日志只允许追加)';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER yingji_audit_no_update BEFORE UPDATE ON auditlog_logentry
  FOR EACH ROW EXECUTE FUNCTION yingji_audit_append_only();
CREATE TRIGGER yingji_audit_no_delete BEFORE DELETE ON auditlog_logentry
  FOR EACH ROW EXECUTE FUNCTION yingji_audit_append_only();
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS yingji_audit_no_update ON auditlog_logentry;
DROP TRIGGER IF EXISTS yingji_audit_no_delete ON auditlog_logentry;
DROP FUNCTION IF EXISTS yingji_audit_append_only();
"""
SQLITE_FORWARD = """
CREATE TRIGGER yingji_audit_no_update BEFORE UPDATE ON auditlog_logentry
BEGIN SELECT RAISE(ABORT, 'audit log is append-only (审计日志只允许追加)'); END;
"""
SQLITE_BACKWARD = "DROP TRIGGER IF EXISTS yingji_audit_no_update;"


def _run(schema_editor, sql_by_vendor):
    sql = sql_by_vendor.get(schema_editor.connection.vendor)
    if sql:
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(sql)


def forward(apps, schema_editor):
    _run(schema_editor, {"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD})


def backward(apps, schema_editor):
    _run(schema_editor, {"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD})


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial"), ("auditlog", "0017_add_actor_email")]
    operations = [migrations.RunPython(forward, backward)]
