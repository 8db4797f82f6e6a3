"""Letters due: the clinician's to-do list and home page, the clinic's dashboard, and every
periodic report of the month prepared in one action with its progress."""

import datetime
import re

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reports import services as letters
from reports.models import Letter, LetterBatch
from tests.factories import register_patient


def overdue_notice(patient, actor, *, days_late=3):
    today = timezone.localdate()
    return letters.letter_draft(
        actor=actor,
        patient=patient,
        kind="difficulty",
        mandate=patient.mandates.get(),
        paragraph="Le cadre n'est plus respecté.",
        due=today - datetime.timedelta(days=days_late),
    )


# --- The clinician's to-do list and home page -----------------------------------------------


def test_the_treating_psychologist_sees_the_letters_to_prepare_and_another_does_not(
    patient, administrator, treating_psychologist, other_psychologist, client_for
):
    letter = overdue_notice(patient, administrator)

    mine = client_for(treating_psychologist).get(reverse("workspace:todo")).content.decode()
    theirs = client_for(other_psychologist).get(reverse("workspace:todo")).content.decode()
    home = client_for(treating_psychologist).get(reverse("workspace:dashboard")).content.decode()

    assert letter.get_absolute_url() in mine and "overdue" in mine
    assert letter.get_absolute_url() not in theirs and "No letter to prepare." in theirs
    assert "1 letter due this week" in home


def test_the_todo_list_shows_the_20_letters_due_soonest_and_costs_the_same_queries(
    patient, administrator, treating_psychologist, client_for
):
    client = client_for(treating_psychologist)
    overdue_notice(patient, administrator, days_late=1)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("workspace:todo"))
    for days_late in range(2, 23):  # 22 letters in all, the latest made the most overdue
        overdue_notice(patient, administrator, days_late=days_late)
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("workspace:todo"))

    shown = page.context["letters"]
    assert [letter.due_on for letter in shown] == sorted(letter.due_on for letter in shown)
    expected = Letter.objects.order_by("due_on", "pk").values_list("pk", flat=True)[:20]
    assert [letter.pk for letter in shown] == list(expected)
    assert page.context["more_letters"] is True
    assert len(many) == len(few)


# --- The clinic's dashboard ----------------------------------------------------------------


def test_the_dashboard_sorts_letters_by_what_they_wait_for(
    patient, administrator, treating_psychologist, client_for
):
    late = overdue_notice(patient, administrator)
    ready = letters.letter_ready(actor=administrator, letter=overdue_notice(patient, administrator))

    page = client_for(administrator).get(reverse("reports:dashboard"))

    sections = {key: rows for key, _title, rows, _more in page.context["shown"]}
    assert late in sections["overdue"] and ready in sections["overdue"]
    assert sections["to_sign"] == [ready]
    assert sections["sent"] == [] and sections["to_send"] == []


def test_the_dashboard_shows_only_the_letters_of_patients_one_may_see(
    patient, administrator, other_psychologist, helpline_listener, auditor, client_for, client
):
    letter = overdue_notice(patient, administrator)

    assert (
        letter.reference
        in client_for(administrator).get(reverse("reports:dashboard")).content.decode()
    )
    outsider = client_for(other_psychologist).get(reverse("reports:dashboard"))
    assert outsider.status_code == 200 and letter.reference not in outsider.content.decode()
    for persona in (helpline_listener, auditor):
        assert client_for(persona).get(reverse("reports:dashboard")).status_code == 403
    assert client.get(reverse("reports:dashboard")).status_code == 302  # to the login page


def test_the_dashboards_lists_start_from_the_patients_within_reach(
    patient, administrator, treating_psychologist, client_for
):
    """Whoever sees every file reads the letters unfiltered ('of every patient' was a join to
    all the patients in each of five statements, docs/performance.md); a clinician's lists
    are of their patients' ids, read first."""
    overdue_notice(patient, administrator)

    def letter_lists(persona):
        with CaptureQueriesContext(connection) as queries:
            client_for(persona).get(reverse("reports:dashboard"))
        lists = [q["sql"] for q in queries if q["sql"].startswith('SELECT "reports_letter"."id"')]
        assert len(lists) == 6  # overdue, due soon, to sign, to send, later, sent
        return lists

    by_patient = re.compile(r'"reports_letter"\."patient_id" (IN \(\d|= ANY)')

    assert not any('"patient_id" IN (SELECT' in sql for sql in letter_lists(administrator))
    assert not any(by_patient.search(sql) for sql in letter_lists(administrator))
    assert all(by_patient.search(sql) for sql in letter_lists(treating_psychologist))


