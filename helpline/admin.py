"""The helpline's lists, kept by the clinical lead. The contacts themselves are not in the admin:
they are the listeners' alone (docs/helpline.md)."""

from django.contrib import admin

from helpline.models import ProblemTag, ReferralService


@admin.register(ProblemTag)
class ProblemTagAdmin(admin.ModelAdmin):
    view_on_site = False
    list_display = ["code", "name_en", "name_fr", "name_nl", "is_active", "position"]
    list_editable = ["position", "is_active"]

    def has_delete_permission(self, request, obj=None):
        return False  # contacts keep their tags for the statistics: deactivate one instead


@admin.register(ReferralService)
class ReferralServiceAdmin(admin.ModelAdmin):
    view_on_site = False
    list_display = ["name_en", "name_fr", "name_nl", "is_active", "position"]
    list_editable = ["position", "is_active"]

    def has_delete_permission(self, request, obj=None):
        return False  # contacts point to it: deactivate it instead
