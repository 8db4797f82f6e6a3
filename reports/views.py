"""Letter pages: patient-scoped, through the patient door (frame zone)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import TemplateView

from audit.services import record_listing
from casework.models import Attendance, Mandate
from casework.permissions import can_use_casework
from casework.reporting import schedule_of
from casework.selectors import reach_of
from casework.views.base import PatientScopedMixin
from common.views import ConfirmView, RoleRequired, ServiceFormView
from reports import catalogue, checks, drafting, permissions, selectors, services
from reports.forms import DispatchForm, LetterEditForm, LetterForm, WithdrawForm
from reports.models import Dispatch, Letter, LetterBatch
from reports.rendering import recipient_block, render_html


class LettersMixin(PatientScopedMixin):
    def list_url(self) -> str:
        return reverse("reports:list", args=[self.patient.pk])

    def get_cancel_url(self) -> str:
        return self.list_url()


class LetterMixin(LettersMixin):
    def get_patient(self):
        patient = super().get_patient()
        self.letter = selectors.letter_for(self.request.user, patient.pk, self.kwargs["letter_id"])
        return patient

    def get_audit_object(self):
        return self.letter

    def get_cancel_url(self) -> str:
        return self.letter.get_absolute_url()

    def get_success_url(self) -> str:
        return self.letter.get_absolute_url()

    def get_context_data(self, **kwargs):
        return super().get_context_data(letter=self.letter, **kwargs)


class LetterListView(LettersMixin, TemplateView):
    template_name = "reports/list.html"
    audit_object_type = "reports.letter"

    def get_audit_object(self):
        return None

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            letters=selectors.letters_of(self.request.user, self.patient.pk), **kwargs
        )


class LetterCreateView(LettersMixin, ServiceFormView):
    form_class = LetterForm
    success_message = gettext_lazy("Letter drafted.")
    title = gettext_lazy("Draft a letter")
    submit_label = gettext_lazy("Save the draft")

    def get_form_kwargs(self):
        attendances = (
            Attendance.objects.filter(patient=self.patient, outcome__enforceable=True)
            .select_related("appointment", "outcome")
            .order_by("-appointment__starts_at")[:30]
        )
        return {
            **super().get_form_kwargs(),
            "mandates": self.patient.mandates.select_related("authority"),
            "attendances": Attendance.objects.filter(pk__in=[a.pk for a in attendances])
            .select_related("appointment", "outcome")
            .order_by("-appointment__starts_at"),
        }

    def get_initial(self):
        """The letter asked for (?kind=), the patient's current mandate, and its reporting
        period up to today: what most letters are about."""
        initial = {}
        kind = self.request.GET.get("kind", "")
        if kind in catalogue.TYPES:
            initial["kind"] = kind
        mandate = (
            self.patient.mandates.filter(status=Mandate.Status.ACTIVE)
            .order_by("-starts_on")
            .first()
        )
        today = timezone.localdate()
        if mandate is not None and mandate.starts_on <= today:
            period = schedule_of(mandate).period_on(today)
            initial.update(mandate=mandate.pk, period_start=period.first_day, period_end=today)
        return initial

    def perform(self, data):
        data["recipients"] = data["recipients"] or None  # none ticked: whom the law names
        return services.letter_draft(actor=self.request.user, patient=self.patient, **data)

    def get_success_url(self):
        return self.result.get_absolute_url()


class LetterDetailView(LetterMixin, TemplateView):
    template_name = "reports/detail.html"

    def get_context_data(self, **kwargs):
        user, letter = self.request.user, self.letter
        dispatches = list(letter.dispatches.select_related("recorded_by"))
        # Per recipient: sent, or an e-mail not yet delivered, or nothing recorded yet.
        reached = {}
        for dispatch in dispatches:
            reached[dispatch.recipient] = reached.get(dispatch.recipient) or (
                "sent" if dispatch.sent_at else "pending"
            )
        return super().get_context_data(
            can_sign=not permissions.sign_refusal(user, letter),
            can_cosign=not permissions.cosign_refusal(user, letter),
            # What must change before it can be signed (nothing contradictory or empty).
            problems=checks.problems(letter) if letter.is_editable else [],
            recipients=[
                (code, catalogue.Recipient.label(code), reached.get(code))
                for code in letter.recipients
            ],
            dispatches=dispatches,
            **kwargs,
        )


class LetterUpdateView(LetterMixin, ServiceFormView):
    form_class = LetterEditForm
    success_message = gettext_lazy("Letter saved.")
    title = gettext_lazy("Edit the draft letter")
    submit_label = gettext_lazy("Save the draft")

    def refusal(self):
        if not self.letter.is_editable:
            return _("This letter is signed and final: write a correction instead.")
        return ""

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.letter}

    def perform(self, data):
        return services.letter_update(actor=self.request.user, letter=self.letter, **data)


class LetterStepView(LetterMixin, ConfirmView):
    """Ready, sign, co-sign, correct: one question, one button, one service."""

    step = ""
    # Each step: its title, its question, its button, and what the page says once it is done.
    steps = {
        "ready": (
            gettext_lazy("Ready for signature"),
            gettext_lazy("The draft goes to a clinician of the care team for signature."),
            gettext_lazy("Ready for signature"),
            gettext_lazy("Letter ready for signature."),
        ),
        "sign": (
            gettext_lazy("Sign the letter"),
            gettext_lazy(
                "Once signed, what the letter states is final and it is turned into a PDF; a "
                "correction becomes a new letter."
            ),
            gettext_lazy("Sign the letter"),
            gettext_lazy("Letter signed."),
        ),
        "cosign": (
            gettext_lazy("Co-sign the letter"),
            gettext_lazy("A serious-risk alert leaves with two signatures: yours is the second."),
            gettext_lazy("Co-sign the letter"),
            gettext_lazy("Letter co-signed."),
        ),
        "correct": (
            gettext_lazy("Correct the letter"),
            gettext_lazy(
                "A new draft will point to this letter, which stays as it was signed and sent."
            ),
            gettext_lazy("Write a correction"),
            gettext_lazy("Correction drafted: edit it, then sign it."),
        ),
    }

    def get(self, request, *args, **kwargs):
        # The sign address of a letter waiting for its co-signature takes the clinical lead
        # to the co-signature (a link passed on, a bookmark).
        letter = self.letter
        lead = not permissions.cosign_refusal(request.user, letter)
        if self.step == "sign" and letter.waits_for_cosignature and lead:
            return redirect(reverse("reports:cosign", args=[self.patient.pk, letter.pk]))
        return super().get(request, *args, **kwargs)

    def refusal(self):
        user, letter = self.request.user, self.letter
        if self.step == "ready" and letter.status != Letter.Status.DRAFT:
            return _("Only a draft can be made ready for signature.")
        if self.step == "sign":
            return permissions.sign_refusal(user, letter)
        if self.step == "cosign":
            return permissions.cosign_refusal(user, letter)
        if self.step == "correct" and not letter.is_signed:
            return _("A draft is corrected by editing it.")
        return ""

    def get_context_data(self, **kwargs):
        title, question, label, _done = self.steps[self.step]
        return super().get_context_data(
            title=title,
            question=question,
            confirm_label=label,
            back_label=_("Not now"),
            subject_template="reports/_letter_signed.html",
            **kwargs,
        )

    def confirm(self):
        action = {
            "ready": services.letter_ready,
            "sign": services.letter_sign,
            "cosign": services.letter_cosign,
            "correct": services.letter_correct,
        }[self.step]
        try:
            result = action(actor=self.request.user, letter=self.letter)
        except ValidationError as error:
            for message in error.messages:
                messages.error(self.request, message)
            return redirect(self.letter.get_absolute_url())
        messages.success(self.request, self.steps[self.step][3])
        return redirect(result.get_absolute_url())


class LetterPreviewView(LetterMixin, TemplateView):
    """The letter as it will print, from the same dictionary as the PDF. Once its PDF is made,
    that is the letter (the templates may have changed since): the preview is the PDF."""

    def get(self, request, *args, **kwargs):
        letter = self.letter
        if letter.pdf_sha256:
            return redirect(reverse("reports:pdf", args=[self.patient.pk, letter.pk]))
        stated = letter.facts if letter.is_signed else None
        return HttpResponse(render_html(letter, stated))


def pdf_response(letter: Letter, pdf: bytes) -> HttpResponse:
    """A letter's PDF as a download (the page and the API alike)."""
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{letter.pdf_filename}"'
    return response


