"""Retention: a closed file is flagged for review 30 years after the last contact, announced
for destruction at 50, destroyed by a later sweep (or by the lead after review), with a
tombstone; the access log keeps its lines and still verifies."""

import datetime

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection, transaction
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone

from assessments.models import Assessment
from audit.models import AccessEvent
from audit.sealing import seal_access_log
from audit.verifying import verify_access_log
from casework import services
from casework.models import Appointment, Attendance, Episode, Patient, TherapyGroup
from common.dates import years_after
from documents.models import Document
from documents.services import document_upload, stored_remove
from notes.models import ClinicalNote
from privacy import retention
from privacy.models import AccessCopy, RetentionFlag, Tombstone
from privacy.services import access_copy_render, access_copy_request
from reports.models import Letter
from tests.documents.files import files_in, stored, upload  # noqa: F401 (fixture)
from tests.forms import browser_form
from tests.privacy.world import (  # noqa: F401 (fixtures)
    administrator,
    auditor,
    clinical_lead,
    full_file,
    helpline_listener,
    neighbour,
    other_psychologist,
    patient,
    people,
    treating_psychologist,
    world,
)

pytestmark = pytest.mark.django_db


def close(patient, actor, on):
    episode = patient.episodes.get(closed_on__isnull=True)
    services.episode_close(actor=actor, episode=episode, on=on, exit_reason="completed")


@pytest.fixture(scope="module")
def _copy_made(world):
    """An access copy of the full file, made once for the module (a render)."""
    lead, full = world["clinical_lead"], world["full_file"]
    copy = access_copy_request(
        actor=lead, patient=full["patient"], request_received_on=full["today"]
    )
    access_copy_render(copy_id=copy.pk)


@pytest.fixture
def closed(_copy_made, full_file, administrator):
    """The full file, its care over today; an access copy made for it."""
    close(full_file["patient"], administrator, full_file["today"])
    return full_file


def years_on(closed, years: int, days: int = 0) -> datetime.date:
    return years_after(closed["today"], years) + datetime.timedelta(days=days)


def test_a_closed_file_is_flagged_30_years_after_the_last_contact_not_before(closed):
    assert retention.sweep(dry_run=False, today=years_on(closed, 30, -1)).flagged == []
    assert not RetentionFlag.objects.exists()

    report = retention.sweep(dry_run=False, today=years_on(closed, 30))

    assert report.flagged == [closed["patient"].pk]  # not the neighbour, still in care
    flag = RetentionFlag.objects.get()
    assert flag.last_contact == closed["today"]
    assert flag.destroy_on == years_on(closed, 50)
    assert flag.announced_on is None
    assert retention.sweep(dry_run=False, today=years_on(closed, 31)).flagged == []  # once


def test_a_file_still_in_care_is_never_flagged(full_file):
    report = retention.sweep(dry_run=False, today=years_after(full_file["today"], 60))
    assert report.flagged == [] and not RetentionFlag.objects.exists()


def test_the_last_session_counts_as_the_last_contact(closed):
    # The episode recorded as closed a month back; the group session two days ago came later.
    month_ago = closed["today"] - datetime.timedelta(days=30)
    Episode.objects.filter(patient=closed["patient"]).update(
        closed_on=month_ago, referral_received_on=month_ago - datetime.timedelta(days=700)
    )
    Patient.objects.filter(pk=closed["patient"].pk).update(
        created_at=closed["patient"].created_at - datetime.timedelta(days=700)
    )
    last_session = timezone.localdate(closed["group_session"].starts_at)
    assert retention.last_contacts(years_after(last_session, 30)) == {
        closed["patient"].pk: last_session
    }
    assert retention.last_contacts(years_after(last_session, 30) - datetime.timedelta(days=1)) == {}


