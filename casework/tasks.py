"""Celery tasks: ids in, a service does the work. Each is idempotent."""

from celery import shared_task
from django.conf import settings

from casework import services
from casework.services.compliance import recently_recorded_patients


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def evaluate_compliance(patient_ids: list[int] | None = None) -> int:
    """Raise the compliance alerts that are due. With no ids: patients with recent outcomes."""
    if patient_ids is None:
        patient_ids = recently_recorded_patients(hours=settings.COMPLIANCE_LOOKBACK_HOURS)
    return len(services.compliance_evaluate(patient_ids=patient_ids))


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def send_outcome_reminders() -> int:
    return services.outcome_reminders_send()


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def send_appointment_reminders() -> int:
    return services.reminders_send()


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def count_sessions() -> int:
    """Count again the sessions of the patients marked since (casework.services.session_counts):
    queued after each change, and every few minutes in case a queued one was lost."""
    return services.session_counts_update()


@shared_task
def recount_all_sessions() -> int:
    """Every night: count every patient's sessions again."""
    return services.session_counts_recount_all()
