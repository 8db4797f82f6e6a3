"""Break-the-glass: a clinician outside the care team opens a file in an emergency, with a
reason, read only and for a limited time; it is logged as such, shown on the file, the
clinical lead is told at once and reviews it."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessEvent
from casework import services
from casework.models import EmergencyAccess
from casework.services.emergency import names_a_situation
from common.models import OutboxMessage
from tests.forms import browser_form

URL = reverse("casework:emergency_access")
REASON = "Police call: the patient is missing after threats, we need his contacts now."


def break_glass(client, patient, reason=REASON, understood=True):
    data = browser_form(client.get(URL))
    data.update(file_number=patient.file_number, reason=reason)
    if understood:
        data["understood"] = "on"
    return client.post(URL, data)


def test_a_clinician_outside_the_care_team_opens_a_file_in_an_emergency(
    patient,
    other_psychologist,
    treating_psychologist,
    clinical_lead,
    client_for,
    django_capture_on_commit_callbacks,
):
    client = client_for(other_psychologist)
    assert client.get(patient.get_absolute_url()).status_code == 404

    with django_capture_on_commit_callbacks(execute=True):
        response = break_glass(client, patient)

    assert response.status_code == 302
    assert response["Location"] == patient.get_absolute_url()
    page = client.get(patient.get_absolute_url())
    assert page.status_code == 200
    assert page.context["can_read_clinical"]  # the page links to the notes it may read
    assert client.get(reverse("notes:list", args=[patient.pk])).status_code == 200  # clinical
    access = EmergencyAccess.objects.get()
    assert access.expires_at - access.opened_at == pytest.approx(
        datetime.timedelta(hours=24), abs=datetime.timedelta(seconds=5)
    )
    opened = AccessEvent.objects.get(action="emergency")
    assert (opened.user, opened.patient_id) == (other_psychologist, patient.pk)
    assert mail.outbox[0].to == [clinical_lead.email]
    assert patient.file_number in mail.outbox[0].body
    assert "missing" not in mail.outbox[0].body  # the reason stays in the clinic
    shown = client_for(treating_psychologist).get(patient.get_absolute_url()).content.decode()
    assert "Emergency access" in shown and "Police call" in shown


def test_an_emergency_access_is_read_only_on_pages_and_api(
    patient, other_psychologist, client_for, api_for
):
    client = client_for(other_psychologist)
    break_glass(client, patient)
    before = patient.updated_at

    assert client.post(reverse("casework:patient_update", args=[patient.pk]), {}).status_code == 403
    assert client.post(reverse("notes:create", args=[patient.pk]), {}).status_code == 403
    api = api_for(other_psychologist)
    assert api.get(reverse("api:patient_detail", args=[patient.pk])).status_code == 200
    response = api.patch(reverse("api:patient_detail", args=[patient.pk]), {"first_name": "X"})
    assert response.status_code == 403
    patient.refresh_from_db()
    assert patient.updated_at == before


def test_an_emergency_access_ends_after_the_configured_time(
    patient, other_psychologist, client_for, settings
):
    settings.EMERGENCY_ACCESS_HOURS = 2
    client = client_for(other_psychologist)
    break_glass(client, patient)
    access = EmergencyAccess.objects.get()
    assert access.expires_at - access.opened_at < datetime.timedelta(hours=2, seconds=5)

    EmergencyAccess.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))

    assert client.get(patient.get_absolute_url()).status_code == 404


@pytest.mark.parametrize(
    ("reason", "understood", "field"),
    [
        ("Urgent.", True, "reason"),
        ("aaaaaaaaaaaaaaaaaaaaaaaa", True, "reason"),
        ("urgent urgent urgent urgent urgent", True, "reason"),
        ("asdf qwer", True, "reason"),
        ("a b c d e f g h i j k l m n o p", True, "reason"),  # words of one letter
        (REASON, False, "understood"),
    ],
)
def test_without_a_reason_or_the_acknowledgement_nothing_opens(
    patient, other_psychologist, client_for, reason, understood, field
):
    client = client_for(other_psychologist)

    response = break_glass(client, patient, reason=reason, understood=understood)

    assert response.status_code == 200
    assert field in response.context["form"].errors
    if field == "reason":
        assert "Say what the emergency is" in response.content.decode()
    assert not EmergencyAccess.objects.exists()
    assert not AccessEvent.objects.filter(
        user=other_psychologist, action__in=["emergency", "create"]
    ).exists()
    assert not OutboxMessage.objects.exists()
    assert client.get(patient.get_absolute_url()).status_code == 404


@pytest.mark.parametrize(
    "reason",
    [
        "aaaaaaaaaaaaaaaaaaaaaaaa",
        "urgent urgent urgent urgent urgent",
        "asdf qwer",
        "Urgent, urgent, URGENT! urgent urgent help",
        "ab ab ab ab cd ef",  # five words, three distinct
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx is on fire now",  # one letter makes most of it
    ],
)
def test_a_reason_that_names_no_situation_is_refused(reason):
    assert not names_a_situation(reason)


@pytest.mark.parametrize(
    "reason",
    [
        "Patient called the helpline in crisis, treating psychologist is on leave",
        REASON,
        "La police a appelé : le patient a disparu après des menaces, sa psychologue est absente.",
        "De politie belde: de patiënt is sinds gisteren vermist na bedreigingen aan zijn ex.",
    ],
)
def test_a_genuine_reason_passes_in_any_language(reason):
    assert names_a_situation(reason)


def test_a_genuine_reason_in_french_opens_the_file(patient, other_psychologist, client_for):
    client = client_for(other_psychologist)

    response = break_glass(
        client,
        patient,
        reason="La police a appelé : le patient a disparu après des menaces, "
        "sa psychologue est absente.",
    )

    assert response["Location"] == patient.get_absolute_url()
    assert client.get(patient.get_absolute_url()).status_code == 200


def test_an_unknown_file_number_becomes_a_request_to_the_lead_and_reveals_nothing(
    patient, other_psychologist, client_for
):
    """Under the limit an existing file opens at once; an unknown number is answered as an
    over-limit request is, "sent to the clinical lead", and opens nothing."""
    client = client_for(other_psychologist)
    data = browser_form(client.get(URL))
    data.update(file_number="1999-9999", reason=REASON, understood="on")

    response = client.post(URL, data)

    assert response.status_code == 302
    assert response["Location"] == reverse("workspace:dashboard")
    assert "No file has this number" not in client.get(response["Location"]).content.decode()
    (request,) = EmergencyAccess.objects.all()
    assert request.patient is None and request.expires_at is None
    assert request.status == EmergencyAccess.Status.REQUESTED
    assert not AccessEvent.objects.filter(action="emergency").exists()


@pytest.mark.parametrize(
    "persona", ["clinical_lead", "administrator", "auditor", "helpline_listener"]
)
def test_only_clinicians_without_access_to_every_file_break_the_glass(
    persona, request, patient, client_for
):
    client = client_for(request.getfixturevalue(persona))

    assert client.get(URL).status_code == 403
    assert (
        client.post(URL, {"file_number": patient.file_number, "reason": REASON}).status_code == 403
    )
    assert not EmergencyAccess.objects.exists()


def test_the_lead_reviews_each_emergency_access_and_no_one_else_may(
    patient, other_psychologist, treating_psychologist, clinical_lead, client_for
):
    opener = client_for(other_psychologist)
    break_glass(opener, patient)
    opener.get(patient.get_absolute_url())
    access = EmergencyAccess.objects.get()
    review = reverse("casework:emergency_review", args=[access.pk])
    lead = client_for(clinical_lead)

    home = lead.get(reverse("workspace:dashboard")).content.decode()
    assert review in home
    page = lead.get(review)
    assert page.status_code == 200
    assert [event.action for event in page.context["trail"]][:2] == ["emergency", "view"]
    assert client_for(treating_psychologist).post(review, {"note": "fine"}).status_code == 403

    data = browser_form(page)
    data["note"] = "Justified: the police called the clinic."
    assert lead.post(review, data).status_code == 302

    access.refresh_from_db()
    assert (access.reviewed_by, access.review_note) == (clinical_lead, data["note"])
    assert review not in lead.get(reverse("workspace:dashboard")).content.decode()


def test_a_reviewed_access_is_not_offered_for_review_again(
    patient, other_psychologist, clinical_lead, client_for
):
    """The page offered the form and the service refused it on submit: one rule now
    (permissions.emergency_review_refusal), the page says why before anything is typed."""
    break_glass(client_for(other_psychologist), patient)
    access = EmergencyAccess.objects.get()
    services.emergency_access_review(actor=clinical_lead, access=access, note="Justified.")
    review = reverse("casework:emergency_review", args=[access.pk])

    page = client_for(clinical_lead).get(review, follow=True)

    assert page.redirect_chain[-1][0] == reverse("workspace:dashboard")
    assert "This emergency access has been reviewed already." in page.content.decode()
    access.refresh_from_db()
    assert access.review_note == "Justified."


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    assert client.get(URL)["Location"].startswith(reverse("login"))


def _links(page: str, patient) -> set[str]:
    """The links and forms of a page into the patient's file (its header and footer apart)."""
    import re

    main = page[page.index("<main") : page.index("</main>")]
    prefix = f"/patients/{patient.pk}/"
    found = re.findall(r'(?:href|action)="([^"#?]+)', main)
    return {url for url in found if url.startswith(prefix)}


