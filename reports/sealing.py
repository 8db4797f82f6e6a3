"""The clinic's electronic seal on its letters: a PAdES signature, made with pyHanko.

Every signature a PDF receives goes through one function, `seal_pdf`: when a clinician's
Belgian eID card is to sign instead (the roadmap; docs/letters.md, "Sealed, archivable PDFs"),
it is the one function to replace.

The seal is PAdES baseline B-B (ETSI EN 319 142-1): a CMS signature over the whole file with the
clinic's certificate and its chain, and no timestamp (no timestamp authority is reachable from a
worker here). It is added as an incremental update: the PDF/A rendered stays as it was, byte for
byte, in front of the signature's revision.
"""

import warnings
from io import BytesIO

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

with warnings.catch_warnings():
    # pyHanko still imports cryptography's DSA key types, deprecated there; no seal uses DSA.
    warnings.filterwarnings("ignore", message="DSA is deprecated")
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign import fields, signers

FIELD_NAME = "ClinicSeal"


def seal_if_configured(pdf: bytes) -> bytes:
    """The PDF sealed when this installation has a seal, else as it is (the demo, a laptop)."""
    return seal_pdf(pdf) if settings.LETTER_SEAL_CERTIFICATE else pdf


def seal_pdf(pdf: bytes) -> bytes:
    """The PDF with the clinic's seal: an invisible signature field, signed."""
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    # pyHanko would write itself into the producer, differently in the document information and
    # in the XMP metadata, which PDF/A forbids (ISO 19005-2, 6.6.2.3.1); its author's advice is
    # to skip its metadata update (pyHanko issue #223). The rendered metadata stays as it was.
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


def _seal() -> signers.SimpleSigner:
    """The seal's key and certificate chain, read at each use: a renewed certificate is taken
    without restarting the workers."""
    path = settings.LETTER_SEAL_CERTIFICATE
    try:
        with open(path, "rb") as handle:
            return signers.SimpleSigner.load_pkcs12_data(
                handle.read(),
                other_certs=(),
                passphrase=settings.LETTER_SEAL_PASSWORD.encode() or None,
            )
    except (OSError, ValueError) as error:
        raise ImproperlyConfigured(
            f"LETTER_SEAL_CERTIFICATE: cannot read the seal from {path!r} with "
            f"LETTER_SEAL_PASSWORD ({error})."
        ) from error


def is_sealed(pdf: bytes) -> bool:
    """Whether the PDF carries a signature: cheap, nothing verified (a recipient verifies)."""
    return bool(PdfFileReader(BytesIO(pdf)).embedded_signatures)
