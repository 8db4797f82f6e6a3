"""Which letters fall due, drafted once by the daily run."""

import datetime

from django.core import mail
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from casework import services
from casework.models import Mandate
from casework.selectors import reporting_period
from reports import deadlines
from reports.models import Letter
from reports.tasks import draft_due_letters
from tests.factories import book, record


def test_the_periodic_report_is_drafted_before_its_period_ends_once(patient):
    mandate = patient.mandates.get()  # starts 2025-12-15, a report every 6 months

    early = deadlines.draft_due_letters(today=datetime.date(2026, 5, 31))
    first = deadlines.draft_due_letters(today=datetime.date(2026, 6, 1))  # 14 days before it is due
    again = deadlines.draft_due_letters(today=datetime.date(2026, 6, 2))

    (report,) = first
    assert early == again == []
    assert (report.mandate, report.period_start, report.period_end) == (
        mandate,
        datetime.date(2025, 12, 15),
        datetime.date(2026, 6, 14),
    )
    assert (
        report.due_on
        == datetime.date(2026, 6, 15)
        == mandate.next_report_due(datetime.date(2026, 6, 1))
    )
    assert report.created_by is None  # the daily run drafted it


def test_the_beat_task_run_twice_drafts_each_letter_once(patient, settings):
    settings.LETTER_DRAFT_AHEAD_DAYS = 400  # so that today's period is due whatever the date

    assert draft_due_letters.delay().get() == 1
    assert draft_due_letters.delay().get() == 0
    assert Letter.objects.filter(kind="periodic_report").count() == 1


def test_nothing_is_drafted_early_nor_for_a_suspended_mandate(patient, administrator):
    assert deadlines.draft_due_letters(today=datetime.date(2026, 5, 1)) == []

    services.mandate_update(actor=administrator, mandate=patient.mandates.get(), status="suspended")

    assert deadlines.draft_due_letters(today=datetime.date(2026, 6, 10)) == []


def test_nothing_is_drafted_for_a_mandate_ended_by_the_authority(patient, administrator):
    Mandate.objects.filter(patient=patient).update(
        status="ended", ended_on=datetime.date(2026, 4, 30), end_reason="lifted"
    )

    assert deadlines.draft_due_letters(today=datetime.date(2026, 6, 10)) == []
    assert deadlines.reports_due_in_month(datetime.date(2026, 6, 10)) == []


def test_no_periodic_report_is_drafted_once_the_treatment_is_closed(patient, administrator):
    """The end-of-treatment letter says it; the mandate itself may stay open with the
    authority for a while."""
    episode = patient.episodes.get()
    services.episode_close(
        actor=administrator,
        episode=episode,
        on=datetime.date(2026, 5, 20),
        exit_reason="transferred",
    )

    assert deadlines.draft_due_letters(today=datetime.date(2026, 6, 10)) == []


def test_nothing_is_drafted_before_a_mandate_starts(patient):
    mandate = patient.mandates.get()
    Mandate.objects.filter(pk=mandate.pk).update(starts_on=datetime.date(2026, 9, 1))

    assert deadlines.draft_due_letters(today=datetime.date(2026, 6, 10)) == []


def test_a_mandate_that_ends_before_the_period_is_reported_up_to_its_end(patient):
    mandate = patient.mandates.get()
    Mandate.objects.filter(pk=mandate.pk).update(ends_on=datetime.date(2026, 3, 31))

    (report,) = deadlines.draft_due_letters(today=datetime.date(2026, 3, 20))

    assert report.period_end == datetime.date(2026, 3, 31)


def test_a_leap_day_start_reports_up_to_the_last_day_of_february(patient):
    mandate = patient.mandates.get()
    Mandate.objects.filter(pk=mandate.pk).update(
        starts_on=datetime.date(2024, 2, 29), reporting_interval_months=12, ends_on=None
    )

    (report,) = deadlines.draft_due_letters(today=datetime.date(2025, 2, 20))

    assert (report.period_start, report.period_end) == (
        datetime.date(2024, 2, 29),
        datetime.date(2025, 2, 27),
    )


