import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from casework import selectors, services
from casework.models import CareTeamMembership, Episode, Mandate, Patient
from casework.views.base import PAGE_SIZE
from tests.factories import UserFactory, assign, register_patient
from workspace.views import BUSIEST_CLINICIANS_SHOWN


def list_url(**params):
    from urllib.parse import urlencode

    return reverse("casework:patient_list") + ("?" + urlencode(params) if params else "")


# --- Patient list ---------------------------------------------------------------------------


@pytest.fixture
def caseload(administrator, clinical_lead, treating_psychologist, other_psychologist, authority):
    """Three patients: two of the treating psychologist's, one of another's."""
    from casework import services
    from tests.factories import mandate_data

    mine = register_patient(administrator, last_name="Lefèvre", first_name="Michel")
    also_mine = register_patient(administrator, last_name="Willems", first_name="Koen")
    theirs = register_patient(administrator, last_name="Lambot", first_name="Yves")
    assign(mine, treating_psychologist, by=clinical_lead)
    assign(also_mine, treating_psychologist, by=clinical_lead)
    assign(theirs, other_psychologist, by=clinical_lead)
    services.mandate_create(actor=administrator, patient=theirs, **mandate_data(authority))
    return mine, also_mine, theirs


def test_the_list_searches_names_and_file_numbers(caseload, administrator, client_for):
    mine, _, theirs = caseload
    client = client_for(administrator)

    by_name = (
        client.get(list_url(q="lefevre")).content.decode()
        + client.get(list_url(q="Lefèvre")).content.decode()
    )
    by_number = client.get(list_url(q=theirs.file_number)).content.decode()

    assert mine.file_number in by_name
    assert theirs.file_number not in by_name
    assert theirs.file_number in by_number
    assert mine.file_number not in by_number


def header_search(client, query: str, start: str = "/dashboard/"):
    """Type into the search box of a page's header and press Enter, as a browser sends it."""
    page = client.get(start).content.decode()
    form = re.search(
        r'<form method="get" action="([^"]+)" role="search"[^>]*>(.*?)</form>', page, re.S
    )
    assert form, "no search in the header"
    assert 'name="q"' in form.group(2)
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form.group(2)))
    return client.get(form.group(1), {**hidden, "q": query})


def test_the_headers_search_opens_the_one_file_it_finds(
    caseload, treating_psychologist, client_for
):
    mine, also_mine, _theirs = caseload
    client = client_for(treating_psychologist)

    found = header_search(client, "LEFEVRE")  # case and accents ignored

    assert found.status_code == 302 and found["Location"] == mine.get_absolute_url()
    assert client.get(found["Location"]).status_code == 200
    several = header_search(client, mine.file_number[:4])  # the year of both files
    assert several.status_code == 200
    assert set(several.context["page"]) == {mine, also_mine}


def test_the_headers_search_finds_no_file_of_another_clinician(
    caseload, other_psychologist, client_for
):
    """Through the same door as the list: another clinician's patient is not found, not even
    as a redirect that would tell the file exists."""
    client = client_for(other_psychologist)

    response = header_search(client, "lefevre")

    assert response.status_code == 200
    assert list(response.context["page"]) == []


def test_a_helpline_listener_has_no_patient_search(helpline_listener, client_for):
    client = client_for(helpline_listener)
    page = client.get("/", follow=True).content.decode()

    assert 'role="search"' not in page[: page.index("</header>")]


def test_each_row_names_the_current_lead_therapist(
    caseload, administrator, clinical_lead, treating_psychologist, other_psychologist, client_for
):
    *_, theirs = caseload
    services.care_team_end(actor=clinical_lead, membership=theirs.care_team.get())

    page = client_for(administrator).get(list_url()).content.decode()

    rows = {row.split("</a>", 1)[0].rsplit(">", 1)[-1]: row for row in page.split("<tr")}
    assert str(treating_psychologist) in rows[caseload[0].file_number]
    assert str(other_psychologist) not in rows[theirs.file_number]  # ended: nobody leads it


