"""What a letter states, built from the frame zone only, as plain values.

`build(letter)` returns a dictionary holding exactly the facts its type allows (reports.catalogue):
strings, numbers, lists and dictionaries of them, written in the letter's language. Templates
receive only that (and the letter's own plain fields): no model instance, so a template cannot
reach anything else. This module imports the frame (casework) and nothing of the clinical zone;
an import-linter contract keeps it so.
"""

import datetime

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from casework.models import Appointment, Attendance, AttendanceOutcome, Episode, Mandate
from casework.selectors import compliance_counters
from reports import catalogue, periods, wording
from reports.wording import by_authority

_day = wording.day


def _language() -> str:
    return translation.get_language() or "en"


def _identity(letter) -> dict:
    patient = letter.patient
    return {
        "file_number": patient.file_number,
        "name": f"{patient.first_name} {patient.last_name.upper()}",
        "date_of_birth": _day(patient.date_of_birth),
        # "né" or "née": French says the patient's sex in the date of birth.
        "sex": patient.sex,
    }


def _patient_address(letter) -> dict:
    patient = letter.patient
    return {
        "name": f"{patient.first_name} {patient.last_name.upper()}",
        "address_lines": [line for line in patient.address.splitlines() if line.strip()],
    }


def legal_basis(mandate: Mandate, language: str) -> str:
    """The provision under which the clinic tells the justice system what a letter states: the
    reporting duty of the mandate's framework, or the patient's consent and its date."""
    if mandate.sharing_basis == Mandate.SharingBasis.CONSENT:
        return _("the written consent of the person concerned, given on %(date)s") % {
            "date": _day(mandate.consent_on)
        }
    return mandate.legal_framework.reporting_duty(language) or mandate.legal_basis


def _mandate(letter) -> dict:
    mandate = letter.mandate
    if mandate is None:
        return {}
    language = _language()
    contact = mandate.justice_contact
    deciding = mandate.decided_by or mandate.authority
    return {
        "legal_framework": mandate.legal_framework.in_language("name", language),
        "decided_by": by_authority(deciding.name, language),
        # Empty when the authority that decided the measure also supervises it.
        "supervised_by": by_authority(mandate.authority.name, language)
        if mandate.decided_by_id
        else "",
        "authority": mandate.authority.name,
        "decision_date": _day(mandate.decision_date),
        "decision_reference": mandate.decision_reference,
        "starts_on": _day(mandate.starts_on),
        "ends_on": _day(mandate.ends_on),
        "session_frequency": str(mandate.get_session_frequency_display()),
        "justice_assistant": f"{contact.name} ({contact.service})" if contact else "",
        "legal_basis": legal_basis(mandate, language),
    }


def _episode_of(letter) -> Episode | None:
    if letter.episode_id:
        return letter.episode
    return Episode.objects.filter(patient=letter.patient).order_by("-referral_received_on").first()


def _episode(letter) -> dict:
    episode = _episode_of(letter)
    if episode is None:
        return {}
    return {
        "referral_received_on": _day(episode.referral_received_on),
        "intake_on": _day(episode.intake_on),
        "treatment_started_on": _day(episode.treatment_started_on),
        "closed_on": _day(episode.closed_on),
        "exit_reason": str(episode.get_exit_reason_display()) if episode.exit_reason else "",
    }


def _period(letter) -> dict:
    return {"from": _day(letter.period_start), "until": _day(letter.period_end)}


def _attendances(letter):
    """The period's sessions that stand (not superseded, not cancelled), oldest first."""
    return (
        Attendance.objects.filter(
            periods.sessions_of(letter),
            patient=letter.patient,
            appointment__status=Appointment.Status.SCHEDULED,
        )
        .select_related("appointment", "outcome")
        .order_by("appointment__starts_at", "pk")
    )


def _session(attendance, now: datetime.datetime) -> dict:
    """One session as a letter states it: a session not begun is to come, one begun with no
    outcome recorded yet is being checked (never silently a no-show)."""
    outcome = attendance.outcome
    begun = attendance.appointment.starts_at <= now
    return {
        "date": _day(timezone.localdate(attendance.appointment.starts_at)),
        "kind": str(attendance.appointment.get_kind_display()),
        "outcome": outcome.name if outcome else "",
        "awaiting_outcome": outcome is None and begun,
        "to_come": outcome is None and not begun,
        "attended": bool(outcome and outcome.counts_as_attended),
        "note_for_authority": attendance.note_for_authority.strip(),
    }


def _sessions(letter) -> list[dict]:
    now = timezone.now()
    return [_session(attendance, now) for attendance in _attendances(letter)]


def _attended(letter) -> list[dict]:
    now = timezone.now()
    return [
        _session(attendance, now)
        for attendance in _attendances(letter).filter(outcome__counts_as_attended=True)
    ]


def _counters(letter) -> dict:
    if not (letter.period_start and letter.period_end):
        return {}
    # compliance_counters counts [start, end): the letter's period includes its last day.
    end = letter.period_end + datetime.timedelta(days=1)
    return compliance_counters(letter.patient, letter.period_start, end)


def _the_session(letter) -> dict:
    """The session a notice is about (an absence, a failure to comply), with what was written
    for the authority on it."""
    if letter.attendance is None:
        return {}
    return _session(letter.attendance, timezone.now())


def _notes_for_authority(letter) -> list[dict]:
    return [
        {"date": _day(timezone.localdate(a.appointment.starts_at)), "note": a.note_for_authority}
        for a in _attendances(letter).exclude(note_for_authority="")
    ]


def _paragraph(letter) -> str:
    return letter.paragraph.strip()


def _request(letter) -> dict:
    return {
        "reference": letter.request_reference,
        "received_on": _day(letter.request_received_on),
    }


def _risk(letter) -> dict:
    return {"to": letter.risk_to}


BUILDERS = {
    catalogue.IDENTITY: _identity,
    catalogue.PATIENT_ADDRESS: _patient_address,
    catalogue.MANDATE: _mandate,
    catalogue.EPISODE: _episode,
    catalogue.PERIOD: _period,
    catalogue.SESSIONS: _sessions,
    catalogue.ATTENDED: _attended,
    catalogue.COUNTERS: _counters,
    catalogue.SESSION: _the_session,
    catalogue.NOTES_FOR_AUTHORITY: _notes_for_authority,
    catalogue.PARAGRAPH: _paragraph,
    catalogue.REQUEST: _request,
    catalogue.RISK: _risk,
}


def build(letter) -> dict:
    """Exactly the facts the letter's type allows, in the letter's language."""
    with translation.override(letter.language):
        return {fact: BUILDERS[fact](letter) for fact in sorted(letter.type.facts)}


def outcome_definitions() -> dict:
    """What each outcome meant when the counters were computed (frozen with a signed letter)."""
    return {
        outcome.code: {
            "name": outcome.name_en,
            "counts_as_attended": outcome.counts_as_attended,
            "compliant": outcome.compliant,
            "enforceable": outcome.enforceable,
            "needs_evidence": outcome.needs_evidence,
        }
        for outcome in AttendanceOutcome.objects.all()
    }
