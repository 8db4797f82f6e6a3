"""Alerts people deal with, and outcomes two people record at once: pages, API and races."""

import pytest
from django.urls import reverse
from django.utils import translation

from casework import services
from casework.models import Attendance, ComplianceAlert
from tests.casework.test_races import at_once
from tests.factories import book, book_group_session, make_group, outcome, record
from tests.forms import browser_form, offered


@pytest.fixture
def alert(patient, treating_psychologist):
    for day in (-20, -10):
        record(
            book(patient, treating_psychologist, days=day),
            "absence-unacceptable",
            by=treating_psychologist,
        )
    return services.compliance_evaluate(patient_ids=[patient.pk])[0]


def test_acknowledging_takes_a_comment_and_the_alert_stays_on_the_patient_page(
    alert, patient, administrator, client_for
):
    client = client_for(administrator)
    url = reverse("casework:alert_acknowledge", args=[patient.pk, alert.pk])
    data = browser_form(client.get(url))
    data["comment"] = "Phoned the justice assistant."

    assert client.post(url, data).status_code == 302

    alert.refresh_from_db()
    assert (alert.acknowledged_by, alert.acknowledgement) == (
        administrator,
        "Phoned the justice assistant.",
    )
    page = client.get(patient.get_absolute_url()).content.decode()
    assert "1 earlier alert" in page
    assert "Phoned the justice assistant." in page
    assert url not in page  # nothing left to acknowledge


def test_an_acknowledged_alert_offers_no_second_form(alert, patient, administrator, client_for):
    services.compliance_alert_acknowledge(actor=administrator, alert=alert, comment="Seen")
    response = client_for(administrator).get(
        reverse("casework:alert_acknowledge", args=[patient.pk, alert.pk]), follow=True
    )

    assert "already acknowledged" in response.content.decode()
    assert ComplianceAlert.objects.get().acknowledgement == "Seen"


def test_a_resolved_alert_says_why_on_the_patient_page(
    alert, patient, treating_psychologist, client_for
):
    record(alert.attendance.appointment, "attended", by=treating_psychologist)
    services.compliance_evaluate(patient_ids=[patient.pk])

    page = client_for(treating_psychologist).get(patient.get_absolute_url()).content.decode()

    assert "No open alert." in page
    assert "The outcomes it counted were corrected" in page


def test_the_api_acknowledges_with_a_comment_and_refuses_a_resolved_alert(
    alert, patient, treating_psychologist, api_for
):
    url = reverse("api:alert_acknowledge", args=[patient.pk, alert.pk])
    too_long = api_for(treating_psychologist).post(url, {"comment": "x" * 501}, format="json")
    assert too_long.status_code == 400
    assert ComplianceAlert.objects.get().acknowledged_at is None

    done = api_for(treating_psychologist).post(url, {"comment": "Discussed it."}, format="json")
    assert done.status_code == 200
    assert done.json()["acknowledgement"] == "Discussed it."

    record(alert.attendance.appointment, "attended", by=treating_psychologist)
    services.compliance_evaluate(patient_ids=[patient.pk])
    listed = api_for(treating_psychologist).get(reverse("api:alert_list", args=[patient.pk]))
    assert listed.json()["results"][0]["resolution"] == "grounds_changed"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", "Deux absences injustifiées en 12 mois"),
        ("nl", "Twee ongewettigde afwezigheden binnen 12 maanden"),
    ],
)
def test_rule_names_speak_the_reader_s_language(alert, language, expected):
    with translation.override(language):
        assert str(alert.rule) == expected


# --- Two people record the same outcome ---------------------------------------------------------


def test_an_outcome_recorded_meanwhile_is_not_overwritten_from_an_old_page(
    patient, treating_psychologist, clinical_lead, client_for
):
    appointment = book(patient, treating_psychologist, days=-1)
    url = reverse("casework:outcome", args=[patient.pk, appointment.pk])
    mine = client_for(treating_psychologist)
    page = mine.get(url)
    data = browser_form(page)
    attended = str(outcome("attended").pk)
    assert attended in offered(page, "outcome")
    data["outcome"] = attended

    record(appointment, "absence-unacceptable", by=clinical_lead)  # meanwhile, elsewhere
    refused = mine.post(url, data)

    assert refused.status_code == 200
    assert "Someone else recorded this outcome meanwhile" in refused.content.decode()
    assert Attendance.objects.get().outcome.code == "absence-unacceptable"

    # Looking again shows what is recorded; saving from there is a deliberate correction.
    data = browser_form(mine.get(url))
    data["outcome"] = attended
    assert mine.post(url, data).status_code == 302
    attendance = Attendance.objects.get()
    assert (attendance.outcome.code, attendance.revision) == ("attended", 2)
    assert attendance.history.count() == 2  # recorded, then corrected: both kept


def test_the_api_answers_409_to_a_change_on_top_of_an_unseen_recording(
    patient, treating_psychologist, api_for
):
    appointment = book(patient, treating_psychologist, days=-1)
    url = reverse("api:appointment_outcome", args=[patient.pk, appointment.pk])
    client = api_for(treating_psychologist)

    first = client.post(url, {"outcome": "attended"}, format="json")
    blind = client.post(url, {"outcome": "absence-unacceptable"}, format="json")
    seen = client.post(
        url,
        {"outcome": "absence-unacceptable", "revision": first.json()["attendance"]["revision"]},
        format="json",
    )

    assert first.status_code == 200
    assert blind.status_code == 409
    assert seen.status_code == 200
    assert Attendance.objects.get().outcome.code == "absence-unacceptable"


