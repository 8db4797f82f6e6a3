"""Letters to the justice authority: draft → ready for signature → signed → sent.

A draft is editable. Signing freezes what the letter states (`facts`, built from the frame zone
by reports.facts, with the outcome definitions the counters were computed with); from then on
the letter never changes: a correction is a new letter that points to the one it corrects. The
PDF is rendered once, by a worker, and kept with its SHA-256.
"""

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from casework.models import Attendance, ComplianceAlert, Episode, Language, Mandate, Patient
from common.models import OutboxMessage
from reports import catalogue

# The code of the refusal of a letter that exists already (an event that set it off twice).
DRAFTED_ALREADY = "drafted_already"


class SignedLetterError(Exception):
    """A signed letter is final; a correction is a new letter."""


class Letter(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        READY = "ready", _("Ready for signature")
        SIGNED = "signed", _("Signed")
        # Dispatched to every recipient, an e-mail still waiting for the mail server.
        SENDING = "sending", _("E-mail not yet delivered")
        SENT = "sent", _("Sent")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class RiskTo(models.TextChoices):
        """Whom a serious risk threatens: the laws name third parties; the internment law also
        the person themself (law of 5 May 2014, art. 57 §5)."""

        OTHERS = "others", _("Third parties")
        SELF = "self", _("The patient themself")

    class Origin(models.TextChoices):
        """What set the letter off (docs/letters.md, "What sets a letter off")."""

        BY_HAND = "by_hand", _("Drafted by hand")
        DAILY_RUN = "daily_run", _("The daily run: a report fell due")
        BATCH = "batch", _("The month's periodic reports")
        INTAKE = "intake", _("The intake")
        CLOSING = "closing", _("The closing of the episode of care")
        ATTENDANCE = "attendance", _("An outcome recorded on a session")
        ALERT = "alert", _("A compliance alert")
        CORRECTION = "correction", _("The correction of a signed letter")

    kind = models.CharField(
        _("letter"),
        max_length=40,
        choices=[(code, letter.name) for code, letter in catalogue.TYPES.items()],
    )
    # No reverse accessors: the frame does not reach the letters; reports.selectors does.
    patient = models.ForeignKey(
        Patient, verbose_name=_("patient"), on_delete=models.PROTECT, related_name="+"
    )
    mandate = models.ForeignKey(
        Mandate,
        verbose_name=_("mandate"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Who the letter goes to, the addressee first and then whoever receives a copy; one
    # document, one signature, one PDF with a "Copy to" line (reports.catalogue says who the
    # law names for each letter).
    recipients = models.JSONField(_("recipients"), default=list)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    origin = models.CharField(
        _("set off by"), max_length=20, choices=Origin.choices, default=Origin.BY_HAND
    )
    period_start = models.DateField(_("period from"), null=True, blank=True)
    period_end = models.DateField(_("period until"), null=True, blank=True)
    # The session an absence notice is about.
    attendance = models.ForeignKey(
        Attendance,
        verbose_name=_("session"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The episode of care an acceptance, stopping or end-of-treatment letter is about.
    episode = models.ForeignKey(
        Episode,
        verbose_name=_("episode of care"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The month's batch that drafted it.
    batch = models.ForeignKey(
        "LetterBatch",
        verbose_name=_("batch"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="letters",
    )
    # The compliance alert that set this letter off (reports.drafting.draft_for_alert).
    alert = models.ForeignKey(
        ComplianceAlert,
        verbose_name=_("compliance alert"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    request_reference = models.CharField(_("the authority's reference"), max_length=100, blank=True)
    request_received_on = models.DateField(_("request received on"), null=True, blank=True)
    risk_to = models.CharField(
        _("serious risk to"), max_length=10, choices=RiskTo.choices, blank=True
    )
    paragraph = models.TextField(
        _("paragraph for the authority"),
        max_length=3000,
        blank=True,
        help_text=_(
            "Written for the authority and sent as it stands. Facts about the frame of the "
            "treatment only, never its content."
        ),
    )
    due_on = models.DateField(_("due"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    # Frozen at signing: exactly what the letter states, and the outcome definitions used.
    facts = models.JSONField(_("facts stated"), default=dict, blank=True, editable=False)
    definitions = models.JSONField(default=dict, blank=True, editable=False)
    corrects = models.OneToOneField(
        "self",
        verbose_name=_("corrects"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrected_by",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    ready_at = models.DateTimeField(_("ready for signature"), null=True, blank=True)
    signed_at = models.DateTimeField(_("signed"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("withdrawn by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    withdrawal_reason = models.CharField(_("why it was withdrawn"), max_length=300, blank=True)
    cosigned_at = models.DateTimeField(_("co-signed"), null=True, blank=True)
    cosigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("co-signed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The PDF, rendered once by a worker (reports.services.letter_render), then kept as is.
    render_started_at = models.DateTimeField(null=True, blank=True, editable=False)
    rendered_at = models.DateTimeField(_("rendered"), null=True, blank=True, editable=False)
    pdf = models.BinaryField(null=True, blank=True, editable=False)
    pdf_sha256 = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("letter")
        verbose_name_plural = _("letters")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # What an event sets off exists once (a withdrawn letter included: someone decided
            # it goes out no more): one periodic report per mandate and period, one notice per
            # session, one letter per compliance alert, one acceptance, stopping or end of
            # treatment per mandate and episode of care.
            models.UniqueConstraint(
                fields=["kind", "mandate", "period_start"],
                condition=Q(kind="periodic_report", corrects__isnull=True),
                name="letter_periodic_once",
                violation_error_code=DRAFTED_ALREADY,
                violation_error_message=_(
                    "The follow-up report on this mandate for this period exists already: "
                    "open it from the patient's letters. It goes to every recipient at once."
                ),
            ),
            models.UniqueConstraint(
                fields=["kind", "attendance"],
                condition=Q(attendance__isnull=False, corrects__isnull=True),
                name="letter_absence_notice_once",
                violation_error_code=DRAFTED_ALREADY,
                violation_error_message=_(
                    "This letter about that session exists already: open it from the "
                    "patient's letters."
                ),
            ),
            models.UniqueConstraint(
                fields=["alert"],
                condition=Q(alert__isnull=False, corrects__isnull=True),
                name="letter_alert_once",
                violation_error_code=DRAFTED_ALREADY,
                violation_error_message=_("The letter this alert set off exists already."),
            ),
            models.UniqueConstraint(
                fields=["kind", "mandate", "episode"],
                condition=Q(episode__isnull=False, corrects__isnull=True),
                name="letter_episode_once",
                violation_error_code=DRAFTED_ALREADY,
                violation_error_message=_(
                    "This letter exists already for this mandate and episode of care: open it "
                    "from the patient's letters."
                ),
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "ready", "withdrawn"])
                | Q(signed_at__isnull=False),
                name="letter_signed_has_signature",
                violation_error_message=_("A signed letter carries the date of its signature."),
            ),
        ]
        indexes = [
            models.Index(fields=["patient", "-created_at"], name="letter_patient"),
            # the dashboard and the to-do list: letters not sent yet, by due date
            models.Index(
                fields=["due_on"],
                condition=~Q(status__in=["sending", "sent", "withdrawn"]),
                name="letter_open_by_due",
            ),
            # the clinical lead's home: serious-risk alerts waiting for the co-signature
            models.Index(
                fields=["signed_at"],
                condition=Q(status="signed", cosigned_at__isnull=True, kind="serious_risk"),
                name="letter_awaiting_cosignature",
            ),
            models.Index(fields=["status", "-signed_at"], name="letter_status"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.get_kind_display()}"

    # What may still be written once a letter is signed: its co-signature, its PDF (once), and
    # its status (sent). The PostgreSQL trigger (migration 0002) holds the same rule.
    AFTER_SIGNING = frozenset(
        {"cosigned_at", "cosigned_by", "render_started_at", "rendered_at", "pdf", "pdf_sha256"}
        | {"status"}
    )

    def save(self, *args, **kwargs):
        if self.pk:
            signed = Letter.objects.filter(pk=self.pk, signed_at__isnull=False).exists()
            fields = kwargs.get("update_fields")
            if signed and (fields is None or not set(fields) <= self.AFTER_SIGNING):
                raise SignedLetterError("A signed letter is final: write a correction.")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("reports:detail", args=[self.patient_id, self.pk])

    def delete(self, *args, **kwargs):
        raise SignedLetterError("Letters are kept.")

    @property
    def type(self) -> catalogue.LetterType:
        return catalogue.get(self.kind)

    @property
    def reference(self) -> str:
        """The clinic's reference, stable from creation: year and number."""
        return f"{self.created_at:%Y}/L{self.pk:05d}" if self.pk and self.created_at else ""

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None

    @property
    def is_fully_signed(self) -> bool:
        return self.is_signed and (not self.type.needs_cosignature or bool(self.cosigned_at))

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.READY)

    @property
    def recipient(self) -> str:
        """The addressee: the first recipient (the others receive a copy)."""
        return self.recipients[0] if self.recipients else ""

    def get_recipient_display(self) -> str:
        return catalogue.Recipient.label(self.recipient)

    @property
    def recipients_display(self) -> str:
        return ", ".join(catalogue.Recipient.label(code) for code in self.recipients)

    @property
    def waits_for_cosignature(self) -> bool:
        return self.is_signed and not self.is_fully_signed

    @property
    def state(self) -> str:
        """Where it stands, as people say it: a serious-risk alert signed once is waiting for
        its co-signature, not "Signed"."""
        if self.waits_for_cosignature:
            return str(_("Waiting for co-signature"))
        return str(self.get_status_display())

    @property
    def pdf_filename(self) -> str:
        return f"{self.reference.replace('/', '-')}.pdf"

    def pdf_matches(self) -> bool:
        return bool(self.pdf) and hashlib.sha256(bytes(self.pdf)).hexdigest() == self.pdf_sha256


class Dispatch(models.Model):
    """How and when a signed letter went out, and by whom."""

    class Channel(models.TextChoices):
        POST = "post", _("Post")
        EMAIL = "email", _("E-mail")
        HANDED = "handed", _("Handed to the patient")
        OTHER = "other", _("Other")

    letter = models.ForeignKey(
        Letter, verbose_name=_("letter"), on_delete=models.PROTECT, related_name="dispatches"
    )
    recipient = models.CharField(_("recipient"), max_length=30, choices=catalogue.Recipient.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    to = models.CharField(
        _("to"), max_length=300, blank=True, help_text=_("An address, an e-mail address...")
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # By e-mail, the message in the outbox (common.outbox): sent_at is set when it has left.
    message = models.OneToOneField(
        OutboxMessage, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("dispatch")
        verbose_name_plural = _("dispatches")
        ordering = ["-recorded_at"]

    def __str__(self) -> str:
        return f"{self.letter} — {self.get_channel_display()}"


class LetterBatch(models.Model):
    """Every periodic report due in a month, drafted in one action by a worker; the page that
    asked follows its progress."""

    month = models.DateField(_("month"))  # its first day
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    drafted = models.PositiveIntegerField(default=0)  # new drafts (the others existed already)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("batch of letters")
        verbose_name_plural = _("batches of letters")
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} ({self.done}/{self.total})"

    @property
    def percent(self) -> int:
        return 100 if not self.total else round(100 * self.done / self.total)
