"""What an uploaded file is, read from its bytes: never from its name, nor from the type the
browser claims (a script renamed `.pdf` is still a script). PDF and images only: files a
browser shows or saves, never runs (docs/documents.md)."""

import dataclasses
import hashlib

from PIL import Image, UnidentifiedImageError

# How far from its end a PDF's last "%%EOF" may be (trailing whitespace, a scanner's padding).
PDF_TAIL = 1024


@dataclasses.dataclass(frozen=True)
class Kind:
    content_type: str
    extension: str


PDF = Kind("application/pdf", ".pdf")
PNG = Kind("image/png", ".png")
JPEG = Kind("image/jpeg", ".jpg")
ACCEPTED = (PDF, PNG, JPEG)
IMAGES = {"PNG": PNG, "JPEG": JPEG}


def _is_pdf(upload) -> bool:
    upload.seek(0)
    if upload.read(5) != b"%PDF-":
        return False
    upload.seek(max(upload.size - PDF_TAIL, 0))
    return b"%%EOF" in upload.read()


def _image(upload) -> Kind | None:
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            kind = IMAGES.get(image.format or "")
            image.verify()  # the whole structure, not only the header
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None
    return kind


def sniff(upload) -> Kind | None:
    """The file's kind from its content, or None when it is none of ACCEPTED."""
    try:
        return PDF if _is_pdf(upload) else _image(upload)
    finally:
        upload.seek(0)


def sha256(upload) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()
