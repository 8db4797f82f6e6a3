"""Treatment plans (docs/treatment-plans.md): goals and interventions, versions kept (a review
is the next version, the earlier ones stay readable), the clinical zone's, reviews due on the
to-do list, and the end of treatment summing up each goal."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessEvent
from common.records import Final
from notes import services
from notes.models import TreatmentPlan
from tests.forms import browser_form, offered


def plan_url(patient):
    return reverse("notes:plan", args=[patient.pk])


def write_url(patient):
    return reverse("notes:plan_write", args=[patient.pk])


def in_days(days: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


@pytest.fixture
def plan(patient, treating_psychologist):
    return services.plan_write(
        actor=treating_psychologist,
        patient=patient,
        review_on=timezone.localdate() + datetime.timedelta(days=90),
        goals=[
            {"goal": "Name the risk situations", "interventions": "Relapse prevention plan"},
            {"goal": "Keep a job", "interventions": "Weekly check-in"},
        ],
    )


def test_the_psychologist_writes_the_first_plan_from_the_form_the_page_offers(
    patient, treating_psychologist, client_for
):
    client = client_for(treating_psychologist)
    assert "No treatment plan yet" in client.get(plan_url(patient)).content.decode()
    page = client.get(write_url(patient))
    assert "progress_1" not in page.content.decode()  # nothing to rate yet
    assert browser_form(page)["review_on"] == in_days(91)  # three months, unless changed
    data = browser_form(page) | {
        "goal_1": "Name the risk situations",
        "interventions_1": "Relapse prevention plan",
        "review_on": in_days(90),
    }

    response = client.post(write_url(patient), data)

    assert response.status_code == 302, response.context["form"].errors
    plan = TreatmentPlan.objects.get()
    assert (plan.version, plan.kind, [g.goal for g in plan.goals.all()]) == (
        1,
        "plan",
        ["Name the risk situations"],
    )
    assert AccessEvent.objects.filter(action="create", object_type="notes.treatmentplan").exists()


def test_a_review_is_the_next_version_and_the_earlier_one_stays_readable(
    patient, plan, treating_psychologist, client_for
):
    client = client_for(treating_psychologist)
    page = client.get(write_url(patient))
    data = browser_form(page)
    assert data["goal_1"] == "Name the risk situations"  # carried over to edit
    assert data["review_on"] == in_days(90)  # as far off as the last review was
    assert "reached" in offered(page, "progress_1")
    data |= {"progress_1": "clear", "progress_2": "reached", "review_on": in_days(120)}

    assert client.post(write_url(patient), data).status_code == 302

    review = TreatmentPlan.objects.get(version=2)
    assert review.kind == "review"
    assert [g.progress for g in review.goals.all()] == ["clear", "reached"]
    shown = client.get(plan_url(patient)).content.decode()
    assert "Version 2: Review" in shown and "Clear progress" in shown
    old = client.get(reverse("notes:plan_version", args=[patient.pk, 1]))
    assert old.status_code == 200
    assert "an earlier version" in old.content.decode()


def test_a_review_rates_the_progress_on_every_goal(patient, plan, treating_psychologist):
    with pytest.raises(ValidationError) as refused:
        services.plan_write(
            actor=treating_psychologist,
            patient=patient,
            review_on=timezone.localdate() + datetime.timedelta(days=60),
            goals=[
                {"goal": "Name the risk situations", "progress": "some"},
                {"goal": "Keep a job"},
            ],
        )

    assert refused.value.message_dict == {"progress_2": ["Rate the progress made on this goal."]}
    assert TreatmentPlan.objects.count() == 1


def test_a_plan_needs_a_goal_and_a_review_after_today(patient, treating_psychologist):
    with pytest.raises(ValidationError) as no_goal:
        services.plan_write(
            actor=treating_psychologist,
            patient=patient,
            review_on=timezone.localdate() + datetime.timedelta(days=1),
            goals=[{"goal": "  "}],
        )
    with pytest.raises(ValidationError) as today:
        services.plan_write(
            actor=treating_psychologist,
            patient=patient,
            review_on=timezone.localdate(),
            goals=[{"goal": "Keep a job"}],
        )

    assert no_goal.value.message_dict == {"goal_1": ["Give the plan at least one goal."]}
    assert today.value.message_dict == {"review_on": ["The next review comes after today."]}
    assert not TreatmentPlan.objects.exists()


def test_a_version_never_changes(plan):
    plan.review_on = timezone.localdate()
    with pytest.raises(Final):
        plan.save()
    goal = plan.goals.first()
    goal.goal = "Something else"
    with pytest.raises(Final):
        goal.save()


def test_the_end_of_treatment_sums_up_each_goal_and_closes_the_plan(
    patient, plan, treating_psychologist, client_for
):
    client = client_for(treating_psychologist)
    url = reverse("notes:plan_close", args=[patient.pk])
    data = browser_form(client.get(url)) | {
        "progress_1": "reached",
        "summary_1": "Names them and has a plan for each.",
        "progress_2": "stopped",
        "summary_2": "",
    }

    refused = client.post(url, data)
    assert refused.context["form"].errors["summary_2"]
    closed = client.post(url, data | {"summary_2": "Lost the job in March; looking again."})

    assert closed.status_code == 302
    last = TreatmentPlan.objects.get(version=2)
    assert (last.kind, last.review_on) == ("closing", None)
    assert [g.summary for g in last.goals.all()] == [
        "Names them and has a plan for each.",
        "Lost the job in March; looking again.",
    ]
    # What comes next: the plan is reviewed and closed no more.
    assert client.get(write_url(patient), follow=True).redirect_chain[-1][0] == plan_url(patient)
    with pytest.raises(ValidationError):
        services.plan_write(
            actor=treating_psychologist,
            patient=patient,
            review_on=timezone.localdate() + datetime.timedelta(days=30),
            goals=[{"goal": "Again"}],
        )


def test_closing_needs_a_plan(patient, treating_psychologist, client_for):
    response = client_for(treating_psychologist).get(
        reverse("notes:plan_close", args=[patient.pk]), follow=True
    )

    assert "Write the treatment plan first" in response.content.decode()


# --- The zone ---------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["administrator", "other_psychologist", "helpline_listener"])
def test_the_plan_is_the_clinical_zone_404_to_others(patient, plan, client_for, request, persona):
    client = client_for(request.getfixturevalue(persona))
    for url in (
        plan_url(patient),
        write_url(patient),
        reverse("notes:plan_version", args=[patient.pk, 1]),
        reverse("notes:plan_close", args=[patient.pk]),
    ):
        assert client.get(url).status_code == 404, url


def test_the_clinical_lead_reads_it(patient, plan, clinical_lead, client_for):
    assert client_for(clinical_lead).get(plan_url(patient)).status_code == 200


# --- The to-do list ---------------------------------------------------------------------


def test_a_review_due_within_two_weeks_is_on_the_care_teams_todo_list(
    patient, treating_psychologist, clinical_lead, client_for
):
    services.plan_write(
        actor=treating_psychologist,
        patient=patient,
        review_on=timezone.localdate() + datetime.timedelta(days=10),
        goals=[{"goal": "Keep a job"}],
    )
    todo = reverse("workspace:todo")

    mine = client_for(treating_psychologist).get(todo).content.decode()
    assert "Treatment plans to review" in mine and patient.file_number in mine
    assert reverse("notes:plan_write", args=[patient.pk]) in mine
    # The lead reads every file but reviews the plans of their own care teams only.
    assert "Treatment plans to review" not in client_for(clinical_lead).get(todo).content.decode()


def test_a_review_further_off_or_a_closed_plan_is_not_on_the_list(
    patient, plan, treating_psychologist, client_for
):
    todo = reverse("workspace:todo")
    client = client_for(treating_psychologist)
    assert "Treatment plans to review" not in client.get(todo).content.decode()  # in 90 days
    services.plan_close(
        actor=treating_psychologist,
        patient=patient,
        summaries=[
            {"progress": "reached", "summary": "Done."},
            {"progress": "some", "summary": "Working."},
        ],
    )
    assert "Treatment plans to review" not in client.get(todo).content.decode()


def test_when_the_treatment_ends_the_plan_is_on_the_todo_list_to_be_summed_up(
    patient, plan, treating_psychologist, administrator, client_for
):
    from casework import services as casework_services

    episode = patient.episodes.get(closed_on__isnull=True)
    casework_services.episode_close(
        actor=administrator, episode=episode, on=timezone.localdate(), exit_reason="completed"
    )
    client = client_for(treating_psychologist)

    todo = client.get(reverse("workspace:todo")).content.decode()
    assert "the treatment has ended: sum up each goal" in todo
    assert reverse("notes:plan_close", args=[patient.pk]) in todo
    assert (
        "close the plan by summing up each goal" in client.get(plan_url(patient)).content.decode()
    )
    # Summed up: off the list.
    services.plan_close(
        actor=treating_psychologist,
        patient=patient,
        summaries=[
            {"progress": "reached", "summary": "Done."},
            {"progress": "some", "summary": "Working."},
        ],
    )
    assert "sum up each goal" not in client.get(reverse("workspace:todo")).content.decode()


def test_a_goal_added_at_a_review_needs_no_rating_yet(patient, plan, treating_psychologist):
    review = services.plan_write(
        actor=treating_psychologist,
        patient=patient,
        review_on=timezone.localdate() + datetime.timedelta(days=60),
        goals=[
            {"goal": "Name the risk situations", "progress": "some"},
            {"goal": "Keep a job", "progress": "clear"},
            {"goal": "Tell his partner about the treatment"},
        ],
    )

    assert [g.progress for g in review.goals.all()] == ["some", "clear", ""]
