"""Recording what happened at an appointment, and reminding clinicians of what is awaited."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from audit.services import Action, record_access
from casework.mail import mail_clinician_once_a_day
from casework.models import Appointment, Attendance, AttendanceOutcome, OutcomeReminder
from casework.permissions import can_work_with_group
from casework.services.session_counts import sessions_changed
from casework.signals import frame_recorded_after_commit
from common.permissions import require_that

# What an outcome record holds besides the outcome itself.
DETAILS = (
    "minutes_late",
    "evidence",
    "evidence_received_on",
    "notify_behaviour",
    "notify_concern",
    "note_for_authority",
)


# The history keeps the reason for a change in a field of this length.
CHANGE_REASON_MAX_LENGTH = 100


class StaleOutcome(ValidationError):
    """Someone recorded this outcome after the caller read it: the caller must look again."""

    def __init__(self, attendance: Attendance):
        super().__init__(
            _(
                "Someone else recorded this outcome meanwhile (%(outcome)s, by %(user)s): "
                "look at it again before changing it."
            )
            % {"outcome": attendance.outcome or "—", "user": attendance.recorded_by or "—"},
            code="stale",
        )


class AttendanceRowErrors(ValidationError):
    """Some rows of a group session's attendance need correcting; `rows` maps their ids."""

    def __init__(self, rows: dict[int, ValidationError]):
        super().__init__(_("Some rows need correcting: nothing was saved."), code="rows")
        self.rows = rows


def _apply(
    attendance: Attendance, *, actor, outcome, revision: int, change_reason: str = "", **details
) -> bool:
    """Set the outcome on one attendance; return whether anything changed.

    `revision` is the attendance's revision as the caller read it (0: nothing recorded yet).
    A change on top of a recording made since is refused (StaleOutcome)."""
    appointment = attendance.appointment
    if appointment.status != Appointment.Status.SCHEDULED:
        raise ValidationError(
            _("This appointment was rescheduled or cancelled: it has no outcome.")
        )
    if appointment.starts_at > timezone.now():
        raise ValidationError(_("An outcome can be recorded once the appointment has begun."))
    if outcome is None or not outcome.is_active:
        raise ValidationError({"outcome": _("Choose an outcome.")})
    details.setdefault("evidence", Attendance.Evidence.NOT_NEEDED)
    if outcome.needs_evidence and details["evidence"] == Attendance.Evidence.NOT_NEEDED:
        details["evidence"] = Attendance.Evidence.AWAITED
    if not outcome.needs_evidence:
        details["evidence"], details["evidence_received_on"] = Attendance.Evidence.NOT_NEEDED, None
    before = (attendance.outcome_id, *(getattr(attendance, name) for name in DETAILS))
    attendance.outcome = outcome
    for name in DETAILS:
        field = Attendance._meta.get_field(name)
        default = field.get_default()  # type: ignore[union-attr]  # DETAILS names columns, no relation
        setattr(attendance, name, details.get(name, default))
    after = (attendance.outcome_id, *(getattr(attendance, name) for name in DETAILS))
    if before == after:
        return False
    if revision != attendance.revision:
        attendance.refresh_from_db()
        raise StaleOutcome(attendance)
    if len(change_reason) > CHANGE_REASON_MAX_LENGTH:
        raise ValidationError(
            {
                "change_reason": _("The reason can be %(max)d characters at most.")
                % {"max": CHANGE_REASON_MAX_LENGTH}
            }
        )
    if attendance.reported_at and not change_reason.strip():
        raise ValidationError(
            {"change_reason": _("This outcome was reported to the authority: say why it changes.")}
        )
    attendance._change_reason = change_reason.strip() or None  # kept by the history
    attendance.recorded_at, attendance.recorded_by = timezone.now(), actor
    attendance.revision += 1
    attendance.full_clean()
    attendance.save()
    record_access(actor=actor, action=Action.UPDATE, patient=attendance.patient, obj=attendance)
    return True


def _evaluate_later(patient_ids: set[int]) -> None:
    """After the commit: the compliance rules look at the outcomes, the letters draft what
    they set off (an unjustified absence, a difficulty: reports.drafting), and the statistics
    count the sessions again (marked now, within the transaction)."""
    from casework.tasks import evaluate_compliance

    if patient_ids:
        ids = sorted(patient_ids)
        sessions_changed(ids)
        transaction.on_commit(lambda: evaluate_compliance.delay(ids), robust=True)
        frame_recorded_after_commit(ids)


