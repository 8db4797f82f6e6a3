"""Writing the helpline's log: a contact, a missed contact, a follow-up code; the daily erasure
of old summaries; the listener's time on the line. Keyword-only, atomic, validated here."""

import datetime
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from common.dates import add_months, day_bounds
from common.permissions import require_that
from helpline.models import (
    CODE_ALPHABET,
    CODE_LENGTH,
    Contact,
    FollowUpCode,
    ProblemTag,
    ReferralService,
    normalise_code,
)
from helpline.permissions import can_log_contacts

# The longest contact the log takes (a chat can last long; ten hours is a typing error).
LONGEST_CONTACT_MINUTES = 600


@dataclass
class Logged:
    contact: Contact
    new_code: str = ""  # a code just given: shown once, to the listener, never kept in clear


def format_code(code: str) -> str:
    """ "K7M2QX" → "K7M-2QX": three and three, easier to say and to write down."""
    code = normalise_code(code)
    return f"{code[:3]}-{code[3:]}"


def _new_code() -> tuple[str, FollowUpCode]:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        digest = FollowUpCode.digest_of(code)
        if not FollowUpCode.objects.filter(digest=digest).exists():
            return code, FollowUpCode.objects.create(digest=digest)


def find_code(code: str) -> FollowUpCode | None:
    cleaned = normalise_code(code)
    if len(cleaned) != CODE_LENGTH:
        return None
    return FollowUpCode.objects.filter(digest=FollowUpCode.digest_of(cleaned)).first()


def _started(started_at: datetime.datetime | None) -> datetime.datetime:
    """When the contact began, to the minute (no finer: a time to the second could be matched
    against a phone bill). A time in the future or more than a day back is a mistake."""
    now = timezone.now()
    if started_at is None:
        started_at = now
    if started_at > now + datetime.timedelta(minutes=1):
        raise ValidationError({"started_at": _("The contact cannot start in the future.")})
    if started_at < now - datetime.timedelta(days=1):
        raise ValidationError(
            {"started_at": _("Log a contact on the day it happens: this is over a day ago.")}
        )
    return started_at.replace(second=0, microsecond=0)


@transaction.atomic
def contact_log(
    *,
    actor,
    channel: str,
    started_at: datetime.datetime | None = None,
    duration_minutes: int = 0,
    hung_up: bool = False,
    repeat: bool = False,
    caller_type: str = "",
    tags: list[ProblemTag] | tuple = (),
    referral: ReferralService | None = None,
    summary: str = "",
    give_code: bool = False,
    code: str = "",
) -> Logged:
    """Log an answered contact. A caller's follow-up code links it to their earlier contacts
    (and makes it a repeat contact); `give_code` makes a new code, returned once."""
    require_that(can_log_contacts(actor))
    errors = {}
    if channel not in Contact.Channel.values:
        errors["channel"] = _("Choose the channel.")
    if caller_type and caller_type not in Contact.CallerType.values:
        errors["caller_type"] = _("Choose who is calling.")
    if not 0 <= duration_minutes <= LONGEST_CONTACT_MINUTES:
        errors["duration_minutes"] = _("A contact lasts between 0 and %(most)d minutes.") % {
            "most": LONGEST_CONTACT_MINUTES
        }
    follow_up = None
    if code.strip():
        follow_up = find_code(code)
        if follow_up is None:
            errors["code"] = _("No contact has this code: check it with the caller.")
        elif give_code:
            errors["give_code"] = _("The caller already has a code.")
    if referral is not None and not referral.is_active:
        errors["referral"] = _("This kind of service is no longer offered.")
    if errors:
        raise ValidationError(errors)
    new_code = ""
    if give_code:
        new_code, follow_up = _new_code()
    contact = Contact.objects.create(
        channel=channel,
        started_at=_started(started_at),
        duration_minutes=duration_minutes,
        hung_up=hung_up,
        repeat=repeat or (follow_up is not None and not give_code),
        caller_type=caller_type,
        referral=referral,
        summary=summary.strip(),
        follow_up=follow_up,
        listener=actor,
    )
    contact.tags.set(tags)
    return Logged(contact=contact, new_code=format_code(new_code) if new_code else "")


@transaction.atomic
def contact_missed(*, actor, channel: str) -> Contact:
    """One click: a call (or chat) nobody could answer, now."""
    require_that(can_log_contacts(actor))
    if channel not in Contact.Channel.values:
        raise ValidationError({"channel": _("Choose the channel.")})
    return Contact.objects.create(
        channel=channel, started_at=_started(None), missed=True, listener=actor
    )


def erase_old_summaries(*, today: datetime.date | None = None) -> int:
    """Erase the free text of contacts older than HELPLINE_SUMMARY_MONTHS; the structured
    fields stay for the statistics. Idempotent: an erased summary is empty."""
    today = today or timezone.localdate()
    cutoff = add_months(today, -settings.HELPLINE_SUMMARY_MONTHS)
    before, _end = day_bounds(cutoff)
    return (
        Contact.objects.filter(started_at__lt=before)
        .exclude(summary="")
        .update(summary="", summary_erased_at=timezone.now())
    )


@dataclass
class Shift:
    minutes: int  # on the line today
    limit: int  # HELPLINE_BREAK_AFTER_MINUTES

    @property
    def break_due(self) -> bool:
        return self.minutes >= self.limit


def shift_of(user, *, today: datetime.date | None = None) -> Shift:
    """The listener's time on the line today: the contacts they answered, added up."""
    today = today or timezone.localdate()
    start, end = day_bounds(today)
    minutes = (
        Contact.objects.filter(listener=user, started_at__gte=start, started_at__lt=end)
        .answered()
        .aggregate(total=Sum("duration_minutes"))["total"]
    )
    return Shift(minutes=minutes or 0, limit=settings.HELPLINE_BREAK_AFTER_MINUTES)
