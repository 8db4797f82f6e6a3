"""The access log: tamper-evident against a database insider, true identifiers, denied attempts,
one event per listing, and the auditor's page."""

import datetime
import itertools
import uuid

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.urls import reverse
from django.utils import timezone

from audit import checkpoint
from audit.models import AccessEvent, AccessEventPatient, AppendOnlyError, content_mac
from audit.sealing import seal_access_log
from audit.verifying import verify_access_log
from tests.conftest import NO_TRUNCATE_TRIGGERS
from tests.factories import PASSWORD, register_patient

TABLES = ("audit_accessevent", "audit_accesseventpatient")


def behind_the_apps_back(sql: str, params: list | None = None) -> None:
    """What the database's owner could do, switching the triggers off first."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending FK checks
            for table in TABLES:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        cursor.execute(sql, params or [])
        if connection.vendor == "postgresql":
            for table in TABLES:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")


def tamper(event_id: int, **changes) -> None:
    columns = ", ".join(f"{name} = %s" for name in changes)
    behind_the_apps_back(
        f"UPDATE audit_accessevent SET {columns} WHERE id = %s",  # noqa: S608
        [*changes.values(), event_id],
    )


def seal(capture) -> int:
    """Seal as the task does, including what it writes after commit (the head checkpoint)."""
    with capture(execute=True):
        return seal_access_log()


@pytest.fixture
def sealed_log(patient, treating_psychologist, client_for, django_capture_on_commit_callbacks):
    client = client_for(treating_psychologist)
    for _ in range(3):
        client.get(patient.get_absolute_url())
    seal(django_capture_on_commit_callbacks)
    return list(AccessEvent.objects.sealed().order_by("seq"))


def problems() -> str:
    return "\n".join(verify_access_log(full=True).problems)


# --- The chain ------------------------------------------------------------------------------


def test_sealing_chains_every_event_and_verification_passes(sealed_log):
    report = verify_access_log(full=True)

    assert report.ok, report.problems
    assert report.checked == len(sealed_log) >= 8
    assert [e.seq for e in sealed_log] == list(range(1, len(sealed_log) + 1))
    assert all(e.prev_hash == p.hash for p, e in itertools.pairwise(sealed_log))
    assert checkpoint.read(checkpoint.HEAD).seq == sealed_log[-1].seq


def test_sealing_twice_seals_nothing_more(sealed_log):
    assert seal_access_log() == 0
    assert verify_access_log().checked == len(sealed_log)


def test_verification_is_incremental_from_the_last_checkpoint(
    sealed_log, patient, treating_psychologist, client_for, django_capture_on_commit_callbacks
):
    assert verify_access_log().checked == len(sealed_log)
    client_for(treating_psychologist).get(patient.get_absolute_url())
    seal(django_capture_on_commit_callbacks)

    again = verify_access_log()

    assert again.ok and again.first_seq == len(sealed_log) + 1
    assert again.checked == AccessEvent.objects.sealed().count() - len(sealed_log)
    assert verify_access_log(full=True).checked == AccessEvent.objects.sealed().count()


# --- Attacks by someone with database access ------------------------------------------------


def test_an_edited_row_is_found_and_named(sealed_log, other_psychologist):
    victim = sealed_log[4]
    tamper(victim.pk, user_id=other_psychologist.pk, username=other_psychologist.username)

    report = verify_access_log(full=True)
    with pytest.raises(CommandError, match=rf"event {victim.seq} \(row id {victim.pk}\)"):
        call_command("audit_verify", "--no-seal", "--full")

    assert (report.broken_seq, report.broken_event_id) == (victim.seq, victim.pk)
    assert "content does not match its seal" in report.reason
    assert report.checked == victim.seq - 1


def test_a_row_resealed_without_the_key_is_found(sealed_log):
    import hashlib

    victim = sealed_log[2]
    forged = hashlib.sha256(b"attacker without AUDIT_CHAIN_KEY").hexdigest()
    tamper(victim.pk, action="update", mac=forged, hash=forged)

    assert verify_access_log(full=True).broken_seq == victim.seq


def test_a_deleted_row_in_the_middle_is_found(sealed_log):
    behind_the_apps_back("DELETE FROM audit_accessevent WHERE id = %s", [sealed_log[3].pk])

    report = verify_access_log(full=True)

    assert report.broken_seq == 4
    assert "event 4 is missing" in report.reason


def test_deleting_the_newest_rows_is_found_by_the_head_kept_outside(sealed_log):
    last_two = [event.pk for event in sealed_log[-2:]]
    behind_the_apps_back("DELETE FROM audit_accessevent WHERE id IN (%s, %s)", last_two)

    report = verify_access_log(full=True)

    assert not report.ok
    n = len(sealed_log)
    assert f"events {n - 1} to {n} were removed" in "\n".join(report.problems)


def test_emptying_the_table_is_found(sealed_log):
    if connection.vendor == "postgresql":
        behind_the_apps_back("TRUNCATE audit_accessevent, audit_accesseventpatient")
    else:  # SQLite has no TRUNCATE: a DELETE of every row is the same attack
        behind_the_apps_back("DELETE FROM audit_accesseventpatient")
        behind_the_apps_back("DELETE FROM audit_accessevent")
    assert not AccessEvent.objects.exists()

    with pytest.raises(CommandError, match=r"the log ends at event 0"):
        call_command("audit_verify", "--full")


def test_a_row_inserted_in_the_database_is_never_sealed(sealed_log, treating_psychologist):
    behind_the_apps_back(
        "INSERT INTO audit_accessevent (occurred_at, user_id, username, role, patient_id, "
        "file_number, object_type, object_id, label, action, patient_ids, request_id, nonce, "
        "mac, prev_hash, hash) VALUES (%s, %s, %s, '', NULL, '', '', '', 'Home page', 'login', "
        "'', '', %s, %s, '', '')",
        [timezone.now(), treating_psychologist.pk, "psy.treating", uuid.uuid4().hex, "0" * 64],
    )
    forged = AccessEvent.objects.unsealed().get()
    assert f"row id {forged.pk}, not sealed yet" in problems()

    seal_access_log()

    forged.refresh_from_db()
    assert forged.is_rejected and forged.hash == ""
    assert AccessEvent.objects.sealed().count() == len(sealed_log)
    with pytest.raises(
        CommandError, match=rf"inserted outside the application.*row id {forged.pk}"
    ):
        call_command("audit_verify", "--full")


def test_a_copy_of_a_genuine_row_cannot_be_inserted(sealed_log):
    original = sealed_log[0]
    columns = "occurred_at, user_id, username, role, action, label, nonce, mac, patient_ids"
    with pytest.raises(DatabaseError), transaction.atomic():
        behind_the_apps_back(
            f"INSERT INTO audit_accessevent ({columns}, file_number, object_type, object_id, "  # noqa: S608
            f"request_id, prev_hash, hash) SELECT {columns}, file_number, object_type, "
            "object_id, request_id, '', '' FROM audit_accessevent WHERE id = %s",
            [original.pk],
        )


def test_postgresql_refuses_updates_deletes_and_truncation(sealed_log):
    if connection.vendor != "postgresql":
        pytest.skip("the triggers exist on PostgreSQL only; CI's PostgreSQL run covers them")
    event = sealed_log[0]
    with connection.cursor() as cursor:  # a transactional test before may have left them off
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table, trigger in NO_TRUNCATE_TRIGGERS.items():
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}")
    for sql in (
        "UPDATE audit_accessevent SET action = 'x' WHERE id = %s",
        "DELETE FROM audit_accessevent WHERE id = %s",
        "TRUNCATE audit_accessevent CASCADE",
        "TRUNCATE audit_accesseventpatient",
        "DELETE FROM audit_accesseventpatient WHERE event_id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [event.pk] if "%s" in sql else [])


def test_the_app_refuses_to_edit_or_delete_events(sealed_log):
    event = sealed_log[0]
    event.action = "delete"

    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AccessEvent.objects.filter(pk=event.pk).update(action="delete")
    with pytest.raises(AppendOnlyError):
        AccessEvent.objects.all().delete()


def test_every_row_carries_its_mac_from_the_moment_it_is_written(patient, client_for, auditor):
    events = list(AccessEvent.objects.all())

    assert events and not any(event.seq for event in events)  # none sealed yet
    for event in events:
        assert event.mac == content_mac(event.content()), event.label


# --- What gets logged: true identifiers -----------------------------------------------------


def test_a_page_view_logs_who_what_when_and_from_where(patient, treating_psychologist, client_for):
    response = client_for(treating_psychologist).get(
        patient.get_absolute_url(), REMOTE_ADDR="10.1.2.3"
    )

    event = AccessEvent.objects.filter(action="view").latest("id")
    assert (event.user, event.role, event.patient_id, event.file_number) == (
        treating_psychologist,
        "psychologist",
        patient.pk,
        patient.file_number,
    )
    assert (event.object_type, event.object_id) == ("casework.patient", str(patient.pk))
    assert event.label == f"Patient {patient.file_number}"
    assert event.client_address == "10.1.2.3"
    assert event.request_id == response["X-Request-ID"]


def test_writes_are_logged_with_the_object_they_touched(patient, administrator, client_for):
    episode = patient.episodes.get()
    client_for(administrator).post(
        reverse("casework:episode_intake", args=[patient.pk, episode.pk]),
        {"on": episode.referral_received_on.isoformat()},
    )

    event = AccessEvent.objects.filter(action="update").latest("id")
    assert (event.user, event.patient_id, event.object_type, event.object_id) == (
        administrator,
        patient.pk,
        "casework.episode",
        str(episode.pk),
    )
    assert event.label == f"Episode of care {episode.pk} of {patient.file_number}"


@pytest.mark.parametrize(
    ("url_name", "object_type", "label"),
    [
        ("api:mandate_list", "casework.mandate", "Mandates of {}"),
        ("api:appointment_list", "casework.appointment", "Appointments of {}"),
        ("api:episode_list", "casework.episode", "Episodes of care of {}"),
    ],
)
def test_an_api_list_logs_what_it_listed_not_the_patient_s_id_as_an_object(
    url_name, object_type, label, patient, treating_psychologist, client_for
):
    client_for(treating_psychologist).get(reverse(url_name, args=[patient.pk]))

    event = AccessEvent.objects.latest("id")
    assert (event.action, event.patient_id, event.object_type, event.object_id) == (
        "view",
        patient.pk,
        object_type,
        "",
    )
    assert event.label == label.format(patient.file_number)


def test_an_api_detail_logs_the_object_read(patient, treating_psychologist, client_for):
    mandate = patient.mandates.get()
    client_for(treating_psychologist).get(
        reverse("api:mandate_detail", args=[patient.pk, mandate.pk])
    )

    event = AccessEvent.objects.latest("id")
    assert (event.object_type, event.object_id) == ("casework.mandate", str(mandate.pk))
    assert event.label == f"Mandate {mandate.pk} of {patient.file_number}"


@pytest.mark.parametrize("url", [reverse("casework:patient_list"), reverse("api:patient_list")])
def test_a_listing_is_one_event_naming_every_patient_shown(url, administrator, client_for):
    patients = [register_patient(administrator, last_name=f"P{i}") for i in range(4)]
    client = client_for(administrator)
    before = AccessEvent.objects.count()

    client.get(url)

    assert AccessEvent.objects.count() == before + 1
    event = AccessEvent.objects.latest("id")
    assert (event.action, event.listed_count) == ("list", 4)
    assert event.patient_ids == ",".join(str(p.pk) for p in sorted(patients, key=lambda p: p.pk))
    assert set(
        AccessEventPatient.objects.filter(event=event).values_list("patient_id", flat=True)
    ) == {p.pk for p in patients}


def test_who_accessed_a_patient_finds_the_listings_that_showed_them(
    patient, treating_psychologist, administrator, client_for
):
    client_for(administrator).get(reverse("casework:patient_list"))
    client_for(treating_psychologist).get(reverse("casework:agenda"))

    about = AccessEvent.objects.about_patient(patient.pk)

    listing = about.filter(action="list", user=administrator).get()
    assert listing.patient_id is None  # a listing of several: found through the index
    assert about.filter(action="create").exists()  # and the events about the file itself


def test_the_listing_index_must_agree_with_the_sealed_rows(
    patient, administrator, client_for, django_capture_on_commit_callbacks
):
    client_for(administrator).get(reverse("casework:patient_list"))
    seal(django_capture_on_commit_callbacks)
    assert verify_access_log(full=True).ok
    listing = AccessEvent.objects.filter(action="list").latest("id")

    behind_the_apps_back("DELETE FROM audit_accesseventpatient WHERE event_id = %s", [listing.pk])

    assert f"row id {listing.pk}: the index of listed patients differs" in problems()


def test_logins_logouts_and_failed_logins_are_logged(treating_psychologist, client):
    client.post(reverse("login"), {"username": "psy.treating", "password": "wrong"})
    client.post(reverse("login"), {"username": "psy.treating", "password": PASSWORD})
    client.post(reverse("logout"))

    actions = list(AccessEvent.objects.order_by("id").values_list("action", "username", "user"))
    assert actions == [
        ("login_failed", "psy.treating", None),
        ("login", "psy.treating", treating_psychologist.pk),
        ("logout", "psy.treating", treating_psychologist.pk),
    ]


def test_no_health_content_is_ever_written_to_the_log(patient, treating_psychologist, client_for):
    client_for(treating_psychologist).get(patient.get_absolute_url())
    seal_access_log()

    row = " ".join(str(value) for event in AccessEvent.objects.values() for value in event.values())
    assert "Dupont" not in row and "DUPONT" not in row
    assert "traitement" not in row  # the mandate's conditions


# --- Denied attempts ------------------------------------------------------------------------


def test_a_denied_attempt_is_logged_once_and_still_answers_404(
    patient, other_psychologist, client_for
):
    response = client_for(other_psychologist).get(patient.get_absolute_url())

    assert response.status_code == 404
    denied = AccessEvent.objects.get(action="denied")
    assert (denied.user, denied.patient_id, denied.file_number) == (
        other_psychologist,
        patient.pk,
        patient.file_number,
    )
    assert (denied.object_type, denied.object_id) == ("casework.patient", str(patient.pk))
    assert denied.mac == content_mac(denied.content())


def test_an_api_denial_is_logged_too(patient, other_psychologist, api_for):
    assert api_for(other_psychologist).get(f"/api/v1/patients/{patient.pk}/").status_code == 404
    assert AccessEvent.objects.filter(action="denied", user=other_psychologist).count() == 1


def test_guessing_ids_does_not_flood_the_log(patient, other_psychologist, client_for, settings):
    client = client_for(other_psychologist)
    for guess in range(patient.pk, patient.pk + 50):
        assert client.get(f"/patients/{guess}/").status_code == 404

    assert AccessEvent.objects.filter(action="denied").count() == 1  # collapsed in the window

    settings.AUDIT_DENIED_WINDOW = datetime.timedelta(0)
    client.get(f"/patients/{patient.pk}/")
    assert AccessEvent.objects.filter(action="denied").count() == 2


def test_the_treating_psychologist_is_not_denied(patient, treating_psychologist, client_for):
    client_for(treating_psychologist).get(patient.get_absolute_url())

    assert not AccessEvent.objects.filter(action="denied").exists()


# --- The auditor's page ---------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["auditor", "clinical_lead"])
def test_the_auditor_and_the_lead_see_who_accessed_a_file(
    persona, request, patient, treating_psychologist, administrator, client_for
):
    client_for(treating_psychologist).get(patient.get_absolute_url())
    client_for(administrator).get(reverse("casework:patient_list"))
    reader = request.getfixturevalue(persona)

    response = client_for(reader).get(
        reverse("audit:event_list"), {"file_number": patient.file_number}
    )

    assert response.status_code == 200
    events = response.context["events"]
    assert {e.action for e in events} >= {"view", "list", "create"}
    page = response.content.decode()
    assert "psy.treating" in page
    assert f"Patient {patient.file_number}" in page
    assert "Patient list, page 1" in page
    assert all(e.label for e in events), "every row says what it is about"
    # reading a file's access log is itself logged against that file
    last = AccessEvent.objects.latest("id")
    assert (last.user, last.patient_id, last.object_type) == (
        reader,
        patient.pk,
        "audit.accessevent",
    )
    assert last.label == f"Access events of {patient.file_number}"


@pytest.mark.parametrize("persona", ["treating_psychologist", "administrator", "helpline_listener"])
def test_others_may_not_read_the_access_log(persona, request, client_for):
    response = client_for(request.getfixturevalue(persona)).get(reverse("audit:event_list"))

    assert response.status_code == 403


def test_an_unknown_file_number_says_so(auditor, client_for):
    response = client_for(auditor).get(reverse("audit:event_list"), {"file_number": "1999-9999"})

    assert "No file has the number" in response.content.decode()


def test_the_access_log_filters_by_action_dates_and_part_of_a_user_name(
    patient, treating_psychologist, auditor, client_for
):
    client_for(treating_psychologist).get(patient.get_absolute_url())
    client = client_for(auditor)

    created = client.get(reverse("audit:event_list"), {"action": "create"}).context["events"]
    none = client.get(reverse("audit:event_list"), {"since": "2099-01-01"}).context["events"]
    treating = client.get(reverse("audit:event_list"), {"username": "treat"}).context["events"]

    assert {e.action for e in created} == {"create"}
    assert len(none) == 0
    assert treating and {e.username for e in treating} == {"psy.treating"}


def test_the_access_log_pages_by_id_without_counting(
    patient, treating_psychologist, auditor, client_for
):
    client = client_for(treating_psychologist)
    for _ in range(60):
        client.get(patient.get_absolute_url())
    auditor_client = client_for(auditor)

    first = auditor_client.get(reverse("audit:event_list"))
    older = first.context["older"]
    second = auditor_client.get(reverse("audit:event_list"), {"before": older})

    ids = [e.pk for e in first.context["events"]] + [e.pk for e in second.context["events"]]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == len(ids)
    assert len(first.context["events"]) == 50
    assert "COUNT(" not in " ".join(
        q["sql"] for q in _queries_of(auditor_client, reverse("audit:event_list"))
    )


def _queries_of(client, url) -> list[dict]:
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return captured.captured_queries


@pytest.mark.django_db(transaction=True)
def test_a_long_chain_is_walked_in_parallel_ranges_and_still_names_the_broken_row(
    patient, treating_psychologist, client_for
):
    client = client_for(treating_psychologist)
    for _ in range(12):
        client.get(patient.get_absolute_url())
    while seal_access_log():
        pass
    events = list(AccessEvent.objects.sealed().order_by("seq"))

    intact = verify_access_log(full=True, workers=2)
    assert intact.ok, intact.problems
    assert intact.checked == len(events)

    victim = events[-3]  # in the second range
    tamper(victim.pk, label="Something else")
    broken = verify_access_log(full=True, workers=2)
    assert (broken.broken_seq, broken.broken_event_id) == (victim.seq, victim.pk)
    assert broken.checked == victim.seq - 1
