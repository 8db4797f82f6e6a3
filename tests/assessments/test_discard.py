"""Discarding a draft: its assessor may delete an unsigned draft for good (logged); a signed
assessment never goes, whoever asks and however."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator

from assessments import services
from assessments.models import Assessment, SignedAssessmentError
from audit.models import AccessEvent
from tests.assessments.helpers import api, offered, post_back, save


@pytest.fixture
def draft(patient, treating_psychologist):
    return save(patient, treating_psychologist, responses={"1": "45.0"}, facts={})


@pytest.fixture
def signed(patient, treating_psychologist):
    return services.assessment_sign(
        actor=treating_psychologist, assessment=save(patient, treating_psychologist)
    )


def discard_url(assessment):
    return reverse("assessments:discard", args=[assessment.patient_id, assessment.pk])


def api_url(assessment):
    return reverse("api:assessment_detail", args=[assessment.patient_id, assessment.pk])


def deletions(assessment_id):
    return list(
        AccessEvent.objects.filter(action="delete", object_id=str(assessment_id)).values_list(
            "user__username", "patient_id", "object_type", "object_id"
        )
    )


# --- Services ---------------------------------------------------------------------------------


def test_the_assessor_discards_a_draft_for_good_and_the_log_says_so(
    draft, patient, treating_psychologist
):
    services.assessment_discard(actor=treating_psychologist, assessment=draft)

    assert not Assessment.objects.filter(pk=draft.pk).exists()
    assert deletions(draft.pk) == [
        ("psy.treating", patient.pk, "assessments.assessment", str(draft.pk))
    ]


def test_a_signed_assessment_is_never_discarded(signed, treating_psychologist):
    with pytest.raises(ValidationError) as error:
        services.assessment_discard(actor=treating_psychologist, assessment=signed)
    with pytest.raises(SignedAssessmentError):
        Assessment.objects.get(pk=signed.pk).delete()

    assert error.value.messages == [
        "This assessment is signed and final: it can never be discarded."
    ]
    assert Assessment.objects.filter(pk=signed.pk).exists() and not deletions(signed.pk)


def test_nobody_discards_someone_elses_draft(draft, clinical_lead):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied, match="Only the assessor can discard a draft"):
        services.assessment_discard(actor=clinical_lead, assessment=draft)

    assert Assessment.objects.filter(pk=draft.pk).exists()


def test_a_discarded_amendment_leaves_the_signed_version_to_amend_again(
    signed, treating_psychologist
):
    amendment = services.assessment_amend(actor=treating_psychologist, assessment=signed)

    services.assessment_discard(actor=treating_psychologist, assessment=amendment)

    assert Assessment.objects.get(pk=signed.pk).is_signed
    assert (
        services.assessment_amend(actor=treating_psychologist, assessment=signed).amends == signed
    )


# --- Pages ------------------------------------------------------------------------------------


def test_the_confirmation_page_names_its_buttons_and_discards(
    draft, patient, treating_psychologist, client_for
):
    client = client_for(treating_psychologist)
    assert discard_url(draft) in client.get(draft.get_absolute_url()).content.decode()

    page = client.get(discard_url(draft)).content.decode()
    response = client.post(discard_url(draft), post_back(offered(page)))

    assert ">Discard the draft</button>" in page
    assert (
        f'href="{draft.get_absolute_url()}" role="button" class="secondary outline">Keep the draft'
        in page
    )
    history = reverse("assessments:list", args=[patient.pk])
    assert response.status_code == 302 and response["Location"] == history
    assert "Draft discarded." in client.get(history).content.decode()
    assert not Assessment.objects.filter(pk=draft.pk).exists()
    assert len(deletions(draft.pk)) == 1


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_signed_assessment_offers_no_discarding(
    method, signed, treating_psychologist, client_for
):
    client = client_for(treating_psychologist)
    assert discard_url(signed) not in client.get(signed.get_absolute_url()).content.decode()

    response = getattr(client, method)(discard_url(signed))

    assert response.status_code == 302 and response["Location"] == signed.get_absolute_url()
    assert (
        "This assessment is signed and final: it can never be discarded."
        in client.get(response["Location"]).content.decode()
    )
    assert Assessment.objects.filter(pk=signed.pk).exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_someone_elses_draft_offers_no_discarding(method, draft, clinical_lead, client_for):
    client = client_for(clinical_lead)
    assert discard_url(draft) not in client.get(draft.get_absolute_url()).content.decode()

    response = getattr(client, method)(discard_url(draft))

    assert response.status_code == 302
    assert (
        "Only the assessor can discard a draft."
        in client.get(response["Location"]).content.decode()
    )
    assert Assessment.objects.filter(pk=draft.pk).exists()


@pytest.mark.parametrize("persona", ["other_psychologist", "administrator"])
def test_outside_the_clinical_door_the_draft_does_not_exist(persona, request, draft, client_for):
    client = client_for(request.getfixturevalue(persona))

    assert client.get(discard_url(draft)).status_code == 404
    assert client.post(discard_url(draft)).status_code == 404
    assert api(request.getfixturevalue(persona)).delete(api_url(draft)).status_code == 404
    assert Assessment.objects.filter(pk=draft.pk).exists()


# --- API --------------------------------------------------------------------------------------


def test_the_api_discards_a_draft_with_delete(draft, treating_psychologist):
    response = api(treating_psychologist).delete(api_url(draft))

    assert response.status_code == 204
    assert not Assessment.objects.filter(pk=draft.pk).exists()
    assert len(deletions(draft.pk)) == 1
    assert api(treating_psychologist).delete(api_url(draft)).status_code == 404


def test_the_api_refuses_to_discard_a_signed_assessment_or_someone_elses_draft(
    signed, draft, treating_psychologist, clinical_lead
):
    final = api(treating_psychologist).delete(api_url(signed))
    others = api(clinical_lead).delete(api_url(draft))

    assert final.status_code == 400
    assert final.json() == {
        "non_field_errors": ["This assessment is signed and final: it can never be discarded."]
    }
    assert others.status_code == 403  # a matter of who asks, not of what was sent
    assert others.json() == {"detail": "Only the assessor can discard a draft."}
    assert Assessment.objects.count() == 2 and not deletions(draft.pk)


def test_discarding_is_in_the_openapi_schema(db):
    schema = SchemaGenerator().get_schema(request=None, public=True)

    operation = schema["paths"]["/api/v1/patients/{patient_id}/assessments/{assessment_id}/"][
        "delete"
    ]
    assert "204" in operation["responses"]
    assert "draft" in operation["description"]
