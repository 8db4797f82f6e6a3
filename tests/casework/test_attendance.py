import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from casework import services
from casework.models import Attendance, OutcomeReminder
from tests.factories import book, outcome, record
from tests.forms import browser_form


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
    patient, treating_psychologist, settings, django_capture_on_commit_callbacks
):
    settings.OUTCOME_REMINDER_AFTER_DAYS = 2
    book(patient, treating_psychologist, days=-5)
    book(patient, treating_psychologist, days=-1, hour=15)  # not overdue yet
    today = timezone.localdate()

    with django_capture_on_commit_callbacks(execute=True):  # the outbox sends after the commit
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


def test_reminders_speak_the_clinician_s_language(
    patient, treating_psychologist, django_capture_on_commit_callbacks
):
    treating_psychologist.language = "nl"
    treating_psychologist.save(update_fields=["language"])
    book(patient, treating_psychologist, days=-5)

    with django_capture_on_commit_callbacks(execute=True):
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
