"""The clinic's rooms: booked like people. A room taken at that time, or closed then, is a
warning when an appointment is booked there, as a clinician's clash is
(casework.services.appointments.scheduling_conflicts); the week grid shows each room's week
(docs/calendar.md). Kept in the admin, like the other reference data."""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from casework.models.groups import Weekday

WEEKDAYS = "0123456"


class Room(models.Model):
    name = models.CharField(_("name"), max_length=60, unique=True)
    opens_at = models.TimeField(_("opens at"), default=datetime.time(8))
    closes_at = models.TimeField(_("closes at"), default=datetime.time(20))
    # The days it is open, Monday 0 to Sunday 6, as digits: "01234" is Monday to Friday.
    open_days = models.CharField(
        _("open days"),
        max_length=7,
        default="01234",
        help_text=_("Monday 0 to Sunday 6: 01234 is Monday to Friday."),
    )
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(opens_at__lt=models.F("closes_at")),
                name="room_opens_before_it_closes",
                violation_error_message=_("A room opens before it closes."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        days = self.open_days or ""
        if not days or set(days) - set(WEEKDAYS) or len(set(days)) != len(days):
            raise ValidationError(
                {"open_days": _("Give each open day once, as digits from 0 (Monday) to 6.")}
            )
        self.open_days = "".join(sorted(days))

    def is_open(self, starts_at: datetime.datetime, ends_at: datetime.datetime) -> bool:
        """Whether the room is open for the whole of that time."""
        start, end = timezone.localtime(starts_at), timezone.localtime(ends_at)
        return (
            str(start.weekday()) in self.open_days
            and start.date() == end.date()
            and self.opens_at <= start.time()
            and end.time() <= self.closes_at
        )

    def hours(self) -> str:
        """Its opening hours, as a person reads them: "Monday, Tuesday… 08:00–20:00"."""
        days = ", ".join(str(Weekday(int(day)).label) for day in self.open_days)
        opens = formats.time_format(self.opens_at, "H:i")
        closes = formats.time_format(self.closes_at, "H:i")
        return f"{days} {opens}–{closes}"
