"""Letter tasks: ids in, a service does the work; each is idempotent."""

from celery import shared_task

from reports import drafting, services


# Acknowledged late and given back if the worker is lost (config/settings: CELERY_TASK_*).
@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def render_letters(letter_ids: list[int]) -> int:
    """Render signed letters' PDFs; a second delivery (or a retry after one failed) finds the
    rendered ones rendered and does nothing for them. Returns how many this run rendered."""
    return sum(services.letter_render(letter_id=letter_id) for letter_id in letter_ids)


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def draft_due_letters() -> int:
    """Daily: draft the letters that fell due; a second run drafts nothing more."""
    return len(drafting.draft_due_letters())


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def draft_letters_due_for(patient_ids: list[int]) -> int:
    """An intake, a closing, a mandate or an outcome was recorded: draft, now, the letters it
    sets off for those patients; a second delivery drafts nothing more."""
    return len(drafting.draft_due_letters(patient_ids=patient_ids))


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def tell_cosigners(letter_id: int) -> int:
    """A serious-risk alert was signed: the clinical lead co-signs it, and hears of it now."""
    return services.cosigners_tell(letter_id=letter_id)


@shared_task
def render_pending_letters() -> int:
    """Every few minutes: queue again the renders that were lost."""
    return len(services.letters_render_pending())


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def draft_letter_for_alert(alert_id: int) -> bool:
    """A compliance alert was raised: draft the letter it sets off, once."""
    return drafting.draft_for_alert(alert_id) is not None


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def run_letter_batch(batch_id: int) -> int:
    """Draft a batch's periodic reports; delivered twice, it drafts nothing more."""
    return drafting.batch_run(batch_id)