class LetterDownloadView(LetterMixin, TemplateView):
    def get(self, request, *args, **kwargs):
        pdf = services.letter_pdf(actor=request.user, letter=self.letter)
        if pdf is None:
            # A draft, or signed a moment ago and still with a worker: say so on its page.
            messages.info(
                request, _("The PDF is not ready yet: it is made once the letter is signed.")
            )
            return redirect(self.letter.get_absolute_url())
        return pdf_response(self.letter, pdf)


class LetterWithdrawView(LetterMixin, ServiceFormView):
    form_class = WithdrawForm
    title = gettext_lazy("Withdraw the letter")
    submit_label = gettext_lazy("Withdraw the letter")
    submit_class = "danger"
    success_message = gettext_lazy("The letter is withdrawn: it stays in the file.")

    def refusal(self):
        if not self.letter.is_editable:
            return _("A signed letter is final: write a correction instead.")
        return ""

    def perform(self, data):
        return services.letter_withdraw(actor=self.request.user, letter=self.letter, **data)


class LetterDispatchView(LetterMixin, ServiceFormView):
    """One recipient's dispatch (?recipient=), with the address on file proposed: the e-mail
    address if there is one, else the postal address."""

    form_class = DispatchForm
    success_message = gettext_lazy("Dispatch recorded.")
    title = gettext_lazy("Record the dispatch")
    submit_label = gettext_lazy("Record the dispatch")

    def refusal(self):
        if not self.letter.is_fully_signed:
            return _("Only a signed letter can be sent.")
        if not self.letter.pdf_sha256:
            return _("The PDF is not ready yet: try again in a moment.")
        return ""

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "letter": self.letter}

    def get_initial(self):
        letter = self.letter
        reached = set(letter.dispatches.values_list("recipient", flat=True))
        asked = self.request.GET.get("recipient", "")
        recipient = (
            asked
            if asked in letter.recipients
            else next((code for code in letter.recipients if code not in reached), letter.recipient)
        )
        block = recipient_block(letter, recipient)
        if block["email"] and services.may_email(letter):
            channel, to = Dispatch.Channel.EMAIL, block["email"]
        else:
            channel, to = Dispatch.Channel.POST, ", ".join([block["name"], *block["address_lines"]])
        return {"recipient": recipient, "channel": channel, "to": to}

    def perform(self, data):
        return services.letter_dispatch(actor=self.request.user, letter=self.letter, **data)

    def get_success_url(self):
        return self.letter.get_absolute_url()


