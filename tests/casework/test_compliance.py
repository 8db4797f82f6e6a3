import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casework import services
from casework.models import ComplianceAlert, ComplianceRule
from casework.signals import compliance_alert_raised
from casework.tasks import evaluate_compliance
from tests.factories import book, record


@pytest.fixture
def signals_sent():
    sent = []

    def receiver(sender, alert, **kwargs):
        sent.append(alert.pk)

    compliance_alert_raised.connect(receiver)
    yield sent
    compliance_alert_raised.disconnect(receiver)


def absences(patient, clinician, days, code="absence-unacceptable"):
    for day in days:
        record(book(patient, clinician, days=day), code, by=clinician)


def alerts(rule_name):
    return list(
        ComplianceAlert.objects.filter(rule__name_en=rule_name).order_by(
            "attendance__appointment__starts_at"
        )
    )


WINDOW = "Two unacceptable absences within 12 months"
STREAK = "Three missed sessions in a row"


def test_two_unacceptable_absences_within_a_year_raise_one_alert_even_if_run_twice(
    patient, treating_psychologist, signals_sent, django_capture_on_commit_callbacks
):
    absences(patient, treating_psychologist, [-100, -30])

    with django_capture_on_commit_callbacks(execute=True):
        first = services.compliance_evaluate(patient_ids=[patient.pk])
        second = services.compliance_evaluate(patient_ids=[patient.pk])
        evaluate_compliance.delay([patient.pk])

    assert [a.rule.name for a in first] == [WINDOW]
    assert second == []
    raised = alerts(WINDOW)
    assert len(raised) == 1
    assert (
        raised[0].attendance
        == raised[0].patient.attendances.order_by("appointment__starts_at").last()
    )
    assert signals_sent == [raised[0].pk]


def test_absences_more_than_a_window_apart_raise_nothing(patient, treating_psychologist):
    absences(patient, treating_psychologist, [-400, -10])

    services.compliance_evaluate(patient_ids=[patient.pk])

    assert alerts(WINDOW) == []


@pytest.mark.parametrize(("failures", "occurrences"), [(3, 1), (4, 2), (5, 2)])
def test_after_an_alert_the_count_starts_afresh(
    failures, occurrences, patient, treating_psychologist
):
    absences(patient, treating_psychologist, [-100 + 10 * i for i in range(failures)])

    services.compliance_evaluate(patient_ids=[patient.pk])
    services.compliance_evaluate(patient_ids=[patient.pk])

    assert len(alerts(WINDOW)) == occurrences


def test_three_missed_sessions_in_a_row_raise_once_until_the_patient_comes_back(
    patient, treating_psychologist
):
    # missed, missed, missed (alert), missed (same streak), came, missed x3 (alert again)
    codes = [
        "absence-medical",
        "absence-family",
        "absence-medical",
        "absence-judgement",
        "attended",
        "absence-family",
        "absence-medical",
        "absence-religious",
    ]
    for offset, code in enumerate(codes):
        record(
            book(patient, treating_psychologist, days=-40 + 4 * offset),
            code,
            by=treating_psychologist,
        )

    services.compliance_evaluate(patient_ids=[patient.pk])

    assert len(alerts(STREAK)) == 2
    assert alerts(WINDOW) == []  # acceptable absences are not failures


def test_an_inactive_rule_raises_nothing(patient, treating_psychologist):
    ComplianceRule.objects.update(is_active=False)
    absences(patient, treating_psychologist, [-20, -10, -5])

    assert services.compliance_evaluate(patient_ids=[patient.pk]) == []


