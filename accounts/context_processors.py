from django.conf import settings

from audit.permissions import can_read_access_log
from casework.permissions import can_view_reference_data, has_casework_home


def clinic(request):
    """The clinic's name and which sections the navigation offers to this user."""
    user = request.user
    return {
        "clinic_name": settings.CLINIC_NAME,
        "nav": {
            "casework": has_casework_home(user),
            "reference_data": can_view_reference_data(user),
            "access_log": can_read_access_log(user),
        },
    }
