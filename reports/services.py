"""Letter workflows: draft, ready, sign (and co-sign), withdraw, render once, dispatch to each
recipient, correct.

These keep the letter consistent and lawful whoever calls them: they check who acts
(reports.permissions) and what a letter may say before it is signed (reports.checks), freeze
what a signed letter states, and write the access log.
"""

import datetime
import hashlib
from typing import cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit.services import Action, record_access
from casework.models import Attendance
from common import after_response, render_once
from common.dates import month_bounds
from common.db import max_length_of, on_commit_once
from common.permissions import require_that
from reports import catalogue, checks, facts, periods, permissions
from reports.models import Dispatch, Letter, LetterBatch
from reports.rendering import language_of, render_html

PARAGRAPH_MAX_LENGTH = max_length_of(Letter, "paragraph")
WITHDRAWAL_REASON_MAX_LENGTH = max_length_of(Letter, "withdrawal_reason")


def due_on(kind: str, *, start: datetime.date | None = None) -> datetime.date | None:
    """When a letter is due: the catalogue's delay from what set it off (`start`; today when
    it is drafted by hand about nothing dated)."""
    delay = catalogue.get(kind).delay
    if delay is None:
        return None
    return (start or timezone.localdate()) + datetime.timedelta(days=delay)


def default_recipients(kind: str, mandate) -> list[str]:
    """Who the law has the letter go to (reports.catalogue), the addressee first: a justice
    assistant the mandate does not name is left out unless the law requires them (then the
    letter waits for one to be recorded before it is signed)."""
    letter_type = catalogue.get(kind)
    has_assistant = bool(mandate and mandate.justice_contact_id)
    return [
        code
        for code in letter_type.recipients
        if code != catalogue.Recipient.JUSTICE_ASSISTANT
        or has_assistant
        or code in letter_type.required
    ]


def _check_recipients(kind: str, recipients: list[str]) -> None:
    letter_type = catalogue.get(kind)
    if not recipients:
        raise ValidationError({"recipients": _("Choose who the letter goes to.")})
    if len(set(recipients)) != len(recipients):
        raise ValidationError({"recipients": _("Each recipient is named once.")})
    if any(code not in letter_type.recipients for code in recipients):
        raise ValidationError({"recipients": _("This letter does not go to that recipient.")})
    missing = [code for code in letter_type.required if code not in recipients]
    if missing:
        raise ValidationError(
            {
                "recipients": _("The law (%(source)s) has this letter go to: %(who)s.")
                % {
                    "who": ", ".join(catalogue.Recipient.label(code) for code in missing),
                    "source": letter_type.source,
                }
            }
        )


def _event_day(kind: str, request_received_on: datetime.date | None) -> datetime.date | None:
    # A reply is due from the day the request came in, not from the day it was drafted.
    return request_received_on if kind == "reply_to_request" else None


