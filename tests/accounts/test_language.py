"""Each user's language, remembered on their account: the same on every device they log in on.
Without a choice (and before logging in), pages follow the browser."""

from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, pass_second_factor

ENGLISH_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "en-GB,en;q=0.9"}


def pick(client, language):
    return client.post(reverse("set_language"), {"language": language, "next": "/"})


def log_in(client, user):
    return client.post(reverse("login"), {"username": user.username, "password": PASSWORD})


def test_a_users_language_follows_them_to_a_new_device(treating_psychologist, client_for):
    first_device = client_for(treating_psychologist)
    pick(first_device, "nl")
    first_device.post(reverse("logout"))

    new_device = Client(**ENGLISH_BROWSER)
    logged_in = log_in(new_device, treating_psychologist)
    verified = pass_second_factor(new_device, treating_psychologist)
    landing = new_device.get(verified["Location"], follow=True)
    later = new_device.get(reverse("casework:patient_list"))

    treating_psychologist.refresh_from_db()
    assert treating_psychologist.language == "nl"
    assert logged_in["Content-Language"] == "nl"  # from the very answer that logs them in
    assert landing.redirect_chain[-1][0] == "/dashboard/"
    assert '<html lang="nl"' in landing.content.decode()
    assert '<html lang="nl"' in later.content.decode()
    assert later["Content-Language"] == "nl"


def test_a_user_without_a_choice_follows_the_browser(treating_psychologist, client_for):
    client = client_for(treating_psychologist)

    page = client.get(reverse("workspace:dashboard"), HTTP_ACCEPT_LANGUAGE="fr-BE,fr;q=0.9")

    assert treating_psychologist.language == ""
    assert '<html lang="fr"' in page.content.decode()


def test_an_anonymous_visitor_follows_the_browser(treating_psychologist, client_for):
    pick(client_for(treating_psychologist), "nl")

    page = Client(HTTP_ACCEPT_LANGUAGE="fr-BE,fr;q=0.9").get(reverse("login"))

    assert '<html lang="fr"' in page.content.decode()
    assert "Se connecter" in page.content.decode()


def test_an_anonymous_choice_is_not_saved_anywhere(treating_psychologist, client):
    pick(client, "nl")

    treating_psychologist.refresh_from_db()
    assert treating_psychologist.language == ""
    assert '<html lang="nl"' in client.get(reverse("login")).content.decode()


def test_a_language_the_clinic_does_not_offer_is_not_saved(treating_psychologist, client_for):
    pick(client_for(treating_psychologist), "de")

    treating_psychologist.refresh_from_db()
    assert treating_psychologist.language == ""


def test_the_last_choice_wins_on_every_device(treating_psychologist, client_for):
    laptop, desktop = client_for(treating_psychologist), client_for(treating_psychologist)
    pick(laptop, "nl")
    pick(desktop, "fr")

    page = laptop.get(reverse("workspace:dashboard"), **ENGLISH_BROWSER)

    assert '<html lang="fr"' in page.content.decode()


def test_the_admin_shows_and_sets_a_users_language(treating_psychologist, client_for):
    from tests.factories import UserFactory

    superuser = UserFactory(username="root", is_staff=True, is_superuser=True)
    url = reverse("admin:accounts_user_change", args=[treating_psychologist.pk])

    page = client_for(superuser).get(url).content.decode()

    assert 'name="language"' in page
