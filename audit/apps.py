from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Access log")

    def ready(self) -> None:
        from django.core.signals import request_finished

        from audit import receivers  # noqa: F401  (connects the login signals)
        from audit.services import seal_after_response

        request_finished.connect(seal_after_response, dispatch_uid="audit.seal_after_response")
