"""The clinic's seal on its letters: a PAdES signature a recipient can check, on a PDF that stays
PDF/A; and no letter e-mailed without it where it is required (eIDAS, Regulation (EU)
No 910/2014, art. 35(2): a qualified seal is presumed to vouch for the origin and integrity of
what it seals)."""

import hashlib
import os
import subprocess
import sys
import time
from io import BytesIO
from pathlib import Path
from types import SimpleNamespace

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12
from django.core import mail
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.urls import reverse
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfReader

from casework.models import JusticeContact
from common.pdf import render_pdf
from reports import services as letters
from reports.models import Dispatch, Letter
from reports.sealing import is_sealed, seal_pdf
from tests.forms import browser_form
from tests.reports.certificates import certificate, name
from tests.reports.pdf_helpers import (
    catalog,
    info_and_xmp_producer,
    output_intents,
    pdf_fonts,
    pdf_text,
    pdfa_identification,
    xmp_packet,
)
from tests.test_project import PRODUCTION, ROOT

PASSWORD = "seal-password-for-tests"
REFUSED = "carries no electronic seal"


@pytest.fixture(scope="module")
def certificate_authority():
    """A throw-away certificate authority: its root, and the clinic's seal it issued, in a
    PKCS#12 file as a qualified trust service provider would deliver it. The seal's key is RSA,
    which keeps a sealed PDF at PDF 1.7 (docs/letters.md)."""
    root_key = ec.generate_private_key(ec.SECP256R1())
    root = certificate(
        name("Test root CA"), name("Test root CA"), root_key.public_key(), root_key, ca=True
    )

    def pkcs12_file(common_name, key):
        seal = certificate(name(common_name), root.subject, key.public_key(), root_key, ca=False)
        return pkcs12.serialize_key_and_certificates(
            b"clinic seal", key, seal, [root], BestAvailableEncryption(PASSWORD.encode())
        )

    der = root.public_bytes(serialization.Encoding.DER)
    return SimpleNamespace(
        root=asn1_x509.Certificate.load(der),
        p12=pkcs12_file("Clinic seal", rsa.generate_private_key(65537, 2048)),
        ec_p12=pkcs12_file("Clinic seal (EC)", ec.generate_private_key(ec.SECP256R1())),
    )


@pytest.fixture
def seal(certificate_authority, tmp_path, settings):
    """The seal configured as an installation configures it."""
    path = tmp_path / "seal.p12"
    path.write_bytes(certificate_authority.p12)
    settings.LETTER_SEAL_CERTIFICATE, settings.LETTER_SEAL_PASSWORD = str(path), PASSWORD
    return certificate_authority


@pytest.fixture
def required(settings):
    settings.LETTER_SEAL_REQUIRED = True


def rendered_letter(patient, administrator, psychologist) -> Letter:
    """Drafted, signed and rendered through the services, as the worker renders it."""
    letter = letters.letter_draft(
        actor=administrator,
        patient=patient,
        kind="difficulty",
        mandate=patient.mandates.get(),
        paragraph="La personne arrive régulièrement en retard aux séances.",
    )
    letters.letter_sign(actor=psychologist, letter=letter)
    assert letters.letter_render(letter_id=letter.pk)
    letter.refresh_from_db()
    return letter


@pytest.fixture
def letter(patient, administrator, treating_psychologist):
    return rendered_letter(patient, administrator, treating_psychologist)


def only_signature(pdf: bytes):
    (signature,) = PdfFileReader(BytesIO(pdf)).embedded_signatures
    return signature


def validated(pdf: bytes, root):
    return validate_pdf_signature(only_signature(pdf), ValidationContext(trust_roots=[root]))


# --- The seal --------------------------------------------------------------------------------


def test_a_sealed_letter_carries_a_seal_that_validates_intact_and_trusted(
    seal, letter, patient, settings
):
    pdf = bytes(letter.pdf)

    status = validated(pdf, seal.root)

    assert status.intact and status.valid and status.trusted, status.pretty_print_details()
    assert status.coverage.name == "ENTIRE_FILE" and status.bottom_line
    assert status.signing_cert.subject.native["common_name"] == "Clinic seal"
    signature = only_signature(pdf)
    assert signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES
    assert signature.sig_object["/Reason"] == settings.CLINIC_NAME
    assert signature.sig_object["/Location"] == settings.CLINIC_PLACE
    assert list(signature.sig_field["/Rect"]) == [0, 0, 0, 0]  # invisible: the page is the letter
    # What is stored, and its SHA-256, are the sealed bytes; the letter reads as before.
    assert letter.pdf_sha256 == hashlib.sha256(pdf).hexdigest() and is_sealed(pdf)
    assert patient.last_name.upper() in pdf_text(pdf)
    # Rendered once, sealed once: a second delivery of the task changes nothing.
    assert letters.letter_render(letter_id=letter.pk) is False
    letter.refresh_from_db()
    assert bytes(letter.pdf) == pdf


