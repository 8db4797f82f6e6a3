"""What a letter states, built from the frame zone only, as plain values.

`build(letter)` returns a dictionary holding exactly the facts its type allows (reports.catalogue):
strings, numbers, lists and dictionaries of them, written in the letter's language. Templates
receive only that (and the letter's own plain fields): no model instance, so a template cannot
reach anything else. This module imports the frame (casework) and nothing of the clinical zone;
an import-linter contract keeps it so.
"""

import datetime

from django.utils import formats, timezone, translation

from casework.models import Appointment, Attendance, AttendanceOutcome, Episode
from casework.selectors import compliance_counters
from reports import catalogue


def _day(value: datetime.date | None) -> str:
    return formats.date_format(value, "DATE_FORMAT") if value else ""


def _identity(letter) -> dict:
    patient = letter.patient
    return {
        "file_number": patient.file_number,
        "name": f"{patient.first_name} {patient.last_name.upper()}",
        "date_of_birth": _day(patient.date_of_birth),
    }


def _patient_address(letter) -> dict:
    patient = letter.patient
    return {
        "name": f"{patient.first_name} {patient.last_name.upper()}",
        "address_lines": [line for line in patient.address.splitlines() if line.strip()],
    }


def _mandate(letter) -> dict:
    mandate = letter.mandate
    if mandate is None:
        return {}
    contact = mandate.justice_contact
    return {
        "authority": mandate.authority.name,
        "legal_framework": str(mandate.get_legal_framework_display()),
        "decision_date": _day(mandate.decision_date),
        "decision_reference": mandate.decision_reference,
        "starts_on": _day(mandate.starts_on),
        "ends_on": _day(mandate.ends_on),
        "session_frequency": str(mandate.get_session_frequency_display()),
        "justice_assistant": f"{contact.name} ({contact.service})" if contact else "",
    }


def _episode(letter) -> dict:
    episode = Episode.objects.filter(patient=letter.patient).order_by("-referral_received_on")
    episode = episode.first()
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
    if not (letter.period_start and letter.period_end):
        return Attendance.objects.none()
    return (
        Attendance.objects.filter(
            patient=letter.patient,
            appointment__status=Appointment.Status.SCHEDULED,
            appointment__starts_at__date__gte=letter.period_start,
            appointment__starts_at__date__lte=letter.period_end,
        )
        .select_related("appointment", "outcome")
        .order_by("appointment__starts_at", "pk")
    )


def _session(attendance) -> dict:
    return {
        "date": _day(timezone.localdate(attendance.appointment.starts_at)),
        "kind": str(attendance.appointment.get_kind_display()),
        "outcome": attendance.outcome.name if attendance.outcome else "",
        "awaiting_outcome": attendance.outcome_id is None,
    }


def _sessions(letter) -> list[dict]:
    return [_session(attendance) for attendance in _attendances(letter)]


def _attended(letter) -> list[dict]:
    return [
        _session(attendance)
        for attendance in _attendances(letter).filter(outcome__counts_as_attended=True)
    ]


def _counters(letter) -> dict:
    if not (letter.period_start and letter.period_end):
        return {}
    # compliance_counters counts [start, end): the letter's period includes its last day.
    end = letter.period_end + datetime.timedelta(days=1)
    return compliance_counters(letter.patient, letter.period_start, end)


def _absence(letter) -> dict:
    attendance = letter.attendance
    if attendance is None:
        return {}
    return _session(attendance)


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


BUILDERS = {
    catalogue.IDENTITY: _identity,
    catalogue.PATIENT_ADDRESS: _patient_address,
    catalogue.MANDATE: _mandate,
    catalogue.EPISODE: _episode,
    catalogue.PERIOD: _period,
    catalogue.SESSIONS: _sessions,
    catalogue.ATTENDED: _attended,
    catalogue.COUNTERS: _counters,
    catalogue.ABSENCE: _absence,
    catalogue.NOTES_FOR_AUTHORITY: _notes_for_authority,
    catalogue.PARAGRAPH: _paragraph,
    catalogue.REQUEST: _request,
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
