"""Clinical notes: the clinical zone. The patient is resolved with Zone.CLINICAL, so an
administrator, or anyone outside the care team, gets 404 here."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from casework.permissions import Zone
from casework.views.base import PatientScopedMixin
from common.views import ConfirmView, ServiceFormView
from notes import permissions, selectors, services
from notes.forms import (
    NoteForm,
    NoteTextForm,
    PlanCloseForm,
    PlanForm,
    goals_from,
    summaries_from,
)
from notes.models import ClinicalNote


class ClinicalMixin(PatientScopedMixin):
    zone = Zone.CLINICAL

    def notes_url(self) -> str:
        return reverse("notes:list", args=[self.patient.pk])

    def get_cancel_url(self) -> str:
        return self.notes_url()

    def get_success_url(self) -> str:
        return self.notes_url()


class NoteMixin(ClinicalMixin):
    def get_patient(self):
        patient = super().get_patient()
        self.note = selectors.note_for(self.request.user, patient.pk, self.kwargs["note_id"])
        return patient

    def get_audit_object(self):
        return self.note

    def get_context_data(self, **kwargs):
        return super().get_context_data(note=self.note, **kwargs)


NOTES_PER_PAGE = 20


class NoteListView(ClinicalMixin, TemplateView):
    template_name = "notes/list.html"

    audit_object_type = "notes.clinicalnote"

    def get_audit_object(self):
        return None  # the notes as a whole

    def get_context_data(self, **kwargs):
        user, patient_id, params = self.request.user, self.patient.pk, self.request.GET
        session = selectors.notes_of(user, patient_id, kind=ClinicalNote.Kind.SESSION)
        personal = selectors.notes_of(user, patient_id, kind=ClinicalNote.Kind.PERSONAL)
        # Years of weekly sessions: each list is paged, the latest first.
        session_page = Paginator(
            session.filter(addendum_to__isnull=True).prefetch_related("addenda"), NOTES_PER_PAGE
        ).get_page(params.get("page"))
        personal_page = Paginator(personal, NOTES_PER_PAGE).get_page(params.get("personal"))
        return super().get_context_data(
            session_notes=session_page.object_list,
            session_page=session_page,
            personal_notes=personal_page.object_list,
            personal_page=personal_page,
            session_query=urlencode({"personal": personal_page.number}),
            personal_query=urlencode({"page": session_page.number}),
            **kwargs,
        )


class NoteCreateView(ClinicalMixin, ServiceFormView):
    form_class = NoteForm
    title = gettext_lazy("Write a clinical note")
    submit_label = gettext_lazy("Save the draft")

    def get_form_kwargs(self):
        sessions = selectors.sessions_to_note(self.request.user, self.patient.pk)
        return {**super().get_form_kwargs(), "sessions": sessions}

    def get_initial(self):
        appointment = self.request.GET.get("appointment", "")
        return {"appointment": appointment} if appointment.isdigit() else {}

    def perform(self, data):
        note = services.note_create(actor=self.request.user, patient=self.patient, **data)
        messages.success(self.request, _("Draft saved. Sign it when it is final."))
        return note


class NoteUpdateView(NoteMixin, ServiceFormView):
    form_class = NoteTextForm
    title = gettext_lazy("Edit the draft note")
    success_message = gettext_lazy("Draft note saved.")

    def refusal(self):
        return permissions.edit_refusal(self.request.user, self.note)

    def get_initial(self):
        return {"text": self.note.text}

    def perform(self, data):
        return services.note_update(actor=self.request.user, note=self.note, **data)


class NoteAddendumView(NoteMixin, ServiceFormView):
    form_class = NoteTextForm
    title = gettext_lazy("Add an addendum")
    submit_label = gettext_lazy("Save the addendum")
    extra_context = {"subject_template": "notes/_note_signed.html"}  # the note it completes

    def refusal(self):
        return permissions.addendum_refusal(self.request.user, self.note)

    def perform(self, data):
        note = services.note_create(
            actor=self.request.user,
            patient=self.patient,
            kind=self.note.kind,
            addendum_to=self.note,
            **data,
        )
        messages.success(self.request, _("Addendum saved as a draft. Sign it when it is final."))
        return note


class NoteSignView(NoteMixin, ConfirmView):
    def refusal(self):
        return permissions.sign_refusal(self.request.user, self.note)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=_("Sign the note"),
            subject_template="notes/_note_signed.html",
            question=_("Once signed, the note can no longer change; corrections become addenda."),
            confirm_label=_("Sign the note"),
            back_label=_("Not yet"),
            cancel_url=self.notes_url(),
            **kwargs,
        )

    def confirm(self):
        try:
            services.note_sign(actor=self.request.user, note=self.note)
        except ValidationError as error:
            messages.error(self.request, error.messages[0])
        else:
            messages.success(self.request, _("Note signed."))
        return redirect(self.notes_url())


# --- Treatment plans ------------------------------------------------------------------------

# A first plan is reviewed after three months, unless its author says otherwise.
PLAN_REVIEW_DAYS = 91


class PlanMixin(ClinicalMixin):
    def plan_url(self) -> str:
        return reverse("notes:plan", args=[self.patient.pk])

    def get_cancel_url(self) -> str:
        return self.plan_url()

    def get_success_url(self) -> str:
        return self.plan_url()


class PlanFormMixin(PlanMixin):
    """A form that writes the next version: it starts from the plan as it stands."""

    def get_patient(self):
        patient = super().get_patient()
        self.current = selectors.plans_of(self.request.user, patient.pk).first()
        return patient


class PlanView(PlanMixin, TemplateView):
    """The plan as it stands (its latest version), and the versions before it."""

    template_name = "notes/plan.html"
    audit_object_type = "notes.treatmentplan"

    def get_audit_object(self):
        return None  # the plan's versions as a whole

    def get_context_data(self, **kwargs):
        versions = list(selectors.plans_of(self.request.user, self.patient.pk))
        latest = versions[0] if versions else None
        return super().get_context_data(
            plan=latest,
            earlier=versions[1:],
            may_write=not permissions.plan_write_refusal(latest),
            may_close=not permissions.plan_close_refusal(latest),
            **kwargs,
        )


class PlanVersionView(PlanMixin, TemplateView):
    """One version of the plan, as it was written."""

    template_name = "notes/plan.html"

    def get_patient(self):
        patient = super().get_patient()
        self.plan = selectors.plan_version_for(
            self.request.user, patient.pk, self.kwargs["version"]
        )
        return patient

    def get_audit_object(self):
        return self.plan

    def get_context_data(self, **kwargs):
        return super().get_context_data(plan=self.plan, earlier=[], old_version=True, **kwargs)


class PlanWriteView(PlanFormMixin, ServiceFormView):
    """The first plan, or its review: the next version, its goals carried over to edit."""

    form_class = PlanForm
    success_message = gettext_lazy("Treatment plan saved: a new version.")

    def refusal(self):
        return permissions.plan_write_refusal(self.current)

    def get_title(self):
        return _("Review the treatment plan") if self.current else _("Write the treatment plan")

    def get_form_kwargs(self):
        goals = len(self.current.goals.all()) if self.current else 0
        return {
            **super().get_form_kwargs(),
            "rows": min(services.MAX_GOALS, max(goals + 1, 3)),
            "review": self.current is not None,
        }

    def get_initial(self):
        """The goals as they stand; the next review as far off as the last one was (three
        months for a first plan)."""
        today = timezone.localdate()
        interval = datetime.timedelta(days=PLAN_REVIEW_DAYS)
        if self.current is not None and self.current.review_on:
            interval = max(
                self.current.review_on - timezone.localdate(self.current.written_at),
                datetime.timedelta(days=14),
            )
        initial = {"review_on": today + interval}
        if self.current is None:
            return initial
        for n, goal in enumerate(self.current.goals.all(), start=1):
            initial[f"goal_{n}"], initial[f"interventions_{n}"] = goal.goal, goal.interventions
        return initial

    def perform(self, data):
        return services.plan_write(
            actor=self.request.user,
            patient=self.patient,
            review_on=data["review_on"],
            goals=goals_from(data),
        )


class PlanCloseView(PlanFormMixin, ServiceFormView):
    """The end of the treatment: each goal summed up; the plan is reviewed no more."""

    form_class = PlanCloseForm
    title = gettext_lazy("Close the treatment plan")
    submit_label = gettext_lazy("Close the plan")
    success_message = gettext_lazy("Treatment plan closed: each goal summed up.")

    def refusal(self):
        return permissions.plan_close_refusal(self.current)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "goals": list(self.current.goals.all())}

    def perform(self, data):
        return services.plan_close(
            actor=self.request.user, patient=self.patient, summaries=summaries_from(data)
        )
