import datetime

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.utils import timezone
from django.views.generic import TemplateView

from audit.models import AccessEvent
from audit.permissions import can_read_access_log
from audit.services import Action, record_access
from casework.models import Patient
from common.dates import query_day
from common.http import query_search

PAGE_SIZE = 50


class AccessEventListView(TemplateView):
    """The access log, filtered by file number, user, action and dates."""

    template_name = "audit/event_list.html"

    def dispatch(self, request, *args, **kwargs):
        if not can_read_access_log(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        params = self.request.GET
        events = AccessEvent.objects.select_related("patient")
        file_number = query_search(params.get("file_number"))
        patient = None
        if file_number:
            patient = Patient.objects.filter(file_number=file_number).first()
            events = events.filter(patient=patient) if patient else events.none()
        username = query_search(params.get("username"))
        if username:
            events = events.filter(username=username)
        action = params.get("action", "")
        if action in Action.values:
            events = events.filter(action=action)
        since, until = query_day(params.get("since")), query_day(params.get("until"))
        # Whole local days, as bounds on the indexed timestamp.
        zone = timezone.get_current_timezone()
        if since:
            events = events.filter(
                occurred_at__gte=datetime.datetime.combine(since, datetime.time(), tzinfo=zone)
            )
        if until:
            next_day = until + datetime.timedelta(days=1)
            events = events.filter(
                occurred_at__lt=datetime.datetime.combine(next_day, datetime.time(), tzinfo=zone)
            )
        if patient:
            # Reading who accessed a file is itself an access to that file.
            record_access(
                actor=self.request.user,
                action=Action.VIEW,
                patient=patient,
                object_type="audit.accessevent",
            )
        query = params.copy()
        query.pop("page", None)
        return super().get_context_data(
            page=Paginator(events, PAGE_SIZE).get_page(params.get("page")),
            file_number=file_number,
            unknown_file=bool(file_number and not patient),
            username=username,
            action=action,
            since=since,
            until=until,
            actions=Action.choices,
            query_string=query.urlencode(),
            **kwargs,
        )
