"""The clinic's licensed tables, entered by the clinical lead: empty by default, shown only
when filled. Assessments themselves are not here: the admin would bypass the clinical door."""

from django.contrib import admin

from assessments.models import RiskCombination, Static99RNorm


@admin.register(Static99RNorm)
class Static99RNormAdmin(admin.ModelAdmin):
    view_on_site = False  # the admin links to no page outside it (config.admin_site)
    list_display = ["score", "window_years", "estimate_percent", "source"]
    list_filter = ["window_years", "source"]


@admin.register(RiskCombination)
class RiskCombinationAdmin(admin.ModelAdmin):
    view_on_site = False  # the admin links to no page outside it (config.admin_site)
    list_display = ["static_level", "stable_band", "combined_level", "source"]