def test_the_list_filters_by_clinician_authority_and_status(
    caseload, administrator, other_psychologist, authority, client_for
):
    *_, theirs = caseload
    client = client_for(administrator)

    by_clinician = client.get(list_url(clinician=other_psychologist.pk)).context["page"]
    by_authority = client.get(list_url(authority=authority.pk)).context["page"]
    in_treatment = client.get(list_url(status="in_treatment")).context["page"]

    assert list(by_clinician) == [theirs]
    assert list(by_authority) == [theirs]
    assert list(in_treatment) == []


def test_an_unknown_status_or_page_is_ignored(caseload, administrator, client_for):
    response = client_for(administrator).get(list_url(status="nonsense", page="z"))

    assert response.status_code == 200
    assert response.context["page"].paginator.count == 3


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"clinician": "x"}, "Choose one of the options offered."),
        ({"clinician": "9" * 30}, "Choose one of the options offered."),
        ({"q": "a" * 100_000}, "A search can be 100 characters long at most."),
        ({"q": " ".join(["dupont"] * 4000)}, "A search can be 100 characters long at most."),
        ({"q": "a b c d e f g"}, "Search with 6 words at most."),
        ({"q": "dupont\x00"}, "Text may not contain NUL characters."),
    ],
)
def test_a_bad_filter_gets_a_clear_400(params, message, caseload, administrator, client_for):
    response = client_for(administrator).get(list_url(**params))

    assert response.status_code == 400
    assert message in response.content.decode()


def test_a_psychologist_lists_only_their_own_patients(caseload, treating_psychologist, client_for):
    mine, also_mine, _ = caseload

    page = client_for(treating_psychologist).get(list_url()).context["page"]

    assert set(page) == {mine, also_mine}


def test_the_list_is_paginated_by_25(administrator, client_for):
    for i in range(27):
        register_patient(administrator, last_name=f"Name{i:02d}")

    client = client_for(administrator)
    first, second = client.get(list_url()), client.get(list_url(page=2))

    assert len(first.context["page"]) == 25
    assert len(second.context["page"]) == 2
    assert "Page 2 of 2" in second.content.decode()


def test_an_empty_search_says_so(caseload, administrator, client_for):
    response = client_for(administrator).get(list_url(q="nobody-by-that-name"))

    assert "No patient matches these filters." in response.content.decode()


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_list_costs_the_same_queries_for_3_or_25_patients(
    administrator, clinical_lead, treating_psychologist, authority, client_for
):
    from casework import services
    from tests.factories import mandate_data

    def add(n):
        for i in range(n):
            patient = register_patient(administrator, last_name=f"Q{i}")
            assign(patient, treating_psychologist, by=clinical_lead)
            services.mandate_create(actor=administrator, patient=patient, **mandate_data(authority))

    client = client_for(administrator)
    add(3)
    few = _queries(client, list_url())
    add(22)
    many = _queries(client, list_url())

    assert few == many


def test_the_patient_page_costs_the_same_queries_however_long_the_file(
    patient, administrator, clinical_lead, other_psychologist, authority, client_for
):
    from casework import services
    from tests.factories import mandate_data

    client = client_for(administrator)
    url = patient.get_absolute_url()
    small = _queries(client, url)
    for _ in range(4):
        services.mandate_create(actor=administrator, patient=patient, **mandate_data(authority))
    assign(patient, other_psychologist, by=clinical_lead, role="co")

    assert _queries(client, url) == small


def test_the_dashboard_costs_the_same_queries_however_many_patients(
    administrator, clinical_lead, treating_psychologist, client_for
):
    client = client_for(treating_psychologist)
    assign(register_patient(administrator), treating_psychologist, by=clinical_lead)
    few = _queries(client, reverse("workspace:dashboard"))
    for i in range(10):
        assign(
            register_patient(administrator, last_name=f"D{i}"),
            treating_psychologist,
            by=clinical_lead,
        )

    assert _queries(client, reverse("workspace:dashboard")) == few


