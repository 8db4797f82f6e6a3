"""Agendas and the iCal feed. A patient's sessions (booking, moving, outcomes): sessions.py."""

import datetime
import hashlib
import secrets
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView

from audit.services import Action, record_access, record_listing
from casework import permissions, selectors
from casework.models import Appointment, CalendarFeed, Room
from casework.permissions import can_use_casework
from common.dates import day_bounds, query_day
from common.db import planned_for_their_values
from common.http import query_id
from common.views import RoleRequired

# A week shows each day's first WEEK_DAY_ROWS sessions, then links to the day, which shows
# DAY_PAGE_ROWS sessions a page: an agenda page stays small however busy the clinic is.
WEEK_DAY_ROWS = 10
DAY_PAGE_ROWS = 25


class AgendaView(RoleRequired(can_use_casework), TemplateView):
    """A clinician's day or week; the week view starts with today's sessions."""

    template_name = "casework/agenda.html"
    clinic_wide = False

    def get_context_data(self, **kwargs):
        params, user = self.request.GET, self.request.user
        reach = selectors.reach_of(user)
        today = timezone.localdate()
        day = query_day(params.get("date")) or today
        view = "day" if params.get("view") == "day" else "week"
        clinician_id = (
            self.clinician_id(params.get("clinician", "")) if self.clinic_wide else user.pk
        )
        if clinician_id is None:
            view = "day"  # the whole clinic, one day at a time: a week of it is thousands of rows
        first = day if view == "day" else day - datetime.timedelta(days=day.weekday())
        length = 1 if view == "day" else 7
        page = None
        if view == "day":  # one day, in pages; read as selectors.agenda says
            with planned_for_their_values():
                page = Paginator(
                    selectors.agenda(
                        reach,
                        *day_bounds(first),
                        clinician_id=clinician_id,
                        with_clinicians=self.clinic_wide,  # the clinic's agenda names them
                    ),
                    DAY_PAGE_ROWS,
                ).get_page(params.get("page"))
                days = [selectors.AgendaDay(first, list(page), page.paginator.count)]
        else:  # a week: each day's first rows, then a link to the whole day
            days = selectors.agenda_days(
                reach,
                first,
                length,
                rows_per_day=WEEK_DAY_ROWS,
                clinician_id=clinician_id,
                with_clinicians=self.clinic_wide,
            )
        record_listing(
            actor=user,
            patients=[
                attendance.patient
                for agenda_day in days
                for appointment in agenda_day.appointments
                for attendance in appointment.attendance_list
            ],
            object_type="casework.appointment",
            label=format_lazy(
                gettext_lazy("{agenda} from {first}, {days} days"),
                agenda=gettext_lazy("Clinic agenda")
                if self.clinic_wide
                else gettext_lazy("Agenda"),
                first=first.isoformat(),
                days=length,
            ),
        )
        step = datetime.timedelta(days=length)
        # The week view puts today first, in a section of its own.
        todays = next((d for d in days if d.day == today), None) if view == "week" else None
        return super().get_context_data(
            view=view,
            first=first,
            last=first + step - datetime.timedelta(days=1),
            today=today,
            todays=todays,
            days=[d for d in days if d is not todays],
            page=page,
            query_string=urlencode(
                {"view": "day", "date": first.isoformat()}
                | ({"clinician": clinician_id or "all"} if self.clinic_wide else {})
            ),
            previous=(first - step).isoformat(),
            next=(first + step).isoformat(),
            clinic_wide=self.clinic_wide,
            clinicians=selectors.clinicians() if self.clinic_wide else None,
            clinician_id=clinician_id,
            pending=selectors.awaiting_outcome(reach).count() if not self.clinic_wide else None,
            **kwargs,
        )

    def clinician_id(self, asked: str) -> int | None:
        """The clinic agenda shows one clinician's agenda: the one asked for, else the user's
        own (a clinician), else the first clinician. "all": everyone (then one day only)."""
        if asked == "all":
            return None
        if chosen := query_id(asked):
            return chosen
        user = self.request.user
        if permissions.can_join_care_team(user):
            return user.pk
        first = selectors.clinicians().values_list("pk", flat=True).first()
        return first


class ClinicAgendaView(RoleRequired(permissions.can_see_clinic_agenda), AgendaView):
    """The whole clinic's agenda, one clinician's or everyone's: for those who see every file."""

    clinic_wide = True


# --- The week grid --------------------------------------------------------------------------


