"""Letters that hold up in front of a court: who receives them, what may not be signed, how a
registry reads them (docs/letters.md, "The law").

The follow-up report goes "to the commission and to the justice assistant" (law of 1 July 1964,
art. 20; law of 29 June 1964, art. 9bis; law of 5 May 2014, art. 57 §5); the service informs
the commission of an interruption (art. 20); the internment law adds a serious risk to the
person themself (art. 57 §5); beyond what the law names, professional secrecy holds (penal
code, art. 458).
"""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from casework import services as casework_services
from casework.models import Authority, Mandate
from common.pdf import render_pdf
from reports import catalogue, checks, rendering
from reports import services as letters
from reports.models import Letter
from tests.factories import AuthorityFactory, book, record
from tests.forms import browser_form, offered
from tests.reports.pdf_helpers import pdf_pages, pdf_text
from tests.reports.test_letters import draft, sign_fully, the_episode_for

TODAY = timezone.localdate


def text_of(letter) -> str:
    return pdf_text(render_pdf(rendering.render_html(letter)))


# --- Every recipient the law names --------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "required"),
    [
        ("periodic_report", ["authority", "justice_assistant"]),  # art. 9bis, art. 20
        ("stopping", ["authority", "justice_assistant"]),  # art. 20: the interruption
        ("serious_risk", ["authority", "justice_assistant"]),
        ("end_of_treatment", ["authority"]),  # art. 20: the interruption
        ("unjustified_absence", ["justice_assistant"]),
    ],
)
def test_a_letter_goes_by_default_to_whom_the_law_names_art_20(
    kind, required, patient, administrator, treating_psychologist
):
    session = book(patient, treating_psychologist, days=-1)
    absence = record(session, "absence-unacceptable", by=treating_psychologist)
    letter = draft(kind, patient, administrator, absence)

    assert set(required) <= set(letter.recipients)
    assert set(letter.recipients) <= set(catalogue.get(kind).recipients)


def test_the_law_s_recipients_cannot_be_left_out_art_9bis(patient, administrator):
    with pytest.raises(ValidationError) as refused:
        draft("periodic_report", patient, administrator, recipients=["justice_assistant"])

    message = refused.value.message_dict["recipients"][0]
    assert "The authority" in message and "art. 9bis" in message
    assert not Letter.objects.exists()


def test_one_document_one_signature_one_pdf_with_a_copy_line(
    patient, administrator, treating_psychologist, clinical_lead, authority
):
    mandate = patient.mandates.get()
    Mandate.objects.filter(pk=mandate.pk).update(
        authority_file_number="CP/LG/2025/0412", justice_assistant_file_number="MJ-LG-2026-77"
    )
    the_episode_for("periodic_report", patient, administrator)
    letter = sign_fully(
        draft("periodic_report", patient, administrator), treating_psychologist, clinical_lead
    )

    text = pdf_text(bytes(letter.pdf))

    assert text.index("Commission de probation de Liège") < text.index("Place Saint-Lambert")
    assert "CP/LG/2025/0412" in text  # "Your reference": what the registry files it by
    assert "Claire Renard, Maison de justice de Liège" in text.split("Copie")[-1]
    assert "MJ-LG-2026-77" in text.split("Copie")[-1]
    assert letter.signed_by == treating_psychologist and Letter.objects.count() == 1


def test_drafting_the_same_report_twice_is_refused_in_words_through_the_api(
    patient, administrator, api_for
):
    today = TODAY()
    data = {
        "kind": "periodic_report",
        "mandate": patient.mandates.get().pk,
        "period_start": (today - datetime.timedelta(days=90)).isoformat(),
        "period_end": (today - datetime.timedelta(days=1)).isoformat(),
    }
    url = reverse("api:letter_list", args=[patient.pk])
    client = api_for(administrator)

    assert client.post(url, data, format="json").status_code == 201
    again = client.post(url, data, format="json", HTTP_ACCEPT_LANGUAGE="fr")

    assert again.status_code == 400
    (message,) = again.json()["non_field_errors"]
    assert "letter_periodic_once" not in message and "Constraint" not in message
    assert message.startswith("Le rapport de suivi")
    assert Letter.objects.count() == 1