# --- The clinic's letters -------------------------------------------------------------------

DASHBOARD_ROWS = 10
SECTION_PAGE_SIZE = 50


class LettersDashboardView(RoleRequired(can_use_casework), TemplateView):
    """Letters overdue, due soon, waiting for a signature or to be sent, and sent lately: of
    the patients the user may see. ?section= lists one of them in full, page by page."""

    template_name = "reports/dashboard.html"
    sections = {
        "overdue": gettext_lazy("Overdue"),
        "due_soon": gettext_lazy("Due in the next two weeks"),
        "to_sign": gettext_lazy("Waiting for a signature"),
        "to_send": gettext_lazy("Signed, to be sent"),
        "later": gettext_lazy("Other drafts: due later, or with no due date"),
        "sent": gettext_lazy("Sent in the last 30 days"),
    }

    def get_context_data(self, **kwargs):
        user, params = self.request.user, self.request.GET
        today = timezone.localdate()
        lists = selectors.dashboard_sections(reach_of(user), today)
        only = params.get("section", "")
        shown = []
        if only in lists:
            page = Paginator(lists[only], SECTION_PAGE_SIZE).get_page(params.get("page"))
            rows = list(page.object_list)
            shown = [(only, self.sections[only], rows, False)]
            context = {"page": page, "query_string": f"section={only}", "section": only}
        else:
            for key, title in self.sections.items():
                rows = list(lists[key][: DASHBOARD_ROWS + 1])
                shown.append((key, title, rows[:DASHBOARD_ROWS], len(rows) > DASHBOARD_ROWS))
            context = {}
        record_listing(
            actor=user,
            patients=[letter.patient for _key, _title, rows, _more in shown for letter in rows],
            object_type="reports.letter",
            label=gettext_lazy("Letters to the justice system"),
        )
        batch = LetterBatch.objects.filter(finished_at__isnull=True).first()
        return super().get_context_data(
            shown=shown,
            today=today,
            can_queue=permissions.can_queue_batches(user),
            batch=batch or LetterBatch.objects.filter(requested_by=user).first(),
            **context,
            **kwargs,
        )


