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

    @classmethod
    def label(cls, code: str) -> str:
        return str(dict(cls.choices).get(code, code))


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
SESSION = "session"  # the session a notice is about: date, kind, outcome, note for the authority
NOTES_FOR_AUTHORITY = "notes_for_authority"  # what clinicians wrote for the authority
PARAGRAPH = "paragraph"  # the clinician's paragraph for the authority, in this letter
REQUEST = "request"  # the authority's request this letter answers
RISK = "risk"  # whom a serious risk threatens: third parties, or the patient themself


@dataclass(frozen=True)
class LetterType:
    code: str
    name: str
    # Who receives it by default, the addressee first; the others receive a copy.
    recipients: tuple[str, ...]
    trigger: str
    facts: frozenset[str]
    # Days from what sets it off to when it is due; None: no deadline of its own (the periodic
    # report is due on the mandate's schedule, casework.reporting).
    delay_days: int | None = None
    # The serious-risk alert needs a second signature, by the clinical lead.
    needs_cosignature: bool = False
    # The recipients the law names: the letter is not signed without them.
    required: tuple[str, ...] = ()
    # Where the rule comes from (docs/letters.md has the table).
    source: str = ""

    @property
    def delay(self) -> int | None:
        return settings.LETTER_DELAYS.get(self.code, self.delay_days)

    def allows(self, fact: str) -> bool:
        return fact in self.facts


FRAME = frozenset({IDENTITY, MANDATE})
BOTH = (Recipient.AUTHORITY, Recipient.JUSTICE_ASSISTANT)
ASSISTANT_FIRST = (Recipient.JUSTICE_ASSISTANT, Recipient.AUTHORITY)

# The follow-up report goes "to the commission and to the justice assistant", "within the month"
# after the measure starts, "whenever the service finds it useful" and "at least once every six
# months"; it states attendance, unjustified absences, the patient stopping on their own,
# difficulties and situations of serious risk; the service "informs the commission of an
# interruption" (law of 1 July 1964 on social defence, art. 20 as amended in 2000; the same duty
# in the law of 29 June 1964, art. 9bis, the law of 17 May 2006, and the law of 5 May 2014 on
# internment, art. 57 §5, which adds risk to the person themself).
FOLLOW_UP_LAW = _(
    "law of 29 June 1964, art. 9bis; law of 5 May 2014, art. 57 §5; law of 17 May 2006"
)

TYPES: dict[str, LetterType] = {
    letter.code: letter
    for letter in (
        LetterType(
            "acceptance",
            _("Acceptance and start of treatment"),
            BOTH,
            Trigger.INTAKE,
            FRAME | {EPISODE, PARAGRAPH},
            delay_days=14,
            source=_("cooperation agreements between the federal state and the regions"),
        ),
        LetterType(
            "attendance_certificate",
            _("Attendance certificate"),
            (Recipient.PATIENT,),
            Trigger.ON_REQUEST,
            frozenset({IDENTITY, PATIENT_ADDRESS, PERIOD, ATTENDED}),
            delay_days=7,
            required=(Recipient.PATIENT,),
            source=_("the patient's request"),
        ),
        LetterType(
            "periodic_report",
            _("Periodic follow-up report"),
            BOTH,
            Trigger.PERIODIC,
            FRAME | {EPISODE, PERIOD, SESSIONS, COUNTERS, NOTES_FOR_AUTHORITY, PARAGRAPH},
            required=BOTH,
            source=FOLLOW_UP_LAW,
        ),
        LetterType(
            "unjustified_absence",
            _("Notice of an unjustified absence"),
            ASSISTANT_FIRST,
            Trigger.UNJUSTIFIED_ABSENCE,
            FRAME | {SESSION, COUNTERS, PERIOD, PARAGRAPH},
            delay_days=0,
            required=(Recipient.JUSTICE_ASSISTANT,),
            source=FOLLOW_UP_LAW,
        ),
        LetterType(
            "stopping",
            _("Stopping of treatment by the patient"),
            BOTH,
            Trigger.STOPPING,
            FRAME | {EPISODE, SESSIONS, COUNTERS, PERIOD, PARAGRAPH},
            delay_days=3,
            required=BOTH,
            source=FOLLOW_UP_LAW,
        ),
        LetterType(
            "difficulty",
            _("Notice of a difficulty"),
            ASSISTANT_FIRST,
            Trigger.DIFFICULTY,
            FRAME | {SESSION, PARAGRAPH},
            delay_days=7,
            required=(Recipient.JUSTICE_ASSISTANT,),
            source=FOLLOW_UP_LAW,
        ),
        LetterType(
            "serious_risk",
            _("Serious-risk alert"),
            BOTH,
            Trigger.SERIOUS_RISK,
            FRAME | {RISK, PARAGRAPH},
            delay_days=0,
            needs_cosignature=True,
            required=BOTH,
            source=FOLLOW_UP_LAW,
        ),
        LetterType(
            "end_of_treatment",
            _("End of treatment"),
            BOTH,
            Trigger.END,
            FRAME | {EPISODE, COUNTERS, PERIOD, PARAGRAPH},
            delay_days=14,
            required=(Recipient.AUTHORITY,),
            source=FOLLOW_UP_LAW,
        ),
        LetterType(
            "reply_to_request",
            _("Reply to the authority's request"),
            BOTH,
            Trigger.ON_REQUEST,
            FRAME | {REQUEST, SESSIONS, COUNTERS, PERIOD, PARAGRAPH},
            delay_days=15,
            required=(Recipient.AUTHORITY,),
            source=FOLLOW_UP_LAW,
        ),
    )
}


def get(code: str) -> LetterType:
    return TYPES[code]
