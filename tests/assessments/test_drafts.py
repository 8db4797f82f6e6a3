"""Drafts rated a part at a time: what is given is checked, what is missing may stay missing
until signing, and no total or level is shown before every item that applies is rated."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from assessments import services
from assessments.models import Assessment
from tests.assessments.helpers import api, form_data, offered, post_back, save
from tests.factories import register_patient

SOME = {"1": "45.0", "3": "no", "4": "yes"}


# --- Services ---------------------------------------------------------------------------------


def test_a_draft_may_leave_items_and_facts_unrated(patient, treating_psychologist):
    draft = save(patient, treating_psychologist, responses=SOME, facts={})

    draft.refresh_from_db()
    assert draft.responses == SOME
    assert (draft.totals, draft.levels, draft.primary_level) == ({}, {}, None)
    assert draft.progress == (3, 11)


def test_what_a_draft_gives_is_still_checked(patient, treating_psychologist):
    with pytest.raises(ValidationError) as error:
        save(patient, treating_psychologist, responses={"1": "45.0", "3": "maybe"}, facts={})

    assert error.value.message_dict == {"item_3": ["Choose one of the ratings offered."]}
    assert not Assessment.objects.exists()


@pytest.mark.parametrize(
    ("facts", "responses", "reason"),
    [
        ({}, {"1": "17.5"}, "under 18 at release"),
        ({"non_contact_only": "yes"}, {}, "non-contact (category B)"),
    ],
)
def test_eligibility_is_checked_as_soon_as_its_facts_are_given(
    facts, responses, reason, patient, treating_psychologist
):
    with pytest.raises(ValidationError) as error:
        save(patient, treating_psychologist, responses=responses, facts=facts)

    assert reason in " ".join(error.value.messages)


def test_an_ineligible_person_is_refused_even_an_empty_draft(administrator, clinical_lead):
    woman = register_patient(administrator, sex="female", last_name="Woman")

    with pytest.raises(ValidationError, match="not for women"):
        save(woman, clinical_lead, responses={}, facts={})


def test_the_total_comes_once_every_applicable_item_is_rated(patient, treating_psychologist):
    draft = save(patient, treating_psychologist, responses=SOME, facts={})

    rated = save(patient, treating_psychologist, assessment=draft)

    assert rated.totals == {"total": 4} and rated.levels["static99r-2016"] == "IVa"
    assert rated.progress == (11, 11)


def test_a_stable_rating_waits_for_the_fact_that_says_whether_it_applies(
    patient, treating_psychologist
):
    ratings = {str(n): "1" for n in range(1, 14)}

    unknown = save(patient, treating_psychologist, "stable2007", responses=ratings, facts={})
    answered = save(
        patient,
        treating_psychologist,
        "stable2007",
        responses=ratings,
        facts={"child_victims": "no"},
        assessment=unknown,
    )

    assert unknown.responses["3"] == "1"  # kept while nobody knows whether item 3 applies
    assert unknown.totals == {} and unknown.progress == (12, 12)
    assert "3" not in answered.responses and answered.totals == {"total": 12}


def test_signing_names_what_is_missing_and_changes_nothing(patient, treating_psychologist):
    draft = save(patient, treating_psychologist, "stable2007", responses={"1": "2"}, facts={})

    with pytest.raises(ValidationError) as error:
        services.assessment_sign(actor=treating_psychologist, assessment=draft)

    assert error.value.messages == [
        "Not answered yet: Are there child victims?",
        "Items not rated yet: 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13.",
    ]
    assert Assessment.objects.get(pk=draft.pk).status == "draft"


def test_signing_needs_the_summary_judgements(patient, treating_psychologist):
    ratings = {f"{p}{n}": "N" for p, count in (("H", 10), ("C", 5), ("R", 5)) for n in range(1, 6)}
    ratings |= {f"H{n}": "N" for n in range(6, 11)}
    draft = save(
        patient, treating_psychologist, "hcr20v3", responses=ratings, judgements={}, facts={}
    )

    with pytest.raises(ValidationError) as error:
        services.assessment_sign(actor=treating_psychologist, assessment=draft)

    assert error.value.messages == [
        "Summary judgements not given yet: Case prioritisation, Serious physical harm, "
        "Imminent violence."
    ]


# --- Pages ------------------------------------------------------------------------------------


def test_the_page_saves_a_partly_rated_draft_and_says_how_far_it_is(
    patient, treating_psychologist, client_for
):
    client = client_for(treating_psychologist)
    url = reverse("assessments:create", args=[patient.pk, "static99r"])
    data = {k: v for k, v in form_data().items() if k in {"assessed_on", "item_1", "item_3"}}

    response = client.post(url, data)

    draft = Assessment.objects.get()
    assert response.status_code == 302 and response["Location"] == draft.get_absolute_url()
    detail = client.get(draft.get_absolute_url()).content.decode()
    assert "2 of 11 items rated" in detail
    assert "Not answered yet: Are all the person&#x27;s sexual offences" in detail
    assert "Items not rated yet: 2, 4, 5c, 5v, 6, 7, 8, 9, 10." in detail
    assert "Level IVa" not in detail and "Result" not in detail
    history = client.get(reverse("assessments:list", args=[patient.pk])).content.decode()
    assert "2 of 11 items rated" in history


def test_the_form_offers_choices_it_accepts_back(patient, treating_psychologist, client_for):
    client = client_for(treating_psychologist)
    url = reverse("assessments:create", args=[patient.pk, "stable2007"])

    fields = offered(client.get(url).content.decode())
    data = post_back(fields)  # the last rating of each item, "yes" to child victims
    response = client.post(url, data)

    assert response.status_code == 302, response.context["form"].errors
    draft = Assessment.objects.get()
    assert draft.facts == {"child_victims": "yes"} and draft.totals == {"total": 26}
    assert set(fields["level_override"]["offered"]) == {"", "low", "moderate", "high"}
    edit = client.get(reverse("assessments:update", args=[patient.pk, draft.pk]))
    again = client.post(edit.request["PATH_INFO"], post_back(offered(edit.content.decode())))
    assert again.status_code == 302
    assert Assessment.objects.get().responses == draft.responses


def test_a_partly_rated_drafts_level_override_shows_on_its_page(
    patient, treating_psychologist, client_for
):
    draft = save(
        patient,
        treating_psychologist,
        responses=SOME,
        facts={},
        level_override="III",
        override_reason="Index offence only.",
    )

    page = client_for(treating_psychologist).get(draft.get_absolute_url()).content.decode()

    assert "Level III: average risk — Index offence only." in page


@pytest.mark.parametrize("code", ["static99r", "stable2007", "acute2007", "svr20", "hcr20v3"])
def test_every_instruments_form_takes_back_every_choice_it_offers(
    code, patient, treating_psychologist, client_for
):
    client = client_for(treating_psychologist)
    url = reverse("assessments:create", args=[patient.pk, code])
    typed = {"item_1": "45.0", "item_5c": "2", "item_5v": "1", "item_6": "4"}  # Static-99R

    for pick in (0, -1):  # the first choice of every question, then the last
        fields = offered(client.get(url).content.decode())
        data = post_back(fields, choose=lambda name, values, pick=pick: values[pick])
        data.update({k: v for k, v in typed.items() if fields.get(k, {}).get("kind") == "text"})
        if code == "static99r":
            data["fact_non_contact_only"] = "no"  # "yes" rules the instrument out
        response = client.post(url, data)
        assert response.status_code == 302, response.context["form"].errors

    drafts = Assessment.objects.filter(instrument=code)
    assert drafts.count() == 2 and all(d.is_rated and not d.missing for d in drafts)


# --- API --------------------------------------------------------------------------------------


def test_the_api_saves_a_partly_rated_draft_and_refuses_to_sign_it(patient, treating_psychologist):
    client = api(treating_psychologist)

    created = client.post(
        reverse("api:assessment_list", args=[patient.pk]),
        {"instrument": "static99r", "assessed_on": "2026-11-02", "responses": SOME},
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["totals"], body["levels"], body["level"]) == ({}, {}, None)
    assert (body["items_rated"], body["items_applicable"]) == (3, 11)

    signed = client.post(reverse("api:assessment_sign", args=[patient.pk, body["id"]]))
    assert signed.status_code == 400
    assert signed.json()["non_field_errors"] == [
        "Not answered yet: Are all the person's sexual offences non-contact offences (category B)?",
        "Items not rated yet: 2, 5c, 5v, 6, 7, 8, 9, 10.",
    ]
    assert Assessment.objects.get().status == "draft"


def test_the_api_still_needs_no_responses_to_start_a_draft(patient, treating_psychologist):
    created = api(treating_psychologist).post(
        reverse("api:assessment_list", args=[patient.pk]),
        {"instrument": "svr20", "assessed_on": "2026-11-02"},
        format="json",
    )

    assert created.status_code == 201, created.json()
    assert (created.json()["items_rated"], created.json()["items_applicable"]) == (0, 20)
