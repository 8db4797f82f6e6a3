"""A letter's e-mail waits in the outbox (common.outbox) until the mail server accepts it, and
a letter dispatched to everyone but whose e-mail has not left reads "E-mail not yet
delivered".

The e-mails of dispatches recorded before, and never sent (a task that gave up after five
attempts left them so), are put in the outbox now: they go out once, at last.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def lost_emails(apps, schema_editor):
    from email.utils import make_msgid

    from django.utils import timezone, translation
    from django.utils.translation import gettext

    from reports import catalogue

    Outbox = apps.get_model("common", "OutboxMessage")
    Letter = apps.get_model("reports", "Letter")
    pending = apps.get_model("reports", "Dispatch").objects.filter(
        channel="email", sent_at__isnull=True, message__isnull=True
    ).select_related("letter__patient")
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost"
    for dispatch in pending:
        letter = dispatch.letter
        reference = f"{letter.created_at:%Y}/L{letter.pk:05d}"
        with translation.override(letter.language):
            subject = f"{settings.CLINIC_NAME} — {reference} — {catalogue.get(letter.kind).name}"
            body = "\n\n".join(
                [
                    gettext("Madam, Sir,"),
                    gettext("Please find attached our letter %(reference)s about our file %(file)s.")
                    % {"reference": reference, "file": letter.patient.file_number},
                    gettext("Yours faithfully,"),
                    settings.CLINIC_NAME,
                ]
            )
        dispatch.message = Outbox.objects.create(
            purpose=f"{reference} — {dispatch.recipient}",
            to=[dispatch.to],
            subject=subject,
            body=body,
            attachment_name=f"{reference.replace('/', '-')}.pdf",
            attachment_type="application/pdf",
            attachment=letter.pdf,
            message_id=make_msgid(domain=domain),
            next_attempt_at=timezone.now(),
        )
        dispatch.save(update_fields=["message"])
        Letter.objects.filter(pk=letter.pk, status="sent").update(status="sending")


class Migration(migrations.Migration):

    dependencies = [
        ('casework', '0016_authorities_that_decide_a_probation'),
        ('common', '0001_outbox'),
        ('reports', '0004_several_recipients_and_what_sets_a_letter_off'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='letter',
            name='letter_open_by_due',
        ),
        migrations.AddField(
            model_name='dispatch',
            name='message',
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='common.outboxmessage'),
        ),
        migrations.AlterField(
            model_name='letter',
            name='status',
            field=models.CharField(choices=[('draft', 'Draft'), ('ready', 'Ready for signature'), ('signed', 'Signed'), ('sending', 'E-mail not yet delivered'), ('sent', 'Sent'), ('withdrawn', 'Withdrawn')], default='draft', max_length=10, verbose_name='status'),
        ),
        migrations.AddIndex(
            model_name='letter',
            index=models.Index(condition=models.Q(('status__in', ['sending', 'sent', 'withdrawn']), _negated=True), fields=['due_on'], name='letter_open_by_due'),
        ),
        migrations.RunPython(lost_emails, migrations.RunPython.noop),
    ]
