import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from casework import services
from casework.models import Attendance, OutcomeReminder
from casework.selectors import compliance_counters
from tests.factories import at, book, outcome, record
from tests.forms import browser_form

ZERO = {
    "planned": 1,
    "attended": 0,
    "acceptable_absences": 0,
    "unacceptable_absences": 0,
    "attended_failed_to_comply": 0,
    "awaiting_outcome": 0,
    "awaiting_evidence": 0,
    "rescheduled_by_patient": 0,
    "rescheduled_by_clinic": 0,
    "cancelled_by_clinic": 0,
    "failures_last_12_months": 0,
}

# Each seeded outcome and the counters its flags move (docs/domain.md, "Sessions and
# attendance outcomes").
EFFECTS = {
    "attended": {"attended": 1},
    "attended-late": {"attended": 1},
    "attended-failed-to-comply": {
        "attended": 1,
        "attended_failed_to_comply": 1,
        "failures_last_12_months": 1,
    },
    "sent-home": {"attended": 1, "attended_failed_to_comply": 1, "failures_last_12_months": 1},
    "absence-medical": {"acceptable_absences": 1, "awaiting_evidence": 1},
    "absence-legal": {"acceptable_absences": 1, "awaiting_evidence": 1},
    "absence-employment": {"acceptable_absences": 1, "awaiting_evidence": 1},
    "absence-family": {"acceptable_absences": 1},
    "absence-religious": {"acceptable_absences": 1},
    "absence-judgement": {"acceptable_absences": 1},
    "absence-unacceptable": {"unacceptable_absences": 1, "failures_last_12_months": 1},
    "absence-awaiting-evidence": {"awaiting_evidence": 1},
}


def counters(patient):
    return compliance_counters(patient, at(-60).date(), at(1).date())


@pytest.mark.parametrize(("code", "effect"), EFFECTS.items())
def test_each_outcome_moves_exactly_the_counters_its_flags_say(
    code, effect, patient, treating_psychologist
):
    appointment = book(patient, treating_psychologist, days=-3)

    record(appointment, code, by=treating_psychologist)

    assert counters(patient) == {**ZERO, **effect}


def test_a_past_appointment_without_outcome_awaits_it_and_is_never_a_no_show(
    patient, treating_psychologist
):
    book(patient, treating_psychologist, days=-3)
    book(patient, treating_psychologist, days=3)  # future: planned, not awaited

    assert counters(patient) == {**ZERO, "planned": 1, "awaiting_outcome": 1}


def test_cancelled_appointments_count_apart(patient, treating_psychologist):
    appointment = book(patient, treating_psychologist, days=-3)
    services.appointment_cancel(actor=treating_psychologist, appointment=appointment, reason="Ill")

    assert counters(patient) == {**ZERO, "planned": 0, "cancelled_by_clinic": 1}


def test_failures_count_over_the_last_twelve_months_whatever_the_period(
    patient, treating_psychologist
):
    old = book(patient, treating_psychologist, days=-200)
    record(old, "absence-unacceptable", by=treating_psychologist)

    recent = compliance_counters(patient, at(-30).date(), at(1).date())

    assert recent["unacceptable_absences"] == 0
    assert recent["failures_last_12_months"] == 1


def test_evidence_received_closes_the_wait(patient, treating_psychologist):
    appointment = book(patient, treating_psychologist, days=-3)
    record(appointment, "absence-medical", by=treating_psychologist)

    record(
        appointment,
        "absence-medical",
        by=treating_psychologist,
        evidence="received",
        evidence_received_on=at(-1).date(),
    )

    assert counters(patient)["awaiting_evidence"] == 0


def test_an_outcome_waits_for_the_appointment_to_begin(patient, treating_psychologist):
    appointment = book(patient, treating_psychologist, days=2)

    with pytest.raises(ValidationError):
        record(appointment, "attended", by=treating_psychologist)


