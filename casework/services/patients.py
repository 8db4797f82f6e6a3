"""Patients, mandates, episodes of care and care teams (which grant per-patient access)."""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from audit.services import Action, record_access
from casework import permissions
from casework.models import (
    CareStage,
    CareTeamMembership,
    Episode,
    FileNumberSequence,
    Mandate,
    Patient,
)
from casework.permissions import Zone, can_join_care_team
from casework.signals import frame_recorded_after_commit
from common.errors import OverridableWarning
from common.permissions import require_that
from common.text import search_key


def _save(instance, *, actor, patient: Patient, action: str) -> None:
    instance.full_clean()
    instance.save()
    record_access(actor=actor, action=action, patient=patient, obj=instance)


def _next_file_number(year: int) -> str:
    # The UPDATE locks the year's row until commit, so concurrent registrations queue here.
    FileNumberSequence.objects.get_or_create(year=year)
    FileNumberSequence.objects.filter(year=year).update(last=F("last") + 1)
    number = FileNumberSequence.objects.get(year=year).last
    return f"{year}-{number:04d}"


# --- Patients -------------------------------------------------------------------------------


class PossibleDuplicate(OverridableWarning):
    """A file with the same name and date of birth exists. The caller may register anyway
    (allow_duplicate): two people can share both."""

    key = "duplicates"


def possible_duplicates(patient: Patient) -> list[Patient]:
    """Files with the same date of birth and the same name, whatever the case and accents."""
    name = search_key(patient.last_name, patient.first_name)
    return [
        other
        for other in Patient.objects.filter(date_of_birth=patient.date_of_birth).exclude(
            pk=patient.pk
        )
        if search_key(other.last_name, other.first_name) == name
    ]


@transaction.atomic
def patient_register(
    *,
    actor,
    referral_source: str,
    referral_received_on: datetime.date,
    referral_source_detail: str = "",
    allow_duplicate: bool = False,
    **identity: Any,
) -> Patient:
    """Register a referral: the patient, with a file number, and the episode it opens.
    A file with the same name and date of birth is a warning (PossibleDuplicate) unless the
    caller registers anyway."""
    require_that(permissions.can_register_patient(actor))
    patient = Patient(**identity, created_by=actor, status=CareStage.REFERRAL)
    patient.full_clean(exclude=["file_number"])
    if not allow_duplicate:
        same = possible_duplicates(patient)
        if same:
            raise PossibleDuplicate(
                [
                    _(
                        "File %(file_number)s has the same name and date of birth: check that "
                        "this is not the same person before registering a new file."
                    )
                    % {"file_number": other.file_number}
                    for other in same
                ]
            )
    patient.file_number = _next_file_number(timezone.localdate().year)
    patient.save()
    record_access(actor=actor, action=Action.CREATE, patient=patient, obj=patient)
    episode_open(
        actor=actor,
        patient=patient,
        referral_source=referral_source,
        referral_source_detail=referral_source_detail,
        referral_received_on=referral_received_on,
    )
    return patient


@transaction.atomic
def patient_update(*, actor, patient: Patient, **fields: Any) -> Patient:
    for name, value in fields.items():
        setattr(patient, name, value)
    _save(patient, actor=actor, patient=patient, action=Action.UPDATE)
    return patient


# --- Mandates -------------------------------------------------------------------------------


@transaction.atomic
def mandate_create(*, actor, patient: Patient, **fields: Any) -> Mandate:
    mandate = Mandate(**fields, patient=patient, created_by=actor)
    _save(mandate, actor=actor, patient=patient, action=Action.CREATE)
    frame_recorded_after_commit([patient.pk])
    return mandate


@transaction.atomic
def mandate_update(*, actor, mandate: Mandate, **fields: Any) -> Mandate:
    for name, value in fields.items():
        setattr(mandate, name, value)
    _save(mandate, actor=actor, patient=mandate.patient, action=Action.UPDATE)
    frame_recorded_after_commit([mandate.patient_id])
    return mandate


# --- Episodes of care -----------------------------------------------------------------------

# Which stage may follow which; closing is possible from every open stage.
_NEXT_STAGES = {
    CareStage.REFERRAL: {CareStage.INTAKE, CareStage.CLOSED},
    CareStage.INTAKE: {CareStage.IN_TREATMENT, CareStage.CLOSED},
    CareStage.IN_TREATMENT: {CareStage.CLOSED},
    CareStage.CLOSED: set(),
}


@transaction.atomic
def episode_open(
    *,
    actor,
    patient: Patient,
    referral_source: str,
    referral_received_on: datetime.date,
    referral_source_detail: str = "",
) -> Episode:
    """Open a new episode of care; a patient has at most one open at a time."""
    if patient.episodes.exclude(stage=CareStage.CLOSED).exists():
        raise ValidationError(_("This patient already has an open episode of care."))
    if referral_received_on > timezone.localdate():
        raise ValidationError(
            {"referral_received_on": _("The referral date cannot be in the future.")}
        )
    if referral_received_on < patient.twelfth_birthday:
        raise ValidationError(
            {
                "referral_received_on": _(
                    "The referral comes before the patient's 12th birthday (%(date)s): "
                    "check the date."
                )
                % {"date": date_format(patient.twelfth_birthday, "DATE_FORMAT")}
            }
        )
    episode = Episode(
        patient=patient,
        stage=CareStage.REFERRAL,
        referral_source=referral_source,
        referral_source_detail=referral_source_detail,
        referral_received_on=referral_received_on,
        referral_recorded_by=actor,
    )
    _save(episode, actor=actor, patient=patient, action=Action.CREATE)
    _set_patient_status(patient, CareStage.REFERRAL)
    return episode


