"""The first problem tags and kinds of service (helpline/lists.py)."""

from django.db import migrations


def seed(apps, schema_editor):
    from helpline.lists import seed_when_empty

    seed_when_empty(apps.get_model("helpline", "ProblemTag"), apps.get_model("helpline", "ReferralService"))


class Migration(migrations.Migration):
    dependencies = [("helpline", "0001_contacts")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
