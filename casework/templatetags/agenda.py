"""The rows of an agenda (a day, a week, the home page's today, the to-do list), prepared in
Python: resolving each row's times, labels and links in the template cost about 0.3 ms a
row, a third of a week's page at 50 rows (docs/performance.md)."""

import dataclasses
from urllib.parse import quote

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from casework.models import Appointment

register = template.Library()


@dataclasses.dataclass
class Row:
    """What a row shows. The last column holds one of: a group session's attendance page
    (once begun), an individual session's outcome, the link to record it (once begun), or
    the links to move or cancel it (before)."""

    css: str
    starts_at: str  # ISO 8601, for <time datetime>
    starts: str
    ends: str
    day: str  # only when the rows span several days
    link: str
    title: str
    file_number: str  # "" for a group
    details: str
    cancelled_because: str | None  # the clinic's reason, when it cancelled
    attendance_url: str = ""
    recorded_all: bool = False
    outcome: str = ""
    outcome_badge: str = ""  # AttendanceOutcome.badge
    outcome_url: str = ""
    reschedule_url: str = ""
    cancel_url: str = ""


@register.inclusion_tag("casework/_appointment_rows.html", takes_context=True)
def appointment_rows(context, appointments, *, show_date=False, show_clinicians=False):
    """{% appointment_rows appointments show_date=True %}: appointments with their
    attendances (and outcomes) and, for show_clinicians, their clinicians prefetched."""
    labels = {
        value: str(label)
        for choices in (Appointment.Kind, Appointment.Mode)
        for value, label in choices.choices
    }
    back = "?next=" + quote(context["request"].get_full_path(), safe="/")
    now = timezone.now()
    return {
        "rows": [
            _row(appointment, labels, back, now, show_date, show_clinicians)
            for appointment in appointments
        ]
    }


def _row(appointment, labels, back, now, show_date, show_clinicians) -> Row:
    starts = timezone.localtime(appointment.starts_at)
    past = appointment.starts_at <= now
    cancelled = appointment.status == Appointment.Status.CANCELLED
    details = [labels[appointment.kind], labels[appointment.mode]]
    if appointment.place:
        details.append(appointment.place)
    if show_clinicians:
        details.append(", ".join(str(c) for c in appointment.clinicians.all()))
    if appointment.group_id:
        link, title, file_number = (
            appointment.group.get_absolute_url(),
            str(appointment.group),
            "",
        )
    else:
        patient = appointment.patient
        link, title, file_number = (
            patient.get_absolute_url(),
            patient.full_name,
            patient.file_number,
        )
    row = Row(
        css=f"appointment status-{appointment.status}{' past' if past else ''}",
        starts_at=starts.isoformat(),
        starts=f"{starts:%H:%M}",
        ends=f"{timezone.localtime(appointment.ends_at):%H:%M}",
        day=date_format(starts, "D j M") if show_date else "",
        link=link,
        title=title,
        file_number=file_number,
        details=" · ".join(details),
        cancelled_because=appointment.change_reason if cancelled else None,
    )
    if appointment.status != Appointment.Status.SCHEDULED:
        return row
    ids = (appointment.group_id or appointment.patient_id, appointment.pk)
    if appointment.group_id:
        if past:
            row.attendance_url = reverse("casework:group_attendance", args=ids)
            row.recorded_all = appointment.recorded_all
        return row
    for attendance in appointment.attendance_list:  # an individual session: one
        if attendance.outcome:
            row.outcome, row.outcome_badge = str(attendance.outcome), attendance.outcome.badge
        elif past:
            row.outcome_url = reverse("casework:outcome", args=ids) + back
        else:
            row.reschedule_url = reverse("casework:appointment_reschedule", args=ids)
            row.cancel_url = reverse("casework:appointment_cancel", args=ids)
    return row
