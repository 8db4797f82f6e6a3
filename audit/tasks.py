import logging

from celery import shared_task

from audit import alerts, checkpoint, sealing, verifying, witnesses

logger = logging.getLogger(__name__)


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def seal_access_log() -> int:
    # Idempotent: a second run finds nothing left to seal.
    total = 0
    while sealed := sealing.seal_access_log():
        total += sealed
    return total


@shared_task
def verify_access_log() -> bool:
    """Nightly: the whole chain from its first event, the listing index and the head kept
    outside the database. Not only what came after the last check: an old event edited, or a
    patient taken out of a listing's index, must be found the next night (about 17 s for two
    million events, docs/performance.md)."""
    report = verifying.verify_access_log(full=True)
    if not report.ok:
        logger.error("Access log NOT intact: %s", "; ".join(report.problems))
        alerts.raise_integrity_alert(report.problems)
    return report.ok


@shared_task
def witness_head() -> int | None:
    """Daily: the chain's head to the witnesses that take it once a day (the auditors'
    e-mail, audit/witnesses.py). Returns the head's sequence number."""
    head = sealing.chain_head()
    if head is None:
        return None
    witnesses.record(checkpoint.stamped(*head), every_seal=False)
    return head[0]
