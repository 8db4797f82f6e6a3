from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse, reverse_lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView

from audit.services import record_listing
from casework import permissions, selectors, services
from casework.forms import (
    AuthorityForm,
    CareTeamForm,
    EpisodeCloseForm,
    EpisodeStepForm,
    JusticeContactForm,
    MandateForm,
    PatientForm,
    PatientRegisterForm,
    ReferralForm,
)
from casework.models import Authority, CareStage, Episode, JusticeContact, Mandate
from casework.permissions import can_use_casework
from casework.views.base import PAGE_SIZE, PatientScopedMixin
from common.http import query_id, query_search
from common.permissions import require_that
from common.views import ConfirmView, RoleRequired, ServiceFormView

# --- Patients -------------------------------------------------------------------------------


class PatientListView(RoleRequired(can_use_casework), TemplateView):
    template_name = "casework/patient_list.html"

    def get(self, request, *args, **kwargs):
        # The header's search (jump=1): a single file found opens at once, through the patient
        # page's own door; several, or none, are listed here.
        query = query_search(request.GET.get("q"))
        if request.GET.get("jump") and query:
            found = list(selectors.patient_list(request.user, query=query)[:2])
            if len(found) == 1:
                return redirect(found[0].get_absolute_url())
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        user, params = self.request.user, self.request.GET
        status = params.get("status", "")
        filters = {
            "query": query_search(params.get("q")),
            "status": status if status in CareStage.values else "",
            "clinician_id": query_id(params.get("clinician")),
            "authority_id": query_id(params.get("authority")),
        }
        patients = selectors.patient_list(user, **filters)
        page = Paginator(patients, PAGE_SIZE).get_page(params.get("page"))
        record_listing(
            actor=user,
            patients=page.object_list,
            label=format_lazy(gettext_lazy("Patient list, page {number}"), number=page.number),
        )
        query = params.copy()
        query.pop("page", None)
        return super().get_context_data(
            page=page,
            filters=filters,
            filtered=any(filters.values()),
            query_string=query.urlencode(),
            stages=CareStage.choices,
            clinicians=selectors.clinicians(),
            authorities=selectors.active_authorities(),
            can_register=permissions.can_register_patient(user),
            can_break_glass=permissions.can_break_glass(user),
            **kwargs,
        )


class PatientCreateView(RoleRequired(permissions.can_register_patient), ServiceFormView):
    form_class = PatientRegisterForm
    title = gettext_lazy("Register a referral")
    submit_label = gettext_lazy("Register")
    cancel_url = reverse_lazy("casework:patient_list")

    def perform(self, data):
        return services.patient_register(actor=self.request.user, **data)

    def get_success_url(self):
        messages.success(
            self.request,
            _("Patient %(file_number)s registered.") % {"file_number": self.result.file_number},
        )
        return self.result.get_absolute_url()


class PatientUpdateView(PatientScopedMixin, ServiceFormView):
    form_class = PatientForm
    title = gettext_lazy("Edit identity and contact details")
    success_message = gettext_lazy("Identity and contact details saved.")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.patient}

    def perform(self, data):
        return services.patient_update(actor=self.request.user, patient=self.patient, **data)


# --- Mandates -------------------------------------------------------------------------------


class MandateCreateView(PatientScopedMixin, ServiceFormView):
    form_class = MandateForm
    title = gettext_lazy("Add a mandate")
    success_message = gettext_lazy("Mandate added.")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": Mandate(patient=self.patient)}

    def perform(self, data):
        return services.mandate_create(actor=self.request.user, patient=self.patient, **data)


class MandateUpdateView(PatientScopedMixin, ServiceFormView):
    form_class = MandateForm
    title = gettext_lazy("Edit the mandate")
    success_message = gettext_lazy("Mandate saved.")

    def get_patient(self):
        patient = super().get_patient()
        self.mandate = get_object_or_404(patient.mandates, pk=self.kwargs["mandate_id"])
        return patient

    def get_audit_object(self):
        return self.mandate

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.mandate}

    def perform(self, data):
        return services.mandate_update(actor=self.request.user, mandate=self.mandate, **data)


# --- Episodes -------------------------------------------------------------------------------


class EpisodeCreateView(PatientScopedMixin, ServiceFormView):
    form_class = ReferralForm
    title = gettext_lazy("Register a new referral")
    submit_label = gettext_lazy("Register")
    success_message = gettext_lazy("New episode of care opened.")

    def perform(self, data):
        return services.episode_open(actor=self.request.user, patient=self.patient, **data)


