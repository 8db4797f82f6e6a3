"""Pages that compose the zones: home pages, the patient page, the to-do list."""

import datetime

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from accounts.roles import Role, role_register
from assessments import selectors as assessment_selectors
from audit.alerts import open_integrity_alerts
from audit.permissions import can_read_access_log
from audit.services import Action, record_access, record_listing
from audit.verifying import chain_status
from casework import permissions, selectors
from casework.models import CareStage
from casework.permissions import can_use_casework
from casework.views.base import PAGE_SIZE, PatientScopedMixin
from common import health, outbox
from common.db import counts
from common.http import query_search
from common.models import BackupRecord, TaskFailure
from common.views import RoleRequired
from helpline.permissions import can_log_contacts
from notes import selectors as note_selectors
from privacy.permissions import can_manage_privacy
from privacy.retention import files_to_review
from reports import selectors as letter_selectors
from workspace import permissions as workspace_permissions
from workspace import selectors as page_selectors


def home(request):
    """Send each role to where its work is."""
    user = request.user
    if permissions.can_use_casework(user):
        return redirect("workspace:dashboard")
    if can_read_access_log(user):
        return redirect("audit:event_list")
    if can_log_contacts(user):
        return redirect("helpline:log")
    return render(request, "workspace/home_other.html")


# The home page and the to-do list show this many rows of each list, then say how many more.
MY_PATIENTS_SHOWN = 20
TODAYS_ROWS = 10
TODO_ROWS = 20
# The lead's home shows the busiest clinicians, then links to all of them (CaseloadsView).
BUSIEST_CLINICIANS_SHOWN = 10


class DashboardView(RoleRequired(can_use_casework), TemplateView):
    """Home of the clinicians, the clinical lead and the administrators."""

    template_name = "workspace/dashboard.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        listed = []  # every patient the page names, logged at once
        reach = selectors.reach_of(user)
        if permissions.can_break_glass(user):
            context["my_emergency_requests"] = selectors.emergency_requests_of(user)
        if permissions.can_join_care_team(user):
            my_files = selectors.patient_list(user, clinician_id=user.pk).exclude(
                status=CareStage.CLOSED
            )
            mine = list(my_files[:MY_PATIENTS_SHOWN])
            # Counted always, in one query, so that the page costs the same queries at any
            # caseload.
            counted = counts(
                my_patients=my_files,
                pending=selectors.awaiting_outcome(reach),
                letters_due=letter_selectors.letters_to_prepare(reach).filter(
                    due_on__lte=today + datetime.timedelta(days=7)
                ),
            )
            # A lead who treats no one sees the clinic's overview instead of an empty list.
            if mine or not user.has_role(Role.CLINICAL_LEAD):
                context["my_patients"] = mine
                context["my_patients_total"] = counted["my_patients"]
            todays = selectors.agenda_days(
                reach, today, 1, rows_per_day=TODAYS_ROWS, clinician_id=user.pk
            )[0]
            listed += mine + [
                a.patient for item in todays.appointments for a in item.attendance_list
            ]
            context["todays"] = todays
            context["pending"] = counted["pending"]
            context["letters_due"] = counted["letters_due"]
        alerts = selectors.latest_open_alerts(reach, 10)
        listed += [alert.patient for alert in alerts]
        context["alerts"] = alerts
        if permissions.can_access_every_file(user, permissions.Zone.FRAME):
            waiting = page_selectors.referrals_waiting(user, today, 10)
            without_lead = list(selectors.patients_without_lead_therapist(user)[:10])
            listed += [referral.patient for referral in waiting] + without_lead
            context["stages"] = [
                (CareStage(stage).label, count)
                for stage, count in selectors.caseload_by_stage(user).items()
            ]
            context["waiting"] = waiting
            context["without_lead"] = without_lead
        if workspace_permissions.can_watch_operations(user):
            context["unsent_messages"] = outbox.unsent_for_too_long().count()
            context["background_stopped"] = health.background_stopped()
        if workspace_permissions.can_compare_caseloads(user):
            # The busiest few, then a link to all: a network's hundreds of clinicians are
            # counted, not listed (the count reads the clinicians, not their places).
            context["caseloads"] = selectors.caseloads(
                selectors.caseload_by_clinician()[:BUSIEST_CLINICIANS_SHOWN]
            )
            context["clinicians_total"] = selectors.clinicians().count()
        if user.has_role(Role.CLINICAL_LEAD):
            context["integrity_alerts"] = open_integrity_alerts()
            context["emergencies"] = list(selectors.emergency_accesses_to_review()[:20])
            context["emergency_requests"] = list(selectors.emergency_requests_to_decide()[:20])
            context["to_cosign"] = letter_selectors.awaiting_cosignature(user)
            listed += [letter.patient for letter in context["to_cosign"]]
            context["retention_to_review"] = files_to_review()
        record_listing(actor=user, patients=listed, label=gettext_lazy("Home page"))
        return context