def test_every_constraint_of_every_model_says_why_in_its_own_words():
    from django.apps import apps

    silent = [
        f"{model._meta.label}.{constraint.name}"
        for model in apps.get_models()
        for constraint in model._meta.constraints
        if constraint.violation_error_message == constraint.default_violation_error_message
    ]
    assert silent == []


# --- Nothing contradictory or empty is signed ------------------------------------------------


def test_a_periodic_report_is_not_signed_before_its_period_ends(
    patient, administrator, treating_psychologist
):
    today = TODAY()
    letter = draft("periodic_report", patient, administrator, period_end=today)
    book(patient, treating_psychologist, days=3)  # a session still to come in the period

    with pytest.raises(ValidationError) as refused:
        letters.letter_sign(actor=treating_psychologist, letter=letter)

    assert "signed from" in refused.value.messages[0]
    assert not Letter.objects.get(pk=letter.pk).is_signed


def test_a_session_to_come_is_never_being_checked(patient, administrator, treating_psychologist):
    letter = draft(
        "periodic_report", patient, administrator, period_end=TODAY() + datetime.timedelta(days=10)
    )
    book(patient, treating_psychologist, days=4)
    book(patient, treating_psychologist, days=-2)  # begun, no outcome yet: being checked

    sessions = rendering.context(letter)["facts"]["sessions"]

    assert [(s["to_come"], s["awaiting_outcome"]) for s in sessions] == [
        (False, True),
        (True, False),
    ]
    assert "à venir" in text_of(letter)  # the French letter says the session is to come


def test_the_counters_add_up_on_the_letter(patient, administrator, treating_psychologist):
    record(book(patient, treating_psychologist, days=-20), "attended", by=treating_psychologist)
    record(
        book(patient, treating_psychologist, days=-13),
        "absence-unacceptable",
        by=treating_psychologist,
    )
    record(
        book(patient, treating_psychologist, days=-6), "absence-medical", by=treating_psychologist
    )
    book(patient, treating_psychologist, days=-3)
    letter = draft("periodic_report", patient, administrator)

    counters = rendering.context(letter)["facts"]["counters"]

    parts = [
        "attended",
        "acceptable_absences",
        "unacceptable_absences",
        "awaiting_evidence",
        "awaiting_outcome",
        "to_come",
        "cancelled_by_clinic",
    ]
    assert counters["planned"] == sum(counters[part] for part in parts) == 4


@pytest.mark.parametrize("kind", ["end_of_treatment", "stopping"])
def test_no_end_or_stopping_letter_while_the_episode_is_open(
    kind, patient, administrator, treating_psychologist
):
    letter = draft(kind, patient, administrator)

    with pytest.raises(ValidationError) as refused:
        letters.letter_sign(actor=treating_psychologist, letter=letter)

    assert "still open" in refused.value.messages[0]
    assert "ended on : ." not in text_of(letter) and "[" in text_of(letter)  # a visible gap


def test_a_stopping_letter_contradicting_the_closing_reason_is_not_signed(
    patient, administrator, treating_psychologist
):
    the_episode_for("end_of_treatment", patient, administrator)  # closed as completed
    letter = draft("stopping", patient, administrator)

    assert "would contradict it" in checks.problems(letter)[0]


@pytest.mark.parametrize("kind", ["difficulty", "serious_risk"])
def test_no_difficulty_or_serious_risk_without_its_paragraph(
    kind, patient, administrator, treating_psychologist
):
    letter = draft(kind, patient, administrator, paragraph="")

    with pytest.raises(ValidationError) as refused:
        letters.letter_sign(actor=treating_psychologist, letter=letter)

    assert "paragraph" in refused.value.messages[0]


def test_no_reply_about_a_period_in_the_future(patient, administrator, treating_psychologist):
    letter = draft(
        "reply_to_request", patient, administrator, period_end=TODAY() + datetime.timedelta(days=5)
    )

    with pytest.raises(ValidationError) as refused:
        letters.letter_sign(actor=treating_psychologist, letter=letter)

    assert "future" in refused.value.messages[0]


def test_a_reply_is_due_from_the_request_not_from_the_draft(patient, administrator):
    received = TODAY() - datetime.timedelta(days=10)

    letter = draft("reply_to_request", patient, administrator, request_received_on=received)

    assert letter.due_on == received + datetime.timedelta(days=15)


