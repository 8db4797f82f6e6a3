"""The one DELETE of a signed assessment the database lets through: the destruction of a whole
file at the end of its retention period (privacy.retention), which announces itself by setting
clinic.retention_destruction in its own transaction (docs/privacy.md). Changing a signed
assessment stays refused, always."""

from django.db import migrations

REPLACE = """
CREATE OR REPLACE FUNCTION assessments_signed_is_final() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('clinic.retention_destruction', true) = 'on' THEN
        RETURN OLD;
    END IF;
    IF OLD.status = 'signed' THEN
        RAISE EXCEPTION 'a signed assessment is final: amend it';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END;
$$ LANGUAGE plpgsql;
"""

BEFORE = """
CREATE OR REPLACE FUNCTION assessments_signed_is_final() RETURNS trigger AS $$
BEGIN
    IF OLD.status = 'signed' THEN
        RAISE EXCEPTION 'a signed assessment is final: amend it';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END;
$$ LANGUAGE plpgsql;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REPLACE)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BEFORE)


class Migration(migrations.Migration):
    dependencies = [("assessments", "0003_signed_assessments_are_final_in_the_database")]

    operations = [migrations.RunPython(forward, backward)]
