import datetime

import pytest
from django.utils import timezone

from helpline.models import Contact


@pytest.fixture
def contact_at():
    """A contact logged straight into the table, at any time (the service takes today's only)."""

    def make(listener, *, days=0, minutes=10, channel="phone", **fields):
        started = timezone.now() - datetime.timedelta(days=days)
        tags = fields.pop("tags", [])
        contact = Contact.objects.create(
            listener=listener,
            channel=channel,
            started_at=started,
            duration_minutes=minutes,
            **fields,
        )
        contact.tags.set(tags)
        return contact

    return make
