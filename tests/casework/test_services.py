import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from casework import services
from casework.models import CareStage, Episode, Mandate
from casework.permissions import Zone
from casework.selectors import patients_visible_to
from tests.factories import UserFactory, assign, mandate_data, register_patient

TODAY = timezone.localdate


# --- Registration and file numbers ----------------------------------------------------------


def test_registering_a_referral_opens_an_episode_and_numbers_the_file(administrator):
    patient = register_patient(administrator, referral_received_on=datetime.date(2026, 3, 2))

    year = TODAY().year
    assert patient.file_number == f"{year}-0001"
    assert patient.status == CareStage.REFERRAL
    episode = patient.episodes.get()
    assert (episode.stage, episode.referral_received_on) == ("referral", datetime.date(2026, 3, 2))
    assert episode.referral_recorded_by == administrator


def test_file_numbers_follow_each_other_and_never_repeat(administrator):
    numbers = [register_patient(administrator, last_name=f"P{i}").file_number for i in range(3)]

    assert [n.rsplit("-", 1)[1] for n in numbers] == ["0001", "0002", "0003"]


def test_an_invalid_registration_writes_nothing(administrator):
    future = TODAY() + datetime.timedelta(days=1)

    with pytest.raises(ValidationError) as error:
        register_patient(administrator, date_of_birth=future)

    assert "date_of_birth" in error.value.message_dict
    from casework.models import FileNumberSequence, Patient

    assert not Patient.objects.exists()
    assert not FileNumberSequence.objects.filter(last__gt=0).exists()


# --- Episodes of care -----------------------------------------------------------------------


@pytest.fixture
def episode(administrator):
    return register_patient(
        administrator, referral_received_on=datetime.date(2026, 1, 5)
    ).episodes.get()


def test_an_episode_moves_referral_intake_treatment_closed(episode, treating_psychologist):
    services.episode_record_intake(
        actor=treating_psychologist, episode=episode, on=datetime.date(2026, 1, 26)
    )
    services.episode_start_treatment(
        actor=treating_psychologist, episode=episode, on=datetime.date(2026, 2, 9)
    )
    services.episode_close(
        actor=treating_psychologist,
        episode=episode,
        on=datetime.date(2026, 6, 1),
        exit_reason=Episode.ExitReason.COMPLETED,
    )

    episode.refresh_from_db()
    assert episode.stage == CareStage.CLOSED
    assert episode.waiting_days == 21
    assert episode.intake_recorded_by == treating_psychologist
    assert episode.closed_by == treating_psychologist
    assert episode.patient.status == CareStage.CLOSED


def test_a_step_cannot_be_skipped(episode, administrator):
    with pytest.raises(ValidationError):
        services.episode_start_treatment(
            actor=administrator, episode=episode, on=datetime.date(2026, 2, 1)
        )

    episode.refresh_from_db()
    assert episode.stage == CareStage.REFERRAL


def test_a_step_cannot_predate_the_previous_one_nor_be_in_the_future(episode, administrator):
    with pytest.raises(ValidationError) as before:
        services.episode_record_intake(
            actor=administrator, episode=episode, on=datetime.date(2026, 1, 4)
        )
    with pytest.raises(ValidationError) as future:
        services.episode_record_intake(
            actor=administrator, episode=episode, on=TODAY() + datetime.timedelta(days=1)
        )

    assert "on" in before.value.message_dict
    assert "on" in future.value.message_dict


def test_closing_needs_a_reason_and_other_needs_words(episode, administrator):
    with pytest.raises(ValidationError):
        services.episode_close(
            actor=administrator, episode=episode, on=datetime.date(2026, 2, 1), exit_reason=""
        )
    with pytest.raises(ValidationError) as error:
        services.episode_close(
            actor=administrator, episode=episode, on=datetime.date(2026, 2, 1), exit_reason="other"
        )

    assert "exit_reason_detail" in error.value.message_dict


