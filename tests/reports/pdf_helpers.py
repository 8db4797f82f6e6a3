"""Read a PDF as a person would: its text (poppler's pdftotext) and its first page as a PNG;
and as an archive would: what it declares (PDF/A), its output intent, its fonts."""

import subprocess
import tempfile
from io import BytesIO
from pathlib import Path

from pypdf import PdfReader


def pdf_text(pdf: bytes, *, page: int | None = None) -> str:
    """The text of every page (or of one, counted from 1), in reading order, with every run of
    white space as one space (where a line breaks depends on the fonts, not on the letter)."""
    pages = ["-f", str(page), "-l", str(page)] if page else []
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", *pages, "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    )
    return " ".join(result.stdout.decode().split())


def pdf_pages(pdf: bytes) -> int:
    result = subprocess.run(
        ["pdfinfo", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    )
    for line in result.stdout.decode().splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    raise AssertionError("pdfinfo gave no page count")


def pdf_first_page_png(pdf: bytes, *, dpi: int = 60) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder, "letter.pdf")
        source.write_bytes(pdf)
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                str(dpi),
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                source,
                Path(folder, "page"),
            ],
            check=True,
        )
        return Path(folder, "page.png").read_bytes()


def ink(png: bytes) -> float:
    """The share of a page's pixels that are printed on (not white): 0 for a blank page."""
    from io import BytesIO

    from PIL import Image

    page = Image.open(BytesIO(png)).convert("L")
    histogram = page.histogram()
    return sum(histogram[:200]) / (page.width * page.height)


def catalog(pdf: bytes):
    return PdfReader(BytesIO(pdf)).trailer["/Root"]


def xmp_packet(pdf: bytes) -> bytes:
    return catalog(pdf)["/Metadata"].get_object().get_data()


def pdfa_identification(pdf: bytes) -> tuple[str | None, str | None]:
    """The PDF/A part and conformance level the XMP metadata declares, e.g. ("2", "B")."""
    xmp = PdfReader(BytesIO(pdf)).xmp_metadata
    return (xmp.pdfaid_part, xmp.pdfaid_conformance) if xmp else (None, None)


def info_and_xmp_producer(pdf: bytes) -> tuple[str, str | None]:
    """The Producer of the document information and of the XMP: PDF/A wants them equal."""
    reader = PdfReader(BytesIO(pdf))
    return reader.metadata["/Producer"], reader.xmp_metadata.pdf_producer


def output_intents(pdf: bytes) -> list[str]:
    """The subtype of each output intent that carries an ICC profile."""
    intents = [intent.get_object() for intent in catalog(pdf).get("/OutputIntents", [])]
    return [intent["/S"] for intent in intents if "/DestOutputProfile" in intent]


def pdf_fonts(pdf: bytes) -> dict[str, bool]:
    """Each font the PDF uses (poppler's pdffonts), and whether it is embedded."""
    result = subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True, check=True)
    rows = result.stdout.decode().splitlines()[2:]  # under the header and its dashes
    # name, type (several words), encoding, emb, sub, uni, object number, generation
    return {row.split()[0]: row.split()[-5] == "yes" for row in rows}