def test_a_file_seen_again_loses_its_flag(closed, administrator):
    retention.sweep(dry_run=False, today=years_on(closed, 30))
    services.episode_open(
        actor=administrator,
        patient=closed["patient"],
        referral_source="justice_assistant",
        referral_received_on=closed["today"],
    )  # re-referred: care goes on
    report = retention.sweep(dry_run=False, today=years_on(closed, 31))
    assert report.unflagged == [closed["patient"].pk]
    assert not RetentionFlag.objects.exists()


def test_a_dry_run_reports_and_changes_nothing(closed):
    report = retention.sweep(dry_run=True, today=years_on(closed, 51))
    assert report.flagged == [closed["patient"].pk]
    assert report.announced == [closed["patient"].pk]
    assert report.destroyed == []
    assert not RetentionFlag.objects.exists()
    assert Patient.objects.filter(pk=closed["patient"].pk).exists()


@override_settings(RETENTION_NOTICE_DAYS=30)
def test_at_50_years_the_sweep_announces_then_destroys_after_the_notice(closed):
    patient = closed["patient"]
    first = retention.sweep(dry_run=False, today=years_on(closed, 50))
    assert first.announced == [patient.pk] and first.destroyed == []
    assert RetentionFlag.objects.get().announced_on == years_on(closed, 50)

    waiting = retention.sweep(dry_run=False, today=years_on(closed, 50, 29))
    assert waiting.waiting == [patient.pk] and waiting.destroyed == []
    preview = retention.sweep(dry_run=True, today=years_on(closed, 50, 30))
    assert preview.destroyed == [patient.file_number]
    assert Patient.objects.filter(pk=patient.pk).exists()  # a dry run, still

    done = retention.sweep(dry_run=False, today=years_on(closed, 50, 30))

    assert done.destroyed == [patient.file_number]
    assert not Patient.objects.filter(pk=patient.pk).exists()
    tombstone = Tombstone.objects.get()
    assert (tombstone.patient_id, tombstone.file_number) == (patient.pk, patient.file_number)
    assert tombstone.reason == Tombstone.Reason.LIMIT and tombstone.destroyed_by is None
    assert tombstone.records["notes.clinicalnote"] == 4  # signed, addendum, personal, draft


def test_destruction_takes_every_record_of_the_file_and_nothing_else(closed, clinical_lead):
    patient, neighbour = closed["patient"], closed["neighbour"]
    retention.sweep(dry_run=False, today=years_on(closed, 30))
    neighbour_rows = retention.rows_of(neighbour.pk)
    group_sessions = Appointment.objects.filter(group=closed["group"]).count()

    retention.destroy(patient_id=patient.pk, actor=clinical_lead, reason="review")

    assert retention.rows_of(patient.pk) == {}
    for model, field in [
        (ClinicalNote, "patient_id"),
        (Assessment, "patient_id"),
        (Letter, "patient_id"),
        (Attendance, "patient_id"),
        (Appointment, "patient_id"),
        (Episode, "patient_id"),
        (AccessCopy, "patient_id"),
        (RetentionFlag, "patient_id"),
    ]:
        assert not model._base_manager.filter(**{field: patient.pk}).exists(), model
    assert not Patient.history.filter(id=patient.pk).exists()  # its history too
    assert (
        not apps.get_model("casework", "HistoricalMandate")
        .objects.filter(patient_id=patient.pk)
        .exists()
    )
    # the neighbour, the group and its sessions are untouched
    assert retention.rows_of(neighbour.pk) == {
        model: pks
        for model, pks in neighbour_rows.items()
        if model._meta.label_lower != "casework.nonassociation"
        and model._meta.label_lower != "casework.historicalnonassociation"
    }
    assert ClinicalNote.objects.filter(pk=closed["neighbour_note"].pk).exists()
    assert TherapyGroup.objects.filter(pk=closed["group"].pk).exists()
    assert Appointment.objects.filter(group=closed["group"]).count() == group_sessions


