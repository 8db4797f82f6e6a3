from django.conf import settings

from accounts.permissions import can_manage_staff
from audit.permissions import can_read_access_log
from casework.permissions import (
    can_join_care_team,
    can_see_clinic_agenda,
    can_use_casework,
    can_view_reference_data,
)
from clinic_statistics.permissions import can_read_statistics as can_read_clinic_statistics
from common.http import request_user
from helpline.permissions import can_log_contacts, can_read_statistics
from workspace.permissions import can_watch_operations


def clinic(request):
    """The clinic's name and which sections the navigation offers to this user."""
    user = request_user(request)
    return {
        "clinic_name": settings.CLINIC_NAME,
        "nav": {
            "casework": can_use_casework(user),
            "own_agenda": user.is_authenticated and can_join_care_team(user),
            "clinic_agenda": can_see_clinic_agenda(user),
            "reference_data": can_view_reference_data(user),
            "access_log": can_read_access_log(user),
            "helpline": can_log_contacts(user),
            "helpline_statistics": can_read_statistics(user) and not can_log_contacts(user),
            "follow_up_statistics": can_read_clinic_statistics(user),
            "operations": can_watch_operations(user),
            "staff": can_manage_staff(user),
        },
    }