class PatientDetailView(PatientScopedMixin, TemplateView):
    template_name = "workspace/patient.html"

    def get_patient(self):
        return selectors.patient_detail(self.request.user, self.kwargs["patient_id"])

    def get_context_data(self, **kwargs):
        user, patient = self.request.user, self.patient
        today = timezone.localdate()
        episodes = list(patient.episodes.all())
        standings = page_selectors.mandate_standings(patient, today)
        recent, upcoming = selectors.patient_attendances(patient)
        alerts = selectors.recent_alerts(patient)
        return super().get_context_data(
            recent_sessions=recent,
            upcoming_sessions=upcoming,
            compliance=[standing for standing in standings if standing.is_running],
            alerts=[alert for alert in alerts if alert.is_open],
            earlier_alerts=[alert for alert in alerts if not alert.is_open],
            memberships=list(
                patient.group_memberships.filter(left_on__isnull=True).select_related("group")
            ),
            kept_apart=selectors.non_associations_of(patient),
            # Frame: what the clinic learnt of the justice record after treatment.
            follow_up_checks=list(patient.follow_up_checks.order_by("-checked_on", "-pk")),
            can_record_follow_up=not permissions.record_follow_up_refusal(user, patient),
            # Due dates only: items, totals and levels belong to the clinical zone.
            assessments_due=assessment_selectors.due_dates(patient),
            letters=letter_selectors.latest_letters(patient, 8),
            can_read_clinical=patient.clinical_readable,
            can_manage_groups=permissions.can_manage_groups(user),
            age=patient.age_on(today),
            mandates=standings,
            open_episode=next((e for e in episodes if e.is_open), None),
            past_episodes=[e for e in episodes if not e.is_open],
            care_team=patient.care_team.all(),
            can_manage_care_team=permissions.can_manage_care_team(user),
            can_read_access_log=can_read_access_log(user),
            can_make_access_copies=can_manage_privacy(user),
            emergency_accesses=selectors.emergency_accesses_of(patient),
            # Why a colleague broke the glass is clinical context: not for the frame alone.
            show_emergency_reasons=patient.clinical_readable,
            **kwargs,
        )


class TodoView(RoleRequired(can_use_casework), TemplateView):
    """What a clinician still owes: outcomes of past sessions, evidence awaited, assessments
    and letters to the justice system due. Each list shows its first TODO_ROWS rows."""

    template_name = "workspace/todo.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        reach = selectors.reach_of(user)
        awaiting, more_awaiting = _first(selectors.awaiting_outcome(reach))
        evidence, more_evidence = _first(selectors.awaiting_evidence(reach))
        undelivered, more_undelivered = _first(selectors.reminders_undelivered(reach))
        plans, more_plans = _first(note_selectors.plans_to_review(user))
        assessments, more_assessments = _first(assessment_selectors.due_for_clinician(user))
        letters, more_letters = _first(
            letter_selectors.first_letters_to_prepare(reach, TODO_ROWS + 1)
        )
        record_listing(
            actor=user,
            patients=[a.patient for appointment in awaiting for a in appointment.attendance_list]
            + [a.patient for a in evidence]
            + [a.patient for a in undelivered]
            + [plan.patient for plan in plans]
            + [a.patient for a in assessments]
            + [letter.patient for letter in letters],
            object_type="casework.appointment",
            label=gettext_lazy("To-do list"),
        )
        return super().get_context_data(
            awaiting=awaiting,
            more_awaiting=more_awaiting,
            evidence=evidence,
            more_evidence=more_evidence,
            undelivered=undelivered,
            more_undelivered=more_undelivered,
            plans=plans,
            more_plans=more_plans,
            assessments=assessments,
            more_assessments=more_assessments,
            letters=letters,
            more_letters=more_letters,
            today=timezone.localdate(),
            rows=TODO_ROWS,
            **kwargs,
        )


def _first(items, count: int | None = None) -> tuple[list, bool]:
    """The first `count` items (TODO_ROWS), and whether there are more: one query, one row
    more (or a list already cut at one row more)."""
    count = count or TODO_ROWS
    rows = list(items[: count + 1])
    return rows[:count], len(rows) > count


UNSENT_PAGE_SIZE = 50


