"""The annual activity report (docs/statistics.md, "The annual activity report"): the lead asks
for it on the indicators page, a worker renders its PDF once, on the letters' letterhead, and
every indicator is in it with its value; only the lead asks and downloads.

The small clinic is test_indicators.py's, computed by hand there."""

import base64
import datetime
import re

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from audit.models import AccessEvent
from clinic_statistics import indicators
from clinic_statistics.models import ActivityReport
from clinic_statistics.tasks import render_activity_report
from reports import wording
from reports.rendering import place
from tests.clinic_statistics.test_indicators import YEAR, clinic  # noqa: F401 — the fixture
from tests.forms import browser_form, offered
from tests.reports.pdf_helpers import pdf_text, pdfa_identification

pytestmark = pytest.mark.django_db

PAGE = reverse("clinic_statistics:indicators")
REQUEST = reverse("clinic_statistics:activity_report_request")


def pdf_url(report) -> str:
    return reverse("clinic_statistics:activity_report_pdf", args=[report.pk])


def ask(client, language: str):
    """Fill the report's form as the page offers it: its year, the language chosen."""
    page = client.get(PAGE, {"year": YEAR})
    assert language in offered(page, "language")
    data = browser_form(page)
    data["year"], data["language"] = str(YEAR), language
    return client.post(REQUEST, data)


def written(value: str) -> str:
    """As pdftotext gives it back: runs of white space as one, and no hyphens (it joins a
    word broken at the end of a line, "rendez-" / "vous", without its hyphen)."""
    return " ".join(value.split()).replace("-", "")


def formatted(figure, language: str) -> str:
    """A figure's value as the page and the report write it, in the report's language."""
    with translation.override(language):
        return written(render_to_string("clinic_statistics/value.html", {"figure": figure}))


def test_the_lead_asks_and_the_report_is_rendered_by_a_worker_not_the_request(
    clinic,
    client_for,
    clinical_lead,
):
    client = client_for(clinical_lead)
    response = ask(client, "fr")
    assert response.status_code == 302
    report = ActivityReport.objects.get()
    assert (report.year, report.language, report.requested_by) == (YEAR, "fr", clinical_lead)
    # The on-commit callbacks of a test's transaction never run: nothing was rendered inline.
    assert not report.pdf_sha256 and report.pdf is None and report.render_started_at is None
    page = client.get(response["Location"])
    assert "The report is being prepared" in page.content.decode()
    assert "being prepared" in page.content.decode()
    assert client.get(pdf_url(report)).status_code == 302  # not ready: said on the page


def test_asking_twice_while_being_prepared_makes_one_request(clinic, client_for, clinical_lead):
    client = client_for(clinical_lead)
    ask(client, "nl")
    response = ask(client, "nl")
    assert ActivityReport.objects.count() == 1
    assert "already being prepared" in client.get(response["Location"]).content.decode()
    ask(client, "fr")
    assert ActivityReport.objects.count() == 2


def test_the_request_queues_the_render_after_commit(
    clinic,
    client_for,
    clinical_lead,
    django_capture_on_commit_callbacks,
    monkeypatch,
):
    queued = []
    monkeypatch.setattr(render_activity_report, "delay", lambda *args: queued.append(args))
    with django_capture_on_commit_callbacks(execute=True):
        ask(client_for(clinical_lead), "en")
    assert queued == [(ActivityReport.objects.get().pk,)]


@pytest.mark.parametrize("language", ["fr", "nl", "en"])
def test_the_pdf_holds_every_indicator_with_its_value(
    language,
    clinic,
    clinical_lead,
):
    report = ActivityReport.objects.create(year=YEAR, language=language, requested_by=clinical_lead)
    assert render_activity_report(report.pk) is True
    report.refresh_from_db()
    pdf = bytes(report.pdf)
    assert report.pdf_matches()
    assert pdfa_identification(pdf) == ("2", "B")
    text = written(pdf_text(pdf))
    with translation.override(language):
        computed = indicators.indicators(clinical_lead, indicators.Question(year=YEAR))
    for section in computed.sections:
        assert written(section.title) in text
        for figure in section.figures:
            assert written(figure.label) in text, figure.key
            assert written(figure.definition) in text, figure.key
            assert formatted(figure, language) in text, figure.key
        for table in section.tables:
            assert written(table.title) in text, table.key
            for row in table.rows:
                assert f"{written(row.label)} {row.count}" in text, (table.key, row.key)
    # The letters' letterhead; the date and the place in the report's language (the indicators'
    # own labels are translated as far as the catalogues go: compared above as computed).
    assert settings.CLINIC_NAME in text
    with translation.override(language):
        assert written(wording.day(timezone.localdate())) in text
        assert written(place(language)) in text
    # The small clinic's figures, computed by hand in test_indicators.py.
    assert computed.figure("referrals").value == 4 and computed.table("exit_reason").total == 3


def test_running_the_task_twice_renders_once(clinic, clinical_lead, monkeypatch):
    report = ActivityReport.objects.create(year=YEAR, language="fr", requested_by=clinical_lead)
    assert render_activity_report(report.pk) is True
    digest = ActivityReport.objects.get().pdf_sha256
    rendered = []
    monkeypatch.setattr("common.pdf.render_pdf", lambda html: rendered.append(html) or b"")
    assert render_activity_report(report.pk) is False
    assert rendered == []
    assert ActivityReport.objects.get().pdf_sha256 == digest


