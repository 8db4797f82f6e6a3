"""The note pages as a clinician uses them: the forms they offer are the forms that work."""

import pytest
from django.urls import reverse

from casework import services
from notes import services as note_services
from notes.models import ClinicalNote
from tests.factories import book
from tests.forms import browser_form, offered


@pytest.fixture
def session(patient, treating_psychologist):
    return book(patient, treating_psychologist, days=-1)


@pytest.fixture
def note(patient, treating_psychologist, session):
    return note_services.note_create(
        actor=treating_psychologist,
        patient=patient,
        kind="session",
        appointment=session,
        text="Discussed the safety plan.",
    )


def test_a_session_note_is_written_with_a_session_the_form_offers(
    patient, session, treating_psychologist, client_for
):
    client = client_for(treating_psychologist)
    url = reverse("notes:create", args=[patient.pk])
    page = client.get(url)
    data = browser_form(page)
    assert offered(page, "appointment") == [str(session.pk)]
    data.update(kind="session", appointment=str(session.pk), text="Worked on the plan.")

    response = client.post(url, data)

    assert response.status_code == 302, response.context["form"].errors
    note = ClinicalNote.objects.get()
    assert (note.kind, note.appointment, note.text) == ("session", session, "Worked on the plan.")


def test_the_form_offers_held_sessions_only(patient, session, treating_psychologist, client_for):
    upcoming = book(patient, treating_psychologist, days=3)
    cancelled = book(patient, treating_psychologist, days=-3)
    services.appointment_cancel(actor=treating_psychologist, appointment=cancelled, reason="Ill")
    page = client_for(treating_psychologist).get(reverse("notes:create", args=[patient.pk]))

    assert offered(page, "appointment") == [str(session.pk)]
    assert str(upcoming.pk) not in offered(page, "appointment")


def test_a_session_note_without_its_session_says_so_on_the_field(
    patient, session, treating_psychologist, client_for
):
    response = client_for(treating_psychologist).post(
        reverse("notes:create", args=[patient.pk]),
        {"kind": "session", "appointment": "", "text": "Worked on the plan."},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["appointment"] == [
        "Choose one of this patient's sessions."
    ]
    assert not ClinicalNote.objects.exists()


def test_the_edit_page_of_a_signed_note_offers_no_form(
    patient, note, treating_psychologist, client_for
):
    note_services.note_sign(actor=treating_psychologist, note=note)
    client = client_for(treating_psychologist)
    url = reverse("notes:update", args=[patient.pk, note.pk])

    response = client.get(url, follow=True)

    assert response.redirect_chain[-1][0] == reverse("notes:list", args=[patient.pk])
    assert "signed and final" in response.content.decode()
    assert "<textarea" not in response.content.decode()
    assert client.post(url, {"text": "Changed"}).status_code == 302
    assert ClinicalNote.objects.get(pk=note.pk).text == "Discussed the safety plan."


def test_a_draft_is_edited_by_its_author_only(
    patient, note, treating_psychologist, clinical_lead, client_for
):
    url = reverse("notes:update", args=[patient.pk, note.pk])
    mine = client_for(treating_psychologist).get(url)
    data = browser_form(mine)
    assert data["text"] == "Discussed the safety plan."
    data["text"] = "Discussed the safety plan and the next steps."
    assert client_for(treating_psychologist).post(url, data).status_code == 302

    theirs = client_for(clinical_lead).get(url, follow=True)
    assert "Only the author" in theirs.content.decode()
    assert "<textarea" not in theirs.content.decode()
    assert ClinicalNote.objects.get(pk=note.pk).text.endswith("the next steps.")


def test_no_addendum_form_for_a_draft_and_no_sign_page_for_a_signed_note(
    patient, note, treating_psychologist, client_for
):
    client = client_for(treating_psychologist)
    addendum = client.get(reverse("notes:addendum", args=[patient.pk, note.pk]), follow=True)
    assert "<textarea" not in addendum.content.decode()
    assert "Sign the note first" in addendum.content.decode()

    note_services.note_sign(actor=treating_psychologist, note=note)
    sign = client.get(reverse("notes:sign", args=[patient.pk, note.pk]), follow=True)
    assert sign.redirect_chain, "the sign page of a signed note must not be offered"
    assert "already signed" in sign.content.decode()


def test_an_addendum_is_written_through_its_form(patient, note, treating_psychologist, client_for):
    note_services.note_sign(actor=treating_psychologist, note=note)
    client = client_for(treating_psychologist)
    url = reverse("notes:addendum", args=[patient.pk, note.pk])
    data = browser_form(client.get(url))
    data["text"] = "Correction: the plan was started, not finished."

    assert client.post(url, data).status_code == 302
    assert note.addenda.get().text == "Correction: the plan was started, not finished."


def test_years_of_notes_are_paged_latest_first_with_their_addenda(
    patient, treating_psychologist, client_for, monkeypatch
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from notes import views

    monkeypatch.setattr(views, "NOTES_PER_PAGE", 2)
    written = [
        note_services.note_create(
            actor=treating_psychologist, patient=patient, kind="personal", text=f"Note {n}"
        )
        for n in range(5)
    ]
    client = client_for(treating_psychologist)
    url = reverse("notes:list", args=[patient.pk])

    first = client.get(url)
    with CaptureQueriesContext(connection) as third_page:
        last = client.get(f"{url}?personal=3")

    assert list(first.context["personal_notes"]) == written[:-3:-1]  # the 2 latest
    assert list(last.context["personal_notes"]) == [written[0]]
    assert "personal=2" in last.content.decode()  # back to the page before
    with CaptureQueriesContext(connection) as first_page:
        client.get(url)
    assert len(third_page) == len(first_page)


def test_signing_shows_the_note_and_an_addendum_shows_the_note_it_completes(
    patient, note, treating_psychologist, client_for
):
    client = client_for(treating_psychologist)
    sign = reverse("notes:sign", args=[patient.pk, note.pk])

    before = client.get(sign).content.decode()
    client.post(sign)
    addendum = client.get(reverse("notes:addendum", args=[patient.pk, note.pk])).content.decode()

    for page in (before, addendum):
        assert "Discussed the safety plan." in page
        assert patient.file_number in page and patient.full_name in page