@pytest.mark.django_db(transaction=True)
def test_two_outcomes_posted_at_the_same_moment_one_is_refused(patient, treating_psychologist):
    appointment = book(patient, treating_psychologist, days=-1)
    attendance = appointment.attendances.get()

    def recording(code):
        return lambda: services.attendance_record(
            actor=treating_psychologist, attendance=attendance, outcome=outcome(code), revision=0
        )

    results = at_once(recording("attended"), recording("absence-unacceptable"))

    refused = [r for r in results if isinstance(r, services.StaleOutcome)]
    assert len(refused) == 1, results
    attendance.refresh_from_db()
    assert attendance.revision == 1


def test_the_group_screen_does_not_overwrite_an_outcome_recorded_meanwhile(
    patient, treating_psychologist, clinical_lead, administrator, client_for
):
    group = make_group(by=administrator, regular=[treating_psychologist], members=[patient])
    session = book_group_session(group, by=administrator, clinicians=[treating_psychologist])
    attendance = session.attendances.get()
    url = reverse("casework:group_attendance", args=[group.pk, session.pk])
    client = client_for(treating_psychologist)
    data = browser_form(client.get(url))
    data[f"a{attendance.pk}-outcome"] = str(outcome("attended").pk)

    record(session, "absence-unacceptable", by=clinical_lead)  # meanwhile, elsewhere
    refused = client.post(url, data)

    assert refused.status_code == 200
    assert "Someone else recorded this outcome meanwhile" in refused.content.decode()
    attendance.refresh_from_db()
    assert attendance.outcome.code == "absence-unacceptable"


def test_the_patient_page_shows_every_open_alert_and_the_ten_latest_dealt_with(
    alert, patient, treating_psychologist, client_for
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from tests.factories import at

    def raise_on(day, **state):
        session = record(
            book(patient, treating_psychologist, days=day), "attended", by=treating_psychologist
        )
        return ComplianceAlert.objects.create(
            rule=alert.rule, patient=patient, attendance=session, raised_at=at(day), **state
        )

    def queries():
        with CaptureQueriesContext(connection) as captured:
            page = client.get(patient.get_absolute_url())
        return page, len(captured)

    client = client_for(treating_psychologist)
    few = queries()[1]
    opened = [raise_on(-30 - n) for n in range(12)]  # older than every alert dealt with
    dealt = [raise_on(-n, resolved_at=timezone.now()) for n in range(1, 13)]

    page, many = queries()

    assert page.context["alerts"] == [alert, *opened]  # open ones: all, latest first
    assert page.context["earlier_alerts"] == dealt[:10]
    assert many == few


# --- The home page's open alerts ------------------------------------------------------------


@pytest.fixture
def alerts_of_two_caseloads(
    alert, patient, treating_psychologist, other_psychologist, administrator, clinical_lead
):
    """Twelve more open alerts about the treating psychologist's patient, then thirteen about
    another psychologist's patient, all raised later: the clinic's latest alerts are not
    the treating psychologist's."""
    from tests.factories import at, register_patient

    def raise_on(about, clinician, day):
        session = record(book(about, clinician, days=day), "attended", by=clinician)
        return ComplianceAlert.objects.create(
            rule=alert.rule, patient=about, attendance=session, raised_at=at(day)
        )

    mine = [raise_on(patient, treating_psychologist, -60 + n) for n in range(12)]
    theirs = register_patient(administrator, last_name="Elsewhere")
    services.care_team_assign(
        actor=clinical_lead, patient=theirs, clinician=other_psychologist, role="lead"
    )
    others = [raise_on(theirs, other_psychologist, -30 + n) for n in range(13)]
    return [alert, *mine], others


def test_a_clinicians_home_lists_their_ten_latest_open_alerts_and_the_leads_the_clinics(
    alerts_of_two_caseloads, treating_psychologist, clinical_lead, client_for
):
    mine, others = alerts_of_two_caseloads

    own = client_for(treating_psychologist).get(reverse("workspace:dashboard"))
    lead = client_for(clinical_lead).get(reverse("workspace:dashboard"))

    def latest(alerts):
        return sorted(alerts, key=lambda a: a.raised_at, reverse=True)[:10]

    assert own.context["alerts"] == latest(mine)  # not the others', though they are later
    assert lead.context["alerts"] == latest(mine + others)


def test_a_clinicians_open_alerts_are_read_from_their_patients_not_the_clinics_latest(
    alerts_of_two_caseloads, treating_psychologist, clinical_lead, client_for
):
    """Asked for the latest ten open alerts of a clinician's patients (ORDER BY ... LIMIT),
    PostgreSQL walked the index of the clinic's latest open alerts until ten were theirs:
    7,000 rows at network scale when theirs were older than the rest (docs/performance.md).
    A clinician's are read by patient, all of them, with no LIMIT to tempt the planner; the
    lead's are the clinic's latest."""
    import re

    from django.db import connection

    by_patient = re.compile(r'"casework_compliancealert"\."patient_id" (= ANY|IN \()')

    def reads(user) -> list[str]:
        statements = []

        def keep(execute, sql, params, many, context):
            if sql.startswith("SELECT") and 'FROM "casework_compliancealert"' in sql:
                statements.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(keep):
            assert client_for(user).get(reverse("workspace:dashboard")).status_code == 200
        return statements

    clinicians, leads = reads(treating_psychologist), reads(clinical_lead)

    assert any(by_patient.search(sql) for sql in clinicians)
    assert not any(by_patient.search(sql) and "LIMIT" in sql for sql in clinicians)
    assert not any(by_patient.search(sql) for sql in leads)
    assert any("LIMIT" in sql for sql in leads)
