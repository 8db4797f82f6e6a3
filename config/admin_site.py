"""The project's admin site: Django's, less the "view on site" redirect.

That redirect (/admin/r/<content type id>/<object id>/) turns any object id of any model with a
get_absolute_url into that object's address, for anyone with staff status: an assessment id
becomes its patient's file number in the URL. The admin holds reference data only and never
needs it, so the route is not served, and no model admin offers the link.
"""

from django.contrib import admin


class ClinicAdminSite(admin.AdminSite):
    def get_urls(self):
        return [url for url in super().get_urls() if getattr(url, "name", "") != "view_on_site"]

    def register(self, model_or_iterable, admin_class=None, **options):
        super().register(model_or_iterable, admin_class, **options)
        # Third-party model admins too: a link to a route that is gone would break the form.
        for model_admin in self._registry.values():
            model_admin.view_on_site = False
