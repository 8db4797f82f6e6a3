"""The auditor's tools: filters (denied attempts among them), a CSV export that is itself
logged, and the nightly check's alert to the auditor and the clinical lead."""

import csv
import io

import pytest
from django.core import mail
from django.urls import reverse

from audit.models import AccessEvent, IntegrityAlert
from audit.tasks import verify_access_log
from tests.audit.test_access_log import behind_the_apps_back, seal

EXPORT = reverse("audit:event_export")


def exported(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_the_auditor_exports_the_filtered_log_as_csv_and_the_export_is_logged(
    patient, treating_psychologist, other_psychologist, auditor, client_for
):
    client_for(treating_psychologist).get(patient.get_absolute_url())
    client_for(other_psychologist).get(patient.get_absolute_url())  # refused: 404, logged

    response = client_for(auditor).get(EXPORT, {"action": "denied"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    header, *rows = exported(response)
    assert header[:5] == ["id", "occurred_at", "username", "role", "action"]
    assert [row[2] for row in rows] == ["psy.other"]
    assert {row[4] for row in rows} == {"denied"}
    export = AccessEvent.objects.get(action="export", object_type="audit.accessevent")
    assert export.user == auditor
    assert "action=denied" in export.label


def test_an_export_of_one_file_is_an_access_to_that_file(
    patient, treating_psychologist, auditor, client_for
):
    client_for(treating_psychologist).get(patient.get_absolute_url())

    response = client_for(auditor).get(EXPORT, {"file_number": patient.file_number})

    rows = exported(response)[1:]
    assert rows and {row[5] for row in rows if row[5]} == {patient.file_number}
    export = AccessEvent.objects.get(action="export", object_type="audit.accessevent")
    assert export.patient_id == patient.pk


def test_the_page_filters_denied_attempts(
    patient, treating_psychologist, other_psychologist, auditor, client_for
):
    client_for(treating_psychologist).get(patient.get_absolute_url())
    client_for(other_psychologist).get(patient.get_absolute_url())

    page = client_for(auditor).get(reverse("audit:event_list"), {"action": "denied"})

    assert [event.action for event in page.context["events"]] == ["denied"]
    assert f"{EXPORT}?action=denied" in page.content.decode()


@pytest.mark.parametrize("persona", ["treating_psychologist", "administrator", "helpline_listener"])
def test_only_readers_of_the_log_may_export_it(persona, request, client_for):
    assert client_for(request.getfixturevalue(persona)).get(EXPORT).status_code == 403
    assert not AccessEvent.objects.filter(action="export").exists()


def test_the_lead_may_export_and_an_anonymous_visitor_is_sent_to_log_in(
    clinical_lead, client_for, client
):
    assert client_for(clinical_lead).get(EXPORT).status_code == 200
    assert client.get(EXPORT).status_code == 302


def test_a_failed_nightly_check_alerts_the_auditor_and_the_lead_until_dealt_with(
    patient,
    treating_psychologist,
    auditor,
    clinical_lead,
    client_for,
    django_capture_on_commit_callbacks,
):
    client_for(treating_psychologist).get(patient.get_absolute_url())
    seal(django_capture_on_commit_callbacks)
    event = AccessEvent.objects.filter(action="view").latest("pk")
    behind_the_apps_back(
        "UPDATE audit_accessevent SET username = 'someone' WHERE id = %s", [event.pk]
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert verify_access_log() is False

    alert = IntegrityAlert.objects.get()
    assert f"row id {event.pk}" in alert.problems
    assert sorted(mail.outbox[0].to) == sorted([auditor.email, clinical_lead.email])
    assert f"row id {event.pk}" in mail.outbox[0].body
    for reader, page in ((auditor, "audit:event_list"), (clinical_lead, "workspace:dashboard")):
        assert (
            "failed its integrity check" in client_for(reader).get(reverse(page)).content.decode()
        )

    resolve = reverse("audit:resolve_integrity_alert", args=[alert.pk])
    assert client_for(treating_psychologist).post(resolve).status_code == 403
    assert client_for(auditor).post(resolve).status_code == 302
    alert.refresh_from_db()
    assert alert.resolved_by == auditor
    page = client_for(clinical_lead).get(reverse("workspace:dashboard")).content.decode()
    assert "failed its integrity check" not in page


def test_a_passing_check_raises_no_alert(patient, auditor, django_capture_on_commit_callbacks):
    seal(django_capture_on_commit_callbacks)

    assert verify_access_log() is True
    assert not IntegrityAlert.objects.exists()
    assert not mail.outbox


def test_a_cell_that_looks_like_a_formula_is_exported_as_text(
    patient, auditor, clinical_lead, client_for
):
    """A user name may start with + - or @: a spreadsheet opening the export must not run it."""
    from tests.factories import UserFactory, assign

    tricky = UserFactory(username="+1+2", role="psychologist")
    assign(patient, tricky, by=clinical_lead, role="co")
    client_for(tricky).get(patient.get_absolute_url())

    rows = exported(client_for(auditor).get(EXPORT, {"file_number": patient.file_number}))[1:]
    assert "'+1+2" in {row[2] for row in rows}
    assert "+1+2" not in {row[2] for row in rows}


@pytest.mark.parametrize(
    "attack", ["an old row edited", "an old row deleted", "a listing's index row deleted"]
)
def test_the_nightly_check_rereads_history_after_ordinary_use(
    attack,
    patient,
    treating_psychologist,
    administrator,
    client_for,
    django_capture_on_commit_callbacks,
):
    """An event checked last night, altered since, then days of ordinary use sealed after it:
    the nightly check still names it (it re-reads the whole chain and the listing index, not
    only what came after its last check)."""
    client_for(treating_psychologist).get(patient.get_absolute_url())
    client_for(administrator).get(reverse("casework:patient_list"))
    seal(django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        assert verify_access_log() is True  # last night's check: the checkpoint moves on
    if attack == "an old row edited":
        event = AccessEvent.objects.filter(action="view").earliest("pk")
        sql = "UPDATE audit_accessevent SET username = 'someone' WHERE id = %s"
    elif attack == "an old row deleted":
        event = AccessEvent.objects.filter(action="view").earliest("pk")
        sql = "DELETE FROM audit_accessevent WHERE id = %s"
    else:
        event = AccessEvent.objects.filter(action="list").earliest("pk")
        sql = "DELETE FROM audit_accesseventpatient WHERE event_id = %s"
    behind_the_apps_back(sql, [event.pk])
    for _ in range(3):  # ordinary use, sealed after the attack
        client_for(treating_psychologist).get(patient.get_absolute_url())
    seal(django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        assert verify_access_log() is False

    problems = IntegrityAlert.objects.get().problems
    assert f"row id {event.pk}" in problems or f"event {event.seq}" in problems


def test_the_auditors_page_says_when_the_log_was_last_found_intact(
    auditor, patient, treating_psychologist, client_for, django_capture_on_commit_callbacks
):
    page = reverse("audit:event_list")
    before = client_for(auditor).get(page)
    assert before.context["last_verified"] is None and "never" in before.content.decode()
    client_for(treating_psychologist).get(patient.get_absolute_url())
    seal(django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        assert verify_access_log() is True

    shown = client_for(auditor).get(page)

    assert shown.context["last_verified"] is not None
    assert "Last checked" in shown.content.decode()