@given(
    start=st.dates(datetime.date(2023, 1, 1), datetime.date(2026, 12, 31)),
    months=st.sampled_from([1, 3, 6, 12]),
    offset=st.integers(0, 1500),
)
def test_reporting_periods_follow_each_other_without_gap_or_overlap(start, months, offset):
    mandate = Mandate(starts_on=start, reporting_interval_months=months)
    day = start + datetime.timedelta(days=offset)

    first, end = reporting_period(mandate, day)
    following = reporting_period(mandate, end)

    assert first <= day < end
    assert following[0] == end  # the next period starts the day this one ends
    assert end.day in (start.day, 28, 29, 30, 31)  # the start's day, or a shorter month's end


@given(
    start=st.dates(datetime.date(2023, 1, 1), datetime.date(2026, 12, 31)),
    months=st.sampled_from([1, 3, 6, 12]),
    length=st.integers(1, 1500),
    offset=st.integers(0, 2000),
)
def test_the_period_to_report_ends_with_the_mandate_and_is_never_a_lone_last_day(
    start, months, length, offset
):
    last = start + datetime.timedelta(days=length)
    mandate = Mandate(starts_on=start, reporting_interval_months=months, ends_on=last)
    day = start + datetime.timedelta(days=offset)

    first, end = deadlines.period_to_report(mandate, day)

    assert first <= min(day, last) < end <= last + datetime.timedelta(days=1)
    assert first == start or end - first > datetime.timedelta(days=1)


def test_an_unjustified_absence_gets_its_notice_once(patient, treating_psychologist):
    missed = book(patient, treating_psychologist, days=-2)
    attendance = record(missed, "absence-unacceptable", by=treating_psychologist)
    record(book(patient, treating_psychologist, days=-3), "attended", by=treating_psychologist)

    drafted = deadlines.draft_due_letters()
    again = deadlines.draft_due_letters()

    notices = [letter for letter in drafted if letter.kind == "unjustified_absence"]
    assert [notice.attendance for notice in notices] == [attendance]
    assert notices[0].due_on == timezone.localdate(notices[0].created_at)
    assert not [letter for letter in again if letter.kind == "unjustified_absence"]


def test_an_ended_mandate_gets_no_notice(patient, treating_psychologist, administrator):
    services.mandate_update(
        actor=administrator,
        mandate=patient.mandates.get(),
        status="ended",
        ended_on=datetime.date(2026, 1, 10),
        end_reason="completed",
    )
    record(
        book(patient, treating_psychologist, days=-2),
        "absence-unacceptable",
        by=treating_psychologist,
    )

    assert deadlines.draft_due_letters() == []


# --- Compliance alerts set letters off, and the care team is told ---------------------------


def absences(patient, clinician, days):
    for day in days:
        record(book(patient, clinician, days=day), "absence-unacceptable", by=clinician)


def test_a_compliance_alert_drafts_its_letter_once_and_tells_the_care_team(
    patient, treating_psychologist, other_psychologist, django_capture_on_commit_callbacks
):
    absences(patient, treating_psychologist, [-100, -30])

    with django_capture_on_commit_callbacks(execute=True):
        (alert,) = services.compliance_evaluate(patient_ids=[patient.pk])

    (letter,) = Letter.objects.filter(alert=alert)
    assert (letter.kind, letter.status, letter.mandate) == (
        "difficulty",  # several absences within a window
        "draft",
        patient.mandates.get(),
    )
    assert deadlines.draft_for_alert(alert.pk) is None  # a second delivery drafts nothing
    assert Letter.objects.filter(alert=alert).count() == 1
    (message,) = [m for m in mail.outbox if letter.reference in m.body]
    assert message.to == [treating_psychologist.email]  # the care team, nobody else
    assert patient.file_number in message.body
    assert "Discussed" not in message.body  # what the letter is, never what therapy is about


