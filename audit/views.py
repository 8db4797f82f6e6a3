"""The auditor's page: who accessed what, newest first, read from the log alone."""

import csv
import itertools

from django.http import StreamingHttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView

from audit import selectors
from audit.alerts import open_integrity_alerts
from audit.models import IntegrityAlert
from audit.permissions import can_read_access_log
from audit.services import Action, record_access
from audit.verifying import last_verified_at
from common.http import query_id
from common.permissions import require_that
from common.text import spreadsheet_safe
from common.views import RoleRequired

PAGE_SIZE = 50


class AccessEventListView(RoleRequired(can_read_access_log), TemplateView):
    """Filtered by file number, user (part of the name), action and dates; pages go by id
    (keyset: ?before=<id>), so no page counts millions of rows."""

    template_name = "audit/event_list.html"

    def get_context_data(self, **kwargs):
        params = self.request.GET
        search = selectors.EventSearch.from_query(params)
        found = selectors.events_matching(search)
        before = query_id(params.get("before"))
        events, older = selectors.newest_first(found.events, before=before, size=PAGE_SIZE)
        if found.patient_id:
            record_access(
                actor=self.request.user,
                action=Action.VIEW,
                patient=_File(found.patient_id, search.file_number),
                object_type="audit.accessevent",
            )
        query = params.copy()
        query.pop("before", None)
        return super().get_context_data(
            events=events,
            older=older,
            newest=bool(before),
            actions=Action.choices,
            query_string=query.urlencode(),
            integrity_alerts=open_integrity_alerts(),
            last_verified=last_verified_at(),
            **found.shown(search),
            **kwargs,
        )


class AccessEventExportView(RoleRequired(can_read_access_log), View):
    """The events the filters select, as CSV, streamed (the whole log if no filter). The export
    is itself in the log, with its filters."""

    COLUMNS = (
        "id",
        "occurred_at",
        "username",
        "role",
        "action",
        "file_number",
        "patients",
        "object_type",
        "object_id",
        "label",
        "client_address",
        "request_id",
    )

    def get(self, request):
        search = selectors.EventSearch.from_query(request.GET)
        found = selectors.events_matching(search)
        filters = ", ".join(f"{k}={v}" for k, v in request.GET.items() if v and k != "before")
        record_access(
            actor=request.user,
            action=Action.EXPORT,
            patient=_File(found.patient_id, search.file_number) if found.patient_id else None,
            object_type="audit.accessevent",
            label=format_lazy(
                gettext_lazy("Access log export ({filters})"),
                filters=filters or gettext_lazy("everything"),
            ),
        )
        writer = csv.writer(_Echo())
        rows = (
            writer.writerow(self.row(event))
            for event in found.events.order_by("pk").iterator(chunk_size=2000)
        )
        response = StreamingHttpResponse(
            itertools.chain([writer.writerow(self.COLUMNS)], rows),
            content_type="text/csv; charset=utf-8",
        )
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="access-log-{stamp}.csv"'
        return response

    @staticmethod
    def row(event) -> list:
        return [
            spreadsheet_safe(cell)
            for cell in (
                event.pk,
                event.occurred_at.isoformat(),
                event.username,
                event.role,
                event.action,
                event.file_number,
                event.patient_ids.replace(",", " "),
                event.object_type,
                event.object_id,
                event.label,
                event.client_address or "",
                event.request_id,
            )
        ]


class _Echo:
    """A file that hands back what is written: csv.writer rows for a streamed response."""

    def write(self, value):
        return value


class _File:
    """A patient as the log knows one: an id and a file number."""

    def __init__(self, pk: int, file_number: str):
        self.pk, self.file_number = pk, file_number


@require_POST
def resolve_integrity_alert(request, alert_id: int):
    """The auditor or the lead has looked into it: the alert leaves the pages, with who and when."""
    require_that(can_read_access_log(request.user))
    IntegrityAlert.objects.filter(pk=alert_id, resolved_at__isnull=True).update(
        resolved_at=timezone.now(), resolved_by=request.user
    )
    return redirect("audit:event_list")