def test_the_access_log_keeps_its_lines_and_still_verifies(closed, clinical_lead):
    patient = closed["patient"]
    retention.sweep(dry_run=False, today=years_on(closed, 30))
    before = AccessEvent.objects.about_patient(patient.pk).count()

    retention.destroy(patient_id=patient.pk, actor=clinical_lead, reason="review")
    seal_access_log()

    lines = AccessEvent.objects.about_patient(patient.pk)
    assert lines.count() == before + 1
    last = lines.order_by("-pk").first()
    assert (last.action, last.file_number, last.username) == ("delete", patient.file_number, "lead")
    assert verify_access_log().ok


def test_destroying_a_file_that_is_not_flagged_is_refused(closed, clinical_lead):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        retention.destroy(patient_id=closed["patient"].pk, actor=clinical_lead, reason="review")
    assert Patient.objects.filter(pk=closed["patient"].pk).exists()


def test_the_limit_is_not_used_before_it_is_reached(closed, clinical_lead):
    from django.core.exceptions import ValidationError

    retention.sweep(dry_run=False, today=years_on(closed, 30))
    with pytest.raises(ValidationError, match="has not ended"):
        retention.destroy(patient_id=closed["patient"].pk, actor=None, reason="limit")


def test_a_row_left_pointing_at_the_file_undoes_the_whole_destruction(closed, clinical_lead):
    """Everything or nothing: the foreign keys are checked before the commit."""
    patient = closed["patient"]
    retention.sweep(dry_run=False, today=years_on(closed, 30))
    real = retention.rows_of

    def forgetting_the_letters(patient_id):
        rows = real(patient_id)
        rows.pop(Letter)
        return rows

    from unittest import mock

    with (
        mock.patch.object(retention, "rows_of", forgetting_the_letters),
        pytest.raises(Exception),  # noqa: B017 (IntegrityError, whichever the database)
        transaction.atomic(),
    ):
        retention.destroy(patient_id=patient.pk, actor=clinical_lead, reason="review")
    assert Patient.objects.filter(pk=patient.pk).exists()
    assert not Tombstone.objects.exists()


def test_postgresql_still_refuses_any_other_delete_of_signed_records(closed):
    if connection.vendor != "postgresql":
        pytest.skip("the triggers exist on PostgreSQL only; CI's PostgreSQL run covers it")
    for model, pk in [
        (ClinicalNote, closed["note"].pk),
        (Assessment, closed["assessment"].pk),
        (Letter, closed["letter"].pk),
    ]:
        with pytest.raises(DatabaseError), transaction.atomic():
            model._base_manager.filter(pk=pk)._raw_delete(connection.alias)
        assert model._base_manager.filter(pk=pk).exists()


# --- The lead's page ------------------------------------------------------------------------


@pytest.fixture
def flagged(closed):
    retention.sweep(dry_run=False, today=years_on(closed, 30))
    return closed


def test_the_lead_sees_the_files_to_review(flagged, clinical_lead, client_for):
    response = client_for(clinical_lead).get(reverse("privacy:retention"))
    assert response.status_code == 200
    page = response.content.decode()
    assert flagged["patient"].file_number in page
    assert reverse("privacy:retention_destroy", args=[flagged["patient"].pk]) in page
    listed = AccessEvent.objects.filter(action="list", username="lead").latest("pk")
    assert listed.patient_ids == str(flagged["patient"].pk)


def test_an_empty_retention_page_says_so(clinical_lead, client_for):
    response = client_for(clinical_lead).get(reverse("privacy:retention"))
    assert "No file is due for review." in response.content.decode()


@pytest.mark.parametrize(
    "persona",
    ["treating_psychologist", "administrator", "helpline_listener", "auditor"],
)
def test_nobody_else_reaches_the_retention_pages(flagged, persona, request, client_for):
    client = client_for(request.getfixturevalue(persona))
    patient = flagged["patient"]
    assert client.get(reverse("privacy:retention")).status_code == 403
    destroy = reverse("privacy:retention_destroy", args=[patient.pk])
    assert client.post(destroy, {"file_number": patient.file_number}).status_code in (403, 404)
    assert Patient.objects.filter(pk=patient.pk).exists()