def test_the_leads_home_counts_each_clinicians_current_files(
    administrator, clinical_lead, treating_psychologist, other_psychologist, client_for
):
    for n in range(3):
        assign(
            register_patient(administrator, last_name=f"C{n}"),
            treating_psychologist,
            by=clinical_lead,
        )
    ended = assign(register_patient(administrator), other_psychologist, by=clinical_lead)
    services.care_team_end(actor=clinical_lead, membership=ended)

    page = client_for(clinical_lead).get(reverse("workspace:dashboard"))

    caseloads = [(c.name, c.patients) for c in page.context["caseloads"]]
    assert caseloads[0] == (str(treating_psychologist), 3)
    assert (str(other_psychologist), 0) in caseloads  # an ended place is not a file of theirs
    assert len(caseloads) == len(set(caseloads))
    # Plain values, no user instance a row; each name opens that clinician's patients.
    assert all(isinstance(c, selectors.Caseload) for c in page.context["caseloads"])
    patients_of = f'{list_url()}?clinician={treating_psychologist.pk}"'
    assert patients_of in page.content.decode()
    # Every clinician is on the page: no link to the rest.
    assert reverse("workspace:caseloads") not in page.content.decode()


def clinicians_with_caseloads(n, *, administrator, clinical_lead, busiest=3):
    """n more psychologists; the first `busiest` have 3, 2 and 1 patients."""
    psychologists = [
        UserFactory(username=f"psy.{i:02}", last_name=f"Z{i:02}", role=Role.PSYCHOLOGIST)
        for i in range(n)
    ]
    for i, psychologist in enumerate(psychologists[:busiest]):
        for _ in range(busiest - i):
            assign(register_patient(administrator), psychologist, by=clinical_lead)
    return psychologists


def test_the_leads_home_shows_the_busiest_clinicians_then_links_to_all(
    administrator, clinical_lead, client_for
):
    psychologists = clinicians_with_caseloads(
        12, administrator=administrator, clinical_lead=clinical_lead
    )
    total = 12 + 1  # and the lead, a clinician too

    page = client_for(clinical_lead).get(reverse("workspace:dashboard"))

    shown = page.context["caseloads"]
    assert len(shown) == BUSIEST_CLINICIANS_SHOWN
    assert [c.clinician_id for c in shown[:3]] == [p.pk for p in psychologists[:3]]
    assert [c.patients for c in shown] == sorted((c.patients for c in shown), reverse=True)
    link = page.content.decode().split(f'href="{reverse("workspace:caseloads")}">', 1)[1]
    assert link.startswith(f"All clinicians' caseloads ({total})</a>")


def test_the_leads_home_costs_the_same_queries_for_3_or_30_clinicians(
    administrator, clinical_lead, treating_psychologist, other_psychologist, client_for
):
    for clinician in (treating_psychologist, other_psychologist):
        assign(register_patient(administrator), clinician, by=clinical_lead)
    client = client_for(clinical_lead)
    url = reverse("workspace:dashboard")
    client.get(url)  # the first request of a session pays for what it caches
    few = _queries(client, url)  # the lead and the two psychologists
    # 27 more clinicians, the same patients: only the table's clinicians change.
    clinicians_with_caseloads(
        27, administrator=administrator, clinical_lead=clinical_lead, busiest=0
    )

    assert _queries(client, url) == few


def test_the_caseloads_page_lists_every_clinician_busiest_first_a_page_at_a_time(
    administrator, clinical_lead, client_for
):
    psychologists = clinicians_with_caseloads(
        30, administrator=administrator, clinical_lead=clinical_lead
    )
    client = client_for(clinical_lead)
    url = reverse("workspace:caseloads")

    first, second = client.get(url), client.get(url + "?page=2")

    rows = first.context["caseloads"] + second.context["caseloads"]
    assert len(first.context["caseloads"]) == PAGE_SIZE
    assert {c.clinician_id for c in rows} == {p.pk for p in psychologists} | {clinical_lead.pk}
    assert [c.patients for c in rows] == [3, 2, 1] + [0] * 28
    assert rows[0].name == str(psychologists[0])
    assert f'{list_url()}?clinician={psychologists[0].pk}"' in first.content.decode()
    assert 'rel="next"' in first.content.decode()
    assert "Page 2 of 2" in second.content.decode()


