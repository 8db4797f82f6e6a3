"""The access copy for a data-subject request: the lead asks, a worker makes a PDF and a JSON
file, the downloads are logged; personal notes, drafts and other people's data stay out."""

import datetime
import json
from copy import deepcopy

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessEvent
from common.dates import add_months
from privacy import services
from privacy.models import AccessCopy
from tests.factories import verify_session
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
from tests.reports.pdf_helpers import pdf_fonts, pdf_text, pdfa_identification

pytestmark = pytest.mark.django_db


def page(patient):
    return reverse("privacy:access_copies", args=[patient.pk])


def ask(client, patient, **data):
    """Fill the page's form as the lead would: take what it offers, change what is asked."""
    response = client.get(page(patient))
    assert response.status_code == 200
    return client.post(page(patient), {**browser_form(response), **data})


@pytest.fixture(scope="class")
def made_once(world, django_db_blocker):
    """A copy asked through the page and made as the worker would make it: once for the tests
    of TestAMadeCopy (making it renders a PDF, most of each test's time when each made its
    own), in a savepoint of the module's transaction rolled back after the class, so that
    the module's other tests never see it. Each test gets its own copy (`made`)."""
    from django.db import transaction
    from django.test import TestCase

    with django_db_blocker.unblock():
        savepoint = transaction.atomic()
        savepoint.__enter__()
        try:
            full_file, clinical_lead = world["full_file"], world["clinical_lead"]
            client = Client()
            client.force_login(clinical_lead)
            verify_session(client, clinical_lead)
            with TestCase.captureOnCommitCallbacks(execute=True):
                response = ask(
                    client, full_file["patient"], request_note="Letter of 2 May, ID checked"
                )
            assert response.status_code == 302
            copy = AccessCopy.objects.get(patient=full_file["patient"])
            assert copy.is_ready  # the task ran after the commit (in-process in tests)
            names = tuple(
                user.get_full_name() or user.username
                for user in (world["treating_psychologist"], clinical_lead)
            )
            yield {"copy": copy, "care_team_names": names, **full_file}
        finally:
            transaction.set_rollback(True)
            savepoint.__exit__(None, None, None)


@pytest.fixture
def made(made_once, db, clinical_lead, client_for):
    """The class's copy, for one test: its own objects, and the lead's client of its own."""
    return {**deepcopy(made_once), "client": client_for(clinical_lead)}


def download(made, kind):
    url = reverse(f"privacy:access_copy_{kind}", args=[made["patient"].pk, made["copy"].pk])
    return made["client"].get(url)


class TestAMadeCopy:
    """What a made copy holds and how it is fetched (made once for the class: made_once)."""

    def test_the_lead_asks_through_the_page_and_a_worker_makes_both_files(self, made):
        copy = made["copy"]
        assert copy.requested_by.username == "lead"
        assert copy.request_note == "Letter of 2 May, ID checked"
        assert copy.matches()
        assert copy.request_received_on == made["today"]  # the form's default
        assert copy.answer_due_on == add_months(copy.request_received_on, 1)  # GDPR art. 12(3)
        listing = made["client"].get(page(made["patient"])).content.decode()
        assert copy.reference in listing
        assert reverse("privacy:access_copy_pdf", args=[made["patient"].pk, copy.pk]) in listing

    def test_the_pdf_holds_the_file_and_who_accessed_it(self, made):
        response = download(made, "pdf")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert made["patient"].file_number in response["Content-Disposition"]
        text = pdf_text(response.content)
        # in the patient's language (French): the file, the clinical zone, the letters
        assert "Copie de votre dossier" in text
        assert "DUPONT" in text or "Dupont" in text
        assert "Worked on the relapse prevention plan." in text
        assert "Addendum: the plan was shared with the patient." in text
        assert "ACUTE-2007" in text.upper()
        assert made["letter"].reference in text
        assert "Tuesday group" in text
        assert "Judgment of the sentencing court" in text  # the documents on the file, listed
        # who accessed the file: the treating psychologist's work and the lead's request
        treating, lead = made["care_team_names"]
        assert treating in text and lead in text
        # made for the archive like the letters: PDF/A-2b, every font embedded
        assert pdfa_identification(response.content) == ("2", "B")
        assert all(pdf_fonts(response.content).values())

    @pytest.mark.parametrize("kind", ["pdf", "json"])
    def test_personal_notes_drafts_and_other_people_stay_out(self, made, kind):
        response = download(made, kind)
        content = response.content
        text = pdf_text(content) if kind == "pdf" else content.decode()
        assert "My own hunch" not in text  # the therapist's personal note
        assert "Draft still being written" not in text  # not yet part of the file
        assert "Voisin" not in text and made["neighbour"].file_number not in text  # a co-member
        assert "The neighbour's own session note" not in text
        assert "Co-accused" not in text  # the non-association and its reason

    def test_the_json_is_the_same_file_for_software(self, made):
        response = download(made, "json")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/json"
        data = json.loads(response.content)
        assert data["format"] == "clinic-access-copy/1"
        assert data["patient"]["file_number"] == made["patient"].file_number
        assert [n["text"] for n in data["session_notes"]] == [
            "Worked on the relapse prevention plan."
        ]
        assert data["session_notes"][0]["addenda"][0]["text"].startswith("Addendum")
        assert len(data["risk_assessments"]) == 1
        assert [letter["reference"] for letter in data["letters"]] == [made["letter"].reference]
        assert [g["goal"] for g in data["treatment_plans"][0]["goals"]] == [
            "Name the risk situations"
        ]
        assert [d["description"] for d in data["documents"]] == [
            "Judgment of the sentencing court",
            "Report of the previous therapist",
        ]
        assert len(data["sessions"]) == 3  # two individual sessions and the group's
        assert "Absent." in [s["note_for_authority"] for s in data["sessions"]]
        assert made["care_team_names"][0] in {line["who"] for line in data["access_log"]}
        assert len(data["not_included"]) == 3

    def test_asking_and_each_download_are_logged_as_exports(self, made):
        patient, copy = made["patient"], made["copy"]
        exports = AccessEvent.objects.filter(patient_id=patient.pk, action="export")
        assert exports.filter(object_id=str(copy.pk), username="lead").count() == 1  # the request
        download(made, "pdf")
        download(made, "json")
        assert exports.filter(object_id=str(copy.pk), username="lead").count() == 3
        assert AccessEvent.objects.filter(patient_id=patient.pk, action="print").count() >= 1

    def test_a_copy_is_made_once_whatever_the_deliveries(self, made):
        copy = made["copy"]
        before = AccessCopy.objects.values_list("pdf_sha256", "rendered_at").get(pk=copy.pk)
        assert services.access_copy_render(copy_id=copy.pk) is False
        assert AccessCopy.objects.values_list("pdf_sha256", "rendered_at").get(pk=copy.pk) == before


