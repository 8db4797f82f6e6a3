"""Django admin for reference data only.

Patients, mandates, episodes and care teams are deliberately absent: the admin would bypass
the per-patient door and the access log (tests/test_project.py keeps it that way).
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from casework.forms import AuthorityForm, JusticeContactForm
from casework.models import AttendanceOutcome, Authority, ComplianceRule, JusticeContact


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


@admin.register(ComplianceRule)
class ComplianceRuleAdmin(SimpleHistoryAdmin):
    view_on_site = False  # the admin links to no page outside it (config.admin_site)
    list_display = ["name", "kind", "counts", "threshold", "window_months", "is_active"]

    def has_delete_permission(self, request, obj=None):
        return False  # alerts point to their rule: deactivate it instead
