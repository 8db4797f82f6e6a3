"""The end of a file's life: kept at least RETENTION_REVIEW_YEARS and at most
RETENTION_DESTROY_YEARS after the last contact (law of 22 April 2019, art. 35; docs/privacy.md).

- The daily sweep flags the closed files whose last contact is RETENTION_REVIEW_YEARS old, for
  the clinical lead to review; a file seen again meanwhile loses its flag.
- A flagged file whose RETENTION_DESTROY_YEARS have passed is first announced (the sweep's dry
  run, shown to the lead), then destroyed by a sweep RETENTION_NOTICE_DAYS later. The lead may
  also destroy a flagged file earlier, after review.
- Destroying removes every row that belongs to the file, in every app, with its history, and
  leaves a tombstone; the documents' bytes are removed from their storage after the commit.
  The access log is not touched: its lines keep the identifiers they were written with, their
  MACs and their chain, so it verifies as before.
"""

import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import Exists, Max, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import Action, record_access
from casework.models import Attendance, CareStage, Episode, Patient
from common.dates import years_after, years_before
from common.permissions import require_that
from documents.models import Document
from documents.tasks import remove_stored_documents
from privacy import permissions
from privacy.models import RetentionFlag, Tombstone

logger = logging.getLogger(__name__)

# The transaction-local setting that lets the database's guards (signed notes, assessments and
# letters are final) allow the destruction's deletes: the migrations' triggers read it.
DESTRUCTION_SETTING = "clinic.retention_destruction"


def last_contacts(today: datetime.date) -> dict[int, datetime.date]:
    """The closed files whose last contact is RETENTION_REVIEW_YEARS old or more, with that
    date: the latest of the registration, the episodes' dates and the sessions the patient was
    expected at. A file still in care is never due."""
    cutoff = years_before(today, settings.RETENTION_REVIEW_YEARS)
    recent = Q(closed_on__gt=cutoff) | Q(referral_received_on__gt=cutoff)
    candidates = Patient.objects.filter(
        status=CareStage.CLOSED, created_at__date__lte=cutoff
    ).exclude(Exists(Episode.objects.filter(recent, patient=OuterRef("pk"))))
    rows = candidates.annotate(
        last_closed=Max("episodes__closed_on"),
        last_referral=Max("episodes__referral_received_on"),
    ).values_list("pk", "created_at", "last_closed", "last_referral")
    found = {
        pk: max(d for d in (timezone.localdate(created), closed, referral) if d)
        for pk, created, closed, referral in rows
    }
    sessions = (
        Attendance.objects.filter(
            patient_id__in=list(found), appointment__starts_at__lte=timezone.now()
        )
        .values("patient_id")
        .annotate(last=Max("appointment__starts_at"))
        .values_list("patient_id", "last")
    )
    for pk, last in sessions:
        found[pk] = max(found[pk], timezone.localdate(last))
    return {pk: day for pk, day in found.items() if day <= cutoff}


def files_to_review() -> int:
    """Flagged files the lead has not reviewed yet (the lead's home page says how many)."""
    return RetentionFlag.objects.filter(reviewed_at__isnull=True).count()


@dataclass
class Sweep:
    today: datetime.date
    dry_run: bool
    flagged: list[int] = field(default_factory=list)  # patient ids flagged by this sweep
    unflagged: list[int] = field(default_factory=list)  # seen again since: flag dropped
    announced: list[int] = field(default_factory=list)  # due for destruction, announced now
    destroyed: list[str] = field(default_factory=list)  # file numbers destroyed now
    waiting: list[int] = field(default_factory=list)  # announced, notice not over yet
    failed: list[int] = field(default_factory=list)  # due, but its destruction was undone

    def summary(self) -> dict:
        return {
            "today": self.today.isoformat(),
            "dry_run": self.dry_run,
            "flagged": len(self.flagged),
            "unflagged": len(self.unflagged),
            "announced": len(self.announced),
            "waiting": len(self.waiting),
            "destroyed": self.destroyed,
            "failed": self.failed,
        }


