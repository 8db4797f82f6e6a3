from django.db import migrations

from casework.reference_data import seed_when_empty


def seed(apps, schema_editor):
    seed_when_empty(
        apps.get_model("casework", "AttendanceOutcome"), apps.get_model("casework", "ComplianceRule")
    )


class Migration(migrations.Migration):
    dependencies = [("casework", "0002_sessions_and_attendance")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