def test_the_lead_downloads_the_prepared_report_and_it_is_logged(
    client_for,
    clinical_lead,
):
    report = ActivityReport.objects.create(year=YEAR, language="en", requested_by=clinical_lead)
    render_activity_report(report.pk)
    client = client_for(clinical_lead)
    page = client.get(PAGE, {"year": YEAR}).content.decode()
    assert pdf_url(report) in page
    response = client.get(pdf_url(report))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f"activity-report-{YEAR}-en.pdf" in response["Content-Disposition"]
    assert f"Annual activity report {YEAR}" in pdf_text(response.content)
    assert AccessEvent.objects.filter(
        object_type="clinic_statistics.activityreport", object_id=str(report.pk), action="export"
    ).exists()


@pytest.mark.parametrize(
    "persona", ["treating_psychologist", "administrator", "helpline_listener", "auditor"]
)
def test_only_the_clinical_lead_asks_and_downloads(persona, request, client_for, clinical_lead):
    report = ActivityReport.objects.create(year=YEAR, language="fr", requested_by=clinical_lead)
    client = client_for(request.getfixturevalue(persona))
    assert client.post(REQUEST, {"year": YEAR, "language": "fr"}).status_code == 403
    assert client.get(pdf_url(report)).status_code == 403
    assert ActivityReport.objects.count() == 1


def test_an_anonymous_visitor_is_sent_to_log_in(client, clinical_lead):
    report = ActivityReport.objects.create(year=YEAR, language="fr", requested_by=clinical_lead)
    for response in (client.post(REQUEST, {"year": YEAR}), client.get(pdf_url(report))):
        assert response.status_code == 302
        assert "/login/" in response["Location"]


def test_the_form_offers_the_leads_language(client_for, clinical_lead):
    clinical_lead.language = "nl"
    clinical_lead.save(update_fields=["language"])
    page = client_for(clinical_lead).get(PAGE, {"year": YEAR})
    assert page.context["report_form"]["language"].value() == "nl"


def test_asking_again_queues_again_a_render_nobody_is_doing(
    client_for, clinical_lead, django_capture_on_commit_callbacks, monkeypatch
):
    """A task lost (a broker restarted): the pending row blocks a second one, so asking again
    queues its render again; one being rendered right now is left to its worker."""
    stuck = ActivityReport.objects.create(year=YEAR, language="fr", requested_by=clinical_lead)
    queued = []
    monkeypatch.setattr(render_activity_report, "delay", lambda *args: queued.append(args))
    client = client_for(clinical_lead)
    with django_capture_on_commit_callbacks(execute=True):
        ask(client, "fr")
    assert queued == [(stuck.pk,)]
    ActivityReport.objects.filter(pk=stuck.pk).update(render_started_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        ask(client, "fr")
    assert queued == [(stuck.pk,)]
    assert ActivityReport.objects.count() == 1


def test_the_page_shows_the_same_charts_as_images(client_for, clinical_lead):
    """The report's charts on the page too, as data: images (the CSP allows no inline SVG)."""
    page = client_for(clinical_lead).get(PAGE, {"year": YEAR}).content.decode()
    assert page.count('<img class="bar-chart" src="data:image/svg+xml;base64,') == 3
    assert "<script" not in "".join(
        base64.b64decode(uri).decode() for uri in re.findall(r"base64,([^\"]+)", page)
    )


def test_a_report_whose_worker_was_lost_is_rendered_by_the_sweep_then_downloaded(
    clinic, client_for, clinical_lead, settings
):
    """The lead asks; the task never runs (a broker restarted); a worker that claimed another
    report is killed halfway. The beat's sweep queues both again, and the lead downloads them."""
    from clinic_statistics.tasks import render_pending_activity_reports

    client = client_for(clinical_lead)
    ask(client, "fr")  # its on-commit queueing never runs in a test transaction: lost
    killed = ActivityReport.objects.create(
        year=YEAR, language="nl", requested_by=clinical_lead, render_started_at=timezone.now()
    )
    assert render_pending_activity_reports() == 1  # the killed one's claim is still fresh
    ActivityReport.objects.filter(pk=killed.pk).update(
        render_started_at=timezone.now()
        - datetime.timedelta(seconds=settings.LETTER_RENDER_TIMEOUT + 1)
    )
    assert render_pending_activity_reports() == 1  # rendered eagerly: only the killed is left
    assert render_pending_activity_reports() == 0
    for report in ActivityReport.objects.all():
        response = client.get(pdf_url(report))
        assert response.status_code == 200
        assert f"{YEAR}" in pdf_text(response.content)


def test_the_report_counts_the_sessions_still_waiting_before_it_is_rendered(
    clinic, clinical_lead, treating_psychologist
):
    """A report is kept: a session recorded while no worker counted it is counted by the
    render, not announced as still being counted."""
    from casework import services
    from casework.models import SessionCountPending
    from tests.clinic_statistics.test_indicators import d, session

    session(clinic["anne"], treating_psychologist, d(6, 10), "attended")
    services.sessions_changed([clinic["anne"].pk])  # no worker has counted it yet
    report = ActivityReport.objects.create(year=YEAR, language="en", requested_by=clinical_lead)

    assert render_activity_report(report.pk) is True

    report.refresh_from_db()
    text = written(pdf_text(bytes(report.pdf)))
    assert "still being counted" not in text
    assert not SessionCountPending.objects.exists()
    figures = indicators.indicators(clinical_lead, indicators.Question(year=YEAR))
    planned = figures.figure("sessions_planned")
    assert planned.value == 8  # the seven of the hand-computed clinic, and this one
    assert formatted(planned, "en") in text
