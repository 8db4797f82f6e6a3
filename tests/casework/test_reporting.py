"""When follow-up reports are owed: one schedule, from the law of each framework.

Law of 29 June 1964 on probation, art. 9bis (and the law of 17 May 2006, the law of 5 May 2014
on internment, art. 57 §5): the first report "within the month" after the measure starts,
then "at least once every six months". Reference data says which framework follows which law.
"""

import datetime
from itertools import islice, pairwise

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casework import services
from casework.models import LegalFramework, Mandate
from casework.reporting import ReportSchedule, schedule_of
from common.dates import add_months
from reports import drafting
from tests.factories import AuthorityFactory, mandate_data
from tests.forms import browser_form, offered

pytestmark = pytest.mark.django_db

D = datetime.date
SIGNING = datetime.timedelta(days=7)  # REPORT_SIGNING_DAYS


def schedule(intake_on=datetime.date(2025, 12, 1), framework="probation", **fields):
    values = {
        "starts_on": D(2025, 12, 15),
        "ends_on": D(2028, 12, 15),
        "reporting_interval_months": 6,
        "status": Mandate.Status.ACTIVE,
        **fields,
    }
    mandate = Mandate(legal_framework=LegalFramework.objects.get(code=framework), **values)
    return ReportSchedule(mandate, intake_on=intake_on)


def test_probation_reports_within_the_month_then_every_six_months_art_9bis():
    """Law of 29 June 1964, art. 9bis: the intake came before the measure started."""
    periods = list(islice(schedule().periods(), 3))

    assert [(p.number, p.first_day, p.last_day, p.due_on) for p in periods] == [
        (1, D(2025, 12, 15), D(2026, 1, 8), D(2026, 1, 15)),  # within the month
        (2, D(2026, 1, 9), D(2026, 7, 8), D(2026, 7, 15)),  # then every six months
        (3, D(2026, 7, 9), D(2027, 1, 8), D(2027, 1, 15)),
    ]


def test_the_clock_starts_at_the_intake_when_it_comes_after_the_start_art_9bis():
    first = next(schedule(intake_on=D(2026, 2, 10)).periods())

    # Within the month of the intake, covering the whole measure so far.
    assert (first.first_day, first.last_day, first.due_on) == (
        D(2025, 12, 15),
        D(2026, 3, 3),
        D(2026, 3, 10),
    )


def test_no_report_is_owed_before_the_intake_nor_once_the_treatment_is_closed():
    assert schedule(intake_on=None).next_report(D(2026, 1, 1)) is None
    mandate = schedule().mandate
    assert (
        ReportSchedule(mandate, intake_on=D(2025, 12, 1), closed=True).next_report(D(2026, 1, 1))
        is None
    )
    assert schedule(status=Mandate.Status.SUSPENDED).next_report(D(2026, 1, 1)) is None


def test_a_framework_whose_law_sets_no_first_report_reports_after_a_whole_interval():
    first = next(schedule(framework="pretrial", reporting_interval_months=3).periods())

    assert first.due_on == D(2026, 3, 15)


def test_the_issue_example_the_page_and_the_letters_agree_on_the_next_report(patient):
    """A mandate from 2026-01-01, every 3 months, ending 2026-05-15, seen on 2026-04-10: the
    patient page and the letters name the same next report, due within the mandate."""
    periods = list(
        schedule(
            starts_on=D(2026, 1, 1), ends_on=D(2026, 5, 15), reporting_interval_months=3
        ).periods()
    )

    assert [(p.first_day, p.last_day, p.due_on) for p in periods] == [
        (D(2026, 1, 1), D(2026, 1, 25), D(2026, 2, 1)),
        (D(2026, 1, 26), D(2026, 4, 24), D(2026, 5, 1)),
        (D(2026, 4, 25), D(2026, 5, 15), D(2026, 5, 22)),  # up to the measure's last day
    ]