@pytest.mark.parametrize(
    ("details", "field"),
    [
        ({"notify_concern": True}, "note_for_authority"),
        ({"evidence": "received"}, "evidence_received_on"),
    ],
)
def test_an_incomplete_outcome_is_refused(details, field, patient, treating_psychologist):
    appointment = book(patient, treating_psychologist, days=-1)

    with pytest.raises(ValidationError) as error:
        record(appointment, "absence-medical", by=treating_psychologist, **details)

    assert field in error.value.message_dict
    assert appointment.attendances.get().outcome is None


def test_lateness_is_only_for_those_who_came(patient, treating_psychologist):
    appointment = book(patient, treating_psychologist, days=-1)

    with pytest.raises(ValidationError):
        record(appointment, "absence-unacceptable", by=treating_psychologist, minutes_late=10)
    late = record(appointment, "attended-late", by=treating_psychologist, minutes_late=15)

    assert late.minutes_late == 15


def test_a_reported_outcome_changes_only_with_a_reason_kept_in_history(
    patient, treating_psychologist
):
    appointment = book(patient, treating_psychologist, days=-3)
    attendance = record(appointment, "absence-unacceptable", by=treating_psychologist)
    Attendance.objects.filter(pk=attendance.pk).update(reported_at=timezone.now())

    with pytest.raises(ValidationError) as silent:
        record(appointment, "absence-medical", by=treating_psychologist)
    corrected = record(
        appointment,
        "absence-medical",
        by=treating_psychologist,
        change_reason="Medical certificate arrived late",
    )

    assert "change_reason" in silent.value.message_dict
    assert corrected.outcome == outcome("absence-medical")
    latest = corrected.history.first()
    assert latest.history_change_reason == "Medical certificate arrived late"
    # the same values again change nothing and need no reason
    record(appointment, "absence-medical", by=treating_psychologist)


def test_reminders_go_once_a_day_to_clinicians_with_overdue_outcomes(
    patient, treating_psychologist, settings
):
    settings.OUTCOME_REMINDER_AFTER_DAYS = 2
    book(patient, treating_psychologist, days=-5)
    book(patient, treating_psychologist, days=-1, hour=15)  # not overdue yet
    today = timezone.localdate()

    first = services.outcome_reminders_send(today=today)
    again = services.outcome_reminders_send(today=today)

    assert (first, again) == (1, 0)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [treating_psychologist.email]
    assert message.subject == "1 session outcome to record"
    assert patient.file_number in message.body
    assert patient.last_name not in message.body  # file numbers, never names
    assert OutcomeReminder.objects.get().pending == 1
    tomorrow = services.outcome_reminders_send(today=today + datetime.timedelta(days=1))
    assert tomorrow == 1


def test_reminders_speak_the_clinician_s_language(patient, treating_psychologist):
    treating_psychologist.language = "nl"
    treating_psychologist.save(update_fields=["language"])
    book(patient, treating_psychologist, days=-5)

    services.outcome_reminders_send()

    assert mail.outbox[0].subject == "1 sessie-uitkomst te registreren"


def test_changing_an_outcome_s_flags_keeps_what_they_were(clinical_lead, client_for):
    clinical_lead.is_staff = True
    clinical_lead.save()
    late = outcome("attended-late")
    url = f"/admin/casework/attendanceoutcome/{late.pk}/change/"
    client = client_for(clinical_lead)
    data = browser_form(client.get(url))
    data.pop("compliant")  # unticked: a late arrival is no longer compliant

    assert client.post(url, data).status_code == 302

    late.refresh_from_db()
    assert late.compliant is False
    before, after = late.history.order_by("history_date")[:2]
    assert (before.compliant, after.compliant) == (True, False)
    assert after.history_user == clinical_lead


def test_facilitators_keep_their_history(treating_psychologist, other_psychologist, administrator):
    from casework.models import GroupFacilitator
    from tests.factories import make_group

    group = make_group(by=administrator, regular=[treating_psychologist])
    services.group_save(actor=administrator, group=group, regular=[other_psychologist])

    history = GroupFacilitator.history.filter(group_id=group.pk).order_by("history_date")
    assert [(h.clinician_id, h.history_type) for h in history] == [
        (treating_psychologist.pk, "+"),
        (treating_psychologist.pk, "-"),
        (other_psychologist.pk, "+"),
    ]
