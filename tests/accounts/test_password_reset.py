"""Forgot your password: a link by e-mail (Django's password reset views), queued in the
outbox, the same answer whether or not the address is an account's, a short-lived link, the
other sessions ended, the second factor still asked (docs/security.md)."""

import datetime
import re

import pytest
from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessEvent
from common.models import OutboxMessage
from tests.accounts.test_lockout import LIMIT, fail, logged_in, login
from tests.factories import PASSWORD
from tests.forms import browser_form

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a new and long enough password 2026"
RESET = reverse("password_reset")


def ask_for_a_link(email, client=None):
    client = client or Client()
    page = client.get(reverse("login"))
    assert RESET in page.content.decode()  # "Forgot your password?" on the login page
    form = client.get(RESET)
    assert form.status_code == 200
    return client.post(RESET, {**browser_form(form), "email": email})


def article(response) -> str:
    """The page's own content (the frame around it carries a nonce of its own)."""
    return re.search(r"<article.*</article>", response.content.decode(), re.S).group(0)


def link_in(message) -> str:
    match = re.search(
        re.escape(settings.SITE_URL) + r"(/password/reset/[^/\s]+/[^/\s]+/)", message.body
    )
    assert match, message.body
    return match.group(1)


def choose_new_password(link, password=NEW_PASSWORD, client=None):
    client = client or Client()
    opened = client.get(link, follow=True)
    assert opened.status_code == 200
    form = browser_form(opened)
    form.update(new_password1=password, new_password2=password)
    return client.post(opened.redirect_chain[-1][0], form)


def test_forgot_password_from_the_request_to_the_login_with_the_new_one(treating_psychologist):
    asked = ask_for_a_link(treating_psychologist.email)

    assert asked.status_code == 302
    assert asked["Location"] == reverse("password_reset_done")
    message = OutboxMessage.objects.get()
    assert message.to == [treating_psychologist.email]
    assert message.sent_at is None  # a worker sends it, after the commit
    assert message.subject == "Forensic outpatient clinic: choose a new password"
    assert '"psy.treating"' in message.body and "within 60 minutes" in message.body

    done = choose_new_password(link_in(message))

    assert done.status_code == 302
    assert done["Location"] == reverse("password_reset_complete")
    complete = Client().get(done["Location"])
    assert reverse("login") in complete.content.decode()
    assert login(Client(), "psy.treating", PASSWORD).status_code == 200  # the old one: no more
    client = Client()
    assert login(client, "psy.treating", NEW_PASSWORD, "10.0.0.2").status_code == 302
    assert logged_in(client)
    second_factor = client.get("/dashboard/")  # still asked
    assert second_factor["Location"].startswith(reverse("accounts:two_factor_setup"))


def test_the_request_and_the_reset_are_in_the_access_log(treating_psychologist):
    message = ask_for_a_link(treating_psychologist.email) and OutboxMessage.objects.get()
    choose_new_password(link_in(message))

    asked = AccessEvent.objects.get(action="send", object_type="accounts.user")
    reset, ended = AccessEvent.objects.filter(action="update", object_type="accounts.user")
    for event in (asked, reset, ended):
        assert event.user == treating_psychologist
        assert event.object_id == str(treating_psychologist.pk)
    assert "reset" in asked.label and "reset" in reset.label
    assert "ended: password reset" in ended.label  # with every credential of the account


def test_an_unknown_address_gets_the_same_answer_and_no_mail(treating_psychologist):
    known = ask_for_a_link(treating_psychologist.email)
    OutboxMessage.objects.all().delete()

    unknown = ask_for_a_link("nobody@clinic.example")

    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
    assert article(Client().get(unknown["Location"])) == article(Client().get(known["Location"]))
    assert not OutboxMessage.objects.exists()
    # Logged without the address typed (it may be anyone's) and without naming an account.
    event = AccessEvent.objects.filter(action="denied").get()
    assert event.user is None and event.username == ""
    assert "nobody" not in event.label


def test_an_inactive_account_gets_no_mail(treating_psychologist):
    treating_psychologist.is_active = False
    treating_psychologist.save()

    assert ask_for_a_link(treating_psychologist.email).status_code == 302
    assert not OutboxMessage.objects.exists()


def test_an_address_that_is_no_address_is_refused_with_a_message(treating_psychologist):
    response = ask_for_a_link("not an address")

    assert response.status_code == 200
    assert "Enter a valid email address." in response.content.decode()
    assert not OutboxMessage.objects.exists()


def test_the_link_lives_an_hour(treating_psychologist, monkeypatch):
    assert settings.PASSWORD_RESET_TIMEOUT == 3600
    ask_for_a_link(treating_psychologist.email)
    link = link_in(OutboxMessage.objects.get())
    later = PasswordResetTokenGenerator._now(PasswordResetTokenGenerator())
    monkeypatch.setattr(
        PasswordResetTokenGenerator, "_now", lambda self: later + datetime.timedelta(minutes=61)
    )

    expired = Client().get(link, follow=True)

    assert expired.status_code == 200
    page = expired.content.decode()
    assert "This link has expired or has already been used" in page
    assert RESET in page  # ask for another
    assert 'name="new_password1"' not in page


