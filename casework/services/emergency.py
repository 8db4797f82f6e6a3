"""Break-the-glass (docs/security.md, "Emergency access")."""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.text import format_lazy
from django.utils.translation import gettext, gettext_lazy

from accounts.roles import Role
from audit.services import Action, record_access
from casework.models import EmergencyAccess, Patient
from casework.permissions import Zone, has_global_access, may_join_care_team
from common import outbox

REASON_MIN_LENGTH = 20


def emergency_access_open(*, actor, file_number: str, reason: str) -> EmergencyAccess:
    """Opens a file the clinician is not treating, read only, for EMERGENCY_ACCESS_HOURS: logged
    as an emergency access, shown on the file, and the clinical lead is told at once."""
    if not may_join_care_team(actor) or has_global_access(actor, Zone.FRAME):
        raise PermissionDenied
    reason = reason.strip()
    if len(reason) < REASON_MIN_LENGTH:
        raise ValidationError(
            {"reason": gettext("Say what the emergency is, in a sentence at least.")}
        )
    patient = Patient.objects.filter(file_number=file_number.strip()).first()
    if patient is None:
        raise ValidationError({"file_number": gettext("No file has this number.")})
    with transaction.atomic():
        access = EmergencyAccess.objects.create(
            patient=patient,
            clinician=actor,
            reason=reason,
            expires_at=timezone.now() + datetime.timedelta(hours=settings.EMERGENCY_ACCESS_HOURS),
        )
        record_access(
            actor=actor,
            action=Action.EMERGENCY,
            patient=patient,
            obj=access,
            label=format_lazy(
                gettext_lazy("Emergency access for {hours} hours"),
                hours=settings.EMERGENCY_ACCESS_HOURS,
            ),
        )
        _tell_the_lead(access)
    return access


def _tell_the_lead(access: EmergencyAccess) -> None:
    """An e-mail to each clinical lead after the commit (the in-app notice is their home page's
    list of accesses to review). The file number and who, never the reason: e-mail leaves the
    clinic."""
    recipients = sorted(
        set(
            get_user_model()
            .objects.filter(is_active=True, groups__name=Role.CLINICAL_LEAD)
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )
    if not recipients:
        return
    with translation.override(settings.LANGUAGE_CODE):
        subject = gettext("Emergency access to file %(file)s") % {
            "file": access.patient.file_number
        }
        body = gettext(
            "%(who)s opened file %(file)s in an emergency, outside its care team, until "
            "%(until)s. Review it from your home page."
        ) % {
            "who": access.clinician,
            "file": access.patient.file_number,
            "until": timezone.localtime(access.expires_at).strftime("%d/%m/%Y %H:%M"),
        }
    # Kept with the access, sent by a worker: the clinician never waits for the mail server.
    outbox.queue(
        to=recipients,
        subject=subject,
        body=body,
        purpose=subject,
    )


def emergency_access_review(*, actor, access: EmergencyAccess, note: str) -> EmergencyAccess:
    if not actor.has_role(Role.CLINICAL_LEAD):
        raise PermissionDenied
    if access.reviewed_at is not None:
        raise ValidationError(gettext("This emergency access has been reviewed already."))
    access.reviewed_at, access.reviewed_by, access.review_note = timezone.now(), actor, note
    access.save(update_fields=["reviewed_at", "reviewed_by", "review_note"])
    return access
