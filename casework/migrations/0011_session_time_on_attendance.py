"""Each attendance keeps its session's start (an appointment never moves), so that the index of
attendances awaiting their outcome can be read by patient and time: "past sessions still
waiting" without visiting every future session (docs/performance.md)."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('casework', '0010_emergency_access'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='attendance',
            name='attendance_awaiting_outcome',
        ),
        migrations.AddField(
            model_name='attendance',
            name='starts_at',
            field=models.DateTimeField(editable=False, null=True, verbose_name='start'),
        ),
        migrations.AddField(
            model_name='historicalattendance',
            name='starts_at',
            field=models.DateTimeField(editable=False, null=True, verbose_name='start'),
        ),
        migrations.RunSQL(
            [
                f"UPDATE {table} SET starts_at = (SELECT a.starts_at FROM casework_appointment a "
                f"WHERE a.id = {table}.appointment_id)"
                for table in ("casework_attendance", "casework_historicalattendance")
            ],
            migrations.RunSQL.noop,
        ),
        migrations.AlterField(
            model_name='attendance',
            name='starts_at',
            field=models.DateTimeField(editable=False, verbose_name='start'),
        ),
        migrations.AlterField(
            model_name='historicalattendance',
            name='starts_at',
            field=models.DateTimeField(editable=False, verbose_name='start'),
        ),
        migrations.AddIndex(
            model_name='attendance',
            index=models.Index(condition=models.Q(('outcome__isnull', True)), fields=['patient', 'starts_at'], name='attendance_awaiting_outcome'),
        ),
    ]
