"""The one DELETE of a signed note the database lets through: the destruction of a whole file at
the end of its retention period (privacy.retention), which announces itself by setting
clinic.retention_destruction in its own transaction (docs/privacy.md). Changing a signed note
stays refused, always."""

from django.db import migrations

REPLACE = """
CREATE OR REPLACE FUNCTION notes_signed_is_final() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('clinic.retention_destruction', true) = 'on' THEN
        RETURN OLD;
    END IF;
    IF OLD.signed_at IS NOT NULL THEN
        RAISE EXCEPTION 'a signed note is final: write an addendum';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END;
$$ LANGUAGE plpgsql;
"""

BEFORE = """
CREATE OR REPLACE FUNCTION notes_signed_is_final() RETURNS trigger AS $$
BEGIN
    IF OLD.signed_at IS NOT NULL THEN
        RAISE EXCEPTION 'a signed note is final: write an addendum';
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
    dependencies = [("notes", "0002_signed_notes_are_final_in_the_database")]

    operations = [migrations.RunPython(forward, backward)]
