"""Which letters fall due, drafted once by the daily run."""

import datetime

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


def test_an_unjustified_absence_gets_its_notice_once(patient, treating_psychologist):
    missed = book(patient, treating_psychologist, days=-2)
    attendance = record(missed, "absence-unacceptable", by=treating_psychologist)
    record(book(patient, treating_psychologist, days=-3), "attended", by=treating_psychologist)

    drafted = deadlines.draft_due_letters()
    again = deadlines.draft_due_letters()

    notices = [letter for letter in drafted if letter.kind == "unjustified_absence"]
    assert [notice.attendance for notice in notices] == [attendance]
    assert notices[0].due_on == notices[0].created_at.date()
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
