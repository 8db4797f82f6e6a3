"""Two-factor authentication (TOTP, django-otp): required of every staff role, enrolled by QR
code, with single-use recovery codes; the clinical lead resets it, and the reset is logged."""

import re

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AccessEvent
from tests.factories import PASSWORD, code_for, enrol, pass_second_factor
from tests.forms import browser_form

TWO_FACTOR, SETUP = reverse("accounts:two_factor"), reverse("accounts:two_factor_setup")


def password_only(user, address="10.0.0.1") -> Client:
    client = Client(REMOTE_ADDR=address)
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


PERSONAS = [
    "treating_psychologist",
    "administrator",
    "clinical_lead",
    "helpline_listener",
    "auditor",
]


@pytest.mark.parametrize("persona", PERSONAS)
def test_after_the_password_every_role_is_asked_to_enrol_before_any_page(persona, request):
    user = request.getfixturevalue(persona)
    client = password_only(user)

    for url in (
        "/",
        "/dashboard/",
        "/patients/",
        reverse("audit:event_list"),
        "/admin/",
        "/account/",
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(SETUP), url
    assert client.get(SETUP).status_code == 200


def test_an_enrolled_user_is_asked_for_the_code_and_the_api_refuses_the_session(
    treating_psychologist,
):
    enrol(treating_psychologist)
    client = password_only(treating_psychologist)

    page = client.get("/patients/")
    assert page["Location"] == f"{TWO_FACTOR}?next=/patients/"
    api = client.get(reverse("api:patient_list"))
    assert api.status_code == 403
    assert "second factor" in api.json()["detail"]


def test_enrolment_by_qr_code_then_a_code_opens_the_pages_and_gives_recovery_codes(
    treating_psychologist,
):
    client = password_only(treating_psychologist)
    page = client.get(SETUP)
    html = page.content.decode()
    assert "<svg" in html  # the QR code, inline
    device = TOTPDevice.objects.get(user=treating_psychologist, confirmed=False)
    secret = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', html).group(1)
    assert secret.replace(" ", "") in device.config_url  # what the QR code holds, to type

    data = browser_form(page)
    data["code"] = f"{totp(device.bin_key):06d}"
    done = client.post(SETUP, data)

    assert done.status_code == 200
    codes = done.context["codes"]
    assert len(codes) == 10 and all(code in done.content.decode() for code in codes)
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/dashboard/").status_code == 200


def test_a_wrong_code_at_enrolment_says_so_and_enrols_nothing(treating_psychologist):
    client = password_only(treating_psychologist)
    client.get(SETUP)

    response = client.post(SETUP, {"code": "000000"})

    assert "not right" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=treating_psychologist, confirmed=True).exists()
    assert client.get("/dashboard/").status_code == 302


def test_the_code_opens_the_pages_and_gives_the_session_a_new_key(treating_psychologist):
    client = password_only(treating_psychologist)
    before = client.session.session_key

    response = pass_second_factor(client, treating_psychologist)

    assert response.status_code == 302
    assert client.session.session_key != before
    assert client.get("/dashboard/").status_code == 200


def test_the_code_returns_to_the_page_asked_for_and_never_elsewhere(treating_psychologist):
    device = enrol(treating_psychologist)
    client = password_only(treating_psychologist)

    response = client.post(f"{TWO_FACTOR}?next=https://evil.example/", {"code": code_for(device)})
    assert response["Location"] == reverse("home")
    client = password_only(treating_psychologist)
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    response = client.post(TWO_FACTOR, {"code": code_for(device), "next": "/patients/"})
    assert response["Location"] == "/patients/"


def test_a_code_is_accepted_once(treating_psychologist):
    device = enrol(treating_psychologist)
    code = code_for(device)
    first, second = password_only(treating_psychologist), password_only(treating_psychologist)

    assert first.post(TWO_FACTOR, {"code": code}).status_code == 302
    replay = second.post(TWO_FACTOR, {"code": code})

    assert replay.status_code == 200
    assert "not right" in replay.content.decode()


def test_a_recovery_code_works_once(treating_psychologist):
    enrol(treating_psychologist)
    client = password_only(treating_psychologist)
    pass_second_factor(client, treating_psychologist)
    codes = client.post(reverse("accounts:recovery_codes")).context["codes"]

    phone_lost = password_only(treating_psychologist)
    assert phone_lost.post(TWO_FACTOR, {"code": codes[0].upper()}).status_code == 302
    assert phone_lost.get("/dashboard/").status_code == 200
    again = password_only(treating_psychologist)
    assert again.post(TWO_FACTOR, {"code": codes[0]}).status_code == 200
    assert StaticToken.objects.filter(device__user=treating_psychologist).count() == 9


def test_new_recovery_codes_void_the_earlier_ones(treating_psychologist):
    client = password_only(treating_psychologist)
    pass_second_factor(client, treating_psychologist)
    old = client.post(reverse("accounts:recovery_codes")).context["codes"]
    new = client.post(reverse("accounts:recovery_codes")).context["codes"]

    assert set(old).isdisjoint(new)
    assert (
        password_only(treating_psychologist).post(TWO_FACTOR, {"code": old[0]}).status_code == 200
    )


