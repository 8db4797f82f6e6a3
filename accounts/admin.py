from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    view_on_site = False  # the admin links to no page outside it (config.admin_site)
    list_display = ["username", "first_name", "last_name", "email", "is_active"]
    list_filter = ["groups", "is_active", "is_staff"]
    # No "user permissions": rights come with roles (groups) only (accounts.backends).
    fieldsets = (
        *(
            (name, {**options, "fields": [f for f in options["fields"] if f != "user_permissions"]})
            for name, options in BaseUserAdmin.fieldsets
        ),
        (_("Preferences"), {"fields": ["language"]}),
    )
