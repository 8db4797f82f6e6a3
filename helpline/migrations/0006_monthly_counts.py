"""The contacts counted by month (helpline/counts.py), and the contacts already logged counted."""

import django.db.models.deletion
from django.db import migrations, models


def count_all(apps, schema_editor):
    from helpline.counts import count_all

    count_all(using=schema_editor.connection.alias, apps=apps)


class Migration(migrations.Migration):

    dependencies = [
        ('helpline', '0005_times_to_the_minute'),
    ]

    operations = [
        migrations.CreateModel(
            name='CountedMonth',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('month', models.DateField(unique=True)),
            ],
        ),
        migrations.CreateModel(
            name='MonthlyCount',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('month', models.DateField()),
                ('channel', models.CharField(choices=[('phone', 'Phone'), ('email', 'E-mail'), ('chat', 'Chat')], max_length=10)),
                ('caller_type', models.CharField(blank=True, choices=[('concerned_adult', 'The person concerned, an adult'), ('concerned_adolescent', 'The person concerned, an adolescent'), ('relative', 'A relative'), ('professional', 'A professional'), ('potential_victim', 'A potential victim'), ('other', 'Other')], max_length=30)),
                ('repeat', models.BooleanField()),
                ('missed', models.BooleanField()),
                ('hung_up', models.BooleanField()),
                ('n', models.PositiveIntegerField()),
                ('referral', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='helpline.referralservice')),
            ],
            options={
                'indexes': [models.Index(fields=['month'], name='helpline_count_month')],
            },
        ),
        migrations.CreateModel(
            name='MonthlyTagCount',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('month', models.DateField()),
                ('n', models.PositiveIntegerField()),
                ('tag', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='helpline.problemtag')),
            ],
            options={
                'indexes': [models.Index(fields=['month', 'tag'], name='helpline_tag_count_month')],
            },
        ),
        migrations.RunPython(count_all, migrations.RunPython.noop),
    ]
