"""The access log reads on its own and proves its rows.

- The patient is kept as identifiers (id and file number), not as a foreign key: the log
  outlives records destroyed at the end of their retention period.
- Each row gets a readable label, a nonce and a keyed MAC of its content from the moment it
  is inserted; the chain now binds each row's MAC. Existing rows are given theirs here and
  re-chained in their order (the operator runs this migration with AUDIT_CHAIN_KEY).
- A listing names its patients in one row, indexed by AccessEventPatient.
- On PostgreSQL, triggers refuse UPDATE (but the sealer's first filling of the chain), DELETE
  and TRUNCATE on both tables.
"""

import datetime
import hmac
import uuid

from django.conf import settings
from django.db import migrations, models
from django.utils.text import capfirst

# The content the MAC covers, as of this migration (audit.models.CONTENT).
CONTENT = (
    "nonce",
    "occurred_at",
    "user_id",
    "username",
    "role",
    "patient_id",
    "file_number",
    "object_type",
    "object_id",
    "label",
    "action",
    "patient_ids",
    "request_id",
    "client_address",
)


EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


def _mac(key: bytes, content: tuple) -> str:
    parts = []
    for value in content:
        if value is None:
            parts.append("")
        elif isinstance(value, datetime.datetime):
            parts.append(str((value - EPOCH) // datetime.timedelta(microseconds=1)))
        else:
            parts.append(str(value))
    return hmac.digest(key, "\x1f".join(parts).encode(), "sha256").hex()


def _link(key: bytes, seq: int, prev_hash: str, mac: str) -> str:
    return hmac.digest(key, f"{seq}\x1f{prev_hash}\x1f{mac}".encode(), "sha256").hex()


def _label(apps, object_type: str, object_id: str, file_number: str) -> str:
    try:
        meta = apps.get_model(object_type)._meta
    except (LookupError, ValueError):
        name = object_type or "Access"
    else:
        name = capfirst(str(meta.verbose_name if object_id else meta.verbose_name_plural))
    if object_type == "casework.patient" and object_id and file_number:
        return f"{name} {file_number}"
    if object_id:
        name = f"{name} {object_id}"
    return f"{name} of {file_number}" if file_number else name


DROP_TRIGGERS = """
DROP TRIGGER IF EXISTS audit_accessevent_append_only ON audit_accessevent;
DROP FUNCTION IF EXISTS audit_accessevent_append_only();
"""


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_TRIGGERS)


def backfill(apps, schema_editor):
    events = apps.get_model("audit", "AccessEvent")
    key = settings.AUDIT_CHAIN_KEY.encode()
    try:
        patients = apps.get_model("casework", "Patient")
        file_numbers = dict(patients.objects.values_list("pk", "file_number"))
    except LookupError:
        file_numbers = {}
    seq, prev_hash = 0, ""
    # Sealed rows first, in their chain's order, then the pending ones (left pending).
    ordered = list(events.objects.filter(seq__isnull=False).order_by("seq")) + list(
        events.objects.filter(seq__isnull=True).order_by("id")
    )
    for event in ordered:
        event.file_number = file_numbers.get(event.patient_id, "") if event.patient_id else ""
        event.label = _label(apps, event.object_type, event.object_id, event.file_number)
        event.nonce = uuid.uuid4().hex
        event.mac = _mac(key, tuple(getattr(event, name) for name in CONTENT))
        if event.seq is not None:
            seq += 1
            event.seq, event.prev_hash = seq, prev_hash
            event.hash = prev_hash = _link(key, seq, prev_hash, event.mac)
        models.QuerySet(model=events).filter(pk=event.pk).update(
            file_number=event.file_number,
            label=event.label,
            nonce=event.nonce,
            mac=event.mac,
            seq=event.seq,
            prev_hash=event.prev_hash,
            hash=event.hash,
        )


EVENT_CONTENT = (
    "id, occurred_at, user_id, username, role, patient_id, file_number, object_type, "
    "object_id, label, action, patient_ids, request_id, client_address, nonce, mac"
)

CREATE_TRIGGERS = f"""
CREATE FUNCTION audit_refuse() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the access log is append-only';
END;
$$ LANGUAGE plpgsql;

-- Content never changes: any UPDATE that sets a content column is refused, whatever the rows.
CREATE TRIGGER audit_accessevent_append_only
    BEFORE UPDATE OF {EVENT_CONTENT} ON audit_accessevent
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse();
-- The chain columns are filled once, by the sealer: a sealed row cannot be sealed again. The
-- condition is evaluated without calling a function, so sealing stays cheap.
CREATE TRIGGER audit_accessevent_sealed_once
    BEFORE UPDATE OF seq, prev_hash, hash ON audit_accessevent
    FOR EACH ROW WHEN (OLD.seq IS NOT NULL) EXECUTE FUNCTION audit_refuse();
CREATE TRIGGER audit_accessevent_no_delete
    BEFORE DELETE ON audit_accessevent
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse();
CREATE TRIGGER audit_accessevent_no_truncate
    BEFORE TRUNCATE ON audit_accessevent
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse();
CREATE TRIGGER audit_accesseventpatient_append_only
    BEFORE UPDATE OR DELETE ON audit_accesseventpatient
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse();
CREATE TRIGGER audit_accesseventpatient_no_truncate
    BEFORE TRUNCATE ON audit_accesseventpatient
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse();
"""

DROP_NEW_TRIGGERS = """
DROP TRIGGER IF EXISTS audit_accessevent_append_only ON audit_accessevent;
DROP TRIGGER IF EXISTS audit_accessevent_sealed_once ON audit_accessevent;
DROP TRIGGER IF EXISTS audit_accessevent_no_delete ON audit_accessevent;
DROP TRIGGER IF EXISTS audit_accessevent_no_truncate ON audit_accessevent;
DROP TRIGGER IF EXISTS audit_accesseventpatient_append_only ON audit_accesseventpatient;
DROP TRIGGER IF EXISTS audit_accesseventpatient_no_truncate ON audit_accesseventpatient;
DROP FUNCTION IF EXISTS audit_refuse();
"""


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE_TRIGGERS)


