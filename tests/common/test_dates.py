"""common.dates: the bounds every query on a day, a run of days or a month takes."""

import datetime

from django.utils import timezone

from common.dates import day_bounds, month_bounds


def test_a_day_runs_from_local_midnight_to_the_next():
    start, end = day_bounds(datetime.date(2026, 3, 10))
    zone = timezone.get_current_timezone()
    assert start == datetime.datetime(2026, 3, 10, tzinfo=zone)
    assert end == datetime.datetime(2026, 3, 11, tzinfo=zone)


def test_days_across_a_clock_change_end_at_local_midnight():
    # Europe/Brussels puts its clocks forward on 29 March 2026: that day has 23 hours.
    start, end = day_bounds(datetime.date(2026, 3, 28), 2)
    assert timezone.localtime(end).time() == datetime.time()
    elapsed = end.astimezone(datetime.UTC) - start.astimezone(datetime.UTC)
    assert elapsed == datetime.timedelta(hours=47)


def test_a_month_from_its_first_day_to_its_last():
    assert month_bounds(datetime.date(2028, 2, 17)) == (
        datetime.date(2028, 2, 1),
        datetime.date(2028, 2, 29),
    )
