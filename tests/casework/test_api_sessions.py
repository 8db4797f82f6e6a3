"""The REST API for sessions and attendance (issue 3): the same door, rules and log as the pages.

Every rule has a persona that may and one that may not. The URL walker in test_patient_urls.py
also checks every patient-scoped endpoint here for 404 to outsiders and 401 to anonymous calls.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from audit.models import AccessEvent
from casework import selectors, services
from casework.models import Appointment, Attendance, TherapyGroup
from notes import services as note_services
from notes.models import ClinicalNote
from tests.factories import at, book, record, register_patient


def url(name, *args):
    return reverse(f"api:{name}", args=args)


def booking(clinician, days=3, hour=10, **extra):
    return {
        "kind": "individual",
        "starts_at": at(days, hour).isoformat(),
        "clinicians": [clinician.pk],
        **extra,
    }


# --- Outcomes (reference data) --------------------------------------------------------------


@pytest.mark.parametrize("persona", ["treating_psychologist", "administrator", "clinical_lead"])
def test_casework_staff_read_the_outcomes_with_their_flags(persona, request, api_for):
    response = api_for(request.getfixturevalue(persona)).get(
        url("outcome_list"), HTTP_ACCEPT_LANGUAGE="fr"
    )

    assert response.status_code == 200
    rows = {row["code"]: row for row in response.json()["results"]}
    assert rows["absence-unacceptable"] == {
        "code": "absence-unacceptable",
        "name": "Absence injustifiée",
        "counts_as_attended": False,
        "compliant": False,
        "enforceable": True,
        "needs_evidence": False,
    }


@pytest.mark.parametrize("persona", ["helpline_listener", "auditor"])
def test_helpline_and_audit_staff_read_no_outcomes(persona, request, api_for):
    assert api_for(request.getfixturevalue(persona)).get(url("outcome_list")).status_code == 403
    assert api_for(None).get(url("outcome_list")).status_code == 401


# --- Appointments ---------------------------------------------------------------------------


def test_the_treating_psychologist_books_a_weekly_series_and_lists_it(
    patient, treating_psychologist, api_for
):
    client = api_for(treating_psychologist)
    data = booking(treating_psychologist, repeat="weekly", occurrences=3, place="Room 2")

    response = client.post(url("appointment_list", patient.pk), data, format="json")

    assert response.status_code == 201, response.json()
    booked = response.json()["appointments"]
    assert len(booked) == 3
    assert [a["series_index"] for a in booked] == [0, 1, 2]
    assert booked[0]["clinicians"] == [treating_psychologist.pk]
    assert booked[0]["attendance"]["outcome"] is None
    assert AccessEvent.objects.filter(patient_id=patient.pk, action="create").count() >= 3
    listed = client.get(url("appointment_list", patient.pk)).json()
    assert [a["id"] for a in listed["results"]] == [a["id"] for a in booked]
    first = listed["results"][0]
    assert (first["status"], first["kind"], first["place"], first["duration_minutes"]) == (
        "scheduled",
        "individual",
        "Room 2",
        60,
    )
    assert set(first["attendance"]) >= {
        "outcome",
        "minutes_late",
        "evidence",
        "notify_behaviour",
        "notify_concern",
        "note_for_authority",
        "recorded_at",
    }


def test_another_psychologist_neither_sees_nor_books_the_patients_appointments(
    patient, treating_psychologist, other_psychologist, api_for
):
    appointment = book(patient, treating_psychologist, days=3)
    client = api_for(other_psychologist)

    assert client.get(url("appointment_list", patient.pk)).status_code == 404
    assert client.get(url("appointment_detail", patient.pk, appointment.pk)).status_code == 404
    posted = client.post(
        url("appointment_list", patient.pk), booking(other_psychologist), format="json"
    )
    assert posted.status_code == 404
    assert Appointment.objects.count() == 1


def test_an_administrator_books_for_the_care_team(
    patient, treating_psychologist, administrator, api_for
):
    response = api_for(administrator).post(
        url("appointment_list", patient.pk), booking(treating_psychologist), format="json"
    )

    assert response.status_code == 201, response.json()
    assert Appointment.objects.get().created_by == administrator


def test_booking_refuses_what_the_service_refuses_with_field_errors(
    patient, treating_psychologist, other_psychologist, administrator, api_for
):
    client = api_for(treating_psychologist)
    post = lambda data: client.post(url("appointment_list", patient.pk), data, format="json")  # noqa: E731

    outsider = post(booking(other_psychologist))
    not_a_clinician = post(booking(administrator))
    group_kind = post(booking(treating_psychologist, kind="group"))
    series_without_count = post(booking(treating_psychologist, repeat="weekly"))

    assert outsider.status_code == 400
    assert "not in this patient's care team" in outsider.json()["clinicians"][0]
    assert not_a_clinician.status_code == 400
    assert "clinicians" in not_a_clinician.json()
    assert "kind" in group_kind.json()
    assert "occurrences" in series_without_count.json()
    assert not Appointment.objects.exists()


def test_a_double_booking_is_a_409_listing_the_conflicts_unless_allowed(
    patient, treating_psychologist, api_for
):
    book(patient, treating_psychologist, days=3, hour=10)
    client = api_for(treating_psychologist)
    data = booking(treating_psychologist, days=3, hour=10)

    refused = client.post(url("appointment_list", patient.pk), data, format="json")
    insisted = client.post(
        url("appointment_list", patient.pk), {**data, "allow_conflicts": True}, format="json"
    )

    assert refused.status_code == 409
    assert refused.json() == {
        "conflicts": [
            f"{treating_psychologist} already has an appointment at that time.",
            f"Patient {patient.file_number} already has an appointment at that time.",
        ]
    }
    assert insisted.status_code == 201
    assert Appointment.objects.count() == 2


def test_an_appointment_of_another_patient_is_404_under_this_one(
    patient, treating_psychologist, administrator, clinical_lead, api_for
):
    other = register_patient(administrator, last_name="Autre")
    services.care_team_assign(
        actor=clinical_lead, patient=other, clinician=treating_psychologist, role="lead"
    )
    foreign = book(other, treating_psychologist, days=-2)
    client = api_for(treating_psychologist)

    assert client.get(url("appointment_detail", patient.pk, foreign.pk)).status_code == 404
    assert client.get(url("appointment_detail", other.pk, foreign.pk)).status_code == 200
    outcome = client.post(
        url("appointment_outcome", patient.pk, foreign.pk), {"outcome": "attended"}, format="json"
    )
    assert outcome.status_code == 404
    assert foreign.attendances.get().outcome is None


def test_rescheduling_returns_the_replacement_and_keeps_the_old_one_on_file(
    patient, treating_psychologist, api_for
):
    appointment = book(patient, treating_psychologist, days=3)
    client = api_for(treating_psychologist)
    data = {"starts_at": at(5, 14).isoformat(), "requested_by": "patient", "reason": "Job"}

    response = client.post(
        url("appointment_reschedule", patient.pk, appointment.pk), data, format="json"
    )

    assert response.status_code == 201, response.json()
    new = response.json()
    assert (new["supersedes"], new["status"]) == (appointment.pk, "scheduled")
    listed = client.get(url("appointment_list", patient.pk)).json()["results"]
    assert [a["id"] for a in listed] == [new["id"]]
    old = client.get(url("appointment_detail", patient.pk, appointment.pk)).json()
    assert (old["status"], old["change_requested_by"], old["change_reason"]) == (
        "rescheduled",
        "patient",
        "Job",
    )
    again = client.post(
        url("appointment_reschedule", patient.pk, appointment.pk), data, format="json"
    )
    assert again.status_code == 400


def test_rescheduling_needs_who_asked_and_why_and_warns_of_conflicts(
    patient, treating_psychologist, api_for
):
    appointment = book(patient, treating_psychologist, days=3)
    book(patient, treating_psychologist, days=4, hour=9)
    client = api_for(treating_psychologist)
    endpoint = url("appointment_reschedule", patient.pk, appointment.pk)

    incomplete = client.post(endpoint, {"starts_at": at(6).isoformat()}, format="json")
    clash = client.post(
        endpoint,
        {"starts_at": at(4, 9).isoformat(), "requested_by": "clinic", "reason": "Leave"},
        format="json",
    )

    assert incomplete.status_code == 400
    assert {"requested_by", "reason"} <= incomplete.json().keys()
    assert clash.status_code == 409
    appointment.refresh_from_db()
    assert appointment.status == "scheduled"


def test_the_clinic_cancels_with_a_reason_once(patient, treating_psychologist, api_for):
    appointment = book(patient, treating_psychologist, days=3)
    client = api_for(treating_psychologist)
    endpoint = url("appointment_cancel", patient.pk, appointment.pk)

    without_reason = client.post(endpoint, {}, format="json")
    cancelled = client.post(endpoint, {"reason": "Therapist ill"}, format="json")
    again = client.post(endpoint, {"reason": "Again"}, format="json")

    assert without_reason.status_code == 400
    assert cancelled.status_code == 200
    assert (cancelled.json()["status"], cancelled.json()["change_reason"]) == (
        "cancelled",
        "Therapist ill",
    )
    assert again.status_code == 400


# --- Outcomes of appointments ---------------------------------------------------------------


@pytest.mark.parametrize("persona", ["treating_psychologist", "administrator"])
def test_the_care_team_and_the_administrators_record_outcomes(
    persona, request, patient, treating_psychologist, api_for
):
    appointment = book(patient, treating_psychologist, days=-2)
    user = request.getfixturevalue(persona)

    response = api_for(user).post(
        url("appointment_outcome", patient.pk, appointment.pk),
        {"outcome": "attended-late", "minutes_late": 10},
        format="json",
    )

    assert response.status_code == 200, response.json()
    attendance = response.json()["attendance"]
    assert (attendance["outcome"], attendance["minutes_late"]) == ("attended-late", 10)
    assert attendance["recorded_by"] == user.pk
    assert AccessEvent.objects.filter(
        patient_id=patient.pk, action="update", object_type="casework.attendance"
    ).exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"outcome": "absence-medical", "notify_concern": True}, "note_for_authority"),
        ({"outcome": "absence-medical", "evidence": "received"}, "evidence_received_on"),
        ({"outcome": "absence-unacceptable", "minutes_late": 5}, "minutes_late"),
        ({"outcome": "no-such-outcome"}, "outcome"),
        ({}, "outcome"),
    ],
)
def test_a_bad_outcome_gets_field_errors_and_changes_nothing(
    data, field, patient, treating_psychologist, api_for
):
    appointment = book(patient, treating_psychologist, days=-2)

    response = api_for(treating_psychologist).post(
        url("appointment_outcome", patient.pk, appointment.pk), data, format="json"
    )

    assert response.status_code == 400
    assert field in response.json()
    assert appointment.attendances.get().outcome is None


def test_an_outcome_waits_for_the_appointment_and_a_reported_one_needs_a_reason(
    patient, treating_psychologist, api_for
):
    coming = book(patient, treating_psychologist, days=2)
    held = book(patient, treating_psychologist, days=-2)
    attendance = record(held, "absence-unacceptable", by=treating_psychologist)
    Attendance.objects.filter(pk=attendance.pk).update(reported_at=at(-1))
    client = api_for(treating_psychologist)

    early = client.post(
        url("appointment_outcome", patient.pk, coming.pk), {"outcome": "attended"}, format="json"
    )
    silent = client.post(
        url("appointment_outcome", patient.pk, held.pk),
        {"outcome": "attended", "revision": 1},
        format="json",
    )
    explained = client.post(
        url("appointment_outcome", patient.pk, held.pk),
        {"outcome": "attended", "change_reason": "Recorded on the wrong session", "revision": 1},
        format="json",
    )

    assert early.status_code == 400
    assert "non_field_errors" in early.json()
    assert silent.status_code == 400
    assert "change_reason" in silent.json()
    assert explained.status_code == 200
    assert explained.json()["attendance"]["outcome"] == "attended"


# --- Compliance counters and alerts ---------------------------------------------------------


def test_compliance_counters_default_to_the_current_reporting_period(
    patient, treating_psychologist, api_for
):
    from casework.reporting import schedule_of

    mandate = patient.mandates.get()
    period = schedule_of(mandate).period_on(timezone.localdate())
    since, until = period.first_day, period.end

    response = api_for(treating_psychologist).get(url("mandate_compliance", patient.pk, mandate.pk))

    assert response.status_code == 200
    body = response.json()
    assert (body["since"], body["until"]) == (since.isoformat(), until.isoformat())
    assert body["counters"] == selectors.compliance_counters(patient, since, until)
    assert AccessEvent.objects.filter(
        patient_id=patient.pk,
        action="view",
        object_type="casework.mandate",
        object_id=str(mandate.pk),
    ).exists()


def test_compliance_counters_over_a_chosen_period(patient, treating_psychologist, api_for):
    mandate = patient.mandates.get()
    record(
        book(patient, treating_psychologist, days=-3),
        "absence-unacceptable",
        by=treating_psychologist,
    )
    record(book(patient, treating_psychologist, days=-10), "attended", by=treating_psychologist)
    book(patient, treating_psychologist, days=-5)  # awaiting its outcome
    period = {"since": at(-30).date().isoformat(), "until": at(1).date().isoformat()}

    response = api_for(treating_psychologist).get(
        url("mandate_compliance", patient.pk, mandate.pk), period
    )

    assert response.status_code == 200
    counters = response.json()["counters"]
    assert counters["planned"] == 3
    assert counters["attended"] == 1
    assert counters["unacceptable_absences"] == 1
    assert counters["awaiting_outcome"] == 1
    assert counters["failures_last_12_months"] == 1


def test_the_counters_served_add_up_and_the_schema_says_what_each_counts(
    patient, treating_psychologist, api_for
):
    mandate = patient.mandates.get()
    book(patient, treating_psychologist, days=2)
    cancelled = book(patient, treating_psychologist, days=-2)
    services.appointment_cancel(actor=treating_psychologist, appointment=cancelled, reason="Ill")
    period = {"since": at(-30).date().isoformat(), "until": at(3).date().isoformat()}

    counters = (
        api_for(treating_psychologist)
        .get(url("mandate_compliance", patient.pk, mandate.pk), period)
        .json()["counters"]
    )
    schema = SchemaGenerator().get_schema(request=None, public=True)
    documented = schema["components"]["schemas"]["ComplianceCounters"]["properties"]

    parts = [
        "attended",
        "acceptable_absences",
        "unacceptable_absences",
        "awaiting_evidence",
        "awaiting_outcome",
        "to_come",
        "cancelled_by_clinic",
    ]
    assert (counters["to_come"], counters["cancelled_by_clinic"]) == (1, 1)
    assert counters["planned"] == sum(counters[part] for part in parts) == 2
    assert set(documented) == set(counters)
    assert all(field.get("description") for field in documented.values())


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"since": "2026-13-01", "until": "2026-12-01"}, "since"),
        ({"since": "yesterday", "until": "2026-12-01"}, "since"),
        ({"since": "2026-06-01", "until": "2026-01-01"}, "until"),
        ({"since": "2026-06-01"}, "until"),
    ],
)
def test_bad_compliance_periods_get_a_clear_message(
    params, field, patient, treating_psychologist, api_for
):
    mandate = patient.mandates.get()

    response = api_for(treating_psychologist).get(
        url("mandate_compliance", patient.pk, mandate.pk), params
    )

    assert response.status_code == 400
    assert field in response.json()


def test_the_counters_of_another_patients_mandate_are_404(
    patient, treating_psychologist, administrator, authority, api_for
):
    from tests.factories import mandate_data

    other = register_patient(administrator, last_name="Autre")
    foreign = services.mandate_create(actor=administrator, patient=other, **mandate_data(authority))

    response = api_for(treating_psychologist).get(url("mandate_compliance", patient.pk, foreign.pk))

    assert response.status_code == 404


@pytest.fixture
def alert(patient, treating_psychologist):
    for days in (-20, -10):
        record(
            book(patient, treating_psychologist, days=days),
            "absence-unacceptable",
            by=treating_psychologist,
        )
    return services.compliance_evaluate(patient_ids=[patient.pk])[0]


@pytest.mark.parametrize("persona", ["treating_psychologist", "administrator"])
def test_alerts_are_listed_and_acknowledged_once_seen(persona, request, patient, alert, api_for):
    user = request.getfixturevalue(persona)
    client = api_for(user)

    before = client.get(url("alert_list", patient.pk)).json()["results"]
    acknowledged = client.post(url("alert_acknowledge", patient.pk, alert.pk))
    after = client.get(url("alert_list", patient.pk)).json()["results"]

    assert [(a["id"], a["acknowledged_at"]) for a in before] == [(alert.pk, None)]
    assert before[0]["outcome"] == "absence-unacceptable"
    assert acknowledged.status_code == 200
    assert acknowledged.json()["acknowledged_by"] == user.pk
    assert after[0]["acknowledged_at"] is not None


def test_others_neither_see_nor_acknowledge_the_alerts(patient, alert, other_psychologist, api_for):
    client = api_for(other_psychologist)

    assert client.get(url("alert_list", patient.pk)).status_code == 404
    assert client.post(url("alert_acknowledge", patient.pk, alert.pk)).status_code == 404
    alert.refresh_from_db()
    assert alert.acknowledged_at is None


# --- Clinical notes: the clinical zone ------------------------------------------------------


@pytest.fixture
def session_note(patient, treating_psychologist):
    appointment = book(patient, treating_psychologist, days=-1)
    return note_services.note_create(
        actor=treating_psychologist,
        patient=patient,
        kind="session",
        appointment=appointment,
        text="Worked on the relapse prevention plan.",
    )


def test_the_treating_psychologist_writes_edits_signs_and_completes_a_note(
    patient, treating_psychologist, api_for
):
    appointment = book(patient, treating_psychologist, days=-1)
    client = api_for(treating_psychologist)

    created = client.post(
        url("note_list", patient.pk),
        {"kind": "session", "appointment": appointment.pk, "text": "Draft"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    note_id = created.json()["id"]
    edited = client.patch(url("note_detail", patient.pk, note_id), {"text": "Final"}, format="json")
    signed = client.post(url("note_sign", patient.pk, note_id))
    refused = client.patch(url("note_detail", patient.pk, note_id), {"text": "X"}, format="json")
    addendum = client.post(
        url("note_list", patient.pk), {"addendum_to": note_id, "text": "Addendum"}, format="json"
    )

    assert edited.json()["text"] == "Final"
    assert signed.status_code == 200
    assert signed.json()["is_signed"] is True
    assert refused.status_code == 400
    assert ClinicalNote.objects.get(pk=note_id).text == "Final"
    assert addendum.status_code == 201, addendum.json()
    assert (addendum.json()["kind"], addendum.json()["addendum_to"]) == ("session", note_id)


def test_an_addendum_to_an_addendum_is_refused_as_on_the_page(
    patient, session_note, treating_psychologist, api_for
):
    note_services.note_sign(actor=treating_psychologist, note=session_note)
    addendum = note_services.note_create(
        actor=treating_psychologist,
        patient=patient,
        kind="session",
        text="Addendum",
        addendum_to=session_note,
    )
    note_services.note_sign(actor=treating_psychologist, note=addendum)

    response = api_for(treating_psychologist).post(
        url("note_list", patient.pk), {"addendum_to": addendum.pk, "text": "More"}, format="json"
    )

    assert response.status_code == 400, response.json()
    assert response.json()["non_field_errors"] == ["Add the addendum to the note itself."]
    assert not ClinicalNote.objects.filter(addendum_to=addendum).exists()


def test_notes_are_listed_by_kind(patient, session_note, treating_psychologist, api_for):
    note_services.note_create(
        actor=treating_psychologist, patient=patient, kind="personal", text="Hypothesis"
    )
    client = api_for(treating_psychologist)

    sessions = client.get(url("note_list", patient.pk)).json()["results"]
    personal = client.get(url("note_list", patient.pk), {"kind": "personal"}).json()["results"]
    bad = client.get(url("note_list", patient.pk), {"kind": "diary"})

    assert [n["id"] for n in sessions] == [session_note.pk]
    assert [n["text"] for n in personal] == ["Hypothesis"]
    assert bad.status_code == 400
    assert "kind" in bad.json()


def test_a_session_note_names_one_of_this_patients_sessions(
    patient, treating_psychologist, administrator, clinical_lead, api_for
):
    other = register_patient(administrator, last_name="Autre")
    services.care_team_assign(
        actor=clinical_lead, patient=other, clinician=treating_psychologist, role="lead"
    )
    foreign = book(other, treating_psychologist, days=-2)
    client = api_for(treating_psychologist)

    with_foreign = client.post(
        url("note_list", patient.pk),
        {"kind": "session", "appointment": foreign.pk, "text": "x"},
        format="json",
    )
    without_kind = client.post(url("note_list", patient.pk), {"text": "x"}, format="json")

    assert with_foreign.status_code == 400
    assert "appointment" in with_foreign.json()
    assert "kind" in without_kind.json()
    assert not ClinicalNote.objects.exists()


def test_the_clinical_lead_reads_notes_but_edits_no_ones_draft(
    patient, session_note, clinical_lead, api_for
):
    client = api_for(clinical_lead)

    listed = client.get(url("note_list", patient.pk))
    detail = client.get(url("note_detail", patient.pk, session_note.pk))
    edit = client.patch(
        url("note_detail", patient.pk, session_note.pk), {"text": "X"}, format="json"
    )
    sign = client.post(url("note_sign", patient.pk, session_note.pk))

    assert listed.status_code == 200
    assert detail.json()["text"] == "Worked on the relapse prevention plan."
    assert (
        AccessEvent.objects.filter(
            patient_id=patient.pk,
            user=clinical_lead,
            action="view",
            object_type="notes.clinicalnote",
        ).count()
        == 2
    )
    assert (edit.status_code, sign.status_code) == (400, 400)
    session_note.refresh_from_db()
    assert (session_note.text, session_note.signed_at) == (
        "Worked on the relapse prevention plan.",
        None,
    )


@pytest.mark.parametrize("persona", ["administrator", "other_psychologist"])
def test_administrators_and_outsiders_get_404_on_every_notes_endpoint(
    persona, request, patient, session_note, api_for
):
    client = api_for(request.getfixturevalue(persona))
    detail = url("note_detail", patient.pk, session_note.pk)

    assert client.get(url("note_list", patient.pk)).status_code == 404
    assert (
        client.post(
            url("note_list", patient.pk), {"kind": "personal", "text": "x"}, format="json"
        ).status_code
        == 404
    )
    assert client.get(detail).status_code == 404
    assert client.patch(detail, {"text": "x"}, format="json").status_code == 404
    assert client.post(url("note_sign", patient.pk, session_note.pk)).status_code == 404
    assert ClinicalNote.objects.count() == 1
    assert not AccessEvent.objects.filter(object_type="notes.clinicalnote", action="view").exists()


# --- Groups ---------------------------------------------------------------------------------


@pytest.fixture
def group(treating_psychologist, administrator):
    return services.group_save(
        actor=administrator,
        group=TherapyGroup(name="Tuesday group", weekday=1, start_time=datetime.time(18)),
        regular=[treating_psychologist],
    )


@pytest.fixture
def members(group, administrator):
    people = [register_patient(administrator, last_name=f"Member{i}") for i in range(3)]
    for person in people:
        services.group_member_add(
            actor=administrator, group=group, patient=person, joined_on=at(-60).date()
        )
    return people


@pytest.fixture
def held_session(group, members, treating_psychologist, administrator):
    return services.appointment_schedule(
        actor=administrator,  # who manages the groups books their sessions
        kind=Appointment.Kind.GROUP,
        starts_at=at(-7, 18),
        clinicians=[treating_psychologist],
        group=group,
        duration_minutes=90,
    )[0]


NEW_GROUP = {"name": "Anger management", "weekday": 3, "start_time": "17:00"}


@pytest.mark.parametrize("persona", ["administrator", "clinical_lead"])
def test_administrators_and_the_lead_create_groups(
    persona, request, treating_psychologist, other_psychologist, api_for
):
    data = {**NEW_GROUP, "regular": [treating_psychologist.pk], "cover": [other_psychologist.pk]}

    response = api_for(request.getfixturevalue(persona)).post(
        url("group_list"), data, format="json"
    )

    assert response.status_code == 201, response.json()
    assert (response.json()["regular"], response.json()["cover"]) == (
        [treating_psychologist.pk],
        [other_psychologist.pk],
    )
    assert TherapyGroup.objects.get().facilitators.count() == 2


def test_a_psychologist_creates_no_group_and_facilitators_must_be_clinicians(
    treating_psychologist, administrator, api_for
):
    by_psychologist = api_for(treating_psychologist).post(
        url("group_list"), {**NEW_GROUP, "regular": [treating_psychologist.pk]}, format="json"
    )
    not_clinician = api_for(administrator).post(
        url("group_list"), {**NEW_GROUP, "regular": [administrator.pk]}, format="json"
    )

    assert by_psychologist.status_code == 403
    assert not_clinician.status_code == 400
    assert "regular" in not_clinician.json()
    assert not TherapyGroup.objects.exists()


def test_facilitators_see_their_groups_and_others_none(
    group, treating_psychologist, other_psychologist, helpline_listener, api_for
):
    mine = api_for(treating_psychologist).get(url("group_list")).json()["results"]
    theirs = api_for(other_psychologist).get(url("group_list")).json()["results"]

    assert [g["name"] for g in mine] == ["Tuesday group"]
    assert theirs == []
    assert api_for(helpline_listener).get(url("group_list")).status_code == 403
    assert api_for(other_psychologist).get(url("group_detail", group.pk)).status_code == 404


def test_the_group_detail_shows_current_members_and_logs_each_of_them(
    group, members, treating_psychologist, administrator, api_for
):
    leaver = group.members.get(patient=members[0])
    services.group_member_end(actor=administrator, membership=leaver)

    response = api_for(treating_psychologist).get(url("group_detail", group.pk))

    assert response.status_code == 200
    assert {m["patient"] for m in response.json()["members"]} == {members[1].pk, members[2].pk}
    logged = AccessEvent.objects.filter(action="list", user=treating_psychologist).get()
    assert logged.patient_ids == ",".join(
        str(m.pk) for m in sorted(members[1:], key=lambda m: m.pk)
    )


def test_group_sessions_show_every_members_row_and_log_each_member(
    group, members, held_session, treating_psychologist, other_psychologist, api_for
):
    response = api_for(treating_psychologist).get(url("group_sessions", group.pk))

    assert response.status_code == 200
    (session,) = response.json()["results"]
    assert session["id"] == held_session.pk
    assert {a["patient"] for a in session["attendances"]} == {m.pk for m in members}
    logged = AccessEvent.objects.filter(action="list", user=treating_psychologist).get()
    assert set(logged.patient_ids.split(",")) == {str(m.pk) for m in members}
    assert api_for(other_psychologist).get(url("group_sessions", group.pk)).status_code == 404


def test_the_facilitator_records_a_whole_session_at_once(
    group, members, held_session, treating_psychologist, api_for
):
    rows = [
        {"attendance": a.pk, "outcome": "attended" if a.patient != members[2] else "sent-home"}
        for a in held_session.attendances.all()
    ]

    response = api_for(treating_psychologist).post(
        url("group_attendance", group.pk, held_session.pk), {"rows": rows}, format="json"
    )

    assert response.status_code == 200, response.json()
    assert response.json() == {"changed": 3}
    assert held_session.attendances.get(patient=members[2]).outcome.code == "sent-home"


def test_one_bad_group_row_saves_nothing_and_names_its_row(
    group, members, held_session, treating_psychologist, api_for
):
    first, second, _third = held_session.attendances.order_by("pk")
    rows = [
        {"attendance": first.pk, "outcome": "attended"},
        {"attendance": second.pk, "outcome": "attended", "notify_concern": True},
    ]

    response = api_for(treating_psychologist).post(
        url("group_attendance", group.pk, held_session.pk), {"rows": rows}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()["rows"]) == [str(second.pk)]
    assert "note_for_authority" in response.json()["rows"][str(second.pk)]
    assert not held_session.attendances.filter(outcome__isnull=False).exists()


def test_group_attendance_is_the_facilitators_not_other_psychologists(
    group, members, held_session, other_psychologist, administrator, api_for
):
    rows = [{"attendance": a.pk, "outcome": "attended"} for a in held_session.attendances.all()]
    endpoint = url("group_attendance", group.pk, held_session.pk)

    outsider = api_for(other_psychologist).post(endpoint, {"rows": rows}, format="json")
    manager = api_for(administrator).post(endpoint, {"rows": rows}, format="json")

    assert outsider.status_code == 404
    assert manager.status_code == 200


def test_a_member_s_care_team_may_not_move_the_whole_group_s_session(
    group, members, treating_psychologist, other_psychologist, administrator, clinical_lead, api_for
):
    member = members[0]
    services.care_team_assign(
        actor=clinical_lead, patient=member, clinician=other_psychologist, role="lead"
    )
    coming = services.appointment_schedule(
        actor=administrator,
        kind=Appointment.Kind.GROUP,
        starts_at=at(7, 18),
        clinicians=[treating_psychologist],
        group=group,
    )[0]
    endpoint = url("appointment_cancel", member.pk, coming.pk)

    refused = api_for(other_psychologist).post(endpoint, {"reason": "Ill"}, format="json")
    cancelled = api_for(administrator).post(endpoint, {"reason": "Ill"}, format="json")

    assert refused.status_code == 403
    assert cancelled.status_code == 200
    assert cancelled.json()["group"] == group.pk


# --- Constant queries -----------------------------------------------------------------------


def _queries_for_list(user, endpoint) -> int:
    """Queries of one read by a fresh instance of the user (no permission cache carried over)."""
    client = APIClient()
    client.force_authenticate(type(user).objects.get(pk=user.pk))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(endpoint)
    assert response.status_code == 200
    return len(queries)


def test_the_appointment_list_costs_the_same_for_3_or_15_appointments(
    patient, treating_psychologist, api_for
):
    client = api_for(treating_psychologist)
    endpoint = url("appointment_list", patient.pk)
    for days in range(1, 4):
        record(
            book(patient, treating_psychologist, days=-days), "attended", by=treating_psychologist
        )
    few = _queries_for_list(treating_psychologist, endpoint)
    for days in range(4, 16):
        record(
            book(patient, treating_psychologist, days=-days), "attended", by=treating_psychologist
        )

    many = _queries_for_list(treating_psychologist, endpoint)

    assert client.get(endpoint).json()["count"] == 15
    assert many == few


def test_the_group_sessions_list_costs_the_same_for_1_or_6_sessions(
    group, members, held_session, treating_psychologist, administrator
):
    endpoint = url("group_sessions", group.pk)
    few = _queries_for_list(treating_psychologist, endpoint)
    for weeks in range(2, 7):
        services.appointment_schedule(
            actor=administrator,
            kind=Appointment.Kind.GROUP,
            starts_at=at(-7 * weeks, 18),
            clinicians=[treating_psychologist],
            group=group,
        )

    many = _queries_for_list(treating_psychologist, endpoint)

    assert many == few