def drop_new_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_NEW_TRIGGERS)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_append_only_trigger"),
        ("casework", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(drop_triggers, migrations.RunPython.noop),
        migrations.RemoveIndex(model_name="accessevent", name="access_patient_time"),
        migrations.RemoveIndex(model_name="accessevent", name="access_user_time"),
        migrations.AlterField(
            model_name="accessevent",
            name="patient",
            field=models.BigIntegerField(
                blank=True, null=True, db_column="patient_id", verbose_name="patient id"
            ),
        ),
        migrations.RenameField(model_name="accessevent", old_name="patient", new_name="patient_id"),
        migrations.AlterField(
            model_name="accessevent",
            name="patient_id",
            field=models.BigIntegerField(blank=True, null=True, verbose_name="patient id"),
        ),
        migrations.AddField(
            model_name="accessevent",
            name="file_number",
            field=models.CharField(blank=True, max_length=20, verbose_name="file number"),
        ),
        migrations.AddField(
            model_name="accessevent",
            name="label",
            field=models.CharField(blank=True, max_length=200, verbose_name="what"),
        ),
        migrations.AddField(
            model_name="accessevent",
            name="patient_ids",
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name="accessevent",
            name="nonce",
            field=models.CharField(default="", max_length=32),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="accessevent",
            name="mac",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="accessevent",
            name="occurred_at",
            field=models.DateTimeField(verbose_name="time"),
        ),
        migrations.AlterField(
            model_name="accessevent",
            name="action",
            field=models.CharField(
                choices=[
                    ("view", "Viewed"),
                    ("list", "Seen in a list"),
                    ("create", "Created"),
                    ("update", "Updated"),
                    ("delete", "Deleted"),
                    ("export", "Exported"),
                    ("print", "Printed"),
                    ("send", "Sent"),
                    ("denied", "Denied"),
                    ("login", "Logged in"),
                    ("logout", "Logged out"),
                    ("login_failed", "Failed login"),
                ],
                max_length=20,
                verbose_name="action",
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="accessevent",
            name="nonce",
            field=models.CharField(max_length=32, unique=True),
        ),
        migrations.AlterModelOptions(
            name="accessevent",
            options={
                "ordering": ["-pk"],
                "verbose_name": "access event",
                "verbose_name_plural": "access events",
            },
        ),
        migrations.AddIndex(
            model_name="accessevent",
            index=models.Index(fields=["patient_id", "-id"], name="access_patient"),
        ),
        migrations.AddIndex(
            model_name="accessevent",
            index=models.Index(fields=["user", "-id"], name="access_user"),
        ),
        migrations.AddIndex(
            model_name="accessevent",
            index=models.Index(fields=["file_number"], name="access_file_number"),
        ),
        migrations.CreateModel(
            name="AccessEventPatient",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("patient_id", models.BigIntegerField()),
                (
                    "event",
                    models.ForeignKey(
                        on_delete=models.deletion.PROTECT,
                        related_name="+",
                        to="audit.accessevent",
                    ),
                ),
            ],
            options={
                "verbose_name": "patient in a listing",
                "verbose_name_plural": "patients in listings",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("patient_id", "event"), name="access_listed_once"
                    )
                ],
            },
        ),
        migrations.RunPython(create_triggers, drop_new_triggers),
    ]
