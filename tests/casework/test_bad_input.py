"""Bad or absurd input gets a clear message and changes nothing: never a 500, never a stall."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from casework import services
from casework.models import Appointment, Mandate, Patient
from tests.factories import book, mandate_data, register_patient
from tests.forms import browser_form

HUGE_ID = 2**63 + 5  # past SQLite's integers


@pytest.mark.parametrize("url_name", ["casework:agenda", "casework:clinic_agenda"])
@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "2026-02-30", "yesterday"])
def test_an_agenda_date_out_of_range_or_garbled_is_a_400(url_name, day, clinical_lead, client_for):
    response = client_for(clinical_lead).get(reverse(url_name), {"date": day, "view": "week"})

    assert response.status_code == 400
    assert "Enter a" in response.content.decode()


def test_an_agenda_date_within_range_works(clinical_lead, client_for):
    response = client_for(clinical_lead).get(reverse("casework:agenda"), {"date": "2100-12-31"})

    assert response.status_code == 200


@pytest.mark.parametrize(
    "params", [{"until": "9999-12-31"}, {"since": "0001-01-01"}, {"username": "a\x00b"}]
)
def test_access_log_filters_out_of_range_are_a_400(params, auditor, client_for):
    response = client_for(auditor).get(reverse("audit:event_list"), params)

    assert response.status_code == 400


def test_ids_past_64_bits_are_simply_not_found(patient, treating_psychologist, client_for, api_for):
    assert client_for(treating_psychologist).get(f"/patients/{HUGE_ID}/").status_code == 404
    assert api_for(treating_psychologist).get(f"/api/v1/patients/{HUGE_ID}/").status_code == 404
    listed = api_for(treating_psychologist).get("/api/v1/patients/", {"clinician": HUGE_ID})
    assert listed.status_code == 400


def test_booking_in_the_year_9999_or_1900_is_refused_on_the_form(
    patient, treating_psychologist, client_for
):
    url = reverse("casework:appointment_create", args=[patient.pk])
    client = client_for(treating_psychologist)
    data = browser_form(client.get(url))
    for start in ("9999-12-31T23:30", "1900-01-01T10:00"):
        data["starts_at"] = start

        response = client.post(url, data)

        assert response.status_code == 200
        assert "Sessions are booked from ten years back" in str(
            response.context["form"].errors["starts_at"]
        )
    assert not Appointment.objects.exists()


def test_booking_in_the_year_9999_is_a_400_in_the_api(patient, treating_psychologist, api_for):
    response = api_for(treating_psychologist).post(
        reverse("api:appointment_list", args=[patient.pk]),
        {
            "kind": "individual",
            "starts_at": "9999-12-31T23:30:00+01:00",
            "clinicians": [treating_psychologist.pk],
        },
        format="json",
    )

    assert response.status_code == 400
    assert "starts_at" in response.json()
    assert not Appointment.objects.exists()


def test_no_session_before_the_referral(patient, treating_psychologist):
    referred = patient.episodes.get().referral_received_on
    before = datetime.datetime.combine(referred - datetime.timedelta(days=1), datetime.time(10))

    for kind in ("intake", "individual"):
        with pytest.raises(ValidationError) as refused:
            book(patient, treating_psychologist, kind=kind, starts_at=before.astimezone())
        assert "referr" in str(refused.value)
    assert book(patient, treating_psychologist, kind="intake", days=-1)


def test_a_monthly_series_past_two_years_ahead_is_refused(patient, treating_psychologist):
    with pytest.raises(ValidationError) as refused:
        book(patient, treating_psychologist, days=1, repeat="monthly", occurrences=30)

    assert "occurrences" in refused.value.message_dict
    assert not Appointment.objects.exists()


# --- Implausible dates on people and mandates ------------------------------------------------


@pytest.mark.parametrize("born", [datetime.date(1826, 3, 1), datetime.date(2099, 1, 1)])
def test_a_date_of_birth_must_give_a_plausible_age(born, administrator):
    with pytest.raises(ValidationError) as refused:
        register_patient(administrator, date_of_birth=born)

    assert "aged 12 to 110" in refused.value.message_dict["date_of_birth"][0]
    assert not Patient.objects.exists()


def test_a_referral_before_the_patient_was_12_is_refused(administrator):
    with pytest.raises(ValidationError) as refused:
        register_patient(administrator, referral_received_on=datetime.date(1985, 1, 1))

    assert "12th birthday" in refused.value.message_dict["referral_received_on"][0]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"decision_date": datetime.date(1900, 1, 1)}, "decision_date"),
        ({"starts_on": datetime.date(1900, 1, 1)}, "starts_on"),
        ({"starts_on": datetime.date(2090, 1, 1), "ends_on": None}, "starts_on"),
        ({"ends_on": datetime.date(9999, 12, 31)}, "ends_on"),
    ],
)
def test_an_implausible_mandate_date_is_refused_with_the_reason(
    changes, field, patient, administrator, authority
):
    before = Mandate.objects.count()

    with pytest.raises(ValidationError) as refused:
        services.mandate_create(
            actor=administrator, patient=patient, **mandate_data(authority, **changes)
        )

    assert field in refused.value.message_dict
    assert Mandate.objects.count() == before


def test_the_mandate_form_says_why_a_date_is_refused(patient, administrator, client_for):
    url = reverse("casework:mandate_create", args=[patient.pk])
    client = client_for(administrator)
    data = browser_form(client.get(url))
    data.update(
        decision_date="1900-01-01",
        starts_on="1900-01-15",
        legal_framework="probation",
        session_frequency="monthly",
        sharing_basis="legal_basis",
        legal_basis="Law of 5 May 2014",
    )

    response = client.post(url, data)

    assert response.status_code == 200
    assert "12th birthday" in str(response.context["form"].errors["decision_date"])


# --- A second file for the same person -------------------------------------------------------

REGISTRATION = {
    "last_name": "Lefèvre",
    "first_name": "Jérôme",
    "date_of_birth": "1979-04-02",
    "sex": "male",
    "preferred_language": "fr",
    "referral_source": "justice_assistant",
    "referral_received_on": "2026-03-02",
}


def test_registering_the_same_name_and_birth_date_warns_then_goes_ahead_if_asked(
    administrator, client_for
):
    register_patient(
        administrator,
        last_name="LEFEVRE",
        first_name="jerome",
        date_of_birth=datetime.date(1979, 4, 2),
    )
    client = client_for(administrator)
    url = reverse("casework:patient_create")

    warned = client.post(url, REGISTRATION)

    assert warned.status_code == 200
    page = warned.content.decode()
    assert "has the same name and date of birth" in page
    assert "Register anyway" in page
    assert Patient.objects.count() == 1

    data = browser_form(warned)
    data["allow_duplicate"] = "on"
    assert client.post(url, data).status_code == 302
    assert Patient.objects.count() == 2


def test_the_api_answers_409_for_a_possible_duplicate(administrator, api_for):
    register_patient(
        administrator,
        last_name="Lefèvre",
        first_name="Jérôme",
        date_of_birth=datetime.date(1979, 4, 2),
    )
    client = api_for(administrator)

    first = client.post(reverse("api:patient_list"), REGISTRATION, format="json")
    second = client.post(
        reverse("api:patient_list"), {**REGISTRATION, "allow_duplicate": True}, format="json"
    )

    assert first.status_code == 409
    assert "has the same name" in first.json()["duplicates"][0]
    assert second.status_code == 201


# --- Search ------------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["lefevre", "LEFÈVRE", "jerome lef", "Jérôme"])
def test_search_ignores_case_and_accents(query, administrator, client_for):
    wanted = register_patient(administrator, last_name="Lefèvre", first_name="Jérôme")
    register_patient(administrator, last_name="Dupont", first_name="Jean")

    page = client_for(administrator).get(reverse("casework:patient_list"), {"q": query})

    assert list(page.context["page"]) == [wanted]


def test_search_finds_a_file_number(administrator, client_for):
    wanted = register_patient(administrator, last_name="Lefèvre")
    register_patient(administrator, last_name="Dupont")

    page = client_for(administrator).get(
        reverse("casework:patient_list"), {"q": wanted.file_number}
    )

    assert list(page.context["page"]) == [wanted]


def test_an_edited_name_is_found_under_its_new_spelling(patient, administrator, client_for):
    services.patient_update(actor=administrator, patient=patient, last_name="Öztürk")

    page = client_for(administrator).get(reverse("casework:patient_list"), {"q": "ozturk"})

    assert list(page.context["page"]) == [patient]


def test_a_mandate_starting_in_the_year_9999_is_refused_not_a_crash(
    patient, administrator, authority
):
    with pytest.raises(ValidationError) as refused:
        services.mandate_create(
            actor=administrator,
            patient=patient,
            **mandate_data(
                authority, starts_on=datetime.date(9999, 1, 1), ends_on=datetime.date(9999, 12, 31)
            ),
        )

    assert "starts_on" in refused.value.message_dict
