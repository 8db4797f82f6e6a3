"""Signals other apps listen to; accounts imports none of them (pyproject.toml's contracts)."""

from django.db import models
from django.dispatch import Signal
from django.utils.translation import gettext_lazy as _


class Reason(models.TextChoices):
    """Why every credential of an account ended (accounts.sessions.end_all_credentials)."""

    LOG_OUT_EVERYWHERE = "log_out_everywhere", _("logged out everywhere")
    PASSWORD_CHANGED = "password_changed", _("password changed")
    PASSWORD_RESET = "password_reset", _("password reset")
    SECOND_FACTOR_RESET = "second_factor_reset", _("second factor reset")
    DEACTIVATED = "deactivated", _("account deactivated")


# Sent once every session and API token of a user has ended (kwargs: user, actor, reason, a
# Reason). Other bearer credentials end on it: the calendar link (casework.receivers); the
# access log records it (audit.receivers).
credentials_ended = Signal()
