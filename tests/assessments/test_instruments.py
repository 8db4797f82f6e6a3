"""Scoring of every instrument: each item rule, each band boundary, and properties that hold
for every possible set of answers (hypothesis)."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assessments import instruments
from assessments.instruments.static99r import age_points, prior_sex_offence_points

STATIC = instruments.get("static99r")
STABLE = instruments.get("stable2007")
ACUTE = instruments.get("acute2007")
SVR = instruments.get("svr20")
HCR = instruments.get("hcr20v3")

LOWEST_STATIC = {
    "1": "60.0",
    "2": "yes",
    "3": "no",
    "4": "no",
    "5c": 0,
    "5v": 0,
    "6": 0,
    "7": "no",
    "8": "no",
    "9": "no",
    "10": "no",
}


def clean(instrument, facts=None, responses=None, judgements=None, sex="male"):
    return instrument.clean(
        facts=facts or {}, responses=responses or {}, judgements=judgements or {}, sex=sex
    )


def static_total(**changes):
    facts, responses, _, errors = clean(
        STATIC, {"non_contact_only": "no"}, {**LOWEST_STATIC, **changes}
    )
    assert errors == {}
    return STATIC.score(facts=facts, responses=responses).totals["total"]


# --- Static-99R -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "points"),
    [
        ("18.0", 1),
        ("34.9", 1),
        ("35.0", 0),
        ("39.9", 0),
        ("40.0", -1),
        ("59.9", -1),
        ("60.0", -3),
        ("85.5", -3),
    ],
)
def test_item_1_age_at_release_at_every_boundary(age, points):
    assert age_points(Decimal(age)) == points
    assert static_total(**{"1": age}) == points  # every other item scores 0


@pytest.mark.parametrize(
    ("charges", "convictions", "points"),
    [
        (0, 0, 0),
        (1, 0, 1),
        (2, 0, 1),
        (3, 0, 2),
        (5, 0, 2),
        (6, 0, 3),
        (20, 0, 3),
        (0, 1, 1),
        (0, 2, 2),
        (0, 3, 2),
        (0, 4, 3),
        (2, 3, 2),  # charges say 1, convictions say 2: the higher counts
        (6, 1, 3),  # charges say 3, convictions say 1
        (1, 1, 1),
    ],
)
def test_item_5_takes_the_higher_of_the_charges_and_convictions_scales(
    charges, convictions, points
):
    assert prior_sex_offence_points(charges, convictions) == points
    assert static_total(**{"5c": charges, "5v": convictions}) == -3 + points


@pytest.mark.parametrize(("dates", "points"), [(0, 0), (3, 0), (4, 1), (12, 1)])
def test_item_6_four_or_more_prior_sentencing_dates(dates, points):
    assert static_total(**{"6": dates}) == -3 + points


@pytest.mark.parametrize("item", ["3", "4", "7", "8", "9", "10"])
def test_each_yes_item_adds_one(item):
    assert static_total(**{item: "yes"}) == -2


def test_item_2_scores_when_the_person_never_lived_with_a_partner_for_two_years():
    assert static_total(**{"2": "no"}) == -2


def test_the_total_spans_minus_3_to_12():
    highest = {
        "1": "20.0",
        "2": "no",
        "3": "yes",
        "4": "yes",
        "5c": 9,
        "5v": 9,
        "6": 9,
        "7": "yes",
        "8": "yes",
        "9": "yes",
        "10": "yes",
    }
    assert static_total() == -3
    assert static_total(**highest) == 12


@pytest.mark.parametrize(
    ("total", "level_2016", "level_old"),
    [
        (-3, "I", "low"),
        (-2, "I", "low"),
        (-1, "II", "low"),
        (0, "II", "low"),
        (1, "III", "low"),
        (2, "III", "moderate-low"),
        (3, "III", "moderate-low"),
        (4, "IVa", "moderate-high"),
        (5, "IVa", "moderate-high"),
        (6, "IVb", "high"),
        (12, "IVb", "high"),
    ],
)
def test_static99r_levels_at_every_band_boundary(total, level_2016, level_old):
    new, old = STATIC.band_tables
    assert new.level(total).code == level_2016
    assert old.level(total).code == level_old


@pytest.mark.parametrize(
    ("sex", "facts", "age", "reason"),
    [
        ("female", {"non_contact_only": "no"}, "40.0", "not for women"),
        ("male", {"non_contact_only": "no"}, "17.9", "under 18 at release"),
        ("male", {"non_contact_only": "yes"}, "40.0", "non-contact (category B)"),
    ],
)
def test_ineligible_people_are_refused_with_the_reason(sex, facts, age, reason):
    _, _, _, errors = clean(STATIC, facts, {**LOWEST_STATIC, "1": age}, sex=sex)

    assert reason in " ".join(errors["__all__"])


def test_answers_are_checked_against_the_definition():
    _, _, _, errors = clean(
        STATIC,
        {"non_contact_only": "maybe"},
        {**LOWEST_STATIC, "1": "34.95", "3": "perhaps", "6": "-1"},
    )
    assert set(errors) == {"fact_non_contact_only", "item_1", "item_3", "item_6"}
    _, _, _, missing = clean(STATIC, {"non_contact_only": "no"}, {})
    assert len(missing) == len(STATIC.items)


# --- STABLE-2007 and ACUTE-2007 ---------------------------------------------------------------


def stable(child_victims="yes", **ratings):
    responses = {item.code: ratings.get(item.code, "0") for item in STABLE.items}
    facts, responses, _, errors = clean(STABLE, {"child_victims": child_victims}, responses)
    assert errors == {}
    return STABLE.score(facts=facts, responses=responses)


@pytest.mark.parametrize(
    ("total", "band"),
    [(0, "low"), (3, "low"), (4, "moderate"), (11, "moderate"), (12, "high"), (26, "high")],
)
def test_stable_bands_at_every_boundary(total, band):
    assert STABLE.band_tables[0].level(total).code == band


def test_the_clinic_sets_the_stable_bands_and_each_assessment_keeps_its_version(settings):
    settings.STABLE_2007_BANDS = "5,13"
    table = STABLE.band_tables[0]

    assert table.version == "stable2007:5,13"
    assert [table.level(t).code for t in (4, 5, 12, 13)] == ["low", "moderate", "moderate", "high"]
    assert STABLE.band_table("stable2007:4,12").level(4).code == "moderate"


def test_stable_item_3_counts_only_with_child_victims():
    with_children = stable("yes", **{"3": "2"})
    without = stable("no", **{"3": "2"})

    assert with_children.totals["total"] == 2
    assert without.totals["total"] == 0
    assert "3" not in [i.code for i in STABLE.applicable_items({"child_victims": "no"})]


def test_acute_subtotals():
    responses = {
        str(n): r for n, r in zip(range(1, 8), ["3", "1", "0", "3", "1", "0", "3"], strict=True)
    }
    _, responses, _, errors = clean(ACUTE, {}, responses)

    assert errors == {}
    assert ACUTE.score(facts={}, responses=responses).totals == {"sexual_violent": 7, "general": 11}


# --- Structured professional judgement --------------------------------------------------------


def test_svr20_has_twenty_items_in_three_domains_and_no_score_decides():
    responses = {item.code: "Y" for item in SVR.items}
    _, _, judgements, errors = clean(SVR, {}, responses, {"summary_risk": "low"})

    assert len(SVR.items) == 20
    assert [
        len([i for i in SVR.items if i.domain == d])
        for d in dict.fromkeys(i.domain for i in SVR.items)
    ] == [11, 7, 2]
    assert errors == {}
    assert judgements == {"summary_risk": "low"}  # all present, still the clinician's call
    assert not SVR.is_scored


def test_hcr20_v3_uses_v3_item_codes_relevance_and_three_final_judgements():
    codes = [item.code for item in HCR.items]
    assert codes == [f"H{n}" for n in range(1, 11)] + [f"C{n}" for n in range(1, 6)] + [
        f"R{n}" for n in range(1, 6)
    ]
    responses = dict.fromkeys(codes, "P") | {"H1_relevance": "high"}
    _, clean_responses, _, errors = clean(
        HCR,
        {},
        responses,
        {
            "case_prioritisation": "moderate",
            "serious_physical_harm": "low",
            "imminent_violence": "low",
        },
    )
    assert errors == {}
    assert clean_responses["H1_relevance"] == "high"
    _, _, _, missing = clean(HCR, {}, responses, {})
    assert set(missing) == {
        "judgement_case_prioritisation",
        "judgement_serious_physical_harm",
        "judgement_imminent_violence",
    }


# --- Properties of every answer set -----------------------------------------------------------

STATIC_ANSWERS = st.fixed_dictionaries(
    {
        "1": st.decimals(min_value=18, max_value=99, places=1).map(str),
        "2": st.sampled_from(["yes", "no"]),
        "3": st.sampled_from(["yes", "no"]),
        "4": st.sampled_from(["yes", "no"]),
        "5c": st.integers(0, 40),
        "5v": st.integers(0, 40),
        "6": st.integers(0, 40),
        "7": st.sampled_from(["yes", "no"]),
        "8": st.sampled_from(["yes", "no"]),
        "9": st.sampled_from(["yes", "no"]),
        "10": st.sampled_from(["yes", "no"]),
    }
)


@given(STATIC_ANSWERS)
def test_static99r_totals_stay_in_range(answers):
    total = static_total(**answers)
    assert -3 <= total <= 12
    assert STATIC.band_tables[0].level(total)


@given(STATIC_ANSWERS, st.sampled_from(["2", "3", "4", "5c", "5v", "6", "7", "8", "9", "10"]))
def test_raising_one_static99r_item_never_lowers_the_total(answers, item):
    raised = dict(answers)
    if item in ("5c", "5v", "6"):
        raised[item] = answers[item] + 1
    elif item == "2":
        raised[item] = "no"  # the risk side of item 2
    else:
        raised[item] = "yes"
    assert static_total(**raised) >= static_total(**answers)


@given(STATIC_ANSWERS, st.decimals(min_value=18, max_value=99, places=1))
def test_being_younger_at_release_never_lowers_the_total(answers, younger):
    older = max(Decimal(answers["1"]), younger)
    assert static_total(**{**answers, "1": str(min(Decimal(answers["1"]), younger))}) >= (
        static_total(**{**answers, "1": str(older)})
    )


def _ratings(instrument, values):
    return st.fixed_dictionaries({item.code: st.sampled_from(values) for item in instrument.items})


@given(_ratings(STABLE, ["0", "1", "2"]), st.sampled_from(["yes", "no"]))
def test_stable_totals_stay_in_range_and_rise_with_any_item(ratings, child_victims):
    facts = {"child_victims": child_victims}
    total = STABLE.score(facts=facts, responses=ratings).totals["total"]
    assert 0 <= total <= 26
    for item in STABLE.applicable_items(facts):
        if ratings[item.code] != "2":
            higher = {**ratings, item.code: str(int(ratings[item.code]) + 1)}
            assert STABLE.score(facts=facts, responses=higher).totals["total"] > total


@given(_ratings(ACUTE, ["0", "1", "3"]))
def test_acute_subtotals_stay_in_range_and_never_fall_when_an_item_rises(ratings):
    totals = ACUTE.score(facts={}, responses=ratings).totals
    assert 0 <= totals["sexual_violent"] <= 12
    assert totals["sexual_violent"] <= totals["general"] <= 21
    for item in ACUTE.items:
        up = {"0": "1", "1": "3", "3": "3"}[ratings[item.code]]
        raised = ACUTE.score(facts={}, responses={**ratings, item.code: up}).totals
        assert raised["general"] >= totals["general"]
        assert raised["sexual_violent"] >= totals["sexual_violent"]


def test_every_instrument_is_registered_once_with_a_version():
    assert list(instruments.INSTRUMENTS) == [
        "static99r",
        "stable2007",
        "acute2007",
        "svr20",
        "hcr20v3",
    ]
    assert all(i.version and i.name for i in instruments.INSTRUMENTS.values())
