"""Access copies: asked for by the clinical lead, made once by a worker, downloaded (logged).

Retention lives in privacy.retention."""

import datetime
import hashlib
import json

from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit.services import Action, record_access
from casework.models import Patient
from common import after_response, render_once
from common.dates import years_before
from common.permissions import require_that
from privacy import access_copy, permissions
from privacy.models import AccessCopy


@transaction.atomic
def access_copy_request(
    *, actor, patient: Patient, request_received_on: datetime.date, request_note: str = ""
) -> AccessCopy:
    """Ask a worker to make the copy; the request is logged as an export of the file."""
    require_that(permissions.can_manage_privacy(actor))
    today = timezone.localdate()
    if request_received_on > today:
        message = _("The request cannot come from the future.")
        raise ValidationError({"request_received_on": message})
    if request_received_on < years_before(today, 1):
        message = _("A request is answered within a month: a date over a year ago is a typo.")
        raise ValidationError({"request_received_on": message})
    copy = AccessCopy.objects.create(
        patient=patient,
        request_received_on=request_received_on,
        request_note=request_note.strip(),
        requested_by=actor,
    )
    record_access(actor=actor, action=Action.EXPORT, patient=patient, obj=copy)
    copy_id = copy.pk
    transaction.on_commit(lambda: _queue(copy_id), robust=True)
    return copy


def _queue(copy_id: int) -> None:
    from privacy.tasks import make_access_copy

    after_response.queue(make_access_copy, copy_id)


def access_copy_render(*, copy_id: int) -> bool:
    """Make the copy once, whatever the number of deliveries: claimed with a conditional
    update, built and rendered outside any transaction, stored only if nothing is stored yet,
    in one transaction with its line in the access log. Returns whether this call made it."""
    from common.pdf import render_pdf

    copy = (
        AccessCopy.objects.select_related("patient", "requested_by")
        .defer("pdf", "data")
        .filter(pk=copy_id)
        .first()
    )
    if copy is None or copy.pdf_sha256:
        return False
    if not render_once.claim(AccessCopy, copy_id):
        return False
    # Read as the lead who asked, through the patient door with the clinical zone.
    values = access_copy.build(actor=copy.requested_by, patient_id=copy.patient_id, copy=copy)
    data = json.dumps(values, ensure_ascii=False, indent=2, sort_keys=False).encode()
    with translation.override(values["language"]):
        html = render_to_string(
            "privacy/access_copy.html", {"copy": values, "made_on": access_copy.made_on(values)}
        )
    pdf = render_pdf(html)
    with transaction.atomic():
        stored = render_once.store(
            AccessCopy,
            copy_id,
            pdf=pdf,
            pdf_sha256=hashlib.sha256(pdf).hexdigest(),
            data=data,
            data_sha256=hashlib.sha256(data).hexdigest(),
        )
        if stored:
            record_access(actor=None, action=Action.PRINT, patient=copy.patient, obj=copy)
    return stored


def access_copies_render_pending() -> list[int]:
    """Queue again the copies whose task was lost; the render itself stays idempotent."""
    from privacy.tasks import make_access_copy

    pending = list(
        AccessCopy.objects.filter(pdf_sha256="")
        .filter(render_once.unclaimed())
        .values_list("pk", flat=True)
    )
    for copy_id in pending:
        make_access_copy.delay(copy_id)
    return pending


FORMATS = {
    "pdf": ("pdf", "pdf_sha256", "application/pdf"),
    "json": ("data", "data_sha256", "application/json"),
}


def access_copy_file(*, actor, copy: AccessCopy, kind: str) -> tuple[bytes, str] | None:
    """The stored PDF or JSON, exactly as made (None until it is ready); logged."""
    require_that(permissions.can_manage_privacy(actor))
    field, digest, content_type = FORMATS[kind]
    content, stored_digest = AccessCopy.objects.values_list(field, digest).get(pk=copy.pk)
    if not stored_digest:
        return None
    record_access(actor=actor, action=Action.EXPORT, patient=copy.patient, obj=copy)
    return bytes(content), content_type
