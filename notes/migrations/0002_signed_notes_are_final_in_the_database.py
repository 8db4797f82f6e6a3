"""On PostgreSQL the database itself refuses to change or delete a signed note, so that a bulk
QuerySet.update() or a query typed by hand cannot bypass the model's guard. A draft stays free.
(SQLite, the embedded demo database, relies on the model and the services.)"""

from django.db import migrations

CREATE = """
CREATE FUNCTION notes_signed_is_final() RETURNS trigger AS $$
BEGIN
    IF OLD.signed_at IS NOT NULL THEN
        RAISE EXCEPTION 'a signed note is final: write an addendum';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER notes_signed_is_final
    BEFORE UPDATE OR DELETE ON casework_clinicalnote
    FOR EACH ROW EXECUTE FUNCTION notes_signed_is_final();
"""

DROP = """
DROP TRIGGER IF EXISTS notes_signed_is_final ON casework_clinicalnote;
DROP FUNCTION IF EXISTS notes_signed_is_final();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("notes", "0001_adopt_clinical_notes")]

    operations = [migrations.RunPython(create, drop)]
