"""On PostgreSQL the database itself refuses to rewrite or delete audit entries.

Only ``user_id`` may change (set to NULL when an account is deleted, so the entry keeps the
actor's name but no longer points at a removed user).  TRUNCATE — used by test database
flushes and by an operator restoring a backup — is a deliberate whole-table operation and is
not blocked.  SQLite has no such trigger: there the model and its queryset refuse instead.
"""
from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION planwatch_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'audit entries are append-only';
    END IF;
    IF (NEW.id, NEW.at, NEW.actor, NEW.action, NEW.model, NEW.object_id, NEW.object_repr,
        NEW.old::text, NEW.new::text, NEW.reason)
       IS DISTINCT FROM
       (OLD.id, OLD.at, OLD.actor, OLD.action, OLD.model, OLD.object_id, OLD.object_repr,
        OLD.old::text, OLD.new::text, OLD.reason) THEN
        RAISE EXCEPTION 'audit entries are append-only';
    END IF;
    IF NEW.user_id IS NOT NULL AND NEW.user_id IS DISTINCT FROM OLD.user_id THEN
        RAISE EXCEPTION 'audit entries are append-only';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS data_auditentry_append_only ON data_auditentry;
CREATE TRIGGER data_auditentry_append_only BEFORE UPDATE OR DELETE ON data_auditentry
    FOR EACH ROW EXECUTE FUNCTION planwatch_audit_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS data_auditentry_append_only ON data_auditentry;
DROP FUNCTION IF EXISTS planwatch_audit_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("data", "0002_governance")]
    operations = [migrations.RunPython(forwards, backwards)]
