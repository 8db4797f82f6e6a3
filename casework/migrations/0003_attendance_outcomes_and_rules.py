from django.db import migrations

# The first attendance outcomes and compliance rules are seeded after every migrate, from
# casework/reference_data.py with the models as they are then (casework/apps.py). This
# migration seeded them with the models of its time; it is kept as a step of the history.


class Migration(migrations.Migration):
    dependencies = [("casework", "0002_sessions_and_attendance")]

    operations = []
