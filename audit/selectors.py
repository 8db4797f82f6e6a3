"""What the auditor's page and its export read: the events a search selects, from the log alone.

The search is what the page's filters say (a file number, part of a user's name, an action,
days), parsed once and bounded (common.http, common.dates); an unknown value selects nothing
rather than everything. Reading who accessed a file is itself an access to that file: the views
log it, with the file this search found.
"""

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from audit.models import AccessEvent
from audit.services import Action
from common.dates import day_bounds, query_day
from common.http import query_search


@dataclass(frozen=True)
class EventSearch:
    """The filters of the auditor's page, as the query string gives them."""

    file_number: str = ""
    username: str = ""
    action: str = ""
    since: datetime.date | None = None
    until: datetime.date | None = None

    @classmethod
    def from_query(cls, params) -> "EventSearch":
        action = params.get("action", "")
        return cls(
            file_number=query_search(params.get("file_number")),
            username=query_search(params.get("username")),
            action=action if action in Action.values else "",
            since=query_day(params.get("since")),
            until=query_day(params.get("until")),
        )


@dataclass(frozen=True)
class EventsFound:
    """The events a search selects (unordered), and the file it named, if the log knows it."""

    events: QuerySet[AccessEvent]
    patient_id: int | None

    def shown(self, search: EventSearch) -> dict:
        """What the page shows of its filters."""
        return {
            "file_number": search.file_number,
            "unknown_file": bool(search.file_number and not self.patient_id),
            "username": search.username,
            "action": search.action,
            "since": search.since,
            "until": search.until,
        }


def events_matching(search: EventSearch) -> EventsFound:
    events = AccessEvent.objects.all()
    patient_id = None
    if search.file_number:
        # The log keeps file numbers as written at the time: the file is found in the log.
        patient_id = (
            AccessEvent.objects.filter(file_number=search.file_number, patient_id__isnull=False)
            .values_list("patient_id", flat=True)
            .first()
        )
        events = events.about_patient(patient_id) if patient_id else events.none()
    if search.username:
        users = get_user_model().objects.filter(username__icontains=search.username)
        events = events.filter(Q(user__in=users) | Q(user__isnull=True, username=search.username))
    if search.action:
        events = events.filter(action=search.action)
    if search.since:
        events = events.filter(occurred_at__gte=day_bounds(search.since)[0])
    if search.until:
        events = events.filter(occurred_at__lt=day_bounds(search.until)[1])
    return EventsFound(events=events, patient_id=patient_id)


def newest_first(events: QuerySet[AccessEvent], *, before: int | None, size: int) -> tuple:
    """One page of events, newest first, from before the id `before` (keyset paging: no page
    counts millions of rows), and the id the next page starts before (None: the last page)."""
    if before:
        events = events.filter(pk__lt=before)
    rows = list(events.order_by("-pk")[: size + 1])
    return rows[:size], rows[size - 1].pk if len(rows) > size else None
