"""Therapy groups: list, create and edit, members, sessions, and attendance in one screen."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import TemplateView

from audit.services import record_listing
from casework import permissions, selectors, services
from casework.forms import (
    GroupAttendanceRowForm,
    GroupForm,
    GroupMemberForm,
    GroupSessionsForm,
    NonAssociationForm,
)
from casework.models import Appointment, AttendanceOutcome, CareStage, Patient, TherapyGroup
from casework.permissions import can_use_casework
from casework.views.base import PatientScopedMixin
from common.views import ConfirmView, RoleRequired, ServiceFormView, apply_errors


class GroupScopedMixin(RoleRequired(can_use_casework)):
    """Resolves the group through its door: 404 for a clinician who does not facilitate it.
    A page for those who manage groups adds RoleRequired(permissions.can_manage_groups) after
    this mixin: the door first, then the role (403)."""

    def dispatch(self, request, *args, **kwargs):
        if "group_id" in kwargs:
            self.group = selectors.group_for(request.user, kwargs["group_id"])
        return super().dispatch(request, *args, **kwargs)

    def get_cancel_url(self):
        group = getattr(self, "group", None)
        return group.get_absolute_url() if group else reverse("casework:group_list")

    def get_success_url(self):
        return self.get_cancel_url()

    def get_context_data(self, **kwargs):
        return super().get_context_data(group=getattr(self, "group", None), **kwargs)


class GroupListView(GroupScopedMixin, TemplateView):
    template_name = "casework/group_list.html"

    def get_context_data(self, **kwargs):
        groups = selectors.groups_visible_to(self.request.user).prefetch_related(
            "facilitation__clinician"
        )
        return super().get_context_data(
            groups=groups,
            can_manage=permissions.can_manage_groups(self.request.user),
            **kwargs,
        )


class GroupFormView(GroupScopedMixin, RoleRequired(permissions.can_manage_groups), ServiceFormView):
    form_class = GroupForm

    def get_title(self):
        return _("Edit the group") if hasattr(self, "group") else _("New therapy group")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": getattr(self, "group", None)}

    def perform(self, data):
        regular, cover = data.pop("regular"), data.pop("cover")
        group = getattr(self, "group", None) or TherapyGroup()
        for name, value in data.items():
            setattr(group, name, value)
        self.group = services.group_save(
            actor=self.request.user, group=group, regular=list(regular), cover=list(cover)
        )
        messages.success(self.request, _("Group saved."))
        return self.group


class GroupDetailView(GroupScopedMixin, TemplateView):
    template_name = "casework/group_detail.html"

    def get_context_data(self, **kwargs):
        group, now = self.group, timezone.now()
        members = list(
            group.members.filter(left_on__isnull=True)
            .select_related("patient")
            .order_by("patient__last_name")
        )
        sessions = (
            Appointment.objects.current()
            .filter(group=group)
            .prefetch_related(Prefetch("attendances", to_attr="attendance_list"))
        )
        record_listing(
            actor=self.request.user,
            patients=[m.patient for m in members],
            object_type="casework.groupmembership",
            label=format_lazy(gettext_lazy("Members of group {id}"), id=group.pk),
        )
        return super().get_context_data(
            members=members,
            openable=selectors.visible_patient_ids(
                self.request.user, [m.patient_id for m in members]
            ),
            facilitators=group.facilitation.select_related("clinician").order_by("role"),
            upcoming=list(sessions.filter(starts_at__gte=now).order_by("starts_at")[:8]),
            recent=list(sessions.filter(starts_at__lt=now).order_by("-starts_at")[:8]),
            can_manage=permissions.can_manage_groups(self.request.user),
            **kwargs,
        )


class GroupMemberAddView(
    GroupScopedMixin, RoleRequired(permissions.can_manage_groups), ServiceFormView
):
    form_class = GroupMemberForm
    title = gettext_lazy("Allocate a patient to the group")
    submit_label = gettext_lazy("Allocate to the group")

    def get_form_kwargs(self):
        patients = (
            selectors.patients_visible_to(self.request.user)
            .exclude(status=CareStage.CLOSED)
            .exclude(group_memberships__group=self.group, group_memberships__left_on__isnull=True)
            .order_by("last_name", "first_name")
        )
        return {**super().get_form_kwargs(), "patients": patients}

    def perform(self, data):
        membership = services.group_member_add(actor=self.request.user, group=self.group, **data)
        messages.success(
            self.request,
            _("%(file_number)s joins the group.") % {"file_number": membership.patient.file_number},
        )
        return membership


class GroupMemberEndView(
    GroupScopedMixin, RoleRequired(permissions.can_manage_groups), ConfirmView
):
    def get_membership(self):
        return get_object_or_404(
            self.group.members.select_related("patient"),
            pk=self.kwargs["membership_id"],
            left_on__isnull=True,
        )

    def get_context_data(self, **kwargs):
        membership = self.get_membership()
        return super().get_context_data(
            title=_("Remove from the group"),
            question=_(
                "Remove %(file_number)s from %(group)s today? Sessions after today no longer "
                "expect them; what was recorded stays."
            )
            % {"file_number": membership.patient.file_number, "group": self.group},
            confirm_label=_("Remove from the group"),
            back_label=_("Keep in the group"),
            cancel_url=self.group.get_absolute_url(),
            **kwargs,
        )

    def confirm(self):
        services.group_member_end(actor=self.request.user, membership=self.get_membership())
        messages.success(self.request, _("Removed from the group."))
        return redirect(self.group.get_absolute_url())


class GroupSessionsCreateView(
    GroupScopedMixin, RoleRequired(permissions.can_manage_groups), ServiceFormView
):
    form_class = GroupSessionsForm
    title = gettext_lazy("Schedule group sessions")
    submit_label = gettext_lazy("Schedule the sessions")
    template_name = "casework/appointment_form.html"

    def perform(self, data):
        group = self.group
        start = timezone.make_aware(datetime.datetime.combine(data["first_date"], group.start_time))
        regular = [f.clinician for f in group.facilitation.filter(role="regular")]
        booked = services.appointment_schedule(
            actor=self.request.user,
            kind=Appointment.Kind.GROUP,
            starts_at=start,
            clinicians=regular,
            group=group,
            duration_minutes=group.duration_minutes,
            room=group.room,
            place=group.place,
            repeat="weekly" if data["occurrences"] > 1 else "",
            occurrences=data["occurrences"] if data["occurrences"] > 1 else None,
            allow_conflicts=data["allow_conflicts"],
        )
        messages.success(
            self.request,
            ngettext("%(count)d session scheduled.", "%(count)d sessions scheduled.", len(booked))
            % {"count": len(booked)},
        )
        return booked


class GroupAttendanceView(GroupScopedMixin, TemplateView):
    """Every member's outcome of one group session, in one screen."""

    template_name = "casework/group_attendance.html"

    def dispatch(self, request, *args, **kwargs):
        # The group's door is permissions.can_work_with_group as a query: whoever passes it
        # works with the group; the service asks the rule again when the rows are saved.
        self.group = selectors.group_for(request.user, kwargs["group_id"])
        self.session = get_object_or_404(
            Appointment.objects.filter(group=self.group), pk=kwargs["appointment_id"]
        )
        return super().dispatch(request, *args, **kwargs)

    def rows(self, data=None):
        attendances = self.session.attendances.select_related("patient", "outcome").order_by(
            "patient__last_name"
        )
        outcomes = {o.pk: o for o in AttendanceOutcome.objects.filter(is_active=True)}
        return [
            (
                attendance,
                GroupAttendanceRowForm(
                    data,
                    prefix=f"a{attendance.pk}",
                    outcomes=outcomes,
                    initial={
                        "revision": attendance.revision,
                        "outcome": attendance.outcome_id,
                        "minutes_late": attendance.minutes_late,
                        "notify_concern": attendance.notify_concern,
                        "note_for_authority": attendance.note_for_authority,
                    },
                ),
            )
            for attendance in attendances
        ]

    def get_context_data(self, rows=None, **kwargs):
        rows = rows or self.rows()
        record_listing(
            actor=self.request.user,
            patients=[attendance.patient for attendance, _row in rows],
            object_type="casework.attendance",
            label=format_lazy(gettext_lazy("Attendance at group session {id}"), id=self.session.pk),
        )
        return super().get_context_data(
            session=self.session,
            rows=rows,
            openable=selectors.visible_patient_ids(
                self.request.user, [attendance.patient_id for attendance, _ in rows]
            ),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        rows = self.rows(request.POST)
        if not all(form.is_valid() for _attendance, form in rows):
            return self.render_to_response(self.get_context_data(rows=rows))
        data = {
            attendance.pk: form.cleaned_data
            for attendance, form in rows
            if form.cleaned_data["outcome"] is not None
        }
        try:
            services.group_attendance_record(
                actor=request.user, appointment=self.session, rows=data
            )
        except services.AttendanceRowErrors as errors:
            for attendance, form in rows:
                if attendance.pk in errors.rows:
                    apply_errors(form, errors.rows[attendance.pk])
            return self.render_to_response(
                self.get_context_data(rows=rows, error=errors.messages[0])
            )
        except ValidationError as error:
            return self.render_to_response(
                self.get_context_data(rows=rows, error=error.messages[0])
            )
        messages.success(request, _("Attendance recorded."))
        return redirect(self.group.get_absolute_url())


class NonAssociationCreateView(
    PatientScopedMixin, RoleRequired(permissions.can_manage_groups), ServiceFormView
):
    """Two patients who must not meet: recorded by an administrator or the clinical lead (the
    patient door first: 404 for a file out of reach, then 403)."""

    form_class = NonAssociationForm
    title = gettext_lazy("Keep two patients apart")
    submit_label = gettext_lazy("Keep them apart")

    def perform(self, data):
        other = Patient.objects.filter(file_number=data["other_file_number"].strip()).first()
        if other is None:
            raise ValidationError({"other_file_number": _("No file has this number.")})
        pair = services.non_association_add(
            actor=self.request.user, patient=self.patient, other=other, reason=data["reason"]
        )
        messages.success(self.request, _("The two patients are kept apart in groups."))
        return pair
