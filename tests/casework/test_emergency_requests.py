"""The brake on break-the-glass: EMERGENCY_ACCESSES_PER_DAY emergency accesses a clinician opens
at once per local calendar day; beyond it, and for a file number that does not exist, the
access is a request the clinical lead approves or refuses first. The requester cannot tell an
existing file number from an unknown one until an access is granted (docs/security.md,
"Emergency access")."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessEvent
from casework import services
from casework.models import EmergencyAccess
from common.models import OutboxMessage
from tests.factories import register_patient
from tests.forms import browser_form, offered

URL = reverse("casework:emergency_access")
HOME = reverse("workspace:dashboard")
REASON = "Police call: the patient is missing after threats, we need his contacts now."
UNKNOWN = "1999-9999"
KIND = "casework.emergencyaccess"


@pytest.fixture(autouse=True)
def _a_limit_of_two(settings):
    settings.EMERGENCY_ACCESSES_PER_DAY = 2


@pytest.fixture
def other_files(administrator):
    """Files nobody in these tests treats."""
    return [register_patient(administrator, last_name=f"Autre{n}") for n in range(4)]


def break_glass(client, file_number, reason=REASON):
    data = browser_form(client.get(URL))
    data.update(file_number=file_number, reason=reason, understood="on")
    return client.post(URL, data)


def use_up_the_day(client, files):
    for patient in files[:2]:
        assert break_glass(client, patient.file_number)["Location"] == patient.get_absolute_url()


def answer(response, file_number: str) -> tuple:
    """What the requester is told: status, where it leads, the messages (the number typed
    taken out)."""
    said = [str(message) for message in get_messages(response.wsgi_request)]
    if file_number:
        said = [message.replace(file_number, "<n>") for message in said]
    return response.status_code, response.get("Location"), said


def decide_url(request):
    return reverse("casework:emergency_decide", args=[request.pk])


def decide(client, request, decision, note="Checked with the police: justified."):
    page = client.get(decide_url(request))
    data = browser_form(page)
    assert decision in offered(page, "decision")
    data.update(decision=decision, note=note)
    return client.post(decide_url(request), data)


# --- The limit ------------------------------------------------------------------------------


def test_beyond_the_daily_limit_an_emergency_access_awaits_the_leads_approval(
    other_files, other_psychologist, clinical_lead, client_for, django_capture_on_commit_callbacks
):
    client = client_for(other_psychologist)
    use_up_the_day(client, other_files)
    third = other_files[2]

    with django_capture_on_commit_callbacks(execute=True):
        response = break_glass(client, third.file_number)

    assert response.status_code == 302 and response["Location"] == HOME
    (said,) = answer(response, third.file_number)[2]
    assert "sent to the clinical lead" in said and "approval" in said
    assert client.get(third.get_absolute_url()).status_code == 404
    request = EmergencyAccess.objects.get(patient=third)
    assert request.status == EmergencyAccess.Status.REQUESTED and request.expires_at is None
    home = client.get(HOME).content.decode()
    assert third.file_number in home and "awaits the clinical lead" in home
    asked = AccessEvent.objects.get(action="create", object_type=KIND, object_id=str(request.pk))
    assert (asked.user, asked.patient_id) == (other_psychologist, third.pk)
    lead_home = client_for(clinical_lead).get(HOME).content.decode()
    assert decide_url(request) in lead_home


def test_the_limit_counts_the_clinics_calendar_day(
    other_files, other_psychologist, client_for, settings
):
    settings.TIME_ZONE = "Europe/Brussels"
    client = client_for(other_psychologist)
    use_up_the_day(client, other_files)
    midnight = timezone.make_aware(
        datetime.datetime.combine(timezone.localdate(), datetime.time.min)
    )
    EmergencyAccess.objects.update(opened_at=midnight - datetime.timedelta(minutes=1))

    response = break_glass(client, other_files[2].file_number)  # yesterday's do not count

    assert response["Location"] == other_files[2].get_absolute_url()
    EmergencyAccess.objects.filter(patient=other_files[2]).update(opened_at=midnight)
    EmergencyAccess.objects.filter(patient=other_files[0]).update(opened_at=midnight)

    response = break_glass(client, other_files[3].file_number)  # two since midnight

    assert response["Location"] == HOME


def test_the_limit_is_per_clinician(
    other_files, other_psychologist, treating_psychologist, client_for
):
    use_up_the_day(client_for(other_psychologist), other_files)

    response = break_glass(client_for(treating_psychologist), other_files[2].file_number)

    assert response["Location"] == other_files[2].get_absolute_url()


# --- The lead decides -----------------------------------------------------------------------


@pytest.fixture
def pending(other_files, other_psychologist, client_for):
    client = client_for(other_psychologist)
    use_up_the_day(client, other_files)
    break_glass(client, other_files[2].file_number)
    return EmergencyAccess.objects.get(patient=other_files[2])


def test_the_lead_approves_a_request_and_the_file_opens_for_the_requester(
    pending,
    other_psychologist,
    clinical_lead,
    client_for,
    settings,
    django_capture_on_commit_callbacks,
):
    settings.EMERGENCY_ACCESS_HOURS = 6
    lead = client_for(clinical_lead)
    page = lead.get(decide_url(pending))
    assert REASON in page.content.decode()  # the lead reads why
    pending.opened_at = timezone.now() - datetime.timedelta(hours=5)
    pending.save(update_fields=["opened_at"])
    OutboxMessage.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=True):
        response = decide(lead, pending, "approve")

    assert response.status_code == 302 and response["Location"] == HOME
    pending.refresh_from_db()
    assert pending.status == EmergencyAccess.Status.APPROVED
    assert (pending.decided_by, pending.decision_note) == (
        clinical_lead,
        "Checked with the police: justified.",
    )
    # six hours from the approval, not from the request
    assert pending.expires_at - timezone.now() == pytest.approx(
        datetime.timedelta(hours=6), abs=datetime.timedelta(seconds=10)
    )
    requester = client_for(other_psychologist)
    assert requester.get(pending.patient.get_absolute_url()).status_code == 200
    home = requester.get(HOME).content.decode()
    assert "approved" in home and pending.patient.get_absolute_url() in home
    assert OutboxMessage.objects.count() == 1
    (told,) = mail.outbox  # as sent (the outbox keeps no body once sent)
    assert told.to == [other_psychologist.email]
    assert pending.patient.file_number in told.body and "approved" in told.body
    assert "Police" not in told.body and "justified" not in told.body
    approved = AccessEvent.objects.get(
        action="emergency", object_type=KIND, object_id=str(pending.pk)
    )
    assert (approved.user, approved.patient_id) == (clinical_lead, pending.patient_id)
    # an approved access is still reviewed afterwards, like one opened at once
    review = reverse("casework:emergency_review", args=[pending.pk])
    assert review in lead.get(HOME).content.decode()


def test_the_lead_refuses_a_request_with_a_note_and_the_requester_sees_it(
    pending, other_psychologist, clinical_lead, client_for, django_capture_on_commit_callbacks
):
    OutboxMessage.objects.all().delete()
    lead = client_for(clinical_lead)

    with django_capture_on_commit_callbacks(execute=True):
        response = decide(lead, pending, "refuse", note="Call the on-call psychologist instead.")

    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == EmergencyAccess.Status.REFUSED and pending.expires_at is None
    requester = client_for(other_psychologist)
    assert requester.get(pending.patient.get_absolute_url()).status_code == 404
    home = requester.get(HOME).content.decode()
    assert "refused" in home and "Call the on-call psychologist instead." in home
    assert OutboxMessage.objects.count() == 1
    (told,) = mail.outbox
    assert told.to == [other_psychologist.email] and "refused" in told.body
    assert "on-call" not in told.body
    refused = AccessEvent.objects.get(action="update", object_type=KIND, object_id=str(pending.pk))
    assert refused.user == clinical_lead
    lead_home = lead.get(HOME).content.decode()
    assert decide_url(pending) not in lead_home  # decided: off the list
    assert reverse("casework:emergency_review", args=[pending.pk]) not in lead_home


def test_a_request_already_decided_cannot_be_decided_again(pending, clinical_lead, client_for):
    lead = client_for(clinical_lead)
    decide(lead, pending, "refuse", note="No.")
    logged = AccessEvent.objects.filter(object_type=KIND, object_id=str(pending.pk)).count()

    response = lead.post(decide_url(pending), {"decision": "approve", "note": "Yes after all."})

    assert response.status_code == 302
    assert "decided already" in answer(response, "")[2][-1]
    pending.refresh_from_db()
    assert (pending.status, pending.decision_note) == (EmergencyAccess.Status.REFUSED, "No.")
    assert AccessEvent.objects.filter(object_type=KIND, object_id=str(pending.pk)).count() == logged
    with pytest.raises(ValidationError):
        services.emergency_request_decide(
            actor=clinical_lead, access=pending, approve=True, note="Yes after all."
        )


@pytest.mark.parametrize(
    "persona",
    [
        "treating_psychologist",
        "other_psychologist",
        "administrator",
        "helpline_listener",
        "auditor",
    ],
)
def test_only_the_clinical_lead_decides_a_request(persona, request, pending, client_for):
    user = request.getfixturevalue(persona)
    client = client_for(user)

    assert client.get(decide_url(pending)).status_code == 403
    response = client.post(decide_url(pending), {"decision": "approve", "note": "Me."})

    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        services.emergency_request_decide(actor=user, access=pending, approve=True, note="Me.")
    pending.refresh_from_db()
    assert pending.status == EmergencyAccess.Status.REQUESTED


def test_anonymous_visitors_cannot_decide(pending, client):
    response = client.post(decide_url(pending), {"decision": "approve", "note": "Me."})

    assert response["Location"].startswith(reverse("login"))
    pending.refresh_from_db()
    assert pending.status == EmergencyAccess.Status.REQUESTED


def test_the_lead_may_decide(pending, clinical_lead):
    access = services.emergency_request_decide(
        actor=clinical_lead, access=pending, approve=True, note="Justified."
    )

    assert access.status == EmergencyAccess.Status.APPROVED and access.is_active


def test_an_access_opened_at_once_is_not_a_request_to_decide(
    other_files, other_psychologist, clinical_lead, client_for
):
    break_glass(client_for(other_psychologist), other_files[0].file_number)
    opened = EmergencyAccess.objects.get()

    lead = client_for(clinical_lead)
    assert lead.get(decide_url(opened)).status_code == 302
    lead.post(decide_url(opened), {"decision": "refuse", "note": "Not a request."})
    with pytest.raises(ValidationError, match="opened at once"):
        services.emergency_request_decide(
            actor=clinical_lead, access=opened, approve=False, note="Not a request."
        )

    opened.refresh_from_db()
    assert (opened.status, opened.decided_by) == (EmergencyAccess.Status.OPENED, None)


def test_a_lead_does_not_decide_their_own_request(other_files, other_psychologist, clinical_lead):
    """A clinician who asked, and was later made clinical lead, cannot approve their own
    request: the brake needs a second person."""
    for patient in other_files[:4]:
        services.emergency_access_open(
            actor=other_psychologist, file_number=patient.file_number, reason=REASON
        )
    asked = EmergencyAccess.objects.filter(status=EmergencyAccess.Status.REQUESTED).first()
    from django.contrib.auth.models import Group

    from accounts.roles import Role

    other_psychologist.groups.add(Group.objects.get(name=Role.CLINICAL_LEAD))
    other_psychologist = type(other_psychologist).objects.get(pk=other_psychologist.pk)

    with pytest.raises(ValidationError, match="your own"):
        services.emergency_request_decide(
            actor=other_psychologist, access=asked, approve=True, note="Fine."
        )
    services.emergency_request_decide(actor=clinical_lead, access=asked, approve=True, note="Ok.")


# --- The same answer for a number that exists and one that does not ------------------------


def test_over_the_limit_an_existing_and_an_unknown_file_number_get_the_same_answer(
    other_files, other_psychologist, client_for
):
    client = client_for(other_psychologist)
    use_up_the_day(client, other_files)
    existing = other_files[2].file_number

    answers = [answer(break_glass(client, number), number) for number in (existing, UNKNOWN)]

    assert answers[0] == answers[1]
    assert answers[0][:2] == (302, HOME)
    home = client.get(HOME).content.decode()
    assert home.count("awaits the clinical lead") == 2
    assert other_files[2].full_name not in home


def test_under_the_limit_an_unknown_number_is_answered_like_an_over_limit_request(
    other_files, other_psychologist, treating_psychologist, client_for
):
    """The requester who has used up the day and the one who has not get the same answer for an
    unknown number as the first gets for an existing one: only a grant tells them apart."""
    over = client_for(other_psychologist)
    use_up_the_day(over, other_files)
    number = other_files[2].file_number
    refused_at_once = answer(break_glass(over, number), number)

    unknown = answer(break_glass(client_for(treating_psychologist), UNKNOWN), UNKNOWN)

    assert unknown == refused_at_once
    assert not EmergencyAccess.objects.filter(
        clinician=treating_psychologist, expires_at__isnull=False
    ).exists()


def test_a_request_for_an_unknown_number_is_shown_as_such_to_the_lead_who_can_only_refuse(
    other_psychologist, clinical_lead, client_for, db
):
    break_glass(client_for(other_psychologist), UNKNOWN)
    request = EmergencyAccess.objects.get()
    lead = client_for(clinical_lead)

    page = lead.get(decide_url(request))

    assert "No file has this number" in page.content.decode()
    assert offered(page, "decision") == ["refuse"]
    assert lead.post(decide_url(request), {"decision": "approve", "note": "Go"}).status_code == 200
    request.refresh_from_db()
    assert request.status == EmergencyAccess.Status.REQUESTED
    with pytest.raises(ValidationError):
        services.emergency_request_decide(
            actor=clinical_lead, access=request, approve=True, note="Go"
        )

    decide(lead, request, "refuse", note="No such file: a typing error?")

    request.refresh_from_db()
    assert request.status == EmergencyAccess.Status.REFUSED


# --- The lead is told at once, with the access or request, never the reason ----------------


def test_the_lead_is_told_once_per_access_and_per_request_in_the_same_transaction(
    other_files, other_psychologist, clinical_lead, client_for
):
    client = client_for(other_psychologist)
    use_up_the_day(client, other_files)  # two opened at once
    break_glass(client, other_files[2].file_number)  # one request
    break_glass(client, UNKNOWN)  # another

    # queued beside each access, not after the commit (no on-commit callback ran here)
    messages = list(OutboxMessage.objects.order_by("pk"))
    assert len(messages) == 4 == EmergencyAccess.objects.count()
    assert all(message.to == [clinical_lead.email] for message in messages)
    assert ["awaits your approval" in message.body for message in messages] == [
        False,
        False,
        True,
        True,
    ]
    assert not any("Police" in message.body or "Police" in message.subject for message in messages)


def test_no_request_is_kept_without_its_message_to_the_lead(
    other_psychologist, clinical_lead, monkeypatch
):
    def broken(**kwargs):
        raise RuntimeError("the outbox table is gone")

    monkeypatch.setattr("casework.services.emergency.outbox.queue", broken)

    with pytest.raises(RuntimeError):
        services.emergency_access_open(actor=other_psychologist, file_number=UNKNOWN, reason=REASON)

    assert not EmergencyAccess.objects.exists()
    assert not AccessEvent.objects.filter(action="create").exists()


# --- The reason is clinical context --------------------------------------------------------


def test_the_reason_is_never_shown_to_administrators(
    patient, other_psychologist, administrator, clinical_lead, treating_psychologist, client_for
):
    break_glass(client_for(other_psychologist), patient.file_number)

    shown_to_admin = client_for(administrator).get(patient.get_absolute_url())

    assert shown_to_admin.status_code == 200
    assert "Emergency access" in shown_to_admin.content.decode()  # listed, without its reason
    assert "Police call" not in shown_to_admin.content.decode()
    for reader in (clinical_lead, treating_psychologist):
        assert "Police call" in client_for(reader).get(patient.get_absolute_url()).content.decode()


@pytest.mark.parametrize("typed", ["Jean Dupont", "0471 12 34 56", "2026-42", "asdf"])
def test_what_is_no_file_number_is_refused_and_kept_nowhere(
    typed, other_psychologist, clinical_lead, client_for
):
    """A name or a phone number typed in the number field would otherwise be kept in the
    chained access log and e-mailed to the lead: it is refused before anything is written.
    (The shape says nothing about whether a file exists.)"""
    events = AccessEvent.objects.count()

    with pytest.raises(ValidationError) as refused:
        services.emergency_access_open(actor=other_psychologist, file_number=typed, reason=REASON)

    assert "2026-0042" in str(refused.value)
    assert not EmergencyAccess.objects.exists()
    assert AccessEvent.objects.count() == events
    assert not OutboxMessage.objects.exists()
