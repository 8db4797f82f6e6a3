"""Helpline tasks: a service does the work; each is idempotent."""

from celery import shared_task

from helpline import counts, services


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def erase_old_summaries() -> int:
    """Daily: erase the free text of contacts older than HELPLINE_SUMMARY_MONTHS."""
    return services.erase_old_summaries()


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def recount_months() -> int:
    """Nightly: count every month's contacts again, in case a write past the ORM left the
    counts behind (helpline.counts); changes nothing on right counts."""
    return counts.count_all()