def test_a_measure_that_ends_the_day_after_a_period_closes_leaves_no_day_alone():
    """Period 2 closes on 8/7/2026: a measure ending on 9/7 is reported with it, not in a
    report of one day."""
    periods = list(schedule(ends_on=D(2026, 7, 9)).periods())

    assert [(p.first_day, p.last_day, p.due_on) for p in periods] == [
        (D(2025, 12, 15), D(2026, 1, 8), D(2026, 1, 15)),
        (D(2026, 1, 9), D(2026, 7, 9), D(2026, 7, 16)),
    ]


def test_two_reports_are_never_more_than_the_interval_apart_across_short_months():
    periods = islice(schedule(starts_on=D(2026, 1, 31), intake_on=D(2026, 1, 31)).periods(), 3)

    assert [p.due_on for p in periods] == [D(2026, 2, 28), D(2026, 8, 28), D(2027, 2, 28)]


# --- The law's cap, in the mandate itself ----------------------------------------------------


@pytest.mark.parametrize("framework", ["probation", "conditional_release", "internment"])
def test_a_mandate_under_a_six_month_law_reports_at_least_every_six_months(
    framework, patient, administrator, authority
):
    """Law of 29 June 1964, art. 9bis; law of 17 May 2006; law of 5 May 2014, art. 57 §5."""
    with pytest.raises(ValidationError) as refused:
        services.mandate_create(
            actor=administrator,
            patient=patient,
            **mandate_data(authority, legal_framework_id=framework, reporting_interval_months=12),
        )

    message = refused.value.message_dict["reporting_interval_months"][0]
    assert "6 months" in message and "Law of" in message
    assert patient.mandates.count() == 1  # nothing new


def test_a_framework_without_such_a_law_may_report_yearly(patient, administrator, authority):
    mandate = services.mandate_create(
        actor=administrator,
        patient=patient,
        **mandate_data(authority, legal_framework_id="pretrial", reporting_interval_months=12),
    )

    assert mandate.reporting_interval_months == 12


def test_the_mandate_form_offers_the_frameworks_and_refuses_a_yearly_probation_report(
    patient, administrator, client_for, authority
):
    court = AuthorityFactory(name="Tribunal de première instance de Liège", kind="trial_court")
    url = reverse("casework:mandate_create", args=[patient.pk])
    client = client_for(administrator)
    page = client.get(url)
    assert {"probation", "internment", "pretrial"} <= set(offered(page, "legal_framework"))
    assert str(court.pk) in offered(page, "decided_by")
    data = browser_form(page)
    data.update(
        legal_framework="probation",
        authority=str(authority.pk),
        decided_by=str(court.pk),
        authority_file_number="CP/LG/2026/0412",
        justice_assistant_file_number="MJ-LG-2026-77",
        decision_date="2026-01-05",
        starts_on="2026-01-10",
        session_frequency="monthly",
        reporting_interval_months="12",
        sharing_basis="consent",
        consent_on="2026-01-10",
    )

    refused = client.post(url, data)
    data["reporting_interval_months"] = "6"
    saved = client.post(url, data)

    assert refused.status_code == 200
    assert "art. 9bis" in str(refused.context["form"].errors["reporting_interval_months"])
    assert saved.status_code == 302
    mandate = patient.mandates.get(starts_on=D(2026, 1, 10))
    assert (mandate.legal_framework_id, mandate.decided_by, mandate.authority_file_number) == (
        "probation",
        court,
        "CP/LG/2026/0412",
    )
    shown = client.get(patient.get_absolute_url()).content.decode()
    assert court.name in shown and "CP/LG/2026/0412" in shown and "MJ-LG-2026-77" in shown