def test_the_dashboard_costs_the_same_queries_for_2_or_12_letters(
    administrator, clinical_lead, authority, justice_contact, client_for
):
    from casework import services
    from tests.factories import mandate_data

    def patient_with_letter():
        patient = register_patient(administrator)
        services.mandate_create(
            actor=administrator,
            patient=patient,
            **mandate_data(authority, justice_contact=justice_contact),
        )
        overdue_notice(patient, administrator)

    client = client_for(administrator)
    url = reverse("reports:dashboard")
    for _ in range(2):
        patient_with_letter()
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(10):
        patient_with_letter()
    with CaptureQueriesContext(connection) as many:
        page = client.get(url)

    assert len(page.context["shown"][0][2]) == 10  # a section shows 10, then "see them all"
    assert page.context["shown"][0][3] is True
    assert len(many) == len(few)


def test_one_section_in_full_is_paged(patient, administrator, client_for):
    for _ in range(3):
        overdue_notice(patient, administrator)

    page = client_for(administrator).get(reverse("reports:dashboard") + "?section=overdue")

    ((key, _title, rows, _more),) = page.context["shown"]
    assert key == "overdue" and len(rows) == 3
    assert page.context["page"].number == 1


# --- The month's periodic reports in one action ----------------------------------------------


@pytest.fixture
def report_due_this_month(patient, administrator):
    """A yearly report (a framework whose law sets no interval) that falls due on the last
    day of this month: the mandate started on that day a year ago, after the intake."""
    from casework import services
    from casework.models import Mandate
    from common.dates import month_bounds

    last = month_bounds(timezone.localdate())[1]
    start = last.replace(year=last.year - 1, day=min(last.day, 28 if last.month == 2 else 31))
    services.episode_record_intake(
        actor=administrator,
        episode=patient.episodes.get(),
        on=start - datetime.timedelta(days=10),
    )
    Mandate.objects.filter(patient=patient).update(
        legal_framework="pretrial", starts_on=start, reporting_interval_months=12, ends_on=None
    )
    return patient


def test_an_administrator_prepares_the_months_reports_and_follows_the_progress(
    report_due_this_month,
    administrator,
    treating_psychologist,
    client_for,
    django_capture_on_commit_callbacks,
):
    client = client_for(administrator)
    confirm = client.get(reverse("reports:batch_create"))
    assert confirm.status_code == 200 and "1 periodic report falls due this month" in (
        confirm.content.decode()
    )

    with django_capture_on_commit_callbacks(execute=True):  # the worker's task, run here
        response = client.post(reverse("reports:batch_create"))

    batch = LetterBatch.objects.get()
    assert response.url == reverse("reports:batch", args=[batch.pk])
    (report,) = Letter.objects.filter(kind="periodic_report")
    assert (batch.total, batch.done, batch.drafted) == (1, 1, 1) and batch.finished_at
    assert report.patient == report_due_this_month and report.created_by == administrator
    assert [m.to for m in mail.outbox if report.reference in m.body] == [
        [treating_psychologist.email]
    ]
    page = client.get(response.url)
    assert "Done: 1 report drafted" in page.content.decode()
    fragment = client.get(response.url, headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<div id="batch-progress"')
    assert "hx-trigger" not in fragment  # finished: the page stops asking


def test_a_running_batch_is_followed_not_started_again(report_due_this_month, administrator):
    first = letters.batch_queue(actor=administrator)  # its task waits for the commit

    assert letters.batch_queue(actor=administrator) == first
    fragment_batch = LetterBatch.objects.get()
    assert fragment_batch.finished_at is None


def test_the_batch_run_twice_drafts_each_report_once(report_due_this_month, administrator):
    from reports import drafting

    batch = letters.batch_queue(actor=administrator)
    assert drafting.batch_run(batch.pk) == 1
    assert drafting.batch_run(batch.pk) == 0  # a second delivery
    batch.refresh_from_db()
    assert (batch.total, batch.done, batch.drafted) == (1, 1, 1)


def test_a_psychologist_may_not_prepare_the_months_reports(
    report_due_this_month, treating_psychologist, administrator, client_for
):
    client = client_for(treating_psychologist)

    response = client.post(reverse("reports:batch_create"), follow=True)

    assert "Administrators and the clinical lead prepare" in response.content.decode()
    with pytest.raises(PermissionDenied):  # the service asks the rule too, whoever calls it
        letters.batch_queue(actor=treating_psychologist)
    assert not LetterBatch.objects.exists()
    batch = letters.batch_queue(actor=administrator)
    assert client.get(reverse("reports:batch", args=[batch.pk])).status_code == 404
