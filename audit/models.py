"""The access log: who touched which patient's data, when, and how. Append-only.

A row reads on its own: it keeps the identifiers it needs as text written at the time (the
patient's id and file number, the object's type and id, a readable label), so that it outlives
the records it names and the log depends on no other part of the application.

Every row carries, from its insertion, a keyed MAC of its content (AUDIT_CHAIN_KEY, kept out of
the database). The sealer chains only rows whose MAC holds; a row someone inserted in the
database without the key is rejected, never sealed (seq < 0). See docs/operations.md.
"""

import datetime
import hmac

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role


class AppendOnlyError(Exception):
    pass


class AccessEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("The access log is append-only.")

    def delete(self):
        raise AppendOnlyError("The access log is append-only.")

    def sealed(self):
        return self.filter(seq__gt=0)

    def unsealed(self):
        return self.filter(seq__isnull=True)

    def rejected(self):
        """Rows whose MAC did not hold when the sealer met them: not written by the app."""
        return self.filter(seq__lt=0)

    def about_patient(self, patient_id: int):
        """Every event about this patient: their own, and the listings that showed them."""
        listed = AccessEventPatient.objects.filter(patient_id=patient_id).values("event_id")
        return self.filter(Q(patient_id=patient_id) | Q(pk__in=listed))


class AccessEvent(models.Model):
    class Action(models.TextChoices):
        VIEW = "view", _("Viewed")
        LIST = "list", _("Seen in a list")
        CREATE = "create", _("Created")
        UPDATE = "update", _("Updated")
        DELETE = "delete", _("Deleted")
        EXPORT = "export", _("Exported")
        PRINT = "print", _("Printed")
        SEND = "send", _("Sent")
        DENIED = "denied", _("Denied")
        LOGIN = "login", _("Logged in")
        LOGOUT = "logout", _("Logged out")
        LOGIN_FAILED = "login_failed", _("Failed login")
        EMERGENCY = "emergency", _("Emergency access opened")
        REBASELINE = "rebaseline", _("Re-baselined after a restore")

    occurred_at = models.DateTimeField(_("time"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # For a failed login: the name that was tried.
    username = models.CharField(_("user name"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=32, blank=True)
    # The patient the event is about, as identifiers: no foreign key, so that the log outlives
    # a record destroyed at the end of its retention period.
    patient_id = models.BigIntegerField(_("patient id"), null=True, blank=True)
    file_number = models.CharField(_("file number"), max_length=20, blank=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    label = models.CharField(_("what"), max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    # A listing: the ids of the patients it showed, sorted, comma-separated (covered by the
    # MAC); AccessEventPatient indexes them for "who saw this patient".
    patient_ids = models.TextField(blank=True)
    request_id = models.CharField(_("request id"), max_length=32, blank=True)
    client_address = models.GenericIPAddressField(_("client address"), null=True, blank=True)
    # Unique per row and covered by the MAC: a copy of a genuine row is not a genuine row.
    nonce = models.CharField(max_length=32, unique=True)
    mac = models.CharField(max_length=64)
    # The chain, filled by the sealer: seq > 0 sealed, seq < 0 rejected, NULL pending.
    seq = models.BigIntegerField(_("sequence"), null=True, blank=True, unique=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, blank=True)

    objects = AccessEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("access event")
        verbose_name_plural = _("access events")
        ordering = ["-pk"]
        indexes = [
            # the auditor's page and "who accessed this file": newest first by id (keyset)
            models.Index(fields=["patient_id", "-id"], name="access_patient"),
            models.Index(fields=["user", "-id"], name="access_user"),
            models.Index(fields=["-occurred_at"], name="access_time"),
            models.Index(fields=["file_number"], name="access_file_number"),
            models.Index(fields=["id"], condition=Q(seq__isnull=True), name="access_unsealed"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.username} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("The access log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The access log is append-only.")

    @property
    def role_label(self) -> str:
        return Role(self.role).label if self.role in Role.values else self.role

    @property
    def listed_count(self) -> int:
        return len(self.patient_ids.split(",")) if self.patient_ids else 0

    @property
    def is_rejected(self) -> bool:
        return self.seq is not None and self.seq < 0

    def content(self) -> tuple:
        return tuple(getattr(self, name) for name in CONTENT)


class AccessEventPatient(models.Model):
    """A patient shown by a listing: the index behind "who saw this patient". Derived from
    AccessEvent.patient_ids, which the MAC covers; audit_verify --full checks they agree."""

    event = models.ForeignKey(AccessEvent, on_delete=models.PROTECT, related_name="+")
    patient_id = models.BigIntegerField()

    class Meta:
        verbose_name = _("patient in a listing")
        verbose_name_plural = _("patients in listings")
        constraints = [
            models.UniqueConstraint(
                fields=["patient_id", "event"],
                name="access_listed_once",
                violation_error_message=_("This patient is listed in this access event already."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.event_id}: {self.patient_id}"


# What the MAC covers, in this order (identity, who, about whom, what, where from).
CONTENT = (
    "nonce",
    "occurred_at",
    "user_id",
    "username",
    "role",
    "patient_id",
    "file_number",
    "object_type",
    "object_id",
    "label",
    "action",
    "patient_ids",
    "request_id",
    "client_address",
)


def _key() -> bytes:
    return settings.AUDIT_CHAIN_KEY.encode()


_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
_MICROSECOND = datetime.timedelta(microseconds=1)


def epoch_microseconds(moment: datetime.datetime) -> int:
    """A moment as the MAC writes it: exact, the same from every database driver."""
    return (moment - _EPOCH) // _MICROSECOND


def content_mac(content: tuple, key: bytes | None = None) -> str:
    """The keyed MAC of a row's content (values in CONTENT's order), as the app writes it.
    The time may come as a datetime or already as epoch microseconds (the fast verifier)."""
    message = "\x1f".join(
        ""
        if value is None
        else str(epoch_microseconds(value))
        if isinstance(value, datetime.datetime)
        else str(value)
        for value in content
    ).encode()
    return hmac.digest(key or _key(), message, "sha256").hex()


def link_hash(seq: int, prev_hash: str, mac: str, key: bytes | None = None) -> str:
    """The chain: each sealed row's hash binds its place, its predecessor and its content."""
    message = f"{seq}\x1f{prev_hash}\x1f{mac}".encode()
    return hmac.digest(key or _key(), message, "sha256").hex()


class IntegrityAlert(models.Model):
    """The nightly check found the access log altered or broken: shown to the auditor and the
    clinical lead (and e-mailed to them) until one of them marks it dealt with."""

    found_at = models.DateTimeField(_("found"), auto_now_add=True)
    problems = models.TextField(_("problems"))
    resolved_at = models.DateTimeField(_("dealt with"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("access log integrity alert")
        verbose_name_plural = _("access log integrity alerts")
        ordering = ["-found_at"]

    def __str__(self) -> str:
        return f"{self.found_at:%Y-%m-%d %H:%M}"
