"""The auditor's page: who accessed what, newest first, read from the log alone."""

import csv
import itertools

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.http import StreamingHttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView

from audit.alerts import open_integrity_alerts
from audit.models import AccessEvent, IntegrityAlert
from audit.permissions import can_read_access_log
from audit.services import Action, record_access
from audit.verifying import last_verified_at
from common.dates import day_bounds, query_day
from common.http import query_id, query_search
from common.permissions import require_that
from common.text import spreadsheet_safe
from common.views import RoleRequired

PAGE_SIZE = 50


def _filtered(request) -> tuple:
    """The events the filters of the page select, newest first, and what the page shows of the
    filters. Reading who accessed a file is itself an access to that file: logged once."""
    params = request.GET
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
        events = events.filter(occurred_at__gte=day_bounds(since)[0])
    if until:
        events = events.filter(occurred_at__lt=day_bounds(until)[1])
    shown = {
        "file_number": file_number,
        "unknown_file": bool(file_number and not patient_id),
        "username": username,
        "action": action,
        "since": since,
        "until": until,
    }
    return events, patient_id, shown


class AccessEventListView(RoleRequired(can_read_access_log), TemplateView):
    """Filtered by file number, user (part of the name), action and dates; pages go by id
    (keyset: ?before=<id>), so no page counts millions of rows."""

    template_name = "audit/event_list.html"

    def get_context_data(self, **kwargs):
        params = self.request.GET
        events, patient_id, shown = _filtered(self.request)
        before = query_id(params.get("before"))
        if before:
            events = events.filter(pk__lt=before)
        rows = list(events.order_by("-pk")[: PAGE_SIZE + 1])
        if patient_id:
            record_access(
                actor=self.request.user,
                action=Action.VIEW,
                patient=_File(patient_id, shown["file_number"]),
                object_type="audit.accessevent",
            )
        query = params.copy()
        query.pop("before", None)
        return super().get_context_data(
            events=rows[:PAGE_SIZE],
            older=rows[PAGE_SIZE - 1].pk if len(rows) > PAGE_SIZE else None,
            newest=bool(before),
            actions=Action.choices,
            query_string=query.urlencode(),
            integrity_alerts=open_integrity_alerts(),
            last_verified=last_verified_at(),
            **shown,
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
        events, patient_id, shown = _filtered(request)
        filters = ", ".join(f"{k}={v}" for k, v in request.GET.items() if v and k != "before")
        record_access(
            actor=request.user,
            action=Action.EXPORT,
            patient=_File(patient_id, shown["file_number"]) if patient_id else None,
            object_type="audit.accessevent",
            label=format_lazy(
                gettext_lazy("Access log export ({filters})"),
                filters=filters or gettext_lazy("everything"),
            ),
        )
        writer = csv.writer(_Echo())
        rows = (
            writer.writerow(self.row(event))
            for event in events.order_by("pk").iterator(chunk_size=2000)
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
