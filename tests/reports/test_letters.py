"""Letters to the justice authority: frame facts only, signed then final, rendered once."""

import datetime
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from assessments import services as assessment_services
from audit.models import AccessEvent
from casework import services as casework_services
from casework.reporting import schedule_of
from notes import services as note_services
from reports import catalogue, rendering, wording
from reports import services as letters
from reports.models import Letter, SignedLetterError
from tests.factories import book, record
from tests.forms import browser_form, offered
from tests.reports.pdf_helpers import ink, pdf_first_page_png, pdf_pages, pdf_text

MARKERS = ("MARKER-SESSION-NOTE-7731", "MARKER-PERSONAL-NOTE-7732", "MARKER-ASSESSMENT-7733")


@pytest.fixture
def clinical_secrets(patient, treating_psychologist):
    """What therapy is about, in every clinical place a letter must never read from."""
    session = book(patient, treating_psychologist, days=-12)
    record(session, "attended", by=treating_psychologist)
    note_services.note_create(
        actor=treating_psychologist,
        patient=patient,
        kind="session",
        appointment=session,
        text=f"Discussed the offence in detail. {MARKERS[0]}",
    )
    note_services.note_create(
        actor=treating_psychologist, patient=patient, kind="personal", text=MARKERS[1]
    )
    assessment_services.assessment_save(
        actor=treating_psychologist,
        patient=patient,
        instrument="acute2007",
        assessed_on=timezone.localdate(),
        facts={},
        responses={str(n): "0" for n in range(1, 8)},
        level_override="",
        override_reason="",
    )
    from assessments.models import Assessment

    Assessment.objects.update(judgements={"note": MARKERS[2]})
    return session


@pytest.fixture
def absence(patient, treating_psychologist):
    missed = book(patient, treating_psychologist, days=-5)
    return record(missed, "absence-unacceptable", by=treating_psychologist)


def draft(kind, patient, actor, absence=None, **extra):
    """A letter of `kind` with what it needs to be signed: a period that has ended, the
    request a reply answers, whom a serious risk threatens (tests/reports/test_law.py tests
    each of them missing)."""
    today = timezone.localdate()
    reply = kind == "reply_to_request"
    values = {
        "actor": actor,
        "patient": patient,
        "kind": kind,
        "mandate": patient.mandates.get(),
        "attendance": absence if kind == "unjustified_absence" else None,
        "period_start": today - datetime.timedelta(days=60),
        "period_end": today - datetime.timedelta(days=1),
        "request_reference": "REQ-2026-14" if reply else "",
        "request_received_on": today - datetime.timedelta(days=3) if reply else None,
        "risk_to": "others" if kind == "serious_risk" else "",
        "paragraph": "La personne se présente de manière régulière et ponctuelle.",
        **extra,
    }
    return letters.letter_draft(**values)


def the_episode_for(kind, patient, actor):
    """The episode of care as a letter of `kind` needs it: the intake recorded, and closed for
    the letters that say the treatment ended (and how)."""
    episode = patient.episodes.get()
    today = timezone.localdate()
    casework_services.episode_record_intake(
        actor=actor, episode=episode, on=today - datetime.timedelta(days=300)
    )
    if kind in ("stopping", "end_of_treatment"):
        reason = "stopped_by_patient" if kind == "stopping" else "completed"
        casework_services.episode_close(
            actor=actor, episode=episode, on=today - datetime.timedelta(days=2), exit_reason=reason
        )
    return episode


def sign_fully(letter, psychologist, lead):
    letter = letters.letter_sign(actor=psychologist, letter=letter)
    if letter.type.needs_cosignature:
        letter = letters.letter_cosign(actor=lead, letter=letter)
    assert letters.letter_render(letter_id=letter.pk)
    letter.refresh_from_db()
    return letter