def test_an_emergency_access_offers_no_action_it_would_refuse(
    patient, other_psychologist, treating_psychologist, client_for
):
    """Every page of the file an emergency reader reaches, and every link they are shown into
    it, opens: no button or link to a change they may not make (once 27 of them, each ending
    in "Your role does not allow this action"). The banner says what the access is."""
    from notes import services as notes
    from reports import services as letters
    from tests.assessments.helpers import save
    from tests.factories import book, record

    # A file in use: a session with its outcome and one to come, a signed note and a draft, a
    # draft assessment, a signed letter and a draft one.
    record(book(patient, treating_psychologist), "attended", by=treating_psychologist)
    book(patient, treating_psychologist, days=7)
    signed = notes.note_create(
        actor=treating_psychologist, patient=patient, kind="personal", text="Signed."
    )
    notes.note_sign(actor=treating_psychologist, note=signed)
    notes.note_create(actor=treating_psychologist, patient=patient, kind="personal", text="Draft.")
    save(patient, treating_psychologist)
    for sign in (True, False):
        letter = letters.letter_draft(
            actor=treating_psychologist,
            patient=patient,
            kind="difficulty",
            mandate=patient.mandates.get(),
            paragraph="Difficultés de cadre.",
        )
        if sign:
            letters.letter_sign(actor=treating_psychologist, letter=letter)
    client = client_for(other_psychologist)
    break_glass(client, patient)

    seen, refused, waiting = set(), {}, [patient.get_absolute_url()]
    while waiting:
        url = waiting.pop()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code != 200:
            refused[url] = response.status_code
            continue
        if response["Content-Type"].startswith("text/html"):
            waiting.extend(_links(response.content.decode(), patient) - seen)

    assert len(seen) > 8  # the walk went through the file
    assert refused == {}, " ".join(sorted(refused))
    page = client.get(patient.get_absolute_url()).content.decode()
    assert "You are reading this file through an emergency access" in page