def test_a_patient_has_one_open_episode_at_a_time(episode, administrator):
    with pytest.raises(ValidationError):
        services.episode_open(
            actor=administrator,
            patient=episode.patient,
            referral_source="self",
            referral_received_on=datetime.date(2026, 2, 1),
        )

    services.episode_close(
        actor=administrator,
        episode=episode,
        on=datetime.date(2026, 2, 1),
        exit_reason=Episode.ExitReason.MOVED,
    )
    again = services.episode_open(
        actor=administrator,
        patient=episode.patient,
        referral_source="self",
        referral_received_on=datetime.date(2026, 3, 1),
    )
    assert again.patient.status == CareStage.REFERRAL
    assert episode.patient.episodes.count() == 2


# --- Mandates -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"consent_on": None}, "consent_on"),
        ({"sharing_basis": "legal_basis", "legal_basis": ""}, "legal_basis"),
        ({"ends_on": datetime.date(2025, 1, 1)}, "ends_on"),
        ({"status": "ended"}, "end_reason"),
        ({"status": "ended", "end_reason": "completed"}, "ended_on"),
        ({"end_reason": "revoked"}, "status"),
        ({"decision_date": datetime.date(2099, 1, 1)}, "decision_date"),
        ({"reporting_interval_months": 0}, "reporting_interval_months"),
    ],
)
def test_an_inconsistent_mandate_is_refused_field_by_field(
    overrides, field, administrator, authority
):
    patient = register_patient(administrator)

    with pytest.raises(ValidationError) as error:
        services.mandate_create(
            actor=administrator, patient=patient, **mandate_data(authority, **overrides)
        )

    assert field in error.value.message_dict
    assert not Mandate.objects.exists()


# --- Care teams: grants and revocations -----------------------------------------------------


def can_access_patient(user, patient, zone):
    fresh = type(user).objects.get(pk=user.pk)  # no permission cache
    return patients_visible_to(fresh, zone=zone).filter(pk=patient.pk).exists()


def test_joining_the_care_team_opens_both_zones_and_leaving_closes_them(
    administrator, clinical_lead, treating_psychologist
):
    patient = register_patient(administrator)
    assert not can_access_patient(treating_psychologist, patient, Zone.FRAME)

    membership = assign(patient, treating_psychologist, by=clinical_lead)
    assert can_access_patient(treating_psychologist, patient, Zone.FRAME)
    assert can_access_patient(treating_psychologist, patient, Zone.CLINICAL)

    services.care_team_end(actor=clinical_lead, membership=membership)
    assert not can_access_patient(treating_psychologist, patient, Zone.FRAME)
    assert not can_access_patient(treating_psychologist, patient, Zone.CLINICAL)
    membership.refresh_from_db()
    assert (membership.ends_on, membership.ended_by) == (TODAY(), clinical_lead)


@pytest.mark.parametrize("role", ["administrator", "helpline_listener", "auditor"])
def test_only_clinicians_can_join_a_care_team(role, administrator, clinical_lead):
    patient = register_patient(administrator)
    outsider = UserFactory(role=role)

    with pytest.raises(ValidationError) as error:
        assign(patient, outsider, by=clinical_lead)

    assert "clinician" in error.value.message_dict
    assert not can_access_patient(outsider, patient, Zone.CLINICAL)


def test_a_patient_has_one_lead_therapist_and_no_duplicate_member(
    administrator, clinical_lead, treating_psychologist, other_psychologist
):
    patient = register_patient(administrator)
    assign(patient, treating_psychologist, by=clinical_lead)

    with pytest.raises(ValidationError) as second_lead:
        assign(patient, other_psychologist, by=clinical_lead)
    with pytest.raises(ValidationError) as twice:
        assign(patient, treating_psychologist, by=clinical_lead, role="co")

    assert "role" in second_lead.value.message_dict
    assert "clinician" in twice.value.message_dict
    assign(patient, other_psychologist, by=clinical_lead, role="co")
    assert patient.care_team.filter(ends_on__isnull=True).count() == 2


def test_an_ended_place_cannot_be_ended_twice(administrator, clinical_lead, treating_psychologist):
    membership = assign(register_patient(administrator), treating_psychologist, by=clinical_lead)
    services.care_team_end(actor=clinical_lead, membership=membership)

    with pytest.raises(ValidationError):
        services.care_team_end(actor=clinical_lead, membership=membership)