class WeekGridView(RoleRequired(can_use_casework), TemplateView):
    """A room's or a clinician's week (or day), hour by hour (docs/calendar.md). With a patient
    (`patient`, through the patient door), each free hour of a room links to booking that
    patient there; with one of their appointments too (`appointment`), to moving it there."""

    template_name = "casework/week_grid.html"

    def get_context_data(self, **kwargs):
        params, user = self.request.GET, self.request.user
        today = timezone.localdate()
        day = query_day(params.get("date")) or today
        view = "day" if params.get("view") == "day" else "week"
        first = day if view == "day" else day - datetime.timedelta(days=day.weekday())
        length = 1 if view == "day" else 7
        rooms = list(Room.objects.filter(is_active=True))
        # The form's one choice ("room-3", "clinician-7"), or the links' room= and clinician=.
        kind, _dash, chosen = params.get("show", "").partition("-")
        room_id = query_id(chosen) if kind == "room" else query_id(params.get("room"))
        room = next((r for r in rooms if r.pk == room_id), None)
        clinician_id = (
            None
            if room
            else (query_id(chosen) if kind == "clinician" else query_id(params.get("clinician")))
        )
        patient, appointment = self.booking_for(params)
        if room is None and clinician_id is None:
            if patient is not None and rooms:  # booking: the rooms' free hours
                room = rooms[0]
            elif permissions.can_join_care_team(user):
                clinician_id = user.pk
            elif rooms:
                room = rooms[0]
            else:
                clinician_id = selectors.clinicians().values_list("pk", flat=True).first()
        reach = selectors.reach_of(user)
        grid = selectors.week_grid(reach, first, length, room=room, clinician_id=clinician_id)
        record_listing(
            actor=user,
            patients=grid.patients,
            object_type="casework.appointment",
            label=format_lazy(
                gettext_lazy("{agenda} from {first}, {days} days"),
                agenda=gettext_lazy("Week grid"),
                first=first.isoformat(),
                days=length,
            ),
        )
        keep = {
            key: value
            for key, value in (
                ("room", room.pk if room else ""),
                ("clinician", clinician_id or ""),
                ("patient", patient.pk if patient else ""),
                ("appointment", appointment.pk if appointment else ""),
            )
            if value
        }
        step = datetime.timedelta(days=length)
        return super().get_context_data(
            grid=grid,
            view=view,
            first=first,
            last=first + step - datetime.timedelta(days=1),
            today=today,
            rooms=rooms,
            room=room,
            clinicians=selectors.clinicians(),
            clinician_id=clinician_id,
            booking_patient=patient,
            moving=appointment,
            previous=urlencode({**keep, "view": view, "date": (first - step).isoformat()}),
            next=urlencode({**keep, "view": view, "date": (first + step).isoformat()}),
            this_week=urlencode({**keep, "view": "week", "date": today.isoformat()}),
            day_query=urlencode({**keep, "view": "day"}),
            week_query=urlencode({**keep, "view": "week"}),
            keep=keep,
            **kwargs,
        )

    def booking_for(self, params):
        """The patient being booked (through the door: 404 otherwise), and the appointment of
        theirs being moved, if any."""
        patient_id = query_id(params.get("patient"))
        if patient_id is None:
            return None, None
        patient = selectors.patient_for(self.request.user, patient_id)
        appointment_id = query_id(params.get("appointment"))
        if appointment_id is None:
            return patient, None
        appointment = get_object_or_404(
            Appointment.objects.held_or_due().filter(attendances__patient=patient),
            pk=appointment_id,
        )
        return patient, appointment


# --- Calendar feed --------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class CalendarFeedView(RoleRequired(can_use_casework), TemplateView):
    """A clinician's private iCalendar link: shown once when made, revocable at any time."""

    template_name = "casework/calendar_feed.html"

    def get_context_data(self, **kwargs):
        feed = CalendarFeed.objects.filter(user=self.request.user).first()
        return super().get_context_data(feed=feed, **kwargs)

    def post(self, request, *args, **kwargs):
        CalendarFeed.objects.filter(user=request.user).delete()
        if request.POST.get("action") == "revoke":
            messages.success(request, _("The calendar link no longer works."))
            return redirect("casework:calendar_feed")
        token = secrets.token_urlsafe(32)
        CalendarFeed.objects.create(user=request.user, token_hash=_token_hash(token))
        url = request.build_absolute_uri(reverse("casework:calendar_ics", args=[token]))
        return self.render_to_response(self.get_context_data(new_url=url))


def _ics_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


@login_not_required
@require_GET
def calendar_ics(request, token: str):
    """The feed a calendar app polls. File numbers only, never names."""
    feed = CalendarFeed.objects.select_related("user").filter(token_hash=_token_hash(token)).first()
    if feed is None or not feed.user.is_active:
        raise Http404
    start, end = day_bounds(timezone.localdate() - datetime.timedelta(days=30), 30 + 180)
    appointments = (
        selectors.appointments_visible_to(selectors.reach_of(feed.user))
        .current()
        .filter(clinicians=feed.user, starts_at__gte=start, starts_at__lt=end)
        .select_related("patient", "group")
    )
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//forensic-clinic//agenda//EN",
        "CALSCALE:GREGORIAN",
        "X-WR-CALNAME:" + _ics_text(f"{settings.CLINIC_NAME} — {feed.user}"),
    ]
    with planned_for_their_values():  # one clinician's months among many: selectors.agenda
        read = list(appointments)
    for appointment in read:
        who = appointment.patient.file_number if appointment.patient else appointment.group.name
        lines += [
            "BEGIN:VEVENT",
            f"UID:appointment-{appointment.pk}@{request.get_host()}",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{appointment.starts_at.astimezone(datetime.UTC):%Y%m%dT%H%M%SZ}",
            f"DTEND:{appointment.ends_at.astimezone(datetime.UTC):%Y%m%dT%H%M%SZ}",
            "SUMMARY:" + _ics_text(f"{appointment.get_kind_display()} · {who}"),
            "LOCATION:" + _ics_text(appointment.place),
            "STATUS:" + ("CANCELLED" if appointment.status == "cancelled" else "CONFIRMED"),
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    # One event per poll, without patient: the feed shows pseudonymous file numbers only.
    record_access(
        actor=feed.user,
        action=Action.EXPORT,
        object_type="casework.calendarfeed",
        object_id=str(feed.pk),
    )
    return HttpResponse("\r\n".join(lines) + "\r\n", content_type="text/calendar; charset=utf-8")
