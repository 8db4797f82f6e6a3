"""Assessment pages: the clinical zone. The patient is resolved with Zone.CLINICAL, so an
administrator or a clinician outside the care team gets 404."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from assessments import instruments, permissions, selectors, services
from assessments.charts import trend_svg
from assessments.forms import AssessmentForm, SignForm
from casework.permissions import Zone
from casework.views.base import PatientScopedMixin
from common.views import ServiceFormView


class ClinicalMixin(PatientScopedMixin):
    zone = Zone.CLINICAL

    def history_url(self) -> str:
        return reverse("assessments:list", args=[self.patient.pk])

    def get_cancel_url(self) -> str:
        return self.history_url()

    def get_success_url(self) -> str:
        return self.result.get_absolute_url()  # the assessment a form just saved


class AssessmentMixin(ClinicalMixin):
    def get_patient(self):
        patient = super().get_patient()
        self.assessment = selectors.assessment_for(
            self.request.user, patient.pk, self.kwargs["assessment_id"]
        )
        return patient

    def get_audit_object(self):
        return self.assessment

    def get_cancel_url(self) -> str:
        return self.assessment.get_absolute_url()

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            assessment=self.assessment, definition=self.assessment.definition, **kwargs
        )


class AssessmentListView(ClinicalMixin, TemplateView):
    template_name = "assessments/list.html"
    audit_object_type = "assessments.assessment"

    def get_audit_object(self):
        return None

    def get_context_data(self, **kwargs):
        history = list(selectors.history(self.patient))
        sections = []
        for code, definition in instruments.INSTRUMENTS.items():
            rows = [a for a in history if a.instrument == code]
            chart = ""
            if definition.is_scored:
                low, high = definition.total_range
                chart = trend_svg(
                    selectors.trend(self.patient, code),
                    low=low,
                    high=high,
                    label=definition.name,
                    bands=definition.band_tables[0] if definition.band_tables else None,
                )
            sections.append((definition, rows, chart))
        return super().get_context_data(
            sections=sections, combination=selectors.combination_for(self.patient), **kwargs
        )


def _instrument(code: str):
    if code not in instruments.INSTRUMENTS:
        raise Http404
    return instruments.get(code)


class AssessmentFormMixin(ServiceFormView):
    form_class = AssessmentForm
    template_name = "assessments/form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instrument": self.definition}

    def get_context_data(self, **kwargs):
        kwargs.setdefault("definition", self.definition)
        return super().get_context_data(**kwargs)

    success_message = gettext_lazy("Draft saved. Sign it when it is final.")

    def perform(self, data):
        return self.save(AssessmentForm.to_service(data))


class AssessmentCreateView(ClinicalMixin, AssessmentFormMixin):
    def get_patient(self):
        patient = super().get_patient()
        self.definition = _instrument(self.kwargs["instrument"])
        return patient

    def get_title(self):
        return _("New %(instrument)s assessment") % {"instrument": self.definition.name}

    def save(self, data):
        return services.assessment_save(
            actor=self.request.user,
            patient=self.patient,
            instrument=self.definition.code,
            **data,
        )


class AssessmentUpdateView(AssessmentMixin, AssessmentFormMixin):
    def get_patient(self):
        patient = super().get_patient()
        self.definition = self.assessment.definition
        return patient

    def get_title(self):
        return _("Edit the %(instrument)s draft") % {"instrument": self.definition.name}

    def refusal(self) -> str:
        # A signed assessment, or someone else's draft: the form is not offered at all.
        return permissions.edit_refusal(self.request.user, self.assessment)

    def get_initial(self):
        return AssessmentForm.initial_from(self.assessment)

    def save(self, data):
        return services.assessment_save(
            actor=self.request.user,
            patient=self.patient,
            instrument=self.assessment.instrument,
            assessment=self.assessment,
            **data,
        )


class AssessmentDetailView(AssessmentMixin, TemplateView):
    template_name = "assessments/detail.html"

    def get_context_data(self, **kwargs):
        assessment = self.assessment
        definition = assessment.definition
        rows = []
        applicable = definition.applicable_items(assessment.facts)
        for item in definition.items:
            if item.code not in assessment.responses:
                if item in applicable:  # a draft's item still to rate
                    rows.append((item, None, ""))
                continue
            value = assessment.responses[item.code]
            label = next((c.label for c in item.choices if c.value == value), value)
            relevance = assessment.responses.get(f"{item.code}_relevance", "")
            rows.append((item, label, relevance))
        levels = [
            (
                table,
                next(
                    (b for b in table.bands if b.code == assessment.levels.get(table.version)), None
                ),
            )
            for table in definition.band_tables
        ]
        judgements = [
            (
                item,
                next(
                    (
                        c.label
                        for c in item.choices
                        if c.value == assessment.judgements.get(item.code)
                    ),
                    "",
                ),
            )
            for item in definition.judgements
        ]
        facts = [
            (
                item,
                next(
                    (c.label for c in item.choices if c.value == assessment.facts.get(item.code)),
                    "",
                ),
            )
            for item in definition.facts
        ]
        return super().get_context_data(
            rows=rows,
            facts=facts,
            levels=levels,
            judgements=judgements,
            norms=selectors.norms_for(assessment),
            can_edit=not permissions.edit_refusal(self.request.user, assessment),
            can_discard=not permissions.discard_refusal(self.request.user, assessment),
            amended_by=getattr(assessment, "amended_by", None),
            **kwargs,
        )


class AssessmentSignView(AssessmentMixin, ServiceFormView):
    """The attestations are ticked here, and set and signed in one service call."""

    form_class = SignForm
    template_name = "assessments/sign.html"
    extra_context = {"subject_template": "assessments/_assessment_signed.html"}
    submit_label = gettext_lazy("Sign the assessment")
    back_label = gettext_lazy("Keep it as a draft")
    success_message = gettext_lazy("Assessment signed.")

    def refusal(self) -> str:
        # Signed already, or someone else's draft: the signing form is not offered at all.
        return permissions.sign_refusal(self.request.user, self.assessment)

    def get_title(self):
        return _("Sign the %(instrument)s assessment") % {
            "instrument": self.assessment.definition.name
        }

    def get_initial(self):
        return {
            "trained_assessor": self.assessment.trained_assessor,
            "complete": self.assessment.complete,
        }

    def perform(self, data):
        return services.assessment_sign(actor=self.request.user, assessment=self.assessment, **data)


class AssessmentDiscardView(AssessmentMixin, ServiceFormView):
    """Confirm, then delete an unsigned draft (services.assessment_discard says why for real)."""

    form_class = forms.Form  # nothing to fill in: the buttons say it all
    template_name = "assessments/discard.html"
    submit_label = gettext_lazy("Discard the draft")
    submit_class = "danger"
    back_label = gettext_lazy("Keep the draft")
    success_message = gettext_lazy("Draft discarded.")

    def refusal(self) -> str:
        return permissions.discard_refusal(self.request.user, self.assessment)

    def get_title(self):
        return _("Discard the %(instrument)s draft") % {
            "instrument": self.assessment.definition.name
        }

    def perform(self, data):
        services.assessment_discard(actor=self.request.user, assessment=self.assessment)

    def get_success_url(self) -> str:
        return self.history_url()


class AssessmentAmendView(AssessmentMixin, TemplateView):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        try:
            amendment = services.assessment_amend(actor=request.user, assessment=self.assessment)
        except ValidationError as error:
            messages.error(request, error.messages[0])
            return redirect(self.assessment.get_absolute_url())
        messages.success(request, _("A new version is open: correct it, then sign it."))
        return redirect("assessments:update", self.patient.pk, amendment.pk)


class RunningTotalView(ClinicalMixin, TemplateView):
    """The live total while the form is filled in (htmx posts the form on every change)."""

    http_method_names = ["post"]

    def get_audit_object(self):
        return None

    def post(self, request, *args, **kwargs):
        definition = _instrument(kwargs["instrument"])
        if not definition.is_scored:
            raise Http404

        def values(prefix):
            return {k[len(prefix) :]: v for k, v in request.POST.items() if k.startswith(prefix)}

        points, rated, expected = definition.running_total(
            facts=values("fact_"), responses=values("item_")
        )
        return render(
            request,
            "assessments/_running_total.html",
            {"points": points, "rated": rated, "expected": expected, "definition": definition},
        )
