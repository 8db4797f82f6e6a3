from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClinicStatisticsConfig(AppConfig):
    name = "clinic_statistics"
    verbose_name = _("Statistics")
