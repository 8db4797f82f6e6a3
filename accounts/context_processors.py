from django.conf import settings

from common.http import request_user


def session_limits(request):
    """What every page needs of the session: the idle warning (static/js/session.js), and
    whether the second factor is still to give."""
    warning = settings.SESSION_IDLE_WARNING_SECONDS
    user = request_user(request)
    return {
        "two_factor_required": settings.TWO_FACTOR_REQUIRED,
        # Between the password and the second factor: no navigation to pages it cannot reach.
        "second_factor_pending": settings.TWO_FACTOR_REQUIRED
        and user.is_authenticated
        and not user.is_verified(),
        "session_limits": {
            "idle_seconds": settings.SESSION_IDLE_MINUTES * 60,
            "warning_seconds": warning,
            "warning_minutes": max(1, warning // 60),
        },
    }