@transaction.atomic
def letter_draft(
    *,
    actor,
    patient,
    kind: str,
    mandate=None,
    recipients: list[str] | None = None,
    attendance: Attendance | None = None,
    alert=None,
    episode=None,
    period_start: datetime.date | None = None,
    period_end: datetime.date | None = None,
    request_reference: str = "",
    request_received_on: datetime.date | None = None,
    risk_to: str = "",
    paragraph: str = "",
    due: datetime.date | None = None,
    origin: str = Letter.Origin.BY_HAND,
    batch: LetterBatch | None = None,
) -> Letter:
    """A new draft. actor is None when an event drafts a letter that falls due (the daily run,
    an intake, a closing, an outcome, a compliance alert: reports.drafting)."""
    if kind not in catalogue.TYPES:
        raise ValidationError({"kind": _("Choose one of the letters of the catalogue.")})
    letter_type = catalogue.get(kind)
    recipients = list(recipients or default_recipients(kind, mandate))
    _check_recipients(kind, recipients)
    if catalogue.Recipient.PATIENT not in recipients and mandate is None:
        raise ValidationError({"mandate": _("Choose the mandate the letter is about.")})
    if mandate is not None and mandate.patient_id != patient.pk:
        raise ValidationError({"mandate": _("Choose one of this patient's mandates.")})
    if attendance is not None and attendance.patient_id != patient.pk:
        raise ValidationError({"attendance": _("Choose one of this patient's sessions.")})
    if episode is not None and episode.patient_id != patient.pk:
        raise ValidationError({"episode": _("Choose one of this patient's episodes of care.")})
    if kind == "unjustified_absence" and attendance is None:
        raise ValidationError({"attendance": _("Choose the session the notice is about.")})
    if kind == "reply_to_request" and request_received_on is None:
        raise ValidationError(
            {"request_received_on": _("Give the day the authority's request came in.")}
        )
    if request_received_on and request_received_on > timezone.localdate():
        raise ValidationError(
            {"request_received_on": _("The request cannot have come in after today.")}
        )
    if period_start and period_end and period_end < period_start:
        raise ValidationError({"period_end": _("The period ends before it starts.")})
    if catalogue.PERIOD in letter_type.facts and not (period_start and period_end):
        raise ValidationError({"period_start": _("Give the period the letter covers.")})
    _check_paragraph(paragraph)
    letter = Letter(
        kind=kind,
        patient=patient,
        mandate=mandate,
        recipients=recipients,
        language=language_of(patient=patient, mandate=mandate, recipient=recipients[0]),
        attendance=attendance,
        alert=alert,
        episode=episode,
        period_start=period_start,
        period_end=period_end,
        request_reference=request_reference,
        request_received_on=request_received_on,
        risk_to=risk_to,
        paragraph=paragraph,
        due_on=due or due_on(kind, start=_event_day(kind, request_received_on)),
        origin=origin,
        batch=batch,
        created_by=actor,
    )
    letter.full_clean(exclude=["created_by"])
    letter.save()
    record_access(actor=actor, action=Action.CREATE, patient=patient, obj=letter)
    return letter


def _check_paragraph(paragraph: str) -> None:
    if len(paragraph) > PARAGRAPH_MAX_LENGTH:
        raise ValidationError(
            {
                "paragraph": _("The paragraph can be %(max)d characters at most.")
                % {"max": PARAGRAPH_MAX_LENGTH}
            }
        )


def _locked(letter: Letter) -> Letter:
    return (
        Letter.objects.select_for_update(of=("self",))
        .select_related("patient", "mandate")
        .get(pk=letter.pk)
    )


@transaction.atomic
def letter_update(*, actor, letter: Letter, **fields) -> Letter:
    """Change a draft (or a letter ready for signature, which goes back to draft)."""
    letter = _locked(letter)
    if not letter.is_editable:
        raise ValidationError(_("This letter is signed and final: write a correction instead."))
    allowed = {
        "paragraph",
        "period_start",
        "period_end",
        "request_reference",
        "request_received_on",
        "recipients",
        "risk_to",
    }
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(_("These cannot be changed: %(names)s.") % {"names": unknown})
    _check_paragraph(fields.get("paragraph", ""))
    for name, value in fields.items():
        setattr(letter, name, value)
    if "recipients" in fields:
        letter.recipients = list(letter.recipients)
        _check_recipients(letter.kind, letter.recipients)
        letter.language = language_of(
            patient=letter.patient, mandate=letter.mandate, recipient=letter.recipient
        )
    if letter.period_start and letter.period_end and letter.period_end < letter.period_start:
        raise ValidationError({"period_end": _("The period ends before it starts.")})
    letter.status, letter.ready_at = Letter.Status.DRAFT, None
    letter.full_clean(exclude=["created_by"])
    letter.save()
    record_access(actor=actor, action=Action.UPDATE, patient=letter.patient, obj=letter)
    return letter