@pytest.mark.parametrize("number", ["abc", "0", "-1", "999", "1.5"])
def test_a_bad_page_number_shows_a_page_of_caseloads(number, clinical_lead, client_for):
    page = client_for(clinical_lead).get(reverse("workspace:caseloads") + f"?page={number}")

    assert page.status_code == 200
    assert [c.clinician_id for c in page.context["caseloads"]] == [clinical_lead.pk]


def test_the_caseloads_page_says_when_there_is_no_clinician(clinical_lead, client_for, monkeypatch):
    # The lead is a clinician and so always listed: no clinician is only possible in a
    # selector's answer.
    no_one = selectors.caseload_by_clinician().none()
    monkeypatch.setattr(selectors, "caseload_by_clinician", lambda: no_one)

    page = client_for(clinical_lead).get(reverse("workspace:caseloads"))

    assert page.status_code == 200
    assert "No clinician works at the clinic yet." in page.content.decode()
    assert "<table" not in page.content.decode()


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("clinical_lead", 200),
        ("treating_psychologist", 403),
        ("other_psychologist", 403),
        ("administrator", 403),
        ("helpline_listener", 403),
    ],
)
def test_only_the_lead_sees_the_caseloads(persona, status, request, client_for):
    user = request.getfixturevalue(persona)

    assert client_for(user).get(reverse("workspace:caseloads")).status_code == status
    home = client_for(user).get(reverse("workspace:dashboard"))
    assert ("caseloads" in (home.context or {})) == (status == 200)


def test_the_caseloads_page_sends_the_anonymous_to_the_login(client):
    page = client.get(reverse("workspace:caseloads"))

    assert page.status_code == 302
    assert page["Location"].startswith(reverse("login"))


def test_the_home_counts_the_open_files_by_stage_and_links_to_the_closed(
    administrator, clinical_lead, client_for
):
    def at(stage, last_name):
        patient = register_patient(administrator, last_name=last_name)
        episode = patient.episodes.get()
        on = episode.referral_received_on
        if stage != "referral":
            services.episode_record_intake(actor=administrator, episode=episode, on=on)
        if stage in ("in_treatment", "closed"):
            services.episode_start_treatment(actor=administrator, episode=episode, on=on)
        if stage == "closed":
            services.episode_close(
                actor=administrator,
                episode=episode,
                on=on,
                exit_reason=Episode.ExitReason.COMPLETED,
            )

    for stage, n in [("referral", 1), ("intake", 2), ("in_treatment", 3), ("closed", 4)]:
        for i in range(n):
            at(stage, f"{stage}{i}")

    for persona in (administrator, clinical_lead):
        page = client_for(persona).get(reverse("workspace:dashboard"))

        assert page.context["stages"] == [
            ("Referral received", 1),
            ("Intake", 2),
            ("In treatment", 3),
        ]
        # Closed files are not counted on the home page (it would read them all): a link
        # lists them.
        assert f'{list_url()}?status=closed"' in page.content.decode()
    assert selectors.caseload_by_stage(administrator) == {
        "referral": 1,
        "intake": 2,
        "in_treatment": 3,
    }


@pytest.mark.parametrize("persona", ["administrator", "clinical_lead"])
def test_the_home_page_lists_the_files_in_care_without_a_lead_therapist(
    persona, request, administrator, clinical_lead, treating_psychologist, client_for
):
    def in_intake(last_name):
        patient = register_patient(administrator, last_name=last_name)
        episode = patient.episodes.get()
        services.episode_record_intake(
            actor=administrator, episode=episode, on=episode.referral_received_on
        )
        return patient

    led, co_only, lead_left = in_intake("Led"), in_intake("CoOnly"), in_intake("LeadLeft")
    referral = register_patient(administrator, last_name="Referral")  # not in care yet
    assign(led, treating_psychologist, by=clinical_lead)
    assign(
        co_only, treating_psychologist, by=clinical_lead, role=CareTeamMembership.Role.CO_THERAPIST
    )
    left = assign(lead_left, treating_psychologist, by=clinical_lead)
    services.care_team_end(actor=clinical_lead, membership=left)

    page = client_for(request.getfixturevalue(persona)).get(reverse("workspace:dashboard"))

    assert set(page.context["without_lead"]) == {co_only, lead_left}
    assert referral not in page.context["without_lead"]
    services.care_team_assign(
        actor=clinical_lead, patient=lead_left, clinician=treating_psychologist, role="lead"
    )
    again = client_for(request.getfixturevalue(persona)).get(reverse("workspace:dashboard"))
    assert list(again.context["without_lead"]) == [co_only]


