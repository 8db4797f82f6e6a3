"""The clinical lead's pages: a patient's access copies, and the files at the end of their
retention period. Everyone else gets 403 (404 first for a patient out of their reach)."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from audit.services import record_listing
from casework import permissions
from casework.views.base import PAGE_SIZE, PatientScopedMixin
from common.views import RoleRequired, ServiceFormView
from privacy import retention, services
from privacy.forms import AccessCopyForm
from privacy.models import AccessCopy, RetentionFlag, Tombstone
from privacy.permissions import can_manage_privacy

# --- Access copies --------------------------------------------------------------------------


class AccessCopyListView(PatientScopedMixin, RoleRequired(can_manage_privacy), ServiceFormView):
    """The patient's copies, and the form that asks for a new one."""

    zone = permissions.Zone.CLINICAL
    template_name = "privacy/access_copies.html"
    form_class = AccessCopyForm
    audit_object_type = "privacy.accesscopy"
    title = gettext_lazy("Copy of the file for the patient")
    submit_label = gettext_lazy("Make the copy")
    success_message = gettext_lazy(
        "The copy is being made. It appears below, ready to download, in a minute or two."
    )

    def get_audit_object(self):
        return None

    def perform(self, data):
        return services.access_copy_request(actor=self.request.user, patient=self.patient, **data)

    def get_success_url(self):
        return reverse("privacy:access_copies", args=[self.patient.pk])

    def get_context_data(self, **kwargs):
        copies = AccessCopy.objects.filter(patient=self.patient).select_related("requested_by")
        return super().get_context_data(copies=copies.defer("pdf", "data"), **kwargs)


class AccessCopyFileView(PatientScopedMixin, RoleRequired(can_manage_privacy), TemplateView):
    zone = permissions.Zone.CLINICAL

    def get_audit_object(self):
        return self.copy

    def get(self, request, *args, **kwargs):
        self.copy = get_object_or_404(
            AccessCopy.objects.defer("pdf", "data"), pk=kwargs["copy_id"], patient=self.patient
        )
        found = services.access_copy_file(actor=request.user, copy=self.copy, kind=kwargs["kind"])
        if found is None:
            messages.info(request, _("This copy is still being made: try again in a moment."))
            return redirect("privacy:access_copies", self.patient.pk)
        content, content_type = found
        response = HttpResponse(content, content_type=content_type)
        extension = "pdf" if kwargs["kind"] == "pdf" else "json"
        response["Content-Disposition"] = f'attachment; filename="{self.copy.filename(extension)}"'
        return response


# --- Retention ------------------------------------------------------------------------------


class RetentionView(RoleRequired(can_manage_privacy), TemplateView):
    """The files due for review, the destructions announced, the files destroyed."""

    template_name = "privacy/retention.html"

    def get_context_data(self, **kwargs):
        flags = RetentionFlag.objects.select_related("patient", "reviewed_by").order_by(
            "destroy_on", "pk"
        )
        page = Paginator(flags, PAGE_SIZE).get_page(self.request.GET.get("page"))
        record_listing(
            actor=self.request.user,
            patients=[flag.patient for flag in page],
            label=gettext_lazy("Files due for retention review"),
        )
        return super().get_context_data(
            page=page,
            flags=page.object_list,
            to_review=RetentionFlag.objects.filter(reviewed_at__isnull=True).count(),
            announced=RetentionFlag.objects.filter(announced_on__isnull=False).count(),
            tombstones=Tombstone.objects.select_related("destroyed_by")[:20],
            review_years=settings.RETENTION_REVIEW_YEARS,
            destroy_years=settings.RETENTION_DESTROY_YEARS,
            notice_days=settings.RETENTION_NOTICE_DAYS,
            **kwargs,
        )


class RetentionFlagMixin(PatientScopedMixin, RoleRequired(can_manage_privacy)):
    def refusal(self):
        if not RetentionFlag.objects.filter(patient=self.patient).exists():
            return _("This file is not due for retention review.")
        return ""

    def get_flag(self) -> RetentionFlag:
        flag = RetentionFlag.objects.filter(patient=self.patient).first()
        if flag is None:
            raise Http404
        return flag

    def get_success_url(self):
        return reverse("privacy:retention")

    def get_cancel_url(self):
        return reverse("privacy:retention")


class RetentionReviewForm(forms.Form):
    review_note = forms.CharField(
        label=gettext_lazy("What the review found"),
        max_length=RetentionFlag._meta.get_field("review_note").max_length,
        help_text=gettext_lazy("e.g. kept: a request from the authority is still open."),
    )


class RetentionReviewView(RetentionFlagMixin, ServiceFormView):
    """The lead reviewed the file and keeps it (until its longest period ends)."""

    form_class = RetentionReviewForm
    submit_label = gettext_lazy("Keep the file")
    success_message = gettext_lazy("The review is recorded; the file is kept.")

    def get_title(self):
        return _("Review of file %(file)s: keep it") % {"file": self.patient.file_number}

    def perform(self, data):
        return retention.review(actor=self.request.user, flag=self.get_flag(), **data)


class RetentionDestroyForm(forms.Form):
    file_number = forms.CharField(
        label=gettext_lazy("Type the file number to confirm"), max_length=20
    )

    def __init__(self, *args, expected: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.expected = expected

    def clean_file_number(self):
        typed = self.cleaned_data["file_number"].strip()
        if typed != self.expected:
            raise forms.ValidationError(_("This is not the file's number: nothing was destroyed."))
        return typed


class RetentionDestroyView(RetentionFlagMixin, ServiceFormView):
    """The lead destroys a flagged file after review, before its longest period ends."""

    template_name = "privacy/retention_destroy.html"
    form_class = RetentionDestroyForm
    submit_label = gettext_lazy("Destroy the file")
    submit_class = "danger"
    success_message = gettext_lazy("The file is destroyed. Its tombstone is listed below.")

    def get_title(self):
        return _("Destroy file %(file)s") % {"file": self.patient.file_number}

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"expected": self.patient.file_number}

    def get_context_data(self, **kwargs):
        flag = self.get_flag()
        return super().get_context_data(
            flag=flag, rows=retention.rows_summary(self.patient.pk), **kwargs
        )

    def perform(self, data):
        flag = self.get_flag()
        return retention.destroy(
            patient_id=flag.patient_id, actor=self.request.user, reason=Tombstone.Reason.REVIEW
        )