@pytest.mark.parametrize("persona", ["treating_psychologist", "administrator"])
def test_the_retention_services_refuse_anyone_but_the_lead(flagged, persona, request):
    """The pages were the only guard: retention.review and retention.destroy kept or destroyed
    a file for whoever called them. A person acts as the lead; the sweep, as the clinic."""
    user, patient = request.getfixturevalue(persona), flagged["patient"]

    with pytest.raises(PermissionDenied):
        retention.review(actor=user, flag=RetentionFlag.objects.get(), review_note="Kept.")
    with pytest.raises(PermissionDenied):
        retention.destroy(patient_id=patient.pk, actor=user, reason="review")

    assert RetentionFlag.objects.get().reviewed_at is None
    assert Patient.objects.filter(pk=patient.pk).exists()


def test_the_lead_keeps_a_file_after_review(flagged, clinical_lead, client_for):
    client = client_for(clinical_lead)
    url = reverse("privacy:retention_review", args=[flagged["patient"].pk])
    data = browser_form(client.get(url))
    data["review_note"] = "Kept: the authority's request is still open."
    response = client.post(url, data)
    assert response.status_code == 302
    flag = RetentionFlag.objects.get()
    assert flag.reviewed_by == clinical_lead
    assert flag.review_note.startswith("Kept")


def test_a_review_without_a_word_is_refused(flagged, clinical_lead, client_for):
    client = client_for(clinical_lead)
    url = reverse("privacy:retention_review", args=[flagged["patient"].pk])
    response = client.post(url, {**browser_form(client.get(url)), "review_note": "  "})
    assert response.status_code == 200
    assert RetentionFlag.objects.get().reviewed_at is None


