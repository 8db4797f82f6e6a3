"""Reads of letters, through the patient door (the frame zone)."""

import datetime

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from casework.models import CareTeamMembership
from casework.selectors import Reach, patients_visible_to
from reports import catalogue
from reports.models import Dispatch, Letter


def letters_of(user, patient_id) -> QuerySet[Letter]:
    visible = patients_visible_to(user).filter(pk=patient_id)
    return (
        Letter.objects.filter(patient__in=visible)
        .select_related("mandate__authority", "signed_by", "cosigned_by", "corrects")
        .defer("pdf")
        .order_by("-created_at", "-pk")
    )


def latest_letters(patient, count: int) -> list[Letter]:
    """A patient's latest letters as the patient page lists them (what, where it stands, when):
    of a patient the caller has let through the door already, like the page's other lists."""
    return list(
        Letter.objects.filter(patient=patient)
        .only("pk", "patient_id", "kind", "status", "due_on", "created_at", "signed_at")
        .order_by("-created_at", "-pk")[:count]
    )


def letter_for(user, patient_id, letter_id) -> Letter:
    return get_object_or_404(
        letters_of(user, patient_id).select_related(
            "patient",
            "mandate__justice_contact",
            "mandate__legal_framework",
            "mandate__decided_by",
            "episode",
            "attendance__outcome",
            "alert__rule",
            "batch__requested_by",
            "created_by",
            "withdrawn_by",
        ),
        pk=letter_id,
    )


def letters_visible_to(reach: Reach) -> QuerySet[Letter]:
    """The letters of the patients within reach, as lists show them (no PDF, no facts): a
    clinician's by the ids read first, whoever sees every file's unfiltered (asked for as 'of
    every patient', each list paid a join to all the patients: docs/performance.md)."""
    return _as_listed(Letter.objects.filter(reach.patients_q()))


def _as_listed(letters: QuerySet[Letter]) -> QuerySet[Letter]:
    return letters.select_related("patient", "mandate__authority").defer(
        "pdf", "facts", "definitions"
    )


def _soonest_due(letters: QuerySet[Letter]) -> QuerySet[Letter]:
    return letters.order_by(F("due_on").asc(nulls_last=True), "pk")


def letters_to_prepare(reach: Reach) -> QuerySet[Letter]:
    """Letters not signed yet about the patients of the user's current care teams, soonest due
    first (within reach: the ids read first let the planner start from the clinician's
    letters). Plain rows, to count: `first_letters_to_prepare` lists them."""
    mine = CareTeamMembership.objects.filter(clinician=reach.user, ends_on__isnull=True)
    return _soonest_due(
        Letter.objects.filter(
            reach.patients_q(),
            status__in=[Letter.Status.DRAFT, Letter.Status.READY],
            patient_id__in=mine.values("patient_id"),
        )
    )


def first_letters_to_prepare(reach: Reach, count: int) -> list[Letter]:
    """The `count` letters to prepare due soonest, as lists show them. Their ids first, in a
    subquery of its own (its LIMIT keeps the planner from merging it): sorting a clinician's
    open letters (a thousand or more at network scale) as bare ids, then joining the patient
    and the authority to those rows only, halves the time of joining them all before the sort
    (docs/performance.md)."""
    first = letters_to_prepare(reach).values("pk")[:count]
    return list(_soonest_due(_as_listed(Letter.objects.filter(pk__in=first))))


def awaiting_cosignature(user) -> list[Letter]:
    """The serious-risk alerts signed once that this clinical lead may co-sign (not the ones
    they signed themselves), oldest first: the lead's home page lists them."""
    cosign = [code for code, letter in catalogue.TYPES.items() if letter.needs_cosignature]
    return list(
        Letter.objects.filter(
            kind__in=cosign, status=Letter.Status.SIGNED, cosigned_at__isnull=True
        )
        .exclude(signed_by=user)
        .select_related("patient", "signed_by")
        .defer("pdf", "facts", "definitions")
        .order_by("signed_at", "pk")[:20]
    )


RECENT_DAYS = 30


def dashboard_sections(reach: Reach, today: datetime.date) -> dict[str, QuerySet[Letter]]:
    """The clinic's letters by what they wait for, each list in the order it is worked on."""
    visible = letters_visible_to(reach).exclude(status=Letter.Status.WITHDRAWN)
    unsent = visible.exclude(status__in=[Letter.Status.SENDING, Letter.Status.SENT])
    fortnight = today + datetime.timedelta(days=14)
    cosign = [code for code, letter in catalogue.TYPES.items() if letter.needs_cosignature]
    return {
        "overdue": _soonest_due(unsent.filter(due_on__lt=today)),
        "due_soon": _soonest_due(unsent.filter(due_on__gte=today, due_on__lte=fortnight)),
        "to_sign": _soonest_due(
            visible.filter(
                Q(status=Letter.Status.READY)
                | Q(status=Letter.Status.SIGNED, kind__in=cosign, cosigned_at__isnull=True)
            )
        ),
        "to_send": _soonest_due(visible.filter(status=Letter.Status.SIGNED).exclude(pdf_sha256="")),
        # Every open draft is somewhere: those due after the fortnight, or with no due date.
        "later": _soonest_due(
            unsent.filter(status__in=[Letter.Status.DRAFT, Letter.Status.READY]).filter(
                Q(due_on__gt=fortnight) | Q(due_on__isnull=True)
            )
        ),
        "sent": visible.filter(
            Exists(
                Dispatch.objects.filter(
                    letter=OuterRef("pk"),
                    recorded_at__gte=timezone.now() - datetime.timedelta(days=RECENT_DAYS),
                )
            ),
            status__in=[Letter.Status.SENDING, Letter.Status.SENT],
        ).order_by("-signed_at", "-pk"),
    }
