"""The period a letter counts sessions over: how a draft sets it, and which sessions it takes.

The periodic report's periods come from the mandate's schedule (casework.reporting), which
follows each framework's law. The others are set here, from the event that sets the letter off.
The law (docs/letters.md names the article behind each letter) asks for the letter, not for the
period it counts: these spans are the clinic's convention, not a legal rule:

- a notice (an unjustified absence, a difficulty) counts the year up to the session;
- the stopping letter lists the last year of the treatment; the end of treatment counts the
  whole treatment;
- each only from the start of the measure.

Every letter that states sessions or counters takes them from `sessions_of(letter)`, and so
does the mark a sent letter leaves on the outcomes it reported: what a letter stated and what it
marks as reported are the same sessions.
"""

import datetime

from django.db.models import Q

from casework.models import Episode, Mandate
from reports import catalogue

YEAR = datetime.timedelta(days=365)


def notice_period(mandate: Mandate, day: datetime.date, kind: str) -> dict:
    """The period of a notice about the session of `day`, for the letters that state one: the
    year up to the session, from the start of the measure at most. Empty for the others."""
    if catalogue.PERIOD not in catalogue.get(kind).facts:
        return {}
    return {
        "period_start": max(mandate.starts_on, day - YEAR),
        "period_end": max(mandate.starts_on, day),
    }


def closing_period(mandate: Mandate, episode: Episode, *, stopped: bool) -> dict:
    """The period of the letter a closed episode sets off: the whole treatment under the
    mandate, or its last year when the patient stopped."""
    closed = episode.closed_on
    start = max(mandate.starts_on, episode.intake_on or episode.referral_received_on)
    if stopped:
        start = max(start, closed - YEAR)
    return {"period_start": min(start, closed), "period_end": closed}


def sessions_of(letter) -> Q:
    """The attendances of the letter's period (by the session's day, both ends included); none
    for a letter without a period."""
    if not (letter.period_start and letter.period_end):
        return Q(pk__in=[])
    return Q(
        appointment__starts_at__date__gte=letter.period_start,
        appointment__starts_at__date__lte=letter.period_end,
    )
