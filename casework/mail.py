"""E-mail to clinicians: in their own language, with the link to their to-do list."""

from collections.abc import Callable

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import translation


def mail_clinician(clinician, compose: Callable[[], tuple[str, str, list[str]]]) -> None:
    """Send what `compose()` writes — (subject, intro, lines) — in the clinician's language:
    compose runs under it, so its gettext and ngettext speak that language."""
    with translation.override(clinician.language or settings.LANGUAGE_CODE):
        subject, intro, lines = compose()
        body = "\n\n".join([intro, "\n".join(lines), settings.SITE_URL + reverse("workspace:todo")])
        send_mail(subject, body, None, [clinician.email])
