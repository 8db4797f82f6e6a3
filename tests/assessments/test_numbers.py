"""Numbers typed or sent for counted items: whatever arrives, the answer is a field error (a 400
in the API), never a server error; the live total simply leaves the value out."""

import json

import pytest
from django.urls import reverse

from assessments.models import Assessment
from tests.assessments.helpers import STATIC, api

# Each as a JSON literal: numbers and strings that the decimal arithmetic cannot round.
ABSURD = [
    '"inf"',
    '"-inf"',
    '"NaN"',
    '"1e400"',
    "1e400",  # a JSON number: Python reads it as float("inf")
    "-1e400",
    str(10**40),
    f'"{10**40}"',
    '"' + "9" * 10_000 + '"',
    '"' + "1." + "0" * 9_998 + '"',
]


def body(item: str, literal: str) -> str:
    responses = json.dumps({**STATIC, item: "__VALUE__"}).replace('"__VALUE__"', literal)
    return (
        '{"instrument": "static99r", "assessed_on": "2026-11-02", '
        f'"facts": {{"non_contact_only": "no"}}, "responses": {responses}}}'
    )


@pytest.mark.parametrize("literal", ABSURD, ids=lambda v: v[:12])
@pytest.mark.parametrize(
    ("item", "message"),
    [
        ("1", "Enter a number from 10 to 110."),  # age at release, one decimal
        ("5c", "Enter a number from 0 to 99."),  # prior charges, a count
    ],
)
def test_the_api_answers_absurd_numbers_with_the_fields_message(
    item, message, literal, patient, treating_psychologist
):
    url = reverse("api:assessment_list", args=[patient.pk])

    response = api(treating_psychologist).post(
        url, body(item, literal), content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json() == {f"item_{item}": [message]}
    assert not Assessment.objects.exists()


@pytest.mark.parametrize(
    "value", ["inf", "-inf", "NaN", "1e400", str(10**40), "9" * 10_000, "snow"], ids=lambda v: v[:8]
)
def test_the_live_total_leaves_out_what_it_cannot_read(
    value, patient, treating_psychologist, client_for
):
    url = reverse("assessments:running_total", args=[patient.pk, "static99r"])

    response = client_for(treating_psychologist).post(
        url, {"fact_non_contact_only": "no", "item_1": value, "item_5c": value, "item_4": "yes"}
    )

    assert response.status_code == 200
    text = response.content.decode()
    assert "Total so far: 1" in text and "(1 of 11 items rated)" in text


def test_a_number_with_a_comma_and_one_in_range_still_count(patient, treating_psychologist):
    url = reverse("api:assessment_list", args=[patient.pk])
    responses = {**STATIC, "1": "34,9", "5c": 99}

    response = api(treating_psychologist).post(
        url,
        {
            "instrument": "static99r",
            "assessed_on": "2026-11-02",
            "facts": {"non_contact_only": "no"},
            "responses": responses,
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["responses"]["1"] == "34.9"
    assert response.json()["totals"] == {"total": 8}  # +1 age, +3 charges


@pytest.mark.parametrize("relevance", [["high"], {"level": "high"}, 3])
def test_a_relevance_rating_that_is_not_one_of_the_choices_is_a_field_error(
    relevance, patient, treating_psychologist
):
    url = reverse("api:assessment_list", args=[patient.pk])
    responses = {
        f"{p}{n}": "N" for p, count in (("H", 10), ("C", 5), ("R", 5)) for n in range(1, count + 1)
    }

    response = api(treating_psychologist).post(
        url,
        {
            "instrument": "hcr20v3",
            "assessed_on": "2026-11-02",
            "responses": {**responses, "H1_relevance": relevance},
            "judgements": dict.fromkeys(
                ["case_prioritisation", "serious_physical_harm", "imminent_violence"], "low"
            ),
        },
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {"item_H1_relevance": ["Choose a relevance rating."]}
