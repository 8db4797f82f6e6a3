"""A copy of the file made by a real Celery worker through the Redis broker: once, whatever
the number of deliveries."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.utils import timezone

from audit.models import AccessEvent
from config.celery import app
from privacy import services
from privacy.models import AccessCopy
from privacy.tasks import make_access_copy
from tests.conftest import wait_until
from tests.reports.pdf_helpers import pdf_text


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_copy_delivered_three_times_to_two_workers_is_made_once(
    redis_broker, patient, clinical_lead
):
    with start_worker(
        app, pool="threads", concurrency=2, perform_ping_check=False, shutdown_timeout=20
    ):
        # Asking queues the task after its commit; the broker delivers it twice more.
        copy = services.access_copy_request(
            actor=clinical_lead, patient=patient, request_received_on=timezone.localdate()
        )
        make_access_copy.delay(copy.pk)
        make_access_copy.delay(copy.pk)
        assert wait_until(
            lambda: AccessCopy.objects.filter(pk=copy.pk).exclude(pdf_sha256="").exists(),
            timeout=60,
        )
        time.sleep(1.5)  # let the duplicate deliveries finish

    copy = AccessCopy.objects.get(pk=copy.pk)
    assert copy.matches()
    assert patient.file_number in pdf_text(bytes(copy.pdf))
    made = AccessEvent.objects.filter(action="print", object_id=str(copy.pk))
    assert made.count() == 1  # made once, logged once