# --- Secrecy ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(catalogue.TYPES))
def test_every_letter_states_frame_facts_and_never_the_content_of_therapy(
    kind,
    patient,
    treating_psychologist,
    clinical_lead,
    administrator,
    clinical_secrets,
    absence,
    settings,
):
    the_episode_for(kind, patient, administrator)
    patient.address = "Rue des Vennes 12\n4020 Liège"  # where the certificate is posted
    patient.save(update_fields=["address"])
    letter = sign_fully(
        draft(kind, patient, administrator, absence), treating_psychologist, clinical_lead
    )

    text = pdf_text(bytes(letter.pdf))

    for marker in MARKERS:
        assert marker not in text
        assert marker not in str(letter.facts)
    assert patient.last_name.upper() in text
    assert settings.CLINIC_NAME in text and settings.CLINIC_PLACE in text  # the letterhead
    if letter.recipient != catalogue.Recipient.PATIENT:
        assert patient.file_number in text
    else:  # the patient's own paper names no court file
        assert patient.mandates.get().decision_reference not in text
    if letter.recipient != catalogue.Recipient.PATIENT:
        assert "Commission de probation de Liège" in text  # the mandate's authority
    pages = pdf_pages(bytes(letter.pdf))
    for page in range(1, pages + 1):  # "1 / 2" (pdftotext may drop spaces)
        assert re.search(rf"\b{page} ?/ ?{pages}\b", pdf_text(bytes(letter.pdf), page=page))
    assert letter.pdf_matches()
    png = pdf_first_page_png(bytes(letter.pdf))
    assert png.startswith(b"\x89PNG")
    assert 0.005 < ink(png) < 0.2  # a printed page, neither blank nor a black box


@pytest.mark.parametrize("kind", list(catalogue.TYPES))
def test_a_letter_template_receives_plain_values_only(kind, patient, administrator, absence):
    values = rendering.context(draft(kind, patient, administrator, absence))

    def plain(value):
        if isinstance(value, dict):
            return all(isinstance(k, str) and plain(v) for k, v in value.items())
        if isinstance(value, list | tuple):
            return all(plain(v) for v in value)
        return value is None or isinstance(value, str | int | float | bool)

    assert plain(values), values
    assert set(values["facts"]) == set(catalogue.get(kind).facts)


def test_the_facts_a_letter_states_are_its_types_allowlist(patient, administrator, absence):
    certificate = draft("attendance_certificate", patient, administrator)

    stated = rendering.context(certificate)["facts"]

    assert catalogue.MANDATE not in stated  # the patient's certificate names no authority
    assert catalogue.PARAGRAPH not in stated


def test_a_letter_dates_a_session_by_the_clinic_s_calendar(
    patient, administrator, treating_psychologist
):
    # 00:30 in Brussels is the evening before in UTC: the letter must state the clinic's day.
    late = book(patient, treating_psychologist, days=-5, hour=0, minute=30)
    missed = record(late, "absence-unacceptable", by=treating_psychologist)
    day = timezone.localdate(late.starts_at)

    notice = draft("unjustified_absence", patient, administrator, missed)

    facts = rendering.context(notice)["facts"]

    with translation.override(notice.language):
        assert facts[catalogue.SESSION]["date"] == wording.day(day)
        assert date_format(day, "DATE_FORMAT") == wording.day(day).replace("\u00a0", " ")


# --- Signed is final ----------------------------------------------------------------------------


@pytest.fixture
def signed(patient, administrator, treating_psychologist, clinical_lead):
    return sign_fully(
        draft("periodic_report", patient, administrator), treating_psychologist, clinical_lead
    )


def test_signing_freezes_what_the_letter_states(signed, patient, treating_psychologist):
    before = signed.facts
    later = book(patient, treating_psychologist, days=-1)
    record(later, "absence-unacceptable", by=treating_psychologist)

    signed.refresh_from_db()

    assert signed.facts == before  # a later outcome does not rewrite what was signed
    assert signed.definitions["absence-unacceptable"]["enforceable"] is True


