"""The clinic's indicators for a year, against a small clinic computed by hand: a patient with
two episodes, a mandate that changes in the middle of the year, a rescheduled session, a group
session, letters on time and late (docs/statistics.md, "The indicators").

The clinic, in 2025 (every date below is in the year unless said otherwise):

- Anne: referred 1 Nov 2024, intake 1 Dec 2024, still in treatment; probation (authority X).
- Bruno: referred by a prison 1 Feb, intake 3 Mar (waited 30 days), closed 1 Sep as completed
  (182 days); probation (X) until 30 Jun, then internment (Y) from 1 Jul.
- Chloé: a first episode from 2023 (intake 1 Feb 2023) closed 15 Jan, stopped by the patient
  (714 days); a second, self-referred 1 May, intake 10 Jun (waited 40 days); probation (X).
- David: referred by the justice assistant 1 Oct, no intake yet; internment (Y).
- Emma: referred by the justice assistant 1 Apr, intake 21 Apr (waited 20 days), closed
  31 Dec, revoked (254 days); no mandate.

Referrals 4 (prison 1, self 1, justice assistant 2); admissions 3; waiting 20, 30, 40 days:
median 30, P90 40 (nearest rank); caseload on 1 Jan: Anne, Chloé (closed 15 Jan) = 2; on 31
Dec: Anne, Chloé, Emma (closed that day) = 3; closed: 182, 254, 714 days → median 254 days
(8.3 months), P90 714 days (23.5 months); exits: completed 1, stopped 1, revoked 1.
"""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments.models import Assessment
from audit.models import AccessEvent
from casework import services
from casework.models import (
    Appointment,
    Attendance,
    CareStage,
    Episode,
    Mandate,
    TherapyGroup,
)
from reports.models import Dispatch, Letter
from tests.assessments.helpers import save
from tests.common.attacker import recovered
from tests.factories import AuthorityFactory, mandate_data, outcome, register_patient

pytestmark = pytest.mark.django_db

YEAR = 2025
PAGE = reverse("clinic_statistics:indicators")
CSV = reverse("clinic_statistics:indicators_csv")
API = reverse("api:indicators_statistics")


def d(month: int, day: int, year: int = YEAR) -> datetime.date:
    return datetime.date(year, month, day)


