"""Letters through the API: the same services, the same door, the same log."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessEvent
from reports import services as letters
from reports.models import Letter


def url(name, patient, letter=None):
    args = [patient.pk] if letter is None else [patient.pk, letter.pk]
    return reverse(f"api:{name}", args=args)


def periodic(patient):
    today = timezone.localdate()
    return {
        "kind": "periodic_report",
        "mandate": patient.mandates.get().pk,
        "period_start": (today - datetime.timedelta(days=90)).isoformat(),
        "period_end": (today - datetime.timedelta(days=1)).isoformat(),
        "paragraph": "Présent à chaque séance.",
    }


def test_a_letter_goes_from_draft_to_sent_through_the_api(
    patient, administrator, treating_psychologist, api_for
):
    admin, psychologist = api_for(administrator), api_for(treating_psychologist)

    created = admin.post(url("letter_list", patient), periodic(patient), format="json")
    assert created.status_code == 201, created.json()
    letter = Letter.objects.get(pk=created.json()["id"])
    edited = admin.patch(
        url("letter_detail", patient, letter), {"paragraph": "Toujours présent."}, format="json"
    )
    assert edited.json()["paragraph"] == "Toujours présent."
    assert admin.post(url("letter_ready", patient, letter)).json()["status"] == "ready"

    assert admin.post(url("letter_sign", patient, letter)).status_code == 403  # not a clinician
    signed = psychologist.post(url("letter_sign", patient, letter))
    assert signed.status_code == 200 and signed.json()["status"] == "signed"
    letters.letter_render(letter_id=letter.pk)  # what the worker does

    pdf = admin.get(url("letter_pdf", patient, letter))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    letter.refresh_from_db()
    assert pdf.content == bytes(letter.pdf) and letter.pdf_matches()
    assert created.json()["recipients"] == ["authority", "justice_assistant"]
    for recipient in ("authority", "justice_assistant"):  # art. 9bis: both, one dispatch each
        assert admin.get(url("letter_detail", patient, letter)).json()["status"] == "signed"
        sent = admin.post(
            url("letter_dispatch", patient, letter),
            {"recipient": recipient, "channel": "post", "to": "Place Saint-Lambert 16, Liège"},
            format="json",
        )
        assert sent.status_code == 201 and sent.json()["recipient"] == recipient
    assert admin.get(url("letter_detail", patient, letter)).json()["status"] == "sent"
    listed = admin.get(url("letter_list", patient)).json()
    assert [(row["id"], row["status"], row["pdf_ready"]) for row in listed["results"]] == [
        (letter.pk, "sent", True)
    ]
    actions = set(
        AccessEvent.objects.filter(object_id=str(letter.pk)).values_list("action", flat=True)
    )
    assert {"create", "update", "view", "export", "send"} <= actions


def test_a_signed_letter_cannot_change_through_the_api(
    patient, administrator, treating_psychologist, api_for
):
    letter = letters.letter_draft(
        actor=administrator,
        patient=patient,
        kind="difficulty",
        mandate=patient.mandates.get(),
        paragraph="Difficultés de cadre.",
    )
    letters.letter_sign(actor=treating_psychologist, letter=letter)

    response = api_for(administrator).patch(
        url("letter_detail", patient, letter), {"paragraph": "Autre chose."}, format="json"
    )

    assert response.status_code == 400
    assert "correction" in str(response.json())
    assert Letter.objects.get(pk=letter.pk).paragraph == "Difficultés de cadre."
    not_ready = api_for(administrator).get(url("letter_pdf", patient, letter))
    assert not_ready.status_code == 409  # rendered by a worker, not yet here


def test_the_pdf_answers_the_media_type_its_schema_documents_and_errors_in_json(
    patient, administrator, treating_psychologist, other_psychologist, api_for
):
    letter = letters.letter_draft(
        actor=administrator,
        patient=patient,
        kind="difficulty",
        mandate=patient.mandates.get(),
        paragraph="Difficultés de cadre.",
    )
    letters.letter_sign(actor=treating_psychologist, letter=letter)
    admin, pdf_url = api_for(administrator), url("letter_pdf", patient, letter)
    asking_for_pdf = {"HTTP_ACCEPT": "application/pdf"}

    def error(response, status_code):
        assert response.status_code == status_code
        assert response["Content-Type"] == "application/json" and response.json()["detail"]

    error(admin.get(pdf_url, **asking_for_pdf), 409)  # not rendered yet
    letters.letter_render(letter_id=letter.pk)
    letter.refresh_from_db()
    for accept in ({}, asking_for_pdf, {"HTTP_ACCEPT": "*/*"}, {"HTTP_ACCEPT": "application/*"}):
        response = admin.get(pdf_url, **accept)
        assert response.status_code == 200, (accept, response.content[:200])
        assert response["Content-Type"] == "application/pdf"
        assert response.content == bytes(letter.pdf)
    error(api_for(other_psychologist).get(pdf_url, **asking_for_pdf), 404)  # out of reach
    missing = reverse("api:letter_pdf", args=[patient.pk, letter.pk + 1000])
    error(admin.get(missing, **asking_for_pdf), 404)
    assert admin.get(pdf_url, HTTP_ACCEPT="image/png").status_code == 406  # what it never is


def test_the_serious_risk_alert_is_cosigned_by_the_lead_only_through_the_api(
    patient, administrator, treating_psychologist, other_psychologist, clinical_lead, api_for
):
    alert = letters.letter_draft(
        actor=administrator,
        patient=patient,
        kind="serious_risk",
        mandate=patient.mandates.get(),
        risk_to="others",
        paragraph="Propos menaçants envers un tiers identifié.",
    )
    signed = api_for(treating_psychologist).post(url("letter_sign", patient, alert))
    assert signed.json()["state"] == "Waiting for co-signature"

    assert (
        api_for(treating_psychologist).post(url("letter_cosign", patient, alert)).status_code == 403
    )
    assert api_for(administrator).post(url("letter_cosign", patient, alert)).status_code == 403
    cosigned = api_for(clinical_lead).post(url("letter_cosign", patient, alert))
    assert cosigned.status_code == 200 and cosigned.json()["cosigned_by"] == clinical_lead.pk


def test_bad_input_gets_field_errors_and_drafts_nothing(patient, administrator, api_for):
    today = timezone.localdate().isoformat()
    cases = [
        ({"kind": "love_letter"}, "kind"),
        ({**periodic(patient), "period_end": "2020-01-01"}, "period_end"),
        (
            {
                "kind": "unjustified_absence",
                "mandate": patient.mandates.get().pk,
                "period_start": today,
                "period_end": today,
            },
            "attendance",
        ),
        ({**periodic(patient), "recipients": ["patient"]}, "recipients"),
        ({**periodic(patient), "recipients": ["justice_assistant"]}, "recipients"),  # art. 9bis
    ]
    for data, field in cases:
        response = api_for(administrator).post(url("letter_list", patient), data, format="json")
        assert response.status_code == 400 and field in response.json(), (data, response.json())
    assert not Letter.objects.exists()


@pytest.mark.parametrize(
    ("persona", "answer"),
    [("other_psychologist", 404), ("helpline_listener", 404), ("auditor", 404)],
)
def test_outsiders_get_nothing_of_a_patients_letters(
    persona, answer, request, patient, administrator, api_for
):
    letter = letters.letter_draft(
        actor=administrator, patient=patient, kind="difficulty", mandate=patient.mandates.get()
    )
    client = api_for(request.getfixturevalue(persona))

    assert client.get(url("letter_list", patient)).status_code == answer
    assert client.get(url("letter_detail", patient, letter)).status_code == answer
    assert client.get(url("letter_pdf", patient, letter)).status_code == answer
    created = client.post(url("letter_list", patient), periodic(patient), format="json")
    assert created.status_code == answer
    assert Letter.objects.count() == 1


def test_anonymous_callers_are_asked_to_authenticate(patient, api_for):
    assert api_for(None).get(url("letter_list", patient)).status_code == 401