def test_the_api_names_a_framework_by_its_code_and_refuses_an_unknown_one(
    patient, administrator, authority, api_for
):
    url = reverse("api:mandate_list", args=[patient.pk])
    data = {
        "authority": authority.pk,
        "decision_date": "2026-01-05",
        "starts_on": "2026-01-10",
        "session_frequency": "monthly",
        "reporting_interval_months": 6,
        "sharing_basis": "consent",
        "consent_on": "2026-01-10",
    }

    client = api_for(administrator)
    unknown = client.post(url, {**data, "legal_framework": "martial"}, format="json")
    created = client.post(url, {**data, "legal_framework": "internment"}, format="json")

    assert unknown.status_code == 400 and "legal_framework" in unknown.json()
    assert created.status_code == 201, created.json()
    assert created.json()["legal_framework"] == "internment"


# --- One rule: the schedule, the patient page and the letters agree -------------------------


def test_the_patient_page_shows_the_next_report_the_letters_will_draft(
    patient, administrator, treating_psychologist, client_for
):
    services.episode_record_intake(
        actor=administrator, episode=patient.episodes.get(), on=D(2025, 12, 1)
    )
    mandate = patient.mandates.get()
    today = timezone.localdate()
    expected = schedule_of(mandate).next_report(today)

    page = client_for(treating_psychologist).get(patient.get_absolute_url())

    assert expected is not None
    assert page.context["mandates"][0].next_report == expected
    due = drafting.periodic_reports_due(today, due_from=today, due_by=expected.due_on)
    assert [(m.pk, p) for m, p in due] == [(mandate.pk, expected)]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    start=st.dates(D(2023, 1, 1), D(2026, 12, 31)),
    intake_after=st.one_of(st.none(), st.integers(-60, 200)),
    months=st.sampled_from([1, 2, 3, 6]),
    length=st.one_of(st.none(), st.integers(1, 1500)),
    framework=st.sampled_from(["probation", "internment", "pretrial", "youth"]),
    seen=st.integers(-30, 1600),
)
def test_every_schedule_holds_the_law_and_the_page_and_letters_agree(
    patient, start, intake_after, months, length, framework, seen
):
    """Periods follow each other without gap from the start of the measure, stop with it and
    never leave its last day alone; each report is due REPORT_SIGNING_DAYS after its period;
    under a six-month law the first is due within the month of the later of the start and the
    intake (art. 9bis), and two reports are never more than the interval apart. Whatever the
    day, the letters' deadlines draft the report the patient page calls next."""
    intake = None if intake_after is None else start + datetime.timedelta(days=intake_after)
    ends_on = None if length is None else start + datetime.timedelta(days=length)
    Mandate.objects.filter(patient=patient).update(
        starts_on=start,
        ends_on=ends_on,
        reporting_interval_months=months,
        legal_framework=framework,
    )
    patient.episodes.update(intake_on=intake, stage="intake" if intake else "referral")
    mandate = patient.mandates.get()
    plan = schedule_of(mandate)
    periods = list(islice(plan.periods(), 40))

    assert periods[0].first_day == start
    for before, after in pairwise(periods):
        assert after.first_day == before.last_day + datetime.timedelta(days=1)
        assert after.due_on <= add_months(before.due_on, months) + datetime.timedelta(days=1)
        assert after.number == before.number + 1
    for period in periods:
        assert period.due_on == period.last_day + SIGNING
        assert period.first_day <= period.last_day
    if ends_on is not None and len(periods) < 40:
        assert periods[-1].last_day == ends_on
        assert len(periods) == 1 or periods[-1].last_day > periods[-1].first_day
    clock = max(start, intake) if intake else start
    if framework in ("probation", "internment") and (
        ends_on is None or ends_on > add_months(clock, 1)
    ):
        assert periods[0].due_on == add_months(clock, 1)

    today = start + datetime.timedelta(days=seen)
    following = plan.next_report(today)
    drafted = drafting.periodic_reports_due(
        today, due_from=today, due_by=today + datetime.timedelta(days=400)
    )
    assert (following is None) == (drafted == [])
    if following is not None:
        assert drafted[0] == (mandate, following)
