"""The date of an assessment: not in the future, not before the instrument existed, not
before the person was born."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from assessments.models import Assessment
from tests.assessments.helpers import api, form_data, full_answers, save
from tests.factories import register_patient

PUBLISHED = [
    ("static99r", "Static-99R", 2012),
    ("stable2007", "STABLE-2007", 2007),
    ("acute2007", "ACUTE-2007", 2007),
    ("svr20", "SVR-20", 1997),
    ("hcr20v3", "HCR-20 V3", 2013),
]


def post(user, patient, code, assessed_on):
    return api(user).post(
        reverse("api:assessment_list", args=[patient.pk]),
        {"instrument": code, "assessed_on": assessed_on, **full_answers(code)},
        format="json",
    )


@pytest.mark.parametrize(("code", "name", "year"), PUBLISHED)
def test_an_assessment_cannot_predate_its_instrument(
    code, name, year, patient, treating_psychologist
):
    refused = post(treating_psychologist, patient, code, f"{year - 1}-12-31")
    accepted = post(treating_psychologist, patient, code, f"{year}-01-01")

    assert refused.status_code == 400
    assert refused.json() == {
        "assessed_on": [f"{name} was published in {year}: the assessment cannot be dated earlier."]
    }
    assert accepted.status_code == 201, accepted.json()
    assert Assessment.objects.get().assessed_on == datetime.date(year, 1, 1)


def test_the_form_says_why_a_date_from_1900_is_refused(patient, treating_psychologist, client_for):
    url = reverse("assessments:create", args=[patient.pk, "static99r"])

    response = client_for(treating_psychologist).post(url, form_data(assessed_on="1900-01-01"))

    assert response.status_code == 200
    assert response.context["form"].errors["assessed_on"] == [
        "Static-99R was published in 2012: the assessment cannot be dated earlier.",
        "The assessment cannot be dated before the patient's 12th birthday (17 May 1992).",
    ]
    assert not Assessment.objects.exists()


def test_an_assessment_cannot_predate_the_persons_12th_birthday(
    administrator, clinical_lead, treating_psychologist
):
    young = register_patient(
        administrator,
        date_of_birth=datetime.date(2013, 3, 1),
        referral_received_on=datetime.date(2025, 3, 1),
    )

    with pytest.raises(ValidationError) as error:
        save(young, clinical_lead, assessed_on=datetime.date(2025, 2, 28))

    assert error.value.message_dict == {
        "assessed_on": [
            "The assessment cannot be dated before the patient's 12th birthday (1 March 2025)."
        ]
    }
    assert save(young, clinical_lead, assessed_on=datetime.date(2025, 3, 1)).pk


def test_the_future_is_still_refused(patient, treating_psychologist):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    with pytest.raises(ValidationError) as error:
        save(patient, treating_psychologist, assessed_on=tomorrow)

    assert error.value.message_dict == {
        "assessed_on": ["The assessment date cannot be in the future."]
    }


def test_the_api_tells_when_each_instrument_was_published(treating_psychologist):
    listed = api(treating_psychologist).get(reverse("api:instrument_list")).json()

    assert [(i["name"], i["published"]) for i in listed] == [(n, y) for _, n, y in PUBLISHED]
