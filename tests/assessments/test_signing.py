"""Signing: the two attestations are ticked on the signing page itself, and set and signed in
one step; forms that cannot be used on an assessment (signed, someone else's draft) are not
offered at all."""

import pytest
from django.urls import reverse

from assessments import services
from assessments.models import Assessment
from tests.assessments.helpers import form_data, save

TRAINED = "I am trained to use this instrument"
COMPLETE = "Every item was rated from sufficient information"


@pytest.fixture
def signed(patient, treating_psychologist):
    return services.assessment_sign(
        actor=treating_psychologist, assessment=save(patient, treating_psychologist)
    )


def sign_url(assessment):
    return reverse("assessments:sign", args=[assessment.patient_id, assessment.pk])


def edit_url(assessment):
    return reverse("assessments:update", args=[assessment.patient_id, assessment.pk])


# --- Forms not offered where they cannot be used ----------------------------------------------


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_signed_assessment_offers_no_edit_form(
    method, signed, patient, treating_psychologist, client_for
):
    client = client_for(treating_psychologist)

    response = getattr(client, method)(edit_url(signed), form_data(item_4="no"))

    assert response.status_code == 302 and response["Location"] == signed.get_absolute_url()
    page = client.get(response["Location"]).content.decode()
    assert "This assessment is signed and final: amend it instead." in page
    assert Assessment.objects.get(pk=signed.pk).totals == {"total": 4}


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (edit_url, "Only the assessor can change a draft."),
    ],
)
def test_someone_elses_draft_offers_no_form(
    url, message, patient, treating_psychologist, clinical_lead, client_for
):
    draft = save(patient, treating_psychologist)
    client = client_for(clinical_lead)  # sees every clinical file, rates none of these

    shown = client.get(url(draft))
    posted = client.post(url(draft), {**form_data(), "trained_assessor": "on", "complete": "on"})

    assert shown.status_code == posted.status_code == 302
    assert message in client.get(shown["Location"]).content.decode()
    assert Assessment.objects.get(pk=draft.pk).status == "draft"


def test_the_assessment_page_offers_only_what_the_reader_may_do(
    signed, patient, treating_psychologist, clinical_lead, client_for
):
    draft = save(patient, treating_psychologist, "stable2007")

    own = client_for(treating_psychologist).get(draft.get_absolute_url()).content.decode()
    others = client_for(clinical_lead).get(draft.get_absolute_url()).content.decode()
    final = client_for(treating_psychologist).get(signed.get_absolute_url()).content.decode()

    assert edit_url(draft) in own and sign_url(draft) in own
    assert edit_url(draft) not in others and sign_url(draft) not in others
    assert edit_url(signed) not in final and sign_url(signed) not in final