class BatchQueueView(RoleRequired(can_use_casework), ConfirmView):
    """One action for every periodic report due this month; a worker drafts them."""

    def refusal(self):
        if not permissions.can_queue_batches(self.request.user):
            return _("Administrators and the clinical lead prepare the month's reports.")
        return ""

    def get_cancel_url(self):
        return reverse("reports:dashboard")

    def get_context_data(self, **kwargs):
        due = len(drafting.reports_due_in_month(timezone.localdate()))
        return super().get_context_data(
            title=_("Prepare this month's periodic reports"),
            question=ngettext(
                "%(count)d periodic report falls due this month. The ones not drafted yet "
                "will be drafted from the files, and each care team told.",
                "%(count)d periodic reports fall due this month. The ones not drafted yet "
                "will be drafted from the files, and each care team told.",
                due,
            )
            % {"count": due},
            confirm_label=_("Prepare the reports"),
            cancel_url=self.get_cancel_url(),
            **kwargs,
        )

    def confirm(self):
        batch = services.batch_queue(actor=self.request.user)
        messages.success(self.request, _("The month's periodic reports are being prepared."))
        return redirect(reverse("reports:batch", args=[batch.pk]))


class BatchView(RoleRequired(can_use_casework), TemplateView):
    """A batch's progress: the whole page, or (for htmx, every second) only its bar."""

    def get_template_names(self):
        if self.request.headers.get("HX-Request"):
            return ["reports/_batch.html"]
        return ["reports/batch.html"]

    def get_context_data(self, **kwargs):
        if not permissions.can_queue_batches(self.request.user):
            raise Http404
        batch = get_object_or_404(LetterBatch, pk=self.kwargs["batch_id"])
        letters, page = [], None
        if batch.finished_at:  # what it drafted, to open one by one, a page at a time
            drafted = (
                batch.letters.select_related("patient", "mandate__authority")
                .defer("pdf", "facts", "definitions")
                .order_by("due_on", "pk")
            )
            page = Paginator(drafted, SECTION_PAGE_SIZE).get_page(self.request.GET.get("page"))
            letters = list(page.object_list)
            record_listing(
                actor=self.request.user,
                patients=[letter.patient for letter in letters],
                object_type="reports.letter",
                label=gettext_lazy("This month's periodic reports"),
            )
        return super().get_context_data(
            batch=batch, letters=letters, page=page, today=timezone.localdate(), **kwargs
        )
