"""Break-the-glass (docs/security.md, "Emergency access")."""

import collections
import datetime
import re
from typing import cast

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.text import format_lazy
from django.utils.translation import gettext, gettext_lazy

from accounts.roles import Role
from audit.services import Action, record_access
from casework import permissions
from casework.models import EmergencyAccess, Patient
from casework.models.patients import FILE_NUMBER_SHAPE
from common import outbox
from common.dates import day_bounds
from common.permissions import require_that

REASON_MIN_WORDS = 5
REASON_MIN_DISTINCT_WORDS = 4
_WORD = re.compile(r"[^\W\d_]{2,}")  # two letters or more, in any alphabet, accents included


def names_a_situation(reason: str) -> bool:
    """Whether an emergency's reason describes a situation rather than filling the field: at
    least REASON_MIN_WORDS words of two letters or more, at least REASON_MIN_DISTINCT_WORDS of
    them different (case aside), and no single character making half the text or more (spaces
    aside). "aaaaaaaaaaaaaaaaaaaaaaaa", "urgent urgent urgent urgent urgent" and "asdf qwer"
    fail; "Patient called the helpline in crisis, treating psychologist is on leave" passes,
    as does a sentence in French or Dutch. A determined clinician can still write nonsense:
    the lead reads every reason."""
    words = [word.casefold() for word in _WORD.findall(reason)]
    if len(words) < REASON_MIN_WORDS or len(set(words)) < REASON_MIN_DISTINCT_WORDS:
        return False
    characters = [character.casefold() for character in reason if not character.isspace()]
    (_most, count), *_ = collections.Counter(characters).most_common(1)
    return count * 2 < len(characters)


def emergency_access_open(*, actor, file_number: str, reason: str) -> EmergencyAccess:
    """Opens a file the clinician is not treating, read only, for EMERGENCY_ACCESS_HOURS: logged
    as an emergency access, shown on the file, and the clinical lead is told at once.

    Beyond EMERGENCY_ACCESSES_PER_DAY accesses the clinician asked for since the clinic's local
    midnight, or for a file number no file has, nothing opens: the access is a request the
    clinical lead approves or refuses (emergency_request_decide). Both are answered alike. Under
    the limit an existing number opens at once, so a request answered there does tell that the
    number is unknown: at most EMERGENCY_ACCESSES_PER_DAY such probes a day, each one reported
    to the lead (docs/security.md)."""
    require_that(permissions.can_break_glass(actor))
    reason, file_number = reason.strip(), file_number.strip()
    if not names_a_situation(reason):
        raise ValidationError(
            {
                "reason": gettext(
                    "Say what the emergency is, in a sentence: what happened and why the file "
                    "cannot wait (at least five different words)."
                )
            }
        )
    if not FILE_NUMBER_SHAPE.fullmatch(file_number):
        # A name typed here would be kept in the chained log and e-mailed: never written.
        raise ValidationError({"file_number": gettext("A file number is written like 2026-0042.")})
    patient = Patient.objects.filter(file_number=file_number).first()
    with transaction.atomic():
        # One at a time per clinician, so that two at once cannot both pass the limit.
        get_user_model().objects.select_for_update().filter(pk=actor.pk).first()
        at_once = patient is not None and _asked_today(actor) < settings.EMERGENCY_ACCESSES_PER_DAY
        access = EmergencyAccess.objects.create(
            patient=patient,
            file_number=file_number,
            clinician=actor,
            reason=reason,
            status=EmergencyAccess.Status.OPENED if at_once else EmergencyAccess.Status.REQUESTED,
            expires_at=_until() if at_once else None,
        )
        if at_once:
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
        else:
            record_access(
                actor=actor,
                action=Action.CREATE,
                patient=patient,
                obj=access,
                label=format_lazy(
                    gettext_lazy(
                        "Emergency access to file {file} requested: awaits the clinical lead"
                    ),
                    file=file_number,
                ),
            )
        _tell_the_lead(access)
    return access


def _asked_today(actor) -> int:
    """The emergency accesses the clinician asked for since the clinic's local midnight, opened
    or not: an unknown number counts too, or under the limit a request would mean "no such
    file"."""
    midnight, _end = day_bounds(timezone.localdate())
    return EmergencyAccess.objects.filter(clinician=actor, opened_at__gte=midnight).count()


def _until() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(hours=settings.EMERGENCY_ACCESS_HOURS)


