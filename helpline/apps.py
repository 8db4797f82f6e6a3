from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _lists(sender, **kwargs) -> None:
    # A flush (transactional tests) empties the tables that migration 0002 filled.
    from helpline.lists import seed_when_empty
    from helpline.models import ProblemTag, ReferralService

    seed_when_empty(ProblemTag, ReferralService)


class HelplineConfig(AppConfig):
    name = "helpline"
    verbose_name = _("Anonymous helpline")

    def ready(self) -> None:
        post_migrate.connect(_lists, sender=self, dispatch_uid="helpline.lists")
        from helpline import counts

        counts.connect()  # a contact's tags changed: its month counted again
