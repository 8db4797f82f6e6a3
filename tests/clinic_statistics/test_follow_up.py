"""What happened after treatment: Kaplan–Meier curves through GET /api/v1/statistics/follow-up/,
checked against a hand-computed example with ties and censoring (docs/statistics.md)."""

import datetime
from math import exp, log, sqrt
from statistics import NormalDist

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments import services as assessment_services
from audit.models import AccessEvent
from casework import services
from clinic_statistics.follow_up import DAYS_PER_MONTH
from tests.assessments.helpers import STATIC
from tests.factories import register_patient

pytestmark = pytest.mark.django_db

URL = reverse("api:follow_up_statistics")
START = datetime.date(2020, 1, 6)  # every patient's intake here, unless said otherwise
Z = NormalDist().inv_cdf(0.975)  # 1.959964: a 95% interval


def months(days: int) -> float:
    return days / DAYS_PER_MONTH


def day(days: int) -> datetime.date:
    return START + datetime.timedelta(days=days)


def clear(days: int) -> dict:
    """A check `days` after the start that found no new offence."""
    return {"checked_on": day(days), "source": "justice_record"}


def offence(days: int, category: str = "sexual", found_after: int = 20) -> dict:
    """A new offence `days` after the start, found by a check a little later."""
    return {
        "checked_on": day(days + found_after),
        "source": "justice_assistant",
        "new_offence": True,
        "offence_on": day(days),
        "kind": "conviction",
        "category": category,
    }


@pytest.fixture
def follow(administrator, clinical_lead):
    """A patient whose treatment started (intake) on `start`, with these checks; their first
    episode closed with `exit_reason` a year on, or still open."""
    made = []

    def make(*checks, start=START, exit_reason=""):
        patient = register_patient(
            administrator,
            last_name=f"Suivi{len(made)}",
            referral_received_on=start - datetime.timedelta(days=14),
        )
        episode = patient.episodes.get()
        services.episode_record_intake(actor=administrator, episode=episode, on=start)
        if exit_reason:
            services.episode_start_treatment(
                actor=administrator, episode=episode, on=start + datetime.timedelta(days=7)
            )
            services.episode_close(
                actor=administrator,
                episode=episode,
                on=start + datetime.timedelta(days=365),
                exit_reason=exit_reason,
                exit_reason_detail="Autre." if exit_reason == "other" else "",
            )
        for check in checks:
            services.follow_up_check_record(actor=clinical_lead, patient=patient, **check)
        made.append(patient)
        return patient

    return make


def get(client, **params):
    return client.get(URL, {"event": "sexual", "window_years": 5, **params})


def loglog(survival: float, greenwood: float) -> tuple[float, float]:
    """The exponential Greenwood ("log-log") 95% interval of S, with Σ d/(n(n-d)) so far:
    V = Σ / (log S)², bounds exp(-exp(log(-log S) ± z·√V))."""
    v = greenwood / log(survival) ** 2
    centre = log(-log(survival))
    return exp(-exp(centre + Z * sqrt(v))), exp(-exp(centre - Z * sqrt(v)))


# --- The hand-computed example ---------------------------------------------------------------


