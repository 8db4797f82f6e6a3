"""Follow-up checks: what the clinic learns of a patient's record after (or during) treatment."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from audit.services import Action, record_access
from casework.models import FollowUpCheck, Patient
from casework.permissions import record_follow_up_refusal
from common.permissions import require


@transaction.atomic
def follow_up_check_record(
    *,
    actor,
    patient: Patient,
    checked_on: datetime.date,
    source: str,
    new_offence: bool = False,
    offence_on: datetime.date | None = None,
    kind: str = "",
    category: str = "",
) -> FollowUpCheck:
    """Record a check of the patient's record: no new offence, or one (its date, charge or
    conviction, category). Refused (PermissionDenied) unless the actor keeps the patient's
    frame (permissions.record_follow_up_refusal); nothing is written when a field is wrong."""
    require(record_follow_up_refusal(actor, patient))
    check = FollowUpCheck(
        patient=patient,
        checked_on=checked_on,
        source=source,
        new_offence=new_offence,
        offence_on=offence_on,
        kind=kind,
        category=category,
        recorded_by=actor,
    )
    check.full_clean()
    # Plausible dates (docs/domain.md): nothing of the justice record before the 12th birthday.
    earliest = patient.twelfth_birthday
    for name in ("checked_on", "offence_on"):
        day = getattr(check, name)
        if day is not None and day < earliest:
            raise ValidationError(
                {
                    name: _(
                        "This date comes before the patient's 12th birthday (%(date)s): "
                        "check the date."
                    )
                    % {"date": date_format(earliest, "DATE_FORMAT")}
                }
            )
    check.save()
    record_access(actor=actor, action=Action.CREATE, patient=patient, obj=check)
    return check
