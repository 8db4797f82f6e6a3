"""Pages of issue 3: agendas, to-do, booking, outcomes, groups, notes, the calendar feed."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from casework import services
from casework.models import Appointment, Attendance, TherapyGroup
from casework.views import agenda as agenda_views
from notes import services as note_services
from notes.models import ClinicalNote
from tests.factories import (
    at,
    book,
    book_group_session,
    make_group,
    outcome,
    record,
    register_patient,
)
from workspace import views as workspace_views


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def caseload(n, *, administrator, clinical_lead, clinician, days=-1):
    for i in range(n):
        patient = register_patient(administrator, last_name=f"Load{i}")
        services.care_team_assign(
            actor=clinical_lead, patient=patient, clinician=clinician, role="lead"
        )
        book(patient, clinician, days=days, hour=8 + i % 10)


# --- Query counts stay flat as the data grows -----------------------------------------------


@pytest.mark.parametrize("url_name", ["casework:agenda", "workspace:todo", "workspace:dashboard"])
def test_agenda_todo_and_home_cost_the_same_queries_for_2_or_12_sessions(
    url_name, administrator, clinical_lead, treating_psychologist, client_for
):
    client = client_for(treating_psychologist)
    url = reverse(url_name) + ("?view=week" if url_name == "casework:agenda" else "")
    caseload(
        2,
        administrator=administrator,
        clinical_lead=clinical_lead,
        clinician=treating_psychologist,
        days=0 if url_name == "workspace:dashboard" else -1,
    )
    few = queries(client, url)
    caseload(
        10,
        administrator=administrator,
        clinical_lead=clinical_lead,
        clinician=treating_psychologist,
        days=0 if url_name == "workspace:dashboard" else -1,
    )

    assert queries(client, url) == few


@pytest.mark.parametrize("shown", ["?view=week&clinician={pk}", "?view=day&clinician=all"])
def test_the_clinic_agenda_names_each_sessions_clinicians_in_the_same_queries(
    shown, administrator, clinical_lead, treating_psychologist, client_for
):
    client = client_for(administrator)
    url = reverse("casework:clinic_agenda") + shown.format(pk=treating_psychologist.pk)
    today = {"administrator": administrator, "clinical_lead": clinical_lead, "days": 0}
    caseload(2, clinician=treating_psychologist, **today)
    few = queries(client, url)
    caseload(10, clinician=treating_psychologist, **today)

    assert queries(client, url) == few
    page = client.get(url).content.decode()
    assert page.count(str(treating_psychologist)) >= 10  # on each session shown (10 a day)


def test_a_clinicians_own_agenda_does_not_name_them_on_every_session(
    administrator, clinical_lead, treating_psychologist, client_for
):
    caseload(
        3, administrator=administrator, clinical_lead=clinical_lead, clinician=treating_psychologist
    )

    page = client_for(treating_psychologist).get(reverse("casework:agenda") + "?view=week")

    assert page.content.decode().count(str(treating_psychologist)) < 3


@pytest.mark.parametrize(
    ("code", "badge"),
    [
        ("attended", "attended"),
        ("absence-employment", "absent"),
        ("absence-unacceptable", "failure"),
    ],
)
def test_an_outcome_has_the_same_colour_on_the_agenda_and_the_patient_page(
    code, badge, patient, treating_psychologist, client_for
):
    # at midnight: the session has begun whatever the hour the tests run at (CI ran one at 07:00)
    record(book(patient, treating_psychologist, days=0, hour=0), code, by=treating_psychologist)
    client = client_for(treating_psychologist)

    agenda = client.get(reverse("casework:agenda") + "?view=day").content.decode()
    file = client.get(patient.get_absolute_url()).content.decode()

    assert f"badge outcome-{badge}" in agenda
    assert f"badge outcome-{badge}" in file


def test_the_patient_page_stays_flat_with_more_sessions_groups_and_alerts(
    patient, treating_psychologist, administrator, client_for
):
    client = client_for(treating_psychologist)
    book(patient, treating_psychologist, days=-3)
    book(patient, treating_psychologist, days=3)  # a past and a coming session, then many
    few = queries(client, patient.get_absolute_url())
    for day in (-30, -20, -10, 5, 12):
        appointment = book(patient, treating_psychologist, days=day)
        if day < 0:
            record(appointment, "absence-unacceptable", by=treating_psychologist)
    services.compliance_evaluate(patient_ids=[patient.pk])
    group = services.group_save(
        actor=administrator,
        group=TherapyGroup(name="G", weekday=2, start_time=datetime.time(18)),
        regular=[treating_psychologist],
    )
    services.group_member_add(actor=administrator, group=group, patient=patient)

    assert queries(client, patient.get_absolute_url()) == few


# --- Agendas ----------------------------------------------------------------------------------


def test_the_week_puts_today_first_and_shows_each_day(patient, treating_psychologist, client_for):
    book(patient, treating_psychologist, days=0, hour=11)

    page = client_for(treating_psychologist).get(reverse("casework:agenda")).content.decode()

    today = page.index('id="today"')
    assert patient.file_number in page[today:]
    assert page.count("<section") == 7  # today, then the six other days of the week


def hours(appointments) -> list[int]:
    return [timezone.localtime(a.starts_at).hour for a in appointments]


def test_a_busy_week_shows_each_days_first_sessions_then_links_to_the_whole_day(
    patient, treating_psychologist, client_for, monkeypatch
):
    monkeypatch.setattr(agenda_views, "WEEK_DAY_ROWS", 2)
    day = timezone.localdate() + datetime.timedelta(days=1)
    for hour in (11, 9, 10):
        book(patient, treating_psychologist, days=1, hour=hour)

    response = client_for(treating_psychologist).get(
        reverse("casework:agenda") + f"?view=week&date={day}"
    )

    (busy,) = [d for d in response.context["days"] if d.day == day]
    assert hours(busy.appointments) == [9, 10] and busy.total == 3
    page = response.content.decode()
    assert "1 more session this day" in page
    assert f"?view=day&amp;date={day}" in page


def test_a_busy_day_is_shown_in_pages(patient, treating_psychologist, client_for, monkeypatch):
    monkeypatch.setattr(agenda_views, "DAY_PAGE_ROWS", 2)
    day = timezone.localdate() + datetime.timedelta(days=1)
    for hour in (11, 9, 10):
        book(patient, treating_psychologist, days=1, hour=hour)
    client, url = client_for(treating_psychologist), reverse("casework:agenda")

    first = client.get(f"{url}?view=day&date={day}")
    second = client.get(f"{url}?view=day&date={day}&page=2")
    garbled = client.get(f"{url}?view=day&date={day}&page=x")

    assert hours(first.context["days"][0].appointments) == [9, 10]
    assert "Page 1 of 2" in first.content.decode()
    assert f"view=day&amp;date={day}&amp;page=2" in first.content.decode()
    assert hours(second.context["days"][0].appointments) == [11]
    assert hours(garbled.context["days"][0].appointments) == [9, 10]
    # The pages lead on; no "more this day" link back to the day itself.
    assert "more session" not in first.content.decode() + second.content.decode()


def test_the_home_page_shows_todays_first_sessions_then_links_to_the_day(
    patient, treating_psychologist, client_for, monkeypatch
):
    monkeypatch.setattr(workspace_views, "TODAYS_ROWS", 1)
    book(patient, treating_psychologist, days=0, hour=9)
    book(patient, treating_psychologist, days=0, hour=10)

    page = client_for(treating_psychologist).get(reverse("workspace:dashboard")).content.decode()

    assert page.count(patient.file_number) == 2  # one session and the list of my patients
    assert "1 more session this day" in page
    assert f"?view=day&amp;date={timezone.localdate()}" in page


def test_the_clinic_agenda_is_for_administrators_and_the_lead(
    patient, treating_psychologist, administrator, clinical_lead, client_for
):
    book(patient, treating_psychologist, days=0)
    url = reverse("casework:clinic_agenda") + "?view=day&clinician=all"

    assert client_for(treating_psychologist).get(url).status_code == 403
    for reader in (administrator, clinical_lead):
        assert patient.file_number in client_for(reader).get(url).content.decode()


def test_the_clinic_agenda_shows_one_clinician_unless_asked_for_everyone_one_day_at_a_time(
    patient, treating_psychologist, administrator, clinical_lead, client_for
):
    book(patient, treating_psychologist, days=0)
    url = reverse("casework:clinic_agenda")

    own = client_for(clinical_lead).get(url)  # a clinician: their own, the week
    assert own.context["clinician_id"] == clinical_lead.pk and own.context["view"] == "week"
    assert patient.file_number not in own.content.decode()
    chosen = client_for(administrator).get(f"{url}?clinician={treating_psychologist.pk}")
    assert patient.file_number in chosen.content.decode()
    everyone = client_for(administrator).get(f"{url}?view=week&clinician=all")
    assert everyone.context["view"] == "day" and everyone.context["clinician_id"] is None
    assert patient.file_number in everyone.content.decode()
    first = client_for(administrator).get(url)  # not a clinician: the first of the list
    assert first.context["clinician_id"] is not None


def test_another_clinicians_sessions_stay_out_of_my_agenda(
    patient, treating_psychologist, other_psychologist, client_for
):
    book(patient, treating_psychologist, days=0)

    page = client_for(other_psychologist).get(reverse("casework:agenda")).content.decode()

    assert patient.file_number not in page


def test_the_todo_list_holds_past_sessions_without_outcome(
    patient, treating_psychologist, client_for
):
    waiting = book(patient, treating_psychologist, days=-2)
    done = book(patient, treating_psychologist, days=-4)
    record(done, "attended", by=treating_psychologist)

    response = client_for(treating_psychologist).get(reverse("workspace:todo"))

    assert list(response.context["awaiting"]) == [waiting]


# --- Booking, outcomes ------------------------------------------------------------------------


def test_booking_warns_of_a_double_booking_then_books_when_told_to(
    patient, treating_psychologist, client_for
):
    book(patient, treating_psychologist, days=3, hour=10)
    url = reverse("casework:appointment_create", args=[patient.pk])
    data = {
        "kind": "individual",
        "starts_at": at(3, 10, 30).strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": "60",
        "mode": "in_person",
        "clinicians": [treating_psychologist.pk],
    }
    client = client_for(treating_psychologist)

    warned = client.post(url, data)
    booked = client.post(url, {**data, "allow_conflicts": "on"})

    assert warned.status_code == 200
    assert "already has an appointment at that time" in warned.content.decode()
    assert "Book anyway" in warned.content.decode()
    assert booked.status_code == 302
    assert Appointment.objects.filter(patient=patient).count() == 2


def test_a_weekly_series_is_booked_from_the_form(patient, treating_psychologist, client_for):
    response = client_for(treating_psychologist).post(
        reverse("casework:appointment_create", args=[patient.pk]),
        {
            "kind": "individual",
            "starts_at": at(1, 9).strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": "45",
            "mode": "video",
            "clinicians": [treating_psychologist.pk],
            "repeat": "fortnightly",
            "occurrences": "4",
        },
    )

    assert response.status_code == 302
    starts = list(Appointment.objects.filter(patient=patient).values_list("starts_at", flat=True))
    assert [(s - starts[0]).days for s in starts] == [0, 14, 28, 42]


def test_recording_an_outcome_from_the_agenda_returns_to_it(
    patient, treating_psychologist, client_for
):
    appointment = book(patient, treating_psychologist, days=0, hour=0)
    agenda = reverse("casework:agenda")
    client = client_for(treating_psychologist)
    assert "Record outcome" in client.get(agenda).content.decode()

    url = reverse("casework:outcome", args=[patient.pk, appointment.pk]) + f"?next={agenda}"
    response = client.post(
        url,
        {"outcome": outcome("attended-late").pk, "minutes_late": "10", "evidence": "not_needed"},
    )

    assert response.status_code == 302
    assert response["Location"] == agenda
    attendance = appointment.attendances.get()
    assert (attendance.outcome.code, attendance.minutes_late) == ("attended-late", 10)


def test_an_outcome_with_a_concern_but_no_words_is_refused_on_the_page(
    patient, treating_psychologist, client_for
):
    appointment = book(patient, treating_psychologist, days=-1)
    url = reverse("casework:outcome", args=[patient.pk, appointment.pk])

    response = client_for(treating_psychologist).post(
        url, {"outcome": outcome("attended").pk, "evidence": "not_needed", "notify_concern": "on"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["note_for_authority"] == [
        "Write what the justice assistant should be told."
    ]
    assert appointment.attendances.get().outcome is None


def test_an_administrator_may_record_an_outcome_the_helpline_may_not(
    patient, treating_psychologist, administrator, helpline_listener, client_for
):
    appointment = book(patient, treating_psychologist, days=-1)
    url = reverse("casework:outcome", args=[patient.pk, appointment.pk])
    data = {"outcome": outcome("attended").pk, "evidence": "not_needed"}

    assert client_for(helpline_listener).post(url, data).status_code == 404
    assert client_for(administrator).post(url, data).status_code == 302


def test_cancelling_from_the_page_keeps_the_reason(patient, treating_psychologist, client_for):
    appointment = book(patient, treating_psychologist, days=2)
    url = reverse("casework:appointment_cancel", args=[patient.pk, appointment.pk])

    client_for(treating_psychologist).post(url, {"reason": "Therapist on leave"})

    appointment.refresh_from_db()
    assert (appointment.status, appointment.change_reason) == ("cancelled", "Therapist on leave")


# --- Groups -----------------------------------------------------------------------------------


@pytest.fixture
def group_session(patient, treating_psychologist, administrator):
    other = register_patient(administrator, last_name="Member")
    group = make_group(
        by=administrator,
        regular=[treating_psychologist],
        members=[patient, other],
        name="Monday group",
        weekday=0,
    )
    return group, book_group_session(
        group, by=administrator, clinicians=[treating_psychologist], days=-2
    )


def test_the_facilitator_records_the_whole_group_in_one_screen(
    group_session, treating_psychologist, patient, client_for
):
    group, session = group_session
    url = reverse("casework:group_attendance", args=[group.pk, session.pk])
    rows = list(session.attendances.order_by("pk"))
    data = {f"a{a.pk}-outcome": outcome("attended").pk for a in rows}

    page = client_for(treating_psychologist).get(url)
    saved = client_for(treating_psychologist).post(url, data)

    assert page.status_code == 200
    assert saved.status_code == 302
    assert set(
        Attendance.objects.filter(appointment=session).values_list("outcome__code", flat=True)
    ) == {"attended"}
    member_page = client_for(treating_psychologist).get(patient.get_absolute_url()).content.decode()
    assert "Monday group" in member_page


def test_one_bad_row_shows_its_error_and_saves_nothing(
    group_session, treating_psychologist, client_for
):
    group, session = group_session
    first, second = session.attendances.order_by("pk")
    url = reverse("casework:group_attendance", args=[group.pk, session.pk])
    data = {
        f"a{first.pk}-outcome": outcome("attended").pk,
        f"a{second.pk}-outcome": outcome("attended").pk,
        f"a{second.pk}-notify_concern": "on",
    }

    response = client_for(treating_psychologist).post(url, data)

    assert response.status_code == 200
    assert "Write what the justice assistant should be told." in response.content.decode()
    assert not Attendance.objects.filter(appointment=session, outcome__isnull=False).exists()


def test_allocating_a_patient_who_must_not_meet_a_member_asks_first(
    group_session, administrator, patient, client_for
):
    group, _ = group_session
    newcomer = register_patient(administrator, last_name="Newcomer")
    services.non_association_add(
        actor=administrator, patient=newcomer, other=patient, reason="Co-accused"
    )
    url = reverse("casework:group_member_add", args=[group.pk])
    data = {"patient": newcomer.pk, "joined_on": timezone.localdate().isoformat()}

    warned = client_for(administrator).post(url, data)
    allocated = client_for(administrator).post(url, {**data, "allow_non_associations": "on"})

    assert "must not meet" in warned.content.decode()
    assert allocated.status_code == 302
    assert group.members.filter(patient=newcomer).exists()


def test_psychologists_may_not_create_groups(treating_psychologist, administrator, client_for):
    assert (
        client_for(treating_psychologist).get(reverse("casework:group_create")).status_code == 403
    )
    response = client_for(administrator).post(
        reverse("casework:group_create"),
        {
            "name": "Wednesday",
            "weekday": "2",
            "start_time": "18:00",
            "duration_minutes": "90",
            "is_active": "on",
            "regular": [treating_psychologist.pk],
        },
    )
    assert response.status_code == 302
    assert TherapyGroup.objects.get().facilitation.get().clinician == treating_psychologist


# --- Notes: the clinical zone -----------------------------------------------------------------


@pytest.fixture
def note(patient, treating_psychologist):
    appointment = book(patient, treating_psychologist, days=-1)
    return note_services.note_create(
        actor=treating_psychologist,
        patient=patient,
        kind="session",
        appointment=appointment,
        text="Discussed the safety plan.",
    )


NOTE_URLS = [
    "notes:list",
    "notes:create",
    "notes:update",
    "notes:sign",
    "notes:addendum",
]


def note_url(name, patient, note):
    args = [patient.pk] if name in ("notes:list", "notes:create") else [patient.pk, note.pk]
    return reverse(name, args=args)


@pytest.mark.parametrize("name", NOTE_URLS)
def test_an_administrator_gets_404_on_every_note_page(
    name, note, patient, administrator, client_for
):
    client = client_for(administrator)

    assert client.get(note_url(name, patient, note)).status_code == 404
    assert (
        client.post(note_url(name, patient, note), {"text": "x", "kind": "personal"}).status_code
        == 404
    )


def test_the_patient_page_shows_no_notes_link_to_an_administrator(
    patient, note, administrator, treating_psychologist, clinical_lead, client_for
):
    admin_page = client_for(administrator).get(patient.get_absolute_url()).content.decode()
    clinician_page = (
        client_for(treating_psychologist).get(patient.get_absolute_url()).content.decode()
    )
    lead_page = client_for(clinical_lead).get(patient.get_absolute_url()).content.decode()

    assert "Clinical notes" not in admin_page
    assert "Discussed the safety plan" not in admin_page
    assert "Clinical notes" in clinician_page
    assert "Clinical notes" in lead_page  # by role, without a place in the care team


def test_the_lead_reads_notes_and_the_author_signs_them(
    note, patient, clinical_lead, treating_psychologist, client_for
):
    assert (
        "Discussed the safety plan"
        in client_for(clinical_lead).get(reverse("notes:list", args=[patient.pk])).content.decode()
    )

    client_for(treating_psychologist).post(reverse("notes:sign", args=[patient.pk, note.pk]))

    note.refresh_from_db()
    assert note.is_signed
    edit = client_for(treating_psychologist).post(
        reverse("notes:update", args=[patient.pk, note.pk]),
        {"text": "Changed"},
        follow=True,
    )
    assert "signed and final" in edit.content.decode()
    assert ClinicalNote.objects.get(pk=note.pk).text == "Discussed the safety plan."


# --- The calendar feed ------------------------------------------------------------------------


def test_the_calendar_link_shows_file_numbers_and_dies_when_revoked(
    patient, treating_psychologist, client, client_for
):
    book(patient, treating_psychologist, days=1)
    owner = client_for(treating_psychologist)

    made = owner.post(reverse("casework:calendar_feed"), {"action": "create"}).content.decode()
    url = re.search(r'value="(http[^"]+\.ics)"', made).group(1)
    feed = client.get(url)

    assert feed.status_code == 200
    assert feed["Content-Type"].startswith("text/calendar")
    body = feed.content.decode()
    assert "BEGIN:VEVENT" in body and patient.file_number in body
    assert patient.last_name not in body and patient.first_name not in body

    owner.post(reverse("casework:calendar_feed"), {"action": "revoke"})
    assert client.get(url).status_code == 404


def test_a_group_session_moves_only_for_its_facilitators_and_managers(
    group_session,
    patient,
    other_psychologist,
    treating_psychologist,
    clinical_lead,
    administrator,
    client_for,
):
    _, session = group_session
    services.care_team_assign(
        actor=clinical_lead, patient=patient, clinician=other_psychologist, role="co"
    )
    url = reverse("casework:appointment_cancel", args=[patient.pk, session.pk])

    # other_psychologist sees the member's file but does not facilitate the group
    assert client_for(other_psychologist).get(url).status_code == 403
    assert client_for(treating_psychologist).get(url).status_code == 200
    assert client_for(administrator).get(url).status_code == 200


def test_the_todo_page_lists_assessments_due_in_its_body(
    patient, treating_psychologist, client_for
):
    from assessments import services as assessment_services

    draft = assessment_services.assessment_save(
        actor=treating_psychologist,
        patient=patient,
        instrument="acute2007",
        assessed_on=at(-40).date(),
        facts={},
        responses={str(n): "0" for n in range(1, 8)},
        trained_assessor=True,
        complete=True,
    )
    assessment_services.assessment_sign(actor=treating_psychologist, assessment=draft)

    page = client_for(treating_psychologist).get(reverse("workspace:todo")).content.decode()

    title = page[page.index("<title>") : page.index("</title>")]
    assert "ACUTE-2007" not in title
    assert page.count(f"{patient.file_number}</a> {patient.full_name} — ACUTE-2007") == 1


def test_the_group_screen_costs_the_same_queries_for_2_or_8_members(
    group_session, treating_psychologist, administrator, client_for
):
    group, session = group_session
    url = reverse("casework:group_attendance", args=[group.pk, session.pk])
    client = client_for(treating_psychologist)
    few = queries(client, url)
    for i in range(6):
        member = register_patient(administrator, last_name=f"Extra{i}")
        services.group_member_add(
            actor=administrator, group=group, patient=member, joined_on=at(-30).date()
        )

    assert session.attendances.count() == 8  # joined before the session: expected at it
    assert queries(client, url) == few


def test_the_agenda_and_group_page_show_whether_each_session_is_recorded_at_the_same_queries(
    group_session, treating_psychologist, administrator, client_for
):
    group, session = group_session
    day = timezone.localdate(session.starts_at).isoformat()
    url = reverse("casework:agenda") + f"?view=day&date={day}"
    client = client_for(treating_psychologist)
    few = queries(client, url)
    recorded = book_group_session(
        group, by=administrator, clinicians=[treating_psychologist], days=-2, hour=10
    )
    book_group_session(
        group, by=administrator, clinicians=[treating_psychologist], days=-2, hour=12
    )
    services.group_attendance_record(
        actor=treating_psychologist,
        appointment=recorded,
        rows={a.pk: {"outcome": outcome("attended")} for a in recorded.attendances.all()},
    )

    assert queries(client, url) == few
    for page in (client.get(url), client.get(group.get_absolute_url())):
        html = page.content.decode()
        assert html.count(">Record attendance</a>") == 2  # the first session and the third
        assert html.count(">Attendance</a>") == 1


def test_the_cancel_page_names_its_buttons_for_what_they_do(
    patient, treating_psychologist, client_for
):
    appointment = book(patient, treating_psychologist, days=3)
    page = client_for(treating_psychologist).get(
        reverse("casework:appointment_cancel", args=[patient.pk, appointment.pk])
    )
    html = page.content.decode()

    assert '<button type="submit" class="danger">Cancel the appointment</button>' in html
    assert ">Keep the appointment</a>" in html
    assert ">Save<" not in html


# --- Lists are bounded: a caseload of hundreds does not make a page of hundreds --------------


def test_the_todo_list_shows_the_oldest_sessions_first_and_says_there_are_more(
    administrator, clinical_lead, treating_psychologist, client_for, monkeypatch
):
    monkeypatch.setattr(workspace_views, "TODO_ROWS", 3)
    caseload(
        5, administrator=administrator, clinical_lead=clinical_lead, clinician=treating_psychologist
    )

    page = client_for(treating_psychologist).get(reverse("workspace:todo"))

    assert len(page.context["awaiting"]) == 3 and page.context["more_awaiting"]
    assert "The 3 oldest are shown" in page.content.decode()


def test_the_home_page_shows_some_of_my_patients_and_links_to_all(
    administrator, clinical_lead, treating_psychologist, client_for, monkeypatch
):
    monkeypatch.setattr(workspace_views, "MY_PATIENTS_SHOWN", 3)
    caseload(
        5, administrator=administrator, clinical_lead=clinical_lead, clinician=treating_psychologist
    )

    page = client_for(treating_psychologist).get(reverse("workspace:dashboard"))

    assert len(page.context["my_patients"]) == 3
    assert "All my patients (5 in care)" in page.content.decode()
    listed = client_for(treating_psychologist).get(
        reverse("casework:patient_list") + f"?clinician={treating_psychologist.pk}"
    )
    assert len(listed.context["page"].object_list) == 5


def _sessions(page, key):
    return [attendance.appointment.starts_at for attendance in page.context[key]]


def test_the_patient_page_shows_the_ten_latest_and_the_ten_next_sessions(
    patient, treating_psychologist, client_for
):
    client = client_for(treating_psychologist)
    url = patient.get_absolute_url()
    book(patient, treating_psychologist, days=-1)
    book(patient, treating_psychologist, days=1)
    few = queries(client, url)
    for day in range(2, 13):
        book(patient, treating_psychologist, days=-day)
        book(patient, treating_psychologist, days=day)
    moved = book(patient, treating_psychologist, days=3, hour=15)
    services.appointment_reschedule(
        actor=treating_psychologist,
        appointment=moved,
        starts_at=at(3, 16),
        requested_by="patient",
        reason="Train strike",
    )

    page = client.get(url)

    assert _sessions(page, "recent_sessions") == [at(-day) for day in range(1, 11)]
    # The moved session shows once, at its new time; the superseded one not at all.
    assert _sessions(page, "upcoming_sessions") == [
        at(1),
        at(2),
        at(3),
        at(3, 16),
        *(at(day) for day in range(4, 10)),
    ]
    assert queries(client, url) == few


def test_the_todo_list_shows_the_oldest_evidence_awaited_of_my_sessions_and_says_there_are_more(
    patient,
    treating_psychologist,
    other_psychologist,
    administrator,
    clinical_lead,
    client_for,
    monkeypatch,
):
    monkeypatch.setattr(workspace_views, "TODO_ROWS", 2)
    awaited = [book(patient, treating_psychologist, days=-days) for days in (2, 9, 5)]
    for appointment in awaited:
        record(appointment, "absence-medical", by=treating_psychologist)
    received = book(patient, treating_psychologist, days=-12)
    record(
        received,
        "absence-medical",
        by=treating_psychologist,
        evidence="received",
        evidence_received_on=at(-1).date(),
    )
    theirs = register_patient(administrator, last_name="Elsewhere")
    services.care_team_assign(
        actor=clinical_lead, patient=theirs, clinician=other_psychologist, role="lead"
    )
    record(book(theirs, other_psychologist, days=-20), "absence-medical", by=other_psychologist)

    page = client_for(treating_psychologist).get(reverse("workspace:todo"))

    # The oldest first, the document received gone, another clinician's not there.
    assert [a.appointment for a in page.context["evidence"]] == [awaited[1], awaited[2]]
    assert page.context["more_evidence"]
    assert "Elsewhere" not in page.content.decode()