def test_one_byte_changed_inside_the_signed_range_breaks_the_seal(seal, letter):
    pdf = bytes(letter.pdf)
    # A byte of the colour profile the pages print with, well inside the first signed range.
    reader = PdfReader(BytesIO(pdf))
    profile = catalog(pdf)["/OutputIntents"][0].get_object().raw_get("/DestOutputProfile")
    changed = pdf.index(b"stream", reader.xref[profile.generation][profile.idnum]) + 100
    assert changed < only_signature(pdf).sig_object["/ByteRange"][1]
    tampered = pdf[:changed] + bytes([pdf[changed] ^ 0x01]) + pdf[changed + 1 :]

    status = validated(tampered, seal.root)

    # The document's digest no longer matches the one the seal signed (pyHanko's "valid" only
    # says that the signature over that digest is the certificate's): the seal is broken.
    assert not status.intact and not status.bottom_line


def test_a_sealed_letter_is_still_pdfa(seal, letter):
    pdf = bytes(letter.pdf)
    rendered = pdf[: pdf.index(b"%%EOF") + len(b"%%EOF\n")]  # the revision before the seal

    assert is_sealed(pdf) and not is_sealed(rendered)
    assert pdfa_identification(rendered) == ("2", "B")
    # The seal is an incremental update that leaves the PDF/A metadata as rendered: the same
    # XMP, declaring PDF/A-2b, and a producer equal in it and in the document information.
    assert xmp_packet(pdf) == xmp_packet(rendered)
    assert pdfa_identification(pdf) == ("2", "B")
    producer, xmp_producer = info_and_xmp_producer(pdf)
    assert producer == xmp_producer
    assert pdf.startswith(b"%PDF-1.7") and "/Version" not in catalog(pdf)  # PDF/A-2: PDF 1.7
    assert output_intents(pdf) == ["/GTS_PDFA1"]
    assert all(pdf_fonts(pdf).values())
    flags = only_signature(pdf).sig_field["/F"]
    # ISO 19005-2, 6.3.2: Print set; Invisible, Hidden, NoView and ToggleNoView clear
    assert flags & 4 and not flags & (1 | 2 | 32 | 256)


def test_without_a_seal_configured_a_letter_is_rendered_unsealed(letter, settings):
    assert not settings.LETTER_SEAL_CERTIFICATE
    pdf = bytes(letter.pdf)

    assert not is_sealed(pdf)
    assert letter.pdf_matches() and pdfa_identification(pdf) == ("2", "B")


def test_a_seal_that_cannot_be_read_stops_the_render_and_stores_nothing(
    seal, patient, administrator, treating_psychologist, settings
):
    settings.LETTER_SEAL_PASSWORD = "not the password"

    with pytest.raises(ImproperlyConfigured, match="LETTER_SEAL_CERTIFICATE"):
        rendered_letter(patient, administrator, treating_psychologist)

    # Never an unsealed letter where a seal is configured: the worker's next round tries again.
    assert not Letter.objects.get().pdf_sha256


def test_a_renewed_seal_is_taken_at_once_and_an_elliptic_curve_key_seals_too(
    seal, settings, certificate_authority
):
    pdf = render_pdf("<p>Lettre</p>")
    assert validated(seal_pdf(pdf), seal.root).signing_cert.subject.native["common_name"] == (
        "Clinic seal"
    )
    renewed = Path(settings.LETTER_SEAL_CERTIFICATE)
    renewed.write_bytes(certificate_authority.ec_p12)
    os.utime(renewed, ns=(time.time_ns() + 10**9,) * 2)  # however coarse the file system's clock

    sealed = seal_pdf(pdf)

    status = validated(sealed, seal.root)  # read again, without a restart
    assert status.bottom_line and status.signing_cert.subject.native["common_name"] == (
        "Clinic seal (EC)"
    )
    # With an elliptic-curve key pyHanko declares PDF 2.0 (ISO 32002): docs/letters.md says so.
    assert catalog(sealed)["/Version"] == "/2.0"


