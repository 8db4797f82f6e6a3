"""The access copy of a patient's file (GDPR art. 15; law of 22 April 2019 on the quality of
health care, art. 36-37), as plain values: the JSON delivered as is, and the PDF's template.

What it holds: the patient's identity and contact details, the mandates and episodes, the care
team, every session and its outcome, group memberships (the group's name only), compliance
alerts, the letters written about the patient and what they stated, the list of the documents
on the file (court decisions, agreements, evidence, reports), the signed session notes
with their addenda, every version of the treatment plan, the signed risk assessments, and who
accessed the file (the access log).

What it leaves out, and says so: the therapist's personal notes (art. 36 of the law of 22 April
2019), drafts that are not yet part of the record, and other people's data: the other members
of a group, and the people the patient must not meet (non-associations). docs/privacy.md.

Everything is read as the clinical lead who asked, through the patient door with the clinical
zone: a copy is never built for someone who could not read the file.
"""

import datetime

from django.conf import settings
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext

from assessments import selectors as assessment_selectors
from audit.models import AccessEvent
from casework.models import Appointment, Attendance, ComplianceAlert
from casework.permissions import Zone
from casework.selectors import patient_for
from documents import selectors as document_selectors
from notes import selectors as note_selectors
from notes.models import ClinicalNote
from reports import selectors as letter_selectors
from reports.rendering import letter_language

FORMAT = "clinic-access-copy/1"


def _day(value: datetime.date | None) -> str | None:
    return value.isoformat() if value else None


def _moment(value: datetime.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="minutes") if value else None


