"""The contacts counted by month (helpline.counts), which the statistics add up: right after
every way a contact is written, counted again from scratch to the same rows, and read by the
statistics from their own index in a fixed few queries, never from the contacts."""

import datetime
import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from helpline import counts, services, statistics
from helpline.models import Contact, MonthlyCount, MonthlyTagCount, ProblemTag, ReferralService

pytestmark = pytest.mark.django_db


def truth() -> tuple[Counter, Counter]:
    """What the counts should say, counted here from the contacts one by one."""
    by_values, by_tag = Counter(), Counter()
    for contact in Contact.objects.prefetch_related("tags"):
        month = counts.month_of(contact.started_at)
        key = (month, *(getattr(contact, f) for f in counts.DIMENSIONS[:-1]), contact.referral_id)
        by_values[key] += 1
        if not contact.missed:
            by_tag.update((month, tag.pk) for tag in contact.tags.all())
    return by_values, by_tag


def kept() -> tuple[Counter, Counter]:
    fields = ["month", *counts.DIMENSIONS[:-1], "referral_id", "n"]
    by_values = Counter(
        {tuple(row[:-1]): row[-1] for row in MonthlyCount.objects.values_list(*fields)}
    )
    by_tag = Counter(
        {(m, t): n for m, t, n in MonthlyTagCount.objects.values_list("month", "tag_id", "n")}
    )
    return by_values, by_tag


def assert_counted():
    assert kept() == truth()


@pytest.fixture
def tags():
    return {tag.code: tag for tag in ProblemTag.objects.all()}


def test_a_contact_logged_changed_and_deleted_is_counted_each_time(helpline_listener, tags):
    fear = tags["fear-acting-out"]
    other = next(tag for code, tag in tags.items() if code != "fear-acting-out")
    referral = ReferralService.objects.first()
    logged = services.contact_log(
        actor=helpline_listener,
        channel="phone",
        caller_type="relative",
        tags=[fear],
        referral=referral,
    ).contact
    services.contact_missed(actor=helpline_listener, channel="chat")
    assert_counted()
    assert sum(kept()[0].values()) == 2 and sum(kept()[1].values()) == 1

    # changed: another channel, then moved to a month before (both months counted again)
    logged.channel = "email"
    logged.save()
    assert_counted()
    logged.started_at = logged.started_at - datetime.timedelta(days=62)
    logged.save()
    assert_counted()
    assert len({month for month, *_ in kept()[0]}) == 2

    # its tags added, removed, cleared; then missed after all: its tags no longer counted
    logged.tags.add(other)
    assert_counted()
    logged.tags.remove(fear)
    assert_counted()
    logged.tags.set([fear, other])
    logged.missed = True
    logged.save(update_fields=["missed"])
    assert_counted()
    assert kept()[1] == Counter()
    logged.tags.clear()
    assert_counted()

    logged.delete()
    assert_counted()
    assert sum(kept()[0].values()) == 1


def test_contacts_written_in_bulk_are_counted(helpline_listener, tags, contact_at):
    fear = tags["fear-acting-out"]
    old = timezone.now() - datetime.timedelta(days=100)
    Contact.objects.bulk_create(
        [
            Contact(
                listener=helpline_listener, channel=c, started_at=old + datetime.timedelta(days=d)
            )
            for d, c in enumerate(["phone", "chat", "email", "phone"])
        ]
    )
    contact_at(helpline_listener, tags=[fear])
    assert_counted()

    Contact.objects.filter(channel="phone").update(channel="chat", repeat=True)
    assert_counted()
    Contact.objects.filter(channel="email").update(started_at=timezone.now())  # moved
    assert_counted()
    Contact.objects.filter(started_at__lt=timezone.now() - datetime.timedelta(days=50)).delete()
    assert_counted()
    assert sum(kept()[0].values()) == 2


def test_erasing_summaries_leaves_the_counts_as_they_were(helpline_listener, contact_at, tags):
    contact_at(helpline_listener, days=400, summary="Old words", tags=[tags["fear-acting-out"]])
    contact_at(helpline_listener, summary="New words")
    before = kept()
    assert services.erase_old_summaries() == 1
    assert kept() == before == truth()


def test_counting_everything_again_gives_the_same_rows_and_mends_what_raw_sql_left(
    helpline_listener, contact_at, tags
):
    for days, channel in [(0, "phone"), (35, "chat"), (70, "phone"), (400, "email")]:
        contact_at(helpline_listener, days=days, channel=channel, tags=[tags["fear-acting-out"]])
    before = kept()
    first, last = min(month for month, *_ in before[0]), counts.month_of(timezone.now())
    months = (last.year - first.year) * 12 + last.month - first.month + 1  # empty ones too
    assert counts.count_all() == months
    assert kept() == before == truth()
    out = io.StringIO()
    call_command("helpline_recount", stdout=out)
    assert f"{months} months" in out.getvalue()
    assert kept() == before  # idempotent

    # Past the ORM: the counts fall behind, and counting again mends them.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE helpline_contact SET channel = 'email'")
        cursor.execute("DELETE FROM helpline_contact_tags")
    assert kept() != truth()
    counts.count_all()
    assert_counted()
    # months left without contacts are forgotten
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM helpline_contact")
    counts.count_all()
    assert kept() == (Counter(), Counter())


def test_the_statistics_read_the_counts_only_in_a_fixed_four_queries(
    helpline_listener, contact_at, tags
):
    from django.test.utils import CaptureQueriesContext

    contact_at(helpline_listener, tags=[tags["fear-acting-out"]])
    today = timezone.localdate()
    for month in (None, today.month):
        with CaptureQueriesContext(connection) as queries:
            statistics.figures(today.year, month)
        assert len(queries) == 4
        assert not [q["sql"] for q in queries if "helpline_contact" in q["sql"]]


def test_the_statistics_read_the_counts_by_their_month_index_on_postgresql(
    helpline_listener, contact_at, tags
):
    if connection.vendor != "postgresql":
        pytest.skip("the plan is PostgreSQL's; CI's PostgreSQL run covers it")
    contact_at(helpline_listener, tags=[tags["fear-acting-out"]])
    statements = []

    def keep(execute, sql, params, many, context):
        statements.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(keep):
        statistics.figures(timezone.localdate().year)
    plans = {}
    with connection.cursor() as cursor:
        # Tiny tables: leave the planner no sequential scan, so that a statement without an
        # index to read the period by falls back to a (disabled) scan and says so.
        cursor.execute("SET LOCAL enable_seqscan = off")
        for sql, params in statements:
            if "helpline_monthly" in sql:
                cursor.execute(f"EXPLAIN {sql}", params)
                plans[sql.split(" FROM ", 1)[1].split()[0]] = "\n".join(
                    row[0] for row in cursor.fetchall()
                )

    assert set(plans) == {'"helpline_monthlycount"', '"helpline_monthlytagcount"'}
    assert "helpline_count_month" in plans['"helpline_monthlycount"']
    assert "helpline_tag_count_month" in plans['"helpline_monthlytagcount"']
    for plan in plans.values():
        assert "Seq Scan" not in plan
        assert "helpline_contact" not in plan  # never the contacts themselves