def test_a_lost_task_is_queued_again(full_file, clinical_lead):
    copy = services.access_copy_request(
        actor=clinical_lead,
        patient=full_file["patient"],
        request_received_on=full_file["today"],
    )  # no commit in this test: the task was never queued
    assert not AccessCopy.objects.get(pk=copy.pk).is_ready
    assert services.access_copies_render_pending() == [copy.pk]  # eager here: made at once
    assert AccessCopy.objects.get(pk=copy.pk).is_ready
    assert services.access_copies_render_pending() == []


def test_a_copy_still_being_made_says_so(full_file, clinical_lead, client_for):
    copy = services.access_copy_request(
        actor=clinical_lead, patient=full_file["patient"], request_received_on=full_file["today"]
    )
    client = client_for(clinical_lead)
    url = reverse("privacy:access_copy_pdf", args=[full_file["patient"].pk, copy.pk])
    response = client.get(url, follow=True)
    assert response.redirect_chain[-1][0] == page(full_file["patient"])
    assert "still being made" in response.content.decode()


@pytest.mark.parametrize(
    ("received", "message"),
    [
        (datetime.timedelta(days=1), "cannot come from the future"),
        (-datetime.timedelta(days=400), "over a year ago"),
    ],
)
def test_a_wrong_date_is_refused_and_nothing_is_made(
    patient, clinical_lead, client_for, received, message
):
    from django.utils import timezone

    client = client_for(clinical_lead)
    day = timezone.localdate() + received
    response = ask(client, patient, request_received_on=day.isoformat())
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not AccessCopy.objects.exists()


def test_a_date_that_is_no_date_is_refused(patient, clinical_lead, client_for):
    response = ask(client_for(clinical_lead), patient, request_received_on="31/02/2026x")
    assert response.status_code == 200
    assert not AccessCopy.objects.exists()


# --- Who may ------------------------------------------------------------------------------


class TestWhoMayReachAMadeCopy:
    """The doors to a made copy (made once for the class: made_once)."""

    @pytest.mark.parametrize(
        ("persona", "status"),
        [
            ("clinical_lead", 200),
            ("treating_psychologist", 403),  # the care team reads the file, but does not copy it
            ("administrator", 404),  # no clinical zone: the door does not open
            ("other_psychologist", 404),
            ("helpline_listener", 404),
            ("auditor", 404),
        ],
    )
    def test_only_the_clinical_lead_makes_and_downloads_copies(
        self, made, persona, status, request, client_for
    ):
        client = client_for(request.getfixturevalue(persona))
        patient, copy = made["patient"], made["copy"]
        assert client.get(page(patient)).status_code == status
        pdf = reverse("privacy:access_copy_pdf", args=[patient.pk, copy.pk])
        assert client.get(pdf).status_code == status
        before = AccessCopy.objects.count()
        client.post(page(patient), {"request_received_on": made["today"].isoformat()})
        assert AccessCopy.objects.count() == before + (1 if status == 200 else 0)

    def test_an_anonymous_visitor_is_sent_to_log_in(self, made, client):
        response = client.get(page(made["patient"]))
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))

    def test_a_copy_of_another_patient_is_not_found_under_this_one(
        self, made, neighbour, client_for
    ):
        url = reverse("privacy:access_copy_pdf", args=[neighbour.pk, made["copy"].pk])
        assert made["client"].get(url).status_code == 404


def test_the_service_refuses_anyone_but_the_lead(patient, treating_psychologist):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.access_copy_request(
            actor=treating_psychologist,
            patient=patient,
            request_received_on=timezone.localdate(),
        )


@pytest.mark.parametrize(
    ("persona", "shown"), [("clinical_lead", True), ("treating_psychologist", False)]
)
def test_the_patient_page_offers_the_copy_to_the_lead_only(
    patient, persona, shown, request, client_for
):
    client = client_for(request.getfixturevalue(persona))
    content = client.get(reverse("workspace:patient", args=[patient.pk])).content.decode()
    assert (page(patient) in content) is shown