class UnsentMessagesView(RoleRequired(workspace_permissions.can_watch_operations), TemplateView):
    """The e-mails the mail server has not taken after several attempts: what each is (never
    what it says), to whom, how often it was tried and what the server answered. "Send again"
    asks for an attempt at once (common.outbox)."""

    template_name = "workspace/unsent_messages.html"

    def get_context_data(self, **kwargs):
        unsent = outbox.unsent_for_too_long().only(
            "pk", "purpose", "to", "created_at", "attempts", "last_attempt_at", "last_error"
        )
        page = Paginator(unsent, UNSENT_PAGE_SIZE).get_page(self.request.GET.get("page"))
        return super().get_context_data(page=page, **kwargs)

    def post(self, request, *args, **kwargs):
        message_id = request.POST.get("message", "")
        if message_id.isdigit() and outbox.unsent_for_too_long().filter(pk=message_id).exists():
            outbox.try_again_now(int(message_id))
            messages.success(
                request, _("Asked again: the message goes out as soon as the server takes it.")
            )
        else:
            messages.error(
                request, _("This message has been sent meanwhile, or is no longer there.")
            )
        return redirect("workspace:unsent_messages")


# The operations page lists this many of the last day's task failures.
FAILURES_SHOWN = 20


class OperationsView(RoleRequired(workspace_permissions.can_watch_operations), TemplateView):
    """How the installation is doing, for those who run the office: the background work (the
    broker, a worker, the beat, the tasks waiting and those that failed), the mail not yet
    delivered, the access log's seal and last check, the last backup. Only states and counts:
    no patient."""

    template_name = "workspace/operations.html"

    def get_context_data(self, **kwargs):
        since = timezone.now() - datetime.timedelta(days=1)
        failures = TaskFailure.objects.filter(at__gte=since)
        counted = counts(
            failures=failures,
            unsent=outbox.unsent_for_too_long(),
            waiting=outbox.waiting(),
        )
        states = health.readiness()
        return super().get_context_data(
            states=[
                (PART_NAMES[part], STATE_NAMES.get(state, state), health.is_ready({part: state}))
                for part, state in states.items()
            ],
            ready=health.is_ready(states),
            in_process=health.IN_PROCESS in states.values(),
            queue_depth=health.queue_depth(),
            heartbeat=health.last_heartbeat(),
            failures=list(failures[:FAILURES_SHOWN]),
            failures_count=counted["failures"],
            unsent=counted["unsent"],
            waiting=counted["waiting"],
            chain=chain_status(),
            integrity_alerts=len(open_integrity_alerts()),
            last_backup=BackupRecord.objects.first(),
            **kwargs,
        )


STATE_NAMES = {
    "ok": gettext_lazy("working"),
    "in process": gettext_lazy("in the web process"),
    "unreachable": gettext_lazy("unreachable"),
    "pending": gettext_lazy("migrations to run"),
    "silent": gettext_lazy("not seen lately"),
    "stopped": gettext_lazy("stopped"),
    "unknown": gettext_lazy("unknown"),
}
PART_NAMES = {
    "database": gettext_lazy("Database"),
    "migrations": gettext_lazy("Database structure (migrations)"),
    "broker": gettext_lazy("Task queue (Redis)"),
    "worker": gettext_lazy("Worker (letters, e-mail, sealing)"),
    "beat": gettext_lazy("Scheduler (beat)"),
}


class CaseloadsView(RoleRequired(workspace_permissions.can_compare_caseloads), TemplateView):
    """Every clinician and the number of patients whose care team they are in now, the
    busiest first, a page at a time; each links to the patient list of that clinician. For
    the clinical lead: their home shows the busiest few."""

    template_name = "workspace/caseloads.html"

    def get_context_data(self, **kwargs):
        page = Paginator(selectors.caseload_by_clinician(), PAGE_SIZE).get_page(
            self.request.GET.get("page")
        )
        return super().get_context_data(
            page=page, caseloads=selectors.caseloads(page.object_list), **kwargs
        )


class AccessRegisterView(
    RoleRequired(workspace_permissions.can_read_access_register), TemplateView
):
    """The register of who has access to what (Belgian law of 30 July 2018): by role, the
    rights over every file and who holds them; by patient, everyone who can open that file
    now and through what. For the clinical lead."""

    template_name = "workspace/access_register.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        file_number = query_search(self.request.GET.get("file_number"))
        patient = holders = None
        if file_number:
            patient = selectors.patients_visible_to(user).filter(file_number=file_number).first()
            if patient is not None:
                holders = selectors.access_holders(patient)
                record_access(
                    actor=user,
                    action=Action.VIEW,
                    patient=patient,
                    object_type="casework.patient",
                    label=gettext_lazy("Access register"),
                )
        return super().get_context_data(
            roles=role_register(),
            file_number=file_number,
            patient=patient,
            holders=holders,
            **kwargs,
        )