def sweep(*, dry_run: bool = True, today: datetime.date | None = None) -> Sweep:
    """Flag, announce, destroy. A dry run says what a real sweep would do and changes nothing."""
    today = today or timezone.localdate()
    report = Sweep(today=today, dry_run=dry_run)
    due = last_contacts(today)
    flags = {flag.patient_id: flag for flag in RetentionFlag.objects.all()}
    report.unflagged = [pk for pk in flags if pk not in due]
    notice = datetime.timedelta(days=settings.RETENTION_NOTICE_DAYS)
    new, moved = [], []  # flags to make; flags whose last contact was recorded later since
    for pk, last_contact in due.items():
        destroy_on = years_after(last_contact, settings.RETENTION_DESTROY_YEARS)
        flag = flags.get(pk)
        if flag is None:
            report.flagged.append(pk)
            flag = RetentionFlag(
                patient_id=pk, last_contact=last_contact, flagged_on=today, destroy_on=destroy_on
            )
            new.append(flag)
        elif flag.last_contact != last_contact:  # the dates move, and any announcement with them
            flag.last_contact, flag.destroy_on, flag.announced_on = last_contact, destroy_on, None
            moved.append(flag)
        if destroy_on > today:
            continue
        if flag.announced_on is None:
            report.announced.append(pk)
        elif flag.announced_on + notice <= today:
            report.destroyed.append(pk)
        else:
            report.waiting.append(pk)
    if dry_run:
        report.destroyed = list(
            Patient.objects.filter(pk__in=report.destroyed).values_list("file_number", flat=True)
        )
        return report
    with transaction.atomic():
        # A few queries whatever the number of files: never one per flagged file.
        RetentionFlag.objects.filter(patient_id__in=report.unflagged).delete()
        RetentionFlag.objects.bulk_create(new)
        RetentionFlag.objects.bulk_update(moved, ["last_contact", "destroy_on", "announced_on"])
        RetentionFlag.objects.filter(patient_id__in=report.announced).update(announced_on=today)
    due_now, report.destroyed = report.destroyed, []
    for pk in due_now:
        try:
            tombstone = destroy(
                patient_id=pk, actor=None, reason=Tombstone.Reason.LIMIT, today=today
            )
        except Exception:  # one file that cannot go must not keep the others
            logger.exception("Retention: file %s could not be destroyed; it stays, flagged", pk)
            report.failed.append(pk)
        else:
            report.destroyed.append(tombstone.file_number)
    return report


@transaction.atomic
def review(*, actor, flag: RetentionFlag, review_note: str) -> RetentionFlag:
    """The lead reviewed a flagged file and keeps it: until its longest period ends."""
    require_that(permissions.can_manage_privacy(actor))
    note = review_note.strip()
    if not note:
        raise ValidationError({"review_note": _("Say what the review found.")})
    flag.reviewed_at, flag.reviewed_by, flag.review_note = timezone.now(), actor, note
    flag.save(update_fields=["reviewed_at", "reviewed_by", "review_note"])
    record_access(actor=actor, action=Action.UPDATE, patient=flag.patient, obj=flag)
    return flag


# --- Destruction ----------------------------------------------------------------------------


def _referencing(model) -> list[tuple[type[models.Model], models.ForeignKey]]:
    """Every foreign key (and one-to-one) that points at this model, hidden ones included
    (the clinical zone's, the history tables', guardian's permissions)."""
    return [
        (relation.related_model, relation.field)
        for relation in model._meta.get_fields(include_hidden=True)
        if relation.auto_created
        and not relation.concrete
        and (relation.one_to_many or relation.one_to_one)
    ]


