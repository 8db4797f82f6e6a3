"""Abstract models shared by apps that know nothing of each other (no table of their own)."""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class NamedInLanguages(models.Model):
    """Reference data that people read: its name in each language the clinic writes in (the
    interface speaks English, French and Dutch; letters also go out in German)."""

    name_en = models.CharField(_("name (English)"), max_length=120)
    name_fr = models.CharField(_("name (French)"), max_length=120, blank=True)
    name_nl = models.CharField(_("name (Dutch)"), max_length=120, blank=True)
    name_de = models.CharField(_("name (German)"), max_length=120, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """In the active language; English when that translation is missing."""
        return self.in_language("name", get_language() or "en")

    def in_language(self, field: str, language: str) -> str:
        """A text kept in each language (`name_fr`...), in `language`; English when missing."""
        return getattr(self, f"{field}_{language[:2]}", "") or getattr(self, f"{field}_en")


class OutboxMessage(models.Model):
    """An e-mail (or a text message) to send, written in the same transaction as the fact it
    tells of (a letter's dispatch, a reminder, an alert), and sent by a worker outside any
    transaction: until the server has accepted it, it waits here and is tried again
    (common.outbox)."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        SMS = "sms", _("SMS")

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.EMAIL
    )
    # What it is, in a few words and with no health content, for the list of unsent messages.
    purpose = models.CharField(_("purpose"), max_length=200)
    to = models.JSONField(_("to"))
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("body"))
    attachment_name = models.CharField(max_length=200, blank=True)
    attachment_type = models.CharField(max_length=100, blank=True)
    attachment = models.BinaryField(null=True, blank=True)
    # The Message-ID header: the same on every attempt, so that a receiving server or a
    # reader can tell a message sent again from a new one.
    message_id = models.CharField(max_length=250, unique=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"))
    # Set while a worker talks to the mail server: nobody else sends it meanwhile.
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")
        ordering = ["created_at", "pk"]
        indexes = [
            # the messages due for an attempt, and the list of unsent ones
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(sent_at__isnull=True),
                name="outbox_unsent",
            )
        ]

    def __str__(self) -> str:
        return self.purpose


class Heartbeat(models.Model):
    """When a background process last showed it was alive: the worker runs a heartbeat task
    that the beat sends every minute (common.health, docs/operations.md, "Health")."""

    name = models.CharField(max_length=40, unique=True)
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name}: {self.at:%Y-%m-%d %H:%M:%S}"


class TaskFailure(models.Model):
    """A background task that failed for good (after its retries), for the operations page:
    which task, when, and the kind of error, never its message or arguments (they may name a
    patient)."""

    task = models.CharField(max_length=200)
    task_id = models.CharField(max_length=50, blank=True)
    error = models.CharField(max_length=200)
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.task}: {self.error}"


class BackupRecord(models.Model):
    """A backup made with `manage.py backup`, for the operations page (the backup itself is
    a folder outside the database: docs/operations.md, "Backups and restore")."""

    taken_at = models.DateTimeField()
    name = models.CharField(max_length=100)
    size_bytes = models.BigIntegerField()
    # The access log's last sealed event in the backup: a restore must end there.
    head_seq = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-taken_at"]

    def __str__(self) -> str:
        return self.name
