"""Assessments through the services, the pages and the API: drafts, signing, amendments,
refusals, and who may see what."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from assessments import services
from assessments.instruments import INSTRUMENTS
from assessments.models import Assessment, SignedAssessmentError, Static99RNorm
from tests.assessments.helpers import STATIC, api, form_data, save
from tests.factories import register_patient
from tests.forms import offered


@pytest.fixture
def signed(patient, treating_psychologist):
    return services.assessment_sign(
        actor=treating_psychologist, assessment=save(patient, treating_psychologist)
    )


# --- Services ---------------------------------------------------------------------------------


def test_the_server_computes_totals_and_levels(patient, treating_psychologist):
    assessment = save(patient, treating_psychologist)

    assert assessment.totals == {"total": 4}
    assert assessment.levels == {"static99r-2016": "IVa", "static99r-2003": "moderate-high"}
    assert assessment.final_level.code == "IVa"


def test_signing_needs_both_attestations(patient, treating_psychologist):
    draft = save(patient, treating_psychologist, trained_assessor=False, complete=False)

    with pytest.raises(ValidationError) as error:
        services.assessment_sign(actor=treating_psychologist, assessment=draft)

    assert set(error.value.message_dict) == {"trained_assessor", "complete"}


def test_signing_sets_the_next_due_date_from_the_instrument(patient, treating_psychologist):
    stable = services.assessment_sign(
        actor=treating_psychologist, assessment=save(patient, treating_psychologist, "stable2007")
    )

    assert stable.next_due_on == datetime.date(2027, 5, 2)  # every six months
    assert stable.totals == {"total": 12} and stable.levels == {"stable2007:4,12": "high"}


def test_a_stable_assessment_keeps_its_level_when_the_clinic_changes_the_bands(
    patient, treating_psychologist, settings
):
    banded = save(patient, treating_psychologist, "stable2007")  # 12: high under 4,12
    settings.STABLE_2007_BANDS = "5,14"

    assert banded.final_level.code == "high"
    assert save(patient, treating_psychologist, "stable2007").final_level.code == "moderate"


def test_a_signed_assessment_is_final(signed, patient, treating_psychologist):
    assert signed.next_due_on is None  # Static-99R: re-scored only when the facts change
    with pytest.raises(ValidationError):
        save(patient, treating_psychologist, assessment=signed)
    signed.refresh_from_db()
    signed.responses["4"] = "no"
    with pytest.raises(SignedAssessmentError):
        signed.save()
    with pytest.raises(SignedAssessmentError):
        signed.delete()


def test_postgresql_refuses_to_change_a_signed_assessment_behind_the_model(signed):
    from django.db import connection, transaction
    from django.db.utils import DatabaseError

    if connection.vendor != "postgresql":
        pytest.skip("the trigger exists on PostgreSQL only; CI's PostgreSQL run covers it")
    for change in (
        lambda rows: rows.update(responses={"1": "0"}),
        lambda rows: rows.update(status="draft"),
        lambda rows: rows.delete(),
    ):
        with (
            pytest.raises(DatabaseError, match="signed assessment is final"),
            transaction.atomic(),
        ):
            change(Assessment.objects.filter(pk=signed.pk))
    assert Assessment.objects.get(pk=signed.pk).status == "signed"


def test_an_amendment_is_a_new_version_and_both_are_kept(signed, patient, treating_psychologist):
    amendment = services.assessment_amend(actor=treating_psychologist, assessment=signed)
    corrected = save(
        patient, treating_psychologist, assessment=amendment, responses={**STATIC, "4": "no"}
    )
    services.assessment_sign(actor=treating_psychologist, assessment=corrected)

    old, new = Assessment.objects.get(pk=signed.pk), Assessment.objects.get(pk=amendment.pk)
    assert (old.totals, new.totals) == ({"total": 4}, {"total": 3})
    assert new.amends == old and old.is_signed and new.is_signed
    with pytest.raises(ValidationError):
        services.assessment_amend(actor=treating_psychologist, assessment=signed)


def test_overriding_the_level_needs_a_reason(patient, treating_psychologist):
    with pytest.raises(ValidationError) as error:
        save(patient, treating_psychologist, level_override="III")
    assert "override_reason" in error.value.message_dict

    kept = save(
        patient,
        treating_psychologist,
        level_override="III",
        override_reason="Offence history overstated by a single episode.",
    )
    assert (kept.primary_level.code, kept.final_level.code) == ("IVa", "III")


def test_an_ineligible_person_is_refused_with_the_reason(
    administrator, treating_psychologist, clinical_lead
):
    woman = register_patient(administrator, sex="female", last_name="Woman")

    with pytest.raises(ValidationError) as error:
        save(woman, clinical_lead)

    assert "not for women" in " ".join(error.value.messages)
    assert not Assessment.objects.exists()


def test_only_the_assessor_changes_or_signs_a_draft(patient, treating_psychologist, clinical_lead):
    draft = save(patient, treating_psychologist)

    with pytest.raises(ValidationError):
        services.assessment_sign(actor=clinical_lead, assessment=draft)
    with pytest.raises(ValidationError):
        save(patient, clinical_lead, assessment=draft)


# --- Pages ------------------------------------------------------------------------------------


def test_the_form_is_generated_from_the_definition_and_saves_a_draft(
    patient, treating_psychologist, client_for
):
    client = client_for(treating_psychologist)
    url = reverse("assessments:create", args=[patient.pk, "static99r"])

    page = client.get(url).content.decode()
    response = client.post(url, form_data())

    assert "Age at release from index sex offence" in page
    assert 'hx-post="' in page and 'hx-trigger="load, change"' in page
    assessment = Assessment.objects.get()
    assert response["Location"] == assessment.get_absolute_url()
    assert "Level IVa: above average risk" in client.get(response["Location"]).content.decode()


def test_the_page_refuses_an_ineligible_person_with_the_reason(
    patient, treating_psychologist, client_for
):
    url = reverse("assessments:create", args=[patient.pk, "static99r"])

    response = client_for(treating_psychologist).post(url, form_data(fact_non_contact_only="yes"))

    assert response.status_code == 200
    assert "non-contact (category B)" in response.content.decode()
    assert not Assessment.objects.exists()


def test_a_bad_rating_is_shown_on_its_field(patient, treating_psychologist, client_for):
    url = reverse("assessments:create", args=[patient.pk, "static99r"])

    response = client_for(treating_psychologist).post(url, form_data(item_1="34.95"))

    assert response.context["form"].errors["item_1"] == ["Use at most 1 decimal."]


def test_the_live_total_adds_up_what_is_rated(patient, treating_psychologist, client_for):
    url = reverse("assessments:running_total", args=[patient.pk, "static99r"])

    response = client_for(treating_psychologist).post(
        url, {"fact_non_contact_only": "no", "item_1": "30.0", "item_4": "yes"}
    )

    text = response.content.decode()
    assert "Total so far: 2" in text and "(2 of 11 items rated)" in text


def test_norms_show_only_once_the_clinic_has_entered_them(
    signed, patient, treating_psychologist, client_for
):
    client = client_for(treating_psychologist)
    assert (
        "Estimated sexual recidivism" not in client.get(signed.get_absolute_url()).content.decode()
    )

    Static99RNorm.objects.create(
        score=4, window_years=5, estimate_percent="11.30", source="Clinic table"
    )

    assert "11.30% at 5 years" in client.get(signed.get_absolute_url()).content.decode()


def test_the_history_draws_a_trend_of_signed_totals(
    signed, patient, treating_psychologist, client_for
):
    page = (
        client_for(treating_psychologist)
        .get(reverse("assessments:list", args=[patient.pk]))
        .content.decode()
    )

    assert '<svg xmlns="http://www.w3.org/2000/svg"' in page
    assert "Static-99R: 02/11/2026: 4" in page


def test_an_administrator_sees_due_dates_never_items_totals_or_levels(
    patient, treating_psychologist, administrator, client_for
):
    services.assessment_sign(
        actor=treating_psychologist, assessment=save(patient, treating_psychologist, "stable2007")
    )
    client = client_for(administrator)

    page = client.get(patient.get_absolute_url()).content.decode()

    assert "STABLE-2007: 2 May 2027" in page
    assert "High" not in page and "Risk assessments</a>" not in page
    assert client.get(reverse("assessments:list", args=[patient.pk])).status_code == 404


# --- API --------------------------------------------------------------------------------------


def test_the_api_creates_signs_and_amends(patient, treating_psychologist):
    url = reverse("api:assessment_list", args=[patient.pk])
    body = {
        "instrument": "static99r",
        "assessed_on": "2026-11-02",
        "facts": {"non_contact_only": "no"},
        "responses": STATIC,
        "trained_assessor": True,
        "complete": True,
    }

    created = api(treating_psychologist).post(url, body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["totals"] == {"total": 4} and created.json()["level"] == "IVa"
    detail = reverse("api:assessment_detail", args=[patient.pk, created.json()["id"]])
    sign = reverse("api:assessment_sign", args=[patient.pk, created.json()["id"]])
    amend = reverse("api:assessment_amend", args=[patient.pk, created.json()["id"]])

    assert api(treating_psychologist).post(sign).json()["status"] == "signed"
    assert (
        api(treating_psychologist).patch(detail, {"responses": {}}, format="json").status_code
        == 405
    )
    assert api(treating_psychologist).post(sign).status_code == 400
    amended = api(treating_psychologist).post(amend)
    assert amended.status_code == 201 and amended.json()["amends"] == created.json()["id"]


def test_the_api_refuses_bad_ratings_and_ineligible_people(patient, treating_psychologist):
    url = reverse("api:assessment_list", args=[patient.pk])
    body = {
        "instrument": "static99r",
        "assessed_on": "2026-11-02",
        "facts": {"non_contact_only": "yes"},
        "responses": {**STATIC, "3": "maybe"},
    }

    bad = api(treating_psychologist).post(url, body, format="json")
    ineligible = api(treating_psychologist).post(url, {**body, "responses": STATIC}, format="json")

    assert bad.status_code == 400 and "item_3" in bad.json()
    assert ineligible.status_code == 400
    assert "non-contact" in " ".join(ineligible.json()["non_field_errors"])
    assert not Assessment.objects.exists()


@pytest.mark.parametrize("persona", ["administrator", "other_psychologist"])
def test_administrators_and_other_psychologists_get_404_in_the_api(
    persona, request, signed, patient
):
    client = api(request.getfixturevalue(persona))

    assert client.get(reverse("api:assessment_list", args=[patient.pk])).status_code == 404
    assert (
        client.get(reverse("api:assessment_detail", args=[patient.pk, signed.pk])).status_code
        == 404
    )


def test_the_instrument_definitions_are_readable_by_clinicians_only(
    treating_psychologist, helpline_listener
):
    listed = api(treating_psychologist).get(reverse("api:instrument_list"))

    assert [i["code"] for i in listed.json()] == [
        "static99r",
        "stable2007",
        "acute2007",
        "svr20",
        "hcr20v3",
    ]
    assert api(helpline_listener).get(reverse("api:instrument_list")).status_code == 403


def test_clinicians_hear_once_a_day_of_assessments_due(
    patient, treating_psychologist, django_capture_on_commit_callbacks
):
    from django.core import mail

    stable = services.assessment_sign(
        actor=treating_psychologist,
        assessment=save(
            patient, treating_psychologist, "stable2007", assessed_on=datetime.date(2026, 5, 1)
        ),
    )  # due 1 November 2026
    today = datetime.date(2026, 11, 20)  # whatever the real date

    with django_capture_on_commit_callbacks(execute=True):  # the outbox sends after the commit
        assert services.due_reminders_send(today=today) == 1
        assert services.due_reminders_send(today=today) == 0
    (message,) = mail.outbox
    assert message.subject == "1 risk assessment due"
    assert f"01/11/2026  {patient.file_number}  STABLE-2007  overdue" in message.body
    assert patient.last_name not in message.body
    assert stable.next_due_on == datetime.date(2026, 11, 1)


def test_every_yes_or_no_question_offers_its_answers_in_one_order(
    patient, treating_psychologist, client_for
):
    """A clinician answers by where the answer stands: "No" first, then "Yes", on every item
    of every form (Static-99R's item 2 once asked "Yes" first, the scoring being reversed)."""
    client = client_for(treating_psychologist)
    orders = {}
    for code in INSTRUMENTS:
        page = client.get(reverse("assessments:create", args=[patient.pk, code]))
        for name in page.context["form"].fields:
            if set(offered(page, name)) == {"yes", "no"}:
                orders[f"{code}: {name}"] = offered(page, name)

    assert len(orders) >= 9  # the forms' yes-or-no questions were found
    assert {question for question, order in orders.items() if order != ["no", "yes"]} == set()