def test_absences_in_a_row_draft_a_stopping_letter(patient, treating_psychologist):
    absences(patient, treating_psychologist, [-30, -20, -10])

    raised = services.compliance_evaluate(patient_ids=[patient.pk])
    streak = next(alert for alert in raised if alert.rule.kind == "consecutive")

    assert deadlines.draft_for_alert(streak.pk).kind == "stopping"


def test_no_letter_for_an_alert_when_the_clinic_says_so_or_nobody_is_to_be_told(
    patient, treating_psychologist, administrator, settings
):
    absences(patient, treating_psychologist, [-100, -30])
    (alert,) = services.compliance_evaluate(patient_ids=[patient.pk])

    settings.LETTER_FOR_ALERT = {"within_window": "none"}
    assert deadlines.draft_for_alert(alert.pk) is None

    settings.LETTER_FOR_ALERT = {"within_window": "difficulty"}
    services.mandate_update(actor=administrator, mandate=patient.mandates.get(), status="suspended")
    assert deadlines.draft_for_alert(alert.pk) is None  # no active mandate: nobody to tell
    assert not Letter.objects.exists()


def test_the_daily_run_tells_each_clinician_once_of_the_letters_it_drafted(
    patient, treating_psychologist, other_psychologist, administrator, settings
):
    settings.LETTER_DRAFT_AHEAD_DAYS = 400
    absences(patient, treating_psychologist, [-3])
    mail.outbox.clear()

    drafted = deadlines.draft_due_letters()

    assert sorted(letter.kind for letter in drafted) == ["periodic_report", "unjustified_absence"]
    (message,) = mail.outbox
    assert message.to == [treating_psychologist.email]
    assert all(letter.reference in message.body for letter in drafted)
    assert "2 letters to the justice system to prepare" in message.subject
    mail.outbox.clear()
    assert deadlines.draft_due_letters() == [] and mail.outbox == []  # nothing new, no mail


def test_the_months_reports_are_those_falling_due_within_it_across_month_ends(patient):
    mandate = patient.mandates.get()
    Mandate.objects.filter(pk=mandate.pk).update(
        starts_on=datetime.date(2024, 1, 31), reporting_interval_months=1, ends_on=None
    )

    def due(day):
        return [
            (start, last_day + datetime.timedelta(days=1))
            for _m, start, last_day in deadlines.reports_due_in_month(day)
        ]

    # Leap February: the report of [31 Jan, 29 Feb) falls due on the 29th.
    assert due(datetime.date(2024, 2, 10)) == [
        (datetime.date(2024, 1, 31), datetime.date(2024, 2, 29))
    ]
    assert due(datetime.date(2024, 3, 1)) == [
        (datetime.date(2024, 2, 29), datetime.date(2024, 3, 31))
    ]
    assert due(datetime.date(2024, 1, 15)) == []  # the mandate starts on the month's last day


def test_a_mandate_ending_on_a_period_boundary_gets_one_last_report_whoever_drafts_it(patient):
    """The daily run after the end and the month's batch draft the same last report: the
    period up to the mandate's last day, not a one-day tail after it."""
    mandate = patient.mandates.get()
    Mandate.objects.filter(pk=mandate.pk).update(
        starts_on=datetime.date(2025, 5, 24),
        reporting_interval_months=6,
        ends_on=datetime.date(2026, 11, 24),  # a boundary: 24 May + 18 months
    )

    (daily,) = deadlines.draft_due_letters(today=datetime.date(2026, 11, 30))
    assert deadlines.reports_due_in_month(datetime.date(2026, 11, 30)) == [
        (mandate, daily.period_start, daily.period_end)
    ]
    assert (daily.period_start, daily.period_end, daily.due_on) == (
        datetime.date(2026, 5, 24),
        datetime.date(2026, 11, 24),
        datetime.date(2026, 11, 25),
    )