def _person(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


def _patient(patient) -> dict:
    return {
        "file_number": patient.file_number,
        "last_name": patient.last_name,
        "first_name": patient.first_name,
        "date_of_birth": _day(patient.date_of_birth),
        "sex": patient.get_sex_display(),
        "preferred_language": patient.get_preferred_language_display(),
        "phone": patient.phone,
        "email": patient.email,
        "address": patient.address,
        "status": patient.get_status_display(),
        "registered_on": _day(timezone.localdate(patient.created_at)),
    }


def _mandates(patient) -> list[dict]:
    mandates = patient.mandates.select_related(
        "authority", "decided_by", "justice_contact", "legal_framework"
    ).order_by("starts_on", "pk")
    return [
        {
            "authority": mandate.authority.name,
            "legal_framework": mandate.legal_framework.name,
            "decided_by": mandate.decided_by.name if mandate.decided_by else "",
            "decision_date": _day(mandate.decision_date),
            "decision_reference": mandate.decision_reference,
            "starts_on": _day(mandate.starts_on),
            "ends_on": _day(mandate.ends_on),
            "conditions": mandate.conditions,
            "session_frequency": mandate.get_session_frequency_display(),
            "reporting_interval_months": mandate.reporting_interval_months,
            "justice_assistant": (
                f"{mandate.justice_contact.name} ({mandate.justice_contact.service})"
                if mandate.justice_contact
                else ""
            ),
            "sharing_basis": mandate.get_sharing_basis_display(),
            "consent_on": _day(mandate.consent_on),
            "legal_basis": mandate.legal_basis,
            "status": mandate.get_status_display(),
            "ended_on": _day(mandate.ended_on),
            "end_reason": mandate.get_end_reason_display(),
        }
        for mandate in mandates
    ]


def _episodes(patient) -> list[dict]:
    return [
        {
            "stage": episode.get_stage_display(),
            "referral_source": episode.get_referral_source_display(),
            "referral_received_on": _day(episode.referral_received_on),
            "intake_on": _day(episode.intake_on),
            "treatment_started_on": _day(episode.treatment_started_on),
            "closed_on": _day(episode.closed_on),
            "exit_reason": episode.get_exit_reason_display(),
        }
        for episode in patient.episodes.order_by("referral_received_on", "pk")
    ]


def _care_team(patient) -> list[dict]:
    return [
        {
            "clinician": _person(place.clinician),
            "role": place.get_role_display(),
            "from": _day(place.starts_on),
            "until": _day(place.ends_on),
        }
        for place in patient.care_team.select_related("clinician").order_by("starts_on", "pk")
    ]


def _sessions(patient) -> list[dict]:
    """Every session the patient was expected at, individual or group; a group is named, its
    other members are not."""
    attendances = (
        Attendance.objects.filter(patient=patient)
        .select_related("appointment__group", "outcome")
        .order_by("appointment__starts_at", "pk")
    )
    return [
        {
            "starts_at": _moment(attendance.appointment.starts_at),
            "kind": attendance.appointment.get_kind_display(),
            "mode": attendance.appointment.get_mode_display(),
            "duration_minutes": attendance.appointment.duration_minutes,
            "group": attendance.appointment.group.name if attendance.appointment.group else "",
            "status": attendance.appointment.get_status_display(),
            "change_reason": attendance.appointment.change_reason
            if attendance.appointment.status != Appointment.Status.SCHEDULED
            else "",
            "outcome": attendance.outcome.name if attendance.outcome else "",
            "minutes_late": attendance.minutes_late,
            "evidence": attendance.get_evidence_display(),
            "note_for_authority": attendance.note_for_authority,
        }
        for attendance in attendances
    ]


def _groups(patient) -> list[dict]:
    return [
        {
            "group": membership.group.name,
            "joined_on": _day(membership.joined_on),
            "left_on": _day(membership.left_on),
        }
        for membership in patient.group_memberships.select_related("group").order_by("joined_on")
    ]


def _alerts(patient) -> list[dict]:
    alerts = (
        ComplianceAlert.objects.filter(patient=patient)
        .select_related("rule")
        .order_by("raised_at", "pk")
    )
    return [
        {
            "rule": alert.rule.name,
            "raised_at": _moment(alert.raised_at),
            "acknowledged_at": _moment(alert.acknowledged_at),
            "what_was_done": alert.acknowledgement,
            "resolved_at": _moment(alert.resolved_at),
        }
        for alert in alerts
    ]


def _letters(actor, patient) -> list[dict]:
    """Every letter written about the patient that was signed, and what it stated."""
    letters = (
        letter_selectors.letters_of(actor, patient.pk)
        .filter(signed_at__isnull=False)
        .prefetch_related("dispatches")
        .order_by("signed_at", "pk")
    )
    return [
        {
            "reference": letter.reference,
            "letter": letter.get_kind_display(),
            "recipient": letter.recipients_display,
            "authority": letter.mandate.authority.name if letter.mandate else "",
            "signed_at": _moment(letter.signed_at),
            "signed_by": _person(letter.signed_by),
            "cosigned_by": _person(letter.cosigned_by),
            "sent": [
                {"at": _moment(d.recorded_at), "channel": d.get_channel_display(), "to": d.to}
                for d in letter.dispatches.all()
            ],
            "paragraph": letter.paragraph,
            "facts_stated": letter.facts,
        }
        for letter in letters
    ]


def _documents(actor, patient) -> list[dict]:
    """The documents on the file, listed (the patient may ask for a copy of any of them)."""
    return [
        {
            "dated": _day(document.dated),
            "kind": document.get_kind_display(),
            "description": document.name,
            "added_at": _moment(document.uploaded_at),
            "added_by": _person(document.uploaded_by),
        }
        for document in document_selectors.documents_of(actor, patient.pk).order_by("dated", "pk")
    ]


def _notes(actor, patient) -> list[dict]:
    """Signed session notes and their signed addenda. Personal notes never (they are the
    therapist's own working notes, excluded from the copy by law)."""
    notes = list(
        note_selectors.notes_of(actor, patient.pk, kind=ClinicalNote.Kind.SESSION)
        .filter(signed_at__isnull=False)
        .order_by("created_at", "pk")
    )
    addenda: dict[int, list[dict]] = {}
    for note in notes:
        if note.addendum_to_id:
            addenda.setdefault(note.addendum_to_id, []).append(
                {"written_at": _moment(note.created_at), "author": _person(note.author)}
                | {"text": note.text}
            )
    return [
        {
            "session": _moment(note.appointment.starts_at) if note.appointment else None,
            "written_at": _moment(note.created_at),
            "signed_at": _moment(note.signed_at),
            "author": _person(note.author),
            "text": note.text,
            "addenda": addenda.get(note.pk, []),
        }
        for note in notes
        if not note.addendum_to_id
    ]


def _plans(actor, patient) -> list[dict]:
    """Every version of the treatment plan, oldest first, with its goals."""
    return [
        {
            "version": plan.version,
            "kind": plan.get_kind_display(),
            "written_at": _moment(plan.written_at),
            "written_by": _person(plan.written_by),
            "review_on": _day(plan.review_on),
            "goals": [
                {
                    "goal": goal.goal,
                    "interventions": goal.interventions,
                    "progress": goal.get_progress_display(),
                    "summary": goal.summary,
                }
                for goal in plan.goals.all()
            ],
        }
        for plan in reversed(list(note_selectors.plans_of(actor, patient.pk)))
    ]


def _rating(item, value) -> str:
    if value is None or value == "":
        return ""
    choice = next((c for c in item.choices if c.value == value), None)
    return str(choice.label) if choice else str(value)


def _assessments(actor, patient) -> list[dict]:
    assessments = (
        assessment_selectors.assessments_of(actor, patient.pk)
        .filter(status="signed")
        .select_related("assessor")
        .order_by("assessed_on", "pk")
    )
    copied = []
    for assessment in assessments:
        definition = assessment.definition
        level = assessment.final_level
        copied.append(
            {
                "instrument": str(definition),
                "assessed_on": _day(assessment.assessed_on),
                "assessor": _person(assessment.assessor),
                "signed_at": _moment(assessment.signed_at),
                "amends_earlier": assessment.amends_id is not None,
                "totals": assessment.totals,
                "level": str(level.label) if level else "",
                "level_chosen_instead_because": assessment.override_reason,
                "items": [
                    {"code": item.code, "item": str(item.name), "rating": _rating(item, given)}
                    for items, answers in (
                        (definition.facts, assessment.facts),
                        (definition.items, assessment.responses),
                        (definition.judgements, assessment.judgements),
                    )
                    for item in items
                    if (given := answers.get(item.code)) not in (None, "")
                ],
            }
        )
    return copied


def _access_log(patient) -> list[dict]:
    """Who accessed the file: every line of the access log about the patient, the listings
    that showed them included, oldest first."""
    events = AccessEvent.objects.about_patient(patient.pk).order_by("occurred_at", "pk")
    return [
        {
            "at": _moment(event.occurred_at),
            "who": _person(event.user) if event.user else event.username or gettext("the system"),
            "role": str(event.role_label),
            "action": event.get_action_display(),
            "what": event.label,
        }
        for event in events
    ]


def build(*, actor, patient_id: int, copy) -> dict:
    """The whole copy, in the patient's language, as JSON-ready values."""
    patient = patient_for(actor, patient_id, zone=Zone.CLINICAL)
    language = letter_language(patient.preferred_language)
    with translation.override(language):
        return {
            "format": FORMAT,
            "language": language,
            "clinic": settings.CLINIC_NAME,
            "reference": copy.reference,
            "request_received_on": _day(copy.request_received_on),
            "made_at": _moment(timezone.now()),
            "made_for": _person(actor),
            "patient": _patient(patient),
            "mandates": _mandates(patient),
            "episodes": _episodes(patient),
            "care_team": _care_team(patient),
            "sessions": _sessions(patient),
            "groups": _groups(patient),
            "compliance_alerts": _alerts(patient),
            "letters": _letters(actor, patient),
            "documents": _documents(actor, patient),
            "session_notes": _notes(actor, patient),
            "treatment_plans": _plans(actor, patient),
            "risk_assessments": _assessments(actor, patient),
            "access_log": _access_log(patient),
            "not_included": [
                gettext(
                    "The therapists' personal notes, which the law keeps out of a patient's "
                    "copy of the file."
                ),
                gettext(
                    "Notes and assessments still in draft, which are not yet part of the file."
                ),
                gettext(
                    "Other people's data: the other members of a therapy group and the people "
                    "you must not meet are not named."
                ),
            ],
        }


def made_on(data: dict) -> str:
    """The day a copy was made, written for its reader."""
    moment = datetime.datetime.fromisoformat(data["made_at"])
    with translation.override(data["language"]):
        return date_format(moment.date(), "DATE_FORMAT")