def _advance(episode: Episode, stage: CareStage, on: datetime.date) -> None:
    if stage not in _NEXT_STAGES[CareStage(episode.stage)]:
        raise ValidationError(
            _("An episode at stage “%(current)s” cannot move to “%(next)s”.")
            % {"current": episode.get_stage_display(), "next": stage.label}
        )
    if on > timezone.localdate():
        raise ValidationError({"on": _("The date cannot be in the future.")})
    previous = max(
        day
        for day in (episode.referral_received_on, episode.intake_on, episode.treatment_started_on)
        if day is not None
    )
    if on < previous:
        message = _("The date cannot be before the previous step (%(date)s).")
        raise ValidationError({"on": message % {"date": previous}})
    episode.stage = stage


def _set_patient_status(patient: Patient, stage: str) -> None:
    patient.status = stage
    patient.save(update_fields=["status", "updated_at"])


def _finish_step(episode: Episode, *, actor) -> Episode:
    _save(episode, actor=actor, patient=episode.patient, action=Action.UPDATE)
    _set_patient_status(episode.patient, episode.stage)
    # An intake or a closing sets off a letter to the justice system (reports.drafting).
    frame_recorded_after_commit([episode.patient_id])
    return episode


@transaction.atomic
def episode_record_intake(*, actor, episode: Episode, on: datetime.date) -> Episode:
    _advance(episode, CareStage.INTAKE, on)
    episode.intake_on, episode.intake_recorded_by = on, actor
    return _finish_step(episode, actor=actor)


@transaction.atomic
def episode_start_treatment(*, actor, episode: Episode, on: datetime.date) -> Episode:
    _advance(episode, CareStage.IN_TREATMENT, on)
    episode.treatment_started_on, episode.treatment_started_by = on, actor
    return _finish_step(episode, actor=actor)


@transaction.atomic
def episode_close(
    *, actor, episode: Episode, on: datetime.date, exit_reason: str, exit_reason_detail: str = ""
) -> Episode:
    if exit_reason not in Episode.ExitReason.values:
        raise ValidationError({"exit_reason": _("Choose the reason the episode ends.")})
    if exit_reason == Episode.ExitReason.OTHER and not exit_reason_detail.strip():
        raise ValidationError({"exit_reason_detail": _("Specify the other reason.")})
    _advance(episode, CareStage.CLOSED, on)
    episode.closed_on, episode.closed_by = on, actor
    episode.exit_reason, episode.exit_reason_detail = exit_reason, exit_reason_detail
    return _finish_step(episode, actor=actor)


# --- Care teams: the only place where per-patient access is granted or taken back ---------


def _grant(clinician, patient: Patient) -> None:
    for zone in Zone:
        assign_perm(zone.value, clinician, patient)


def _revoke(clinician, patient: Patient) -> None:
    for zone in Zone:
        remove_perm(zone.value, clinician, patient)


@transaction.atomic
def care_team_assign(
    *, actor, patient: Patient, clinician, role: str, starts_on: datetime.date | None = None
) -> CareTeamMembership:
    """Place a clinician in the patient's care team and open the patient's file to them."""
    require_that(permissions.can_manage_care_team(actor))
    if not can_join_care_team(clinician):
        raise ValidationError(
            {"clinician": _("Only active psychologists and clinical leads can join a care team.")}
        )
    current = patient.care_team.filter(ends_on__isnull=True)
    if current.filter(clinician=clinician).exists():
        raise ValidationError({"clinician": _("This clinician is already in the care team.")})
    if (
        role == CareTeamMembership.Role.LEAD_THERAPIST
        and current.filter(role=CareTeamMembership.Role.LEAD_THERAPIST).exists()
    ):
        raise ValidationError(
            {"role": _("The patient already has a lead therapist: end that place first.")}
        )
    starts_on = starts_on or timezone.localdate()
    if starts_on > timezone.localdate():
        raise ValidationError({"starts_on": _("The start cannot be in the future.")})
    membership = CareTeamMembership(
        patient=patient, clinician=clinician, role=role, starts_on=starts_on, assigned_by=actor
    )
    _save(membership, actor=actor, patient=patient, action=Action.CREATE)
    _grant(clinician, patient)
    if role == CareTeamMembership.Role.LEAD_THERAPIST:
        _set_lead_therapist(patient, clinician)
    return membership


@transaction.atomic
def care_team_end(*, actor, membership: CareTeamMembership) -> CareTeamMembership:
    """End a clinician's place today; their access to the file ends with it."""
    require_that(permissions.can_manage_care_team(actor))
    if membership.ends_on is not None:
        raise ValidationError(_("This place in the care team has already ended."))
    membership.ends_on, membership.ended_by = timezone.localdate(), actor
    _save(membership, actor=actor, patient=membership.patient, action=Action.UPDATE)
    _revoke(membership.clinician, membership.patient)
    if membership.role == CareTeamMembership.Role.LEAD_THERAPIST:
        _set_lead_therapist(membership.patient, None)
    return membership


def _set_lead_therapist(patient: Patient, clinician) -> None:
    patient.lead_therapist = clinician
    patient.save(update_fields=["lead_therapist", "updated_at"])
