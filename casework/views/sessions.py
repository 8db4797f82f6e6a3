"""A patient's sessions on their pages: booking, moving, cancelling, recording the outcome,
acknowledging a compliance alert. The same operations over the API: casework/api/sessions.py."""

from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from casework import permissions, selectors, services
from casework.forms import (
    AlertAcknowledgeForm,
    AppointmentForm,
    CancelForm,
    OutcomeForm,
    RescheduleForm,
)
from casework.views.base import PatientScopedMixin
from common.dates import query_datetime
from common.permissions import require
from common.views import ServiceFormView


class AppointmentMixin(PatientScopedMixin):
    """An appointment of the patient in the URL (or 404), with this patient's attendance."""

    def get_patient(self):
        patient = super().get_patient()
        self.attendance = get_object_or_404(
            patient.attendances.select_related("appointment__group", "outcome"),
            appointment_id=self.kwargs["appointment_id"],
        )
        self.appointment = self.attendance.appointment
        return patient

    def get_audit_object(self):
        return self.appointment

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            appointment=self.appointment, attendance=self.attendance, **kwargs
        )


class AppointmentCreateView(PatientScopedMixin, ServiceFormView):
    form_class = AppointmentForm
    title = gettext_lazy("Book an appointment")
    submit_label = gettext_lazy("Book")
    template_name = "casework/appointment_form.html"

    def get_form_kwargs(self):
        team = selectors.possible_clinicians_for(self.patient)
        kwargs = {**super().get_form_kwargs(), "clinicians": team}
        if self.request.method == "GET" and self.request.user in team:
            kwargs["initial"] = {**kwargs.get("initial", {}), "clinicians": [self.request.user]}
        return kwargs

    def get_context_data(self, **kwargs):
        query = urlencode({"patient": self.patient.pk})
        grid_url = f"{reverse('casework:week_grid')}?{query}"
        return super().get_context_data(grid_url=grid_url, **kwargs)

    def get_initial(self):
        """A slot chosen in the week grid: its start and room."""
        starts_at = query_datetime(self.request.GET.get("starts_at"))
        return {
            **super().get_initial(),
            **({"starts_at": starts_at} if starts_at else {}),
            **({"room": self.request.GET["room"]} if self.request.GET.get("room") else {}),
        }

    def perform(self, data):
        booked = services.appointment_schedule(
            actor=self.request.user, patient=self.patient, **data
        )
        messages.success(
            self.request,
            ngettext("%(count)d appointment booked.", "%(count)d appointments booked.", len(booked))
            % {"count": len(booked)},
        )
        return booked


class MoveMixin(AppointmentMixin):
    def get_patient(self):
        patient = super().get_patient()
        require(permissions.move_refusal(self.request.user, self.appointment))
        return patient


class AppointmentRescheduleView(MoveMixin, ServiceFormView):
    form_class = RescheduleForm
    title = gettext_lazy("Reschedule the appointment")
    submit_label = gettext_lazy("Reschedule")
    back_label = gettext_lazy("Go back")
    template_name = "casework/appointment_form.html"
    success_message = gettext_lazy("Appointment rescheduled.")

    def get_context_data(self, **kwargs):
        query = {"patient": self.patient.pk, "appointment": self.appointment.pk}
        if self.appointment.room_id:
            query["room"] = self.appointment.room_id
        grid_url = f"{reverse('casework:week_grid')}?{urlencode(query)}"
        return super().get_context_data(grid_url=grid_url, **kwargs)

    def get_initial(self):
        starts_at = query_datetime(self.request.GET.get("starts_at"))
        return {
            "starts_at": starts_at or timezone.localtime(self.appointment.starts_at),
            "duration_minutes": self.appointment.duration_minutes,
            "room": self.request.GET.get("room") or self.appointment.room_id,
        }

    def perform(self, data):
        return services.appointment_reschedule(
            actor=self.request.user, appointment=self.appointment, **data
        )


class AppointmentCancelView(MoveMixin, ServiceFormView):
    form_class = CancelForm
    title = gettext_lazy("Cancel the appointment")
    submit_label = gettext_lazy("Cancel the appointment")
    submit_class = "danger"
    back_label = gettext_lazy("Keep the appointment")
    template_name = "casework/appointment_form.html"
    success_message = gettext_lazy("Appointment cancelled; the cancellation is kept on file.")

    def perform(self, data):
        return services.appointment_cancel(
            actor=self.request.user, appointment=self.appointment, **data
        )


class OutcomeView(AppointmentMixin, ServiceFormView):
    """Record what happened at one appointment for this patient."""

    form_class = OutcomeForm
    title = gettext_lazy("Record the outcome")
    submit_label = gettext_lazy("Record the outcome")
    back_label = gettext_lazy("Go back")
    template_name = "casework/appointment_form.html"
    success_message = gettext_lazy("Outcome recorded.")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.attendance}

    def perform(self, data):
        return services.attendance_record(
            actor=self.request.user, attendance=self.attendance, **data
        )

    def get_success_url(self):
        return self.request.GET.get("next") if self._safe_next() else super().get_success_url()

    def _safe_next(self) -> bool:
        from django.utils.http import url_has_allowed_host_and_scheme

        target = self.request.GET.get("next", "")
        return bool(target) and url_has_allowed_host_and_scheme(
            target, allowed_hosts={self.request.get_host()}
        )


class AlertAcknowledgeView(PatientScopedMixin, ServiceFormView):
    form_class = AlertAcknowledgeForm
    title = gettext_lazy("Acknowledge the alert")
    template_name = "casework/alert_acknowledge.html"
    submit_label = gettext_lazy("Acknowledge")
    success_message = gettext_lazy("Alert acknowledged.")

    def get_patient(self):
        patient = super().get_patient()
        self.alert = get_object_or_404(
            patient.compliance_alerts.select_related(
                "rule", "attendance__appointment", "attendance__outcome"
            ),
            pk=self.kwargs["alert_id"],
        )
        return patient

    def get_audit_object(self):
        return self.alert

    def refusal(self):
        if self.alert.resolved_at:
            return _("This alert was resolved: its grounds no longer hold.")
        if self.alert.acknowledged_at:
            return _("This alert was already acknowledged.")
        return ""

    def get_context_data(self, **kwargs):
        return super().get_context_data(alert=self.alert, **kwargs)

    def perform(self, data):
        return services.compliance_alert_acknowledge(
            actor=self.request.user, alert=self.alert, comment=data["comment"]
        )