@transaction.atomic
def attendance_record(
    *,
    actor,
    attendance: Attendance,
    outcome: AttendanceOutcome,
    revision: int = 0,
    change_reason: str = "",
    **details,
) -> Attendance:
    """Record (or correct) one patient's outcome; rules are checked after commit.

    `revision`: the attendance's revision the caller read (0 when nothing was recorded)."""
    attendance = (
        Attendance.objects.select_for_update()
        .select_related("appointment", "patient")
        .get(pk=attendance.pk)
    )
    if _apply(
        attendance,
        actor=actor,
        outcome=outcome,
        revision=revision,
        change_reason=change_reason,
        **details,
    ):
        _evaluate_later({attendance.patient_id})
    return attendance


@transaction.atomic
def evidence_received(*, actor, attendance: Attendance, received_on: datetime.date) -> Attendance:
    """The evidence an absence awaited came in (a document on the file): the outcome stays,
    its evidence is received, and the counters and rules look at it again."""
    attendance = (
        Attendance.objects.select_for_update(of=("self",))
        .select_related("appointment", "patient", "outcome")
        .get(pk=attendance.pk)
    )
    if attendance.evidence != Attendance.Evidence.AWAITED:
        raise ValidationError({"attendance": _("This session awaits no evidence.")})
    details = {name: getattr(attendance, name) for name in DETAILS}
    details |= {"evidence": Attendance.Evidence.RECEIVED, "evidence_received_on": received_on}
    if _apply(
        attendance,
        actor=actor,
        outcome=attendance.outcome,
        revision=attendance.revision,
        change_reason=_("Evidence received") if attendance.reported_at else "",
        **details,
    ):
        _evaluate_later({attendance.patient_id})
    return attendance


@transaction.atomic
def group_attendance_record(*, actor, appointment: Appointment, rows: dict[int, dict]) -> int:
    """Record every member's outcome of one group session at once: all or nothing.

    rows maps an attendance id to its outcome, details and the revision the caller read;
    members left out keep theirs. Errors come back in AttendanceRowErrors.rows, keyed by
    attendance id. Only those who work with the group record its sessions.
    """
    if appointment.group_id:
        require_that(can_work_with_group(actor, appointment.group))
    attendances = {
        a.pk: a
        for a in appointment.attendances.select_for_update().select_related(
            "appointment", "patient"
        )
    }
    errors, changed = {}, set()
    for attendance_id, data in rows.items():
        attendance = attendances.get(attendance_id)
        if attendance is None:
            raise ValidationError(_("This patient is not expected at this session."))
        # What the screen does not show (evidence...) stays as it was.
        data = {**{name: getattr(attendance, name) for name in DETAILS}, **data}
        outcome = data.pop("outcome", None)
        data.setdefault("revision", 0)
        try:
            with transaction.atomic():
                if _apply(attendance, actor=actor, outcome=outcome, **data):
                    changed.add(attendance.patient_id)
        except ValidationError as error:
            errors[attendance_id] = error
    if errors:
        raise AttendanceRowErrors(errors)
    _evaluate_later(changed)
    return len(changed)


def outcome_reminders_send(*, today: datetime.date | None = None) -> int:
    """E-mail each clinician, at most once a day, the sessions whose outcome is overdue:
    those they are booked on and may still see (a clinician who has left a care team is not
    reminded of that patient any more)."""
    from django.contrib.auth import get_user_model

    from casework.selectors import awaiting_outcome, reach_of

    today = today or timezone.localdate()
    threshold = timezone.now() - datetime.timedelta(days=settings.OUTCOME_REMINDER_AFTER_DAYS)
    booked = Appointment.objects.held_or_due().filter(
        starts_at__lt=threshold, attendances__outcome__isnull=True
    )
    clinicians = get_user_model().objects.filter(is_active=True, appointments__in=booked).distinct()
    sent = 0
    for clinician in clinicians:
        items = [
            (appointment.starts_at, attendance.patient.file_number)
            for appointment in awaiting_outcome(reach_of(clinician), before=threshold)
            for attendance in appointment.attendance_list
            if attendance.outcome_id is None
        ]
        if not items:
            continue

        def compose(items=items):
            subject = ngettext(
                "%(count)d session outcome to record",
                "%(count)d session outcomes to record",
                len(items),
            ) % {"count": len(items)}
            lines = [
                f"- {timezone.localtime(starts_at):%d/%m/%Y %H:%M}  {file_number}"
                for starts_at, file_number in items
            ]
            return subject, _("These sessions are still waiting for their outcome:"), lines

        sent += mail_clinician_once_a_day(
            OutcomeReminder,
            clinician,
            today,
            defaults={"pending": len(items)},
            compose=compose,
            purpose=_("Outcomes to record"),
        )
    return sent
