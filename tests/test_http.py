"""HTTP answers carry what every page of a clinic's files needs, whoever wrote the view."""

import pytest
from django.urls import reverse


@pytest.mark.parametrize(
    "url",
    [
        lambda patient: patient.get_absolute_url(),
        lambda patient: reverse("api:patient_detail", args=[patient.pk]),
        lambda patient: reverse("api:appointment_list", args=[patient.pk]),
        lambda patient: reverse("casework:agenda"),
        lambda patient: reverse("casework:patient_list"),
    ],
)
def test_nothing_that_names_a_patient_is_kept_by_a_browser_or_proxy(
    url, patient, treating_psychologist, client_for
):
    response = client_for(treating_psychologist).get(url(patient))

    assert response.status_code == 200
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"no-store", "private"} <= directives


def test_even_a_404_or_the_login_page_is_not_stored(client, treating_psychologist, client_for):
    assert "no-store" in client.get(reverse("login"))["Cache-Control"]
    assert "no-store" in client_for(treating_psychologist).get("/patients/999/")["Cache-Control"]


def test_a_nul_character_in_a_form_post_is_a_400_that_changes_nothing(
    patient, administrator, client_for
):
    response = client_for(administrator).post(
        reverse("casework:patient_update", args=[patient.pk]), {"last_name": "Du\x00pont"}
    )

    assert response.status_code == 400
    assert "NUL" in response.content.decode()
    patient.refresh_from_db()
    assert patient.last_name == "Dupont"


# --- The client's address behind the reverse proxy (config.middleware.ClientAddressMiddleware)


@pytest.mark.parametrize(
    ("trusted", "peer", "forwarded", "seen"),
    [
        # No proxy configured: the peer is the client, whatever a header claims.
        ("", "203.0.113.5", "198.51.100.9", "203.0.113.5"),
        # The proxy appended what it saw.
        ("127.0.0.1", "127.0.0.1", "198.51.100.9", "198.51.100.9"),
        # A client's own X-Forwarded-For is on the left: the proxy's hop is on the right.
        ("127.0.0.1", "127.0.0.1", "1.2.3.4, 198.51.100.9", "198.51.100.9"),
        # Two proxies of ours, given as a network: past both.
        ("10.0.0.0/8,127.0.0.1", "127.0.0.1", "198.51.100.9, 10.0.0.7", "198.51.100.9"),
        # A peer that is not our proxy: its header is not believed.
        ("127.0.0.1", "203.0.113.5", "198.51.100.9", "203.0.113.5"),
        # Garbage: the proxy's own address stays.
        ("127.0.0.1", "127.0.0.1", "unknown", "127.0.0.1"),
    ],
)
def test_the_client_address_is_the_one_our_proxy_saw_never_one_a_client_claims(
    trusted, peer, forwarded, seen, settings, patient, treating_psychologist, client_for
):
    from audit.models import AccessEvent

    settings.TRUSTED_PROXIES = [entry for entry in trusted.split(",") if entry]
    client = client_for(treating_psychologist)

    response = client.get(
        patient.get_absolute_url(), REMOTE_ADDR=peer, HTTP_X_FORWARDED_FOR=forwarded
    )

    event = AccessEvent.objects.get(request_id=response["X-Request-ID"], action="view")
    assert event.client_address == seen


def test_the_helpline_never_learns_an_address_even_through_the_proxy(
    settings, helpline_listener, client_for
):
    from audit.models import AccessEvent

    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    client = client_for(helpline_listener)
    events = AccessEvent.objects.count()

    response = client.get(
        reverse("helpline:log"), REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.9"
    )

    assert response.status_code == 200
    assert response.wsgi_request.META["REMOTE_ADDR"] == ""
    assert AccessEvent.objects.count() == events


@pytest.mark.parametrize(
    ("path", "answer"),
    [
        ("/login/", "<title>"),  # the clinic's own 400 page, rendered whole
        ("/patients/", "<title>"),
        ("/helpline/", "<title>"),
        ("/api/v1/patients/", '"detail"'),  # the API answers in JSON
    ],
)
def test_a_host_the_clinic_does_not_serve_gets_a_400_then_the_clinic_works_on(
    client, path, answer, db
):
    """A request whose Host is not in ALLOWED_HOSTS is refused before anyone is known: its
    error page must not need a user (it answered 500)."""
    refused = client.get(path, HTTP_HOST="clinic.attacker.example")

    assert refused.status_code == 400
    assert answer in refused.content.decode()
    assert client.get("/login/").status_code == 200
