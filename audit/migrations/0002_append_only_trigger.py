"""On PostgreSQL, the database itself refuses to edit or delete access events.

The only UPDATE allowed is the sealer's: filling seq, prev_hash and hash of a row that has
none yet, without touching its content. (SQLite, the embedded demo database, relies on the
model-level guard and on the hash chain.)
"""

from django.db import migrations

CONTENT = (
    "id, occurred_at, user_id, username, role, patient_id, object_type, object_id, action, "
    "request_id, client_address"
)

CREATE = f"""
CREATE FUNCTION audit_accessevent_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'the access log is append-only';
    END IF;
    IF OLD.seq IS NOT NULL
       OR ROW({', '.join('NEW.' + c.strip() for c in CONTENT.split(','))})
          IS DISTINCT FROM ROW({', '.join('OLD.' + c.strip() for c in CONTENT.split(','))}) THEN
        RAISE EXCEPTION 'the access log is append-only';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_accessevent_append_only
    BEFORE UPDATE OR DELETE ON audit_accessevent
    FOR EACH ROW EXECUTE FUNCTION audit_accessevent_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS audit_accessevent_append_only ON audit_accessevent;
DROP FUNCTION IF EXISTS audit_accessevent_append_only();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
