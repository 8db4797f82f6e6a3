"""The recipient's postal address prints in the envelope's window line by line, as typed."""

import re

from django.urls import reverse

from reports import services as letters


def test_the_authoritys_address_prints_line_by_line_as_typed(
    patient, authority, administrator, client_for
):
    authority.address = "Palais de justice\r\nPlace Saint-Lambert 16 ; 4000 Liège\nBelgique"
    authority.save()
    letter = letters.letter_draft(
        actor=administrator,
        patient=patient,
        kind="acceptance",
        mandate=patient.mandates.get(),
        recipients=["authority", "justice_assistant"],
    )

    page = client_for(administrator).get(reverse("reports:preview", args=[patient.pk, letter.pk]))

    block = re.search(r'<section class="recipient".*?</section>', page.content.decode(), re.S)
    assert re.findall(r"<p[^>]*>(.*?)</p>", block.group()) == [
        "Commission de probation de Liège",
        "Palais de justice",
        "Place Saint-Lambert 16",
        "4000 Liège",
        "Belgique",
    ]