@transaction.atomic
def letter_ready(*, actor, letter: Letter) -> Letter:
    """The draft is complete: it waits for a clinician's signature."""
    letter = _locked(letter)
    if letter.status != Letter.Status.DRAFT:
        raise ValidationError(_("Only a draft can be made ready for signature."))
    letter.status, letter.ready_at = Letter.Status.READY, timezone.now()
    letter.save()
    record_access(actor=actor, action=Action.UPDATE, patient=letter.patient, obj=letter)
    return letter


# Letters signed in one transaction (the month's reports, say) are rendered in tasks of a few
# each: a task costs a worker some milliseconds of its own, a letter about a hundred.
RENDER_CHUNK = 5


def _chunks(ids: list[int]) -> list[list[int]]:
    return [ids[start : start + RENDER_CHUNK] for start in range(0, len(ids), RENDER_CHUNK)]


class _RendersAfterCommit:
    """The ids of the letters a transaction signed, queued for rendering when it commits: one
    per transaction (any two are equal, so that common.db.on_commit_once keeps the first)."""

    def __init__(self, ids: list[int]):
        self.ids = ids

    def __eq__(self, other) -> bool:
        return isinstance(other, _RendersAfterCommit)

    __hash__ = None  # type: ignore[assignment]  # equal to every other: no use as a key

    def __call__(self) -> None:
        from reports.tasks import render_letters

        for chunk in _chunks(self.ids):
            after_response.queue(render_letters, chunk)


def _queue_render(letter: Letter) -> None:
    """After the commit, a worker renders it (or, with no worker, this process once the
    response has gone: never while a page waits)."""
    renders = _RendersAfterCommit([letter.pk])
    waiting = on_commit_once(renders, robust=True)
    if waiting is not renders:
        waiting.ids.append(letter.pk)


@transaction.atomic
def letter_sign(*, actor, letter: Letter) -> Letter:
    """Sign: what the letter states is frozen now, with the outcome definitions behind its
    counters. Only a clinician who may read the treatment signs (reports.permissions), and
    nothing contradictory or empty is signed (reports.checks). A letter that needs no second
    signature is then rendered by a worker."""
    letter = _locked(letter)
    require_that(permissions.can_sign(actor, letter), permissions.NOT_A_SIGNER)
    refusal = permissions.sign_refusal(actor, letter)
    if refusal:
        raise ValidationError(refusal)
    problems = checks.problems(letter)
    if problems:
        raise ValidationError(problems)
    letter.facts = facts.build(letter)
    letter.definitions = facts.outcome_definitions()
    letter.status, letter.signed_at, letter.signed_by = (
        Letter.Status.SIGNED,
        timezone.now(),
        actor,
    )
    letter.save()
    record_access(actor=actor, action=Action.UPDATE, patient=letter.patient, obj=letter)
    if letter.is_fully_signed:
        _queue_render(letter)
    else:
        from reports.tasks import tell_cosigners

        letter_id = letter.pk
        transaction.on_commit(lambda: after_response.queue(tell_cosigners, letter_id), robust=True)
    return letter


@transaction.atomic
def letter_cosign(*, actor, letter: Letter) -> Letter:
    """The second signature a serious-risk alert needs: the clinical lead's, not the signer's."""
    letter = _locked(letter)
    require_that(permissions.can_cosign(actor, letter), permissions.NOT_THE_COSIGNER)
    if not letter.type.needs_cosignature:
        raise ValidationError(_("This letter needs one signature only."))
    if not letter.is_signed:
        raise ValidationError(_("The letter is signed first, then co-signed."))
    if letter.cosigned_at:
        raise ValidationError(_("This letter is already co-signed."))
    letter.cosigned_at, letter.cosigned_by = timezone.now(), actor
    letter.save(update_fields=["cosigned_at", "cosigned_by"])
    record_access(actor=actor, action=Action.UPDATE, patient=letter.patient, obj=letter)
    _queue_render(letter)
    return letter


