"""The helpline's pages: the listener's log (a contact in a few keystrokes, a missed one in one
click, the time on the line today), earlier contacts by follow-up code, and the statistics.

Listeners only, except the statistics (also the clinical lead and the auditor); anyone else
gets 404, as if the helpline did not exist. Nothing here writes to the access log: no patient
is concerned, and no line may tie a time to a caller (docs/helpline.md)."""

import csv
import datetime

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from common.http import InvalidParameter
from common.text import spreadsheet_safe
from common.views import RoleRequired, apply_errors
from helpline import services, statistics
from helpline.charts import bars_svg
from helpline.forms import CodeLookupForm, ContactForm
from helpline.models import Contact
from helpline.permissions import can_log_contacts, can_read_statistics

PAGE_SIZE = 25
SESSION_CODE = "helpline_new_code"


class LogView(RoleRequired(can_log_contacts, hidden=True), FormView):
    """The listener's home: the shift, the missed-contact buttons, the form, a code lookup."""

    template_name = "helpline/log.html"
    form_class = ContactForm

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        minutes = data.pop("duration_minutes")
        data.pop("started_at", None)
        try:
            logged = services.contact_log(
                actor=self.request.user,
                started_at=timezone.now() - datetime.timedelta(minutes=minutes),
                duration_minutes=minutes,
                **data,
            )
        except ValidationError as error:
            apply_errors(form, error)
            return self.form_invalid(form)
        if logged.new_code:
            self.request.session[SESSION_CODE] = logged.new_code
            return redirect("helpline:new_code")
        messages.success(self.request, _("The contact is logged."))
        return redirect("helpline:log")

    def get_initial(self):
        initial = super().get_initial()
        code = self.request.GET.get("code", "")
        if code and services.find_code(code):
            initial.update(code=services.format_code(code), repeat=True)
        return initial

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            shift=services.shift_of(self.request.user),
            channels=Contact.Channel.choices,
            lookup=CodeLookupForm(auto_id="lookup-%s"),
            **kwargs,
        )


class MissedView(RoleRequired(can_log_contacts, hidden=True), View):
    def post(self, request):
        try:
            services.contact_missed(actor=request.user, channel=request.POST.get("channel", ""))
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, _("The missed contact is logged."))
        return redirect("helpline:log")


class NewCodeView(RoleRequired(can_log_contacts, hidden=True), TemplateView):
    """The code just given, shown this once: it is not kept in clear anywhere."""

    template_name = "helpline/new_code.html"

    def get(self, request, *args, **kwargs):
        code = request.session.pop(SESSION_CODE, "")
        if not code:
            messages.info(request, _("A follow-up code is shown only once, right after saving."))
            return redirect("helpline:log")
        return self.render_to_response(self.get_context_data(code=code))


class ContactListView(RoleRequired(can_log_contacts, hidden=True), TemplateView):
    """Earlier contacts, latest first; with a follow-up code, that caller's contacts only."""

    template_name = "helpline/contacts.html"

    def get_context_data(self, **kwargs):
        contacts = Contact.objects.select_related("referral", "listener").prefetch_related("tags")
        asked = self.request.GET if "code" in self.request.GET else None
        lookup = CodeLookupForm(asked, auto_id="lookup-%s")
        shown = ""  # the code asked for, as it is written, when it names a caller
        if lookup.is_bound and lookup.is_valid():
            code = services.find_code(lookup.cleaned_data["code"])
            if code is None:
                lookup.add_error("code", _("No contact has this code: check it with the caller."))
                contacts = contacts.none()
            else:
                contacts = contacts.filter(follow_up=code)
                shown = services.format_code(lookup.cleaned_data["code"])
        page = Paginator(contacts, PAGE_SIZE).get_page(self.request.GET.get("page"))
        return super().get_context_data(
            lookup=lookup,
            code=shown,
            page=page,
            contacts=page.object_list,
            query_string=f"code={shown}" if shown else "",
            **kwargs,
        )


class ContactDetailView(RoleRequired(can_log_contacts, hidden=True), TemplateView):
    template_name = "helpline/contact.html"

    def get_context_data(self, **kwargs):
        contact = get_object_or_404(
            Contact.objects.select_related("referral", "listener", "follow_up"),
            pk=kwargs["contact_id"],
        )
        earlier = (
            Contact.objects.filter(follow_up=contact.follow_up)
            .exclude(pk=contact.pk)
            .prefetch_related("tags")
            .order_by("-started_at")
            if contact.follow_up_id
            else Contact.objects.none()
        )
        return super().get_context_data(contact=contact, same_caller=earlier[:20], **kwargs)


# --- Statistics -----------------------------------------------------------------------------


def period_of(request) -> tuple[int, int | None]:
    """?year=2026&month=11 (month optional); this year by default."""
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or today.year)
        month = int(request.GET["month"]) if request.GET.get("month") else None
    except ValueError:
        raise InvalidParameter(_("Choose a year and, if you like, a month.")) from None
    if not statistics.EARLIEST_YEAR <= year <= today.year + 1 or not (
        month is None or 1 <= month <= 12
    ):
        raise InvalidParameter(_("Choose a year and, if you like, a month."))
    return year, month


class StatisticsView(RoleRequired(can_read_statistics, hidden=True), TemplateView):
    template_name = "helpline/statistics.html"

    def get_context_data(self, **kwargs):
        year, month = period_of(self.request)
        figures = statistics.figures(year, month)
        for table in figures.tables:
            rows = [(row.label, row.total, row.total_hidden) for row in table.rows]
            table.chart = bars_svg(rows, title=table.title)
        today = timezone.localdate()
        return super().get_context_data(
            figures=figures,
            years=range(today.year, statistics.EARLIEST_YEAR - 1, -1)[:10],
            months=[datetime.date(year, m, 1) for m in range(1, 13)],
            hidden=statistics.HIDDEN,
            limit=settings.HELPLINE_SMALL_CELL,
            csv_url=f"{reverse('helpline:statistics_csv')}?{self.request.GET.urlencode()}",
            **kwargs,
        )


class StatisticsCSVView(RoleRequired(can_read_statistics, hidden=True), View):
    def get(self, request):
        year, month = period_of(request)
        figures = statistics.figures(year, month)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="helpline-{figures.period}.csv"'
        writer = csv.writer(response)
        months = [column.strftime("%Y-%m") for column in figures.columns]
        writer.writerow([_("table"), _("row"), *months, _("total")])
        rows = [("", figures.contacts)] + [(t.title, row) for t in figures.tables for row in t.rows]
        for title, row in rows:
            cells = [title, row.label, *row.cells, row.shown_total]
            writer.writerow([spreadsheet_safe(cell) for cell in cells])
        return response
