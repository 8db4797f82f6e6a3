"""common.render_once: the claim a PDF is rendered once with, whatever the deliveries of its
task (the letters and the access copies both stand on it; here on an access copy's row)."""

import datetime

import pytest
from django.utils import timezone

from common import render_once
from privacy.models import AccessCopy
from tests.factories import register_patient


@pytest.fixture
def row(administrator, clinical_lead):
    patient = register_patient(administrator)
    return AccessCopy.objects.create(
        patient=patient, request_received_on=timezone.localdate(), requested_by=clinical_lead
    )


def test_of_the_callers_racing_for_a_row_one_claims_it(row):
    assert render_once.claim(AccessCopy, row.pk)
    assert not render_once.claim(AccessCopy, row.pk)
    assert not AccessCopy.objects.filter(render_once.unclaimed(), pk=row.pk).exists()


def test_a_claim_left_too_long_is_a_worker_gone_and_is_taken_over(row, settings):
    long_ago = timezone.now() - datetime.timedelta(seconds=settings.LETTER_RENDER_TIMEOUT + 1)
    AccessCopy.objects.filter(pk=row.pk).update(render_started_at=long_ago)

    assert AccessCopy.objects.filter(render_once.unclaimed(), pk=row.pk).exists()
    assert render_once.claim(AccessCopy, row.pk)


def test_what_is_rendered_is_stored_once_and_then_never_claimed_again(row):
    assert render_once.claim(AccessCopy, row.pk)

    assert render_once.store(AccessCopy, row.pk, pdf=b"first", pdf_sha256="a" * 64)
    assert not render_once.store(AccessCopy, row.pk, pdf=b"second", pdf_sha256="b" * 64)

    stored = AccessCopy.objects.get(pk=row.pk)
    assert (bytes(stored.pdf), stored.pdf_sha256) == (b"first", "a" * 64)
    assert stored.rendered_at is not None
    AccessCopy.objects.filter(pk=row.pk).update(render_started_at=None)
    assert not render_once.claim(AccessCopy, row.pk)  # rendered: nothing left to claim