def test_asking_for_new_recovery_codes_by_their_address_asks_first_and_changes_nothing(
    treating_psychologist,
):
    """The address typed or followed (a bookmark, the back button) is a question with its
    button, never a blank 405; the codes the user has stay valid until they confirm."""
    client = password_only(treating_psychologist)
    pass_second_factor(client, treating_psychologist)
    kept = client.post(reverse("accounts:recovery_codes")).context["codes"]

    page = client.get(reverse("accounts:recovery_codes"))

    assert page.status_code == 200
    body = page.content.decode()
    assert "stop working" in body and 'method="post"' in body
    assert "codes" not in page.context or page.context.get("codes") is None
    assert StaticToken.objects.filter(device__user=treating_psychologist).count() == len(kept)
    confirmed = client.post(reverse("accounts:recovery_codes"))  # the page's button
    assert set(confirmed.context["codes"]).isdisjoint(kept)


@pytest.mark.parametrize("kind", ["app", "recovery"])
def test_a_right_code_a_second_after_a_wrong_one_is_judged_on_its_own(treating_psychologist, kind):
    """A slip of the finger, then the right code at once: it opens. Wrong codes are counted
    by the lock-out (below), not by a pause that refuses the right one."""
    client = password_only(treating_psychologist)
    pass_second_factor(client, treating_psychologist)
    recovery = client.post(reverse("accounts:recovery_codes")).context["codes"]
    device = enrol(treating_psychologist)
    type(device).objects.filter(pk=device.pk).update(last_t=-1)
    right = code_for(device) if kind == "app" else recovery[0]
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}" if kind == "app" else "abcd-efgh"

    second = password_only(treating_psychologist)
    assert second.post(TWO_FACTOR, {"code": wrong}).status_code == 200
    assert second.post(TWO_FACTOR, {"code": right}).status_code == 302


def test_wrong_codes_count_as_failed_logins_and_lock_the_account(treating_psychologist):
    device = enrol(treating_psychologist)
    client = password_only(treating_psychologist)
    for _ in range(10):
        client.post(TWO_FACTOR, {"code": "123456"})

    response = client.post(TWO_FACTOR, {"code": code_for(device)})

    assert response.status_code == 429
    assert client.get("/dashboard/").status_code == 302
    assert AccessAttempt.objects.get().username == "psy.treating"
    failed = AccessEvent.objects.filter(action="login_failed", username="psy.treating")
    assert failed.count() == 10


def test_the_lead_resets_a_second_factor_and_it_is_logged(
    treating_psychologist, clinical_lead, client_for
):
    device = enrol(treating_psychologist)
    victim_session = password_only(treating_psychologist)
    pass_second_factor(victim_session, treating_psychologist)
    lead = client_for(clinical_lead)
    team = lead.get(reverse("accounts:staff_list"))
    assert team.status_code == 200
    url = reverse("accounts:staff_two_factor_reset", args=[treating_psychologist.pk])
    assert url in team.content.decode()

    assert lead.get(url).status_code == 200  # the question first
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    assert lead.post(url).status_code == 302

    assert not TOTPDevice.objects.filter(user=treating_psychologist).exists()
    assert victim_session.get("/dashboard/").status_code == 302  # sessions ended
    again = password_only(treating_psychologist)
    assert again.get("/dashboard/")["Location"].startswith(SETUP)
    event = AccessEvent.objects.get(
        action="update", object_type="accounts.user", label__startswith="Two-factor"
    )
    assert event.user == clinical_lead
    assert "psy.treating" in event.label


@pytest.mark.parametrize("persona", ["treating_psychologist", "administrator", "auditor"])
def test_nobody_but_the_lead_may_reset_a_second_factor(persona, request, client_for, clinical_lead):
    enrol(clinical_lead)
    client = client_for(request.getfixturevalue(persona))
    url = reverse("accounts:staff_two_factor_reset", args=[clinical_lead.pk])

    assert client.get(reverse("accounts:staff_list")).status_code == 403
    assert client.post(url).status_code == 403
    assert TOTPDevice.objects.filter(user=clinical_lead).exists()


def test_the_demo_setting_turns_it_off_and_says_so(treating_psychologist, settings):
    settings.TWO_FACTOR_REQUIRED = False
    client = password_only(treating_psychologist)

    page = client.get("/dashboard/")

    assert page.status_code == 200
    assert "two-factor authentication is off" in page.content.decode()


def test_between_the_password_and_the_code_the_page_offers_no_navigation(
    treating_psychologist, client_for
):
    enrol(treating_psychologist)
    pending = password_only(treating_psychologist).get(TWO_FACTOR).content.decode()
    verified = client_for(treating_psychologist).get("/dashboard/").content.decode()

    for link in (reverse("casework:patient_list"), reverse("accounts:account")):
        assert f'href="{link}"' not in pending
        assert f'href="{link}"' in verified
    assert "Log out" in pending
