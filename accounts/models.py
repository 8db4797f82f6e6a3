import datetime
from functools import cached_property

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken, AuthTokenManager

from accounts.roles import Role


def display_name(first_name: str, last_name: str, username: str) -> str:
    """How the pages name a user (`User.__str__`), from plain values: a list of many users
    can read the three columns instead of an instance each."""
    return f"{first_name} {last_name}".strip() or username


class User(AbstractUser):
    """A member of the clinic's staff. Patients never log in."""

    language = models.CharField(
        _("language"),
        max_length=10,
        blank=True,
        choices=settings.LANGUAGES,
        help_text=_("The language of the pages on every device. Blank: the browser's language."),
    )

    # Raised to end every session of the user at once (accounts.sessions): it is part of the
    # hash each session carries, so older sessions no longer match.
    session_generation = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["last_name", "first_name", "username"]

    def __str__(self) -> str:
        return display_name(self.first_name, self.last_name, self.username)

    @cached_property
    def roles(self) -> list[Role]:
        """The user's roles, most privileged first (Role's declaration order)."""
        names = set(self.groups.values_list("name", flat=True)) if self.pk else set()
        return [role for role in Role if role.value in names]

    @property
    def role(self) -> Role | None:
        """The primary role: it picks the home page and is written into the access log."""
        return self.roles[0] if self.roles else None

    def has_role(self, role: Role) -> bool:
        return role in self.roles

    def save(self, *args, **kwargs):
        """The session generation is only ever raised by an UPDATE (accounts.sessions): a save of
        an instance read earlier must not put back an older generation, reviving sessions that
        were ended."""
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name != "session_generation"
            ]
        super().save(*args, **kwargs)

    def _get_session_auth_hash(self, secret=None):
        """Django's session hash (from the password), with the session generation mixed in."""
        return salted_hmac(
            "accounts.User.get_session_auth_hash",
            f"{self.password}:{self.session_generation}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()


# A token's last use is written at most this often: not one write per API request.
LAST_USE_GRANULARITY = datetime.timedelta(seconds=60)


class ApiTokenQuerySet(models.QuerySet):
    def unused(self):
        """Tokens not used for API_TOKEN_IDLE_DAYS (counted from their creation if never
        used), and tokens past their expiry: they authenticate no one."""
        now = timezone.now()
        since = now - datetime.timedelta(days=settings.API_TOKEN_IDLE_DAYS)
        return self.filter(
            Q(last_used_at__lt=since)
            | Q(last_used_at__isnull=True, created__lt=since)
            | Q(expiry__lt=now)
        )


class ApiToken(AbstractAuthToken):
    """A named API token of one user (django-rest-knox): only a digest of it is stored, so a
    copy of the table authenticates no one. Shown once, when created; it expires, and stops
    working once unused for API_TOKEN_IDLE_DAYS."""

    name = models.CharField(_("name"), max_length=100)
    # To the minute or so (LAST_USE_GRANULARITY); empty: never used.
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)

    objects = AuthTokenManager.from_queryset(ApiTokenQuerySet)()  # knox's create()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created"]

    def __str__(self) -> str:
        return self.name

    def is_idle(self) -> bool:
        """Unused for API_TOKEN_IDLE_DAYS, counted from its creation if never used."""
        last = self.last_used_at or self.created
        return timezone.now() - last > datetime.timedelta(days=settings.API_TOKEN_IDLE_DAYS)

    def note_use(self) -> None:
        """Its last use is now, written if the one kept is older than LAST_USE_GRANULARITY."""
        now = timezone.now()
        if self.last_used_at is None or now - self.last_used_at >= LAST_USE_GRANULARITY:
            type(self).objects.filter(pk=self.pk).update(last_used_at=now)
            self.last_used_at = now
