"""The one DELETE of a letter the database lets through: the destruction of a whole file at the
end of its retention period (privacy.retention), which announces itself by setting
clinic.retention_destruction in its own transaction (docs/privacy.md). Changing a signed letter
stays refused, always."""

from django.db import migrations

FROZEN = (
    "kind, patient_id, mandate_id, recipient, language, period_start, period_end, "
    "attendance_id, alert_id, request_reference, request_received_on, paragraph, due_on, facts, "
    "definitions, corrects_id, created_at, created_by_id, ready_at, signed_at, signed_by_id"
)


def _row(prefix: str) -> str:
    return "ROW(" + ", ".join(f"{prefix}.{c.strip()}" for c in FROZEN.split(",")) + ")"


def _function(deleting: str) -> str:
    return f"""
CREATE OR REPLACE FUNCTION reports_letter_final() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        {deleting}
        RAISE EXCEPTION 'letters are kept';
    END IF;
    IF OLD.signed_at IS NOT NULL AND {_row("NEW")} IS DISTINCT FROM {_row("OLD")} THEN
        RAISE EXCEPTION 'a signed letter is final: write a correction';
    END IF;
    IF OLD.cosigned_at IS NOT NULL
       AND ROW(NEW.cosigned_at, NEW.cosigned_by_id)
           IS DISTINCT FROM ROW(OLD.cosigned_at, OLD.cosigned_by_id) THEN
        RAISE EXCEPTION 'a signed letter is final: write a correction';
    END IF;
    IF OLD.pdf_sha256 <> ''
       AND ROW(NEW.pdf, NEW.pdf_sha256, NEW.rendered_at)
           IS DISTINCT FROM ROW(OLD.pdf, OLD.pdf_sha256, OLD.rendered_at) THEN
        RAISE EXCEPTION 'a rendered letter keeps its PDF';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""


REPLACE = _function(
    "IF current_setting('clinic.retention_destruction', true) = 'on' THEN RETURN OLD; END IF;"
)
BEFORE = _function("")


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REPLACE)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BEFORE)


class Migration(migrations.Migration):
    dependencies = [("reports", "0002_signed_letters_are_final_in_the_database")]

    operations = [migrations.RunPython(forward, backward)]