def test_the_lead_destroys_a_file_after_typing_its_number(flagged, clinical_lead, client_for):
    client = client_for(clinical_lead)
    patient = flagged["patient"]
    url = reverse("privacy:retention_destroy", args=[patient.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "cannot be undone" in page.content.decode()

    wrong = client.post(url, {**browser_form(page), "file_number": "2026-9999"})
    assert wrong.status_code == 200
    assert "nothing was destroyed" in wrong.content.decode()
    assert Patient.objects.filter(pk=patient.pk).exists()

    done = client.post(url, {**browser_form(page), "file_number": patient.file_number})
    assert done.status_code == 302
    assert not Patient.objects.filter(pk=patient.pk).exists()
    tombstone = Tombstone.objects.get()
    assert (tombstone.reason, tombstone.destroyed_by) == ("review", clinical_lead)
    listing = client.get(reverse("privacy:retention")).content.decode()
    assert patient.file_number in listing  # among the files destroyed


def test_a_file_not_flagged_cannot_be_destroyed_from_the_page(closed, clinical_lead, client_for):
    client = client_for(clinical_lead)
    patient = closed["patient"]
    url = reverse("privacy:retention_destroy", args=[patient.pk])
    response = client.post(url, {"file_number": patient.file_number}, follow=True)
    assert "not due for retention review" in response.content.decode()
    assert Patient.objects.filter(pk=patient.pk).exists()


def test_the_command_reports_by_default_and_acts_when_told(closed):
    from io import StringIO

    from django.core.management import call_command

    patient, day = closed["patient"], years_on(closed, 51).isoformat()
    out = StringIO()
    call_command("retention_sweep", "--today", day, stdout=out)
    assert "(dry run)" in out.getvalue()
    assert f"Destruction announced: {patient.file_number}" in out.getvalue()
    assert not RetentionFlag.objects.exists()

    out = StringIO()
    call_command("retention_sweep", "--today", day, "--destroy", stdout=out)
    assert f"Flagged for review: {patient.file_number}" in out.getvalue()
    assert RetentionFlag.objects.get().announced_on == years_on(closed, 51)


def test_the_daily_task_sweeps_for_real(closed, settings):
    from privacy.tasks import retention_sweep

    summary = retention_sweep.apply().get()
    assert summary["dry_run"] is False and summary["flagged"] == 0  # today: nothing is 30
    assert "retention-sweep" in settings.CELERY_BEAT_SCHEDULE


@pytest.mark.parametrize(("persona", "shown"), [("clinical_lead", True), ("administrator", False)])
def test_the_leads_home_page_says_how_many_files_wait_for_review(
    flagged, persona, shown, request, client_for
):
    content = client_for(request.getfixturevalue(persona)).get(reverse("workspace:dashboard"))
    assert ("1 file has reached the end" in content.content.decode()) is shown


def test_a_file_that_cannot_be_destroyed_does_not_keep_the_others(closed, neighbour, administrator):
    """Two files due; the first one's destruction fails: the second still goes, the first stays
    flagged for the next sweep, and the report says so."""
    from unittest import mock

    close(neighbour, administrator, closed["today"])
    retention.sweep(dry_run=False, today=years_on(closed, 50))  # both announced
    real = retention.destroy
    first = min(closed["patient"].pk, neighbour.pk)

    def failing_once(*, patient_id, **kwargs):
        if patient_id == first:
            raise RuntimeError("the database went away")
        return real(patient_id=patient_id, **kwargs)

    with mock.patch.object(retention, "destroy", failing_once):
        report = retention.sweep(dry_run=False, today=years_on(closed, 51))

    assert report.failed == [first]
    assert len(report.destroyed) == 1
    assert Patient.objects.filter(pk=first).exists()
    assert RetentionFlag.objects.filter(patient_id=first).exists()
    assert report.summary()["failed"] == [first]


def test_a_contact_recorded_later_moves_the_dates_and_drops_the_announcement(closed):
    patient = closed["patient"]
    retention.sweep(dry_run=False, today=years_on(closed, 50))  # announced
    later = closed["today"] + datetime.timedelta(days=100)
    Episode.objects.filter(patient=patient).update(closed_on=later)  # recorded late

    report = retention.sweep(dry_run=False, today=years_on(closed, 50, 40))  # notice is over

    assert report.destroyed == [] and Patient.objects.filter(pk=patient.pk).exists()
    flag = RetentionFlag.objects.get()
    assert (flag.last_contact, flag.destroy_on) == (later, years_after(later, 50))
    assert flag.announced_on is None


def test_the_sweep_costs_the_same_queries_for_one_file_or_many(closed, administrator):
    from django.test.utils import CaptureQueriesContext

    from tests.factories import register_patient

    with CaptureQueriesContext(connection) as one:
        retention.sweep(dry_run=False, today=years_on(closed, 30))
    for name in ("Alpha", "Beta", "Gamma"):
        other = register_patient(administrator, last_name=name)
        close(other, administrator, closed["today"])
    with CaptureQueriesContext(connection) as many:
        report = retention.sweep(dry_run=False, today=years_on(closed, 31))
    assert len(report.flagged) == 3
    assert len(many) <= len(one)


def test_destroying_a_file_removes_its_documents_and_their_bytes(
    closed, clinical_lead, treating_psychologist, stored, django_capture_on_commit_callbacks
):
    patient = closed["patient"]
    document_upload(
        actor=treating_psychologist,
        patient=patient,
        kind="consent",
        dated=closed["today"],
        upload=upload(name="consent.pdf"),
    )
    assert len(files_in(stored)) == 1
    retention.sweep(dry_run=False, today=years_on(closed, 30))

    with django_capture_on_commit_callbacks(execute=True):
        tombstone = retention.destroy(patient_id=patient.pk, actor=clinical_lead, reason="review")

    assert not Document.objects.filter(patient_id=patient.pk).exists()
    assert tombstone.records["documents.document"] == 3  # the full file's two, and this one
    assert files_in(stored) == []
    # What comes next: the removal, asked again (a retried task), finds nothing and is no fault.
    assert stored_remove([d.stored_as for d in closed["documents"]]) == 0