def test_a_signed_letter_cannot_change_through_the_service_or_the_model(
    signed, treating_psychologist
):
    with pytest.raises(ValidationError):
        letters.letter_update(actor=treating_psychologist, letter=signed, paragraph="Changed")
    signed.paragraph = "Changed behind the service's back"
    with pytest.raises(SignedLetterError):
        signed.save()
    with pytest.raises(SignedLetterError):
        signed.save(update_fields=["paragraph"])
    with pytest.raises(SignedLetterError):
        signed.delete()


def test_a_draft_is_edited_through_its_form_and_goes_back_to_draft(
    patient, administrator, client_for
):
    letter = letters.letter_ready(
        actor=administrator, letter=draft("periodic_report", patient, administrator)
    )
    client = client_for(administrator)
    url = reverse("reports:update", args=[patient.pk, letter.pk])
    page = client.get(url)
    data = browser_form(page)
    assert offered(page, "recipients") == ["authority", "justice_assistant"]
    data.update(recipients=offered(page, "recipients"), paragraph="Présent, ponctuel.")

    response = client.post(url, data)

    assert response.status_code == 302, response.context["form"].errors
    letter.refresh_from_db()
    assert (letter.paragraph, letter.status) == ("Présent, ponctuel.", "draft")
    assert letter.recipients == ["authority", "justice_assistant"]


def test_the_edit_page_of_a_signed_letter_offers_no_form(
    signed, patient, administrator, client_for
):
    response = client_for(administrator).get(
        reverse("reports:update", args=[patient.pk, signed.pk]), follow=True
    )

    assert "signed and final" in response.content.decode()
    assert "<textarea" not in response.content.decode()


