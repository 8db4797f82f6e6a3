"""The documents on a file. The file is reached through the patient door (frame zone: the care
team and the administrators); each document then by its kind's zone, so a clinical document
answers 404 to an administrator. A document is handed out as a download of what it was checked
to be, never shown as a page."""

from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from audit.services import Action
from casework.views.base import PatientScopedMixin
from common.views import ServiceFormView
from documents import permissions, selectors, services
from documents.forms import DocumentForm
from documents.models import Document

DOCUMENTS_PER_PAGE = 25


class DocumentsMixin(PatientScopedMixin):
    def documents_url(self) -> str:
        return reverse("documents:list", args=[self.patient.pk])

    def get_cancel_url(self) -> str:
        return self.documents_url()

    def get_success_url(self) -> str:
        return self.documents_url()


class DocumentListView(DocumentsMixin, TemplateView):
    template_name = "documents/list.html"
    audit_object_type = "documents.document"

    def get_audit_object(self):
        return None  # the documents as a whole

    def get_context_data(self, **kwargs):
        documents = selectors.documents_of(self.request.user, self.patient.pk)
        page = Paginator(documents, DOCUMENTS_PER_PAGE).get_page(self.request.GET.get("page"))
        return super().get_context_data(documents=page.object_list, page=page, **kwargs)


# The file's bytes go to the storage before the row's transaction (object storage is the
# network): the service holds its own transaction, not the request's.
@method_decorator(transaction.non_atomic_requests, name="dispatch")
class DocumentUploadView(DocumentsMixin, ServiceFormView):
    form_class = DocumentForm
    title = gettext_lazy("Add a document to the file")
    submit_label = gettext_lazy("Add the document")
    success_message = gettext_lazy("Document added to the file.")

    def get_form_kwargs(self):
        user, patient_id = self.request.user, self.patient.pk
        reads_clinical = selectors.reads_clinical(user, patient_id)
        return {
            **super().get_form_kwargs(),
            "kinds": permissions.kinds_offered(reads_clinical=reads_clinical),
            "sessions": selectors.sessions_awaiting_evidence(user, patient_id),
        }

    def get_initial(self):
        attendance = self.request.GET.get("attendance", "")
        if attendance.isdigit():
            return {"kind": Document.Kind.ABSENCE_EVIDENCE, "attendance": attendance}
        return {}

    def perform(self, data):
        return services.document_upload(
            actor=self.request.user,
            patient=self.patient,
            kind=data["kind"],
            dated=data["dated"],
            upload=data["file"],
            title=data["title"],
            attendance=data["attendance"],
        )


class DocumentFileView(DocumentsMixin, View):
    """The document's bytes, as an attachment of the type its content was checked to be: a
    browser saves it (or shows a PDF or an image), never runs it; logged as handed out."""

    audit_action = Action.EXPORT

    def get_patient(self):
        patient = super().get_patient()
        self.document = selectors.document_for(
            self.request.user, patient.pk, self.kwargs["document_id"]
        )
        return patient

    def get_audit_object(self):
        return self.document

    def get(self, request, *args, **kwargs):
        document = self.document
        response = FileResponse(
            services.storage().open(document.stored_as, "rb"),
            as_attachment=True,
            filename=document.filename,
            content_type=document.content_type,
        )
        response["Content-Security-Policy"] = "sandbox; default-src 'none'"
        response["Cache-Control"] = "private, no-store"
        return response
