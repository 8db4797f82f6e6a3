"""Isolation both ways: listeners see no patient; clinicians and administrators see no helpline
contact (404); the clinical lead and the auditor see statistics only. Pages and API alike."""

import pytest
from django.urls import reverse

from helpline.models import Contact

pytestmark = pytest.mark.django_db

PERSONAS = [
    "treating_psychologist",
    "administrator",
    "clinical_lead",
    "auditor",
    "helpline_listener",
]


@pytest.fixture
def contact(helpline_listener, contact_at):
    return contact_at(helpline_listener, summary="Worried about his thoughts.")


def contact_pages(contact):
    return [
        reverse("helpline:log"),
        reverse("helpline:contacts"),
        reverse("helpline:contact", args=[contact.pk]),
        reverse("helpline:new_code"),
    ]


STATISTICS = [reverse("helpline:statistics"), reverse("helpline:statistics_csv")]


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_listeners_reach_the_contacts(persona, contact, request, client_for):
    client = client_for(request.getfixturevalue(persona))
    expected = 404 if persona != "helpline_listener" else None
    for url in contact_pages(contact):
        status = client.get(url).status_code
        if expected:
            assert status == expected, url
        else:
            assert status in (200, 302), url
    before = Contact.objects.count()
    client.post(reverse("helpline:missed"), {"channel": "phone"})
    client.post(reverse("helpline:log"), {"channel": "phone", "duration_minutes": "3"})
    assert Contact.objects.count() == before + (2 if not expected else 0)


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("helpline_listener", 200),
        ("clinical_lead", 200),
        ("auditor", 200),
        ("treating_psychologist", 404),
        ("administrator", 404),
    ],
)
def test_the_statistics_are_for_the_listeners_the_lead_and_the_auditor(
    persona, status, contact, request, client_for
):
    client = client_for(request.getfixturevalue(persona))
    for url in STATISTICS:
        assert client.get(url).status_code == status, url
    if status == 200:
        page = client.get(STATISTICS[0]).content.decode()
        assert "Worried about his thoughts." not in page  # figures only, never a contact


def test_anonymous_visitors_are_sent_to_log_in(contact, client):
    for url in [*contact_pages(contact), *STATISTICS]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_listener_sees_no_patient(helpline_listener, patient, client_for, api_for):
    client = client_for(helpline_listener)
    assert client.get(reverse("workspace:patient", args=[patient.pk])).status_code == 404
    assert client.get(reverse("casework:patient_list")).status_code == 403
    assert client.get(reverse("workspace:dashboard")).status_code == 403
    assert api_for(helpline_listener).get(reverse("api:patient_list")).status_code in (403, 404)
    home = client.get(reverse("home"))
    assert home["Location"] == reverse("helpline:log")


# --- The API -------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_listeners_reach_the_contacts_in_the_api(persona, contact, request, api_for):
    api = api_for(request.getfixturevalue(persona))
    urls = [
        reverse("api:helpline_contact_list"),
        reverse("api:helpline_contact_detail", args=[contact.pk]),
    ]
    listener = persona == "helpline_listener"
    for url in urls:
        assert api.get(url).status_code == (200 if listener else 404), url
    response = api.post(urls[0], {"channel": "email", "duration_minutes": 4}, format="json")
    assert response.status_code == (201 if listener else 404)


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("helpline_listener", 200),
        ("clinical_lead", 200),
        ("auditor", 200),
        ("treating_psychologist", 404),
        ("administrator", 404),
    ],
)
def test_the_statistics_endpoint_answers_as_the_page(persona, status, request, api_for):
    api = api_for(request.getfixturevalue(persona))
    assert api.get(reverse("api:helpline_statistics")).status_code == status


def test_anonymous_api_calls_get_401(contact, api_for):
    api = api_for(None)
    for url in [
        reverse("api:helpline_contact_list"),
        reverse("api:helpline_contact_detail", args=[contact.pk]),
        reverse("api:helpline_statistics"),
    ]:
        assert api.get(url).status_code == 401


def test_the_api_logs_a_contact_and_gives_a_code_once(helpline_listener, api_for):
    api = api_for(helpline_listener)
    url = reverse("api:helpline_contact_list")
    first = api.post(
        url,
        {"channel": "chat", "tags": ["fear-acting-out"], "give_code": True, "duration_minutes": 30},
        format="json",
    )
    assert first.status_code == 201, first.content
    code = first.json()["new_code"]
    assert len(code) == 7 and first.json()["tags"] == ["fear-acting-out"]
    listed = api.get(url).json()["results"]
    assert all(item["new_code"] == "" for item in listed)  # shown once: never listed
    again = api.post(url, {"channel": "phone", "code": code}, format="json")
    assert again.status_code == 201 and again.json()["repeat"] is True
    assert again.json()["follow_up"] == first.json()["follow_up"]
    wrong = api.post(url, {"channel": "phone", "code": "ZZZ-ZZZ"}, format="json")
    assert wrong.status_code == 400 and "code" in wrong.json()