def cosigners_tell(*, letter_id: int) -> int:
    """E-mail each clinical lead (but the signer) that a serious-risk alert waits for their
    co-signature, in their language, with the file number and the letter's address: never
    what the risk is, e-mail leaves the clinic. Their home page lists it too."""
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from accounts.roles import Role
    from casework.mail import mail_clinician

    letter = Letter.objects.select_related("patient").filter(pk=letter_id).first()
    if letter is None or not letter.waits_for_cosignature:
        return 0
    leads = list(
        get_user_model()
        .objects.filter(is_active=True, groups__name=Role.CLINICAL_LEAD)
        .exclude(pk=cast(int, letter.signed_by_id))  # signed: letter_sign set who signed
        .exclude(email="")
    )
    url = settings.SITE_URL + reverse("reports:cosign", args=[letter.patient_id, letter.pk])

    def compose():
        return (
            _("A serious-risk alert waits for your co-signature (file %(file)s)")
            % {"file": letter.patient.file_number},
            _(
                "A serious-risk alert about file %(file)s was signed and leaves the clinic once "
                "you have co-signed it. It is urgent."
            )
            % {"file": letter.patient.file_number},
            [f"{letter.reference} — {url}"],
        )

    for lead in leads:
        mail_clinician(
            lead,
            compose,
            purpose=_("Co-signature awaited: %(reference)s") % {"reference": letter.reference},
        )
    return len(leads)


@transaction.atomic
def letter_withdraw(*, actor, letter: Letter, reason: str) -> Letter:
    """A draft that will not go out (its grounds no longer hold, it was set off twice...):
    kept, with who withdrew it and why; what set it off does not draft it again."""
    letter = _locked(letter)
    if not letter.is_editable:
        raise ValidationError(_("A signed letter is final: write a correction instead."))
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the letter is withdrawn.")})
    if len(reason) > WITHDRAWAL_REASON_MAX_LENGTH:
        raise ValidationError(
            {
                "reason": _("The reason can be %(max)d characters at most.")
                % {"max": WITHDRAWAL_REASON_MAX_LENGTH}
            }
        )
    letter.status = Letter.Status.WITHDRAWN
    letter.withdrawn_at, letter.withdrawn_by, letter.withdrawal_reason = (
        timezone.now(),
        actor,
        reason,
    )
    letter.save()
    record_access(actor=actor, action=Action.UPDATE, patient=letter.patient, obj=letter)
    return letter


def letter_render(*, letter_id: int) -> bool:
    """Render the PDF once, whatever the number of deliveries: a worker claims the letter
    with a conditional update, renders outside any transaction, then stores the bytes only if
    none are stored yet. Returns whether this call rendered it."""
    from common.pdf import render_pdf
    from reports.sealing import seal_if_configured

    letter = (
        Letter.objects.select_related(
            "patient", "mandate__authority", "mandate__justice_contact", "signed_by", "cosigned_by"
        )
        .filter(pk=letter_id)
        .first()
    )
    if letter is None or not letter.is_fully_signed or letter.pdf_sha256:
        return False  # gone, waiting for its second signature, or rendered already
    # Nobody is rendering it, or whoever was has been gone too long (a killed worker).
    if not render_once.claim(Letter, letter_id):
        return False
    pdf = seal_if_configured(render_pdf(render_html(letter, letter.facts)))
    with transaction.atomic():  # the PDF and its line in the access log, together
        stored = render_once.store(
            Letter, letter_id, pdf=pdf, pdf_sha256=hashlib.sha256(pdf).hexdigest()
        )
        if stored:
            record_access(actor=None, action=Action.PRINT, patient=letter.patient, obj=letter)
    return stored


def letters_render_pending() -> list[int]:
    """Queue again the signed letters still without a PDF that nobody is rendering: their task
    was lost (a broker restarted, a worker killed). The render itself stays idempotent."""
    from reports.tasks import render_letters

    pending = [
        letter.pk
        for letter in Letter.objects.filter(signed_at__isnull=False, pdf_sha256="")
        .filter(render_once.unclaimed())
        .only("pk", "kind", "signed_at", "cosigned_at")
        if letter.is_fully_signed
    ]
    for chunk in _chunks(pending):
        render_letters.delay(chunk)
    return pending


