from django.db import migrations

# Frozen here on purpose: a migration must not depend on code that changes later.
# Their permissions are applied after each migrate by accounts.roles.sync_role_permissions.
ROLE_GROUPS = ["clinical_lead", "psychologist", "administrator", "auditor", "helpline_listener"]


def create_role_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLE_GROUPS:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(create_role_groups, migrations.RunPython.noop)]