def rows_of(patient_id: int) -> dict[type[models.Model], set]:
    """Every row that belongs to the file: the patient's, then whatever points at those, and so
    on down. Found from the schema, so that a model added later is destroyed with the file
    without anyone listing it here. Shared rows (a group, its sessions, a clinician) are never
    reached: they do not point at the patient's rows."""
    found: dict[type[models.Model], set] = defaultdict(set)
    found[Patient] = set(Patient._base_manager.filter(pk=patient_id).values_list("pk", flat=True))
    queue: list[tuple[type[models.Model], set]] = (
        [(Patient, found[Patient])] if found[Patient] else []
    )
    while queue:
        model, pks = queue.pop()
        for related, fk in _referencing(model):
            new = (
                set(
                    related._base_manager.filter(**{f"{fk.attname}__in": pks}).values_list(
                        "pk", flat=True
                    )
                )
                - found[related]
            )
            if new:
                found[related] |= new
                queue.append((related, new))
    # Each row's own history (simple_history keeps the row's id, not a foreign key to it).
    for model, pks in list(found.items()):
        manager = getattr(model._meta, "simple_history_manager_attribute", None)
        if manager:
            historical = getattr(model, manager).model
            found[historical] |= set(
                historical._base_manager.filter(id__in=pks).values_list("pk", flat=True)
            )
    return {model: pks for model, pks in found.items() if pks}


@transaction.atomic
def destroy(
    *, patient_id: int, actor, reason: str, today: datetime.date | None = None
) -> Tombstone:
    """Destroy a flagged file and leave its tombstone; logged. Everything or nothing: the
    foreign keys are checked before the commit, so a row left pointing at a destroyed one
    undoes the whole destruction. A person destroys a file as the lead, after review; the
    sweep destroys as the clinic itself (actor None), once the longest period has ended."""
    if actor is not None:
        require_that(permissions.can_manage_privacy(actor))
    patient = Patient.objects.select_for_update().filter(pk=patient_id).first()
    flag = RetentionFlag.objects.filter(patient_id=patient_id).first()
    if patient is None or flag is None:
        raise ValidationError(_("Only a file due for retention review can be destroyed."))
    if reason == Tombstone.Reason.LIMIT and flag.destroy_on > (today or timezone.localdate()):
        raise ValidationError(_("This file's longest retention period has not ended."))
    rows = rows_of(patient.pk)
    # The documents' bytes go after the rows, once the destruction is committed (a storage is
    # no transaction, and may be the network): a task, retried until they are gone.
    stored = list(
        Document.objects.filter(pk__in=rows.get(Document, ())).values_list("stored_as", flat=True)
    )
    if stored:
        transaction.on_commit(lambda: remove_stored_documents.delay(stored), robust=True)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL {DESTRUCTION_SETTING} = 'on'")
    for model, pks in rows.items():
        model._base_manager.filter(pk__in=pks)._raw_delete(connection.alias)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL {DESTRUCTION_SETTING} = 'off'")
    connection.check_constraints(table_names=sorted({m._meta.db_table for m in _tables(rows)}))
    tombstone = Tombstone.objects.create(
        patient_id=patient.pk,
        file_number=patient.file_number,
        last_contact=flag.last_contact,
        reason=reason,
        destroyed_by=actor,
        records={
            model._meta.label_lower: len(pks)
            for model, pks in sorted(rows.items(), key=lambda item: item[0]._meta.label_lower)
        },
    )
    record_access(actor=actor, action=Action.DELETE, patient=patient, obj=patient)
    return tombstone


def rows_summary(patient_id: int) -> list[tuple[str, int]]:
    """What a destruction would remove, by kind of record, for the confirmation page: the
    records people know (their history and the access grants go with them, unlisted)."""
    rows = rows_of(patient_id)
    return sorted(
        (str(model._meta.verbose_name_plural), len(pks))
        for model, pks in rows.items()
        if not model._meta.auto_created
        and not model._meta.model_name.startswith("historical")
        and not model._meta.model_name.endswith("objectpermission")
    )


def _tables(rows) -> set:
    """The tables whose foreign keys could point at a destroyed row."""
    return {related for model in rows for related, _fk in _referencing(model)} | set(rows)
