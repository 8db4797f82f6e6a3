"""What stops a letter from being signed: nothing contradictory or empty leaves the clinic.

`problems(letter)` lists, in the words the page shows, what must change before the letter can
be signed; `letter_sign` refuses while the list is not empty, and the letter's page shows it
beside the button. Each rule says why: most come from the letter's own promise (an end of
treatment names the day it ended), some from the law (who receives it, whom a serious risk may
be told about).
"""

import datetime

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from casework.models import CareStage, Episode
from reports import catalogue
from reports.rendering import recipient_block


def _day(value: datetime.date) -> str:
    return formats.date_format(value, "DATE_FORMAT")


def _episode(letter) -> Episode | None:
    if letter.episode_id:
        return letter.episode
    return (
        Episode.objects.filter(patient_id=letter.patient_id)
        .order_by("-referral_received_on", "-pk")
        .first()
    )


def _period(letter, today: datetime.date) -> list[str]:
    if not (letter.period_start and letter.period_end):
        return []
    if letter.kind == "periodic_report" and letter.period_end >= today:
        # A report signed before its period ends would state sessions still to come.
        return [
            _(
                "The period this report covers ends on %(end)s: it is signed from %(from)s, "
                "once every session of the period has taken place."
            )
            % {
                "end": _day(letter.period_end),
                "from": _day(letter.period_end + datetime.timedelta(days=1)),
            }
        ]
    if letter.period_end > today:
        return [_("The period ends in the future: a letter reports on what has happened.")]
    return []


def _recipients(letter) -> list[str]:
    """Every recipient is known, and the addressee has a postal address (the drafting services
    already hold the recipients to those the law names)."""
    problems = []
    for position, code in enumerate(letter.recipients):
        block = recipient_block(letter, code)
        if not block["name"]:
            problems.append(
                _("%(who)s is not recorded on the mandate: record them, or take them off.")
                % {"who": catalogue.Recipient.label(code)}
            )
        elif position == 0 and not block["address_lines"]:
            problems.append(
                _("No postal address is on file for %(name)s, to whom the letter is addressed.")
                % {"name": block["name"]}
            )
    return problems


def _episode_closed(letter) -> list[str]:
    episode = _episode(letter)
    if episode is None or episode.stage != CareStage.CLOSED:
        return [
            _(
                "The episode of care is still open: close it first, with its reason, since "
                "the letter states when and why the treatment ended."
            )
        ]
    stopped = episode.exit_reason == Episode.ExitReason.STOPPED_BY_PATIENT
    if letter.kind == "stopping" and not stopped:
        return [
            _(
                "The episode of care was closed as “%(reason)s”: a letter saying the patient "
                "stopped on their own would contradict it. Withdraw it, or write the end of "
                "treatment instead."
            )
            % {"reason": episode.get_exit_reason_display()}
        ]
    return []


def _the_session(letter) -> list[str]:
    attendance = letter.attendance
    if attendance is None:
        return []
    outcome = attendance.outcome
    if letter.kind == "unjustified_absence" and not (
        outcome and outcome.enforceable and not outcome.counts_as_attended
    ):
        return [
            _(
                "The session's outcome is no longer an unjustified absence (%(outcome)s): the "
                "notice no longer holds. Withdraw it."
            )
            % {"outcome": outcome or _("no outcome")}
        ]
    return []


def _paragraph(letter) -> list[str]:
    """A difficulty or a serious risk is told in the clinician's words: without them the
    letter says nothing (a difficulty may instead be told in the session's note)."""
    if letter.paragraph.strip():
        return []
    note = letter.attendance.note_for_authority.strip() if letter.attendance_id else ""
    if letter.kind == "difficulty" and note:
        return []
    return [_("Write the paragraph for the authority: it is what this letter tells.")]


def _risk(letter) -> list[str]:
    if not letter.risk_to:
        return [_("Say whom the risk threatens: third parties, or the patient themself.")]
    framework = letter.mandate.legal_framework if letter.mandate_id else None
    if letter.risk_to == "self" and not (framework and framework.reports_risk_to_self):
        # Only the internment law has a risk to the person themself reported (law of 5 May
        # 2014, art. 57 §5); beyond what a law names, professional secrecy holds (penal code,
        # art. 458).
        return [
            _(
                "A risk to the patient themself is reported under the internment law only "
                "(law of 5 May 2014, art. 57 §5); under this mandate, professional secrecy "
                "holds."
            )
        ]
    return []


def _acceptance(letter) -> list[str]:
    episode = _episode(letter)
    if episode is None or episode.intake_on is None:
        return [_("Record the intake first: the letter states when it took place.")]
    return []


def _request(letter) -> list[str]:
    if letter.request_received_on is None:
        return [_("Give the day the authority's request came in.")]
    return []


BY_KIND = {
    "acceptance": [_acceptance],
    "stopping": [_episode_closed],
    "end_of_treatment": [_episode_closed],
    "unjustified_absence": [_the_session],
    "difficulty": [_paragraph],
    "serious_risk": [_paragraph, _risk],
    "reply_to_request": [_request],
}


def problems(letter, today: datetime.date | None = None) -> list[str]:
    """What must change before the letter can be signed; empty when it may be."""
    today = today or timezone.localdate()
    found = _period(letter, today) + _recipients(letter)
    for check in BY_KIND.get(letter.kind, []):
        found += check(letter)
    return found
