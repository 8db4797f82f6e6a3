"""Statistics per month and year, with every count under 5 hidden, and enough other figures that
none can be worked out from the totals (secondary suppression): "×" on the page, in the chart, in
the CSV file and in the API, the same figures everywhere. The attacker at the end tries to undo
it from the CSV file."""

import csv
import datetime
import io
import random

import pytest
from django.urls import reverse
from django.utils import timezone

from helpline import statistics
from helpline.models import Contact, ProblemTag, ReferralService
from tests.common.attacker import recovered

pytestmark = pytest.mark.django_db


@pytest.fixture
def month(helpline_listener, contact_at):
    """This month: 2 phone calls and 2 missed ones (4: a small cell), 7 chats."""
    fear = ProblemTag.objects.get(code="fear-acting-out")
    for _ in range(2):
        contact_at(helpline_listener, channel="phone", caller_type="relative")
    for _ in range(7):
        contact_at(helpline_listener, channel="chat", caller_type="concerned_adult", tags=[fear])
    for _ in range(2):
        contact_at(helpline_listener, channel="phone", missed=True, minutes=0)
    today = timezone.localdate()
    return {"year": today.year, "month": today.month}


def cells(table, key):
    row = next(row for row in table.rows if row.key == key)
    return row.shown_total


def test_the_page_hides_small_cells_and_what_gives_them_away(month, clinical_lead, client_for):
    response = client_for(clinical_lead).get(reverse("helpline:statistics"), month)
    assert response.status_code == 200
    tables = {table.key: table for table in response.context["figures"].tables}
    assert cells(tables["channel"], "phone") == "×"  # 2 answered and 2 missed
    # 11 contacts minus 7 chats would give the 4 phone calls back: the chats are hidden too
    assert cells(tables["channel"], "chat") == "×"
    assert cells(tables["channel"], "email") == 0  # a zero is never hidden
    assert cells(tables["caller_type"], "relative") == "×"
    assert cells(tables["caller_type"], "concerned_adult") == 7
    assert cells(tables["tags"], "fear-acting-out") == 7
    assert cells(tables["missed"], "missed") == "×"
    # 11 contacts minus 9 first contacts would give the 2 missed ones back
    assert cells(tables["first_or_repeat"], "first") == "×"
    assert response.context["figures"].contacts.shown_total == 11
    page = response.content.decode()
    assert "×" in page and "cannot point at a caller" in page
    # the chart draws no bar to the length of a hidden count, and names none
    chart = tables["caller_type"].chart
    assert ">2<" not in chart and "×" in chart
    assert ">9<" not in tables["first_or_repeat"].chart


def test_the_year_has_a_column_per_month(month, clinical_lead, client_for):
    year = {"year": month["year"]}
    response = client_for(clinical_lead).get(reverse("helpline:statistics"), year)
    figures = response.context["figures"]
    assert len(figures.columns) == 12
    adults = next(r for t in figures.tables for r in t.rows if r.key == "concerned_adult")
    assert adults.cells[month["month"] - 1] == 7
    assert adults.cells.count(0) == 11


def test_the_csv_suppresses_the_same_cells(month, auditor, client_for):
    response = client_for(auditor).get(reverse("helpline:statistics_csv"), month)
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    by_label = {row[1]: row[2:] for row in rows[1:]}
    assert by_label["Phone"] == ["×", "×"]
    assert by_label["Chat"] == ["×", "×"]
    assert by_label["A relative"] == ["×", "×"]
    assert by_label["The person concerned, an adult"] == ["7", "7"]
    assert by_label["Contacts"] == ["11", "11"]
    assert not {"1", "2", "3", "4"} & {cell for row in rows for cell in row}


def test_the_api_suppresses_the_same_cells(month, clinical_lead, api_for):
    data = api_for(clinical_lead).get(reverse("api:helpline_statistics"), month).json()
    assert data["small_cell_limit"] == 5
    assert data["hidden_as"] == "×"
    assert data["tables"]["channel"]["phone"]["total"] == "×"
    assert data["tables"]["channel"]["chat"]["total"] == "×"
    assert data["tables"]["caller_type"]["relative"]["total"] == "×"
    assert data["tables"]["caller_type"]["concerned_adult"]["total"] == 7
    assert data["contacts"] == 11
    year = api_for(clinical_lead).get(reverse("api:helpline_statistics"), {"year": month["year"]})
    assert "×" in year.json()["tables"]["channel"]["phone"]["by_month"]


@pytest.mark.parametrize("query", [{"year": "abc"}, {"year": "1800"}, {"month": "13"}])
def test_a_wrong_period_is_a_clear_400(query, clinical_lead, client_for, api_for):
    response = client_for(clinical_lead).get(reverse("helpline:statistics"), query)
    assert response.status_code == 400
    assert "Choose a year" in response.content.decode()
    assert api_for(clinical_lead).get(reverse("api:helpline_statistics"), query).status_code == 400


