"""Letters rendered by a real Celery worker through the Redis broker."""

import datetime
import time
from unittest import mock

import pytest
from celery.contrib.testing.worker import start_worker
from django.utils import timezone

from audit.models import AccessEvent
from common import pdf
from config.celery import app
from reports import services as letters
from reports.models import Letter
from reports.tasks import render_letters
from tests.conftest import wait_until
from tests.reports.pdf_helpers import pdf_text


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_letter_delivered_twice_to_two_workers_is_rendered_once(
    redis_broker, patient, administrator, treating_psychologist
):
    today = timezone.localdate()
    draft = letters.letter_draft(
        actor=administrator,
        patient=patient,
        kind="periodic_report",
        mandate=patient.mandates.get(),
        period_start=today - datetime.timedelta(days=90),
        period_end=today - datetime.timedelta(days=1),  # a report is signed once it has ended
    )

    renders = []
    real_render = pdf.render_pdf

    def counted(html):
        renders.append(html)
        return real_render(html)

    with (
        mock.patch.object(pdf, "render_pdf", counted),
        start_worker(
            app, pool="threads", concurrency=2, perform_ping_check=False, shutdown_timeout=20
        ),
    ):
        # Signing queues the render after its commit; the broker delivers it twice more.
        letters.letter_sign(actor=treating_psychologist, letter=draft)
        render_letters.delay([draft.pk])
        render_letters.delay([draft.pk])
        assert wait_until(
            lambda: Letter.objects.filter(pk=draft.pk).exclude(pdf_sha256="").exists(),
            timeout=60,
        )
        time.sleep(1.5)  # let the duplicate deliveries finish

    assert len(renders) == 1  # WeasyPrint ran once
    letter = Letter.objects.get(pk=draft.pk)
    assert letter.pdf_matches()
    assert patient.file_number in pdf_text(bytes(letter.pdf))
    rendered = AccessEvent.objects.filter(action="print", object_id=str(letter.pk))
    assert rendered.count() == 1  # one render, logged once
