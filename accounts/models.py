from functools import cached_property

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken

from accounts.roles import Role


class User(AbstractUser):
    """A member of the clinic's staff. Patients never log in."""

    language = models.CharField(
        _("language"),
        max_length=10,
        blank=True,
        choices=settings.LANGUAGES,
        help_text=_("The language of the pages on every device. Blank: the browser's language."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["last_name", "first_name", "username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

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


class ApiToken(AbstractAuthToken):
    """A named API token of one user (django-rest-knox): only a digest of it is stored, so a
    copy of the table authenticates no one. Shown once, when created; it expires."""

    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created"]

    def __str__(self) -> str:
        return self.name