def letter_pdf(*, actor, letter: Letter) -> bytes | None:
    """The stored PDF, exactly as rendered (None until a worker has rendered it); the
    download is logged."""
    pdf, digest = Letter.objects.values_list("pdf", "pdf_sha256").get(pk=letter.pk)
    if not digest:
        return None
    record_access(actor=actor, action=Action.EXPORT, patient=letter.patient, obj=letter)
    return bytes(cast(bytes | memoryview, pdf))  # letter_render stores the PDF with its digest


def may_email(letter: Letter) -> bool:
    """Whether the letter's PDF may go by e-mail. The seal is what shows where an e-mailed PDF
    comes from and that it is unchanged (eIDAS, Regulation (EU) No 910/2014, art. 35):
    production e-mails no letter without one."""
    if not settings.LETTER_SEAL_REQUIRED:
        return True
    from reports.sealing import is_sealed

    return is_sealed(bytes(letter.pdf)) if letter.pdf else False


@transaction.atomic
def letter_dispatch(
    *, actor, letter: Letter, recipient: str, channel: str, to: str = "", note: str = ""
) -> Dispatch:
    """Record how the letter went to one of its recipients; it is sent once every recipient
    has theirs. By e-mail, a task sends it with the PDF attached."""
    letter = _locked(letter)
    if not letter.is_fully_signed:
        raise ValidationError(_("Only a signed letter can be sent."))
    if not letter.pdf_sha256:
        raise ValidationError(_("The PDF is not ready yet: try again in a moment."))
    if recipient not in letter.recipients:
        raise ValidationError({"recipient": _("Choose one of the letter's recipients.")})
    if channel not in Dispatch.Channel.values:
        raise ValidationError({"channel": _("Choose how the letter goes out.")})
    if channel == Dispatch.Channel.HANDED and recipient != catalogue.Recipient.PATIENT:
        raise ValidationError({"channel": _("Only the patient's own letter is handed over.")})
    if channel == Dispatch.Channel.EMAIL and "@" not in to:
        raise ValidationError({"to": _("Give the e-mail address it goes to.")})
    if channel == Dispatch.Channel.EMAIL and not may_email(letter):
        raise ValidationError(
            {
                "channel": _(
                    "This letter's PDF carries no electronic seal of the clinic, so it "
                    "cannot go by e-mail: send it by post."
                )
            }
        )
    email = channel == Dispatch.Channel.EMAIL
    dispatch = Dispatch.objects.create(
        letter=letter,
        recipient=recipient,
        channel=channel,
        to=to,
        note=note,
        recorded_by=actor,
        # By e-mail, kept in the outbox with the dispatch and sent by a worker.
        message=_letter_email(letter, recipient, to) if email else None,
        sent_at=None if email else timezone.now(),
    )
    if letter.status not in (Letter.Status.SENDING, Letter.Status.SENT):
        _mark_reported(letter)
    _update_sent(letter)
    record_access(actor=actor, action=Action.SEND, patient=letter.patient, obj=letter)
    return dispatch


def _update_sent(letter: Letter) -> None:
    """Sent once every recipient has a dispatch and every e-mail has left; until an e-mail has,
    "E-mail not yet delivered"."""
    dispatches = list(letter.dispatches.values_list("recipient", "sent_at"))
    if not {recipient for recipient, _sent in dispatches} >= set(letter.recipients):
        return
    delivered = all(sent_at for _recipient, sent_at in dispatches)
    status = Letter.Status.SENT if delivered else Letter.Status.SENDING
    if letter.status != status:
        letter.status = status
        letter.save(update_fields=["status"])


