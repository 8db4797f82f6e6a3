"""Helpline tasks: a service does the work; each is idempotent."""

from celery import shared_task

from helpline import services


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def erase_old_summaries() -> int:
    """Daily: erase the free text of contacts older than HELPLINE_SUMMARY_MONTHS."""
    return services.erase_old_summaries()
