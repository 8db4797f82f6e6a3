from celery import shared_task

from assessments import services


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def send_due_reminders() -> int:
    # Idempotent: one e-mail a day at most per clinician (DueReminder).
    return services.due_reminders_send()
