"""Which letters fall due, drafted once, each due from the event that set it off.

The follow-up report goes to the authority and the justice assistant within the month after
the start of the measure, then at least every six months (law of 29 June 1964, art. 9bis; law
of 5 May 2014 on internment, art. 57 §5); the service tells the authority of an interruption
(law of 1 July 1964, art. 20): docs/letters.md, "The law".
"""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from casework import services
from casework.models import Mandate
from casework.reporting import schedule_of
from reports import drafting
from reports.models import Letter
from reports.tasks import draft_due_letters
from tests.factories import book, mandate_data, record

D = datetime.date


@pytest.fixture
def in_treatment(patient, administrator):
    """The personas' patient, its intake recorded before the measure started (15/12/2025)."""
    services.episode_record_intake(
        actor=administrator, episode=patient.episodes.get(), on=D(2025, 12, 1)
    )
    return patient


# --- The periodic follow-up report -----------------------------------------------------------


def test_the_first_report_falls_due_within_the_month_and_is_drafted_once_art_9bis(in_treatment):
    """Law of 29 June 1964, art. 9bis: the first report within the month after the start."""
    mandate = in_treatment.mandates.get()  # probation from 15/12/2025, every six months

    def reports(today):
        drafted = drafting.draft_due_letters(today=today)
        return [letter for letter in drafted if letter.kind == "periodic_report"]

    early = reports(D(2025, 12, 31))
    (report,) = reports(D(2026, 1, 1))  # 14 days before it is due
    again = reports(D(2026, 1, 2))

    assert early == again == []
    assert (report.mandate, report.period_start, report.period_end, report.due_on) == (
        mandate,
        D(2025, 12, 15),
        D(2026, 1, 8),
        D(2026, 1, 15),
    )
    assert report.recipients == ["authority", "justice_assistant"]  # both, as the law says
    assert (report.created_by, report.origin) == (None, Letter.Origin.DAILY_RUN)
    assert schedule_of(mandate).next_report(D(2026, 1, 1)).due_on == report.due_on


def test_the_next_reports_follow_every_six_months_at_least_art_9bis(in_treatment):
    drafting.draft_due_letters(today=D(2026, 1, 1))

    (second,) = drafting.draft_due_letters(today=D(2026, 7, 1))

    assert (second.period_start, second.period_end, second.due_on) == (
        D(2026, 1, 9),
        D(2026, 7, 8),
        D(2026, 7, 15),
    )


def test_a_report_the_daily_run_missed_is_drafted_when_it_runs_again(in_treatment):
    (late,) = drafting.draft_due_letters(today=D(2026, 1, 20))  # due on the 15th

    assert late.due_on == D(2026, 1, 15)


def test_the_beat_task_run_twice_drafts_each_letter_once(in_treatment, settings):
    settings.LETTER_DRAFT_AHEAD_DAYS = 400  # so that a report is due whatever the date

    assert draft_due_letters.delay().get() >= 1
    assert draft_due_letters.delay().get() == 0
    drafted = Letter.objects.filter(kind="periodic_report")
    assert drafted.count() == len(set(drafted.values_list("period_start", flat=True)))


def test_no_report_before_the_intake_nor_for_a_suspended_or_ended_mandate(patient, administrator):
    assert drafting.draft_due_letters(today=D(2026, 1, 5)) == []  # no intake yet

    services.episode_record_intake(
        actor=administrator, episode=patient.episodes.get(), on=D(2025, 12, 1)
    )
    mandate = patient.mandates.get()
    Mandate.objects.filter(pk=mandate.pk).update(status="suspended")
    assert drafting.draft_due_letters(today=D(2026, 1, 5)) == []
    Mandate.objects.filter(pk=mandate.pk).update(
        status="ended", ended_on=D(2025, 12, 31), end_reason="lifted"
    )
    assert drafting.draft_due_letters(today=D(2026, 1, 5)) == []
    assert drafting.reports_due_in_month(D(2026, 1, 5)) == []


def test_no_periodic_report_once_the_treatment_is_closed(in_treatment, administrator):
    """The end-of-treatment letter says it; the mandate may stay open with the authority."""
    services.episode_close(
        actor=administrator,
        episode=in_treatment.episodes.get(),
        on=D(2025, 12, 20),
        exit_reason="transferred",
    )

    drafted = drafting.draft_due_letters(today=D(2026, 1, 5))

    assert [letter.kind for letter in drafted] == ["end_of_treatment"]


