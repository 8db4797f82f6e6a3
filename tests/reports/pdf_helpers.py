"""Read a PDF as a person would: its text (poppler's pdftotext) and its first page as a PNG."""

import subprocess
import tempfile
from pathlib import Path


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
