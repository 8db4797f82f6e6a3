"""E-mail to clinicians: in their own language, with the link to their to-do list, through the
outbox (common.outbox): kept with the caller's transaction, sent by a worker."""

from collections.abc import Callable

from django.conf import settings
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