def test_the_link_works_once(treating_psychologist):
    ask_for_a_link(treating_psychologist.email)
    link = link_in(OutboxMessage.objects.get())
    choose_new_password(link)

    again = Client().get(link, follow=True)

    assert "This link has expired or has already been used" in again.content.decode()


def test_two_different_new_passwords_change_nothing(treating_psychologist):
    ask_for_a_link(treating_psychologist.email)
    client = Client()
    opened = client.get(link_in(OutboxMessage.objects.get()), follow=True)
    form = browser_form(opened)
    form.update(new_password1=NEW_PASSWORD, new_password2=NEW_PASSWORD + "x")

    refused = client.post(opened.redirect_chain[-1][0], form)

    assert refused.status_code == 200
    assert "The two password fields didn" in refused.content.decode()
    assert login(Client(), "psy.treating", PASSWORD).status_code == 302


def test_the_reset_ends_the_other_sessions(treating_psychologist, client_for):
    elsewhere = client_for(treating_psychologist)
    assert elsewhere.get("/dashboard/").status_code == 200
    ask_for_a_link(treating_psychologist.email)

    choose_new_password(link_in(OutboxMessage.objects.get()))

    assert elsewhere.get("/dashboard/").status_code == 302


def test_a_completed_reset_lifts_the_accounts_lock(treating_psychologist):
    fail(LIMIT, "psy.treating", "10.0.0.1")
    assert login(Client(), "psy.treating", PASSWORD, "10.0.0.1").status_code == 429
    ask_for_a_link(treating_psychologist.email)

    choose_new_password(link_in(OutboxMessage.objects.get()))

    client = Client()
    assert login(client, "psy.treating", NEW_PASSWORD, "10.0.0.1").status_code == 302
    assert logged_in(client)


@pytest.mark.parametrize("persona", ["treating_psychologist", None])
def test_the_reset_pages_are_open_to_anyone(persona, request, client_for):
    client = client_for(request.getfixturevalue(persona) if persona else None)
    for name in ("password_reset", "password_reset_done", "password_reset_complete"):
        assert client.get(reverse(name)).status_code == 200


def test_the_message_is_in_the_users_language(treating_psychologist):
    treating_psychologist.language = "fr"
    treating_psychologist.save()

    ask_for_a_link(treating_psychologist.email)

    message = OutboxMessage.objects.get()
    assert message.subject.endswith("choisir un nouveau mot de passe")
    assert "ouvrez ce lien dans les 60 minutes" in message.body


def test_a_new_colleague_whose_first_link_expired_asks_for_another(clinical_lead):
    """An account the lead opened has no password until its owner chooses one: when the
    first link has expired, "Forgot your password?" sends another (Django's form would not:
    it skips accounts without a usable password)."""
    from accounts import staff
    from accounts.roles import Role

    newcomer = staff.account_create(
        actor=clinical_lead,
        username="psy.nouveau",
        first_name="Nora",
        last_name="Nouveau",
        email="nora@clinic.example",
        role=Role.PSYCHOLOGIST,
    )
    first = OutboxMessage.objects.get(to=[newcomer.email])
    assert "60 minutes" in first.body  # the lifetime the link really has
    OutboxMessage.objects.all().delete()

    ask_for_a_link(newcomer.email)

    choose_new_password(link_in(OutboxMessage.objects.get(to=[newcomer.email])))
    assert login(Client(), "psy.nouveau", NEW_PASSWORD).status_code == 302


def test_a_stranger_cannot_fill_a_colleagues_mailbox_and_the_next_hour_works(
    treating_psychologist, settings, monkeypatch
):
    """Three links an hour to one account, whatever the number of requests; the fourth gets the
    same page, sends nothing and is logged as refused. An hour on, a link is sent again, and it
    works."""
    for _ in range(settings.PASSWORD_RESET_LINKS_PER_HOUR):
        ask_for_a_link(treating_psychologist.email)
    assert OutboxMessage.objects.count() == 3

    limited = ask_for_a_link(treating_psychologist.email)

    assert limited.status_code == 302 and limited["Location"] == reverse("password_reset_done")
    assert OutboxMessage.objects.count() == 3
    refused = AccessEvent.objects.get(action="denied", object_type="accounts.user")
    assert refused.user == treating_psychologist
    assert "not e-mailed" in refused.label

    an_hour_on = timezone.now() + datetime.timedelta(hours=1, minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: an_hour_on)
    ask_for_a_link(treating_psychologist.email)
    latest = OutboxMessage.objects.latest("pk")
    assert OutboxMessage.objects.count() == 4
    monkeypatch.undo()
    assert choose_new_password(link_in(latest)).status_code == 302
    client = Client()
    assert login(client, treating_psychologist.username, NEW_PASSWORD).status_code == 302
    assert logged_in(client)


def test_the_limit_counts_one_account_not_the_others(treating_psychologist, other_psychologist):
    for _ in range(4):
        ask_for_a_link(treating_psychologist.email)
    ask_for_a_link(other_psychologist.email)
    assert OutboxMessage.objects.filter(to=[other_psychologist.email]).count() == 1