def test_an_empty_month_shows_zeros_not_blanks(clinical_lead, client_for):
    response = client_for(clinical_lead).get(reverse("helpline:statistics"))
    assert response.status_code == 200
    assert response.context["figures"].contacts.shown_total == 0


@pytest.mark.parametrize("url", ["helpline:statistics", "helpline:contacts"])
def test_the_pages_cost_the_same_queries_at_any_volume(
    url, helpline_listener, contact_at, client_for
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(helpline_listener)
    fear = ProblemTag.objects.get(code="fear-acting-out")
    contact_at(helpline_listener, tags=[fear])
    with CaptureQueriesContext(connection) as few:
        client.get(reverse(url))
    for _ in range(30):
        contact_at(helpline_listener, tags=[fear], channel="chat")
    with CaptureQueriesContext(connection) as many:
        client.get(reverse(url))
    assert len(many) == len(few)


# --- The attacker ---------------------------------------------------------------------------

YEAR = 2024


@pytest.fixture
def busy_year(helpline_listener):
    """A year of contacts with many small counts: a dozen to two dozen a month, spread over the
    channels, the callers, the tags and the referrals (a fixed seed: the same year every run)."""
    rng = random.Random(28)
    tags = list(ProblemTag.objects.all())
    services = list(ReferralService.objects.all())
    zone = timezone.get_current_timezone()
    contacts, tagged = [], []
    for month_number in range(1, 13):
        for day in range(rng.randint(12, 24)):
            missed = rng.random() < 0.15
            contacts.append(
                Contact(
                    listener=helpline_listener,
                    channel=rng.choice(["phone", "phone", "chat", "email"]),
                    started_at=datetime.datetime(YEAR, month_number, 1 + day, 10, tzinfo=zone),
                    missed=missed,
                    hung_up=not missed and rng.random() < 0.1,
                    repeat=not missed and rng.random() < 0.3,
                    caller_type="" if missed else rng.choice([*Contact.CallerType.values, ""]),
                    referral=None if missed or rng.random() < 0.6 else rng.choice(services),
                )
            )
            if not missed:
                tagged.append(rng.sample(tags, rng.randint(0, 2)))
            else:
                tagged.append([])
    Contact.objects.bulk_create(contacts)
    for contact, its_tags in zip(contacts, tagged, strict=True):
        contact.tags.set(its_tags)


def published_csv(client):
    """{(table, row, month index or "total"): the number, or None where the CSV shows "×"}."""
    response = client.get(reverse("helpline:statistics_csv"), {"year": YEAR})
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    published = {}
    for title, label, *values in rows[1:]:
        for column, value in zip([*range(12), "total"], values, strict=True):
            published[title, label, column] = None if value == "×" else int(value)
    return published


def what_a_reader_knows(published):
    """The sums a reader of the CSV file can write down from what docs/helpline.md says the
    tables count, written here without the code's help: each row adds up to its total; in each
    month the channels add up to the contacts, and so do the missed contacts with who was
    calling, and with the first and repeat contacts."""
    titles = {title for title, _, _ in published}
    calling = next(t for t in titles if t.startswith("Who is calling"))
    first_or_repeat = next(t for t in titles if t.startswith("First or repeat"))
    missed = ("Missed and silent contacts", "Missed contacts")
    rows = {(title, label) for title, label, _ in published}
    sums = [((*row, "total"), [(*row, m) for m in range(12)]) for row in sorted(rows)]
    for m in range(12):
        contacts = ("", "Contacts", m)
        for title in ("By channel", calling, first_or_repeat):
            parts = [(t, label, m) for t, label in sorted(rows) if t == title]
            sums.append((contacts, parts + ([(*missed, m)] if title != "By channel" else [])))
    return sums


def test_an_attacker_recovers_no_hidden_figure(busy_year, clinical_lead, client_for):
    published = published_csv(client_for(clinical_lead))
    sums = what_a_reader_knows(published)
    hidden = [key for key, value in published.items() if value is None]
    assert len(hidden) > 20  # the year has many small counts: the test has work to do

    # every hidden figure can still take more than one value, whatever the reader tries
    assert recovered(published, sums) == {}

    # The same attacker against primary suppression only (the figures under 5 hidden, every
    # other figure and total shown, as before secondary suppression) gets figures back: this
    # test can fail.
    true = {}
    year = statistics.figures(YEAR)
    for title, row in [("", year.contacts)] + [(t.title, r) for t in year.tables for r in t.rows]:
        for column, count in zip([*range(12), "total"], [*row.counts, row.total], strict=True):
            true[title, row.label, column] = count
    assert true.keys() == published.keys()
    assert all(published[key] in (None, true[key]) for key in true)  # what is shown is true
    primary_only = {key: None if 0 < n < 5 else n for key, n in true.items()}
    found = recovered(primary_only, sums)
    assert found
    assert all(round(value) == true[key] for key, value in found.items())
