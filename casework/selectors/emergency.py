"""Emergency accesses: those running on a file, those the clinical lead reviews or decides,
and a clinician's own requests."""

import datetime

from django.conf import settings
from django.db.models import (
    Q,
    QuerySet,
)
from django.utils import timezone

from casework.models import (
    EmergencyAccess,
    Patient,
)


def emergency_accesses_of(patient: Patient) -> list:
    """The patient's emergency accesses that still run, for the patient page."""
    return list(
        EmergencyAccess.objects.active().filter(patient=patient).select_related("clinician")
    )


def emergency_accesses_to_review() -> QuerySet:
    """Emergency accesses that opened a file, at once or approved, not reviewed yet."""
    return EmergencyAccess.objects.filter(
        reviewed_at__isnull=True,
        status__in=[EmergencyAccess.Status.OPENED, EmergencyAccess.Status.APPROVED],
    ).select_related("patient", "clinician")


def emergency_requests_to_decide() -> QuerySet:
    """Emergency accesses awaiting the clinical lead's approval, oldest first."""
    return (
        EmergencyAccess.objects.filter(status=EmergencyAccess.Status.REQUESTED)
        .select_related("patient", "clinician")
        .order_by("opened_at", "pk")
    )


def emergency_requests_of(user) -> list:
    """The user's own emergency accesses that awaited approval: those still waiting, and those
    decided within the last EMERGENCY_ACCESS_HOURS (for their home page)."""
    since = timezone.now() - datetime.timedelta(hours=settings.EMERGENCY_ACCESS_HOURS)
    return list(
        EmergencyAccess.objects.filter(clinician=user)
        .filter(
            Q(status=EmergencyAccess.Status.REQUESTED)
            | Q(
                status__in=[EmergencyAccess.Status.APPROVED, EmergencyAccess.Status.REFUSED],
                decided_at__gte=since,
            )
        )
        .select_related("patient", "decided_by")
        .order_by("-opened_at", "-pk")[:20]
    )
