"""A PDF rendered once, whatever the number of deliveries of its task (a broker delivers twice,
a worker is killed halfway): the claim the letters (reports) and the patient's access copies
(privacy) both stand on.

The row has `render_started_at` (the claim), `pdf_sha256` (empty until stored) and
`rendered_at`. A worker claims the row with a conditional update, renders outside any
transaction (no lock held for the second a render takes), then stores the bytes only if none
are stored yet. A claim older than LETTER_RENDER_TIMEOUT is a worker gone (killed): the next
delivery, or the beat's sweep of `unclaimed()` rows, takes it over.
"""

import datetime

from django.conf import settings
from django.db.models import Model, Q
from django.utils import timezone


def unclaimed() -> Q:
    """Rows nobody is rendering: never claimed, or claimed by a worker gone too long."""
    stale = timezone.now() - datetime.timedelta(seconds=settings.LETTER_RENDER_TIMEOUT)
    return Q(render_started_at__isnull=True) | Q(render_started_at__lt=stale)


def claim(model: type[Model], pk: int) -> bool:
    """Claim the render of one row not yet rendered: True for one caller of those racing."""
    claimed = model._default_manager.filter(unclaimed(), pk=pk, pdf_sha256="").update(
        render_started_at=timezone.now()
    )
    return bool(claimed)


def store(model: type[Model], pk: int, **rendered) -> bool:
    """Store what was rendered (the pdf, its pdf_sha256, ...), stamped `rendered_at`, only if
    nothing is stored yet: True if this call stored it. Called within the transaction that
    also logs the print, so that the two go together."""
    stored = model._default_manager.filter(pk=pk, pdf_sha256="").update(
        rendered_at=timezone.now(), **rendered
    )
    return bool(stored)
