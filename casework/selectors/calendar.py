"""The week grid: a clinician's or a room's week, hour by hour (docs/calendar.md).

A grid shows every session of that clinician or in that room, whoever it is for; the details
(file number, kind) only of those within the user's reach, the others as "booked" with their
clinicians (a time and a room are not patient data; who the patient is, is). One statement for
the week's sessions and one per prefetch, whatever the number of sessions."""

import dataclasses
import datetime
import math

from django.db.models import Max, Min
from django.utils import timezone

from casework.models import Appointment, Room
from casework.selectors.agenda import Reach
from common.dates import day_bounds
from common.db import planned_for_their_values

# The hours a grid shows when no room says otherwise.
DEFAULT_HOURS = (8, 20)


@dataclasses.dataclass(frozen=True)
class GridSession:
    appointment: Appointment
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    shown: bool  # within the user's reach: its patient or group may be named
    starts_here: bool  # begins in this hour (else it goes on from the hour before)


@dataclasses.dataclass(frozen=True)
class GridCell:
    day: datetime.date
    starts_at: datetime.datetime
    sessions: list[GridSession]
    open: bool  # the room is open for this hour (always, on a clinician's grid)
    past: bool  # begun already: nothing is booked into it any more

    @property
    def free(self) -> bool:
        return self.open and not self.sessions and not self.past


@dataclasses.dataclass(frozen=True)
class WeekGrid:
    days: list[datetime.date]
    rows: list[tuple[datetime.time, list[GridCell]]]
    patients: list  # the patients named in it, for the access log


def _hours(room: Room | None) -> tuple[int, int]:
    if room is not None:
        return room.opens_at.hour, math.ceil(room.closes_at.hour + room.closes_at.minute / 60)
    span = Room.objects.filter(is_active=True).aggregate(
        first=Min("opens_at"), last=Max("closes_at")
    )
    if span["first"] is None:
        return DEFAULT_HOURS
    return span["first"].hour, math.ceil(span["last"].hour + span["last"].minute / 60)


def week_grid(
    reach: Reach,
    first: datetime.date,
    days: int,
    *,
    room: Room | None = None,
    clinician_id: int | None = None,
) -> WeekGrid:
    """The sessions that stand of one room or one clinician, from `first` over `days` days,
    hour by hour; each hour a cell per day."""
    start, end = day_bounds(first, days)
    appointments = Appointment.objects.held_or_due().filter(starts_at__lt=end, ends_at__gt=start)
    if room is not None:
        appointments = appointments.filter(room=room)
    else:
        appointments = appointments.filter(clinicians=clinician_id)
    appointments = (
        appointments.select_related("patient", "group", "room")
        .prefetch_related("clinicians")
        .order_by("starts_at", "pk")
    )
    with planned_for_their_values():  # one clinician's week among many: selectors.agenda
        sessions = [
            (a, timezone.localtime(a.starts_at), timezone.localtime(a.ends_at), reach.sees(a))
            for a in appointments
        ]
    opens, closes = _hours(room)
    if sessions:  # a session outside the usual hours is shown all the same
        opens = min(opens, *(s.hour for _a, s, _e, _sh in sessions))
        closes = max(closes, *(math.ceil(e.hour + e.minute / 60) for _a, _s, e, _sh in sessions))
    dates = [first + datetime.timedelta(days=i) for i in range(days)]
    zone, now = timezone.get_current_timezone(), timezone.now()
    rows = []
    for hour in range(opens, min(closes, 24)):
        cells = []
        for day in dates:
            cell_start = datetime.datetime.combine(day, datetime.time(hour), tzinfo=zone)
            cell_end = cell_start + datetime.timedelta(hours=1)
            cells.append(
                GridCell(
                    day=day,
                    starts_at=cell_start,
                    sessions=[
                        GridSession(a, s, e, shown, starts_here=s >= cell_start)
                        for a, s, e, shown in sessions
                        if s < cell_end and e > cell_start
                    ],
                    open=room is None or room.is_open(cell_start, cell_end),
                    past=cell_start < now,
                )
            )
        rows.append((datetime.time(hour), cells))
    named = [a.patient for a, _s, _e, shown in sessions if shown and a.patient is not None]
    return WeekGrid(days=dates, rows=rows, patients=named)
