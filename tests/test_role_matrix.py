"""The role matrix: every URL pattern, each with GET and POST, and every other method an API
endpoint takes, answers each role as docs/role-matrix.md says. A view without its rows there
fails this test, so no page or endpoint is added without deciding who may reach it.

After a deliberate change of rights, rewrite the table from what the views answer and review
the difference before committing it (in one process, without -n: the table is written once,
after the last role):  ROLE_MATRIX_WRITE=1 pytest tests/test_role_matrix.py
"""

import copy
import datetime
import os
import re
from pathlib import Path

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from accounts.models import ApiToken
from audit.models import IntegrityAlert
from casework.models import CalendarFeed, EmergencyAccess
from casework.views.agenda import _token_hash
from reports.models import LetterBatch
from tests.factories import verify_session
from tests.sample_clinic import clinic, people, url_for  # noqa: F401 (fixtures)
from tests.url_walk import routes

pytestmark = pytest.mark.django_db

MATRIX = Path(__file__).resolve().parent.parent / "docs" / "role-matrix.md"
# Column heading in the table -> the person (tests/sample_clinic.py); None: not logged in.
ROLES = {
    "care team": "treating_psychologist",
    "other psychologist": "other_psychologist",
    "facilitator": "facilitator",
    "clinical lead": "clinical_lead",
    "administrator": "administrator",
    "helpline": "helpline_listener",
    "auditor": "auditor",
    "anonymous": None,
}
EXTRA_API_METHODS = ("put", "patch", "delete")
FEED_TOKEN = "a-calendar-feed-token-for-the-role-matrix"


def _operations():
    """(route, method) for every named URL: GET and POST, and the API's other methods. The
    admin's own pages follow the admin's permissions: only its entry is in the matrix."""
    for route in sorted(routes(), key=lambda r: r.name):
        if route.name.startswith("admin:") and route.name != "admin:index":
            continue
        yield route, "GET"
        yield route, "POST"
        if route.is_api:
            yield from ((route, method.upper()) for method in EXTRA_API_METHODS)


def read_matrix() -> dict[tuple[str, str], dict[str, str]]:
    rows = {}
    for line in MATRIX.read_text().splitlines():
        if match := re.match(r"^\| `([^`]+)` \| (\w+) \|(.*)\|$", line):
            cells = [cell.strip() for cell in match.group(3).split("|")]
            rows[match.group(1), match.group(2)] = dict(zip(ROLES, cells, strict=True))
    return rows


def write_matrix(answers: dict) -> None:
    head = MATRIX.read_text().split("\n| URL ")[0].rstrip()
    lines = [
        head,
        "",
        "| URL | method | " + " | ".join(ROLES) + " |",
        "|---|---|" + "---|" * len(ROLES),
    ]
    for (name, method), by_role in answers.items():
        lines.append(f"| `{name}` | {method} | " + " | ".join(by_role.values()) + " |")
    MATRIX.write_text("\n".join(lines) + "\n")


# ROLE_MATRIX_WRITE: each role's column, gathered here until the last role has answered and
# the whole table is written once (in one process: the command above runs without -n).
_WRITTEN: dict[str, dict[tuple[str, str], str]] = {}


