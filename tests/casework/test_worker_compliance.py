"""The compliance rules run by a real Celery worker through the Redis broker."""

import time

import pytest
from celery.contrib.testing.worker import start_worker

from casework.models import ComplianceAlert
from casework.signals import compliance_alert_raised
from casework.tasks import evaluate_compliance
from config.celery import app
from tests.conftest import wait_until
from tests.factories import book, record


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_rule_task_raises_one_alert_on_a_real_worker_however_often_it_runs(
    redis_broker, patient, treating_psychologist
):
    for day in (-20, -10):
        record(
            book(patient, treating_psychologist, days=day),
            "absence-unacceptable",
            by=treating_psychologist,
        )
    sent = []
    compliance_alert_raised.connect(
        lambda sender, alert, **kw: sent.append(alert.pk),
        weak=False,
        dispatch_uid="test-worker-alerts",
    )

    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            # Recording queued evaluations already; the beat's hourly run and a duplicate follow.
            evaluate_compliance.delay()
            evaluate_compliance.delay([patient.pk])
            assert wait_until(lambda: ComplianceAlert.objects.exists())
            time.sleep(1.0)  # let any duplicate delivery finish
    finally:
        compliance_alert_raised.disconnect(dispatch_uid="test-worker-alerts")

    alert = ComplianceAlert.objects.get()
    assert (alert.patient, alert.rule.name) == (
        patient,
        "Two unacceptable absences within 12 months",
    )
    assert sent == [alert.pk]
