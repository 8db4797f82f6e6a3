"""Django admin for reference data only.

Patients, mandates, episodes and care teams are deliberately absent: the admin would bypass
the per-patient door and the access log (tests/casework/test_admin.py keeps it that way).
"""

from django.contrib import admin

from casework.models import Authority, JusticeContact


@admin.register(Authority)
class AuthorityAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "region", "language", "is_active"]
    list_filter = ["kind", "region", "language", "is_active"]
    search_fields = ["name", "jurisdiction"]


@admin.register(JusticeContact)
class JusticeContactAdmin(admin.ModelAdmin):
    list_display = ["name", "service", "language", "email", "is_active"]
    list_filter = ["language", "is_active"]
    search_fields = ["name", "service", "email"]