def _tell_the_lead(access: EmergencyAccess) -> None:
    """An e-mail to each clinical lead, kept with the access (the in-app notice is their home
    page's lists). The file number and who, never the reason: e-mail leaves the clinic."""
    recipients = _emails(
        get_user_model().objects.filter(is_active=True, groups__name=Role.CLINICAL_LEAD)
    )
    if not recipients:
        return
    with translation.override(settings.LANGUAGE_CODE):
        if access.status == EmergencyAccess.Status.OPENED:
            subject = gettext("Emergency access to file %(file)s") % {"file": access.number}
            body = gettext(
                "%(who)s opened file %(file)s in an emergency, outside its care team, until "
                "%(until)s. Review it from your home page."
            ) % {
                "who": access.clinician,
                "file": access.number,
                "until": _ends(access),
            }
        else:
            subject = gettext("Emergency access to file %(file)s awaits your approval") % {
                "file": access.number
            }
            body = gettext(
                "%(who)s asks for emergency access to file %(file)s, outside its care team. "
                "It awaits your approval: approve or refuse it from your home page."
            ) % {"who": access.clinician, "file": access.number}
    # Kept with the access, sent by a worker: the clinician never waits for the mail server.
    outbox.queue(to=recipients, subject=subject, body=body, purpose=subject)


def emergency_request_decide(
    *, actor, access: EmergencyAccess, approve: bool, note: str
) -> EmergencyAccess:
    """The clinical lead approves or refuses an emergency access that awaits approval, with a
    note. Approved, the file opens for the requester for EMERGENCY_ACCESS_HOURS from now (and
    is reviewed afterwards like any other); a request for a number no file has can only be
    refused. The requester is told on their home page and by e-mail (never the reason nor the
    note: e-mail leaves the clinic)."""
    require_that(permissions.can_decide_emergency_requests(actor))
    with transaction.atomic():
        access = EmergencyAccess.objects.select_for_update().get(pk=access.pk)
        if refusal := permissions.emergency_decision_refusal(actor, access):
            raise ValidationError(refusal)
        if approve and access.patient is None:
            raise ValidationError(
                gettext("No file has this number: the request can only be refused.")
            )
        access.decided_at, access.decided_by, access.decision_note = timezone.now(), actor, note
        if approve:
            access.status, access.expires_at = EmergencyAccess.Status.APPROVED, _until()
            record_access(
                actor=actor,
                action=Action.EMERGENCY,
                patient=access.patient,
                obj=access,
                label=format_lazy(
                    gettext_lazy("Approved: emergency access of {who} for {hours} hours"),
                    who=access.clinician,
                    hours=settings.EMERGENCY_ACCESS_HOURS,
                ),
            )
        else:
            access.status = EmergencyAccess.Status.REFUSED
            record_access(
                actor=actor,
                action=Action.UPDATE,
                patient=access.patient,
                obj=access,
                label=format_lazy(
                    gettext_lazy("Refused: emergency access of {who} to file {file}"),
                    who=access.clinician,
                    file=access.number,
                ),
            )
        access.save(
            update_fields=["status", "expires_at", "decided_at", "decided_by", "decision_note"]
        )
        _tell_the_requester(access)
    return access


def _tell_the_requester(access: EmergencyAccess) -> None:
    recipients = _emails(get_user_model().objects.filter(pk=access.clinician_id, is_active=True))
    if not recipients:
        return
    with translation.override(settings.LANGUAGE_CODE):
        subject = gettext("Your emergency access to file %(file)s") % {"file": access.number}
        if access.status == EmergencyAccess.Status.APPROVED:
            body = gettext(
                "%(lead)s approved your emergency access to file %(file)s: it is open to you, "
                "read only, until %(until)s. The file is on your home page."
            ) % {
                "lead": access.decided_by,
                "file": access.number,
                "until": _ends(access),
            }
        else:
            body = gettext(
                "%(lead)s refused your emergency access to file %(file)s. Their note is on "
                "your home page."
            ) % {"lead": access.decided_by, "file": access.number}
    outbox.queue(to=recipients, subject=subject, body=body, purpose=subject)


def _emails(users) -> list[str]:
    return sorted(set(users.exclude(email="").values_list("email", flat=True)))


def _ends(access: EmergencyAccess) -> str:
    """When an open access ends, in the clinic's time. Opened or approved, it has its end: the
    constraint emergency_open_only_when_granted, which mypy cannot see."""
    return timezone.localtime(cast(datetime.datetime, access.expires_at)).strftime("%d/%m/%Y %H:%M")


def emergency_access_review(*, actor, access: EmergencyAccess, note: str) -> EmergencyAccess:
    require_that(permissions.can_review_emergency_accesses(actor))
    if refusal := permissions.emergency_review_refusal(actor, access):
        raise ValidationError(refusal)
    access.reviewed_at, access.reviewed_by, access.review_note = timezone.now(), actor, note
    access.save(update_fields=["reviewed_at", "reviewed_by", "review_note"])
    record_access(
        actor=actor,
        action=Action.UPDATE,
        patient=access.patient,
        obj=access,
        label=gettext_lazy("Emergency access reviewed"),
    )
    return access
