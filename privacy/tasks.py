"""Privacy tasks: ids in, a service does the work; each is idempotent."""

from celery import shared_task

from privacy import retention, services


# Acknowledged late and given back if the worker is lost (config/settings: CELERY_TASK_*).
@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def make_access_copy(copy_id: int) -> bool:
    """Make an access copy; a second delivery finds it made and does nothing."""
    return services.access_copy_render(copy_id=copy_id)


@shared_task
def make_pending_access_copies() -> int:
    """Every few minutes: queue again the copies whose task was lost."""
    return len(services.access_copies_render_pending())


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def retention_sweep() -> dict:
    """Daily: flag the files to review, announce the destructions due (a dry run that the
    lead sees), and destroy those announced RETENTION_NOTICE_DAYS ago or more."""
    return retention.sweep(dry_run=False).summary()
