"""Thin tasks: names in, a service does the work."""

from celery import shared_task

from documents import services


@shared_task(
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=None,
)
def remove_stored_documents(names: list[str]) -> int:
    return services.stored_remove(names)
