"""A letter goes to several recipients (the addressee first, then those who receive a copy),
each dispatch to one of them; it says what set it off and, for some, the episode of care or
whom a serious risk threatens; a draft may be withdrawn. Every constraint says, in words, why a
letter is refused.

A letter not signed yet goes to whom the law names (reports.catalogue); a signed one keeps the
one recipient it was signed for. On PostgreSQL the trigger that keeps signed letters final
(migrations 0002, 0003) now freezes the new columns too, and forgets the old one.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


FROZEN = (
    "kind, patient_id, mandate_id, recipients, language, period_start, period_end, "
    "attendance_id, alert_id, episode_id, request_reference, request_received_on, risk_to, "
    "paragraph, due_on, facts, definitions, corrects_id, created_at, created_by_id, ready_at, "
    "signed_at, signed_by_id, origin, batch_id, withdrawn_at, withdrawn_by_id, "
    "withdrawal_reason"
)
FROZEN_BEFORE = (
    "kind, patient_id, mandate_id, recipient, language, period_start, period_end, "
    "attendance_id, alert_id, request_reference, request_received_on, paragraph, due_on, facts, "
    "definitions, corrects_id, created_at, created_by_id, ready_at, signed_at, signed_by_id"
)


def _function(frozen: str) -> str:
    def row(prefix):
        return "ROW(" + ", ".join(f"{prefix}.{c.strip()}" for c in frozen.split(",")) + ")"

    return f"""
CREATE OR REPLACE FUNCTION reports_letter_final() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF current_setting('clinic.retention_destruction', true) = 'on' THEN RETURN OLD; END IF;
        RAISE EXCEPTION 'letters are kept';
    END IF;
    IF OLD.signed_at IS NOT NULL AND {row("NEW")} IS DISTINCT FROM {row("OLD")} THEN
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


def _trigger(frozen):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(_function(frozen))

    return run


def recipients(apps, schema_editor):
    from reports import catalogue

    letters = apps.get_model("reports", "Letter").objects.select_related("mandate")
    for letter in letters:
        kind = catalogue.TYPES[letter.kind]
        if letter.signed_at is None:
            assistant = bool(letter.mandate and letter.mandate.justice_contact_id)
            letter.recipients = [
                code
                for code in kind.recipients
                if code != "justice_assistant" or assistant or code in kind.required
            ]
        else:
            letter.recipients = [letter.recipient]
        letter.save(update_fields=["recipients"])
    dispatches = apps.get_model("reports", "Dispatch").objects.select_related("letter")
    for dispatch in dispatches:
        dispatch.recipient = dispatch.letter.recipient
        dispatch.save(update_fields=["recipient"])


