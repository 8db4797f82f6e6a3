"""Access is what it is now: leaving a care team ends what a clinician sees everywhere, and a
group's facilitators see its members for the group's sessions only (the group rule)."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from audit.models import AccessEvent
from casework import selectors, services
from casework.models import Attendance
from casework.permissions import can_work_with_group
from tests.factories import at, book, book_group_session, make_group
from tests.forms import browser_form


@pytest.fixture
def former_clinician(patient, treating_psychologist, clinical_lead):
    """The treating psychologist, booked on past and coming sessions, then taken off the team."""
    book(patient, treating_psychologist, days=-3, hour=9)  # outcome still awaited
    book(patient, treating_psychologist, days=0, hour=23, minute=30)  # later today
    book(patient, treating_psychologist, days=2)
    membership = patient.care_team.get(clinician=treating_psychologist, ends_on=None)
    services.care_team_end(actor=clinical_lead, membership=membership)
    return treating_psychologist


@pytest.mark.parametrize(
    "url",
    [
        reverse("casework:agenda"),
        reverse("casework:agenda") + "?view=day",
        reverse("workspace:todo"),
        reverse("workspace:dashboard"),
    ],
)
def test_a_clinician_who_left_the_care_team_no_longer_sees_the_patient(
    url, former_clinician, patient, client_for
):
    page = client_for(former_clinician).get(url).content.decode()

    assert patient.file_number not in page
    assert patient.last_name.upper() not in page


def test_nor_in_the_calendar_feed(former_clinician, patient, client, client_for):
    made = client_for(former_clinician).post(reverse("casework:calendar_feed")).content.decode()
    feed = client.get(re.search(r'value="(http[^"]+\.ics)"', made).group(1)).content.decode()

    assert "BEGIN:VCALENDAR" in feed
    assert patient.file_number not in feed


def test_nor_in_the_outcome_reminders(former_clinician, patient):
    from common.models import OutboxMessage

    assert services.outcome_reminders_send() == 0

    assert not [m for m in OutboxMessage.objects.all() if former_clinician.email in m.to]


def test_while_in_the_care_team_the_clinician_sees_the_patient_everywhere(
    patient, treating_psychologist, client, client_for, django_capture_on_commit_callbacks
):
    book(patient, treating_psychologist, days=-3, hour=9)
    book(patient, treating_psychologist, days=2)
    clinician = client_for(treating_psychologist)

    for url in (reverse("casework:agenda"), reverse("workspace:todo")):
        assert patient.file_number in clinician.get(url).content.decode()
    made = clinician.post(reverse("casework:calendar_feed")).content.decode()
    feed = client.get(re.search(r'value="(http[^"]+\.ics)"', made).group(1)).content.decode()
    assert patient.file_number in feed
    with django_capture_on_commit_callbacks(execute=True):  # the outbox sends after the commit
        services.outcome_reminders_send()
    assert patient.file_number in mail.outbox[0].body


# --- The group rule ------------------------------------------------------------------------------


@pytest.fixture
def group(patient, treating_psychologist, other_psychologist, administrator):
    """The treating psychologist leads it; the other psychologist covers."""
    return make_group(
        by=administrator,
        regular=[treating_psychologist],
        cover=[other_psychologist],
        members=[patient],
    )


@pytest.fixture
def session(group, administrator, treating_psychologist):
    return book_group_session(group, by=administrator, clinicians=[treating_psychologist])


def test_a_cover_facilitator_takes_the_group_s_attendance_and_it_is_logged(
    group, session, patient, other_psychologist, client_for
):
    assert can_work_with_group(other_psychologist, group)
    client = client_for(other_psychologist)
    url = reverse("casework:group_attendance", args=[group.pk, session.pk])
    page = client.get(url)
    assert patient.full_name in page.content.decode()
    attendance = session.attendances.get()
    data = browser_form(page)
    data[f"a{attendance.pk}-outcome"] = str(
        Attendance._meta.get_field("outcome").related_model.objects.get(code="attended").pk
    )

    assert client.post(url, data).status_code == 302
    attendance.refresh_from_db()
    assert (attendance.outcome.code, attendance.recorded_by) == ("attended", other_psychologist)
    seen = AccessEvent.objects.about_patient(patient.pk).filter(user=other_psychologist)
    assert set(seen.values_list("action", flat=True)) == {"list", "update"}


def test_a_cover_facilitator_sees_nothing_else_of_a_member(
    group, session, patient, treating_psychologist, other_psychologist, client_for
):
    individual = book(patient, treating_psychologist, days=-2)
    client = client_for(other_psychologist)

    assert client.get(patient.get_absolute_url()).status_code == 404
    assert (
        client.get(reverse("casework:outcome", args=[patient.pk, individual.pk])).status_code == 404
    )
    detail = client.get(group.get_absolute_url()).content.decode()
    assert patient.get_absolute_url() not in detail  # the name, without a link to the file
    assert patient.full_name in detail
    agenda = client.get(reverse("casework:agenda") + f"?date={at(-2).date()}").content.decode()
    assert patient.file_number not in agenda


def test_a_clinician_who_does_not_facilitate_the_group_works_with_none_of_it(
    group, session, patient, clinical_lead, client_for
):
    from accounts.roles import Role
    from tests.factories import UserFactory

    stranger = UserFactory(username="psy.stranger", role=Role.PSYCHOLOGIST)
    assert not can_work_with_group(stranger, group)
    assert can_work_with_group(clinical_lead, group)
    client = client_for(stranger)
    url = reverse("casework:group_attendance", args=[group.pk, session.pk])
    assert client.get(url).status_code == 404
    assert client.get(group.get_absolute_url()).status_code == 404


def test_the_api_gives_a_cover_facilitator_the_group_s_sessions_only(
    group, session, patient, other_psychologist, api_for
):
    client = api_for(other_psychologist)

    sessions = client.get(reverse("api:group_sessions", args=[group.pk])).json()["results"]
    assert [row["patient"] for row in sessions[0]["attendances"]] == [patient.pk]
    assert client.get(reverse("api:patient_detail", args=[patient.pk])).status_code == 404
    assert client.get(reverse("api:appointment_list", args=[patient.pk])).status_code == 404


def test_a_facilitator_is_asked_for_the_outcomes_of_group_members_who_are_not_their_patients(
    patient, administrator, other_psychologist, treating_psychologist, client_for
):
    """The to-do list starts from the user's own patients and groups: a group session counts
    through the group, whoever its members' therapists are."""
    group = make_group(by=administrator, regular=[other_psychologist], members=[patient])
    session = book_group_session(group, by=administrator, clinicians=[other_psychologist])
    mine = book(patient, treating_psychologist, days=-2)

    facilitator = selectors.awaiting_outcome(selectors.reach_of(other_psychologist))
    therapist = selectors.awaiting_outcome(selectors.reach_of(treating_psychologist))

    assert list(facilitator) == [session]  # not the patient's individual session
    assert list(therapist) == [mine]  # not the group's session, run by someone else
