"""The access log: who touched which patient's data, when, and how. Append-only.

Rows are inserted inside the transaction of the work they describe, so a change and its log
entry commit or vanish together, and writers never wait for each other. A sealer then chains
committed rows one after the other (seq, prev_hash, hash); `manage.py audit_verify` walks the
chain. On PostgreSQL a trigger refuses any UPDATE or DELETE except the sealing of a fresh row.
"""

import datetime
import hashlib
import hmac
import json

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
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
        return self.filter(seq__isnull=False)

    def unsealed(self):
        return self.filter(seq__isnull=True)


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
        LOGIN = "login", _("Logged in")
        LOGOUT = "logout", _("Logged out")
        LOGIN_FAILED = "login_failed", _("Failed login")

    occurred_at = models.DateTimeField(_("time"), default=timezone.now)
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
    patient = models.ForeignKey(
        "casework.Patient",
        verbose_name=_("patient"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    request_id = models.CharField(_("request id"), max_length=32, blank=True)
    client_address = models.GenericIPAddressField(_("client address"), null=True, blank=True)
    # The chain, filled by the sealer.
    seq = models.BigIntegerField(_("sequence"), null=True, blank=True, unique=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, blank=True)

    objects = AccessEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("access event")
        verbose_name_plural = _("access events")
        ordering = ["-occurred_at", "-pk"]
        indexes = [
            models.Index(fields=["patient", "-occurred_at"], name="access_patient_time"),
            models.Index(fields=["user", "-occurred_at"], name="access_user_time"),
            models.Index(fields=["-occurred_at"], name="access_time"),
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

    def compute_hash(self) -> str:
        """HMAC of the row's content and its predecessor's hash, under AUDIT_CHAIN_KEY."""
        content = [
            self.seq,
            self.pk,
            self.occurred_at.astimezone(datetime.UTC).isoformat(),
            self.user_id,
            self.username,
            self.role,
            self.patient_id,
            self.object_type,
            self.object_id,
            self.action,
            self.request_id,
            self.client_address,
            self.prev_hash,
        ]
        message = json.dumps(content, separators=(",", ":")).encode()
        return hmac.new(settings.AUDIT_CHAIN_KEY.encode(), message, hashlib.sha256).hexdigest()
