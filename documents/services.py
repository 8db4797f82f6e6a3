"""Filing a document on a patient's file (docs/documents.md).

The bytes go to the documents' storage before the row is written, outside any transaction (an
object storage is the network), and are removed again if the row cannot be written: a
document is on the file with its bytes, or not at all. The caller must not hold a transaction
(the upload page answers outside the request's)."""

import datetime
import logging
import os
import unicodedata
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import Action, record_access
from casework.models import Attendance, Patient
from casework.services import evidence_received
from common import uploads
from documents import permissions, selectors
from documents.models import FILENAME_MAX_LENGTH, Document

logger = logging.getLogger(__name__)


def storage():
    """Where the documents' bytes live (settings.STORAGES["documents"])."""
    return storages["documents"]


def clean_filename(name: str, kind: uploads.Kind) -> str:
    """The name the file came with, as a name to give it back under: no folder, no control
    character, and the extension of what it is (a "scan.exe" that is a PDF is "scan.pdf")."""
    base = os.path.basename(name.replace("\\", "/"))
    base = "".join(c for c in base if unicodedata.category(c)[0] != "C").strip(" .")
    stem = os.path.splitext(base)[0] or _("document")
    return stem[: FILENAME_MAX_LENGTH - len(kind.extension)] + kind.extension


def _checked_file(upload) -> uploads.Kind:
    if upload is None:
        raise ValidationError({"file": _("Choose the file to add.")})
    if upload.size == 0:
        raise ValidationError({"file": _("This file is empty.")})
    largest = settings.DOCUMENT_MAX_MB * 1024 * 1024
    if upload.size > largest:
        raise ValidationError(
            {
                "file": _("This file is %(size).1f MB: the largest taken is %(max)d MB.")
                % {"size": upload.size / 1024 / 1024, "max": settings.DOCUMENT_MAX_MB}
            }
        )
    kind = uploads.sniff(upload)
    if kind is None:
        raise ValidationError(
            {
                "file": _(
                    "This file is not a PDF, a PNG or a JPEG image: only those are taken. "
                    "Its content is checked, not its name."
                )
            }
        )
    return kind


def _checked_evidence(actor, patient, kind, attendance) -> Attendance | None:
    if kind != Document.Kind.ABSENCE_EVIDENCE:
        return None
    awaiting = selectors.sessions_awaiting_evidence(actor, patient.pk)
    if attendance is None or not awaiting.filter(pk=attendance.pk).exists():
        raise ValidationError(
            {"attendance": _("Choose the session of this patient whose evidence is awaited.")}
        )
    return attendance


def document_upload(
    *,
    actor,
    patient: Patient,
    kind: str,
    dated: datetime.date,
    upload,
    title: str = "",
    attendance: Attendance | None = None,
) -> Document:
    """File a document on the patient's file; evidence for an absence clears the session's
    awaited evidence. Bad input changes nothing: no row, no bytes."""
    reads_clinical = selectors.reads_clinical(actor, patient.pk)
    if refusal := permissions.kind_refusal(kind, reads_clinical=reads_clinical):
        raise ValidationError({"kind": refusal})
    if dated > timezone.localdate():
        raise ValidationError({"dated": _("A document cannot be dated after today.")})
    attendance = _checked_evidence(actor, patient, kind, attendance)
    content = _checked_file(upload)
    digest = uploads.sha256(upload)
    name = uuid.uuid4().hex
    stored_as = storage().save(f"{name[:2]}/{name}{content.extension}", upload)
    try:
        with transaction.atomic():
            document = Document(
                patient=patient,
                kind=kind,
                dated=dated,
                title=title.strip(),
                filename=clean_filename(upload.name or "", content),
                content_type=content.content_type,
                size=upload.size,
                sha256=digest,
                stored_as=stored_as,
                attendance=attendance,
                uploaded_by=actor,
            )
            document.full_clean(exclude=["uploaded_by"])
            document.save()
            if attendance is not None:
                evidence_received(
                    actor=actor, attendance=attendance, received_on=timezone.localdate()
                )
            record_access(actor=actor, action=Action.CREATE, patient=patient, obj=document)
    except BaseException:
        storage().delete(stored_as)
        raise
    return document


def stored_remove(names: list[str]) -> int:
    """Remove the bytes of documents whose rows are gone (their file destroyed at the end of
    its retention); a name already removed is no fault. Returns how many were there."""
    removed = 0
    for name in names:
        if storage().exists(name):
            storage().delete(name)
            removed += 1
    return removed
