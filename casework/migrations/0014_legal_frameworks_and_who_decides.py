"""Legal frameworks become reference data with the reporting duty of their law (the column
mandate.legal_framework keeps its name and its codes, now a key to them); a mandate names the
authority that decided it when another supervises it, and the recipients' file numbers; the
reference data gets its German names, since letters go out in German too.

Mandates whose interval exceeds what their framework's law allows (six months: law of 29 June
1964, art. 9bis; law of 5 May 2014, art. 57 §5; law of 17 May 2006) are brought down to it.
"""

import django.core.validators
import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


def frameworks_and_german_names(apps, schema_editor):
    from casework.reference_data import german_names, seed_frameworks

    framework_model = apps.get_model("casework", "LegalFramework")
    seed_frameworks(framework_model)
    german_names(
        apps.get_model("casework", "AttendanceOutcome"),
        apps.get_model("casework", "ComplianceRule"),
    )
    mandates = apps.get_model("casework", "Mandate").objects
    for framework in framework_model.objects.exclude(longest_reporting_interval_months=None):
        longest = framework.longest_reporting_interval_months
        mandates.filter(
            legal_framework=framework.code, reporting_interval_months__gt=longest
        ).update(reporting_interval_months=longest)


class Migration(migrations.Migration):

    dependencies = [
        ('casework', '0013_patient_lead_therapist'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='LegalFramework',
            fields=[
                ('name_en', models.CharField(max_length=120, verbose_name='name (English)')),
                ('name_fr', models.CharField(blank=True, max_length=120, verbose_name='name (French)')),
                ('name_nl', models.CharField(blank=True, max_length=120, verbose_name='name (Dutch)')),
                ('name_de', models.CharField(blank=True, max_length=120, verbose_name='name (German)')),
                ('code', models.SlugField(max_length=30, primary_key=True, serialize=False, verbose_name='code')),
                ('longest_reporting_interval_months', models.PositiveSmallIntegerField(blank=True, help_text='The law asks for a follow-up report at least this often. Empty: no limit.', null=True, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(24)], verbose_name='longest reporting interval (months)')),
                ('first_report_within_months', models.PositiveSmallIntegerField(blank=True, help_text='The first report is owed this many months after the start of the measure or the intake, whichever is later. Empty: after a whole reporting interval.', null=True, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(24)], verbose_name='first report within (months)')),
                ('reporting_duty_en', models.CharField(blank=True, max_length=300, verbose_name='reporting duty (English)')),
                ('reporting_duty_fr', models.CharField(blank=True, max_length=300, verbose_name='reporting duty (French)')),
                ('reporting_duty_nl', models.CharField(blank=True, max_length=300, verbose_name='reporting duty (Dutch)')),
                ('reporting_duty_de', models.CharField(blank=True, max_length=300, verbose_name='reporting duty (German)')),
                ('reports_risk_to_self', models.BooleanField(default=False, help_text='The law of this framework has the clinic report a serious risk to the patient themself, not only to others.', verbose_name='a risk to the patient themself is reported')),
                ('position', models.PositiveSmallIntegerField(default=0, verbose_name='position')),
                ('is_active', models.BooleanField(default=True, verbose_name='active')),
            ],
            options={
                'verbose_name': 'legal framework',
                'verbose_name_plural': 'legal frameworks',
                'ordering': ['position', 'code'],
            },
        ),
        migrations.AddField(
            model_name='attendanceoutcome',
            name='name_de',
            field=models.CharField(blank=True, max_length=120, verbose_name='name (German)'),
        ),
        migrations.AddField(
            model_name='compliancerule',
            name='name_de',
            field=models.CharField(blank=True, max_length=120, verbose_name='name (German)'),
        ),
        migrations.AddField(
            model_name='historicalattendanceoutcome',
            name='name_de',
            field=models.CharField(blank=True, max_length=120, verbose_name='name (German)'),
        ),
        migrations.AddField(
            model_name='historicalcompliancerule',
            name='name_de',
            field=models.CharField(blank=True, max_length=120, verbose_name='name (German)'),
        ),
        migrations.AddField(
            model_name='historicalmandate',
            name='authority_file_number',
            field=models.CharField(blank=True, help_text='e.g. the number of the file at the sentence-enforcement court (TAP/SURB).', max_length=100, verbose_name="the authority's file number"),
        ),
        migrations.AddField(
            model_name='historicalmandate',
            name='decided_by',
            field=models.ForeignKey(blank=True, db_constraint=False, help_text='When another authority decided the measure (e.g. the court that pronounced the probation). Empty: the supervising authority decided it.', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='casework.authority', verbose_name='deciding authority'),
        ),
        migrations.AddField(
            model_name='historicalmandate',
            name='justice_assistant_file_number',
            field=models.CharField(blank=True, help_text='The number of the file at the house of justice.', max_length=100, verbose_name="the justice assistant's file number"),
        ),
        migrations.AddField(
            model_name='mandate',
            name='authority_file_number',
            field=models.CharField(blank=True, help_text='e.g. the number of the file at the sentence-enforcement court (TAP/SURB).', max_length=100, verbose_name="the authority's file number"),
        ),
        migrations.AddField(
            model_name='mandate',
            name='decided_by',
            field=models.ForeignKey(blank=True, help_text='When another authority decided the measure (e.g. the court that pronounced the probation). Empty: the supervising authority decided it.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='casework.authority', verbose_name='deciding authority'),
        ),
        migrations.AddField(
            model_name='mandate',
            name='justice_assistant_file_number',
            field=models.CharField(blank=True, help_text='The number of the file at the house of justice.', max_length=100, verbose_name="the justice assistant's file number"),
        ),
        migrations.AlterField(
            model_name='historicalmandate',
            name='authority',
            field=models.ForeignKey(blank=True, db_constraint=False, help_text='The authority that follows the measure and receives the reports.', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='casework.authority', verbose_name='supervising authority'),
        ),
        migrations.AlterField(
            model_name='historicalmandate',
            name='reporting_interval_months',
            field=models.PositiveSmallIntegerField(default=6, help_text='How often a follow-up report is owed to the authority; the law of some frameworks sets a longest interval.', validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(24)], verbose_name='reporting interval (months)'),
        ),
        migrations.AlterField(
            model_name='mandate',
            name='authority',
            field=models.ForeignKey(help_text='The authority that follows the measure and receives the reports.', on_delete=django.db.models.deletion.PROTECT, related_name='mandates', to='casework.authority', verbose_name='supervising authority'),
        ),
        migrations.AlterField(
            model_name='mandate',
            name='reporting_interval_months',
            field=models.PositiveSmallIntegerField(default=6, help_text='How often a follow-up report is owed to the authority; the law of some frameworks sets a longest interval.', validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(24)], verbose_name='reporting interval (months)'),
        ),
        migrations.CreateModel(
            name='HistoricalLegalFramework',
            fields=[
                ('name_en', models.CharField(max_length=120, verbose_name='name (English)')),
                ('name_fr', models.CharField(blank=True, max_length=120, verbose_name='name (French)')),
                ('name_nl', models.CharField(blank=True, max_length=120, verbose_name='name (Dutch)')),
                ('name_de', models.CharField(blank=True, max_length=120, verbose_name='name (German)')),
                ('code', models.SlugField(max_length=30, verbose_name='code')),
                ('longest_reporting_interval_months', models.PositiveSmallIntegerField(blank=True, help_text='The law asks for a follow-up report at least this often. Empty: no limit.', null=True, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(24)], verbose_name='longest reporting interval (months)')),
                ('first_report_within_months', models.PositiveSmallIntegerField(blank=True, help_text='The first report is owed this many months after the start of the measure or the intake, whichever is later. Empty: after a whole reporting interval.', null=True, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(24)], verbose_name='first report within (months)')),
                ('reporting_duty_en', models.CharField(blank=True, max_length=300, verbose_name='reporting duty (English)')),
                ('reporting_duty_fr', models.CharField(blank=True, max_length=300, verbose_name='reporting duty (French)')),
                ('reporting_duty_nl', models.CharField(blank=True, max_length=300, verbose_name='reporting duty (Dutch)')),
                ('reporting_duty_de', models.CharField(blank=True, max_length=300, verbose_name='reporting duty (German)')),
                ('reports_risk_to_self', models.BooleanField(default=False, help_text='The law of this framework has the clinic report a serious risk to the patient themself, not only to others.', verbose_name='a risk to the patient themself is reported')),
                ('position', models.PositiveSmallIntegerField(default=0, verbose_name='position')),
                ('is_active', models.BooleanField(default=True, verbose_name='active')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'historical legal framework',
                'verbose_name_plural': 'historical legal frameworks',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.RunPython(frameworks_and_german_names, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='historicalmandate',
            name='legal_framework',
            field=models.ForeignKey(blank=True, db_column='legal_framework', db_constraint=False, limit_choices_to={'is_active': True}, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='casework.legalframework', verbose_name='legal framework'),
        ),
        migrations.AlterField(
            model_name='mandate',
            name='legal_framework',
            field=models.ForeignKey(db_column='legal_framework', limit_choices_to={'is_active': True}, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='casework.legalframework', verbose_name='legal framework'),
        ),
        migrations.AlterConstraint(
            model_name='mandate',
            name='mandate_ends_after_start',
            constraint=models.CheckConstraint(condition=models.Q(('ends_on__isnull', True), ('ends_on__gte', models.F('starts_on')), _connector='OR'), name='mandate_ends_after_start', violation_error_message='The end is before the start.'),
        ),
        migrations.AlterConstraint(
            model_name='mandate',
            name='mandate_reporting_interval',
            constraint=models.CheckConstraint(condition=models.Q(('reporting_interval_months__gte', 1)), name='mandate_reporting_interval', violation_error_message='A report is owed every month at the most often.'),
        ),
    ]
