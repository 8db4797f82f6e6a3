"""Django admin for reference data only.

Patients, mandates, episodes and care teams are deliberately absent: the admin would bypass
the per-patient door and the access log (tests/test_project.py keeps it that way).
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from casework.forms import AuthorityForm, JusticeContactForm
from casework.models import AttendanceOutcome, Authority, ComplianceRule, JusticeContact, Room
from casework.services.session_counts import outcome_meaning_changed


@admin.register(Authority)
class AuthorityAdmin(admin.ModelAdmin):
    view_on_site = False  # the admin links to no page outside it (config.admin_site)
    form = AuthorityForm  # the pages' form: the same fields, help and checks
    list_display = ["name", "kind", "region", "language", "is_active"]
    list_filter = ["kind", "region", "language", "is_active"]
    search_fields = ["name", "jurisdiction"]


@admin.register(JusticeContact)
class JusticeContactAdmin(admin.ModelAdmin):
    view_on_site = False  # the admin links to no page outside it (config.admin_site)
    form = JusticeContactForm  # the pages' form: the same fields, help and checks
    list_display = ["name", "service", "language", "email", "is_active"]
    list_filter = ["language", "is_active"]
    search_fields = ["name", "service", "email"]


# The flags the session counters read (casework.selectors.counter_filters).
COUNTED_BY = {"counts_as_attended", "compliant", "enforceable"}


@admin.register(AttendanceOutcome)
class AttendanceOutcomeAdmin(SimpleHistoryAdmin):
    view_on_site = False  # the admin links to no page outside it (config.admin_site)
    list_display = [
        "code",
        "name_en",
        "counts_as_attended",
        "compliant",
        "enforceable",
        "needs_evidence",
        "is_active",
        "position",
    ]
    list_editable = ["position", "is_active"]

    def has_delete_permission(self, request, obj=None):
        return False  # outcomes are history: deactivate one instead

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and set(form.changed_data) & COUNTED_BY:
            # The statistics' session counts follow what the outcome now means.
            outcome_meaning_changed(obj)


@admin.register(ComplianceRule)
class ComplianceRuleAdmin(SimpleHistoryAdmin):
    view_on_site = False  # the admin links to no page outside it (config.admin_site)
    list_display = ["name", "kind", "counts", "threshold", "window_months", "is_active"]

    def has_delete_permission(self, request, obj=None):
        return False  # alerts point to their rule: deactivate it instead


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    """The rooms the week grid shows and the bookings warn about (docs/calendar.md)."""

    view_on_site = False  # the admin links to no page outside it (config.admin_site)
    list_display = ["name", "opens_at", "closes_at", "open_days", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name"]