def test_a_mandate_that_ends_is_reported_up_to_its_last_day_never_a_day_alone(in_treatment):
    Mandate.objects.filter(patient=in_treatment).update(ends_on=D(2026, 3, 31))

    first, last = (
        next(x for x in drafting.draft_due_letters(today=day) if x.kind == "periodic_report")
        for day in (D(2026, 1, 1), D(2026, 3, 31))
    )

    assert (first.period_start, first.period_end) == (D(2025, 12, 15), D(2026, 1, 8))
    assert (last.period_start, last.period_end, last.due_on) == (
        D(2026, 1, 9),
        D(2026, 3, 31),
        D(2026, 4, 7),
    )


def test_the_months_reports_are_those_falling_due_within_it(in_treatment):
    due = drafting.reports_due_in_month(D(2026, 7, 3))

    assert [(m.pk, p.due_on) for m, p in due] == [(in_treatment.mandates.get().pk, D(2026, 7, 15))]
    assert drafting.reports_due_in_month(D(2026, 3, 3)) == []


# --- What an event sets off, drafted at once and due from the event -------------------------


def test_the_intake_drafts_the_acceptance_at_once_due_from_the_later_of_intake_and_start(
    patient, administrator, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    Mandate.objects.filter(patient=patient).update(starts_on=today - datetime.timedelta(days=3))

    with django_capture_on_commit_callbacks(execute=True):
        services.episode_record_intake(
            actor=administrator,
            episode=patient.episodes.get(),
            on=today - datetime.timedelta(days=1),
        )

    (acceptance,) = Letter.objects.filter(kind="acceptance")
    assert acceptance.due_on == today - datetime.timedelta(days=1) + datetime.timedelta(days=14)
    assert (acceptance.episode, acceptance.origin) == (patient.episodes.get(), "intake")
    assert acceptance.recipients == ["authority", "justice_assistant"]
    assert drafting.draft_due_letters() == []  # once


def test_a_mandate_recorded_after_the_intake_sets_off_its_acceptance(
    patient, administrator, authority, justice_contact, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    services.episode_record_intake(
        actor=administrator, episode=patient.episodes.get(), on=today - datetime.timedelta(days=40)
    )
    Mandate.objects.filter(patient=patient).update(
        status="ended", ended_on=today - datetime.timedelta(days=41), end_reason="lifted"
    )

    with django_capture_on_commit_callbacks(execute=True):
        mandate = services.mandate_create(
            actor=administrator,
            patient=patient,
            **mandate_data(
                authority,
                justice_contact=justice_contact,
                starts_on=today - datetime.timedelta(days=2),
                decision_date=today - datetime.timedelta(days=9),
                consent_on=today - datetime.timedelta(days=2),
            ),
        )

    (acceptance,) = Letter.objects.filter(kind="acceptance")
    assert (acceptance.mandate, acceptance.due_on) == (
        mandate,
        today - datetime.timedelta(days=2) + datetime.timedelta(days=14),
    )


@pytest.mark.parametrize(
    ("reason", "kind", "delay"),
    [("stopped_by_patient", "stopping", 3), ("completed", "end_of_treatment", 14)],
)
def test_closing_the_episode_tells_the_authority_of_the_interruption_art_20(
    reason, kind, delay, in_treatment, administrator, django_capture_on_commit_callbacks
):
    """Law of 1 July 1964, art. 20: the service informs the commission of an interruption."""
    closed_on = timezone.localdate() - datetime.timedelta(days=1)

    with django_capture_on_commit_callbacks(execute=True):
        services.episode_close(
            actor=administrator,
            episode=in_treatment.episodes.get(),
            on=closed_on,
            exit_reason=reason,
        )

    (letter,) = Letter.objects.filter(kind=kind)
    assert letter.due_on == closed_on + datetime.timedelta(days=delay)
    assert letter.recipients[0] == "authority" and "justice_assistant" in letter.recipients
    assert (letter.period_end, letter.episode, letter.origin) == (
        closed_on,
        in_treatment.episodes.get(),
        "closing",
    )
    assert not Letter.objects.exclude(kind=kind).exists()


def test_an_unjustified_absence_drafts_its_notice_when_it_is_recorded(
    patient, treating_psychologist, django_capture_on_commit_callbacks
):
    missed = book(patient, treating_psychologist, days=-2)

    with django_capture_on_commit_callbacks(execute=True):
        attendance = record(
            missed,
            "absence-unacceptable",
            by=treating_psychologist,
            note_for_authority="Ne s'est pas présenté; injoignable par téléphone.",
        )

    (notice,) = Letter.objects.filter(kind="unjustified_absence")
    assert (notice.attendance, notice.origin) == (attendance, "attendance")
    assert notice.due_on == timezone.localdate()  # due from its recording
    assert notice.recipients == ["justice_assistant", "authority"]
    assert drafting.draft_due_letters() == []  # once


@pytest.mark.parametrize(
    ("code", "flags"),
    [
        ("sent-home", {}),
        ("attended-failed-to-comply", {}),
        ("attended", {"notify_behaviour": True}),
        ("attended", {"notify_concern": True}),
    ],
)
def test_a_failure_or_a_flag_for_the_justice_assistant_drafts_a_difficulty_notice_once(
    code, flags, patient, treating_psychologist, django_capture_on_commit_callbacks
):
    session = book(patient, treating_psychologist, days=-1)

    with django_capture_on_commit_callbacks(execute=True):
        attendance = record(
            session, code, by=treating_psychologist, note_for_authority="Arrivé alcoolisé.", **flags
        )

    (notice,) = Letter.objects.filter(kind="difficulty")
    assert (notice.attendance, notice.recipients) == (
        attendance,
        ["justice_assistant", "authority"],
    )
    assert drafting.draft_due_letters() == []


def test_an_attended_session_without_a_flag_sets_nothing_off(
    patient, treating_psychologist, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        record(book(patient, treating_psychologist, days=-1), "attended", by=treating_psychologist)

    assert not Letter.objects.exists()


def test_an_ended_mandate_gets_no_notice(patient, treating_psychologist, administrator):
    services.mandate_update(
        actor=administrator,
        mandate=patient.mandates.get(),
        status="ended",
        ended_on=D(2026, 1, 10),
        end_reason="completed",
    )
    record(
        book(patient, treating_psychologist, days=-2),
        "absence-unacceptable",
        by=treating_psychologist,
    )

    assert drafting.draft_due_letters() == []


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
    assert (letter.kind, letter.status, letter.mandate, letter.origin) == (
        "difficulty",  # several absences within a window
        "draft",
        patient.mandates.get(),
        "alert",
    )
    assert letter.due_on == timezone.localdate(alert.raised_at) + datetime.timedelta(days=7)
    assert drafting.draft_for_alert(alert.pk) is None  # a second delivery drafts nothing
    assert Letter.objects.filter(alert=alert).count() == 1
    (message,) = [m for m in mail.outbox if letter.reference in m.body]
    assert message.to == [treating_psychologist.email]  # the care team, nobody else
    assert patient.file_number in message.body
    assert "Discussed" not in message.body  # what the letter is, never what therapy is about


def test_absences_in_a_row_draft_a_stopping_letter(patient, treating_psychologist):
    absences(patient, treating_psychologist, [-30, -20, -10])

    raised = services.compliance_evaluate(patient_ids=[patient.pk])
    streak = next(alert for alert in raised if alert.rule.kind == "consecutive")

    assert drafting.draft_for_alert(streak.pk).kind == "stopping"


def test_no_letter_for_an_alert_when_the_clinic_says_so_or_nobody_is_to_be_told(
    patient, treating_psychologist, administrator, settings
):
    absences(patient, treating_psychologist, [-100, -30])
    (alert,) = services.compliance_evaluate(patient_ids=[patient.pk])

    settings.LETTER_FOR_ALERT = {"within_window": "none"}
    assert drafting.draft_for_alert(alert.pk) is None

    settings.LETTER_FOR_ALERT = {"within_window": "difficulty"}
    services.mandate_update(actor=administrator, mandate=patient.mandates.get(), status="suspended")
    assert drafting.draft_for_alert(alert.pk) is None  # no active mandate: nobody to tell
    assert not Letter.objects.filter(alert=alert).exists()


def test_the_daily_run_tells_each_clinician_once_of_the_letters_it_drafted(
    in_treatment,
    treating_psychologist,
    other_psychologist,
    settings,
    django_capture_on_commit_callbacks,
):
    settings.LETTER_DRAFT_AHEAD_DAYS = 400
    absences(in_treatment, treating_psychologist, [-3])
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):  # the outbox sends after the commit
        drafted = drafting.draft_due_letters()

    kinds = sorted({letter.kind for letter in drafted})
    assert kinds == ["periodic_report", "unjustified_absence"]
    (message,) = mail.outbox
    assert message.to == [treating_psychologist.email]
    assert all(letter.reference in message.body for letter in drafted)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert drafting.draft_due_letters() == []
    assert mail.outbox == []  # nothing new, no mail