# --- No e-mail without the seal where it is required ----------------------------------------


def test_where_a_seal_is_required_an_unsealed_letter_cannot_be_emailed(
    required, letter, administrator
):
    with pytest.raises(ValidationError) as refused:
        letters.letter_dispatch(
            actor=administrator,
            letter=letter,
            recipient="justice_assistant",
            channel="email",
            to="ja@justice.example",
        )

    assert REFUSED in str(refused.value.message_dict["channel"])
    letter.refresh_from_db()
    assert letter.status == Letter.Status.SIGNED and not Dispatch.objects.exists()
    assert not mail.outbox
    # By post it still goes, to each of its recipients.
    for recipient in letter.recipients:
        letters.letter_dispatch(
            actor=administrator, letter=letter, recipient=recipient, channel="post"
        )
    letter.refresh_from_db()
    assert letter.status == Letter.Status.SENT


def test_where_a_seal_is_required_a_sealed_letter_is_emailed_with_its_seal(
    required, seal, letter, administrator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the outbox sends after the commit
        letters.letter_dispatch(
            actor=administrator,
            letter=letter,
            recipient="justice_assistant",
            channel="email",
            to="ja@justice.example",
        )

    ((_name, attachment, _type),) = mail.outbox[0].attachments
    assert attachment == bytes(letter.pdf) and validated(attachment, seal.root).bottom_line


def dispatch_page(client, patient, letter):
    url = reverse("reports:dispatch", args=[patient.pk, letter.pk])
    data = {**browser_form(client.get(url)), "channel": "email", "to": "ja@justice.example"}
    return client.post(url, data)


@pytest.mark.parametrize(("sealed", "proposed"), [(False, "post"), (True, "email")])
def test_the_dispatch_page_proposes_email_only_for_a_letter_that_may_go_by_email(
    sealed, proposed, required, request, patient, administrator, client_for
):
    if sealed:
        request.getfixturevalue("seal")
    letter = rendered_letter(
        patient, administrator, request.getfixturevalue("treating_psychologist")
    )
    JusticeContact.objects.update(email="ja@justice.example")
    url = reverse("reports:dispatch", args=[patient.pk, letter.pk])

    form = browser_form(client_for(administrator).get(url + "?recipient=justice_assistant"))

    assert form["channel"] == proposed
    assert ("@" in form["to"]) is sealed


def test_the_dispatch_page_says_why_an_unsealed_letter_cannot_be_emailed(
    required, letter, patient, administrator, client_for
):
    response = dispatch_page(client_for(administrator), patient, letter)

    assert response.status_code == 200
    assert REFUSED in str(response.context["form"].errors["channel"])
    assert not Dispatch.objects.exists()


def test_the_dispatch_page_emails_a_sealed_letter(
    required, seal, letter, patient, administrator, client_for
):
    response = dispatch_page(client_for(administrator), patient, letter)

    assert response.status_code == 302
    assert Dispatch.objects.get().channel == "email"


def test_the_api_refuses_to_email_an_unsealed_letter_and_emails_a_sealed_one(
    required,
    patient,
    administrator,
    treating_psychologist,
    api_for,
    settings,
    certificate_authority,
    tmp_path,
):
    unsealed = rendered_letter(patient, administrator, treating_psychologist)
    path = tmp_path / "seal.p12"
    path.write_bytes(certificate_authority.p12)
    settings.LETTER_SEAL_CERTIFICATE, settings.LETTER_SEAL_PASSWORD = str(path), PASSWORD
    sealed = rendered_letter(patient, administrator, treating_psychologist)
    api = api_for(administrator)
    body = {"recipient": "justice_assistant", "channel": "email", "to": "ja@justice.example"}

    def dispatch(letter):
        url = reverse("api:letter_dispatch", args=[patient.pk, letter.pk])
        return api.post(url, body, format="json")

    refused = dispatch(unsealed)
    assert refused.status_code == 400 and REFUSED in str(refused.json()["channel"])
    assert dispatch(sealed).status_code == 201
    assert list(Dispatch.objects.values_list("letter", flat=True)) == [sealed.pk]


def test_production_requires_the_seal_to_email_whatever_the_environment_says():
    script = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.LETTER_SEAL_REQUIRED)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, **PRODUCTION, "LETTER_SEAL_REQUIRED": "false"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.stdout.strip() == "True", result.stderr
