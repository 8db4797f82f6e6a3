"""The clinic's electronic seal on its letters: a PAdES signature, made with pyHanko.

Every signature a PDF receives goes through one function, `seal_pdf`: when a clinician's
Belgian eID card is to sign instead (the roadmap; docs/letters.md, "Sealed, archivable PDFs"),
it is the one function to replace.

The seal is PAdES baseline B-B (ETSI EN 319 142-1): a CMS signature over the whole file with the
clinic's certificate and its chain, and no timestamp (no timestamp authority is reachable from a
worker here). It is added as an incremental update: the PDF/A rendered stays as it was, byte for
byte, in front of the signature's revision.
"""

import functools
import os
import warnings
from io import BytesIO

from asn1crypto import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding, pkcs12
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

with warnings.catch_warnings():
    # pyHanko still imports cryptography's DSA key types, deprecated there; no seal uses DSA.
    warnings.filterwarnings("ignore", message="DSA is deprecated")
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign import fields, signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

FIELD_NAME = "ClinicSeal"


def seal_if_configured(pdf: bytes) -> bytes:
    """The PDF sealed when this installation has a seal, else as it is (the demo, a laptop)."""
    return seal_pdf(pdf) if settings.LETTER_SEAL_CERTIFICATE else pdf


def seal_pdf(pdf: bytes) -> bytes:
    """The PDF with the clinic's seal: an invisible signature field, signed."""
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    # pyHanko would write itself into the producer, differently in the document information and
    # in the XMP metadata, which must agree in PDF/A-1 (ISO 19005-1, 6.7.3) and had better agree
    # in any archive; its author's advice is to skip its metadata update (pyHanko issue #223).
    # The metadata stays as rendered.
    writer._update_meta = lambda: None
    signature = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=settings.CLINIC_NAME,
        location=settings.CLINIC_PLACE,
    )
    sealed = signers.sign_pdf(
        writer,
        signature,
        signer=_seal(),
        new_field_spec=fields.SigFieldSpec(FIELD_NAME),  # no box: invisible, printed nowhere
    )
    return sealed.getvalue()


class _Seal(signers.Signer):
    """The seal's key and certificate chain, from a PKCS#12 file. Not pyHanko's SimpleSigner:
    it loads its key again at each signature, twice per seal, and each load of an RSA key is
    checked anew, some 60 ms: more than the rest of a seal (docs/performance.md)."""

    def __init__(self, pkcs12_data: bytes, password: bytes | None):
        key, certificate, chain = pkcs12.load_key_and_certificates(pkcs12_data, password)
        if certificate is None or not isinstance(
            key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
        ):
            raise ValueError("it holds no RSA or elliptic-curve key with its certificate")
        der = [
            x509.Certificate.load(cert.public_bytes(Encoding.DER)) for cert in (certificate, *chain)
        ]
        super().__init__(signing_cert=der[0], cert_registry=SimpleCertificateStore.from_certs(der))
        self._key = key

    async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run=False) -> bytes:
        # The mechanisms pyHanko chooses for these keys: RSA PKCS#1 v1.5, and ECDSA.
        digest = getattr(hashes, digest_algorithm.upper())()
        if isinstance(self._key, rsa.RSAPrivateKey):
            return self._key.sign(data, padding.PKCS1v15(), digest)
        return self._key.sign(data, ec.ECDSA(digest))


def _seal() -> _Seal:
    path = settings.LETTER_SEAL_CERTIFICATE
    try:
        return _seal_from(path, os.stat(path).st_mtime_ns, settings.LETTER_SEAL_PASSWORD)
    except (OSError, ValueError) as error:
        raise ImproperlyConfigured(
            f"LETTER_SEAL_CERTIFICATE: cannot read the seal from {path!r} with "
            f"LETTER_SEAL_PASSWORD ({error})."
        ) from error


@functools.lru_cache(maxsize=1)
def _seal_from(path: str, modified: int, password: str) -> _Seal:
    """Read once per process and file: a renewed file (a new modification time) is read again,
    without restarting the workers."""
    with open(path, "rb") as handle:
        return _Seal(handle.read(), password.encode() or None)


def is_sealed(pdf: bytes) -> bool:
    """Whether the PDF carries a signature: cheap, nothing verified (a recipient verifies)."""
    return bool(PdfFileReader(BytesIO(pdf)).embedded_signatures)
