from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Letters")

    def ready(self):
        from common import after_response  # noqa: F401 (runs deferred work after responses)
        from reports import receivers  # noqa: F401 (connects the signal receivers)
