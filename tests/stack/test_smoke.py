"""The smoke test: the whole stack started with `make up`, a psychologist's first login over
HTTP with the second factor, an unjustified absence recorded, and the notice it sets off
signed and rendered by the worker, read back as a PDF."""

import datetime
import subprocess

import pytest
import requests

from tests.stack.conftest import NAME, ROOT, eventually, log_in, results

pytestmark = pytest.mark.stack

UNJUSTIFIED = "absence-unacceptable"


def an_outcome_to_record(session) -> tuple[dict, dict]:
    """A patient of the psychologist's with a past session whose outcome is still missing."""
    now = datetime.datetime.now(datetime.UTC)
    for patient in results(session.get("/api/v1/patients/")):
        appointments = results(session.get(f"/api/v1/patients/{patient['id']}/appointments/"))
        for appointment in appointments:
            attendance = appointment["attendance"]
            ended = datetime.datetime.fromisoformat(appointment["ends_at"]) < now
            if ended and attendance and attendance["outcome"] is None:
                return patient, appointment
    raise AssertionError("the demo clinic has no outcome left to record for psy.martin")


def test_a_recorded_absence_comes_back_as_a_notice_rendered_by_the_worker(stack):
    readiness = requests.get(f"{stack}/readyz", timeout=10).json()
    assert readiness == {
        "ready": True,
        "checks": dict.fromkeys(["database", "migrations", "broker", "worker", "beat"], "ok"),
    }

    martin = log_in("psy.martin")
    assert martin.get("/").status_code == 200  # past the second factor: the home page
    patient, appointment = an_outcome_to_record(martin)
    letters_url = f"/api/v1/patients/{patient['id']}/letters/"

    recorded = martin.post(
        f"/api/v1/patients/{patient['id']}/appointments/{appointment['id']}/outcome/",
        json={"outcome": UNJUSTIFIED},
    )
    assert recorded.status_code in (200, 201), recorded.text

    # The outcome sets off the notice, drafted at once (docs/letters.md)...
    notice = eventually(
        lambda: next(
            (
                letter
                for letter in results(martin.get(letters_url))
                if letter["kind"] == "unjustified_absence"
                and letter["attendance"] == appointment["attendance"]["id"]
            ),
            None,
        )
    )
    signed = martin.post(f"{letters_url}{notice['id']}/sign/")
    assert signed.status_code == 200, signed.text

    # ...and once signed, a worker renders it: the page never waits for a PDF.
    eventually(lambda: martin.get(f"{letters_url}{notice['id']}/").json()["pdf_ready"])
    pdf = martin.get(f"{letters_url}{notice['id']}/pdf/")
    assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf"
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf.content, capture_output=True, check=True
    ).stdout.decode()
    assert patient["last_name"].upper() in text.upper()

    log = (ROOT / "var" / f"{NAME}.log").read_text()
    assert "reports.tasks.render_letters" in log and "succeeded" in log
