"""One clinician's agenda in a network of 400 keeps a plan that starts from their bookings
(common.db.planned_for_their_values, docs/performance.md).

PostgreSQL only: plans are PostgreSQL's, and so are the prepared statements whose generic plan
this is about; CI's PostgreSQL run covers it."""

import datetime
import re

import pytest
from django.db import connection
from django.utils import timezone
from psycopg import sql as pg

from accounts.models import User
from casework import selectors
from common.dates import day_bounds
from tests.factories import book

CLINICIANS = 400
PER_WEEK = 20_000  # 400 clinicians of 50 patients, a session each a week
WEEKS = 10


@pytest.fixture
def network(patient, treating_psychologist):
    """A network's shape: 400 clinicians, 20,000 sessions a week over ten weeks from this
    one, each booked for one clinician (copies of one booked session; only the times and the
    clinicians differ), with the statistics autovacuum would have gathered."""
    if connection.vendor != "postgresql":
        pytest.skip("plans and prepared statements are PostgreSQL's; CI's PostgreSQL run")
    template = book(patient, treating_psychologist, days=1)
    User.objects.bulk_create(User(username=f"shape{n:03d}") for n in range(CLINICIANS - 1))
    others = User.objects.filter(username__startswith="shape").order_by("pk")
    clinicians = [treating_psychologist.pk, *others.values_list("pk", flat=True)]
    monday = timezone.localdate() - datetime.timedelta(days=timezone.localdate().weekday())
    start = timezone.make_aware(datetime.datetime.combine(monday, datetime.time(8)))
    columns = [
        field.column
        for field in template._meta.concrete_fields
        if field.column not in {"id", "starts_at", "ends_at"}
    ]
    copied = pg.SQL(", ").join(pg.Identifier(column) for column in columns)
    with connection.cursor() as cursor:
        # Session n: week n % 10, day n // 10 % 5, hour 8 + n // 50 % 10; clinician n // 10 % 400.
        cursor.execute(
            pg.SQL(
                "INSERT INTO casework_appointment (starts_at, ends_at, {copied}) "
                "SELECT s.at, s.at + interval '50 minutes', {copied} "
                "FROM casework_appointment, LATERAL (SELECT n, %s::timestamptz "
                "  + (n %% {weeks} * 7 + n / {weeks} %% 5) * interval '1 day' "
                "  + (n / 50 %% 10) * interval '1 hour' AS at "
                "  FROM generate_series(0, %s - 1) n) s "
                "WHERE casework_appointment.id = %s"
            )
            .format(copied=copied, weeks=pg.Literal(WEEKS))
            .as_string(connection.connection),
            [start, PER_WEEK * WEEKS, template.pk],
        )
        cursor.execute(
            "INSERT INTO casework_appointment_clinicians (appointment_id, user_id) "
            "SELECT a.id, (%s::bigint[])[1 + (row_number() OVER (ORDER BY a.id) - 1) / 10 %% %s] "
            "FROM casework_appointment a WHERE a.id > %s",
            [clinicians, CLINICIANS, template.pk],
        )
        cursor.execute("ANALYZE casework_appointment")
        cursor.execute("ANALYZE casework_appointment_clinicians")
    return monday, clinicians[CLINICIANS // 2]


def plan(sql: str, values: list, mode: str) -> str:
    """EXPLAIN of `sql` prepared, planned with its values (custom) or without (generic)."""
    numbered = iter(range(1, len(values) + 1))
    prepared = re.sub("%s", lambda _match: f"${next(numbered)}", sql)
    given = pg.SQL(", ").join(pg.Literal(value) for value in values)
    with connection.cursor() as cursor:
        cursor.execute(f"PREPARE probe AS {prepared}")
        try:
            cursor.execute(f"SET LOCAL plan_cache_mode = {mode}")
            cursor.execute(f"EXPLAIN EXECUTE probe({given.as_string(connection.connection)})")
            return "\n".join(row[0] for row in cursor.fetchall())
        finally:
            cursor.execute("DEALLOCATE probe")
            cursor.execute("SET LOCAL plan_cache_mode = auto")


def test_with_its_values_the_plan_starts_from_the_clinicians_bookings(network, clinical_lead):
    """Why the agenda is read planned for its values: without them the planner guesses the
    week holds 5,000 sessions and walks it (20,000 here, 130 to 160 ms at the bench's
    network), while with them it reads the clinician's 500 bookings."""
    monday, clinician = network
    week = selectors.agenda(
        selectors.reach_of(clinical_lead), *day_bounds(monday, 7), clinician_id=clinician
    )
    sql, values = week.query.sql_with_params()

    custom = plan(sql, list(values), "force_custom_plan")
    generic = plan(sql, list(values), "force_generic_plan")

    assert "casework_appointment_clinicians_user_id" in custom
    assert "appointment_time" not in custom
    assert "Index Cond: ((starts_at >= $" in generic  # the whole week, for anyone


def test_the_clinic_agenda_is_never_kept_on_a_generic_plan(network, clinical_lead, client_for):
    """Asked more than five times on one connection, as a web process keeps it, the agenda's
    statement is still not prepared: each request plans it for its clinician and week."""
    monday, clinician = network
    client = client_for(clinical_lead)
    for weeks_on in range(8):
        day = monday + datetime.timedelta(weeks=weeks_on % 2)
        page = client.get(f"/agenda/clinic/?clinician={clinician}&date={day.isoformat()}")
        assert page.status_code == 200
    days = page.context["days"] + ([page.context["todays"]] if page.context["todays"] else [])
    assert sum(day.total for day in days) == PER_WEEK // CLINICIANS  # the clinician's week
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement FROM pg_prepared_statements "
            "WHERE statement LIKE %s AND statement LIKE %s",
            ['%FROM "casework_appointment"%', "%ROW_NUMBER()%"],
        )
        assert cursor.fetchall() == []
        # The control: statements the page runs again are prepared all the same.
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        assert cursor.fetchone()[0] > 0
