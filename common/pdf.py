"""HTML to PDF with WeasyPrint, reading nothing but the project's own static files: the letters
(reports) and the patient's access copy (privacy) are printed here.

A letter's HTML names its stylesheet, fonts and logo by their static URLs ("/static/...").
WeasyPrint resolves them against STATIC_BASE and asks `StaticOnlyFetcher`, which serves them
from the static finders (or, in production, the collected files named by their hash) and
refuses everything else: no network, no file:// path, no data: URL
smuggled in by a paragraph. A refused resource fails the render instead of printing a letter
without its letterhead (docs/letters.md).

Every PDF is PDF/A-2b, the archival profile (ISO 19005-2) a letter kept 30 to 50 years needs:
fonts embedded, an sRGB output intent, XMP metadata that declares it.

Rendering takes a second or so: only workers call this, never a web request (which is also
why callers import it inside the function that renders: WeasyPrint stays out of web processes).
Rendered once, whatever the number of deliveries: common.render_once.
"""

import mimetypes
import posixpath
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from weasyprint import HTML
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

# An origin that cannot exist (RFC 2606): relative URLs are resolved against it, and only its
# static path is served.
STATIC_BASE = "https://letter.invalid/"


class RefusedResource(FatalURLFetchingError):
    """A letter asked for something that is not one of our static files."""


class StaticOnlyFetcher(URLFetcher):
    def __init__(self):
        super().__init__(allowed_protocols=("https",), fail_on_errors=True)

    def fetch(self, url, headers=None):
        path = static_path(url)
        if path is None:
            raise RefusedResource(f"Refused: {url!r} is not one of the clinic's static files")
        found = finders.find(path) or collected(path)
        if not found:
            raise RefusedResource(f"Refused: no static file {path!r}")
        content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
        with open(found, "rb") as handle:
            body = handle.read()
        return URLFetcherResponse(url, body, {"Content-Type": content_type})


def collected(path: str) -> str | None:
    """A file collected for production, named by its content's hash (css/letter.6f50….css):
    the names the static tag gives once the manifest storage is on."""
    try:
        return staticfiles_storage.path(path) if staticfiles_storage.exists(path) else None
    except NotImplementedError:  # a storage that is not on this machine's disk
        return None


def static_path(url: str) -> str | None:
    """The static file a URL names, or None if it names anything else."""
    parts = urlsplit(url)
    prefix = urlsplit(STATIC_BASE)
    if (parts.scheme, parts.netloc) != (prefix.scheme, prefix.netloc) or parts.query:
        return None
    path = unquote(parts.path)
    if not path.startswith(settings.STATIC_URL):
        return None
    relative = path.removeprefix(settings.STATIC_URL)
    normal = posixpath.normpath(relative)
    if normal != relative or normal.startswith(("..", "/")) or "\\" in normal:
        return None
    return normal


# PDF/A-2b rather than -1b, which forbids transparency (a draft's watermark is translucent), or
# -3b, which only adds attachments of any kind, which a letter has none of and an archive must
# then vouch for. Level "b" (the page looks the same forever) is what a court reads; "u" and "a"
# promise text mapping and tagging nobody here can check without a PDF/A validator.
PDF_VARIANT = "pdf/a-2b"


def render_pdf(html: str) -> bytes:
    return HTML(string=html, base_url=STATIC_BASE, url_fetcher=StaticOnlyFetcher()).write_pdf(
        pdf_variant=PDF_VARIANT
    )