def test_the_steps_and_intervals_equal_a_hand_computed_example(follow, clinical_lead, api_for):
    # Eight patients, time in days from the start of treatment (months = days / 30.4375):
    follow(clear(200), offence(365))  # A: a clear check, then an offence at 365: event
    follow(offence(365))  # B: an offence at 365 too: a tie of two events
    follow(clear(365))  # C: last check at 365: censored at the time of the two events
    follow(clear(100), clear(500))  # D: censored at 500 (the latest check)
    follow(offence(730))  # E: event at 730
    follow(clear(400), offence(900, found_after=60))  # F: event at 900
    follow(clear(1000))  # G: censored at 1000
    follow()  # H: never checked: censored at the start, time 0, never a success
    #
    #  time (days)  at risk n  events d  censored   S(t) = Π (1 - d/n)      Σ d/(n(n-d))
    #  0            8          0         1 (H)      1                        0
    #  365          7          2 (A, B)  1 (C)      1 × (1 - 2/7) = 5/7      2/(7·5) = 2/35
    #  500          4          0         1 (D)      5/7                      2/35
    #  730          3          1 (E)     0          5/7 × (1 - 1/3) = 10/21  2/35 + 1/(3·2)
    #  900          2          1 (F)     0          10/21 × (1 - 1/2) = 5/21 … + 1/(2·1)
    #  1000         1          0         1 (G)      5/21                     (same)
    #
    # (C, censored at 365, is still at risk at 365: a censoring at the time of an event comes
    # after it.) The intervals, V = Σ/(log S)², bounds exp(-exp(log(-log S) ± 1.96·√V)):
    #  S = 5/7   = 0.714286, V = 0.057143/0.113214 = 0.504735 → [0.258154, 0.919797]
    #  S = 10/21 = 0.476190, V = 0.223810/0.550471 = 0.406578 → [0.075099, 0.808460]
    #  S = 5/21  = 0.238095, V = 0.723810/2.059468 = 0.351455 → [0.010186, 0.638261]
    # and at S = 1 (nothing has happened yet) the interval is [1, 1].
    s1, s2, s3 = 5 / 7, 10 / 21, 5 / 21
    g1 = 2 / 35
    g2 = g1 + 1 / 6
    g3 = g2 + 1 / 2
    assert loglog(s1, g1) == pytest.approx((0.258154, 0.919797), abs=1e-6)
    assert loglog(s2, g2) == pytest.approx((0.075099, 0.808460), abs=1e-6)
    assert loglog(s3, g3) == pytest.approx((0.010186, 0.638261), abs=1e-6)
    expected = [
        # months, at risk, events, censored, survival, interval
        (0.0, 8, 0, 1, 1.0, (1.0, 1.0)),
        (months(365), 7, 2, 1, s1, loglog(s1, g1)),
        (months(500), 4, 0, 1, s1, loglog(s1, g1)),
        (months(730), 3, 1, 0, s2, loglog(s2, g2)),
        (months(900), 2, 1, 0, s3, loglog(s3, g3)),
        (months(1000), 1, 0, 1, s3, loglog(s3, g3)),
    ]

    response = get(api_for(clinical_lead))

    assert response.status_code == 200, response.json()
    (group,) = response.json()["groups"]
    assert (group["name"], group["n"]) == ("all", 8)
    steps = group["steps"]
    assert [(s["at_risk"], s["events"], s["censored"]) for s in steps] == [
        row[1:4] for row in expected
    ]
    for step, (at, _n, _d, _c, survival, (low, high)) in zip(steps, expected, strict=True):
        assert step["months"] == pytest.approx(at)
        assert step["survival"] == pytest.approx(survival)
        assert (step["ci_low"], step["ci_high"]) == pytest.approx((low, high))
    # Groups of numbers only: nothing that names anyone.
    assert set(group) == {"name", "n", "steps"}
    assert set(steps[0]) == {
        "months",
        "at_risk",
        "events",
        "censored",
        "survival",
        "ci_low",
        "ci_high",
    }
    assert "Suivi" not in response.content.decode()


# --- The event, the window, the cohort -------------------------------------------------------


def test_the_event_is_a_first_offence_of_the_chosen_category_after_the_start(
    follow, clinical_lead, api_for
):
    follow(offence(300, category="violent"), clear(800))
    follow(offence(200, category="sexual"), offence(500, category="other"))
    client = api_for(clinical_lead)

    def times(event):
        (group,) = get(client, event=event).json()["groups"]
        return [(round(s["months"], 6), s["events"], s["censored"]) for s in group["steps"]]

    m = lambda days: round(months(days), 6)  # noqa: E731
    # sexual: the violent offence is not the event: censored at the latest check (800)
    assert times("sexual") == [(m(200), 1, 0), (m(800), 0, 1)]
    # violent: the other's sexual offence is not the event: censored at their latest check (520)
    assert times("violent") == [(m(300), 1, 0), (m(520), 0, 1)]
    assert times("any") == [(m(200), 1, 0), (m(300), 1, 0)]


def test_an_offence_before_the_start_is_no_event(follow, clinical_lead, api_for):
    follow(clear(400))
    patient = follow(clear(100), start=datetime.date(2021, 6, 1))
    # found at a check after the start, dated before it
    services.follow_up_check_record(
        actor=clinical_lead,
        patient=patient,
        **{
            **offence(0),
            "checked_on": datetime.date(2021, 7, 1),
            "offence_on": datetime.date(2021, 1, 1),
        },
    )

    (group,) = get(api_for(clinical_lead)).json()["groups"]

    assert sum(s["events"] for s in group["steps"]) == 0


def test_follow_up_is_cut_at_the_window(follow, clinical_lead, api_for):
    follow(offence(1200))  # 39.4 months: after a 3-year window, within a 5-year one
    follow(clear(1500))
    client = api_for(clinical_lead)

    (three,) = get(client, window_years=3).json()["groups"]
    (five,) = get(client, window_years=5).json()["groups"]

    assert [(s["months"], s["events"], s["censored"]) for s in three["steps"]] == [(36.0, 0, 2)]
    assert three["steps"][0]["survival"] == 1.0
    assert [(s["events"], s["censored"]) for s in five["steps"]] == [(1, 0), (0, 1)]
    assert five["steps"][0]["months"] == pytest.approx(months(1200))
    assert five["steps"][0]["survival"] == pytest.approx(1 / 2)