class EpisodeStepView(PatientScopedMixin, ServiceFormView):
    """Move the open episode to its next stage: intake, treatment or closed."""

    steps = {
        "intake": (EpisodeStepForm, services.episode_record_intake, gettext_lazy("Record intake")),
        "treatment": (
            EpisodeStepForm,
            services.episode_start_treatment,
            gettext_lazy("Record the start of treatment"),
        ),
        "close": (EpisodeCloseForm, services.episode_close, gettext_lazy("Close the episode")),
    }
    step = ""

    def get_patient(self):
        patient = super().get_patient()
        self.episode = get_object_or_404(
            Episode.objects.filter(patient=patient).select_related("patient"),
            pk=self.kwargs["episode_id"],
        )
        return patient

    def get_audit_object(self):
        return self.episode

    def get_form_class(self):
        return self.steps[self.step][0]

    def get_title(self):
        return self.steps[self.step][2]

    @property
    def submit_label(self):  # the button says what it does: "Record intake"
        return self.steps[self.step][2]

    def perform(self, data):
        service = self.steps[self.step][1]
        return service(actor=self.request.user, episode=self.episode, **data)

    def get_success_url(self):
        messages.success(
            self.request,
            _("Episode now at stage “%(stage)s”.") % {"stage": self.episode.get_stage_display()},
        )
        return super().get_success_url()


# --- Care team ------------------------------------------------------------------------------


class CareTeamMixin(PatientScopedMixin):
    def get_patient(self):
        patient = super().get_patient()  # 404 first: no hint that the file exists
        require_that(permissions.can_manage_care_team(self.request.user))  # then 403
        return patient


class CareTeamAddView(CareTeamMixin, ServiceFormView):
    form_class = CareTeamForm
    title = gettext_lazy("Add a clinician to the care team")
    submit_label = gettext_lazy("Add to the care team")
    success_message = gettext_lazy("Clinician added to the care team.")

    def perform(self, data):
        return services.care_team_assign(actor=self.request.user, patient=self.patient, **data)


class CareTeamEndView(CareTeamMixin, ConfirmView):
    def get_patient(self):
        patient = super().get_patient()
        self.membership = get_object_or_404(
            patient.care_team.select_related("clinician", "patient"),
            pk=self.kwargs["membership_id"],
            ends_on__isnull=True,
        )
        return patient

    def get_audit_object(self):
        return self.membership

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=_("Remove from the care team"),
            question=_(
                "Remove %(clinician)s (%(role)s) from the care team of %(file_number)s? "
                "Their access to this file ends today; the care team's history keeps their place."
            )
            % {
                "clinician": self.membership.clinician,
                "role": self.membership.get_role_display().lower(),
                "file_number": self.patient.file_number,
            },
            confirm_label=_("Remove from the care team"),
            back_label=_("Keep in the care team"),
            **kwargs,
        )

    def confirm(self):
        services.care_team_end(actor=self.request.user, membership=self.membership)
        messages.success(self.request, _("Removed from the care team."))
        return redirect(self.get_success_url())


# --- Reference data: authorities and justice contacts ---------------------------------------


class ReferenceListView(RoleRequired(permissions.can_view_reference_data), TemplateView):
    model: type = Authority

    def get_context_data(self, **kwargs):
        params = self.request.GET
        items = self.model.objects.all()
        query = query_search(params.get("q"))
        if query:
            items = items.filter(name__icontains=query)
        return super().get_context_data(
            page=Paginator(items, PAGE_SIZE).get_page(params.get("page")),
            query=query,
            query_string=urlencode({"q": query}) if query else "",
            can_edit=permissions.can_edit_reference_data(self.request.user),
            **kwargs,
        )


class ReferenceFormView(FormView):
    template_name = "includes/form.html"
    model: type = Authority
    list_url = ""

    def dispatch(self, request, *args, **kwargs):
        require_that(permissions.can_edit_reference_data(request.user))  # 403 before any 404
        pk = kwargs.get("pk")
        self.object = get_object_or_404(self.model, pk=pk) if pk else None
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.object}

    def form_valid(self, form):
        form.save()
        messages.success(self.request, _("Saved."))
        return redirect(self.list_url)

    def get_context_data(self, **kwargs):
        verbose = self.model._meta.verbose_name
        title = (
            _("Edit %(thing)s") % {"thing": verbose}
            if self.object
            else _("New %(thing)s") % {"thing": verbose}
        )
        return super().get_context_data(title=title, cancel_url=reverse(self.list_url), **kwargs)


class AuthorityListView(ReferenceListView):
    template_name = "casework/authority_list.html"
    model = Authority


class AuthorityFormView(ReferenceFormView):
    model, form_class = Authority, AuthorityForm
    list_url = "casework:authority_list"


class JusticeContactListView(ReferenceListView):
    template_name = "casework/justice_contact_list.html"
    model = JusticeContact


class JusticeContactFormView(ReferenceFormView):
    model, form_class = JusticeContact, JusticeContactForm
    list_url = "casework:justice_contact_list"