def test_a_notice_whose_absence_was_justified_since_is_not_signed(
    patient, administrator, treating_psychologist
):
    session = book(patient, treating_psychologist, days=-3)
    absence = record(session, "absence-unacceptable", by=treating_psychologist)
    letter = draft("unjustified_absence", patient, administrator, absence)
    record(session, "absence-medical", by=treating_psychologist, change_reason="certificate")

    assert "no longer holds" in checks.problems(Letter.objects.get(pk=letter.pk))[0]


def test_the_service_itself_checks_who_signs(patient, administrator, other_psychologist):
    letter = draft("periodic_report", patient, administrator)

    for outsider in (administrator, other_psychologist):
        with pytest.raises(PermissionDenied):
            letters.letter_sign(actor=outsider, letter=letter)
    assert not Letter.objects.get(pk=letter.pk).is_signed


def test_the_letter_page_says_what_must_change_before_signing(
    patient, administrator, treating_psychologist, client_for
):
    letter = draft("serious_risk", patient, administrator, risk_to="", paragraph="")

    page = client_for(treating_psychologist).get(letter.get_absolute_url()).content.decode()

    assert "Before it can be signed" in page
    assert "whom the risk threatens" in page and "paragraph for the authority" in page
    assert reverse("reports:sign", args=[patient.pk, letter.pk]) not in page


# --- Serious risk: to whom, urgent, co-signed -------------------------------------------------


def test_a_risk_to_the_patient_themself_is_told_under_the_internment_law_only_art_57(
    patient, administrator, treating_psychologist
):
    """Law of 5 May 2014 on internment, art. 57 §5; elsewhere, penal code art. 458 holds."""
    letter = draft("serious_risk", patient, administrator, risk_to="self")
    assert "art. 57 §5" in checks.problems(letter)[0]  # a probation mandate

    Mandate.objects.filter(patient=patient).update(legal_framework="internment")
    letter.refresh_from_db()
    assert checks.problems(letter) == []
    text = text_of(letter)
    assert "URGENT" in text.upper() and "risque grave pour la personne" in text
    assert "elle-même" in text


def test_a_serious_risk_alert_waits_for_its_co_signature_and_tells_the_lead_at_once(
    patient,
    administrator,
    treating_psychologist,
    clinical_lead,
    client_for,
    django_capture_on_commit_callbacks,
):
    letter = draft("serious_risk", patient, administrator)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        letters.letter_sign(actor=treating_psychologist, letter=letter)

    letter.refresh_from_db()
    assert letter.state == "Waiting for co-signature"
    (message,) = mail.outbox
    assert message.to == [clinical_lead.email] and patient.file_number in message.subject
    cosign = reverse("reports:cosign", args=[patient.pk, letter.pk])
    assert cosign in message.body
    assert "menaçants" not in message.body  # never what the risk is: e-mail leaves the clinic
    home = client_for(clinical_lead).get(reverse("workspace:dashboard")).content.decode()
    assert cosign in home and "waiting for your co-signature" in home
    dashboard = client_for(administrator).get(reverse("reports:dashboard")).content.decode()
    assert "Waiting for co-signature" in dashboard
    sign = reverse("reports:sign", args=[patient.pk, letter.pk])
    assert client_for(clinical_lead).get(sign).url == cosign  # the sign link takes the lead there
    assert client_for(treating_psychologist).get(sign, follow=True).status_code == 200


# --- Wording a registry expects ------------------------------------------------------------------


def test_the_measure_names_who_decided_and_who_supervises_with_their_articles(
    patient, administrator
):
    court = AuthorityFactory(name="Tribunal de première instance de Liège", kind="other")
    Mandate.objects.filter(patient=patient).update(decided_by=court)

    text = text_of(draft("periodic_report", patient, administrator))

    assert "décidée par le Tribunal de première instance de Liège" in text
    assert "suivie par la Commission de probation de Liège" in text


def test_dutch_and_german_authorities_take_their_articles(patient, administrator):
    from reports.wording import by_authority

    assert by_authority("Strafuitvoeringsrechtbank Antwerpen", "nl") == (
        "door de Strafuitvoeringsrechtbank Antwerpen"
    )
    assert by_authority("Hof van beroep Gent", "nl") == "door het Hof van beroep Gent"
    assert by_authority("Strafvollstreckungsgericht Eupen", "de") == (
        "durch das Strafvollstreckungsgericht Eupen"
    )
    assert (
        by_authority("Bewährungskommission Eupen", "de") == "durch die Bewährungskommission Eupen"
    )
    assert by_authority("Office central", "fr") == "par l'Office central"


