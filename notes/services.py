"""Clinical notes: drafts, signing (final), addenda. Who may do what to a note is
notes.permissions, which the pages ask too."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import Action, record_access
from casework.models import Appointment, Patient
from notes import permissions
from notes.models import ClinicalNote


@transaction.atomic
def note_create(
    *,
    actor,
    patient: Patient,
    kind: str,
    text: str,
    appointment: Appointment | None = None,
    addendum_to: ClinicalNote | None = None,
) -> ClinicalNote:
    if addendum_to is not None:
        addendum_to = ClinicalNote.objects.get(pk=addendum_to.pk)  # as signed, not as passed
        if addendum_to.patient_id != patient.pk:
            raise ValidationError(_("An addendum completes a signed note of the same patient."))
        if refusal := permissions.addendum_refusal(actor, addendum_to):
            raise ValidationError(refusal)
        kind, appointment = addendum_to.kind, addendum_to.appointment
    if kind == ClinicalNote.Kind.SESSION:
        if appointment is None or not appointment.attendances.filter(patient=patient).exists():
            raise ValidationError({"appointment": _("Choose one of this patient's sessions.")})
        if addendum_to is None and (
            appointment.status != Appointment.Status.SCHEDULED
            or appointment.starts_at > timezone.now()
        ):
            raise ValidationError(
                {"appointment": _("A session note is written for a session that took place.")}
            )
    else:
        appointment = None
    if not text.strip():
        raise ValidationError({"text": _("The note is empty.")})
    note = ClinicalNote(
        patient=patient,
        kind=kind,
        appointment=appointment,
        addendum_to=addendum_to,
        author=actor,
        text=text,
    )
    note.full_clean(exclude=["author"])
    note.save()
    record_access(actor=actor, action=Action.CREATE, patient=patient, obj=note)
    return note


@transaction.atomic
def note_update(*, actor, note: ClinicalNote, text: str) -> ClinicalNote:
    note = ClinicalNote.objects.select_for_update().get(pk=note.pk)
    if refusal := permissions.edit_refusal(actor, note):
        raise ValidationError(refusal)
    if not text.strip():
        raise ValidationError({"text": _("The note is empty.")})
    note.text = text
    note.save()
    record_access(actor=actor, action=Action.UPDATE, patient=note.patient, obj=note)
    return note


@transaction.atomic
def note_sign(*, actor, note: ClinicalNote) -> ClinicalNote:
    """Sign a draft: from now on it never changes."""
    note = ClinicalNote.objects.select_for_update().get(pk=note.pk)
    if refusal := permissions.sign_refusal(actor, note):
        raise ValidationError(refusal)
    note.signed_at = timezone.now()
    note.save()
    record_access(actor=actor, action=Action.UPDATE, patient=note.patient, obj=note)
    return note