def test_recording_an_outcome_checks_the_rules_after_commit(
    patient, treating_psychologist, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        absences(patient, treating_psychologist, [-20, -10])

    assert len(alerts(WINDOW)) == 1


def test_the_hourly_run_looks_at_patients_with_recent_outcomes(patient, treating_psychologist):
    absences(patient, treating_psychologist, [-20, -10])

    assert evaluate_compliance.delay().get() == 1
    assert evaluate_compliance.delay().get() == 0


def test_acknowledging_an_alert_is_logged_and_done_once(
    patient, treating_psychologist, administrator
):
    absences(patient, treating_psychologist, [-20, -10])
    alert = services.compliance_evaluate(patient_ids=[patient.pk])[0]

    first = services.compliance_alert_acknowledge(actor=administrator, alert=alert).acknowledged_at
    services.compliance_alert_acknowledge(actor=treating_psychologist, alert=alert)

    alert.refresh_from_db()
    assert (alert.acknowledged_at, alert.acknowledged_by) == (first, administrator)


# --- Alerts whose grounds change, and what was done about them --------------------------------


def test_correcting_an_outcome_resolves_the_alert_it_raised_and_keeps_why(
    patient, treating_psychologist, signals_sent, django_capture_on_commit_callbacks
):
    first, second = (book(patient, treating_psychologist, days=d) for d in (-30, -10))
    record(first, "absence-unacceptable", by=treating_psychologist)
    with django_capture_on_commit_callbacks(execute=True):
        record(second, "absence-unacceptable", by=treating_psychologist)
    (alert,) = alerts(WINDOW)

    with django_capture_on_commit_callbacks(execute=True):
        record(second, "attended", by=treating_psychologist)  # evaluated after commit

    alert.refresh_from_db()
    assert alert.resolved_at is not None
    assert alert.resolution == ComplianceAlert.Resolution.GROUNDS_CHANGED
    assert not ComplianceAlert.objects.open().exists()
    assert alert.history.latest().history_change_reason.startswith("resolved")
    assert signals_sent == [alert.pk]


def test_an_alert_whose_grounds_hold_again_is_raised_again(
    patient, treating_psychologist, signals_sent
):
    first, second = (book(patient, treating_psychologist, days=d) for d in (-30, -10))
    record(first, "absence-unacceptable", by=treating_psychologist)
    record(second, "absence-unacceptable", by=treating_psychologist)
    (alert,) = services.compliance_evaluate(patient_ids=[patient.pk])
    record(second, "attended", by=treating_psychologist)
    assert services.compliance_evaluate(patient_ids=[patient.pk]) == []

    record(second, "absence-unacceptable", by=treating_psychologist)
    again = services.compliance_evaluate(patient_ids=[patient.pk])

    assert [a.pk for a in again] == [alert.pk]  # the same occurrence, reopened, not doubled
    assert list(ComplianceAlert.objects.open()) == [alert]
    assert services.compliance_evaluate(patient_ids=[patient.pk]) == []


def test_a_correction_that_leaves_the_grounds_standing_leaves_the_alerts_open(
    patient, treating_psychologist
):
    absences(patient, treating_psychologist, [-30, -20, -10])
    raised = services.compliance_evaluate(patient_ids=[patient.pk])
    assert sorted(a.rule.name for a in raised) == [STREAK, WINDOW]
    last = patient.attendances.order_by("appointment__starts_at").last()

    # a medical absence is still a missed session: three in a row still stand
    record(last.appointment, "absence-medical", by=treating_psychologist)
    services.compliance_evaluate(patient_ids=[patient.pk])

    assert ComplianceAlert.objects.open().count() == 2


def test_a_resolved_alert_cannot_be_acknowledged(patient, treating_psychologist):
    absences(patient, treating_psychologist, [-20, -10])
    (alert,) = services.compliance_evaluate(patient_ids=[patient.pk])
    record(alert.attendance.appointment, "attended", by=treating_psychologist)
    services.compliance_evaluate(patient_ids=[patient.pk])

    with pytest.raises(ValidationError):
        services.compliance_alert_acknowledge(actor=treating_psychologist, alert=alert)


def test_an_evaluation_reads_rows_in_set_queries_whatever_the_number_of_alerts(
    patient, treating_psychologist
):
    """Alerts that stand already cost no query of their own: a full evaluation of a clinic
    walks a million outcomes (docs/performance.md)."""
    absences(patient, treating_psychologist, [-100, -90])
    services.compliance_evaluate()
    with CaptureQueriesContext(connection) as one:
        assert services.compliance_evaluate() == []
    absences(patient, treating_psychologist, [-80, -70, -60, -50, -40, -30])
    services.compliance_evaluate()
    assert len(alerts(WINDOW)) == 4

    with CaptureQueriesContext(connection) as four:
        assert services.compliance_evaluate() == []

    assert len(four) == len(one)