def test_the_home_page_says_how_long_each_referral_has_waited(administrator, client_for):
    today = timezone.localdate()
    register_patient(
        administrator, last_name="Waits", referral_received_on=today - datetime.timedelta(days=9)
    )

    page = client_for(administrator).get(reverse("workspace:dashboard"))

    [referral] = page.context["waiting"]
    assert (referral.patient.last_name, referral.days) == ("Waits", 9)
    assert "waiting 9 days" in page.content.decode()


def test_the_patient_page_shows_each_running_mandates_period_and_counters(
    patient, administrator, treating_psychologist, client_for
):
    services.episode_record_intake(
        actor=administrator, episode=patient.episodes.get(), on=datetime.date(2025, 12, 1)
    )

    page = client_for(treating_psychologist).get(patient.get_absolute_url())

    [standing] = page.context["compliance"]
    assert standing.mandate == patient.mandates.get() and standing.is_running
    assert standing.period.first_day <= timezone.localdate() < standing.period.end
    assert standing.counters["planned"] == 0
    start = standing.period.first_day.strftime("%d/%m/%Y")
    assert f"reporting period {start}" in page.content.decode()
    assert page.context["mandates"] == [standing]  # the same standing, counted once


# --- Registering and editing ----------------------------------------------------------------

REGISTRATION = {
    "last_name": "Collard",
    "first_name": "Didier",
    "date_of_birth": "1975-04-02",
    "sex": "male",
    "preferred_language": "fr",
    "referral_source": "justice_assistant",
    "referral_received_on": "2026-02-02",
}


def test_an_administrator_registers_a_referral(administrator, client_for):
    response = client_for(administrator).post(reverse("casework:patient_create"), REGISTRATION)

    patient = Patient.objects.get()
    assert response.status_code == 302
    assert response["Location"] == patient.get_absolute_url()
    assert patient.episodes.get().referral_received_on == datetime.date(2026, 2, 2)


def test_a_psychologist_may_not_register_a_referral(treating_psychologist, client_for):
    client = client_for(treating_psychologist)

    assert client.get(reverse("casework:patient_create")).status_code == 403
    assert client.post(reverse("casework:patient_create"), REGISTRATION).status_code == 403
    assert not Patient.objects.exists()


def test_a_registration_with_errors_explains_them_and_saves_nothing(administrator, client_for):
    data = {**REGISTRATION, "date_of_birth": "2999-01-01", "last_name": ""}  # an age of -973

    response = client_for(administrator).post(reverse("casework:patient_create"), data)

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "This field is required." in errors["last_name"]
    assert "The clinic treats people aged 12 to 110" in errors["date_of_birth"][0]
    assert 'aria-invalid="true"' in response.content.decode()
    assert not Patient.objects.exists()


def test_the_treating_psychologist_edits_contact_details(
    patient, treating_psychologist, client_for
):
    url = reverse("casework:patient_update", args=[patient.pk])
    data = {**REGISTRATION, "phone": "+32 470 12 34 56"}

    response = client_for(treating_psychologist).post(url, data)

    patient.refresh_from_db()
    assert response.status_code == 302
    assert patient.phone == "+32 470 12 34 56"
    assert patient.history.count() >= 2  # who changed what stays on record


