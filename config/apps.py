from django.contrib.admin.apps import AdminConfig


class ClinicAdminConfig(AdminConfig):
    """django.contrib.admin with the project's site as admin.site (see config.admin_site)."""

    default_site = "config.admin_site.ClinicAdminSite"