# One test per role, so that the roles spread over the workers (pytest -n): each walks every
# URL and method as its one person.
@pytest.mark.parametrize("role", ROLES)
def test_every_url_and_api_operation_answers_each_role_as_the_matrix_says(role, clinic, people):
    kwargs = {**clinic["url_kwargs"], **_other_kwargs(clinic, people)}
    group_kwargs = {
        **kwargs,
        "membership_id": clinic["group"].members.get().pk,
        "appointment_id": clinic["session"].pk,
    }
    # Everyone logs in, as when all the roles were walked together: a login gives its person a
    # second factor, which some pages answer about (resetting the facilitator's).
    client = {each: _client(people.get(person)) for each, person in ROLES.items()}[role]
    expected = read_matrix()

    answers, wrong = {}, []
    for route, method in _operations():
        if route.name == "audit:resolve_integrity_alert":  # not a compliance alert
            url = url_for(route, {"alert_id": kwargs["integrity_alert"]})
        elif "pk" in route.kwargs:  # reference data: an authority or a justice contact
            reference = "justice_contact" if "justice_contact" in route.name else "authority"
            url = url_for(route, {"pk": kwargs[reference]})
        else:
            url = url_for(route, group_kwargs if "group_id" in route.kwargs else kwargs)
        # Each request alone: what a POST changes (a logout included: the database rolls
        # back, the client keeps its cookies) is undone before the next.
        cookies = copy.deepcopy(client.cookies)
        with transaction.atomic():
            response = getattr(client, method.lower())(url)
            transaction.set_rollback(True)
        client.cookies = cookies
        answer = answers[route.name, method] = str(response.status_code)
        want = expected.get((route.name, method))
        if want is None:
            wrong.append(f"{route.name} {method}: no row in docs/role-matrix.md ({answer})")
        elif want[role] != answer:
            wrong.append(f"{route.name} {method}: {want[role]}→{answer}")
    gone = expected.keys() - answers.keys()

    if os.environ.get("ROLE_MATRIX_WRITE"):
        if os.environ.get("PYTEST_XDIST_WORKER"):
            pytest.fail("ROLE_MATRIX_WRITE gathers every role in one process: run it without -n.")
        _WRITTEN[role] = answers
        if _WRITTEN.keys() != ROLES.keys():
            pytest.fail(f"{role}'s column gathered: the table is written after the last role.")
        write_matrix(
            {
                operation: {each: _WRITTEN[each][operation] for each in ROLES}
                for operation in answers
            }
        )
        pytest.fail("docs/role-matrix.md rewritten from the views' answers: review the diff.")
    assert not wrong, f"The views answer {role} otherwise than the matrix:\n" + "\n".join(wrong)
    assert not gone, f"Rows in docs/role-matrix.md for URLs that no longer exist: {gone}"


def _client(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
        verify_session(client, user)
    return client


def _other_kwargs(clinic, people) -> dict:
    """What the URLs outside a patient's file name: someone's token, user, calendar feed."""
    owner = people["treating_psychologist"]
    token, _key = ApiToken.objects.create(user=owner, name="matrix")
    CalendarFeed.objects.create(user=owner, token_hash=_token_hash(FEED_TOKEN))
    mandate = clinic["patient"].mandates.get()
    batch = LetterBatch.objects.create(
        month=datetime.date(2026, 1, 1), requested_by=people["administrator"]
    )
    alert = IntegrityAlert.objects.create(problems="row id 1: the sample's")
    emergency = EmergencyAccess.objects.create(
        patient=clinic["patient"],
        clinician=people["other_psychologist"],
        reason="The matrix's sample: expired, it opens nothing.",
        expires_at=timezone.now() - datetime.timedelta(hours=1),
    )
    request = EmergencyAccess.objects.create(
        clinician=people["other_psychologist"],
        file_number="1999-9999",
        reason="The matrix's sample: a request for a number no file has.",
        status=EmergencyAccess.Status.REQUESTED,
    )
    from helpline.models import Contact

    contact = Contact.objects.create(
        listener=people["helpline_listener"], channel="phone", started_at=timezone.now()
    )
    return {
        "contact_id": contact.pk,
        "integrity_alert": alert.pk,
        "access_id": emergency.pk,
        "request_id": request.pk,
        "batch_id": batch.pk,
        "authority": mandate.authority_id,
        "justice_contact": mandate.justice_contact_id,
        "key": token.token_key,
        "user_id": people["facilitator"].pk,
        "token": FEED_TOKEN,  # also a password-reset link's token, which it is not
        "uidb64": "MQ",  # a user id in a password-reset link
        "group_id": clinic["group"].pk,
    }