def test_the_cohort_is_the_patients_whose_treatment_started_in_the_period(
    follow, clinical_lead, api_for
):
    follow(clear(100), start=datetime.date(2019, 12, 31))
    follow(clear(100), start=datetime.date(2020, 1, 1))
    follow(clear(100), start=datetime.date(2020, 12, 31))
    follow(clear(100), start=datetime.date(2021, 1, 1))
    client = api_for(clinical_lead)

    def n(**period):
        return get(client, **period).json()["groups"][0]["n"]

    assert n() == 4
    assert n(started_from="2020-01-01", started_to="2020-12-31") == 2
    assert n(started_from="2020-01-01") == 3
    assert n(started_to="2019-12-31") == 1
    assert n(started_from="2030-01-01") == 0


def test_the_cohort_splits_by_how_the_first_episode_ended(follow, clinical_lead, api_for):
    follow(offence(300), exit_reason="completed")
    follow(clear(600), exit_reason="completed")
    follow(offence(200), exit_reason="stopped_by_patient")
    follow(clear(400), exit_reason="revoked")
    follow(clear(50))  # still in treatment
    follow(clear(700), exit_reason="moved")

    groups = get(api_for(clinical_lead), group="completion").json()["groups"]

    assert [(g["name"], g["n"]) for g in groups] == [
        ("completed", 2),
        ("stopped", 2),
        ("in_treatment", 1),
        ("other", 1),
    ]
    completed, stopped = groups[0]["steps"], groups[1]["steps"]
    assert [(s["events"], s["censored"], s["survival"]) for s in completed] == [
        (1, 0, 0.5),
        (0, 1, 0.5),
    ]
    assert [(s["events"], s["censored"], s["survival"]) for s in stopped] == [
        (1, 0, 0.5),
        (0, 1, 0.5),
    ]


def test_the_cohort_splits_by_the_static99r_level_at_intake(follow, clinical_lead, api_for):
    def static99r(patient, on, responses=STATIC):
        draft = assessment_services.assessment_save(
            actor=clinical_lead,
            patient=patient,
            instrument="static99r",
            assessed_on=on,
            facts={"non_contact_only": "no"},
            responses=responses,
            trained_assessor=True,
            complete=True,
        )
        return assessment_services.assessment_sign(actor=clinical_lead, assessment=draft)

    scored = follow(clear(300))
    static99r(scored, day(30))  # total 4: level IVa, within the weeks after the intake
    static99r(scored, day(800), {**STATIC, "4": "no"})  # later: not the level at intake
    late = follow(clear(300))
    static99r(late, day(200))  # long after the intake: unknown
    follow(clear(300))  # never scored: unknown

    groups = get(api_for(clinical_lead), group="risk_level").json()["groups"]

    assert [(g["name"], g["n"]) for g in groups] == [("IVa", 1), ("unknown", 2)]


# --- Who reads them, and what is refused -----------------------------------------------------


@pytest.mark.parametrize(
    "persona", ["treating_psychologist", "administrator", "helpline_listener", "auditor"]
)
def test_only_the_clinical_lead_reads_the_statistics(persona, request, follow, api_for):
    follow(clear(100))

    assert get(api_for(request.getfixturevalue(persona))).status_code == 403


def test_an_anonymous_caller_needs_a_token(client):
    assert client.get(URL, {"event": "sexual", "window_years": 5}).status_code == 401


def test_the_lead_reads_them_and_the_read_is_logged(follow, clinical_lead, api_for):
    follow(clear(100))

    assert get(api_for(clinical_lead)).status_code == 200
    assert AccessEvent.objects.filter(
        user=clinical_lead, action="view", object_type="clinic_statistics.follow_up"
    ).exists()


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"event": "murder"}, "event"),
        ({"event": ""}, "event"),
        ({"window_years": 7}, "window_years"),
        ({"window_years": "five"}, "window_years"),
        ({"group": "age"}, "group"),
        ({"started_from": "2020-13-01"}, "started_from"),
        ({"started_to": "0001-01-01"}, "started_to"),
        ({"started_from": "2021-01-01", "started_to": "2020-01-01"}, "started_to"),
    ],
)
def test_a_wrong_parameter_gets_a_400_naming_it_and_nothing_is_computed(
    params, field, follow, clinical_lead, api_for
):
    follow(clear(100))
    events = AccessEvent.objects.count()

    response = get(api_for(clinical_lead), **params)

    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert AccessEvent.objects.count() == events


def test_the_event_and_the_window_are_required(clinical_lead, api_for):
    response = api_for(clinical_lead).get(URL)

    assert response.status_code == 400
    assert set(response.json()) == {"event", "window_years"}


@pytest.mark.parametrize("group", ["", "completion", "risk_level"])
def test_the_number_of_queries_does_not_grow_with_the_patients(
    group, follow, clinical_lead, api_for
):
    client = api_for(clinical_lead)
    params = {"group": group} if group else {}

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert get(client, **params).status_code == 200
        return len(captured)

    follow(offence(100), exit_reason="completed")
    follow(clear(200))
    few = queries()
    for days in (300, 400, 500, 600):
        follow(clear(days - 50), offence(days), exit_reason="stopped_by_patient")
        follow(clear(days))

    assert queries() == few
