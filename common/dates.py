"""Dates typed by people or sent by programs: parsing with bounds, so that an absurd date gets a
clear message instead of an overflow deep inside the date arithmetic."""

import datetime
from calendar import monthrange

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from common.http import InvalidParameter

# Far enough for any page a clinic browses (an old agenda, an old access log), and far enough
# from the ends of Python's calendar that adding a week or a month never overflows.
EARLIEST_DAY = datetime.date(1900, 1, 1)
LATEST_DAY = datetime.date(2100, 12, 31)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day so many months later (or earlier): the last day of a shorter month."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, monthrange(year, month)[1]))


def day_bounds(first: datetime.date, days: int = 1) -> tuple[datetime.datetime, datetime.datetime]:
    """Midnight to midnight, local time, from `first` over so many days: the moments a query
    on a day (or a run of days) takes, `>= start` and `< end`."""
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(first, datetime.time(), tzinfo=zone)
    return start, datetime.datetime.combine(
        first + datetime.timedelta(days=days), datetime.time(), tzinfo=zone
    )


def month_bounds(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first and the last day of the month `day` is in."""
    first = day.replace(day=1)
    return first, add_months(first, 1) - datetime.timedelta(days=1)


def years_before(day: datetime.date, years: int) -> datetime.date:
    """The same day `years` earlier (28 February for a 29 February that has none), held within
    Python's calendar: a bound computed from an absurd date must not overflow."""
    year = day.year - years
    if year < datetime.MINYEAR:
        return datetime.date.min
    if year > datetime.MAXYEAR:
        return datetime.date.max
    try:
        return day.replace(year=year)
    except ValueError:
        return day.replace(year=year, day=28)


def years_after(day: datetime.date, years: int) -> datetime.date:
    return years_before(day, -years)


def out_of_bounds(day: datetime.date, earliest: datetime.date, latest: datetime.date) -> str:
    """The message for a date outside [earliest, latest], or "" when it is within."""
    if earliest <= day <= latest:
        return ""
    return _("Enter a date between %(earliest)s and %(latest)s.") % {
        "earliest": date_format(earliest, "DATE_FORMAT"),
        "latest": date_format(latest, "DATE_FORMAT"),
    }


def query_day(value: str | None) -> datetime.date | None:
    """A day from a query string ("" or absent: None); InvalidParameter (a 400) otherwise."""
    if not value:
        return None
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError:
        raise InvalidParameter(_("Enter a valid date, written as YYYY-MM-DD.")) from None
    message = out_of_bounds(day, EARLIEST_DAY, LATEST_DAY)
    if message:
        raise InvalidParameter(message)
    return day


def query_datetime(value: str | None) -> datetime.datetime | None:
    """A local moment from a query string, "YYYY-MM-DDTHH:MM" ("" or absent: None);
    InvalidParameter (a 400) otherwise."""
    if not value:
        return None
    try:
        moment = datetime.datetime.fromisoformat(value)
        if len(value) != len("YYYY-MM-DDTHH:MM") or moment.tzinfo is not None:
            raise ValueError(value)
    except ValueError:
        raise InvalidParameter(
            _("Enter a valid date and time, written as YYYY-MM-DDTHH:MM.")
        ) from None
    message = out_of_bounds(moment.date(), EARLIEST_DAY, LATEST_DAY)
    if message:
        raise InvalidParameter(message)
    return timezone.make_aware(moment)
