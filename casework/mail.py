"""E-mail to clinicians: in their own language, with the link to their to-do list, through the
outbox (common.outbox): kept with the caller's transaction, sent by a worker."""

from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import translation

from common import outbox


def mail_clinician(
    clinician, compose: Callable[[], tuple[str, str, list[str]]], *, purpose: str
) -> None:
    """Queue what `compose()` writes — (subject, intro, lines) — in the clinician's language:
    compose runs under it, so its gettext and ngettext speak that language. `purpose` says
    what it is (no health content), for the list of unsent messages."""
    if not clinician.email:
        return
    with translation.override(clinician.language or settings.LANGUAGE_CODE):
        subject, intro, lines = compose()
        body = "\n\n".join([intro, "\n".join(lines), settings.SITE_URL + reverse("workspace:todo")])
    outbox.queue(
        to=[clinician.email],
        subject=subject,
        body=body,
        purpose=f"{purpose} — {clinician.get_username()}",
    )


def mail_clinician_once_a_day(
    reminders, clinician, day, *, defaults: dict, compose, purpose: str
) -> bool:
    """The day's reminder (a row of `reminders`, one per clinician and day) and its message,
    kept together or not at all: a reminder is never marked sent while its message is lost,
    and a second run the same day sends nothing. Returns whether a message was queued."""
    with transaction.atomic():
        _reminder, created = reminders.objects.get_or_create(
            clinician=clinician, sent_on=day, defaults=defaults
        )
        if not (created and clinician.email):
            return False
        mail_clinician(clinician, compose, purpose=purpose)
    return True
