"""The integrity alert: raised when the access log is found altered, shown to the auditor and
the clinical lead and e-mailed to them until one of them marks it dealt with."""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from audit.models import (
    IntegrityAlert,
)


def raise_integrity_alert(problems: list[str]) -> IntegrityAlert:
    """The check failed: an alert on the auditor's and the lead's pages, and an e-mail to each
    of them (after the commit). Row numbers and ranges only, as the check reports them."""
    from django.contrib.auth import get_user_model

    from accounts.roles import Role
    from common import outbox

    alert = IntegrityAlert.objects.create(problems="\n".join(problems))
    recipients = sorted(
        set(
            get_user_model()
            .objects.filter(is_active=True, groups__name__in=[Role.AUDITOR, Role.CLINICAL_LEAD])
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )
    with translation.override(settings.LANGUAGE_CODE):
        subject = gettext("The access log failed its integrity check")
        body = gettext(
            "The nightly check of the access log found problems. Until they are explained, "
            "the log cannot be relied on as evidence. See the access log page.\n\n%(problems)s"
        ) % {"problems": alert.problems}
    if recipients:  # kept with the alert, sent by a worker (common.outbox)
        outbox.queue(to=recipients, subject=subject, body=body, purpose=subject)
    return alert


def open_integrity_alerts() -> list[IntegrityAlert]:
    return list(IntegrityAlert.objects.filter(resolved_at__isnull=True))
