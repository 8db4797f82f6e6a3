import itertools

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.urls import reverse

from audit.models import AccessEvent, AppendOnlyError
from audit.services import seal_access_log, verify_access_log
from tests.factories import PASSWORD


def behind_the_apps_back(sql: str, params: list) -> None:
    """What the table's owner could do in the database, switching the trigger off first."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending FK checks
            cursor.execute(
                "ALTER TABLE audit_accessevent DISABLE TRIGGER audit_accessevent_append_only"
            )
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute(
                "ALTER TABLE audit_accessevent ENABLE TRIGGER audit_accessevent_append_only"
            )


def tamper(event_id: int, **changes) -> None:
    columns = ", ".join(f"{name} = %s" for name in changes)
    behind_the_apps_back(
        f"UPDATE audit_accessevent SET {columns} WHERE id = %s",  # noqa: S608
        [*changes.values(), event_id],
    )


def remove(event_id: int) -> None:
    behind_the_apps_back("DELETE FROM audit_accessevent WHERE id = %s", [event_id])


@pytest.fixture
def sealed_log(patient, treating_psychologist, client_for):
    client = client_for(treating_psychologist)
    for _ in range(3):
        client.get(patient.get_absolute_url())
    seal_access_log()
    return list(AccessEvent.objects.order_by("seq"))


# --- The chain ------------------------------------------------------------------------------


def test_sealing_chains_every_event_and_verification_passes(sealed_log):
    report = verify_access_log()

    assert report.ok
    assert report.checked == len(sealed_log) >= 8
    assert [e.seq for e in sealed_log] == list(range(1, len(sealed_log) + 1))
    assert all(e.prev_hash == p.hash for p, e in itertools.pairwise(sealed_log))


def test_sealing_twice_seals_nothing_more(sealed_log):
    assert seal_access_log() == 0
    assert verify_access_log().checked == len(sealed_log)


def test_a_tampered_row_is_found_by_audit_verify(sealed_log, other_psychologist):
    victim = sealed_log[4]
    tamper(victim.pk, user_id=other_psychologist.pk, username=other_psychologist.username)

    report = verify_access_log()
    with pytest.raises(CommandError, match=rf"Chain broken at event {victim.seq} "):
        call_command("audit_verify", "--no-seal")

    assert (report.broken_seq, report.broken_event_id) == (victim.seq, victim.pk)
    assert report.reason == "content does not match its seal"
    assert report.checked == victim.seq - 1


def test_a_resealed_row_still_breaks_the_chain_without_the_key(sealed_log):
    import hashlib

    victim = sealed_log[2]
    forged = hashlib.sha256(b"attacker without AUDIT_CHAIN_KEY").hexdigest()
    tamper(victim.pk, action="update", hash=forged)

    report = verify_access_log()

    assert report.broken_seq == victim.seq


def test_a_deleted_row_is_found(sealed_log):
    remove(sealed_log[3].pk)

    report = verify_access_log()

    assert report.broken_seq == 4
    assert report.reason == "event 4 is missing"


def test_audit_verify_reports_an_intact_log(sealed_log, capsys):
    call_command("audit_verify")

    assert f"Access log intact: {len(sealed_log)} events chained" in capsys.readouterr().out


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


def test_postgresql_itself_refuses_to_edit_or_delete_events(sealed_log):
    if connection.vendor != "postgresql":
        pytest.skip("the trigger exists on PostgreSQL only; the PostgreSQL run covers it")
    event = sealed_log[0]
    for sql in (
        "UPDATE audit_accessevent SET action = 'x' WHERE id = %s",
        "DELETE FROM audit_accessevent WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [event.pk])


# --- What gets logged -----------------------------------------------------------------------


def test_a_page_view_logs_who_what_when_and_from_where(patient, treating_psychologist, client_for):
    response = client_for(treating_psychologist).get(
        patient.get_absolute_url(), REMOTE_ADDR="10.1.2.3"
    )

    event = AccessEvent.objects.filter(action="view").latest("id")
    assert (event.user, event.role, event.patient) == (
        treating_psychologist,
        "psychologist",
        patient,
    )
    assert (event.object_type, event.object_id) == ("casework.patient", str(patient.pk))
    assert event.client_address == "10.1.2.3"
    assert event.request_id == response["X-Request-ID"]


def test_writes_are_logged_with_the_object_they_touched(patient, administrator, client_for):
    episode = patient.episodes.get()
    client_for(administrator).post(
        reverse("casework:episode_intake", args=[patient.pk, episode.pk]), {"on": "2026-01-20"}
    )

    event = AccessEvent.objects.filter(action="update").latest("id")
    assert (event.user, event.patient, event.object_type) == (
        administrator,
        patient,
        "casework.episode",
    )


def test_each_patient_in_a_list_is_logged_as_seen(patient, administrator, client_for):
    client_for(administrator).get(reverse("casework:patient_list"))
    client_for(administrator).get(reverse("api:patient_list"))

    assert AccessEvent.objects.filter(action="list", patient=patient).count() == 2


def test_api_reads_are_logged(patient, treating_psychologist, client_for):
    client_for(treating_psychologist).get(reverse("api:mandate_list", args=[patient.pk]))

    event = AccessEvent.objects.latest("id")
    assert (event.action, event.patient, event.object_type) == ("view", patient, "casework.mandate")


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


# --- Who may read the log -------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["auditor", "clinical_lead"])
def test_the_auditor_and_the_lead_see_who_accessed_a_file(
    persona, request, patient, treating_psychologist, client_for
):
    client_for(treating_psychologist).get(patient.get_absolute_url())
    reader = request.getfixturevalue(persona)

    response = client_for(reader).get(
        reverse("audit:event_list"), {"file_number": patient.file_number}
    )

    assert response.status_code == 200
    events = list(response.context["page"])
    assert {e.patient for e in events} == {patient}
    assert "psy.treating" in response.content.decode()
    # reading a file's access log is itself logged against that file
    last = AccessEvent.objects.latest("id")
    assert (last.user, last.patient, last.object_type) == (reader, patient, "audit.accessevent")


@pytest.mark.parametrize("persona", ["treating_psychologist", "administrator", "helpline_listener"])
def test_others_may_not_read_the_access_log(persona, request, client_for):
    response = client_for(request.getfixturevalue(persona)).get(reverse("audit:event_list"))

    assert response.status_code == 403


def test_an_unknown_file_number_says_so(auditor, client_for):
    response = client_for(auditor).get(reverse("audit:event_list"), {"file_number": "1999-9999"})

    assert "No file has the number" in response.content.decode()


def test_the_access_log_filters_by_action_and_dates(patient, auditor, client_for):
    client = client_for(auditor)

    created = client.get(reverse("audit:event_list"), {"action": "create"}).context["page"]
    none = client.get(reverse("audit:event_list"), {"since": "2099-01-01"}).context["page"]

    assert {e.action for e in created} == {"create"}
    assert len(none) == 0