def test_the_legal_basis_is_the_frameworks_provision_or_the_consent_and_its_date(
    patient, administrator
):
    mandate = patient.mandates.get()  # probation, with the patient's consent of 15/12/2025
    assert "consentement écrit" in text_of(draft("difficulty", patient, administrator))

    Mandate.objects.filter(pk=mandate.pk).update(sharing_basis="legal_basis", legal_basis="")
    text = text_of(draft("difficulty", patient, administrator))
    assert "Loi du 29 juin 1964" in text and "art. 9bis" in text


def test_later_pages_name_the_file_and_the_reference_and_the_first_does_not(patient, administrator):
    letter = draft("periodic_report", patient, administrator, paragraph="Long.\n" * 120)
    pdf = render_pdf(rendering.render_html(letter))

    assert pdf_pages(pdf) >= 2
    header = f"Notre dossier {patient.file_number}"
    assert header not in pdf_text(pdf, page=1)
    assert header in pdf_text(pdf, page=2) and letter.reference in pdf_text(pdf, page=2)


def test_the_attendance_certificate_states_the_file_number(patient, administrator):
    patient.address = "Rue des Vennes 12\n4020 Liège"
    patient.save(update_fields=["address"])

    text = text_of(draft("attendance_certificate", patient, administrator))

    assert f"(notre dossier {patient.file_number})" in text


def test_a_french_letter_writes_the_first_of_the_month_premier_and_never_breaks_a_date():
    from django.utils import translation

    from reports.wording import day

    with translation.override("fr"):
        assert day(datetime.date(2025, 12, 1)) == "1er\u00a0décembre\u00a02025"
        assert day(datetime.date(2025, 12, 11)) == "11\u00a0décembre\u00a02025"
    with translation.override("nl"):
        assert day(datetime.date(2025, 12, 1)) == "1\u00a0december\u00a02025"


@pytest.mark.parametrize(("sex", "born"), [("male", "né le"), ("female", "née le")])
def test_french_says_ne_or_nee_from_the_recorded_sex(sex, born, patient, administrator):
    patient.sex = sex
    patient.save(update_fields=["sex"])

    assert born in text_of(draft("difficulty", patient, administrator))


@pytest.mark.parametrize(
    ("language", "place"), [("fr", "Liège"), ("nl", "Luik"), ("de", "Lüttich")]
)
def test_the_place_of_signature_is_in_the_letters_language(language, place, patient, administrator):
    Authority.objects.update(language=language)

    letter = draft("periodic_report", patient, administrator)

    assert rendering.context(letter)["letter"]["place"] == place


def test_the_absence_notice_states_the_note_and_does_not_repeat_the_outcome(
    patient, administrator, treating_psychologist
):
    absence = record(
        book(patient, treating_psychologist, days=-2),
        "absence-unacceptable",
        by=treating_psychologist,
        note_for_authority="Injoignable par téléphone le jour même.",
    )

    text = text_of(draft("unjustified_absence", patient, administrator, absence))

    assert "cette absence est injustifiée." in text
    assert "injustifiée : Absence injustifiée" not in text
    assert "Injoignable par téléphone le jour même." in text


# --- The workflow, as people meet it -------------------------------------------------------------


def test_an_emailed_letter_speaks_the_letters_language_not_the_senders(
    patient, administrator, treating_psychologist, clinical_lead, django_capture_on_commit_callbacks
):
    administrator.language = "nl"
    administrator.save()
    the_episode_for("periodic_report", patient, administrator)
    letter = sign_fully(
        draft("periodic_report", patient, administrator), treating_psychologist, clinical_lead
    )
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):  # the outbox sends after the commit
        letters.letter_dispatch(
            actor=administrator,
            letter=letter,
            recipient="authority",
            channel="email",
            to="greffe@justice.example",
        )

    (message,) = mail.outbox
    assert "Rapport de suivi périodique" in message.subject
    assert "Veuillez trouver" in message.body and "Gelieve" not in message.body


