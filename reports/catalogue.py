"""The letters the clinic owes the justice system (docs/domain.md), as plain values.

Each letter type says who receives it, what sets it off, when it is due, who signs, and the
allowlist of facts it may state: a builder (reports.facts) turns the database into exactly those
facts, all from the frame zone. The wording is in the templates (templates/reports/letters/),
which a clinic may override; the delays are settings (LETTER_DELAYS).
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _


class Recipient:
    AUTHORITY = "authority"
    JUSTICE_ASSISTANT = "justice_assistant"
    PATIENT = "patient"

    choices = [
        (AUTHORITY, _("The authority")),
        (JUSTICE_ASSISTANT, _("The justice assistant")),
        (PATIENT, _("The patient")),
    ]


class Trigger:
    INTAKE = "intake"  # the intake was recorded
    ON_REQUEST = "on_request"  # the patient or the authority asks
    PERIODIC = "periodic"  # the mandate's reporting interval
    UNJUSTIFIED_ABSENCE = "unjustified_absence"  # an outcome coded unacceptable absence
    STOPPING = "stopping"  # the patient stops, or the episode closes as stopped
    DIFFICULTY = "difficulty"  # a clinician flags a difficulty
    SERIOUS_RISK = "serious_risk"  # a clinician's decision, co-signed by the clinical lead
    END = "end"  # the episode of care is closed


# The facts a letter may state. Each is computed by reports.facts from the frame zone only.
IDENTITY = "identity"  # file number, name, date of birth
PATIENT_ADDRESS = "patient_address"  # for letters handed or sent to the patient
MANDATE = "mandate"  # authority, legal framework, decision, dates, justice assistant
EPISODE = "episode"  # referral, intake, start of treatment, closing and its reason
PERIOD = "period"  # the period the letter covers
SESSIONS = "sessions"  # the period's sessions with their outcome
ATTENDED = "attended"  # only the sessions attended (a certificate)
COUNTERS = "counters"  # the attendance counters of the period
ABSENCE = "absence"  # the session the notice is about, and its outcome
NOTES_FOR_AUTHORITY = "notes_for_authority"  # what clinicians wrote for the authority
PARAGRAPH = "paragraph"  # the clinician's paragraph for the authority, in this letter
REQUEST = "request"  # the authority's request this letter answers


@dataclass(frozen=True)
class LetterType:
    code: str
    name: str
    recipients: tuple[str, ...]
    trigger: str
    facts: frozenset[str]
    # Days from what sets it off to when it is due; None: no deadline of its own (the periodic
    # report is due on the mandate's schedule).
    delay_days: int | None = None
    # The serious-risk alert needs a second signature, by the clinical lead.
    needs_cosignature: bool = False

    @property
    def delay(self) -> int | None:
        return settings.LETTER_DELAYS.get(self.code, self.delay_days)

    def allows(self, fact: str) -> bool:
        return fact in self.facts


FRAME = frozenset({IDENTITY, MANDATE})

TYPES: dict[str, LetterType] = {
    letter.code: letter
    for letter in (
        LetterType(
            "acceptance",
            _("Acceptance and start of treatment"),
            (Recipient.AUTHORITY, Recipient.JUSTICE_ASSISTANT),
            Trigger.INTAKE,
            FRAME | {EPISODE, PARAGRAPH},
            delay_days=14,
        ),
        LetterType(
            "attendance_certificate",
            _("Attendance certificate"),
            (Recipient.PATIENT,),
            Trigger.ON_REQUEST,
            frozenset({IDENTITY, PATIENT_ADDRESS, PERIOD, ATTENDED}),
            delay_days=7,
        ),
        LetterType(
            "periodic_report",
            _("Periodic follow-up report"),
            (Recipient.JUSTICE_ASSISTANT, Recipient.AUTHORITY),
            Trigger.PERIODIC,
            FRAME | {EPISODE, PERIOD, SESSIONS, COUNTERS, NOTES_FOR_AUTHORITY, PARAGRAPH},
        ),
        LetterType(
            "unjustified_absence",
            _("Notice of an unjustified absence"),
            (Recipient.JUSTICE_ASSISTANT,),
            Trigger.UNJUSTIFIED_ABSENCE,
            FRAME | {ABSENCE, COUNTERS, PERIOD, PARAGRAPH},
            delay_days=0,
        ),
        LetterType(
            "stopping",
            _("Stopping of treatment by the patient"),
            (Recipient.JUSTICE_ASSISTANT, Recipient.AUTHORITY),
            Trigger.STOPPING,
            FRAME | {EPISODE, SESSIONS, COUNTERS, PERIOD, PARAGRAPH},
            delay_days=3,
        ),
        LetterType(
            "difficulty",
            _("Notice of a difficulty"),
            (Recipient.JUSTICE_ASSISTANT,),
            Trigger.DIFFICULTY,
            FRAME | {PARAGRAPH},
            delay_days=7,
        ),
        LetterType(
            "serious_risk",
            _("Serious-risk alert"),
            (Recipient.JUSTICE_ASSISTANT, Recipient.AUTHORITY),
            Trigger.SERIOUS_RISK,
            FRAME | {PARAGRAPH},
            delay_days=0,
            needs_cosignature=True,
        ),
        LetterType(
            "end_of_treatment",
            _("End of treatment"),
            (Recipient.AUTHORITY, Recipient.JUSTICE_ASSISTANT),
            Trigger.END,
            FRAME | {EPISODE, COUNTERS, PERIOD, PARAGRAPH},
            delay_days=14,
        ),
        LetterType(
            "reply_to_request",
            _("Reply to the authority's request"),
            (Recipient.AUTHORITY, Recipient.JUSTICE_ASSISTANT),
            Trigger.ON_REQUEST,
            FRAME | {REQUEST, SESSIONS, COUNTERS, PERIOD, PARAGRAPH},
            delay_days=15,
        ),
    )
}


def get(code: str) -> LetterType:
    return TYPES[code]
