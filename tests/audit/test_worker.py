"""The access log sealed by a real Celery worker through the Redis broker."""

import time

import pytest
from celery.contrib.testing.worker import start_worker

from audit.models import AccessEvent
from audit.tasks import seal_access_log
from audit.verifying import verify_access_log
from config.celery import app
from tests.conftest import wait_until


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_seals_what_the_pages_logged_and_a_second_run_does_nothing(
    redis_broker, patient, treating_psychologist, client_for
):
    # Registering the patient queued sealing tasks; no worker has taken them yet.
    assert AccessEvent.objects.unsealed().exists()

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        # Each committed request queues one sealing task after its commit.
        client = client_for(treating_psychologist)
        for _ in range(3):
            assert client.get(patient.get_absolute_url()).status_code == 200
        assert wait_until(lambda: not AccessEvent.objects.unsealed().exists())
        sealed = AccessEvent.objects.sealed().count()

        # Delivered twice (a retry, a duplicate message): nothing is sealed twice.
        seal_access_log.delay()
        seal_access_log.delay()
        time.sleep(0.5)

    report = verify_access_log()
    assert report.ok and report.unsealed == 0
    assert report.checked == sealed == AccessEvent.objects.count()
