from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommonConfig(AppConfig):
    name = "common"
    verbose_name = _("Common")

    def ready(self) -> None:
        from common import (  # noqa: F401 (their signal receivers)
            logs,  # a task's log lines carry its id
            tasks,  # a failed task is recorded, a starting worker says so
        )
