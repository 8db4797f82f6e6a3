from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _reference_data(sender, **kwargs) -> None:
    # A flush (transactional tests) empties the tables that the migrations filled.
    from casework.models import AttendanceOutcome, ComplianceRule, LegalFramework
    from casework.reference_data import seed_when_empty

    seed_when_empty(LegalFramework, AttendanceOutcome, ComplianceRule)


class CaseworkConfig(AppConfig):
    name = "casework"
    verbose_name = _("Casework")

    def ready(self) -> None:
        from casework import receivers  # noqa: F401 (connects the credentials' end)

        post_migrate.connect(_reference_data, sender=self, dispatch_uid="casework.reference_data")