class Migration(migrations.Migration):

    dependencies = [
        ('casework', '0014_legal_frameworks_and_who_decides'),
        ('reports', '0003_retention_destruction_may_delete'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='letter',
            name='letter_signed_has_signature',
        ),
        migrations.RemoveIndex(
            model_name='letter',
            name='letter_open_by_due',
        ),
        migrations.AddField(
            model_name='dispatch',
            name='recipient',
            field=models.CharField(choices=[('authority', 'The authority'), ('justice_assistant', 'The justice assistant'), ('patient', 'The patient')], default='', max_length=30, verbose_name='recipient'),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='letter',
            name='batch',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='letters', to='reports.letterbatch', verbose_name='batch'),
        ),
        migrations.AddField(
            model_name='letter',
            name='episode',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='casework.episode', verbose_name='episode of care'),
        ),
        migrations.AddField(
            model_name='letter',
            name='origin',
            field=models.CharField(choices=[('by_hand', 'Drafted by hand'), ('daily_run', 'The daily run: a report fell due'), ('batch', "The month's periodic reports"), ('intake', 'The intake'), ('closing', 'The closing of the episode of care'), ('attendance', 'An outcome recorded on a session'), ('alert', 'A compliance alert'), ('correction', 'The correction of a signed letter')], default='by_hand', max_length=20, verbose_name='set off by'),
        ),
        migrations.AddField(
            model_name='letter',
            name='recipients',
            field=models.JSONField(default=list, verbose_name='recipients'),
        ),
        migrations.AddField(
            model_name='letter',
            name='risk_to',
            field=models.CharField(blank=True, choices=[('others', 'Third parties'), ('self', 'The patient themself')], max_length=10, verbose_name='serious risk to'),
        ),
        migrations.AddField(
            model_name='letter',
            name='withdrawal_reason',
            field=models.CharField(blank=True, max_length=300, verbose_name='why it was withdrawn'),
        ),
        migrations.AddField(
            model_name='letter',
            name='withdrawn_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='withdrawn'),
        ),
        migrations.AddField(
            model_name='letter',
            name='withdrawn_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='withdrawn by'),
        ),
        migrations.AlterField(
            model_name='letter',
            name='status',
            field=models.CharField(choices=[('draft', 'Draft'), ('ready', 'Ready for signature'), ('signed', 'Signed'), ('sent', 'Sent'), ('withdrawn', 'Withdrawn')], default='draft', max_length=10, verbose_name='status'),
        ),
        migrations.AddIndex(
            model_name='letter',
            index=models.Index(condition=models.Q(('status__in', ['sent', 'withdrawn']), _negated=True), fields=['due_on'], name='letter_open_by_due'),
        ),
        migrations.AddIndex(
            model_name='letter',
            index=models.Index(condition=models.Q(('cosigned_at__isnull', True), ('kind', 'serious_risk'), ('status', 'signed')), fields=['signed_at'], name='letter_awaiting_cosignature'),
        ),
        migrations.AddConstraint(
            model_name='letter',
            constraint=models.UniqueConstraint(condition=models.Q(('corrects__isnull', True), ('episode__isnull', False)), fields=('kind', 'mandate', 'episode'), name='letter_episode_once', violation_error_code='drafted_already', violation_error_message="This letter exists already for this mandate and episode of care: open it from the patient's letters."),
        ),
        migrations.AddConstraint(
            model_name='letter',
            constraint=models.CheckConstraint(condition=models.Q(('status__in', ['draft', 'ready', 'withdrawn']), ('signed_at__isnull', False), _connector='OR'), name='letter_signed_has_signature', violation_error_message='A signed letter carries the date of its signature.'),
        ),
        migrations.AlterConstraint(
            model_name='letter',
            name='letter_periodic_once',
            constraint=models.UniqueConstraint(condition=models.Q(('corrects__isnull', True), ('kind', 'periodic_report')), fields=('kind', 'mandate', 'period_start'), name='letter_periodic_once', violation_error_code='drafted_already', violation_error_message="The follow-up report on this mandate for this period exists already: open it from the patient's letters. It goes to every recipient at once."),
        ),
        migrations.AlterConstraint(
            model_name='letter',
            name='letter_absence_notice_once',
            constraint=models.UniqueConstraint(condition=models.Q(('attendance__isnull', False), ('corrects__isnull', True)), fields=('kind', 'attendance'), name='letter_absence_notice_once', violation_error_code='drafted_already', violation_error_message="This letter about that session exists already: open it from the patient's letters."),
        ),
        migrations.AlterConstraint(
            model_name='letter',
            name='letter_alert_once',
            constraint=models.UniqueConstraint(condition=models.Q(('alert__isnull', False), ('corrects__isnull', True)), fields=('alert',), name='letter_alert_once', violation_error_code='drafted_already', violation_error_message='The letter this alert set off exists already.'),
        ),
        migrations.RunPython(recipients, migrations.RunPython.noop),
        migrations.RunPython(_trigger(FROZEN), _trigger(FROZEN_BEFORE)),
        migrations.RemoveField(
            model_name='letter',
            name='recipient',
        ),
    ]
