"""Statistics tasks: ids in, a service does the work; each is idempotent."""

from celery import shared_task

from clinic_statistics import annual_report


# Acknowledged late and given back if the worker is lost (config/settings: CELERY_TASK_*).
@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def render_activity_report(report_id: int) -> bool:
    """Render a requested annual report's PDF; a second delivery finds it rendered (or being
    rendered) and does nothing. Returns whether this run rendered it."""
    return annual_report.report_render(report_id)


@shared_task
def render_pending_activity_reports() -> int:
    """Every few minutes: queue again the reports whose render was lost."""
    return len(annual_report.reports_render_pending())
