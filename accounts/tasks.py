"""Accounts' tasks: each is idempotent."""

from celery import shared_task

from accounts.models import ApiToken


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def delete_unused_tokens() -> int:
    """Daily: delete the API tokens that expired or were not used for API_TOKEN_IDLE_DAYS
    (they already authenticate no one). Each deletion is in the access log."""
    deleted, _by_model = ApiToken.objects.unused().delete()
    return deleted