def _letter_email(letter: Letter, recipient: str, to: str):
    """The letter's e-mail, in the letter's language (not the sender's), with its PDF."""
    from common import outbox

    with translation.override(letter.language):
        subject = f"{settings.CLINIC_NAME} — {letter.reference} — {letter.type.name}"
        body = "\n\n".join(
            [
                _("Madam, Sir,"),
                _("Please find attached our letter %(reference)s about our file %(file)s.")
                % {"reference": letter.reference, "file": letter.patient.file_number},
                _("Yours faithfully,"),
                settings.CLINIC_NAME,
            ]
        )
    return outbox.queue(
        to=[to],
        subject=subject,
        body=body,
        purpose=f"{letter.reference} — {catalogue.Recipient.label(recipient)}",
        # letter_dispatch found the digest, and letter_render stores the PDF with it.
        attachment=(
            letter.pdf_filename,
            bytes(cast(bytes | memoryview, letter.pdf)),
            "application/pdf",
        ),
    )


@transaction.atomic
def dispatch_delivered(*, message) -> None:
    """The outbox says an e-mail has left: its dispatch is sent, and perhaps its letter."""
    dispatch = (
        Dispatch.objects.select_for_update().filter(message=message, sent_at__isnull=True).first()
    )
    if dispatch is None:
        return
    dispatch.sent_at = message.sent_at
    dispatch.save(update_fields=["sent_at"])
    _update_sent(_locked(dispatch.letter))


def _mark_reported(letter: Letter) -> None:
    """The outcomes a sent letter stated were reported: a later change needs a reason."""
    stated = letter.facts.keys() & {catalogue.SESSIONS, catalogue.SESSION, catalogue.COUNTERS}
    if not stated:
        return
    reported = Q(pk=letter.attendance_id) | Q(periods.sessions_of(letter), outcome__isnull=False)
    now = timezone.now()
    # One by one, through save(): the attendance's history keeps when it was reported.
    for attendance in Attendance.objects.filter(
        reported, patient=letter.patient, reported_at__isnull=True
    ):
        attendance.reported_at = now
        attendance.save(update_fields=["reported_at"])


@transaction.atomic
def letter_correct(*, actor, letter: Letter) -> Letter:
    """A correction: a new draft that points to the letter it corrects, which stays as sent."""
    letter = _locked(letter)
    if not letter.is_signed:
        raise ValidationError(_("A draft is corrected by editing it."))
    if Letter.objects.filter(corrects=letter).exists():
        raise ValidationError(_("This letter already has a correction."))
    correction = Letter(
        kind=letter.kind,
        patient=letter.patient,
        mandate=letter.mandate,
        recipients=letter.recipients,
        language=letter.language,
        attendance=letter.attendance,
        episode=letter.episode,
        period_start=letter.period_start,
        period_end=letter.period_end,
        request_reference=letter.request_reference,
        request_received_on=letter.request_received_on,
        risk_to=letter.risk_to,
        paragraph=letter.paragraph,
        due_on=timezone.localdate(),
        origin=Letter.Origin.CORRECTION,
        corrects=letter,
        created_by=actor,
    )
    correction.save()
    record_access(actor=actor, action=Action.CREATE, patient=letter.patient, obj=correction)
    return correction


def batch_queue(*, actor, today: datetime.date | None = None) -> LetterBatch:
    """Queue the drafting of every periodic report due this month; while one is running for
    this month, it is the one returned (one action, one batch). Administrators and the
    clinical lead prepare them (reports.permissions.can_queue_batches)."""
    require_that(permissions.can_queue_batches(actor))
    from reports.tasks import run_letter_batch

    month = month_bounds(today or timezone.localdate())[0]
    with transaction.atomic():
        running = LetterBatch.objects.filter(month=month, finished_at__isnull=True).first()
        if running:
            return running
        batch = LetterBatch.objects.create(month=month, requested_by=actor)
        batch_id = batch.pk
        transaction.on_commit(lambda: run_letter_batch.delay(batch_id), robust=True)
    return batch
