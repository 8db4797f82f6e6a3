"""The auditor's page: who accessed what, newest first, read from the log alone."""

import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils import timezone
from django.views.generic import TemplateView

from audit.models import AccessEvent
from audit.permissions import can_read_access_log
from audit.services import Action, record_access
from common.dates import query_day
from common.http import query_id, query_search

PAGE_SIZE = 50


def _start_of(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), tzinfo=timezone.get_current_timezone())


class AccessEventListView(TemplateView):
    """Filtered by file number, user (part of the name), action and dates; pages go by id
    (keyset: ?before=<id>), so no page counts millions of rows."""

    template_name = "audit/event_list.html"

    def dispatch(self, request, *args, **kwargs):
        if not can_read_access_log(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        params = self.request.GET
        events = AccessEvent.objects.all()
        file_number = query_search(params.get("file_number"))
        patient_id = None
        if file_number:
            # The log keeps file numbers as written at the time: the file is found in the log.
            patient_id = (
                AccessEvent.objects.filter(file_number=file_number, patient_id__isnull=False)
                .values_list("patient_id", flat=True)
                .first()
            )
            events = events.about_patient(patient_id) if patient_id else events.none()
        username = query_search(params.get("username"))
        if username:
            users = get_user_model().objects.filter(username__icontains=username)
            events = events.filter(Q(user__in=users) | Q(user__isnull=True, username=username))
        action = params.get("action", "")
        if action in Action.values:
            events = events.filter(action=action)
        since, until = query_day(params.get("since")), query_day(params.get("until"))
        if since:
            events = events.filter(occurred_at__gte=_start_of(since))
        if until:
            events = events.filter(occurred_at__lt=_start_of(until + datetime.timedelta(days=1)))
        before = query_id(params.get("before"))
        if before:
            events = events.filter(pk__lt=before)
        rows = list(events.order_by("-pk")[: PAGE_SIZE + 1])
        if patient_id:
            # Reading who accessed a file is itself an access to that file.
            record_access(
                actor=self.request.user,
                action=Action.VIEW,
                patient=_File(patient_id, file_number),
                object_type="audit.accessevent",
            )
        query = params.copy()
        query.pop("before", None)
        return super().get_context_data(
            events=rows[:PAGE_SIZE],
            older=rows[PAGE_SIZE - 1].pk if len(rows) > PAGE_SIZE else None,
            newest=bool(before),
            file_number=file_number,
            unknown_file=bool(file_number and not patient_id),
            username=username,
            action=action,
            since=since,
            until=until,
            actions=Action.choices,
            query_string=query.urlencode(),
            **kwargs,
        )


class _File:
    """A patient as the log knows one: an id and a file number."""

    def __init__(self, pk: int, file_number: str):
        self.pk, self.file_number = pk, file_number
