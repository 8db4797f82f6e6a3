"""Rooms booked like people, and the week grid (docs/calendar.md): a room taken at that hour,
or closed then, is a warning as a clinician's clash is; the grid shows a room's or a
clinician's week, names only the patients within reach, and books a free hour."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from casework import services
from casework.models import Appointment, Room
from casework.services import SchedulingConflict
from tests.factories import book, patient_in_care
from tests.forms import browser_form, offered

GRID = reverse("casework:week_grid")


def next_weekday(hour: int, minute: int = 0) -> datetime.datetime:
    """The next Tuesday, at that local time: a day the room is open, within the week grid."""
    day = timezone.localdate() + datetime.timedelta(days=1)
    while day.weekday() != 1:
        day += datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


@pytest.fixture
def room(db):
    return Room.objects.create(
        name="Bureau 2",
        opens_at=datetime.time(8),
        closes_at=datetime.time(18),
        open_days="01234",
    )


@pytest.fixture
def other_patient(administrator, clinical_lead, other_psychologist):
    return patient_in_care(
        administrator=administrator, lead=clinical_lead, psychologist=other_psychologist
    )


def book_in(room, patient, clinician, starts_at, **options):
    return book(
        patient, clinician, starts_at=starts_at, room=room, allow_conflicts=False, **options
    )


# --- Clashes and opening hours ----------------------------------------------------------


def test_a_room_taken_at_that_hour_is_a_warning_and_may_be_overridden(
    room, patient, other_patient, treating_psychologist, other_psychologist
):
    book_in(room, patient, treating_psychologist, next_weekday(10))

    with pytest.raises(SchedulingConflict) as clash:
        book_in(room, other_patient, other_psychologist, next_weekday(10, 30))

    assert clash.value.warnings == ["Bureau 2 is already booked at that time."]
    anyway = book(
        other_patient, other_psychologist, starts_at=next_weekday(10, 30), room=room
    )  # allow_conflicts: the clinician insists
    assert anyway.room == room


def test_a_free_room_at_another_hour_is_no_clash(
    room, patient, other_patient, treating_psychologist, other_psychologist
):
    book_in(room, patient, treating_psychologist, next_weekday(10))

    booked = book_in(room, other_patient, other_psychologist, next_weekday(11))

    assert booked.room == room


@pytest.mark.parametrize(
    "starts_at",
    [
        lambda: next_weekday(17, 30),
        lambda: next_weekday(7),
        lambda: next_weekday(10) + datetime.timedelta(days=4),
    ],
    ids=["runs-past-closing", "before-opening", "on-saturday"],
)
def test_a_room_closed_at_that_time_is_a_warning(room, patient, treating_psychologist, starts_at):
    with pytest.raises(SchedulingConflict) as closed:
        book_in(room, patient, treating_psychologist, starts_at())

    assert closed.value.warnings == [
        "Bureau 2 is open Monday, Tuesday, Wednesday, Thursday, Friday 08:00–18:00: this "
        "appointment falls outside."
    ]


def test_a_moved_appointment_keeps_its_room_and_who_asked_and_why(
    room, patient, other_patient, treating_psychologist, other_psychologist
):
    first = book_in(room, patient, treating_psychologist, next_weekday(10))
    book_in(room, other_patient, other_psychologist, next_weekday(14))

    with pytest.raises(SchedulingConflict) as clash:
        services.appointment_reschedule(
            actor=treating_psychologist,
            appointment=first,
            starts_at=next_weekday(14),
            requested_by="patient",
            reason="Work",
        )
    assert "Bureau 2 is already booked at that time." in clash.value.warnings

    moved = services.appointment_reschedule(
        actor=treating_psychologist,
        appointment=first,
        starts_at=next_weekday(15),
        requested_by="patient",
        reason="Work",
    )

    assert moved.room == room
    first.refresh_from_db()
    assert (first.change_requested_by, first.change_reason) == ("patient", "Work")


def test_a_room_opens_before_it_closes_on_days_given_once(db):
    room = Room(name="Bureau 9", opens_at=datetime.time(18), closes_at=datetime.time(8))
    with pytest.raises(ValidationError) as wrong_hours:
        room.full_clean()
    assert "A room opens before it closes." in str(wrong_hours.value)
    room = Room(name="Bureau 9", open_days="0119")
    with pytest.raises(ValidationError) as wrong_days:
        room.full_clean()
    assert wrong_days.value.message_dict["open_days"] == [
        "Give each open day once, as digits from 0 (Monday) to 6."
    ]


# --- The booking form -------------------------------------------------------------------


def test_the_booking_form_offers_the_rooms_and_warns_of_a_taken_one(
    room, patient, other_patient, treating_psychologist, other_psychologist, client_for
):
    book_in(room, other_patient, other_psychologist, next_weekday(9))
    client = client_for(treating_psychologist)
    url = reverse("casework:appointment_create", args=[patient.pk])
    page = client.get(url)
    assert offered(page, "room") == [str(room.pk)]
    data = browser_form(page) | {
        "starts_at": next_weekday(9).strftime("%Y-%m-%dT%H:%M"),
        "room": str(room.pk),
    }

    warned = client.post(url, data)

    assert warned.status_code == 200
    assert "Bureau 2 is already booked at that time." in warned.content.decode()
    assert not Appointment.objects.filter(patient=patient).exists()
    booked = client.post(url, data | {"allow_conflicts": "on"})
    assert booked.status_code == 302
    assert Appointment.objects.get(patient=patient).room == room


# --- The week grid ----------------------------------------------------------------------


def test_a_rooms_week_names_only_the_patients_within_reach(
    room, patient, other_patient, treating_psychologist, other_psychologist, client_for
):
    mine = book_in(room, patient, treating_psychologist, next_weekday(9))
    book_in(room, other_patient, other_psychologist, next_weekday(11))

    page = client_for(treating_psychologist).get(
        GRID, {"room": room.pk, "date": next_weekday(9).date().isoformat()}
    )

    text = page.content.decode()
    assert page.status_code == 200
    assert patient.file_number in text
    assert other_patient.file_number not in text and other_patient.last_name not in text
    assert "Booked" in text  # the other session, and who holds the room then
    assert str(other_psychologist) in text
    assert reverse("casework:appointment_reschedule", args=[patient.pk, mine.pk]) in text
    assert "?starts_at=" not in text  # nobody is being booked: no booking link


def test_booking_a_free_hour_from_the_grid_fills_the_form(
    room, patient, treating_psychologist, client_for
):
    client = client_for(treating_psychologist)
    page = client.get(GRID, {"patient": patient.pk, "date": next_weekday(9).date().isoformat()})
    assert page.context["room"] == room  # booking: the rooms' free hours
    link = (
        reverse("casework:appointment_create", args=[patient.pk])
        + f"?starts_at={next_weekday(10):%Y-%m-%dT%H:%M}&amp;room={room.pk}"
    )
    assert link in page.content.decode()

    form = browser_form(client.get(link.replace("&amp;", "&")))

    assert form["starts_at"] == f"{next_weekday(10):%Y-%m-%dT%H:%M}"
    assert form["room"] == str(room.pk)


def test_the_grid_of_another_clinicians_patient_is_404(
    room, other_patient, treating_psychologist, client_for
):
    response = client_for(treating_psychologist).get(GRID, {"patient": other_patient.pk})

    assert response.status_code == 404


def test_a_clinicians_week_marks_today_and_costs_the_same_however_full(
    room, patient, treating_psychologist, client_for, django_assert_max_num_queries
):
    client = client_for(treating_psychologist)
    today = timezone.localdate().isoformat()
    book(patient, treating_psychologist, days=0, hour=9)
    client.get(GRID)
    with django_assert_max_num_queries(30) as one:
        page = client.get(GRID, {"date": today})
    queries = len(one.captured_queries)
    assert 'aria-current="date"' in page.content.decode()
    for day in range(1, 5):
        book(patient, treating_psychologist, days=day, hour=11)
    with django_assert_max_num_queries(queries):
        client.get(GRID, {"date": today})


def test_a_bad_date_in_the_grid_is_a_400(treating_psychologist, client_for):
    assert client_for(treating_psychologist).get(GRID, {"date": "yesterday"}).status_code == 400


def test_a_bad_start_in_the_booking_link_is_a_400(patient, treating_psychologist, client_for):
    url = reverse("casework:appointment_create", args=[patient.pk])
    assert client_for(treating_psychologist).get(url, {"starts_at": "soon"}).status_code == 400


def test_the_reminder_names_the_room(room, patient, treating_psychologist):
    from casework.services.reminders import reminder_text

    attendance = book_in(room, patient, treating_psychologist, next_weekday(10)).attendances.get()

    assert ", Bureau 2." in reminder_text(attendance)


def test_the_week_shown_is_one_choice_a_room_or_a_clinician(
    room, treating_psychologist, other_psychologist, client_for
):
    client = client_for(treating_psychologist)

    of_a_room = client.get(GRID, {"show": f"room-{room.pk}"})
    of_a_colleague = client.get(GRID, {"show": f"clinician-{other_psychologist.pk}"})

    assert (of_a_room.context["room"], of_a_room.context["clinician_id"]) == (room, None)
    assert (of_a_colleague.context["room"], of_a_colleague.context["clinician_id"]) == (
        None,
        other_psychologist.pk,
    )
    assert f'value="room-{room.pk}" selected' in of_a_room.content.decode()


def test_hours_gone_by_are_not_offered(room, patient, treating_psychologist, client_for):
    last_week = timezone.localdate() - datetime.timedelta(days=7)

    page = client_for(treating_psychologist).get(
        GRID, {"patient": patient.pk, "room": room.pk, "date": last_week.isoformat()}
    )

    assert "?starts_at=" not in page.content.decode()


def test_a_groups_sessions_are_booked_in_its_room_with_the_same_warnings(
    room,
    patient,
    other_patient,
    administrator,
    treating_psychologist,
    other_psychologist,
    client_for,
):
    from casework.models import TherapyGroup
    from tests.factories import make_group

    group = make_group(
        by=administrator, regular=[treating_psychologist], members=[patient], weekday=1, hour=10
    )
    client = client_for(administrator)
    edit = reverse("casework:group_update", args=[group.pk])
    page = client.get(edit)
    assert str(room.pk) in offered(page, "room")
    assert client.post(edit, browser_form(page) | {"room": str(room.pk)}).status_code == 302
    assert TherapyGroup.objects.get(pk=group.pk).room == room
    book_in(room, other_patient, other_psychologist, next_weekday(10))  # the room is taken
    url = reverse("casework:group_sessions_create", args=[group.pk])
    data = browser_form(client.get(url)) | {"first_date": next_weekday(10).date().isoformat()}

    warned = client.post(url, data)

    assert "Bureau 2 is already booked at that time." in warned.content.decode()
    assert not Appointment.objects.filter(group=group).exists()
    assert client.post(url, data | {"allow_conflicts": "on"}).status_code == 302
    assert Appointment.objects.get(group=group).room == room
