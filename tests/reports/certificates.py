"""Throw-away certificates for the clinic's seal: a root and the seal it issues, in the
PKCS#12 file a trust service provider would deliver (docs/letters.md, "Sealed, archivable
PDFs")."""

import datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12
from cryptography.x509.oid import NameOID


def name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "BE"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Forensic outpatient clinic"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def certificate(subject, issuer, public_key, issuer_key, *, ca: bool) -> x509.Certificate:
    now = datetime.datetime.now(datetime.UTC)
    usage = dict.fromkeys(
        (
            "digital_signature",
            "content_commitment",
            "key_encipherment",
            "data_encipherment",
            "key_agreement",
            "key_cert_sign",
            "crl_sign",
            "encipher_only",
            "decipher_only",
        ),
        False,
    )
    if ca:
        usage.update(key_cert_sign=True, crl_sign=True)
    else:  # a seal signs, and stands by what it signs (non-repudiation)
        usage.update(digital_signature=True, content_commitment=True)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(**usage), critical=True)
        .sign(issuer_key, hashes.SHA256())
    )


def seal_pkcs12(password: str) -> bytes:
    """A seal with an RSA key, issued by a root of its own, in a PKCS#12 file."""
    root_key = ec.generate_private_key(ec.SECP256R1())
    root = certificate(
        name("Test root CA"), name("Test root CA"), root_key.public_key(), root_key, ca=True
    )
    key = rsa.generate_private_key(65537, 2048)
    seal = certificate(name("Clinic seal"), root.subject, key.public_key(), root_key, ca=False)
    return pkcs12.serialize_key_and_certificates(
        b"clinic seal", key, seal, [root], BestAvailableEncryption(password.encode())
    )
