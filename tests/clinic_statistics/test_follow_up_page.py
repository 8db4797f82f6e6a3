"""The clinical lead's page of what happened after treatment (/statistics/follow-up/) and its
CSV: the curves, their steps and the honest presentation beside them (docs/statistics.md)."""

import base64
import csv
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AccessEvent
from tests.clinic_statistics.test_follow_up import clear, follow, offence  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

PAGE = reverse("clinic_statistics:follow_up")
CSV_URL = reverse("clinic_statistics:follow_up_csv")
ASK = {"event": "sexual", "window_years": "5", "group": "completion"}


@pytest.fixture
def cohort(follow):
    """Four patients: one completed treatment and offended at ~6 months, one completed and was
    checked clear at ~2 years, one stopped with no check at all, one stopped, clear at 1 year."""
    follow(offence(183), exit_reason="completed")
    follow(clear(730), exit_reason="completed")
    follow(exit_reason="stopped_by_patient")
    follow(clear(365), exit_reason="revoked")


def charts(html: str) -> list[str]:
    return [
        base64.b64decode(data).decode()
        for data in re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', html)
    ]


def test_the_lead_sees_a_curve_per_group_beside_what_it_counts(cohort, clinical_lead, client_for):
    response = client_for(clinical_lead).get(PAGE, ASK)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Completed treatment" in html and "Stopped treatment" in html
    svgs = charts(html)
    assert len(svgs) == 2
    for svg in svgs:  # static: nothing in it runs
        assert svg.startswith("<svg") and "<script" not in svg
        assert not re.search(r"\son\w+=", svg)  # no event handler either
    assert 'alt="Kaplan–Meier curve, Completed treatment: 2 patients followed' in html
    # the honest presentation
    assert "The first new sexual offence known to the clinic" in html
    assert "Follow-up is cut at 5 years" in html
    assert "4 patients whose treatment started between 6 January 2020 and 6 January 2020" in html
    assert "13.4% after 4 to 5 years (Hanson &amp; Bussière, 1998)" in html or (
        "13.4% after 4 to 5 years (Hanson & Bussière, 1998)" in html
    )
    assert "They are no comparison group" in html
    # the stopped group: one censored at 0 (no check), one at 12 months: both lost before 5 years
    assert "2 lost to follow-up before the end of the window (1 with no check after the start)" in (
        html
    )
    assert AccessEvent.objects.filter(
        user=clinical_lead, action="view", object_type="clinic_statistics.follow_up"
    ).exists()


def test_the_page_asks_the_usual_question_at_first_and_the_nav_links_it(
    cohort, clinical_lead, client_for
):
    html = client_for(clinical_lead).get(PAGE).content.decode()

    assert f'href="{PAGE}"' in html  # the navigation
    assert len(charts(html)) == 2  # sexual offence, 5 years, by completion
    assert reverse("clinic_statistics:follow_up_csv") + "?event=sexual" in html


@pytest.mark.parametrize(
    "persona",
    ["treating_psychologist", "administrator", "helpline_listener", "auditor"],
)
def test_only_the_clinical_lead_reads_the_page_and_the_csv(persona, request, client_for):
    client = client_for(request.getfixturevalue(persona))

    assert client.get(PAGE, ASK).status_code == 403
    assert client.get(CSV_URL, ASK).status_code == 403
    assert f'href="{PAGE}"' not in client.get(reverse("home"), follow=True).content.decode()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"event": "robbery"}, "Select a valid choice."),
        ({"window_years": "7"}, "Select a valid choice."),
        ({"started_from": "1850-01-01"}, "Enter a date between 1 January 1900"),
        ({"started_from": "2021-01-01", "started_to": "2020-01-01"}, "must come after its start"),
        ({"started_to": "tomorrow"}, "Enter a valid date."),
    ],
)
def test_bad_input_says_what_is_wrong_and_computes_nothing(
    params, message, cohort, clinical_lead, client_for
):
    client = client_for(clinical_lead)

    response = client.get(PAGE, {**ASK, **params})

    assert response.status_code == 400
    html = response.content.decode()
    assert message in html and "Nothing was computed" in html
    assert not charts(html)
    csv_response = client.get(CSV_URL, {**ASK, **params})
    assert csv_response.status_code == 400
    assert message in csv_response.content.decode()
    assert not AccessEvent.objects.filter(object_type="clinic_statistics.follow_up").exists()


def test_an_empty_cohort_says_so(cohort, clinical_lead, client_for):
    html = client_for(clinical_lead).get(PAGE, {**ASK, "started_from": "2024-01-01"}).content
    html = html.decode()

    assert "Nobody&#x27;s treatment started in this period" in html or (
        "Nobody's treatment started in this period" in html
    )
    assert not charts(html)


def test_numbers_are_written_in_the_readers_language(cohort, clinical_lead, client_for):
    clinical_lead.language = "fr"
    clinical_lead.save()

    html = client_for(clinical_lead).get(PAGE, ASK).content.decode()

    assert "6,0" in html  # 183 days: 6.0 months, with a decimal comma
    assert re.search(r"50,0\s?%", html)  # one of two completers offended


def test_the_number_of_queries_does_not_grow_with_the_patients(follow, clinical_lead, client_for):
    client = client_for(clinical_lead)
    counts, made = [], 0
    for size in (2, 6):
        while made < size:
            follow(clear(100 + made), exit_reason="completed" if made % 2 else "revoked")
            made += 1
        with CaptureQueriesContext(connection) as captured:
            assert client.get(PAGE, ASK).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_the_csv_has_the_same_steps_and_is_logged(cohort, clinical_lead, client_for):
    response = client_for(clinical_lead).get(CSV_URL, ASK)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == [
        "group",
        "n",
        "months",
        "at_risk",
        "events",
        "censored",
        "survival",
        "ci_low",
        "ci_high",
    ]
    completed = [row for row in rows[1:] if row[0] == "completed"]
    assert completed[0][:6] == ["completed", "2", "6.01", "2", "1", "0"]
    assert completed[0][6] == "0.5000"
    stopped = [row for row in rows[1:] if row[0] == "stopped"]
    assert stopped[0][:6] == ["stopped", "2", "0.00", "2", "0", "1"]
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    event = AccessEvent.objects.get(
        user=clinical_lead, action="export", object_type="clinic_statistics.follow_up"
    )
    assert "event=sexual" in event.label and "window_years=5" in event.label


def test_the_numbers_at_risk_stand_under_their_year_in_the_chart(cohort, clinical_lead, client_for):
    """Completed: two patients at 0; the one who offended at ~6 months leaves, one remains at
    1 year, and 0 at 2 years (checked clear at exactly 730 days: censored there, at ~24
    months). Each number sits at its tick's x, on the line below it."""
    html = client_for(clinical_lead).get(PAGE, ASK).content.decode()
    completed = charts(html)[0]
    axis = completed[completed.index('class="axis x') :]
    ticks = re.findall(r'<text x="([\d.]+)" y="([\d.]+)" class="major">(\d+)</text>', axis)
    numbers = re.findall(
        r'<text x="([\d.]+)" y="([\d.]+)" style="text-anchor: middle"[^>]*>(\d+)<', axis
    )
    assert [label for _x, _y, label in ticks] == ["0", "12", "24", "36", "48", "60"]
    assert [n for _x, _y, n in numbers] == ["2", "1", "0", "0", "0", "0"]
    for (x, y, _label), (nx, ny, _n) in zip(ticks, numbers, strict=True):
        assert float(nx) == float(x) and float(ny) > float(y)
    assert ">At risk<" in axis
