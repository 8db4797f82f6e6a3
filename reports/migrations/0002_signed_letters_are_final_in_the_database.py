"""On PostgreSQL the database itself keeps a signed letter as signed: what it states, who signed
it and when never change; a co-signature, once given, stays; a PDF, once stored, stays with its
SHA-256; no letter is ever deleted. (SQLite relies on the model and the services.)"""

from django.db import migrations

FROZEN = (
    "kind, patient_id, mandate_id, recipient, language, period_start, period_end, "
    "attendance_id, alert_id, request_reference, request_received_on, paragraph, due_on, facts, "
    "definitions, corrects_id, created_at, created_by_id, ready_at, signed_at, signed_by_id"
)


def _row(prefix: str) -> str:
    return "ROW(" + ", ".join(f"{prefix}.{c.strip()}" for c in FROZEN.split(",")) + ")"


CREATE = f"""
CREATE FUNCTION reports_letter_final() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
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

CREATE TRIGGER reports_letter_final
    BEFORE UPDATE OR DELETE ON reports_letter
    FOR EACH ROW EXECUTE FUNCTION reports_letter_final();
"""

DROP = """
DROP TRIGGER IF EXISTS reports_letter_final ON reports_letter;
DROP FUNCTION IF EXISTS reports_letter_final();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_letters")]

    operations = [migrations.RunPython(create, drop)]
