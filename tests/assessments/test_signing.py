"""Signing: the two attestations are ticked on the signing page itself, and set and signed in
one step; forms that cannot be used on an assessment (signed, someone else's draft) are not
offered at all."""

import pytest
from django.urls import reverse

from assessments import services
from assessments.models import Assessment
from audit.models import AccessEvent
from tests.assessments.helpers import api, form_data, offered, post_back, save

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


# --- The signing page -------------------------------------------------------------------------


def test_the_signing_page_shows_both_attestations_ticked_as_in_the_draft(
    patient, treating_psychologist, client_for
):
    draft = save(patient, treating_psychologist, trained_assessor=True, complete=False)

    page = client_for(treating_psychologist).get(sign_url(draft)).content.decode()

    fields = offered(page)
    assert fields["trained_assessor"] == {"kind": "checkbox", "offered": ["on"], "value": "on"}
    assert fields["complete"] == {"kind": "checkbox", "offered": ["on"], "value": None}
    assert TRAINED in page and COMPLETE in page
    assert ">Sign the assessment</button>" in page and ">Keep it as a draft</a>" in page


def test_ticking_both_on_the_signing_page_attests_and_signs_at_once(
    patient, treating_psychologist, client_for
):
    draft = save(patient, treating_psychologist, trained_assessor=False, complete=False)
    client = client_for(treating_psychologist)
    fields = offered(client.get(sign_url(draft)).content.decode())

    response = client.post(
        sign_url(draft), {**post_back(fields), "trained_assessor": "on", "complete": "on"}
    )

    assert response.status_code == 302 and response["Location"] == draft.get_absolute_url()
    signed = Assessment.objects.get(pk=draft.pk)
    assert signed.is_signed and signed.trained_assessor and signed.complete
    assert "Assessment signed." in client.get(response["Location"]).content.decode()


def test_what_the_signing_page_offers_signs_an_attested_draft(
    patient, treating_psychologist, client_for
):
    draft = save(patient, treating_psychologist)  # both attested in the draft
    client = client_for(treating_psychologist)

    response = client.post(
        sign_url(draft), post_back(offered(client.get(sign_url(draft)).content.decode()))
    )

    assert response.status_code == 302
    assert Assessment.objects.get(pk=draft.pk).is_signed


def test_unticked_attestations_refuse_signing_with_their_messages_and_change_nothing(
    patient, treating_psychologist, client_for
):
    draft = save(patient, treating_psychologist)  # both attested in the draft

    response = client_for(treating_psychologist).post(sign_url(draft), {})

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "trained_assessor": ["Attest that you are trained to use this instrument."],
        "complete": ["Attest that every item was rated from sufficient information."],
    }
    kept = Assessment.objects.get(pk=draft.pk)
    assert (kept.status, kept.trained_assessor, kept.complete) == ("draft", True, True)
    assert not AccessEvent.objects.filter(action="update").exists()  # nothing written


def test_the_signing_page_names_what_is_still_to_rate(patient, treating_psychologist, client_for):
    draft = save(patient, treating_psychologist, responses={"1": "45.0"}, trained_assessor=False)
    client = client_for(treating_psychologist)
    assert "Items not rated yet: 2, 3, 4, 5c" in client.get(sign_url(draft)).content.decode()

    response = client.post(sign_url(draft), {"trained_assessor": "on", "complete": "on"})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Items not rated yet: 2, 3, 4, 5c, 5v, 6, 7, 8, 9, 10."
    ]
    kept = Assessment.objects.get(pk=draft.pk)
    assert (kept.status, kept.trained_assessor) == ("draft", False)


# --- The API ----------------------------------------------------------------------------------


def test_the_api_signs_with_the_attestations_it_is_sent(patient, treating_psychologist):
    draft = save(patient, treating_psychologist, trained_assessor=False, complete=False)
    url = reverse("api:assessment_sign", args=[patient.pk, draft.pk])

    refused = api(treating_psychologist).post(url, {"trained_assessor": True}, format="json")
    assert refused.status_code == 400
    assert refused.json() == {
        "complete": ["Attest that every item was rated from sufficient information."]
    }
    assert Assessment.objects.get(pk=draft.pk).trained_assessor is False

    signed = api(treating_psychologist).post(
        url, {"trained_assessor": True, "complete": True}, format="json"
    )
    assert signed.status_code == 200, signed.json()
    body = signed.json()
    assert (body["status"], body["trained_assessor"], body["complete"]) == ("signed", True, True)


def test_the_api_can_withdraw_an_attestation_when_signing(patient, treating_psychologist):
    draft = save(patient, treating_psychologist)
    url = reverse("api:assessment_sign", args=[patient.pk, draft.pk])

    refused = api(treating_psychologist).post(url, {"complete": False}, format="json")

    assert refused.status_code == 400 and list(refused.json()) == ["complete"]
    assert Assessment.objects.get(pk=draft.pk).status == "draft"


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


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_signed_assessment_offers_no_signing_form(
    method, signed, patient, treating_psychologist, client_for
):
    client = client_for(treating_psychologist)

    response = getattr(client, method)(sign_url(signed), {"trained_assessor": "on"})

    assert response.status_code == 302 and response["Location"] == signed.get_absolute_url()
    assert "This assessment is already signed." in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (edit_url, "Only the assessor can change a draft."),
        (sign_url, "Only the assessor can sign."),
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


def test_the_signing_page_shows_what_is_signed(patient, treating_psychologist, client_for):
    draft = save(patient, treating_psychologist)

    page = client_for(treating_psychologist).get(sign_url(draft)).content.decode()

    assert patient.file_number in page and patient.full_name in page
    assert "Static-99R" in page and draft.get_absolute_url() in page