def test_a_mandate_form_with_a_missing_consent_date_is_refused(
    patient, administrator, authority, client_for
):
    url = reverse("casework:mandate_create", args=[patient.pk])
    data = {
        "authority": authority.pk,
        "legal_framework": "probation",
        "decision_date": "2026-01-02",
        "starts_on": "2026-01-10",
        "session_frequency": "weekly",
        "reporting_interval_months": "6",
        "sharing_basis": "consent",
        "status": "active",
    }

    response = client_for(administrator).post(url, data)

    assert response.status_code == 200
    assert response.context["form"].errors["consent_on"] == [
        "Record the date the patient signed the consent."
    ]
    assert Mandate.objects.filter(patient=patient).count() == 1
    ok = client_for(administrator).post(url, {**data, "consent_on": "2026-01-10"})
    assert ok.status_code == 302
    assert Mandate.objects.filter(patient=patient).count() == 2


def test_an_episode_step_records_the_intake_from_the_patient_page(
    patient, administrator, client_for
):
    episode = patient.episodes.get()
    url = reverse("casework:episode_intake", args=[patient.pk, episode.pk])
    intake_on = episode.referral_received_on + datetime.timedelta(days=15)

    response = client_for(administrator).post(url, {"on": intake_on.isoformat()})

    episode.refresh_from_db()
    assert response.status_code == 302
    assert episode.stage == "intake"
    assert episode.waiting_days == 15


def test_skipping_an_episode_step_shows_the_reason(patient, administrator, client_for):
    episode = patient.episodes.get()
    url = reverse("casework:episode_treatment", args=[patient.pk, episode.pk])

    response = client_for(administrator).post(url, {"on": "2026-01-20"})

    assert response.status_code == 200
    assert "cannot move to" in response.content.decode()


# --- Care team ------------------------------------------------------------------------------


def test_the_care_team_pages_are_for_administrators_and_the_lead(
    patient, treating_psychologist, administrator, other_psychologist, client_for
):
    url = reverse("casework:care_team_add", args=[patient.pk])
    data = {"clinician": other_psychologist.pk, "role": "co", "starts_on": "2026-02-01"}

    assert client_for(treating_psychologist).post(url, data).status_code == 403
    assert client_for(administrator).post(url, data).status_code == 302
    assert patient.care_team.filter(clinician=other_psychologist, ends_on__isnull=True).exists()


def test_ending_a_place_asks_for_confirmation_first(
    patient, administrator, treating_psychologist, client_for
):
    membership = CareTeamMembership.objects.get(patient=patient)
    url = reverse("casework:care_team_end", args=[patient.pk, membership.pk])
    client = client_for(administrator)

    confirm = client.get(url)
    membership.refresh_from_db()
    assert confirm.status_code == 200
    assert "Their access to this file ends today" in confirm.content.decode()
    assert membership.ends_on is None

    assert client.post(url).status_code == 302
    membership.refresh_from_db()
    assert membership.ends_on is not None
    assert client_for(treating_psychologist).get(patient.get_absolute_url()).status_code == 404


# --- Reference data -------------------------------------------------------------------------


def test_psychologists_read_authorities_but_may_not_edit_them(
    authority, treating_psychologist, client_for
):
    client = client_for(treating_psychologist)

    assert authority.name in client.get(reverse("casework:authority_list")).content.decode()
    assert client.get(reverse("casework:authority_create")).status_code == 403


def test_an_administrator_adds_a_justice_contact(administrator, client_for):
    response = client_for(administrator).post(
        reverse("casework:justice_contact_create"),
        {
            "name": "Julie Lemaire",
            "service": "Maison de justice de Namur",
            "language": "fr",
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    from casework.models import JusticeContact

    assert JusticeContact.objects.get().name == "Julie Lemaire"


@pytest.mark.parametrize("persona", ["helpline_listener", "auditor"])
def test_helpline_and_audit_see_no_reference_data(persona, request, client_for):
    client = client_for(request.getfixturevalue(persona))

    assert client.get(reverse("casework:authority_list")).status_code == 403
    assert client.get(reverse("casework:justice_contact_list")).status_code == 403
