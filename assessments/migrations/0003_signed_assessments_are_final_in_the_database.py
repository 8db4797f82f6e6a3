"""On PostgreSQL the database itself refuses to change or delete a signed assessment (its
ratings, totals, levels, attestations...), so that a bulk QuerySet.update() cannot bypass the
model's guard; a correction is an amendment, a new row. Drafts stay free, and signing itself
(draft to signed) is allowed. (SQLite relies on the model and the services.)"""

from django.db import migrations

CREATE = """
CREATE FUNCTION assessments_signed_is_final() RETURNS trigger AS $$
BEGIN
    IF OLD.status = 'signed' THEN
        RAISE EXCEPTION 'a signed assessment is final: amend it';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER assessments_signed_is_final
    BEFORE UPDATE OR DELETE ON assessments_assessment
    FOR EACH ROW EXECUTE FUNCTION assessments_signed_is_final();
"""

DROP = """
DROP TRIGGER IF EXISTS assessments_signed_is_final ON assessments_assessment;
DROP FUNCTION IF EXISTS assessments_signed_is_final();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("assessments", "0002_assessments_no_reverse_accessor_from_patient")]

    operations = [migrations.RunPython(create, drop)]
