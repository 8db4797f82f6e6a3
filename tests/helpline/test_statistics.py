"""Statistics per month and year, with every count under 5 shown as "<5": on the page, in the
chart, in the CSV file and in the API."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from helpline.models import ProblemTag

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


def test_the_page_suppresses_small_cells(month, clinical_lead, client_for):
    response = client_for(clinical_lead).get(reverse("helpline:statistics"), month)
    assert response.status_code == 200
    tables = {table.key: table for table in response.context["figures"].tables}
    assert cells(tables["channel"], "phone") == "<5"  # 2 answered and 2 missed
    assert cells(tables["channel"], "chat") == 7
    assert cells(tables["caller_type"], "relative") == "<5"
    assert cells(tables["caller_type"], "concerned_adult") == 7
    assert cells(tables["tags"], "fear-acting-out") == 7
    assert cells(tables["missed"], "missed") == "<5"
    assert cells(tables["first_or_repeat"], "first") == 9
    assert response.context["figures"].contacts.shown_total == 11
    page = response.content.decode()
    assert "&lt;5" in page
    # the chart draws no bar to the length of a suppressed count, and names none
    chart = tables["caller_type"].chart
    assert ">2<" not in chart and "&lt;5" in chart


def test_the_year_has_a_column_per_month(month, clinical_lead, client_for):
    year = {"year": month["year"]}
    response = client_for(clinical_lead).get(reverse("helpline:statistics"), year)
    figures = response.context["figures"]
    assert len(figures.columns) == 12
    chat = next(r for t in figures.tables for r in t.rows if r.key == "chat")
    assert chat.cells[month["month"] - 1] == 7
    assert chat.cells.count(0) == 11


def test_the_csv_suppresses_the_same_cells(month, auditor, client_for):
    response = client_for(auditor).get(reverse("helpline:statistics_csv"), month)
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    by_label = {row[1]: row[2:] for row in rows[1:]}
    assert by_label["Phone"] == ["<5", "<5"]
    assert by_label["Chat"] == ["7", "7"]
    assert by_label["A relative"] == ["<5", "<5"]
    assert not {"1", "2", "3", "4"} & {cell for row in rows for cell in row}


def test_the_api_suppresses_the_same_cells(month, clinical_lead, api_for):
    data = api_for(clinical_lead).get(reverse("api:helpline_statistics"), month).json()
    assert data["small_cell_limit"] == 5
    assert data["tables"]["channel"]["phone"]["total"] == "<5"
    assert data["tables"]["channel"]["chat"]["total"] == 7
    assert data["tables"]["caller_type"]["relative"]["total"] == "<5"
    assert data["contacts"] == 11
    year = api_for(clinical_lead).get(reverse("api:helpline_statistics"), {"year": month["year"]})
    assert "<5" in year.json()["tables"]["channel"]["phone"]["by_month"]


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