def test_postgresql_keeps_a_signed_letter_as_signed(signed):
    if connection.vendor != "postgresql":
        pytest.skip("the trigger exists on PostgreSQL only; CI's PostgreSQL run covers it")
    for change in (
        {"paragraph": "Rewritten in bulk"},
        {"facts": {}},
        {"pdf": b"another pdf"},
        {"recipients": ["authority"]},  # who it went to, as signed
        {"risk_to": "self"},
        {"withdrawn_at": timezone.now()},
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            Letter.objects.filter(pk=signed.pk).update(**change)
    with pytest.raises(DatabaseError), transaction.atomic():
        Letter.objects.filter(pk=signed.pk).delete()


def test_the_pdf_is_rendered_once_whatever_the_deliveries(signed):
    digest = signed.pdf_sha256

    assert letters.letter_render(letter_id=signed.pk) is False
    signed.refresh_from_db()
    assert signed.pdf_sha256 == digest and signed.pdf_matches()


def test_a_lost_render_is_queued_again_and_a_render_under_way_is_left_alone(
    patient, administrator, treating_psychologist, clinical_lead, settings
):
    lost = letters.letter_sign(
        actor=treating_psychologist, letter=draft("difficulty", patient, administrator)
    )
    under_way = letters.letter_sign(
        actor=treating_psychologist, letter=draft("difficulty", patient, administrator)
    )
    waiting = letters.letter_sign(  # for its second signature: nothing to render yet
        actor=treating_psychologist, letter=draft("serious_risk", patient, administrator)
    )
    long_ago = timezone.now() - datetime.timedelta(seconds=settings.LETTER_RENDER_TIMEOUT + 1)
    Letter.objects.filter(pk=lost.pk).update(render_started_at=long_ago)  # its worker died
    Letter.objects.filter(pk=under_way.pk).update(render_started_at=timezone.now())

    assert letters.letters_render_pending() == [lost.pk]  # rendered at once (eager in tests)
    assert Letter.objects.get(pk=lost.pk).pdf_matches()
    assert not Letter.objects.get(pk=under_way.pk).pdf_sha256
    assert not Letter.objects.get(pk=waiting.pk).pdf_sha256
    assert letters.letters_render_pending() == []


def test_a_correction_is_a_new_letter_that_points_to_the_old_one(signed, administrator):
    correction = letters.letter_correct(actor=administrator, letter=signed)

    assert (correction.corrects, correction.status) == (signed, Letter.Status.DRAFT)
    signed.refresh_from_db()
    assert signed.is_signed


# --- Who signs ---------------------------------------------------------------------------------


def test_an_administrator_drafts_and_dispatches_but_does_not_sign(
    patient, administrator, treating_psychologist, client_for
):
    letter = draft("periodic_report", patient, administrator)
    sign_url = reverse("reports:sign", args=[patient.pk, letter.pk])

    refused = client_for(administrator).post(sign_url, follow=True)
    assert "signs letters" in refused.content.decode()
    letter.refresh_from_db()
    assert not letter.is_signed

    assert client_for(treating_psychologist).post(sign_url).status_code == 302
    letter.refresh_from_db()
    assert letter.signed_by == treating_psychologist


def test_a_serious_risk_alert_cannot_leave_with_one_signature(
    patient, administrator, treating_psychologist, clinical_lead, other_psychologist
):
    alert = letters.letter_sign(
        actor=treating_psychologist, letter=draft("serious_risk", patient, administrator)
    )

    assert letters.letter_render(letter_id=alert.pk) is False  # not rendered, not sendable
    with pytest.raises(ValidationError):
        letters.letter_dispatch(
            actor=administrator, letter=alert, recipient="authority", channel="post"
        )
    with pytest.raises(PermissionDenied):
        letters.letter_cosign(actor=treating_psychologist, letter=alert)  # the same person

    from reports.permissions import can_cosign

    assert not can_cosign(other_psychologist, alert)
    assert can_cosign(clinical_lead, alert)
    alert = letters.letter_cosign(actor=clinical_lead, letter=alert)
    assert letters.letter_render(letter_id=alert.pk)
    alert.refresh_from_db()
    dispatch = letters.letter_dispatch(
        actor=administrator, letter=alert, recipient="authority", channel="post"
    )
    assert dispatch.sent_at is not None


# --- Dispatch -----------------------------------------------------------------------------------


def test_dispatching_records_who_how_and_when_and_marks_what_was_reported(
    signed, patient, administrator, client_for
):
    url = reverse("reports:dispatch", args=[patient.pk, signed.pk])
    client = client_for(administrator)
    for recipient in ("authority", "justice_assistant"):
        page = client.get(f"{url}?recipient={recipient}")
        assert offered(page, "channel") == ["post", "email", "other"]  # no empty choice
        data = browser_form(page)  # the address on file, as proposed
        data.update(channel="post")

        assert client.post(url, data).status_code == 302

        signed.refresh_from_db()
    by_recipient = {d.recipient: d for d in signed.dispatches.all()}
    assert signed.status == "sent"
    assert {r: (d.channel, d.recorded_by) for r, d in by_recipient.items()} == {
        "authority": ("post", administrator),
        "justice_assistant": ("post", administrator),
    }
    assert "4000 Liège" in by_recipient["justice_assistant"].to
    assert AccessEvent.objects.filter(action="send", object_id=str(signed.pk)).count() == 2


def test_an_email_dispatch_sends_the_pdf_once(
    signed, administrator, django_capture_on_commit_callbacks
):
    from django.core import mail

    from common import outbox

    with django_capture_on_commit_callbacks(execute=True):  # the outbox sends after the commit
        dispatch = letters.letter_dispatch(
            actor=administrator,
            letter=signed,
            recipient="justice_assistant",
            channel="email",
            to="ja@justice.example",
        )

    assert not outbox.send(dispatch.message_id)  # a second delivery of the task sends nothing
    (message,) = mail.outbox
    (attachment,) = message.attachments
    assert attachment[1] == bytes(signed.pdf)
    dispatch.refresh_from_db()
    assert dispatch.sent_at == dispatch.message.sent_at


def test_the_download_is_the_stored_pdf_and_is_logged(signed, patient, administrator, client_for):
    response = client_for(administrator).get(reverse("reports:pdf", args=[patient.pk, signed.pk]))

    assert response.status_code == 200
    assert response.content == bytes(signed.pdf)
    assert AccessEvent.objects.filter(action="export", object_id=str(signed.pk)).exists()


def test_a_pdf_not_made_yet_sends_back_to_the_letter_with_a_word(
    patient, administrator, client_for
):
    letter = draft("difficulty", patient, administrator)
    client = client_for(administrator)

    response = client.get(reverse("reports:pdf", args=[patient.pk, letter.pk]), follow=True)

    assert response.redirect_chain == [(letter.get_absolute_url(), 302)]
    assert "The PDF is not ready yet" in response.content.decode()
    assert not AccessEvent.objects.filter(action="export").exists()


# --- The pages ----------------------------------------------------------------------------------


def test_the_form_starts_from_the_current_mandate_and_its_reporting_period(
    patient, treating_psychologist, client_for
):
    client = client_for(treating_psychologist)
    url = reverse("reports:create", args=[patient.pk]) + "?kind=periodic_report"
    data = browser_form(client.get(url))  # as offered: nothing typed

    response = client.post(url, data)

    assert response.status_code == 302
    letter = Letter.objects.get()
    mandate = patient.mandates.get()
    today = timezone.localdate()
    assert (letter.kind, letter.mandate, letter.period_end) == ("periodic_report", mandate, today)
    period = schedule_of(mandate).period_on(today)
    assert letter.period_start == period.first_day <= today <= period.last_day
    assert letter.recipients == ["authority", "justice_assistant"]  # whom the law names


def test_a_letter_is_drafted_through_its_form(patient, administrator, client_for, absence):
    client = client_for(administrator)
    url = reverse("reports:create", args=[patient.pk])
    page = client.get(url)
    data = browser_form(page)
    data.update(
        kind="unjustified_absence",
        mandate=offered(page, "mandate")[0],
        attendance=offered(page, "attendance")[0],
        period_start=(timezone.localdate() - datetime.timedelta(days=30)).isoformat(),
        period_end=timezone.localdate().isoformat(),
    )

    response = client.post(url, data)

    letter = Letter.objects.get()
    assert response.status_code == 302, response.context["form"].errors
    assert (letter.kind, letter.attendance, letter.recipients) == (
        "unjustified_absence",
        absence,
        [catalogue.Recipient.JUSTICE_ASSISTANT, catalogue.Recipient.AUTHORITY],
    )
    assert letter.due_on == timezone.localdate()  # a notice is due the day it is drafted


def test_a_serious_risk_alert_is_drafted_through_its_form_saying_whom_it_threatens(
    patient, treating_psychologist, client_for
):
    client = client_for(treating_psychologist)
    url = reverse("reports:create", args=[patient.pk]) + "?kind=serious_risk"
    page = client.get(url)
    assert offered(page, "risk_to") == ["others", "self"]
    assert offered(page, "recipients") == ["authority", "justice_assistant", "patient"]
    data = browser_form(page)
    data.update(
        risk_to="others",
        recipients=["authority", "justice_assistant"],
        paragraph="Propos menaçants envers une personne identifiée.",
    )

    response = client.post(url, data)

    assert response.status_code == 302, response.context["form"].errors
    letter = Letter.objects.get()
    assert (letter.kind, letter.risk_to, letter.recipients) == (
        "serious_risk",
        "others",
        ["authority", "justice_assistant"],
    )
    assert letter.due_on == timezone.localdate()


def test_the_preview_is_the_letter_as_it_will_print(patient, administrator, client_for):
    letter = draft("periodic_report", patient, administrator)

    page = client_for(administrator).get(reverse("reports:preview", args=[patient.pk, letter.pk]))

    assert patient.file_number in page.content.decode()
    assert "Commission de probation de Liège" in page.content.decode()


def test_once_its_pdf_is_made_the_preview_of_a_letter_is_its_pdf(
    signed, patient, administrator, client_for
):
    """The templates may change after a letter is signed: what was sent is the PDF."""
    client = client_for(administrator)

    preview = client.get(reverse("reports:preview", args=[patient.pk, signed.pk]), follow=True)

    assert preview.content == bytes(signed.pdf)
    assert reverse("reports:preview", args=[patient.pk, signed.pk]) not in (
        client.get(signed.get_absolute_url()).content.decode()
    )


def test_an_outsider_gets_404_on_a_patients_letters(
    patient, administrator, other_psychologist, client_for
):
    letter = draft("periodic_report", patient, administrator)

    response = client_for(other_psychologist).get(
        reverse("reports:detail", args=[patient.pk, letter.pk])
    )

    assert response.status_code == 404


def test_a_notice_without_its_session_is_refused_on_the_field(patient, administrator):
    with pytest.raises(ValidationError) as refused:
        letters.letter_draft(
            actor=administrator,
            patient=patient,
            kind="unjustified_absence",
            mandate=patient.mandates.get(),
        )

    assert "attendance" in refused.value.message_dict
    assert not Letter.objects.exists()


# --- With no worker (the embedded default), a page never waits for a PDF -------------------


@pytest.mark.django_db(transaction=True)
def test_without_a_worker_the_pdf_is_rendered_once_the_signing_page_has_answered(
    patient, administrator, treating_psychologist, client_for, monkeypatch
):
    from django.core.handlers.base import BaseHandler

    from common import pdf

    letter = draft("difficulty", patient, administrator)
    events = []
    real_render, real_answer = pdf.render_pdf, BaseHandler.get_response

    def answer(handler, request):  # the response, as handed to the web server
        response = real_answer(handler, request)
        events.append("answered")
        return response

    monkeypatch.setattr(
        pdf, "render_pdf", lambda html: events.append("render") or real_render(html)
    )
    monkeypatch.setattr(BaseHandler, "get_response", answer)

    response = client_for(treating_psychologist).post(
        reverse("reports:sign", args=[patient.pk, letter.pk])
    )

    assert response.status_code == 302
    assert events == ["answered", "render"]  # the page did not wait for the PDF
    assert Letter.objects.get(pk=letter.pk).pdf_matches()


def test_letters_signed_together_are_rendered_in_a_few_tasks_after_the_commit(
    patient, administrator, treating_psychologist, monkeypatch, django_capture_on_commit_callbacks
):
    from reports.tasks import render_letters

    queued = []
    monkeypatch.setattr(render_letters, "delay", lambda ids: queued.append(ids))
    drafts = [draft("difficulty", patient, administrator) for _ in range(12)]

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        for letter in drafts:
            letters.letter_sign(actor=treating_psychologist, letter=letter)
        assert queued == []  # nothing before the commit

    assert [len(chunk) for chunk in queued] == [5, 5, 2]
    assert sorted(pk for chunk in queued for pk in chunk) == sorted(d.pk for d in drafts)


def test_the_letterhead_carries_the_clinics_logo_from_the_static_files(
    patient, administrator, treating_psychologist, settings
):
    settings.CLINIC_LOGO = "favicon.svg"
    letter = letters.letter_sign(
        actor=treating_psychologist, letter=draft("difficulty", patient, administrator)
    )

    assert letters.letter_render(letter_id=letter.pk)
    html = rendering.render_html(letter)
    assert '<img class="logo" src="/static/favicon.svg"' in html


def test_a_signature_never_stands_alone_on_its_page(patient, administrator):
    """However long the letter, the closing words go with the signature block: the paragraph
    grows two lines at a time, so that the end of the letter crosses the end of page 1."""
    from django.utils import translation

    from common.pdf import render_pdf
    from tests.reports.pdf_helpers import pdf_pages

    letter = draft("difficulty", patient, administrator)
    with translation.override(letter.language):
        closing = translation.gettext("Yours faithfully,")
        unsigned = translation.gettext("Not signed yet")
    line = "Le cadre convenu n'a pas été respecté lors de la séance prévue ce jour-là."
    crossed = False
    for lines in range(40, 62, 2):
        letter.paragraph = "\n".join([line] * lines)
        pdf = render_pdf(rendering.render_html(letter))
        pages = pdf_pages(pdf)
        crossed = crossed or pages > 1
        (page,) = [n for n in range(1, pages + 1) if unsigned in pdf_text(pdf, page=n)]
        assert closing in pdf_text(pdf, page=page), lines
    assert crossed


def test_the_letter_page_offers_the_cosignature_to_the_lead_only_once_signed(
    patient, administrator, treating_psychologist, clinical_lead, client_for
):
    alert = draft("serious_risk", patient, administrator)
    url, cosign = alert.get_absolute_url(), reverse("reports:cosign", args=[patient.pk, alert.pk])

    assert "Co-sign the letter" not in client_for(clinical_lead).get(url).content.decode()
    letters.letter_sign(actor=treating_psychologist, letter=alert)

    assert "Co-sign the letter" in client_for(clinical_lead).get(url).content.decode()
    assert "Co-sign the letter" not in client_for(treating_psychologist).get(url).content.decode()
    refused = client_for(treating_psychologist).post(cosign, follow=True)
    assert "The clinical lead co-signs" in refused.content.decode()
    assert client_for(clinical_lead).post(cosign).status_code == 302
    alert.refresh_from_db()
    assert alert.cosigned_by == clinical_lead


# --- The patient page ---------------------------------------------------------------------------


def test_the_patient_page_lists_the_patients_eight_latest_letters(
    patient, administrator, clinical_lead, treating_psychologist, authority, client_for
):
    from tests.factories import patient_in_care

    made = [draft("reply_to_request", patient, administrator) for _ in range(9)]
    someone_else = patient_in_care(
        administrator=administrator,
        lead=clinical_lead,
        psychologist=treating_psychologist,
        authority=authority,
    )
    draft("reply_to_request", someone_else, administrator)

    page = client_for(treating_psychologist).get(patient.get_absolute_url())

    assert page.context["letters"] == made[:0:-1]  # the latest first, the first one left out
    assert made[-1].reference in page.content.decode()


def test_what_a_letter_states_costs_the_same_queries_for_few_or_many_sessions(
    patient, administrator, treating_psychologist
):
    """Every fact in a fixed number of queries: no query per session, per note or per
    recipient (the measure, its authorities and its framework come with the letter)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reports import facts

    today = timezone.localdate()
    for day in range(-50, -40):
        record(
            book(patient, treating_psychologist, days=day),
            "attended",
            by=treating_psychologist,
            note_for_authority="Présent.",
        )

    def queries_for(first: int, last: int) -> int:
        drafted = draft(
            "periodic_report",
            patient,
            administrator,
            period_start=today + datetime.timedelta(days=first),
            period_end=today + datetime.timedelta(days=last),
        )
        letter = Letter.objects.select_related(
            "patient",
            "mandate__authority",
            "mandate__decided_by",
            "mandate__justice_contact",
            "mandate__legal_framework",
            "episode",
        ).get(pk=drafted.pk)
        with CaptureQueriesContext(connection) as captured:
            stated = facts.build(letter)
            rendering.render_html(letter, stated)
        return len(stated["sessions"]), len(captured)

    (two, few), (ten, many) = queries_for(-51, -49), queries_for(-50, -41)

    assert (two, ten) == (2, 10)
    assert few == many


def test_the_signing_page_shows_what_is_signed_and_the_page_after_says_it_was(
    patient, administrator, treating_psychologist, client_for
):
    """The clinician sees the letter, its patient and what it tells the authority before the
    button; afterwards the page says "Letter signed", not a bare "Done"."""
    from django.contrib.messages import get_messages

    letter = draft("periodic_report", patient, administrator)
    letter.paragraph = "Suivi régulier, sans difficulté."
    letter.save(update_fields=["paragraph"])
    client = client_for(treating_psychologist)
    url = reverse("reports:sign", args=[patient.pk, letter.pk])

    page = client.get(url).content.decode()
    response = client.post(url)

    assert letter.reference in page and letter.get_kind_display() in page
    assert patient.file_number in page and patient.full_name in page
    assert "Suivi régulier, sans difficulté." in page
    said = [str(message) for message in get_messages(response.wsgi_request)]
    assert said == ["Letter signed."]