def moment(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def patient_with(administrator, name, *, referred, source="justice_assistant", **episode):
    """A patient whose first episode has these dates (set on the row: the services date
    their steps today)."""
    patient = register_patient(
        administrator, last_name=name, referral_received_on=referred, referral_source=source
    )
    stage = CareStage.CLOSED if episode.get("closed_on") else CareStage.IN_TREATMENT
    if not episode:
        stage = CareStage.REFERRAL
    Episode.objects.filter(patient=patient).update(stage=stage, **episode)
    return patient


def mandate(administrator, patient, authority, framework, starts_on, ended_on=None):
    made = services.mandate_create(
        actor=administrator,
        patient=patient,
        **mandate_data(
            authority,
            legal_framework_id=framework,
            decision_date=starts_on,
            starts_on=starts_on,
            ends_on=d(12, 31, 2028),
            consent_on=starts_on,
        ),
    )
    if ended_on:
        Mandate.objects.filter(pk=made.pk).update(
            status=Mandate.Status.ENDED, ended_on=ended_on, end_reason=Mandate.EndReason.LIFTED
        )
    return made


def session(patient, clinician, day, code=None, *, status="scheduled", **fields):
    appointment = Appointment.objects.create(
        kind=fields.pop("kind", Appointment.Kind.INDIVIDUAL),
        starts_at=moment(day),
        patient=patient,
        status=status,
        created_by=clinician,
        **fields,
    )
    appointment.clinicians.set([clinician])
    attendance = Attendance.expected_at(appointment, patient)
    attendance.outcome = outcome(code) if code else None
    attendance.save()
    return appointment


def letter(patient, signer, *, due, signed=None, sent=None, status="sent", period=None):
    made = Letter.objects.create(
        kind="periodic_report",
        patient=patient,
        mandate=patient.mandates.first(),
        recipients=["authority"],
        language="fr",
        period_start=period or due,
        period_end=due,
        due_on=due,
        status=status,
        signed_at=moment(signed) if signed else None,
        signed_by=signer if signed else None,
        created_by=signer,
    )
    if sent is not False and signed:
        Dispatch.objects.create(
            letter=made,
            recipient="authority",
            channel="post",
            recorded_by=signer,
            sent_at=moment(sent) if sent else None,
        )
    return made


@pytest.fixture
def clinic(administrator, clinical_lead, treating_psychologist):
    x = AuthorityFactory(name="Commission X")
    y = AuthorityFactory(name="Chambre Y")
    anne = patient_with(administrator, "Anne", referred=d(11, 1, 2024), intake_on=d(12, 1, 2024))
    mandate(administrator, anne, x, "probation", d(11, 15, 2024))
    bruno = patient_with(
        administrator,
        "Bruno",
        referred=d(2, 1),
        source="prison",
        intake_on=d(3, 3),
        closed_on=d(9, 1),
        exit_reason="completed",
    )
    mandate(administrator, bruno, x, "probation", d(2, 15), ended_on=d(6, 30))
    mandate(administrator, bruno, y, "internment", d(7, 1))
    chloe = patient_with(
        administrator,
        "Chloé",
        referred=d(1, 10, 2023),
        intake_on=d(2, 1, 2023),
        closed_on=d(1, 15),
        exit_reason="stopped_by_patient",
    )
    Episode.objects.create(
        patient=chloe,
        stage=CareStage.IN_TREATMENT,
        referral_source="self",
        referral_received_on=d(5, 1),
        referral_recorded_by=administrator,
        intake_on=d(6, 10),
    )
    mandate(administrator, chloe, x, "probation", d(1, 10, 2023))
    david = patient_with(administrator, "David", referred=d(10, 1))
    mandate(administrator, david, y, "internment", d(10, 1))
    emma = patient_with(
        administrator,
        "Emma",
        referred=d(4, 1),
        intake_on=d(4, 21),
        closed_on=d(12, 31),
        exit_reason="revoked",
    )
    services.care_team_assign(
        actor=clinical_lead, patient=anne, clinician=treating_psychologist, role="lead"
    )
    anne.care_team.update(starts_on=d(12, 1, 2024))  # assigned at her intake

    # Anne's sessions: attended; moved by her (its new booking attended); cancelled by the
    # clinic; an unacceptable absence; a medical absence; one in 2024 (not counted).
    psy = treating_psychologist
    session(anne, psy, d(3, 10), "attended")
    moved = session(anne, psy, d(3, 17), status="rescheduled", change_requested_by="patient")
    session(anne, psy, d(3, 20), "attended", supersedes=moved)
    session(anne, psy, d(4, 7), status="cancelled")
    session(anne, psy, d(5, 5), "absence-unacceptable")
    medical = session(anne, psy, d(6, 2), "absence-medical")
    Attendance.objects.filter(appointment=medical).update(
        evidence=Attendance.Evidence.RECEIVED, evidence_received_on=d(6, 5)
    )
    session(anne, psy, d(12, 20, 2024), "attended")
    # A group session with Anne and Chloé, both there.
    group = TherapyGroup.objects.create(name="Mardi", weekday=1, start_time=datetime.time(18))
    together = Appointment.objects.create(
        kind=Appointment.Kind.GROUP, group=group, starts_at=moment(d(5, 20)), created_by=psy
    )
    together.clinicians.set([psy])
    for member in (anne, chloe):
        attendance = Attendance.expected_at(together, member)
        attendance.outcome = outcome("attended")
        attendance.save()

    # Anne's letters: on time; signed on time but delivered late; signed late; withdrawn;
    # due next year.
    letter(anne, psy, due=d(3, 31), signed=d(3, 25), sent=d(3, 26), period=d(1, 1))
    letter(anne, psy, due=d(6, 30), signed=d(6, 29), sent=d(7, 2), period=d(4, 1))
    letter(anne, psy, due=d(9, 30), signed=d(10, 5), sent=d(10, 5), period=d(7, 1))
    letter(anne, psy, due=d(11, 30), status="withdrawn", period=d(8, 1))
    letter(anne, psy, due=d(1, 15, 2026), signed=d(12, 20), sent=d(12, 21), period=d(10, 1))

    # Risk: Anne scored at intake (Static-99R IVa on 15 Dec 2024, STABLE-2007 high on 1 Feb,
    # due again on 1 Aug: overdue on 31 Dec); Emma scored late (133 days after her intake).
    for who, instrument, day in (
        (anne, "static99r", d(12, 15, 2024)),
        (anne, "stable2007", d(2, 1)),
        (emma, "static99r", d(9, 1)),
    ):
        draft = save(who, clinical_lead, instrument, assessed_on=day)
        Assessment.objects.filter(pk=draft.pk).update(
            status=Assessment.Status.SIGNED,
            signed_at=moment(day),
            next_due_on=d(8, 1) if instrument == "stable2007" else None,
        )
    # The sessions above were written directly, not by the services that mark them: counted
    # as every night (casework.services.session_counts).
    services.session_counts_recount_all()
    return {"x": x, "y": y, "anne": anne, "bruno": bruno, "david": david}


def figures(api, **query):
    response = api.get(API, {"year": YEAR, **query})
    assert response.status_code == 200, response.content
    data = response.json()
    values = {f["key"]: f for s in data["sections"] for f in s["figures"]}
    tables = {
        t["key"]: {row["key"]: row["count"] for row in t["rows"]}
        for s in data["sections"]
        for t in s["tables"]
    }
    return values, tables


@pytest.fixture
def lead_api(api_for, clinical_lead):
    return api_for(clinical_lead)


def test_the_way_in_counts_as_computed_by_hand(clinic, lead_api):
    values, tables = figures(lead_api)
    assert values["referrals"]["value"] == 4
    assert tables["referral_source"]["prison"] == 1
    assert tables["referral_source"]["self"] == 1
    assert tables["referral_source"]["justice_assistant"] == 2
    assert values["admissions"]["value"] == 3
    assert values["waiting_median_days"]["value"] == 30
    assert values["waiting_p90_days"]["value"] == 40
    assert values["waiting_median_days"]["denominator"] == 3
    assert values["caseload_first_day"]["value"] == 2
    assert values["caseload_last_day"]["value"] == 3
    assert values["length_median_months"]["value"] == 8.3
    assert values["length_p90_months"]["value"] == 23.5
    assert values["length_median_months"]["denominator"] == 3


def test_exits_by_reason_list_every_reason(clinic, lead_api):
    _values, tables = figures(lead_api)
    assert tables["exit_reason"] == {
        "completed": 1,
        "stopped_by_patient": 1,
        "revoked": 1,
        "transferred": 0,
        "moved": 0,
        "deceased": 0,
        "mandate_ended": 0,
        "other": 0,
    }


def test_sessions_count_a_moved_session_once_and_a_group_per_patient(clinic, lead_api):
    """Planned: 10 Mar, 20 Mar (the new booking of 17 Mar), 7 Apr (cancelled), 5 May, 2 Jun,
    and the group of 20 May twice (Anne, Chloé) = 7; individual 5, group 2; attended 4;
    outcome known 6 (4 attended, 1 medical, 1 unacceptable): 66.7%."""
    values, _tables = figures(lead_api)
    assert values["sessions_planned"]["value"] == 7
    assert values["sessions_individual"]["value"] == 5
    assert values["sessions_group"]["value"] == 2
    assert values["sessions_held"]["value"] == 4
    assert values["sessions_cancelled"]["value"] == 1
    assert values["sessions_rescheduled"]["value"] == 1
    assert values["unjustified_absences"]["value"] == 1
    assert values["attendance_rate"]["value"] == 66.7
    assert values["attendance_rate"]["denominator"] == 6


def test_sessions_not_yet_counted_are_said_then_counted_when_the_worker_comes_back(
    clinic, client_for, clinical_lead, treating_psychologist
):
    """No worker runs: a session recorded is marked but not counted, and the page says so
    rather than showing a figure as final; the worker's round brings both right."""
    session(clinic["anne"], treating_psychologist, d(6, 10), "attended")
    services.sessions_changed([clinic["anne"].pk])  # what the services do; no worker runs
    client = client_for(clinical_lead)
    waiting = "Recent changes to 1 file are still being counted"

    before = client.get(PAGE, {"year": YEAR})
    assert before.context["indicators"].figure("sessions_planned").value == 7
    assert waiting in before.content.decode()

    services.session_counts_update()
    after = client.get(PAGE, {"year": YEAR})
    assert after.context["indicators"].figure("sessions_planned").value == 8
    assert after.context["indicators"].figure("sessions_held").value == 5
    assert "still being counted" not in after.content.decode()


def test_letters_on_time_count_the_signature_and_the_last_dispatch(clinic, lead_api):
    """Due in 2025: 31 Mar (on time), 30 Jun (signed in time, posted 2 Jul), 30 Sep (signed
    5 Oct); the withdrawn one is out. Signed in 2025: four periodic reports."""
    values, tables = figures(lead_api)
    assert values["letters_due"]["value"] == 3
    assert values["letters_signed_on_time"]["value"] == 66.7
    assert values["letters_sent_on_time"]["value"] == 33.3
    assert values["letters_sent_on_time"]["denominator"] == 3
    assert tables["letters_by_type"]["periodic_report"] == 4
    assert tables["letters_by_type"]["acceptance"] == 0


def test_risk_levels_at_intake_and_latest(clinic, lead_api):
    """In care during 2025: Anne, Bruno, Chloé, Emma (David waits). Anne's Static-99R (IVa)
    came 14 days after her intake, Emma's 133 days after hers: not at intake."""
    values, tables = figures(lead_api)
    assert tables["static99r_intake"] == {"I": 0, "II": 0, "III": 0, "IVa": 1, "IVb": 0, "none": 3}
    assert tables["static99r_latest"]["IVa"] == 2
    assert tables["static99r_latest"]["none"] == 2
    assert tables["stable2007_intake"]["high"] == 1
    assert tables["stable2007_intake"]["none"] == 3
    assert values["assessments_overdue"]["value"] == 1


def test_a_mandate_changed_mid_year_counts_under_both_frameworks(clinic, lead_api):
    """Bruno had probation, then internment: referrals under probation are Bruno's and
    Chloé's; under internment Bruno's and David's."""
    probation, _ = figures(lead_api, legal_framework="probation")
    internment, _ = figures(lead_api, legal_framework="internment")
    assert probation["referrals"]["value"] == 2
    assert internment["referrals"]["value"] == 2
    by_y, _ = figures(lead_api, authority=clinic["y"].pk)
    assert by_y["referrals"]["value"] == 2  # Bruno, David
    assert by_y["caseload_first_day"]["value"] == 0


def test_the_clinician_filter_keeps_their_care_team(clinic, lead_api, treating_psychologist):
    values, _tables = figures(lead_api, clinician=treating_psychologist.pk)
    assert values["caseload_first_day"]["value"] == 1  # Anne
    assert values["referrals"]["value"] == 0
    assert values["sessions_planned"]["value"] == 6  # Chloé's group session is not hers


def test_the_page_shows_every_figure_and_is_logged(clinic, client_for, clinical_lead):
    response = client_for(clinical_lead).get(PAGE, {"year": YEAR})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="referrals"' in page
    assert "Caseload on 31 December" in page
    assert AccessEvent.objects.filter(object_type="clinic_statistics.indicators").exists()


def test_the_form_offers_choices_that_post_back(clinic, client_for, clinical_lead):
    """GET the page, take the choices it offers, send them back."""
    client = client_for(clinical_lead)
    form = client.get(PAGE).context["form"]
    chosen = {
        "year": form.fields["year"].choices[1][0],
        "legal_framework": list(form.fields["legal_framework"].choices)[1][0].value,
        "authority": clinic["x"].pk,
        "clinician": list(form.fields["clinician"].choices)[1][0].value,
    }
    response = client.get(PAGE, chosen)
    assert response.status_code == 200
    assert response.context["indicators"].question.year == chosen["year"]


@pytest.mark.parametrize("year", ["1999", "abc", str(timezone.localdate().year + 1)])
def test_a_bad_year_is_said_and_nothing_is_computed(year, client_for, clinical_lead):
    response = client_for(clinical_lead).get(PAGE, {"year": year})
    assert response.status_code == 400
    assert "indicators" not in response.context
    assert not AccessEvent.objects.filter(object_type="clinic_statistics.indicators").exists()


def test_the_csv_hides_small_counts_and_is_logged(clinic, client_for, clinical_lead):
    """Four referrals: fewer than five, hidden, and so is every source (they add up to it)."""
    response = client_for(clinical_lead).get(CSV, {"year": YEAR})
    assert response.status_code == 200
    lines = response.content.decode().splitlines()
    assert lines[0] == "section,table,key,label,value,unit,denominator"
    assert "way_in,,referrals,Referrals received,×,," in lines
    assert "way_in,referral_source,self,Self-referral,×,," in lines
    assert "way_in,referral_source,health_service,Other health service,0,," in lines
    assert "way_in,,waiting_median_days,Waiting time to the first appointment, median,×,days,×" in [
        line.replace('"', "") for line in lines
    ]
    assert AccessEvent.objects.filter(
        object_type="clinic_statistics.indicators", action="export"
    ).exists()


def _published(csv_text: str) -> dict[str, int | None]:
    """The export as a reader has it: {key: value}, None where hidden; totals keyed by table."""
    published = {}
    for row in csv.DictReader(io.StringIO(csv_text)):
        key = f"{row['table']}:{row['key']}" if row["table"] else row["key"]
        value = row["value"]
        published[key] = None if value == "×" else (int(value) if value.isdigit() else value)
    return published


def _sums(published) -> list[tuple[str, list[str]]]:
    """The sums a reader knows, written out from the definitions: a table's rows make its
    total; the referrals are the referrals by source; the two Static-99R and the two STABLE
    tables count the same people; planned sessions are individual and group ones."""
    tables: dict[str, list[str]] = {}
    for key in published:
        if ":" in key and not key.endswith(":total"):
            tables.setdefault(key.split(":")[0], []).append(key)
    sums = [(f"{table}:total", rows) for table, rows in tables.items()]
    sums.append(("referrals", tables["referral_source"]))
    for instrument in ("static99r", "stable2007"):
        sums.append((f"{instrument}_intake:total", tables[f"{instrument}_latest"]))
    sums.append(("sessions_planned", ["sessions_individual", "sessions_group"]))
    return sums


def test_no_hidden_count_of_the_export_can_be_worked_out(client_for, clinical_lead, administrator):
    """Twelve referrals (7 by the justice assistant, 3 by a prison, 2 self-referred) and eight
    exits (6 completed, 2 moved): hiding only the 1-to-4 counts gives the 2 moved back (8 - 6);
    the export hides enough that a reader solving every sum pins down nothing."""
    for n, source in enumerate(["justice_assistant"] * 7 + ["prison"] * 3 + ["self"] * 2):
        closed = {"closed_on": d(11, 1), "exit_reason": "completed" if n < 6 else "moved"}
        patient_with(
            administrator,
            f"Export{n}",
            referred=d(1, 10),
            source=source,
            intake_on=d(2, 1),
            **(closed if n < 8 else {}),
        )
    text = client_for(clinical_lead).get(CSV, {"year": YEAR}).content.decode()
    published = _published(text)
    assert published["exit_reason:moved"] is None
    assert published["referral_source:prison"] is None
    assert published["referrals"] == 12
    assert recovered(published, _sums(published)) == {}

    # Primary suppression alone: the reader finds the two who moved.
    primary = dict(published)
    for key, value in _published(_unsuppressed_csv(clinical_lead)).items():
        primary[key] = None if isinstance(value, int) and 0 < value < 5 else value
    assert recovered(primary, _sums(primary)).get("exit_reason:moved") == 2


def _unsuppressed_csv(user) -> str:
    """The same figures with nothing hidden, as the lead's page shows them."""
    from clinic_statistics.indicators import Question, indicators

    found = indicators(user, Question(year=YEAR))
    lines = ["section,table,key,label,value,unit,denominator"]
    for section in found.sections:
        for figure in section.figures:
            lines.append(f"{section.key},,{figure.key},x,{figure.value},{figure.unit},")
        for table in section.tables:
            for row in table.rows:
                lines.append(f"{section.key},{table.key},{row.key},x,{row.count},,")
            lines.append(f"{section.key},{table.key},total,x,{table.total},,")
    return "\n".join(lines)


@pytest.mark.parametrize(
    "persona", ["treating_psychologist", "administrator", "helpline_listener", "auditor"]
)
def test_only_the_clinical_lead_reads_the_indicators(persona, request, client_for, api_for):
    user = request.getfixturevalue(persona)
    assert client_for(user).get(PAGE, {"year": YEAR}).status_code == 403
    assert client_for(user).get(CSV, {"year": YEAR}).status_code == 403
    assert api_for(user).get(API, {"year": YEAR}).status_code == 403


def test_the_clinical_lead_may(client_for, api_for, clinical_lead):
    assert client_for(clinical_lead).get(PAGE, {"year": YEAR}).status_code == 200
    assert api_for(clinical_lead).get(API, {"year": YEAR}).status_code == 200


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_the_query_count_does_not_grow_with_the_clinic(
    clinic, client_for, clinical_lead, administrator, treating_psychologist
):
    client = client_for(clinical_lead)
    client.get(PAGE, {"year": YEAR})  # the caches of the first request
    with CaptureQueriesContext(connection) as empty:  # a year with nothing: no median to read
        client.get(PAGE, {"year": YEAR - 3})
    with CaptureQueriesContext(connection) as small:
        client.get(PAGE, {"year": YEAR})
    for n in range(3):
        more = patient_with(
            administrator,
            f"Autre{n}",
            referred=d(2, 1),
            intake_on=d(2, 20),
            closed_on=d(8, 1),
            exit_reason="moved",
        )
        session(more, treating_psychologist, d(3, 3), "attended")
        mandate(administrator, more, clinic["x"], "probation", d(2, 1))
    with CaptureQueriesContext(connection) as large:
        response = client.get(PAGE, {"year": YEAR})
    assert response.context["indicators"].figure("referrals").value == 7
    assert len(large) == len(small) == len(empty)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({}, "year"),
        ({"year": "abc"}, "year"),
        ({"year": "1999"}, "year"),
        ({"year": YEAR, "legal_framework": "no-such-framework"}, "legal_framework"),
        ({"year": YEAR, "clinician": "999999"}, "clinician"),
    ],
)
def test_the_api_says_what_is_wrong_and_logs_nothing(query, field, lead_api):
    response = lead_api.get(API, query)
    assert response.status_code == 400
    assert field in response.json()
    assert not AccessEvent.objects.filter(object_type="clinic_statistics.indicators").exists()


def test_the_api_answers_in_the_readers_language(clinic, lead_api):
    response = lead_api.get(API, {"year": YEAR}, HTTP_ACCEPT_LANGUAGE="nl")
    labels = {f["key"]: f["label"] for s in response.json()["sections"] for f in s["figures"]}
    assert labels["referrals"] == "Ontvangen aanmeldingen"


def test_a_share_of_many_is_hidden_when_the_count_it_stands_for_is_small():
    """1 of 3,000 reads 0.0%: the rounded share cannot say it stands for one person, the
    count it was computed from does."""
    from clinic_statistics.exports import HIDDEN, published_rows
    from clinic_statistics.indicators import Figure, Indicators, Question, Section

    def share(part, whole):
        return Figure("rate", "Rate", round(100 * part / whole, 1), "", "%", whole, part)

    rows = published_rows(
        Indicators(
            Question(year=YEAR),
            (Section("s", "S", (share(1, 3000),)), Section("t", "T", (share(1500, 3000),))),
        )
    )
    assert [row[4] for row in rows] == [HIDDEN, 50.0]
