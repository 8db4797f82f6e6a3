"""Addresses a letter can be posted to: an authority's (required) and a justice assistant's
(optional) end with the postcode and town, under a line with the street and number. The page,
the API and the admin refuse any other with the same message, and change nothing."""

import pytest
from django.urls import reverse

from casework.models import Authority, JusticeContact
from tests.forms import browser_form, offered
from tests.test_admin import staff

NO_POSTCODE = "The postcode and town are missing"
NO_STREET = "The street and number are missing"
NOTHING = "Enter the postal address"
EXAMPLE = "e.g. “"


def new_authority(address: str) -> dict:
    return {
        "kind": "probation_commission",
        "name": "Commission de probation de Verviers",
        "region": "wallonia",
        "language": "fr",
        "address": address,
    }


@pytest.mark.parametrize(
    "address",
    [
        "Place Saint-Lambert 16\n4000 Liège",
        "Palais de justice\nPlace Poelaert 1\n1000 Bruxelles",
        "Gerechtsgebouw\nOpgeëistenlaan 401\n9000 Gent",
        "Aachener Straße 62\n4700 Eupen",
        "Place Saint-Lambert 16\nB-4000 LIÈGE\nBelgique",
        "Rue du Palais 1 bte 3; 4800 Verviers",  # ";" ends a line, as in CLINIC_ADDRESS
        "Boulevard Royal 12\nL-1234 Luxembourg",
        "Rue de Rivoli 1\n75001 Paris\nFrance",
        "Damrak 1\nNL 1012 AB Amsterdam",
        "Damrak 1\n1012 AB Amsterdam\nNederland",
        "Theaterstraße 1\nD-52062 Aachen",
        "Postbus 90153\n5200 MC 's-Hertogenbosch",
    ],
)
def test_a_postal_address_is_kept_as_typed(address, administrator, api_for):
    response = api_for(administrator).post(
        reverse("api:authority_list"), new_authority(address), format="json"
    )

    assert response.status_code == 201, response.json()
    assert Authority.objects.get().address == address


@pytest.mark.parametrize(
    ("address", "missing"),
    [
        ("Place Saint-Lambert 16, 4000 Liège", NO_POSTCODE),  # one line
        ("Place Saint-Lambert 16\nLiège", NO_POSTCODE),
        ("Place Saint-Lambert 16\n4000", NO_POSTCODE),
        ("Place Saint-Lambert 16\n400 Liège", NO_POSTCODE),
        ("Place Saint-Lambert 16\n4000 Liège\nBelgique 2", NO_POSTCODE),
        ("Palais de justice\n4000 Liège", NO_STREET),
        ("4000 Liège\nBelgique", NO_STREET),
        ("Commission de probation de Liège\nPalais de justice", NO_POSTCODE),  # the old demo's
        ("", NOTHING),
        (";", NOTHING),
    ],
)
def test_an_address_a_letter_cannot_be_posted_to_is_refused(
    address, missing, administrator, api_for
):
    response = api_for(administrator).post(
        reverse("api:authority_list"), new_authority(address), format="json"
    )

    assert response.status_code == 400
    [message] = response.json()["address"]
    assert message.startswith(missing) and EXAMPLE in message
    assert not Authority.objects.exists()


def test_the_api_asks_an_authority_for_its_address(administrator, api_for):
    data = new_authority("")
    del data["address"]

    response = api_for(administrator).post(reverse("api:authority_list"), data, format="json")

    assert response.status_code == 400
    assert "address" in response.json()
    assert not Authority.objects.exists()


def test_the_api_refuses_a_bad_address_on_an_authority_and_keeps_the_old_one(
    authority, administrator, api_for
):
    before = authority.address

    response = api_for(administrator).patch(
        reverse("api:authority_detail", args=[authority.pk]),
        {"address": "Palais de justice\nLiège", "phone": "04 232 52 11"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["address"][0].startswith(NO_POSTCODE)
    authority.refresh_from_db()
    assert (authority.address, authority.phone) == (before, "")


def test_a_justice_contact_may_have_no_address_but_not_half_of_one(administrator, api_for):
    api = api_for(administrator)
    url = reverse("api:justice_contact_list")
    contact = {"name": "Julie Lemaire", "service": "Maison de justice de Namur", "language": "fr"}

    without = api.post(url, contact, format="json")
    half = api.post(url, {**contact, "address": "Maison de justice\n5000 Namur"}, format="json")

    assert without.status_code == 201
    assert half.status_code == 400
    assert half.json()["address"][0].startswith(NO_STREET)
    assert JusticeContact.objects.get().address == ""


def test_the_authority_page_refuses_an_address_without_postcode_in_the_users_language(
    administrator, client_for
):
    administrator.language = "fr"
    administrator.save()
    client = client_for(administrator)
    url = reverse("casework:authority_create")
    page = client.get(url)
    data = browser_form(page)
    data.update(
        name="Commission de probation de Verviers",
        kind=offered(page, "kind")[0],
        region=offered(page, "region")[0],
        language=offered(page, "language")[0],
        address="Palais de justice\nRue du Palais 1\nVerviers",
    )

    refused = client.post(url, data)
    data["address"] = "Palais de justice\nRue du Palais 1\n4800 Verviers"
    saved = client.post(url, data)

    assert refused.status_code == 200
    assert "Le code postal et la localité manquent" in refused.content.decode()
    assert saved.status_code == 302
    assert Authority.objects.get().address == data["address"]


def test_the_justice_contact_page_refuses_an_address_without_street(
    justice_contact, administrator, client_for
):
    client = client_for(administrator)
    url = reverse("casework:justice_contact_update", args=[justice_contact.pk])
    page = client.get(url)
    data = browser_form(page)
    data.update(address="Maison de justice\n4000 Liège", phone="04 232 40 11")

    response = client.post(url, data)

    assert response.status_code == 200
    assert response.context["form"].errors["address"][0].startswith(NO_STREET)
    before = (justice_contact.address, justice_contact.phone)
    justice_contact.refresh_from_db()
    assert (justice_contact.address, justice_contact.phone) == before  # nothing changed


def test_the_admin_refuses_an_authority_without_a_postal_address(administrator, client_for):
    client = client_for(staff(administrator))
    url = reverse("admin:casework_authority_add")
    page = client.get(url)
    data = browser_form(page)
    data.update(
        name="Commission de probation de Verviers",
        kind=offered(page, "kind")[0],
        region=offered(page, "region")[0],
        language=offered(page, "language")[0],
    )

    response = client.post(url, data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["address"][0].startswith(NOTHING)
    assert not Authority.objects.exists()