def test_the_letters_page_shows_every_open_draft(patient, administrator, client_for):
    later = draft("difficulty", patient, administrator, due=TODAY() + datetime.timedelta(days=40))

    page = client_for(administrator).get(reverse("reports:dashboard"))

    sections = {key: rows for key, _title, rows, _more in page.context["shown"]}
    assert sections["later"] == [later]


def test_the_months_batch_lists_and_links_what_it_drafted(
    patient, administrator, client_for, django_capture_on_commit_callbacks
):
    from tests.reports.test_dashboard import report_due_this_month  # noqa: F401

    casework_services.episode_record_intake(
        actor=administrator, episode=patient.episodes.get(), on=datetime.date(2025, 12, 1)
    )
    Mandate.objects.filter(patient=patient).update(
        starts_on=TODAY().replace(day=1) - datetime.timedelta(days=20)
    )
    client = client_for(administrator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:batch_create"))

    (report,) = Letter.objects.filter(kind="periodic_report")
    page = client.get(response.url)
    assert report.get_absolute_url() in page.content.decode()
    assert page.context["page"].paginator.per_page == 50  # a network's month, page by page
    assert report.origin == "batch" and report.batch_id is not None
    detail = client.get(report.get_absolute_url()).content.decode()
    assert "the month's periodic reports, asked for by" in detail


@pytest.fixture
def notice(patient, treating_psychologist, django_capture_on_commit_callbacks):
    """An unjustified absence recorded, and the notice it set off at once."""
    with django_capture_on_commit_callbacks(execute=True):
        record(
            book(patient, treating_psychologist, days=-2),
            "absence-unacceptable",
            by=treating_psychologist,
        )
    return Letter.objects.get(kind="unjustified_absence")


def test_a_letter_says_what_set_it_off(notice, administrator, client_for):

    page = client_for(administrator).get(notice.get_absolute_url()).content.decode()

    assert "the outcome recorded on the session of" in page and "Unacceptable absence" in page


def test_the_dispatch_form_proposes_the_address_on_file_and_no_empty_choice(
    patient, administrator, treating_psychologist, clinical_lead, client_for, justice_contact
):
    justice_contact.email = "claire.renard@just.fgov.be"
    justice_contact.save()
    the_episode_for("periodic_report", patient, administrator)
    letter = sign_fully(
        draft("periodic_report", patient, administrator), treating_psychologist, clinical_lead
    )
    url = reverse("reports:dispatch", args=[patient.pk, letter.pk])
    client = client_for(administrator)

    by_email = client.get(f"{url}?recipient=justice_assistant")
    by_post = client.get(f"{url}?recipient=authority")

    assert "---------" not in by_email.content.decode()
    assert browser_form(by_email)["channel"] == "email"
    assert browser_form(by_email)["to"] == "claire.renard@just.fgov.be"
    assert browser_form(by_post)["channel"] == "post"
    assert "4000 Liège" in browser_form(by_post)["to"]
    assert offered(by_post, "recipient") == ["authority", "justice_assistant"]


def test_a_draft_can_be_withdrawn_with_a_reason_and_is_not_drafted_again(
    notice, patient, administrator, client_for
):
    url = reverse("reports:withdraw", args=[patient.pk, notice.pk])
    client = client_for(administrator)

    empty = client.post(url, browser_form(client.get(url)))
    assert empty.status_code == 200 and not Letter.objects.filter(status="withdrawn").exists()
    data = {**browser_form(client.get(url)), "reason": "Certificat médical reçu le jour même."}
    done = client.post(url, data)

    assert done.status_code == 302
    notice.refresh_from_db()
    assert (notice.status, notice.withdrawn_by) == ("withdrawn", administrator)
    from reports import drafting

    assert drafting.draft_due_letters() == []


def test_no_line_of_a_letter_breaks_on_white_space_before_a_line_break(patient, administrator):
    """WeasyPrint leaves a word alone on a line when white space comes right before a <br>
    ("angeordnet durch das Gericht / Erster / Instanz Eupen" in a German report): the
    paragraphs a letter builds with <br> have none."""
    import re

    court = AuthorityFactory(name="Gericht Erster Instanz Eupen", kind="trial_court")
    Mandate.objects.filter(patient=patient).update(decided_by=court)

    for kind in ("periodic_report", "attendance_certificate", "difficulty"):
        html = rendering.render_html(draft(kind, patient, administrator))
        assert not re.search(r"\s<br>", html), kind
