"""Reminders to patients of their appointments, the day before (docs/reminders.md).

Only to a patient who asked for them (Patient.reminders: by e-mail or by SMS), in their
language, with the date, time and place and the clinic's phone number: nothing else, not even
the clinic's name in a text message (a phone's screen is read by others). Each goes through the
outbox (common.outbox), written in the same transaction as the AppointmentReminder that says
it was sent; the reminder's one-to-one with the attendance means one per patient and
appointment, whatever the number of runs or workers. The outbox sends it outside any
transaction and tries again until it is taken; those still not taken are on the to-do list."""

import datetime
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from casework.models import Appointment, AppointmentReminder, Attendance, CareStage, Patient
from common import outbox
from common.dates import day_bounds
from common.models import OutboxMessage

logger = logging.getLogger(__name__)


def _language(patient: Patient) -> str:
    spoken = {code for code, _name in settings.LANGUAGES}
    return patient.preferred_language if patient.preferred_language in spoken else "en"


def _place(appointment: Appointment) -> str:
    if appointment.mode == Appointment.Mode.VIDEO:
        return _("by video call")
    if appointment.mode == Appointment.Mode.PHONE:
        return _("by phone: we will call you")
    where = [settings.CLINIC_ADDRESS.replace("; ", ", ")]
    where += [appointment.room.name] if appointment.room else []
    where += [appointment.place] if appointment.place else []
    return ", ".join(where)


def reminder_text(attendance: Attendance) -> str:
    """What a reminder says, in the patient's language: the appointment and the clinic's
    phone number, and nothing else."""
    appointment = attendance.appointment
    with translation.override(_language(attendance.patient)):
        starts_at = timezone.localtime(appointment.starts_at)
        return _(
            "Reminder: you have an appointment on %(day)s at %(time)s, %(place)s. "
            "To change it, call %(phone)s."
        ) % {
            "day": formats.date_format(starts_at, "l j F Y"),
            "time": formats.time_format(starts_at, "H:i"),
            "place": _place(appointment),
            "phone": settings.CLINIC_PHONE,
        }


def _subject(attendance: Attendance) -> str:
    with translation.override(_language(attendance.patient)):
        return _("Reminder of your appointment")


def due_reminders(today: datetime.date) -> list[Attendance]:
    """Tomorrow's appointments of the patients who asked for reminders, not reminded yet."""
    start, end = day_bounds(today + datetime.timedelta(days=1))
    return list(
        Attendance.objects.filter(
            appointment__status=Appointment.Status.SCHEDULED,
            starts_at__gte=start,
            starts_at__lt=end,
            reminder__isnull=True,
        )
        .exclude(patient__reminders=Patient.Reminders.NONE)
        .exclude(patient__status=CareStage.CLOSED)
        .select_related("appointment__room", "patient")
        .order_by("starts_at", "pk")
    )


def _send_one(attendance: Attendance) -> bool:
    patient = attendance.patient
    channel = patient.reminders
    to = patient.email if channel == Patient.Reminders.EMAIL else patient.phone
    if not to:
        return False  # the contact was removed since: the patient page asks for it again
    try:
        with transaction.atomic():
            message = outbox.queue(
                channel=(
                    OutboxMessage.Channel.SMS
                    if channel == Patient.Reminders.SMS
                    else OutboxMessage.Channel.EMAIL
                ),
                to=[to],
                subject=_subject(attendance) if channel == Patient.Reminders.EMAIL else "",
                body=reminder_text(attendance),
                purpose=_("Appointment reminder"),
            )
            AppointmentReminder.objects.create(
                attendance=attendance, channel=channel, message=message
            )
    except IntegrityError:
        return False  # another run reminded this patient of this appointment meanwhile
    return True


def reminders_send(*, today: datetime.date | None = None) -> int:
    """Remind, the day before, each patient who asked of tomorrow's appointments; returns how
    many reminders were queued. Run several times a day: each run takes what the ones before
    left (an appointment booked since), never one twice."""
    today = today or timezone.localdate()
    sent = sum(_send_one(attendance) for attendance in due_reminders(today))
    if sent:
        logger.info("Queued %s appointment reminders for %s", sent, today)
    return sent
